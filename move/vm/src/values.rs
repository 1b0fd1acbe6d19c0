//! Runtime values. Structs, vectors and signers are shared containers, so that every reference
//! into them (locals, fields, vector elements, published resources) sees the same data; copying a
//! value (CopyLoc, ReadRef, LdConst) makes a deep, independent copy. References are a container
//! plus a slot index.

use std::cell::RefCell;
use std::rc::Rc;

use ethnum::U256;

use crate::status::{StatusCode, VmError, VmResult};

/// A shared, mutable list of values: a struct's fields, a vector's elements, a frame's locals or
/// a global resource slot.
pub type Container = Rc<RefCell<Elems>>;

/// The values of a container. Dropping it releases nested containers iteratively, so that even
/// a value nested far deeper than verified code can build cannot exhaust the native stack.
#[derive(Debug, Default)]
pub struct Elems(pub Vec<Value>);

impl std::ops::Deref for Elems {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.0
    }
}

impl std::ops::DerefMut for Elems {
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        &mut self.0
    }
}

impl Drop for Elems {
    fn drop(&mut self) {
        let mut pending = std::mem::take(&mut self.0);
        while let Some(v) = pending.pop() {
            let container = match v {
                Value::Struct(c) | Value::Vector(c) => c,
                Value::Ref(r) => r.container,
                _ => continue,
            };
            // Only the last owner takes the elements out; shared containers live on.
            if let Ok(cell) = Rc::try_unwrap(container) {
                let mut inner = cell.into_inner();
                pending.append(&mut inner.0);
            }
        }
    }
}

/// Deepest value nesting the VM walks recursively (copy, equality, BCS). Verified code stays far
/// below it (the pack limit is 128); it only stops malformed code from exhausting the stack.
pub const MAX_WALK_DEPTH: usize = 512;

/// A reference: slot `index` of `container`.
#[derive(Clone, Debug)]
pub struct Reference {
    pub container: Container,
    pub index: usize,
}

/// A Move value at runtime.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// An empty local slot (moved out or never written).
    #[default]
    Invalid,
    Bool(bool),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    U128(u128),
    U256(U256),
    Address([u8; 32]),
    /// Struct fields in declaration order; a signer is a struct with one address field.
    Struct(Container),
    Vector(Container),
    Ref(Reference),
}

pub fn type_error(what: &str) -> VmError {
    VmError::new(StatusCode::INTERNAL_TYPE_ERROR).with_message(what.to_string())
}

fn too_deep() -> VmError {
    VmError::new(StatusCode::VM_MAX_VALUE_DEPTH_REACHED)
}

pub fn new_container(values: Vec<Value>) -> Container {
    Rc::new(RefCell::new(Elems(values)))
}

/// Takes the values out of a container (for Unpack / VecUnpack / MoveFrom of the last owner).
pub fn take_elems(c: &Container) -> VmResult<Vec<Value>> {
    Ok(std::mem::take(&mut write(c)?.0))
}

/// Borrow a container for reading, turning an aliasing conflict into an error instead of a panic.
pub fn read(c: &Container) -> VmResult<std::cell::Ref<'_, Elems>> {
    c.try_borrow()
        .map_err(|_| invariant("container already mutably borrowed"))
}

/// Borrow a container for writing (see [`read`]).
pub fn write(c: &Container) -> VmResult<std::cell::RefMut<'_, Elems>> {
    c.try_borrow_mut()
        .map_err(|_| invariant("container already borrowed"))
}

pub fn invariant(what: &str) -> VmError {
    VmError::new(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR).with_message(what.to_string())
}

impl Value {
    pub fn struct_of(fields: Vec<Value>) -> Value {
        Value::Struct(new_container(fields))
    }

    pub fn vector_of(elems: Vec<Value>) -> Value {
        Value::Vector(new_container(elems))
    }

    pub fn signer(address: [u8; 32]) -> Value {
        Value::struct_of(vec![Value::Address(address)])
    }

    pub fn bytes(bytes: &[u8]) -> Value {
        Value::vector_of(bytes.iter().map(|b| Value::U8(*b)).collect())
    }

    pub fn is_invalid(&self) -> bool {
        matches!(self, Value::Invalid)
    }

    /// A deep copy: containers are duplicated, references still point at the same place.
    pub fn copy_value(&self) -> VmResult<Value> {
        self.copy_depth(0)
    }

    fn copy_depth(&self, depth: usize) -> VmResult<Value> {
        if depth > MAX_WALK_DEPTH {
            return Err(too_deep());
        }
        Ok(match self {
            Value::Struct(c) => Value::Struct(copy_container(c, depth)?),
            Value::Vector(c) => Value::Vector(copy_container(c, depth)?),
            Value::Invalid => return Err(invariant("copy of an unavailable value")),
            other => other.clone(),
        })
    }

    /// Structural equality; references compare what they point at.
    pub fn equals(&self, other: &Value) -> VmResult<bool> {
        self.equals_depth(other, 0)
    }

    fn equals_depth(&self, other: &Value, depth: usize) -> VmResult<bool> {
        if depth > MAX_WALK_DEPTH {
            return Err(too_deep());
        }
        Ok(match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::U8(a), Value::U8(b)) => a == b,
            (Value::U16(a), Value::U16(b)) => a == b,
            (Value::U32(a), Value::U32(b)) => a == b,
            (Value::U64(a), Value::U64(b)) => a == b,
            (Value::U128(a), Value::U128(b)) => a == b,
            (Value::U256(a), Value::U256(b)) => a == b,
            (Value::Address(a), Value::Address(b)) => a == b,
            (Value::Struct(a), Value::Struct(b)) | (Value::Vector(a), Value::Vector(b)) => {
                if Rc::ptr_eq(a, b) {
                    return Ok(true);
                }
                let a = read(a)?;
                let b = read(b)?;
                if a.len() != b.len() {
                    return Ok(false);
                }
                for (x, y) in a.iter().zip(b.iter()) {
                    if !x.equals_depth(y, depth + 1)? {
                        return Ok(false);
                    }
                }
                true
            }
            (Value::Ref(a), Value::Ref(b)) => {
                let x = a.read_ref()?;
                let y = b.read_ref()?;
                x.equals_depth(&y, depth + 1)?
            }
            _ => return Err(type_error("equality of values of different kinds")),
        })
    }

    pub fn as_bool(&self) -> VmResult<bool> {
        match self {
            Value::Bool(b) => Ok(*b),
            _ => Err(type_error("expected bool")),
        }
    }

    pub fn as_u8(&self) -> VmResult<u8> {
        match self {
            Value::U8(b) => Ok(*b),
            _ => Err(type_error("expected u8")),
        }
    }

    pub fn as_u64(&self) -> VmResult<u64> {
        match self {
            Value::U64(b) => Ok(*b),
            _ => Err(type_error("expected u64")),
        }
    }

    pub fn as_address(&self) -> VmResult<[u8; 32]> {
        match self {
            Value::Address(a) => Ok(*a),
            _ => Err(type_error("expected address")),
        }
    }

    pub fn into_ref(self) -> VmResult<Reference> {
        match self {
            Value::Ref(r) => Ok(r),
            _ => Err(type_error("expected a reference")),
        }
    }

    pub fn as_struct(&self) -> VmResult<&Container> {
        match self {
            Value::Struct(c) => Ok(c),
            _ => Err(type_error("expected a struct")),
        }
    }

    pub fn as_vector(&self) -> VmResult<&Container> {
        match self {
            Value::Vector(c) => Ok(c),
            _ => Err(type_error("expected a vector")),
        }
    }

    /// The bytes of a `vector<u8>` value.
    pub fn to_bytes(&self) -> VmResult<Vec<u8>> {
        let c = self.as_vector()?;
        let elems = read(c)?;
        elems.iter().map(Value::as_u8).collect()
    }

    /// Address held by a signer value.
    pub fn signer_address(&self) -> VmResult<[u8; 32]> {
        let c = self.as_struct()?;
        let fields = read(c)?;
        match fields.first() {
            Some(Value::Address(a)) if fields.len() == 1 => Ok(*a),
            _ => Err(type_error("expected a signer")),
        }
    }
}

fn copy_container(c: &Container, depth: usize) -> VmResult<Container> {
    let elems = read(c)?;
    let mut out = Vec::with_capacity(elems.len());
    for e in elems.iter() {
        out.push(e.copy_depth(depth + 1)?);
    }
    Ok(new_container(out))
}

impl Reference {
    pub fn new(container: Container, index: usize) -> Self {
        Reference { container, index }
    }

    /// A deep copy of the referenced value.
    pub fn read_ref(&self) -> VmResult<Value> {
        let c = read(&self.container)?;
        match c.get(self.index) {
            Some(v) if !v.is_invalid() => v.copy_value(),
            _ => Err(invariant("dangling reference")),
        }
    }

    /// Replaces the referenced value.
    pub fn write_ref(&self, value: Value) -> VmResult<()> {
        let mut c = write(&self.container)?;
        match c.get_mut(self.index) {
            Some(slot) if !slot.is_invalid() => {
                *slot = value;
                Ok(())
            }
            _ => Err(invariant("dangling reference")),
        }
    }

    /// Runs `f` on the referenced value without copying it.
    pub fn with<R>(&self, f: impl FnOnce(&Value) -> VmResult<R>) -> VmResult<R> {
        let c = read(&self.container)?;
        match c.get(self.index) {
            Some(v) if !v.is_invalid() => f(v),
            _ => Err(invariant("dangling reference")),
        }
    }

    /// The container held by the referenced value (a struct, vector or signer).
    pub fn inner_container(&self) -> VmResult<Container> {
        self.with(|v| match v {
            Value::Struct(c) | Value::Vector(c) => Ok(c.clone()),
            _ => Err(type_error("reference does not point at a container")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unverified code can nest values far beyond the pack limit; walking them must fail with a
    /// status and dropping them must not exhaust the stack.
    #[test]
    fn very_deep_values_neither_overflow_nor_panic() {
        let mut v = Value::U8(0);
        for _ in 0..1_000_000 {
            v = Value::vector_of(vec![v]);
        }
        assert_eq!(
            v.copy_value().map(|_| ()).unwrap_err().major_status,
            StatusCode::VM_MAX_VALUE_DEPTH_REACHED
        );
        assert!(v.equals(&v.clone()).is_ok());
        let layout = crate::bcs::Layout::Vector(Box::new(crate::bcs::Layout::U8));
        assert!(crate::bcs::serialize(&v, &layout).is_err());
        drop(v);
    }
}

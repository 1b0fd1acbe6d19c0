//! Type layouts and the BCS encoding of Move values both ways (strict decoding: canonical ULEB128
//! lengths, booleans 0/1, no trailing bytes).

use std::rc::Rc;

use ethnum::U256;

use crate::status::{StatusCode, VmError, VmResult};
use crate::values::{read, type_error, Value};

/// Deepest container nesting BCS accepts (the `bcs` crate's limit).
pub const MAX_CONTAINER_DEPTH: usize = 500;
/// Longest sequence BCS accepts.
pub const MAX_SEQUENCE_LENGTH: u64 = (1 << 31) - 1;

/// The shape of a value of a fully instantiated type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    Bool,
    U8,
    U16,
    U32,
    U64,
    U128,
    U256,
    Address,
    Signer,
    Vector(Box<Layout>),
    Struct(Rc<StructLayout>),
}

/// A struct's layout with the names the formatting natives need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructLayout {
    pub address: [u8; 32],
    pub module: String,
    pub name: String,
    /// Type arguments as type-tag text (`u64`, `0x1::string::String`, ...).
    pub type_args: Vec<String>,
    pub field_names: Vec<String>,
    pub fields: Vec<Layout>,
}

impl StructLayout {
    pub fn is(&self, address_last: u8, module: &str, name: &str) -> bool {
        self.address[..31].iter().all(|b| *b == 0)
            && self.address[31] == address_last
            && self.module == module
            && self.name == name
    }
}

fn ser_error() -> VmError {
    VmError::new(StatusCode::VALUE_SERIALIZATION_ERROR)
}

fn de_error() -> VmError {
    VmError::new(StatusCode::VALUE_DESERIALIZATION_ERROR)
}

pub fn write_uleb(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// BCS of `value` laid out as `layout`.
pub fn serialize(value: &Value, layout: &Layout) -> VmResult<Vec<u8>> {
    let mut out = Vec::new();
    ser(value, layout, &mut out, 0)?;
    Ok(out)
}

fn ser(value: &Value, layout: &Layout, out: &mut Vec<u8>, depth: usize) -> VmResult<()> {
    if depth > MAX_CONTAINER_DEPTH {
        return Err(ser_error());
    }
    match (value, layout) {
        (Value::Ref(r), _) => r.with(|v| ser(v, layout, out, depth))?,
        (Value::Bool(b), Layout::Bool) => out.push(*b as u8),
        (Value::U8(x), Layout::U8) => out.push(*x),
        (Value::U16(x), Layout::U16) => out.extend_from_slice(&x.to_le_bytes()),
        (Value::U32(x), Layout::U32) => out.extend_from_slice(&x.to_le_bytes()),
        (Value::U64(x), Layout::U64) => out.extend_from_slice(&x.to_le_bytes()),
        (Value::U128(x), Layout::U128) => out.extend_from_slice(&x.to_le_bytes()),
        (Value::U256(x), Layout::U256) => out.extend_from_slice(&x.to_le_bytes()),
        (Value::Address(a), Layout::Address) => out.extend_from_slice(a),
        (Value::Struct(_), Layout::Signer) => out.extend_from_slice(&value.signer_address()?),
        (Value::Vector(c), Layout::Vector(elem)) => {
            let elems = read(c)?;
            if elems.len() as u64 > MAX_SEQUENCE_LENGTH {
                return Err(ser_error());
            }
            write_uleb(out, elems.len() as u64);
            for e in elems.iter() {
                ser(e, elem, out, depth + 1)?;
            }
        }
        (Value::Struct(c), Layout::Struct(s)) => {
            let fields = read(c)?;
            if fields.len() != s.fields.len() {
                return Err(type_error("struct value does not match its layout"));
            }
            for (f, l) in fields.iter().zip(s.fields.iter()) {
                ser(f, l, out, depth + 1)?;
            }
        }
        _ => return Err(ser_error().with_message("value does not match its layout")),
    }
    Ok(())
}

/// Decodes BCS bytes laid out as `layout`; all bytes must be used.
pub fn deserialize(bytes: &[u8], layout: &Layout) -> VmResult<Value> {
    let mut reader = Reader { bytes, pos: 0 };
    let v = reader.value(layout, 0)?;
    if reader.pos != bytes.len() {
        return Err(de_error().with_message("trailing bytes"));
    }
    Ok(v)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> VmResult<&[u8]> {
        let end = self.pos.checked_add(n).ok_or_else(de_error)?;
        let s = self.bytes.get(self.pos..end).ok_or_else(de_error)?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> VmResult<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn uleb_len(&mut self) -> VmResult<u64> {
        let mut value: u64 = 0;
        for shift in (0..32).step_by(7) {
            let byte = self.array::<1>()?[0];
            let digit = (byte & 0x7f) as u64;
            value |= digit << shift;
            if byte & 0x80 == 0 {
                if shift > 0 && digit == 0 {
                    return Err(de_error().with_message("non-canonical ULEB128"));
                }
                if value > u32::MAX as u64 {
                    return Err(de_error().with_message("ULEB128 overflow"));
                }
                return Ok(value);
            }
        }
        Err(de_error().with_message("ULEB128 overflow"))
    }

    fn value(&mut self, layout: &Layout, depth: usize) -> VmResult<Value> {
        if depth > MAX_CONTAINER_DEPTH {
            return Err(de_error());
        }
        Ok(match layout {
            Layout::Bool => match self.array::<1>()?[0] {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                _ => return Err(de_error().with_message("invalid bool")),
            },
            Layout::U8 => Value::U8(self.array::<1>()?[0]),
            Layout::U16 => Value::U16(u16::from_le_bytes(self.array()?)),
            Layout::U32 => Value::U32(u32::from_le_bytes(self.array()?)),
            Layout::U64 => Value::U64(u64::from_le_bytes(self.array()?)),
            Layout::U128 => Value::U128(u128::from_le_bytes(self.array()?)),
            Layout::U256 => Value::U256(U256::from_le_bytes(self.array()?)),
            Layout::Address => Value::Address(self.array()?),
            Layout::Signer => Value::signer(self.array()?),
            Layout::Vector(elem) => {
                let len = self.uleb_len()?;
                if len > MAX_SEQUENCE_LENGTH {
                    return Err(de_error().with_message("sequence too long"));
                }
                // Never trust the length for preallocation: every element takes at least a byte
                // except field-less layouts, which cannot occur in Move.
                let mut elems = Vec::with_capacity((len as usize).min(self.bytes.len() - self.pos));
                for _ in 0..len {
                    elems.push(self.value(elem, depth + 1)?);
                }
                Value::vector_of(elems)
            }
            Layout::Struct(s) => {
                let mut fields = Vec::with_capacity(s.fields.len());
                for f in &s.fields {
                    fields.push(self.value(f, depth + 1)?);
                }
                Value::struct_of(fields)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uleb_examples_from_spec() {
        for (n, hex_str) in [
            (127u64, "7f"),
            (128, "8001"),
            (300, "ac02"),
            (16384, "808001"),
        ] {
            let mut out = Vec::new();
            write_uleb(&mut out, n);
            assert_eq!(hex::encode(&out), hex_str);
        }
    }

    #[test]
    fn strict_decoding() {
        let v = Layout::Vector(Box::new(Layout::U8));
        assert!(deserialize(&[0x80, 0x00], &v).is_err());
        assert!(deserialize(&[2], &Layout::Bool).is_err());
        assert!(deserialize(&[1, 0], &Layout::Bool).is_err());
        let ok = deserialize(&[2, 7, 8], &v).unwrap();
        assert_eq!(ok.to_bytes().unwrap(), vec![7, 8]);
    }
}

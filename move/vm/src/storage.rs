//! Global storage seen by one session: resources keyed by (address, struct type), loaded from a
//! backing store on first use and cached, and the change set the session produces at the end.

use std::collections::BTreeMap;

use crate::loader::Loader;
use crate::status::{StatusCode, VmError, VmResult};
use crate::types::Type;
use crate::values::{new_container, read, write, Container, Reference, Value};

/// Read access to published resources (BCS bytes by address and type-tag text).
pub trait ResourceStore {
    fn get_resource(&self, address: &[u8; 32], type_tag: &str) -> Result<Option<Vec<u8>>, String>;
}

/// A store with nothing in it (the unit-test runner's storage holds no resources).
pub struct EmptyStore;

impl ResourceStore for EmptyStore {
    fn get_resource(&self, _: &[u8; 32], _: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(None)
    }
}

/// An in-memory resource store.
#[derive(Default, Clone, Debug)]
pub struct InMemoryStore {
    pub resources: BTreeMap<([u8; 32], String), Vec<u8>>,
}

impl ResourceStore for InMemoryStore {
    fn get_resource(&self, address: &[u8; 32], type_tag: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self
            .resources
            .get(&(*address, type_tag.to_string()))
            .cloned())
    }
}

/// One cached slot: a one-element container holding the resource (or `Invalid` when absent),
/// and whether the slot held a resource in the backing store.
struct Slot {
    cell: Container,
    type_tag: String,
    existed: bool,
    original: Option<Vec<u8>>,
    /// Moved from or to in this session (a stored resource removed and republished is modified
    /// even when its bytes end up the same).
    touched: bool,
}

/// What happened to one resource in a session.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WriteOp {
    New(Vec<u8>),
    Modify(Vec<u8>),
    Delete,
}

/// One entry of a change set.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResourceChange {
    pub address: [u8; 32],
    pub type_tag: String,
    pub op: WriteOp,
}

/// The resource cache of one session.
#[derive(Default)]
pub struct DataCache {
    slots: BTreeMap<([u8; 32], Type), Slot>,
}

impl DataCache {
    fn slot(
        &mut self,
        loader: &Loader,
        store: &dyn ResourceStore,
        address: [u8; 32],
        ty: &Type,
    ) -> VmResult<&mut Slot> {
        let key = (address, ty.clone());
        if !self.slots.contains_key(&key) {
            let type_tag = loader.type_tag(ty)?;
            let bytes = store
                .get_resource(&address, &type_tag)
                .map_err(|e| VmError::new(StatusCode::STORAGE_ERROR).with_message(e))?;
            let value = match &bytes {
                Some(b) => {
                    let layout = loader.layout(ty)?;
                    crate::bcs::deserialize(b, &layout)
                        .map_err(|_| VmError::new(StatusCode::FAILED_TO_DESERIALIZE_RESOURCE))?
                }
                None => Value::Invalid,
            };
            let slot = Slot {
                cell: new_container(vec![value]),
                type_tag,
                existed: bytes.is_some(),
                original: bytes,
                touched: false,
            };
            self.slots.insert(key.clone(), slot);
        }
        self.slots
            .get_mut(&key)
            .ok_or_else(|| VmError::new(StatusCode::STORAGE_ERROR))
    }

    pub fn exists(
        &mut self,
        loader: &Loader,
        store: &dyn ResourceStore,
        address: [u8; 32],
        ty: &Type,
    ) -> VmResult<bool> {
        let slot = self.slot(loader, store, address, ty)?;
        let present = !read(&slot.cell)?.first().is_none_or(Value::is_invalid);
        Ok(present)
    }

    pub fn borrow_global(
        &mut self,
        loader: &Loader,
        store: &dyn ResourceStore,
        address: [u8; 32],
        ty: &Type,
    ) -> VmResult<Value> {
        let slot = self.slot(loader, store, address, ty)?;
        if read(&slot.cell)?.first().is_none_or(Value::is_invalid) {
            return Err(VmError::new(StatusCode::MISSING_DATA));
        }
        Ok(Value::Ref(Reference::new(slot.cell.clone(), 0)))
    }

    pub fn move_from(
        &mut self,
        loader: &Loader,
        store: &dyn ResourceStore,
        address: [u8; 32],
        ty: &Type,
    ) -> VmResult<Value> {
        let slot = self.slot(loader, store, address, ty)?;
        slot.touched = true;
        let mut cell = write(&slot.cell)?;
        match cell.first_mut() {
            Some(v) if !v.is_invalid() => Ok(std::mem::take(v)),
            _ => Err(VmError::new(StatusCode::MISSING_DATA)),
        }
    }

    pub fn move_to(
        &mut self,
        loader: &Loader,
        store: &dyn ResourceStore,
        address: [u8; 32],
        ty: &Type,
        value: Value,
    ) -> VmResult<()> {
        let slot = self.slot(loader, store, address, ty)?;
        slot.touched = true;
        let mut cell = write(&slot.cell)?;
        match cell.first_mut() {
            Some(v) if v.is_invalid() => {
                *v = value;
                Ok(())
            }
            Some(_) => Err(VmError::new(StatusCode::RESOURCE_ALREADY_EXISTS)),
            None => Err(VmError::new(StatusCode::STORAGE_ERROR)),
        }
    }

    /// The change set: new, modified (bytes differ from storage) and deleted resources, ordered by
    /// address and type.
    pub fn changes(&self, loader: &Loader) -> VmResult<Vec<ResourceChange>> {
        let mut out = Vec::new();
        for ((address, ty), slot) in &self.slots {
            let cell = read(&slot.cell)?;
            let current = cell.first().filter(|v| !v.is_invalid());
            let op = match (slot.existed, current) {
                (false, None) => continue,
                (true, None) => WriteOp::Delete,
                (existed, Some(v)) => {
                    let bytes = crate::bcs::serialize(v, &loader.layout(ty)?)?;
                    if !existed {
                        WriteOp::New(bytes)
                    } else if !slot.touched && slot.original.as_ref() == Some(&bytes) {
                        continue;
                    } else {
                        WriteOp::Modify(bytes)
                    }
                }
            };
            out.push(ResourceChange {
                address: *address,
                type_tag: slot.type_tag.clone(),
                op,
            });
        }
        out.sort();
        Ok(out)
    }
}

//! Native functions: the calling convention, the state natives share within a session (tables,
//! events, transaction context), and the table that binds `(address, module, name)` to Rust code.

mod hashes;
mod stdlib;
mod string_utils;
mod table;
mod vendor;

use std::collections::BTreeMap;

use crate::loader::Loader;
use crate::status::VmResult;
use crate::types::Type;
use crate::values::{Container, Value};

/// What a native produced: return values, or a request to abort with a code.
#[derive(Debug)]
pub enum NativeResult {
    Return(Vec<Value>),
    Abort(u64),
}

/// A native function: type arguments and arguments in declaration order.
pub type NativeFunction = fn(&mut NativeContext<'_>, &[Type], Vec<Value>) -> VmResult<NativeResult>;

/// One emitted event.
#[derive(Clone, Debug)]
pub struct Event {
    pub guid: Vec<u8>,
    pub sequence_number: u64,
    pub type_tag: String,
    pub data: Vec<u8>,
}

/// Session-wide state of the natives.
#[derive(Debug)]
pub struct Extensions {
    /// Table entries: handle -> BCS key -> one-slot container holding the boxed value.
    pub tables: BTreeMap<[u8; 32], BTreeMap<Vec<u8>, Container>>,
    pub tables_created: u32,
    /// Transaction hash the table extension derives handles from.
    pub table_txn_hash: [u8; 32],
    pub events: Vec<Event>,
    pub chain_id: u8,
    pub txn_hash: Vec<u8>,
    pub script_hash: Vec<u8>,
    pub unique_addresses: u64,
}

impl Extensions {
    /// The configuration the unit-test runner uses.
    pub fn for_unit_tests() -> Self {
        Extensions {
            tables: BTreeMap::new(),
            tables_created: 0,
            table_txn_hash: [0; 32],
            events: Vec::new(),
            chain_id: 4,
            txn_hash: vec![1],
            script_hash: vec![1],
            unique_addresses: 0,
        }
    }
}

impl Default for Extensions {
    fn default() -> Self {
        Self::for_unit_tests()
    }
}

/// What a native can see.
pub struct NativeContext<'a> {
    pub loader: &'a Loader,
    pub ext: &'a mut Extensions,
}

/// The native bound to `address::module::name`, if any (all natives live at 0x1).
pub fn lookup(address: &[u8; 32], module: &str, name: &str) -> Option<NativeFunction> {
    if address[..31].iter().any(|b| *b != 0) || address[31] != 1 {
        return None;
    }
    stdlib::lookup(module, name)
        .or_else(|| vendor::lookup(module, name))
        .or_else(|| hashes::lookup(module, name))
        .or_else(|| table::lookup(module, name))
        .or_else(|| string_utils::lookup(module, name))
}

/// Pops exactly `N` arguments or fails with a type error.
pub(crate) fn args<const N: usize>(args: Vec<Value>) -> VmResult<[Value; N]> {
    args.try_into()
        .map_err(|_| crate::values::type_error("wrong number of native arguments"))
}

pub(crate) fn ty_arg(tys: &[Type], i: usize) -> VmResult<&Type> {
    tys.get(i)
        .ok_or_else(|| crate::values::type_error("missing native type argument"))
}

pub(crate) fn ret(values: Vec<Value>) -> VmResult<NativeResult> {
    Ok(NativeResult::Return(values))
}

/// The bytes of a `vector<u8>` passed by value or by reference.
pub(crate) fn bytes_arg(v: &Value) -> VmResult<Vec<u8>> {
    match v {
        Value::Ref(r) => r.with(|inner| inner.to_bytes()),
        other => other.to_bytes(),
    }
}

/// A `0x1::string::String` value.
pub(crate) fn string_value(s: &str) -> Value {
    Value::struct_of(vec![Value::bytes(s.as_bytes())])
}

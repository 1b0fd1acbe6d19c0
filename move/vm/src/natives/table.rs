//! `0x1::table` natives: entries keyed by the BCS of the key, held in the session's table
//! extension (not in the resource change set). Handles are derived from the session's
//! transaction hash and the number of tables created so far.

use sha3::Digest as _;

use super::{args, ret, ty_arg, NativeContext, NativeFunction, NativeResult};
use crate::status::VmResult;
use crate::types::Type;
use crate::values::{new_container, read, type_error, write, Reference, Value};

/// Abort codes: `(category << 8) + 7` as upstream's table extension reports them.
pub const ALREADY_EXISTS: u64 = (100 << 8) + 7;
pub const NOT_FOUND: u64 = (101 << 8) + 7;
pub const NOT_EMPTY: u64 = (102 << 8) + 7;

pub(super) fn lookup(module: &str, name: &str) -> Option<NativeFunction> {
    if module != "table" {
        return None;
    }
    Some(match name {
        "new_table_handle" => new_table_handle,
        "add_box" => add_box,
        "borrow_box" | "borrow_box_mut" => borrow_box,
        "contains_box" => contains_box,
        "remove_box" => remove_box,
        "destroy_empty_box" => destroy_empty_box,
        "drop_unchecked_box" => drop_unchecked_box,
        _ => return None,
    })
}

/// The handle stored in a `Table` value or behind a reference to one.
fn handle_of(table: &Value) -> VmResult<[u8; 32]> {
    let read_handle = |v: &Value| -> VmResult<[u8; 32]> {
        let fields = read(v.as_struct()?)?;
        fields
            .first()
            .ok_or_else(|| type_error("table without handle"))?
            .as_address()
    };
    match table {
        Value::Ref(r) => r.with(read_handle),
        other => read_handle(other),
    }
}

fn key_bytes(ctx: &NativeContext, tys: &[Type], key: &Value) -> VmResult<Vec<u8>> {
    let layout = ctx.loader.layout(ty_arg(tys, 0)?)?;
    crate::bcs::serialize(key, &layout)
}

fn new_table_handle(ctx: &mut NativeContext, _: &[Type], _: Vec<Value>) -> VmResult<NativeResult> {
    let mut hasher = sha3::Sha3_256::new();
    hasher.update(ctx.ext.table_txn_hash);
    hasher.update(ctx.ext.tables_created.to_be_bytes());
    let digest = hasher.finalize();
    let mut handle = [0u8; 32];
    handle.copy_from_slice(&digest[..32]);
    ctx.ext.tables_created = ctx.ext.tables_created.wrapping_add(1);
    ctx.ext.tables.entry(handle).or_default();
    ret(vec![Value::Address(handle)])
}

fn add_box(ctx: &mut NativeContext, tys: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [table, key, val] = args(a)?;
    let handle = handle_of(&table)?;
    let key = key_bytes(ctx, tys, &key)?;
    let entries = ctx.ext.tables.entry(handle).or_default();
    if entries.contains_key(&key) {
        return Ok(NativeResult::Abort(ALREADY_EXISTS));
    }
    entries.insert(key, new_container(vec![val]));
    ret(vec![])
}

fn borrow_box(ctx: &mut NativeContext, tys: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [table, key] = args(a)?;
    let handle = handle_of(&table)?;
    let key = key_bytes(ctx, tys, &key)?;
    match ctx.ext.tables.get(&handle).and_then(|t| t.get(&key)) {
        Some(slot) => ret(vec![Value::Ref(Reference::new(slot.clone(), 0))]),
        None => Ok(NativeResult::Abort(NOT_FOUND)),
    }
}

fn contains_box(ctx: &mut NativeContext, tys: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [table, key] = args(a)?;
    let handle = handle_of(&table)?;
    let key = key_bytes(ctx, tys, &key)?;
    let found = ctx
        .ext
        .tables
        .get(&handle)
        .is_some_and(|t| t.contains_key(&key));
    ret(vec![Value::Bool(found)])
}

fn remove_box(ctx: &mut NativeContext, tys: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [table, key] = args(a)?;
    let handle = handle_of(&table)?;
    let key = key_bytes(ctx, tys, &key)?;
    match ctx.ext.tables.get_mut(&handle).and_then(|t| t.remove(&key)) {
        Some(slot) => {
            let value = write(&slot)?
                .first_mut()
                .map(std::mem::take)
                .unwrap_or_default();
            ret(vec![value])
        }
        None => Ok(NativeResult::Abort(NOT_FOUND)),
    }
}

fn destroy_empty_box(ctx: &mut NativeContext, _: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [table] = args(a)?;
    let handle = handle_of(&table)?;
    if ctx.ext.tables.get(&handle).is_some_and(|t| !t.is_empty()) {
        return Ok(NativeResult::Abort(NOT_EMPTY));
    }
    ctx.ext.tables.remove(&handle);
    ret(vec![])
}

fn drop_unchecked_box(
    ctx: &mut NativeContext,
    _: &[Type],
    a: Vec<Value>,
) -> VmResult<NativeResult> {
    let [table] = args(a)?;
    let handle = handle_of(&table)?;
    ctx.ext.tables.remove(&handle);
    ret(vec![])
}

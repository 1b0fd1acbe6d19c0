//! VendorStdlib / framework natives other than hashes, tables and formatting: type_info,
//! from_bcs, signer creation, events, transaction context and debug printing.

use sha3::Digest as _;

use super::{
    args, bytes_arg, ret, string_value, ty_arg, Event, NativeContext, NativeFunction, NativeResult,
};
use crate::status::VmResult;
use crate::types::Type;
use crate::values::Value;

/// `type_info::type_of` on a non-struct type.
pub const NFE_EXPECTED_STRUCT_TYPE_TAG: u64 = 1;
/// `from_bcs::from_bytes` on bytes that do not decode (`invalid_argument(1)`).
pub const EFROM_BCS: u64 = 0x10001;

pub(super) fn lookup(module: &str, name: &str) -> Option<NativeFunction> {
    Some(match (module, name) {
        ("type_info", "type_of") => type_of,
        ("type_info", "type_name") => type_name,
        ("type_info", "chain_id_internal") => chain_id,
        ("from_bcs", "from_bytes") | ("util", "from_bytes") => from_bytes,
        ("create_signer", "create_signer")
        | ("account", "create_signer")
        | ("genesis", "create_signer") => create_signer,
        ("account", "create_address") => create_address,
        ("event", "write_to_event_store") => write_to_event_store,
        ("transaction_context", "get_txn_hash") => get_txn_hash,
        ("transaction_context", "get_script_hash") => get_script_hash,
        ("transaction_context", "generate_unique_address") => generate_unique_address,
        ("debug", "native_print") | ("debug", "print") => print,
        ("debug", "native_stack_trace") => stack_trace,
        ("debug", "print_stack_trace") => print_stack_trace,
        _ => return None,
    })
}

fn type_of(ctx: &mut NativeContext, tys: &[Type], _: Vec<Value>) -> VmResult<NativeResult> {
    let Type::Struct(id, targs) = ty_arg(tys, 0)? else {
        return Ok(NativeResult::Abort(NFE_EXPECTED_STRUCT_TYPE_TAG));
    };
    let def = ctx.loader.struct_def(*id)?;
    let name = ctx.loader.struct_name_with_args(&def.name, targs)?;
    ret(vec![Value::struct_of(vec![
        Value::Address(def.module.address),
        Value::bytes(def.module.name.as_bytes()),
        Value::bytes(name.as_bytes()),
    ])])
}

fn type_name(ctx: &mut NativeContext, tys: &[Type], _: Vec<Value>) -> VmResult<NativeResult> {
    let tag = ctx.loader.type_tag(ty_arg(tys, 0)?)?;
    ret(vec![string_value(&tag)])
}

fn chain_id(ctx: &mut NativeContext, _: &[Type], _: Vec<Value>) -> VmResult<NativeResult> {
    ret(vec![Value::U8(ctx.ext.chain_id)])
}

fn from_bytes(ctx: &mut NativeContext, tys: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [bytes] = args(a)?;
    let bytes = bytes_arg(&bytes)?;
    let Ok(layout) = ctx.loader.layout(ty_arg(tys, 0)?) else {
        return Ok(NativeResult::Abort(EFROM_BCS));
    };
    match crate::bcs::deserialize(&bytes, &layout) {
        Ok(v) => ret(vec![v]),
        Err(_) => Ok(NativeResult::Abort(EFROM_BCS)),
    }
}

fn create_signer(_: &mut NativeContext, _: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [addr] = args(a)?;
    ret(vec![Value::signer(addr.as_address()?)])
}

fn create_address(_: &mut NativeContext, _: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [bytes] = args(a)?;
    let bytes = bytes_arg(&bytes)?;
    match <[u8; 32]>::try_from(bytes.as_slice()) {
        Ok(addr) => ret(vec![Value::Address(addr)]),
        Err(_) => Ok(NativeResult::Abort(2)),
    }
}

fn write_to_event_store(
    ctx: &mut NativeContext,
    tys: &[Type],
    a: Vec<Value>,
) -> VmResult<NativeResult> {
    let [guid, seq, msg] = args(a)?;
    let ty = ty_arg(tys, 0)?;
    let Ok(layout) = ctx.loader.layout(ty) else {
        return Ok(NativeResult::Abort(0));
    };
    let Ok(data) = crate::bcs::serialize(&msg, &layout) else {
        return Ok(NativeResult::Abort(0));
    };
    ctx.ext.events.push(Event {
        guid: bytes_arg(&guid)?,
        sequence_number: seq.as_u64()?,
        type_tag: ctx.loader.type_tag(ty)?,
        data,
    });
    ret(vec![])
}

fn get_txn_hash(ctx: &mut NativeContext, _: &[Type], _: Vec<Value>) -> VmResult<NativeResult> {
    ret(vec![Value::bytes(&ctx.ext.txn_hash)])
}

fn get_script_hash(ctx: &mut NativeContext, _: &[Type], _: Vec<Value>) -> VmResult<NativeResult> {
    ret(vec![Value::bytes(&ctx.ext.script_hash)])
}

fn generate_unique_address(
    ctx: &mut NativeContext,
    _: &[Type],
    _: Vec<Value>,
) -> VmResult<NativeResult> {
    ctx.ext.unique_addresses += 1;
    let mut hasher = sha3::Sha3_256::new();
    hasher.update(&ctx.ext.txn_hash);
    hasher.update(ctx.ext.unique_addresses.to_le_bytes());
    hasher.update([0xFB]);
    let mut out = [0u8; 32];
    out.copy_from_slice(&hasher.finalize());
    ret(vec![Value::Address(out)])
}

fn print(_: &mut NativeContext, _: &[Type], _: Vec<Value>) -> VmResult<NativeResult> {
    ret(vec![])
}

fn print_stack_trace(_: &mut NativeContext, _: &[Type], _: Vec<Value>) -> VmResult<NativeResult> {
    ret(vec![])
}

fn stack_trace(_: &mut NativeContext, _: &[Type], _: Vec<Value>) -> VmResult<NativeResult> {
    ret(vec![string_value("")])
}

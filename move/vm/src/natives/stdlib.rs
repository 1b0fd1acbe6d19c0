//! MoveStdlib natives: signer, hash, bcs, string and the test-only unit_test.

use sha2::Digest as _;

use super::{args, bytes_arg, ret, ty_arg, NativeContext, NativeFunction, NativeResult};
use crate::status::VmResult;
use crate::types::Type;
use crate::values::{Reference, Value};

/// `bcs::to_bytes` abort code when no layout exists (`NFE_BCS_SERIALIZATION_FAILURE`).
pub const NFE_BCS_SERIALIZATION_FAILURE: u64 = 0x1C5;

pub(super) fn lookup(module: &str, name: &str) -> Option<NativeFunction> {
    Some(match (module, name) {
        ("signer", "borrow_address") => borrow_address,
        ("hash", "sha2_256") => sha2_256,
        ("hash", "sha3_256") => sha3_256,
        ("bcs", "to_bytes") => to_bytes,
        ("string", "internal_check_utf8") => check_utf8,
        ("string", "internal_is_char_boundary") => is_char_boundary,
        ("string", "internal_sub_string") => sub_string,
        ("string", "internal_index_of") => index_of,
        ("unit_test", "create_signers_for_testing") => create_signers_for_testing,
        _ => return None,
    })
}

fn borrow_address(_: &mut NativeContext, _: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [s] = args(a)?;
    let signer = s.into_ref()?.inner_container()?;
    ret(vec![Value::Ref(Reference::new(signer, 0))])
}

fn sha2_256(_: &mut NativeContext, _: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [v] = args(a)?;
    ret(vec![Value::bytes(&sha2::Sha256::digest(bytes_arg(&v)?))])
}

fn sha3_256(_: &mut NativeContext, _: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [v] = args(a)?;
    ret(vec![Value::bytes(&sha3::Sha3_256::digest(bytes_arg(&v)?))])
}

fn to_bytes(ctx: &mut NativeContext, tys: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [v] = args(a)?;
    let Ok(layout) = ctx.loader.layout(ty_arg(tys, 0)?) else {
        return Ok(NativeResult::Abort(NFE_BCS_SERIALIZATION_FAILURE));
    };
    match crate::bcs::serialize(&v, &layout) {
        Ok(bytes) => ret(vec![Value::bytes(&bytes)]),
        Err(_) => Ok(NativeResult::Abort(NFE_BCS_SERIALIZATION_FAILURE)),
    }
}

fn check_utf8(_: &mut NativeContext, _: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [v] = args(a)?;
    ret(vec![Value::Bool(
        std::str::from_utf8(&bytes_arg(&v)?).is_ok(),
    )])
}

fn is_char_boundary(_: &mut NativeContext, _: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [v, i] = args(a)?;
    let bytes = bytes_arg(&v)?;
    let i = i.as_u64()?;
    let ok = if i == 0 || i == bytes.len() as u64 {
        true
    } else {
        match bytes.get(i as usize) {
            None => false,
            // Not a UTF-8 continuation byte (10xxxxxx).
            Some(b) => (*b as i8) >= -0x40,
        }
    };
    ret(vec![Value::Bool(ok)])
}

fn sub_string(_: &mut NativeContext, _: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [v, i, j] = args(a)?;
    let bytes = bytes_arg(&v)?;
    let (i, j) = (i.as_u64()?, j.as_u64()?);
    if j < i || j > bytes.len() as u64 {
        return Ok(NativeResult::Abort(1));
    }
    ret(vec![Value::bytes(&bytes[i as usize..j as usize])])
}

fn index_of(_: &mut NativeContext, _: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [s, r] = args(a)?;
    let hay = bytes_arg(&s)?;
    let needle = bytes_arg(&r)?;
    let pos = if needle.is_empty() {
        0
    } else {
        hay.windows(needle.len())
            .position(|w| w == needle.as_slice())
            .unwrap_or(hay.len())
    };
    ret(vec![Value::U64(pos as u64)])
}

fn create_signers_for_testing(
    _: &mut NativeContext,
    _: &[Type],
    a: Vec<Value>,
) -> VmResult<NativeResult> {
    let [n] = args(a)?;
    let n = n.as_u64()?;
    if n > 1 << 20 {
        return Ok(NativeResult::Abort(1));
    }
    let signers = (0..n)
        .map(|i| {
            let mut address = [0u8; 32];
            address[..8].copy_from_slice(&i.to_le_bytes());
            Value::signer(address)
        })
        .collect();
    ret(vec![Value::vector_of(signers)])
}

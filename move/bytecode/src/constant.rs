//! Decoding and encoding of constant pool values: a [`Constant`]'s `data` is the BCS encoding of
//! a value of its `type_` (`bytecode-format.md` §7).

use std::fmt;

use crate::file_format::{Constant, SignatureToken};
use crate::serializer::write_uleb128;
use crate::types::{AccountAddress, U256};

/// A decoded constant value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConstantValue {
    Bool(bool),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    U128(u128),
    U256(U256),
    Address(AccountAddress),
    /// A vector of any constant type, `vector<u8>` included.
    Vector(Vec<ConstantValue>),
}

/// Why a constant's data does not decode as its type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConstantDecodeError {
    /// The type cannot be a constant (signer, struct, reference, type parameter).
    #[error("type {0} cannot be a constant")]
    InvalidType(String),
    /// The data ended early.
    #[error("constant data ends at byte {0}: expected {1}")]
    UnexpectedEnd(usize, &'static str),
    /// A bool byte other than 0 or 1.
    #[error("invalid bool byte 0x{1:02x} at byte {0}")]
    BadBool(usize, u8),
    /// A vector length that is not valid ULEB128 or does not fit.
    #[error("invalid vector length at byte {0}")]
    BadLength(usize),
    /// Bytes left after the value.
    #[error("{0} trailing byte(s) after the value")]
    TrailingBytes(usize),
}

impl Constant {
    /// Decodes the value.
    pub fn decode(&self) -> Result<ConstantValue, ConstantDecodeError> {
        ConstantValue::decode(&self.type_, &self.data)
    }

    /// Builds a constant from a value of the given type.
    pub fn from_value(type_: SignatureToken, value: &ConstantValue) -> Constant {
        Constant {
            type_,
            data: value.encode(),
        }
    }
}

impl ConstantValue {
    /// Decodes BCS `data` as a value of `type_`, requiring all bytes to be used.
    pub fn decode(
        type_: &SignatureToken,
        data: &[u8],
    ) -> Result<ConstantValue, ConstantDecodeError> {
        let mut pos = 0;
        let value = decode_at(type_, data, &mut pos)?;
        if pos != data.len() {
            return Err(ConstantDecodeError::TrailingBytes(data.len() - pos));
        }
        Ok(value)
    }

    /// The BCS encoding of the value.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            ConstantValue::Bool(b) => out.push(*b as u8),
            ConstantValue::U8(v) => out.push(*v),
            ConstantValue::U16(v) => out.extend_from_slice(&v.to_le_bytes()),
            ConstantValue::U32(v) => out.extend_from_slice(&v.to_le_bytes()),
            ConstantValue::U64(v) => out.extend_from_slice(&v.to_le_bytes()),
            ConstantValue::U128(v) => out.extend_from_slice(&v.to_le_bytes()),
            ConstantValue::U256(v) => out.extend_from_slice(&v.to_le_bytes()),
            ConstantValue::Address(a) => out.extend_from_slice(a.as_bytes()),
            ConstantValue::Vector(items) => {
                write_uleb128(out, items.len() as u64);
                for item in items {
                    item.encode_into(out);
                }
            }
        }
    }

    /// The bytes of a `vector<u8>` value.
    pub fn as_bytes(&self) -> Option<Vec<u8>> {
        match self {
            ConstantValue::Vector(items) => items
                .iter()
                .map(|i| match i {
                    ConstantValue::U8(b) => Some(*b),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    }

    /// A `vector<u8>` value from bytes.
    pub fn bytes(bytes: &[u8]) -> ConstantValue {
        ConstantValue::Vector(bytes.iter().map(|b| ConstantValue::U8(*b)).collect())
    }
}

fn take<'a>(
    data: &'a [u8],
    pos: &mut usize,
    n: usize,
    what: &'static str,
) -> Result<&'a [u8], ConstantDecodeError> {
    if data.len() - *pos < n {
        return Err(ConstantDecodeError::UnexpectedEnd(*pos, what));
    }
    let slice = &data[*pos..*pos + n];
    *pos += n;
    Ok(slice)
}

fn fixed<const N: usize>(
    data: &[u8],
    pos: &mut usize,
    what: &'static str,
) -> Result<[u8; N], ConstantDecodeError> {
    let mut out = [0u8; N];
    out.copy_from_slice(take(data, pos, N, what)?);
    Ok(out)
}

fn decode_at(
    type_: &SignatureToken,
    data: &[u8],
    pos: &mut usize,
) -> Result<ConstantValue, ConstantDecodeError> {
    Ok(match type_ {
        SignatureToken::Bool => {
            let at = *pos;
            match take(data, pos, 1, "bool")?[0] {
                0 => ConstantValue::Bool(false),
                1 => ConstantValue::Bool(true),
                other => return Err(ConstantDecodeError::BadBool(at, other)),
            }
        }
        SignatureToken::U8 => ConstantValue::U8(take(data, pos, 1, "u8")?[0]),
        SignatureToken::U16 => ConstantValue::U16(u16::from_le_bytes(fixed(data, pos, "u16")?)),
        SignatureToken::U32 => ConstantValue::U32(u32::from_le_bytes(fixed(data, pos, "u32")?)),
        SignatureToken::U64 => ConstantValue::U64(u64::from_le_bytes(fixed(data, pos, "u64")?)),
        SignatureToken::U128 => ConstantValue::U128(u128::from_le_bytes(fixed(data, pos, "u128")?)),
        SignatureToken::U256 => ConstantValue::U256(U256::from_le_bytes(fixed(data, pos, "u256")?)),
        SignatureToken::Address => {
            ConstantValue::Address(AccountAddress(fixed(data, pos, "address")?))
        }
        SignatureToken::Vector(inner) if inner.is_valid_for_constant() => {
            let at = *pos;
            let len = read_uleb(data, pos).ok_or(ConstantDecodeError::BadLength(at))?;
            // Every element takes at least one byte: a longer length cannot be right.
            if len > (data.len() - *pos) as u64 {
                return Err(ConstantDecodeError::UnexpectedEnd(*pos, "vector elements"));
            }
            let mut items = Vec::new();
            for _ in 0..len {
                items.push(decode_at(inner, data, pos)?);
            }
            ConstantValue::Vector(items)
        }
        other => return Err(ConstantDecodeError::InvalidType(format!("{other:?}"))),
    })
}

/// A BCS ULEB128 length (at most u32::MAX, minimal encoding).
fn read_uleb(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value: u64 = 0;
    let mut shift = 0;
    loop {
        let byte = *data.get(*pos)?;
        *pos += 1;
        value |= ((byte & 0x7f) as u64) << shift;
        if byte & 0x80 == 0 {
            if shift > 0 && byte == 0 {
                return None;
            }
            return (value <= u32::MAX as u64).then_some(value);
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
    }
}

/// Whether every byte is printable ASCII (space to `~`), tab or newline.
pub fn is_printable(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| (0x20..0x7f).contains(b) || *b == b'\n' || *b == b'\t')
}

/// `b"…"` with Move escapes for a printable byte string.
pub fn byte_string_literal(bytes: &[u8]) -> String {
    let mut out = String::from("b\"");
    for b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            _ => out.push(*b as char),
        }
    }
    out.push('"');
    out
}

impl fmt::Display for ConstantValue {
    /// Move-like literals: `true`, `7`, `@0x1`, `x"0a0b"` (a `vector<u8>`), `[1, 2]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConstantValue::Bool(b) => write!(f, "{b}"),
            ConstantValue::U8(v) => write!(f, "{v}"),
            ConstantValue::U16(v) => write!(f, "{v}"),
            ConstantValue::U32(v) => write!(f, "{v}"),
            ConstantValue::U64(v) => write!(f, "{v}"),
            ConstantValue::U128(v) => write!(f, "{v}"),
            ConstantValue::U256(v) => write!(f, "{v}"),
            ConstantValue::Address(a) => write!(f, "@{a}"),
            ConstantValue::Vector(items) => {
                if let (Some(bytes), false) = (self.as_bytes(), items.is_empty()) {
                    return write!(f, "x\"{}\"", hex::encode(bytes));
                }
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_spec_examples() {
        // §7: an address constant and a 20-byte vector<u8>.
        let mut data = vec![0u8; 31];
        data.push(1);
        let c = Constant {
            type_: SignatureToken::Address,
            data,
        };
        assert_eq!(
            c.decode().unwrap(),
            ConstantValue::Address(AccountAddress::ONE)
        );
        let mut data = vec![0x14];
        data.extend(1..=20u8);
        let c = Constant {
            type_: SignatureToken::Vector(Box::new(SignatureToken::U8)),
            data: data.clone(),
        };
        let value = c.decode().unwrap();
        assert_eq!(value.as_bytes().unwrap(), (1..=20u8).collect::<Vec<_>>());
        assert_eq!(value.encode(), data);
    }

    #[test]
    fn rejects_bad_data() {
        let u64_vec = SignatureToken::Vector(Box::new(SignatureToken::U64));
        assert!(matches!(
            ConstantValue::decode(&u64_vec, &[0x02, 1, 0, 0, 0, 0, 0, 0, 0]),
            Err(ConstantDecodeError::UnexpectedEnd(..))
        ));
        assert!(matches!(
            ConstantValue::decode(&SignatureToken::Bool, &[2]),
            Err(ConstantDecodeError::BadBool(0, 2))
        ));
        assert!(matches!(
            ConstantValue::decode(&SignatureToken::U8, &[1, 2]),
            Err(ConstantDecodeError::TrailingBytes(1))
        ));
        assert!(matches!(
            ConstantValue::decode(&SignatureToken::Signer, &[]),
            Err(ConstantDecodeError::InvalidType(_))
        ));
        // A huge length must fail without allocating.
        assert!(ConstantValue::decode(&u64_vec, &[0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
    }
}

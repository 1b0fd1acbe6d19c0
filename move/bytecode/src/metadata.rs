//! The Diem runtime metadata carried in a module's METADATA table under `diem::metadata_v1`
//! (or the older `diem::metadata_v0`, an error map only): `bytecode-format.md` §8.
//!
//! Maps are kept as vectors in their wire order; [`RuntimeModuleMetadata::encode`] writes them
//! in BCS map order (by the bytes of each serialized key), as upstream does.

use crate::file_format::Metadata;
use crate::serializer::write_uleb128;

/// Key of the current metadata format.
pub const METADATA_KEY_V1: &[u8] = b"diem::metadata_v1";
/// Key of the older format (error map only).
pub const METADATA_KEY_V0: &[u8] = b"diem::metadata_v0";

/// One error code's name and description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorDescription {
    /// The constant's name, e.g. `ENOT_AUTHORIZED`.
    pub code_name: String,
    /// Its doc comment, trimmed, or empty.
    pub code_description: String,
}

/// A known attribute on a struct or function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownAttribute {
    /// 0 legacy view function, 1 `#[view]`, 2 resource group, 3 resource group member.
    pub kind: u8,
    /// Its arguments.
    pub args: Vec<String>,
}

impl KnownAttribute {
    /// A readable name for the kind.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            0 => "legacy_view_function",
            1 => "view_function",
            2 => "resource_group",
            3 => "resource_group_member",
            _ => "unknown",
        }
    }
}

/// `RuntimeModuleMetadataV1`: error map plus struct and function attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuntimeModuleMetadata {
    /// Abort code to name and description.
    pub error_map: Vec<(u64, ErrorDescription)>,
    /// Struct name to attributes.
    pub struct_attributes: Vec<(String, Vec<KnownAttribute>)>,
    /// Function name to attributes.
    pub fun_attributes: Vec<(String, Vec<KnownAttribute>)>,
}

/// Why a metadata value does not decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MetadataDecodeError {
    /// A key this crate does not know.
    #[error("unknown metadata key {0:?}")]
    UnknownKey(String),
    /// The value ended early.
    #[error("metadata value ends at byte {0}: expected {1}")]
    UnexpectedEnd(usize, &'static str),
    /// A string that is not UTF-8.
    #[error("invalid UTF-8 string at byte {0}")]
    BadString(usize),
    /// A length that is not valid ULEB128.
    #[error("invalid length at byte {0}")]
    BadLength(usize),
    /// Bytes left after the value.
    #[error("{0} trailing byte(s) after the metadata value")]
    TrailingBytes(usize),
}

impl Metadata {
    /// Decodes a `diem::metadata_v1` or `diem::metadata_v0` entry.
    pub fn decode_runtime(&self) -> Result<RuntimeModuleMetadata, MetadataDecodeError> {
        RuntimeModuleMetadata::decode(&self.key, &self.value)
    }
}

impl RuntimeModuleMetadata {
    /// Decodes the value of an entry with key `key`.
    pub fn decode(key: &[u8], value: &[u8]) -> Result<Self, MetadataDecodeError> {
        let mut r = Bcs {
            data: value,
            pos: 0,
        };
        let metadata = if key == METADATA_KEY_V1 {
            RuntimeModuleMetadata {
                error_map: r.error_map()?,
                struct_attributes: r.attribute_map()?,
                fun_attributes: r.attribute_map()?,
            }
        } else if key == METADATA_KEY_V0 {
            RuntimeModuleMetadata {
                error_map: r.error_map()?,
                ..Default::default()
            }
        } else {
            return Err(MetadataDecodeError::UnknownKey(
                String::from_utf8_lossy(key).into_owned(),
            ));
        };
        if r.pos != value.len() {
            return Err(MetadataDecodeError::TrailingBytes(value.len() - r.pos));
        }
        Ok(metadata)
    }

    /// The BCS encoding (v1 layout), maps in BCS order and without duplicate keys.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut errors: Vec<(Vec<u8>, &ErrorDescription)> = self
            .error_map
            .iter()
            .map(|(code, desc)| (code.to_le_bytes().to_vec(), desc))
            .collect();
        errors.sort_by(|a, b| a.0.cmp(&b.0));
        errors.dedup_by(|a, b| a.0 == b.0);
        write_uleb128(&mut out, errors.len() as u64);
        for (key, desc) in errors {
            out.extend_from_slice(&key);
            bcs_string(&mut out, &desc.code_name);
            bcs_string(&mut out, &desc.code_description);
        }
        for map in [&self.struct_attributes, &self.fun_attributes] {
            let mut entries: Vec<(Vec<u8>, &Vec<KnownAttribute>)> = map
                .iter()
                .map(|(name, attrs)| {
                    let mut key = Vec::new();
                    bcs_string(&mut key, name);
                    (key, attrs)
                })
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries.dedup_by(|a, b| a.0 == b.0);
            write_uleb128(&mut out, entries.len() as u64);
            for (key, attrs) in entries {
                out.extend_from_slice(&key);
                write_uleb128(&mut out, attrs.len() as u64);
                for attr in attrs {
                    out.push(attr.kind);
                    write_uleb128(&mut out, attr.args.len() as u64);
                    for arg in &attr.args {
                        bcs_string(&mut out, arg);
                    }
                }
            }
        }
        out
    }
}

fn bcs_string(out: &mut Vec<u8>, s: &str) {
    write_uleb128(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

struct Bcs<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bcs<'_> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&[u8], MetadataDecodeError> {
        if self.data.len() - self.pos < n {
            return Err(MetadataDecodeError::UnexpectedEnd(self.pos, what));
        }
        let slice = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    fn len(&mut self) -> Result<usize, MetadataDecodeError> {
        let start = self.pos;
        let mut value: u64 = 0;
        let mut shift = 0;
        loop {
            let byte = *self
                .data
                .get(self.pos)
                .ok_or(MetadataDecodeError::UnexpectedEnd(self.pos, "length"))?;
            self.pos += 1;
            value |= ((byte & 0x7f) as u64) << shift;
            if byte & 0x80 == 0 {
                if shift > 0 && byte == 0 {
                    return Err(MetadataDecodeError::BadLength(start));
                }
                break;
            }
            shift += 7;
            if shift > 28 {
                return Err(MetadataDecodeError::BadLength(start));
            }
        }
        // Every element takes at least one byte.
        if value > (self.data.len() - self.pos) as u64 {
            return Err(MetadataDecodeError::UnexpectedEnd(self.pos, "elements"));
        }
        Ok(value as usize)
    }

    fn string(&mut self) -> Result<String, MetadataDecodeError> {
        let n = self.len()?;
        let start = self.pos;
        let bytes = self.take(n, "string bytes")?;
        String::from_utf8(bytes.to_vec()).map_err(|_| MetadataDecodeError::BadString(start))
    }

    fn error_map(&mut self) -> Result<Vec<(u64, ErrorDescription)>, MetadataDecodeError> {
        let n = self.len()?;
        let mut out = Vec::new();
        for _ in 0..n {
            let mut key = [0u8; 8];
            key.copy_from_slice(self.take(8, "u64 error code")?);
            out.push((
                u64::from_le_bytes(key),
                ErrorDescription {
                    code_name: self.string()?,
                    code_description: self.string()?,
                },
            ));
        }
        Ok(out)
    }

    fn attribute_map(&mut self) -> Result<Vec<(String, Vec<KnownAttribute>)>, MetadataDecodeError> {
        let n = self.len()?;
        let mut out = Vec::new();
        for _ in 0..n {
            let name = self.string()?;
            let count = self.len()?;
            let mut attrs = Vec::new();
            for _ in 0..count {
                let kind = self.take(1, "attribute kind")?[0];
                let argc = self.len()?;
                let mut args = Vec::new();
                for _ in 0..argc {
                    args.push(self.string()?);
                }
                attrs.push(KnownAttribute { kind, args });
            }
            out.push((name, attrs));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 204-byte value of `0x1::version` from `bytecode-format.md` §8.
    fn version_metadata() -> Vec<u8> {
        let mut v = vec![0x02];
        v.extend(1u64.to_le_bytes());
        bcs_string(&mut v, "EINVALID_MAJOR_VERSION_NUMBER");
        bcs_string(
            &mut v,
            "Specified major version number must be greater than current version number.",
        );
        v.extend(2u64.to_le_bytes());
        bcs_string(&mut v, "ENOT_AUTHORIZED");
        bcs_string(&mut v, "Account is not authorized to make this change.");
        v.push(0x00);
        v.push(0x01);
        bcs_string(&mut v, "get_git_hash");
        v.extend([0x01, 0x01, 0x00]);
        v
    }

    #[test]
    fn decodes_and_reencodes_the_spec_example() {
        let value = version_metadata();
        assert_eq!(value.len(), 204);
        let m = RuntimeModuleMetadata::decode(METADATA_KEY_V1, &value).unwrap();
        assert_eq!(m.error_map.len(), 2);
        assert_eq!(m.error_map[1].1.code_name, "ENOT_AUTHORIZED");
        assert_eq!(m.fun_attributes[0].0, "get_git_hash");
        assert_eq!(m.fun_attributes[0].1[0].kind_name(), "view_function");
        assert_eq!(m.encode(), value);
    }

    #[test]
    fn encodes_maps_in_bcs_key_order() {
        let desc = |n: &str| ErrorDescription {
            code_name: n.into(),
            code_description: String::new(),
        };
        // §8: u64 keys compare by their little-endian bytes.
        let m = RuntimeModuleMetadata {
            error_map: vec![
                (0x20002, desc("B")),
                (0x10001, desc("A")),
                (0x10004, desc("D")),
            ],
            fun_attributes: vec![
                ("get_sequence_number".into(), vec![]),
                ("exists_at".into(), vec![]),
            ],
            ..Default::default()
        };
        let back = RuntimeModuleMetadata::decode(METADATA_KEY_V1, &m.encode()).unwrap();
        let codes: Vec<u64> = back.error_map.iter().map(|e| e.0).collect();
        assert_eq!(codes, vec![0x10001, 0x20002, 0x10004]);
        assert_eq!(back.fun_attributes[0].0, "exists_at");
    }

    #[test]
    fn truncated_values_are_errors() {
        let value = version_metadata();
        for cut in 0..value.len() {
            assert!(RuntimeModuleMetadata::decode(METADATA_KEY_V1, &value[..cut]).is_err());
        }
    }
}

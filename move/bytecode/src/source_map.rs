//! The Move compiler's source map of one module: where in the `.move` sources each module, struct,
//! field, function, parameter, local and instruction came from. Release bundles built in dev mode
//! store it, BCS-encoded and then gzipped, in each module's `source_map` metadata field. This
//! module holds the model and an exact BCS codec for it: [`SourceMap::from_bcs`] checks every byte
//! (canonical ULEB128, lengths, UTF-8, tags, map key order, no trailing bytes) and never panics,
//! and [`SourceMap::to_bcs`] writes the bytes the compiler writes, so a decoded map re-encodes to
//! the identical blob.
//!
//! Wire layout (all integers little-endian, lengths and counts ULEB128):
//!
//! * `SourceMap` = definition location ‖ optional (32-byte address ‖ module name) ‖ struct map
//!   ‖ function map ‖ constant map.
//! * [`SourceLoc`] = 32-byte SHA-256 of the file ‖ start `u32` ‖ end `u32` (exclusive).
//! * A map is a count followed by its entries, ordered by the bytes of the *serialized* key: `u16`
//!   keys therefore order by their little-endian bytes (256 before 1) and string keys by length
//!   first. The model uses ordinary [`BTreeMap`]s; only the wire order differs.

use std::collections::BTreeMap;

use crate::types::AccountAddress;

/// A span of a source file: the SHA-256 of the file's bytes and a byte range `start..end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceLoc {
    /// SHA-256 of the file the span is in (not always the module's own file: inlined code keeps
    /// the callee's file).
    pub file_hash: [u8; 32],
    /// First byte of the span.
    pub start: u32,
    /// One past the last byte of the span.
    pub end: u32,
}

impl SourceLoc {
    /// Size of a location on the wire.
    pub const ENCODED_LEN: usize = 40;

    /// A location in the file with hash `file_hash`.
    pub const fn new(file_hash: [u8; 32], start: u32, end: u32) -> Self {
        SourceLoc {
            file_hash,
            start,
            end,
        }
    }
}

/// A declared name (type parameter, parameter or local) and the location of its identifier.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SourceName {
    pub name: String,
    pub loc: SourceLoc,
}

/// Locations of one struct definition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StructSourceMap {
    /// The struct's name identifier.
    pub definition_location: SourceLoc,
    /// The type parameters in declaration order.
    pub type_parameters: Vec<SourceName>,
    /// One location per field, in field order.
    pub fields: Vec<SourceLoc>,
}

/// Locations of one function definition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionSourceMap {
    /// The function's name identifier.
    pub definition_location: SourceLoc,
    /// The type parameters in declaration order.
    pub type_parameters: Vec<SourceName>,
    /// The parameters, which are the first bytecode locals.
    pub parameters: Vec<SourceName>,
    /// The other locals: entry `j` is bytecode local `parameters.len() + j`.
    pub locals: Vec<SourceName>,
    /// Labels of the `Nop`s emitted for inline `spec` blocks, with their code offsets.
    pub nops: BTreeMap<String, u16>,
    /// Code offset to location; an entry holds for every offset up to the next key.
    pub code_map: BTreeMap<u16, SourceLoc>,
    /// Whether the function is native (then `locals`, `nops` and `code_map` are empty).
    pub is_native: bool,
}

impl FunctionSourceMap {
    /// Records that the instruction at `offset` comes from `loc`, the way the compiler fills
    /// `code_map`: an entry is added only when `loc` differs from the location already in effect
    /// at `offset` (see [`FunctionSourceMap::location_at`]).
    pub fn add_code_location(&mut self, offset: u16, loc: SourceLoc) {
        if self.location_at(offset) != Some(&loc) {
            self.code_map.insert(offset, loc);
        }
    }

    /// The location of the instruction at `offset`: the entry with the greatest key not above
    /// `offset`, if any.
    pub fn location_at(&self, offset: u16) -> Option<&SourceLoc> {
        self.code_map
            .range(..=offset)
            .next_back()
            .map(|(_, loc)| loc)
    }
}

/// The source map of one compiled module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// The module's name identifier.
    pub definition_location: SourceLoc,
    /// The module's address and name (`None` for a script).
    pub module_name: Option<(AccountAddress, String)>,
    /// Keyed by struct definition index.
    pub struct_map: BTreeMap<u16, StructSourceMap>,
    /// Keyed by function definition index.
    pub function_map: BTreeMap<u16, FunctionSourceMap>,
    /// Named constants and their constant pool index (several names may share one index).
    pub constant_map: BTreeMap<String, u16>,
}

/// Why bytes are not a canonical BCS source map.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("source map: offset {offset}: {kind}")]
pub struct SourceMapError {
    /// Byte offset in the input of the item that failed.
    pub offset: usize,
    /// What was expected there.
    pub kind: SourceMapErrorKind,
}

/// The kind of a [`SourceMapError`]; `what` names the item being read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SourceMapErrorKind {
    #[error(
        "expected {what} ({needed} bytes), found the end of the input after {available} bytes"
    )]
    UnexpectedEnd {
        what: &'static str,
        needed: usize,
        available: usize,
    },
    #[error("expected a minimal ULEB128 for {what}, found a redundant final zero byte")]
    NonMinimalUleb { what: &'static str },
    #[error("expected a ULEB128 for {what} that fits in 32 bits, found an overlong encoding")]
    OverlongUleb { what: &'static str },
    #[error(
        "expected {what} that fits in the {remaining} remaining bytes, found {count} \
         (at least {min_bytes} bytes each)"
    )]
    LengthBeyondInput {
        what: &'static str,
        count: u64,
        min_bytes: usize,
        remaining: usize,
    },
    #[error("expected UTF-8 in {what}, found an invalid byte sequence")]
    InvalidUtf8 { what: &'static str },
    #[error("expected {what} tag 0 or 1, found {found}")]
    BadTag { what: &'static str, found: u8 },
    #[error("expected {what} keys in strictly increasing serialized order, found a duplicate key")]
    DuplicateKey { what: &'static str },
    #[error(
        "expected {what} keys in strictly increasing serialized order, found a key that sorts \
         before the previous one"
    )]
    UnorderedKey { what: &'static str },
    #[error("expected the end of the input, found {count} trailing bytes")]
    TrailingBytes { count: usize },
}

// Smallest encodings, used to bound counts before anything is allocated.
const MIN_STRING: usize = 1;
const MIN_SOURCE_NAME: usize = MIN_STRING + SourceLoc::ENCODED_LEN;
const MIN_STRUCT: usize = SourceLoc::ENCODED_LEN + 1 + 1;
const MIN_FUNCTION: usize = SourceLoc::ENCODED_LEN + 5 + 1;

impl SourceMap {
    /// Decodes the BCS of a source map (the gunzipped `source_map` metadata field). The whole
    /// input must be one canonical encoding.
    pub fn from_bcs(bytes: &[u8]) -> Result<SourceMap, SourceMapError> {
        let mut reader = Reader { bytes, pos: 0 };
        let map = reader.source_map()?;
        if reader.pos != bytes.len() {
            return Err(reader.error_at(
                reader.pos,
                SourceMapErrorKind::TrailingBytes {
                    count: bytes.len() - reader.pos,
                },
            ));
        }
        Ok(map)
    }

    /// Encodes the source map exactly as the compiler's BCS does.
    pub fn to_bcs(&self) -> Vec<u8> {
        let mut out = Vec::new();
        write_loc(&mut out, &self.definition_location);
        match &self.module_name {
            None => out.push(0),
            Some((address, name)) => {
                out.push(1);
                out.extend_from_slice(&address.0);
                write_str(&mut out, name);
            }
        }
        write_map(
            &mut out,
            self.struct_map
                .iter()
                .map(|(k, v)| (k.to_le_bytes().to_vec(), v)),
            write_struct,
        );
        write_map(
            &mut out,
            self.function_map
                .iter()
                .map(|(k, v)| (k.to_le_bytes().to_vec(), v)),
            write_function,
        );
        write_map(
            &mut out,
            self.constant_map.iter().map(|(k, v)| (str_bytes(k), v)),
            |out, v| out.extend_from_slice(&v.to_le_bytes()),
        );
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

fn write_uleb(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn write_len(out: &mut Vec<u8>, len: usize) {
    write_uleb(out, len as u64);
}

fn str_bytes(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 1);
    write_str(&mut out, s);
    out
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    write_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn write_loc(out: &mut Vec<u8>, loc: &SourceLoc) {
    out.extend_from_slice(&loc.file_hash);
    out.extend_from_slice(&loc.start.to_le_bytes());
    out.extend_from_slice(&loc.end.to_le_bytes());
}

fn write_names(out: &mut Vec<u8>, names: &[SourceName]) {
    write_len(out, names.len());
    for name in names {
        write_str(out, &name.name);
        write_loc(out, &name.loc);
    }
}

/// Writes a map with its entries in the order of their serialized keys.
fn write_map<'a, V: 'a>(
    out: &mut Vec<u8>,
    entries: impl Iterator<Item = (Vec<u8>, &'a V)>,
    write_value: impl Fn(&mut Vec<u8>, &V),
) {
    let mut entries: Vec<(Vec<u8>, &V)> = entries.collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    write_len(out, entries.len());
    for (key, value) in entries {
        out.extend_from_slice(&key);
        write_value(out, value);
    }
}

fn write_struct(out: &mut Vec<u8>, s: &StructSourceMap) {
    write_loc(out, &s.definition_location);
    write_names(out, &s.type_parameters);
    write_len(out, s.fields.len());
    for field in &s.fields {
        write_loc(out, field);
    }
}

fn write_function(out: &mut Vec<u8>, f: &FunctionSourceMap) {
    write_loc(out, &f.definition_location);
    write_names(out, &f.type_parameters);
    write_names(out, &f.parameters);
    write_names(out, &f.locals);
    write_map(
        out,
        f.nops.iter().map(|(k, v)| (str_bytes(k), v)),
        |out, v| out.extend_from_slice(&v.to_le_bytes()),
    );
    write_map(
        out,
        f.code_map
            .iter()
            .map(|(k, v)| (k.to_le_bytes().to_vec(), v)),
        write_loc,
    );
    out.push(u8::from(f.is_native));
}

// ---------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn error_at(&self, offset: usize, kind: SourceMapErrorKind) -> SourceMapError {
        SourceMapError { offset, kind }
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], SourceMapError> {
        if self.remaining() < n {
            return Err(self.error_at(
                self.pos,
                SourceMapErrorKind::UnexpectedEnd {
                    what,
                    needed: n,
                    available: self.remaining(),
                },
            ));
        }
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, SourceMapError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, SourceMapError> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, SourceMapError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn hash(&mut self, what: &'static str) -> Result<[u8; 32], SourceMapError> {
        let mut out = [0; 32];
        out.copy_from_slice(self.take(32, what)?);
        Ok(out)
    }

    /// A canonical ULEB128 of at most 32 bits, as BCS requires for lengths.
    fn uleb(&mut self, what: &'static str) -> Result<u32, SourceMapError> {
        let start = self.pos;
        let mut value: u64 = 0;
        for shift in (0..).step_by(7).take(5) {
            let byte = self.u8(what)?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                if shift > 0 && byte == 0 {
                    return Err(self.error_at(start, SourceMapErrorKind::NonMinimalUleb { what }));
                }
                return u32::try_from(value)
                    .map_err(|_| self.error_at(start, SourceMapErrorKind::OverlongUleb { what }));
            }
        }
        Err(self.error_at(start, SourceMapErrorKind::OverlongUleb { what }))
    }

    /// A length or count whose items take at least `min_bytes` each; rejected unless that many
    /// items could fit in the rest of the input, so the result is safe to allocate for.
    fn count(&mut self, what: &'static str, min_bytes: usize) -> Result<usize, SourceMapError> {
        let start = self.pos;
        let count = self.uleb(what)?;
        let fits = (count as usize)
            .checked_mul(min_bytes)
            .is_some_and(|total| total <= self.remaining());
        if !fits {
            return Err(self.error_at(
                start,
                SourceMapErrorKind::LengthBeyondInput {
                    what,
                    count: u64::from(count),
                    min_bytes,
                    remaining: self.remaining(),
                },
            ));
        }
        Ok(count as usize)
    }

    fn string(&mut self, what: &'static str) -> Result<String, SourceMapError> {
        let len = self.count(what, 1)?;
        let start = self.pos;
        let bytes = self.take(len, what)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => Err(self.error_at(
                start + e.valid_up_to(),
                SourceMapErrorKind::InvalidUtf8 { what },
            )),
        }
    }

    fn tag(&mut self, what: &'static str) -> Result<bool, SourceMapError> {
        let start = self.pos;
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            found => Err(self.error_at(start, SourceMapErrorKind::BadTag { what, found })),
        }
    }

    fn loc(&mut self) -> Result<SourceLoc, SourceMapError> {
        Ok(SourceLoc {
            file_hash: self.hash("a location's file hash")?,
            start: self.u32("a location's start")?,
            end: self.u32("a location's end")?,
        })
    }

    fn names(&mut self, what: &'static str) -> Result<Vec<SourceName>, SourceMapError> {
        let count = self.count(what, MIN_SOURCE_NAME)?;
        let mut names = Vec::with_capacity(count);
        for _ in 0..count {
            let name = self.string("a name")?;
            let loc = self.loc()?;
            names.push(SourceName { name, loc });
        }
        Ok(names)
    }

    /// A map whose entries must be in strictly increasing order of their serialized keys.
    fn map<K: Ord, V>(
        &mut self,
        what: &'static str,
        min_entry: usize,
        mut key: impl FnMut(&mut Self) -> Result<K, SourceMapError>,
        mut value: impl FnMut(&mut Self) -> Result<V, SourceMapError>,
    ) -> Result<BTreeMap<K, V>, SourceMapError> {
        let count = self.count(what, min_entry)?;
        let mut map = BTreeMap::new();
        let mut previous: Option<&'a [u8]> = None;
        for _ in 0..count {
            let start = self.pos;
            let k = key(self)?;
            let input: &'a [u8] = self.bytes;
            let key_bytes = &input[start..self.pos];
            if let Some(prev) = previous {
                match prev.cmp(key_bytes) {
                    std::cmp::Ordering::Less => {}
                    std::cmp::Ordering::Equal => {
                        return Err(self.error_at(start, SourceMapErrorKind::DuplicateKey { what }))
                    }
                    std::cmp::Ordering::Greater => {
                        return Err(self.error_at(start, SourceMapErrorKind::UnorderedKey { what }))
                    }
                }
            }
            previous = Some(key_bytes);
            let v = value(self)?;
            // Distinct serialized keys decode to distinct keys, so nothing is overwritten.
            map.insert(k, v);
        }
        Ok(map)
    }

    fn source_map(&mut self) -> Result<SourceMap, SourceMapError> {
        let definition_location = self.loc()?;
        let module_name = if self.tag("the module name option")? {
            let address = AccountAddress(self.hash("the module address")?);
            Some((address, self.string("the module name")?))
        } else {
            None
        };
        let struct_map = self.map(
            "struct_map",
            2 + MIN_STRUCT,
            |r| r.u16("a struct definition index"),
            Self::struct_map,
        )?;
        let function_map = self.map(
            "function_map",
            2 + MIN_FUNCTION,
            |r| r.u16("a function definition index"),
            Self::function_map,
        )?;
        let constant_map = self.map(
            "constant_map",
            MIN_STRING + 2,
            |r| r.string("a constant name"),
            |r| r.u16("a constant pool index"),
        )?;
        Ok(SourceMap {
            definition_location,
            module_name,
            struct_map,
            function_map,
            constant_map,
        })
    }

    fn struct_map(&mut self) -> Result<StructSourceMap, SourceMapError> {
        let definition_location = self.loc()?;
        let type_parameters = self.names("struct type parameters")?;
        let count = self.count("struct fields", SourceLoc::ENCODED_LEN)?;
        let mut fields = Vec::with_capacity(count);
        for _ in 0..count {
            fields.push(self.loc()?);
        }
        Ok(StructSourceMap {
            definition_location,
            type_parameters,
            fields,
        })
    }

    fn function_map(&mut self) -> Result<FunctionSourceMap, SourceMapError> {
        let definition_location = self.loc()?;
        let type_parameters = self.names("function type parameters")?;
        let parameters = self.names("function parameters")?;
        let locals = self.names("function locals")?;
        let nops = self.map(
            "nops",
            MIN_STRING + 2,
            |r| r.string("a nop label"),
            |r| r.u16("a nop code offset"),
        )?;
        let code_map = self.map(
            "code_map",
            2 + SourceLoc::ENCODED_LEN,
            |r| r.u16("a code offset"),
            Self::loc,
        )?;
        let is_native = self.tag("the is_native flag")?;
        Ok(FunctionSourceMap {
            definition_location,
            type_parameters,
            parameters,
            locals,
            nops,
            code_map,
            is_native,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(byte: u8, start: u32, end: u32) -> SourceLoc {
        SourceLoc::new([byte; 32], start, end)
    }

    fn loc_bytes(l: &SourceLoc) -> Vec<u8> {
        let mut out = Vec::new();
        write_loc(&mut out, l);
        out
    }

    /// A map that uses every field, with keys whose serialized order differs from `Ord`.
    fn sample() -> SourceMap {
        let mut function = FunctionSourceMap {
            definition_location: loc(1, 10, 13),
            type_parameters: vec![SourceName {
                name: "T".into(),
                loc: loc(1, 14, 15),
            }],
            parameters: vec![SourceName {
                name: "x".into(),
                loc: loc(1, 16, 17),
            }],
            locals: vec![SourceName {
                name: "%#1".into(),
                loc: loc(2, 20, 25),
            }],
            ..Default::default()
        };
        function.nops.insert("9".into(), 3);
        function.nops.insert("10".into(), 7);
        function.code_map.insert(0, loc(1, 30, 31));
        function.code_map.insert(1, loc(1, 32, 33));
        function.code_map.insert(256, loc(1, 40, 41));
        let mut map = SourceMap {
            definition_location: loc(1, 0, 3),
            module_name: Some((AccountAddress::ONE, "m".into())),
            ..Default::default()
        };
        map.struct_map.insert(
            0,
            StructSourceMap {
                definition_location: loc(1, 4, 5),
                type_parameters: vec![],
                fields: vec![loc(1, 6, 7)],
            },
        );
        map.function_map.insert(1, function.clone());
        map.function_map.insert(
            256,
            FunctionSourceMap {
                is_native: true,
                ..function
            },
        );
        map.constant_map.insert("ABORTED".into(), 0);
        map.constant_map.insert("CANCELLED".into(), 2);
        map.constant_map.insert("INTERNAL".into(), 3);
        map
    }

    fn kind(bytes: &[u8]) -> SourceMapErrorKind {
        SourceMap::from_bcs(bytes).unwrap_err().kind
    }

    /// Offset of the first occurrence of `needle`.
    fn find(haystack: &[u8], needle: &[u8]) -> usize {
        haystack
            .windows(needle.len())
            .position(|w| w == needle)
            .expect("present")
    }

    #[test]
    fn round_trips() {
        let map = sample();
        let bytes = map.to_bcs();
        assert_eq!(SourceMap::from_bcs(&bytes).unwrap(), map);
        assert_eq!(SourceMap::from_bcs(&bytes).unwrap().to_bcs(), bytes);
        let empty = SourceMap::default();
        let bytes = empty.to_bcs();
        assert_eq!(bytes.len(), 40 + 1 + 3);
        assert_eq!(SourceMap::from_bcs(&bytes).unwrap(), empty);
    }

    #[test]
    fn u16_keys_are_written_in_little_endian_byte_order() {
        let bytes = sample().to_bcs();
        // function_map: key 256 (00 01) precedes key 1 (01 00).
        let def = loc_bytes(&loc(1, 10, 13));
        let first = find(&bytes, &def);
        assert_eq!(&bytes[first - 3..first], &[2, 0x00, 0x01]);
        // code_map: 0 (00 00), 256 (00 01), then 1 (01 00).
        let entries: Vec<u8> = [
            vec![3, 0x00, 0x00],
            loc_bytes(&loc(1, 30, 31)),
            vec![0x00, 0x01],
            loc_bytes(&loc(1, 40, 41)),
            vec![0x01, 0x00],
            loc_bytes(&loc(1, 32, 33)),
        ]
        .concat();
        find(&bytes, &entries);
    }

    #[test]
    fn string_keys_are_written_shorter_first() {
        let bytes = sample().to_bcs();
        let constants: Vec<u8> = [
            &[3u8][..],
            b"\x07ABORTED\x00\x00",
            b"\x08INTERNAL\x03\x00",
            b"\x09CANCELLED\x02\x00",
        ]
        .concat();
        assert!(bytes.ends_with(&constants));
        let nops: Vec<u8> = [&[2u8][..], b"\x019\x03\x00", b"\x0210\x07\x00"].concat();
        find(&bytes, &nops);
    }

    #[test]
    fn code_locations_are_added_only_on_change() {
        let mut f = FunctionSourceMap::default();
        assert_eq!(f.location_at(0), None);
        f.add_code_location(0, loc(1, 1, 2));
        f.add_code_location(1, loc(1, 1, 2));
        f.add_code_location(2, loc(1, 3, 4));
        f.add_code_location(3, loc(1, 3, 4));
        f.add_code_location(4, loc(2, 3, 4));
        assert_eq!(f.code_map.keys().copied().collect::<Vec<_>>(), [0, 2, 4]);
        assert_eq!(f.location_at(1), Some(&loc(1, 1, 2)));
        assert_eq!(f.location_at(3), Some(&loc(1, 3, 4)));
        assert_eq!(f.location_at(u16::MAX), Some(&loc(2, 3, 4)));
    }

    #[test]
    fn rejects_trailing_bytes() {
        let mut bytes = sample().to_bcs();
        let len = bytes.len();
        bytes.push(0);
        let err = SourceMap::from_bcs(&bytes).unwrap_err();
        assert_eq!(err.offset, len);
        assert_eq!(err.kind, SourceMapErrorKind::TrailingBytes { count: 1 });
        assert_eq!(
            err.to_string(),
            format!(
                "source map: offset {len}: expected the end of the input, found 1 trailing bytes"
            )
        );
    }

    #[test]
    fn rejects_every_truncation() {
        let bytes = sample().to_bcs();
        for cut in 0..bytes.len() {
            let err = SourceMap::from_bcs(&bytes[..cut]).unwrap_err();
            assert!(err.offset <= cut, "{cut}: {err}");
            assert!(
                matches!(
                    err.kind,
                    SourceMapErrorKind::UnexpectedEnd { .. }
                        | SourceMapErrorKind::LengthBeyondInput { .. }
                ),
                "{cut}: {err}"
            );
        }
    }

    /// An empty map up to the struct map count, which is at offset 41.
    fn prefix() -> Vec<u8> {
        let mut bytes = loc_bytes(&loc(1, 0, 1));
        bytes.push(0);
        bytes
    }

    #[test]
    fn rejects_non_minimal_and_overlong_uleb() {
        let mut bytes = prefix();
        bytes.extend_from_slice(&[0x80, 0x00, 0, 0]);
        let err = SourceMap::from_bcs(&bytes).unwrap_err();
        assert_eq!(err.offset, 41);
        assert!(matches!(
            err.kind,
            SourceMapErrorKind::NonMinimalUleb { .. }
        ));

        for overlong in [&[0x80, 0x80, 0x80, 0x80, 0x10][..], &[0xff; 6][..]] {
            let mut bytes = prefix();
            bytes.extend_from_slice(overlong);
            let err = SourceMap::from_bcs(&bytes).unwrap_err();
            assert_eq!(err.offset, 41);
            assert!(
                matches!(err.kind, SourceMapErrorKind::OverlongUleb { .. }),
                "{err}"
            );
        }
        // u32::MAX itself is a valid ULEB, but far beyond the input.
        let mut bytes = prefix();
        bytes.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(matches!(
            kind(&bytes),
            SourceMapErrorKind::LengthBeyondInput {
                count: 0xffff_ffff,
                ..
            }
        ));
    }

    #[test]
    fn rejects_lengths_beyond_the_input() {
        // 3 struct entries need at least 3 * 44 bytes.
        let mut bytes = prefix();
        bytes.push(3);
        bytes.extend_from_slice(&[0; 100]);
        let err = SourceMap::from_bcs(&bytes).unwrap_err();
        assert_eq!(err.offset, 41);
        assert_eq!(
            err.kind,
            SourceMapErrorKind::LengthBeyondInput {
                what: "struct_map",
                count: 3,
                min_bytes: 44,
                remaining: 100,
            }
        );
        // A module name longer than the rest.
        let mut bytes = loc_bytes(&loc(1, 0, 1));
        bytes.push(1);
        bytes.extend_from_slice(&[0; 32]);
        bytes.extend_from_slice(&[5, b'a', b'b', 0, 0]);
        let err = SourceMap::from_bcs(&bytes).unwrap_err();
        assert_eq!(err.offset, 73);
        assert!(matches!(
            err.kind,
            SourceMapErrorKind::LengthBeyondInput { .. }
        ));
    }

    #[test]
    fn rejects_invalid_utf8() {
        let mut bytes = loc_bytes(&loc(1, 0, 1));
        bytes.push(1);
        bytes.extend_from_slice(&[0; 32]);
        bytes.extend_from_slice(&[2, b'a', 0xff, 0, 0, 0]);
        let err = SourceMap::from_bcs(&bytes).unwrap_err();
        assert_eq!(err.offset, 75);
        assert_eq!(
            err.kind,
            SourceMapErrorKind::InvalidUtf8 {
                what: "the module name"
            }
        );
    }

    #[test]
    fn rejects_bad_option_and_bool_tags() {
        let mut bytes = loc_bytes(&loc(1, 0, 1));
        bytes.extend_from_slice(&[2, 0, 0, 0]);
        let err = SourceMap::from_bcs(&bytes).unwrap_err();
        assert_eq!(err.offset, 40);
        assert!(matches!(
            err.kind,
            SourceMapErrorKind::BadTag { found: 2, .. }
        ));

        let mut map = SourceMap::default();
        map.function_map.insert(0, FunctionSourceMap::default());
        let mut bytes = map.to_bcs();
        let flag = bytes.len() - 2;
        assert_eq!(bytes[flag], 0);
        bytes[flag] = 0x80;
        let err = SourceMap::from_bcs(&bytes).unwrap_err();
        assert_eq!(err.offset, flag);
        assert_eq!(
            err.kind,
            SourceMapErrorKind::BadTag {
                what: "the is_native flag",
                found: 0x80
            }
        );
    }

    #[test]
    fn rejects_duplicate_and_unordered_keys() {
        let entry = |name: &[u8], index: u16| {
            [&[name.len() as u8][..], name, &index.to_le_bytes()].concat()
        };
        let mut base = prefix();
        base.extend_from_slice(&[0, 0]);
        let constants = |entries: &[Vec<u8>]| {
            [base.clone(), vec![entries.len() as u8], entries.concat()].concat()
        };
        let ok = constants(&[entry(b"B", 0), entry(b"AA", 1)]);
        assert_eq!(SourceMap::from_bcs(&ok).unwrap().constant_map.len(), 2);

        let dup = constants(&[entry(b"A", 0), entry(b"A", 1)]);
        let err = SourceMap::from_bcs(&dup).unwrap_err();
        assert_eq!(err.offset, 44 + 4);
        assert_eq!(
            err.kind,
            SourceMapErrorKind::DuplicateKey {
                what: "constant_map"
            }
        );
        // Alphabetical but not serialized order.
        let unordered = constants(&[entry(b"AA", 0), entry(b"B", 1)]);
        assert!(matches!(
            kind(&unordered),
            SourceMapErrorKind::UnorderedKey { .. }
        ));

        // u16 keys: 1 then 256 is natural order but not byte order.
        let mut f = FunctionSourceMap::default();
        f.code_map.insert(1, loc(1, 0, 1));
        f.code_map.insert(256, loc(1, 2, 3));
        let mut map = SourceMap::default();
        map.function_map.insert(0, f);
        let good = map.to_bcs();
        let first = find(&good, &[2, 0x00, 0x01]);
        let mut swapped = good.clone();
        swapped[first + 1..first + 3].copy_from_slice(&[0x01, 0x00]);
        swapped[first + 43..first + 45].copy_from_slice(&[0x00, 0x01]);
        let err = SourceMap::from_bcs(&swapped).unwrap_err();
        assert_eq!(err.offset, first + 43);
        assert_eq!(
            err.kind,
            SourceMapErrorKind::UnorderedKey { what: "code_map" }
        );
        let mut dup = good;
        dup[first + 43..first + 45].copy_from_slice(&[0x00, 0x01]);
        assert_eq!(
            kind(&dup),
            SourceMapErrorKind::DuplicateKey { what: "code_map" }
        );
    }

    #[test]
    fn never_panics_on_short_garbage() {
        for len in 0..64usize {
            for fill in [0u8, 1, 0x7f, 0x80, 0xff] {
                let _ = SourceMap::from_bcs(&vec![fill; len]);
            }
        }
    }
}

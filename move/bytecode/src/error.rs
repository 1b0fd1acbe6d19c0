//! Errors of the reader and the writer.
//!
//! Every reader error says where (the absolute byte offset in the input and the part of the
//! binary: header, directory entry, table entry, instruction, trailer) and what was expected.

use std::fmt;

use crate::file_format::TableKind;

/// The part of a binary an error is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Magic, version or table count.
    Header,
    /// An entry of the table directory (0-based, in directory order).
    TableDirectory {
        /// Directory entry.
        entry: usize,
    },
    /// The table contents as a whole (layout of the tables relative to each other).
    TableContents,
    /// An entry of a table (0-based).
    Table {
        /// The table.
        table: TableKind,
        /// The entry.
        entry: usize,
    },
    /// An instruction of a function definition's code.
    FunctionCode {
        /// The FUNCTION_DEFS entry.
        function: usize,
        /// The instruction index (`None` for the code unit header: locals and count).
        instruction: Option<usize>,
    },
    /// The script's `main` header (type parameters, parameters).
    ScriptMain,
    /// An instruction of the script's `main`.
    ScriptCode {
        /// The instruction index (`None` for the code unit header: locals and count).
        instruction: Option<usize>,
    },
    /// The module trailer (`self_module_handle_idx`).
    ModuleTrailer,
    /// Past the end of the unit.
    End,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Header => f.write_str("header"),
            Location::TableDirectory { entry } => write!(f, "table directory entry {entry}"),
            Location::TableContents => f.write_str("table contents"),
            Location::Table { table, entry } => write!(f, "{table} entry {entry}"),
            Location::FunctionCode {
                function,
                instruction: None,
            } => write!(f, "FUNCTION_DEFS entry {function}, code unit"),
            Location::FunctionCode {
                function,
                instruction: Some(i),
            } => write!(f, "FUNCTION_DEFS entry {function}, instruction {i}"),
            Location::ScriptMain => f.write_str("script main"),
            Location::ScriptCode { instruction: None } => f.write_str("script main, code unit"),
            Location::ScriptCode {
                instruction: Some(i),
            } => write!(f, "script main, instruction {i}"),
            Location::ModuleTrailer => f.write_str("module trailer"),
            Location::End => f.write_str("end of unit"),
        }
    }
}

/// What went wrong while reading.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ended (or the table ended) before a complete value.
    #[error("unexpected end of {scope}: expected {expected}")]
    UnexpectedEnd {
        /// `input` or `table`.
        scope: &'static str,
        /// What was being read.
        expected: &'static str,
    },
    /// The first four bytes are not `a1 1c eb 0b`.
    #[error("bad magic: expected a1 1c eb 0b, found {found}")]
    BadMagic {
        /// The bytes found, in hex.
        found: String,
    },
    /// A version word this reader does not accept.
    #[error("unsupported bytecode version {version} (version word 0x{word:08x}); this reader accepts versions {min} to {max}")]
    UnsupportedVersion {
        /// The version number (mask removed).
        version: u32,
        /// The raw word.
        word: u32,
        /// Lowest accepted.
        min: u32,
        /// Highest accepted.
        max: u32,
    },
    /// A ULEB128 that overflows 64 bits or is not minimally encoded.
    #[error("invalid ULEB128 for {what}: {reason}")]
    BadUleb {
        /// What was being read.
        what: &'static str,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// A value above the maximum of its field.
    #[error("{what} {value} exceeds the maximum {max}")]
    ValueTooLarge {
        /// The field.
        what: &'static str,
        /// The value read.
        value: u64,
        /// The maximum.
        max: u64,
    },
    /// A directory kind byte that names no table.
    #[error("unknown table kind 0x{0:02x}")]
    UnknownTableKind(u8),
    /// A table kind of a newer format (v7 enums) that this crate does not model.
    #[error("table kind 0x{kind:02x} ({name}) is not supported: {reason}")]
    UnsupportedTable {
        /// The kind byte.
        kind: u8,
        /// Its upstream name.
        name: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// A table listed twice in the directory.
    #[error("duplicate table {0} in the directory")]
    DuplicateTable(TableKind),
    /// A directory entry with length 0 (the writer omits empty tables).
    #[error("table {0} has length 0")]
    EmptyTable(TableKind),
    /// Tables that are not contiguous from offset 0 (a gap or an overlap).
    #[error("table {table} starts at content offset {offset}, expected {expected} (tables must be contiguous, without gaps or overlaps)")]
    TableNotContiguous {
        /// The table.
        table: TableKind,
        /// Its offset.
        offset: u64,
        /// The offset where the previous table ended.
        expected: u64,
    },
    /// A table that runs past the end of the input.
    #[error("table {table} (content offset {offset}, length {length}) ends at file offset {end}, past the end of the input ({input_len} bytes)")]
    TableOutOfBounds {
        /// The table.
        table: TableKind,
        /// Content offset.
        offset: u64,
        /// Length.
        length: u64,
        /// Absolute end.
        end: u64,
        /// Input size.
        input_len: usize,
    },
    /// A module-only table in a script.
    #[error("table {0} is not allowed in a script")]
    TableNotAllowedInScript(TableKind),
    /// Identifier bytes that are not UTF-8 or not a Move identifier.
    #[error("invalid identifier {0:?}: expected [a-zA-Z][a-zA-Z0-9_]* or _[a-zA-Z0-9_]+")]
    InvalidIdentifier(String),
    /// An ADDRESS_IDENTIFIERS table whose length is not a multiple of 32.
    #[error("ADDRESS_IDENTIFIERS length {0} is not a multiple of 32")]
    BadAddressTableLength(u64),
    /// A signature tag byte that names no type.
    #[error("unknown signature token tag 0x{0:02x}")]
    UnknownTypeTag(u8),
    /// A construct that needs a newer bytecode version than the unit's.
    #[error("{what} requires bytecode version {min_version}, but the unit is version {version}")]
    NotInVersion {
        /// The construct.
        what: &'static str,
        /// The first version with it.
        min_version: u32,
        /// The unit's version.
        version: u32,
    },
    /// A v7 construct this crate does not model.
    #[error("bytecode v7 {0} are not supported")]
    UnsupportedV7Feature(&'static str),
    /// A signature token nested too deeply.
    #[error("signature token nesting exceeds the maximum depth {0}")]
    TypeTooDeep(usize),
    /// A struct instantiation token with no type arguments.
    #[error("struct instantiation with 0 type arguments")]
    ZeroTypeArguments,
    /// An ability set with unknown bits.
    #[error("unknown ability bits 0x{0:x} (known: copy 0x1, drop 0x2, store 0x4, key 0x8)")]
    UnknownAbilities(u64),
    /// A phantom flag other than 0 or 1.
    #[error("is_phantom must be 0 or 1, found {0}")]
    BadPhantomFlag(u64),
    /// A struct definition flag other than native (1) or declared (2).
    #[error("unknown struct definition flag 0x{0:02x} (expected 0x01 native or 0x02 declared)")]
    UnknownStructFlag(u8),
    /// A visibility byte other than 0, 1, 3.
    #[error("invalid visibility byte 0x{0:02x} (expected 0x00 private, 0x01 public or 0x03 friend; 0x02 script is deprecated since v5)")]
    InvalidVisibility(u8),
    /// Function flags with bits other than native and entry.
    #[error("invalid function flag bits 0x{0:02x} (allowed: 0x02 native, 0x04 entry)")]
    InvalidFlagBits(u8),
    /// An opcode byte that names no instruction.
    #[error("unknown opcode 0x{0:02x}")]
    UnknownOpcode(u8),
    /// Bytes left after the trailer.
    #[error("{count} trailing byte(s) after the end of the {unit}")]
    TrailingBytes {
        /// How many.
        count: usize,
        /// `module` or `script`.
        unit: &'static str,
    },
    /// An index past the end of the table it refers to.
    #[error("{what} {index} is out of bounds: {table} has {len} entries")]
    IndexOutOfBounds {
        /// The field holding the index.
        what: &'static str,
        /// The index.
        index: usize,
        /// The table it points into.
        table: TableKind,
        /// The table's entry count.
        len: usize,
    },
    /// A module without any module handle (it needs at least its own).
    #[error("a module needs at least one module handle (its own)")]
    NoModuleHandles,
    /// A struct instantiation with the wrong number of type arguments.
    #[error("struct handle SH{handle} takes {expected} type argument(s), found {found}")]
    TypeArgumentCountMismatch {
        /// The struct handle.
        handle: usize,
        /// Its type parameter count.
        expected: usize,
        /// The count in the token.
        found: usize,
    },
    /// A `Struct` token naming a generic struct (it needs `StructInstantiation`).
    #[error("struct handle SH{handle} is generic ({expected} type parameters) but is used without type arguments")]
    GenericStructWithoutArguments {
        /// The struct handle.
        handle: usize,
        /// Its type parameter count.
        expected: usize,
    },
    /// A type parameter index past the type parameters in scope.
    #[error("type parameter {index} is out of bounds: {count} type parameter(s) in scope")]
    TypeParameterOutOfBounds {
        /// The index.
        index: usize,
        /// Type parameters in scope.
        count: usize,
    },
    /// A branch target past the end of the code.
    #[error("branch target {target} is out of bounds: the code has {len} instructions")]
    BranchTargetOutOfBounds {
        /// The target.
        target: usize,
        /// The instruction count.
        len: usize,
    },
    /// A local index past the parameters and locals.
    #[error("local {index} is out of bounds: {count} local(s) (parameters + locals)")]
    LocalOutOfBounds {
        /// The index.
        index: usize,
        /// Parameters plus locals.
        count: usize,
    },
    /// More parameters plus locals than local indexes allow.
    #[error("{count} parameters and locals exceed the maximum 256")]
    TooManyLocals {
        /// The count.
        count: usize,
    },
    /// A field handle whose offset is past its struct's fields.
    #[error(
        "field offset {offset} is out of bounds: struct definition SD{def} has {count} field(s)"
    )]
    FieldOffsetOutOfBounds {
        /// The offset.
        offset: usize,
        /// The struct definition.
        def: usize,
        /// Its field count.
        count: usize,
    },
    /// A field handle on a native struct.
    #[error("field handle on native struct definition SD{0}")]
    FieldOfNativeStruct(usize),
    /// An option tag other than 0 (none) or 1 (some).
    #[error("invalid option tag 0x{0:02x} (expected 0x00 or 0x01)")]
    InvalidOptionTag(u8),
}

/// A reader error: where, and what went wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed Move binary at offset {offset} ({location}): {kind}")]
pub struct DeserializeError {
    /// Absolute byte offset in the input.
    pub offset: usize,
    /// The part of the binary.
    pub location: Location,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl DeserializeError {
    /// Builds an error.
    pub fn new(offset: usize, location: Location, kind: ErrorKind) -> Self {
        DeserializeError {
            offset,
            location,
            kind,
        }
    }
}

/// A writer error: the model cannot be written in the requested format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SerializeError {
    /// A version the writer does not produce.
    #[error("cannot write bytecode version {version}: the writer supports {min} to {max}")]
    UnsupportedVersion {
        /// The requested version.
        version: u32,
        /// Lowest supported.
        min: u32,
        /// Highest supported.
        max: u32,
    },
    /// A count or index above its limit.
    #[error("{what} {value} exceeds the maximum {max}")]
    LimitExceeded {
        /// The field.
        what: &'static str,
        /// The value.
        value: u64,
        /// The maximum.
        max: u64,
    },
    /// A construct that the target version does not have.
    #[error("{what} requires bytecode version {min_version}, cannot write version {version}")]
    NotInVersion {
        /// The construct.
        what: &'static str,
        /// The first version with it.
        min_version: u32,
        /// The requested version.
        version: u32,
    },
    /// A signature token nested too deeply.
    #[error("signature token nesting exceeds the maximum depth {0}")]
    TypeTooDeep(usize),
    /// A struct instantiation token without type arguments.
    #[error("struct instantiation with 0 type arguments")]
    ZeroTypeArguments,
}

//! The reader: bytes to [`CompiledModule`] / [`CompiledScript`] (`bytecode-format.md`).
//!
//! The reader never panics and never allocates more than the input can justify: every length is
//! checked against the bytes that remain before anything is read, and collections grow only as
//! entries are actually decoded. Every error carries the absolute offset and the part of the
//! binary it is in (see [`DeserializeError`]).
//!
//! After decoding, all indexes are checked against the tables they point into
//! ([`crate::check_bounds`]), unless [`DeserializerConfig::check_bounds`] is off.

use std::collections::BTreeMap;

use crate::check_bounds;
use crate::error::{DeserializeError, ErrorKind, Location};
use crate::file_format::*;
use crate::types::{AccountAddress, Identifier, U256};

/// Options of the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeserializerConfig {
    /// The highest bytecode version accepted (at most [`VERSION_MAX`]). The 0L VM uses 6.
    pub max_version: u32,
    /// Whether to check every index against its table after decoding (on by default).
    pub check_bounds: bool,
}

impl Default for DeserializerConfig {
    fn default() -> Self {
        DeserializerConfig {
            max_version: VERSION_MAX,
            check_bounds: true,
        }
    }
}

/// Which kind of unit to expect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// A module (a `.mrb` `code` element).
    Module,
    /// A script (a `script.mv`).
    Script,
}

/// Where each part of a binary is: the table directory, each table entry and each instruction.
///
/// All offsets are absolute byte offsets into the input. Returned by
/// [`deserialize_with_layout`]; the disassembler can use it to print file offsets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BinaryLayout {
    /// Input size.
    pub len: usize,
    /// The raw version word.
    pub version_word: u32,
    /// Size of magic + version + table count + directory: where the table contents start.
    pub header_len: usize,
    /// The directory, in directory order.
    pub tables: Vec<TableLayout>,
    /// For each table present, the absolute offset of each entry.
    pub entries: BTreeMap<TableKind, Vec<usize>>,
    /// For each function definition, its code layout (`None` for natives).
    pub function_code: Vec<Option<CodeLayout>>,
    /// Offset of the trailer: the script's `main` or the module's self handle index.
    pub trailer_offset: usize,
    /// For a script, the layout of `main`'s code unit.
    pub script_code: Option<CodeLayout>,
}

impl BinaryLayout {
    /// The absolute offset of entry `index` of `table`.
    pub fn entry_offset(&self, table: TableKind, index: usize) -> Option<usize> {
        self.entries.get(&table)?.get(index).copied()
    }

    /// The directory entry of `table`.
    pub fn table(&self, table: TableKind) -> Option<&TableLayout> {
        self.tables.iter().find(|t| t.kind == table)
    }
}

/// One table directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableLayout {
    /// The table.
    pub kind: TableKind,
    /// Offset relative to the start of the table contents.
    pub offset: u32,
    /// Length in bytes.
    pub length: u32,
    /// Absolute offset of the table's first byte.
    pub file_offset: usize,
    /// Absolute offset of the directory entry.
    pub directory_offset: usize,
}

/// Where a code unit is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeLayout {
    /// Absolute offset of the code unit (its `locals` index).
    pub offset: usize,
    /// Absolute offset of each instruction.
    pub instructions: Vec<usize>,
}

impl CompiledModule {
    /// Reads a module with the default configuration (versions 5–7, bounds checked).
    pub fn deserialize(bytes: &[u8]) -> Result<CompiledModule, DeserializeError> {
        deserialize_module(bytes)
    }
}

impl CompiledModule {
    /// Reads a module with explicit options (e.g. `max_version: 6`, as the 0L VM does).
    pub fn deserialize_with_config(
        bytes: &[u8],
        config: &DeserializerConfig,
    ) -> Result<CompiledModule, DeserializeError> {
        match deserialize_with_layout(bytes, Some(UnitKind::Module), config)?.0 {
            CompiledUnit::Module(m) => Ok(m),
            CompiledUnit::Script(_) => unreachable_unit(),
        }
    }
}

impl CompiledScript {
    /// Reads a script with explicit options (e.g. `max_version: 6`, as the 0L VM does).
    pub fn deserialize_with_config(
        bytes: &[u8],
        config: &DeserializerConfig,
    ) -> Result<CompiledScript, DeserializeError> {
        match deserialize_with_layout(bytes, Some(UnitKind::Script), config)?.0 {
            CompiledUnit::Script(s) => Ok(s),
            CompiledUnit::Module(_) => unreachable_unit(),
        }
    }
}

impl CompiledScript {
    /// Reads a script with the default configuration (versions 5–7, bounds checked).
    pub fn deserialize(bytes: &[u8]) -> Result<CompiledScript, DeserializeError> {
        deserialize_script(bytes)
    }
}

impl CompiledUnit {
    /// Reads a module or a script, telling which from the bytes (see [`deserialize_unit`]).
    pub fn deserialize(bytes: &[u8]) -> Result<CompiledUnit, DeserializeError> {
        deserialize_unit(bytes)
    }
}

/// Reads a module.
pub fn deserialize_module(bytes: &[u8]) -> Result<CompiledModule, DeserializeError> {
    match deserialize_with_layout(
        bytes,
        Some(UnitKind::Module),
        &DeserializerConfig::default(),
    )?
    .0
    {
        CompiledUnit::Module(m) => Ok(m),
        CompiledUnit::Script(_) => unreachable_unit(),
    }
}

/// Reads a script.
pub fn deserialize_script(bytes: &[u8]) -> Result<CompiledScript, DeserializeError> {
    match deserialize_with_layout(
        bytes,
        Some(UnitKind::Script),
        &DeserializerConfig::default(),
    )?
    .0
    {
        CompiledUnit::Script(s) => Ok(s),
        CompiledUnit::Module(_) => unreachable_unit(),
    }
}

#[cold]
fn unreachable_unit<T>() -> T {
    // deserialize_with_layout returns the kind it was asked for.
    unreachable!("the reader returned a unit of the wrong kind")
}

/// Reads a module or a script without being told which.
///
/// Nothing in the header says which one a blob is. The reader decides from the content: a unit
/// with any module-only table (struct/function definitions, field handles, instantiations,
/// friends) is a module; otherwise the trailer decides. A module trailer is one ULEB index
/// (1–3 bytes), while a script's `main` takes at least 4 bytes (type parameter count,
/// parameters, locals, instruction count), so a trailer of at most 3 bytes is a module's.
pub fn deserialize_unit(bytes: &[u8]) -> Result<CompiledUnit, DeserializeError> {
    Ok(deserialize_with_layout(bytes, None, &DeserializerConfig::default())?.0)
}

/// Reads a unit with explicit options and returns where everything is.
///
/// `expected` is the kind of unit to read, or `None` to detect it (see [`deserialize_unit`]).
pub fn deserialize_with_layout(
    bytes: &[u8],
    expected: Option<UnitKind>,
    config: &DeserializerConfig,
) -> Result<(CompiledUnit, BinaryLayout), DeserializeError> {
    let mut layout = BinaryLayout {
        len: bytes.len(),
        ..Default::default()
    };
    let header = read_header(bytes, config, &mut layout)?;
    let version = header.version;

    let has_module_tables = header.tables.iter().any(|t| !t.kind.allowed_in_script());
    let kind = match expected {
        Some(kind) => kind,
        None if has_module_tables => UnitKind::Module,
        None if bytes.len() - layout.trailer_offset <= 3 => UnitKind::Module,
        None => UnitKind::Script,
    };
    if kind == UnitKind::Script {
        if let Some(t) = header.tables.iter().find(|t| !t.kind.allowed_in_script()) {
            return Err(DeserializeError::new(
                t.directory_offset,
                Location::TableDirectory { entry: t.entry },
                ErrorKind::TableNotAllowedInScript(t.kind),
            ));
        }
    }

    let mut tables = Tables::default();
    let mut in_file_order: Vec<&DirEntry> = header.tables.iter().collect();
    in_file_order.sort_by_key(|t| t.offset);
    for table in in_file_order {
        read_table_contents(bytes, version, table, &mut tables, &mut layout)?;
    }

    let mut trailer = Reader::new(
        bytes,
        layout.trailer_offset,
        bytes.len(),
        "input",
        version,
        Location::ModuleTrailer,
    );
    let unit = match kind {
        UnitKind::Module => {
            let self_idx = ModuleHandleIndex(trailer.index("self_module_handle_idx")?);
            trailer.finish("module")?;
            CompiledUnit::Module(CompiledModule {
                version,
                self_module_handle_idx: self_idx,
                module_handles: tables.module_handles,
                struct_handles: tables.struct_handles,
                function_handles: tables.function_handles,
                field_handles: tables.field_handles,
                friend_decls: tables.friend_decls,
                struct_def_instantiations: tables.struct_def_instantiations,
                function_instantiations: tables.function_instantiations,
                field_instantiations: tables.field_instantiations,
                signatures: tables.signatures,
                identifiers: tables.identifiers,
                address_identifiers: tables.address_identifiers,
                constant_pool: tables.constant_pool,
                metadata: tables.metadata,
                struct_defs: tables.struct_defs,
                function_defs: tables.function_defs,
            })
        }
        UnitKind::Script => {
            trailer.location = Location::ScriptMain;
            let type_parameters = trailer.ability_sets()?;
            let parameters = SignatureIndex(trailer.index("parameters signature index")?);
            let (code, code_layout) = trailer.code_unit(CodeOwner::Script)?;
            trailer.location = Location::End;
            trailer.finish("script")?;
            layout.script_code = Some(code_layout);
            CompiledUnit::Script(CompiledScript {
                version,
                module_handles: tables.module_handles,
                struct_handles: tables.struct_handles,
                function_handles: tables.function_handles,
                function_instantiations: tables.function_instantiations,
                signatures: tables.signatures,
                identifiers: tables.identifiers,
                address_identifiers: tables.address_identifiers,
                constant_pool: tables.constant_pool,
                metadata: tables.metadata,
                code,
                type_parameters,
                parameters,
            })
        }
    };
    if config.check_bounds {
        check_bounds::check_unit(&unit, &layout)?;
    }
    Ok((unit, layout))
}

// ---------------------------------------------------------------------------------------------
// Header and directory
// ---------------------------------------------------------------------------------------------

struct DirEntry {
    kind: TableKind,
    offset: u64,
    length: u64,
    entry: usize,
    directory_offset: usize,
}

struct Header {
    version: u32,
    tables: Vec<DirEntry>,
}

fn read_header(
    bytes: &[u8],
    config: &DeserializerConfig,
    layout: &mut BinaryLayout,
) -> Result<Header, DeserializeError> {
    let mut r = Reader::new(
        bytes,
        0,
        bytes.len(),
        "input",
        VERSION_MAX,
        Location::Header,
    );
    let magic = r.bytes(4, "magic a1 1c eb 0b").map_err(|e| {
        if bytes.is_empty() || !MOVE_MAGIC.starts_with(bytes) {
            DeserializeError::new(
                0,
                Location::Header,
                ErrorKind::BadMagic {
                    found: hex_spaced(bytes),
                },
            )
        } else {
            e
        }
    })?;
    if magic != MOVE_MAGIC {
        return Err(r.error_at(
            0,
            ErrorKind::BadMagic {
                found: hex_spaced(magic),
            },
        ));
    }
    let word = r.u32("version (u32 little-endian)")?;
    let version =
        if word & 0xFF00_0000 == APTOS_BYTECODE_VERSION_MASK && word & 0x00FF_FFFF >= VERSION_7 {
            word & !APTOS_BYTECODE_VERSION_MASK
        } else {
            word
        };
    let max = config.max_version.min(VERSION_MAX);
    if !(VERSION_MIN..=max).contains(&version) {
        return Err(r.error_at(
            4,
            ErrorKind::UnsupportedVersion {
                version,
                word,
                min: VERSION_MIN,
                max,
            },
        ));
    }
    layout.version_word = word;
    r.version = version;

    let table_count = r.uleb("table count", limits::TABLE_COUNT_MAX)? as usize;
    let mut tables: Vec<DirEntry> = Vec::new();
    for entry in 0..table_count {
        r.location = Location::TableDirectory { entry };
        let directory_offset = r.pos;
        let kind_byte = r.u8("table kind")?;
        let kind = match TableKind::from_u8(kind_byte) {
            Some(kind) => kind,
            None => {
                let err = match (kind_byte, version >= VERSION_7) {
                    (0x11..=0x14, true) => ErrorKind::UnsupportedTable {
                        kind: kind_byte,
                        name: match kind_byte {
                            0x11 => "VARIANT_FIELD_HANDLES",
                            0x12 => "VARIANT_FIELD_INST",
                            0x13 => "STRUCT_VARIANT_HANDLES",
                            _ => "STRUCT_VARIANT_INST",
                        },
                        reason: "enum types of bytecode v7 are not modelled",
                    },
                    _ => ErrorKind::UnknownTableKind(kind_byte),
                };
                return Err(r.error_at(directory_offset, err));
            }
        };
        let offset = r.uleb("table offset", limits::TABLE_OFFSET_MAX)?;
        let length = r.uleb("table length", limits::TABLE_SIZE_MAX)?;
        if let Some(previous) = tables.iter().find(|t| t.kind == kind) {
            let _ = previous;
            return Err(r.error_at(directory_offset, ErrorKind::DuplicateTable(kind)));
        }
        if length == 0 {
            return Err(r.error_at(directory_offset, ErrorKind::EmptyTable(kind)));
        }
        tables.push(DirEntry {
            kind,
            offset,
            length,
            entry,
            directory_offset,
        });
    }
    let header_len = r.pos;
    layout.header_len = header_len;

    // Tables must be contiguous from content offset 0, in any directory order.
    let mut sorted: Vec<&DirEntry> = tables.iter().collect();
    sorted.sort_by_key(|t| t.offset);
    let mut expected: u64 = 0;
    for t in &sorted {
        if t.offset != expected {
            return Err(DeserializeError::new(
                t.directory_offset,
                Location::TableDirectory { entry: t.entry },
                ErrorKind::TableNotContiguous {
                    table: t.kind,
                    offset: t.offset,
                    expected,
                },
            ));
        }
        expected = t.offset + t.length;
        let end = header_len as u64 + expected;
        if end > bytes.len() as u64 {
            return Err(DeserializeError::new(
                t.directory_offset,
                Location::TableDirectory { entry: t.entry },
                ErrorKind::TableOutOfBounds {
                    table: t.kind,
                    offset: t.offset,
                    length: t.length,
                    end,
                    input_len: bytes.len(),
                },
            ));
        }
    }
    // `expected` is now the total content length, within the input (checked above).
    layout.trailer_offset = header_len + expected as usize;
    layout.tables = tables
        .iter()
        .map(|t| TableLayout {
            kind: t.kind,
            offset: t.offset as u32,
            length: t.length as u32,
            file_offset: header_len + t.offset as usize,
            directory_offset: t.directory_offset,
        })
        .collect();
    Ok(Header { version, tables })
}

fn hex_spaced(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "nothing (empty input)".to_string();
    }
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Tables {
    module_handles: Vec<ModuleHandle>,
    struct_handles: Vec<StructHandle>,
    function_handles: Vec<FunctionHandle>,
    field_handles: Vec<FieldHandle>,
    friend_decls: Vec<ModuleHandle>,
    struct_def_instantiations: Vec<StructDefInstantiation>,
    function_instantiations: Vec<FunctionInstantiation>,
    field_instantiations: Vec<FieldInstantiation>,
    signatures: Vec<Signature>,
    identifiers: Vec<Identifier>,
    address_identifiers: Vec<AccountAddress>,
    constant_pool: Vec<Constant>,
    metadata: Vec<Metadata>,
    struct_defs: Vec<StructDefinition>,
    function_defs: Vec<FunctionDefinition>,
}

fn read_table_contents(
    bytes: &[u8],
    version: u32,
    table: &DirEntry,
    tables: &mut Tables,
    layout: &mut BinaryLayout,
) -> Result<(), DeserializeError> {
    let start = layout.header_len + table.offset as usize;
    let end = start + table.length as usize;
    let kind = table.kind;
    let mut r = Reader::new(
        bytes,
        start,
        end,
        "table",
        version,
        Location::Table {
            table: kind,
            entry: 0,
        },
    );
    let mut offsets = Vec::new();

    // Decodes entries until the table is exhausted, recording where each starts.
    macro_rules! entries {
        ($target:expr, |$r:ident| $body:expr) => {{
            let mut entry = 0usize;
            while r.pos < r.end {
                r.location = Location::Table { table: kind, entry };
                offsets.push(r.pos);
                let $r = &mut r;
                let item = $body;
                $target.push(item);
                entry += 1;
            }
        }};
    }

    match kind {
        TableKind::ModuleHandles => entries!(tables.module_handles, |r| r.module_handle()?),
        TableKind::FriendDecls => entries!(tables.friend_decls, |r| r.module_handle()?),
        TableKind::StructHandles => entries!(tables.struct_handles, |r| StructHandle {
            module: ModuleHandleIndex(r.index("module_idx")?),
            name: IdentifierIndex(r.index("name_idx")?),
            abilities: r.ability_set()?,
            type_parameters: {
                let count = r.uleb("type parameter count", limits::TYPE_PARAMETER_COUNT_MAX)?;
                let mut params = Vec::new();
                for _ in 0..count {
                    let constraints = r.ability_set()?;
                    let phantom_pos = r.pos;
                    let flag = r.uleb("is_phantom flag", u64::MAX)?;
                    if flag > 1 {
                        return Err(r.error_at(phantom_pos, ErrorKind::BadPhantomFlag(flag)));
                    }
                    params.push(StructTypeParameter {
                        constraints,
                        is_phantom: flag == 1,
                    });
                }
                params
            },
        }),
        TableKind::FunctionHandles => entries!(tables.function_handles, |r| {
            let handle = FunctionHandle {
                module: ModuleHandleIndex(r.index("module_idx")?),
                name: IdentifierIndex(r.index("name_idx")?),
                parameters: SignatureIndex(r.index("params_sig_idx")?),
                return_: SignatureIndex(r.index("return_sig_idx")?),
                type_parameters: r.ability_sets()?,
            };
            if version >= VERSION_7 {
                let tag_pos = r.pos;
                match r.u8("access specifier option tag")? {
                    0 => {}
                    1 => {
                        return Err(r.error_at(
                            tag_pos,
                            ErrorKind::UnsupportedV7Feature("access specifiers"),
                        ))
                    }
                    other => return Err(r.error_at(tag_pos, ErrorKind::InvalidOptionTag(other))),
                }
            }
            handle
        }),
        TableKind::FunctionInstantiations => {
            entries!(tables.function_instantiations, |r| FunctionInstantiation {
                handle: FunctionHandleIndex(r.index("function_handle_idx")?),
                type_parameters: SignatureIndex(r.index("type_args_sig_idx")?),
            })
        }
        TableKind::Signatures => entries!(tables.signatures, |r| {
            let count = r.uleb("signature token count", limits::SIGNATURE_SIZE_MAX)?;
            let mut tokens = Vec::new();
            for _ in 0..count {
                tokens.push(r.token()?);
            }
            Signature(tokens)
        }),
        TableKind::Identifiers => entries!(tables.identifiers, |r| {
            let size = r.uleb("identifier length", limits::IDENTIFIER_SIZE_MAX)? as usize;
            let text_pos = r.pos;
            let raw = r.bytes(size, "identifier bytes")?;
            let text = std::str::from_utf8(raw).map_err(|_| {
                r.error_at(
                    text_pos,
                    ErrorKind::InvalidIdentifier(String::from_utf8_lossy(raw).into_owned()),
                )
            })?;
            Identifier::new(text)
                .map_err(|_| r.error_at(text_pos, ErrorKind::InvalidIdentifier(text.to_string())))?
        }),
        TableKind::AddressIdentifiers => {
            if !table.length.is_multiple_of(AccountAddress::LENGTH as u64) {
                return Err(r.error_at(start, ErrorKind::BadAddressTableLength(table.length)));
            }
            entries!(tables.address_identifiers, |r| {
                let raw = r.bytes(AccountAddress::LENGTH, "32-byte address")?;
                let mut address = [0u8; 32];
                address.copy_from_slice(raw);
                AccountAddress(address)
            })
        }
        TableKind::ConstantPool => entries!(tables.constant_pool, |r| Constant {
            type_: r.token()?,
            data: {
                let size = r.uleb("constant data length", limits::CONSTANT_SIZE_MAX)? as usize;
                r.bytes(size, "constant data")?.to_vec()
            },
        }),
        TableKind::Metadata => entries!(tables.metadata, |r| Metadata {
            key: {
                let size = r.uleb("metadata key length", limits::METADATA_KEY_SIZE_MAX)? as usize;
                r.bytes(size, "metadata key")?.to_vec()
            },
            value: {
                let size =
                    r.uleb("metadata value length", limits::METADATA_VALUE_SIZE_MAX)? as usize;
                r.bytes(size, "metadata value")?.to_vec()
            },
        }),
        TableKind::StructDefinitions => entries!(tables.struct_defs, |r| {
            let struct_handle = StructHandleIndex(r.index("struct_handle_idx")?);
            let flag_pos = r.pos;
            let field_information = match r.u8("struct definition flag")? {
                0x01 => StructFieldInformation::Native,
                0x02 => {
                    let count = r.uleb("field count", limits::FIELD_COUNT_MAX)?;
                    let mut fields = Vec::new();
                    for _ in 0..count {
                        fields.push(FieldDefinition {
                            name: IdentifierIndex(r.index("field name_idx")?),
                            signature: TypeSignature(r.token()?),
                        });
                    }
                    StructFieldInformation::Declared(fields)
                }
                0x03 if version >= VERSION_7 => {
                    return Err(r.error_at(flag_pos, ErrorKind::UnsupportedV7Feature("enum types")))
                }
                other => return Err(r.error_at(flag_pos, ErrorKind::UnknownStructFlag(other))),
            };
            StructDefinition {
                struct_handle,
                field_information,
            }
        }),
        TableKind::StructDefInstantiations => {
            entries!(tables.struct_def_instantiations, |r| {
                StructDefInstantiation {
                    def: StructDefinitionIndex(r.index("struct_def_idx")?),
                    type_parameters: SignatureIndex(r.index("type_args_sig_idx")?),
                }
            })
        }
        TableKind::FunctionDefinitions => {
            let mut code_layouts = Vec::new();
            entries!(tables.function_defs, |r| {
                let function = FunctionHandleIndex(r.index("function_handle_idx")?);
                let vis_pos = r.pos;
                let vis_byte = r.u8("visibility byte")?;
                let visibility = Visibility::from_u8(vis_byte)
                    .ok_or_else(|| r.error_at(vis_pos, ErrorKind::InvalidVisibility(vis_byte)))?;
                let flags_pos = r.pos;
                let flags = r.u8("function flags byte")?;
                if flags & !(FunctionDefinition::NATIVE | FunctionDefinition::ENTRY) != 0 {
                    return Err(r.error_at(flags_pos, ErrorKind::InvalidFlagBits(flags)));
                }
                let count = r.uleb("acquires count", limits::ACQUIRES_COUNT_MAX)?;
                let mut acquires = Vec::new();
                for _ in 0..count {
                    acquires.push(StructDefinitionIndex(r.index("acquired struct_def_idx")?));
                }
                let code = if flags & FunctionDefinition::NATIVE != 0 {
                    code_layouts.push(None);
                    None
                } else {
                    let function_index = tables.function_defs.len();
                    let (code, code_layout) = r.code_unit(CodeOwner::Function(function_index))?;
                    code_layouts.push(Some(code_layout));
                    Some(code)
                };
                FunctionDefinition {
                    function,
                    visibility,
                    is_entry: flags & FunctionDefinition::ENTRY != 0,
                    acquires_global_resources: acquires,
                    code,
                }
            });
            layout.function_code = code_layouts;
        }
        TableKind::FieldHandles => entries!(tables.field_handles, |r| FieldHandle {
            owner: StructDefinitionIndex(r.index("struct_def_idx")?),
            field: r.uleb("field offset", limits::FIELD_OFFSET_MAX)? as MemberCount,
        }),
        TableKind::FieldInstantiations => {
            entries!(tables.field_instantiations, |r| FieldInstantiation {
                handle: FieldHandleIndex(r.index("field_handle_idx")?),
                type_parameters: SignatureIndex(r.index("type_args_sig_idx")?),
            })
        }
    }
    layout.entries.insert(kind, offsets);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The cursor
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum CodeOwner {
    Function(usize),
    Script,
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    scope: &'static str,
    version: u32,
    location: Location,
}

impl<'a> Reader<'a> {
    fn new(
        bytes: &'a [u8],
        pos: usize,
        end: usize,
        scope: &'static str,
        version: u32,
        location: Location,
    ) -> Self {
        Reader {
            bytes,
            pos,
            end,
            scope,
            version,
            location,
        }
    }

    fn error_at(&self, offset: usize, kind: ErrorKind) -> DeserializeError {
        DeserializeError::new(offset, self.location.clone(), kind)
    }

    fn end_error(&self, expected: &'static str) -> DeserializeError {
        self.error_at(
            self.pos,
            ErrorKind::UnexpectedEnd {
                scope: self.scope,
                expected,
            },
        )
    }

    fn finish(&self, unit: &'static str) -> Result<(), DeserializeError> {
        if self.pos < self.end {
            Err(DeserializeError::new(
                self.pos,
                Location::End,
                ErrorKind::TrailingBytes {
                    count: self.end - self.pos,
                    unit,
                },
            ))
        } else {
            Ok(())
        }
    }

    fn u8(&mut self, expected: &'static str) -> Result<u8, DeserializeError> {
        if self.pos >= self.end {
            return Err(self.end_error(expected));
        }
        let byte = self.bytes[self.pos];
        self.pos += 1;
        Ok(byte)
    }

    fn bytes(&mut self, n: usize, expected: &'static str) -> Result<&'a [u8], DeserializeError> {
        if self.end - self.pos < n {
            return Err(self.end_error(expected));
        }
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    fn fixed<const N: usize>(
        &mut self,
        expected: &'static str,
    ) -> Result<[u8; N], DeserializeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N, expected)?);
        Ok(out)
    }

    fn u32(&mut self, expected: &'static str) -> Result<u32, DeserializeError> {
        Ok(u32::from_le_bytes(self.fixed(expected)?))
    }

    /// A ULEB128 value for `what`, at most `max`. Rejects over-long and non-minimal encodings.
    fn uleb(&mut self, what: &'static str, max: u64) -> Result<u64, DeserializeError> {
        let start = self.pos;
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            if self.pos >= self.end {
                return Err(self.end_error(what));
            }
            let byte = self.bytes[self.pos];
            self.pos += 1;
            let group = (byte & 0x7f) as u64;
            if shift >= 64 || (shift > 0 && (group << shift) >> shift != group) {
                return Err(self.error_at(
                    start,
                    ErrorKind::BadUleb {
                        what,
                        reason: "value does not fit in 64 bits",
                    },
                ));
            }
            value |= group << shift;
            if byte & 0x80 == 0 {
                if shift > 0 && group == 0 {
                    return Err(self.error_at(
                        start,
                        ErrorKind::BadUleb {
                            what,
                            reason: "non-minimal encoding (last byte is 0x00)",
                        },
                    ));
                }
                break;
            }
            shift += 7;
        }
        if value > max {
            return Err(self.error_at(start, ErrorKind::ValueTooLarge { what, value, max }));
        }
        Ok(value)
    }

    fn index(&mut self, what: &'static str) -> Result<TableIndex, DeserializeError> {
        Ok(self.uleb(what, limits::TABLE_INDEX_MAX)? as TableIndex)
    }

    fn module_handle(&mut self) -> Result<ModuleHandle, DeserializeError> {
        Ok(ModuleHandle {
            address: AddressIdentifierIndex(self.index("address_idx")?),
            name: IdentifierIndex(self.index("name_idx")?),
        })
    }

    fn ability_set(&mut self) -> Result<AbilitySet, DeserializeError> {
        let start = self.pos;
        let bits = self.uleb("ability set", u64::MAX)?;
        u8::try_from(bits)
            .ok()
            .and_then(AbilitySet::from_u8)
            .ok_or_else(|| self.error_at(start, ErrorKind::UnknownAbilities(bits)))
    }

    fn ability_sets(&mut self) -> Result<Vec<AbilitySet>, DeserializeError> {
        let count = self.uleb("type parameter count", limits::TYPE_PARAMETER_COUNT_MAX)?;
        let mut sets = Vec::new();
        for _ in 0..count {
            sets.push(self.ability_set()?);
        }
        Ok(sets)
    }

    fn token(&mut self) -> Result<SignatureToken, DeserializeError> {
        self.token_at_depth(1)
    }

    fn token_at_depth(&mut self, depth: usize) -> Result<SignatureToken, DeserializeError> {
        use type_tags as t;
        let start = self.pos;
        if depth > limits::SIGNATURE_TOKEN_DEPTH_MAX {
            return Err(self.error_at(
                start,
                ErrorKind::TypeTooDeep(limits::SIGNATURE_TOKEN_DEPTH_MAX),
            ));
        }
        let tag = self.u8("signature token")?;
        let needs_v6 = |name: &'static str, r: &Self| {
            if r.version < VERSION_6 {
                Err(r.error_at(
                    start,
                    ErrorKind::NotInVersion {
                        what: name,
                        min_version: VERSION_6,
                        version: r.version,
                    },
                ))
            } else {
                Ok(())
            }
        };
        Ok(match tag {
            t::BOOL => SignatureToken::Bool,
            t::U8 => SignatureToken::U8,
            t::U64 => SignatureToken::U64,
            t::U128 => SignatureToken::U128,
            t::ADDRESS => SignatureToken::Address,
            t::SIGNER => SignatureToken::Signer,
            t::U16 => {
                needs_v6("type u16", self)?;
                SignatureToken::U16
            }
            t::U32 => {
                needs_v6("type u32", self)?;
                SignatureToken::U32
            }
            t::U256 => {
                needs_v6("type u256", self)?;
                SignatureToken::U256
            }
            t::VECTOR => SignatureToken::Vector(Box::new(self.token_at_depth(depth + 1)?)),
            t::REFERENCE => SignatureToken::Reference(Box::new(self.token_at_depth(depth + 1)?)),
            t::MUTABLE_REFERENCE => {
                SignatureToken::MutableReference(Box::new(self.token_at_depth(depth + 1)?))
            }
            t::STRUCT => {
                SignatureToken::Struct(StructHandleIndex(self.index("struct_handle_idx")?))
            }
            t::STRUCT_INST => {
                let handle = StructHandleIndex(self.index("struct_handle_idx")?);
                let count_pos = self.pos;
                let count = self.uleb("type argument count", limits::TYPE_PARAMETER_COUNT_MAX)?;
                if count == 0 {
                    return Err(self.error_at(count_pos, ErrorKind::ZeroTypeArguments));
                }
                let mut args = Vec::new();
                for _ in 0..count {
                    args.push(self.token_at_depth(depth + 1)?);
                }
                SignatureToken::StructInstantiation(handle, args)
            }
            t::TYPE_PARAMETER => SignatureToken::TypeParameter(
                self.uleb("type parameter index", u16::MAX as u64)? as TypeParameterIndex,
            ),
            other => return Err(self.error_at(start, ErrorKind::UnknownTypeTag(other))),
        })
    }

    fn code_unit(&mut self, owner: CodeOwner) -> Result<(CodeUnit, CodeLayout), DeserializeError> {
        let outer = self.location.clone();
        let set_location = |r: &mut Self, instruction: Option<usize>| {
            r.location = match owner {
                CodeOwner::Function(function) => Location::FunctionCode {
                    function,
                    instruction,
                },
                CodeOwner::Script => Location::ScriptCode { instruction },
            };
        };
        set_location(self, None);
        let offset = self.pos;
        let locals = SignatureIndex(self.index("locals signature index")?);
        let count = self.uleb("instruction count", limits::BYTECODE_COUNT_MAX)?;
        // Every instruction takes at least one byte, so this capacity is bounded by the input.
        let capacity = (count as usize).min(self.end - self.pos);
        let mut code = Vec::with_capacity(capacity);
        let mut instructions = Vec::with_capacity(capacity);
        for i in 0..count as usize {
            set_location(self, Some(i));
            instructions.push(self.pos);
            code.push(self.instruction()?);
        }
        self.location = outer;
        Ok((
            CodeUnit { locals, code },
            CodeLayout {
                offset,
                instructions,
            },
        ))
    }

    fn instruction(&mut self) -> Result<Bytecode, DeserializeError> {
        use Bytecode as B;
        let start = self.pos;
        let byte = self.u8("opcode")?;
        let opcode = Opcode::from_u8(byte)
            .ok_or_else(|| self.error_at(start, ErrorKind::UnknownOpcode(byte)))?;
        if opcode.min_version() > self.version {
            return Err(self.error_at(
                start,
                ErrorKind::NotInVersion {
                    what: opcode.name(),
                    min_version: opcode.min_version(),
                    version: self.version,
                },
            ));
        }
        let offset = |r: &mut Self| -> Result<CodeOffset, DeserializeError> {
            Ok(r.uleb("code offset", limits::BYTECODE_INDEX_MAX)? as CodeOffset)
        };
        let local = |r: &mut Self| -> Result<LocalIndex, DeserializeError> {
            Ok(r.uleb("local index", limits::LOCAL_INDEX_MAX)? as LocalIndex)
        };
        let sd = |r: &mut Self| {
            Ok::<_, DeserializeError>(StructDefinitionIndex(r.index("struct_def_idx")?))
        };
        let sdi = |r: &mut Self| {
            Ok::<_, DeserializeError>(StructDefInstantiationIndex(r.index("struct_def_inst_idx")?))
        };
        let sig =
            |r: &mut Self| Ok::<_, DeserializeError>(SignatureIndex(r.index("signature index")?));
        let fld = |r: &mut Self| {
            Ok::<_, DeserializeError>(FieldHandleIndex(r.index("field_handle_idx")?))
        };
        let fldi = |r: &mut Self| {
            Ok::<_, DeserializeError>(FieldInstantiationIndex(r.index("field_inst_idx")?))
        };
        Ok(match opcode {
            Opcode::Pop => B::Pop,
            Opcode::Ret => B::Ret,
            Opcode::BrTrue => B::BrTrue(offset(self)?),
            Opcode::BrFalse => B::BrFalse(offset(self)?),
            Opcode::Branch => B::Branch(offset(self)?),
            Opcode::LdU8 => B::LdU8(self.u8("u8 immediate")?),
            Opcode::LdU16 => B::LdU16(u16::from_le_bytes(self.fixed("u16 immediate")?)),
            Opcode::LdU32 => B::LdU32(u32::from_le_bytes(self.fixed("u32 immediate")?)),
            Opcode::LdU64 => B::LdU64(u64::from_le_bytes(self.fixed("u64 immediate")?)),
            Opcode::LdU128 => B::LdU128(u128::from_le_bytes(self.fixed("u128 immediate")?)),
            Opcode::LdU256 => B::LdU256(U256::from_le_bytes(self.fixed("u256 immediate")?)),
            Opcode::CastU8 => B::CastU8,
            Opcode::CastU16 => B::CastU16,
            Opcode::CastU32 => B::CastU32,
            Opcode::CastU64 => B::CastU64,
            Opcode::CastU128 => B::CastU128,
            Opcode::CastU256 => B::CastU256,
            Opcode::LdConst => B::LdConst(ConstantPoolIndex(self.index("constant index")?)),
            Opcode::LdTrue => B::LdTrue,
            Opcode::LdFalse => B::LdFalse,
            Opcode::CopyLoc => B::CopyLoc(local(self)?),
            Opcode::MoveLoc => B::MoveLoc(local(self)?),
            Opcode::StLoc => B::StLoc(local(self)?),
            Opcode::MutBorrowLoc => B::MutBorrowLoc(local(self)?),
            Opcode::ImmBorrowLoc => B::ImmBorrowLoc(local(self)?),
            Opcode::MutBorrowField => B::MutBorrowField(fld(self)?),
            Opcode::ImmBorrowField => B::ImmBorrowField(fld(self)?),
            Opcode::MutBorrowFieldGeneric => B::MutBorrowFieldGeneric(fldi(self)?),
            Opcode::ImmBorrowFieldGeneric => B::ImmBorrowFieldGeneric(fldi(self)?),
            Opcode::Call => B::Call(FunctionHandleIndex(self.index("function_handle_idx")?)),
            Opcode::CallGeneric => {
                B::CallGeneric(FunctionInstantiationIndex(self.index("function_inst_idx")?))
            }
            Opcode::Pack => B::Pack(sd(self)?),
            Opcode::Unpack => B::Unpack(sd(self)?),
            Opcode::PackGeneric => B::PackGeneric(sdi(self)?),
            Opcode::UnpackGeneric => B::UnpackGeneric(sdi(self)?),
            Opcode::ReadRef => B::ReadRef,
            Opcode::WriteRef => B::WriteRef,
            Opcode::FreezeRef => B::FreezeRef,
            Opcode::Add => B::Add,
            Opcode::Sub => B::Sub,
            Opcode::Mul => B::Mul,
            Opcode::Mod => B::Mod,
            Opcode::Div => B::Div,
            Opcode::BitOr => B::BitOr,
            Opcode::BitAnd => B::BitAnd,
            Opcode::Xor => B::Xor,
            Opcode::Or => B::Or,
            Opcode::And => B::And,
            Opcode::Not => B::Not,
            Opcode::Eq => B::Eq,
            Opcode::Neq => B::Neq,
            Opcode::Lt => B::Lt,
            Opcode::Gt => B::Gt,
            Opcode::Le => B::Le,
            Opcode::Ge => B::Ge,
            Opcode::Abort => B::Abort,
            Opcode::Nop => B::Nop,
            Opcode::Shl => B::Shl,
            Opcode::Shr => B::Shr,
            Opcode::Exists => B::Exists(sd(self)?),
            Opcode::ExistsGeneric => B::ExistsGeneric(sdi(self)?),
            Opcode::MutBorrowGlobal => B::MutBorrowGlobal(sd(self)?),
            Opcode::MutBorrowGlobalGeneric => B::MutBorrowGlobalGeneric(sdi(self)?),
            Opcode::ImmBorrowGlobal => B::ImmBorrowGlobal(sd(self)?),
            Opcode::ImmBorrowGlobalGeneric => B::ImmBorrowGlobalGeneric(sdi(self)?),
            Opcode::MoveFrom => B::MoveFrom(sd(self)?),
            Opcode::MoveFromGeneric => B::MoveFromGeneric(sdi(self)?),
            Opcode::MoveTo => B::MoveTo(sd(self)?),
            Opcode::MoveToGeneric => B::MoveToGeneric(sdi(self)?),
            Opcode::VecPack => {
                let s = sig(self)?;
                B::VecPack(s, u64::from_le_bytes(self.fixed("u64 element count")?))
            }
            Opcode::VecUnpack => {
                let s = sig(self)?;
                B::VecUnpack(s, u64::from_le_bytes(self.fixed("u64 element count")?))
            }
            Opcode::VecLen => B::VecLen(sig(self)?),
            Opcode::VecImmBorrow => B::VecImmBorrow(sig(self)?),
            Opcode::VecMutBorrow => B::VecMutBorrow(sig(self)?),
            Opcode::VecPushBack => B::VecPushBack(sig(self)?),
            Opcode::VecPopBack => B::VecPopBack(sig(self)?),
            Opcode::VecSwap => B::VecSwap(sig(self)?),
        })
    }
}

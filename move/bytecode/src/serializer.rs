//! The writer: [`CompiledModule`] / [`CompiledScript`] to bytes, exactly as the upstream
//! serializer lays them out (`bytecode-format.md` §3): empty tables omitted, tables in the
//! upstream writer order, contiguous from offset 0, every integer in its canonical encoding.
//! Reading a canonical binary and writing it back gives the same bytes.

use crate::error::SerializeError;
use crate::file_format::*;

type Result<T> = std::result::Result<T, SerializeError>;

impl CompiledModule {
    /// Writes the module in its own version.
    pub fn serialize(&self) -> Result<Vec<u8>> {
        self.serialize_for_version(self.version)
    }

    /// Writes the module in `version` (5–7); fails if it uses constructs that version lacks.
    pub fn serialize_for_version(&self, version: u32) -> Result<Vec<u8>> {
        let mut w = Writer::new(version)?;
        let mut content = Vec::new();
        let mut dir = Vec::new();
        for kind in TableKind::WRITER_ORDER {
            let start = content.len();
            w.write_module_table(kind, self, &mut content)?;
            if content.len() > start {
                dir.push((kind, start, content.len() - start));
            }
        }
        let mut out = w.header(&dir, content.len())?;
        out.extend_from_slice(&content);
        uleb_index(&mut out, self.self_module_handle_idx.0)?;
        Ok(out)
    }
}

impl CompiledScript {
    /// Writes the script in its own version.
    pub fn serialize(&self) -> Result<Vec<u8>> {
        self.serialize_for_version(self.version)
    }

    /// Writes the script in `version` (5–7); fails if it uses constructs that version lacks.
    pub fn serialize_for_version(&self, version: u32) -> Result<Vec<u8>> {
        let mut w = Writer::new(version)?;
        let mut content = Vec::new();
        let mut dir = Vec::new();
        for kind in TableKind::WRITER_ORDER {
            let start = content.len();
            w.write_common_table(kind, self.view(), &mut content)?;
            if content.len() > start {
                dir.push((kind, start, content.len() - start));
            }
        }
        let mut out = w.header(&dir, content.len())?;
        out.extend_from_slice(&content);
        w.ability_sets(&mut out, &self.type_parameters)?;
        uleb_index(&mut out, self.parameters.0)?;
        w.code_unit(&mut out, &self.code)?;
        Ok(out)
    }
}

impl CompiledUnit {
    /// Writes the unit in its own version.
    pub fn serialize(&self) -> Result<Vec<u8>> {
        match self {
            CompiledUnit::Module(m) => m.serialize(),
            CompiledUnit::Script(s) => s.serialize(),
        }
    }
}

/// Writes a module (same as [`CompiledModule::serialize`]).
pub fn serialize_module(module: &CompiledModule) -> Result<Vec<u8>> {
    module.serialize()
}

/// Writes a script (same as [`CompiledScript::serialize`]).
pub fn serialize_script(script: &CompiledScript) -> Result<Vec<u8>> {
    script.serialize()
}

// ---------------------------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------------------------

/// Appends `value` as ULEB128.
pub fn write_uleb128(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let group = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(group);
            return;
        }
        out.push(group | 0x80);
    }
}

fn uleb_max(out: &mut Vec<u8>, what: &'static str, value: u64, max: u64) -> Result<()> {
    if value > max {
        return Err(SerializeError::LimitExceeded { what, value, max });
    }
    write_uleb128(out, value);
    Ok(())
}

fn uleb_index(out: &mut Vec<u8>, index: TableIndex) -> Result<()> {
    write_uleb128(out, index as u64);
    Ok(())
}

fn count(out: &mut Vec<u8>, what: &'static str, len: usize, max: u64) -> Result<()> {
    uleb_max(out, what, len as u64, max)
}

fn blob(out: &mut Vec<u8>, what: &'static str, bytes: &[u8], max: u64) -> Result<()> {
    count(out, what, bytes.len(), max)?;
    out.extend_from_slice(bytes);
    Ok(())
}

/// Checks that a table has at most `TABLE_INDEX_MAX + 1` entries, so every index fits.
fn table_len(what: &'static str, len: usize) -> Result<()> {
    if len as u64 > limits::TABLE_INDEX_MAX + 1 {
        return Err(SerializeError::LimitExceeded {
            what,
            value: len as u64,
            max: limits::TABLE_INDEX_MAX + 1,
        });
    }
    Ok(())
}

struct Writer {
    version: u32,
}

impl Writer {
    fn new(version: u32) -> Result<Writer> {
        if !(VERSION_MIN..=VERSION_MAX).contains(&version) {
            return Err(SerializeError::UnsupportedVersion {
                version,
                min: VERSION_MIN,
                max: VERSION_MAX,
            });
        }
        Ok(Writer { version })
    }

    fn header(&self, dir: &[(TableKind, usize, usize)], content_len: usize) -> Result<Vec<u8>> {
        if content_len as u64 > limits::TABLE_SIZE_MAX {
            return Err(SerializeError::LimitExceeded {
                what: "table contents size",
                value: content_len as u64,
                max: limits::TABLE_SIZE_MAX,
            });
        }
        let mut out = Vec::with_capacity(16 + dir.len() * 6 + content_len);
        out.extend_from_slice(&MOVE_MAGIC);
        let word = if self.version >= VERSION_7 {
            APTOS_BYTECODE_VERSION_MASK | self.version
        } else {
            self.version
        };
        out.extend_from_slice(&word.to_le_bytes());
        write_uleb128(&mut out, dir.len() as u64);
        for (kind, offset, length) in dir {
            out.push(kind.as_u8());
            write_uleb128(&mut out, *offset as u64);
            write_uleb128(&mut out, *length as u64);
        }
        Ok(out)
    }

    fn write_common_table(
        &mut self,
        kind: TableKind,
        v: BinaryIndexedView<'_>,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        match kind {
            TableKind::ModuleHandles => {
                table_len("MODULE_HANDLES entries", v.module_handles().len())?;
                for h in v.module_handles() {
                    module_handle(out, h)?;
                }
            }
            TableKind::StructHandles => {
                table_len("STRUCT_HANDLES entries", v.struct_handles().len())?;
                for h in v.struct_handles() {
                    uleb_index(out, h.module.0)?;
                    uleb_index(out, h.name.0)?;
                    ability_set(out, h.abilities);
                    count(
                        out,
                        "struct type parameter count",
                        h.type_parameters.len(),
                        limits::TYPE_PARAMETER_COUNT_MAX,
                    )?;
                    for p in &h.type_parameters {
                        ability_set(out, p.constraints);
                        write_uleb128(out, p.is_phantom as u64);
                    }
                }
            }
            TableKind::FunctionHandles => {
                table_len("FUNCTION_HANDLES entries", v.function_handles().len())?;
                for h in v.function_handles() {
                    uleb_index(out, h.module.0)?;
                    uleb_index(out, h.name.0)?;
                    uleb_index(out, h.parameters.0)?;
                    uleb_index(out, h.return_.0)?;
                    self.ability_sets(out, &h.type_parameters)?;
                    if self.version >= VERSION_7 {
                        out.push(0); // no access specifiers
                    }
                }
            }
            TableKind::FunctionInstantiations => {
                table_len("FUNCTION_INST entries", v.function_instantiations().len())?;
                for fi in v.function_instantiations() {
                    uleb_index(out, fi.handle.0)?;
                    uleb_index(out, fi.type_parameters.0)?;
                }
            }
            TableKind::Signatures => {
                table_len("SIGNATURES entries", v.signatures().len())?;
                for sig in v.signatures() {
                    count(
                        out,
                        "signature token count",
                        sig.len(),
                        limits::SIGNATURE_SIZE_MAX,
                    )?;
                    for token in sig.tokens() {
                        self.token(out, token)?;
                    }
                }
            }
            TableKind::Identifiers => {
                table_len("IDENTIFIERS entries", v.identifiers().len())?;
                for ident in v.identifiers() {
                    blob(
                        out,
                        "identifier length",
                        ident.as_bytes(),
                        limits::IDENTIFIER_SIZE_MAX,
                    )?;
                }
            }
            TableKind::AddressIdentifiers => {
                table_len("ADDRESS_IDENTIFIERS entries", v.address_identifiers().len())?;
                for address in v.address_identifiers() {
                    out.extend_from_slice(address.as_bytes());
                }
            }
            TableKind::ConstantPool => {
                table_len("CONSTANT_POOL entries", v.constant_pool().len())?;
                for c in v.constant_pool() {
                    self.token(out, &c.type_)?;
                    blob(
                        out,
                        "constant data length",
                        &c.data,
                        limits::CONSTANT_SIZE_MAX,
                    )?;
                }
            }
            TableKind::Metadata => {
                for m in v.metadata() {
                    blob(
                        out,
                        "metadata key length",
                        &m.key,
                        limits::METADATA_KEY_SIZE_MAX,
                    )?;
                    blob(
                        out,
                        "metadata value length",
                        &m.value,
                        limits::METADATA_VALUE_SIZE_MAX,
                    )?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn write_module_table(
        &mut self,
        kind: TableKind,
        m: &CompiledModule,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        match kind {
            TableKind::StructDefinitions => {
                table_len("STRUCT_DEFS entries", m.struct_defs.len())?;
                for def in &m.struct_defs {
                    uleb_index(out, def.struct_handle.0)?;
                    match &def.field_information {
                        StructFieldInformation::Native => out.push(0x01),
                        StructFieldInformation::Declared(fields) => {
                            out.push(0x02);
                            count(out, "field count", fields.len(), limits::FIELD_COUNT_MAX)?;
                            for field in fields {
                                uleb_index(out, field.name.0)?;
                                self.token(out, &field.signature.0)?;
                            }
                        }
                    }
                }
            }
            TableKind::StructDefInstantiations => {
                table_len("STRUCT_DEF_INST entries", m.struct_def_instantiations.len())?;
                for inst in &m.struct_def_instantiations {
                    uleb_index(out, inst.def.0)?;
                    uleb_index(out, inst.type_parameters.0)?;
                }
            }
            TableKind::FunctionDefinitions => {
                table_len("FUNCTION_DEFS entries", m.function_defs.len())?;
                for def in &m.function_defs {
                    uleb_index(out, def.function.0)?;
                    out.push(def.visibility as u8);
                    out.push(def.flags());
                    count(
                        out,
                        "acquires count",
                        def.acquires_global_resources.len(),
                        limits::ACQUIRES_COUNT_MAX,
                    )?;
                    for sd in &def.acquires_global_resources {
                        uleb_index(out, sd.0)?;
                    }
                    if let Some(code) = &def.code {
                        self.code_unit(out, code)?;
                    }
                }
            }
            TableKind::FieldHandles => {
                table_len("FIELD_HANDLE entries", m.field_handles.len())?;
                for fh in &m.field_handles {
                    uleb_index(out, fh.owner.0)?;
                    uleb_max(
                        out,
                        "field offset",
                        fh.field as u64,
                        limits::FIELD_OFFSET_MAX,
                    )?;
                }
            }
            TableKind::FieldInstantiations => {
                table_len("FIELD_INST entries", m.field_instantiations.len())?;
                for fi in &m.field_instantiations {
                    uleb_index(out, fi.handle.0)?;
                    uleb_index(out, fi.type_parameters.0)?;
                }
            }
            TableKind::FriendDecls => {
                table_len("FRIEND_DECLS entries", m.friend_decls.len())?;
                for h in &m.friend_decls {
                    module_handle(out, h)?;
                }
            }
            common => self.write_common_table(common, m.view(), out)?,
        }
        Ok(())
    }

    fn ability_sets(&self, out: &mut Vec<u8>, sets: &[AbilitySet]) -> Result<()> {
        count(
            out,
            "type parameter count",
            sets.len(),
            limits::TYPE_PARAMETER_COUNT_MAX,
        )?;
        for set in sets {
            ability_set(out, *set);
        }
        Ok(())
    }

    /// Writes a token in pre-order without recursion.
    fn token(&self, out: &mut Vec<u8>, token: &SignatureToken) -> Result<()> {
        for (node, depth) in token.preorder_with_depth() {
            if depth > limits::SIGNATURE_TOKEN_DEPTH_MAX {
                return Err(SerializeError::TypeTooDeep(
                    limits::SIGNATURE_TOKEN_DEPTH_MAX,
                ));
            }
            if matches!(
                node,
                SignatureToken::U16 | SignatureToken::U32 | SignatureToken::U256
            ) && self.version < VERSION_6
            {
                return Err(SerializeError::NotInVersion {
                    what: "u16/u32/u256 types",
                    min_version: VERSION_6,
                    version: self.version,
                });
            }
            out.push(node.tag());
            match node {
                SignatureToken::Struct(sh) => uleb_index(out, sh.0)?,
                SignatureToken::StructInstantiation(sh, args) => {
                    uleb_index(out, sh.0)?;
                    if args.is_empty() {
                        return Err(SerializeError::ZeroTypeArguments);
                    }
                    count(
                        out,
                        "type argument count",
                        args.len(),
                        limits::TYPE_PARAMETER_COUNT_MAX,
                    )?;
                }
                SignatureToken::TypeParameter(idx) => write_uleb128(out, *idx as u64),
                _ => {}
            }
        }
        Ok(())
    }

    fn code_unit(&self, out: &mut Vec<u8>, code: &CodeUnit) -> Result<()> {
        uleb_index(out, code.locals.0)?;
        count(
            out,
            "instruction count",
            code.code.len(),
            limits::BYTECODE_COUNT_MAX,
        )?;
        for instruction in &code.code {
            self.instruction(out, instruction)?;
        }
        Ok(())
    }

    fn instruction(&self, out: &mut Vec<u8>, instruction: &Bytecode) -> Result<()> {
        use Bytecode as B;
        let opcode = instruction.opcode();
        if opcode.min_version() > self.version {
            return Err(SerializeError::NotInVersion {
                what: opcode.name(),
                min_version: opcode.min_version(),
                version: self.version,
            });
        }
        out.push(opcode as u8);
        match instruction {
            B::BrTrue(o) | B::BrFalse(o) | B::Branch(o) => write_uleb128(out, *o as u64),
            B::LdU8(v) => out.push(*v),
            B::LdU16(v) => out.extend_from_slice(&v.to_le_bytes()),
            B::LdU32(v) => out.extend_from_slice(&v.to_le_bytes()),
            B::LdU64(v) => out.extend_from_slice(&v.to_le_bytes()),
            B::LdU128(v) => out.extend_from_slice(&v.to_le_bytes()),
            B::LdU256(v) => out.extend_from_slice(&v.to_le_bytes()),
            B::LdConst(i) => uleb_index(out, i.0)?,
            B::CopyLoc(l)
            | B::MoveLoc(l)
            | B::StLoc(l)
            | B::MutBorrowLoc(l)
            | B::ImmBorrowLoc(l) => write_uleb128(out, *l as u64),
            B::Call(i) => uleb_index(out, i.0)?,
            B::CallGeneric(i) => uleb_index(out, i.0)?,
            B::Pack(i)
            | B::Unpack(i)
            | B::MutBorrowGlobal(i)
            | B::ImmBorrowGlobal(i)
            | B::Exists(i)
            | B::MoveFrom(i)
            | B::MoveTo(i) => uleb_index(out, i.0)?,
            B::PackGeneric(i)
            | B::UnpackGeneric(i)
            | B::MutBorrowGlobalGeneric(i)
            | B::ImmBorrowGlobalGeneric(i)
            | B::ExistsGeneric(i)
            | B::MoveFromGeneric(i)
            | B::MoveToGeneric(i) => uleb_index(out, i.0)?,
            B::MutBorrowField(i) | B::ImmBorrowField(i) => uleb_index(out, i.0)?,
            B::MutBorrowFieldGeneric(i) | B::ImmBorrowFieldGeneric(i) => uleb_index(out, i.0)?,
            B::VecPack(s, n) | B::VecUnpack(s, n) => {
                uleb_index(out, s.0)?;
                out.extend_from_slice(&n.to_le_bytes());
            }
            B::VecLen(s)
            | B::VecImmBorrow(s)
            | B::VecMutBorrow(s)
            | B::VecPushBack(s)
            | B::VecPopBack(s)
            | B::VecSwap(s) => uleb_index(out, s.0)?,
            _ => {}
        }
        Ok(())
    }
}

fn module_handle(out: &mut Vec<u8>, h: &ModuleHandle) -> Result<()> {
    uleb_index(out, h.address.0)?;
    uleb_index(out, h.name.0)
}

fn ability_set(out: &mut Vec<u8>, set: AbilitySet) {
    write_uleb128(out, set.into_u8() as u64);
}

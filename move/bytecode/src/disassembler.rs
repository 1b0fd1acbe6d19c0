//! A readable listing of a compiled module or script: the header and table directory, every
//! table (handles, instantiations, signatures, identifiers, addresses, constants decoded by type,
//! metadata), struct definitions with fields and abilities, and function definitions with
//! visibility, `entry`, `acquires`, locals and their code with instruction indexes.
//!
//! When a [`BinaryLayout`] is known (from [`deserialize_with_layout`], or recomputed by writing
//! the unit), every entry and instruction line starts with its absolute file offset.
//!
//! The listing tolerates out-of-range indexes (it prints `<bad SIG9>`), so it never panics even
//! on a unit that was read without bounds checks.

use std::fmt::Write as _;

use crate::constant::{byte_string_literal, is_printable, ConstantValue};
use crate::deserializer::{deserialize_with_layout, BinaryLayout, DeserializerConfig, UnitKind};
use crate::file_format::*;
use crate::metadata::RuntimeModuleMetadata;

/// Bytes per line when a long byte string is printed in hex.
const HEX_BYTES_PER_LINE: usize = 64;
/// Bytes shown of a byte string in an instruction annotation.
const ANNOTATION_BYTES: usize = 16;

/// Disassembles a module.
pub fn disassemble_module(module: &CompiledModule) -> String {
    Disassembler::new(module.view()).render()
}

/// Disassembles a script.
pub fn disassemble_script(script: &CompiledScript) -> String {
    Disassembler::new(script.view()).render()
}

/// Disassembles a unit; with its layout, lines carry file offsets.
pub fn disassemble(unit: &CompiledUnit, layout: Option<&BinaryLayout>) -> String {
    match layout {
        Some(layout) => Disassembler::with_given_layout(unit.view(), layout.clone()).render(),
        None => Disassembler::new(unit.view()).render(),
    }
}

/// Reads `bytes` (a module or a script, detected) and disassembles it with file offsets.
pub fn disassemble_bytes(bytes: &[u8]) -> Result<String, crate::DeserializeError> {
    let (unit, layout) = deserialize_with_layout(bytes, None, &DeserializerConfig::default())?;
    Ok(disassemble(&unit, Some(&layout)))
}

/// Builds a listing; see the module documentation.
pub struct Disassembler<'a> {
    view: BinaryIndexedView<'a>,
    layout: Option<BinaryLayout>,
    out: String,
}

impl<'a> Disassembler<'a> {
    /// A disassembler for a module or script view. The layout is recomputed by writing the unit
    /// (which reproduces the original bytes of any unit the reader accepted); use
    /// [`Disassembler::with_given_layout`] to give it instead.
    pub fn new(view: BinaryIndexedView<'a>) -> Self {
        let layout = recompute_layout(view);
        Disassembler {
            view,
            layout,
            out: String::new(),
        }
    }

    /// A disassembler that takes the header and file offsets from `layout` (as returned by
    /// [`deserialize_with_layout`] for the bytes the unit was read from).
    pub fn with_given_layout(view: BinaryIndexedView<'a>, layout: BinaryLayout) -> Self {
        Disassembler {
            view,
            layout: Some(layout),
            out: String::new(),
        }
    }

    /// Produces the listing.
    pub fn render(mut self) -> String {
        self.header();
        self.module_handles();
        self.struct_handles();
        self.function_handles();
        self.function_instantiations();
        self.signatures();
        self.identifiers();
        self.addresses();
        self.constants();
        self.metadata();
        if let Some(module) = self.view.module() {
            self.struct_defs(module);
            self.struct_instantiations(module);
            self.field_handles(module);
            self.field_instantiations(module);
            self.friends(module);
            self.function_defs(module);
        }
        if let BinaryIndexedView::Script(script) = self.view {
            self.script_main(script);
        }
        self.out
    }

    // -----------------------------------------------------------------------------------------
    // Names and types
    // -----------------------------------------------------------------------------------------

    fn ident(&self, idx: IdentifierIndex) -> String {
        self.view
            .identifier(idx)
            .map_or_else(|| format!("<bad {idx}>"), |i| i.to_string())
    }

    fn address(&self, idx: AddressIdentifierIndex) -> String {
        self.view
            .address(idx)
            .map_or_else(|| format!("<bad {idx}>"), |a| a.to_string())
    }

    fn module_handle_name(&self, handle: &ModuleHandle) -> String {
        format!(
            "{}::{}",
            self.address(handle.address),
            self.ident(handle.name)
        )
    }

    fn module_name(&self, idx: ModuleHandleIndex) -> String {
        match self.view.module_handles().get(idx.into_index()) {
            Some(h) => self.module_handle_name(h),
            None => format!("<bad {idx}>"),
        }
    }

    fn is_self_module(&self, idx: ModuleHandleIndex) -> bool {
        self.view
            .module()
            .is_some_and(|m| m.self_module_handle_idx == idx)
    }

    /// A struct's name as used in types: bare for this module's structs, `module::Name` else.
    fn struct_type_name(&self, idx: StructHandleIndex) -> String {
        let Some(handle) = self.view.struct_handles().get(idx.into_index()) else {
            return format!("<bad {idx}>");
        };
        let name = self.ident(handle.name);
        if self.is_self_module(handle.module) {
            return name;
        }
        match self.view.module_handles().get(handle.module.into_index()) {
            Some(mh) => format!("{}::{}", self.ident(mh.name), name),
            None => format!("<bad {}>::{name}", handle.module),
        }
    }

    fn token(&self, token: &SignatureToken) -> String {
        match token {
            SignatureToken::Bool => "bool".into(),
            SignatureToken::U8 => "u8".into(),
            SignatureToken::U16 => "u16".into(),
            SignatureToken::U32 => "u32".into(),
            SignatureToken::U64 => "u64".into(),
            SignatureToken::U128 => "u128".into(),
            SignatureToken::U256 => "u256".into(),
            SignatureToken::Address => "address".into(),
            SignatureToken::Signer => "signer".into(),
            SignatureToken::Vector(inner) => format!("vector<{}>", self.token(inner)),
            SignatureToken::Reference(inner) => format!("&{}", self.token(inner)),
            SignatureToken::MutableReference(inner) => format!("&mut {}", self.token(inner)),
            SignatureToken::TypeParameter(i) => format!("T{i}"),
            SignatureToken::Struct(sh) => self.struct_type_name(*sh),
            SignatureToken::StructInstantiation(sh, args) => {
                format!("{}<{}>", self.struct_type_name(*sh), self.tokens(args))
            }
        }
    }

    fn tokens(&self, tokens: &[SignatureToken]) -> String {
        tokens
            .iter()
            .map(|t| self.token(t))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn sig_tokens(&self, idx: SignatureIndex) -> Option<&'a [SignatureToken]> {
        self.view.signature(idx).map(|s| s.tokens())
    }

    /// `(u64, address)` for a signature index.
    fn sig(&self, idx: SignatureIndex) -> String {
        match self.sig_tokens(idx) {
            Some(tokens) => format!("({})", self.tokens(tokens)),
            None => format!("<bad {idx}>"),
        }
    }

    /// `<u64, bool>` for a type-argument signature.
    fn type_args(&self, idx: SignatureIndex) -> String {
        match self.sig_tokens(idx) {
            Some(tokens) => format!("<{}>", self.tokens(tokens)),
            None => format!("<bad {idx}>"),
        }
    }

    fn fun_type_params(params: &[AbilitySet]) -> String {
        if params.is_empty() {
            return String::new();
        }
        let items: Vec<String> = params
            .iter()
            .enumerate()
            .map(|(i, a)| {
                if a.is_empty() {
                    format!("T{i}")
                } else {
                    format!("T{i}: {a}")
                }
            })
            .collect();
        format!("<{}>", items.join(", "))
    }

    fn struct_type_params(params: &[StructTypeParameter]) -> String {
        if params.is_empty() {
            return String::new();
        }
        let items: Vec<String> = params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let phantom = if p.is_phantom { "phantom " } else { "" };
                if p.constraints.is_empty() {
                    format!("{phantom}T{i}")
                } else {
                    format!("{phantom}T{i}: {}", p.constraints)
                }
            })
            .collect();
        format!("<{}>", items.join(", "))
    }

    /// `0x1::m::f<T0>(u64, &signer): bool` for a function handle.
    fn function_signature(
        &self,
        idx: FunctionHandleIndex,
        type_args: Option<SignatureIndex>,
    ) -> String {
        let Some(handle) = self.view.function_handles().get(idx.into_index()) else {
            return format!("<bad {idx}>");
        };
        let generics = match type_args {
            Some(sig) => self.type_args(sig),
            None => Self::fun_type_params(&handle.type_parameters),
        };
        format!(
            "{}::{}{}{}{}",
            self.module_name(handle.module),
            self.ident(handle.name),
            generics,
            self.sig(handle.parameters),
            self.returns(handle.return_),
        )
    }

    /// `: u64`, `: (u64, bool)` or nothing.
    fn returns(&self, idx: SignatureIndex) -> String {
        match self.sig_tokens(idx) {
            Some([]) => String::new(),
            Some([one]) => format!(": {}", self.token(one)),
            Some(many) => format!(": ({})", self.tokens(many)),
            None => format!(": <bad {idx}>"),
        }
    }

    fn struct_def_name(&self, module: &CompiledModule, idx: StructDefinitionIndex) -> String {
        match module.struct_defs.get(idx.into_index()) {
            Some(def) => self.struct_type_name(def.struct_handle),
            None => format!("<bad {idx}>"),
        }
    }

    /// `Struct.field: type` for a field handle.
    fn field_name(&self, module: &CompiledModule, idx: FieldHandleIndex) -> String {
        let Some(fh) = module.field_handles.get(idx.into_index()) else {
            return format!("<bad {idx}>");
        };
        let owner = self.struct_def_name(module, fh.owner);
        match module
            .struct_defs
            .get(fh.owner.into_index())
            .and_then(|d| d.field(fh.field as usize))
        {
            Some(field) => format!(
                "{owner}.{}: {}",
                self.ident(field.name),
                self.token(&field.signature.0)
            ),
            None => format!("{owner}.<bad field {}>", fh.field),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Output helpers
    // -----------------------------------------------------------------------------------------

    fn offset_column(&self, offset: Option<usize>) -> String {
        match (&self.layout, offset) {
            (Some(_), Some(off)) => format!("{off:>7}  "),
            (Some(_), None) => " ".repeat(9),
            (None, _) => String::new(),
        }
    }

    fn entry_line(&mut self, table: TableKind, index: usize, text: &str) {
        let offset = self
            .layout
            .as_ref()
            .and_then(|l| l.entry_offset(table, index));
        let column = self.offset_column(offset);
        let _ = writeln!(self.out, "{column}    {text}");
    }

    fn section(&mut self, title: &str, count: usize) {
        let _ = writeln!(self.out, "\n{title} ({count}):");
    }

    /// Writes a byte string: hex (wrapped when long) and, if printable, as text.
    fn byte_string(&mut self, indent: &str, bytes: &[u8]) {
        if bytes.len() <= HEX_BYTES_PER_LINE {
            let _ = writeln!(self.out, "{indent}x\"{}\"", hex::encode(bytes));
        } else {
            let _ = writeln!(self.out, "{indent}x\"");
            for chunk in bytes.chunks(HEX_BYTES_PER_LINE) {
                let _ = writeln!(self.out, "{indent}  {}", hex::encode(chunk));
            }
            let _ = writeln!(self.out, "{indent}\"");
        }
        if is_printable(bytes) {
            let _ = writeln!(self.out, "{indent}{}", byte_string_literal(bytes));
        }
    }

    // -----------------------------------------------------------------------------------------
    // Sections
    // -----------------------------------------------------------------------------------------

    fn header(&mut self) {
        let kind = match self.view {
            BinaryIndexedView::Module(m) => {
                match m.module_handles.get(m.self_module_handle_idx.into_index()) {
                    Some(h) => format!("module {}", self.module_handle_name(h)),
                    None => "module <bad self handle>".to_string(),
                }
            }
            BinaryIndexedView::Script(_) => "script".to_string(),
        };
        let _ = writeln!(self.out, "// Move bytecode v{} {kind}", self.view.version());
        let Some(layout) = self.layout.clone() else {
            return;
        };
        let _ = writeln!(
            self.out,
            "header: {} bytes; magic a1 1c eb 0b, version {} (word 0x{:08x}), {} tables, {} header bytes",
            layout.len,
            self.view.version(),
            layout.version_word,
            layout.tables.len(),
            layout.header_len
        );
        let _ = writeln!(self.out, "table directory:");
        for t in &layout.tables {
            let _ = writeln!(
                self.out,
                "{:>7}      {:<20} offset {:<7} length {:<7} file {}..{}",
                t.directory_offset,
                t.kind.name(),
                t.offset,
                t.length,
                t.file_offset,
                t.file_offset + t.length as usize
            );
        }
        let trailer = match self.view {
            BinaryIndexedView::Module(m) => {
                format!("self_module_handle_idx {}", m.self_module_handle_idx)
            }
            BinaryIndexedView::Script(_) => "script main".to_string(),
        };
        let _ = writeln!(
            self.out,
            "{:>7}      trailer: {trailer}",
            layout.trailer_offset
        );
    }

    fn module_handles(&mut self) {
        let handles = self.view.module_handles();
        if handles.is_empty() {
            return;
        }
        self.section("module handles", handles.len());
        for (i, h) in handles.iter().enumerate() {
            let text = format!(
                "MH{i} = {}::{}  {}",
                h.address,
                h.name,
                self.module_handle_name(h)
            );
            self.entry_line(TableKind::ModuleHandles, i, &text);
        }
    }

    fn struct_handles(&mut self) {
        let handles = self.view.struct_handles();
        if handles.is_empty() {
            return;
        }
        self.section("struct handles", handles.len());
        for (i, h) in handles.iter().enumerate() {
            let abilities = if h.abilities.is_empty() {
                String::new()
            } else {
                format!(" has {}", h.abilities)
            };
            let text = format!(
                "SH{i} = {}::{}  {}::{}{}{abilities}",
                h.module,
                h.name,
                self.module_name(h.module),
                self.ident(h.name),
                Self::struct_type_params(&h.type_parameters),
            );
            self.entry_line(TableKind::StructHandles, i, &text);
        }
    }

    fn function_handles(&mut self) {
        let handles = self.view.function_handles();
        if handles.is_empty() {
            return;
        }
        self.section("function handles", handles.len());
        for (i, h) in handles.iter().enumerate() {
            let text = format!(
                "FH{i} = {}::{} {} -> {}  {}",
                h.module,
                h.name,
                h.parameters,
                h.return_,
                self.function_signature(FunctionHandleIndex(i as TableIndex), None)
            );
            self.entry_line(TableKind::FunctionHandles, i, &text);
        }
    }

    fn function_instantiations(&mut self) {
        let insts = self.view.function_instantiations();
        if insts.is_empty() {
            return;
        }
        self.section("function instantiations", insts.len());
        for (i, fi) in insts.iter().enumerate() {
            let text = format!(
                "FI{i} = {}<{}>  {}",
                fi.handle,
                fi.type_parameters,
                self.function_signature(fi.handle, Some(fi.type_parameters))
            );
            self.entry_line(TableKind::FunctionInstantiations, i, &text);
        }
    }

    fn signatures(&mut self) {
        let sigs = self.view.signatures();
        if sigs.is_empty() {
            return;
        }
        self.section("signatures", sigs.len());
        for (i, s) in sigs.iter().enumerate() {
            let text = format!("SIG{i} = ({})", self.tokens(s.tokens()));
            self.entry_line(TableKind::Signatures, i, &text);
        }
    }

    fn identifiers(&mut self) {
        let idents = self.view.identifiers();
        if idents.is_empty() {
            return;
        }
        self.section("identifiers", idents.len());
        for (i, ident) in idents.iter().enumerate() {
            self.entry_line(
                TableKind::Identifiers,
                i,
                &format!("IDENT{i} = \"{ident}\""),
            );
        }
    }

    fn addresses(&mut self) {
        let addrs = self.view.address_identifiers();
        if addrs.is_empty() {
            return;
        }
        self.section("address identifiers", addrs.len());
        for (i, a) in addrs.iter().enumerate() {
            self.entry_line(TableKind::AddressIdentifiers, i, &format!("ADDR{i} = {a}"));
        }
    }

    fn constants(&mut self) {
        let constants = self.view.constant_pool();
        if constants.is_empty() {
            return;
        }
        self.section("constants", constants.len());
        for (i, c) in constants.iter().enumerate() {
            let ty = self.token(&c.type_);
            match c.decode() {
                Ok(value) => match value.as_bytes() {
                    Some(bytes) => {
                        let mut head = format!("CONST{i}: {ty} ({} bytes) =", bytes.len());
                        if bytes.starts_with(&MOVE_MAGIC) {
                            if let Ok(m) = CompiledModule::deserialize(&bytes) {
                                head = format!(
                                    "CONST{i}: {ty} ({} bytes, compiled module {}) =",
                                    bytes.len(),
                                    m.self_id()
                                );
                            }
                        }
                        self.entry_line(TableKind::ConstantPool, i, &head);
                        let indent = format!("{}        ", self.offset_column(None));
                        self.byte_string(&indent, &bytes);
                    }
                    None => self.entry_line(
                        TableKind::ConstantPool,
                        i,
                        &format!("CONST{i}: {ty} = {value}"),
                    ),
                },
                Err(e) => {
                    let head = format!("CONST{i}: {ty} = <undecodable: {e}>, raw data:");
                    self.entry_line(TableKind::ConstantPool, i, &head);
                    let indent = format!("{}        ", self.offset_column(None));
                    self.byte_string(&indent, &c.data);
                }
            }
        }
    }

    fn metadata(&mut self) {
        let entries = self.view.metadata();
        if entries.is_empty() {
            return;
        }
        self.section("metadata", entries.len());
        for (i, m) in entries.iter().enumerate() {
            let key = String::from_utf8_lossy(&m.key);
            let head = format!(
                "METADATA{i}: key \"{key}\" ({} bytes), value {} bytes",
                m.key.len(),
                m.value.len()
            );
            self.entry_line(TableKind::Metadata, i, &head);
            let indent = format!("{}        ", self.offset_column(None));
            match RuntimeModuleMetadata::decode(&m.key, &m.value) {
                Ok(decoded) => {
                    let _ = writeln!(self.out, "{indent}error map ({}):", decoded.error_map.len());
                    for (code, desc) in &decoded.error_map {
                        let _ = writeln!(
                            self.out,
                            "{indent}  {code} (0x{code:x}): {} {:?}",
                            desc.code_name, desc.code_description
                        );
                    }
                    for (title, map) in [
                        ("struct attributes", &decoded.struct_attributes),
                        ("function attributes", &decoded.fun_attributes),
                    ] {
                        let _ = writeln!(self.out, "{indent}{title} ({}):", map.len());
                        for (name, attrs) in map {
                            let list: Vec<String> = attrs
                                .iter()
                                .map(|a| {
                                    if a.args.is_empty() {
                                        format!("{} ({})", a.kind_name(), a.kind)
                                    } else {
                                        format!(
                                            "{} ({})({})",
                                            a.kind_name(),
                                            a.kind,
                                            a.args.join(", ")
                                        )
                                    }
                                })
                                .collect();
                            let _ = writeln!(self.out, "{indent}  {name}: {}", list.join(", "));
                        }
                    }
                }
                Err(e) => {
                    let _ = writeln!(self.out, "{indent}raw value ({e}):");
                    self.byte_string(&indent, &m.value);
                }
            }
        }
    }

    fn struct_defs(&mut self, module: &CompiledModule) {
        if module.struct_defs.is_empty() {
            return;
        }
        self.section("struct definitions", module.struct_defs.len());
        for (i, def) in module.struct_defs.iter().enumerate() {
            let handle = module.struct_handles.get(def.struct_handle.into_index());
            let (name, params, abilities) = match handle {
                Some(h) => (
                    self.ident(h.name),
                    Self::struct_type_params(&h.type_parameters),
                    if h.abilities.is_empty() {
                        String::new()
                    } else {
                        format!(" has {}", h.abilities)
                    },
                ),
                None => (
                    format!("<bad {}>", def.struct_handle),
                    String::new(),
                    String::new(),
                ),
            };
            match def.fields() {
                None => {
                    let text = format!(
                        "SD{i} = {}  native struct {name}{params}{abilities}",
                        def.struct_handle
                    );
                    self.entry_line(TableKind::StructDefinitions, i, &text);
                }
                Some(fields) => {
                    let text = format!(
                        "SD{i} = {}  struct {name}{params}{abilities} {{",
                        def.struct_handle
                    );
                    self.entry_line(TableKind::StructDefinitions, i, &text);
                    let indent = format!("{}        ", self.offset_column(None));
                    for (f, field) in fields.iter().enumerate() {
                        let _ = writeln!(
                            self.out,
                            "{indent}{f}: {}: {}",
                            self.ident(field.name),
                            self.token(&field.signature.0)
                        );
                    }
                    let _ = writeln!(self.out, "{}    }}", self.offset_column(None));
                }
            }
        }
    }

    fn struct_instantiations(&mut self, module: &CompiledModule) {
        if module.struct_def_instantiations.is_empty() {
            return;
        }
        self.section(
            "struct instantiations",
            module.struct_def_instantiations.len(),
        );
        for (i, inst) in module.struct_def_instantiations.iter().enumerate() {
            let text = format!(
                "SDI{i} = {}<{}>  {}{}",
                inst.def,
                inst.type_parameters,
                self.struct_def_name(module, inst.def),
                self.type_args(inst.type_parameters)
            );
            self.entry_line(TableKind::StructDefInstantiations, i, &text);
        }
    }

    fn field_handles(&mut self, module: &CompiledModule) {
        if module.field_handles.is_empty() {
            return;
        }
        self.section("field handles", module.field_handles.len());
        for (i, fh) in module.field_handles.iter().enumerate() {
            let text = format!(
                "FLD{i} = {}.{}  {}",
                fh.owner,
                fh.field,
                self.field_name(module, FieldHandleIndex(i as TableIndex))
            );
            self.entry_line(TableKind::FieldHandles, i, &text);
        }
    }

    fn field_instantiations(&mut self, module: &CompiledModule) {
        if module.field_instantiations.is_empty() {
            return;
        }
        self.section("field instantiations", module.field_instantiations.len());
        for (i, fi) in module.field_instantiations.iter().enumerate() {
            let text = format!(
                "FLDI{i} = {}<{}>  {} with {}",
                fi.handle,
                fi.type_parameters,
                self.field_name(module, fi.handle),
                self.type_args(fi.type_parameters)
            );
            self.entry_line(TableKind::FieldInstantiations, i, &text);
        }
    }

    fn friends(&mut self, module: &CompiledModule) {
        if module.friend_decls.is_empty() {
            return;
        }
        self.section("friends", module.friend_decls.len());
        for (i, h) in module.friend_decls.iter().enumerate() {
            let text = format!(
                "FRIEND{i} = {}::{}  {}",
                h.address,
                h.name,
                self.module_handle_name(h)
            );
            self.entry_line(TableKind::FriendDecls, i, &text);
        }
    }

    fn function_defs(&mut self, module: &CompiledModule) {
        if module.function_defs.is_empty() {
            return;
        }
        self.section("function definitions", module.function_defs.len());
        for (i, def) in module.function_defs.iter().enumerate() {
            let Some(handle) = module.function_handles.get(def.function.into_index()) else {
                self.entry_line(
                    TableKind::FunctionDefinitions,
                    i,
                    &format!("FD{i} = <bad {}>", def.function),
                );
                continue;
            };
            let mut modifiers = String::new();
            if def.visibility != Visibility::Private {
                modifiers.push_str(def.visibility.name());
                modifiers.push(' ');
            }
            if def.is_entry {
                modifiers.push_str("entry ");
            }
            if def.is_native() {
                modifiers.push_str("native ");
            }
            let params = self.sig_tokens(handle.parameters).unwrap_or(&[]);
            let param_list: Vec<String> = params
                .iter()
                .enumerate()
                .map(|(p, t)| format!("l{p}: {}", self.token(t)))
                .collect();
            let acquires = if def.acquires_global_resources.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = def
                    .acquires_global_resources
                    .iter()
                    .map(|sd| format!("{sd} {}", self.struct_def_name(module, *sd)))
                    .collect();
                format!(" acquires {}", names.join(", "))
            };
            let text = format!(
                "FD{i} = {}  {modifiers}fun {}{}({}){}{acquires}{}",
                def.function,
                self.ident(handle.name),
                Self::fun_type_params(&handle.type_parameters),
                param_list.join(", "),
                self.returns(handle.return_),
                if def.is_native() { "" } else { " {" }
            );
            self.entry_line(TableKind::FunctionDefinitions, i, &text);
            if let Some(code) = &def.code {
                let layout = self
                    .layout
                    .as_ref()
                    .and_then(|l| l.function_code.get(i).cloned().flatten());
                self.code_unit(
                    Some(module),
                    code,
                    params,
                    layout.as_ref().map(|l| l.instructions.as_slice()),
                );
                let _ = writeln!(self.out, "{}    }}", self.offset_column(None));
            }
        }
    }

    fn script_main(&mut self, script: &CompiledScript) {
        let _ = writeln!(self.out, "\nscript main:");
        let params = self.sig_tokens(script.parameters).unwrap_or(&[]);
        let param_list: Vec<String> = params
            .iter()
            .enumerate()
            .map(|(p, t)| format!("l{p}: {}", self.token(t)))
            .collect();
        let offset = self.layout.as_ref().map(|l| l.trailer_offset);
        let column = self.offset_column(offset);
        let _ = writeln!(
            self.out,
            "{column}    fun main{}({})  type parameters: {}, parameters {} {{",
            Self::fun_type_params(&script.type_parameters),
            param_list.join(", "),
            script.type_parameters.len(),
            script.parameters,
        );
        let layout = self.layout.as_ref().and_then(|l| l.script_code.clone());
        self.code_unit(
            None,
            &script.code,
            params,
            layout.as_ref().map(|l| l.instructions.as_slice()),
        );
        let _ = writeln!(self.out, "{}    }}", self.offset_column(None));
    }

    fn code_unit(
        &mut self,
        module: Option<&CompiledModule>,
        code: &CodeUnit,
        params: &[SignatureToken],
        offsets: Option<&[usize]>,
    ) {
        let locals = self.sig_tokens(code.locals).unwrap_or(&[]);
        let all_locals: Vec<&SignatureToken> = params.iter().chain(locals).collect();
        let pad = self.offset_column(None);
        let local_list: Vec<String> = locals
            .iter()
            .enumerate()
            .map(|(j, t)| format!("l{}: {}", params.len() + j, self.token(t)))
            .collect();
        let _ = writeln!(
            self.out,
            "{pad}        locals {} = ({})",
            code.locals,
            local_list.join(", ")
        );
        let _ = writeln!(
            self.out,
            "{pad}        code ({} instructions):",
            code.code.len()
        );
        for (i, instruction) in code.code.iter().enumerate() {
            let column = self.offset_column(offsets.and_then(|o| o.get(i).copied()));
            let note = self.annotate(module, instruction, &all_locals);
            let text = instruction.to_string();
            let line = if note.is_empty() {
                format!("{column}    {i:>8}: {text}")
            } else {
                format!("{column}    {i:>8}: {text:<28} // {note}")
            };
            let _ = writeln!(self.out, "{}", line.trim_end());
        }
    }

    fn annotate(
        &self,
        module: Option<&CompiledModule>,
        instruction: &Bytecode,
        locals: &[&SignatureToken],
    ) -> String {
        use Bytecode as B;
        let local = |l: &u8| match locals.get(*l as usize) {
            Some(t) => format!("l{l}: {}", self.token(t)),
            None => format!("<bad local {l}>"),
        };
        let struct_inst = |idx: &StructDefInstantiationIndex| match module.and_then(|m| {
            m.struct_def_instantiations
                .get(idx.into_index())
                .map(|inst| (m, inst))
        }) {
            Some((m, inst)) => format!(
                "{}{}",
                self.struct_def_name(m, inst.def),
                self.type_args(inst.type_parameters)
            ),
            None => format!("<bad {idx}>"),
        };
        match instruction {
            B::CopyLoc(l)
            | B::MoveLoc(l)
            | B::StLoc(l)
            | B::MutBorrowLoc(l)
            | B::ImmBorrowLoc(l) => local(l),
            B::LdConst(idx) => match self.view.constant_pool().get(idx.into_index()) {
                Some(c) => {
                    let ty = self.token(&c.type_);
                    match c.decode() {
                        Ok(value) => match value.as_bytes() {
                            Some(bytes) if bytes.len() > ANNOTATION_BYTES => format!(
                                "{ty} ({} bytes) x\"{}…\"",
                                bytes.len(),
                                hex::encode(&bytes[..ANNOTATION_BYTES])
                            ),
                            Some(bytes) if is_printable(&bytes) => {
                                format!("{ty} {}", byte_string_literal(&bytes))
                            }
                            _ => format!("{ty} {}", ConstantValue::to_string(&value)),
                        },
                        Err(_) => format!("{ty} <undecodable>"),
                    }
                }
                None => format!("<bad {idx}>"),
            },
            B::Call(idx) => self.function_signature(*idx, None),
            B::CallGeneric(idx) => {
                match self.view.function_instantiations().get(idx.into_index()) {
                    Some(fi) => self.function_signature(fi.handle, Some(fi.type_parameters)),
                    None => format!("<bad {idx}>"),
                }
            }
            B::Pack(idx)
            | B::Unpack(idx)
            | B::Exists(idx)
            | B::MutBorrowGlobal(idx)
            | B::ImmBorrowGlobal(idx)
            | B::MoveFrom(idx)
            | B::MoveTo(idx) => {
                module.map_or_else(|| format!("<bad {idx}>"), |m| self.struct_def_name(m, *idx))
            }
            B::PackGeneric(idx)
            | B::UnpackGeneric(idx)
            | B::ExistsGeneric(idx)
            | B::MutBorrowGlobalGeneric(idx)
            | B::ImmBorrowGlobalGeneric(idx)
            | B::MoveFromGeneric(idx)
            | B::MoveToGeneric(idx) => struct_inst(idx),
            B::MutBorrowField(idx) | B::ImmBorrowField(idx) => {
                module.map_or_else(|| format!("<bad {idx}>"), |m| self.field_name(m, *idx))
            }
            B::MutBorrowFieldGeneric(idx) | B::ImmBorrowFieldGeneric(idx) => {
                match module.and_then(|m| {
                    m.field_instantiations
                        .get(idx.into_index())
                        .map(|fi| (m, fi))
                }) {
                    Some((m, fi)) => format!(
                        "{} with {}",
                        self.field_name(m, fi.handle),
                        self.type_args(fi.type_parameters)
                    ),
                    None => format!("<bad {idx}>"),
                }
            }
            B::VecPack(sig, _)
            | B::VecUnpack(sig, _)
            | B::VecLen(sig)
            | B::VecImmBorrow(sig)
            | B::VecMutBorrow(sig)
            | B::VecPushBack(sig)
            | B::VecPopBack(sig)
            | B::VecSwap(sig) => match self.sig_tokens(*sig) {
                Some(tokens) => format!("element type {}", self.tokens(tokens)),
                None => format!("<bad {sig}>"),
            },
            _ => String::new(),
        }
    }
}

/// The layout of a unit as the writer lays it out, if it can be written and read back.
fn recompute_layout(view: BinaryIndexedView<'_>) -> Option<BinaryLayout> {
    let (bytes, kind) = match view {
        BinaryIndexedView::Module(m) => (m.serialize().ok()?, UnitKind::Module),
        BinaryIndexedView::Script(s) => (s.serialize().ok()?, UnitKind::Script),
    };
    let config = DeserializerConfig {
        check_bounds: false,
        ..Default::default()
    };
    deserialize_with_layout(&bytes, Some(kind), &config)
        .ok()
        .map(|(_, layout)| layout)
}

impl CompiledModule {
    /// The disassembly listing (see [`crate::disassembler`]).
    pub fn disassemble(&self) -> String {
        disassemble_module(self)
    }
}

impl CompiledScript {
    /// The disassembly listing (see [`crate::disassembler`]).
    pub fn disassemble(&self) -> String {
        disassemble_script(self)
    }
}

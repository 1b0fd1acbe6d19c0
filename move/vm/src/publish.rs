//! Publishing: reads module bytes with `move-bytecode`, orders a bundle by its dependencies, links
//! every struct and function handle to a loaded definition, and translates the code into the
//! interpreter's resolved instructions. Malformed or unlinkable modules are refused with a status;
//! every index taken from the bytes is checked, since no bytecode verifier runs first.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use move_bytecode::file_format::{
    AddressIdentifierIndex, Bytecode, CompiledModule, CompiledScript, FunctionDefinition,
    FunctionHandle, FunctionHandleIndex, IdentifierIndex, ModuleHandle, ModuleHandleIndex,
    Signature, SignatureIndex, SignatureToken, StructFieldInformation, Visibility,
};
use move_bytecode::{AccountAddress, Identifier};

use crate::bcs::{deserialize, Layout};
use crate::instr::Instr;
use crate::loader::{FunctionId, LoadedFunction, LoadedModule, LoadedStruct, Loader, ModuleKey};
use crate::natives;
use crate::status::{StatusCode, VmError, VmResult};
use crate::types::{StructId, Type};

/// Highest bytecode version this VM runs.
pub const MAX_VERSION: u32 = 6;

fn malformed(what: impl Into<String>) -> VmError {
    VmError::new(StatusCode::CODE_DESERIALIZATION_ERROR).with_message(what)
}

fn linker(what: impl Into<String>) -> VmError {
    VmError::new(StatusCode::LINKER_ERROR).with_message(what)
}

/// Checks the magic and that the version is one this VM runs (1 to 6).
fn check_header(bytes: &[u8]) -> VmResult<()> {
    if bytes.len() < 4 || bytes[..4] != move_bytecode::file_format::MOVE_MAGIC {
        return Err(VmError::new(StatusCode::BAD_MAGIC));
    }
    if let Some(word) = bytes.get(4..8) {
        let version = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
        if version == 0 || version > MAX_VERSION {
            return Err(VmError::new(StatusCode::UNKNOWN_VERSION));
        }
    }
    Ok(())
}

/// Reads one module's bytes.
pub fn read_module(bytes: &[u8]) -> VmResult<CompiledModule> {
    check_header(bytes)?;
    CompiledModule::deserialize(bytes).map_err(|e| malformed(e.to_string()))
}

fn module_key(
    m: &CompiledModule,
    handle: &move_bytecode::file_format::ModuleHandle,
) -> VmResult<ModuleKey> {
    let address = m
        .address_identifiers
        .get(handle.address.into_index())
        .ok_or_else(|| malformed("address index out of range"))?;
    let name = m
        .identifiers
        .get(handle.name.into_index())
        .ok_or_else(|| malformed("identifier index out of range"))?;
    Ok(ModuleKey {
        address: address.0,
        name: name.as_str().to_string(),
    })
}

fn self_key(m: &CompiledModule) -> VmResult<ModuleKey> {
    let h = m
        .module_handles
        .get(m.self_module_handle_idx.into_index())
        .ok_or_else(|| malformed("self module handle out of range"))?;
    module_key(m, h)
}

/// Publishes a bundle of modules given as bytes, in dependency order whatever the input order.
/// Returns the keys of the published modules in the order they were loaded.
pub fn publish_bundle(loader: &mut Loader, blobs: &[Vec<u8>]) -> VmResult<Vec<ModuleKey>> {
    let mut by_key: BTreeMap<ModuleKey, CompiledModule> = BTreeMap::new();
    for blob in blobs {
        let m = read_module(blob)?;
        let key = self_key(&m)?;
        if by_key.contains_key(&key) || loader.module_by_key(&key).is_some() {
            return Err(VmError::new(StatusCode::DUPLICATE_MODULE_NAME).with_message(key.label()));
        }
        by_key.insert(key, m);
    }
    // Depth-first topological order; 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state: HashMap<ModuleKey, u8> = HashMap::new();
    let mut order: Vec<ModuleKey> = Vec::new();
    for key in by_key.keys() {
        visit(key, &by_key, loader, &mut state, &mut order)?;
    }
    for key in &order {
        if let Some(m) = by_key.get(key) {
            load_module(loader, m, false)?;
        }
    }
    Ok(order)
}

fn visit(
    key: &ModuleKey,
    bundle: &BTreeMap<ModuleKey, CompiledModule>,
    loader: &Loader,
    state: &mut HashMap<ModuleKey, u8>,
    order: &mut Vec<ModuleKey>,
) -> VmResult<()> {
    // An explicit stack keeps deep dependency chains off the native stack.
    let mut stack: Vec<(ModuleKey, Vec<ModuleKey>)> = Vec::new();
    if state.get(key).copied().unwrap_or(0) != 0 {
        return Ok(());
    }
    state.insert(key.clone(), 1);
    stack.push((key.clone(), deps_of(key, bundle)?));
    while let Some((current, deps)) = stack.last_mut() {
        if let Some(dep) = deps.pop() {
            match state.get(&dep).copied().unwrap_or(0) {
                1 => {
                    return Err(VmError::new(StatusCode::CYCLIC_MODULE_DEPENDENCY)
                        .with_message(dep.label()))
                }
                2 => {}
                _ => {
                    if bundle.contains_key(&dep) {
                        state.insert(dep.clone(), 1);
                        let next = deps_of(&dep, bundle)?;
                        stack.push((dep, next));
                    } else if loader.module_by_key(&dep).is_none() {
                        return Err(linker(format!(
                            "{} depends on missing module {}",
                            current.label(),
                            dep.label()
                        )));
                    }
                }
            }
        } else {
            let done = current.clone();
            stack.pop();
            state.insert(done.clone(), 2);
            order.push(done);
        }
    }
    Ok(())
}

fn deps_of(
    key: &ModuleKey,
    bundle: &BTreeMap<ModuleKey, CompiledModule>,
) -> VmResult<Vec<ModuleKey>> {
    let Some(m) = bundle.get(key) else {
        return Ok(Vec::new());
    };
    let mut deps = Vec::new();
    for h in &m.module_handles {
        let k = module_key(m, h)?;
        if &k != key && !deps.contains(&k) {
            deps.push(k);
        }
    }
    deps.reverse();
    Ok(deps)
}

/// Converts a signature token into a runtime type through the module's resolved struct handles.
fn token_type(tok: &SignatureToken, structs: &[StructId], depth: usize) -> VmResult<Type> {
    if depth > crate::types::MAX_TYPE_NESTING {
        return Err(malformed("signature nests too deeply"));
    }
    let sh = |i: usize| {
        structs
            .get(i)
            .copied()
            .ok_or_else(|| malformed("struct handle index out of range"))
    };
    Ok(match tok {
        SignatureToken::Bool => Type::Bool,
        SignatureToken::U8 => Type::U8,
        SignatureToken::U16 => Type::U16,
        SignatureToken::U32 => Type::U32,
        SignatureToken::U64 => Type::U64,
        SignatureToken::U128 => Type::U128,
        SignatureToken::U256 => Type::U256,
        SignatureToken::Address => Type::Address,
        SignatureToken::Signer => Type::Signer,
        SignatureToken::Vector(t) => Type::Vector(Box::new(token_type(t, structs, depth + 1)?)),
        SignatureToken::Struct(h) => Type::Struct(sh(h.into_index())?, Vec::new()),
        SignatureToken::StructInstantiation(h, args) => Type::Struct(
            sh(h.into_index())?,
            args.iter()
                .map(|a| token_type(a, structs, depth + 1))
                .collect::<VmResult<_>>()?,
        ),
        SignatureToken::Reference(t) => {
            Type::Reference(Box::new(token_type(t, structs, depth + 1)?))
        }
        SignatureToken::MutableReference(t) => {
            Type::MutableReference(Box::new(token_type(t, structs, depth + 1)?))
        }
        SignatureToken::TypeParameter(i) => Type::TyParam(*i),
    })
}

fn signature(m: &CompiledModule, idx: SignatureIndex, structs: &[StructId]) -> VmResult<Vec<Type>> {
    let sig = m
        .signatures
        .get(idx.into_index())
        .ok_or_else(|| malformed("signature index out of range"))?;
    sig.0.iter().map(|t| token_type(t, structs, 0)).collect()
}

fn ident(m: &CompiledModule, idx: move_bytecode::file_format::IdentifierIndex) -> VmResult<String> {
    m.identifiers
        .get(idx.into_index())
        .map(|i| i.as_str().to_string())
        .ok_or_else(|| malformed("identifier index out of range"))
}

/// Layout of a constant's type (primitives, addresses and vectors of them only).
fn constant_layout(tok: &SignatureToken, depth: usize) -> VmResult<Layout> {
    if depth > crate::types::MAX_TYPE_NESTING {
        return Err(malformed("constant type nests too deeply"));
    }
    Ok(match tok {
        SignatureToken::Bool => Layout::Bool,
        SignatureToken::U8 => Layout::U8,
        SignatureToken::U16 => Layout::U16,
        SignatureToken::U32 => Layout::U32,
        SignatureToken::U64 => Layout::U64,
        SignatureToken::U128 => Layout::U128,
        SignatureToken::U256 => Layout::U256,
        SignatureToken::Address => Layout::Address,
        SignatureToken::Vector(t) => Layout::Vector(Box::new(constant_layout(t, depth + 1)?)),
        _ => return Err(malformed("constant of a type that constants cannot have")),
    })
}

/// Loads a script into `loader` (which should be a fork of the VM's loader: scripts are not
/// published) and returns its `main` function. The script becomes a module named `<SELF>` at
/// address 0x0 whose only function is `main`; its errors are located at `Script`.
pub fn load_script(loader: &mut Loader, bytes: &[u8]) -> VmResult<FunctionId> {
    check_header(bytes)?;
    let s = CompiledScript::deserialize(bytes).map_err(|e| malformed(e.to_string()))?;
    let index = |n: usize| u16::try_from(n).map_err(|_| malformed("script tables too large"));
    let mut identifiers = s.identifiers.clone();
    let self_name = IdentifierIndex(index(identifiers.len())?);
    identifiers.push(Identifier::new("<SELF>").map_err(|e| malformed(e.to_string()))?);
    let main_name = IdentifierIndex(index(identifiers.len())?);
    identifiers.push(Identifier::new("main").map_err(|e| malformed(e.to_string()))?);
    let mut address_identifiers = s.address_identifiers.clone();
    let self_address = AddressIdentifierIndex(index(address_identifiers.len())?);
    address_identifiers.push(AccountAddress::ZERO);
    let mut module_handles = s.module_handles.clone();
    let self_handle = ModuleHandleIndex(index(module_handles.len())?);
    module_handles.push(ModuleHandle {
        address: self_address,
        name: self_name,
    });
    let mut signatures = s.signatures.clone();
    let no_returns = SignatureIndex(index(signatures.len())?);
    signatures.push(Signature(Vec::new()));
    let mut function_handles = s.function_handles.clone();
    let main_handle = FunctionHandleIndex(index(function_handles.len())?);
    function_handles.push(FunctionHandle {
        module: self_handle,
        name: main_name,
        parameters: s.parameters,
        return_: no_returns,
        type_parameters: s.type_parameters.clone(),
    });
    let module = CompiledModule {
        version: s.version,
        self_module_handle_idx: self_handle,
        module_handles,
        struct_handles: s.struct_handles.clone(),
        function_handles,
        field_handles: Vec::new(),
        friend_decls: Vec::new(),
        struct_def_instantiations: Vec::new(),
        function_instantiations: s.function_instantiations.clone(),
        field_instantiations: Vec::new(),
        signatures,
        identifiers,
        address_identifiers,
        constant_pool: s.constant_pool.clone(),
        metadata: s.metadata.clone(),
        struct_defs: Vec::new(),
        function_defs: vec![FunctionDefinition {
            function: main_handle,
            visibility: Visibility::Public,
            is_entry: true,
            acquires_global_resources: Vec::new(),
            code: Some(s.code.clone()),
        }],
    };
    let key = self_key(&module)?;
    if loader.module_by_key(&key).is_some() {
        return Err(
            VmError::new(StatusCode::DUPLICATE_MODULE_NAME).with_message("script already loaded")
        );
    }
    load_module(loader, &module, true)?;
    loader
        .module_by_key(&key)
        .and_then(|m| m.functions.first().copied())
        .ok_or_else(|| malformed("script has no main function"))
}

fn load_module(loader: &mut Loader, m: &CompiledModule, is_script: bool) -> VmResult<()> {
    let key = self_key(m)?;
    let label = key.label();
    let module_index = loader.modules.len();
    let struct_base = loader.structs.len();
    let function_base = loader.functions.len();

    // Struct handles -> struct ids.
    let mut struct_ids: Vec<StructId> = Vec::with_capacity(m.struct_handles.len());
    for (hi, h) in m.struct_handles.iter().enumerate() {
        let owner = module_key(
            m,
            m.module_handles
                .get(h.module.into_index())
                .ok_or_else(|| malformed("module handle out of range"))?,
        )?;
        let name = ident(m, h.name)?;
        let id = if owner == key {
            let def = m
                .struct_defs
                .iter()
                .position(|d| d.struct_handle.into_index() == hi)
                .ok_or_else(|| linker(format!("{label}: struct {name} has no definition")))?;
            struct_base + def
        } else {
            let id = loader.find_struct(&owner, &name).ok_or_else(|| {
                linker(format!("{label}: missing struct {}::{name}", owner.label()))
            })?;
            let def = loader.struct_def(id)?;
            if def.type_param_count != h.type_parameters.len() {
                return Err(linker(format!(
                    "{label}: struct {name} has a different arity"
                )));
            }
            id
        };
        struct_ids.push(id);
    }

    // Struct definitions.
    let mut new_structs = Vec::with_capacity(m.struct_defs.len());
    for def in &m.struct_defs {
        let h = m
            .struct_handles
            .get(def.struct_handle.into_index())
            .ok_or_else(|| malformed("struct handle out of range"))?;
        let (field_names, fields) = match &def.field_information {
            StructFieldInformation::Native => (Vec::new(), Vec::new()),
            StructFieldInformation::Declared(fs) => {
                let mut names = Vec::with_capacity(fs.len());
                let mut tys = Vec::with_capacity(fs.len());
                for f in fs {
                    names.push(ident(m, f.name)?);
                    tys.push(token_type(&f.signature.0, &struct_ids, 0)?);
                }
                (names, tys)
            }
        };
        new_structs.push(Rc::new(LoadedStruct {
            module: key.clone(),
            name: ident(m, h.name)?,
            type_param_count: h.type_parameters.len(),
            field_names,
            fields,
            abilities: h.abilities.into_u8(),
        }));
    }

    // Function handles -> function ids.
    let mut function_ids: Vec<FunctionId> = Vec::with_capacity(m.function_handles.len());
    for (hi, h) in m.function_handles.iter().enumerate() {
        let owner = module_key(
            m,
            m.module_handles
                .get(h.module.into_index())
                .ok_or_else(|| malformed("module handle out of range"))?,
        )?;
        let name = ident(m, h.name)?;
        let id = if owner == key {
            let def = m
                .function_defs
                .iter()
                .position(|d| d.function.into_index() == hi)
                .ok_or_else(|| linker(format!("{label}: function {name} has no definition")))?;
            function_base + def
        } else {
            let id = loader.find_function(&owner, &name).ok_or_else(|| {
                linker(format!(
                    "{label}: missing function {}::{name}",
                    owner.label()
                ))
            })?;
            let target = loader.function(id)?;
            let params = signature(m, h.parameters, &struct_ids)?;
            let returns = signature(m, h.return_, &struct_ids)?;
            if target.params != params
                || target.returns != returns
                || target.type_param_count != h.type_parameters.len()
            {
                return Err(linker(format!(
                    "{label}: function {}::{name} has a different signature",
                    owner.label()
                )));
            }
            id
        };
        function_ids.push(id);
    }

    let struct_insts = m
        .struct_def_instantiations
        .iter()
        .map(|si| {
            let sid = struct_base + si.def.into_index();
            if si.def.into_index() >= m.struct_defs.len() {
                return Err(malformed("struct definition index out of range"));
            }
            Ok((sid, signature(m, si.type_parameters, &struct_ids)?))
        })
        .collect::<VmResult<Vec<_>>>()?;
    let func_insts = m
        .function_instantiations
        .iter()
        .map(|fi| {
            let fid = *function_ids
                .get(fi.handle.into_index())
                .ok_or_else(|| malformed("function handle out of range"))?;
            Ok((fid, signature(m, fi.type_parameters, &struct_ids)?))
        })
        .collect::<VmResult<Vec<_>>>()?;
    let field_offsets = m
        .field_handles
        .iter()
        .map(|fh| {
            let def = m
                .struct_defs
                .get(fh.owner.into_index())
                .ok_or_else(|| malformed("field owner out of range"))?;
            if (fh.field as usize) >= def.declared_field_count() {
                return Err(malformed("field offset out of range"));
            }
            Ok(fh.field)
        })
        .collect::<VmResult<Vec<u16>>>()?;
    let field_inst_offsets = m
        .field_instantiations
        .iter()
        .map(|fi| {
            field_offsets
                .get(fi.handle.into_index())
                .copied()
                .ok_or_else(|| malformed("field handle out of range"))
        })
        .collect::<VmResult<Vec<u16>>>()?;
    let vec_types = m
        .signatures
        .iter()
        .map(|s| match s.0.as_slice() {
            [t] => token_type(t, &struct_ids, 0).ok(),
            _ => None,
        })
        .collect::<Vec<_>>();
    let constants = m
        .constant_pool
        .iter()
        .map(|c| {
            let layout = constant_layout(&c.type_, 0)?;
            deserialize(&c.data, &layout)
                .map_err(|_| malformed("constant does not decode with its type"))
        })
        .collect::<VmResult<Vec<_>>>()?;

    // Function definitions.
    let mut new_functions = Vec::with_capacity(m.function_defs.len());
    for (di, def) in m.function_defs.iter().enumerate() {
        let h = m
            .function_handles
            .get(def.function.into_index())
            .ok_or_else(|| malformed("function handle out of range"))?;
        let name = ident(m, h.name)?;
        let params = signature(m, h.parameters, &struct_ids)?;
        let returns = signature(m, h.return_, &struct_ids)?;
        let (local_count, code) = match &def.code {
            None => (params.len(), Vec::new()),
            Some(unit) => {
                let locals = m
                    .signatures
                    .get(unit.locals.into_index())
                    .ok_or_else(|| malformed("locals signature out of range"))?;
                let local_count = params.len() + locals.len();
                let ctx = CodeContext {
                    m,
                    function_ids: &function_ids,
                    struct_base,
                    local_count,
                    code_len: unit.code.len(),
                    consts: constants.len(),
                    struct_insts: struct_insts.len(),
                    func_insts: func_insts.len(),
                    field_offsets: &field_offsets,
                    field_inst_offsets: &field_inst_offsets,
                    vec_types: vec_types.len(),
                };
                let code = unit
                    .code
                    .iter()
                    .map(|b| ctx.translate(b))
                    .collect::<VmResult<Vec<_>>>()?;
                (local_count, code)
            }
        };
        let native = if def.code.is_none() {
            natives::lookup(&key.address, &key.name, &name)
        } else {
            None
        };
        new_functions.push(Rc::new(LoadedFunction {
            module: module_index,
            module_label: label.clone(),
            def_index: di as u16,
            name,
            type_param_count: h.type_parameters.len(),
            params,
            returns,
            local_count,
            code,
            is_native: def.code.is_none(),
            is_entry: def.is_entry,
            native,
        }));
    }

    let structs = (0..new_structs.len()).map(|i| struct_base + i).collect();
    let functions = (0..new_functions.len())
        .map(|i| function_base + i)
        .collect();
    loader.structs.extend(new_structs);
    loader.functions.extend(new_functions);
    loader.modules.push(Rc::new(LoadedModule {
        key: key.clone(),
        label,
        constants,
        struct_insts,
        func_insts,
        vec_types,
        structs,
        functions,
        is_script,
    }));
    loader.module_index.insert(key, module_index);
    Ok(())
}

/// What translating one code unit needs to check and resolve its operands.
struct CodeContext<'a> {
    m: &'a CompiledModule,
    function_ids: &'a [FunctionId],
    struct_base: usize,
    local_count: usize,
    code_len: usize,
    consts: usize,
    struct_insts: usize,
    func_insts: usize,
    field_offsets: &'a [u16],
    field_inst_offsets: &'a [u16],
    vec_types: usize,
}

impl CodeContext<'_> {
    fn branch(&self, off: u16) -> VmResult<u16> {
        if (off as usize) < self.code_len {
            Ok(off)
        } else {
            Err(malformed("branch target out of range"))
        }
    }

    fn local(&self, l: u8) -> VmResult<u8> {
        if (l as usize) < self.local_count {
            Ok(l)
        } else {
            Err(malformed("local index out of range"))
        }
    }

    fn below(&self, i: u16, n: usize, what: &str) -> VmResult<u16> {
        if (i as usize) < n {
            Ok(i)
        } else {
            Err(malformed(format!("{what} index out of range")))
        }
    }

    fn struct_def(&self, i: usize) -> VmResult<StructId> {
        let def = self
            .m
            .struct_defs
            .get(i)
            .ok_or_else(|| malformed("struct definition index out of range"))?;
        if def.is_native() {
            return Err(malformed("native struct used by code"));
        }
        Ok(self.struct_base + i)
    }

    fn translate(&self, b: &Bytecode) -> VmResult<Instr> {
        use Bytecode as B;
        Ok(match b {
            B::Pop => Instr::Pop,
            B::Ret => Instr::Ret,
            B::BrTrue(o) => Instr::BrTrue(self.branch(*o)?),
            B::BrFalse(o) => Instr::BrFalse(self.branch(*o)?),
            B::Branch(o) => Instr::Branch(self.branch(*o)?),
            B::LdU8(v) => Instr::LdU8(*v),
            B::LdU16(v) => Instr::LdU16(*v),
            B::LdU32(v) => Instr::LdU32(*v),
            B::LdU64(v) => Instr::LdU64(*v),
            B::LdU128(v) => Instr::LdU128(*v),
            B::LdU256(v) => Instr::LdU256(Box::new(ethnum::U256::from_le_bytes(v.to_le_bytes()))),
            B::CastU8 => Instr::CastU8,
            B::CastU16 => Instr::CastU16,
            B::CastU32 => Instr::CastU32,
            B::CastU64 => Instr::CastU64,
            B::CastU128 => Instr::CastU128,
            B::CastU256 => Instr::CastU256,
            B::LdConst(i) => Instr::LdConst(self.below(i.0, self.consts, "constant")?),
            B::LdTrue => Instr::LdTrue,
            B::LdFalse => Instr::LdFalse,
            B::CopyLoc(l) => Instr::CopyLoc(self.local(*l)?),
            B::MoveLoc(l) => Instr::MoveLoc(self.local(*l)?),
            B::StLoc(l) => Instr::StLoc(self.local(*l)?),
            B::MutBorrowLoc(l) => Instr::MutBorrowLoc(self.local(*l)?),
            B::ImmBorrowLoc(l) => Instr::ImmBorrowLoc(self.local(*l)?),
            B::Call(h) => Instr::Call(
                *self
                    .function_ids
                    .get(h.into_index())
                    .ok_or_else(|| malformed("function handle index out of range"))?,
            ),
            B::CallGeneric(i) => {
                Instr::CallGeneric(self.below(i.0, self.func_insts, "function instantiation")?)
            }
            B::Pack(s) => {
                let id = self.struct_def(s.into_index())?;
                let n = self
                    .m
                    .struct_defs
                    .get(s.into_index())
                    .map_or(0, |d| d.declared_field_count());
                Instr::Pack(id, n as u16)
            }
            B::Unpack(s) => Instr::Unpack(self.struct_def(s.into_index())?),
            B::PackGeneric(i) => {
                Instr::PackGeneric(self.below(i.0, self.struct_insts, "struct instantiation")?)
            }
            B::UnpackGeneric(i) => {
                Instr::UnpackGeneric(self.below(i.0, self.struct_insts, "struct instantiation")?)
            }
            B::ReadRef => Instr::ReadRef,
            B::WriteRef => Instr::WriteRef,
            B::FreezeRef => Instr::FreezeRef,
            B::MutBorrowField(f) | B::ImmBorrowField(f) => Instr::BorrowField(
                *self
                    .field_offsets
                    .get(f.into_index())
                    .ok_or_else(|| malformed("field handle index out of range"))?,
            ),
            B::MutBorrowFieldGeneric(f) | B::ImmBorrowFieldGeneric(f) => Instr::BorrowField(
                *self
                    .field_inst_offsets
                    .get(f.into_index())
                    .ok_or_else(|| malformed("field instantiation index out of range"))?,
            ),
            B::MutBorrowGlobal(s) => Instr::MutBorrowGlobal(self.struct_def(s.into_index())?),
            B::ImmBorrowGlobal(s) => Instr::ImmBorrowGlobal(self.struct_def(s.into_index())?),
            B::Exists(s) => Instr::Exists(self.struct_def(s.into_index())?),
            B::MoveFrom(s) => Instr::MoveFrom(self.struct_def(s.into_index())?),
            B::MoveTo(s) => Instr::MoveTo(self.struct_def(s.into_index())?),
            B::MutBorrowGlobalGeneric(i) => Instr::MutBorrowGlobalGeneric(self.below(
                i.0,
                self.struct_insts,
                "struct instantiation",
            )?),
            B::ImmBorrowGlobalGeneric(i) => Instr::ImmBorrowGlobalGeneric(self.below(
                i.0,
                self.struct_insts,
                "struct instantiation",
            )?),
            B::ExistsGeneric(i) => {
                Instr::ExistsGeneric(self.below(i.0, self.struct_insts, "struct instantiation")?)
            }
            B::MoveFromGeneric(i) => Instr::MoveFromGeneric(self.below(
                i.0,
                self.struct_insts,
                "struct instantiation",
            )?),
            B::MoveToGeneric(i) => {
                Instr::MoveToGeneric(self.below(i.0, self.struct_insts, "struct instantiation")?)
            }
            B::Add => Instr::Add,
            B::Sub => Instr::Sub,
            B::Mul => Instr::Mul,
            B::Mod => Instr::Mod,
            B::Div => Instr::Div,
            B::BitOr => Instr::BitOr,
            B::BitAnd => Instr::BitAnd,
            B::Xor => Instr::Xor,
            B::Or => Instr::Or,
            B::And => Instr::And,
            B::Not => Instr::Not,
            B::Eq => Instr::Eq,
            B::Neq => Instr::Neq,
            B::Lt => Instr::Lt,
            B::Gt => Instr::Gt,
            B::Le => Instr::Le,
            B::Ge => Instr::Ge,
            B::Abort => Instr::Abort,
            B::Nop => Instr::Nop,
            B::Shl => Instr::Shl,
            B::Shr => Instr::Shr,
            B::VecPack(s, n) => Instr::VecPack(self.below(s.0, self.vec_types, "signature")?, *n),
            B::VecLen(s) => Instr::VecLen(self.below(s.0, self.vec_types, "signature")?),
            B::VecImmBorrow(s) => {
                Instr::VecImmBorrow(self.below(s.0, self.vec_types, "signature")?)
            }
            B::VecMutBorrow(s) => {
                Instr::VecMutBorrow(self.below(s.0, self.vec_types, "signature")?)
            }
            B::VecPushBack(s) => {
                Instr::VecPushBack(self.below(s.0, self.vec_types, "signature")?)
            }
            B::VecPopBack(s) => Instr::VecPopBack(self.below(s.0, self.vec_types, "signature")?),
            B::VecUnpack(s, n) => {
                Instr::VecUnpack(self.below(s.0, self.vec_types, "signature")?, *n)
            }
            B::VecSwap(s) => Instr::VecSwap(self.below(s.0, self.vec_types, "signature")?),
        })
    }
}

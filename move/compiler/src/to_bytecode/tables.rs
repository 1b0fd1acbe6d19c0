//! The table builder (upstream's IR-to-bytecode compiler): one module handle per module whose
//! function is called or whose struct is named, sorted by (address, name) and created first
//! (address, then module name into their pools); then named constants in name order, the main
//! signature, the locals signature, and the instructions in order, each creating on first need
//! its type-argument signature, struct handles, function handle (name identifier, parameter
//! signature, return signature), function instantiation, element signature or constant. Every
//! pool is insertion-ordered and deduplicated.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;

use move_bytecode::{
    AccountAddress, Bytecode, CodeUnit, CompiledModule, CompiledScript, Constant, FieldDefinition,
    FieldHandle, FieldHandleIndex, FieldInstantiation, FieldInstantiationIndex, FunctionDefinition,
    FunctionHandle, FunctionHandleIndex, FunctionInstantiation, FunctionInstantiationIndex,
    Identifier, IdentifierIndex, ModuleHandle, ModuleHandleIndex, Signature, SignatureIndex,
    SignatureToken, StructDefInstantiation, StructDefInstantiationIndex, StructDefinition,
    StructDefinitionIndex, StructFieldInformation, StructHandle, StructHandleIndex, TypeSignature,
};

use super::{Ir, IrModule, IrScript};
use crate::deps::Dependencies;
use crate::driver::{CompileDiagnostic, BYTECODE_VERSION};
use crate::expansion::ModuleId;
use crate::parser::ast::Loc;
use crate::typing::ast::{StructKey, Type, Value};

type Diags = Vec<CompileDiagnostic>;

fn bug(msg: impl Into<String>) -> Diags {
    vec![CompileDiagnostic::error(
        "E99001",
        "bytecode generation",
        Loc::default(),
        msg,
    )]
}

/// An insertion-ordered, deduplicated pool.
struct Pool<T: Clone + Eq + Hash> {
    items: Vec<T>,
    index: HashMap<T, u16>,
}

impl<T: Clone + Eq + Hash> Pool<T> {
    fn new() -> Self {
        Pool {
            items: vec![],
            index: HashMap::new(),
        }
    }

    fn add(&mut self, t: T) -> Result<u16, Diags> {
        if let Some(i) = self.index.get(&t) {
            return Ok(*i);
        }
        let i = u16::try_from(self.items.len()).map_err(|_| bug("too many table entries"))?;
        self.items.push(t.clone());
        self.index.insert(t, i);
        Ok(i)
    }
}

struct Tables<'a, 'd> {
    deps: &'a Dependencies<'d>,
    module_handles: Pool<ModuleHandle>,
    modules: BTreeMap<(AccountAddress, String), ModuleHandleIndex>,
    struct_handles: Vec<StructHandle>,
    structs: BTreeMap<StructKey, StructHandleIndex>,
    function_handles: Vec<FunctionHandle>,
    functions: BTreeMap<(AccountAddress, String, String), FunctionHandleIndex>,
    function_insts: Pool<FunctionInstantiation>,
    signatures: Pool<Signature>,
    identifiers: Pool<String>,
    addresses: Pool<AccountAddress>,
    constants: Pool<Constant>,
    named_constants: BTreeMap<String, u16>,
    field_handles: Pool<FieldHandle>,
    struct_def_insts: Pool<StructDefInstantiation>,
    field_insts: Pool<FieldInstantiation>,
    /// Definition index of each struct of the module being compiled.
    struct_defs: BTreeMap<StructKey, StructDefinitionIndex>,
}

/// The modules a unit imports: those of the functions it calls (and of the structs in their
/// declared signatures) and of the structs it names, except `skip` (the module itself).
fn imports(
    deps: &Dependencies,
    seen_functions: &BTreeSet<(ModuleId, String)>,
    seen_structs: &BTreeSet<StructKey>,
    skip: Option<&(AccountAddress, String)>,
) -> BTreeSet<(AccountAddress, String)> {
    let mut mods: BTreeSet<(AccountAddress, String)> = BTreeSet::new();
    for (m, f) in seen_functions {
        mods.insert((m.address, m.name.clone()));
        if let Some(info) = deps.function(&m.address, &m.name, f) {
            let mut seen = BTreeSet::new();
            for ty in info.parameters.iter().chain(&info.returns) {
                collect_structs(ty, &mut seen);
            }
            for k in seen {
                mods.insert((k.address(), k.module().to_string()));
            }
        }
    }
    for k in seen_structs {
        mods.insert((k.address(), k.module().to_string()));
    }
    if let Some(s) = skip {
        mods.remove(s);
    }
    mods
}

impl<'a, 'd> Tables<'a, 'd> {
    fn new(deps: &'a Dependencies<'d>) -> Self {
        Tables {
            deps,
            module_handles: Pool::new(),
            modules: BTreeMap::new(),
            struct_handles: vec![],
            structs: BTreeMap::new(),
            function_handles: vec![],
            functions: BTreeMap::new(),
            function_insts: Pool::new(),
            signatures: Pool::new(),
            identifiers: Pool::new(),
            addresses: Pool::new(),
            constants: Pool::new(),
            named_constants: BTreeMap::new(),
            field_handles: Pool::new(),
            struct_def_insts: Pool::new(),
            field_insts: Pool::new(),
            struct_defs: BTreeMap::new(),
        }
    }

    fn module_handle(
        &mut self,
        addr: AccountAddress,
        name: &str,
    ) -> Result<ModuleHandleIndex, Diags> {
        let address = self.addresses.add(addr)?;
        let name_idx = self.identifiers.add(name.to_string())?;
        let h = ModuleHandleIndex(self.module_handles.add(ModuleHandle {
            address: move_bytecode::AddressIdentifierIndex(address),
            name: IdentifierIndex(name_idx),
        })?);
        self.modules.insert((addr, name.to_string()), h);
        Ok(h)
    }

    fn named_constants(&mut self, constants: &[(String, Type, Value)]) -> Result<(), Diags> {
        for (name, ty, v) in constants {
            let c = self.constant(ty, v)?;
            let i = self.constants.add(c)?;
            self.named_constants.insert(name.clone(), i);
        }
        Ok(())
    }

    fn identifiers(&self) -> Result<Vec<Identifier>, Diags> {
        self.identifiers
            .items
            .iter()
            .map(|s| {
                Identifier::new(s.as_str()).map_err(|e| bug(format!("invalid identifier: {e}")))
            })
            .collect()
    }

    /// The locals signature, then the instructions with their labels resolved; and for the
    /// source map, the location of each instruction and the offset of each spec block's `Nop`.
    fn code_unit(&mut self, ir: &IrScript) -> Result<(CodeUnit, FunctionLocations), Diags> {
        let mut local_index: HashMap<String, u8> = HashMap::new();
        for (i, (v, _)) in ir.parameters.iter().chain(&ir.locals).enumerate() {
            let i = u8::try_from(i).map_err(|_| bug("too many locals"))?;
            local_index.insert(v.clone(), i);
        }
        let locals: Vec<SignatureToken> = ir
            .locals
            .iter()
            .map(|(_, ty)| self.token(ty))
            .collect::<Result<_, _>>()?;
        let locals = SignatureIndex(self.signatures.add(Signature(locals))?);
        let mut code = vec![];
        let mut locs = FunctionLocations::default();
        let mut offsets: HashMap<usize, u16> = HashMap::new();
        for (lbl, block) in &ir.blocks {
            offsets.insert(
                *lbl,
                u16::try_from(code.len()).map_err(|_| bug("code too long"))?,
            );
            for (i, loc) in block {
                if let Ir::SpecNop(id) = i {
                    let at = u16::try_from(code.len()).map_err(|_| bug("code too long"))?;
                    locs.spec_nops.insert(*id, at);
                }
                code.push(self.instr(i, &local_index)?);
                locs.code.push(*loc);
            }
        }
        let fixup = |l: usize| offsets.get(&l).copied().ok_or_else(|| bug("unknown label"));
        let mut final_code = Vec::with_capacity(code.len());
        for i in code {
            final_code.push(match i {
                Pending::Done(b) => b,
                Pending::Branch(l) => Bytecode::Branch(fixup(l)?),
                Pending::BrTrue(l) => Bytecode::BrTrue(fixup(l)?),
                Pending::BrFalse(l) => Bytecode::BrFalse(fixup(l)?),
            });
        }
        let unit = CodeUnit {
            locals,
            code: final_code,
        };
        Ok((unit, locs))
    }
}

/// Builds a module in upstream's order: friends, the module's own handle, imports, its struct
/// handles, named constants, its function handles (all sorted by name), then the struct
/// definitions and the function bodies, each adding what it needs on first use.
/// What the source map needs to know of one function's code.
#[derive(Default)]
pub struct FunctionLocations {
    /// The location of each instruction.
    pub code: Vec<Loc>,
    /// The code offset of each inline spec block's `Nop`, by block number.
    pub spec_nops: BTreeMap<usize, u16>,
}

/// A compiled module and what its source map needs from the table building.
pub struct ModuleTables {
    pub module: CompiledModule,
    /// Per function definition (empty when native).
    pub code_locations: Vec<FunctionLocations>,
    /// Each named constant's index in the constant pool.
    pub constant_indexes: BTreeMap<String, u16>,
}

pub fn compile_module(ir: IrModule, deps: &Dependencies) -> Result<ModuleTables, Diags> {
    let mut t = Tables::new(deps);
    let self_key = (ir.id.address, ir.id.name.clone());
    let mut friend_decls = vec![];
    for f in &ir.friends {
        let address = t.addresses.add(f.address)?;
        let name = t.identifiers.add(f.name.clone())?;
        friend_decls.push(ModuleHandle {
            address: move_bytecode::AddressIdentifierIndex(address),
            name: IdentifierIndex(name),
        });
    }
    let self_handle = t.module_handle(ir.id.address, &ir.id.name)?;
    let mut seen_functions = BTreeSet::new();
    let mut seen_structs = BTreeSet::new();
    for s in &ir.structs {
        for (_, ty) in s.fields.iter().flatten() {
            collect_structs(ty, &mut seen_structs);
        }
    }
    for (decl, body) in &ir.functions {
        for ty in decl.parameters.iter().chain(&decl.returns) {
            collect_structs(ty, &mut seen_structs);
        }
        if let Some(b) = body {
            seen_functions.extend(b.seen_functions.iter().cloned());
            seen_structs.extend(b.seen_structs.iter().cloned());
        }
    }
    for (addr, name) in imports(deps, &seen_functions, &seen_structs, Some(&self_key)) {
        t.module_handle(addr, &name)?;
    }
    for (i, s) in ir.structs.iter().enumerate() {
        let key = StructKey::new(ir.id.address, &ir.id.name, &s.name);
        t.struct_handle(&key)?;
        let def = u16::try_from(i).map_err(|_| bug("too many structs"))?;
        t.struct_defs.insert(key, StructDefinitionIndex(def));
    }
    t.named_constants(&ir.constants)?;
    for (decl, _) in &ir.functions {
        t.function_handle(&ir.id, &decl.name)?;
    }
    let mut struct_defs = vec![];
    for s in &ir.structs {
        let key = StructKey::new(ir.id.address, &ir.id.name, &s.name);
        let struct_handle = t.struct_handle(&key)?;
        let field_information = match &s.fields {
            None => StructFieldInformation::Native,
            Some(fields) => {
                let dummy = [("dummy_field".to_string(), Type::Bool)];
                let fields = if fields.is_empty() {
                    &dummy[..]
                } else {
                    &fields[..]
                };
                let mut out = vec![];
                for (name, ty) in fields {
                    let name = IdentifierIndex(t.identifiers.add(name.clone())?);
                    let signature = TypeSignature(t.token(ty)?);
                    out.push(FieldDefinition { name, signature });
                }
                StructFieldInformation::Declared(out)
            }
        };
        struct_defs.push(StructDefinition {
            struct_handle,
            field_information,
        });
    }
    let mut function_defs = vec![];
    let mut code_locations = vec![];
    for (decl, body) in &ir.functions {
        let function = t.function_handle(&ir.id, &decl.name)?;
        let acquires_global_resources = decl
            .acquires
            .iter()
            .map(|s| {
                let key = StructKey::new(ir.id.address, &ir.id.name, s);
                t.struct_defs
                    .get(&key)
                    .copied()
                    .ok_or_else(|| bug(format!("acquires unknown struct {s}")))
            })
            .collect::<Result<_, _>>()?;
        let code = match body {
            Some(b) => {
                let (unit, locs) = t.code_unit(b)?;
                code_locations.push(locs);
                Some(unit)
            }
            None => {
                code_locations.push(FunctionLocations::default());
                None
            }
        };
        function_defs.push(FunctionDefinition {
            function,
            visibility: decl.visibility,
            is_entry: decl.is_entry,
            acquires_global_resources,
            code,
        });
    }
    let identifiers = t.identifiers()?;
    let constant_indexes = std::mem::take(&mut t.named_constants);
    let module = CompiledModule {
        version: BYTECODE_VERSION,
        self_module_handle_idx: self_handle,
        module_handles: t.module_handles.items,
        struct_handles: t.struct_handles,
        function_handles: t.function_handles,
        field_handles: t.field_handles.items,
        friend_decls,
        struct_def_instantiations: t.struct_def_insts.items,
        function_instantiations: t.function_insts.items,
        field_instantiations: t.field_insts.items,
        signatures: t.signatures.items,
        identifiers,
        address_identifiers: t.addresses.items,
        constant_pool: t.constants.items,
        metadata: vec![],
        struct_defs,
        function_defs,
    };
    Ok(ModuleTables {
        module,
        code_locations,
        constant_indexes,
    })
}

pub fn compile(ir: IrScript, deps: &Dependencies) -> Result<CompiledScript, Diags> {
    let mut t = Tables {
        deps,
        module_handles: Pool::new(),
        modules: BTreeMap::new(),
        struct_handles: vec![],
        structs: BTreeMap::new(),
        function_handles: vec![],
        functions: BTreeMap::new(),
        function_insts: Pool::new(),
        signatures: Pool::new(),
        identifiers: Pool::new(),
        addresses: Pool::new(),
        constants: Pool::new(),
        named_constants: BTreeMap::new(),
        field_handles: Pool::new(),
        struct_def_insts: Pool::new(),
        field_insts: Pool::new(),
        struct_defs: BTreeMap::new(),
    };
    for (addr, name) in imports(deps, &ir.seen_functions, &ir.seen_structs, None) {
        t.module_handle(addr, &name)?;
    }
    t.named_constants(&ir.constants)?;
    let params: Vec<SignatureToken> = ir
        .parameters
        .iter()
        .map(|(_, ty)| t.token(ty))
        .collect::<Result<_, _>>()?;
    let parameters = SignatureIndex(t.signatures.add(Signature(params))?);
    let (code, _) = t.code_unit(&ir)?;
    let identifiers = t.identifiers()?;
    Ok(CompiledScript {
        version: BYTECODE_VERSION,
        module_handles: t.module_handles.items,
        struct_handles: t.struct_handles,
        function_handles: t.function_handles,
        function_instantiations: t.function_insts.items,
        signatures: t.signatures.items,
        identifiers,
        address_identifiers: t.addresses.items,
        constant_pool: t.constants.items,
        metadata: vec![],
        code,
        type_parameters: ir.type_parameters,
        parameters,
    })
}

fn collect_structs(t: &Type, out: &mut BTreeSet<StructKey>) {
    match t {
        Type::Struct(k, args) => {
            out.insert(k.clone());
            args.iter().for_each(|a| collect_structs(a, out));
        }
        Type::Vector(i) | Type::Ref(_, i) => collect_structs(i, out),
        Type::Tuple(ts) => ts.iter().for_each(|a| collect_structs(a, out)),
        _ => {}
    }
}

enum Pending {
    Done(Bytecode),
    Branch(usize),
    BrTrue(usize),
    BrFalse(usize),
}

impl Tables<'_, '_> {
    fn struct_handle(&mut self, k: &StructKey) -> Result<StructHandleIndex, Diags> {
        if let Some(i) = self.structs.get(k) {
            return Ok(*i);
        }
        let module = *self
            .modules
            .get(&(k.address(), k.module().to_string()))
            .ok_or_else(|| bug(format!("no module handle for {k:?}")))?;
        let info = self
            .deps
            .struct_info(&k.address(), k.module(), k.name())
            .ok_or_else(|| bug(format!("unbound struct {k:?}")))?;
        let name = IdentifierIndex(self.identifiers.add(k.name().to_string())?);
        let idx = StructHandleIndex(
            u16::try_from(self.struct_handles.len()).map_err(|_| bug("too many structs"))?,
        );
        self.struct_handles.push(StructHandle {
            module,
            name,
            abilities: info.abilities,
            type_parameters: info.type_parameters,
        });
        self.structs.insert(k.clone(), idx);
        Ok(idx)
    }

    fn token(&mut self, t: &Type) -> Result<SignatureToken, Diags> {
        Ok(match t {
            Type::Bool => SignatureToken::Bool,
            Type::U8 => SignatureToken::U8,
            Type::U16 => SignatureToken::U16,
            Type::U32 => SignatureToken::U32,
            Type::U64 => SignatureToken::U64,
            Type::U128 => SignatureToken::U128,
            Type::U256 => SignatureToken::U256,
            Type::Address => SignatureToken::Address,
            Type::Signer => SignatureToken::Signer,
            Type::Vector(i) => SignatureToken::Vector(Box::new(self.token(i)?)),
            Type::Ref(false, i) => SignatureToken::Reference(Box::new(self.token(i)?)),
            Type::Ref(true, i) => SignatureToken::MutableReference(Box::new(self.token(i)?)),
            Type::Param(i) => SignatureToken::TypeParameter(*i),
            Type::Struct(k, args) => {
                let h = self.struct_handle(k)?;
                if args.is_empty() {
                    SignatureToken::Struct(h)
                } else {
                    let args = args
                        .iter()
                        .map(|a| self.token(a))
                        .collect::<Result<_, _>>()?;
                    SignatureToken::StructInstantiation(h, args)
                }
            }
            Type::Var(_) | Type::Unit | Type::Tuple(_) | Type::Anything => {
                return Err(bug(format!("type '{t}' has no signature token")))
            }
        })
    }

    fn function_handle(&mut self, m: &ModuleId, f: &str) -> Result<FunctionHandleIndex, Diags> {
        let key = (m.address, m.name.clone(), f.to_string());
        if let Some(i) = self.functions.get(&key) {
            return Ok(*i);
        }
        let info = self
            .deps
            .function(&m.address, &m.name, f)
            .ok_or_else(|| bug(format!("unbound function {}::{f}", m.display())))?;
        let module = *self
            .modules
            .get(&(m.address, m.name.clone()))
            .ok_or_else(|| bug("no module handle"))?;
        // Struct handles of the signature: returns first, then parameters.
        let returns: Vec<SignatureToken> = info
            .returns
            .iter()
            .map(|t| self.token(t))
            .collect::<Result<_, _>>()?;
        let params: Vec<SignatureToken> = info
            .parameters
            .iter()
            .map(|t| self.token(t))
            .collect::<Result<_, _>>()?;
        let name = IdentifierIndex(self.identifiers.add(f.to_string())?);
        let parameters = SignatureIndex(self.signatures.add(Signature(params))?);
        let return_ = SignatureIndex(self.signatures.add(Signature(returns))?);
        let idx = FunctionHandleIndex(
            u16::try_from(self.function_handles.len()).map_err(|_| bug("too many functions"))?,
        );
        self.function_handles.push(FunctionHandle {
            module,
            name,
            parameters,
            return_,
            type_parameters: info.type_parameters.clone(),
        });
        self.functions.insert(key, idx);
        Ok(idx)
    }

    fn constant(&mut self, ty: &Type, v: &Value) -> Result<Constant, Diags> {
        let type_ = self.token(ty)?;
        let mut data = vec![];
        encode_value(v, &mut data)?;
        Ok(Constant { type_, data })
    }

    fn elem_sig(&mut self, t: &Type) -> Result<SignatureIndex, Diags> {
        let tok = self.token(t)?;
        Ok(SignatureIndex(self.signatures.add(Signature(vec![tok]))?))
    }

    fn instr(&mut self, i: &Ir, locals: &HashMap<String, u8>) -> Result<Pending, Diags> {
        let local = |v: &String| {
            locals
                .get(v)
                .copied()
                .ok_or_else(|| bug(format!("unknown local {v}")))
        };
        Ok(Pending::Done(match i {
            Ir::Simple(b) => b.clone(),
            Ir::SpecNop(_) => Bytecode::Nop,
            Ir::Branch(l) => return Ok(Pending::Branch(*l)),
            Ir::BrTrue(l) => return Ok(Pending::BrTrue(*l)),
            Ir::BrFalse(l) => return Ok(Pending::BrFalse(*l)),
            Ir::LdConst(ty, v) => {
                let c = self.constant(ty, v)?;
                Bytecode::LdConst(move_bytecode::ConstantPoolIndex(self.constants.add(c)?))
            }
            Ir::LdNamedConst(n) => Bytecode::LdConst(move_bytecode::ConstantPoolIndex(
                *self
                    .named_constants
                    .get(n)
                    .ok_or_else(|| bug("unknown constant"))?,
            )),
            Ir::CopyLoc(v) => Bytecode::CopyLoc(local(v)?),
            Ir::MoveLoc(v) => Bytecode::MoveLoc(local(v)?),
            Ir::StLoc(v) => Bytecode::StLoc(local(v)?),
            Ir::MutBorrowLoc(v) => Bytecode::MutBorrowLoc(local(v)?),
            Ir::ImmBorrowLoc(v) => Bytecode::ImmBorrowLoc(local(v)?),
            Ir::Call(m, f, tys) => {
                let toks: Vec<SignatureToken> = tys
                    .iter()
                    .map(|t| self.token(t))
                    .collect::<Result<_, _>>()?;
                let sig = SignatureIndex(self.signatures.add(Signature(toks))?);
                let fh = self.function_handle(m, f)?;
                if tys.is_empty() {
                    Bytecode::Call(fh)
                } else {
                    let fi = self.function_insts.add(FunctionInstantiation {
                        handle: fh,
                        type_parameters: sig,
                    })?;
                    Bytecode::CallGeneric(FunctionInstantiationIndex(fi))
                }
            }
            Ir::VecPack(t, n) => Bytecode::VecPack(self.elem_sig(t)?, *n),
            Ir::VecLen(t) => Bytecode::VecLen(self.elem_sig(t)?),
            Ir::VecImmBorrow(t) => Bytecode::VecImmBorrow(self.elem_sig(t)?),
            Ir::VecMutBorrow(t) => Bytecode::VecMutBorrow(self.elem_sig(t)?),
            Ir::VecPushBack(t) => Bytecode::VecPushBack(self.elem_sig(t)?),
            Ir::VecPopBack(t) => Bytecode::VecPopBack(self.elem_sig(t)?),
            Ir::VecUnpack(t, n) => Bytecode::VecUnpack(self.elem_sig(t)?, *n),
            Ir::VecSwap(t) => Bytecode::VecSwap(self.elem_sig(t)?),
            Ir::Pack(k, tys) => match self.struct_op(k, tys)? {
                Ok(d) => Bytecode::Pack(d),
                Err(i) => Bytecode::PackGeneric(i),
            },
            Ir::Unpack(k, tys) => match self.struct_op(k, tys)? {
                Ok(d) => Bytecode::Unpack(d),
                Err(i) => Bytecode::UnpackGeneric(i),
            },
            Ir::MoveTo(k, tys) => match self.struct_op(k, tys)? {
                Ok(d) => Bytecode::MoveTo(d),
                Err(i) => Bytecode::MoveToGeneric(i),
            },
            Ir::MoveFrom(k, tys) => match self.struct_op(k, tys)? {
                Ok(d) => Bytecode::MoveFrom(d),
                Err(i) => Bytecode::MoveFromGeneric(i),
            },
            Ir::Exists(k, tys) => match self.struct_op(k, tys)? {
                Ok(d) => Bytecode::Exists(d),
                Err(i) => Bytecode::ExistsGeneric(i),
            },
            Ir::BorrowGlobal(m, k, tys) => match (self.struct_op(k, tys)?, m) {
                (Ok(d), false) => Bytecode::ImmBorrowGlobal(d),
                (Ok(d), true) => Bytecode::MutBorrowGlobal(d),
                (Err(i), false) => Bytecode::ImmBorrowGlobalGeneric(i),
                (Err(i), true) => Bytecode::MutBorrowGlobalGeneric(i),
            },
            Ir::BorrowField(m, k, tys, field) => {
                let owner = self.struct_def(k)?;
                let field = u16::try_from(*field).map_err(|_| bug("too many fields"))?;
                let fh = FieldHandleIndex(self.field_handles.add(FieldHandle { owner, field })?);
                if tys.is_empty() {
                    if *m {
                        Bytecode::MutBorrowField(fh)
                    } else {
                        Bytecode::ImmBorrowField(fh)
                    }
                } else {
                    let sig = self.type_args(tys)?;
                    let fi = FieldInstantiationIndex(self.field_insts.add(FieldInstantiation {
                        handle: fh,
                        type_parameters: sig,
                    })?);
                    if *m {
                        Bytecode::MutBorrowFieldGeneric(fi)
                    } else {
                        Bytecode::ImmBorrowFieldGeneric(fi)
                    }
                }
            }
        }))
    }

    fn type_args(&mut self, tys: &[Type]) -> Result<SignatureIndex, Diags> {
        let toks: Vec<SignatureToken> = tys
            .iter()
            .map(|t| self.token(t))
            .collect::<Result<_, _>>()?;
        Ok(SignatureIndex(self.signatures.add(Signature(toks))?))
    }

    fn struct_def(&self, k: &StructKey) -> Result<StructDefinitionIndex, Diags> {
        self.struct_defs
            .get(k)
            .copied()
            .ok_or_else(|| bug(format!("{k:?} is not a struct of this module")))
    }

    /// The operand of a struct instruction: the type-argument signature is added first (even
    /// when empty), then the definition or, for a generic struct, its instantiation.
    fn struct_op(
        &mut self,
        k: &StructKey,
        tys: &[Type],
    ) -> Result<Result<StructDefinitionIndex, StructDefInstantiationIndex>, Diags> {
        let sig = self.type_args(tys)?;
        let def = self.struct_def(k)?;
        if tys.is_empty() {
            return Ok(Ok(def));
        }
        let i = self.struct_def_insts.add(StructDefInstantiation {
            def,
            type_parameters: sig,
        })?;
        Ok(Err(StructDefInstantiationIndex(i)))
    }
}

fn uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// BCS of a constant value.
fn encode_value(v: &Value, out: &mut Vec<u8>) -> Result<(), Diags> {
    match v {
        Value::Address(a) => out.extend_from_slice(a.as_bytes()),
        Value::U8(x) => out.push(*x),
        Value::U16(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::U32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::U64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::U128(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::U256(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Bool(b) => out.push(*b as u8),
        Value::InferredNum(_) => return Err(bug("untyped number")),
        Value::Vector(_, vs) => {
            uleb(out, vs.len() as u64);
            for v in vs {
                encode_value(v, out)?;
            }
        }
    }
    Ok(())
}

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
    AccountAddress, Bytecode, CodeUnit, CompiledScript, Constant, FunctionHandle,
    FunctionHandleIndex, FunctionInstantiation, FunctionInstantiationIndex, Identifier,
    IdentifierIndex, ModuleHandle, ModuleHandleIndex, Signature, SignatureIndex, SignatureToken,
    StructHandle, StructHandleIndex,
};

use super::{Ir, IrScript};
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
    };
    // Imports: modules of called functions, of named structs and of the structs in the called
    // functions' declared signatures.
    let mut mods: BTreeSet<(AccountAddress, String)> = BTreeSet::new();
    for (m, f) in &ir.seen_functions {
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
    for k in &ir.seen_structs {
        mods.insert((k.address(), k.module().to_string()));
    }
    for (addr, name) in &mods {
        let address = t.addresses.add(*addr)?;
        let name_idx = t.identifiers.add(name.clone())?;
        let h = t.module_handles.add(ModuleHandle {
            address: move_bytecode::AddressIdentifierIndex(address),
            name: IdentifierIndex(name_idx),
        })?;
        t.modules
            .insert((*addr, name.clone()), ModuleHandleIndex(h));
    }
    for (name, ty, v) in &ir.constants {
        let c = t.constant(ty, v)?;
        let i = t.constants.add(c)?;
        t.named_constants.insert(name.clone(), i);
    }
    let params: Vec<SignatureToken> = ir
        .parameters
        .iter()
        .map(|(_, ty)| t.token(ty))
        .collect::<Result<_, _>>()?;
    let parameters = SignatureIndex(t.signatures.add(Signature(params))?);
    let mut local_index: HashMap<String, u8> = HashMap::new();
    for (i, (v, _)) in ir.parameters.iter().chain(&ir.locals).enumerate() {
        let i = u8::try_from(i).map_err(|_| bug("too many locals"))?;
        local_index.insert(v.clone(), i);
    }
    let locals: Vec<SignatureToken> = ir
        .locals
        .iter()
        .map(|(_, ty)| t.token(ty))
        .collect::<Result<_, _>>()?;
    let locals = SignatureIndex(t.signatures.add(Signature(locals))?);

    let mut code = vec![];
    let mut offsets: HashMap<usize, u16> = HashMap::new();
    for (lbl, block) in &ir.blocks {
        offsets.insert(
            *lbl,
            u16::try_from(code.len()).map_err(|_| bug("code too long"))?,
        );
        for i in block {
            code.push(t.instr(i, &local_index)?);
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
    let identifiers = t
        .identifiers
        .items
        .iter()
        .map(|s| Identifier::new(s.as_str()).map_err(|e| bug(format!("invalid identifier: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
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
        code: CodeUnit {
            locals,
            code: final_code,
        },
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
        }))
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

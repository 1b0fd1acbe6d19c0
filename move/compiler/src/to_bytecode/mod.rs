//! Bytecode generation, in two steps like upstream: [`translate`] lowers the CFG to stack code
//! over named locals and labels (the IR), orders the blocks by label, lists the non-parameter
//! locals sorted by name and runs the peephole optimisations (fall-through jumps, `StLoc x;
//! MoveLoc x` pairs, `MoveLoc x; StLoc x` write-backs, unused locals); [`tables`] then builds the
//! `CompiledScript`, creating handles, signatures, identifiers and constants in first-need order.

mod optimize;
pub mod tables;

use std::collections::{BTreeMap, BTreeSet};

use crate::cfgir::{self, Cfg};
use crate::deps::Dependencies;
use crate::driver::CompileDiagnostic;
use crate::expansion::ModuleId;
use crate::hlir::ast::{Command_, Exp, Exp_, LValue, Label, Var};
use crate::parser::ast::{BinOp_, Loc};
use crate::typing::ast::{StructKey, Type, Value};
use move_bytecode::CompiledScript;

/// One IR instruction: bytecode over names instead of indexes.
#[derive(Clone, Debug, PartialEq)]
pub enum Ir {
    Simple(move_bytecode::Bytecode),
    /// The `Nop` standing for an inline spec block, with the block's number.
    SpecNop(usize),
    Branch(Label),
    BrTrue(Label),
    BrFalse(Label),
    LdConst(Type, Value),
    LdNamedConst(String),
    CopyLoc(Var),
    MoveLoc(Var),
    StLoc(Var),
    MutBorrowLoc(Var),
    ImmBorrowLoc(Var),
    Call(ModuleId, String, Vec<Type>),
    VecPack(Type, u64),
    VecLen(Type),
    VecImmBorrow(Type),
    VecMutBorrow(Type),
    VecPushBack(Type),
    VecPopBack(Type),
    VecUnpack(Type, u64),
    VecSwap(Type),
    Pack(StructKey, Vec<Type>),
    Unpack(StructKey, Vec<Type>),
    /// Mutable?, the struct, its type arguments, the field's declaration index.
    BorrowField(bool, StructKey, Vec<Type>, usize),
    MoveTo(StructKey, Vec<Type>),
    MoveFrom(StructKey, Vec<Type>),
    BorrowGlobal(bool, StructKey, Vec<Type>),
    Exists(StructKey, Vec<Type>),
}

/// A block's instructions, each with the source location the source map gives it.
pub type IrCode = Vec<(Ir, Loc)>;
pub type IrBlocks = Vec<(Label, IrCode)>;

/// The script as IR, ready for table building.
pub struct IrScript {
    pub type_parameters: Vec<move_bytecode::AbilitySet>,
    pub parameters: Vec<(Var, Type)>,
    pub locals: Vec<(Var, Type)>,
    /// Where each local is bound (its source map location).
    pub local_locs: BTreeMap<Var, Loc>,
    pub blocks: IrBlocks,
    pub constants: Vec<(String, Type, Value)>,
    /// Modules whose functions are called, and structs the code names, for the module handles.
    pub seen_functions: BTreeSet<(ModuleId, String)>,
    pub seen_structs: BTreeSet<StructKey>,
}

/// A struct of the module being compiled.
pub struct IrStruct {
    pub name: String,
    /// Declared fields; `None` for a native struct. An empty list gets upstream's dummy field.
    pub fields: Option<Vec<(String, Type)>>,
}

/// What a function handle and definition need besides the body.
pub struct IrFunctionDecl {
    pub name: String,
    pub visibility: move_bytecode::Visibility,
    pub is_entry: bool,
    /// Names of the module's structs the function acquires, as written.
    pub acquires: Vec<String>,
    pub parameters: Vec<Type>,
    pub returns: Vec<Type>,
}

/// A module ready for table building: structs, constants and functions sorted by name.
pub struct IrModule {
    pub id: ModuleId,
    pub friends: Vec<ModuleId>,
    pub structs: Vec<IrStruct>,
    pub constants: Vec<(String, Type, Value)>,
    /// Each function with its body (`None` for a native function).
    pub functions: Vec<(IrFunctionDecl, Option<IrScript>)>,
}

/// Lowers one function body of a module to IR.
pub fn lower_function(s: cfgir::Script) -> IrScript {
    lower(s)
}

/// Builds the `CompiledModule` of a lowered module.
pub fn translate_module(
    m: IrModule,
    deps: &Dependencies,
) -> Result<tables::ModuleTables, Vec<CompileDiagnostic>> {
    tables::compile_module(m, deps)
}

pub fn translate(
    s: cfgir::Script,
    deps: &Dependencies,
) -> Result<CompiledScript, Vec<CompileDiagnostic>> {
    let ir = lower(s);
    tables::compile(ir, deps)
}

fn contains_anything(t: &Type) -> bool {
    match t {
        Type::Anything => true,
        Type::Vector(i) | Type::Ref(_, i) => contains_anything(i),
        Type::Struct(_, a) | Type::Tuple(a) => a.iter().any(contains_anything),
        _ => false,
    }
}

/// The code of one expression: what it pushes takes the expression's location.
struct Located<'a> {
    code: &'a mut IrCode,
    loc: Loc,
}

impl Located<'_> {
    fn push(&mut self, i: Ir) {
        self.code.push((i, self.loc));
    }
}

struct Lower {
    seen_functions: BTreeSet<(ModuleId, String)>,
    seen_structs: BTreeSet<StructKey>,
}

fn lower(s: cfgir::Script) -> IrScript {
    let mut l = Lower {
        seen_functions: BTreeSet::new(),
        seen_structs: BTreeSet::new(),
    };
    for (_, t) in &s.parameters {
        l.see(t);
    }
    let mut locals_map: BTreeMap<Var, Type> = s.locals;
    for (p, _) in &s.parameters {
        locals_map.remove(p);
    }
    let mut locals: Vec<(Var, Type)> = locals_map
        .into_iter()
        .filter(|(_, t)| !contains_anything(t))
        .collect();
    for (_, t) in &locals {
        l.see(t);
    }
    let Cfg { blocks, .. } = s.cfg;
    let mut out: IrBlocks = vec![];
    for (lbl, b) in blocks {
        let mut code = vec![];
        for c in b {
            l.command(&mut code, c.loc, c.c);
        }
        out.push((lbl, code));
    }
    optimize::code(&s.loop_heads, &mut locals, &mut out);
    IrScript {
        type_parameters: s.type_parameters,
        parameters: s.parameters,
        locals,
        local_locs: s.local_locs,
        blocks: out,
        constants: s.constants,
        seen_functions: l.seen_functions,
        seen_structs: l.seen_structs,
    }
}

impl Lower {
    fn see(&mut self, t: &Type) {
        match t {
            Type::Struct(k, args) => {
                self.seen_structs.insert(k.clone());
                args.iter().for_each(|a| self.see(a));
            }
            Type::Vector(i) | Type::Ref(_, i) => self.see(i),
            Type::Tuple(ts) => ts.iter().for_each(|a| self.see(a)),
            _ => {}
        }
    }

    fn command(&mut self, code: &mut IrCode, loc: Loc, c: Command_) {
        use move_bytecode::Bytecode as B;
        match c {
            Command_::Assign(ls, e) => {
                self.exp(code, *e);
                for l in ls.into_iter().rev() {
                    self.lvalue(code, l);
                }
            }
            Command_::Mutate(r, v) => {
                self.exp(code, *v);
                self.exp(code, *r);
                code.push((Ir::Simple(B::WriteRef), loc));
            }
            Command_::Abort(e) => {
                self.exp(code, e);
                code.push((Ir::Simple(B::Abort), loc));
            }
            Command_::Return(e) => {
                self.exp(code, e);
                code.push((Ir::Simple(B::Ret), loc));
            }
            Command_::IgnoreAndPop { pop_num, exp } => {
                self.exp(code, exp);
                for _ in 0..pop_num {
                    code.push((Ir::Simple(B::Pop), loc));
                }
            }
            Command_::Jump(t) => code.push((Ir::Branch(t), loc)),
            Command_::JumpIf {
                cond,
                if_true,
                if_false,
            } => {
                self.exp(code, cond);
                code.push((Ir::BrFalse(if_false), loc));
                code.push((Ir::Branch(if_true), loc));
            }
            Command_::Break | Command_::Continue => {}
        }
    }

    fn lvalue(&mut self, code: &mut IrCode, l: LValue) {
        use move_bytecode::Bytecode as B;
        match l {
            LValue::Ignore(l) => code.push((Ir::Simple(B::Pop), l)),
            // Upstream locates a store at the name it assigns.
            LValue::Var(v, _, l) => code.push((Ir::StLoc(v), l)),
            LValue::Unpack(k, tys, fs, pattern) => {
                tys.iter().for_each(|t| self.see(t));
                self.seen_structs.insert(k.clone());
                code.push((Ir::Unpack(k, tys), pattern));
                if fs.is_empty() {
                    // The dummy field of a struct declared without fields.
                    code.push((Ir::Simple(B::Pop), pattern));
                }
                for (_, l) in fs.into_iter().rev() {
                    self.lvalue(code, l);
                }
            }
        }
    }

    fn exp(&mut self, code: &mut IrCode, e: Exp) {
        use move_bytecode::Bytecode as B;
        let loc = e.loc;
        let mut code = Located { code, loc };
        let code = &mut code;
        match e.e {
            Exp_::Pack(k, tys, fs) => {
                tys.iter().for_each(|t| self.see(t));
                self.seen_structs.insert(k.clone());
                if fs.is_empty() {
                    code.push(Ir::Simple(B::LdFalse));
                }
                for (_, _, f) in fs {
                    self.exp(code.code, f);
                }
                code.push(Ir::Pack(k, tys));
            }
            Exp_::Borrow {
                mutable,
                base,
                key,
                targs,
                index,
            } => {
                targs.iter().for_each(|t| self.see(t));
                self.exp(code.code, *base);
                code.push(Ir::BorrowField(mutable, key, targs, index));
            }
            Exp_::Builtin(b, name_loc, args) => {
                self.exp(code.code, *args);
                use crate::typing::ast::Builtin as TB;
                let i = match b {
                    TB::MoveTo(k, t) => Ir::MoveTo(k, t),
                    TB::MoveFrom(k, t) => Ir::MoveFrom(k, t),
                    TB::BorrowGlobal(m, k, t) => Ir::BorrowGlobal(m, k, t),
                    TB::Exists(k, t) => Ir::Exists(k, t),
                };
                // Upstream locates the operation at its name.
                code.code.push((i, name_loc));
            }
            Exp_::Unreachable | Exp_::Unit(_) => {}
            Exp_::Spec(id, _) => code.push(Ir::SpecNop(id)),
            Exp_::Value(v) => code.push(match v {
                Value::U8(x) => Ir::Simple(B::LdU8(x)),
                Value::U16(x) => Ir::Simple(B::LdU16(x)),
                Value::U32(x) => Ir::Simple(B::LdU32(x)),
                Value::U64(x) => Ir::Simple(B::LdU64(x)),
                Value::U128(x) => Ir::Simple(B::LdU128(x)),
                Value::U256(x) => Ir::Simple(B::LdU256(move_bytecode::U256::from_le_bytes(
                    x.to_le_bytes(),
                ))),
                Value::Bool(true) => Ir::Simple(B::LdTrue),
                Value::Bool(false) => Ir::Simple(B::LdFalse),
                Value::InferredNum(_) => Ir::Simple(B::LdU64(0)),
                v @ (Value::Address(_) | Value::Vector(..)) => Ir::LdConst(e.ty.clone(), v),
            }),
            Exp_::Move { var, .. } => code.push(Ir::MoveLoc(var)),
            Exp_::Copy { var, .. } => code.push(Ir::CopyLoc(var)),
            Exp_::Constant(c) => code.push(Ir::LdNamedConst(c)),
            Exp_::ModuleCall(call) => {
                self.exp(code.code, *call.args);
                for t in &call.type_args {
                    self.see(t);
                }
                let is_std = call.module.address == move_bytecode::AccountAddress::ONE
                    || call.module.address_name.as_deref() == Some("std");
                let ty = || call.type_args.first().cloned().unwrap_or(Type::Anything);
                let builtin = if is_std && call.module.name == "vector" {
                    match call.name.as_str() {
                        "empty" => Some(Ir::VecPack(ty(), 0)),
                        "length" => Some(Ir::VecLen(ty())),
                        "borrow" => Some(Ir::VecImmBorrow(ty())),
                        "push_back" => Some(Ir::VecPushBack(ty())),
                        "borrow_mut" => Some(Ir::VecMutBorrow(ty())),
                        "pop_back" => Some(Ir::VecPopBack(ty())),
                        "destroy_empty" => Some(Ir::VecUnpack(ty(), 0)),
                        "swap" => Some(Ir::VecSwap(ty())),
                        _ => None,
                    }
                } else {
                    None
                };
                match builtin {
                    Some(i) => code.push(i),
                    None => {
                        self.seen_functions
                            .insert((call.module.clone(), call.name.clone()));
                        code.push(Ir::Call(call.module, call.name, call.type_args));
                    }
                }
            }
            Exp_::Freeze(i) => {
                self.exp(code.code, *i);
                code.push(Ir::Simple(B::FreezeRef));
            }
            Exp_::Dereference(i) => {
                self.exp(code.code, *i);
                code.push(Ir::Simple(B::ReadRef));
            }
            Exp_::Not(i, op_loc) => {
                self.exp(code.code, *i);
                code.code.push((Ir::Simple(B::Not), op_loc));
            }
            Exp_::Binop(l, op, r) => {
                self.exp(code.code, *l);
                self.exp(code.code, *r);
                // Upstream locates an operator at its token.
                let op_loc = op.loc;
                code.code.push((
                    Ir::Simple(match op.value {
                        BinOp_::Add => B::Add,
                        BinOp_::Sub => B::Sub,
                        BinOp_::Mul => B::Mul,
                        BinOp_::Mod => B::Mod,
                        BinOp_::Div => B::Div,
                        BinOp_::BitOr => B::BitOr,
                        BinOp_::BitAnd => B::BitAnd,
                        BinOp_::Xor => B::Xor,
                        BinOp_::Shl => B::Shl,
                        BinOp_::Shr => B::Shr,
                        BinOp_::And => B::And,
                        BinOp_::Or => B::Or,
                        BinOp_::Eq => B::Eq,
                        BinOp_::Neq => B::Neq,
                        BinOp_::Lt => B::Lt,
                        BinOp_::Gt => B::Gt,
                        BinOp_::Le => B::Le,
                        BinOp_::Ge => B::Ge,
                        BinOp_::Range | BinOp_::Implies | BinOp_::Iff => B::Nop,
                    }),
                    op_loc,
                ));
            }
            Exp_::Vector(n, t, args) => {
                self.see(&t);
                self.exp(code.code, *args);
                code.push(Ir::VecPack(t, n as u64));
            }
            Exp_::ExpList(es) => {
                for e in es {
                    self.exp(code.code, e);
                }
            }
            Exp_::BorrowLocal(m, v) => code.push(if m {
                Ir::MutBorrowLoc(v)
            } else {
                Ir::ImmBorrowLoc(v)
            }),
            Exp_::Cast(i, t) => {
                self.exp(code.code, *i);
                code.push(Ir::Simple(match t {
                    Type::U8 => B::CastU8,
                    Type::U16 => B::CastU16,
                    Type::U32 => B::CastU32,
                    Type::U128 => B::CastU128,
                    Type::U256 => B::CastU256,
                    _ => B::CastU64,
                }));
            }
        }
    }
}

//! The typed tree of a script: every expression carries its type, names are resolved (locals
//! by name, calls to `address::module::function`), and every use of a local is an explicit
//! `Copy`, `Move` or borrow. Types of dependency functions are given with named structs.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use ethnum::U256;
use move_bytecode::{AbilitySet, AccountAddress};

use crate::expansion::ModuleId;
use crate::parser::ast::{BinOp, Loc};

/// A struct declared in a dependency: address, module and struct name.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StructKey(Arc<(AccountAddress, String, String)>);

impl StructKey {
    pub fn new(addr: AccountAddress, module: &str, name: &str) -> Self {
        StructKey(Arc::new((addr, module.to_string(), name.to_string())))
    }
    pub fn address(&self) -> AccountAddress {
        self.0 .0
    }
    pub fn module(&self) -> &str {
        &self.0 .1
    }
    pub fn name(&self) -> &str {
        &self.0 .2
    }
}

impl fmt::Debug for StructKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}::{}::{}",
            self.address().to_hex_literal(),
            self.module(),
            self.name()
        )
    }
}

/// A type; `Var` only before inference is finished.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Type {
    Bool,
    U8,
    U16,
    U32,
    U64,
    U128,
    U256,
    Address,
    Signer,
    Vector(Box<Type>),
    Struct(StructKey, Vec<Type>),
    Ref(bool, Box<Type>),
    Param(u16),
    Var(u32),
    Unit,
    Tuple(Vec<Type>),
    /// The type of an expression that never returns (`abort`, `return`, `break`).
    Anything,
}

impl Type {
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            Type::U8 | Type::U16 | Type::U32 | Type::U64 | Type::U128 | Type::U256
        )
    }

    /// The single types of a value of this type (`()` has none, a tuple several).
    pub fn items(&self) -> Vec<Type> {
        match self {
            Type::Unit => vec![],
            Type::Tuple(ts) => ts.clone(),
            t => vec![t.clone()],
        }
    }

    pub fn from_items(mut ts: Vec<Type>) -> Type {
        match ts.len() {
            0 => Type::Unit,
            1 => ts.remove(0),
            _ => Type::Tuple(ts),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::U8 => f.write_str("u8"),
            Type::U16 => f.write_str("u16"),
            Type::U32 => f.write_str("u32"),
            Type::U64 => f.write_str("u64"),
            Type::U128 => f.write_str("u128"),
            Type::U256 => f.write_str("u256"),
            Type::Address => f.write_str("address"),
            Type::Signer => f.write_str("signer"),
            Type::Vector(t) => write!(f, "vector<{t}>"),
            Type::Struct(k, args) => {
                write!(f, "{}::{}", k.module(), k.name())?;
                if !args.is_empty() {
                    let a: Vec<String> = args.iter().map(|t| t.to_string()).collect();
                    write!(f, "<{}>", a.join(", "))?;
                }
                Ok(())
            }
            Type::Ref(m, t) => write!(f, "&{}{t}", if *m { "mut " } else { "" }),
            Type::Param(i) => write!(f, "T{i}"),
            Type::Var(_) => f.write_str("_"),
            Type::Unit => f.write_str("()"),
            Type::Tuple(ts) => {
                let a: Vec<String> = ts.iter().map(|t| t.to_string()).collect();
                write!(f, "({})", a.join(", "))
            }
            Type::Anything => f.write_str("_"),
        }
    }
}

/// A constant value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Address(AccountAddress),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    U128(u128),
    U256(U256),
    Bool(bool),
    /// An integer literal whose type inference has not fixed yet.
    InferredNum(U256),
    /// A vector of constants with its element type.
    Vector(Type, Vec<Value>),
}

pub type Var = String;

#[derive(Clone, Debug)]
pub struct Exp {
    pub ty: Type,
    pub loc: Loc,
    pub e: Exp_,
}

#[derive(Clone, Debug)]
pub struct ModuleCall {
    pub module: ModuleId,
    pub name: String,
    pub type_args: Vec<Type>,
    /// `()` for no argument, the argument itself for one, an `ExpList` for several.
    pub args: Box<Exp>,
    pub param_types: Vec<Type>,
}

/// A global storage operation on a struct of the module being compiled.
#[derive(Clone, Debug)]
pub enum Builtin {
    MoveTo(StructKey, Vec<Type>),
    MoveFrom(StructKey, Vec<Type>),
    BorrowGlobal(bool, StructKey, Vec<Type>),
    Exists(StructKey, Vec<Type>),
}

/// Which global storage operation a call names, before its resource type is known.
#[derive(Clone, Copy, Debug)]
pub enum GlobalOp {
    MoveTo,
    MoveFrom,
    BorrowGlobal(bool),
    Exists,
}

impl GlobalOp {
    pub fn name(self) -> &'static str {
        match self {
            GlobalOp::MoveTo => "move_to",
            GlobalOp::MoveFrom => "move_from",
            GlobalOp::BorrowGlobal(false) => "borrow_global",
            GlobalOp::BorrowGlobal(true) => "borrow_global_mut",
            GlobalOp::Exists => "exists",
        }
    }
}

impl Builtin {
    pub fn map_types(self, mut f: impl FnMut(&Type) -> Type) -> Builtin {
        let m = |ts: Vec<Type>, f: &mut dyn FnMut(&Type) -> Type| ts.iter().map(f).collect();
        match self {
            Builtin::MoveTo(k, ts) => Builtin::MoveTo(k, m(ts, &mut f)),
            Builtin::MoveFrom(k, ts) => Builtin::MoveFrom(k, m(ts, &mut f)),
            Builtin::BorrowGlobal(b, k, ts) => Builtin::BorrowGlobal(b, k, m(ts, &mut f)),
            Builtin::Exists(k, ts) => Builtin::Exists(k, m(ts, &mut f)),
        }
    }
}

/// One field of a pack or unpack: declaration index, name, (instantiated) type, and the value
/// or binder.
#[derive(Clone, Debug)]
pub struct FieldItem<T> {
    pub index: usize,
    pub name: String,
    pub ty: Type,
    pub item: T,
}

#[derive(Clone, Debug)]
pub enum Exp_ {
    /// `S { f: e, ... }` with the fields in the order written.
    Pack(StructKey, Vec<Type>, Vec<FieldItem<Exp>>),
    /// Borrow of field `index` of the struct the reference `base` points to.
    Borrow {
        mutable: bool,
        base: Box<Exp>,
        field: String,
        index: usize,
    },
    /// A global storage operation, the location of its name, its argument.
    Builtin(Builtin, Loc, Box<Exp>),
    /// A global storage operation whose resource type inference has yet to fix; the last step
    /// of typing turns it into a [`Exp_::Builtin`].
    GlobalOp(GlobalOp, Type, Loc, Box<Exp>),
    Unit {
        trailing: bool,
    },
    Value(Value),
    Constant(String),
    /// A use of a local before expansion decides between copy and move.
    Use(Var),
    Move {
        from_user: bool,
        var: Var,
    },
    Copy {
        from_user: bool,
        var: Var,
    },
    BorrowLocal(bool, Var),
    TempBorrow(bool, Box<Exp>),
    ModuleCall(Box<ModuleCall>),
    Freeze(Box<Exp>),
    /// `assert!(cond, code)`.
    Assert(Box<Exp>, Box<Exp>),
    Vector(usize, Type, Box<Exp>),
    IfElse(Box<Exp>, Box<Exp>, Box<Exp>),
    While(Box<Exp>, Box<Exp>),
    Loop {
        has_break: bool,
        body: Box<Exp>,
    },
    Block(Sequence),
    Assign(Vec<LValue>, Box<Exp>),
    Mutate(Box<Exp>, Box<Exp>),
    Return(Box<Exp>),
    Abort(Box<Exp>),
    Break,
    Continue,
    Dereference(Box<Exp>),
    /// `!e`, with the location of the `!`.
    Not(Box<Exp>, Loc),
    /// Left operand, operator, operand type, right operand.
    Binop(Box<Exp>, BinOp, Type, Box<Exp>),
    ExpList(Vec<Exp>),
    Cast(Box<Exp>, Type),
    Annotate(Box<Exp>, Type),
    /// An inline `spec { }` block: a no-op that keeps the locals it reads alive.
    Spec(Vec<Var>),
}

#[derive(Clone, Debug)]
pub enum LValue {
    /// `_`, or a binder whose value is never used, at its location.
    Ignore(Loc),
    /// A local: its name, type, the binder's location (where the store is located) and the
    /// name's (where the local is declared); they differ for an inlined function's parameter,
    /// bound at the call.
    Var(Var, Type, Loc, Loc),
    /// `S { f: lv, ... }` with the fields in declaration order.
    Unpack(StructKey, Vec<Type>, Vec<FieldItem<LValue>>, Loc),
    /// `S { f: lv, ... } = &e` (or `&mut e`): binds references to the fields.
    BorrowUnpack(bool, StructKey, Vec<Type>, Vec<FieldItem<LValue>>, Loc),
}

#[derive(Clone, Debug)]
pub enum SequenceItem {
    Seq(Exp),
    Declare(Vec<LValue>),
    /// `let binds [: tys] = e;` with the declared type of each binder, when written.
    Bind(Vec<LValue>, Vec<Option<Type>>, Exp, Loc),
}

pub type Sequence = VecDeque<SequenceItem>;

/// A script function, or a function of a module, after typing.
pub struct Script {
    pub function_name: String,
    pub loc: Loc,
    pub type_parameters: Vec<AbilitySet>,
    pub parameters: Vec<(Var, Type, Loc)>,
    pub return_type: Type,
    pub body: Sequence,
    pub body_loc: Loc,
    /// Named constants, sorted by name, with their folded value.
    pub constants: Vec<(String, Type, Value)>,
    /// What in the body may acquire resources (see [`super::acquires`]).
    pub acquire_uses: Vec<super::acquires::AcquireUse>,
}

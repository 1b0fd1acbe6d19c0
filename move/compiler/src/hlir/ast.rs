//! The high-level IR: statements (commands, `if`, `while`, `loop`) over expressions without
//! control flow. Every local has a unique name (`x#3` for a shadowed `x`, `%#4` for a
//! compiler temporary); the function's locals map is keyed, and so sorted, by those names.

use std::collections::{BTreeMap, VecDeque};

use crate::expansion::ModuleId;
use crate::parser::ast::{BinOp, Loc};
use crate::typing::ast::{Builtin, StructKey, Type, Value};

pub type Var = String;

/// Why a unit value is there (a trailing `;` is reported when unreachable).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitCase {
    Trailing,
    FromUser,
    Implicit,
}

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
    pub args: Box<Exp>,
}

#[derive(Clone, Debug)]
pub enum Exp_ {
    /// A struct value from its fields in declaration order (index, type, value).
    Pack(StructKey, Vec<Type>, Vec<(usize, Type, Exp)>),
    /// Borrow of field `index` of struct `key<targs>` through the reference `base`.
    Borrow {
        mutable: bool,
        base: Box<Exp>,
        key: StructKey,
        targs: Vec<Type>,
        index: usize,
    },
    /// A global storage operation, the location of its name, its argument.
    Builtin(Builtin, Loc, Box<Exp>),
    Unit(UnitCase),
    Value(Value),
    Constant(String),
    Move {
        var: Var,
        from_user: bool,
    },
    Copy {
        var: Var,
        from_user: bool,
    },
    BorrowLocal(bool, Var),
    ModuleCall(Box<ModuleCall>),
    Freeze(Box<Exp>),
    Vector(usize, Type, Box<Exp>),
    Dereference(Box<Exp>),
    /// `!e`, with the location of the `!`.
    Not(Box<Exp>, Loc),
    Binop(Box<Exp>, BinOp, Box<Exp>),
    ExpList(Vec<Exp>),
    Cast(Box<Exp>, Type),
    /// An inline `spec` block: its number within the function (upstream's nop label) and the
    /// locals it reads.
    Spec(usize, Vec<Var>),
    Unreachable,
}

impl Exp {
    pub fn is_unit(&self) -> bool {
        matches!(self.e, Exp_::Unit(_))
    }

    /// The operands of a struct expression (pack fields, borrowed base, builtin arguments), in
    /// evaluation order; empty for every other expression.
    pub fn struct_operands(&self) -> Vec<&Exp> {
        match &self.e {
            Exp_::Pack(_, _, fs) => fs.iter().map(|f| &f.2).collect(),
            Exp_::Borrow { base, .. } => vec![&**base],
            Exp_::Builtin(_, _, a) => vec![&**a],
            _ => vec![],
        }
    }

    pub fn struct_operands_mut(&mut self) -> Vec<&mut Exp> {
        match &mut self.e {
            Exp_::Pack(_, _, fs) => fs.iter_mut().map(|f| &mut f.2).collect(),
            Exp_::Borrow { base, .. } => vec![&mut **base],
            Exp_::Builtin(_, _, a) => vec![&mut **a],
            _ => vec![],
        }
    }
}

pub type Label = usize;

#[derive(Clone, Debug)]
pub enum LValue {
    /// `_`, or a binder whose value is never used, at its location.
    Ignore(Loc),
    Var(Var, Type, Loc),
    /// Unpacks a struct and binds its fields (declaration order).
    Unpack(StructKey, Vec<Type>, Vec<(usize, LValue)>, Loc),
}

impl LValue {
    /// Every local this binder assigns, nested patterns included.
    pub fn vars(&self) -> Vec<&Var> {
        match self {
            LValue::Ignore(_) => vec![],
            LValue::Var(v, _, _) => vec![v],
            LValue::Unpack(_, _, fs, _) => fs.iter().flat_map(|(_, l)| l.vars()).collect(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Command_ {
    Assign(Vec<LValue>, Box<Exp>),
    Mutate(Box<Exp>, Box<Exp>),
    Abort(Exp),
    Return(Exp),
    IgnoreAndPop {
        pop_num: usize,
        exp: Exp,
    },
    Jump(Label),
    JumpIf {
        cond: Exp,
        if_true: Label,
        if_false: Label,
    },
    Break,
    Continue,
}

#[derive(Clone, Debug)]
pub struct Command {
    pub loc: Loc,
    pub c: Command_,
}

impl Command {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self.c,
            Command_::Abort(_)
                | Command_::Return(_)
                | Command_::Jump(_)
                | Command_::JumpIf { .. }
                | Command_::Break
                | Command_::Continue
        )
    }

    /// A command with no effect (assigns nothing from `()`, or pops `()`).
    pub fn is_unit(&self) -> bool {
        match &self.c {
            Command_::Assign(ls, e) => ls.is_empty() && e.is_unit(),
            Command_::IgnoreAndPop { exp, .. } => exp.is_unit(),
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Statement {
    Command(Command),
    IfElse {
        loc: Loc,
        cond: Box<Exp>,
        if_block: Block,
        else_block: Block,
    },
    While {
        loc: Loc,
        cond: (Block, Box<Exp>),
        block: Block,
    },
    Loop {
        loc: Loc,
        block: Block,
        has_break: bool,
    },
}

pub type Block = VecDeque<Statement>;

/// A script or module function after HLIR.
pub struct Script {
    pub function_name: String,
    pub loc: Loc,
    pub type_parameters: Vec<move_bytecode::AbilitySet>,
    pub parameters: Vec<(Var, Type)>,
    /// Every local, parameters included, keyed by unique name.
    pub locals: BTreeMap<Var, Type>,
    /// Where each local is bound: the binder for a named local, the expression for a temporary.
    pub local_locs: BTreeMap<Var, Loc>,
    pub body: Block,
    pub constants: Vec<(String, Type, Value)>,
}

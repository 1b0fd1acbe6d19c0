//! The high-level IR: statements (commands, `if`, `while`, `loop`) over expressions without
//! control flow. Every local has a unique name (`x#3` for a shadowed `x`, `%#4` for a
//! compiler temporary); the function's locals map is keyed, and so sorted, by those names.

use std::collections::{BTreeMap, VecDeque};

use crate::expansion::ModuleId;
use crate::parser::ast::{BinOp_, Loc};
use crate::typing::ast::{Type, Value};

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
    Unit(UnitCase),
    Value(Value),
    Constant(String),
    Move { var: Var, from_user: bool },
    Copy { var: Var, from_user: bool },
    BorrowLocal(bool, Var),
    ModuleCall(Box<ModuleCall>),
    Freeze(Box<Exp>),
    Vector(usize, Type, Box<Exp>),
    Dereference(Box<Exp>),
    Not(Box<Exp>),
    Binop(Box<Exp>, BinOp_, Box<Exp>),
    ExpList(Vec<Exp>),
    Cast(Box<Exp>, Type),
    Spec(Vec<Var>),
    Unreachable,
}

impl Exp {
    pub fn is_unit(&self) -> bool {
        matches!(self.e, Exp_::Unit(_))
    }
}

pub type Label = usize;

#[derive(Clone, Debug)]
pub enum LValue {
    Ignore,
    Var(Var, Type),
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

/// A script after HLIR.
pub struct Script {
    pub function_name: String,
    pub loc: Loc,
    pub type_parameters: Vec<move_bytecode::AbilitySet>,
    pub parameters: Vec<(Var, Type)>,
    /// Every local, parameters included, keyed by unique name.
    pub locals: BTreeMap<Var, Type>,
    pub body: Block,
    pub constants: Vec<(String, Type, Value)>,
}

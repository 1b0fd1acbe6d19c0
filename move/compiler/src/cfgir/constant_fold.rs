//! Constant folding: operators, casts and vector literals whose operands are all values are
//! replaced by their value, except when evaluating them would abort (overflow, division by zero,
//! a cast that does not fit, a shift by the width or more), which is left for run time.

use std::collections::VecDeque;

use ethnum::U256;

use super::Cfg;
use crate::hlir::ast::{Command, Command_, Exp, Exp_};
use crate::parser::ast::BinOp_;
use crate::typing::ast::{Type, Value};

/// Folds every command of `cfg`; `true` if anything changed.
pub fn optimize(cfg: &mut Cfg) -> bool {
    let mut changed = false;
    for block in cfg.blocks.values_mut() {
        let old = std::mem::take(block);
        let mut new = VecDeque::with_capacity(old.len());
        for mut c in old {
            match optimize_cmd(&mut c) {
                None => changed = true,
                Some(ch) => {
                    changed |= ch;
                    new.push_back(c);
                }
            }
        }
        *block = new;
    }
    changed
}

fn optimize_cmd(c: &mut Command) -> Option<bool> {
    Some(match &mut c.c {
        Command_::Assign(_, e) => optimize_exp(e),
        Command_::Mutate(l, r) => {
            let a = optimize_exp(r);
            let b = optimize_exp(l);
            a || b
        }
        Command_::Return(e) | Command_::Abort(e) | Command_::JumpIf { cond: e, .. } => {
            optimize_exp(e)
        }
        Command_::IgnoreAndPop { exp, .. } => {
            let ch = optimize_exp(exp);
            if foldable_exps(exp) {
                return None;
            }
            ch
        }
        Command_::Jump(_) | Command_::Break | Command_::Continue => false,
    })
}

fn value_of(e: &Exp) -> Option<Value> {
    match &e.e {
        Exp_::Value(v) => Some(v.clone()),
        _ => None,
    }
}

fn foldable_exps(e: &Exp) -> bool {
    match &e.e {
        Exp_::Unit(_) => true,
        Exp_::ExpList(items) => items.iter().all(|i| value_of(i).is_some()),
        _ => value_of(e).is_some(),
    }
}

fn is_valid_const_type(t: &Type) -> bool {
    match t {
        Type::Bool
        | Type::U8
        | Type::U16
        | Type::U32
        | Type::U64
        | Type::U128
        | Type::U256
        | Type::Address => true,
        Type::Vector(i) => is_valid_const_type(i),
        _ => false,
    }
}

fn optimize_exp(e: &mut Exp) -> bool {
    match &mut e.e {
        Exp_::Unit(_)
        | Exp_::Value(_)
        | Exp_::Constant(_)
        | Exp_::Spec(..)
        | Exp_::BorrowLocal(..)
        | Exp_::Move { .. }
        | Exp_::Copy { .. }
        | Exp_::Unreachable => false,
        Exp_::ModuleCall(c) => optimize_exp(&mut c.args),
        Exp_::Pack(..) | Exp_::Borrow { .. } | Exp_::Builtin(..) => {
            let mut changed = false;
            for o in e.struct_operands_mut() {
                changed |= optimize_exp(o);
            }
            changed
        }
        Exp_::Freeze(i) | Exp_::Dereference(i) => optimize_exp(i),
        Exp_::ExpList(es) => es.iter_mut().any(optimize_exp),
        Exp_::Not(i, _) => {
            let ch = optimize_exp(i);
            match value_of(i).and_then(fold_not) {
                Some(v) => {
                    e.e = Exp_::Value(v);
                    true
                }
                None => ch,
            }
        }
        Exp_::Binop(l, op, r) => {
            let c1 = optimize_exp(l);
            let c2 = optimize_exp(r);
            let folded = match (value_of(l), value_of(r)) {
                (Some(a), Some(b)) => fold_binop(op.value, a, b),
                _ => None,
            };
            match folded {
                Some(v) => {
                    e.e = Exp_::Value(v);
                    true
                }
                None => c1 || c2,
            }
        }
        Exp_::Cast(i, t) => {
            let ch = optimize_exp(i);
            match value_of(i).and_then(|v| fold_cast(t, v)) {
                Some(v) => {
                    e.e = Exp_::Value(v);
                    true
                }
                None => ch,
            }
        }
        Exp_::Vector(_, t, args) => {
            let ch = optimize_exp(args);
            match fold_vector(t, args) {
                Some(v) => {
                    e.e = Exp_::Value(v);
                    true
                }
                None => ch,
            }
        }
    }
}

/// The value of `vector<t>[args]` when every element is a value of a constant type.
pub fn fold_vector(t: &Type, args: &Exp) -> Option<Value> {
    if !is_valid_const_type(t) {
        return None;
    }
    let vals = match &args.e {
        Exp_::Unit(_) => vec![],
        Exp_::ExpList(items) => items.iter().map(value_of).collect::<Option<Vec<_>>>()?,
        _ => vec![value_of(args)?],
    };
    Some(Value::Vector(t.clone(), vals))
}

pub fn fold_not(v: Value) -> Option<Value> {
    match v {
        Value::Bool(b) => Some(Value::Bool(!b)),
        _ => None,
    }
}

macro_rules! arith {
    ($a:expr, $b:expr, $f:ident) => {
        match ($a, $b) {
            (Value::U8(x), Value::U8(y)) => Value::U8(x.$f(y)?),
            (Value::U16(x), Value::U16(y)) => Value::U16(x.$f(y)?),
            (Value::U32(x), Value::U32(y)) => Value::U32(x.$f(y)?),
            (Value::U64(x), Value::U64(y)) => Value::U64(x.$f(y)?),
            (Value::U128(x), Value::U128(y)) => Value::U128(x.$f(y)?),
            (Value::U256(x), Value::U256(y)) => Value::U256(x.$f(y)?),
            _ => return None,
        }
    };
}

macro_rules! bits {
    ($a:expr, $b:expr, $op:tt) => {
        match ($a, $b) {
            (Value::U8(x), Value::U8(y)) => Value::U8(x $op y),
            (Value::U16(x), Value::U16(y)) => Value::U16(x $op y),
            (Value::U32(x), Value::U32(y)) => Value::U32(x $op y),
            (Value::U64(x), Value::U64(y)) => Value::U64(x $op y),
            (Value::U128(x), Value::U128(y)) => Value::U128(x $op y),
            (Value::U256(x), Value::U256(y)) => Value::U256(x $op y),
            _ => return None,
        }
    };
}

macro_rules! shift {
    ($a:expr, $b:expr, $f:ident) => {
        match ($a, $b) {
            (Value::U8(x), Value::U8(s)) => Value::U8(x.$f(s as u32)?),
            (Value::U16(x), Value::U8(s)) => Value::U16(x.$f(s as u32)?),
            (Value::U32(x), Value::U8(s)) => Value::U32(x.$f(s as u32)?),
            (Value::U64(x), Value::U8(s)) => Value::U64(x.$f(s as u32)?),
            (Value::U128(x), Value::U8(s)) => Value::U128(x.$f(s as u32)?),
            (Value::U256(x), Value::U8(s)) => Value::U256(x.$f(s as u32)?),
            _ => return None,
        }
    };
}

macro_rules! cmp {
    ($a:expr, $b:expr, $op:tt) => {
        match ($a, $b) {
            (Value::U8(x), Value::U8(y)) => Value::Bool(x $op y),
            (Value::U16(x), Value::U16(y)) => Value::Bool(x $op y),
            (Value::U32(x), Value::U32(y)) => Value::Bool(x $op y),
            (Value::U64(x), Value::U64(y)) => Value::Bool(x $op y),
            (Value::U128(x), Value::U128(y)) => Value::Bool(x $op y),
            (Value::U256(x), Value::U256(y)) => Value::Bool(x $op y),
            _ => return None,
        }
    };
}

/// `a op b`, or `None` when it would abort or is not a value operation.
pub fn fold_binop(op: BinOp_, a: Value, b: Value) -> Option<Value> {
    use BinOp_ as B;
    Some(match op {
        B::Add => arith!(a, b, checked_add),
        B::Sub => arith!(a, b, checked_sub),
        B::Mul => arith!(a, b, checked_mul),
        B::Mod => arith!(a, b, checked_rem),
        B::Div => arith!(a, b, checked_div),
        B::Shl => shift!(a, b, checked_shl),
        B::Shr => shift!(a, b, checked_shr),
        B::BitOr => bits!(a, b, |),
        B::BitAnd => bits!(a, b, &),
        B::Xor => bits!(a, b, ^),
        B::And => match (a, b) {
            (Value::Bool(x), Value::Bool(y)) => Value::Bool(x && y),
            _ => return None,
        },
        B::Or => match (a, b) {
            (Value::Bool(x), Value::Bool(y)) => Value::Bool(x || y),
            _ => return None,
        },
        B::Lt => cmp!(a, b, <),
        B::Gt => cmp!(a, b, >),
        B::Le => cmp!(a, b, <=),
        B::Ge => cmp!(a, b, >=),
        B::Eq => Value::Bool(a == b),
        B::Neq => Value::Bool(a != b),
        B::Range | B::Implies | B::Iff => return None,
    })
}

fn as_u256(v: &Value) -> Option<U256> {
    Some(match v {
        Value::U8(x) => U256::from(*x),
        Value::U16(x) => U256::from(*x),
        Value::U32(x) => U256::from(*x),
        Value::U64(x) => U256::from(*x),
        Value::U128(x) => U256::from(*x),
        Value::U256(x) => *x,
        _ => return None,
    })
}

/// `(v as t)`, or `None` when the value does not fit.
pub fn fold_cast(t: &Type, v: Value) -> Option<Value> {
    let n = as_u256(&v)?;
    crate::typing::num_of_type(t, n)
}

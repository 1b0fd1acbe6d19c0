//! Local safety: a forward analysis of which locals hold a value on entry to each block. A use
//! (copy, move, borrow) of a local that may be unassigned or moved is an error (E06002); a value
//! without `drop` that is overwritten, or still held when the function returns, is an error
//! (E06001). The entry states also tell which dead references may be popped.

use std::collections::{BTreeMap, BTreeSet};

use super::{successors, Cfg};
use crate::driver::CompileDiagnostic;
use crate::hlir::ast::{Command_, Exp, Exp_, LValue, Label, Var};
use crate::typing::ast::Type;

/// Whether a local holds a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Available,
    Unavailable,
    MaybeUnavailable,
}

pub type States = BTreeMap<Var, State>;

fn join(a: &States, b: &States) -> States {
    a.iter()
        .map(|(v, s)| {
            let t = b.get(v).copied().unwrap_or(State::Unavailable);
            let j = if *s == t { *s } else { State::MaybeUnavailable };
            (v.clone(), j)
        })
        .collect()
}

/// Checks the CFG; returns the state on entry to every reachable block.
pub fn verify(
    locals: &BTreeMap<Var, Type>,
    params: &BTreeSet<Var>,
    droppable: &BTreeSet<Var>,
    has_drop: &dyn Fn(&Type) -> bool,
    cfg: &Cfg,
    diags: &mut Vec<CompileDiagnostic>,
) -> BTreeMap<Label, States> {
    let initial: States = locals
        .keys()
        .map(|v| {
            let s = if params.contains(v) {
                State::Available
            } else {
                State::Unavailable
            };
            (v.clone(), s)
        })
        .collect();
    let mut entry: BTreeMap<Label, States> = BTreeMap::new();
    entry.insert(cfg.start, initial);
    let mut work: Vec<Label> = vec![cfg.start];
    let mut guard = 0usize;
    while let Some(l) = work.pop() {
        guard += 1;
        if guard > 100_000 {
            break;
        }
        let Some(block) = cfg.blocks.get(&l) else {
            continue;
        };
        let mut s = entry[&l].clone();
        let mut sink = vec![];
        for c in block {
            command(&mut s, droppable, has_drop, &c.c, c.loc, &mut sink);
        }
        if let Some(last) = block.back() {
            for succ in successors(last) {
                let new = match entry.get(&succ) {
                    None => s.clone(),
                    Some(old) => join(old, &s),
                };
                if entry.get(&succ) != Some(&new) {
                    entry.insert(succ, new);
                    work.push(succ);
                }
            }
        }
    }
    // Report once, from the fixed point.
    for (l, block) in &cfg.blocks {
        let Some(start) = entry.get(l) else { continue };
        let mut s = start.clone();
        for c in block {
            command(&mut s, droppable, has_drop, &c.c, c.loc, diags);
        }
    }
    entry
}

fn unused_value(loc: crate::parser::ast::Loc, t: &Type) -> CompileDiagnostic {
    CompileDiagnostic::error(
        "E06001",
        "unused value without 'drop'",
        loc,
        format!("Invalid discard of a value of type '{t}', which does not have the 'drop' ability"),
    )
}

fn command(
    s: &mut States,
    droppable: &BTreeSet<Var>,
    has_drop: &dyn Fn(&Type) -> bool,
    c: &Command_,
    loc: crate::parser::ast::Loc,
    diags: &mut Vec<CompileDiagnostic>,
) {
    match c {
        Command_::Assign(ls, e) => {
            exp(s, e, diags);
            let tys = e.ty.items();
            for (l, t) in ls.iter().zip(&tys) {
                ignored_values(l, t, has_drop, loc, diags);
            }
            for v in ls.iter().flat_map(|l| l.vars()) {
                {
                    if !droppable.contains(v)
                        && s.get(v).is_some_and(|st| *st != State::Unavailable)
                    {
                        diags.push(CompileDiagnostic::error(
                            "E06001",
                            "unused value without 'drop'",
                            loc,
                            format!(
                                "Invalid assignment to local '{}'. It still contains a value without the 'drop' ability",
                                display(v)
                            ),
                        ));
                    }
                    s.insert(v.clone(), State::Available);
                }
            }
        }
        Command_::Mutate(l, r) => {
            exp(s, r, diags);
            exp(s, l, diags);
        }
        Command_::Return(e) => {
            exp(s, e, diags);
            for (v, st) in s.iter() {
                if *st != State::Unavailable && !droppable.contains(v) {
                    diags.push(CompileDiagnostic::error(
                        "E06001",
                        "unused value without 'drop'",
                        loc,
                        format!(
                            "Invalid return. The local '{}' still contains a value without the 'drop' ability, which must be consumed before the function returns",
                            display(v)
                        ),
                    ));
                }
            }
        }
        Command_::IgnoreAndPop { exp: e, .. } => {
            exp(s, e, diags);
            for t in e.ty.items() {
                if !has_drop(&t) {
                    diags.push(unused_value(loc, &t));
                }
            }
        }
        Command_::Abort(e) | Command_::JumpIf { cond: e, .. } => exp(s, e, diags),
        _ => {}
    }
}

/// Reports a `_` binder whose value cannot be dropped.
fn ignored_values(
    l: &LValue,
    t: &Type,
    has_drop: &dyn Fn(&Type) -> bool,
    loc: crate::parser::ast::Loc,
    diags: &mut Vec<CompileDiagnostic>,
) {
    if matches!(l, LValue::Ignore(_)) && !has_drop(t) {
        diags.push(unused_value(loc, t));
    }
}

fn display(v: &str) -> &str {
    v.split('#').next().unwrap_or(v)
}

fn check_use(
    s: &States,
    v: &Var,
    loc: crate::parser::ast::Loc,
    diags: &mut Vec<CompileDiagnostic>,
) {
    match s.get(v) {
        Some(State::Available) | None => {}
        Some(_) => diags.push(CompileDiagnostic::error(
            "E06002",
            "use of unassigned variable",
            loc,
            format!(
                "Invalid usage of unassigned or moved local '{}'",
                display(v)
            ),
        )),
    }
}

fn exp(s: &mut States, e: &Exp, diags: &mut Vec<CompileDiagnostic>) {
    match &e.e {
        Exp_::Move { var, .. } => {
            check_use(s, var, e.loc, diags);
            s.insert(var.clone(), State::Unavailable);
        }
        Exp_::Copy { var, .. } | Exp_::BorrowLocal(_, var) => check_use(s, var, e.loc, diags),
        Exp_::Spec(..) => {}
        Exp_::ModuleCall(c) => exp(s, &c.args, diags),
        Exp_::Pack(..) | Exp_::Borrow { .. } | Exp_::Builtin(..) => {
            for o in e.struct_operands() {
                exp(s, o, diags);
            }
        }
        Exp_::Freeze(i)
        | Exp_::Vector(_, _, i)
        | Exp_::Dereference(i)
        | Exp_::Not(i, _)
        | Exp_::Cast(i, _) => exp(s, i, diags),
        Exp_::Binop(l, _, r) => {
            exp(s, l, diags);
            exp(s, r, diags);
        }
        Exp_::ExpList(es) => es.iter().for_each(|e| exp(s, e, diags)),
        Exp_::Unit(_) | Exp_::Value(_) | Exp_::Constant(_) | Exp_::Unreachable => {}
    }
}

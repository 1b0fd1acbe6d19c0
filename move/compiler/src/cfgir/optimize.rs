//! The CFGIR optimisations, run in a cycle until none changes anything: local elimination (a
//! local assigned once from a substitutable expression and read once is replaced by that
//! expression), constant folding, jump simplification (a branch on a constant becomes a jump)
//! and block inlining (a block reached by a single jump is appended to the jumping block, which
//! takes the inlined block's label and so its place in the layout).

use std::collections::{BTreeMap, BTreeSet};

use super::{constant_fold, remap_block, remove_no_ops, BasicBlock, Cfg};
use crate::hlir::ast::{Command_, Exp, Exp_, LValue, Label, UnitCase, Var};
use crate::parser::ast::BinOp_;
use crate::typing::ast::Type;

type Pass = fn(&[(Var, Type)], &mut Cfg) -> bool;

pub fn optimize(params: &[(Var, Type)], cfg: &mut Cfg) {
    let passes: [Pass; 4] = [
        eliminate_locals,
        |_, c| constant_fold::optimize(c),
        |_, c| simplify_jumps(c),
        |_, c| inline_blocks(c),
    ];
    let mut count = 0;
    let mut i = 0;
    while count < passes.len() {
        if passes[i % passes.len()](params, cfg) {
            count = 0;
        } else {
            count += 1;
        }
        i += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Local elimination

#[derive(Default)]
struct Counts {
    assigned: BTreeMap<Var, Option<usize>>,
    used: BTreeMap<Var, Option<usize>>,
}

fn bump(m: &mut BTreeMap<Var, Option<usize>>, v: &Var, substitutable: bool) {
    if !substitutable {
        m.insert(v.clone(), None);
        return;
    }
    if let Some(c) = m.entry(v.clone()).or_insert(Some(0)) {
        *c += 1;
    }
}

fn count_exp(c: &mut Counts, e: &Exp) {
    match &e.e {
        Exp_::Unit(_) | Exp_::Value(_) | Exp_::Constant(_) | Exp_::Unreachable => {}
        Exp_::Spec(_, vs) => vs.iter().for_each(|v| bump(&mut c.used, v, false)),
        Exp_::BorrowLocal(_, v) => bump(&mut c.used, v, false),
        Exp_::Copy { var, .. } | Exp_::Move { var, .. } => bump(&mut c.used, var, true),
        Exp_::ModuleCall(m) => count_exp(c, &m.args),
        Exp_::Pack(..) | Exp_::Borrow { .. } | Exp_::Builtin(..) => e
            .struct_operands()
            .into_iter()
            .for_each(|o| count_exp(c, o)),
        Exp_::Freeze(i)
        | Exp_::Vector(_, _, i)
        | Exp_::Dereference(i)
        | Exp_::Not(i, _)
        | Exp_::Cast(i, _) => count_exp(c, i),
        Exp_::Binop(l, _, r) => {
            count_exp(c, l);
            count_exp(c, r);
        }
        Exp_::ExpList(es) => es.iter().for_each(|e| count_exp(c, e)),
    }
}

fn pure_binop(op: BinOp_) -> bool {
    !matches!(
        op,
        BinOp_::Add
            | BinOp_::Sub
            | BinOp_::Mul
            | BinOp_::Mod
            | BinOp_::Div
            | BinOp_::Shl
            | BinOp_::Shr
    )
}

fn can_subst(e: &Exp) -> bool {
    match &e.e {
        Exp_::Unit(_) | Exp_::Value(_) | Exp_::Constant(_) => true,
        Exp_::Cast(i, _) => can_subst(i),
        Exp_::Not(i, _) => can_subst(i),
        Exp_::Binop(l, op, r) => pure_binop(op.value) && can_subst(l) && can_subst(r),
        Exp_::ExpList(es) => es.iter().all(can_subst),
        Exp_::Vector(_, _, a) => can_subst(a),
        Exp_::Pack(_, _, fields) => fields.iter().all(|(_, _, e)| can_subst(e)),
        _ => false,
    }
}

fn can_subst_list(n: usize, e: &Exp) -> Vec<bool> {
    match (n, &e.e) {
        (0, _) => vec![],
        (1, _) => vec![can_subst(e)],
        (_, Exp_::ExpList(es)) => es.iter().map(can_subst).collect(),
        _ => vec![false; n],
    }
}

fn eliminate_locals(params: &[(Var, Type)], cfg: &mut Cfg) -> bool {
    let changed = remove_no_ops(&mut cfg.blocks);
    let mut c = Counts::default();
    for (v, _) in params {
        bump(&mut c.assigned, v, false);
    }
    for b in cfg.blocks.values() {
        for cmd in b {
            match &cmd.c {
                Command_::Assign(ls, e) => {
                    count_exp(&mut c, e);
                    let subs = can_subst_list(ls.len(), e);
                    for (l, s) in ls.iter().zip(subs) {
                        match l {
                            LValue::Var(v, _, _) => bump(&mut c.assigned, v, s),
                            l => l
                                .vars()
                                .into_iter()
                                .for_each(|v| bump(&mut c.assigned, v, false)),
                        }
                    }
                }
                Command_::Mutate(l, r) => {
                    count_exp(&mut c, r);
                    count_exp(&mut c, l);
                }
                Command_::Return(e)
                | Command_::Abort(e)
                | Command_::IgnoreAndPop { exp: e, .. }
                | Command_::JumpIf { cond: e, .. } => count_exp(&mut c, e),
                _ => {}
            }
        }
    }
    let ssa: BTreeSet<Var> = c
        .assigned
        .iter()
        .filter(|(_, n)| **n == Some(1))
        .map(|(v, _)| v.clone())
        .filter(|v| c.used.get(v).copied().flatten() == Some(1))
        .collect();
    if ssa.is_empty() {
        return changed;
    }
    let mut ctx = Elim {
        ssa,
        eliminated: BTreeMap::new(),
    };
    loop {
        for b in cfg.blocks.values_mut() {
            for cmd in b.iter_mut() {
                ctx.command(&mut cmd.c);
            }
        }
        if ctx.eliminated.is_empty() && ctx.ssa.is_empty() {
            break;
        }
        if ctx.eliminated.is_empty() {
            // Every remaining candidate was never reached; nothing more can change.
            break;
        }
    }
    remove_no_ops(&mut cfg.blocks);
    true
}

struct Elim {
    ssa: BTreeSet<Var>,
    eliminated: BTreeMap<Var, Exp>,
}

fn unit_exp(e: &Exp) -> Exp {
    Exp {
        ty: Type::Unit,
        loc: e.loc,
        e: Exp_::Unit(UnitCase::Implicit),
    }
}

impl Elim {
    fn command(&mut self, c: &mut Command_) {
        match c {
            Command_::Assign(ls, e) => {
                self.exp(e);
                let old = std::mem::take(ls);
                let mut elim: Vec<Option<Var>> = vec![];
                for l in old {
                    match l {
                        LValue::Var(v, t, l) => {
                            if self.ssa.remove(&v) {
                                elim.push(Some(v));
                            } else {
                                ls.push(LValue::Var(v, t, l));
                                elim.push(None);
                            }
                        }
                        l => {
                            ls.push(l);
                            elim.push(None);
                        }
                    }
                }
                self.remove_eliminated(elim, e);
            }
            Command_::Mutate(l, r) => {
                self.exp(r);
                self.exp(l);
            }
            Command_::Return(e)
            | Command_::Abort(e)
            | Command_::IgnoreAndPop { exp: e, .. }
            | Command_::JumpIf { cond: e, .. } => self.exp(e),
            _ => {}
        }
    }

    fn remove_eliminated(&mut self, elim: Vec<Option<Var>>, e: &mut Exp) {
        if elim.iter().all(|x| x.is_none()) {
            return;
        }
        if elim.len() == 1 {
            if let Some(Some(v)) = elim.into_iter().next() {
                let u = unit_exp(e);
                let old = std::mem::replace(e, u);
                self.eliminated.insert(v, old);
            }
            return;
        }
        let Exp_::ExpList(es) = &mut e.e else { return };
        let old = std::mem::take(es);
        let mut tys = vec![];
        for (item, el) in old.into_iter().zip(elim) {
            match el {
                None => {
                    tys.push(item.ty.clone());
                    es.push(item);
                }
                Some(v) => {
                    self.eliminated.insert(v, item);
                }
            }
        }
        if es.is_empty() {
            *e = unit_exp(e);
        } else {
            e.ty = Type::Tuple(tys);
        }
    }

    fn exp(&mut self, e: &mut Exp) {
        match &mut e.e {
            Exp_::Copy { var, .. } | Exp_::Move { var, .. } => {
                if let Some(r) = self.eliminated.remove(var.as_str()) {
                    *e = r;
                }
            }
            Exp_::ModuleCall(m) => self.exp(&mut m.args),
            Exp_::Pack(..) | Exp_::Borrow { .. } | Exp_::Builtin(..) => {
                for o in e.struct_operands_mut() {
                    self.exp(o);
                }
            }
            Exp_::Freeze(i)
            | Exp_::Vector(_, _, i)
            | Exp_::Dereference(i)
            | Exp_::Not(i, _)
            | Exp_::Cast(i, _) => self.exp(i),
            Exp_::Binop(l, _, r) => {
                self.exp(l);
                self.exp(r);
            }
            Exp_::ExpList(es) => es.iter_mut().for_each(|e| self.exp(e)),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Jumps and blocks

fn simplify_jumps(cfg: &mut Cfg) -> bool {
    let mut changed = false;
    for b in cfg.blocks.values_mut() {
        for c in b.iter_mut() {
            if let Command_::JumpIf {
                cond,
                if_true,
                if_false,
            } = &c.c
            {
                if let Exp_::Value(crate::typing::ast::Value::Bool(v)) = cond.e {
                    let t = if v { *if_true } else { *if_false };
                    c.c = Command_::Jump(t);
                    changed = true;
                }
            }
        }
    }
    if changed {
        cfg.recompute();
    }
    changed
}

fn inline_blocks(cfg: &mut Cfg) -> bool {
    let mut counts: BTreeMap<Label, usize> = BTreeMap::new();
    counts.insert(cfg.start, 1);
    for b in cfg.blocks.values() {
        match b.back().map(|c| &c.c) {
            Some(Command_::JumpIf {
                if_true, if_false, ..
            }) => {
                *counts.entry(*if_true).or_insert(0) += 1;
                *counts.entry(*if_false).or_insert(0) += 1;
            }
            Some(Command_::Jump(t)) => *counts.entry(*t).or_insert(0) += 1,
            _ => {}
        }
    }
    let single: BTreeSet<Label> = counts
        .into_iter()
        .filter(|(_, n)| *n == 1)
        .map(|(l, _)| l)
        .collect();
    let labels: Vec<Label> = cfg.blocks.keys().copied().collect();
    let mut working = std::mem::take(&mut cfg.blocks);
    let mut finished: BTreeMap<Label, BasicBlock> = BTreeMap::new();
    let mut remapping: BTreeMap<Label, Label> = BTreeMap::new();
    let mut idx = 0;
    while idx < labels.len() {
        let cur = labels[idx];
        let Some(mut block) = working.remove(&cur) else {
            idx += 1;
            continue;
        };
        let target = match block.back().map(|c| &c.c) {
            Some(Command_::Jump(t)) if single.contains(t) && *t != cur => Some(*t),
            _ => None,
        };
        match target.and_then(|t| working.remove(&t).map(|tb| (t, tb))) {
            Some((t, tb)) => {
                remapping.insert(cur, t);
                block.pop_back();
                block.extend(tb);
                working.insert(cur, block);
            }
            None => {
                finished.insert(cur, block);
                idx += 1;
            }
        }
    }
    let changed = !remapping.is_empty();
    remapping.remove(&cfg.start);
    if !remapping.is_empty() {
        let remap = |l: Label| remapping.get(&l).copied().unwrap_or(l);
        finished = finished
            .into_iter()
            .map(|(l, b)| (remap(l), remap_block(b, &remap)))
            .collect();
    }
    cfg.blocks = finished;
    if changed {
        cfg.recompute();
    }
    changed
}

//! CFGIR: turns the HLIR statements into basic blocks (labels numbered in source order), drops
//! unreachable blocks, marks the last use of each copyable local as a move (liveness), pops
//! references that die on entry to a block, and runs the optimisations to a fixed point:
//! local elimination, constant folding, jump simplification and block inlining.

mod borrows;
pub mod constant_fold;
mod locals;
mod optimize;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::deps::Dependencies;
use crate::driver::CompileDiagnostic;
use crate::hlir::ast::{self as H, Command, Command_, Exp, Exp_, LValue, Label, Statement, Var};
use crate::parser::ast::Loc;
use crate::typing::ast::{Type, Value};

pub type BasicBlock = VecDeque<Command>;

/// A function body as basic blocks.
pub struct Cfg {
    pub start: Label,
    pub blocks: BTreeMap<Label, BasicBlock>,
}

/// A script after CFGIR.
pub struct Script {
    pub function_name: String,
    pub loc: Loc,
    pub type_parameters: Vec<move_bytecode::AbilitySet>,
    pub parameters: Vec<(Var, Type)>,
    pub locals: BTreeMap<Var, Type>,
    pub local_locs: BTreeMap<Var, Loc>,
    pub cfg: Cfg,
    pub loop_heads: BTreeSet<Label>,
    pub constants: Vec<(String, Type, Value)>,
}

pub fn translate(
    s: H::Script,
    deps: &Dependencies,
) -> Result<(Script, Vec<CompileDiagnostic>), Vec<CompileDiagnostic>> {
    let mut b = Builder::default();
    let start = b.new_label();
    b.start = Some(start);
    b.block(start, s.body);
    let (start, mut blocks, loop_heads_all) = b.finish();
    remove_no_ops(&mut blocks);
    let mut cfg = Cfg { start, blocks };
    cfg.recompute();
    let warnings = vec![];
    let droppable: BTreeSet<Var> = s
        .locals
        .iter()
        .filter(|(_, t)| {
            crate::typing::type_abilities(deps, &s.type_parameters, t)
                .has(move_bytecode::Ability::Drop)
        })
        .map(|(v, _)| v.clone())
        .collect();
    last_usage(&droppable, &mut cfg);
    let params: BTreeSet<Var> = s.parameters.iter().map(|(v, _)| v.clone()).collect();
    let mut errors = vec![];
    let has_drop = |t: &Type| {
        crate::typing::type_abilities(deps, &s.type_parameters, t).has(move_bytecode::Ability::Drop)
    };
    let states = locals::verify(&s.locals, &params, &droppable, &has_drop, &cfg, &mut errors);
    let sig = (&s.type_parameters[..], &s.parameters[..], &s.locals);
    borrows::verify(sig, deps, &states, &cfg, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    release_dead_refs(&s.locals, &states, &mut cfg);
    optimize::optimize(&s.parameters, &mut cfg);
    let loop_heads = loop_heads_all
        .into_iter()
        .filter(|l| cfg.blocks.contains_key(l))
        .collect();
    Ok((
        Script {
            function_name: s.function_name,
            loc: s.loc,
            type_parameters: s.type_parameters,
            parameters: s.parameters,
            locals: s.locals,
            local_locs: s.local_locs,
            cfg,
            loop_heads,
            constants: s.constants,
        },
        warnings,
    ))
}

pub fn remove_no_ops(blocks: &mut BTreeMap<Label, BasicBlock>) -> bool {
    let mut changed = false;
    for b in blocks.values_mut() {
        let before = b.len();
        b.retain(|c| !c.is_unit());
        changed |= before != b.len();
    }
    changed
}

pub(crate) fn successors(c: &Command) -> Vec<Label> {
    match &c.c {
        Command_::Jump(t) => vec![*t],
        Command_::JumpIf {
            if_true, if_false, ..
        } => {
            let mut v = vec![*if_true, *if_false];
            v.sort();
            v.dedup();
            v
        }
        _ => vec![],
    }
}

impl Cfg {
    /// Drops the blocks that cannot be reached from the start.
    pub fn recompute(&mut self) {
        let mut seen = BTreeSet::new();
        let mut work = VecDeque::new();
        seen.insert(self.start);
        work.push_back(self.start);
        while let Some(l) = work.pop_front() {
            let Some(last) = self.blocks.get(&l).and_then(|b| b.back()) else {
                continue;
            };
            for s in successors(last) {
                if seen.insert(s) {
                    work.push_back(s);
                }
            }
        }
        self.blocks.retain(|l, _| seen.contains(l));
    }

    fn successor_map(&self) -> BTreeMap<Label, Vec<Label>> {
        self.blocks
            .iter()
            .map(|(l, b)| (*l, b.back().map(successors).unwrap_or_default()))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Building blocks

#[derive(Default)]
struct Builder {
    label_count: usize,
    start: Option<Label>,
    next_label: Option<Label>,
    loop_begin: Option<Label>,
    loop_end: Option<Label>,
    blocks: BTreeMap<Label, BasicBlock>,
    block_ordering: BTreeMap<Label, usize>,
    loop_heads: BTreeSet<Label>,
}

fn jump(loc: Loc, target: Label) -> Command {
    Command {
        loc,
        c: Command_::Jump(target),
    }
}

impl Builder {
    fn new_label(&mut self) -> Label {
        let l = self.label_count;
        self.label_count += 1;
        l
    }

    fn insert_block(&mut self, l: Label, b: BasicBlock) {
        let n = self.blocks.len();
        self.block_ordering.insert(l, n);
        self.blocks.insert(l, b);
    }

    /// Renumbers labels in the order blocks were finished (source order).
    fn finish(self) -> (Label, BTreeMap<Label, BasicBlock>, BTreeSet<Label>) {
        let map = &self.block_ordering;
        let remap = |l: Label| map.get(&l).copied().unwrap_or(l);
        let blocks = self
            .blocks
            .into_iter()
            .map(|(l, b)| (remap(l), remap_block(b, &remap)))
            .collect();
        let heads = self.loop_heads.iter().map(|l| remap(*l)).collect();
        (remap(self.start.unwrap_or(0)), blocks, heads)
    }

    fn block(&mut self, mut cur: Label, stmts: H::Block) {
        let loc = match stmts.back() {
            Some(s) => stmt_loc(s),
            None => return,
        };
        let mut bb = self.block_(&mut cur, stmts);
        if bb.is_empty() {
            return;
        }
        if let Some(next) = self.next_label {
            if !bb.back().is_some_and(|c| c.is_terminal()) {
                bb.push_back(jump(loc, next));
            }
        }
        self.insert_block(cur, bb);
    }

    fn block_(&mut self, cur: &mut Label, stmts: H::Block) -> BasicBlock {
        let mut bb = BasicBlock::new();
        macro_rules! finish_block {
            ($next:expr) => {{
                let next = $next;
                let lbl = std::mem::replace(cur, next);
                let b = std::mem::take(&mut bb);
                self.insert_block(lbl, b);
            }};
        }
        for s in stmts {
            match s {
                Statement::Command(mut c) => {
                    match c.c {
                        Command_::Continue => c.c = Command_::Jump(self.loop_begin.unwrap_or(0)),
                        Command_::Break => c.c = Command_::Jump(self.loop_end.unwrap_or(0)),
                        _ => {}
                    }
                    let term = c.is_terminal();
                    bb.push_back(c);
                    if term {
                        let n = self.new_label();
                        finish_block!(n);
                    }
                }
                Statement::IfElse {
                    loc,
                    cond,
                    if_block,
                    else_block,
                } => {
                    let if_true = self.new_label();
                    let if_false = self.new_label();
                    let next = self.new_label();
                    bb.push_back(Command {
                        loc,
                        c: Command_::JumpIf {
                            cond: *cond,
                            if_true,
                            if_false,
                        },
                    });
                    finish_block!(next);
                    let old_next = self.next_label.replace(next);
                    self.block(if_true, if_block);
                    self.block(if_false, else_block);
                    self.next_label = old_next;
                }
                Statement::While {
                    loc,
                    cond: (cond_block, cond),
                    block,
                } => {
                    let loop_cond = self.new_label();
                    let loop_body = self.new_label();
                    let loop_end = self.new_label();
                    self.loop_heads.insert(loop_cond);
                    bb.push_back(jump(loc, loop_cond));
                    finish_block!(loop_cond);
                    if !cond_block.is_empty() {
                        bb = self.block_(cur, cond_block);
                    }
                    bb.push_back(Command {
                        loc,
                        c: Command_::JumpIf {
                            cond: *cond,
                            if_true: loop_body,
                            if_false: loop_end,
                        },
                    });
                    finish_block!(loop_end);
                    self.loop_block(loop_cond, loop_end, loop_body, block);
                }
                Statement::Loop { loc, block, .. } => {
                    let loop_body = self.new_label();
                    let loop_end = self.new_label();
                    self.loop_heads.insert(loop_body);
                    bb.push_back(jump(loc, loop_body));
                    finish_block!(loop_end);
                    self.loop_block(loop_body, loop_end, loop_body, block);
                }
            }
        }
        bb
    }

    fn loop_block(&mut self, begin: Label, end: Label, body: Label, block: H::Block) {
        let old_begin = self.loop_begin.replace(begin);
        let old_end = self.loop_end.replace(end);
        let old_next = self.next_label.replace(begin);
        self.block(body, block);
        self.next_label = old_next;
        self.loop_end = old_end;
        self.loop_begin = old_begin;
    }
}

fn stmt_loc(s: &Statement) -> Loc {
    match s {
        Statement::Command(c) => c.loc,
        Statement::IfElse { loc, .. }
        | Statement::While { loc, .. }
        | Statement::Loop { loc, .. } => *loc,
    }
}

pub fn remap_block(b: BasicBlock, remap: &impl Fn(Label) -> Label) -> BasicBlock {
    b.into_iter()
        .map(|mut c| {
            match &mut c.c {
                Command_::Jump(t) => *t = remap(*t),
                Command_::JumpIf {
                    if_true, if_false, ..
                } => {
                    *if_true = remap(*if_true);
                    *if_false = remap(*if_false);
                }
                _ => {}
            }
            c
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Liveness

type Live = BTreeSet<Var>;

fn live_exp(state: &mut Live, e: &Exp) {
    match &e.e {
        Exp_::BorrowLocal(_, v) | Exp_::Copy { var: v, .. } | Exp_::Move { var: v, .. } => {
            state.insert(v.clone());
        }
        Exp_::Spec(_, vs) => state.extend(vs.iter().cloned()),
        Exp_::ModuleCall(c) => live_exp(state, &c.args),
        Exp_::Pack(..) | Exp_::Borrow { .. } | Exp_::Builtin(..) => e
            .struct_operands()
            .into_iter()
            .for_each(|o| live_exp(state, o)),
        Exp_::Freeze(i)
        | Exp_::Vector(_, _, i)
        | Exp_::Dereference(i)
        | Exp_::Not(i, _)
        | Exp_::Cast(i, _) => live_exp(state, i),
        Exp_::Binop(l, _, r) => {
            live_exp(state, l);
            live_exp(state, r);
        }
        Exp_::ExpList(es) => es.iter().for_each(|e| live_exp(state, e)),
        Exp_::Unit(_) | Exp_::Value(_) | Exp_::Constant(_) | Exp_::Unreachable => {}
    }
}

fn live_cmd(state: &mut Live, c: &Command) {
    match &c.c {
        Command_::Assign(ls, e) => {
            for v in ls.iter().flat_map(|l| l.vars()) {
                state.remove(v);
            }
            live_exp(state, e);
        }
        Command_::Mutate(l, r) => {
            live_exp(state, r);
            live_exp(state, l);
        }
        Command_::Return(e)
        | Command_::Abort(e)
        | Command_::IgnoreAndPop { exp: e, .. }
        | Command_::JumpIf { cond: e, .. } => live_exp(state, e),
        Command_::Jump(_) | Command_::Break | Command_::Continue => {}
    }
}

/// Live-out of every block, and the live-in of every command.
fn liveness(cfg: &Cfg) -> (BTreeMap<Label, Live>, BTreeMap<Label, Vec<Live>>) {
    let succ = cfg.successor_map();
    let mut live_in: BTreeMap<Label, Live> = cfg.blocks.keys().map(|l| (*l, Live::new())).collect();
    loop {
        let mut changed = false;
        for (l, b) in cfg.blocks.iter().rev() {
            let mut s: Live = Live::new();
            for t in succ.get(l).into_iter().flatten() {
                if let Some(li) = live_in.get(t) {
                    s.extend(li.iter().cloned());
                }
            }
            for c in b.iter().rev() {
                live_cmd(&mut s, c);
            }
            if live_in.get(l) != Some(&s) {
                live_in.insert(*l, s);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut outs = BTreeMap::new();
    let mut per_cmd = BTreeMap::new();
    for (l, b) in &cfg.blocks {
        let mut s: Live = Live::new();
        for t in succ.get(l).into_iter().flatten() {
            if let Some(li) = live_in.get(t) {
                s.extend(li.iter().cloned());
            }
        }
        outs.insert(*l, s.clone());
        let mut states = vec![Live::new(); b.len()];
        for (i, c) in b.iter().enumerate().rev() {
            live_cmd(&mut s, c);
            states[i] = s.clone();
        }
        per_cmd.insert(*l, states);
    }
    (outs, per_cmd)
}

/// Turns the last copy of each local into a move, and drops stores nobody reads.
/// A binder whose value is never read becomes `_` (when its type can be dropped).
fn drop_unused_binders(
    lv: &mut LValue,
    dropped: &mut Live,
    next: &Live,
    droppable: &BTreeSet<Var>,
) {
    match lv {
        LValue::Var(v, _, l) => {
            dropped.insert(v.clone());
            if !next.contains(v) && !v.starts_with('%') && droppable.contains(v) {
                *lv = LValue::Ignore(*l);
            }
        }
        LValue::Unpack(_, _, fs, _) => {
            for (_, l) in fs {
                drop_unused_binders(l, dropped, next, droppable);
            }
        }
        LValue::Ignore(_) => {}
    }
}

fn last_usage(droppable: &BTreeSet<Var>, cfg: &mut Cfg) {
    let (outs, per_cmd) = liveness(cfg);
    for (l, b) in cfg.blocks.iter_mut() {
        let states = &per_cmd[l];
        let fin = &outs[l];
        for idx in 0..b.len() {
            let cur = &states[idx];
            let next = states.get(idx + 1).unwrap_or(fin);
            let mut dropped: Live = cur.difference(next).cloned().collect();
            let c = &mut b[idx];
            match &mut c.c {
                Command_::Assign(ls, e) => {
                    for lv in ls.iter_mut() {
                        drop_unused_binders(lv, &mut dropped, next, droppable);
                    }
                    lu_exp(&mut dropped, e);
                }
                Command_::Mutate(l, r) => {
                    lu_exp(&mut dropped, l);
                    lu_exp(&mut dropped, r);
                }
                Command_::Return(e)
                | Command_::Abort(e)
                | Command_::IgnoreAndPop { exp: e, .. }
                | Command_::JumpIf { cond: e, .. } => lu_exp(&mut dropped, e),
                _ => {}
            }
        }
    }
}

fn lu_exp(dropped: &mut Live, e: &mut Exp) {
    match &mut e.e {
        Exp_::BorrowLocal(_, v) | Exp_::Move { var: v, .. } => {
            dropped.remove(v);
        }
        Exp_::Spec(_, vs) => {
            for v in vs.iter() {
                dropped.remove(v);
            }
        }
        Exp_::Copy { var, from_user } => {
            let dead = dropped.remove(var);
            if dead && !*from_user {
                let var = std::mem::take(var);
                e.e = Exp_::Move {
                    var,
                    from_user: false,
                };
            }
        }
        Exp_::ModuleCall(c) => lu_exp(dropped, &mut c.args),
        Exp_::Pack(..) | Exp_::Borrow { .. } | Exp_::Builtin(..) => e
            .struct_operands_mut()
            .into_iter()
            .rev()
            .for_each(|o| lu_exp(dropped, o)),
        Exp_::Freeze(i)
        | Exp_::Vector(_, _, i)
        | Exp_::Dereference(i)
        | Exp_::Not(i, _)
        | Exp_::Cast(i, _) => lu_exp(dropped, i),
        Exp_::Binop(l, _, r) => {
            lu_exp(dropped, r);
            lu_exp(dropped, l);
        }
        Exp_::ExpList(es) => es.iter_mut().rev().for_each(|e| lu_exp(dropped, e)),
        Exp_::Unit(_) | Exp_::Value(_) | Exp_::Constant(_) | Exp_::Unreachable => {}
    }
}

/// Pops references that are live at the end of every predecessor but dead on entry.
fn release_dead_refs(
    locals: &BTreeMap<Var, Type>,
    states: &BTreeMap<Label, locals::States>,
    cfg: &mut Cfg,
) {
    let (outs, per_cmd) = liveness(cfg);
    let succ = cfg.successor_map();
    let mut preds: BTreeMap<Label, Vec<Label>> = BTreeMap::new();
    for (p, ss) in &succ {
        for s in ss {
            preds.entry(*s).or_default().push(*p);
        }
    }
    for (l, b) in cfg.blocks.iter_mut() {
        let Some(ps) = preds.get(l) else { continue };
        let mut it = ps.iter().map(|p| &outs[p]);
        let Some(first) = it.next() else { continue };
        let inter: Live = it.fold(first.clone(), |acc, s| {
            acc.intersection(s).cloned().collect()
        });
        if inter.is_empty() {
            continue;
        }
        let live_in = per_cmd[l]
            .first()
            .cloned()
            .unwrap_or_else(|| outs[l].clone());
        let loc = b.front().map(|c| c.loc).unwrap_or_default();
        for v in inter.difference(&live_in) {
            let Some(t @ Type::Ref(..)) = locals.get(v) else {
                continue;
            };
            let available = states
                .get(l)
                .and_then(|st| st.get(v))
                .is_some_and(|st| *st == locals::State::Available);
            if !available {
                continue;
            }
            let e = Exp {
                ty: t.clone(),
                loc,
                e: Exp_::Move {
                    var: v.clone(),
                    from_user: false,
                },
            };
            b.push_front(Command {
                loc,
                c: Command_::IgnoreAndPop { pop_num: 1, exp: e },
            });
        }
    }
}

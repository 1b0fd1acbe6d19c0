//! Peephole optimisations on the IR, cycled until none applies: a `Branch` to the next block is
//! dropped (except at loop heads) and empty blocks removed; `StLoc x; MoveLoc x` pairs vanish;
//! `CopyLoc x; StLoc x` and `MoveLoc x; StLoc x` pairs vanish; locals no instruction names are
//! removed from the locals list.

use std::collections::{BTreeMap, BTreeSet};

use super::{Ir, IrBlocks};
use crate::hlir::ast::{Label, Var};
use crate::typing::ast::Type;

pub fn code(loop_heads: &BTreeSet<Label>, locals: &mut Vec<(Var, Type)>, blocks: &mut IrBlocks) {
    let mut count = 0;
    let mut i = 0;
    while count < 4 {
        let changed = match i % 4 {
            0 => remove_fallthrough_jumps(loop_heads, blocks),
            1 => remove_nop_store(blocks),
            2 => remove_write_back(blocks),
            _ => remove_unused_locals(locals, blocks),
        };
        if changed {
            count = 0;
        } else {
            count += 1;
        }
        i += 1;
    }
}

fn remove_fallthrough_jumps(loop_heads: &BTreeSet<Label>, blocks: &mut IrBlocks) -> bool {
    let mut changed = false;
    for idx in 0..blocks.len().saturating_sub(1) {
        let next = blocks[idx + 1].0;
        let (lbl, block) = &mut blocks[idx];
        if loop_heads.contains(lbl) {
            continue;
        }
        if matches!(block.last(), Some((Ir::Branch(t), _)) if *t == next) {
            block.pop();
            changed = true;
        }
    }
    // Remove empty blocks, sending their label to the next non-empty block.
    let mut map: BTreeMap<Label, Label> = BTreeMap::new();
    let mut cur: Option<Label> = None;
    let mut removed = false;
    let old = std::mem::take(blocks);
    for (l, b) in old.into_iter().rev() {
        if b.is_empty() {
            removed = true;
        } else {
            cur = Some(l);
            blocks.push((l, b));
        }
        if let Some(c) = cur {
            map.insert(l, c);
        }
    }
    blocks.reverse();
    if removed {
        for (_, b) in blocks.iter_mut() {
            for (i, _) in b.iter_mut() {
                match i {
                    Ir::Branch(t) | Ir::BrTrue(t) | Ir::BrFalse(t) => {
                        if let Some(n) = map.get(t) {
                            *t = *n;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    changed || removed
}

fn remove_nop_store(blocks: &mut IrBlocks) -> bool {
    remove_pairs(
        blocks,
        |a, b| matches!((a, b), (Ir::StLoc(x), Ir::MoveLoc(y)) if x == y),
    )
}

fn remove_write_back(blocks: &mut IrBlocks) -> bool {
    remove_pairs(
        blocks,
        |a, b| matches!((a, b), (Ir::CopyLoc(x) | Ir::MoveLoc(x), Ir::StLoc(y)) if x == y),
    )
}

/// Drops every adjacent pair `(a, b)` that `is_pair` accepts, scanning left to right.
fn remove_pairs(blocks: &mut IrBlocks, is_pair: impl Fn(&Ir, &Ir) -> bool) -> bool {
    let mut changed = false;
    for (_, b) in blocks.iter_mut() {
        if !b.windows(2).any(|w| is_pair(&w[0].0, &w[1].0)) {
            continue;
        }
        let old = std::mem::take(b);
        let mut it = old.into_iter().peekable();
        while let Some(i) = it.next() {
            if it.peek().is_some_and(|n| is_pair(&i.0, &n.0)) {
                it.next();
                changed = true;
                continue;
            }
            b.push(i);
        }
    }
    changed
}

fn remove_unused_locals(locals: &mut Vec<(Var, Type)>, blocks: &IrBlocks) -> bool {
    let mut unused: BTreeSet<&Var> = locals.iter().map(|(v, _)| v).collect();
    for (_, b) in blocks {
        for (i, _) in b {
            match i {
                Ir::CopyLoc(v)
                | Ir::MoveLoc(v)
                | Ir::StLoc(v)
                | Ir::MutBorrowLoc(v)
                | Ir::ImmBorrowLoc(v) => {
                    unused.remove(v);
                }
                _ => {}
            }
        }
    }
    if unused.is_empty() {
        return false;
    }
    let unused: BTreeSet<Var> = unused.into_iter().cloned().collect();
    locals.retain(|(v, _)| !unused.contains(v));
    true
}

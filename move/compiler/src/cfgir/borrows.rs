//! Reference safety: a forward analysis over the CFG of which references borrow which locals,
//! fields and global resources, reporting the E07xxx errors upstream's checker reports. The state
//! is a borrow graph: one node per live reference plus a root standing for the function's frame;
//! an edge says the child reference borrows from the parent, exactly at a field path (strong) or
//! somewhere under a path prefix (weak). Locals holding references own their node, renumbered
//! after every command so that states of different paths compare and join. The rules (what each
//! operation checks, which code it reports, how calls and copies add edges, traversal order of
//! the blocks) follow upstream's `cfgir/borrows` and `move-borrow-graph`; being less strict than
//! upstream is acceptable, being stricter is not.

use std::collections::{BTreeMap, BTreeSet};

use super::{locals, successors, Cfg};
use crate::deps::Dependencies;
use crate::driver::CompileDiagnostic;
use crate::hlir::ast::{self as H, Command_, Exp, Exp_, LValue, Label, Var};
use crate::parser::ast::{BinOp_, Loc};
use crate::typing::ast::{Builtin, Type};

// ---------------------------------------------------------------------------------------------
// Borrow graph

type RefId = usize;

/// One step of a borrow path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Lbl {
    Local(Var),
    Resource(String),
    Field(String),
}

/// A borrow edge. Equality and order ignore the location, which is only for messages.
#[derive(Clone, Debug)]
struct Edge {
    strong: bool,
    path: Vec<Lbl>,
    loc: Loc,
}

impl PartialEq for Edge {
    fn eq(&self, o: &Self) -> bool {
        self.strong == o.strong && self.path == o.path
    }
}
impl Eq for Edge {}
impl PartialOrd for Edge {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Edge {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.strong, &self.path).cmp(&(o.strong, &o.path))
    }
}

fn is_prefix(p: &[Lbl], q: &[Lbl]) -> bool {
    p.len() <= q.len() && p.iter().zip(q).all(|(a, b)| a == b)
}

impl Edge {
    /// Whether this edge covers `o` (the same, or a weak prefix of it).
    fn covers(&self, o: &Edge) -> bool {
        self == o || (!self.strong && is_prefix(&self.path, &o.path))
    }
}

/// More edges than this between two references collapse into one weak edge on the empty
/// path, which keeps the domain finite.
const MAX_EDGES: usize = 10;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct EdgeSet {
    edges: BTreeSet<Edge>,
    overflown: bool,
}

impl EdgeSet {
    fn insert(&mut self, e: Edge) {
        if self.overflown {
            return;
        }
        if self.edges.len() + 1 > MAX_EDGES {
            let loc = e.loc;
            self.edges = BTreeSet::from([Edge {
                strong: false,
                path: vec![],
                loc,
            }]);
            self.overflown = true;
        } else {
            self.edges.insert(e);
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Node {
    mutable: bool,
    /// Children: who borrows from this reference, and how.
    borrowed_by: BTreeMap<RefId, EdgeSet>,
    /// Parents: whom this reference borrows from.
    borrows_from: BTreeSet<RefId>,
}

type Borrowers = BTreeMap<RefId, Loc>;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Graph {
    nodes: BTreeMap<RefId, Node>,
}

impl Graph {
    fn new_ref(&mut self, id: RefId, mutable: bool) {
        self.nodes.insert(
            id,
            Node {
                mutable,
                borrowed_by: BTreeMap::new(),
                borrows_from: BTreeSet::new(),
            },
        );
    }

    fn is_mutable(&self, id: RefId) -> bool {
        self.nodes.get(&id).is_some_and(|n| n.mutable)
    }

    /// The references borrowing `id`: those borrowing it whole, and those borrowing under a
    /// field, grouped by the first label of their path.
    fn borrowed_by(&self, id: RefId) -> (Borrowers, BTreeMap<Lbl, Borrowers>) {
        let mut full = Borrowers::new();
        let mut fields: BTreeMap<Lbl, Borrowers> = BTreeMap::new();
        if let Some(n) = self.nodes.get(&id) {
            for (child, set) in &n.borrowed_by {
                for e in &set.edges {
                    match e.path.first() {
                        None => {
                            full.insert(*child, e.loc);
                        }
                        Some(l) => {
                            fields.entry(l.clone()).or_default().insert(*child, e.loc);
                        }
                    }
                }
            }
        }
        (full, fields)
    }

    fn add_edge(&mut self, parent: RefId, e: Edge, child: RefId) {
        if parent == child || !self.nodes.contains_key(&child) {
            return;
        }
        let Some(p) = self.nodes.get_mut(&parent) else {
            return;
        };
        p.borrowed_by.entry(child).or_default().insert(e);
        if let Some(c) = self.nodes.get_mut(&child) {
            c.borrows_from.insert(parent);
        }
    }

    /// Adds `mid` as an exact borrow of `parent` at `path`; the borrows of `parent` under that
    /// path now go through `mid`.
    fn factor(&mut self, parent: RefId, loc: Loc, path: Vec<Lbl>, mid: RefId) {
        let Some(p) = self.nodes.get_mut(&parent) else {
            return;
        };
        let mut moved = vec![];
        for (child, set) in &p.borrowed_by {
            for e in &set.edges {
                if is_prefix(&path, &e.path) {
                    moved.push((*child, e.clone()));
                }
            }
        }
        let mut emptied = vec![];
        for (child, e) in &moved {
            if let Some(set) = p.borrowed_by.get_mut(child) {
                set.edges.remove(e);
                if set.edges.is_empty() {
                    p.borrowed_by.remove(child);
                    emptied.push(*child);
                }
            }
        }
        for child in emptied {
            if let Some(c) = self.nodes.get_mut(&child) {
                c.borrows_from.remove(&parent);
            }
        }
        for (child, e) in moved {
            let suffix = e.path[path.len()..].to_vec();
            let edge = Edge {
                strong: e.strong,
                path: suffix,
                loc: e.loc,
            };
            self.add_edge(mid, edge, child);
        }
        let edge = Edge {
            strong: true,
            path,
            loc,
        };
        self.add_edge(parent, edge, mid);
    }

    fn add_weak(&mut self, loc: Loc, parent: RefId, path: Vec<Lbl>, child: RefId) {
        let edge = Edge {
            strong: false,
            path,
            loc,
        };
        self.add_edge(parent, edge, child);
    }

    /// Drops reference `id`; whoever borrowed from it now borrows from its parents.
    fn release(&mut self, id: RefId) {
        let Some(node) = self.nodes.remove(&id) else {
            return;
        };
        for parent in &node.borrows_from {
            let parent_edges = match self.nodes.get_mut(parent) {
                Some(p) => p.borrowed_by.remove(&id).unwrap_or_default(),
                None => continue,
            };
            for pe in &parent_edges.edges {
                for (child, ces) in &node.borrowed_by {
                    for ce in &ces.edges {
                        if parent == child {
                            continue;
                        }
                        let path = if pe.strong {
                            let mut p = pe.path.clone();
                            p.extend(ce.path.iter().cloned());
                            p
                        } else {
                            pe.path.clone()
                        };
                        let edge = Edge {
                            strong: pe.strong && ce.strong,
                            path,
                            loc: ce.loc,
                        };
                        self.add_edge(*parent, edge, *child);
                    }
                }
            }
        }
        for child in node.borrowed_by.keys() {
            if let Some(c) = self.nodes.get_mut(child) {
                c.borrows_from.remove(&id);
            }
        }
    }

    /// The edges of `other` that no edge of `self` covers.
    fn unmatched(&self, other: &Graph) -> Vec<(RefId, RefId, Edge)> {
        let mut out = vec![];
        for (parent, on) in &other.nodes {
            let mine = self.nodes.get(parent).map(|n| &n.borrowed_by);
            for (child, set) in &on.borrowed_by {
                for oe in &set.edges {
                    let found = mine
                        .and_then(|m| m.get(child))
                        .is_some_and(|s| s.edges.iter().any(|se| se.covers(oe)));
                    if !found {
                        out.push((*parent, *child, oe.clone()));
                    }
                }
            }
        }
        out
    }

    fn leq(&self, other: &Graph) -> bool {
        self.unmatched(other).is_empty()
    }

    fn join(&self, other: &Graph) -> Graph {
        let mut joined = self.clone();
        for (p, c, e) in self.unmatched(other) {
            joined.add_edge(p, e, c);
        }
        joined
    }

    fn remap(&mut self, map: &BTreeMap<RefId, RefId>) {
        let m = |id: RefId| map.get(&id).copied().unwrap_or(id);
        self.nodes = std::mem::take(&mut self.nodes)
            .into_iter()
            .map(|(id, mut n)| {
                n.borrowed_by = std::mem::take(&mut n.borrowed_by)
                    .into_iter()
                    .map(|(c, s)| (m(c), s))
                    .collect();
                n.borrows_from = n.borrows_from.iter().map(|p| m(*p)).collect();
                (m(id), n)
            })
            .collect();
    }
}

// ---------------------------------------------------------------------------------------------
// Abstract state

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Value {
    NonRef,
    Ref(RefId),
}

type Values = Vec<Value>;

/// The reference standing for the frame: locals and global resources are its fields.
const ROOT: RefId = 0;

#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    locals: BTreeMap<Var, Value>,
    graph: Graph,
    next_id: RefId,
}

#[derive(Clone, Copy)]
enum Code {
    RefTrans,
    MutOwns,
    Dangling,
    InvalidReturn,
    InvalidTransfer,
    Ambiguous,
}

impl Code {
    fn parts(self) -> (&'static str, &'static str) {
        match self {
            Code::RefTrans => ("E07001", "referential transparency violated"),
            Code::MutOwns => ("E07002", "mutable ownership violated"),
            Code::Dangling => (
                "E07003",
                "invalid operation, could create dangling a reference",
            ),
            Code::InvalidReturn => ("E07004", "invalid return of locally borrowed state"),
            Code::InvalidTransfer => ("E07005", "invalid transfer of references"),
            Code::Ambiguous => ("E07006", "ambiguous usage of variable"),
        }
    }
}

/// The name a user wrote for a local (`x#2` is the second `x`).
fn display(v: &str) -> &str {
    v.split('#').next().unwrap_or(v)
}

type Diags = Vec<CompileDiagnostic>;

impl State {
    fn initial(locals: &BTreeMap<Var, Type>) -> State {
        let mut s = State {
            locals: locals.keys().map(|v| (v.clone(), Value::NonRef)).collect(),
            graph: Graph::default(),
            next_id: 0,
        };
        s.divergent();
        s
    }

    fn new_ref(&mut self, mutable: bool) -> RefId {
        self.next_id += 1;
        let id = self.next_id;
        self.graph.new_ref(id, mutable);
        id
    }

    fn value_of(&mut self, t: &Type) -> Value {
        match t {
            Type::Ref(m, _) => Value::Ref(self.new_ref(*m)),
            _ => Value::NonRef,
        }
    }

    fn release(&mut self, v: Value) {
        if let Value::Ref(id) = v {
            self.graph.release(id);
        }
    }

    /// An error when any borrower is left, each borrower named as a secondary label.
    fn borrow_error(
        &self,
        loc: Loc,
        full: &Borrowers,
        fields: &BTreeMap<Lbl, Borrowers>,
        code: Code,
        msg: impl FnOnce() -> String,
    ) -> Option<CompileDiagnostic> {
        if full.is_empty() && fields.values().all(|b| b.is_empty()) {
            return None;
        }
        let adj = |id: RefId| {
            if self.graph.is_mutable(id) {
                "mutably "
            } else {
                ""
            }
        };
        let (c, headline) = code.parts();
        let mut d = CompileDiagnostic::error(c, headline, loc, msg());
        for (b, l) in full {
            d = d.with_secondary(
                *l,
                format!("It is still being {}borrowed by this reference", adj(*b)),
            );
        }
        for (f, bs) in fields {
            let name = match f {
                Lbl::Field(n) | Lbl::Resource(n) => n.as_str(),
                Lbl::Local(v) => display(v),
            };
            for (b, l) in bs {
                d = d.with_secondary(
                    *l,
                    format!(
                        "Field '{name}' is still being {}borrowed by this reference",
                        adj(*b)
                    ),
                );
            }
        }
        Some(d)
    }

    fn root_borrowers(&self, l: &Lbl) -> Borrowers {
        let (_, mut fields) = self.graph.borrowed_by(ROOT);
        fields.remove(l).unwrap_or_default()
    }

    fn local_borrowers(&self, v: &Var) -> Borrowers {
        self.root_borrowers(&Lbl::Local(v.clone()))
    }

    fn only_mutable(&self, b: Borrowers) -> Borrowers {
        b.into_iter()
            .filter(|(id, _)| self.graph.is_mutable(*id))
            .collect()
    }

    /// Reading through `id` (or freezing it) is an error while a mutable reference borrows
    /// from it (at `field` only, when given).
    fn freezable(
        &self,
        loc: Loc,
        code: Code,
        msg: impl FnOnce() -> String,
        id: RefId,
        field: Option<&Lbl>,
    ) -> Option<CompileDiagnostic> {
        let (full, fields) = self.graph.borrowed_by(id);
        let full = self.only_mutable(full);
        let fields = fields
            .into_iter()
            .filter(|(f, _)| field.is_none_or(|at| at == f))
            .map(|(f, b)| (f, self.only_mutable(b)))
            .filter(|(_, b)| !b.is_empty())
            .collect();
        self.borrow_error(loc, &full, &fields, code, msg)
    }

    fn readable(
        &self,
        loc: Loc,
        code: Code,
        msg: impl FnOnce() -> String,
        id: RefId,
        field: Option<&Lbl>,
    ) -> Option<CompileDiagnostic> {
        if self.graph.is_mutable(id) {
            self.freezable(loc, code, msg, id, field)
        } else {
            None
        }
    }

    fn use_error(
        &self,
        loc: Loc,
        v: &Var,
        b: &Borrowers,
        code: Code,
        verb: &str,
    ) -> Option<CompileDiagnostic> {
        self.borrow_error(loc, b, &BTreeMap::new(), code, || {
            format!("Invalid {verb} of variable '{}'", display(v))
        })
    }

    /// Forgets every borrow: after `return` and `abort` nothing flows on.
    fn divergent(&mut self) {
        for v in self.locals.values_mut() {
            *v = Value::NonRef;
        }
        self.graph = Graph::default();
        self.graph.new_ref(ROOT, true);
        self.next_id = self.locals.len() + 1;
    }

    fn assign_local(&mut self, loc: Loc, v: &Var, new: Value, diags: &mut Diags) {
        let old = self.locals.insert(v.clone(), new).unwrap_or(Value::NonRef);
        match old {
            Value::Ref(id) => self.graph.release(id),
            Value::NonRef => {
                let b = self.local_borrowers(v);
                diags.extend(self.use_error(loc, v, &b, Code::Dangling, "assignment"));
            }
        }
    }

    fn move_local(&mut self, loc: Loc, v: &Var, inferred: bool, diags: &mut Diags) -> Value {
        let old = self
            .locals
            .insert(v.clone(), Value::NonRef)
            .unwrap_or(Value::NonRef);
        if let Value::Ref(_) = old {
            return old;
        }
        let b = self.local_borrowers(v);
        if inferred {
            let name = display(v).to_string();
            let d = self.borrow_error(loc, &b, &BTreeMap::new(), Code::Ambiguous, || {
                format!("Ambiguous usage of variable '{name}'")
            });
            diags.extend(d.map(|d| {
                d.with_secondary(
                    loc,
                    format!("Try an explicit annotation, e.g. 'move {name}' or 'copy {name}'"),
                )
            }));
        } else {
            diags.extend(self.use_error(loc, v, &b, Code::Dangling, "move"));
        }
        Value::NonRef
    }

    fn copy_local(&mut self, loc: Loc, v: &Var, diags: &mut Diags) -> Value {
        match self.locals.get(v).copied().unwrap_or(Value::NonRef) {
            Value::Ref(id) => {
                let new = self.new_ref(self.graph.is_mutable(id));
                self.graph.factor(id, loc, vec![], new);
                Value::Ref(new)
            }
            Value::NonRef => {
                let b = self.only_mutable(self.local_borrowers(v));
                diags.extend(self.use_error(loc, v, &b, Code::MutOwns, "copy"));
                Value::NonRef
            }
        }
    }

    fn borrow_local(&mut self, loc: Loc, mutable: bool, v: &Var, diags: &mut Diags) -> Value {
        let new = self.new_ref(mutable);
        if !mutable {
            let b = self.only_mutable(self.local_borrowers(v));
            diags.extend(self.use_error(loc, v, &b, Code::RefTrans, "borrow"));
        }
        self.graph
            .factor(ROOT, loc, vec![Lbl::Local(v.clone())], new);
        Value::Ref(new)
    }

    fn freeze(&mut self, loc: Loc, v: Value, diags: &mut Diags) -> Value {
        let Value::Ref(id) = v else {
            return Value::NonRef;
        };
        diags.extend(self.freezable(loc, Code::MutOwns, || "Invalid freeze.".into(), id, None));
        let frozen = self.new_ref(false);
        self.graph.factor(id, loc, vec![], frozen);
        self.graph.release(id);
        Value::Ref(frozen)
    }

    fn dereference(&mut self, loc: Loc, v: Value, diags: &mut Diags) -> Value {
        if let Value::Ref(id) = v {
            diags.extend(self.readable(
                loc,
                Code::MutOwns,
                || "Invalid dereference.".into(),
                id,
                None,
            ));
            self.graph.release(id);
        }
        Value::NonRef
    }

    fn borrow_field(
        &mut self,
        loc: Loc,
        mutable: bool,
        v: Value,
        field: &str,
        diags: &mut Diags,
    ) -> Value {
        let Value::Ref(id) = v else {
            return Value::NonRef;
        };
        let lbl = Lbl::Field(field.to_string());
        let d = if mutable {
            // Borrows of other fields are moved under the new reference by the factoring.
            let (full, _) = self.graph.borrowed_by(id);
            self.borrow_error(loc, &full, &BTreeMap::new(), Code::MutOwns, || {
                format!("Invalid mutable borrow at field '{field}'.")
            })
        } else {
            self.readable(
                loc,
                Code::RefTrans,
                || format!("Invalid immutable borrow at field '{field}'."),
                id,
                Some(&lbl),
            )
        };
        diags.extend(d);
        let new = self.new_ref(mutable);
        self.graph.factor(id, loc, vec![lbl], new);
        self.graph.release(id);
        Value::Ref(new)
    }

    fn borrow_global(&mut self, loc: Loc, mutable: bool, name: &str, diags: &mut Diags) -> Value {
        let new = self.new_ref(mutable);
        let lbl = Lbl::Resource(name.to_string());
        let b = self.root_borrowers(&lbl);
        let msg = || format!("Invalid borrowing of resource '{name}'");
        let d = if mutable {
            self.borrow_error(loc, &b, &BTreeMap::new(), Code::MutOwns, msg)
        } else {
            let b = self.only_mutable(b);
            self.borrow_error(loc, &b, &BTreeMap::new(), Code::RefTrans, msg)
        };
        diags.extend(d);
        self.graph.add_weak(loc, ROOT, vec![lbl], new);
        Value::Ref(new)
    }

    fn move_from(&mut self, loc: Loc, name: &str, diags: &mut Diags) -> Value {
        let b = self.root_borrowers(&Lbl::Resource(name.to_string()));
        diags.extend(
            self.borrow_error(loc, &b, &BTreeMap::new(), Code::Dangling, || {
                format!("Invalid extraction of resource '{name}'")
            }),
        );
        Value::NonRef
    }

    /// A call: the resources it acquires and its mutable reference arguments must not be
    /// borrowed; each reference result may borrow from any argument (a mutable result only from
    /// the mutable ones).
    fn call(
        &mut self,
        loc: Loc,
        args: Values,
        acquires: &[String],
        ret: &Type,
        diags: &mut Diags,
    ) -> Values {
        for name in acquires {
            let b = self.root_borrowers(&Lbl::Resource(name.clone()));
            diags.extend(
                self.borrow_error(loc, &b, &BTreeMap::new(), Code::Dangling, || {
                    format!("Invalid acquiring of resource '{name}'")
                }),
            );
        }
        let refs: Vec<RefId> = args
            .iter()
            .filter_map(|a| match a {
                Value::Ref(id) => Some(*id),
                Value::NonRef => None,
            })
            .collect();
        for id in refs.iter().filter(|id| self.graph.is_mutable(**id)) {
            let (full, fields) = self.graph.borrowed_by(*id);
            diags.extend(
                self.borrow_error(loc, &full, &fields, Code::InvalidTransfer, || {
                    "Invalid usage of reference as function argument. Cannot transfer a mutable \
                 reference that is being borrowed"
                        .into()
                }),
            );
        }
        let all: BTreeSet<RefId> = refs.iter().copied().collect();
        let muts: BTreeSet<RefId> = all
            .iter()
            .copied()
            .filter(|id| self.graph.is_mutable(*id))
            .collect();
        let values: Values = ret.items().iter().map(|t| self.value_of(t)).collect();
        for v in &values {
            if let Value::Ref(id) = v {
                let parents = if self.graph.is_mutable(*id) {
                    &muts
                } else {
                    &all
                };
                for p in parents {
                    self.graph.add_weak(loc, *p, vec![], *id);
                }
            }
        }
        for id in all {
            self.graph.release(id);
        }
        values
    }

    fn mutate(&mut self, loc: Loc, v: Value, diags: &mut Diags) {
        if let Value::Ref(id) = v {
            let (full, fields) = self.graph.borrowed_by(id);
            diags.extend(self.borrow_error(loc, &full, &fields, Code::Dangling, || {
                "Invalid mutation of reference.".into()
            }));
            self.graph.release(id);
        }
    }

    /// The references the locals hold.
    fn held(&self) -> BTreeSet<RefId> {
        self.locals
            .values()
            .filter_map(|v| match v {
                Value::Ref(id) => Some(*id),
                Value::NonRef => None,
            })
            .collect()
    }

    fn return_(&mut self, loc: Loc, values: Values, diags: &mut Diags) {
        for id in self.held() {
            self.graph.release(id);
        }
        for (v, val) in &self.locals {
            if *val == Value::NonRef {
                let b = self.local_borrowers(v);
                diags.extend(self.borrow_error(
                    loc,
                    &b,
                    &BTreeMap::new(),
                    Code::InvalidReturn,
                    || {
                        format!(
                            "Invalid return. Local variable '{}' is still being borrowed.",
                            display(v)
                        )
                    },
                ));
            }
        }
        let (_, root_fields) = self.graph.borrowed_by(ROOT);
        for (l, b) in &root_fields {
            if let Lbl::Resource(name) = l {
                diags.extend(self.borrow_error(
                    loc,
                    b,
                    &BTreeMap::new(),
                    Code::InvalidReturn,
                    || {
                        format!(
                            "Invalid return. Resource variable '{name}' is still being borrowed."
                        )
                    },
                ));
            }
        }
        for v in values {
            if let Value::Ref(id) = v {
                if self.graph.is_mutable(id) {
                    let (full, fields) = self.graph.borrowed_by(id);
                    diags.extend(self.borrow_error(
                        loc,
                        &full,
                        &fields,
                        Code::InvalidTransfer,
                        || {
                            "Invalid return of reference. Cannot transfer a mutable reference \
                             that is being borrowed"
                                .into()
                        },
                    ));
                }
            }
        }
        self.divergent();
    }

    /// Renumbers the references held by locals (local `i` in name order holds reference
    /// `i + 1`), so that states reached along different paths compare.
    fn canonicalize(&mut self, numbers: &BTreeMap<Var, usize>) {
        let held = self.held();
        // Every other reference died within the command; drop any left over.
        let stray: Vec<RefId> = self
            .graph
            .nodes
            .keys()
            .copied()
            .filter(|id| *id != ROOT && !held.contains(id))
            .collect();
        for id in stray {
            self.graph.release(id);
        }
        let mut map = BTreeMap::new();
        for (v, val) in self.locals.iter_mut() {
            if let Value::Ref(id) = val {
                let n = numbers.get(v).copied().unwrap_or(0) + 1;
                map.insert(*id, n);
                *id = n;
            }
        }
        self.graph.remap(&map);
        self.next_id = self.locals.len() + 1;
    }

    fn join(&self, other: &State) -> State {
        let mut a = self.clone();
        let mut b = other.clone();
        let mut released = BTreeSet::new();
        let mut locals = BTreeMap::new();
        for (v, av) in &self.locals {
            let bv = other.locals.get(v).copied().unwrap_or(Value::NonRef);
            let j = match (*av, bv) {
                (Value::Ref(x), Value::Ref(_)) => Value::Ref(x),
                (Value::NonRef, Value::Ref(x)) | (Value::Ref(x), Value::NonRef) => {
                    released.insert(x);
                    Value::NonRef
                }
                (Value::NonRef, Value::NonRef) => Value::NonRef,
            };
            locals.insert(v.clone(), j);
        }
        for id in released {
            a.graph.release(id);
            b.graph.release(id);
        }
        State {
            locals,
            graph: a.graph.join(&b.graph),
            next_id: self.next_id,
        }
    }

    fn leq(&self, other: &State) -> bool {
        self.locals == other.locals && self.graph.leq(&other.graph)
    }
}

// ---------------------------------------------------------------------------------------------
// Transfer functions

struct Ctx<'a> {
    numbers: BTreeMap<Var, usize>,
    /// Locals whose type can be copied: an implicit move of one is an inferred last use.
    copyable: BTreeSet<Var>,
    deps: &'a Dependencies<'a>,
}

impl Ctx<'_> {
    fn field_name(&self, key: &crate::typing::ast::StructKey, index: usize) -> String {
        self.deps
            .local_fields(key.name())
            .and_then(|fs| fs.get(index))
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| index.to_string())
    }
}

fn single(mut vs: Values) -> Value {
    if vs.len() == 1 {
        vs.pop().unwrap_or(Value::NonRef)
    } else {
        Value::NonRef
    }
}

fn exp(ctx: &Ctx, s: &mut State, e: &Exp, diags: &mut Diags) -> Values {
    let loc = e.loc;
    match &e.e {
        Exp_::Move { var, from_user } => {
            let inferred = !*from_user && !var.starts_with('%') && ctx.copyable.contains(var);
            vec![s.move_local(loc, var, inferred, diags)]
        }
        Exp_::Copy { var, .. } => vec![s.copy_local(loc, var, diags)],
        Exp_::BorrowLocal(m, var) => vec![s.borrow_local(loc, *m, var, diags)],
        Exp_::Freeze(i) => {
            let v = single(exp(ctx, s, i, diags));
            vec![s.freeze(loc, v, diags)]
        }
        Exp_::Dereference(i) => {
            let v = single(exp(ctx, s, i, diags));
            vec![s.dereference(loc, v, diags)]
        }
        Exp_::Borrow {
            mutable,
            base,
            key,
            index,
            ..
        } => {
            let v = single(exp(ctx, s, base, diags));
            let name = ctx.field_name(key, *index);
            vec![s.borrow_field(loc, *mutable, v, &name, diags)]
        }
        Exp_::Builtin(b, _, args) => {
            let vs = exp(ctx, s, args, diags);
            match b {
                Builtin::BorrowGlobal(m, key, _) => {
                    release_all(s, vs);
                    vec![s.borrow_global(loc, *m, key.name(), diags)]
                }
                Builtin::MoveFrom(key, _) => {
                    release_all(s, vs);
                    vec![s.move_from(loc, key.name(), diags)]
                }
                Builtin::MoveTo(..) | Builtin::Exists(..) => s.call(loc, vs, &[], &e.ty, diags),
            }
        }
        Exp_::ModuleCall(c) => {
            let vs = exp(ctx, s, &c.args, diags);
            let acquires = ctx
                .deps
                .acquires_in_current(&c.module.address, &c.module.name, &c.name);
            s.call(loc, vs, &acquires, &e.ty, diags)
        }
        Exp_::Binop(l, op, r) => {
            let a = exp(ctx, s, l, diags);
            let b = exp(ctx, s, r, diags);
            if matches!(op.value, BinOp_::Eq | BinOp_::Neq) {
                // Comparing references reads them; upstream treats a failure here as a bug
                // of its own, so nothing is reported.
                let mut ignored = vec![];
                for v in a.into_iter().chain(b) {
                    s.dereference(l.loc, v, &mut ignored);
                }
            } else {
                release_all(s, a);
                release_all(s, b);
            }
            vec![Value::NonRef]
        }
        Exp_::Pack(_, _, fs) => {
            for (_, _, f) in fs {
                let vs = exp(ctx, s, f, diags);
                release_all(s, vs);
            }
            vec![Value::NonRef]
        }
        Exp_::Vector(_, _, i) | Exp_::Not(i, _) | Exp_::Cast(i, _) => {
            let vs = exp(ctx, s, i, diags);
            release_all(s, vs);
            vec![Value::NonRef]
        }
        Exp_::ExpList(es) => es.iter().flat_map(|e| exp(ctx, s, e, diags)).collect(),
        Exp_::Unit(_) => vec![],
        Exp_::Value(_) | Exp_::Constant(_) | Exp_::Spec(..) | Exp_::Unreachable => {
            vec![Value::NonRef]
        }
    }
}

fn release_all(s: &mut State, vs: Values) {
    for v in vs {
        s.release(v);
    }
}

fn lvalue(s: &mut State, loc: Loc, l: &LValue, v: Value, diags: &mut Diags) {
    match l {
        LValue::Ignore(_) => s.release(v),
        LValue::Var(var, _, _) => s.assign_local(loc, var, v, diags),
        LValue::Unpack(_, _, fs, _) => {
            s.release(v);
            for (_, f) in fs {
                lvalue(s, loc, f, Value::NonRef, diags);
            }
        }
    }
}

fn command(ctx: &Ctx, s: &mut State, c: &H::Command, diags: &mut Diags) {
    let loc = c.loc;
    match &c.c {
        Command_::Assign(ls, e) => {
            let vs = exp(ctx, s, e, diags);
            let mut vs = vs.into_iter();
            for l in ls {
                let v = vs.next().unwrap_or(Value::NonRef);
                lvalue(s, loc, l, v, diags);
            }
            release_all(s, vs.collect());
        }
        Command_::Mutate(l, r) => {
            let rv = exp(ctx, s, r, diags);
            release_all(s, rv);
            let lv = single(exp(ctx, s, l, diags));
            s.mutate(loc, lv, diags);
        }
        Command_::JumpIf { cond: e, .. } => {
            let vs = exp(ctx, s, e, diags);
            release_all(s, vs);
        }
        Command_::IgnoreAndPop { exp: e, .. } => {
            let vs = exp(ctx, s, e, diags);
            release_all(s, vs);
        }
        Command_::Return(e) => {
            let vs = exp(ctx, s, e, diags);
            s.return_(loc, vs, diags);
        }
        Command_::Abort(e) => {
            let vs = exp(ctx, s, e, diags);
            release_all(s, vs);
            s.divergent();
        }
        Command_::Jump(_) | Command_::Break | Command_::Continue => {}
    }
    s.canonicalize(&ctx.numbers);
}

// ---------------------------------------------------------------------------------------------
// Fixed point

/// Blocks in reverse post-order of the graph without back edges (edges to a label not greater
/// than the source's); that is the order blocks are analysed in.
fn traversal_order(cfg: &Cfg) -> Vec<Label> {
    let succ = |l: Label| -> Vec<Label> {
        cfg.blocks
            .get(&l)
            .and_then(|b| b.back())
            .map(successors)
            .unwrap_or_default()
            .into_iter()
            .filter(|t| *t > l && cfg.blocks.contains_key(t))
            .collect()
    };
    let mut post = vec![];
    let mut finished = BTreeSet::new();
    let mut stack = vec![(cfg.start, true)];
    while let Some((cur, first)) = stack.pop() {
        if first {
            stack.push((cur, false));
            for t in succ(cur) {
                if !finished.contains(&t) {
                    stack.push((t, true));
                }
            }
        } else if finished.insert(cur) {
            post.push(cur);
        }
    }
    post.reverse();
    post
}

/// What the check needs of a function: type parameters, parameters, every local.
pub(super) type Signature<'a> = (
    &'a [move_bytecode::AbilitySet],
    &'a [(Var, Type)],
    &'a BTreeMap<Var, Type>,
);

/// Checks the references of one function body. Errors are appended to `diags`.
pub(super) fn verify(
    (type_parameters, parameters, locals): Signature,
    deps: &Dependencies,
    local_states: &BTreeMap<Label, locals::States>,
    cfg: &Cfg,
    diags: &mut Diags,
) {
    // Upstream checks after liveness has popped the references that die on block entry.
    let mut released = Cfg {
        start: cfg.start,
        blocks: cfg.blocks.clone(),
    };
    super::release_dead_refs(locals, local_states, &mut released);
    let cfg = &released;

    let ctx = Ctx {
        numbers: locals
            .keys()
            .enumerate()
            .map(|(i, v)| (v.clone(), i))
            .collect(),
        copyable: locals
            .iter()
            .filter(|(_, t)| {
                crate::typing::type_abilities(deps, type_parameters, t)
                    .has(move_bytecode::Ability::Copy)
            })
            .map(|(v, _)| v.clone())
            .collect(),
        deps,
    };

    let mut initial = State::initial(locals);
    for (v, t) in parameters {
        let val = initial.value_of(t);
        initial.locals.insert(v.clone(), val);
    }
    initial.canonicalize(&ctx.numbers);

    let order = traversal_order(cfg);
    let next_in_order: BTreeMap<Label, Label> = order.windows(2).map(|w| (w[0], w[1])).collect();
    // Pre-state of each block, and the errors of its latest analysis (`None`: the pre-state
    // changed since, so the block is due again).
    let mut pre: BTreeMap<Label, State> = BTreeMap::new();
    let mut post: BTreeMap<Label, Option<Diags>> = BTreeMap::new();
    let mut next = Some(cfg.start);
    let mut steps = 0usize;
    while let Some(l) = next {
        steps += 1;
        if steps > 100_000 {
            // No fixed point in sight: report nothing rather than something wrong.
            return;
        }
        let mut state = pre.entry(l).or_insert_with(|| initial.clone()).clone();
        let mut found = vec![];
        let Some(block) = cfg.blocks.get(&l) else {
            next = next_in_order.get(&l).copied();
            continue;
        };
        for c in block {
            command(&ctx, &mut state, c, &mut found);
        }
        post.insert(l, Some(found));
        let mut candidate = next_in_order.get(&l).copied();
        for t in block.back().map(successors).unwrap_or_default() {
            match pre.get_mut(&t) {
                Some(old) => {
                    let joined = old.join(&state);
                    if !old.leq(&joined) {
                        *old = joined;
                        if t <= l {
                            candidate = Some(t);
                        }
                        post.insert(t, None);
                    }
                }
                None => {
                    pre.insert(t, state.clone());
                    post.insert(t, Some(vec![]));
                }
            }
        }
        next = candidate;
    }
    for found in post.into_values().flatten() {
        diags.extend(found);
    }
}

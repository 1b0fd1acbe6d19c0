//! The order of a package's modules in a release, as the reference compiler emits them.
//!
//! The reference decides it in its expansion pass, over the whole program being compiled (the
//! package and every dependency package, all from source): every module that names another
//! (in a type, call, pack, unpack, `acquires`, or any spec block, but not in constants or
//! attributes) gets an edge to it, and `friend m` gives an edge from `m` to the declaring module.
//! Edges are collected per module in module-identifier order (address, then name), the graph
//! is sorted with [`DiGraph::toposort`], and a module's rank is its position from the end of
//! that sort; modules without any edge rank 0. Modules are then emitted sorted by rank, ties in
//! identifier order, and the package's own are kept. Because references that leave no trace in
//! bytecode count (calls of `vector` functions that compile to instructions, spec-only uses,
//! inline functions), the edges are read from the sources with the parser, not from bytecode.
//!
//! Names resolve as the reference's expansion resolves them: `use` aliases (module, block and
//! spec-block scoped, plus those of `spec <module>` blocks in other files), `Self`, the
//! module's own members, and full `addr::module::member` paths. Items marked `#[test]`,
//! `#[test_only]` or `#[verify_only]` are left out, as in a non-test build.

use std::collections::{BTreeMap, BTreeSet};

use move_compiler::parser::ast::{
    Attribute_, Attributes, Bind, Bind_, Definition, Exp, Exp_, FileId, FriendDecl, FunctionBody_,
    LeadingNameAccess, LeadingNameAccess_, ModuleDefinition, ModuleIdent, ModuleMember,
    NameAccessChain, NameAccessChain_, PragmaValue, QuantRange, Sequence, SequenceItem_, SpecBlock,
    SpecBlockMember_, Type, Type_, Use, UseDecl,
};
use move_package::toposort::DiGraph;

/// A module's address and name.
pub type ModuleKey = ([u8; 32], String);

/// One source file and the named addresses of the package it belongs to.
pub struct OrderSource<'a> {
    /// The file's name, for messages.
    pub name: &'a str,
    pub text: &'a str,
    pub addresses: &'a BTreeMap<String, [u8; 32]>,
}

/// What a module refers to, as the reference's dependency pass records it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleRefs {
    pub uses: BTreeSet<ModuleKey>,
    /// Modules named in `friend` declarations (and `pragma friend`).
    pub friends: BTreeSet<ModuleKey>,
}

/// The sources could not be read for ordering.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("{file}: does not parse: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: module `{module}` names address `{address}`, which has no value")]
    UnknownAddress {
        file: String,
        module: String,
        address: String,
    },
    #[error("module dependency cycle through `{0}`")]
    Cycle(String),
}

/// The references of every (non-test) module defined in `sources`.
pub fn module_references(
    sources: &[OrderSource<'_>],
) -> Result<BTreeMap<ModuleKey, ModuleRefs>, OrderError> {
    // Spec modules (`spec addr::m { .. }`) are merged into their module, uses included.
    let mut modules: BTreeMap<ModuleKey, Vec<(&OrderSource<'_>, ModuleDefinition)>> =
        BTreeMap::new();
    for (i, source) in sources.iter().enumerate() {
        let parsed = move_compiler::parser::parse_file(FileId(i as u32), source.text);
        let has_errors = parsed.has_errors();
        let file = match parsed.file {
            Some(f) if !has_errors => f,
            _ => {
                let message = parsed
                    .diagnostics
                    .first()
                    .map(|d| format!("{d:?}"))
                    .unwrap_or_else(|| "syntax error".into());
                return Err(OrderError::Parse {
                    file: source.name.to_string(),
                    message,
                });
            }
        };
        for def in file.definitions {
            let (block_address, defs) = match def {
                Definition::Module(m) => (None, vec![m]),
                Definition::Address(a) => (Some(a.addr), a.modules),
                Definition::Script(_) => continue,
            };
            for m in defs {
                if is_filtered(&m.attributes) {
                    continue;
                }
                let Some(addr) = m.address.as_ref().or(block_address.as_ref()) else {
                    continue;
                };
                let address = resolve_address(addr, source.addresses).ok_or_else(|| {
                    OrderError::UnknownAddress {
                        file: source.name.to_string(),
                        module: m.name.value.to_string(),
                        address: leading_text(addr),
                    }
                })?;
                let key = (address, m.name.value.to_string());
                modules.entry(key).or_default().push((source, m));
            }
        }
    }

    let mut out = BTreeMap::new();
    for (key, parts) in &modules {
        // Spec modules alone do not define a module.
        if parts.iter().all(|(_, m)| m.is_spec_module) {
            continue;
        }
        let mut walker = Walker {
            current: key.clone(),
            module_aliases: vec![BTreeMap::new()],
            member_aliases: vec![BTreeMap::new()],
            refs: ModuleRefs::default(),
            addresses: parts[0].0.addresses,
        };
        walker.module_aliases[0].insert("Self".to_string(), key.clone());
        for (source, m) in parts {
            walker.addresses = source.addresses;
            for member in m.members.iter().filter(|mm| !member_filtered(mm)) {
                walker.member_alias_of_own(member);
                if let ModuleMember::Use(u) = member {
                    walker.add_use(u);
                }
            }
        }
        for (source, m) in parts {
            walker.addresses = source.addresses;
            for member in m.members.iter().filter(|mm| !member_filtered(mm)) {
                walker.member(member);
            }
        }
        out.insert(key.clone(), walker.refs);
    }
    Ok(out)
}

/// Every module of `refs` in the reference's emission order (see the module documentation).
pub fn dependency_order(
    refs: &BTreeMap<ModuleKey, ModuleRefs>,
) -> Result<Vec<ModuleKey>, OrderError> {
    // parent -> children: `a` uses `b` gives a -> b; `a` declares `friend b` gives b -> a.
    let mut neighbors: BTreeMap<&ModuleKey, BTreeSet<&ModuleKey>> = BTreeMap::new();
    for (module, r) in refs {
        for friend in &r.friends {
            if refs.contains_key(friend) && friend != module {
                neighbors.entry(friend).or_default().insert(module);
            }
        }
        for used in &r.uses {
            if refs.contains_key(used) && used != module {
                neighbors.entry(module).or_default().insert(used);
            }
        }
    }
    let mut graph = DiGraph::new();
    for (parent, children) in &neighbors {
        for child in children {
            graph.add_edge(*parent, *child);
        }
    }
    let sorted = graph
        .toposort()
        .map_err(|c| OrderError::Cycle(c.0 .1.to_string()))?;
    let rank: BTreeMap<&ModuleKey, usize> = sorted
        .iter()
        .rev()
        .enumerate()
        .map(|(i, m)| (*m, i))
        .collect();
    let mut all: Vec<&ModuleKey> = refs.keys().collect();
    all.sort_by_key(|m| rank.get(m).copied().unwrap_or(0));
    Ok(all.into_iter().cloned().collect())
}

/// Whether attributes remove an item from a non-test, non-verification build.
fn is_filtered(attributes: &[Attributes]) -> bool {
    attributes.iter().flat_map(|a| a.value.iter()).any(|a| {
        let name = match &a.value {
            Attribute_::Name(n) => n,
            Attribute_::Assigned(n, _) => n,
            Attribute_::Parameterized(n, _) => n,
        };
        matches!(name.value.as_str(), "test" | "test_only" | "verify_only")
    })
}

fn member_filtered(member: &ModuleMember) -> bool {
    let attributes = match member {
        ModuleMember::Function(f) => &f.attributes,
        ModuleMember::Struct(s) => &s.attributes,
        ModuleMember::Use(u) => &u.attributes,
        ModuleMember::Friend(f) => &f.attributes,
        ModuleMember::Constant(c) => &c.attributes,
        ModuleMember::Spec(s) => &s.value.attributes,
    };
    is_filtered(attributes)
}

fn resolve_address(
    addr: &LeadingNameAccess,
    addresses: &BTreeMap<String, [u8; 32]>,
) -> Option<[u8; 32]> {
    match &addr.value {
        LeadingNameAccess_::AnonymousAddress(n) => Some(n.bytes),
        LeadingNameAccess_::Name(n) => addresses.get(n.value.as_str()).copied(),
    }
}

fn leading_text(addr: &LeadingNameAccess) -> String {
    match &addr.value {
        LeadingNameAccess_::AnonymousAddress(n) => n.text.to_string(),
        LeadingNameAccess_::Name(n) => n.value.to_string(),
    }
}

struct Walker<'a> {
    current: ModuleKey,
    /// Scopes of module aliases, innermost last.
    module_aliases: Vec<BTreeMap<String, ModuleKey>>,
    /// Scopes of member aliases (to the module that defines the member), innermost last.
    member_aliases: Vec<BTreeMap<String, ModuleKey>>,
    refs: ModuleRefs,
    addresses: &'a BTreeMap<String, [u8; 32]>,
}

impl Walker<'_> {
    fn module_ident(&self, m: &ModuleIdent) -> Option<ModuleKey> {
        let address = resolve_address(&m.value.address, self.addresses)?;
        Some((address, m.value.module.value.to_string()))
    }

    fn module_alias(&self, name: &str) -> Option<ModuleKey> {
        self.module_aliases
            .iter()
            .rev()
            .find_map(|s| s.get(name).cloned())
    }

    fn member_alias(&self, name: &str) -> Option<ModuleKey> {
        self.member_aliases
            .iter()
            .rev()
            .find_map(|s| s.get(name).cloned())
    }

    /// The module's own functions, structs, constants and spec functions are implicit member
    /// aliases of the module itself.
    fn member_alias_of_own(&mut self, member: &ModuleMember) {
        let mut names = Vec::new();
        match member {
            ModuleMember::Function(f) => names.push(f.name.value.to_string()),
            ModuleMember::Struct(s) => names.push(s.name.value.to_string()),
            ModuleMember::Constant(c) => names.push(c.name.value.to_string()),
            ModuleMember::Spec(s) => {
                for m in &s.value.members {
                    if let SpecBlockMember_::Function { name, .. } = &m.value {
                        names.push(name.value.to_string());
                    }
                }
            }
            ModuleMember::Use(_) | ModuleMember::Friend(_) => {}
        }
        for n in names {
            self.member_aliases[0].insert(n, self.current.clone());
        }
    }

    fn add_use(&mut self, u: &UseDecl) {
        let scope = self.module_aliases.len() - 1;
        match &u.use_ {
            Use::Module(m, alias) => {
                if let Some(key) = self.module_ident(m) {
                    let name = alias.as_ref().unwrap_or(&m.value.module);
                    self.module_aliases[scope].insert(name.value.to_string(), key);
                }
            }
            Use::Members(m, members) => {
                let Some(key) = self.module_ident(m) else {
                    return;
                };
                for (member, alias) in members {
                    if member.value.as_str() == "Self" {
                        let name = alias.as_ref().unwrap_or(&m.value.module);
                        self.module_aliases[scope].insert(name.value.to_string(), key.clone());
                    } else {
                        let name = alias.as_ref().unwrap_or(member);
                        self.member_aliases[scope].insert(name.value.to_string(), key.clone());
                    }
                }
            }
        }
    }

    fn with_uses(&mut self, uses: &[UseDecl], body: impl FnOnce(&mut Self)) {
        self.module_aliases.push(BTreeMap::new());
        self.member_aliases.push(BTreeMap::new());
        for u in uses.iter().filter(|u| !is_filtered(&u.attributes)) {
            self.add_use(u);
        }
        body(self);
        self.module_aliases.pop();
        self.member_aliases.pop();
    }

    fn use_module(&mut self, key: Option<ModuleKey>) {
        if let Some(key) = key {
            self.refs.uses.insert(key);
        }
    }

    /// A name in a type or expression: which module, if any, it reaches into.
    fn access(&mut self, chain: &NameAccessChain) {
        let key = match &chain.value {
            NameAccessChain_::One(n) => self.member_alias(n.value.as_str()),
            NameAccessChain_::Two(lead, _) => match &lead.value {
                LeadingNameAccess_::Name(n) => self.module_alias(n.value.as_str()),
                LeadingNameAccess_::AnonymousAddress(_) => None,
            },
            NameAccessChain_::Three(first, _) => {
                let (addr, module) = &first.value;
                resolve_address(addr, self.addresses).map(|a| (a, module.value.to_string()))
            }
        };
        self.use_module(key);
    }

    /// A name that denotes a module (`friend m;`, `friend a::m;`).
    fn module_name(&self, chain: &NameAccessChain) -> Option<ModuleKey> {
        match &chain.value {
            NameAccessChain_::One(n) => self.module_alias(n.value.as_str()),
            NameAccessChain_::Two(lead, m) => {
                resolve_address(lead, self.addresses).map(|a| (a, m.value.to_string()))
            }
            NameAccessChain_::Three(..) => None,
        }
    }

    fn member(&mut self, member: &ModuleMember) {
        match member {
            ModuleMember::Function(f) => {
                for (_, t) in &f.signature.parameters {
                    self.type_(t);
                }
                self.type_(&f.signature.return_type);
                for a in &f.acquires {
                    self.access(a);
                }
                if let FunctionBody_::Defined(seq) = &f.body.value {
                    self.sequence(seq);
                }
            }
            ModuleMember::Struct(s) => {
                if let move_compiler::parser::ast::StructFields::Defined(fields) = &s.fields {
                    for (_, t) in fields {
                        self.type_(t);
                    }
                }
            }
            ModuleMember::Friend(FriendDecl { friend, .. }) => {
                if let Some(key) = self.module_name(friend) {
                    self.refs.friends.insert(key);
                }
            }
            ModuleMember::Spec(block) => self.spec_block(block),
            // Constants are not visited by the reference's dependency pass; uses are scoping.
            ModuleMember::Constant(_) | ModuleMember::Use(_) => {}
        }
    }

    fn spec_block(&mut self, block: &SpecBlock) {
        self.with_uses(&block.value.uses, |w| {
            for m in &block.value.members {
                match &m.value {
                    SpecBlockMember_::Condition {
                        exp,
                        additional_exps,
                        ..
                    } => {
                        if let Some(e) = exp {
                            w.exp(e);
                        }
                        for e in additional_exps {
                            w.exp(e);
                        }
                    }
                    SpecBlockMember_::Function { body, .. } => {
                        if let FunctionBody_::Defined(seq) = &body.value {
                            w.sequence(seq);
                        }
                    }
                    SpecBlockMember_::Let { def, .. } => w.exp(def),
                    SpecBlockMember_::Include { exp, .. } | SpecBlockMember_::Apply { exp, .. } => {
                        w.exp(exp)
                    }
                    SpecBlockMember_::Update { lhs, rhs } => {
                        w.exp(lhs);
                        w.exp(rhs);
                    }
                    SpecBlockMember_::Pragma { properties } => {
                        for p in properties {
                            if p.value.name.value.as_str() != "friend" {
                                continue;
                            }
                            if let Some(PragmaValue::Ident(chain)) = &p.value.value {
                                let key = match &chain.value {
                                    NameAccessChain_::One(_) => None,
                                    NameAccessChain_::Two(lead, _) => match &lead.value {
                                        LeadingNameAccess_::Name(n) => {
                                            w.module_alias(n.value.as_str())
                                        }
                                        LeadingNameAccess_::AnonymousAddress(_) => None,
                                    },
                                    NameAccessChain_::Three(first, _) => {
                                        let (addr, module) = &first.value;
                                        resolve_address(addr, w.addresses)
                                            .map(|a| (a, module.value.to_string()))
                                    }
                                };
                                if let Some(key) = key {
                                    w.refs.friends.insert(key);
                                }
                            }
                        }
                    }
                    SpecBlockMember_::Variable { .. } => {}
                }
            }
        });
    }

    fn type_(&mut self, t: &Type) {
        match &t.value {
            Type_::Apply(chain, args) => {
                self.access(chain);
                for a in args {
                    self.type_(a);
                }
            }
            Type_::Ref(_, inner) => self.type_(inner),
            Type_::Fun(args, ret) => {
                for a in args {
                    self.type_(a);
                }
                self.type_(ret);
            }
            Type_::Multiple(ts) => {
                for a in ts {
                    self.type_(a);
                }
            }
            Type_::Unit => {}
        }
    }

    fn types(&mut self, ts: &Option<Vec<Type>>) {
        for t in ts.iter().flatten() {
            self.type_(t);
        }
    }

    fn bind(&mut self, b: &Bind) {
        if let Bind_::Unpack(chain, tys, fields) = &b.value {
            self.access(chain);
            self.types(tys);
            for (_, inner) in fields {
                self.bind(inner);
            }
        }
    }

    fn sequence(&mut self, seq: &Sequence) {
        self.with_uses(&seq.uses, |w| {
            for item in &seq.items {
                match &item.value {
                    SequenceItem_::Seq(e) => w.exp(e),
                    SequenceItem_::Declare(binds, ty) => {
                        for b in &binds.value {
                            w.bind(b);
                        }
                        if let Some(t) = ty {
                            w.type_(t);
                        }
                    }
                    SequenceItem_::Bind(binds, ty, e) => {
                        for b in &binds.value {
                            w.bind(b);
                        }
                        if let Some(t) = ty {
                            w.type_(t);
                        }
                        w.exp(e);
                    }
                }
            }
            if let Some(e) = &seq.result {
                w.exp(e);
            }
        });
    }

    fn exp(&mut self, e: &Exp) {
        match &e.value {
            Exp_::Value(_) | Exp_::Move(_) | Exp_::Copy(_) | Exp_::Unit => {}
            Exp_::Break | Exp_::Continue => {}
            Exp_::Name(chain, tys) => {
                self.access(chain);
                self.types(tys);
            }
            Exp_::Call(chain, _, tys, args) => {
                self.access(chain);
                self.types(tys);
                for a in &args.value {
                    self.exp(a);
                }
            }
            Exp_::Pack(chain, tys, fields) => {
                self.access(chain);
                self.types(tys);
                for (_, f) in fields {
                    self.exp(f);
                }
            }
            Exp_::Vector(_, tys, args) => {
                self.types(tys);
                for a in &args.value {
                    self.exp(a);
                }
            }
            Exp_::IfElse(c, t, f) => {
                self.exp(c);
                self.exp(t);
                if let Some(f) = f {
                    self.exp(f);
                }
            }
            Exp_::While(c, body, spec) => {
                self.exp(c);
                self.exp(body);
                if let Some(s) = spec {
                    self.spec_block(s);
                }
            }
            Exp_::Loop(b) => self.exp(b),
            Exp_::Block(seq) => self.sequence(seq),
            Exp_::Lambda(binds, body) => {
                for b in &binds.value {
                    self.bind(b);
                }
                self.exp(body);
            }
            Exp_::Quant(_, binds, triggers, cond, body) => {
                for b in &binds.value {
                    match &b.value.1 {
                        QuantRange::Type(t) => self.type_(t),
                        QuantRange::In(e) => self.exp(e),
                    }
                }
                for t in triggers.iter().flatten() {
                    self.exp(t);
                }
                if let Some(c) = cond {
                    self.exp(c);
                }
                self.exp(body);
            }
            Exp_::ExpList(es) => {
                for x in es {
                    self.exp(x);
                }
            }
            Exp_::Assign(l, r) | Exp_::BinopExp(l, _, r) | Exp_::Index(l, r) => {
                self.exp(l);
                self.exp(r);
            }
            Exp_::Return(x) => {
                if let Some(x) = x {
                    self.exp(x);
                }
            }
            Exp_::Abort(x)
            | Exp_::Dereference(x)
            | Exp_::UnaryExp(_, x)
            | Exp_::Borrow(_, x)
            | Exp_::Dot(x, _) => self.exp(x),
            Exp_::Cast(x, t) | Exp_::Annotate(x, t) => {
                self.exp(x);
                self.type_(t);
            }
            Exp_::Spec(block) => self.spec_block(block),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(files: &[&str]) -> Vec<String> {
        let mut addresses = BTreeMap::new();
        let mut one = [0u8; 32];
        one[31] = 1;
        addresses.insert("std".to_string(), one);
        let sources: Vec<_> = files
            .iter()
            .map(|t| OrderSource {
                name: "f.move",
                text: t,
                addresses: &addresses,
            })
            .collect();
        let refs = module_references(&sources).unwrap();
        dependency_order(&refs)
            .unwrap()
            .into_iter()
            .map(|k| k.1)
            .collect()
    }

    #[test]
    fn users_come_after_what_they_use() {
        let got = order(&[
            "module std::b { use std::a; fun f() { a::g() } }",
            "module std::a { public fun g() {} }",
            "module std::c { }",
        ]);
        // `c` has no edges: rank 0, tied with `a` and before it by name.
        assert_eq!(got, ["a", "c", "b"]);
    }

    #[test]
    fn spec_only_and_member_aliases_count_but_tests_do_not() {
        let got = order(&[
            "module std::z { use std::y::T; struct S { t: T } }",
            "module std::y { struct T has store {} }",
            "module std::x { #[test_only] use std::w; #[test] fun t() { w::f() } }",
            "module std::w { public fun f() {} spec f { aborts_if std::v::g(); } }",
            "module std::v { spec fun g(): bool { true } }",
        ]);
        // v -> w and y -> z are chains; `x` keeps no edge once its test items are gone.
        assert_eq!(got, ["v", "x", "w", "y", "z"]);
    }

    #[test]
    fn friends_point_from_the_friend() {
        let got = order(&[
            "module std::a { friend std::b; }",
            "module std::b { }",
            "module std::c { use std::b; fun f() { b::g() } }",
        ]);
        assert_eq!(got, ["a", "b", "c"]);
    }
}

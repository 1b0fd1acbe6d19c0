//! Inlining: expands calls to `inline fun`s of dependency modules, with their lambda arguments,
//! into the script body before typing. Inline functions exist only in source (bytecode has no
//! inline functions), so their definitions come from the dependency sources given in
//! [`crate::CompileOptions::dependency_sources`], parsed on first need.
//!
//! The expansion follows upstream's rules. A call `m::f(a1, .., an)` becomes the block
//! `{ let (p1, ..) = (a1, ..); body }` where only the value parameters are bound and the lambda
//! arguments are kept aside; a call `p(b1, ..)` of a lambda parameter `p` becomes
//! `{ let (x1, ..) = (b1, ..); lambda_body }`. Before each expansion every variable the copied
//! function (or lambda) declares is renamed to `name#N`, so that nothing the caller's lambdas
//! capture is shadowed. Like upstream, one counter numbers these names across a whole
//! compilation (the package's modules by name, their functions by name, then scripts), and the
//! names sort as text (`i#10` before `i#9`), which is what numbers the locals. Names inside an
//! inline body are resolved in the context of its module (its `use`s and own members) and
//! written fully qualified, so the expanded tree is typed in the script's context.
//!
//! Upstream expands the typed tree after typing; here the parser's tree is expanded before
//! typing, which gives the same typed tree: each argument is typed where its `let` puts it, and
//! a type argument not written at the call becomes a name typing infers.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};

use move_bytecode::AccountAddress;

use crate::driver::CompileDiagnostic;
use crate::expansion::Aliases;
use crate::parser::ast::{
    BindList, Bind_, Definition, Exp, Exp_, FileId, Function, FunctionBody_, LeadingNameAccess,
    LeadingNameAccess_, Loc, ModuleDefinition, ModuleMember, NameAccessChain, NameAccessChain_,
    NumericalAddress, Sequence, SequenceItem_, Spanned, Symbol, Type, Type_, Use,
};
use crate::parser::{self, Severity};

type Diags = Vec<CompileDiagnostic>;

/// Marks the type names that stand for an inferred type argument of an inline call.
pub const INFERRED_TYPE_MARK: char = '#';

/// The inline functions of the dependency sources, by address, module and name.
#[derive(Default)]
pub struct InlineLibrary {
    modules: BTreeMap<(AccountAddress, String), ModuleContext>,
}

struct ModuleContext {
    address: AccountAddress,
    name: String,
    /// `use a::m [as x]` and `Self` imports: alias to module.
    module_aliases: BTreeMap<String, (AccountAddress, String)>,
    /// `use a::m::{x [as y]}`: alias to member.
    member_aliases: BTreeMap<String, (AccountAddress, String, String)>,
    /// Names of the module's own functions and structs.
    members: BTreeSet<String>,
    inline_funs: BTreeMap<String, Function>,
}

impl InlineLibrary {
    /// Parses the sources (file name, text) that define inline functions; files that do not
    /// parse, or whose addresses are unknown, are skipped (they are checked where they are built).
    pub fn new(sources: &[(String, String)], named: &BTreeMap<String, AccountAddress>) -> Self {
        let mut lib = InlineLibrary::default();
        for (i, (_, text)) in sources.iter().enumerate() {
            if !text.contains("inline") {
                continue;
            }
            let file = FileId(LIBRARY_FILES + i as u32);
            let parsed = parser::parse_file(file, text);
            if parsed
                .diagnostics
                .iter()
                .any(|d| d.severity >= Severity::NonBlockingError)
            {
                continue;
            }
            let Some(f) = parsed.file else { continue };
            for def in f.definitions {
                match def {
                    Definition::Module(m) => {
                        let addr = m.address.as_ref().and_then(|a| lead_address(named, a));
                        if let Some(addr) = addr {
                            lib.add_module(addr, m, named);
                        }
                    }
                    Definition::Address(a) => {
                        let Some(addr) = lead_address(named, &a.addr) else {
                            continue;
                        };
                        for m in a.modules {
                            lib.add_module(addr, m, named);
                        }
                    }
                    Definition::Script(_) => {}
                }
            }
        }
        lib
    }

    fn add_module(
        &mut self,
        address: AccountAddress,
        m: ModuleDefinition,
        named: &BTreeMap<String, AccountAddress>,
    ) {
        if m.is_spec_module {
            return;
        }
        let name = m.name.value.to_string();
        let mut ctx = ModuleContext {
            address,
            name: name.clone(),
            module_aliases: BTreeMap::new(),
            member_aliases: BTreeMap::new(),
            members: BTreeSet::new(),
            inline_funs: BTreeMap::new(),
        };
        ctx.module_aliases
            .insert("Self".to_string(), (address, name.clone()));
        for member in m.members {
            match member {
                ModuleMember::Use(u) => {
                    let (mi, members) = match &u.use_ {
                        Use::Module(mi, alias) => (mi, alias.iter().map(|a| (None, a)).collect()),
                        Use::Members(mi, ms) => (
                            mi,
                            ms.iter()
                                .map(|(m, a)| (Some(m), a.as_ref().unwrap_or(m)))
                                .collect::<Vec<_>>(),
                        ),
                    };
                    let Some(a) = lead_address(named, &mi.value.address) else {
                        continue;
                    };
                    let mname = mi.value.module.value.to_string();
                    if let Use::Module(_, None) = &u.use_ {
                        ctx.module_aliases.insert(mname.clone(), (a, mname.clone()));
                    }
                    for (member, alias) in members {
                        match member {
                            None => {
                                ctx.module_aliases
                                    .insert(alias.value.to_string(), (a, mname.clone()));
                            }
                            Some(m) if m.value.as_str() == "Self" => {
                                let alias = if alias.value.as_str() == "Self" {
                                    mname.clone()
                                } else {
                                    alias.value.to_string()
                                };
                                ctx.module_aliases.insert(alias, (a, mname.clone()));
                            }
                            Some(m) => {
                                ctx.member_aliases.insert(
                                    alias.value.to_string(),
                                    (a, mname.clone(), m.value.to_string()),
                                );
                            }
                        }
                    }
                }
                ModuleMember::Function(f) => {
                    ctx.members.insert(f.name.value.to_string());
                    if f.inline && matches!(f.body.value, FunctionBody_::Defined(_)) {
                        ctx.inline_funs.insert(f.name.value.to_string(), f);
                    }
                }
                ModuleMember::Struct(s) => {
                    ctx.members.insert(s.name.value.to_string());
                }
                _ => {}
            }
        }
        self.modules.insert((address, name), ctx);
    }

    fn get(
        &self,
        addr: &AccountAddress,
        module: &str,
        name: &str,
    ) -> Option<(&ModuleContext, &Function)> {
        let m = self.modules.get(&(*addr, module.to_string()))?;
        Some((m, m.inline_funs.get(name)?))
    }

    /// Whether any inline function is known.
    pub fn is_empty(&self) -> bool {
        self.modules.values().all(|m| m.inline_funs.is_empty())
    }
}

fn lead_address(
    named: &BTreeMap<String, AccountAddress>,
    a: &LeadingNameAccess,
) -> Option<AccountAddress> {
    match &a.value {
        LeadingNameAccess_::AnonymousAddress(n) => Some(AccountAddress::new(n.bytes)),
        LeadingNameAccess_::Name(n) => named.get(n.value.as_str()).copied(),
    }
}

fn qualified(loc: Loc, addr: AccountAddress, module: &str, member: &str) -> NameAccessChain {
    let lead = Spanned::new(
        loc,
        LeadingNameAccess_::AnonymousAddress(Box::new(NumericalAddress {
            bytes: addr.0,
            text: Symbol::from(addr.to_hex_literal().as_str()),
        })),
    );
    let m = Spanned::new(loc, Symbol::from(module));
    Spanned::new(
        loc,
        NameAccessChain_::Three(
            Spanned::new(loc, (lead, m)),
            Spanned::new(loc, Symbol::from(member)),
        ),
    )
}

/// Expands every call of an inline function in `f`'s body. `aliases` are the script's.
pub fn inline_function(
    f: &Function,
    aliases: &Aliases,
    named: &BTreeMap<String, AccountAddress>,
    deps: &crate::deps::Dependencies,
    lib: &OnceCell<InlineLibrary>,
    sources: &[(String, String)],
    counter: &mut usize,
) -> Result<(Function, BTreeMap<String, Type>), Diags> {
    let mut out = f.clone();
    let mut inl = Inliner {
        lib,
        sources,
        named,
        deps,
        counter: *counter,
        param_views: BTreeMap::new(),
        type_counter: 0,
        site: Loc::default(),
        stack: vec![],
        diags: vec![],
    };
    if let FunctionBody_::Defined(seq) = &mut out.body.value {
        inl.qualify_seq(seq, aliases);
        seq_children(seq, &mut |e| inl.outer_exp(e));
    }
    *counter = inl.counter;
    if inl.diags.is_empty() {
        Ok((out, inl.param_views))
    } else {
        Err(inl.diags)
    }
}

struct Inliner<'a, 'd> {
    /// Built from `sources` at the first call that may be an inline one.
    lib: &'a OnceCell<InlineLibrary>,
    sources: &'a [(String, String)],
    named: &'a BTreeMap<String, AccountAddress>,
    deps: &'a crate::deps::Dependencies<'d>,
    counter: usize,
    /// Numbers the inferred type arguments (apart from `counter`, which numbers locals).
    type_counter: usize,
    /// The script's call being expanded: where problems inside dependency code are reported.
    site: Loc,
    stack: Vec<(AccountAddress, String, String)>,
    diags: Diags,
    /// The declared type of each inlined parameter that is an immutable reference: upstream
    /// types the inline body before expansion, so uses of such a parameter keep that type even
    /// when the argument is a mutable reference (no freeze is emitted).
    param_views: BTreeMap<String, Type>,
}

/// Calls `f` on every direct subexpression of `e` (sequence items included), in source order.
fn children(e: &mut Exp, f: &mut dyn FnMut(&mut Exp)) {
    match &mut e.value {
        Exp_::Call(_, _, _, args) | Exp_::Vector(_, _, args) => args.value.iter_mut().for_each(f),
        Exp_::Pack(_, _, fields) => fields.iter_mut().for_each(|(_, e)| f(e)),
        Exp_::IfElse(c, t, el) => {
            f(c);
            f(t);
            if let Some(el) = el {
                f(el)
            }
        }
        Exp_::While(c, b, _) => {
            f(c);
            f(b)
        }
        Exp_::Loop(b)
        | Exp_::Lambda(_, b)
        | Exp_::Abort(b)
        | Exp_::Dereference(b)
        | Exp_::UnaryExp(_, b)
        | Exp_::Borrow(_, b)
        | Exp_::Dot(b, _)
        | Exp_::Cast(b, _)
        | Exp_::Annotate(b, _) => f(b),
        Exp_::Return(Some(b)) => f(b),
        Exp_::Block(seq) => seq_children(seq, f),
        Exp_::ExpList(es) => es.iter_mut().for_each(f),
        Exp_::Assign(l, r) | Exp_::BinopExp(l, _, r) | Exp_::Index(l, r) => {
            f(l);
            f(r)
        }
        _ => {}
    }
}

fn seq_children(seq: &mut Sequence, f: &mut dyn FnMut(&mut Exp)) {
    for item in &mut seq.items {
        match &mut item.value {
            SequenceItem_::Seq(e) | SequenceItem_::Bind(_, _, e) => f(e),
            SequenceItem_::Declare(..) => {}
        }
    }
    if let Some(r) = &mut seq.result {
        f(r)
    }
}

impl<'a> Inliner<'a, '_> {
    fn library(&self) -> &'a InlineLibrary {
        let (sources, named) = (self.sources, self.named);
        self.lib.get_or_init(|| InlineLibrary::new(sources, named))
    }

    fn report(&mut self, d: CompileDiagnostic) {
        self.diags.push(relocate(d, self.site));
    }

    fn next_name(&mut self, base: &str) -> String {
        let n = format!("{base}#{}", self.counter);
        self.counter += 1;
        n
    }

    // -----------------------------------------------------------------------------------------
    // The script body.

    /// Writes every call of an inline function in the script (lambdas included) fully
    /// qualified, so that the expansion recognises it wherever it ends up.
    fn qualify_seq(&mut self, seq: &mut Sequence, aliases: &Aliases) {
        let mut scratch = vec![];
        let scope = aliases.with_uses(&seq.uses, self.named, self.deps, &mut scratch);
        seq_children(seq, &mut |e| self.qualify_exp(e, &scope));
    }

    fn qualify_exp(&mut self, e: &mut Exp, aliases: &Aliases) {
        if let Exp_::Call(chain, false, _, _) = &mut e.value {
            if let Ok(Some(m)) = aliases.resolve_member(self.named, chain) {
                let (addr, module, name) = (m.module.address, m.module.name, m.member.value);
                // Inline functions are never in bytecode: a call of a compiled function is
                // not one, and needs no parsing of the dependency sources.
                let compiled = self.deps.function(&addr, &module, &name).is_some();
                if !compiled && self.library().get(&addr, &module, &name).is_some() {
                    **chain = qualified(chain.loc, addr, &module, &name);
                }
            }
        }
        if let Exp_::Block(seq) = &mut e.value {
            self.qualify_seq(seq, aliases);
            return;
        }
        children(e, &mut |c| self.qualify_exp(c, aliases));
    }

    /// The inline function a qualified call names, if any.
    fn inline_key(&self, chain: &NameAccessChain) -> Option<(AccountAddress, String, String)> {
        let NameAccessChain_::Three(am, n) = &chain.value else {
            return None;
        };
        let (lead, m) = &am.value;
        let addr = lead_address(self.named, lead)?;
        self.library().get(&addr, &m.value, &n.value)?;
        Some((addr, m.value.to_string(), n.value.to_string()))
    }

    /// Expands the calls of inline functions outside lambdas; those in lambdas are expanded
    /// where the lambda is. Upstream does not look into the arguments of an expanded call at
    /// this level; here they are expanded too (after the body), as everywhere else.
    fn outer_exp(&mut self, e: &mut Exp) {
        if let Exp_::Call(chain, false, _, _) = &e.value {
            if let Some(key) = self.inline_key(chain) {
                self.site = e.loc;
                self.module_call(e, key);
            }
        }
        if let Exp_::Lambda(..) = &e.value {
            return;
        }
        children(e, &mut |c| self.outer_exp(c));
    }

    // -----------------------------------------------------------------------------------------
    // Inside an expansion: inline calls and lambda calls.

    fn subst_exp(&mut self, e: &mut Exp, bindings: &BTreeMap<String, Exp>) {
        match &e.value {
            Exp_::Call(chain, false, _, _) => match &chain.value {
                NameAccessChain_::One(n) => {
                    if let Some(lambda) = bindings.get(n.value.as_str()).cloned() {
                        self.lambda_call(e, lambda);
                    }
                }
                NameAccessChain_::Three(..) => {
                    if let Some(key) = self.inline_key(chain) {
                        self.module_call(e, key);
                    }
                }
                _ => {}
            },
            Exp_::Lambda(..) => return,
            Exp_::Return(_) => self.report(CompileDiagnostic::error(
                "E14003",
                "feature not supported in inlined functions",
                e.loc,
                "return statements currently not supported",
            )),
            _ => {}
        }
        children(e, &mut |c| self.subst_exp(c, bindings));
    }

    fn lambda_call(&mut self, e: &mut Exp, mut lambda: Exp) {
        let mut scopes = vec![];
        self.rename_exp(&mut lambda, &mut scopes, None);
        let Exp_::Lambda(binds, body) = lambda.value else {
            return;
        };
        let Exp_::Call(_, _, _, args) = &mut e.value else {
            return;
        };
        let args_loc = args.loc;
        let args = std::mem::take(&mut args.value);
        if args.len() != binds.value.len() {
            self.report(CompileDiagnostic::error(
                "E04007",
                "incompatible types",
                lambda.loc,
                format!(
                    "Invalid lambda: it takes {} argument(s) but is called with {}",
                    binds.value.len(),
                    args.len()
                ),
            ));
            e.value = Exp_::Unit;
            return;
        }
        // Upstream declares a lambda parameter at the argument it receives, and locates the
        // stores at the arguments as one expression (the list, when there are several).
        let mut binds = binds;
        let store_loc = match args.as_slice() {
            [one] => one.loc,
            _ => args_loc,
        };
        for (b, a) in binds.value.iter_mut().zip(&args) {
            b.loc = store_loc;
            if let Bind_::Var(name) = &mut b.value {
                name.loc = a.loc;
            }
        }
        let mut body = *body;
        self.subst_exp(&mut body, &BTreeMap::new());
        e.value = Exp_::Block(let_block(e.loc, binds, args, body));
    }

    fn module_call(&mut self, e: &mut Exp, key: (AccountAddress, String, String)) {
        let loc = e.loc;
        let Some((mctx, fdef)) = self.library().get(&key.0, &key.1, &key.2) else {
            return;
        };
        if self.stack.contains(&key) {
            self.report(CompileDiagnostic::error(
                "E14001",
                "recursion during function inlining not allowed",
                loc,
                format!("cyclic inlining: '{}::{}' calls itself", key.1, key.2),
            ));
            e.value = Exp_::Unit;
            return;
        }
        let Exp_::Call(_, _, tys, args) = &mut e.value else {
            return;
        };
        let args = std::mem::take(&mut args.value);
        let params = &fdef.signature.parameters;
        if args.len() != params.len() {
            self.report(CompileDiagnostic::error(
                "E04016",
                "too few arguments",
                loc,
                format!(
                    "Invalid call of '{}::{}'. The call expected {} argument(s) but got {}",
                    key.1,
                    key.2,
                    params.len(),
                    args.len()
                ),
            ));
            e.value = Exp_::Unit;
            return;
        }
        // Type parameters: the written type arguments, or a fresh name typing infers.
        let mut tparams = BTreeMap::new();
        let written = tys.take();
        for (i, (tp, _)) in fdef.signature.type_parameters.iter().enumerate() {
            let t = match written.as_ref().and_then(|ts| ts.get(i)) {
                Some(t) => t.clone(),
                None => {
                    let n = format!("{}{INFERRED_TYPE_MARK}{}", tp.value, self.type_counter);
                    self.type_counter += 1;
                    let chain = Spanned::new(
                        tp.loc,
                        NameAccessChain_::One(Spanned::new(tp.loc, Symbol::from(n.as_str()))),
                    );
                    Spanned::new(tp.loc, Type_::Apply(Box::new(chain), vec![]))
                }
            };
            tparams.insert(tp.value.to_string(), t);
        }
        let mut f = fdef.clone();
        let ctx = Qualify {
            module: mctx,
            tparams,
        };
        // Rename every declaration: parameters first, then the body.
        let mut scopes = vec![BTreeMap::new()];
        let mut new_params = vec![];
        for (p, t) in &f.signature.parameters {
            let n = self.next_name(&p.value);
            if let Some(s) = scopes.last_mut() {
                s.insert(p.value.to_string(), n.clone());
            }
            new_params.push((Spanned::new(p.loc, Symbol::from(n.as_str())), t.clone()));
        }
        let FunctionBody_::Defined(seq) = &mut f.body.value else {
            return;
        };
        let mut seq = std::mem::replace(
            seq,
            Sequence {
                uses: vec![],
                items: vec![],
                last_semicolon: None,
                result: None,
            },
        );
        self.rename_seq(&mut seq, &mut scopes, Some(&ctx));
        seq.uses.clear();
        let mut bindings = BTreeMap::new();
        let mut binds = vec![];
        let mut values = vec![];
        for ((p, t), a) in new_params.into_iter().zip(args) {
            let is_fun = matches!(t.value, Type_::Fun(..));
            let is_lambda = matches!(a.value, Exp_::Lambda(..));
            if is_fun != is_lambda {
                self.report(CompileDiagnostic::error(
                    "E04007",
                    "incompatible types",
                    a.loc,
                    if is_fun {
                        format!("Invalid argument for '{}': expected a lambda", key.2)
                    } else {
                        format!("Invalid argument for '{}': a lambda is not a value", key.2)
                    },
                ));
                continue;
            }
            if is_fun {
                if let (Type_::Fun(pts, _), Exp_::Lambda(lb, _)) = (&t.value, &a.value) {
                    if pts.len() != lb.value.len() {
                        self.report(CompileDiagnostic::error(
                            "E04007",
                            "incompatible types",
                            a.loc,
                            format!(
                                "Invalid lambda for '{}': expected {} parameter(s), found {}",
                                key.2,
                                pts.len(),
                                lb.value.len()
                            ),
                        ));
                        continue;
                    }
                }
                bindings.insert(p.value.to_string(), a);
            } else {
                if let Type_::Ref(false, _) = &t.value {
                    let mut view = t.clone();
                    ctx.ty(&mut view);
                    self.param_views.insert(p.value.to_string(), view);
                }
                // Bound at the call: upstream locates the parameter's store there.
                binds.push(Spanned::new(loc, Bind_::Var(p)));
                values.push(a);
            }
        }
        self.stack.push(key);
        seq_children(&mut seq, &mut |c| self.subst_exp(c, &bindings));
        self.stack.pop();
        let let_item = let_item(loc, Spanned::new(loc, binds), values);
        seq.items.insert(0, let_item);
        e.value = Exp_::Block(seq);
    }

    // -----------------------------------------------------------------------------------------
    // Renaming (and, for an inline body, qualifying names in its module's context).

    fn rename_seq(
        &mut self,
        seq: &mut Sequence,
        scopes: &mut Vec<BTreeMap<String, String>>,
        q: Option<&Qualify>,
    ) {
        scopes.push(BTreeMap::new());
        for item in &mut seq.items {
            match &mut item.value {
                SequenceItem_::Seq(e) => self.rename_exp(e, scopes, q),
                SequenceItem_::Bind(binds, ty, e) => {
                    self.rename_exp(e, scopes, q);
                    if let (Some(t), Some(q)) = (ty.as_mut(), q) {
                        q.ty(t);
                    }
                    self.rename_binds(binds, scopes, q);
                }
                SequenceItem_::Declare(binds, ty) => {
                    if let (Some(t), Some(q)) = (ty.as_mut(), q) {
                        q.ty(t);
                    }
                    self.rename_binds(binds, scopes, q);
                }
            }
        }
        if let Some(r) = &mut seq.result {
            self.rename_exp(r, scopes, q);
        }
        scopes.pop();
    }

    fn rename_binds(
        &mut self,
        binds: &mut BindList,
        scopes: &mut [BTreeMap<String, String>],
        q: Option<&Qualify>,
    ) {
        for b in &mut binds.value {
            self.rename_bind(&mut b.value, scopes, q);
        }
    }

    fn rename_bind(
        &mut self,
        b: &mut Bind_,
        scopes: &mut [BTreeMap<String, String>],
        q: Option<&Qualify>,
    ) {
        match b {
            Bind_::Var(n) => {
                if n.value.as_str() == "_" {
                    return;
                }
                let new = self.next_name(&n.value);
                if let Some(s) = scopes.last_mut() {
                    s.insert(n.value.to_string(), new.clone());
                }
                n.value = Symbol::from(new.as_str());
            }
            Bind_::Unpack(chain, tys, fields) => {
                if let Some(q) = q {
                    q.chain(chain, false);
                    for t in tys.iter_mut().flatten() {
                        q.ty(t);
                    }
                }
                for (_, b) in fields {
                    self.rename_bind(&mut b.value, scopes, q);
                }
            }
        }
    }

    fn rename_exp(
        &mut self,
        e: &mut Exp,
        scopes: &mut Vec<BTreeMap<String, String>>,
        q: Option<&Qualify>,
    ) {
        let lookup = |scopes: &[BTreeMap<String, String>], n: &str| {
            scopes.iter().rev().find_map(|s| s.get(n).cloned())
        };
        match &mut e.value {
            Exp_::Move(n) | Exp_::Copy(n) => {
                if let Some(new) = lookup(scopes, &n.value) {
                    n.value = Symbol::from(new.as_str());
                }
            }
            Exp_::Name(chain, tys) => {
                if let NameAccessChain_::One(n) = &mut chain.value {
                    if let Some(new) = lookup(scopes, &n.value) {
                        n.value = Symbol::from(new.as_str());
                        return;
                    }
                }
                if let Some(q) = q {
                    q.chain(chain, false);
                    for t in tys.iter_mut().flatten() {
                        q.ty(t);
                    }
                }
            }
            Exp_::Call(chain, is_macro, tys, args) => {
                let mut local = false;
                if let NameAccessChain_::One(n) = &mut chain.value {
                    if let Some(new) = lookup(scopes, &n.value) {
                        n.value = Symbol::from(new.as_str());
                        local = true;
                    }
                }
                if let (false, false, Some(q)) = (local, *is_macro, q) {
                    q.chain(chain, true);
                }
                if let Some(q) = q {
                    for t in tys.iter_mut().flatten() {
                        q.ty(t);
                    }
                }
                for a in &mut args.value {
                    self.rename_exp(a, scopes, q);
                }
            }
            Exp_::Pack(chain, tys, fields) => {
                if let Some(q) = q {
                    q.chain(chain, false);
                    for t in tys.iter_mut().flatten() {
                        q.ty(t);
                    }
                }
                for (_, f) in fields {
                    self.rename_exp(f, scopes, q);
                }
            }
            Exp_::Vector(_, tys, args) => {
                if let Some(q) = q {
                    for t in tys.iter_mut().flatten() {
                        q.ty(t);
                    }
                }
                for a in &mut args.value {
                    self.rename_exp(a, scopes, q);
                }
            }
            Exp_::Block(seq) => self.rename_seq(seq, scopes, q),
            Exp_::Lambda(binds, body) => {
                scopes.push(BTreeMap::new());
                self.rename_binds(binds, scopes, q);
                self.rename_exp(body, scopes, q);
                scopes.pop();
            }
            Exp_::Cast(b, t) | Exp_::Annotate(b, t) => {
                self.rename_exp(b, scopes, q);
                if let Some(q) = q {
                    q.ty(t);
                }
            }
            _ => children(e, &mut |c| self.rename_exp(c, scopes, q)),
        }
    }
}

/// Resolves the names of an inline body in its module's context.
struct Qualify<'a> {
    module: &'a ModuleContext,
    tparams: BTreeMap<String, Type>,
}

const BUILTIN_FUNS: &[&str] = &[
    "assert",
    "move_to",
    "move_from",
    "borrow_global",
    "borrow_global_mut",
    "exists",
    "freeze",
];
const BUILTIN_TYPES: &[&str] = &[
    "bool", "u8", "u16", "u32", "u64", "u128", "u256", "address", "signer", "vector",
];

impl Qualify<'_> {
    fn chain(&self, chain: &mut NameAccessChain, is_call: bool) {
        let loc = chain.loc;
        let m = self.module;
        let new = match &chain.value {
            NameAccessChain_::One(n) => {
                let s = n.value.as_str();
                if is_call && BUILTIN_FUNS.contains(&s) {
                    // Builtins (`assert!`, `borrow_global`, ...) need no module.
                    None
                } else if let Some((a, mm, member)) = m.member_aliases.get(s) {
                    Some(qualified(loc, *a, mm, member))
                } else if m.members.contains(s) {
                    Some(qualified(loc, m.address, &m.name, s))
                } else {
                    None
                }
            }
            NameAccessChain_::Two(lead, n) => match &lead.value {
                LeadingNameAccess_::Name(alias) => m
                    .module_aliases
                    .get(alias.value.as_str())
                    .map(|(a, mm)| qualified(loc, *a, mm, &n.value)),
                LeadingNameAccess_::AnonymousAddress(_) => None,
            },
            NameAccessChain_::Three(..) => None,
        };
        if let Some(new) = new {
            *chain = new;
        }
    }

    fn ty(&self, t: &mut Type) {
        match &mut t.value {
            Type_::Apply(chain, args) => {
                for a in args.iter_mut() {
                    self.ty(a);
                }
                if let NameAccessChain_::One(n) = &chain.value {
                    if let Some(sub) = self.tparams.get(n.value.as_str()) {
                        if args.is_empty() {
                            *t = sub.clone();
                        }
                        return;
                    }
                    if BUILTIN_TYPES.contains(&n.value.as_str()) {
                        return;
                    }
                }
                self.chain(chain, false);
            }
            Type_::Ref(_, i) => self.ty(i),
            Type_::Fun(args, r) => {
                for a in args.iter_mut() {
                    self.ty(a);
                }
                self.ty(r);
            }
            Type_::Multiple(ts) => {
                for a in ts.iter_mut() {
                    self.ty(a);
                }
            }
            Type_::Unit => {}
        }
    }
}

/// The first file id of the inline library's sources, far above the files being compiled.
pub const LIBRARY_FILES: u32 = 1 << 24;

/// Moves a diagnostic whose span lies in another file (code inlined from a library source) to
/// `site`, the call's function in the file being compiled (diagnostics are rendered against
/// that file's text), saying where it came from.
pub fn relocate(mut d: CompileDiagnostic, site: Loc) -> CompileDiagnostic {
    if d.primary.0.file != site.file {
        d.primary = (site, format!("In code inlined here: {}", d.primary.1));
    }
    d.secondary.retain(|(l, _)| l.file == site.file);
    d
}

fn tuple_exp(loc: Loc, mut values: Vec<Exp>) -> Exp {
    match values.len() {
        0 => Spanned::new(loc, Exp_::Unit),
        1 => values.remove(0),
        _ => Spanned::new(loc, Exp_::ExpList(values)),
    }
}

fn let_item(loc: Loc, binds: BindList, values: Vec<Exp>) -> crate::parser::ast::SequenceItem {
    Spanned::new(
        loc,
        SequenceItem_::Bind(binds, None, Box::new(tuple_exp(loc, values))),
    )
}

fn let_block(loc: Loc, binds: BindList, args: Vec<Exp>, body: Exp) -> Sequence {
    Sequence {
        uses: vec![],
        items: vec![let_item(loc, binds, args)],
        last_semicolon: None,
        result: Some(Box::new(body)),
    }
}

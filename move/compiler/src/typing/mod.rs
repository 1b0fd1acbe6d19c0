//! Typing: resolves every name of the script body (locals, constants, functions of the
//! dependencies, types), infers types with unification (integer literals default to `u64`, type
//! arguments of generic calls are inferred from the arguments), checks abilities, arity and
//! visibility, and produces the typed tree of [`ast`]. The final step ("expand") substitutes the
//! inferred types everywhere and turns each use of a local into a copy (its type has `copy`) or
//! a move.

pub mod acquires;
pub mod ast;
mod expand;

use std::collections::{BTreeMap, BTreeSet};

use ethnum::U256;
use move_bytecode::{Ability, AbilitySet, AccountAddress, Visibility};

use crate::cfgir::constant_fold;
use crate::deps::Dependencies;
use crate::driver::CompileDiagnostic;
use crate::expansion::literals::{self, IntSuffix};
use crate::expansion::{self, Aliases, ModuleMember};
use crate::parser::ast as P;
use crate::parser::ast::{BinOp_, Loc, NameAccessChain_};
use ast::*;

type Diags = Vec<CompileDiagnostic>;

/// A struct of the module being compiled as a pack or unpack names it: key, type arguments and
/// declared fields.
type OwnStruct = (StructKey, Vec<Type>, Vec<(String, Type)>);

fn new_ctx<'a, 'd>(
    deps: &'a Dependencies<'d>,
    named: &'a BTreeMap<String, AccountAddress>,
    aliases: Aliases,
    current: Option<expansion::ModuleId>,
) -> Ctx<'a, 'd> {
    Ctx {
        deps,
        named,
        aliases: vec![aliases],
        scopes: vec![BTreeMap::new()],
        subst: vec![],
        num_vars: BTreeSet::new(),
        diags: vec![],
        constants: BTreeMap::new(),
        loops: vec![],
        return_type: Type::Unit,
        type_params: vec![],
        pending_abilities: vec![],
        inline_type_vars: BTreeMap::new(),
        current,
        local_views: BTreeMap::new(),
        acquire_uses: vec![],
    }
}

fn ability_set(abilities: &[P::Ability]) -> AbilitySet {
    abilities
        .iter()
        .map(|a| match a.value {
            P::Ability_::Copy => Ability::Copy,
            P::Ability_::Drop => Ability::Drop,
            P::Ability_::Store => Ability::Store,
            P::Ability_::Key => Ability::Key,
        })
        .collect()
}

/// Converts written types (struct fields, function signatures of a module) in the scope of
/// `aliases`, with the named type parameters.
pub fn resolve_types(
    deps: &Dependencies,
    named: &BTreeMap<String, AccountAddress>,
    aliases: &Aliases,
    current: &expansion::ModuleId,
    type_params: &[(String, AbilitySet)],
    tys: &[&P::Type],
) -> Result<Vec<Type>, Diags> {
    let mut ctx = new_ctx(deps, named, aliases.clone(), Some(current.clone()));
    ctx.type_params = type_params.to_vec();
    let out = tys.iter().map(|t| ctx.ty(t)).collect();
    if ctx.diags.is_empty() {
        Ok(out)
    } else {
        Err(ctx.diags)
    }
}

/// The abilities written in a type parameter list.
pub fn type_parameter_abilities(params: &[P::TypeParameter]) -> Vec<(String, AbilitySet)> {
    params
        .iter()
        .map(|(n, a)| (n.value.to_string(), ability_set(a)))
        .collect()
}

/// Types and folds named constants; sorted by name.
pub fn translate_constants(
    deps: &Dependencies,
    named: &BTreeMap<String, AccountAddress>,
    aliases: &Aliases,
    current: &expansion::ModuleId,
    consts: &[P::Constant],
) -> Result<Vec<(String, Type, Value)>, Diags> {
    let mut ctx = new_ctx(deps, named, aliases.clone(), Some(current.clone()));
    let out = ctx.constants(consts);
    ctx.check_pending();
    if ctx.diags.is_empty() {
        Ok(out)
    } else {
        Err(ctx.diags)
    }
}

/// Types the script `s` (or one function of a module).
pub fn translate(s: &expansion::Script, deps: &Dependencies) -> Result<Script, Diags> {
    let mut ctx = new_ctx(
        deps,
        s.named_addresses,
        s.aliases.clone(),
        s.current_module.clone(),
    );
    let f = s.function;
    ctx.type_params = type_parameter_abilities(&f.signature.type_parameters);
    for (v, t) in &s.local_views {
        let t = ctx.ty(t);
        ctx.local_views.insert(v.clone(), t);
    }
    // Constants first: their types are needed by the body.
    let constants = ctx.constants(s.constants);

    let mut parameters = vec![];
    for (name, pty) in &f.signature.parameters {
        let ty = ctx.ty(pty);
        ctx.declare(name.value.as_str(), ty.clone());
        parameters.push((name.value.to_string(), ty, name.loc));
    }
    ctx.return_type = ctx.ty(&f.signature.return_type);
    let is_script = ctx.current.is_none();
    if is_script && ctx.return_type != Type::Unit {
        ctx.diags.push(CompileDiagnostic::error(
            "E02003",
            "invalid script",
            f.signature.return_type.loc,
            "Invalid 'script' function. Script functions must have a unit return type",
        ));
    }
    let (body, body_loc) = match &f.body.value {
        P::FunctionBody_::Defined(seq) => {
            let (seq, ty) = ctx.sequence(seq, f.body.loc);
            let rt = ctx.return_type.clone();
            let loc = match seq.back() {
                Some(SequenceItem::Seq(e)) => e.loc,
                _ => f.body.loc,
            };
            ctx.subtype(&ty, &rt, loc, "Invalid return expression");
            (seq, f.body.loc)
        }
        P::FunctionBody_::Native if !is_script => (Sequence::new(), f.body.loc),
        P::FunctionBody_::Native => {
            ctx.diags.push(CompileDiagnostic::error(
                "E02003",
                "invalid script",
                f.loc,
                "Script functions cannot be native",
            ));
            (Sequence::new(), f.body.loc)
        }
    };
    let body = ctx.finish_seq(body);
    let parameters = parameters
        .into_iter()
        .map(|(v, t, l)| (v, ctx.zonk(&t), l))
        .collect();
    ctx.check_pending();
    if !ctx.diags.is_empty() {
        return Err(ctx.diags);
    }
    let return_type = ctx.zonk(&ctx.return_type);
    Ok(Script {
        function_name: f.name.value.to_string(),
        loc: f.loc,
        type_parameters: ctx.type_params.iter().map(|(_, a)| *a).collect(),
        parameters,
        return_type,
        body,
        body_loc,
        constants,
        acquire_uses: ctx.acquire_uses,
    })
}

/// Evaluates a typed constant expression.
fn const_value(e: &Exp) -> Option<Value> {
    match &e.e {
        Exp_::Value(v) => Some(v.clone()),
        Exp_::Annotate(inner, _) => const_value(inner),
        Exp_::Block(seq) if seq.len() == 1 => match seq.front() {
            Some(SequenceItem::Seq(e)) => const_value(e),
            _ => None,
        },
        Exp_::Not(inner, _) => constant_fold::fold_not(const_value(inner)?),
        Exp_::Binop(l, op, _, r) => {
            constant_fold::fold_binop(op.value, const_value(l)?, const_value(r)?)
        }
        Exp_::Cast(inner, ty) => constant_fold::fold_cast(ty, const_value(inner)?),
        Exp_::Vector(_, ty, args) => {
            let vals = match &args.e {
                Exp_::Unit { .. } => vec![],
                Exp_::ExpList(es) => es.iter().map(const_value).collect::<Option<Vec<_>>>()?,
                _ => vec![const_value(args)?],
            };
            Some(Value::Vector(ty.clone(), vals))
        }
        _ => None,
    }
}

struct Ctx<'a, 'd> {
    deps: &'a Dependencies<'d>,
    named: &'a BTreeMap<String, AccountAddress>,
    aliases: Vec<Aliases>,
    scopes: Vec<BTreeMap<String, Type>>,
    subst: Vec<Option<Type>>,
    num_vars: BTreeSet<u32>,
    diags: Diags,
    constants: BTreeMap<String, (Type, Loc)>,
    /// One entry per enclosing loop: whether it has a `break`.
    loops: Vec<bool>,
    return_type: Type,
    type_params: Vec<(String, AbilitySet)>,
    /// Type arguments to check against constraints once inference is done.
    pending_abilities: Vec<(Type, AbilitySet, Loc, String)>,
    /// The inference variable of each type argument an inline call left to inference.
    inline_type_vars: BTreeMap<String, Type>,
    /// The module whose function this is; `None` for a script.
    current: Option<expansion::ModuleId>,
    /// The type uses of a local have when it differs from the local's (see
    /// [`expansion::Script::local_views`]).
    local_views: BTreeMap<String, Type>,
    /// The operations and same-module calls that may acquire resources, for the module's
    /// `acquires` check.
    acquire_uses: Vec<acquires::AcquireUse>,
}

fn err(code: &'static str, headline: &str, loc: Loc, msg: impl Into<String>) -> CompileDiagnostic {
    CompileDiagnostic::error(code, headline, loc, msg)
}

impl<'a, 'd> Ctx<'a, 'd> {
    /// Declares the named constants and folds their values; sorted by name.
    fn constants(&mut self, consts: &[P::Constant]) -> Vec<(String, Type, Value)> {
        let mut constants = vec![];
        for c in consts {
            let ty = self.ty(&c.signature);
            self.constants
                .insert(c.name.value.to_string(), (ty.clone(), c.name.loc));
        }
        for c in consts {
            let ty = self.constants[c.name.value.as_str()].0.clone();
            let e = self.exp(&c.value);
            self.subtype(&e.ty, &ty, c.value.loc, "Invalid constant value");
            let e = self.finish_exp(e);
            match const_value(&e) {
                Some(v) => constants.push((c.name.value.to_string(), ty, v)),
                None => self.diags.push(CompileDiagnostic::error(
                    "E04013",
                    "invalid statement or expression in constant",
                    c.value.loc,
                    "Not a valid constant expression",
                )),
            }
        }
        constants.sort_by(|a, b| a.0.cmp(&b.0));
        constants
    }

    // -----------------------------------------------------------------------------------------
    // Inference core

    fn fresh(&mut self) -> Type {
        self.subst.push(None);
        Type::Var((self.subst.len() - 1) as u32)
    }

    fn fresh_num(&mut self) -> Type {
        let t = self.fresh();
        if let Type::Var(i) = t {
            self.num_vars.insert(i);
        }
        t
    }

    fn shallow(&self, t: &Type) -> Type {
        let mut t = t.clone();
        while let Type::Var(i) = t {
            match self.subst.get(i as usize).and_then(|s| s.clone()) {
                Some(next) => t = next,
                None => return t,
            }
        }
        t
    }

    fn zonk(&self, t: &Type) -> Type {
        match self.shallow(t) {
            Type::Vector(inner) => Type::Vector(Box::new(self.zonk(&inner))),
            Type::Ref(m, inner) => Type::Ref(m, Box::new(self.zonk(&inner))),
            Type::Struct(k, args) => Type::Struct(k, args.iter().map(|a| self.zonk(a)).collect()),
            Type::Tuple(ts) => Type::Tuple(ts.iter().map(|a| self.zonk(a)).collect()),
            t => t,
        }
    }

    fn occurs(&self, v: u32, t: &Type) -> bool {
        match self.shallow(t) {
            Type::Var(w) => v == w,
            Type::Vector(i) | Type::Ref(_, i) => self.occurs(v, &i),
            Type::Struct(_, args) | Type::Tuple(args) => args.iter().any(|a| self.occurs(v, a)),
            _ => false,
        }
    }

    fn bind(&mut self, v: u32, t: Type) -> bool {
        if self.occurs(v, &t) {
            return false;
        }
        if self.num_vars.contains(&v) {
            match &t {
                Type::Var(w) => {
                    self.num_vars.insert(*w);
                }
                t if t.is_integer() => {}
                Type::Anything => {}
                _ => return false,
            }
        }
        self.subst[v as usize] = Some(t);
        true
    }

    /// Makes `a` and `b` equal; `false` when they cannot be.
    fn unify_(&mut self, a: &Type, b: &Type) -> bool {
        let (a, b) = (self.shallow(a), self.shallow(b));
        match (&a, &b) {
            (Type::Var(x), Type::Var(y)) if x == y => true,
            (Type::Var(x), _) => self.bind(*x, b.clone()),
            (_, Type::Var(y)) => self.bind(*y, a.clone()),
            (Type::Anything, _) | (_, Type::Anything) => true,
            (Type::Vector(x), Type::Vector(y)) => self.unify_(x, y),
            (Type::Ref(m1, x), Type::Ref(m2, y)) => m1 == m2 && self.unify_(x, y),
            (Type::Struct(k1, a1), Type::Struct(k2, a2)) => {
                k1 == k2
                    && a1.len() == a2.len()
                    && a1.iter().zip(a2).all(|(x, y)| self.unify_(x, y))
            }
            (Type::Tuple(x), Type::Tuple(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| self.unify_(p, q))
            }
            _ => a == b,
        }
    }

    /// `sub` may be used where `sup` is expected (`&mut T` where `&T` is).
    fn subtype_(&mut self, sub: &Type, sup: &Type) -> bool {
        let (a, b) = (self.shallow(sub), self.shallow(sup));
        match (&a, &b) {
            (Type::Ref(true, x), Type::Ref(false, y)) => self.unify_(x, y),
            (Type::Tuple(x), Type::Tuple(y)) if x.len() == y.len() => {
                x.iter().zip(y).all(|(p, q)| self.subtype_(p, q))
            }
            _ => self.unify_(&a, &b),
        }
    }

    fn subtype(&mut self, sub: &Type, sup: &Type, loc: Loc, what: &str) {
        if !self.subtype_(sub, sup) {
            let (s, t) = (self.zonk(sub), self.zonk(sup));
            self.diags.push(err(
                "E04007",
                "incompatible types",
                loc,
                format!("{what}. Expected: '{t}'. Given: '{s}'"),
            ));
        }
    }

    fn unify(&mut self, a: &Type, b: &Type, loc: Loc, what: &str) {
        if !self.unify_(a, b) {
            let (s, t) = (self.zonk(a), self.zonk(b));
            self.diags.push(err(
                "E04007",
                "incompatible types",
                loc,
                format!("{what}. Found: '{s}' and '{t}'"),
            ));
        }
    }

    /// The type of `if` branches: references join to the weaker one.
    fn join(&mut self, a: &Type, b: &Type, loc: Loc) -> Type {
        let (x, y) = (self.shallow(a), self.shallow(b));
        match (&x, &y) {
            (Type::Anything, _) => y,
            (_, Type::Anything) => x,
            (Type::Ref(m1, i1), Type::Ref(m2, i2)) => {
                self.unify(i1, i2, loc, "Incompatible branches");
                Type::Ref(*m1 && *m2, i1.clone())
            }
            _ => {
                self.unify(&x, &y, loc, "Incompatible branches");
                x
            }
        }
    }

    pub fn abilities(&self, t: &Type) -> AbilitySet {
        let params: Vec<AbilitySet> = self.type_params.iter().map(|(_, a)| *a).collect();
        type_abilities(self.deps, &params, &self.zonk(t))
    }

    // -----------------------------------------------------------------------------------------
    // Names

    fn declare(&mut self, name: &str, t: Type) {
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name.to_string(), t);
        }
    }

    fn local(&self, name: &str) -> Option<Type> {
        self.scopes.iter().rev().find_map(|s| s.get(name).cloned())
    }

    fn aliases(&self) -> &Aliases {
        // The stack always holds the script's scope.
        self.aliases.last().unwrap_or_else(|| unreachable!())
    }

    fn resolve_member(&mut self, chain: &P::NameAccessChain) -> Option<ModuleMember> {
        match self.aliases().resolve_member(self.named, chain) {
            Ok(m) => m,
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    /// Converts a written type.
    fn ty(&mut self, t: &P::Type) -> Type {
        match &t.value {
            P::Type_::Unit => Type::Unit,
            P::Type_::Ref(m, inner) => Type::Ref(*m, Box::new(self.ty(inner))),
            P::Type_::Multiple(ts) => Type::Tuple(ts.iter().map(|t| self.ty(t)).collect()),
            P::Type_::Fun(..) => {
                self.diags.push(err(
                    "E04025",
                    "invalid type",
                    t.loc,
                    "Function types are only allowed as parameters of inline functions",
                ));
                Type::Anything
            }
            P::Type_::Apply(chain, args) => {
                let args: Vec<Type> = args.iter().map(|a| self.ty(a)).collect();
                if let NameAccessChain_::One(n) = &chain.value {
                    // A type argument of an inline call left to inference.
                    if n.value.contains(crate::inlining::INFERRED_TYPE_MARK) {
                        if let Some(t) = self.inline_type_vars.get(n.value.as_str()) {
                            return t.clone();
                        }
                        let t = self.fresh();
                        self.inline_type_vars.insert(n.value.to_string(), t.clone());
                        return t;
                    }
                    let builtin = match n.value.as_str() {
                        "bool" => Some(Type::Bool),
                        "u8" => Some(Type::U8),
                        "u16" => Some(Type::U16),
                        "u32" => Some(Type::U32),
                        "u64" => Some(Type::U64),
                        "u128" => Some(Type::U128),
                        "u256" => Some(Type::U256),
                        "address" => Some(Type::Address),
                        "signer" => Some(Type::Signer),
                        _ => None,
                    };
                    if let Some(b) = builtin {
                        if !args.is_empty() {
                            self.diags.push(err(
                                "E04017",
                                "too many type arguments",
                                t.loc,
                                format!("Invalid instantiation of '{}'. Expected 0 type argument(s) but got {}", n.value, args.len()),
                            ));
                        }
                        return b;
                    }
                    if n.value.as_str() == "vector" {
                        if args.len() != 1 {
                            self.diags.push(err(
                                "E04017",
                                "wrong number of type arguments",
                                t.loc,
                                format!("Invalid instantiation of 'vector'. Expected 1 type argument(s) but got {}", args.len()),
                            ));
                            return Type::Vector(Box::new(Type::Anything));
                        }
                        return Type::Vector(Box::new(args[0].clone()));
                    }
                    if let Some(i) = self
                        .type_params
                        .iter()
                        .position(|(p, _)| p == n.value.as_str())
                    {
                        return Type::Param(i as u16);
                    }
                }
                let Some(m) = self.resolve_member(chain) else {
                    if let NameAccessChain_::One(n) = &chain.value {
                        self.diags.push(err(
                            "E03004",
                            "unbound type",
                            n.loc,
                            format!("Unbound type '{}' in current scope", n.value),
                        ));
                    }
                    return Type::Anything;
                };
                let sname = m.member.value.as_str();
                match self
                    .deps
                    .struct_info(&m.module.address, &m.module.name, sname)
                {
                    Some(info) => {
                        if info.type_parameters.len() != args.len() {
                            self.diags.push(err(
                                "E04017",
                                "wrong number of type arguments",
                                t.loc,
                                format!(
                                    "Invalid instantiation of '{}::{}'. Expected {} type argument(s) but got {}",
                                    m.module.display(),
                                    sname,
                                    info.type_parameters.len(),
                                    args.len()
                                ),
                            ));
                            return Type::Anything;
                        }
                        Type::Struct(
                            StructKey::new(m.module.address, &m.module.name, sname),
                            args,
                        )
                    }
                    None => {
                        self.diags.push(err(
                            "E03003",
                            "unbound module member",
                            chain.loc,
                            format!(
                                "Invalid module access. Unbound struct '{}' in module '{}'",
                                sname,
                                m.module.display()
                            ),
                        ));
                        Type::Anything
                    }
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Sequences

    fn sequence(&mut self, seq: &P::Sequence, loc: Loc) -> (Sequence, Type) {
        let mut local_diags = vec![];
        let scope = self
            .aliases()
            .with_uses(&seq.uses, self.named, self.deps, &mut local_diags);
        self.diags.extend(local_diags);
        self.aliases.push(scope);
        self.scopes.push(BTreeMap::new());
        let mut out = Sequence::new();
        for item in &seq.items {
            match &item.value {
                P::SequenceItem_::Seq(e) => {
                    let te = self.exp(e);
                    out.push_back(SequenceItem::Seq(te));
                }
                P::SequenceItem_::Declare(binds, ty) => {
                    let expected = ty.as_ref().map(|t| self.ty(t));
                    let lvs = self.binds(binds, expected.as_ref(), None);
                    out.push_back(SequenceItem::Declare(lvs));
                }
                P::SequenceItem_::Bind(binds, ty, e) => {
                    let te = self.exp(e);
                    let expected = ty.as_ref().map(|t| self.ty(t));
                    if let Some(t) = &expected {
                        self.subtype(&te.ty, t, e.loc, "Invalid let binding");
                    }
                    let rhs_ty = expected.clone().unwrap_or_else(|| te.ty.clone());
                    let decl_tys: Vec<Option<Type>> = match &expected {
                        None => vec![None; binds.value.len()],
                        Some(t) => {
                            let items = t.items();
                            if items.len() == binds.value.len() {
                                items.into_iter().map(Some).collect()
                            } else {
                                vec![None; binds.value.len()]
                            }
                        }
                    };
                    let lvs = self.binds(binds, None, Some((&rhs_ty, e.loc)));
                    out.push_back(SequenceItem::Bind(lvs, decl_tys, te, item.loc));
                }
            }
        }
        let last = match &seq.result {
            Some(e) => self.exp(e),
            None => Exp {
                ty: Type::Unit,
                loc: seq.last_semicolon.unwrap_or(loc),
                e: Exp_::Unit { trailing: true },
            },
        };
        let ty = last.ty.clone();
        out.push_back(SequenceItem::Seq(last));
        self.scopes.pop();
        self.aliases.pop();
        (out, ty)
    }

    /// Declares the binders of a `let`; `rhs` is the bound value's type when there is one.
    fn binds(
        &mut self,
        binds: &P::BindList,
        declared: Option<&Type>,
        rhs: Option<(&Type, Loc)>,
    ) -> Vec<LValue> {
        let n = binds.value.len();
        let rhs_items: Option<Vec<Type>> = rhs.map(|(t, loc)| {
            let t = self.shallow(t);
            match (&t, n) {
                (Type::Anything, _) => vec![Type::Anything; n],
                (_, 1) => vec![t.clone()],
                (Type::Tuple(ts), _) if ts.len() == n => ts.clone(),
                (Type::Unit, 0) => vec![],
                _ => {
                    self.diags.push(err(
                        "E04007",
                        "incompatible types",
                        loc,
                        format!(
                            "Invalid value for binding. Expected {} value(s), found '{}'",
                            n,
                            self.zonk(&t)
                        ),
                    ));
                    vec![Type::Anything; n]
                }
            }
        });
        let declared_items: Option<Vec<Type>> = declared.map(|t| {
            let items = t.items();
            if items.len() == n {
                items
            } else {
                vec![t.clone(); n]
            }
        });
        let mut out = vec![];
        for (i, b) in binds.value.iter().enumerate() {
            let t = match (&declared_items, &rhs_items) {
                (Some(d), _) => d[i].clone(),
                (None, Some(r)) => r[i].clone(),
                (None, None) => self.fresh(),
            };
            out.push(self.bind_one(b, t));
        }
        out
    }

    /// Declares one binder of type `t`: a name, `_`, or a struct pattern.
    fn bind_one(&mut self, b: &P::Bind, t: Type) -> LValue {
        match &b.value {
            P::Bind_::Var(name) => {
                if name.value.as_str() == "_" {
                    return LValue::Ignore(name.loc);
                }
                self.declare(name.value.as_str(), t.clone());
                LValue::Var(name.value.to_string(), t, b.loc, name.loc)
            }
            P::Bind_::Unpack(chain, tys, fields) => {
                let Some((key, targs, decl)) = self.own_struct(chain, tys, b.loc, "unpacked")
                else {
                    return LValue::Ignore(b.loc);
                };
                let st = Type::Struct(key.clone(), targs.clone());
                let by_ref = match self.shallow(&t) {
                    Type::Ref(m, inner) => {
                        self.unify(&inner, &st, b.loc, "Invalid deconstruction binding");
                        Some(m)
                    }
                    _ => {
                        self.unify(&t, &st, b.loc, "Invalid deconstruction binding");
                        None
                    }
                };
                let mut items = vec![];
                for (index, (fname, fty)) in decl.iter().enumerate() {
                    let fty = subst_params(fty, &targs);
                    let Some((_, fb)) = fields.iter().find(|(n, _)| n.value.as_str() == fname)
                    else {
                        self.diags.push(err(
                            "E04016",
                            "too few arguments",
                            b.loc,
                            format!("Missing binding for field '{fname}' in '{}'", key.name()),
                        ));
                        continue;
                    };
                    let bound = match by_ref {
                        Some(m) => Type::Ref(m, Box::new(fty.clone())),
                        None => fty.clone(),
                    };
                    let item = self.bind_one(fb, bound);
                    items.push(FieldItem {
                        index,
                        name: fname.clone(),
                        ty: fty,
                        item,
                    });
                }
                for (n, _) in fields {
                    if !decl.iter().any(|(f, _)| f == n.value.as_str()) {
                        self.diags.push(err(
                            "E03010",
                            "unbound field",
                            n.loc,
                            format!("Unbound field '{}' in '{}'", n.value, key.name()),
                        ));
                    }
                }
                match by_ref {
                    Some(m) => LValue::BorrowUnpack(m, key, targs, items, b.loc),
                    None => LValue::Unpack(key, targs, items, b.loc),
                }
            }
        }
    }

    /// Resolves a struct name that must belong to the module being compiled, with its type
    /// arguments (written, or fresh for inference) and its declared fields.
    fn own_struct(
        &mut self,
        chain: &P::NameAccessChain,
        tys: &Option<Vec<P::Type>>,
        loc: Loc,
        verb: &str,
    ) -> Option<OwnStruct> {
        let m = self.resolve_member(chain)?;
        let name = m.member.value.to_string();
        let own = self
            .current
            .as_ref()
            .is_some_and(|c| c.address == m.module.address && c.name == m.module.name);
        if !own {
            self.diags.push(err(
                "E04001",
                "restricted visibility",
                loc,
                format!("Invalid operation. Structs can only be {verb} in the module that declares them"),
            ));
            return None;
        }
        let Some(info) = self
            .deps
            .struct_info(&m.module.address, &m.module.name, &name)
        else {
            self.diags.push(err(
                "E03003",
                "unbound module member",
                chain.loc,
                format!(
                    "Invalid module access. Unbound struct '{name}' in module '{}'",
                    m.module.display()
                ),
            ));
            return None;
        };
        let Some(fields) = self.deps.local_fields(&name).map(|f| f.to_vec()) else {
            self.diags.push(err(
                "E04015",
                "invalid use of native struct",
                loc,
                format!("Invalid operation on native struct '{name}'"),
            ));
            return None;
        };
        let targs: Vec<Type> = match tys {
            Some(ts) => {
                let ts: Vec<Type> = ts.iter().map(|t| self.ty(t)).collect();
                if ts.len() != info.type_parameters.len() {
                    self.diags.push(err(
                        "E04017",
                        "wrong number of type arguments",
                        loc,
                        format!(
                            "Invalid instantiation of '{name}'. Expected {} type argument(s) but got {}",
                            info.type_parameters.len(),
                            ts.len()
                        ),
                    ));
                    return None;
                }
                ts
            }
            None => info.type_parameters.iter().map(|_| self.fresh()).collect(),
        };
        for (t, p) in targs.iter().zip(&info.type_parameters) {
            self.pending_abilities.push((
                t.clone(),
                p.constraints,
                loc,
                format!("Invalid instantiation of '{name}'"),
            ));
        }
        let key = StructKey::new(m.module.address, &m.module.name, &name);
        Some((key, targs, fields))
    }

    /// `S { f: e, ... }`.
    fn pack(
        &mut self,
        loc: Loc,
        chain: &P::NameAccessChain,
        tys: &Option<Vec<P::Type>>,
        fields: &[(P::Name, P::Exp)],
    ) -> Exp {
        let Some((key, targs, decl)) = self.own_struct(chain, tys, loc, "packed") else {
            return self.error_exp(loc);
        };
        let mut items = vec![];
        for (n, e) in fields {
            let Some(index) = decl.iter().position(|(f, _)| f == n.value.as_str()) else {
                self.diags.push(err(
                    "E03010",
                    "unbound field",
                    n.loc,
                    format!("Unbound field '{}' in '{}'", n.value, key.name()),
                ));
                continue;
            };
            let fty = subst_params(&decl[index].1, &targs);
            let te = self.exp(e);
            self.subtype(&te.ty, &fty, te.loc, "Invalid argument for field");
            items.push(FieldItem {
                index,
                name: n.value.to_string(),
                ty: fty,
                item: te,
            });
        }
        for (f, _) in &decl {
            if !fields.iter().any(|(n, _)| n.value.as_str() == f) {
                self.diags.push(err(
                    "E04016",
                    "too few arguments",
                    loc,
                    format!("Missing argument for field '{f}' in '{}'", key.name()),
                ));
            }
        }
        let ty = Type::Struct(key.clone(), targs.clone());
        self.mk(ty, loc, Exp_::Pack(key, targs, items))
    }

    /// A borrow of `e` for a field access: a reference as is, a local by `&x`/`&mut x`, any
    /// other value through a temporary.
    fn dotted_base(&mut self, e: &P::Exp, mutable: bool) -> Exp {
        if let P::Exp_::Dot(inner, f) = &e.value {
            return self.dotted_borrow(e.loc, inner, f, mutable);
        }
        let te = self.exp(e);
        match self.shallow(&te.ty) {
            Type::Ref(..) => te,
            inner => {
                let loc = te.loc;
                let ty = Type::Ref(mutable, Box::new(inner));
                match te.e {
                    Exp_::Use(v) => self.mk(ty, loc, Exp_::BorrowLocal(mutable, v)),
                    _ => self.mk(ty, loc, Exp_::TempBorrow(mutable, Box::new(te))),
                }
            }
        }
    }

    /// `&base.f` or `&mut base.f`.
    fn dotted_borrow(&mut self, loc: Loc, base: &P::Exp, f: &P::Name, mutable: bool) -> Exp {
        let b = self.dotted_base(base, mutable);
        let (base_mut, inner) = match self.shallow(&b.ty) {
            Type::Ref(m, i) => (m, self.shallow(&i)),
            _ => return self.error_exp(loc),
        };
        if mutable && !base_mut {
            self.diags.push(err(
                "E07001",
                "referential transparency violated",
                loc,
                "Invalid mutable borrow from an immutable reference",
            ));
        }
        let Type::Struct(key, targs) = inner else {
            if !matches!(inner, Type::Anything) {
                self.diags.push(err(
                    "E04009",
                    "expected specific type",
                    loc,
                    format!(
                        "Unbound field '{}'. Expected a struct type in the current module but got '{}'",
                        f.value,
                        self.zonk(&inner)
                    ),
                ));
            }
            return self.error_exp(loc);
        };
        let own = self
            .current
            .as_ref()
            .is_some_and(|c| c.address == key.address() && c.name == key.module());
        let decl = if own {
            self.deps.local_fields(key.name()).map(|x| x.to_vec())
        } else {
            None
        };
        let Some(decl) = decl else {
            self.diags.push(err(
                "E04001",
                "restricted visibility",
                loc,
                format!("Invalid access of field '{}' on the struct '{}::{}'. The field '{}' can only be accessed within the module '{}' since it defines '{}'", f.value, key.module(), key.name(), f.value, key.module(), key.name()),
            ));
            return self.error_exp(loc);
        };
        let Some(index) = decl.iter().position(|(n, _)| n == f.value.as_str()) else {
            self.diags.push(err(
                "E03010",
                "unbound field",
                f.loc,
                format!("Unbound field '{}' in '{}'", f.value, key.name()),
            ));
            return self.error_exp(loc);
        };
        let fty = subst_params(&decl[index].1, &targs);
        self.mk(
            Type::Ref(mutable, Box::new(fty)),
            loc,
            Exp_::Borrow {
                mutable,
                base: Box::new(b),
                field: f.value.to_string(),
                index,
            },
        )
    }

    /// `move_to`, `move_from`, `borrow_global(_mut)` and `exists`.
    fn global_op(
        &mut self,
        loc: Loc,
        name_loc: Loc,
        name: &str,
        tys: &Option<Vec<P::Type>>,
        args: &P::Spanned<Vec<P::Exp>>,
    ) -> Exp {
        let t = match tys.as_deref() {
            Some([t]) => self.ty(t),
            None => self.fresh(),
            Some(_) => {
                self.diags.push(err(
                    "E04017",
                    "wrong number of type arguments",
                    loc,
                    format!("Invalid call of '{name}'. Expected 1 type argument"),
                ));
                return self.error_exp(loc);
            }
        };
        let items: Vec<Exp> = args.value.iter().map(|a| self.exp(a)).collect();
        let expected: Vec<Type> = match name {
            "move_to" => vec![Type::Ref(false, Box::new(Type::Signer)), t.clone()],
            _ => vec![Type::Address],
        };
        if items.len() != expected.len() {
            self.diags.push(err(
                "E04016",
                "wrong number of arguments",
                args.loc,
                format!(
                    "Invalid call of '{name}'. The call expected {} argument(s) but got {}",
                    expected.len(),
                    items.len()
                ),
            ));
            return self.error_exp(loc);
        }
        for (a, p) in items.iter().zip(&expected) {
            self.subtype(
                &a.ty.clone(),
                p,
                a.loc,
                &format!("Invalid argument to '{name}'"),
            );
        }
        let op = match name {
            "move_to" => GlobalOp::MoveTo,
            "move_from" => GlobalOp::MoveFrom,
            "borrow_global" => GlobalOp::BorrowGlobal(false),
            "borrow_global_mut" => GlobalOp::BorrowGlobal(true),
            _ => GlobalOp::Exists,
        };
        let ty = match op {
            GlobalOp::MoveTo => Type::Unit,
            GlobalOp::MoveFrom => t.clone(),
            GlobalOp::BorrowGlobal(m) => Type::Ref(m, Box::new(t.clone())),
            GlobalOp::Exists => Type::Bool,
        };
        let arg = Box::new(self.arg_exp(items, args.loc));
        let type_loc = tys
            .as_ref()
            .and_then(|ts| ts.first())
            .map_or(name_loc, |t| t.loc);
        let resource = self.zonk(&t);
        if let Type::Var(_) = resource {
            // As upstream, the resource may be inferred from the context (`let R { f } =
            // move_from(a)`); it is checked once the function is typed.
            self.pending_abilities.push((
                t.clone(),
                AbilitySet::EMPTY | Ability::Key,
                loc,
                format!("Invalid call to '{name}'"),
            ));
            return self.mk(ty, loc, Exp_::GlobalOp(op, t, name_loc, arg));
        }
        match self.resolve_global_op(op, &resource, loc, type_loc) {
            Some(b) => {
                self.pending_abilities.push((
                    t.clone(),
                    AbilitySet::EMPTY | Ability::Key,
                    loc,
                    format!("Invalid call to '{name}'"),
                ));
                self.mk(ty, loc, Exp_::Builtin(b, name_loc, arg))
            }
            None => self.error_exp(loc),
        }
    }

    /// The builtin for a global storage operation on `resource`, which must be a struct of the
    /// module being compiled; `None` (with the error reported) otherwise. Operations that
    /// acquire the resource are recorded for the `acquires` check.
    pub(super) fn resolve_global_op(
        &mut self,
        op: GlobalOp,
        resource: &Type,
        loc: Loc,
        type_loc: Loc,
    ) -> Option<Builtin> {
        let (key, targs) = match resource {
            Type::Struct(k, a)
                if self
                    .current
                    .as_ref()
                    .is_some_and(|c| c.address == k.address() && c.name == k.module()) =>
            {
                (k.clone(), a.clone())
            }
            Type::Anything => return None,
            other => {
                self.diags.push(err(
                    "E04001",
                    "restricted visibility",
                    loc,
                    format!(
                        "Invalid call to '{}'. The type '{other}' must be a struct declared in the current module",
                        op.name()
                    ),
                ));
                return None;
            }
        };
        if matches!(op, GlobalOp::MoveFrom | GlobalOp::BorrowGlobal(_)) {
            self.acquire_uses.push(acquires::AcquireUse {
                loc,
                what: acquires::Acquirer::Op {
                    op: op.name(),
                    resource: key.name().to_string(),
                    type_loc,
                },
            });
        }
        Some(match op {
            GlobalOp::MoveTo => Builtin::MoveTo(key, targs),
            GlobalOp::MoveFrom => Builtin::MoveFrom(key, targs),
            GlobalOp::BorrowGlobal(m) => Builtin::BorrowGlobal(m, key, targs),
            GlobalOp::Exists => Builtin::Exists(key, targs),
        })
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    fn mk(&self, ty: Type, loc: Loc, e: Exp_) -> Exp {
        Exp { ty, loc, e }
    }

    fn error_exp(&self, loc: Loc) -> Exp {
        self.mk(Type::Anything, loc, Exp_::Unit { trailing: false })
    }

    fn exp(&mut self, e: &P::Exp) -> Exp {
        let loc = e.loc;
        match &e.value {
            P::Exp_::Value(v) => self.value(v),
            P::Exp_::Unit => self.mk(Type::Unit, loc, Exp_::Unit { trailing: false }),
            P::Exp_::Move(n) | P::Exp_::Copy(n) => {
                let is_move = matches!(&e.value, P::Exp_::Move(_));
                let Some(t) = self.local(n.value.as_str()) else {
                    self.diags.push(err(
                        "E03009",
                        "unbound variable",
                        n.loc,
                        format!("Unbound variable '{}'", n.value),
                    ));
                    return self.error_exp(loc);
                };
                let var = n.value.to_string();
                if is_move {
                    self.mk(
                        t,
                        loc,
                        Exp_::Move {
                            from_user: true,
                            var,
                        },
                    )
                } else {
                    self.pending_abilities.push((
                        t.clone(),
                        AbilitySet::EMPTY | Ability::Copy,
                        loc,
                        format!("Invalid 'copy' of local '{}'", n.value),
                    ));
                    self.mk(
                        t,
                        loc,
                        Exp_::Copy {
                            from_user: true,
                            var,
                        },
                    )
                }
            }
            P::Exp_::Name(chain, tys) => {
                if let (NameAccessChain_::One(n), None) = (&chain.value, tys) {
                    if let Some(t) = self.local(n.value.as_str()) {
                        let t = match self.local_views.get(n.value.as_str()).cloned() {
                            Some(view) => {
                                self.subtype(&t, &view, loc, "Invalid argument");
                                view
                            }
                            None => t,
                        };
                        return self.mk(t, loc, Exp_::Use(n.value.to_string()));
                    }
                    if let Some((t, _)) = self.constants.get(n.value.as_str()).cloned() {
                        return self.mk(t, loc, Exp_::Constant(n.value.to_string()));
                    }
                    self.diags.push(err(
                        "E03009",
                        "unbound variable",
                        n.loc,
                        format!("Unbound variable '{}'", n.value),
                    ));
                    return self.error_exp(loc);
                }
                self.diags.push(err(
                    "E03005",
                    "unbound unscoped name",
                    chain.loc,
                    "Invalid name: only locals and constants of the script can be named here",
                ));
                self.error_exp(loc)
            }
            P::Exp_::Call(chain, is_macro, tys, args) => {
                self.call(loc, chain, *is_macro, tys, args)
            }
            P::Exp_::Vector(_, tys, args) => {
                if tys.is_none() {
                    if let Some(e) = self.literal_vector(loc, &args.value) {
                        return e;
                    }
                }
                let elem = match tys.as_deref() {
                    None => self.fresh(),
                    Some([t]) => self.ty(t),
                    Some(_) => {
                        self.diags.push(err(
                            "E04017",
                            "wrong number of type arguments",
                            loc,
                            "Invalid 'vector' instantiation. Expected 1 type argument",
                        ));
                        Type::Anything
                    }
                };
                let items: Vec<Exp> = args.value.iter().map(|a| self.exp(a)).collect();
                let mut resolved = self.shallow(&elem);
                for a in &items {
                    if a.ty != resolved {
                        self.subtype(&a.ty, &elem, a.loc, "Invalid 'vector' element");
                        resolved = self.shallow(&elem);
                    }
                }
                let n = items.len();
                let arg = self.arg_exp(items, args.loc);
                self.mk(
                    Type::Vector(Box::new(elem.clone())),
                    loc,
                    Exp_::Vector(n, elem, Box::new(arg)),
                )
            }
            P::Exp_::IfElse(c, t, f) => {
                let c = self.exp(c);
                self.unify(&c.ty, &Type::Bool, c.loc, "Invalid 'if' condition");
                let t = self.exp(t);
                let f = match f {
                    Some(f) => self.exp(f),
                    None => self.mk(Type::Unit, loc, Exp_::Unit { trailing: false }),
                };
                let ty = self.join(&t.ty, &f.ty, loc);
                self.mk(ty, loc, Exp_::IfElse(Box::new(c), Box::new(t), Box::new(f)))
            }
            P::Exp_::While(c, body, _spec) => {
                let c = self.exp(c);
                self.unify(&c.ty, &Type::Bool, c.loc, "Invalid 'while' condition");
                self.loops.push(false);
                let b = self.exp(body);
                self.loops.pop();
                self.unify(&b.ty, &Type::Unit, b.loc, "Invalid 'while' body");
                self.mk(Type::Unit, loc, Exp_::While(Box::new(c), Box::new(b)))
            }
            P::Exp_::Loop(body) => {
                self.loops.push(false);
                let b = self.exp(body);
                let has_break = self.loops.pop().unwrap_or(false);
                self.unify(&b.ty, &Type::Unit, b.loc, "Invalid 'loop' body");
                let ty = if has_break {
                    Type::Unit
                } else {
                    Type::Anything
                };
                self.mk(
                    ty,
                    loc,
                    Exp_::Loop {
                        has_break,
                        body: Box::new(b),
                    },
                )
            }
            P::Exp_::Block(seq) => {
                let (s, ty) = self.sequence(seq, loc);
                self.mk(ty, loc, Exp_::Block(s))
            }
            P::Exp_::ExpList(es) => {
                let items: Vec<Exp> = es.iter().map(|a| self.exp(a)).collect();
                let ty = Type::Tuple(items.iter().map(|i| i.ty.clone()).collect());
                self.mk(ty, loc, Exp_::ExpList(items))
            }
            P::Exp_::Assign(lhs, rhs) => self.assign(loc, lhs, rhs),
            P::Exp_::Return(v) => {
                let v = match v {
                    Some(v) => self.exp(v),
                    None => self.mk(Type::Unit, loc, Exp_::Unit { trailing: false }),
                };
                let rt = self.return_type.clone();
                self.subtype(&v.ty, &rt, v.loc, "Invalid return");
                self.mk(Type::Anything, loc, Exp_::Return(Box::new(v)))
            }
            P::Exp_::Abort(c) => {
                let c = self.exp(c);
                self.unify(&c.ty, &Type::U64, c.loc, "Invalid abort code");
                self.mk(Type::Anything, loc, Exp_::Abort(Box::new(c)))
            }
            P::Exp_::Break | P::Exp_::Continue => {
                let is_break = matches!(&e.value, P::Exp_::Break);
                match self.loops.last_mut() {
                    Some(has_break) => {
                        if is_break {
                            *has_break = true;
                        }
                    }
                    None => {
                        self.diags.push(err(
                            "E04014",
                            "invalid use of 'break' or 'continue'",
                            loc,
                            "Invalid usage outside of a loop",
                        ));
                    }
                }
                let e_ = if is_break {
                    Exp_::Break
                } else {
                    Exp_::Continue
                };
                self.mk(Type::Anything, loc, e_)
            }
            P::Exp_::Dereference(inner) => {
                let inner = self.exp(inner);
                let t = self.shallow(&inner.ty);
                let ty = match t {
                    Type::Ref(_, i) => *i,
                    Type::Anything => Type::Anything,
                    Type::Var(_) => {
                        let i = self.fresh();
                        self.unify(
                            &t,
                            &Type::Ref(false, Box::new(i.clone())),
                            loc,
                            "Invalid dereference",
                        );
                        i
                    }
                    other => {
                        self.diags.push(err(
                            "E04007",
                            "incompatible types",
                            loc,
                            format!(
                                "Invalid dereference. Expected a reference, found '{}'",
                                self.zonk(&other)
                            ),
                        ));
                        Type::Anything
                    }
                };
                self.pending_abilities.push((
                    ty.clone(),
                    AbilitySet::EMPTY | Ability::Copy,
                    loc,
                    "Invalid dereference".to_string(),
                ));
                self.mk(ty, loc, Exp_::Dereference(Box::new(inner)))
            }
            P::Exp_::UnaryExp(op, inner) => {
                let inner = self.exp(inner);
                self.unify(&inner.ty, &Type::Bool, inner.loc, "Invalid argument to '!'");
                self.mk(Type::Bool, loc, Exp_::Not(Box::new(inner), op.loc))
            }
            P::Exp_::BinopExp(l, op, r) => self.binop(loc, l, op, r),
            P::Exp_::Borrow(m, inner) => {
                if let P::Exp_::Name(chain, None) = &inner.value {
                    if let NameAccessChain_::One(n) = &chain.value {
                        if let Some(t) = self.local(n.value.as_str()) {
                            if matches!(self.shallow(&t), Type::Ref(..)) {
                                self.diags.push(err(
                                    "E04006",
                                    "invalid subtype",
                                    loc,
                                    "Invalid borrow of a reference: references cannot be borrowed",
                                ));
                            }
                            let ty = Type::Ref(*m, Box::new(t));
                            return self.mk(ty, loc, Exp_::BorrowLocal(*m, n.value.to_string()));
                        }
                    }
                }
                if let P::Exp_::Dot(base, f) = &inner.value {
                    return self.dotted_borrow(loc, base, f, *m);
                }
                let i = self.exp(inner);
                if matches!(self.shallow(&i.ty), Type::Ref(..)) {
                    self.diags.push(err(
                        "E04006",
                        "invalid subtype",
                        loc,
                        "Invalid borrow of a reference: references cannot be borrowed",
                    ));
                }
                let ty = Type::Ref(*m, Box::new(i.ty.clone()));
                self.mk(ty, loc, Exp_::TempBorrow(*m, Box::new(i)))
            }
            P::Exp_::Cast(inner, t) => {
                let i = self.exp(inner);
                let target = self.ty(t);
                if !target.is_integer() {
                    self.diags.push(err(
                        "E04007",
                        "incompatible types",
                        t.loc,
                        "Invalid cast: the target type must be an integer type",
                    ));
                }
                self.pending_abilities.push((
                    i.ty.clone(),
                    AbilitySet::EMPTY,
                    i.loc,
                    "integer".to_string(),
                ));
                self.mk(target.clone(), loc, Exp_::Cast(Box::new(i), target))
            }
            P::Exp_::Annotate(inner, t) => {
                let i = self.exp(inner);
                let target = self.ty(t);
                self.subtype(&i.ty, &target, i.loc, "Invalid type annotation");
                self.mk(target.clone(), loc, Exp_::Annotate(Box::new(i), target))
            }
            P::Exp_::Spec(block) => {
                let mut names = BTreeSet::new();
                spec_block_names(block, &mut names);
                let used = names
                    .into_iter()
                    .filter(|n| self.local(n).is_some())
                    .collect();
                self.mk(Type::Unit, loc, Exp_::Spec(used))
            }
            P::Exp_::Pack(chain, tys, fields) => self.pack(loc, chain, tys, fields),
            P::Exp_::Dot(base, f) => {
                let b = self.dotted_borrow(loc, base, f, false);
                let Type::Ref(_, inner) = b.ty.clone() else {
                    return b;
                };
                self.pending_abilities.push((
                    (*inner).clone(),
                    AbilitySet::EMPTY | Ability::Copy,
                    loc,
                    format!(
                        "Invalid implicit copy of field '{}' without the 'copy' ability",
                        f.value
                    ),
                ));
                self.mk(*inner, loc, Exp_::Dereference(Box::new(b)))
            }
            P::Exp_::Index(..) => {
                self.diags.push(err(
                    "E04001",
                    "restricted visibility",
                    loc,
                    "Invalid access of field: fields can only be accessed in the module that declares the struct",
                ));
                self.error_exp(loc)
            }
            P::Exp_::Lambda(..) | P::Exp_::Quant(..) => {
                self.diags.push(err(
                    "E04024",
                    "invalid usage of function type",
                    loc,
                    "Lambdas and quantifiers are only allowed as arguments of inline functions and in specifications",
                ));
                self.error_exp(loc)
            }
        }
    }

    fn value(&mut self, v: &P::Value) -> Exp {
        let loc = v.loc;
        match &v.value {
            P::Value_::Bool(b) => self.mk(Type::Bool, loc, Exp_::Value(Value::Bool(*b))),
            P::Value_::Address(a) => match expansion::address(self.named, a) {
                Ok((addr, _)) => self.mk(Type::Address, loc, Exp_::Value(Value::Address(addr))),
                Err(d) => {
                    self.diags.push(d);
                    self.error_exp(loc)
                }
            },
            P::Value_::Num(text) => match literals::parse_number(text) {
                Ok((n, suffix)) => {
                    let (ty, value) = match suffix {
                        None => (self.fresh_num(), Value::InferredNum(n)),
                        Some(s) => match typed_num(s, n) {
                            Some(tv) => tv,
                            None => {
                                self.diags.push(err(
                                    "E04021",
                                    "invalid number after type inference",
                                    loc,
                                    format!("Invalid numerical literal. The given literal is too large to fit into the type '{}'", suffix_name(s)),
                                ));
                                return self.error_exp(loc);
                            }
                        },
                    };
                    self.mk(ty, loc, Exp_::Value(value))
                }
                Err(m) => {
                    self.diags.push(err("E01002", "invalid number", loc, m));
                    self.error_exp(loc)
                }
            },
            P::Value_::HexString(t) | P::Value_::ByteString(t) => {
                let bytes = if matches!(&v.value, P::Value_::HexString(_)) {
                    literals::decode_hex(t)
                } else {
                    literals::decode_byte_string(t)
                };
                match bytes {
                    Ok(b) => self.mk(
                        Type::Vector(Box::new(Type::U8)),
                        loc,
                        Exp_::Value(Value::Vector(
                            Type::U8,
                            b.into_iter().map(Value::U8).collect(),
                        )),
                    ),
                    Err(m) => {
                        self.diags.push(err("E01002", "invalid string", loc, m));
                        self.error_exp(loc)
                    }
                }
            }
        }
    }

    /// `vector[1u8, 2u8, ...]` written with one explicit integer suffix throughout: its value
    /// directly, without a typed node per element (upgrade scripts hold 100k-element literals).
    fn literal_vector(&mut self, loc: Loc, args: &[P::Exp]) -> Option<Exp> {
        let mut suffix = None;
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            let P::Exp_::Value(P::Spanned {
                value: P::Value_::Num(text),
                ..
            }) = &a.value
            else {
                return None;
            };
            let (n, Some(s)) = literals::parse_number(text).ok()? else {
                return None;
            };
            if *suffix.get_or_insert(s) != s {
                return None;
            }
            values.push(typed_num(s, n)?.1);
        }
        let (ty, _) = typed_num(suffix?, U256::ZERO)?;
        let v = Value::Vector(ty.clone(), values);
        Some(self.mk(Type::Vector(Box::new(ty)), loc, Exp_::Value(v)))
    }

    /// The argument expression of a call: `()`, the one argument, or a list.
    fn arg_exp(&self, mut items: Vec<Exp>, loc: Loc) -> Exp {
        match items.len() {
            0 => self.mk(Type::Unit, loc, Exp_::Unit { trailing: false }),
            1 => items.remove(0),
            _ => {
                let ty = Type::Tuple(items.iter().map(|i| i.ty.clone()).collect());
                self.mk(ty, loc, Exp_::ExpList(items))
            }
        }
    }

    fn call(
        &mut self,
        loc: Loc,
        chain: &P::NameAccessChain,
        is_macro: bool,
        tys: &Option<Vec<P::Type>>,
        args: &P::Spanned<Vec<P::Exp>>,
    ) -> Exp {
        if let NameAccessChain_::One(n) = &chain.value {
            let name = n.value.as_str();
            if is_macro {
                if name != "assert" {
                    self.diags.push(err(
                        "E03006",
                        "unbound macro",
                        n.loc,
                        format!("Unbound macro '{name}'"),
                    ));
                    return self.error_exp(loc);
                }
                if args.value.len() != 2 {
                    self.diags.push(err(
                        "E04016",
                        "too few arguments",
                        loc,
                        format!(
                            "Invalid call of 'assert'. The call expected 2 argument(s) but got {}",
                            args.value.len()
                        ),
                    ));
                    return self.error_exp(loc);
                }
                let c = self.exp(&args.value[0]);
                self.unify(&c.ty, &Type::Bool, c.loc, "Invalid 'assert' condition");
                let code = self.exp(&args.value[1]);
                self.unify(&code.ty, &Type::U64, code.loc, "Invalid 'assert' code");
                return self.mk(Type::Unit, loc, Exp_::Assert(Box::new(c), Box::new(code)));
            }
            if self.aliases().member_alias(name).is_none() {
                match name {
                    "freeze" => {
                        if args.value.len() != 1 {
                            self.diags.push(err(
                                "E04016",
                                "wrong number of arguments",
                                loc,
                                "Invalid call of 'freeze'. The call expected 1 argument(s)",
                            ));
                            return self.error_exp(loc);
                        }
                        let a = self.exp(&args.value[0]);
                        let inner = self.fresh();
                        self.unify(
                            &a.ty,
                            &Type::Ref(true, Box::new(inner.clone())),
                            a.loc,
                            "Invalid argument to 'freeze'",
                        );
                        return self.mk(
                            Type::Ref(false, Box::new(inner)),
                            loc,
                            Exp_::Freeze(Box::new(a)),
                        );
                    }
                    "move_to" | "move_from" | "borrow_global" | "borrow_global_mut" | "exists"
                        if self.current.is_some() =>
                    {
                        return self.global_op(loc, n.loc, name, tys, args);
                    }
                    "move_to" | "move_from" | "borrow_global" | "borrow_global_mut" | "exists" => {
                        self.diags.push(err(
                            "E04001",
                            "restricted visibility",
                            loc,
                            format!("Invalid call to '{name}': global storage operations are only allowed in the module that declares the struct"),
                        ));
                        return self.error_exp(loc);
                    }
                    _ => {
                        self.diags.push(err(
                            "E03005",
                            "unbound unscoped name",
                            n.loc,
                            format!("Unbound function '{name}' in current scope"),
                        ));
                        return self.error_exp(loc);
                    }
                }
            }
        }
        let Some(m) = self.resolve_member(chain) else {
            return self.error_exp(loc);
        };
        let fname = m.member.value.to_string();
        if !self.deps.has_module(&m.module.address, &m.module.name) {
            self.diags.push(err(
                "E03002",
                "unbound module",
                chain.loc,
                format!("Unbound module '{}'", m.module.display()),
            ));
            return self.error_exp(loc);
        }
        let Some(info) = self
            .deps
            .function(&m.module.address, &m.module.name, &fname)
        else {
            self.diags.push(err(
                "E03003",
                "unbound module member",
                chain.loc,
                format!(
                    "Invalid module access. Unbound function '{}' in module '{}'",
                    fname,
                    m.module.display()
                ),
            ));
            return self.error_exp(loc);
        };
        let caller = self.current.as_ref().map(|c| (c.address, c.name.clone()));
        let allowed = match (&caller, info.visibility) {
            (_, Visibility::Public) => true,
            (Some(c), _) if c.0 == m.module.address && c.1 == m.module.name => true,
            (Some(c), Visibility::Friend) => {
                self.deps.is_friend(&m.module.address, &m.module.name, c)
            }
            _ => false,
        };
        if !allowed && caller.is_some() {
            let what = match info.visibility {
                Visibility::Friend => "public(friend)",
                _ => "internal",
            };
            self.diags.push(err(
                "E04001",
                "restricted visibility",
                loc,
                format!(
                    "Invalid call to {what} function '{}::{}'",
                    m.module.display(),
                    fname
                ),
            ));
        } else if !allowed {
            let what = match info.visibility {
                Visibility::Friend => "public(friend)",
                _ => "internal",
            };
            self.diags.push(err(
                "E04001",
                "restricted visibility",
                chain.loc,
                format!(
                    "Invalid call to {what} function '{}::{}'. Only 'public' functions can be called from a script",
                    m.module.display(),
                    fname
                ),
            ));
        }
        let targs: Vec<Type> = match tys {
            Some(ts) => {
                let ts: Vec<Type> = ts.iter().map(|t| self.ty(t)).collect();
                if ts.len() != info.type_parameters.len() {
                    self.diags.push(err(
                        "E04017",
                        "wrong number of type arguments",
                        chain.loc,
                        format!(
                            "Invalid call of '{}::{}'. Expected {} type argument(s) but got {}",
                            m.module.display(),
                            fname,
                            info.type_parameters.len(),
                            ts.len()
                        ),
                    ));
                    return self.error_exp(loc);
                }
                ts
            }
            None => info.type_parameters.iter().map(|_| self.fresh()).collect(),
        };
        for (t, c) in targs.iter().zip(&info.type_parameters) {
            self.pending_abilities.push((
                t.clone(),
                *c,
                chain.loc,
                format!("Invalid call of '{}::{}'", m.module.display(), fname),
            ));
        }
        let params: Vec<Type> = info
            .parameters
            .iter()
            .map(|p| subst_params(p, &targs))
            .collect();
        let returns: Vec<Type> = info
            .returns
            .iter()
            .map(|p| subst_params(p, &targs))
            .collect();
        let items: Vec<Exp> = args.value.iter().map(|a| self.exp(a)).collect();
        if items.len() != params.len() {
            let (code, head) = if items.len() < params.len() {
                ("E04016", "too few arguments")
            } else {
                ("E04016", "too many arguments")
            };
            self.diags.push(err(
                code,
                head,
                args.loc,
                format!(
                    "Invalid call of '{}::{}'. The call expected {} argument(s) but got {}",
                    m.module.display(),
                    fname,
                    params.len(),
                    items.len()
                ),
            ));
            return self.error_exp(loc);
        }
        for (i, (a, p)) in items.iter().zip(&params).enumerate() {
            self.subtype(
                &a.ty.clone(),
                p,
                a.loc,
                &format!(
                    "Invalid call of '{}::{}'. Invalid argument {}",
                    m.module.display(),
                    fname,
                    i + 1
                ),
            );
        }
        let arg = self.arg_exp(items, args.loc);
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.address == m.module.address && c.name == m.module.name)
        {
            self.acquire_uses.push(acquires::AcquireUse {
                loc,
                what: acquires::Acquirer::Call {
                    function: fname.clone(),
                },
            });
        }
        let call = ModuleCall {
            module: m.module,
            name: fname,
            type_args: targs,
            args: Box::new(arg),
            param_types: params,
        };
        self.mk(
            Type::from_items(returns),
            loc,
            Exp_::ModuleCall(Box::new(call)),
        )
    }

    fn binop(&mut self, loc: Loc, l: &P::Exp, op: &P::BinOp, r: &P::Exp) -> Exp {
        use BinOp_ as B;
        let le = self.exp(l);
        let re = self.exp(r);
        let (ty, operand) = match op.value {
            B::Add | B::Sub | B::Mul | B::Mod | B::Div | B::BitOr | B::BitAnd | B::Xor => {
                self.unify(
                    &le.ty,
                    &re.ty,
                    loc,
                    &format!("Incompatible arguments to '{}'", op.value.symbol()),
                );
                self.pending_abilities.push((
                    le.ty.clone(),
                    AbilitySet::EMPTY,
                    le.loc,
                    "integer".into(),
                ));
                (le.ty.clone(), le.ty.clone())
            }
            B::Shl | B::Shr => {
                self.unify(
                    &re.ty,
                    &Type::U8,
                    re.loc,
                    &format!("Invalid argument to '{}'", op.value.symbol()),
                );
                self.pending_abilities.push((
                    le.ty.clone(),
                    AbilitySet::EMPTY,
                    le.loc,
                    "integer".into(),
                ));
                (le.ty.clone(), le.ty.clone())
            }
            B::Lt | B::Gt | B::Le | B::Ge => {
                self.unify(
                    &le.ty,
                    &re.ty,
                    loc,
                    &format!("Incompatible arguments to '{}'", op.value.symbol()),
                );
                self.pending_abilities.push((
                    le.ty.clone(),
                    AbilitySet::EMPTY,
                    le.loc,
                    "integer".into(),
                ));
                (Type::Bool, le.ty.clone())
            }
            B::Eq | B::Neq => {
                let t = self.join(&le.ty, &re.ty, loc);
                self.pending_abilities.push((
                    t.clone(),
                    AbilitySet::EMPTY | Ability::Drop,
                    loc,
                    format!("Invalid use of '{}'", op.value.symbol()),
                ));
                (Type::Bool, t)
            }
            B::And | B::Or => {
                self.unify(
                    &le.ty,
                    &Type::Bool,
                    le.loc,
                    &format!("Invalid argument to '{}'", op.value.symbol()),
                );
                self.unify(
                    &re.ty,
                    &Type::Bool,
                    re.loc,
                    &format!("Invalid argument to '{}'", op.value.symbol()),
                );
                (Type::Bool, Type::Bool)
            }
            B::Range | B::Implies | B::Iff => {
                self.diags.push(err(
                    "E01002",
                    "unexpected token",
                    loc,
                    format!(
                        "Operator '{}' is only allowed in specifications",
                        op.value.symbol()
                    ),
                ));
                return self.error_exp(loc);
            }
        };
        self.mk(
            ty,
            loc,
            Exp_::Binop(Box::new(le), op.clone(), operand, Box::new(re)),
        )
    }

    fn assign(&mut self, loc: Loc, lhs: &P::Exp, rhs: &P::Exp) -> Exp {
        if let P::Exp_::Dereference(r) = &lhs.value {
            let re = self.exp(rhs);
            let target = self.exp(r);
            let inner = self.fresh();
            self.unify(
                &target.ty,
                &Type::Ref(true, Box::new(inner.clone())),
                target.loc,
                "Invalid mutation. Expected a mutable reference",
            );
            self.subtype(&re.ty, &inner, re.loc, "Invalid mutation");
            self.pending_abilities.push((
                inner,
                AbilitySet::EMPTY | Ability::Drop,
                loc,
                "Invalid mutation".into(),
            ));
            return self.mk(
                Type::Unit,
                loc,
                Exp_::Mutate(Box::new(target), Box::new(re)),
            );
        }
        if let P::Exp_::Dot(base, f) = &lhs.value {
            let re = self.exp(rhs);
            let target = self.dotted_borrow(lhs.loc, base, f, true);
            if let Type::Ref(_, inner) = &target.ty {
                self.subtype(&re.ty, inner, re.loc, "Invalid mutation");
                self.pending_abilities.push((
                    (**inner).clone(),
                    AbilitySet::EMPTY | Ability::Drop,
                    loc,
                    "Invalid mutation".into(),
                ));
            }
            return self.mk(
                Type::Unit,
                loc,
                Exp_::Mutate(Box::new(target), Box::new(re)),
            );
        }
        let re = self.exp(rhs);
        let targets: Vec<&P::Exp> = match &lhs.value {
            P::Exp_::ExpList(es) => es.iter().collect(),
            P::Exp_::Unit => vec![],
            _ => vec![lhs],
        };
        let rhs_items = {
            let t = self.shallow(&re.ty);
            match (&t, targets.len()) {
                (Type::Anything, n) => vec![Type::Anything; n],
                (_, 1) => vec![t.clone()],
                (Type::Tuple(ts), n) if ts.len() == n => ts.clone(),
                (Type::Unit, 0) => vec![],
                _ => {
                    self.diags.push(err(
                        "E04007",
                        "incompatible types",
                        loc,
                        "Invalid assignment: wrong number of values",
                    ));
                    return self.error_exp(loc);
                }
            }
        };
        let mut lvs = vec![];
        for (t, rt) in targets.iter().zip(rhs_items) {
            if let P::Exp_::Pack(..) = &t.value {
                if let Some(l) = self.assign_unpack(t, rt) {
                    lvs.push(l);
                }
                continue;
            }
            match &t.value {
                P::Exp_::Name(chain, None) => match &chain.value {
                    NameAccessChain_::One(n) if n.value.as_str() == "_" => {
                        lvs.push(LValue::Ignore(n.loc))
                    }
                    NameAccessChain_::One(n) => match self.local(n.value.as_str()) {
                        Some(vt) => {
                            self.subtype(&rt, &vt, rhs.loc, "Invalid assignment");
                            lvs.push(LValue::Var(n.value.to_string(), vt, n.loc, n.loc));
                        }
                        None => {
                            self.diags.push(err(
                                "E03009",
                                "unbound variable",
                                n.loc,
                                format!("Unbound variable '{}'", n.value),
                            ));
                        }
                    },
                    _ => self.diags.push(err(
                        "E04015",
                        "invalid assignment",
                        t.loc,
                        "Invalid assignment target",
                    )),
                },
                _ => self.diags.push(err(
                    "E04015",
                    "invalid assignment",
                    t.loc,
                    "Invalid assignment target",
                )),
            }
        }
        self.mk(Type::Unit, loc, Exp_::Assign(lvs, Box::new(re)))
    }

    /// `S { f: x, g: _ } = e;`: an unpack that assigns existing locals.
    fn assign_unpack(&mut self, t: &P::Exp, rt: Type) -> Option<LValue> {
        let P::Exp_::Pack(chain, tys, fields) = &t.value else {
            return None;
        };
        let (key, targs, decl) = self.own_struct(chain, tys, t.loc, "unpacked")?;
        let st = Type::Struct(key.clone(), targs.clone());
        let by_ref = match self.shallow(&rt) {
            Type::Ref(m, inner) => {
                self.unify(&inner, &st, t.loc, "Invalid deconstruction assignment");
                Some(m)
            }
            _ => {
                self.unify(&rt, &st, t.loc, "Invalid deconstruction assignment");
                None
            }
        };
        let mut items = vec![];
        for (index, (fname, fty)) in decl.iter().enumerate() {
            let fty = subst_params(fty, &targs);
            let Some((_, fe)) = fields.iter().find(|(n, _)| n.value.as_str() == fname) else {
                self.diags.push(err(
                    "E04016",
                    "too few arguments",
                    t.loc,
                    format!("Missing assignment for field '{fname}' in '{}'", key.name()),
                ));
                continue;
            };
            let bound = match by_ref {
                Some(m) => Type::Ref(m, Box::new(fty.clone())),
                None => fty.clone(),
            };
            let item = match &fe.value {
                P::Exp_::Name(c, None) => match &c.value {
                    NameAccessChain_::One(n) if n.value.as_str() == "_" => LValue::Ignore(n.loc),
                    NameAccessChain_::One(n) => match self.local(n.value.as_str()) {
                        Some(vt) => {
                            self.subtype(&bound, &vt, fe.loc, "Invalid assignment");
                            LValue::Var(n.value.to_string(), vt, n.loc, n.loc)
                        }
                        None => {
                            self.diags.push(err(
                                "E03009",
                                "unbound variable",
                                n.loc,
                                format!("Unbound variable '{}'", n.value),
                            ));
                            LValue::Ignore(n.loc)
                        }
                    },
                    _ => LValue::Ignore(fe.loc),
                },
                P::Exp_::Pack(..) => self.assign_unpack(fe, bound)?,
                _ => {
                    self.diags.push(err(
                        "E04015",
                        "invalid assignment",
                        fe.loc,
                        "Invalid assignment target",
                    ));
                    LValue::Ignore(fe.loc)
                }
            };
            items.push(FieldItem {
                index,
                name: fname.clone(),
                ty: fty,
                item,
            });
        }
        Some(match by_ref {
            Some(m) => LValue::BorrowUnpack(m, key, targs, items, t.loc),
            None => LValue::Unpack(key, targs, items, t.loc),
        })
    }

    fn check_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending_abilities);
        for (t, req, loc, what) in pending {
            let t = self.zonk(&t);
            if what == "integer" {
                if !(t.is_integer() || matches!(t, Type::Anything)) {
                    self.diags.push(err(
                        "E04007",
                        "incompatible types",
                        loc,
                        format!("Invalid argument. Expected an integer type, found '{t}'"),
                    ));
                }
                continue;
            }
            let has = self.abilities(&t);
            if !has.is_superset_of(req) {
                let missing: Vec<&str> = req
                    .iter()
                    .filter(|a| !has.has(*a))
                    .map(|a| a.name())
                    .collect();
                self.diags.push(err(
                    "E05001",
                    "ability constraint not satisfied",
                    loc,
                    format!(
                        "{what}. The type '{t}' does not have the ability '{}'",
                        missing.join(", ")
                    ),
                ));
            }
        }
    }
}

/// The abilities of a type whose inference is finished; `params` are the constraints of the
/// script's type parameters.
pub fn type_abilities(deps: &Dependencies, params: &[AbilitySet], t: &Type) -> AbilitySet {
    match t {
        Type::Bool
        | Type::U8
        | Type::U16
        | Type::U32
        | Type::U64
        | Type::U128
        | Type::U256
        | Type::Address => AbilitySet::PRIMITIVES,
        Type::Signer => AbilitySet::EMPTY | Ability::Drop,
        Type::Vector(inner) => {
            let i = type_abilities(deps, params, inner);
            [Ability::Copy, Ability::Drop, Ability::Store]
                .into_iter()
                .filter(|a| i.has(*a))
                .collect()
        }
        Type::Ref(..) => AbilitySet::EMPTY | Ability::Copy | Ability::Drop,
        Type::Param(i) => params
            .get(*i as usize)
            .copied()
            .unwrap_or(AbilitySet::EMPTY),
        Type::Struct(k, args) => {
            let Some(info) = deps.struct_info(&k.address(), k.module(), k.name()) else {
                return AbilitySet::EMPTY;
            };
            info.abilities
                .iter()
                .filter(|a| {
                    let req = match a {
                        Ability::Copy => Ability::Copy,
                        Ability::Drop => Ability::Drop,
                        Ability::Store | Ability::Key => Ability::Store,
                    };
                    args.iter()
                        .zip(&info.type_parameters)
                        .all(|(arg, p)| p.is_phantom || type_abilities(deps, params, arg).has(req))
                })
                .collect()
        }
        Type::Var(_) | Type::Anything => AbilitySet::ALL,
        Type::Unit | Type::Tuple(_) => AbilitySet::EMPTY,
    }
}

/// Every single name an inline `spec` block mentions (the locals it reads are among them).
fn spec_block_names(b: &P::SpecBlock, out: &mut BTreeSet<String>) {
    for m in &b.value.members {
        match &m.value {
            P::SpecBlockMember_::Condition {
                exp,
                additional_exps,
                ..
            } => exp
                .iter()
                .chain(additional_exps)
                .for_each(|e| exp_names(e, out)),
            P::SpecBlockMember_::Let { def, .. } => exp_names(def, out),
            P::SpecBlockMember_::Update { lhs, rhs } => {
                exp_names(lhs, out);
                exp_names(rhs, out);
            }
            P::SpecBlockMember_::Include { exp, .. } | P::SpecBlockMember_::Apply { exp, .. } => {
                exp_names(exp, out)
            }
            P::SpecBlockMember_::Variable { init: Some(e), .. } => exp_names(e, out),
            _ => {}
        }
    }
}

fn exp_names(e: &P::Exp, out: &mut BTreeSet<String>) {
    let mut go = |e: &P::Exp| exp_names(e, out);
    match &e.value {
        P::Exp_::Name(chain, _) => {
            if let NameAccessChain_::One(n) = &chain.value {
                out.insert(n.value.to_string());
            }
        }
        P::Exp_::Move(n) | P::Exp_::Copy(n) => {
            out.insert(n.value.to_string());
        }
        P::Exp_::Call(_, _, _, args) | P::Exp_::Vector(_, _, args) => {
            args.value.iter().for_each(go)
        }
        P::Exp_::Pack(_, _, fields) => fields.iter().for_each(|(_, e)| go(e)),
        P::Exp_::IfElse(c, t, f) => {
            go(c);
            go(t);
            if let Some(f) = f {
                go(f);
            }
        }
        P::Exp_::While(c, b, _) => {
            go(c);
            go(b);
        }
        P::Exp_::Loop(b)
        | P::Exp_::Abort(b)
        | P::Exp_::Dereference(b)
        | P::Exp_::UnaryExp(_, b)
        | P::Exp_::Borrow(_, b)
        | P::Exp_::Dot(b, _)
        | P::Exp_::Cast(b, _)
        | P::Exp_::Annotate(b, _)
        | P::Exp_::Lambda(_, b) => go(b),
        P::Exp_::Return(Some(b)) => go(b),
        P::Exp_::Block(seq) => {
            for item in &seq.items {
                match &item.value {
                    P::SequenceItem_::Seq(e) | P::SequenceItem_::Bind(_, _, e) => go(e),
                    P::SequenceItem_::Declare(..) => {}
                }
            }
            if let Some(r) = &seq.result {
                go(r);
            }
        }
        P::Exp_::Quant(_, binds, triggers, cond, body) => {
            for b in &binds.value {
                if let P::QuantRange::In(e) = &b.value.1 {
                    go(e);
                }
            }
            triggers.iter().flatten().for_each(&mut go);
            if let Some(c) = cond {
                go(c);
            }
            go(body);
        }
        P::Exp_::ExpList(es) => es.iter().for_each(go),
        P::Exp_::Assign(l, r) | P::Exp_::BinopExp(l, _, r) | P::Exp_::Index(l, r) => {
            go(l);
            go(r);
        }
        _ => {}
    }
}

fn subst_params(t: &Type, args: &[Type]) -> Type {
    match t {
        Type::Param(i) => args.get(*i as usize).cloned().unwrap_or(Type::Anything),
        Type::Vector(i) => Type::Vector(Box::new(subst_params(i, args))),
        Type::Ref(m, i) => Type::Ref(*m, Box::new(subst_params(i, args))),
        Type::Struct(k, a) => {
            Type::Struct(k.clone(), a.iter().map(|x| subst_params(x, args)).collect())
        }
        Type::Tuple(ts) => Type::Tuple(ts.iter().map(|x| subst_params(x, args)).collect()),
        t => t.clone(),
    }
}

fn suffix_name(s: IntSuffix) -> &'static str {
    match s {
        IntSuffix::U8 => "u8",
        IntSuffix::U16 => "u16",
        IntSuffix::U32 => "u32",
        IntSuffix::U64 => "u64",
        IntSuffix::U128 => "u128",
        IntSuffix::U256 => "u256",
    }
}

fn typed_num(s: IntSuffix, n: U256) -> Option<(Type, Value)> {
    Some(match s {
        IntSuffix::U8 => (Type::U8, Value::U8(u8::try_from(n).ok()?)),
        IntSuffix::U16 => (Type::U16, Value::U16(u16::try_from(n).ok()?)),
        IntSuffix::U32 => (Type::U32, Value::U32(u32::try_from(n).ok()?)),
        IntSuffix::U64 => (Type::U64, Value::U64(u64::try_from(n).ok()?)),
        IntSuffix::U128 => (Type::U128, Value::U128(u128::try_from(n).ok()?)),
        IntSuffix::U256 => (Type::U256, Value::U256(n)),
    })
}

/// A number of the given integer type, if it fits.
pub fn num_of_type(t: &Type, n: U256) -> Option<Value> {
    let s = match t {
        Type::U8 => IntSuffix::U8,
        Type::U16 => IntSuffix::U16,
        Type::U32 => IntSuffix::U32,
        Type::U64 => IntSuffix::U64,
        Type::U128 => IntSuffix::U128,
        Type::U256 => IntSuffix::U256,
        _ => return None,
    };
    typed_num(s, n).map(|(_, v)| v)
}

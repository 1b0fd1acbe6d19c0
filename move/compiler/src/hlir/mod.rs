//! HLIR: lowers the typed tree to statements over control-flow-free expressions. This is where
//! locals get their final names (a shadowing `let x` becomes `x#N`; temporaries are `%#N`; one
//! counter per function numbers both), where an `if` used as a value stores into temporaries,
//! where `&&`/`||` with effects on the right become `if`, where `assert!` becomes
//! `if (c) () else abort code`, where arguments are bound to temporaries to keep left-to-right
//! evaluation order, and where `&mut` values passed as `&` are frozen.

pub mod ast;

use std::collections::{BTreeMap, BTreeSet};

use crate::driver::CompileDiagnostic;
use crate::parser::ast::{BinOp_, Loc};
use crate::typing::ast as T;
use crate::typing::ast::{Type, Value};
use ast::*;

struct Ctx {
    function_locals: BTreeMap<Var, Type>,
    local_locs: BTreeMap<Var, Loc>,
    local_scope: BTreeMap<Var, Var>,
    used_locals: BTreeSet<Var>,
    counter: usize,
    /// Inline spec blocks met so far.
    spec_blocks: usize,
    return_type: Type,
}

/// Lowers the typed script; also returns the unused-local warnings.
pub fn translate(s: T::Script) -> (Script, Vec<CompileDiagnostic>) {
    let mut ctx = Ctx {
        function_locals: BTreeMap::new(),
        local_locs: BTreeMap::new(),
        local_scope: BTreeMap::new(),
        used_locals: BTreeSet::new(),
        counter: 0,
        spec_blocks: 0,
        return_type: s.return_type.clone(),
    };
    let mut parameters = vec![];
    for (v, t, l) in &s.parameters {
        ctx.bind_local(v, t.clone(), *l);
        parameters.push((v.clone(), t.clone()));
    }
    let mut body = Block::new();
    let final_exp = ctx.block(&mut body, s.body_loc, Some(&Type::Unit), s.body);
    if !matches!(final_exp.e, Exp_::Unreachable) {
        let loc = final_exp.loc;
        body.push_back(cmd(loc, Command_::Return(final_exp)));
    }
    let mut warnings = vec![];
    let mut locals = std::mem::take(&mut ctx.function_locals);
    let mut unused = BTreeSet::new();
    for v in locals.keys() {
        if ctx.used_locals.contains(v) || v.starts_with('_') || v.starts_with('%') {
            continue;
        }
        let display = v.split('#').next().unwrap_or(v);
        let is_param = parameters.iter().any(|(p, _)| p == v);
        let msg = if is_param {
            format!("Unused parameter '{display}'. Consider removing or prefixing with an underscore: '_{display}'")
        } else {
            unused.insert(v.clone());
            format!("Unused local variable '{display}'. Consider removing or prefixing with an underscore: '_{display}'")
        };
        let mut d = CompileDiagnostic::error("W09002", "unused variable", s.loc, msg);
        d.is_error = false;
        warnings.push(d);
    }
    for v in &unused {
        locals.remove(v);
    }
    remove_unused_bindings(&unused, &mut body);
    (
        Script {
            function_name: s.function_name,
            loc: s.loc,
            type_parameters: s.type_parameters,
            parameters,
            locals,
            local_locs: std::mem::take(&mut ctx.local_locs),
            body,
            constants: s.constants,
        },
        warnings,
    )
}

fn cmd(loc: Loc, c: Command_) -> Statement {
    Statement::Command(Command { loc, c })
}

fn hexp(ty: Type, loc: Loc, e: Exp_) -> Exp {
    Exp { ty, loc, e }
}

fn unit(loc: Loc, case: UnitCase) -> Exp {
    hexp(Type::Unit, loc, Exp_::Unit(case))
}

fn ignore_and_pop(result: &mut Block, e: Exp) {
    if matches!(e.e, Exp_::Unreachable) {
        return;
    }
    let pop_num = e.ty.items().len();
    let loc = e.loc;
    result.push_back(cmd(loc, Command_::IgnoreAndPop { pop_num, exp: e }));
}

fn freeze_ty(t: &Type) -> Type {
    match t {
        Type::Ref(true, i) => Type::Ref(false, i.clone()),
        t => t.clone(),
    }
}

fn needs_freeze_single(actual: &Type, expected: &Type) -> bool {
    matches!(
        (actual, expected),
        (Type::Ref(true, _), Type::Ref(false, _))
    )
}

enum Freeze {
    NotNeeded,
    Point,
    Sub(Vec<bool>),
}

fn needs_freeze(actual: &Type, expected: &Type) -> Freeze {
    match (actual, expected) {
        (Type::Tuple(a), Type::Tuple(e)) if a.len() == e.len() => {
            let points: Vec<bool> = a
                .iter()
                .zip(e)
                .map(|(x, y)| needs_freeze_single(x, y))
                .collect();
            if points.iter().any(|p| *p) {
                Freeze::Sub(points)
            } else {
                Freeze::NotNeeded
            }
        }
        (a, e) if needs_freeze_single(a, e) => Freeze::Point,
        _ => Freeze::NotNeeded,
    }
}

/// Where a binder is written: the name, the `_` or the struct pattern.
fn binder_loc(l: &T::LValue) -> Loc {
    match l {
        T::LValue::Ignore(loc)
        | T::LValue::Var(_, _, loc, _)
        | T::LValue::Unpack(_, _, _, loc)
        | T::LValue::BorrowUnpack(_, _, _, _, loc) => *loc,
    }
}

fn freeze_point(e: Exp) -> Exp {
    let ty = freeze_ty(&e.ty);
    let loc = e.loc;
    hexp(ty, loc, Exp_::Freeze(Box::new(e)))
}

impl Ctx {
    fn next(&mut self) -> usize {
        self.counter += 1;
        self.counter
    }

    fn new_temp(&mut self, t: Type, loc: Loc) -> Var {
        let v = format!("%#{}", self.next());
        self.function_locals.insert(v.clone(), t);
        self.local_locs.insert(v.clone(), loc);
        self.local_scope.insert(v.clone(), v.clone());
        self.used_locals.insert(v.clone());
        v
    }

    fn bind_local(&mut self, v: &str, t: Type, loc: Loc) {
        let new_var = if !self.function_locals.contains_key(v) {
            v.to_string()
        } else {
            format!("{v}#{}", self.next())
        };
        self.function_locals.insert(new_var.clone(), t);
        self.local_locs.insert(new_var.clone(), loc);
        self.local_scope.insert(v.to_string(), new_var);
    }

    fn remapped(&mut self, v: &str) -> Var {
        let r = self
            .local_scope
            .get(v)
            .cloned()
            .unwrap_or_else(|| v.to_string());
        self.used_locals.insert(r.clone());
        r
    }

    // -----------------------------------------------------------------------------------------
    // Statements

    fn block(
        &mut self,
        result: &mut Block,
        loc: Loc,
        expected: Option<&Type>,
        mut seq: T::Sequence,
    ) -> Exp {
        let last = match seq.pop_back() {
            None => return unit(loc, UnitCase::FromUser),
            Some(T::SequenceItem::Seq(e)) => e,
            Some(_) => return unit(loc, UnitCase::FromUser),
        };
        let old_scope = self.local_scope.clone();
        for item in seq {
            match item {
                T::SequenceItem::Seq(e) => self.statement(result, e),
                T::SequenceItem::Declare(lvs) => self.declare(&lvs),
                T::SequenceItem::Bind(lvs, tys, e, sloc) => {
                    let expected = Type::from_items(
                        tys.iter()
                            .map(|t| t.clone().unwrap_or(Type::Anything))
                            .collect(),
                    );
                    let res = self.exp(result, Some(&expected), e);
                    self.declare(&lvs);
                    self.assign_command(result, sloc, lvs, res);
                }
            }
        }
        let res = self.exp(result, expected, last);
        self.local_scope = old_scope;
        res
    }

    fn declare(&mut self, lvs: &[T::LValue]) {
        for l in lvs {
            match l {
                T::LValue::Ignore(_) => {}
                T::LValue::Var(v, t, _, decl) => self.bind_local(v, t.clone(), *decl),
                T::LValue::Unpack(_, _, fs, _) | T::LValue::BorrowUnpack(_, _, _, fs, _) => {
                    for f in fs {
                        self.declare(std::slice::from_ref(&f.item));
                    }
                }
            }
        }
    }

    fn assign_command(&mut self, result: &mut Block, loc: Loc, lvs: Vec<T::LValue>, rvalue: Exp) {
        let mut after = Block::new();
        let rtys = rvalue.ty.items();
        let ls = lvs
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let rty = rtys.get(i).cloned().unwrap_or(Type::Anything);
                self.lvalue(loc, l, &rty, &mut after)
            })
            .collect();
        result.push_back(cmd(loc, Command_::Assign(ls, Box::new(rvalue))));
        result.append(&mut after);
    }

    /// One binder; a pattern over a reference binds a temporary and then each field's borrow
    /// (in `after`).
    fn lvalue(&mut self, loc: Loc, l: T::LValue, rty: &Type, after: &mut Block) -> LValue {
        match l {
            T::LValue::Ignore(l) => LValue::Ignore(l),
            T::LValue::Var(v, t, l, _) => LValue::Var(self.remapped(&v), t, l),
            T::LValue::Unpack(k, tys, fs, pattern) => {
                let fields = fs
                    .into_iter()
                    .map(|f| {
                        let ty = f.ty.clone();
                        (f.index, self.lvalue(loc, f.item, &ty, after))
                    })
                    .collect();
                LValue::Unpack(k, tys, fields, pattern)
            }
            T::LValue::BorrowUnpack(m, k, tys, fs, pattern) => {
                // Upstream locates the reference's temporary at the pattern and each field's
                // borrow at that field's binder.
                let tmp = self.new_temp(rty.clone(), pattern);
                for f in fs {
                    let base = hexp(
                        rty.clone(),
                        pattern,
                        Exp_::Copy {
                            var: tmp.clone(),
                            from_user: false,
                        },
                    );
                    let bty = Type::Ref(m, Box::new(f.ty.clone()));
                    let borrow = hexp(
                        bty,
                        binder_loc(&f.item),
                        Exp_::Borrow {
                            mutable: m,
                            base: Box::new(base),
                            key: k.clone(),
                            targs: tys.clone(),
                            index: f.index,
                        },
                    );
                    self.assign_command(after, loc, vec![f.item], borrow);
                }
                LValue::Var(tmp, rty.clone(), pattern)
            }
        }
    }

    fn statement(&mut self, result: &mut Block, e: T::Exp) {
        let loc = e.loc;
        match e.e {
            T::Exp_::IfElse(c, t, f) => {
                let cond = self.exp(result, None, *c);
                let mut if_block = Block::new();
                let et = self.exp(&mut if_block, None, *t);
                ignore_and_pop(&mut if_block, et);
                let mut else_block = Block::new();
                let ef = self.exp(&mut else_block, None, *f);
                ignore_and_pop(&mut else_block, ef);
                result.push_back(Statement::IfElse {
                    loc,
                    cond: Box::new(cond),
                    if_block,
                    else_block,
                });
            }
            T::Exp_::While(c, body) => {
                let mut cond_block = Block::new();
                let cond = self.exp(&mut cond_block, None, *c);
                let mut block = Block::new();
                let el = self.exp(&mut block, None, *body);
                ignore_and_pop(&mut block, el);
                result.push_back(Statement::While {
                    loc,
                    cond: (cond_block, Box::new(cond)),
                    block,
                });
            }
            T::Exp_::Loop { has_break, body } => {
                let mut block = Block::new();
                let el = self.exp(&mut block, None, *body);
                ignore_and_pop(&mut block, el);
                result.push_back(Statement::Loop {
                    loc,
                    block,
                    has_break,
                });
            }
            T::Exp_::Block(seq) => {
                let res = self.block(result, loc, None, seq);
                ignore_and_pop(result, res);
            }
            e_ => {
                let te = T::Exp {
                    ty: e.ty,
                    loc,
                    e: e_,
                };
                let res = self.exp(result, None, te);
                ignore_and_pop(result, res);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    fn maybe_freeze(&mut self, result: &mut Block, expected: Option<&Type>, e: Exp) -> Exp {
        match (&e.e, expected) {
            (Exp_::Unreachable, _) => e,
            (_, Some(ex)) => self.freeze(result, ex, e),
            _ => e,
        }
    }

    fn freeze(&mut self, result: &mut Block, expected: &Type, e: Exp) -> Exp {
        match needs_freeze(&e.ty, expected) {
            Freeze::NotNeeded => e,
            Freeze::Point => freeze_point(e),
            Freeze::Sub(points) => {
                let loc = e.loc;
                let tys = e.ty.items();
                let temps: Vec<(Var, Type)> = tys
                    .iter()
                    .map(|t| (self.new_temp(t.clone(), loc), t.clone()))
                    .collect();
                let ls = temps
                    .iter()
                    .map(|(v, t)| LValue::Var(v.clone(), t.clone(), loc))
                    .collect();
                result.push_back(cmd(loc, Command_::Assign(ls, Box::new(e))));
                let exps: Vec<Exp> = temps
                    .into_iter()
                    .zip(points)
                    .map(|((v, t), p)| {
                        let e = hexp(
                            t,
                            loc,
                            Exp_::Move {
                                var: v,
                                from_user: false,
                            },
                        );
                        if p {
                            freeze_point(e)
                        } else {
                            e
                        }
                    })
                    .collect();
                let ty = Type::Tuple(exps.iter().map(|e| e.ty.clone()).collect());
                hexp(ty, loc, Exp_::ExpList(exps))
            }
        }
    }

    fn exp(&mut self, result: &mut Block, expected: Option<&Type>, e: T::Exp) -> Exp {
        let T::Exp { ty, loc, e } = e;
        match e {
            T::Exp_::IfElse(c, t, f) => {
                let cond = self.exp(result, None, *c);
                let mut if_block = Block::new();
                let et = self.exp(&mut if_block, Some(&ty), *t);
                let mut else_block = Block::new();
                let ef = self.exp(&mut else_block, Some(&ty), *f);
                let e_ = match (&et.e, &ef.e) {
                    (Exp_::Unreachable, Exp_::Unreachable) => {
                        result.push_back(Statement::IfElse {
                            loc,
                            cond: Box::new(cond),
                            if_block,
                            else_block,
                        });
                        Exp_::Unreachable
                    }
                    _ => {
                        let tmps = self.make_temps(&ty, loc);
                        let tres = bind_exp_(&mut if_block, loc, tmps.clone(), et);
                        let fres = bind_exp_(&mut else_block, loc, tmps, ef);
                        result.push_back(Statement::IfElse {
                            loc,
                            cond: Box::new(cond),
                            if_block,
                            else_block,
                        });
                        match (tres, fres) {
                            (Exp_::Unreachable, res) => res,
                            (res, _) => res,
                        }
                    }
                };
                hexp(ty, loc, e_)
            }
            T::Exp_::Binop(l, op, operand_ty, r) => {
                let rhs_effects = |r: &T::Exp| bind_for_short_circuit(r);
                match op.value {
                    BinOp_::And if rhs_effects(&r) => {
                        let f = T::Exp {
                            ty: Type::Bool,
                            loc,
                            e: T::Exp_::Value(Value::Bool(false)),
                        };
                        let ite = T::Exp {
                            ty: Type::Bool,
                            loc,
                            e: T::Exp_::IfElse(l, r, Box::new(f)),
                        };
                        return self.exp(result, expected, ite);
                    }
                    BinOp_::Or if rhs_effects(&r) => {
                        let t = T::Exp {
                            ty: Type::Bool,
                            loc,
                            e: T::Exp_::Value(Value::Bool(true)),
                        };
                        let ite = T::Exp {
                            ty: Type::Bool,
                            loc,
                            e: T::Exp_::IfElse(l, Box::new(t), r),
                        };
                        return self.exp(result, expected, ite);
                    }
                    _ => {}
                }
                let operand_expected = match op.value {
                    BinOp_::Eq | BinOp_::Neq => Some(freeze_ty(&operand_ty)),
                    _ => None,
                };
                let le = self.exp(result, operand_expected.as_ref(), *l);
                let re = self.exp(result, operand_expected.as_ref(), *r);
                let e = hexp(ty, loc, Exp_::Binop(Box::new(le), op, Box::new(re)));
                self.maybe_freeze(result, expected, e)
            }
            T::Exp_::Assert(c, code) => {
                let abort = T::Exp {
                    ty: Type::Unit,
                    loc,
                    e: T::Exp_::Abort(code),
                };
                let u = T::Exp {
                    ty: Type::Unit,
                    loc,
                    e: T::Exp_::Unit { trailing: false },
                };
                let ite = T::Exp {
                    ty: Type::Unit,
                    loc,
                    e: T::Exp_::IfElse(c, Box::new(u), Box::new(abort)),
                };
                self.exp(result, expected, ite)
            }
            e_ => {
                let res = self.exp_impl(result, ty, loc, e_);
                self.maybe_freeze(result, expected, res)
            }
        }
    }

    fn exp_impl(&mut self, result: &mut Block, ty: Type, loc: Loc, e: T::Exp_) -> Exp {
        let e_ = match e {
            T::Exp_::While(c, body) => {
                let mut cond_block = Block::new();
                let cond = self.exp(&mut cond_block, None, *c);
                let mut block = Block::new();
                let el = self.exp(&mut block, None, *body);
                ignore_and_pop(&mut block, el);
                result.push_back(Statement::While {
                    loc,
                    cond: (cond_block, Box::new(cond)),
                    block,
                });
                Exp_::Unit(UnitCase::Implicit)
            }
            T::Exp_::Loop { has_break, body } => {
                let mut block = Block::new();
                let el = self.exp(&mut block, None, *body);
                ignore_and_pop(&mut block, el);
                result.push_back(Statement::Loop {
                    loc,
                    block,
                    has_break,
                });
                if has_break {
                    Exp_::Unit(UnitCase::Implicit)
                } else {
                    Exp_::Unreachable
                }
            }
            T::Exp_::Block(seq) => return self.block(result, loc, None, seq),
            T::Exp_::Return(e) => {
                let rt = self.return_type.clone();
                let e = self.exp(result, Some(&rt), *e);
                result.push_back(cmd(loc, Command_::Return(e)));
                Exp_::Unreachable
            }
            T::Exp_::Abort(e) => {
                let e = self.exp(result, None, *e);
                result.push_back(cmd(loc, Command_::Abort(e)));
                Exp_::Unreachable
            }
            T::Exp_::Break => {
                result.push_back(cmd(loc, Command_::Break));
                Exp_::Unreachable
            }
            T::Exp_::Continue => {
                result.push_back(cmd(loc, Command_::Continue));
                Exp_::Unreachable
            }
            T::Exp_::Assign(lvs, e) => {
                let expected = Type::from_items(
                    lvs.iter()
                        .map(|l| match l {
                            T::LValue::Var(_, t, _, _) => t.clone(),
                            _ => Type::Anything,
                        })
                        .collect(),
                );
                let e = self.exp(result, Some(&expected), *e);
                self.assign_command(result, loc, lvs, e);
                Exp_::Unit(UnitCase::Implicit)
            }
            T::Exp_::Mutate(l, r) => {
                let er = self.exp(result, None, *r);
                let el = self.exp(result, None, *l);
                result.push_back(cmd(loc, Command_::Mutate(Box::new(el), Box::new(er))));
                Exp_::Unit(UnitCase::Implicit)
            }
            T::Exp_::Unit { trailing } => Exp_::Unit(if trailing {
                UnitCase::Trailing
            } else {
                UnitCase::FromUser
            }),
            T::Exp_::Value(v) => Exp_::Value(v),
            T::Exp_::Constant(c) => Exp_::Constant(c),
            T::Exp_::Move { from_user, var } => Exp_::Move {
                var: self.remapped(&var),
                from_user,
            },
            T::Exp_::Copy { from_user, var } => Exp_::Copy {
                var: self.remapped(&var),
                from_user,
            },
            T::Exp_::Use(var) => Exp_::Copy {
                var: self.remapped(&var),
                from_user: false,
            },
            T::Exp_::BorrowLocal(m, var) => Exp_::BorrowLocal(m, self.remapped(&var)),
            T::Exp_::ModuleCall(call) => {
                let T::ModuleCall {
                    module,
                    name,
                    type_args,
                    args,
                    param_types,
                } = *call;
                let expected = Type::from_items(param_types);
                let args = self.exp(result, Some(&expected), *args);
                Exp_::ModuleCall(Box::new(ModuleCall {
                    module,
                    name,
                    type_args,
                    args: Box::new(args),
                }))
            }
            T::Exp_::Freeze(e) => Exp_::Freeze(Box::new(self.exp(result, None, *e))),
            T::Exp_::Pack(k, tys, fields) => self.pack(result, k, tys, fields),
            T::Exp_::Borrow {
                mutable,
                base,
                index,
                ..
            } => {
                let (key, targs) = match &base.ty {
                    Type::Ref(_, inner) => match &**inner {
                        Type::Struct(k, a) => (k.clone(), a.clone()),
                        _ => return hexp(ty, loc, Exp_::Unreachable),
                    },
                    _ => return hexp(ty, loc, Exp_::Unreachable),
                };
                let b = self.exp(result, None, *base);
                Exp_::Borrow {
                    mutable,
                    base: Box::new(b),
                    key,
                    targs,
                    index,
                }
            }
            // The last step of typing resolved every global storage operation or reported it.
            T::Exp_::GlobalOp(..) => Exp_::Unreachable,
            T::Exp_::Builtin(b, name, args) => {
                let expected = match &b {
                    T::Builtin::MoveTo(k, a) => Some(Type::Tuple(vec![
                        Type::Ref(false, Box::new(Type::Signer)),
                        Type::Struct(k.clone(), a.clone()),
                    ])),
                    _ => None,
                };
                let args = self.exp(result, expected.as_ref(), *args);
                Exp_::Builtin(b, name, Box::new(args))
            }
            T::Exp_::Vector(n, t, args) => {
                let args = self.exp(result, None, *args);
                // A literal of constants is already its value (the folder makes it so first
                // thing); folding it here keeps 100k-element literals out of every later walk.
                match crate::cfgir::constant_fold::fold_vector(&t, &args) {
                    Some(v) => Exp_::Value(v),
                    None => Exp_::Vector(n, t, Box::new(args)),
                }
            }
            T::Exp_::Dereference(e) => Exp_::Dereference(Box::new(self.exp(result, None, *e))),
            T::Exp_::Not(e, op) => Exp_::Not(Box::new(self.exp(result, None, *e)), op),
            T::Exp_::ExpList(items) => {
                let es = self.exp_evaluation_order(result, items);
                Exp_::ExpList(es)
            }
            T::Exp_::TempBorrow(m, e) => {
                let eb = self.exp(result, None, *e);
                let tmp = match self.bind_exp_impl(result, eb, true).e {
                    Exp_::Move { var, .. } => var,
                    _ => String::new(),
                };
                Exp_::BorrowLocal(m, tmp)
            }
            T::Exp_::Cast(e, t) => Exp_::Cast(Box::new(self.exp(result, None, *e)), t),
            T::Exp_::Annotate(e, t) => return self.exp(result, Some(&t), *e),
            T::Exp_::Spec(vars) => {
                let id = self.spec_blocks;
                self.spec_blocks += 1;
                Exp_::Spec(id, vars.iter().map(|v| self.remapped(v)).collect())
            }
            T::Exp_::IfElse(..) | T::Exp_::Binop(..) | T::Exp_::Assert(..) => Exp_::Unreachable,
        };
        hexp(ty, loc, e_)
    }

    /// A pack: fields written in declaration order are evaluated in place; otherwise each is
    /// bound to a temporary in the order written.
    fn pack(
        &mut self,
        result: &mut Block,
        k: T::StructKey,
        tys: Vec<Type>,
        mut fields: Vec<T::FieldItem<T::Exp>>,
    ) -> Exp_ {
        let in_order = fields.iter().enumerate().all(|(i, f)| f.index == i);
        if in_order {
            let meta: Vec<(usize, Type)> = fields.iter().map(|f| (f.index, f.ty.clone())).collect();
            let items: Vec<(T::Exp, Option<Type>)> =
                fields.into_iter().map(|f| (f.item, Some(f.ty))).collect();
            let es = self.exp_evaluation_order_typed(result, items);
            let fs = meta
                .into_iter()
                .zip(es)
                .map(|((i, t), e)| (i, t, e))
                .collect();
            return Exp_::Pack(k, tys, fs);
        }
        let mut bound: Vec<Option<(usize, Type, Exp)>> = vec![None; fields.len()];
        for f in fields.drain(..) {
            let e = self.exp(result, Some(&f.ty), f.item);
            let tmp = self.bind_exp_impl(result, e, false);
            if let Some(slot) = bound.get_mut(f.index) {
                *slot = Some((f.index, f.ty, tmp));
            }
        }
        Exp_::Pack(k, tys, bound.into_iter().flatten().collect())
    }

    fn exp_evaluation_order(&mut self, result: &mut Block, items: Vec<T::Exp>) -> Vec<Exp> {
        let items = items.into_iter().map(|e| (e, None)).collect();
        self.exp_evaluation_order_typed(result, items)
    }

    fn exp_evaluation_order_typed(
        &mut self,
        result: &mut Block,
        items: Vec<(T::Exp, Option<Type>)>,
    ) -> Vec<Exp> {
        let mut needs_binding = false;
        let mut e_results = vec![];
        for (te, expected) in items.into_iter().rev() {
            let mut tmp_result = Block::new();
            let e = self.exp(&mut tmp_result, expected.as_ref(), te);
            let adds = !tmp_result.is_empty();
            let e = if needs_binding {
                self.bind_exp_impl(&mut tmp_result, e, false)
            } else {
                e
            };
            e_results.push((tmp_result, e));
            needs_binding = needs_binding || adds;
        }
        let mut es = vec![];
        for (mut tmp, e) in e_results.into_iter().rev() {
            result.append(&mut tmp);
            es.push(e);
        }
        es
    }

    fn make_temps(&mut self, ty: &Type, loc: Loc) -> Vec<(Var, Type)> {
        ty.items()
            .into_iter()
            .map(|t| (self.new_temp(t.clone(), loc), t))
            .collect()
    }

    fn bind_exp_impl(&mut self, result: &mut Block, e: Exp, bind_unreachable: bool) -> Exp {
        if matches!(e.e, Exp_::Unreachable) && !bind_unreachable {
            return e;
        }
        let loc = e.loc;
        let ty = e.ty.clone();
        let tmps = self.make_temps(&ty, loc);
        let e_ = bind_exp_impl_(result, loc, tmps, e, bind_unreachable);
        hexp(ty, loc, e_)
    }
}

fn bind_exp_(result: &mut Block, loc: Loc, tmps: Vec<(Var, Type)>, e: Exp) -> Exp_ {
    bind_exp_impl_(result, loc, tmps, e, false)
}

fn bind_exp_impl_(
    result: &mut Block,
    loc: Loc,
    tmps: Vec<(Var, Type)>,
    e: Exp,
    bind_unreachable: bool,
) -> Exp_ {
    if matches!(e.e, Exp_::Unreachable) && !bind_unreachable {
        return Exp_::Unreachable;
    }
    if tmps.is_empty() {
        result.push_back(cmd(loc, Command_::IgnoreAndPop { pop_num: 0, exp: e }));
        return Exp_::Unit(UnitCase::Implicit);
    }
    let ls = tmps
        .iter()
        .map(|(v, t)| LValue::Var(v.clone(), t.clone(), loc))
        .collect();
    result.push_back(cmd(loc, Command_::Assign(ls, Box::new(e))));
    let mut es: Vec<Exp> = tmps
        .into_iter()
        .map(|(v, t)| {
            hexp(
                t,
                loc,
                Exp_::Move {
                    var: v,
                    from_user: false,
                },
            )
        })
        .collect();
    if es.len() == 1 {
        es.remove(0).e
    } else {
        Exp_::ExpList(es)
    }
}

/// Whether the right operand of `&&`/`||` may have effects, so the operator needs branching.
fn bind_for_short_circuit(e: &T::Exp) -> bool {
    match &e.e {
        T::Exp_::Value(_)
        | T::Exp_::Constant(_)
        | T::Exp_::Move { .. }
        | T::Exp_::Copy { .. }
        | T::Exp_::Use(_)
        | T::Exp_::Unit { .. } => false,
        T::Exp_::Block(seq) => {
            seq.len() != 1
                || match seq.front() {
                    Some(T::SequenceItem::Seq(e)) => bind_for_short_circuit(e),
                    _ => true,
                }
        }
        T::Exp_::Annotate(e, _) => bind_for_short_circuit(e),
        _ => true,
    }
}

fn remove_unused_bindings(unused: &BTreeSet<Var>, block: &mut Block) {
    for s in block.iter_mut() {
        match s {
            Statement::Command(Command {
                c: Command_::Assign(ls, _),
                ..
            }) => {
                for l in ls.iter_mut() {
                    if let LValue::Var(v, _, loc) = l {
                        if unused.contains(v) {
                            *l = LValue::Ignore(*loc);
                        }
                    }
                }
            }
            Statement::Command(_) => {}
            Statement::IfElse {
                if_block,
                else_block,
                ..
            } => {
                remove_unused_bindings(unused, if_block);
                remove_unused_bindings(unused, else_block);
            }
            Statement::While { cond, block, .. } => {
                remove_unused_bindings(unused, &mut cond.0);
                remove_unused_bindings(unused, block);
            }
            Statement::Loop { block, .. } => remove_unused_bindings(unused, block),
        }
    }
}

//! The last step of typing: integer literals whose type inference left open become `u64`,
//! inferred types are substituted into the tree, uses of locals become copies (the type has
//! `copy`) or moves, and literal values take their final integer type.

use move_bytecode::Ability;

use super::ast::*;
use super::{err, num_of_type, Ctx};

impl Ctx<'_, '_> {
    fn default_nums(&mut self) {
        let vars: Vec<u32> = self.num_vars.iter().copied().collect();
        for v in vars {
            if let Type::Var(w) = self.shallow(&Type::Var(v)) {
                self.subst[w as usize] = Some(Type::U64);
            }
        }
    }

    fn final_ty(&mut self, t: &Type, loc: crate::parser::ast::Loc) -> Type {
        if !contains_var(t) {
            return t.clone();
        }
        let z = self.zonk(t);
        if contains_var(&z) {
            self.diags.push(err(
                "E04010",
                "cannot infer type",
                loc,
                "Could not infer this type. Try adding an annotation",
            ));
            return replace_vars(&z);
        }
        z
    }

    pub(super) fn finish_seq(&mut self, seq: Sequence) -> Sequence {
        self.default_nums();
        seq.into_iter().map(|i| self.item(i)).collect()
    }

    pub(super) fn finish_exp(&mut self, e: Exp) -> Exp {
        self.default_nums();
        self.exp_(e)
    }

    fn item(&mut self, i: SequenceItem) -> SequenceItem {
        match i {
            SequenceItem::Seq(e) => SequenceItem::Seq(self.exp_(e)),
            SequenceItem::Declare(lvs) => SequenceItem::Declare(self.lvalues(lvs)),
            SequenceItem::Bind(lvs, tys, e, loc) => {
                let lvs = self.lvalues(lvs);
                let tys = tys.into_iter().map(|t| t.map(|t| self.zonk(&t))).collect();
                SequenceItem::Bind(lvs, tys, self.exp_(e), loc)
            }
        }
    }

    fn lvalues(&mut self, lvs: Vec<LValue>) -> Vec<LValue> {
        lvs.into_iter().map(|l| self.lvalue(l)).collect()
    }

    fn lvalue(&mut self, l: LValue) -> LValue {
        let loc = crate::parser::ast::Loc::default();
        match l {
            LValue::Ignore(l) => LValue::Ignore(l),
            LValue::Var(v, t, l, d) => LValue::Var(v, self.final_ty(&t, loc), l, d),
            LValue::Unpack(k, tys, fs, l) => {
                let tys = tys.iter().map(|t| self.final_ty(t, loc)).collect();
                LValue::Unpack(k, tys, self.field_lvalues(fs), l)
            }
            LValue::BorrowUnpack(m, k, tys, fs, l) => {
                let tys = tys.iter().map(|t| self.final_ty(t, loc)).collect();
                LValue::BorrowUnpack(m, k, tys, self.field_lvalues(fs), l)
            }
        }
    }

    fn field_lvalues(&mut self, fs: Vec<FieldItem<LValue>>) -> Vec<FieldItem<LValue>> {
        let loc = crate::parser::ast::Loc::default();
        fs.into_iter()
            .map(|f| FieldItem {
                index: f.index,
                name: f.name,
                ty: self.final_ty(&f.ty, loc),
                item: self.lvalue(f.item),
            })
            .collect()
    }

    #[allow(clippy::boxed_local)]
    fn bx(&mut self, e: Box<Exp>) -> Box<Exp> {
        Box::new(self.exp_(*e))
    }

    fn exp_(&mut self, e: Exp) -> Exp {
        let Exp { ty, loc, e } = e;
        let ty = self.final_ty(&ty, loc);
        let e = match e {
            Exp_::Use(var) => {
                if self.abilities(&ty).has(Ability::Copy) {
                    Exp_::Copy {
                        from_user: false,
                        var,
                    }
                } else {
                    Exp_::Move {
                        from_user: false,
                        var,
                    }
                }
            }
            Exp_::Value(Value::InferredNum(n)) => match num_of_type(&ty, n) {
                Some(v) => Exp_::Value(v),
                None => {
                    if !matches!(ty, Type::Anything) {
                        self.diags.push(err(
                            "E04021",
                            "invalid number after type inference",
                            loc,
                            format!("Invalid numerical literal. The given literal is too large to fit into the type '{ty}'"),
                        ));
                    }
                    Exp_::Value(Value::U64(0))
                }
            },
            Exp_::Value(v) => Exp_::Value(v),
            Exp_::TempBorrow(m, inner) => Exp_::TempBorrow(m, self.bx(inner)),
            Exp_::ModuleCall(call) => {
                let ModuleCall {
                    module,
                    name,
                    type_args,
                    args,
                    param_types,
                } = *call;
                let type_args = type_args.iter().map(|t| self.final_ty(t, loc)).collect();
                let param_types = param_types.iter().map(|t| self.final_ty(t, loc)).collect();
                Exp_::ModuleCall(Box::new(ModuleCall {
                    module,
                    name,
                    type_args,
                    args: self.bx(args),
                    param_types,
                }))
            }
            Exp_::Freeze(i) => Exp_::Freeze(self.bx(i)),
            Exp_::Pack(k, tys, fs) => {
                let tys = tys.iter().map(|t| self.final_ty(t, loc)).collect();
                let fs = fs
                    .into_iter()
                    .map(|f| FieldItem {
                        index: f.index,
                        name: f.name,
                        ty: self.final_ty(&f.ty, loc),
                        item: self.exp_(f.item),
                    })
                    .collect();
                Exp_::Pack(k, tys, fs)
            }
            Exp_::Borrow {
                mutable,
                base,
                field,
                index,
            } => Exp_::Borrow {
                mutable,
                base: self.bx(base),
                field,
                index,
            },
            Exp_::Builtin(b, name, args) => {
                let b = b.map_types(|t| self.final_ty(t, loc));
                Exp_::Builtin(b, name, self.bx(args))
            }
            Exp_::GlobalOp(op, t, name, args) => {
                let t = self.final_ty(&t, loc);
                match self.resolve_global_op(op, &t, loc, name) {
                    Some(b) => Exp_::Builtin(b, name, self.bx(args)),
                    None => Exp_::Unit { trailing: false },
                }
            }
            Exp_::Assert(c, code) => Exp_::Assert(self.bx(c), self.bx(code)),
            Exp_::Vector(n, t, args) => {
                let t = self.final_ty(&t, loc);
                Exp_::Vector(n, t, self.bx(args))
            }
            Exp_::IfElse(c, t, f) => Exp_::IfElse(self.bx(c), self.bx(t), self.bx(f)),
            Exp_::While(c, b) => Exp_::While(self.bx(c), self.bx(b)),
            Exp_::Loop { has_break, body } => Exp_::Loop {
                has_break,
                body: self.bx(body),
            },
            Exp_::Block(seq) => Exp_::Block(seq.into_iter().map(|i| self.item(i)).collect()),
            Exp_::Assign(lvs, r) => {
                let lvs = self.lvalues(lvs);
                Exp_::Assign(lvs, self.bx(r))
            }
            Exp_::Mutate(l, r) => Exp_::Mutate(self.bx(l), self.bx(r)),
            Exp_::Return(i) => Exp_::Return(self.bx(i)),
            Exp_::Abort(i) => Exp_::Abort(self.bx(i)),
            Exp_::Dereference(i) => Exp_::Dereference(self.bx(i)),
            Exp_::Not(i, op) => Exp_::Not(self.bx(i), op),
            Exp_::Binop(l, op, t, r) => {
                let t = self.final_ty(&t, loc);
                Exp_::Binop(self.bx(l), op, t, self.bx(r))
            }
            Exp_::ExpList(es) => Exp_::ExpList(es.into_iter().map(|e| self.exp_(e)).collect()),
            Exp_::Cast(i, t) => Exp_::Cast(self.bx(i), t),
            Exp_::Annotate(i, t) => {
                let t = self.final_ty(&t, loc);
                Exp_::Annotate(self.bx(i), t)
            }
            e @ (Exp_::Unit { .. }
            | Exp_::Constant(_)
            | Exp_::Move { .. }
            | Exp_::Copy { .. }
            | Exp_::BorrowLocal(..)
            | Exp_::Break
            | Exp_::Continue
            | Exp_::Spec(_)) => e,
        };
        Exp { ty, loc, e }
    }
}

fn contains_var(t: &Type) -> bool {
    match t {
        Type::Var(_) => true,
        Type::Vector(i) | Type::Ref(_, i) => contains_var(i),
        Type::Struct(_, a) | Type::Tuple(a) => a.iter().any(contains_var),
        _ => false,
    }
}

fn replace_vars(t: &Type) -> Type {
    match t {
        Type::Var(_) => Type::Anything,
        Type::Vector(i) => Type::Vector(Box::new(replace_vars(i))),
        Type::Ref(m, i) => Type::Ref(*m, Box::new(replace_vars(i))),
        Type::Struct(k, a) => Type::Struct(k.clone(), a.iter().map(replace_vars).collect()),
        Type::Tuple(a) => Type::Tuple(a.iter().map(replace_vars).collect()),
        t => t.clone(),
    }
}

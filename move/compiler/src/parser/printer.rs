//! Prints a syntax tree back to Move source text. The output is not meant to look like hand
//! formatting; it is meant to parse back to the same tree (spans aside): parentheses are added
//! where precedence or the grammar's token-level rules need them, and documentation comments are
//! written back before the items they belong to.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::ast::*;

/// The source text of a whole file.
pub fn print_file(file: &SourceFile) -> String {
    let mut p = Printer {
        out: String::new(),
        indent: 0,
        docs: &file.doc_comments,
    };
    for def in &file.definitions {
        match def {
            Definition::Module(m) => p.module(m),
            Definition::Address(a) => {
                p.attributes(&a.attributes);
                p.line_start();
                p.out.push_str("address ");
                p.leading(&a.addr);
                p.out.push_str(" {");
                p.indent += 1;
                for m in &a.modules {
                    p.module(m);
                }
                p.indent -= 1;
                p.line("}");
            }
            Definition::Script(s) => p.script(s),
        }
    }
    p.out.push('\n');
    p.out
}

/// The source text of one expression.
pub fn print_exp(e: &Exp) -> String {
    let empty = BTreeMap::new();
    let mut p = Printer {
        out: String::new(),
        indent: 0,
        docs: &empty,
    };
    p.exp(e);
    p.out
}

struct Printer<'a> {
    out: String,
    indent: usize,
    docs: &'a BTreeMap<u32, String>,
}

/// How tightly an expression binds, for deciding where parentheses are needed.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// Anything (`x = e`, lambdas, quantifiers, control expressions).
    Any,
    /// Operand of a binary operator of the given precedence.
    Binop(u32),
    /// Operand of a unary operator, or left side of an assignment.
    Unary,
    /// Base of `.f` or `[i]`.
    Term,
}

impl<'a> Printer<'a> {
    fn line_start(&mut self) {
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
    }

    fn line(&mut self, s: &str) {
        self.line_start();
        self.out.push_str(s);
    }

    fn doc(&mut self, start: u32) {
        let Some(text) = self.docs.get(&start) else {
            return;
        };
        let lines: Vec<&str> = text.split('\n').collect();
        // `///` comments cannot carry text starting with `/` (that would make `////`) or
        // a trailing `\r`; a block comment can, as long as it does not contain `*/`.
        let line_safe = lines
            .iter()
            .all(|l| !l.starts_with('/') && !l.ends_with('\r') && !l.contains('\r'));
        if line_safe {
            for l in lines {
                self.line_start();
                self.out.push_str("///");
                self.out.push_str(l);
            }
        } else {
            self.line_start();
            self.out.push_str("/**");
            self.out.push_str(text);
            self.out.push_str("*/");
        }
    }

    fn attributes(&mut self, attrs: &[Attributes]) {
        for group in attrs {
            self.line_start();
            self.out.push_str("#[");
            self.attribute_list(&group.value);
            self.out.push(']');
        }
    }

    fn attribute_list(&mut self, attrs: &[Attribute]) {
        for (i, a) in attrs.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            match &a.value {
                Attribute_::Name(n) => self.out.push_str(&n.value),
                Attribute_::Assigned(n, v) => {
                    self.out.push_str(&n.value);
                    self.out.push_str(" = ");
                    match &v.value {
                        AttributeValue_::Value(v) => self.value(v),
                        AttributeValue_::ModuleAccess(c) => self.chain(c),
                    }
                }
                Attribute_::Parameterized(n, args) => {
                    self.out.push_str(&n.value);
                    self.out.push('(');
                    self.attribute_list(&args.value);
                    self.out.push(')');
                }
            }
        }
    }

    fn leading(&mut self, l: &LeadingNameAccess) {
        match &l.value {
            LeadingNameAccess_::AnonymousAddress(a) => self.out.push_str(&a.text),
            LeadingNameAccess_::Name(n) => self.out.push_str(&n.value),
        }
    }

    fn chain(&mut self, c: &NameAccessChain) {
        match &c.value {
            NameAccessChain_::One(n) => self.out.push_str(&n.value),
            NameAccessChain_::Two(l, n) => {
                self.leading(l);
                self.out.push_str("::");
                self.out.push_str(&n.value);
            }
            NameAccessChain_::Three(ln, n3) => {
                self.leading(&ln.value.0);
                self.out.push_str("::");
                self.out.push_str(&ln.value.1.value);
                self.out.push_str("::");
                self.out.push_str(&n3.value);
            }
        }
    }

    fn module_ident(&mut self, m: &ModuleIdent) {
        self.leading(&m.value.address);
        self.out.push_str("::");
        self.out.push_str(&m.value.module.value);
    }

    fn module(&mut self, m: &ModuleDefinition) {
        self.attributes(&m.attributes);
        self.doc(m.loc.start);
        self.line_start();
        self.out
            .push_str(if m.is_spec_module { "spec " } else { "module " });
        if let Some(a) = &m.address {
            self.leading(a);
            self.out.push_str("::");
        }
        self.out.push_str(&m.name.value);
        self.out.push_str(" {");
        self.indent += 1;
        for member in &m.members {
            match member {
                ModuleMember::Function(f) => self.function(f),
                ModuleMember::Struct(s) => self.struct_def(s),
                ModuleMember::Use(u) => self.use_decl(u),
                ModuleMember::Friend(f) => {
                    self.attributes(&f.attributes);
                    self.line_start();
                    self.out.push_str("friend ");
                    self.chain(&f.friend);
                    self.out.push(';');
                }
                ModuleMember::Constant(c) => self.constant(c),
                ModuleMember::Spec(s) => self.spec_block(s),
            }
        }
        self.indent -= 1;
        self.line("}");
    }

    fn script(&mut self, s: &Script) {
        self.attributes(&s.attributes);
        self.line("script {");
        self.indent += 1;
        for u in &s.uses {
            self.use_decl(u);
        }
        for c in &s.constants {
            self.constant(c);
        }
        self.function(&s.function);
        for spec in &s.specs {
            self.spec_block(spec);
        }
        self.indent -= 1;
        self.line("}");
    }

    fn use_decl(&mut self, u: &UseDecl) {
        self.attributes(&u.attributes);
        self.line_start();
        self.out.push_str("use ");
        match &u.use_ {
            Use::Module(m, alias) => {
                self.module_ident(m);
                if let Some(a) = alias {
                    self.out.push_str(" as ");
                    self.out.push_str(&a.value);
                }
            }
            Use::Members(m, members) => {
                self.module_ident(m);
                self.out.push_str("::{");
                for (i, (n, alias)) in members.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.out.push_str(&n.value);
                    if let Some(a) = alias {
                        self.out.push_str(" as ");
                        self.out.push_str(&a.value);
                    }
                }
                self.out.push('}');
            }
        }
        self.out.push(';');
    }

    fn constant(&mut self, c: &Constant) {
        self.attributes(&c.attributes);
        self.doc(c.loc.start);
        self.line_start();
        self.out.push_str("const ");
        self.out.push_str(&c.name.value);
        self.out.push_str(": ");
        self.ty(&c.signature);
        self.out.push_str(" = ");
        self.exp(&c.value);
        self.out.push(';');
    }

    fn abilities(&mut self, abilities: &[Ability], sep: &str) {
        for (i, a) in abilities.iter().enumerate() {
            if i > 0 {
                self.out.push_str(sep);
            }
            self.out.push_str(a.value.as_str());
        }
    }

    fn type_parameters(&mut self, tps: &[TypeParameter]) {
        if tps.is_empty() {
            return;
        }
        self.out.push('<');
        for (i, (n, cs)) in tps.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.out.push_str(&n.value);
            if !cs.is_empty() {
                self.out.push_str(": ");
                self.abilities(cs, " + ");
            }
        }
        self.out.push('>');
    }

    fn struct_def(&mut self, s: &StructDefinition) {
        self.attributes(&s.attributes);
        self.doc(s.loc.start);
        self.line_start();
        if matches!(s.fields, StructFields::Native(_)) {
            self.out.push_str("native ");
        }
        self.out.push_str("struct ");
        self.out.push_str(&s.name.value);
        if !s.type_parameters.is_empty() {
            self.out.push('<');
            for (i, tp) in s.type_parameters.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                if tp.is_phantom {
                    self.out.push_str("phantom ");
                }
                self.out.push_str(&tp.name.value);
                if !tp.constraints.is_empty() {
                    self.out.push_str(": ");
                    self.abilities(&tp.constraints, " + ");
                }
            }
            self.out.push('>');
        }
        if !s.abilities.is_empty() {
            self.out.push_str(" has ");
            self.abilities(&s.abilities, ", ");
        }
        match &s.fields {
            StructFields::Native(_) => self.out.push(';'),
            StructFields::Defined(fields) => {
                self.out.push_str(" {");
                self.indent += 1;
                for (i, (f, t)) in fields.iter().enumerate() {
                    self.doc(f.loc.start);
                    self.line_start();
                    self.out.push_str(&f.value);
                    self.out.push_str(": ");
                    self.ty(t);
                    if i + 1 < fields.len() {
                        self.out.push(',');
                    }
                }
                self.indent -= 1;
                self.line("}");
            }
        }
    }

    fn signature(&mut self, name: &Name, sig: &FunctionSignature) {
        self.out.push_str(&name.value);
        self.type_parameters(&sig.type_parameters);
        self.out.push('(');
        for (i, (n, t)) in sig.parameters.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.out.push_str(&n.value);
            self.out.push_str(": ");
            self.ty(t);
        }
        self.out.push(')');
        if !matches!(sig.return_type.value, Type_::Unit) {
            self.out.push_str(": ");
            self.ty(&sig.return_type);
        }
    }

    fn function(&mut self, f: &Function) {
        self.attributes(&f.attributes);
        self.doc(f.loc.start);
        self.line_start();
        match &f.visibility {
            Visibility::Public(_) => self.out.push_str("public "),
            Visibility::Script(_) => self.out.push_str("public(script) "),
            Visibility::Friend(_) => self.out.push_str("public(friend) "),
            Visibility::Internal => {}
        }
        if f.entry.is_some() && !matches!(f.visibility, Visibility::Script(_)) {
            self.out.push_str("entry ");
        }
        if f.native.is_some() {
            self.out.push_str("native ");
        }
        if f.inline {
            self.out.push_str("inline ");
        }
        self.out.push_str("fun ");
        self.signature(&f.name, &f.signature);
        if !f.acquires.is_empty() {
            self.out.push_str(" acquires ");
            for (i, a) in f.acquires.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.chain(a);
            }
        }
        self.body(&f.body);
    }

    fn body(&mut self, body: &FunctionBody) {
        match &body.value {
            FunctionBody_::Native => self.out.push(';'),
            FunctionBody_::Defined(seq) => {
                self.out.push(' ');
                self.sequence(seq);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Specs

    fn spec_block(&mut self, s: &SpecBlock) {
        self.attributes(&s.value.attributes);
        self.doc(s.loc.start);
        self.line_start();
        self.spec_block_inline(s);
    }

    fn spec_block_inline(&mut self, s: &SpecBlock) {
        self.out.push_str("spec ");
        match &s.value.target.value {
            SpecBlockTarget_::Code => {}
            SpecBlockTarget_::Module => self.out.push_str("module "),
            SpecBlockTarget_::Member(n, sig) => {
                match sig {
                    Some(sig) => {
                        self.signature(n, sig);
                        // An explicit `()` return type would be dropped by `signature`; keep the
                        // tree identical by writing nothing, which parses to `()` as well.
                    }
                    None => self.out.push_str(&n.value),
                }
                self.out.push(' ');
            }
            SpecBlockTarget_::Schema(n, tps) => {
                self.out.push_str("schema ");
                self.out.push_str(&n.value);
                self.type_parameters(tps);
                self.out.push(' ');
            }
        }
        self.out.push('{');
        self.indent += 1;
        for u in &s.value.uses {
            self.use_decl(u);
        }
        for m in &s.value.members {
            // A module-level `invariant` is a block of one member starting where the block
            // does: its documentation belongs to the block and is printed once.
            let shares_start = m.loc.start == s.loc.start;
            self.spec_member(m, !shares_start);
        }
        self.indent -= 1;
        self.line("}");
    }

    fn properties(&mut self, props: &[PragmaProperty]) {
        for (i, p) in props.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.out.push_str(&p.value.name.value);
            match &p.value.value {
                None => {}
                Some(PragmaValue::Literal(v)) => {
                    self.out.push_str(" = ");
                    self.value(v);
                }
                Some(PragmaValue::Ident(c)) => {
                    self.out.push_str(" = ");
                    self.chain(c);
                }
            }
        }
    }

    fn condition_properties(&mut self, props: &[PragmaProperty]) {
        if !props.is_empty() {
            self.out.push_str(" [");
            self.properties(props);
            self.out.push(']');
        }
    }

    fn spec_member(&mut self, m: &SpecBlockMember, with_doc: bool) {
        if with_doc {
            self.doc(m.loc.start);
        }
        self.line_start();
        match &m.value {
            SpecBlockMember_::Condition {
                kind,
                properties,
                exp,
                additional_exps,
            } => {
                self.out.push_str(kind.value.keyword());
                match &kind.value {
                    SpecConditionKind_::Invariant(tps) | SpecConditionKind_::Axiom(tps) => {
                        self.type_parameters(tps)
                    }
                    SpecConditionKind_::InvariantUpdate(tps) => {
                        self.type_parameters(tps);
                        self.out.push_str(" update");
                    }
                    _ => {}
                }
                self.condition_properties(properties);
                if let Some(e) = exp {
                    self.out.push(' ');
                    self.exp(e);
                }
                match &kind.value {
                    SpecConditionKind_::AbortsIf => {
                        if let Some(code) = additional_exps.first() {
                            self.out.push_str(" with ");
                            self.exp(code);
                        }
                    }
                    SpecConditionKind_::AbortsWith | SpecConditionKind_::Modifies => {
                        for (i, e) in additional_exps.iter().enumerate() {
                            self.out.push_str(if i == 0 { " " } else { ", " });
                            self.exp(e);
                        }
                    }
                    SpecConditionKind_::Emits => {
                        if let Some(to) = additional_exps.first() {
                            self.out.push_str(" to ");
                            self.exp(to);
                        }
                        if let Some(cond) = additional_exps.get(1) {
                            self.out.push_str(" if ");
                            self.exp(cond);
                        }
                    }
                    _ => {}
                }
                self.out.push(';');
            }
            SpecBlockMember_::Function {
                native,
                name,
                signature,
                body,
                ..
            } => {
                if *native {
                    self.out.push_str("native ");
                }
                self.out.push_str("fun ");
                self.signature(name, signature);
                if matches!(signature.return_type.value, Type_::Unit) {
                    // Spec functions always declare a result type.
                    self.out.push_str(": ()");
                }
                self.body(body);
            }
            SpecBlockMember_::Variable {
                is_global,
                is_local,
                name,
                type_parameters,
                type_,
                init,
            } => {
                if *is_global {
                    self.out.push_str("global ");
                } else if *is_local {
                    self.out.push_str("local ");
                }
                self.out.push_str(&name.value);
                self.type_parameters(type_parameters);
                self.out.push_str(": ");
                self.ty(type_);
                if let Some(e) = init {
                    self.out.push_str(" = ");
                    self.exp(e);
                }
                self.out.push(';');
            }
            SpecBlockMember_::Let {
                name,
                post_state,
                def,
            } => {
                self.out
                    .push_str(if *post_state { "let post " } else { "let " });
                self.out.push_str(&name.value);
                self.out.push_str(" = ");
                self.exp(def);
                self.out.push(';');
            }
            SpecBlockMember_::Update { lhs, rhs } => {
                self.out.push_str("update ");
                self.exp_at(lhs, Level::Unary);
                self.out.push_str(" = ");
                self.exp(rhs);
                self.out.push(';');
            }
            SpecBlockMember_::Include { properties, exp } => {
                self.out.push_str("include");
                self.condition_properties(properties);
                self.out.push(' ');
                self.exp(exp);
                self.out.push(';');
            }
            SpecBlockMember_::Apply {
                exp,
                patterns,
                exclusion_patterns,
            } => {
                self.out.push_str("apply ");
                self.exp(exp);
                self.out.push_str(" to ");
                self.apply_patterns(patterns);
                if !exclusion_patterns.is_empty() {
                    self.out.push_str(" except ");
                    self.apply_patterns(exclusion_patterns);
                }
                self.out.push(';');
            }
            SpecBlockMember_::Pragma { properties } => {
                self.out.push_str("pragma ");
                self.properties(properties);
                self.out.push(';');
            }
        }
    }

    fn apply_patterns(&mut self, patterns: &[SpecApplyPattern]) {
        for (i, p) in patterns.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            match &p.value.visibility {
                Some(Visibility::Internal) => self.out.push_str("internal "),
                Some(_) => self.out.push_str("public "),
                None => {}
            }
            for f in &p.value.name_pattern {
                match &f.value {
                    SpecApplyFragment_::Wildcard => self.out.push('*'),
                    SpecApplyFragment_::NamePart(n) => self.out.push_str(&n.value),
                }
            }
            self.type_parameters(&p.value.type_parameters);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Types, binds, values

    fn ty(&mut self, t: &Type) {
        match &t.value {
            Type_::Apply(n, args) => {
                self.chain(n);
                if !args.is_empty() {
                    self.out.push('<');
                    self.types(args);
                    self.out.push('>');
                }
            }
            Type_::Ref(mutable, inner) => {
                if *mutable {
                    self.out.push_str("&mut ");
                } else if matches!(inner.value, Type_::Ref(..)) {
                    // `&&` would lex as one token.
                    self.out.push_str("& ");
                } else {
                    self.out.push('&');
                }
                self.ty(inner);
            }
            Type_::Fun(args, result) => {
                self.out.push('|');
                self.types(args);
                self.out.push('|');
                self.ty(result);
            }
            Type_::Unit => self.out.push_str("()"),
            Type_::Multiple(ts) => {
                self.out.push('(');
                self.types(ts);
                self.out.push(')');
            }
        }
    }

    fn types(&mut self, ts: &[Type]) {
        for (i, t) in ts.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.ty(t);
        }
    }

    fn type_args(&mut self, tys: &Option<Vec<Type>>) {
        if let Some(tys) = tys {
            self.out.push('<');
            self.types(tys);
            self.out.push('>');
        }
    }

    fn bind(&mut self, b: &Bind) {
        match &b.value {
            Bind_::Var(n) => self.out.push_str(&n.value),
            Bind_::Unpack(n, tys, fields) => {
                self.chain(n);
                self.type_args(tys);
                self.out.push_str(" { ");
                for (i, (f, b)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.out.push_str(&f.value);
                    self.out.push_str(": ");
                    self.bind(b);
                }
                self.out.push_str(" }");
            }
        }
    }

    fn binds(&mut self, bs: &[Bind]) {
        for (i, b) in bs.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.bind(b);
        }
    }

    fn value(&mut self, v: &Value) {
        match &v.value {
            Value_::Address(a) => {
                self.out.push('@');
                self.leading(a);
            }
            Value_::Num(n) => self.out.push_str(n),
            Value_::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value_::HexString(s) => {
                let _ = write!(self.out, "x\"{s}\"");
            }
            Value_::ByteString(s) => {
                let _ = write!(self.out, "b\"{s}\"");
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    fn sequence(&mut self, seq: &Sequence) {
        self.out.push('{');
        self.indent += 1;
        for u in &seq.uses {
            self.use_decl(u);
        }
        for item in &seq.items {
            self.line_start();
            match &item.value {
                SequenceItem_::Seq(e) => self.exp(e),
                SequenceItem_::Declare(b, t) => self.let_(b, t.as_ref(), None),
                SequenceItem_::Bind(b, t, e) => self.let_(b, t.as_ref(), Some(e)),
            }
            self.out.push(';');
        }
        if let Some(e) = &seq.result {
            self.line_start();
            self.exp(e);
        }
        self.indent -= 1;
        self.line("}");
    }

    fn let_(&mut self, b: &BindList, t: Option<&Type>, e: Option<&Exp>) {
        self.out.push_str("let ");
        if b.value.len() == 1 {
            self.binds(&b.value);
        } else {
            self.out.push('(');
            self.binds(&b.value);
            self.out.push(')');
        }
        if let Some(t) = t {
            self.out.push_str(": ");
            self.ty(t);
        }
        if let Some(e) = e {
            self.out.push_str(" = ");
            self.exp(e);
        }
    }

    fn exp(&mut self, e: &Exp) {
        self.exp_at(e, Level::Any);
    }

    fn exps(&mut self, es: &[Exp]) {
        for (i, e) in es.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.exp(e);
        }
    }

    /// The level an expression needs around it to be read back as itself.
    fn level_of(e: &Exp) -> Level {
        match &e.value {
            Exp_::Assign(..)
            | Exp_::Lambda(..)
            | Exp_::Quant(..)
            | Exp_::IfElse(..)
            | Exp_::While(..)
            | Exp_::Loop(..)
            | Exp_::Return(..)
            | Exp_::Abort(..) => Level::Any,
            Exp_::BinopExp(_, op, _) => Level::Binop(op.value.precedence()),
            Exp_::UnaryExp(..)
            | Exp_::Borrow(..)
            | Exp_::Dereference(..)
            | Exp_::Move(_)
            | Exp_::Copy(_) => Level::Unary,
            // `vector` followed by `[` would read as a vector literal, and by `<` as the start
            // of its type arguments: parenthesised wherever something may follow.
            Exp_::Name(chain, None) if matches!(&chain.value, NameAccessChain_::One(n) if n.value.as_str() == "vector") => {
                Level::Any
            }
            _ => Level::Term,
        }
    }

    fn exp_at(&mut self, e: &Exp, ctx: Level) {
        let own = Self::level_of(e);
        let fits = match (ctx, own) {
            (Level::Any, _) => true,
            (Level::Binop(c), Level::Binop(o)) => o >= c,
            (Level::Binop(_), Level::Unary | Level::Term) => true,
            (Level::Unary, Level::Unary | Level::Term) => true,
            (Level::Term, Level::Term) => true,
            _ => false,
        };
        if fits {
            self.exp_raw(e);
        } else {
            self.out.push('(');
            self.exp_raw(e);
            self.out.push(')');
        }
    }

    /// A branch of `if`, the body of `while`/`loop`, or the operand of `return`/`abort`: a
    /// block is printed as is; other expressions in parentheses when they could swallow
    /// what follows (an `else`, a `spec`).
    fn branch(&mut self, e: &Exp, guarded: bool) {
        match &e.value {
            Exp_::Block(seq) => self.sequence(seq),
            _ if guarded && Self::level_of(e) == Level::Any => {
                self.out.push('(');
                self.exp_raw(e);
                self.out.push(')');
            }
            _ => self.exp(e),
        }
    }

    fn exp_raw(&mut self, e: &Exp) {
        match &e.value {
            Exp_::Value(v) => self.value(v),
            Exp_::Move(n) => {
                self.out.push_str("move ");
                self.out.push_str(&n.value);
            }
            Exp_::Copy(n) => {
                self.out.push_str("copy ");
                self.out.push_str(&n.value);
            }
            Exp_::Name(n, tys) => {
                self.chain(n);
                self.type_args(tys);
            }
            Exp_::Call(n, is_macro, tys, args) => {
                self.chain(n);
                if *is_macro {
                    self.out.push('!');
                }
                self.type_args(tys);
                self.out.push('(');
                self.exps(&args.value);
                self.out.push(')');
            }
            Exp_::Pack(n, tys, fields) => {
                self.chain(n);
                self.type_args(tys);
                self.out.push_str(" { ");
                for (i, (f, e)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.out.push_str(&f.value);
                    self.out.push_str(": ");
                    self.exp(e);
                }
                self.out.push_str(" }");
            }
            Exp_::Vector(_, tys, args) => {
                self.out.push_str("vector");
                self.type_args(tys);
                self.out.push('[');
                self.exps(&args.value);
                self.out.push(']');
            }
            Exp_::IfElse(c, t, f) => {
                self.out.push_str("if (");
                self.exp(c);
                self.out.push_str(") ");
                self.branch(t, f.is_some());
                if let Some(f) = f {
                    self.out.push_str(" else ");
                    self.branch(f, false);
                }
            }
            Exp_::While(c, body, spec) => {
                self.out.push_str("while (");
                self.exp(c);
                self.out.push_str(") ");
                self.branch(body, spec.is_some());
                if let Some(spec) = spec {
                    self.out.push(' ');
                    self.spec_block_inline(spec);
                }
            }
            Exp_::Loop(body) => {
                self.out.push_str("loop ");
                self.branch(body, false);
            }
            Exp_::Block(seq) => self.sequence(seq),
            Exp_::Lambda(binds, body) => {
                self.out.push('|');
                self.binds(&binds.value);
                self.out.push_str("| ");
                self.exp(body);
            }
            Exp_::Quant(kind, binds, triggers, cond, body) => {
                self.out.push_str(match kind.value {
                    QuantKind_::Forall => "forall ",
                    QuantKind_::Exists => "exists ",
                    QuantKind_::Choose => "choose ",
                    QuantKind_::ChooseMin => "choose min ",
                });
                for (i, b) in binds.value.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.out.push_str(&b.value.0.value);
                    match &b.value.1 {
                        QuantRange::Type(t) => {
                            self.out.push_str(": ");
                            self.ty(t);
                        }
                        QuantRange::In(e) => {
                            self.out.push_str(" in (");
                            self.exp(e);
                            self.out.push(')');
                        }
                    }
                }
                for t in triggers {
                    self.out.push('{');
                    self.exps(t);
                    self.out.push('}');
                }
                if matches!(kind.value, QuantKind_::Choose | QuantKind_::ChooseMin) {
                    self.out.push_str(" where ");
                    self.exp(body);
                } else {
                    if let Some(c) = cond {
                        self.out.push_str(" where (");
                        self.exp(c);
                        self.out.push(')');
                    }
                    self.out.push_str(": ");
                    self.exp(body);
                }
            }
            Exp_::ExpList(es) => {
                self.out.push('(');
                self.exps(es);
                self.out.push(')');
            }
            Exp_::Unit => self.out.push_str("()"),
            Exp_::Assign(lhs, rhs) => {
                self.exp_at(lhs, Level::Unary);
                self.out.push_str(" = ");
                self.exp(rhs);
            }
            Exp_::Return(e) => {
                self.out.push_str("return");
                if let Some(e) = e {
                    self.out.push(' ');
                    self.branch(e, false);
                }
            }
            Exp_::Abort(e) => {
                self.out.push_str("abort ");
                self.branch(e, false);
            }
            Exp_::Break => self.out.push_str("break"),
            Exp_::Continue => self.out.push_str("continue"),
            Exp_::Dereference(e) => {
                self.out.push('*');
                self.exp_at(e, Level::Unary);
            }
            Exp_::UnaryExp(_, e) => {
                self.out.push('!');
                self.exp_at(e, Level::Unary);
            }
            Exp_::BinopExp(l, op, r) => {
                let prec = op.value.precedence();
                self.exp_at(l, Level::Binop(prec));
                self.out.push(' ');
                self.out.push_str(op.value.symbol());
                self.out.push(' ');
                self.exp_at(r, Level::Binop(prec + 1));
            }
            Exp_::Borrow(mutable, e) => {
                if *mutable {
                    self.out.push_str("&mut ");
                    self.exp_at(e, Level::Unary);
                } else {
                    // `&&` and `&mut ` would lex as other tokens: print the operand apart and
                    // parenthesise it when it starts with `&` or `mut`.
                    let mut inner = Printer {
                        out: String::new(),
                        indent: self.indent,
                        docs: self.docs,
                    };
                    inner.exp_at(e, Level::Unary);
                    self.out.push('&');
                    if inner.out.starts_with('&') || inner.out.starts_with("mut") {
                        self.out.push('(');
                        self.out.push_str(&inner.out);
                        self.out.push(')');
                    } else {
                        self.out.push_str(&inner.out);
                    }
                }
            }
            Exp_::Dot(e, n) => {
                self.exp_at(e, Level::Term);
                self.out.push('.');
                self.out.push_str(&n.value);
            }
            Exp_::Index(e, i) => {
                self.exp_at(e, Level::Term);
                self.out.push('[');
                self.exp(i);
                self.out.push(']');
            }
            Exp_::Cast(e, t) => {
                self.out.push('(');
                self.exp(e);
                self.out.push_str(" as ");
                self.ty(t);
                self.out.push(')');
            }
            Exp_::Annotate(e, t) => {
                self.out.push('(');
                self.exp(e);
                self.out.push_str(": ");
                self.ty(t);
                self.out.push(')');
            }
            Exp_::Spec(s) => self.spec_block_inline(s),
        }
    }
}

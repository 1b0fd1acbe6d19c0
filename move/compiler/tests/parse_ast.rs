//! The shape of parsed trees against hand-written expectations from the reference grammar:
//! operator precedence and associativity, the `<`/`>>` rules, control expressions followed by
//! operators, declarations with every modifier, attributes kept as data, documentation comments
//! attached to items, and the specification language.

use move_compiler::parser::ast::*;
use move_compiler::parser::parse_file;

fn parse(src: &str) -> SourceFile {
    let out = parse_file(FileId(0), src);
    assert!(!out.has_errors(), "{src}\n{:?}", out.diagnostics);
    out.file.expect("tree")
}

fn chain(c: &NameAccessChain) -> String {
    let lead = |l: &LeadingNameAccess| match &l.value {
        LeadingNameAccess_::AnonymousAddress(a) => a.text.to_string(),
        LeadingNameAccess_::Name(n) => n.value.to_string(),
    };
    match &c.value {
        NameAccessChain_::One(n) => n.value.to_string(),
        NameAccessChain_::Two(l, n) => format!("{}::{}", lead(l), n.value),
        NameAccessChain_::Three(ln, n) => {
            format!("{}::{}::{}", lead(&ln.value.0), ln.value.1.value, n.value)
        }
    }
}

fn ty(t: &Type) -> String {
    match &t.value {
        Type_::Apply(n, args) if args.is_empty() => chain(n),
        Type_::Apply(n, args) => format!(
            "{}<{}>",
            chain(n),
            args.iter().map(ty).collect::<Vec<_>>().join(",")
        ),
        Type_::Ref(m, t) => format!("&{}{}", if *m { "mut " } else { "" }, ty(t)),
        Type_::Fun(a, r) => format!(
            "|{}|{}",
            a.iter().map(ty).collect::<Vec<_>>().join(","),
            ty(r)
        ),
        Type_::Unit => "()".into(),
        Type_::Multiple(ts) => format!("({})", ts.iter().map(ty).collect::<Vec<_>>().join(",")),
    }
}

/// An s-expression of an expression, parenthesising every operator.
fn sx(e: &Exp) -> String {
    let list = |es: &[Exp]| es.iter().map(sx).collect::<Vec<_>>().join(" ");
    let tys = |t: &Option<Vec<Type>>| match t {
        None => String::new(),
        Some(ts) => format!("<{}>", ts.iter().map(ty).collect::<Vec<_>>().join(",")),
    };
    match &e.value {
        Exp_::Value(v) => match &v.value {
            Value_::Num(n) => n.to_string(),
            Value_::Bool(b) => b.to_string(),
            Value_::Address(a) => match &a.value {
                LeadingNameAccess_::AnonymousAddress(x) => format!("@{}", x.text),
                LeadingNameAccess_::Name(n) => format!("@{}", n.value),
            },
            Value_::HexString(s) => format!("x\"{s}\""),
            Value_::ByteString(s) => format!("b\"{s}\""),
        },
        Exp_::Move(n) => format!("(move {})", n.value),
        Exp_::Copy(n) => format!("(copy {})", n.value),
        Exp_::Name(n, t) => format!("{}{}", chain(n), tys(t)),
        Exp_::Call(n, m, t, args) => format!(
            "({}{}{} {})",
            chain(n),
            if *m { "!" } else { "" },
            tys(t),
            list(&args.value)
        ),
        Exp_::Pack(n, t, fs) => format!(
            "(pack {}{} {})",
            chain(n),
            tys(t),
            fs.iter()
                .map(|(f, e)| format!("{}:{}", f.value, sx(e)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Exp_::Vector(_, t, args) => format!("(vector{} {})", tys(t), list(&args.value)),
        Exp_::IfElse(c, t, f) => match f {
            Some(f) => format!("(if {} {} {})", sx(c), sx(t), sx(f)),
            None => format!("(if {} {})", sx(c), sx(t)),
        },
        Exp_::While(c, b, s) => format!(
            "(while {} {}{})",
            sx(c),
            sx(b),
            if s.is_some() { " spec" } else { "" }
        ),
        Exp_::Loop(b) => format!("(loop {})", sx(b)),
        Exp_::Block(seq) => {
            let mut items: Vec<String> = seq
                .items
                .iter()
                .map(|i| match &i.value {
                    SequenceItem_::Seq(e) => sx(e),
                    SequenceItem_::Declare(..) => "let".into(),
                    SequenceItem_::Bind(_, _, e) => format!("(let {})", sx(e)),
                })
                .collect();
            if let Some(r) = &seq.result {
                items.push(format!("=> {}", sx(r)));
            }
            format!("{{{}}}", items.join("; "))
        }
        Exp_::Lambda(b, body) => format!("(lambda {} {})", b.value.len(), sx(body)),
        Exp_::Quant(k, binds, triggers, cond, body) => format!(
            "({:?} [{}]{}{} {})",
            k.value,
            binds
                .value
                .iter()
                .map(|b| match &b.value.1 {
                    QuantRange::Type(t) => format!("{}:{}", b.value.0.value, ty(t)),
                    QuantRange::In(e) => format!("{} in {}", b.value.0.value, sx(e)),
                })
                .collect::<Vec<_>>()
                .join(", "),
            if triggers.is_empty() { "" } else { " triggers" },
            cond.as_ref()
                .map(|c| format!(" where {}", sx(c)))
                .unwrap_or_default(),
            sx(body)
        ),
        Exp_::ExpList(es) => format!("(tuple {})", list(es)),
        Exp_::Unit => "()".into(),
        Exp_::Assign(l, r) => format!("(= {} {})", sx(l), sx(r)),
        Exp_::Return(e) => match e {
            Some(e) => format!("(return {})", sx(e)),
            None => "(return)".into(),
        },
        Exp_::Abort(e) => format!("(abort {})", sx(e)),
        Exp_::Break => "break".into(),
        Exp_::Continue => "continue".into(),
        Exp_::Dereference(e) => format!("(* {})", sx(e)),
        Exp_::UnaryExp(_, e) => format!("(! {})", sx(e)),
        Exp_::BinopExp(l, op, r) => format!("({} {} {})", op.value.symbol(), sx(l), sx(r)),
        Exp_::Borrow(m, e) => format!("({} {})", if *m { "&mut" } else { "&" }, sx(e)),
        Exp_::Dot(e, n) => format!("(. {} {})", sx(e), n.value),
        Exp_::Index(e, i) => format!("([] {} {})", sx(e), sx(i)),
        Exp_::Cast(e, t) => format!("(as {} {})", sx(e), ty(t)),
        Exp_::Annotate(e, t) => format!("(: {} {})", sx(e), ty(t)),
        Exp_::Spec(_) => "spec".into(),
    }
}

fn module_of(file: &SourceFile) -> &ModuleDefinition {
    match &file.definitions[0] {
        Definition::Module(m) => m,
        Definition::Address(a) => &a.modules[0],
        Definition::Script(_) => panic!("expected a module"),
    }
}

/// The s-expression of the result of `fun f() { <exp> }`.
fn exp(src: &str) -> String {
    let file = parse(&format!("module 0x1::m {{ fun f() {{ {src} }} }}"));
    let ModuleMember::Function(f) = &module_of(&file).members[0] else {
        panic!("expected a function")
    };
    let FunctionBody_::Defined(seq) = &f.body.value else {
        panic!("expected a body")
    };
    let mut parts: Vec<String> = seq
        .items
        .iter()
        .map(|i| match &i.value {
            SequenceItem_::Seq(e) => sx(e),
            SequenceItem_::Bind(_, t, e) => format!(
                "(let{} {})",
                t.as_ref()
                    .map(|t| format!(":{}", ty(t)))
                    .unwrap_or_default(),
                sx(e)
            ),
            SequenceItem_::Declare(..) => "let".into(),
        })
        .collect();
    if let Some(r) = &seq.result {
        parts.push(sx(r));
    }
    parts.join("; ")
}

#[test]
fn precedence_follows_the_reference() {
    assert_eq!(
        exp("a || b && c == d + e * f"),
        "(|| a (&& b (== c (+ d (* e f)))))"
    );
    assert_eq!(exp("a | b ^ c & d << e"), "(| a (^ b (& c (<< d e))))");
    assert_eq!(exp("a * b + c * d"), "(+ (* a b) (* c d))");
    assert_eq!(exp("a % b / c"), "(/ (% a b) c)");
    assert_eq!(exp("x >> 1 < y"), "(< (>> x 1) y)");
}

#[test]
fn binary_operators_are_left_associative() {
    assert_eq!(exp("a - b - c"), "(- (- a b) c)");
    assert_eq!(exp("a / b * c"), "(* (/ a b) c)");
    assert_eq!(exp("a ==> b ==> c"), "(==> (==> a b) c)");
    assert_eq!(exp("a < b == c"), "(== (< a b) c)");
}

#[test]
fn unary_operators_bind_tighter_than_binary_ones() {
    assert_eq!(exp("!a && b"), "(&& (! a) b)");
    assert_eq!(exp("*x + 1"), "(+ (* x) 1)");
    assert_eq!(exp("&mut s.f.g"), "(&mut (. (. s f) g))");
    assert_eq!(exp("!!x"), "(! (! x))");
    assert_eq!(exp("move x + copy y"), "(+ (move x) (copy y))");
}

#[test]
fn assignment_and_casts() {
    assert_eq!(exp("*r = 1"), "(= (* r) 1)");
    assert_eq!(exp("x = y = 1"), "(= x (= y 1))");
    assert_eq!(exp("s.f = a + 1"), "(= (. s f) (+ a 1))");
    assert_eq!(exp("(x as u128) * 2"), "(* (as x u128) 2)");
    assert_eq!(exp("(x: u8)"), "(: x u8)");
    assert_eq!(exp("(a, b)"), "(tuple a b)");
    assert_eq!(exp("((a))"), "a");
}

#[test]
fn control_expressions_and_following_operators() {
    assert_eq!(
        exp("if (c) { a } else { b } + 1"),
        "(+ (if c {=> a} {=> b}) 1)"
    );
    assert_eq!(exp("if (c) a else b + 1"), "(if c a (+ b 1))");
    assert_eq!(
        exp("if (c) return else abort 1"),
        "(if c (return) (abort 1))"
    );
    assert_eq!(
        exp("while (i < n) i = i + 1"),
        "(while (< i n) (= i (+ i 1)))"
    );
    assert_eq!(exp("loop { break }"), "(loop {=> break})");
    assert_eq!(exp("return x + 1"), "(return (+ x 1))");
    assert_eq!(
        exp("while (i < n) { i = i + 1 } spec { invariant i <= n; }"),
        "(while (< i n) {=> (= i (+ i 1))} spec)"
    );
}

#[test]
fn angle_brackets() {
    assert_eq!(exp("f<u64>(x)"), "(f<u64> x)");
    assert_eq!(exp("a < b"), "(< a b)");
    assert_eq!(exp("a <b"), "(< a b)");
    assert_eq!(exp("a >> b"), "(>> a b)");
    assert_eq!(
        exp("let v: vector<vector<u8>> = vector<vector<u8>>[];"),
        "(let:vector<vector<u8>> (vector<vector<u8>> ))"
    );
    assert_eq!(
        exp("let v: Table<u64, vector<Option<u8>>> = t;"),
        "(let:Table<u64,vector<Option<u8>>> t)"
    );
    assert_eq!(
        exp("borrow_global_mut<S<T>>(a)"),
        "(borrow_global_mut<S<T>> a)"
    );
}

#[test]
fn literals_are_kept_as_written() {
    assert_eq!(exp("1_000u64"), "1_000u64");
    assert_eq!(exp("0xFFu8"), "0xFFu8");
    assert_eq!(exp("@0x1"), "@0x1");
    assert_eq!(exp("@std"), "@std");
    assert_eq!(exp("x\"ab01\""), "x\"ab01\"");
    assert_eq!(exp("b\"a\\\"q\""), "b\"a\\\"q\"");
    assert_eq!(exp("vector[1, 2,]"), "(vector 1 2)");
    assert_eq!(exp("0x1::m::f()"), "(0x1::m::f )");
    assert_eq!(exp("assert!(x, 1)"), "(assert! x 1)");
    assert_eq!(exp("S { a: 1, b }"), "(pack S a:1 b:b)");
}

#[test]
fn lambdas_as_arguments() {
    assert_eq!(
        exp("vector::for_each(v, |x| sum = sum + x)"),
        "(vector::for_each v (lambda 1 (= sum (+ sum x))))"
    );
    assert_eq!(exp("f(|a, b| a < b)"), "(f (lambda 2 (< a b)))");
}

#[test]
fn declarations_with_every_modifier() {
    let file = parse(
        "module std::m {
            use std::vector;
            use 0x1::option::{Self, Option as Opt};
            friend std::other;
            const E: u64 = 1;
            struct S<phantom T: store, U: copy + drop> has key, store { x: u64, y: vector<U> }
            native struct N has copy;
            public(friend) entry fun a() acquires S, N {}
            public inline fun b<T>(f: |T| bool): bool { true }
            native public fun c(): u64;
            entry public(script) fun d() {}
        }",
    );
    let m = module_of(&file);
    assert!(
        matches!(&m.address, Some(a) if matches!(&a.value, LeadingNameAccess_::Name(n) if n.value.as_str() == "std"))
    );
    let kinds: Vec<&str> = m
        .members
        .iter()
        .map(|mm| match mm {
            ModuleMember::Use(_) => "use",
            ModuleMember::Friend(_) => "friend",
            ModuleMember::Constant(_) => "const",
            ModuleMember::Struct(_) => "struct",
            ModuleMember::Function(_) => "fun",
            ModuleMember::Spec(_) => "spec",
        })
        .collect();
    assert_eq!(
        kinds,
        ["use", "use", "friend", "const", "struct", "struct", "fun", "fun", "fun", "fun"]
    );
    let ModuleMember::Use(u) = &m.members[1] else {
        panic!()
    };
    let Use::Members(_, members) = &u.use_ else {
        panic!()
    };
    let names: Vec<(String, Option<String>)> = members
        .iter()
        .map(|(n, a)| (n.value.to_string(), a.as_ref().map(|a| a.value.to_string())))
        .collect();
    assert_eq!(
        names,
        [
            ("Self".to_string(), None),
            ("Option".to_string(), Some("Opt".to_string()))
        ]
    );
    let ModuleMember::Struct(s) = &m.members[4] else {
        panic!()
    };
    assert!(s.type_parameters[0].is_phantom && !s.type_parameters[1].is_phantom);
    assert_eq!(s.type_parameters[1].constraints.len(), 2);
    let abilities: Vec<Ability_> = s.abilities.iter().map(|a| a.value).collect();
    assert_eq!(abilities, [Ability_::Key, Ability_::Store]);
    let ModuleMember::Struct(n) = &m.members[5] else {
        panic!()
    };
    assert!(matches!(n.fields, StructFields::Native(_)));
    let funs: Vec<&Function> = m
        .members
        .iter()
        .filter_map(|mm| match mm {
            ModuleMember::Function(f) => Some(f),
            _ => None,
        })
        .collect();
    assert!(matches!(funs[0].visibility, Visibility::Friend(_)) && funs[0].entry.is_some());
    assert_eq!(funs[0].acquires.len(), 2);
    assert!(funs[1].inline && matches!(funs[1].visibility, Visibility::Public(_)));
    assert_eq!(ty(&funs[1].signature.parameters[0].1), "|T|bool");
    assert!(funs[2].native.is_some() && matches!(funs[2].body.value, FunctionBody_::Native));
    assert!(matches!(funs[3].visibility, Visibility::Script(_)) && funs[3].entry.is_some());
}

#[test]
fn attributes_are_kept_as_data() {
    let file = parse(
        "#[test_only]
        module 0x1::t {
            #[test(a = @0x1), expected_failure(abort_code = 7, location = Self)]
            fun t(a: signer) {}
            #[view]
            #[whatever(x = b\"y\", nested(deep))]
            public fun v(): u64 { 1 }
        }",
    );
    let m = module_of(&file);
    assert_eq!(m.attributes.len(), 1);
    let ModuleMember::Function(t) = &m.members[0] else {
        panic!()
    };
    let names: Vec<&str> = t.attributes[0]
        .value
        .iter()
        .map(|a| match &a.value {
            Attribute_::Name(n) | Attribute_::Assigned(n, _) | Attribute_::Parameterized(n, _) => {
                n.value.as_str()
            }
        })
        .collect();
    assert_eq!(names, ["test", "expected_failure"]);
    let Attribute_::Parameterized(_, args) = &t.attributes[0].value[1].value else {
        panic!()
    };
    assert_eq!(args.value.len(), 2);
    let ModuleMember::Function(v) = &m.members[1] else {
        panic!()
    };
    assert_eq!(v.attributes.len(), 2);
    let Attribute_::Parameterized(n, args) = &v.attributes[1].value[0].value else {
        panic!()
    };
    assert_eq!(n.value.as_str(), "whatever");
    assert!(matches!(
        &args.value[1].value,
        Attribute_::Parameterized(..)
    ));
}

#[test]
fn doc_comments_attach_to_items() {
    let src = "/// Module doc.
module 0x1::m {
    /// Struct doc
    /// second line.
    #[test_only]
    struct S {
        /// Field doc.
        f: u64,
    }
    #[view]
    /// Function doc.
    public fun g(): u64 { 1 }
    /** Const doc. */
    const C: u64 = 1;
    spec g {
        /// Member doc.
        ensures result == 1;
    }
}
";
    let out = parse_file(FileId(0), src);
    let file = out.file.expect("tree");
    let docs: Vec<&str> = file.doc_comments.values().map(String::as_str).collect();
    assert_eq!(
        docs,
        [
            " Module doc.",
            " Field doc.",
            " Function doc.",
            " Const doc. ",
            " Member doc."
        ],
        "the struct's doc comment precedes its attribute, so it is not matched"
    );
    let warnings: Vec<(usize, usize)> = out.diagnostics.iter().map(|d| d.line_col(src)).collect();
    assert_eq!(warnings, [(3, 5), (4, 5)]);
    let m = module_of(&file);
    let ModuleMember::Function(g) = &m.members[1] else {
        panic!()
    };
    assert_eq!(
        file.doc_comments.get(&g.loc.start).map(String::as_str),
        Some(" Function doc.")
    );
}

#[test]
fn field_doc_comments_are_matched() {
    let file = parse(
        "module 0x1::m {\n    struct S {\n        /// The field.\n        f: u64,\n    }\n}\n",
    );
    let docs: Vec<&str> = file.doc_comments.values().map(String::as_str).collect();
    assert_eq!(docs, [" The field."]);
}

#[test]
fn specification_language() {
    let file = parse(
        "module 0x1::m {
            spec module { pragma verify = false, aborts_if_is_strict; }
            spec schema S<T> { x: u64; requires x > 0; }
            spec f(x: u64): u64 {
                let post r = result;
                aborts_if x == 0 with 7;
                aborts_with 1, 2;
                ensures forall i in 0..x: i < x;
                ensures exists y: u64 where y > 1: y == old(x);
                ensures (choose min z: u64 where z > 0) == 1;
                include S<u64> { x };
                modifies global<R>(@0x1);
                emits e to h if x > 1;
            }
            spec g { apply S to *foo*<T>, public bar except baz; }
            invariant update forall a: address: true;
            spec fun h(): u64 { 1 }
            spec native fun k(): bool;
        }",
    );
    let m = module_of(&file);
    assert_eq!(m.members.len(), 7);
    let ModuleMember::Spec(f) = &m.members[2] else {
        panic!()
    };
    let SpecBlockTarget_::Member(name, Some(sig)) = &f.value.target.value else {
        panic!()
    };
    assert_eq!(name.value.as_str(), "f");
    assert_eq!(ty(&sig.return_type), "u64");
    let conds: Vec<String> = f
        .value
        .members
        .iter()
        .map(|mm| match &mm.value {
            SpecBlockMember_::Condition {
                kind,
                exp,
                additional_exps,
                ..
            } => format!(
                "{} {} [{}]",
                kind.value.keyword(),
                exp.as_ref().map(sx).unwrap_or_default(),
                additional_exps.iter().map(sx).collect::<Vec<_>>().join(" ")
            ),
            SpecBlockMember_::Let {
                name,
                post_state,
                def,
            } => {
                format!(
                    "let{} {} {}",
                    if *post_state { " post" } else { "" },
                    name.value,
                    sx(def)
                )
            }
            SpecBlockMember_::Include { exp, .. } => format!("include {}", sx(exp)),
            _ => "other".into(),
        })
        .collect();
    assert_eq!(
        conds,
        [
            "let post r result",
            "aborts_if (== x 0) [7]",
            "aborts_with  [1 2]",
            "ensures (Forall [i in (.. 0 x)] (< i x)) []",
            "ensures (Exists [y:u64] where (> y 1) (== y (old x))) []",
            "ensures (== (ChooseMin [z:u64] (> z 0)) 1) []",
            "include (pack S<u64> x:x)",
            "modifies  [(global<R> @0x1)]",
            "emits e [h (> x 1)]",
        ]
    );
    let ModuleMember::Spec(g) = &m.members[3] else {
        panic!()
    };
    let SpecBlockMember_::Apply {
        patterns,
        exclusion_patterns,
        ..
    } = &g.value.members[0].value
    else {
        panic!()
    };
    assert_eq!(patterns.len(), 2);
    assert_eq!(patterns[0].value.name_pattern.len(), 3);
    assert_eq!(patterns[0].value.type_parameters.len(), 1);
    assert!(matches!(
        patterns[1].value.visibility,
        Some(Visibility::Public(_))
    ));
    assert_eq!(exclusion_patterns.len(), 1);
    let ModuleMember::Spec(inv) = &m.members[4] else {
        panic!()
    };
    assert!(matches!(inv.value.target.value, SpecBlockTarget_::Module));
    let SpecBlockMember_::Condition { kind, .. } = &inv.value.members[0].value else {
        panic!()
    };
    assert!(matches!(kind.value, SpecConditionKind_::InvariantUpdate(_)));
    let ModuleMember::Spec(k) = &m.members[6] else {
        panic!()
    };
    assert!(matches!(
        k.value.members[0].value,
        SpecBlockMember_::Function {
            native: true,
            uninterpreted: false,
            ..
        }
    ));
}

#[test]
fn scripts_and_address_blocks() {
    let file = parse(
        "address 0x42 { module a {} module b {} }
        script {
            use std::signer;
            const C: u64 = 1;
            fun main(s: signer) { signer::address_of(&s); }
            spec main { aborts_if false; }
        }",
    );
    let Definition::Address(a) = &file.definitions[0] else {
        panic!()
    };
    assert_eq!(a.modules.len(), 2);
    assert!(a.modules.iter().all(|m| m.address.is_none()));
    let Definition::Script(s) = &file.definitions[1] else {
        panic!()
    };
    assert_eq!((s.uses.len(), s.constants.len(), s.specs.len()), (1, 1, 1));
    assert_eq!(s.function.name.value.as_str(), "main");
}

#[test]
fn spans_cover_the_source_text() {
    let src = "module 0x1::m { fun f(): u64 { 1 + 2 } }";
    let file = parse(src);
    let ModuleMember::Function(f) = &module_of(&file).members[0] else {
        panic!()
    };
    let text = |l: Loc| &src[l.start as usize..l.end as usize];
    assert_eq!(text(f.loc), "fun f(): u64 { 1 + 2 }");
    assert_eq!(text(f.name.loc), "f");
    assert_eq!(text(f.signature.return_type.loc), "u64");
    let FunctionBody_::Defined(seq) = &f.body.value else {
        panic!()
    };
    let r = seq.result.as_ref().expect("result");
    assert_eq!(text(r.loc), "1 + 2");
    let Exp_::BinopExp(_, op, rhs) = &r.value else {
        panic!()
    };
    assert_eq!((text(op.loc), text(rhs.loc)), ("+", "2"));
    assert_eq!(text(module_of(&file).loc), src);
}

#[test]
fn doc_comment_of_a_module_invariant_is_printed_once() {
    let src = "module 0x1::m {\n    /// Always.\n    invariant true;\n}\n";
    let file = parse(src);
    let docs: Vec<&str> = file.doc_comments.values().map(String::as_str).collect();
    assert_eq!(docs, [" Always."]);
    let printed = move_compiler::parser::printer::print_file(&file);
    assert_eq!(printed.matches("/// Always.").count(), 1, "{printed}");
    let again = parse(&printed);
    let docs2: Vec<&str> = again.doc_comments.values().map(String::as_str).collect();
    assert_eq!(docs2, [" Always."]);
}

//! Round trip on generated programs: random expression text built from the grammar's pieces
//! (operators of every precedence, unary operators, borrows, control expressions with and
//! without blocks, casts, calls, lambdas, quantifiers) is parsed; whenever it parses, printing
//! the tree and parsing the text again must give the same tree, spans aside.

use move_compiler::parser::ast::FileId;
use move_compiler::parser::{parse_file, printer};
use proptest::prelude::*;

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("x".to_string()),
        Just("y".to_string()),
        Just("1".to_string()),
        Just("2u8".to_string()),
        Just("true".to_string()),
        Just("@0x1".to_string()),
        Just("b\"ab\"".to_string()),
        Just("vector".to_string()),
        Just("mut".to_string()),
        Just("break".to_string()),
        Just("continue".to_string()),
        Just("s.f".to_string()),
        Just("m::f(x)".to_string()),
        Just("S { a: x }".to_string()),
        Just("vector[1, 2]".to_string()),
        Just("f<u64>()".to_string()),
    ]
}

fn expression() -> impl Strategy<Value = String> {
    leaf().prop_recursive(5, 48, 3, |inner| {
        let op = prop_oneof![
            Just("+"),
            Just("-"),
            Just("*"),
            Just("/"),
            Just("%"),
            Just("<<"),
            Just(">>"),
            Just("&"),
            Just("|"),
            Just("^"),
            Just("=="),
            Just("!="),
            Just("<"),
            Just(">"),
            Just("<="),
            Just(">="),
            Just("&&"),
            Just("||"),
            Just(".."),
            Just("==>"),
        ];
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("!{a}")),
            inner.clone().prop_map(|a| format!("&{a}")),
            inner.clone().prop_map(|a| format!("&mut {a}")),
            inner.clone().prop_map(|a| format!("*{a}")),
            inner.clone().prop_map(|a| format!("{a}.g")),
            inner.clone().prop_map(|a| format!("{a}[0]")),
            inner.clone().prop_map(|a| format!("({a} as u64)")),
            inner.clone().prop_map(|a| format!("({a}: u64)")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} = {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("if ({a}) {b}")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("if ({a}) {b} else {c}")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("if ({a}) {{ {b} }} else {{ {c} }}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("while ({a}) {b}")),
            inner.clone().prop_map(|a| format!("loop {{ {a} }}")),
            inner.clone().prop_map(|a| format!("return {a}")),
            inner.clone().prop_map(|a| format!("abort {a}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("g({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}, {b})")),
            inner.clone().prop_map(|a| format!("|z| {a}")),
            inner.clone().prop_map(|a| format!("{{ let z = {a}; z }}")),
            inner
                .clone()
                .prop_map(|a| format!("forall i in {a}: i > 0")),
            inner
                .clone()
                .prop_map(|a| format!("exists i: u64 where {a}: true")),
            inner
                .clone()
                .prop_map(|a| format!("choose i: u64 where {a}")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn generated_expressions_round_trip(e in expression(), as_statement in any::<bool>()) {
        let body = if as_statement { format!("{e};") } else { e.clone() };
        let src = format!("module 0x1::m {{ fun f() {{ {body} }} spec f {{ ensures {e}; }} }}");
        let out = parse_file(FileId(0), &src);
        if out.has_errors() {
            return Ok(());
        }
        let tree = out.file.expect("tree");
        let printed = printer::print_file(&tree);
        let again = parse_file(FileId(0), &printed);
        prop_assert!(!again.has_errors(), "printed text does not parse:\n{}\nfrom:\n{}", printed, src);
        let a = format!("{:-?}", tree.definitions);
        let b = format!("{:-?}", again.file.expect("tree").definitions);
        prop_assert_eq!(a, b, "round trip changed the tree of:\n{}\nprinted:\n{}", src, printed);
    }
}

/// The generator must produce mostly valid programs, or the round-trip property tests little.
#[test]
fn most_generated_expressions_parse() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = expression();
    let total = 300;
    let mut ok = 0;
    for _ in 0..total {
        let e = strategy.new_tree(&mut runner).expect("generate").current();
        let src = format!("module 0x1::m {{ fun f() {{ {e} }} }}");
        if !parse_file(FileId(0), &src).has_errors() {
            ok += 1;
        }
    }
    assert!(
        ok * 2 >= total,
        "only {ok} of {total} generated expressions parse"
    );
}

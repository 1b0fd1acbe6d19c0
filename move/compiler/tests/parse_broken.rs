//! Broken Move input: hand-written snippets whose first error must be reported at a given
//! line:column with a given message (the reference compiler's wording), deeply nested input that
//! must end in a depth error rather than a stack overflow, and property tests that truncate and
//! mutate real sources and require a diagnostic or a tree, never a panic.

use move_compiler::parser::ast::FileId;
use move_compiler::parser::{parse_file, printer, Diagnostic, Severity, MAX_NESTING_DEPTH};
use proptest::prelude::*;

/// The first error of `src`, which must not parse cleanly.
fn first_error(src: &str) -> Diagnostic {
    let out = parse_file(FileId(0), src);
    assert!(out.has_errors(), "expected an error for:\n{src}");
    out.diagnostics
        .into_iter()
        .find(Diagnostic::is_error)
        .expect("an error diagnostic")
}

#[track_caller]
fn check(src: &str, line: usize, col: usize, message: &str) {
    let d = first_error(src);
    let got = d.message();
    assert_eq!(
        (d.line_col(src), got.as_str()),
        ((line, col), message),
        "for:\n{src}\n{}",
        d.render("snippet.move", src, false)
    );
}

/// Wraps function-body statements in a module.
fn in_fun(body: &str) -> String {
    format!("module 0x1::m {{\n    fun f() {{\n{body}\n    }}\n}}\n")
}

#[test]
fn missing_semicolon_before_closing_brace_of_let() {
    check(
        &in_fun("        let x = 1"),
        4,
        5,
        "Unexpected '}'. Expected ';'",
    );
}

#[test]
fn missing_semicolon_between_statements() {
    check(
        &in_fun("        let x = 1\n        x"),
        4,
        9,
        "Unexpected 'x'. Expected ';'",
    );
}

#[test]
fn unclosed_block_comment() {
    check(
        "module 0x1::m {\n/* never closed\n}\n",
        2,
        1,
        "Unclosed block comment",
    );
}

#[test]
fn invalid_character() {
    check(
        "module 0x1::m {\n    const C: u8 = $;\n}\n",
        2,
        19,
        "Invalid character: '$'",
    );
}

#[test]
fn unterminated_byte_string() {
    check(
        "module 0x1::m {\n    const C: vector<u8> = b\"abc;\n}\n",
        2,
        27,
        "Missing closing quote (\") after byte string",
    );
}

#[test]
fn use_without_module_name() {
    check(
        "module 0x1::m {\n    use 0x1;\n}\n",
        2,
        12,
        "Unexpected ';'. Expected '::' after an address in a module identifier",
    );
}

#[test]
fn invalid_visibility() {
    check(
        "module 0x1::m {\n    public(foo) fun f() {}\n}\n",
        2,
        5,
        "Invalid visibility modifier. Consider removing it or using 'public' or 'public(friend)'",
    );
}

#[test]
fn unknown_ability() {
    check(
        "module 0x1::m {\n    struct S has copy, fly {}\n}\n",
        2,
        24,
        "Unexpected 'fly'. Expected a type ability, one of: 'copy', 'drop', 'store', or 'key'",
    );
}

#[test]
fn top_level_identifier() {
    check(
        "foo",
        1,
        1,
        "Invalid code unit. Expected 'address', 'module', or 'script'. Got 'foo'",
    );
}

#[test]
fn top_level_number() {
    check(
        "\n  42",
        2,
        3,
        "Invalid code unit. Expected 'address', 'module', or 'script'. Got '42'",
    );
}

#[test]
fn statement_at_module_level() {
    check(
        "module 0x1::m {\n    let x = 1;\n}\n",
        2,
        5,
        "Unexpected 'let'. Expected a module member: 'spec', 'use', 'friend', 'const', 'fun', 'inline', or 'struct'",
    );
}

#[test]
fn end_of_file_inside_function() {
    check(
        "module 0x1::m {\n    fun f() {",
        2,
        14,
        "Unexpected end-of-file. Expected an expression term",
    );
}

#[test]
fn unclosed_call_arguments() {
    check(
        &in_fun("        g(1, 2;"),
        3,
        15,
        "Expected ')'. To match this '('",
    );
}

#[test]
fn leading_comma_in_arguments() {
    check(
        &in_fun("        g(,1);"),
        3,
        11,
        "Expected a call argument expression",
    );
}

#[test]
fn break_with_value() {
    check(
        &in_fun("        loop { break 5 }"),
        3,
        22,
        "Unexpected '5'. Expected the end of an expression",
    );
}

#[test]
fn loop_spec_allows_only_invariants() {
    check(
        &in_fun("        while (true) {} spec { ensures true; };"),
        3,
        32,
        "only 'invariant' allowed here",
    );
}

#[test]
fn old_spec_fun_syntax() {
    check(
        "module 0x1::m {\n    spec fun foo { }\n}\n",
        2,
        10,
        "Unexpected 'fun'. Expected only 'spec', drop the 'fun' keyword",
    );
}

#[test]
fn old_spec_struct_syntax() {
    check(
        "module 0x1::m {\n    spec struct S { }\n}\n",
        2,
        10,
        "Unexpected 'struct'. Expected only 'spec', drop the 'struct' keyword",
    );
}

#[test]
fn number_as_spec_member() {
    let d = first_error("module 0x1::m {\n    spec f { 42; }\n}\n");
    assert_eq!(
        d.line_col("module 0x1::m {\n    spec f { 42; }\n}\n"),
        (2, 14)
    );
    assert!(
        d.message()
            .starts_with("Unexpected '42'. Expected one of `assert`, `assume`"),
        "{}",
        d.message()
    );
}

#[test]
fn type_arguments_need_closing_angle() {
    check(
        &in_fun("        let x = g<u64(1);"),
        3,
        22,
        "Expected '>'. To match this '<'. Perhaps you need a blank space before this '<' operator?",
    );
}

#[test]
fn missing_type_after_colon() {
    check(
        &in_fun("        let x: = 1;"),
        3,
        16,
        "Unexpected '='. Expected a type name",
    );
}

#[test]
fn struct_without_fields() {
    check(
        "module 0x1::m {\n    struct S has drop;\n}\n",
        2,
        22,
        "Unexpected ';'. Expected '{'",
    );
}

#[test]
fn native_function_with_body() {
    check(
        "module 0x1::m {\n    native fun f() {}\n}\n",
        2,
        20,
        "Unexpected '{'. Expected ';'",
    );
}

#[test]
fn constant_without_value() {
    check(
        "module 0x1::m {\n    const X: u64;\n}\n",
        2,
        17,
        "Unexpected ';'. Expected '='",
    );
}

#[test]
fn script_with_two_functions() {
    check(
        "script {\n    fun main() {}\n    fun other() {}\n}\n",
        3,
        5,
        "Unexpected characters after end of 'script' function",
    );
}

#[test]
fn address_block_without_brace() {
    check(
        "address 0x1 module",
        1,
        13,
        "Unexpected 'module'. Expected '{'",
    );
}

#[test]
fn empty_friend() {
    check(
        "module 0x1::m {\n    friend;\n}\n",
        2,
        11,
        "Unexpected ';'. Expected a friend declaration",
    );
}

#[test]
fn unclosed_attribute() {
    check(
        "module 0x1::m {\n    #[test\n    fun f() {}\n}\n",
        3,
        5,
        "Expected ']'. To match this '['",
    );
}

#[test]
fn quantifier_without_colon() {
    check(
        "module 0x1::m {\n    spec f { ensures forall x: u64 x > 0; }\n}\n",
        2,
        36,
        "Unexpected 'x'. Expected ':'",
    );
}

#[test]
fn let_without_binding() {
    check(
        &in_fun("        let = 1;"),
        3,
        13,
        "Unexpected '='. Expected a variable or struct name",
    );
}

#[test]
fn cast_needs_parentheses() {
    check(
        &in_fun("        let y = x as u64;"),
        3,
        19,
        "Unexpected 'as'. Expected ';'",
    );
}

#[test]
fn amp_mut_needs_a_space_in_types() {
    check(
        "module 0x1::m {\n    fun f(x: &mut\tu64) {}\n}\n",
        2,
        19,
        "Expected ')'. To match this '('",
    );
}

#[test]
fn module_keyword_alone() {
    check(
        "module",
        1,
        7,
        "Unexpected end-of-file. Expected an address or an identifier",
    );
}

#[test]
fn too_large_address_is_a_non_blocking_error() {
    let src = format!(
        "module 0x1::m {{\n    const A: address = @0x1{};\n}}\n",
        "0".repeat(64)
    );
    let out = parse_file(FileId(0), &src);
    assert!(out.file.is_some(), "parsing goes on after a bad address");
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert_eq!(d.severity, Severity::NonBlockingError);
    assert_eq!(d.line_col(&src), (2, 25));
    assert_eq!(
        d.message(),
        "Invalid address literal. The numeric value is too large. The maximum size is 32 bytes"
    );
}

#[test]
fn duplicate_visibility_is_a_non_blocking_error() {
    let src = "module 0x1::m {\n    public public fun f() {}\n}\n";
    let out = parse_file(FileId(0), src);
    assert!(out.file.is_some());
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert_eq!(d.line_col(src), (2, 12));
    assert_eq!(
        d.message(),
        "Duplicate visibility modifier. Visibility modifier previously given here"
    );
}

#[test]
fn dangling_doc_comment_is_only_a_warning() {
    let src = "module 0x1::m {\n    /// dangling\n}\n";
    let out = parse_file(FileId(0), src);
    assert!(!out.has_errors());
    assert_eq!(out.diagnostics.len(), 1);
    let d = &out.diagnostics[0];
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.line_col(src), (2, 5));
    assert_eq!(
        d.message(),
        "Documentation comment cannot be matched to a language item"
    );
}

#[test]
fn rendered_diagnostic_shows_position_source_line_and_caret() {
    let src = in_fun("        let x = 1\n        x");
    let d = first_error(&src);
    let text = d.render("sources/m.move", &src, false);
    assert!(text.contains("sources/m.move:4:9"), "{text}");
    assert!(text.contains("        x"), "{text}");
    assert!(text.contains('^'), "{text}");
    assert!(text.contains("Expected ';'"), "{text}");
}

/// Parses `src` on a thread with a small stack: deep input must give the depth error, not
/// overflow the stack.
fn parse_on_small_stack(src: String) -> Vec<Diagnostic> {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || parse_file(FileId(0), &src).diagnostics)
        .expect("spawn")
        .join()
        .expect("parser thread panicked")
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let n = MAX_NESTING_DEPTH * 4;
    let shapes: Vec<(&str, String)> = vec![
        (
            "parentheses",
            format!("{}1{}", "(".repeat(n), ")".repeat(n)),
        ),
        ("blocks", format!("{}1{}", "{".repeat(n), "}".repeat(n))),
        ("unary", format!("{}x", "!".repeat(n))),
        ("borrows", format!("{}x", "&mut ".repeat(n))),
        (
            "vectors",
            format!("{}{}", "vector[".repeat(n), "]".repeat(n)),
        ),
        ("ifs", format!("{}1", "if (true) ".repeat(n))),
        ("lambdas", format!("{}1", "|x| ".repeat(n))),
        ("calls", format!("{}{}", "f(".repeat(n), ")".repeat(n))),
    ];
    for (what, exp) in shapes {
        let src = in_fun(&format!("        let y = {exp};"));
        let diags = parse_on_small_stack(src);
        assert!(
            diags
                .iter()
                .any(|d| d.message().starts_with("Nesting too deep")),
            "{what}: {:?}",
            diags.first().map(|d| d.message())
        );
    }
    let ty = format!("{}u8{}", "vector<".repeat(n), ">".repeat(n));
    let diags = parse_on_small_stack(format!("module 0x1::m {{ const C: {ty} = 1; }}"));
    assert!(diags
        .iter()
        .any(|d| d.message().starts_with("Nesting too deep")));
}

#[test]
fn nesting_just_below_the_limit_parses() {
    let n = MAX_NESTING_DEPTH - 10;
    let src = in_fun(&format!(
        "        let y = {}1{};",
        "(".repeat(n),
        ")".repeat(n)
    ));
    let diags = parse_on_small_stack(src);
    assert!(!diags.iter().any(Diagnostic::is_error), "{diags:?}");
}

/// Small real sources from the conformance fixtures, for mutation (read once).
fn sample_sources() -> &'static [String] {
    static SOURCES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SOURCES.get_or_init(read_sample_sources)
}

fn read_sample_sources() -> Vec<String> {
    let Some(dir) = libra_fixtures::require("conformance/cases") else {
        return Vec::new();
    };
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "move") {
                files.push(p);
            }
        }
    }
    files.sort();
    let sources: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|s| s.len() < 20_000)
        .collect();
    assert!(sources.len() >= 40, "only {} sample sources", sources.len());
    sources
}

/// Parses mutated text; when it parses cleanly, the printed tree must parse back to itself.
fn parse_mutant(text: &str) {
    let out = parse_file(FileId(0), text);
    if out.has_errors() {
        assert!(out.diagnostics.iter().any(Diagnostic::is_error));
        return;
    }
    let file = out.file.expect("tree without errors");
    let printed = printer::print_file(&file);
    let again = parse_file(FileId(0), &printed);
    assert!(
        !again.has_errors(),
        "printed text of a valid mutant does not parse:\n{printed}"
    );
    let a = format!("{:-?}", file.definitions);
    let b = format!("{:-?}", again.file.expect("tree").definitions);
    assert_eq!(a, b, "round trip of a valid mutant changed the tree");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn truncated_sources_give_a_diagnostic_or_a_tree(which in any::<prop::sample::Index>(), at in any::<prop::sample::Index>()) {
        let sources = sample_sources();
        if !sources.is_empty() {
            let src = which.get(sources);
            let cut = src.floor_char_boundary(at.index(src.len() + 1));
            parse_mutant(&src[..cut]);
        }
    }

    #[test]
    fn mutated_sources_give_a_diagnostic_or_a_tree(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
    ) {
        let sources = sample_sources();
        if !sources.is_empty() {
            let mut bytes = which.get(sources).as_bytes().to_vec();
            for (at, byte, kind) in edits {
                let i = at.index(bytes.len().max(1));
                match kind {
                    0 if i < bytes.len() => bytes[i] = byte,
                    1 => bytes.insert(i.min(bytes.len()), byte),
                    _ if i < bytes.len() => { bytes.remove(i); }
                    _ => {}
                }
            }
            parse_mutant(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn arbitrary_token_soup_never_panics(text in "[a-z0-9_(){}<>\\[\\];:,.&|!*+=@#x\" \n-]{0,200}") {
        let _ = parse_file(FileId(0), &text);
    }
}

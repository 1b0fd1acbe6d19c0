//! Reference safety: self-contained modules that break a borrow rule are rejected with upstream's
//! E07xxx code at the offending span, and the legal patterns that look alike (reborrows, uses
//! after a borrow's last use, freezes, disjoint fields, references through calls) compile.

use move_compiler::{compile_modules, CompileOptions, SourceFile};

/// A diagnostic as the tests look at it: code, (line, column), message.
type Found = (String, (usize, usize), String);

fn compile(body: &str) -> Result<(), Vec<Found>> {
    let src = format!("module 0x42::m {{\n{body}\n}}\n");
    let sources = [SourceFile {
        name: "m.move".into(),
        text: src.clone(),
    }];
    match compile_modules(&sources, &[], &CompileOptions::default()) {
        Ok(_) => Ok(()),
        Err(e) => Err(e
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.code.unwrap_or("syntax").to_string(),
                    d.line_col(&src),
                    d.message(),
                )
            })
            .collect()),
    }
}

/// `body` is the module's contents; line 1 of the file is the `module` line, so the body's
/// first line is line 2.
fn rejects(body: &str, code: &str, line: usize, col: usize) -> String {
    match compile(body) {
        Ok(()) => panic!("accepted, expected {code} at {line}:{col}:\n{body}"),
        Err(found) => {
            let hit = found
                .iter()
                .find(|(c, lc, _)| c == code && *lc == (line, col));
            match hit {
                Some((_, _, m)) => m.clone(),
                None => panic!("expected {code} at {line}:{col}, got {found:?}\n{body}"),
            }
        }
    }
}

fn accepts(body: &str) {
    if let Err(found) = compile(body) {
        panic!("rejected: {found:?}\n{body}");
    }
}

const S: &str = "struct S has copy, drop { a: u64, b: u64 }\n";

#[test]
fn returning_a_borrowed_local_is_e07004() {
    let m = rejects(
        "    public fun bad(): &u64 {\n        let x = 7;\n        &x\n    }",
        "E07004",
        4,
        9,
    );
    assert!(
        m.starts_with("Invalid return. Local variable 'x' is still being borrowed."),
        "{m}"
    );
    // Through a field and an explicit return.
    rejects(
        &format!(
            "{S}    fun f(): &u64 {{\n        let s = S {{ a: 1, b: 2 }};\n        return &s.a\n    }}"
        ),
        "E07004",
        5,
        9,
    );
    // Through a call that returns a reference derived from its argument.
    rejects(
        "    fun id(r: &u64): &u64 { r }\n    fun f(): &u64 {\n        let x = 1;\n        id(&x)\n    }",
        "E07004",
        5,
        9,
    );
}

#[test]
fn returning_a_parameter_reference_is_fine() {
    accepts(&format!(
        "{S}    fun a(s: &S): &u64 {{ &s.a }}\n    fun b(s: &mut S): &mut u64 {{ &mut s.b }}\n    fun c(x: &u64, y: &u64): &u64 {{ if (*x > *y) x else y }}"
    ));
}

#[test]
fn assigning_a_borrowed_local_is_e07003() {
    let m = rejects(
        "    fun f(): u64 {\n        let x = 1;\n        let r = &x;\n        x = 2;\n        *r + x\n    }",
        "E07003",
        5,
        9,
    );
    assert!(m.starts_with("Invalid assignment of variable 'x'"), "{m}");
}

#[test]
fn moving_a_borrowed_local_is_e07003() {
    rejects(
        "    struct R { v: u64 }\n    fun eat(_r: R) { abort 0 }\n    fun f(): u64 {\n        let x = R { v: 1 };\n        let r = &x;\n        eat(x);\n        r.v\n    }",
        "E07003",
        7,
        13,
    );
}

#[test]
fn inferred_last_use_of_a_borrowed_local_is_e07006() {
    rejects(
        "    fun f(): u64 {\n        let x = 1;\n        let r = &x;\n        let y = x;\n        *r + y\n    }",
        "E07006",
        5,
        17,
    );
    // An explicit copy is fine.
    accepts(
        "    fun f(): u64 {\n        let x = 1;\n        let r = &x;\n        let y = copy x;\n        *r + y\n    }",
    );
}

#[test]
fn copying_or_reading_a_mutably_borrowed_local_is_e07002_e07001() {
    rejects(
        "    fun f(): u64 {\n        let x = 1;\n        let r = &mut x;\n        let y = copy x;\n        *r = 2;\n        y\n    }",
        "E07002",
        5,
        17,
    );
    rejects(
        "    fun f(): u64 {\n        let x = 1;\n        let r = &mut x;\n        let q = &x;\n        *r = 2;\n        *q\n    }",
        "E07001",
        5,
        17,
    );
}

#[test]
fn writing_through_a_borrowed_reference_is_e07003() {
    rejects(
        &format!(
            "{S}    fun f(): u64 {{\n        let s = S {{ a: 1, b: 2 }};\n        let r = &mut s;\n        let q = &r.a;\n        *r = S {{ a: 3, b: 4 }};\n        *q\n    }}"
        ),
        "E07003",
        7,
        9,
    );
}

#[test]
fn mutable_field_borrow_of_a_borrowed_reference_is_e07002() {
    rejects(
        &format!(
            "{S}    fun f(s: &mut S): u64 {{\n        let r: &S = copy s;\n        let a = &mut s.a;\n        *a = 1;\n        r.b\n    }}"
        ),
        "E07002",
        5,
        17,
    );
}

#[test]
fn passing_a_borrowed_mutable_reference_is_e07005() {
    rejects(
        &format!(
            "{S}    fun g(_r: &mut S) {{}}\n    fun f(): u64 {{\n        let s = S {{ a: 1, b: 2 }};\n        let r = &mut s;\n        let q = &r.a;\n        g(r);\n        *q\n    }}"
        ),
        "E07005",
        8,
        9,
    );
}

#[test]
fn freezing_a_mutably_borrowed_reference_is_e07002() {
    rejects(
        &format!(
            "{S}    fun f(s: &mut S): u64 {{\n        let m = &mut s.a;\n        let r = freeze(s);\n        *m = 1;\n        r.b\n    }}"
        ),
        "E07002",
        5,
        17,
    );
}

#[test]
fn legal_patterns_compile() {
    // Reborrow, use after the borrow's last use, freeze, disjoint fields.
    accepts(&format!(
        "{S}    fun reborrow(s: &mut S) {{\n        let r = &mut *s;\n        let a = &mut r.a;\n        *a = 1;\n        r.b = 2;\n        s.a = 3;\n    }}\n\
         fun after_last_use(): u64 {{\n        let x = 1;\n        let r = &mut x;\n        *r = 2;\n        x = x + 1;\n        let q = &x;\n        *q\n    }}\n\
         fun freeze_it(s: &mut S): u64 {{\n        let f: &S = s;\n        let v = f.a;\n        s.b = v;\n        s.a\n    }}\n\
         fun fields(): u64 {{\n        let s = S {{ a: 1, b: 2 }};\n        let a = &mut s.a;\n        let b = &mut s.b;\n        *a = *b;\n        *b = 3;\n        s.a + s.b\n    }}\n\
         fun read_other_field(s: &mut S): u64 {{\n        let a = &mut s.a;\n        let b = &s.b;\n        *a = *b;\n        *b\n    }}"
    ));
    // References passed to and returned from calls.
    accepts(&format!(
        "{S}    fun get(s: &mut S): &mut u64 {{ &mut s.a }}\n    fun peek(s: &S, _x: &u64): &u64 {{ &s.b }}\n\
         fun use_calls(): u64 {{\n        let s = S {{ a: 1, b: 2 }};\n        let r = get(&mut s);\n        *r = 5;\n        let q = peek(&s, &s.a);\n        let v = *q;\n        s.a = v;\n        s.a\n    }}"
    ));
    // Borrows in loops and branches.
    accepts(
        "    fun loops(n: u64): u64 {\n        let x = 0;\n        let r = &mut x;\n        let i = 0;\n        while (i < n) { *r = *r + 1; i = i + 1; };\n        x = x + 1;\n        let y = 0;\n        let p = &y;\n        if (n > 3) { y = 2 } else { y = *p };\n        x + y\n    }",
    );
}

#[test]
fn global_borrows() {
    rejects(
        "    struct R has key { v: u64 }\n    fun f(a: address): &u64 acquires R {\n        &borrow_global<R>(a).v\n    }",
        "E07004",
        4,
        9,
    );
    rejects(
        "    struct R has key { v: u64 }\n    fun f(a: address): u64 acquires R {\n        let r = borrow_global_mut<R>(a);\n        let R { v } = move_from<R>(a);\n        r.v = v;\n        v\n    }",
        "E07003",
        5,
        23,
    );
    accepts(
        "    struct R has key { v: u64 }\n    fun f(a: address): u64 acquires R {\n        let r = borrow_global_mut<R>(a);\n        r.v = 1;\n        let q = borrow_global<R>(a);\n        q.v\n    }",
    );
}

#[test]
fn calling_a_function_that_acquires_a_borrowed_resource_is_e07003() {
    let take = "    struct R has key { v: u64 }\n    fun take(a: address): u64 acquires R {\n        let R { v } = move_from<R>(a);\n        v\n    }\n";
    let m = rejects(
        &format!("{take}    fun f(a: address): u64 acquires R {{\n        let r = borrow_global<R>(a);\n        let v = take(a);\n        r.v + v\n    }}"),
        "E07003",
        9,
        17,
    );
    assert!(m.starts_with("Invalid acquiring of resource 'R'"), "{m}");
    // After the borrow's last use the call is fine.
    accepts(&format!(
        "{take}    fun f(a: address): u64 acquires R {{\n        let r = borrow_global<R>(a);\n        let x = r.v;\n        x + take(a)\n    }}"
    ));
}

#[test]
fn mutable_borrow_through_an_immutable_reference_is_e07001() {
    let m = rejects(
        &format!("{S}    fun f(s: &S) {{\n        s.a = 1;\n    }}"),
        "E07001",
        4,
        9,
    );
    assert!(
        m.starts_with("Invalid mutable borrow from an immutable reference"),
        "{m}"
    );
}

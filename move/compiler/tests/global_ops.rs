//! Global storage: operations whose resource type is left to inference, as upstream allows
//! (`let R { v } = move_from(a)`), compile to the same bytes as the annotated form, and a type
//! that inference cannot fix, or that is not a struct of the module, is an error; `acquires`
//! lists must name exactly what a function acquires, directly or through its calls.

use move_compiler::{compile_modules, CompileOptions, SourceFile};

const R: &str = "    struct R has key { v: u64 }\n";

/// A diagnostic's code and (line, column).
type Found = (String, (usize, usize));

fn compile(body: &str) -> Result<Vec<u8>, Vec<Found>> {
    let text = format!("module 0x42::m {{\n{R}{body}\n}}\n");
    let sources = [SourceFile {
        name: "m.move".into(),
        text: text.clone(),
    }];
    match compile_modules(&sources, &[], &CompileOptions::default()) {
        Ok(out) => Ok(out[0].bytes.clone()),
        Err(e) => Err(e
            .diagnostics
            .iter()
            .map(|d| (d.code.unwrap_or("syntax").to_string(), d.line_col(&text)))
            .collect()),
    }
}

#[test]
fn inferred_resources_compile_like_annotated_ones() {
    let pairs = [
        (
            "    fun f(a: address): u64 acquires R {\n        let R { v } = move_from(a);\n        v\n    }",
            "    fun f(a: address): u64 acquires R {\n        let R { v } = move_from<R>(a);\n        v\n    }",
        ),
        (
            "    fun f(a: address): u64 acquires R {\n        let r: &R = borrow_global(a);\n        r.v\n    }",
            "    fun f(a: address): u64 acquires R {\n        let r: &R = borrow_global<R>(a);\n        r.v\n    }",
        ),
        (
            "    fun f(a: address) acquires R {\n        let r: &mut R = borrow_global_mut(a);\n        r.v = 1;\n    }",
            "    fun f(a: address) acquires R {\n        let r: &mut R = borrow_global_mut<R>(a);\n        r.v = 1;\n    }",
        ),
    ];
    for (inferred, annotated) in pairs {
        let ours = compile(inferred).unwrap_or_else(|e| panic!("{e:?}\n{inferred}"));
        let theirs = compile(annotated).unwrap_or_else(|e| panic!("{e:?}\n{annotated}"));
        assert_eq!(ours, theirs, "{inferred}");
    }
}

#[test]
fn a_resource_type_that_is_not_a_struct_of_the_module_is_e04001() {
    let found = compile(
        "    fun f(a: address): u64 {\n        let x: u64 = move_from(a);\n        x\n    }",
    )
    .unwrap_err();
    assert!(found.contains(&("E04001".into(), (4, 22))), "{found:?}");
}

#[test]
fn a_resource_type_that_cannot_be_inferred_is_e04010() {
    let found = compile("    fun f(a: address): bool {\n        exists(a)\n    }").unwrap_err();
    assert!(found.iter().any(|(c, _)| c == "E04010"), "{found:?}");
}

fn codes(body: &str) -> Vec<(String, (usize, usize))> {
    compile(body).err().unwrap_or_default()
}

#[test]
fn acquires_lists_name_what_the_body_and_its_calls_acquire() {
    // Line 2 is `struct R`, so the body starts on line 3.
    let valid = [
        "    fun g(a: address): u64 acquires R { borrow_global<R>(a).v }\n    fun f(a: address): u64 acquires R { g(a) }",
        "    fun f(s: &signer, a: address): bool { move_to(s, R { v: 1 }); exists<R>(a) }",
        "    native fun n(a: address): u64 acquires R;\n    fun f(a: address): u64 acquires R { n(a) }",
    ];
    for body in valid {
        assert_eq!(codes(body), vec![], "{body}");
    }
    assert_eq!(
        codes("    fun f(a: address): u64 {\n        borrow_global<R>(a).v\n    }"),
        [("E04020".to_string(), (4, 9))]
    );
    // Through a call, and through a call of a call.
    assert_eq!(
        codes("    fun g(a: address): u64 acquires R { let R { v } = move_from<R>(a); v }\n    fun h(a: address): u64 acquires R { g(a) }\n    fun f(a: address): u64 {\n        h(a)\n    }"),
        [("E04020".to_string(), (6, 9))]
    );
    // Listed but never acquired: not even a call of itself counts.
    assert_eq!(
        codes("    fun f(a: address) acquires R {\n        f(a)\n    }"),
        [("E02002".to_string(), (3, 32))]
    );
    assert_eq!(
        codes("    fun f(a: address): u64 acquires R, R {\n        borrow_global<R>(a).v\n    }"),
        [("E02001".to_string(), (3, 40))]
    );
}

//! Global storage operations whose resource type is left to inference, as upstream allows
//! (`let R { v } = move_from(a)`): they compile to the same bytes as the annotated form, and a
//! type that inference cannot fix, or that is not a struct of the module, is an error.

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

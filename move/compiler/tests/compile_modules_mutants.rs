//! The module compiler on broken input: this repository's MoveStdlib sources (which need no
//! dependencies) with bytes replaced, inserted or removed, or tokens swapped, either compile or
//! give diagnostics, and never panic. The unmutated package compiles.

use std::collections::BTreeMap;
use std::path::Path;

use move_bytecode::AccountAddress;
use move_compiler::{compile_modules, CompileOptions, SourceFile};
use proptest::prelude::*;

fn stdlib_sources() -> Vec<SourceFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../framework/move-stdlib/sources");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("framework/move-stdlib/sources")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "move"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| SourceFile {
            name: p.display().to_string(),
            text: std::fs::read_to_string(&p).expect("read"),
        })
        .collect()
}

fn options(test_mode: bool) -> CompileOptions {
    let mut named = BTreeMap::new();
    named.insert("std".to_string(), AccountAddress::ONE);
    CompileOptions {
        named_addresses: named,
        dependency_sources: vec![],
        test_mode,
    }
}

#[test]
fn unmutated_stdlib_compiles_in_both_modes() {
    let sources = stdlib_sources();
    for test_mode in [false, true] {
        let out = compile_modules(&sources, &[], &options(test_mode));
        assert!(out.is_ok(), "{:?}", out.err().map(|e| e.to_string()));
    }
}

const TOKENS: &[&str] = &[
    "&mut ",
    "&",
    "*",
    "move ",
    "copy ",
    "(",
    ")",
    "{",
    "}",
    ";",
    "<",
    ">",
    "::",
    "acquires X",
    "has key",
    "borrow_global<T>(@0x1)",
    "move_to",
    ".f",
    "0u8",
    "let x = 1;",
    "return ",
    "abort 1",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn mutated_stdlib_never_panics(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), any::<u8>(), 0u8..4, any::<prop::sample::Index>()),
            1..4,
        ),
    ) {
        let mut sources = stdlib_sources();
        let i = which.index(sources.len());
        let mut text = sources[i].text.clone();
        for (at, byte, kind, token) in edits {
            let pos = text.floor_char_boundary(at.index(text.len() + 1));
            match kind {
                0 if byte.is_ascii() => text.insert(pos, byte as char),
                1 if pos < text.len() => {
                    let end = text.ceil_char_boundary(pos + 1);
                    text.replace_range(pos..end, "");
                }
                2 => text.insert_str(pos, TOKENS[token.index(TOKENS.len())]),
                _ => text.truncate(pos),
            }
        }
        sources[i].text = text;
        let _ = compile_modules(&sources, &[], &options(false));
    }
}

//! Property test: real modules and scripts, truncated at random offsets and with random bytes
//! flipped, never make the reader panic. Every outcome is an error with a message and an offset
//! inside the input, or a unit that writes, reads back to the same unit, and disassembles.

mod common;

use std::sync::OnceLock;

use move_bytecode::disassembler::disassemble;
use move_bytecode::{
    deserialize_module, deserialize_script, deserialize_unit, deserialize_with_layout,
    CompiledUnit, DeserializeError, DeserializerConfig, UnitKind,
};
use proptest::prelude::*;

/// A few real blobs of every shape: small and large modules, scripts, test-mode modules.
fn corpus() -> &'static Vec<Vec<u8>> {
    static CORPUS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut blobs: Vec<Vec<u8>> = Vec::new();
        // Keep the inputs small so thousands of cases stay fast: every 4th conformance and VM
        // blob under 4 KiB, plus the smallest upgrade script.
        let small = |b: &common::Blob| b.bytes.len() <= 4096;
        blobs.extend(
            common::conformance_blobs()
                .into_iter()
                .filter(small)
                .step_by(4)
                .map(|b| b.bytes),
        );
        blobs.extend(
            common::vm_blobs()
                .into_iter()
                .filter(small)
                .step_by(4)
                .map(|b| b.bytes),
        );
        if let Some(script) = common::upgrade_scripts()
            .into_iter()
            .min_by_key(|b| b.bytes.len())
        {
            blobs.push(script.bytes);
        }
        if blobs.is_empty() {
            // Without fixtures, fall back to a module built in memory.
            let module = move_bytecode::CompiledModule {
                version: 6,
                module_handles: vec![move_bytecode::ModuleHandle {
                    address: move_bytecode::AddressIdentifierIndex(0),
                    name: move_bytecode::IdentifierIndex(0),
                }],
                identifiers: vec!["m".parse().unwrap()],
                address_identifiers: vec![move_bytecode::AccountAddress::ONE],
                ..Default::default()
            };
            blobs.push(module.serialize().unwrap());
        }
        blobs
    })
}

fn check_error(e: &DeserializeError, len: usize) {
    assert!(!e.to_string().is_empty());
    assert!(
        e.offset <= len,
        "offset {} past input of {len} bytes: {e}",
        e.offset
    );
}

fn check_unit(unit: &CompiledUnit) {
    let written = unit
        .serialize()
        .expect("a unit the reader accepted can be written");
    let kind = if unit.is_module() {
        UnitKind::Module
    } else {
        UnitKind::Script
    };
    let (back, layout) =
        deserialize_with_layout(&written, Some(kind), &DeserializerConfig::default())
            .expect("written bytes read back");
    assert_eq!(&back, unit);
    assert_eq!(back.serialize().unwrap(), written);
    let listing = disassemble(&back, Some(&layout));
    assert!(listing.starts_with("// Move bytecode v"));
}

fn exercise(bytes: &[u8]) {
    match deserialize_unit(bytes) {
        Ok(unit) => check_unit(&unit),
        Err(e) => check_error(&e, bytes.len()),
    }
    match deserialize_module(bytes) {
        Ok(m) => check_unit(&CompiledUnit::Module(m)),
        Err(e) => check_error(&e, bytes.len()),
    }
    match deserialize_script(bytes) {
        Ok(s) => check_unit(&CompiledUnit::Script(s)),
        Err(e) => check_error(&e, bytes.len()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Truncation at any offset.
    #[test]
    fn truncated_blobs_never_panic(pick in any::<prop::sample::Index>(), cut in any::<prop::sample::Index>()) {
        let corpus = corpus();
        let blob = &corpus[pick.index(corpus.len())];
        let cut = cut.index(blob.len() + 1);
        exercise(&blob[..cut]);
    }

    /// Random byte flips, optionally with a truncation.
    #[test]
    fn mutated_blobs_never_panic(
        pick in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..6),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let corpus = corpus();
        let mut bytes = corpus[pick.index(corpus.len())].clone();
        for (at, xor) in &flips {
            let i = at.index(bytes.len());
            bytes[i] ^= xor;
        }
        if let Some(cut) = cut {
            let n = cut.index(bytes.len() + 1);
            bytes.truncate(n);
        }
        exercise(&bytes);
    }

    /// Flips confined to the header and table directory, where lengths and offsets live.
    #[test]
    fn mutated_headers_never_panic(
        pick in any::<prop::sample::Index>(),
        at in 0usize..64,
        value in any::<u8>(),
    ) {
        let corpus = corpus();
        let mut bytes = corpus[pick.index(corpus.len())].clone();
        let i = at.min(bytes.len() - 1);
        bytes[i] = value;
        exercise(&bytes);
    }
}

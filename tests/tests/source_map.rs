//! The compiler source maps that mainnet.mrb carries (one gzipped BCS blob per module) decode with
//! `move_bytecode::source_map`, re-encode to the identical bytes and agree with the module's
//! bytecode and embedded source; truncated or corrupted maps give an error, never a panic, and
//! any corrupted map the reader accepts re-encodes to exactly the corrupted bytes.

use std::sync::OnceLock;

use framework::{gzip, ReleaseBundle};
use move_bytecode::source_map::SourceMap;
use move_bytecode::CompiledModule;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const MAINNET: &str = "libra/releases/mainnet.mrb";

/// One module of the bundle: its name, bytecode, gunzipped source and gunzipped source map.
struct ModuleInput {
    name: String,
    bytecode: Vec<u8>,
    source: Vec<u8>,
    source_map: Vec<u8>,
}

fn mainnet_modules() -> Option<&'static Vec<ModuleInput>> {
    static MODULES: OnceLock<Option<Vec<ModuleInput>>> = OnceLock::new();
    MODULES
        .get_or_init(|| {
            let bytes = libra_fixtures::read(MAINNET)?;
            let bundle = ReleaseBundle::read(&bytes).expect("mainnet.mrb reads");
            let mut modules = Vec::new();
            for package in &bundle.packages {
                for module in package.modules() {
                    let metadata = module.metadata.expect("every module has metadata");
                    modules.push(ModuleInput {
                        name: format!("{}::{}", package.name(), module.name),
                        bytecode: module.bytecode.to_vec(),
                        source: gzip::decompress(&metadata.source).expect("source gunzips"),
                        source_map: gzip::decompress(&metadata.source_map)
                            .expect("source map gunzips"),
                    });
                }
            }
            Some(modules)
        })
        .as_ref()
}

#[test]
fn every_mainnet_source_map_round_trips_and_matches_the_bytecode() {
    let Some(modules) = mainnet_modules() else {
        return;
    };
    assert_eq!(modules.len(), 130);
    let mut functions = 0;
    for input in modules {
        let name = &input.name;
        let map = SourceMap::from_bcs(&input.source_map).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            map.to_bcs() == input.source_map,
            "{name}: re-encoded bytes differ"
        );

        let module = CompiledModule::deserialize(&input.bytecode).expect("bytecode reads");
        assert_eq!(
            map.module_name,
            Some((*module.address(), module.name().as_str().to_string())),
            "{name}: module_name"
        );
        let source_hash: [u8; 32] = Sha256::digest(&input.source).into();
        assert_eq!(
            map.definition_location.file_hash, source_hash,
            "{name}: the module's file hash"
        );

        let struct_keys: Vec<u16> = map.struct_map.keys().copied().collect();
        let expected: Vec<u16> = (0..module.struct_defs.len() as u16).collect();
        assert_eq!(struct_keys, expected, "{name}: struct_map keys");
        for (def, smap) in module.struct_defs.iter().zip(map.struct_map.values()) {
            let handle = &module.struct_handles[def.struct_handle.into_index()];
            assert_eq!(
                smap.type_parameters.len(),
                handle.type_parameters.len(),
                "{name}: struct type parameters"
            );
            assert_eq!(
                smap.fields.len(),
                def.declared_field_count(),
                "{name}: fields"
            );
        }

        let function_keys: Vec<u16> = map.function_map.keys().copied().collect();
        let expected: Vec<u16> = (0..module.function_defs.len() as u16).collect();
        assert_eq!(function_keys, expected, "{name}: function_map keys");
        for (def, fmap) in module.function_defs.iter().zip(map.function_map.values()) {
            functions += 1;
            let handle = module.function_handle_at(def.function);
            let fname = format!("{name}::{}", module.function_name(def.function));
            assert_eq!(
                fmap.parameters.len(),
                module.signature_at(handle.parameters).len(),
                "{fname}: parameters"
            );
            assert_eq!(
                fmap.type_parameters.len(),
                handle.type_parameters.len(),
                "{fname}: type parameters"
            );
            assert_eq!(fmap.is_native, def.is_native(), "{fname}: is_native");
            match &def.code {
                None => {
                    assert!(fmap.locals.is_empty(), "{fname}: native locals");
                    assert!(fmap.code_map.is_empty(), "{fname}: native code_map");
                    assert!(fmap.nops.is_empty(), "{fname}: native nops");
                }
                Some(code) => {
                    assert_eq!(
                        fmap.locals.len(),
                        module.signature_at(code.locals).len(),
                        "{fname}: locals"
                    );
                    assert!(
                        fmap.code_map
                            .keys()
                            .all(|&offset| usize::from(offset) < code.code.len()),
                        "{fname}: a code_map key is past the code"
                    );
                    assert!(
                        fmap.code_map.contains_key(&0),
                        "{fname}: offset 0 has no location"
                    );
                    // Rebuilding code_map the way the compiler does gives the same entries.
                    let mut rebuilt = move_bytecode::source_map::FunctionSourceMap::default();
                    for offset in 0..code.code.len() as u16 {
                        let loc = fmap.location_at(offset).expect("offset 0 is mapped");
                        rebuilt.add_code_location(offset, *loc);
                    }
                    assert_eq!(rebuilt.code_map, fmap.code_map, "{fname}: code_map");
                }
            }
        }
    }
    assert_eq!(functions, 1736);
}

/// The property every corrupted input must satisfy: an error, or a map whose encoding is the
/// input itself (the reader accepts only canonical encodings).
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    match SourceMap::from_bcs(bytes) {
        Ok(map) => prop_assert!(map.to_bcs() == bytes, "accepted a non-canonical encoding"),
        Err(err) => {
            prop_assert!(err.offset <= bytes.len(), "{err}");
            prop_assert!(err.to_string().starts_with("source map: offset "), "{err}");
        }
    }
    Ok(())
}

/// A real map with structs, natives, generics, locals and nops: `bit_vector`'s.
fn sample() -> Option<&'static [u8]> {
    let modules = mainnet_modules()?;
    let input = modules
        .iter()
        .find(|m| m.name == "MoveStdlib::bit_vector")
        .expect("bit_vector is in mainnet.mrb");
    Some(&input.source_map)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn truncations_never_panic(cut in any::<prop::sample::Index>()) {
        let Some(bytes) = sample() else { return Ok(()) };
        let cut = cut.index(bytes.len());
        let err = SourceMap::from_bcs(&bytes[..cut]);
        prop_assert!(err.is_err(), "a strict prefix decoded");
        check(&bytes[..cut])?;
    }

    #[test]
    fn byte_flips_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let Some(bytes) = sample() else { return Ok(()) };
        let mut bytes = bytes.to_vec();
        for (at, value) in flips {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        check(&bytes)?;
    }
}

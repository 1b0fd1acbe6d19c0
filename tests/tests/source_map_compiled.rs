//! The source maps the workspace compiler writes are upstream's, byte for byte: the packages
//! extracted from a dev release (mainnet's, and the one the upgrade fixtures were made from),
//! built in dev mode, give every module the source map that upstream's compiler wrote into that
//! release. On a difference the test names the module, the function and the part of its map
//! that differs.

use std::collections::BTreeMap;

use framework::inspect::extract_bundle;
use framework::release::{framework_packages, MoveCompiler, ReleaseBuilder, ReleaseOptions};
use framework::{gzip, ReleaseBundle};
use move_bytecode::source_map::{FunctionSourceMap, SourceMap};
use move_package::BuildMode;

/// Each module's source map blob, gunzipped, by `Package::module`.
fn maps(bundle: &ReleaseBundle) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for p in &bundle.packages {
        for m in p.modules() {
            let meta = m.metadata.expect("dev bundles carry module metadata");
            let raw = gzip::decompress(&meta.source_map).expect("source map gunzips");
            out.insert(format!("{}::{}", p.name(), m.name), raw);
        }
    }
    out
}

/// The first part of a function's map that differs.
fn function_difference(ours: &FunctionSourceMap, theirs: &FunctionSourceMap) -> String {
    let parts = [
        (
            "definition",
            ours.definition_location == theirs.definition_location,
        ),
        (
            "type parameters",
            ours.type_parameters == theirs.type_parameters,
        ),
        ("parameters", ours.parameters == theirs.parameters),
        ("locals", ours.locals == theirs.locals),
        ("nops", ours.nops == theirs.nops),
        ("native flag", ours.is_native == theirs.is_native),
    ];
    if let Some((part, _)) = parts.iter().find(|(_, same)| !same) {
        return part.to_string();
    }
    let offset = ours
        .code_map
        .iter()
        .zip(&theirs.code_map)
        .find(|(a, b)| a != b)
        .map_or(
            ours.code_map.len().min(theirs.code_map.len()),
            |((k, _), _)| *k as usize,
        );
    format!("code map at offset {offset}")
}

fn difference(ours: &SourceMap, theirs: &SourceMap) -> String {
    if ours.definition_location != theirs.definition_location
        || ours.module_name != theirs.module_name
    {
        return "module definition".into();
    }
    if ours.struct_map != theirs.struct_map {
        return "struct map".into();
    }
    if ours.constant_map != theirs.constant_map {
        return "constant map".into();
    }
    for (i, t) in &theirs.function_map {
        match ours.function_map.get(i) {
            None => return format!("function {i} missing"),
            Some(o) if o != t => return format!("function {i}: {}", function_difference(o, t)),
            Some(_) => {}
        }
    }
    "function count".into()
}

#[test]
fn compiled_source_maps_equal_mainnet() {
    rebuild_and_compare("libra/releases/mainnet.mrb", 130);
}

/// The release the upgrade fixtures were made from: another version of the framework.
#[test]
fn compiled_source_maps_equal_the_upgrade_fixtures_release() {
    rebuild_and_compare("libra/upgrade/multi-lib/head_all_your_base.mrb", 131);
}

fn rebuild_and_compare(fixture: &str, modules: usize) {
    let Some(bytes) = libra_fixtures::read(fixture) else {
        return;
    };
    let reference = ReleaseBundle::read(&bytes).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    extract_bundle(&reference, tmp.path()).unwrap();
    let dirs = framework_packages(tmp.path(), BuildMode::Dev).unwrap();
    let mut builder = ReleaseBuilder::new(
        ReleaseOptions {
            mode: BuildMode::Dev,
            root: tmp.path().to_path_buf(),
        },
        &MoveCompiler,
    );
    for dir in &dirs {
        builder.add_package(dir).unwrap();
    }
    let ours = maps(&builder.finish().bundle);
    let theirs = maps(&reference);
    assert_eq!(ours.len(), modules);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    let mut differ = vec![];
    let mut functions = 0;
    for (name, raw) in &theirs {
        let t = SourceMap::from_bcs(raw).unwrap();
        functions += t.function_map.len();
        if ours[name] != *raw {
            let o = SourceMap::from_bcs(&ours[name]).unwrap();
            differ.push(format!("{name}: {}", difference(&o, &t)));
        }
    }
    println!(
        "{fixture}: source maps of {}/{} modules ({functions} functions) byte-identical",
        theirs.len() - differ.len(),
        theirs.len()
    );
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

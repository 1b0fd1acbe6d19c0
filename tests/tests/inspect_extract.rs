//! `inspect --extract`: a bundle becomes Move package directories named after the recorded
//! source dirs, so the relative `local` dependency paths of the embedded manifests resolve, each
//! holding the exact embedded Move.toml and sources and the module bytecode. A bundle without
//! sources extracts its bytecode; unsafe names are refused.

use std::path::Path;

use framework::inspect::{extract_bundle, ExtractError};
use framework::{gzip, ReleaseBundle};

/// `(dependency name, local path)` for every `Name = { local = "..." }` line of a manifest's
/// `[dependencies]` section.
fn local_deps(manifest: &str) -> Vec<(String, String)> {
    let mut in_deps = false;
    let mut out = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if !in_deps {
            continue;
        }
        let Some((name, rest)) = line.split_once('=') else {
            continue;
        };
        let Some(at) = rest.find("local") else {
            continue;
        };
        let quoted: Vec<&str> = rest[at..].split('"').collect();
        out.push((name.trim().to_string(), quoted[1].to_string()));
    }
    out
}

fn package_name(manifest: &str) -> String {
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("name"))
        .unwrap();
    line.split('"').nth(1).unwrap().to_string()
}

#[test]
fn mainnet_extracts_to_packages_whose_dependencies_resolve() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = ReleaseBundle::read(&bytes).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let extracted = extract_bundle(&bundle, out).unwrap();
    let dirs: Vec<_> = extracted
        .iter()
        .map(|p| {
            p.dir
                .strip_prefix(out)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(dirs, ["move-stdlib", "vendor-stdlib", "libra-framework"]);

    let mut resolved = 0;
    for (package, summary) in bundle.packages.iter().zip(&extracted) {
        let dir = &summary.dir;
        assert_eq!(summary.sources, package.code.len());
        assert_eq!(summary.modules, package.code.len());
        let manifest = std::fs::read(dir.join("Move.toml")).unwrap();
        // The file is exactly the embedded manifest.
        assert_eq!(gzip::compress(&manifest), package.metadata.manifest);
        let manifest = String::from_utf8(manifest).unwrap();
        assert_eq!(package_name(&manifest), package.name());
        for (dep, path) in local_deps(&manifest) {
            let target = dir.join(&path);
            let dep_manifest = std::fs::read_to_string(target.join("Move.toml"))
                .unwrap_or_else(|e| panic!("{}: {dep} at {path}: {e}", package.name()));
            assert_eq!(package_name(&dep_manifest), dep);
            resolved += 1;
        }
        for (module, code) in package.metadata.modules.iter().zip(&package.code) {
            let source = std::fs::read(dir.join(format!("sources/{}.move", module.name))).unwrap();
            assert_eq!(gzip::compress(&source), module.source, "{}", module.name);
            let mv =
                std::fs::read(dir.join(format!("bytecode_modules/{}.mv", module.name))).unwrap();
            assert_eq!(&mv, code);
        }
        let files = std::fs::read_dir(dir.join("sources")).unwrap().count();
        assert_eq!(files, package.code.len());
    }
    // VendorStdlib -> MoveStdlib, LibraFramework -> VendorStdlib.
    assert_eq!(resolved, 2);
}

#[test]
fn a_file_embedded_for_two_modules_is_written_once() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let mut bundle = ReleaseBundle::read(&bytes).unwrap();
    // As if `hash` were defined in the same file as `bcs`.
    let modules = &mut bundle.packages[0].metadata.modules;
    modules[2].source = modules[0].source.clone();
    let tmp = tempfile::tempdir().unwrap();
    let extracted = extract_bundle(&bundle, tmp.path()).unwrap();
    assert_eq!(extracted[0].sources, 10);
    assert_eq!(extracted[0].modules, 11);
    let dir = &extracted[0].dir;
    assert!(dir.join("sources/bcs.move").exists());
    assert!(!dir.join("sources/hash.move").exists());
    assert!(dir.join("bytecode_modules/hash.mv").exists());
}

fn without_sources(mut bundle: ReleaseBundle) -> ReleaseBundle {
    for package in &mut bundle.packages {
        for module in &mut package.metadata.modules {
            module.source.clear();
            module.source_map.clear();
        }
    }
    bundle
}

#[test]
fn a_bundle_without_sources_extracts_bytecode() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = without_sources(ReleaseBundle::read(&bytes).unwrap());
    let stripped = bundle.to_bytes().unwrap();
    let report = framework::inspect::inspect_bundle(&stripped).unwrap();
    assert!(report.packages.iter().all(|p| !p.has_sources));
    assert!(report.to_string().contains("sources         absent"));

    let tmp = tempfile::tempdir().unwrap();
    let extracted = extract_bundle(&bundle, tmp.path()).unwrap();
    for (package, summary) in bundle.packages.iter().zip(&extracted) {
        assert_eq!(summary.sources, 0);
        assert_eq!(summary.modules, package.code.len());
        assert!(summary.manifest);
        assert!(!summary.dir.join("sources").exists());
        let first = &package.metadata.modules[0].name;
        assert_eq!(
            std::fs::read(summary.dir.join(format!("bytecode_modules/{first}.mv"))).unwrap(),
            package.code[0]
        );
    }
}

#[test]
fn unsafe_or_clashing_names_are_refused_before_writing() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let original = ReleaseBundle::read(&bytes).unwrap();

    let mut evil = original.clone();
    evil.packages[2].metadata.modules[3].name = "../../escape".into();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let err = extract_bundle(&evil, &out).unwrap_err();
    assert!(matches!(err, ExtractError::UnsafeName { .. }), "{err}");
    assert!(err.to_string().contains("../../escape"));
    assert!(!tmp.path().join("escape.move").exists());
    assert!(!out.join("move-stdlib").exists());

    let mut clash = original.clone();
    clash.source_dirs[1] = "/elsewhere/move-stdlib/sources".into();
    let err = extract_bundle(&clash, &out).unwrap_err();
    assert!(matches!(err, ExtractError::DuplicateDir { .. }), "{err}");

    let mut twice = original.clone();
    twice.packages[1].metadata.modules[5].name = "any".into();
    let err = extract_bundle(&twice, &out).unwrap_err();
    assert!(matches!(err, ExtractError::DuplicateModule { .. }), "{err}");
    assert!(!out.exists());

    // Without usable source dirs, packages are extracted under their names.
    let mut bare = original;
    bare.source_dirs.clear();
    let extracted = extract_bundle(&bare, &out).unwrap();
    assert!(Path::new(&extracted[2].dir).ends_with("LibraFramework"));
}

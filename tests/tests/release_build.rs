//! `framework::release` against the reference builds. The compile step is injected: a canned
//! compiler hands back the reference's own module bytes (in a scrambled order), so everything the
//! builder decides itself is checked byte for byte: module order, package metadata (policy,
//! digest, manifest, embedded sources, deps), bundle layout and the release manifest.
//!
//! * the mainnet bundle's three packages, rebuilt in dev mode from their extracted sources;
//! * every module package of the conformance corpus, rebuilt in production mode: its metadata
//!   must equal the reference's `metadata.bcs` byte for byte;
//! * the extracted MoveStdlib in production mode against the metadata that the reference
//!   upgrade script `multi-lib/1-move-stdlib` publishes.
//!
//! The acceptance test runs the real compiler and runtime-metadata step on the mainnet sources:
//! every module must come out byte for byte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use framework::inspect::extract_bundle;
use framework::release::{
    framework_packages, CompileInput, MoveCompiler, PackageCompiler, Release, ReleaseBuilder,
    ReleaseManifest, ReleaseOptions,
};
use framework::source_digest::{self, DigestMode};
use framework::{gzip, PackageMetadata, ReleaseBundle};
use move_bytecode::source_map::SourceMap;
use move_bytecode::{CompiledModule, CompiledScript};
use move_compiler::{CompileError, CompiledModuleOutput};
use move_package::BuildMode;

/// A compiler that returns known module bytes for each package, in reverse order so that the
/// builder's own ordering is what the tests see.
struct Canned {
    modules: BTreeMap<String, Vec<Vec<u8>>>,
    /// (package, module) -> embedded source text, to say which file defines each module.
    sources: BTreeMap<(String, String), String>,
    /// (package, module) -> the reference's source map.
    source_maps: BTreeMap<(String, String), SourceMap>,
}

impl Canned {
    fn from_bundle(bundle: &ReleaseBundle) -> Self {
        let mut canned = Canned {
            modules: BTreeMap::new(),
            sources: BTreeMap::new(),
            source_maps: BTreeMap::new(),
        };
        canned.add_bundle(bundle);
        canned
    }

    fn add_bundle(&mut self, bundle: &ReleaseBundle) {
        for p in &bundle.packages {
            self.modules.insert(p.name().to_string(), p.code.clone());
            for m in &p.metadata.modules {
                let key = (p.name().to_string(), m.name.clone());
                if let Ok(Some(text)) = m.source_text() {
                    self.sources.insert(key.clone(), text);
                }
                let map = gzip::decompress(&m.source_map)
                    .ok()
                    .and_then(|raw| SourceMap::from_bcs(&raw).ok());
                if let Some(map) = map {
                    self.source_maps.insert(key, map);
                }
            }
        }
    }
}

impl PackageCompiler for Canned {
    fn compile(&self, input: &CompileInput<'_>) -> Result<Vec<CompiledModuleOutput>, CompileError> {
        let name = &input.package.name;
        let blobs = self
            .modules
            .get(name)
            .unwrap_or_else(|| panic!("no canned modules for {name}"));
        let mut out = Vec::new();
        for bytes in blobs.iter().rev() {
            let module = CompiledModule::deserialize(bytes).unwrap();
            let module_name = module.name().as_str().to_string();
            let embedded = self.sources.get(&(name.clone(), module_name.clone()));
            let source_index = input
                .sources
                .iter()
                .position(|s| match embedded {
                    Some(text) => &s.text == text,
                    None => s.text.contains(&format!("::{module_name} {{")),
                })
                .unwrap_or(0);
            let source_map = self
                .source_maps
                .get(&(name.clone(), module_name.clone()))
                .cloned()
                .unwrap_or_default();
            out.push(CompiledModuleOutput {
                address: *module.address(),
                name: module_name,
                module,
                bytes: bytes.clone(),
                source_index,
                source_map,
                warnings: vec![],
            });
        }
        Ok(out)
    }

    fn runtime_metadata(
        &self,
        _input: &CompileInput<'_>,
        _modules: &mut [CompiledModuleOutput],
    ) -> Result<(), String> {
        // The canned bytes already carry the reference's runtime metadata.
        Ok(())
    }
}

fn build(
    dirs: &[PathBuf],
    root: &Path,
    mode: BuildMode,
    compiler: &dyn PackageCompiler,
) -> Release {
    let mut builder = ReleaseBuilder::new(
        ReleaseOptions {
            mode,
            root: root.to_path_buf(),
        },
        compiler,
    );
    for dir in dirs {
        builder
            .add_package(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    builder.finish()
}

fn names(m: &PackageMetadata) -> Vec<String> {
    m.modules.iter().map(|m| m.name.clone()).collect()
}

/// Every field but the module bytes, the digest and the source maps.
fn assert_same_metadata(ours: &PackageMetadata, theirs: &PackageMetadata) {
    let name = &theirs.name;
    assert_eq!(ours.name, theirs.name);
    assert_eq!(ours.upgrade_policy, theirs.upgrade_policy, "{name}");
    assert_eq!(ours.upgrade_number, theirs.upgrade_number, "{name}");
    assert_eq!(ours.manifest, theirs.manifest, "{name}: manifest");
    assert_eq!(ours.deps, theirs.deps, "{name}: deps");
    assert_eq!(ours.extension, theirs.extension, "{name}");
    assert_eq!(names(ours), names(theirs), "{name}: module order");
    for (a, b) in ours.modules.iter().zip(&theirs.modules) {
        assert_eq!(a.source, b.source, "{name}::{}: embedded source", b.name);
        assert_eq!(a.extension, b.extension);
    }
}

/// The module order of LibraFramework built from an extracted tree: `timestamp.spec.move`
/// (`use diem_framework::chain_status`) puts `chain_status` before `timestamp`, and spec files
/// are not in the bundle, so an extracted tree cannot see that edge. Everything else must be in
/// place (the full tree is checked by `framework_tree_rebuilds_mainnet_exactly`).
fn assert_order_but_chain_status(ours: &PackageMetadata, theirs: &PackageMetadata) {
    let mut expected = names(theirs);
    let ours_names = names(ours);
    if let (Some(at), Some(ours_at)) = (
        expected.iter().position(|n| n == "chain_status"),
        ours_names.iter().position(|n| n == "chain_status"),
    ) {
        let moved = expected.remove(at);
        expected.insert(ours_at, moved);
    }
    assert_eq!(ours_names, expected, "{}: module order", theirs.name);
}

#[test]
fn mainnet_packages_rebuild_with_the_reference_metadata_and_order() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let mainnet = ReleaseBundle::read(&bytes).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    extract_bundle(&mainnet, tmp.path()).unwrap();
    let dirs = framework_packages(tmp.path(), BuildMode::Dev).unwrap();
    let release = build(
        &dirs,
        tmp.path(),
        BuildMode::Dev,
        &Canned::from_bundle(&mainnet),
    );
    let ours = &release.bundle;
    assert_eq!(ours.packages.len(), 3);
    for (p, theirs) in ours.packages.iter().zip(&mainnet.packages) {
        if p.name() == "LibraFramework" {
            assert_order_but_chain_status(&p.metadata, &theirs.metadata);
            println!(
                "LibraFramework: {} modules, order identical but for chain_status",
                p.code.len()
            );
            continue;
        }
        assert_same_metadata(&p.metadata, &theirs.metadata);
        for (a, b) in p.metadata.modules.iter().zip(&theirs.metadata.modules) {
            assert!(
                a.source_map == b.source_map,
                "{}::{}: source map blob",
                p.name(),
                b.name
            );
        }
        assert_eq!(p.code, theirs.code, "{}: code in bundle order", p.name());
        // The reference digest also covers spec files and tests/, which the bundle does not
        // carry; ours is the dev digest of the tree it was built from (checked below).
        assert!(source_digest::is_well_formed(&p.metadata.source_digest));
        println!(
            "{}: {} modules, order and metadata identical",
            p.name(),
            p.code.len()
        );
    }
    for (i, dir) in ["move-stdlib", "vendor-stdlib", "libra-framework"]
        .iter()
        .enumerate()
    {
        assert_eq!(ours.source_dirs[i], format!("{dir}/sources"));
        assert_eq!(
            ours.packages[i].metadata.source_digest,
            source_digest::compute(&tmp.path().join(dir), DigestMode::Dev).unwrap()
        );
    }
    assert!(
        ours.invariant_problems().is_empty(),
        "{:?}",
        ours.invariant_problems()
    );

    // Same inputs, same bytes.
    let again = build(
        &dirs,
        tmp.path(),
        BuildMode::Dev,
        &Canned::from_bundle(&mainnet),
    );
    let (a, manifest_a) = release.to_bytes_and_manifest().unwrap();
    let (b, manifest_b) = again.to_bytes_and_manifest().unwrap();
    assert_eq!(a, b);
    assert_eq!(manifest_a.to_json(), manifest_b.to_json());
    assert_eq!(manifest_a.packages[2].modules.len(), 90);
    assert_eq!(manifest_a.bundle.size as usize, a.len());
}

/// With `LIBRA_FRAMEWORK_TREE` set to the `framework/` directory of a libra-framework checkout
/// at ebf065ba (the tree mainnet.mrb was built from), the dev build from the full tree (spec
/// files and `tests/` included) must reproduce every package's metadata exactly, digest
/// included, and the module order.
#[test]
fn framework_tree_rebuilds_mainnet_exactly() {
    let Some(tree) = std::env::var_os("LIBRA_FRAMEWORK_TREE").map(PathBuf::from) else {
        eprintln!(
            "SKIPPED: set LIBRA_FRAMEWORK_TREE to a libra-framework framework/ dir at ebf065ba"
        );
        return;
    };
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let mainnet = ReleaseBundle::read(&bytes).unwrap();
    let dirs = framework_packages(&tree, BuildMode::Dev).unwrap();
    let release = build(&dirs, &tree, BuildMode::Dev, &Canned::from_bundle(&mainnet));
    for (p, theirs) in release.bundle.packages.iter().zip(&mainnet.packages) {
        assert_same_metadata(&p.metadata, &theirs.metadata);
        assert_eq!(
            p.metadata.source_digest,
            theirs.metadata.source_digest,
            "{}",
            p.name()
        );
        assert_eq!(p.code, theirs.code);
        println!("{}: metadata identical, digest included", p.name());
    }
}

/// The corpus cases with package metadata, copied beside `deps/` made of the extracted
/// multi-lib head bundle, as the corpus README describes.
fn corpus_with_deps(tmp: &Path) -> Option<(Vec<PathBuf>, ReleaseBundle)> {
    let cases = libra_fixtures::require("conformance/cases")?;
    let head = libra_fixtures::read("libra/upgrade/multi-lib/head_all_your_base.mrb")?;
    let head = ReleaseBundle::read(&head).unwrap();
    let extracted = tmp.join("extracted");
    extract_bundle(&head, &extracted).unwrap();
    std::fs::create_dir_all(tmp.join("deps")).unwrap();
    for (name, dir) in [
        ("MoveStdlib", "move-stdlib"),
        ("VendorStdlib", "vendor-stdlib"),
        ("LibraFramework", "libra-framework"),
    ] {
        std::os::unix::fs::symlink(format!("../extracted/{dir}"), tmp.join("deps").join(name))
            .unwrap();
    }
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&cases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected/metadata.bcs").exists())
        .collect();
    entries.sort();
    for case in entries {
        let to = tmp.join("cases").join(case.file_name().unwrap());
        libra_fixtures::copy_tree(&case, &to).unwrap();
        out.push(to);
    }
    Some((out, head))
}

#[test]
fn corpus_packages_rebuild_with_byte_identical_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((cases, head)) = corpus_with_deps(tmp.path()) else {
        return;
    };
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let mut identical = 0;
    for case in &cases {
        let expected =
            PackageMetadata::from_bcs(&std::fs::read(case.join("expected/metadata.bcs")).unwrap())
                .unwrap();
        let mut files: Vec<PathBuf> = std::fs::read_dir(case.join("expected"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "mv"))
            .filter(|p| {
                !p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("script")
            })
            .collect();
        files.sort();
        let code: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
        let mut canned = Canned::from_bundle(&head);
        canned.modules.insert(expected.name.clone(), code.clone());
        let release = build(
            std::slice::from_ref(case),
            tmp.path(),
            BuildMode::Production,
            &canned,
        );
        let package = &release.bundle.packages[0];
        assert_eq!(
            package.metadata.to_bcs().unwrap(),
            expected.to_bcs().unwrap(),
            "{}: metadata",
            case.display()
        );
        assert_eq!(package.code, code, "{}: module order", case.display());
        identical += 1;
    }
    println!(
        "{identical}/{} corpus packages: metadata byte-identical",
        cases.len()
    );
}

/// The package metadata that an upstream upgrade script publishes: the constant that reads as
/// `PackageMetadata` (one chunk for MoveStdlib).
fn published_metadata(script: &[u8]) -> PackageMetadata {
    let script = CompiledScript::deserialize(script).unwrap();
    script
        .constant_pool
        .iter()
        .filter_map(|c| c.decode().ok()?.as_bytes())
        .find_map(|b| PackageMetadata::from_bcs(&b).ok())
        .expect("a metadata constant")
}

#[test]
fn production_move_stdlib_matches_the_published_metadata() {
    let (Some(bytes), Some(script)) = (
        libra_fixtures::read("libra/releases/mainnet.mrb"),
        libra_fixtures::read("libra/upgrade/multi-lib/1-move-stdlib/script.mv"),
    ) else {
        return;
    };
    let mainnet = ReleaseBundle::read(&bytes).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    extract_bundle(&mainnet, tmp.path()).unwrap();
    let dir = tmp.path().join("move-stdlib");
    let release = build(
        std::slice::from_ref(&dir),
        tmp.path(),
        BuildMode::Production,
        &Canned::from_bundle(&mainnet),
    );
    let mut ours = release.bundle.packages[0].metadata.clone();
    let theirs = published_metadata(&script);
    assert_eq!(
        ours.source_digest,
        source_digest::compute(&dir, DigestMode::NonDev).unwrap()
    );
    // The script's digest covers spec files the bundle does not carry.
    ours.source_digest = theirs.source_digest.clone();
    assert_eq!(ours.to_bcs().unwrap(), theirs.to_bcs().unwrap());
    assert!(ours
        .modules
        .iter()
        .all(|m| m.source.is_empty() && m.source_map.is_empty()));
}

#[test]
fn manifest_of_a_small_release() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let mainnet = ReleaseBundle::read(&bytes).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    extract_bundle(&mainnet, tmp.path()).unwrap();
    let release = build(
        &[tmp.path().join("move-stdlib")],
        tmp.path(),
        BuildMode::Dev,
        &Canned::from_bundle(&mainnet),
    );
    let out = tmp.path().join("out");
    let manifest = release.write(&out).unwrap();
    let text = std::fs::read_to_string(out.join("head.manifest.json")).unwrap();
    assert_eq!(ReleaseManifest::from_json(&text).unwrap(), manifest);
    let written = std::fs::read(out.join("head.mrb")).unwrap();
    assert_eq!(ReleaseBundle::read(&written).unwrap(), release.bundle);
    assert!(
        !text.contains(tmp.path().to_str().unwrap()),
        "no absolute path"
    );
    insta::assert_snapshot!("release_move_stdlib_manifest", text);
}

/// The acceptance test: the real compiler and runtime-metadata step rebuild mainnet from its
/// sources, every module byte for byte. It uses the full tree when `LIBRA_FRAMEWORK_TREE` is set
/// (see `framework_tree_rebuilds_mainnet_exactly`), else the tree extracted from the bundle.
/// Prints the identical-module count per package. Then the whole file, embedded sources and
/// source maps included: with the fields this build cannot reproduce taken from mainnet (the
/// source dirs, absolute paths of the machine that built it, and, from an extracted tree, the
/// digests and the place of `chain_status`), `head.mrb` is `mainnet.mrb`.
#[test]
fn acceptance_mainnet_rebuilds_from_source_byte_for_byte() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let mainnet = ReleaseBundle::read(&bytes).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let full_tree = std::env::var_os("LIBRA_FRAMEWORK_TREE").map(PathBuf::from);
    let root = match &full_tree {
        Some(tree) => tree.clone(),
        None => {
            extract_bundle(&mainnet, tmp.path()).unwrap();
            tmp.path().to_path_buf()
        }
    };
    let dirs = framework_packages(&root, BuildMode::Dev).unwrap();
    let mut builder = ReleaseBuilder::new(
        ReleaseOptions {
            mode: BuildMode::Dev,
            root: root.clone(),
        },
        &MoveCompiler,
    );
    let mut counts = Vec::new();
    for (dir, theirs) in dirs.iter().zip(&mainnet.packages) {
        let ours = match builder.add_package(dir) {
            Ok(ours) => ours,
            Err(e) => {
                counts.push(format!("{}: does not build: {e}", theirs.name()));
                break;
            }
        };
        // Module order and metadata are checked by name, so a byte difference in one module
        // does not hide the others.
        if full_tree.is_none() && theirs.name() == "LibraFramework" {
            assert_order_but_chain_status(&ours.metadata, &theirs.metadata);
        } else {
            assert_same_metadata(&ours.metadata, &theirs.metadata);
        }
        let by_name: BTreeMap<String, &Vec<u8>> = theirs
            .metadata
            .modules
            .iter()
            .map(|m| m.name.clone())
            .zip(&theirs.code)
            .collect();
        let differing: Vec<&str> = ours
            .metadata
            .modules
            .iter()
            .zip(&ours.code)
            .filter(|(m, code)| by_name.get(&m.name) != Some(code))
            .map(|(m, _)| m.name.as_str())
            .collect();
        let mut line = format!(
            "{}: {}/{} modules byte-identical",
            theirs.name(),
            theirs.code.len() - differing.len(),
            theirs.code.len()
        );
        if !differing.is_empty() {
            line.push_str(&format!(" (differ: {})", differing.join(", ")));
        }
        counts.push(line);
    }
    for line in &counts {
        println!("{line}");
    }
    let wanted: Vec<String> = mainnet
        .packages
        .iter()
        .map(|p| {
            format!(
                "{}: {}/{} modules byte-identical",
                p.name(),
                p.code.len(),
                p.code.len()
            )
        })
        .collect();
    assert_eq!(counts, wanted);

    let mut bundle = builder.finish().bundle;
    bundle.source_dirs = mainnet.source_dirs.clone();
    for (ours, theirs) in bundle.packages.iter_mut().zip(&mainnet.packages) {
        if full_tree.is_none() {
            ours.metadata.source_digest = theirs.metadata.source_digest.clone();
            if ours.name() == "LibraFramework" {
                // Put `chain_status` back where the spec files put it.
                let mut pairs: Vec<_> = ours
                    .metadata
                    .modules
                    .drain(..)
                    .zip(ours.code.drain(..))
                    .collect();
                let rank = |n: &str| theirs.metadata.modules.iter().position(|m| m.name == n);
                pairs.sort_by_key(|(m, _)| rank(&m.name));
                (ours.metadata.modules, ours.code) = pairs.into_iter().unzip();
            }
        }
    }
    assert!(
        bundle.to_bytes().unwrap() == bytes,
        "head.mrb differs from mainnet.mrb"
    );
}

/// A compiler that always fails, with one diagnostic in the package's first file.
struct Failing;

impl PackageCompiler for Failing {
    fn compile(&self, input: &CompileInput<'_>) -> Result<Vec<CompiledModuleOutput>, CompileError> {
        let loc = move_compiler::parser::ast::Loc::new(
            move_compiler::parser::ast::FileId(0),
            0,
            input
                .sources
                .first()
                .map_or(0, |s| s.text.len().min(6) as u32),
        );
        Err(CompileError {
            diagnostics: vec![move_compiler::driver::CompileDiagnostic::error(
                "E01001",
                "made up",
                loc,
                "this compiler refuses everything",
            )],
        })
    }

    fn runtime_metadata(
        &self,
        _input: &CompileInput<'_>,
        _modules: &mut [CompiledModuleOutput],
    ) -> Result<(), String> {
        Ok(())
    }
}

#[test]
fn build_errors_name_the_package_file_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("p");
    std::fs::create_dir_all(pkg.join("sources")).unwrap();
    std::fs::write(pkg.join("sources/m.move"), "module 0x1::m {}\n").unwrap();
    let manifest = |policy: &str| {
        format!("[package]\nname = \"P\"\nversion = \"1.0.0\"\nupgrade_policy = \"{policy}\"\n")
    };
    let options = ReleaseOptions {
        mode: BuildMode::Production,
        root: tmp.path().to_path_buf(),
    };

    // The compiler's diagnostics come back rendered against the file that has them.
    std::fs::write(pkg.join("Move.toml"), manifest("compatible")).unwrap();
    let mut builder = ReleaseBuilder::new(options.clone(), &Failing);
    let err = builder.add_package(&pkg).unwrap_err().to_string();
    assert!(err.contains("package `P` does not compile"), "{err}");
    assert!(
        err.contains("m.move:1:1") && err.contains("refuses everything"),
        "{err}"
    );

    // A bad policy names the manifest and the key.
    std::fs::write(pkg.join("Move.toml"), manifest("sometimes")).unwrap();
    let mut canned = Canned::from_bundle(&ReleaseBundle {
        packages: vec![],
        source_dirs: vec![],
    });
    canned.modules.insert("P".into(), vec![]);
    let mut builder = ReleaseBuilder::new(options.clone(), &canned);
    let err = builder.add_package(&pkg).unwrap_err().to_string();
    assert!(
        err.contains("Move.toml") && err.contains("package.upgrade_policy"),
        "{err}"
    );

    // A module the sources do not define is refused, and a package cannot be added twice.
    std::fs::write(pkg.join("Move.toml"), manifest("immutable")).unwrap();
    let mainnet = libra_fixtures::read("libra/releases/mainnet.mrb");
    if let Some(bytes) = mainnet {
        let bundle = ReleaseBundle::read(&bytes).unwrap();
        canned
            .modules
            .insert("P".into(), vec![bundle.packages[0].code[0].clone()]);
        let mut builder = ReleaseBuilder::new(options.clone(), &canned);
        let err = builder.add_package(&pkg).unwrap_err().to_string();
        assert!(err.contains("`bcs` is not defined"), "{err}");
    }
    canned.modules.insert("P".into(), vec![]);
    let mut builder = ReleaseBuilder::new(options, &canned);
    let added = builder.add_package(&pkg).unwrap();
    assert_eq!(added.metadata.upgrade_policy.name(), "immutable");
    let err = builder.add_package(&pkg).unwrap_err().to_string();
    assert!(err.contains("twice"), "{err}");
}

#[test]
fn the_repository_framework_builds_deterministically_with_the_real_compiler() {
    let root = libra_fixtures::workspace_root();
    let dirs = framework_packages(&root.join("framework"), BuildMode::Production).unwrap();
    let first = build(&dirs, &root, BuildMode::Production, &MoveCompiler);
    let second = build(&dirs, &root, BuildMode::Production, &MoveCompiler);
    let (a, manifest) = first.to_bytes_and_manifest().unwrap();
    let (b, _) = second.to_bytes_and_manifest().unwrap();
    assert_eq!(a, b);
    let bundle = ReleaseBundle::read(&a).unwrap();
    assert!(
        bundle.invariant_problems().is_empty(),
        "{:?}",
        bundle.invariant_problems()
    );
    for (i, p) in bundle.packages.iter().enumerate() {
        assert!(
            bundle.source_dirs[i].starts_with("framework/"),
            "{}",
            bundle.source_dirs[i]
        );
        assert!(!p.has_sources(), "production builds embed no sources");
        assert_eq!(manifest.packages[i].modules.len(), p.code.len());
    }
    println!(
        "{}",
        manifest
            .packages
            .iter()
            .map(|p| format!("{}: {} modules", p.name, p.modules.len()))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

//! The committed release checked against fresh builds of this repository's `framework/`: the
//! release manifest and the verify report (an identical rebuild, and one after a source change)
//! as snapshots; reproducibility across checkout directories and runs; and the chain from a
//! fresh release to upgrade scripts that pass the offline upgrade verifier.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use framework::release::build_framework;
use framework::release::Release;
use framework::release_diff::compare;
use framework::script_build::BundleCompiler;
use framework::upgrade::{generate, UpgradeRequest};
use framework::verify_upgrade::{verify_upgrade, Recompile};
use framework::ReleaseBundle;
use move_package::BuildMode;
use sha3::{Digest, Sha3_256};

/// The file and text edited to make a rebuild differ in exactly one module's bytecode.
const EDITED_FILE: &str = "libra-framework/sources/version.move";
const EDIT_FROM: &str = "const ENO_GIT_HASH: u64 = 1;";
const EDIT_TO: &str = "const ENO_GIT_HASH: u64 = 2;";

fn framework_dir() -> PathBuf {
    let dir = libra_fixtures::workspace_root().join("framework");
    dir.canonicalize().unwrap_or(dir)
}

fn build(framework: &Path) -> Release {
    build_framework(framework, BuildMode::Production, |_| {})
        .unwrap_or_else(|e| panic!("{}: {e}", framework.display()))
}

/// One production build of `framework/`, shared by the tests that only read it.
fn fresh() -> &'static Release {
    static FRESH: OnceLock<Release> = OnceLock::new();
    FRESH.get_or_init(|| build(&framework_dir()))
}

fn edit(framework: &Path) {
    let file = framework.join(EDITED_FILE);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(EDIT_FROM),
        "{EDITED_FILE} no longer has {EDIT_FROM}"
    );
    std::fs::write(&file, text.replacen(EDIT_FROM, EDIT_TO, 1)).unwrap();
}

fn bytes_and_manifest(release: &Release) -> (Vec<u8>, String) {
    let (bytes, manifest) = release.to_bytes_and_manifest().unwrap();
    (bytes, manifest.to_json())
}

#[test]
fn fresh_release_manifest() {
    let (bytes, manifest) = bytes_and_manifest(fresh());
    assert!(ReleaseBundle::read(&bytes).is_ok());
    let root = framework_dir();
    let root = root.parent().unwrap().to_str().unwrap();
    assert!(!manifest.contains(root), "no absolute path");
    insta::assert_snapshot!("fresh_release_manifest", manifest);
}

#[test]
fn verify_report_of_an_identical_rebuild() {
    let again = build(&framework_dir());
    let (bytes, manifest) = bytes_and_manifest(fresh());
    let (again_bytes, again_manifest) = bytes_and_manifest(&again);
    let diff = compare(&fresh().bundle, &again.bundle).with_manifests(&manifest, &again_manifest);
    assert!(diff.is_identical(), "{diff}");
    assert!(bytes == again_bytes);
    insta::assert_snapshot!("verify_report_identical", diff.to_string());
}

#[test]
fn verify_report_after_a_source_change_names_package_and_module() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("framework");
    libra_fixtures::copy_framework_packages(&copy).unwrap();
    edit(&copy);
    let changed = build(&copy);
    let (_, manifest) = bytes_and_manifest(fresh());
    let (_, changed_manifest) = bytes_and_manifest(&changed);
    let diff =
        compare(&fresh().bundle, &changed.bundle).with_manifests(&manifest, &changed_manifest);
    assert!(!diff.is_identical());
    // Only the edited package and module differ.
    assert_eq!(diff.packages.len(), 1, "{diff}");
    assert_eq!(diff.packages[0].package, "LibraFramework");
    let modules: Vec<&str> = diff.packages[0]
        .modules
        .iter()
        .map(|m| m.module.as_str())
        .collect();
    assert_eq!(modules, ["version"]);
    let report = diff.to_string();
    assert!(
        report.contains("module LibraFramework::version changed"),
        "{report}"
    );
    insta::assert_snapshot!("verify_report_changed_module", report);
}

#[test]
fn release_is_the_same_from_any_checkout_directory_and_run() {
    let tmp = tempfile::tempdir().unwrap();
    let short = tmp.path().join("a/framework");
    let long = tmp
        .path()
        .join("a-much-longer-checkout-directory-name/with/more/levels/framework");
    libra_fixtures::copy_framework_packages(&short).unwrap();
    libra_fixtures::copy_framework_packages(&long).unwrap();
    let (short_bytes, short_manifest) = bytes_and_manifest(&build(&short));
    let (long_bytes, long_manifest) = bytes_and_manifest(&build(&long));
    assert!(
        short_bytes == long_bytes,
        "the bundle depends on the checkout path"
    );
    assert_eq!(short_manifest, long_manifest);

    let (again_bytes, again_manifest) = bytes_and_manifest(&build(&short));
    assert!(short_bytes == again_bytes, "two runs differ");
    assert_eq!(short_manifest, again_manifest);

    // And the copies build what the repository's own tree builds.
    let (bytes, manifest) = bytes_and_manifest(fresh());
    assert!(short_bytes == bytes);
    assert_eq!(short_manifest, manifest);
}

#[test]
fn a_fresh_release_upgrades_and_the_upgrade_verifies() {
    let (bytes, _) = bytes_and_manifest(fresh());
    let bundle = ReleaseBundle::read(&bytes).unwrap();
    let compiler = BundleCompiler::new(&bundle).expect("the release's modules read");
    let request = UpgradeRequest {
        package_dirs: None,
        framework_commit: "1".repeat(40),
        builder_commit: "2".repeat(40),
        force: false,
        framework_package_dir: framework_dir()
            .join("libra-framework")
            .display()
            .to_string(),
    };
    let bundle_sha3: [u8; 32] = Sha3_256::digest(&bytes).into();
    let upgrade = generate(&bundle, bundle_sha3, &request, |script| {
        compiler
            .compile(script.dir_name, script.source)
            .map(|output| output.bytes)
            .map_err(|e| e.to_string())
    })
    .expect("upgrade scripts generate and compile");
    assert_eq!(upgrade.steps.len(), bundle.packages.len());
    upgrade
        .manifest
        .check_chain()
        .expect("the hash chain holds");

    let out = tempfile::tempdir().unwrap();
    upgrade.write(out.path()).unwrap();
    let mut rebuild_script = |dir: &Path| -> Result<Vec<u8>, String> {
        compiler
            .compile_package_dir(dir)
            .map(|output| output.bytes)
            .map_err(|e| e.to_string())
    };
    let recompile: Recompile<'_> = &mut rebuild_script;
    let report = verify_upgrade(out.path(), Some(&bundle), Some(recompile)).unwrap();
    assert!(report.passed(), "{:?}", report.findings);
    assert!(report.recompiled && report.compared_with_bundle);
    let published: usize = report.steps.iter().map(|s| s.modules.len()).sum();
    let modules: usize = bundle.packages.iter().map(|p| p.code.len()).sum();
    assert_eq!(published, modules);
}

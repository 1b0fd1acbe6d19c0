//! Offline verification of an upgrade directory: upstream's fixtures pass, and each kind of
//! tampering with a copy of them is caught with its own message.

use std::path::Path;

use framework::bundle::ReleaseBundle;
use framework::script_build::BundleCompiler;
use framework::verify_upgrade::{script_facts, verify_upgrade, FailureClass, VerifyReport};
use sha3::{Digest, Sha3_256};

const STEPS: [&str; 3] = ["1-move-stdlib", "2-vendor-stdlib", "3-libra-framework"];

/// A scratch copy of the multi-lib upgrade (without its bundle).
fn multi_lib_copy() -> Option<tempfile::TempDir> {
    let source = libra_fixtures::require("libra/upgrade/multi-lib")?;
    let copy = tempfile::tempdir().expect("tempdir");
    for step in STEPS {
        let from = source.join(step);
        let to = copy.path().join(step);
        std::fs::create_dir_all(to.join("sources")).expect("mkdir");
        for file in [
            "Move.toml",
            "script.mv",
            "script_sha3",
            &format!("sources/{step}.move"),
        ] {
            std::fs::copy(from.join(file), to.join(file)).expect("copy");
        }
    }
    Some(copy)
}

fn bundle(relative: &str) -> Option<ReleaseBundle> {
    Some(ReleaseBundle::read(&libra_fixtures::read(relative)?).expect("bundle reads"))
}

fn verify(dir: &Path, bundle: Option<&ReleaseBundle>) -> VerifyReport {
    verify_upgrade(dir, bundle, None).expect("verification runs")
}

/// The only failures are of `class`, and one of them names `step` and says `words`.
fn assert_caught(report: &VerifyReport, class: FailureClass, step: Option<&str>, words: &str) {
    let first = report.first_failure();
    assert!(!first.is_empty(), "nothing was caught");
    assert!(
        first.iter().all(|f| f.class == class),
        "expected {class} first, got {:?}",
        report.findings
    );
    assert!(
        first
            .iter()
            .any(|f| f.step.as_deref() == step && f.message.contains(words)),
        "no {class} finding for {step:?} saying `{words}`: {:?}",
        report.findings
    );
}

#[test]
fn upstream_upgrades_verify_against_their_bundles() {
    for (set, steps) in [("multi-lib", &STEPS[..]), ("single-lib", &STEPS[..1])] {
        let Some(dir) = libra_fixtures::require(&format!("libra/upgrade/{set}")) else {
            return;
        };
        let bundle =
            bundle(&format!("libra/upgrade/{set}/head_all_your_base.mrb")).expect("bundle");
        let report = verify(&dir, Some(&bundle));
        assert!(report.passed(), "{set}: {:?}", report.findings);
        assert_eq!(report.steps.len(), steps.len());
        let module_count: usize = report.steps.iter().map(|s| s.modules.len()).sum();
        let bundle_count: usize = bundle.packages[..steps.len()]
            .iter()
            .map(|p| p.code.len())
            .sum();
        assert_eq!(
            module_count, bundle_count,
            "{set}: every module of the packages is published"
        );
    }
}

#[test]
fn the_embedded_next_hash_is_the_next_scripts_hash() {
    let Some(first) = libra_fixtures::read("libra/upgrade/multi-lib/1-move-stdlib/script.mv")
    else {
        return;
    };
    let second =
        libra_fixtures::read("libra/upgrade/multi-lib/2-vendor-stdlib/script.mv").expect("step 2");
    let facts = script_facts(&first).expect("an upgrade script");
    assert_eq!(facts.next_hash, Sha3_256::digest(&second).to_vec());
    assert_eq!(facts.modules.len(), 11, "MoveStdlib has 11 modules");
}

#[test]
fn a_flipped_script_byte_is_a_hash_failure() {
    let Some(copy) = multi_lib_copy() else { return };
    let path = copy.path().join("2-vendor-stdlib/script.mv");
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    let report = verify(copy.path(), None);
    assert_caught(
        &report,
        FailureClass::Hash,
        Some("2-vendor-stdlib"),
        "SHA3-256 of script.mv",
    );
}

#[test]
fn a_changed_script_sha3_is_a_hash_failure() {
    let Some(copy) = multi_lib_copy() else { return };
    std::fs::write(
        copy.path().join("3-libra-framework/script_sha3"),
        "00".repeat(32),
    )
    .unwrap();
    let report = verify(copy.path(), None);
    assert_caught(
        &report,
        FailureClass::Hash,
        Some("3-libra-framework"),
        "script_sha3 says 0000",
    );
}

#[test]
fn swapped_steps_break_the_chain() {
    let Some(copy) = multi_lib_copy() else { return };
    let p = copy.path();
    std::fs::rename(p.join("1-move-stdlib"), p.join("tmp")).unwrap();
    std::fs::rename(p.join("2-vendor-stdlib"), p.join("1-vendor-stdlib")).unwrap();
    std::fs::rename(p.join("tmp"), p.join("2-move-stdlib")).unwrap();
    let report = verify(p, None);
    assert_caught(
        &report,
        FailureClass::Chain,
        Some("1-vendor-stdlib"),
        "but 2-move-stdlib has script hash",
    );
}

#[test]
fn a_dropped_middle_step_is_a_layout_failure() {
    let Some(copy) = multi_lib_copy() else { return };
    std::fs::remove_dir_all(copy.path().join("2-vendor-stdlib")).unwrap();
    let report = verify(copy.path(), None);
    assert_caught(&report, FailureClass::Layout, None, "step 2 is missing");
}

#[test]
fn a_dropped_last_step_breaks_the_chain() {
    let Some(copy) = multi_lib_copy() else { return };
    std::fs::remove_dir_all(copy.path().join("3-libra-framework")).unwrap();
    let report = verify(copy.path(), None);
    assert_caught(
        &report,
        FailureClass::Chain,
        Some("2-vendor-stdlib"),
        "there is no next step",
    );
}

#[test]
fn modules_from_another_release_are_named_with_the_first_differing_byte() {
    let Some(dir) = libra_fixtures::require("libra/upgrade/multi-lib") else {
        return;
    };
    // mainnet.mrb was built from a different LibraFramework tree, without all_your_base.
    let other = bundle("libra/releases/mainnet.mrb").expect("mainnet");
    let report = verify(&dir, Some(&other));
    assert_caught(
        &report,
        FailureClass::Bundle,
        Some("3-libra-framework"),
        "`all_your_base`, which the bundle does not have",
    );
    assert!(report.findings.iter().any(|f| f
        .message
        .contains("differs from the bundle's: first differing byte at offset")));
}

#[test]
fn a_recompile_difference_names_the_first_differing_byte() {
    let Some(dir) = libra_fixtures::require("libra/upgrade/single-lib") else {
        return;
    };
    let mut rebuild = |step: &Path| -> Result<Vec<u8>, String> {
        let mut bytes = std::fs::read(step.join("script.mv")).map_err(|e| e.to_string())?;
        bytes[100] ^= 0xff;
        Ok(bytes)
    };
    let report = verify_upgrade(&dir, None, Some(&mut rebuild)).expect("runs");
    assert_caught(
        &report,
        FailureClass::Recompile,
        Some("1-move-stdlib"),
        "first differing byte at offset 100",
    );
}

#[test]
fn a_changed_code_byte_in_a_source_fails_recompilation() {
    let Some(copy) = multi_lib_copy() else { return };
    let bundle = bundle("libra/upgrade/multi-lib/head_all_your_base.mrb").expect("bundle");
    let compiler = BundleCompiler::new(&bundle).expect("bundle modules read");
    let source = copy.path().join("1-move-stdlib/sources/1-move-stdlib.move");
    let text = std::fs::read_to_string(&source).unwrap();
    // The first code chunk starts with the module magic `161u8,28u8,235u8,11u8,`; change its version byte.
    let tampered = text.replacen(
        "161u8,28u8,235u8,11u8,6u8,",
        "161u8,28u8,235u8,11u8,5u8,",
        1,
    );
    assert_ne!(tampered, text);
    std::fs::write(&source, tampered).unwrap();
    let mut rebuild = |dir: &Path| -> Result<Vec<u8>, String> {
        compiler
            .compile_package_dir(dir)
            .map(|output| output.bytes)
            .map_err(|err| err.to_string())
    };
    let report = verify_upgrade(copy.path(), Some(&bundle), Some(&mut rebuild)).expect("runs");
    assert_caught(
        &report,
        FailureClass::Recompile,
        Some("1-move-stdlib"),
        "the source compiles to different bytes: first differing byte at offset",
    );
}

#[test]
fn untampered_sources_recompile_to_their_scripts() {
    let Some(dir) = libra_fixtures::require("libra/upgrade/single-lib") else {
        return;
    };
    let bundle = bundle("libra/upgrade/single-lib/head_all_your_base.mrb").expect("bundle");
    let compiler = BundleCompiler::new(&bundle).expect("bundle modules read");
    let mut rebuild = |dir: &Path| -> Result<Vec<u8>, String> {
        compiler
            .compile_package_dir(dir)
            .map(|output| output.bytes)
            .map_err(|err| err.to_string())
    };
    let report = verify_upgrade(&dir, Some(&bundle), Some(&mut rebuild)).expect("runs");
    assert!(report.passed(), "{:?}", report.findings);
    assert!(report.recompiled && report.compared_with_bundle);
}

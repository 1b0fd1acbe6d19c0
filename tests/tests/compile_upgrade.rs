//! The compiler reproduces upstream's upgrade scripts byte for byte: every step under
//! `libra/upgrade/<set>/` and the multi-chunk probe, compiled from its `.move` text against the
//! modules of its set's `head_all_your_base.mrb`, gives the fixture's `script.mv` and its SHA3-256
//! equals `script_sha3`.

use framework::bundle::ReleaseBundle;
use framework::script_build::BundleCompiler;
use sha3::{Digest, Sha3_256};

fn check_step(bundle: &str, step_dir: &str, source: &str) {
    let Some(bundle_bytes) = libra_fixtures::read(bundle) else {
        return;
    };
    let (Some(text), Some(expected), Some(sha)) = (
        libra_fixtures::read(&format!("{step_dir}/sources/{source}")),
        libra_fixtures::read(&format!("{step_dir}/script.mv")),
        libra_fixtures::read(&format!("{step_dir}/script_sha3")),
    ) else {
        return;
    };
    let bundle = ReleaseBundle::read(&bundle_bytes).expect("bundle reads");
    let compiler = BundleCompiler::new(&bundle).expect("bundle modules read");
    let text = String::from_utf8(text).expect("utf8");
    let out = compiler
        .compile(source, &text)
        .unwrap_or_else(|e| panic!("{step_dir}: {e}"));
    if out.bytes != expected {
        let ours = move_bytecode::disassembler::disassemble_script(&out.script);
        let theirs = move_bytecode::disassembler::disassemble_bytes(&expected).unwrap_or_default();
        panic!(
            "{step_dir}: {} bytes, expected {}\n--- ours\n{}\n--- expected\n{}",
            out.bytes.len(),
            expected.len(),
            ours.chars().take(6000).collect::<String>(),
            theirs.chars().take(6000).collect::<String>()
        );
    }
    let digest = hex::encode(Sha3_256::digest(&out.bytes));
    assert_eq!(digest.as_bytes(), &sha[..], "{step_dir}: sha3");
}

#[test]
fn multi_lib_step_1_move_stdlib() {
    check_step(
        "libra/upgrade/multi-lib/head_all_your_base.mrb",
        "libra/upgrade/multi-lib/1-move-stdlib",
        "1-move-stdlib.move",
    );
}

#[test]
fn multi_lib_step_2_vendor_stdlib() {
    check_step(
        "libra/upgrade/multi-lib/head_all_your_base.mrb",
        "libra/upgrade/multi-lib/2-vendor-stdlib",
        "2-vendor-stdlib.move",
    );
}

#[test]
fn multi_lib_step_3_libra_framework() {
    check_step(
        "libra/upgrade/multi-lib/head_all_your_base.mrb",
        "libra/upgrade/multi-lib/3-libra-framework",
        "3-libra-framework.move",
    );
}

#[test]
fn single_lib_step_1_move_stdlib() {
    check_step(
        "libra/upgrade/single-lib/head_all_your_base.mrb",
        "libra/upgrade/single-lib/1-move-stdlib",
        "1-move-stdlib.move",
    );
}

#[test]
fn multichunk_probe_k2() {
    let dir = "conformance/upgrade/multichunk-k2/1-chunk-probe-k2";
    let Some(root) = libra_fixtures::require(dir) else {
        return;
    };
    let source = std::fs::read_dir(root.join("sources"))
        .expect("sources dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".move"))
        .expect("a .move source");
    check_step(
        "libra/upgrade/multi-lib/head_all_your_base.mrb",
        dir,
        &source,
    );
}

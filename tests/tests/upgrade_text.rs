//! The upgrade-step text generator reproduces upstream's upgrade scripts byte for byte.
//!
//! Upstream generated its fixtures from a production build of the sources of the dev bundle
//! `head_all_your_base.mrb` beside them. The test derives that production metadata from the dev
//! bundle (documented in the bundle format: drop sources and source maps, take the non-dev source
//! digest, which only the fixture's header records, and policy 1) and feeds it, with the commits the
//! header records, to the generator.

use framework::bundle::ReleaseBundle;
use framework::metadata::UpgradePolicy;
use framework::upgrade_script::{production_metadata, script_move_toml, script_text, StepInputs};

/// The values a fixture script's header comments record.
struct Header {
    framework_commit: String,
    builder_commit: String,
    next_hash: Vec<u8>,
    source_digest: String,
}

fn parse_header(text: &str) -> Header {
    Header {
        framework_commit: libra_fixtures::script_header(text, "// Framework commit hash:"),
        builder_commit: libra_fixtures::script_header(text, "// Builder commit hash:"),
        next_hash: hex::decode(libra_fixtures::script_header(
            text,
            "// Next step script hash:",
        ))
        .expect("hex"),
        source_digest: libra_fixtures::script_header(text, "// source digest:"),
    }
}

/// Regenerates every step of one fixture set and compares it with the stored files.
fn check_set(set: &str, steps: &[&str]) {
    let Some(bundle_bytes) =
        libra_fixtures::read(&format!("libra/upgrade/{set}/head_all_your_base.mrb"))
    else {
        return;
    };
    let bundle = ReleaseBundle::read(&bundle_bytes).expect("fixture bundle reads");
    for step in steps {
        let (_, dir) = step.split_once('-').expect("step dir is N-<package-dir>");
        let index = (0..bundle.packages.len())
            .find(|&i| bundle.package_dir_name(i) == Some(dir))
            .unwrap_or_else(|| panic!("no package in directory {dir}"));
        let package = &bundle.packages[index];

        let step_dir = format!("libra/upgrade/{set}/{step}");
        let expected = String::from_utf8(
            libra_fixtures::read(&format!("{step_dir}/sources/{step}.move")).expect("source"),
        )
        .expect("ascii");
        let header = parse_header(&expected);
        let metadata = production_metadata(
            &package.metadata,
            &header.source_digest,
            UpgradePolicy::COMPATIBLE,
        );
        let metadata_bcs = bcs::to_bytes(&metadata).expect("metadata encodes");
        let text = script_text(&StepInputs {
            metadata: &metadata,
            metadata_bcs: &metadata_bcs,
            code: &package.code,
            framework_commit: &header.framework_commit,
            builder_commit: &header.builder_commit,
            next_hash: &header.next_hash,
        });
        assert_eq!(
            text.len(),
            expected.len(),
            "{set}/{step}: generated text differs in length"
        );
        if let Some(line) = text.lines().zip(expected.lines()).position(|(a, b)| a != b) {
            panic!("{set}/{step}: first difference at line {}", line + 1);
        }
        assert_eq!(text, expected, "{set}/{step}");

        let toml = libra_fixtures::read(&format!("{step_dir}/Move.toml")).expect("Move.toml");
        assert_eq!(
            script_move_toml("/root/libra-framework/framework/libra-framework").as_bytes(),
            toml.as_slice(),
            "{set}/{step}: Move.toml"
        );
    }
}

#[test]
fn multi_lib_steps_regenerate_byte_for_byte() {
    check_set(
        "multi-lib",
        &["1-move-stdlib", "2-vendor-stdlib", "3-libra-framework"],
    );
}

#[test]
fn single_lib_step_regenerates_byte_for_byte() {
    check_set("single-lib", &["1-move-stdlib"]);
}

#[test]
fn the_header_records_the_next_steps_script_hash() {
    // The chain the text carries must be the chain of the stored hashes.
    let steps = ["1-move-stdlib", "2-vendor-stdlib", "3-libra-framework"];
    for pair in steps.windows(2) {
        let Some(text) = libra_fixtures::read(&format!(
            "libra/upgrade/multi-lib/{0}/sources/{0}.move",
            pair[0]
        )) else {
            return;
        };
        let header = parse_header(std::str::from_utf8(&text).expect("ascii"));
        let next =
            libra_fixtures::read(&format!("libra/upgrade/multi-lib/{}/script_sha3", pair[1]))
                .expect("script_sha3");
        assert_eq!(hex::encode(&header.next_hash).as_bytes(), next.as_slice());
    }
}

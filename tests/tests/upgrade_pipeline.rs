//! The upgrade generator orders the steps, chains their hashes and lays out its output as
//! upstream did for the `multi-lib` and `single-lib` fixtures.
//!
//! The production bundle is derived from the dev bundle beside the fixtures (a documented test
//! transformation: drop sources and source maps, take each package's non-dev source digest from
//! the fixture header). Each script is compiled by our compiler against that bundle, so the
//! directories written must equal upstream's byte for byte: Move.toml, source, script.mv and
//! script_sha3, with the manifest's chain and sizes following.

use std::collections::BTreeMap;

use framework::bundle::ReleaseBundle;
use framework::script_build::BundleCompiler;
use framework::upgrade::{generate, UpgradeError, UpgradeRequest};
use sha3::{Digest, Sha3_256};

const FRAMEWORK_DIR: &str = "/root/libra-framework/framework/libra-framework";

/// The stored upstream step: its source text and script bytes, by step directory name.
struct StoredStep {
    source: String,
    script: Vec<u8>,
}

fn stored_steps(set: &str, steps: &[&str]) -> Option<BTreeMap<String, StoredStep>> {
    let mut out = BTreeMap::new();
    for step in steps {
        let dir = format!("libra/upgrade/{set}/{step}");
        let source = libra_fixtures::read(&format!("{dir}/sources/{step}.move"))?;
        let script = libra_fixtures::read(&format!("{dir}/script.mv"))?;
        out.insert(
            step.to_string(),
            StoredStep {
                source: String::from_utf8(source).expect("ascii"),
                script,
            },
        );
    }
    Some(out)
}

/// The production bundle upstream built its scripts from, derived from the dev bundle.
fn production_bundle(set: &str, stored: &BTreeMap<String, StoredStep>) -> Option<ReleaseBundle> {
    let bytes = libra_fixtures::read(&format!("libra/upgrade/{set}/head_all_your_base.mrb"))?;
    let mut bundle = ReleaseBundle::read(&bytes).expect("fixture bundle reads");
    for index in 0..bundle.packages.len() {
        let dir = bundle
            .package_dir_name(index)
            .expect("source dir")
            .to_string();
        let package = &mut bundle.packages[index];
        for module in &mut package.metadata.modules {
            module.source.clear();
            module.source_map.clear();
        }
        if let Some(step) = stored
            .iter()
            .find(|(name, _)| name.ends_with(&format!("-{dir}")))
        {
            package.metadata.source_digest =
                libra_fixtures::script_header(&step.1.source, "// source digest:");
        }
    }
    Some(bundle)
}

fn request(stored: &BTreeMap<String, StoredStep>, packages: Option<Vec<String>>) -> UpgradeRequest {
    let any = stored.values().next().expect("a step");
    UpgradeRequest {
        package_dirs: packages,
        framework_commit: libra_fixtures::script_header(&any.source, "// Framework commit hash:"),
        builder_commit: libra_fixtures::script_header(&any.source, "// Builder commit hash:"),
        force: false,
        framework_package_dir: FRAMEWORK_DIR.to_string(),
    }
}

fn check_set(set: &str, steps: &[&str], packages: Option<Vec<String>>) {
    let Some(stored) = stored_steps(set, steps) else {
        return;
    };
    let Some(bundle) = production_bundle(set, &stored) else {
        return;
    };
    let bundle_sha3: [u8; 32] = Sha3_256::digest(bundle.to_bytes().expect("encodes")).into();
    let compiler = BundleCompiler::new(&bundle).expect("bundle modules read");
    let mut compiled = Vec::new();
    let upgrade = generate(
        &bundle,
        bundle_sha3,
        &request(&stored, packages),
        |script| {
            compiled.push(script.dir_name.to_string());
            let step = stored
                .get(script.dir_name)
                .ok_or_else(|| format!("unexpected step {}", script.dir_name))?;
            assert_eq!(
                script.source, step.source,
                "{set}/{}: text",
                script.dir_name
            );
            let output = compiler
                .compile(script.dir_name, script.source)
                .map_err(|e| e.to_string())?;
            assert!(
                output.bytes == step.script,
                "{set}/{}: script.mv differs from upstream",
                script.dir_name
            );
            Ok(output.bytes)
        },
    )
    .expect("upgrade generates");

    // Last step first, so that each script can embed the next one's hash.
    let mut expected_order: Vec<String> = steps.iter().map(|s| s.to_string()).collect();
    expected_order.reverse();
    assert_eq!(compiled, expected_order);

    let manifest = &upgrade.manifest;
    assert_eq!(manifest.steps.len(), steps.len());
    assert_eq!(manifest.execution_hash, manifest.steps[0].script_sha3);
    assert_eq!(manifest.bundle_sha3, hex::encode(bundle_sha3));
    for (i, step) in manifest.steps.iter().enumerate() {
        let stored_hash =
            libra_fixtures::read(&format!("libra/upgrade/{set}/{}/script_sha3", step.dir))
                .expect("script_sha3");
        assert_eq!(
            step.script_sha3.as_bytes(),
            stored_hash.as_slice(),
            "{}",
            step.dir
        );
        let next = manifest
            .steps
            .get(i + 1)
            .map(|s| s.script_sha3.clone())
            .unwrap_or_default();
        assert_eq!(step.next_hash, next, "{}", step.dir);
        assert_eq!(step.step as usize, i + 1);
    }
    manifest.check_chain().expect("manifest chain holds");

    let out = tempfile::tempdir().expect("tempdir");
    upgrade.write(out.path()).expect("writes");
    for step in steps {
        for file in [
            "Move.toml",
            &format!("sources/{step}.move"),
            "script.mv",
            "script_sha3",
        ] {
            let written = std::fs::read(out.path().join(step).join(file)).expect("written");
            let stored = libra_fixtures::read(&format!("libra/upgrade/{set}/{step}/{file}"))
                .expect("stored");
            assert!(
                written == stored,
                "{set}/{step}/{file} differs from upstream"
            );
        }
    }
    let reread = framework::upgrade_manifest::load(&out.path().join("upgrade.manifest.json"))
        .expect("manifest reads back");
    assert_eq!(&reread, manifest);
    insta::assert_snapshot!(format!("{set}_manifest"), manifest.to_json());
}

#[test]
fn multi_lib_layout_and_chain_match_upstream() {
    check_set(
        "multi-lib",
        &["1-move-stdlib", "2-vendor-stdlib", "3-libra-framework"],
        None,
    );
}

#[test]
fn single_lib_selects_one_package() {
    check_set(
        "single-lib",
        &["1-move-stdlib"],
        Some(vec!["move-stdlib".to_string()]),
    );
}

#[test]
fn a_dev_bundle_is_refused_with_advice() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = ReleaseBundle::read(&bytes).expect("reads");
    let request = UpgradeRequest {
        package_dirs: None,
        framework_commit: "0".repeat(40),
        builder_commit: "0".repeat(40),
        force: false,
        framework_package_dir: FRAMEWORK_DIR.to_string(),
    };
    let err = generate(&bundle, [0; 32], &request, |_| Ok(Vec::new())).unwrap_err();
    assert!(matches!(err, UpgradeError::DevBundle { .. }), "{err}");
    assert!(err.to_string().contains("cargo xtask release"), "{err}");
}

#[test]
fn unknown_packages_and_bad_commits_are_refused() {
    let Some(stored) = stored_steps("single-lib", &["1-move-stdlib"]) else {
        return;
    };
    let Some(bundle) = production_bundle("single-lib", &stored) else {
        return;
    };
    let err = generate(
        &bundle,
        [0; 32],
        &request(&stored, Some(vec!["no-such-package".to_string()])),
        |_| Ok(Vec::new()),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no-such-package"), "{err}");
    assert!(err.to_string().contains("move-stdlib"), "{err}");

    let mut bad = request(&stored, None);
    bad.framework_commit = "HEAD".to_string();
    let err = generate(&bundle, [0; 32], &bad, |_| Ok(Vec::new())).unwrap_err();
    assert!(matches!(err, UpgradeError::BadCommit(_)), "{err}");
}

#[test]
fn a_metadata_blob_over_one_chunk_is_split_as_upstream_splits_it() {
    // A one-package release whose metadata (33068 bytes) needs two 32767-byte chunks. Its modules
    // are the ones upstream's script publishes; its metadata is upstream's build output.
    let base = "conformance/upgrade/multichunk-k2";
    let step = "1-chunk-probe-k2";
    let (Some(metadata), Some(expected_script), Some(expected_source), Some(expected_toml)) = (
        libra_fixtures::read(&format!("{base}/package-metadata.bcs")),
        libra_fixtures::read(&format!("{base}/{step}/script.mv")),
        libra_fixtures::read(&format!("{base}/{step}/sources/{step}.move")),
        libra_fixtures::read(&format!("{base}/{step}/Move.toml")),
    ) else {
        return;
    };
    let Some(framework_bytes) =
        libra_fixtures::read("libra/upgrade/multi-lib/head_all_your_base.mrb")
    else {
        return;
    };
    let metadata =
        framework::metadata::PackageMetadata::from_bcs(&metadata).expect("metadata reads");
    let code = framework::verify_upgrade::script_facts(&expected_script)
        .expect("an upgrade script")
        .modules;
    assert_eq!(code.len(), metadata.modules.len());
    let release = ReleaseBundle {
        packages: vec![framework::bundle::ReleasePackage { metadata, code }],
        source_dirs: vec!["/build/chunk-probe-k2/sources".to_string()],
    };
    let source = String::from_utf8(expected_source).expect("ascii");
    let request = UpgradeRequest {
        package_dirs: None,
        framework_commit: libra_fixtures::script_header(&source, "// Framework commit hash:"),
        builder_commit: libra_fixtures::script_header(&source, "// Builder commit hash:"),
        force: false,
        framework_package_dir: "../../../deps/LibraFramework".to_string(),
    };
    // The script calls the framework, so it compiles against the framework release.
    let framework = ReleaseBundle::read(&framework_bytes).expect("bundle reads");
    let compiler = BundleCompiler::new(&framework).expect("modules read");
    let upgrade = generate(&release, [0; 32], &request, |script| {
        compiler
            .compile(script.dir_name, script.source)
            .map(|output| output.bytes)
            .map_err(|e| e.to_string())
    })
    .expect("upgrade generates");
    let generated = &upgrade.steps[0];
    assert_eq!(generated.dir_name, step);
    assert!(
        generated.source == source,
        "the two-chunk text differs from upstream's"
    );
    assert_eq!(generated.move_toml.as_bytes(), expected_toml.as_slice());
    assert!(
        generated.script == expected_script,
        "script.mv differs from upstream's"
    );
    assert_eq!(upgrade.manifest.steps[0].metadata_size, 33068);
}

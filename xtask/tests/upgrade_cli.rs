//! `cargo xtask upgrade` and `cargo xtask verify-upgrade` end to end, as a release engineer runs
//! them: from a production bundle file to step directories identical to upstream's, then verified.
//!
//! Upstream's fixtures were generated from a production build of the sources of the dev bundle
//! beside them; the test derives that production bundle (documented test transformation: drop the
//! embedded sources and source maps, take each package's non-dev source digest from the fixture's
//! header) and passes the commits and framework directory that the fixtures record.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

use framework::bundle::ReleaseBundle;

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");
const FRAMEWORK_DIR: &str = "/root/libra-framework/framework";

fn run<S: AsRef<OsStr>>(args: &[S], cwd: &Path) -> Output {
    Command::new(XTASK)
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("xtask runs")
}

/// Writes the production bundle of a fixture set into `dir` and returns the header of step 1.
fn production_bundle(set: &str, steps: &[&str], dir: &Path) -> Option<String> {
    let bytes = libra_fixtures::read(&format!("libra/upgrade/{set}/head_all_your_base.mrb"))?;
    let mut bundle = ReleaseBundle::read(&bytes).expect("bundle reads");
    let mut first_text = None;
    for index in 0..bundle.packages.len() {
        let dir_name = bundle.package_dir_name(index).expect("dir").to_string();
        let package = &mut bundle.packages[index];
        for module in &mut package.metadata.modules {
            module.source.clear();
            module.source_map.clear();
        }
        if let Some(step) = steps.iter().find(|s| s.ends_with(&format!("-{dir_name}"))) {
            let text =
                libra_fixtures::read(&format!("libra/upgrade/{set}/{step}/sources/{step}.move"))?;
            let text = String::from_utf8(text).expect("ascii");
            package.metadata.source_digest =
                libra_fixtures::script_header(&text, "// source digest:");
            first_text.get_or_insert(text);
        }
    }
    std::fs::write(dir.join("head.mrb"), bundle.to_bytes().expect("encodes")).expect("write");
    first_text
}

fn upgrade_reproduces(set: &str, steps: &[&str], packages: Option<&str>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let Some(header) = production_bundle(set, steps, tmp.path()) else {
        return;
    };
    let fw = libra_fixtures::script_header(&header, "// Framework commit hash:");
    let builder = libra_fixtures::script_header(&header, "// Builder commit hash:");
    let mut args = vec![
        "upgrade",
        "--bundle",
        "head.mrb",
        "--out",
        "out",
        "--framework-commit",
        &fw,
        "--builder-commit",
        &builder,
        "--framework-local-dir",
        FRAMEWORK_DIR,
    ];
    if let Some(packages) = packages {
        args.extend(["--packages", packages]);
    }
    let output = run(&args, tmp.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let first_hash =
        libra_fixtures::read(&format!("libra/upgrade/{set}/1-move-stdlib/script_sha3"))
            .expect("hash");
    assert!(
        stdout.contains(&format!(
            "execution hash to propose: {}",
            String::from_utf8_lossy(&first_hash)
        )),
        "{stdout}"
    );

    for step in steps {
        for file in [
            "Move.toml",
            &format!("sources/{step}.move"),
            "script.mv",
            "script_sha3",
        ] {
            let ours =
                std::fs::read(tmp.path().join("out").join(step).join(file)).expect("written");
            let theirs = libra_fixtures::read(&format!("libra/upgrade/{set}/{step}/{file}"))
                .expect("fixture");
            assert!(ours == theirs, "{set}/{step}/{file} differs from upstream");
        }
    }
    let manifest = framework::upgrade_manifest::load(&tmp.path().join("out/upgrade.manifest.json"))
        .expect("manifest reads");
    assert_eq!(manifest.steps.len(), steps.len());

    let verified = run(
        &["verify-upgrade", "out", "--bundle", "head.mrb"],
        tmp.path(),
    );
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    assert!(String::from_utf8_lossy(&verified.stdout)
        .contains(&format!("upgrade verified: {} steps", steps.len())));
}

#[test]
fn upgrade_reproduces_multi_lib_and_verifies() {
    upgrade_reproduces(
        "multi-lib",
        &["1-move-stdlib", "2-vendor-stdlib", "3-libra-framework"],
        None,
    );
}

#[test]
fn upgrade_reproduces_single_lib_and_verifies() {
    upgrade_reproduces("single-lib", &["1-move-stdlib"], Some("move-stdlib"));
}

#[test]
fn verify_upgrade_fails_naming_the_tampered_step() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let Some(source) = libra_fixtures::require("libra/upgrade/single-lib/1-move-stdlib") else {
        return;
    };
    let step = tmp.path().join("1-move-stdlib");
    std::fs::create_dir_all(step.join("sources")).unwrap();
    for file in ["Move.toml", "script.mv", "sources/1-move-stdlib.move"] {
        std::fs::copy(source.join(file), step.join(file)).unwrap();
    }
    std::fs::write(step.join("script_sha3"), "ab".repeat(32)).unwrap();
    let output = run(&["verify-upgrade", "."], tmp.path());
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("FAIL [hash] 1-move-stdlib: script_sha3 says abab"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("hash check failed"));
}

#[test]
fn a_dev_bundle_is_refused_with_advice() {
    let Some(path) = libra_fixtures::require("libra/releases/mainnet.mrb") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let zeros = "0".repeat(40);
    let output = run(
        &[
            "upgrade",
            "--bundle",
            path.to_str().unwrap(),
            "--out",
            "out",
            "--framework-commit",
            &zeros,
            "--builder-commit",
            &zeros,
        ],
        tmp.path(),
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("dev bundle") && stderr.contains("cargo xtask release"),
        "{stderr}"
    );
    assert!(
        !tmp.path().join("out").exists(),
        "nothing is written for a refused bundle"
    );
}

#[test]
fn the_framework_commit_comes_from_git_and_a_dirty_tree_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let Some(_) = production_bundle("single-lib", &["1-move-stdlib"], tmp.path()) else {
        return;
    };
    let repo = tmp.path().join("fw");
    std::fs::create_dir_all(repo.join("libra-framework")).unwrap();
    std::fs::write(
        repo.join("libra-framework/Move.toml"),
        "[package]\nname = 'x'\n",
    )
    .unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&repo)
            .output()
            .expect("git runs");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        String::from_utf8_lossy(&status.stdout).trim().to_string()
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "framework"]);
    let head = git(&["rev-parse", "HEAD"]);
    let builder = "1".repeat(40);
    let args = |out: &'static str| {
        vec![
            "upgrade".to_string(),
            "--bundle".into(),
            "head.mrb".into(),
            "--out".into(),
            out.into(),
            "--builder-commit".into(),
            builder.clone(),
            "--framework-local-dir".into(),
            "fw".into(),
        ]
    };
    let output = run(&args("clean"), tmp.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(
        tmp.path()
            .join("clean/1-move-stdlib/sources/1-move-stdlib.move"),
    )
    .unwrap();
    assert!(text.contains(&format!("// Framework commit hash: {head}")));

    std::fs::write(
        repo.join("libra-framework/Move.toml"),
        "[package]\nname = 'y'\n",
    )
    .unwrap();
    let output = run(&args("dirty"), tmp.path());
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("uncommitted changes"));

    let mut allowed = args("allowed");
    allowed.push("--allow-dirty".into());
    let output = run(&allowed, tmp.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

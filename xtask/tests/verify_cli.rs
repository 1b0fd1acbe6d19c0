//! `cargo xtask verify` end to end, as CI runs it: on a copy of this repository's framework
//! packages whose `releases/` was written by `cargo xtask release`, it passes; after a source
//! edit it fails and names the module that changed.

use std::path::Path;
use std::process::{Command, Output};

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(XTASK)
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("xtask runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn verify_passes_on_a_fresh_release_and_names_an_edited_module() {
    let tmp = tempfile::tempdir().unwrap();
    libra_fixtures::copy_framework_packages(&tmp.path().join("framework")).unwrap();

    let released = run(&["release", "--out", "releases"], tmp.path());
    assert!(released.status.success(), "{}", text(&released.stderr));

    let verified = run(&["verify"], tmp.path());
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    let stdout = text(&verified.stdout);
    assert!(
        stdout.starts_with("release matches a fresh build: 2 packages"),
        "{stdout}"
    );

    let json = run(&["verify", "--json"], tmp.path());
    assert!(json.status.success(), "{}", text(&json.stderr));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(value["identical"], true);

    let file = tmp
        .path()
        .join("framework/libra-framework/sources/version.move");
    let source = std::fs::read_to_string(&file).unwrap();
    let edited = source.replacen(
        "const ENO_GIT_HASH: u64 = 1;",
        "const ENO_GIT_HASH: u64 = 2;",
        1,
    );
    assert_ne!(source, edited, "version.move no longer has the edited line");
    std::fs::write(&file, edited).unwrap();

    let failed = run(&["verify"], tmp.path());
    assert!(!failed.status.success());
    let stderr = text(&failed.stderr);
    assert!(
        stderr.contains("module LibraFramework::version changed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("run cargo xtask release and commit releases/"),
        "{stderr}"
    );
    assert!(!stderr.contains("module MoveStdlib::"), "{stderr}");
}

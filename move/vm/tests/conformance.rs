//! Runs the VM over the shared conformance corpus (`fixtures/vm/cases`) and checks that every
//! test ends exactly as the reference VM ended it.

/// Tests that must match (all of them).
const FLOOR: usize = 328;

#[test]
fn corpus_matches_reference() {
    let Some(dir) = libra_fixtures::require("vm/cases") else {
        return;
    };
    let report = move_vm::conformance::run_corpus(&dir).expect("corpus readable");
    for m in report.mismatches() {
        eprintln!("{m}");
    }
    eprintln!("{}", report.summary());
    assert_eq!(report.tests, 328, "corpus size");
    assert!(
        report.matched >= FLOOR,
        "{} (floor {FLOOR})",
        report.summary()
    );
}

/// The runner must notice a difference: in a copy of one case whose recorded abort code (failing
/// tests) or resource bytes (two passing tests) were altered, exactly those tests mismatch.
#[test]
fn altered_expectations_are_reported() {
    let Some(case) = libra_fixtures::require("vm/cases/global_basic") else {
        return;
    };
    let text = std::fs::read_to_string(case.join("expected/results.json")).expect("results");
    let mut results: serde_json::Value = serde_json::from_str(&text).expect("json");
    for m in results["modules"].as_array_mut().expect("modules") {
        let absolute = case.join(m["path"].as_str().expect("path"));
        m["path"] = serde_json::Value::String(absolute.display().to_string());
    }
    let tests = results["tests"].as_array_mut().expect("tests");
    let mut altered = Vec::new();
    for t in tests.iter_mut() {
        let name = t["name"].as_str().expect("name").to_string();
        if let Some(err) = t["vm_result"].get_mut("error").filter(|e| !e.is_null()) {
            err["sub_status"] = serde_json::json!(12345);
            altered.push(name);
        } else if altered.len() < 2 {
            let res = &mut t["effects"]["accounts"][0]["resources"][0];
            res["bcs_hex"] = serde_json::json!("00");
            altered.push(name);
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("global_basic");
    std::fs::create_dir_all(copy.join("expected")).expect("mkdir");
    std::fs::write(copy.join("expected/results.json"), results.to_string()).expect("write");
    let report = move_vm::conformance::run_case(&copy).expect("case runs");
    let mut differing: Vec<String> = report.mismatches.iter().map(|m| m.test.clone()).collect();
    differing.sort();
    altered.sort();
    assert_eq!(differing, altered);
    assert_eq!(report.matched, report.tests - altered.len());
}

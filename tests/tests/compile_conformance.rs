//! The compiler against the conformance corpus: every script case (`cases/l1_*`, kind script)
//! compiled against the modules of `libra/upgrade/multi-lib/head_all_your_base.mrb` gives the
//! reference bytes of each `expected/script-<i>.mv`, and every negative script case is rejected
//! with a diagnostic. Cases not matched yet are listed in [`KNOWN_MISSING`]; the test fails when
//! one of them starts to match (so the list shrinks) or when any other case stops matching.

use std::path::Path;

use framework::bundle::ReleaseBundle;
use framework::script_build::BundleCompiler;

/// Script cases whose bytes do not match yet, with the reason.
const KNOWN_MISSING: &[(&str, &str)] = &[];

/// Compiles every script of a case; `Err` is the rendered diagnostics.
fn compile_case(dir: &Path, compiler: &BundleCompiler) -> Result<Vec<Vec<u8>>, String> {
    compiler
        .compile_package_scripts(dir)
        .map(|scripts| scripts.into_iter().map(|s| s.bytes).collect())
        .map_err(|err| err.to_string())
}

fn script_cases() -> Option<(std::path::PathBuf, Vec<(String, bool)>)> {
    let root = libra_fixtures::require("conformance/cases")?;
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("index.json")).expect("index"))
            .expect("json");
    let cases = index["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["kind"] == "script")
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_string(),
                c["negative"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    Some((root, cases))
}

#[test]
fn script_cases_match_reference_bytes() {
    let Some((root, cases)) = script_cases() else {
        return;
    };
    let Some(bundle) = libra_fixtures::read("libra/upgrade/multi-lib/head_all_your_base.mrb")
    else {
        return;
    };
    let bundle = ReleaseBundle::read(&bundle).expect("bundle reads");
    let compiler = BundleCompiler::new(&bundle).expect("bundle modules read");
    let mut matched = vec![];
    let mut failures = vec![];
    for (name, _) in cases.iter().filter(|(_, n)| !n) {
        let dir = root.join(name);
        let result = compile_case(&dir, &compiler);
        let mut i = 0;
        let mut ok = true;
        let mut why = String::new();
        match &result {
            Err(d) => {
                ok = false;
                why = format!("rejected:\n{d}");
            }
            Ok(scripts) => loop {
                let path = dir.join(format!("expected/script-{i}.mv"));
                let Ok(expected) = std::fs::read(&path) else {
                    if i != scripts.len() {
                        ok = false;
                        why = format!("{} scripts, expected {i}", scripts.len());
                    }
                    break;
                };
                match scripts.get(i) {
                    Some(b) if *b == expected => {}
                    Some(b) => {
                        ok = false;
                        let ours =
                            move_bytecode::disassembler::disassemble_bytes(b).unwrap_or_default();
                        why = format!(
                            "script {i} differs ({} vs {} bytes)\n{ours}",
                            b.len(),
                            expected.len()
                        );
                        break;
                    }
                    None => {
                        ok = false;
                        why = format!("script {i} missing");
                        break;
                    }
                }
                i += 1;
            },
        }
        if ok {
            matched.push(name.clone());
        } else {
            failures.push((name.clone(), why));
        }
    }
    eprintln!(
        "{} of {} positive script cases match",
        matched.len(),
        matched.len() + failures.len()
    );
    let known: Vec<&str> = KNOWN_MISSING.iter().map(|(n, _)| *n).collect();
    let mut problems = vec![];
    for (name, why) in &failures {
        if !known.contains(&name.as_str()) {
            problems.push(format!("{name} does not match: {why}"));
        }
    }
    for name in &matched {
        if known.contains(&name.as_str()) {
            problems.push(format!("{name} now matches: remove it from KNOWN_MISSING"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn negative_script_cases_are_rejected() {
    let Some((root, cases)) = script_cases() else {
        return;
    };
    let Some(bundle) = libra_fixtures::read("libra/upgrade/multi-lib/head_all_your_base.mrb")
    else {
        return;
    };
    let bundle = ReleaseBundle::read(&bundle).expect("bundle reads");
    let compiler = BundleCompiler::new(&bundle).expect("bundle modules read");
    for (name, _) in cases.iter().filter(|(_, n)| *n) {
        let dir = root.join(name);
        let case: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("case.json")).expect("case.json"))
                .expect("json");
        let err = compile_case(&dir, &compiler).expect_err(name);
        for d in case["expected"]["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let code = d["code"].as_str().unwrap_or_default();
            let loc = d["location"].as_str().unwrap_or_default();
            let line_col = loc
                .rsplit_once(".move:")
                .map(|(_, lc)| lc)
                .unwrap_or_default();
            assert!(
                err.contains(&format!("[{code}]")),
                "{name}: expected {code} in\n{err}"
            );
            assert!(
                err.contains(&format!(":{line_col}")),
                "{name}: expected position {line_col} in\n{err}"
            );
        }
    }
}

//! The compiler against the conformance corpus: every script case (`cases/l1_*`, kind script)
//! compiled against the modules of `libra/upgrade/multi-lib/head_all_your_base.mrb` gives the
//! reference bytes of each `expected/script-<i>.mv`, and every negative script case is rejected
//! with a diagnostic. Cases not matched yet are listed in [`KNOWN_MISSING`]; the test fails when
//! one of them starts to match (so the list shrinks) or when any other case stops matching.

use std::collections::BTreeMap;
use std::path::Path;

use framework::bundle::ReleaseBundle;
use move_bytecode::{AccountAddress, CompiledModule};
use move_compiler::{compile_scripts, CompileOptions};

/// Script cases whose bytes do not match yet, with the reason.
const KNOWN_MISSING: &[(&str, &str)] = &[];

fn add_addresses(named: &mut BTreeMap<String, AccountAddress>, text: &str) {
    let m = move_package::manifest::parse_manifest("Move.toml", text).expect("manifest parses");
    for (k, v) in m.addresses.unwrap_or_default() {
        if let Some(a) = v {
            named.insert(k, AccountAddress::new(a));
        }
    }
}

/// What the cases compile against: the bundle's modules, named addresses and module sources.
struct Env {
    modules: Vec<CompiledModule>,
    named: BTreeMap<String, AccountAddress>,
    sources: Vec<(String, String)>,
}

fn bundle_env(bytes: &[u8]) -> Env {
    let bundle = ReleaseBundle::read(bytes).expect("bundle reads");
    let mut env = Env {
        modules: vec![],
        named: BTreeMap::new(),
        sources: vec![],
    };
    for p in &bundle.packages {
        for code in &p.code {
            env.modules
                .push(CompiledModule::deserialize(code).expect("module reads"));
        }
        for m in &p.metadata.modules {
            if let Some(text) = m.source_text().expect("module source") {
                env.sources.push((format!("{}.move", m.name), text));
            }
        }
        add_addresses(&mut env.named, &p.manifest_text().expect("manifest"));
    }
    env
}

/// Compiles a case's sources (files in name order, scripts in source order); `Err` is the
/// rendered diagnostics.
fn compile_case(dir: &Path, env: &Env) -> Result<Vec<Vec<u8>>, String> {
    let mut named = env.named.clone();
    add_addresses(
        &mut named,
        &std::fs::read_to_string(dir.join("Move.toml")).expect("Move.toml"),
    );
    let mut files: Vec<_> = std::fs::read_dir(dir.join("sources"))
        .expect("sources")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "move"))
        .collect();
    files.sort();
    let options = CompileOptions {
        named_addresses: named,
        dependency_sources: env.sources.clone(),
    };
    let mut out = vec![];
    for f in files {
        let text = std::fs::read_to_string(&f).expect("source");
        match compile_scripts(&text, &env.modules, &options) {
            Ok(scripts) => out.extend(scripts.into_iter().map(|s| s.bytes)),
            Err(e) => {
                let name = f
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                return Err(e
                    .diagnostics
                    .iter()
                    .map(|d| d.render(&name, &text))
                    .collect());
            }
        }
    }
    Ok(out)
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
    let env = bundle_env(&bundle);
    let mut matched = vec![];
    let mut failures = vec![];
    for (name, _) in cases.iter().filter(|(_, n)| !n) {
        let dir = root.join(name);
        let result = compile_case(&dir, &env);
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
    let env = bundle_env(&bundle);
    for (name, _) in cases.iter().filter(|(_, n)| *n) {
        let dir = root.join(name);
        let case: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("case.json")).expect("case.json"))
                .expect("json");
        let err = compile_case(&dir, &env).expect_err(name);
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

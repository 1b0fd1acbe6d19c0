//! The module compiler against the conformance corpus's module cases: every module of every
//! positive case, built (compiled, checked, runtime metadata attached) against the modules of
//! `libra/upgrade/multi-lib/head_all_your_base.mrb`, gives the reference bytes of
//! `expected/<i>-<name>.mv`, and every negative module case is rejected with a diagnostic.

use framework::bundle::ReleaseBundle;
use framework::script_build::BundleCompiler;

fn module_cases() -> Option<Cases> {
    let root = libra_fixtures::require("conformance/cases")?;
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("index.json")).expect("index"))
            .expect("json");
    let cases = index["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["kind"] != "script")
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_string(),
                c["negative"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    Some((root, cases))
}

/// The corpus directory and its module cases (name, negative?).
type Cases = (std::path::PathBuf, Vec<(String, bool)>);

/// The module cases and the release they compile against.
fn corpus() -> Option<(Cases, ReleaseBundle)> {
    let cases = module_cases()?;
    let bundle = libra_fixtures::read("libra/upgrade/multi-lib/head_all_your_base.mrb")?;
    let bundle = ReleaseBundle::read(&bundle).expect("bundle reads");
    Some((cases, bundle))
}

/// The reference modules of a case.
fn expected_modules(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![];
    let mut files: Vec<_> = std::fs::read_dir(dir.join("expected"))
        .expect("expected dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mv"))
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy()
                    .starts_with(|c: char| c.is_ascii_digit())
            })
        })
        .collect();
    files.sort();
    for f in files {
        let bytes = std::fs::read(&f).expect("read");
        let name = f.file_stem().unwrap().to_string_lossy().to_string();
        out.push((name, bytes));
    }
    out
}

#[test]
fn module_cases_match_reference_bytes() {
    let Some(((root, cases), bundle)) = corpus() else {
        return;
    };
    let compiler = BundleCompiler::new(&bundle).expect("bundle modules read");
    let mut matched = 0;
    let mut total = 0;
    let mut report = vec![];
    for (name, _) in cases.iter().filter(|(_, n)| !n) {
        let dir = root.join(name);
        let expected = expected_modules(&dir);
        total += expected.len();
        match compiler.build_package_modules(&dir) {
            Ok(mods) => {
                for (ename, ebytes) in &expected {
                    let mname = ename.split_once('-').map(|x| x.1).unwrap_or(ename);
                    match mods.iter().find(|m| m.name == mname) {
                        Some(m) if &m.bytes == ebytes => matched += 1,
                        Some(m) => {
                            let at = m.bytes.iter().zip(ebytes).position(|(a, b)| a != b);
                            report.push(format!(
                                "{name}/{mname}: differs at byte {at:?} (len {} vs {})",
                                m.bytes.len(),
                                ebytes.len()
                            ));
                        }
                        None => report.push(format!("{name}/{mname}: not produced")),
                    }
                }
            }
            Err(e) => report.push(format!("{name}: {e}")),
        }
    }
    println!("module cases: {matched}/{total} modules identical");
    for r in &report {
        println!("  {r}");
    }
    assert!(report.is_empty(), "{} modules differ", report.len());
}

#[test]
fn negative_module_cases_are_rejected() {
    let Some(((root, cases), bundle)) = corpus() else {
        return;
    };
    let compiler = BundleCompiler::new(&bundle).expect("bundle modules read");
    let mut accepted = vec![];
    for (name, _) in cases.iter().filter(|(_, n)| *n) {
        match compiler.build_package_modules(&root.join(name)) {
            Ok(_) => accepted.push(name.clone()),
            Err(e) => println!("{name}: {e}"),
        }
    }
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
}

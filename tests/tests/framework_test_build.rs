//! This repository's own framework (`framework/`) compiles for unit tests: every package with
//! its `#[test]` and `#[test_only]` items, and every `#[test]` function becomes a function of
//! its compiled module (ready for the VM to run).

use std::path::Path;

#[test]
fn own_framework_compiles_with_its_unit_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../framework/libra-framework");
    let packages = match framework::test_build::build_for_tests(&root) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["MoveStdlib", "LibraFramework"]);
    let mut total = 0;
    for p in &packages {
        for (module, function) in &p.tests {
            let m = p
                .modules
                .iter()
                .find(|m| &m.name == module)
                .unwrap_or_else(|| panic!("{}: module {module} not built", p.name));
            assert!(
                m.module.find_function_def_by_name(function).is_some(),
                "{module}::{function} not compiled"
            );
            total += 1;
        }
        println!(
            "{}: {} modules, {} tests",
            p.name,
            p.modules.len(),
            p.tests.len()
        );
    }
    assert!(total >= 80, "only {total} #[test] functions found");
}

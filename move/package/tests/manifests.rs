//! Reads every `Move.toml` of the shared fixtures (conformance cases, VM test packages, their
//! dependency packages and the generated upgrade-script packages) and checks what they declare;
//! fuzzes the reader with mutated manifests.

use std::path::{Path, PathBuf};

use move_package::{parse_manifest, read_manifest, DependencySource};
use proptest::prelude::*;

fn manifests(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "Move.toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fixture_manifests_parse_and_name_framework_dependencies() {
    let Some(root) = libra_fixtures::dir() else {
        libra_fixtures::require("conformance");
        return;
    };
    let mut count = 0;
    for sub in ["conformance", "vm"] {
        for path in manifests(&root.join(sub)) {
            let m = read_manifest(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(!m.package.name.is_empty(), "{}", path.display());
            assert!(
                m.warnings.is_empty(),
                "{}: {:?}",
                path.display(),
                m.warnings
            );
            // Dependencies are the framework packages, named by a relative path into `deps/`
            // (see `conformance/deps/README.md`).
            for dep in m.dependencies.values() {
                let rel = dep
                    .local_path(&path.display().to_string(), "dependencies")
                    .unwrap();
                assert!(
                    ["MoveStdlib", "VendorStdlib", "LibraFramework"].contains(&dep.name.as_str()),
                    "{}: unexpected dependency {}",
                    path.display(),
                    dep.name
                );
                assert!(
                    rel.is_relative() && rel.ends_with(Path::new("deps").join(&dep.name)),
                    "{}: dependency {} at {}",
                    path.display(),
                    dep.name,
                    rel.display()
                );
            }
            count += 1;
        }
    }
    assert!(count >= 80, "only {count} manifests found");
}

#[test]
fn upgrade_script_manifests_match_the_generated_template() {
    let Some(dir) = libra_fixtures::require("libra/upgrade") else {
        return;
    };
    let found = manifests(&dir);
    assert_eq!(found.len(), 4, "{found:?}");
    for path in found {
        let m = read_manifest(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.package.name, "upgrade_scripts");
        assert_eq!(m.package.version, (1, 0, 0));
        assert!(m.package.authors.is_empty());
        assert_eq!(m.package.license.as_deref(), Some("\"\""));
        assert_eq!(m.addresses.as_ref().map(|a| a.len()), Some(0));
        assert_eq!(m.dev_addresses.as_ref().map(|a| a.len()), Some(0));
        assert!(m.dev_dependencies.is_empty());
        let deps: Vec<&String> = m.dependencies.keys().collect();
        assert_eq!(deps, vec!["LibraFramework"]);
        assert_eq!(
            m.dependencies["LibraFramework"].source,
            DependencySource::Local("/root/libra-framework/framework/libra-framework".into())
        );
    }
}

const SAMPLE: &str = "[package]\nname = \"P\"\nversion = \"1.0.0\"\n\n[addresses]\nstd = \"0x1\"\nx = \"_\"\n\n[dependencies]\nMoveStdlib = { local = \"../deps/MoveStdlib\", addr_subst = { a = \"0x2\" } }\n";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_manifests_never_panic(pos in 0usize..SAMPLE.len(), byte in any::<u8>(), cut in 0usize..SAMPLE.len()) {
        let mut bytes = SAMPLE.as_bytes().to_vec();
        bytes[pos] = byte;
        bytes.truncate(cut.max(pos + 1));
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_manifest("Move.toml", &text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_manifest("Move.toml", &text);
    }
}

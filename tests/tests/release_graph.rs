//! Package graph resolution (`move_package::resolve`): the mainnet packages, extracted from the
//! reference bundle, resolve to the reference's build order and named addresses; the repository's
//! own framework packages come out in dependency order; and every malformed graph gives an error
//! that names the manifest and the key at fault.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use framework::inspect::extract_bundle;
use framework::release::{framework_packages, package_build_order};
use framework::ReleaseBundle;
use move_package::{resolve, BuildMode, ResolutionError};

fn addr(hex: &str) -> [u8; 32] {
    let digits = format!("{:0>64}", hex.trim_start_matches("0x"));
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn extracted_mainnet(tmp: &Path) -> Option<PathBuf> {
    let bytes = libra_fixtures::read("libra/releases/mainnet.mrb")?;
    let bundle = ReleaseBundle::read(&bytes).unwrap();
    extract_bundle(&bundle, tmp).unwrap();
    Some(tmp.to_path_buf())
}

#[test]
fn mainnet_packages_resolve_in_build_order_with_their_addresses() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(root) = extracted_mainnet(tmp.path()) else {
        return;
    };
    for mode in [BuildMode::Production, BuildMode::Dev] {
        let graph = resolve(&root.join("libra-framework"), mode).unwrap();
        let names: Vec<_> = graph.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["MoveStdlib", "VendorStdlib", "LibraFramework"]);
        assert_eq!(graph.root().name, "LibraFramework");
        let deps: Vec<_> = graph
            .transitive_dependencies("LibraFramework")
            .iter()
            .map(|p| p.name.clone())
            .collect();
        assert_eq!(deps, ["MoveStdlib", "VendorStdlib"]);
        assert_eq!(graph.root().immediate_dependencies, ["VendorStdlib"]);

        // The root sees its own addresses and those inherited through VendorStdlib.
        let expected: BTreeMap<String, [u8; 32]> = [
            ("Extensions", "0x1"),
            ("core_resources", "0xA550C18"),
            ("diem_framework", "0x1"),
            ("diem_std", "0x1"),
            ("diem_token", "0x3"),
            ("ol_framework", "0x1"),
            ("root", "0x1"),
            ("std", "0x1"),
            ("vm_reserved", "0x0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), addr(v)))
        .collect();
        assert_eq!(graph.root().addresses, expected);
        let stdlib = graph.package("MoveStdlib").unwrap();
        assert_eq!(stdlib.addresses.keys().collect::<Vec<_>>(), ["std"]);

        // Sources: every `.move` file under sources/, sorted; the manifest text is exact.
        assert_eq!(stdlib.source_files.len(), 11);
        assert!(stdlib.source_files.windows(2).all(|w| w[0] < w[1]));
        assert!(stdlib
            .manifest_text
            .starts_with("[package]\nname = \"MoveStdlib\""));
        let framework = graph.root();
        assert!(
            framework.source_files.len() >= 80,
            "{}",
            framework.source_files.len()
        );
    }
}

#[test]
fn packages_are_ordered_dependencies_first() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(root) = extracted_mainnet(tmp.path()) else {
        return;
    };
    // Listed backwards on purpose.
    let listed: Vec<PathBuf> = ["libra-framework", "vendor-stdlib", "move-stdlib"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    let ordered = package_build_order(&listed, BuildMode::Dev).unwrap();
    let names: Vec<_> = ordered
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["move-stdlib", "vendor-stdlib", "libra-framework"]);
    let found = framework_packages(&root, BuildMode::Dev).unwrap();
    assert_eq!(found, ordered);
}

#[test]
fn the_repository_framework_packages_resolve() {
    let dir = libra_fixtures::workspace_root().join("framework");
    let found = framework_packages(&dir, BuildMode::Production).unwrap();
    let names: Vec<_> = found
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    let at = |n: &str| names.iter().position(|x| x == n).unwrap();
    assert!(at("move-stdlib") < at("libra-framework"), "{names:?}");
    // Every package comes after all of its dependencies.
    for (i, dir) in found.iter().enumerate() {
        let graph = resolve(dir, BuildMode::Production).unwrap();
        for dep in graph.transitive_dependencies(&graph.root().name) {
            let j = found
                .iter()
                .position(|d| d.ends_with(dep.dir.file_name().unwrap()));
            assert!(
                j.is_some_and(|j| j < i),
                "{} before {}",
                dep.name,
                dir.display()
            );
        }
    }
}

/// Writes `files` (relative path, text) under a fresh temporary directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = tmp.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    tmp
}

const LIB: &str =
    "[package]\nname = \"Lib\"\nversion = \"1.0.0\"\n[addresses]\nlib = \"_\"\nstd = \"0x1\"\n";

#[test]
fn placeholders_are_filled_by_the_root_and_dev_addresses_only_in_dev_builds() {
    let t = tree(&[
        ("lib/Move.toml", LIB),
        ("lib/sources/a.move", "module lib::a {}"),
        (
            "app/Move.toml",
            "[package]\nname = \"App\"\nversion = \"1.0.0\"\n[addresses]\napp = \"0x42\"\n[dev-addresses]\n[dependencies]\nLib = { local = \"../lib\", addr_subst = { \"lib\" = \"0xB0B\" } }\n",
        ),
        ("app/sources/m.move", "module app::m {}"),
        ("app/tests/t.move", "#[test_only] module app::t {}"),
    ]);
    let graph = resolve(&t.path().join("app"), BuildMode::Production).unwrap();
    assert_eq!(
        graph.package("Lib").unwrap().addresses["lib"],
        addr("0xB0B")
    );
    assert_eq!(graph.root().addresses["lib"], addr("0xB0B"));
    assert_eq!(graph.root().source_files.len(), 1);
    let dev = resolve(&t.path().join("app"), BuildMode::Dev).unwrap();
    assert_eq!(dev.root().source_files.len(), 2, "dev builds add tests/");

    // Without a value anywhere, the placeholder is an error naming the manifest.
    let t = tree(&[
        ("lib/Move.toml", LIB),
        ("lib/sources/a.move", ""),
        (
            "app/Move.toml",
            "[package]\nname = \"App\"\nversion = \"1.0.0\"\n[dev-addresses]\nlib = \"0x7\"\n[dependencies]\nLib = { local = \"../lib\" }\n",
        ),
        ("app/sources/m.move", ""),
    ]);
    let err = resolve(&t.path().join("app"), BuildMode::Production).unwrap_err();
    assert!(
        matches!(&err, ResolutionError::Unresolved { names, .. } if names == "lib"),
        "{err}"
    );
    assert!(err.to_string().contains("Move.toml"), "{err}");
    // The root's dev address fills it in a dev build.
    let dev = resolve(&t.path().join("app"), BuildMode::Dev).unwrap();
    assert_eq!(dev.root().addresses["lib"], addr("0x7"));
}

#[test]
fn malformed_graphs_are_errors_naming_file_and_key() {
    let app = |deps: &str, addresses: &str| {
        format!("[package]\nname = \"App\"\nversion = \"1.0.0\"\n[addresses]\n{addresses}\n[dependencies]\n{deps}\n")
    };
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        // A name bound to two values.
        (
            vec![
                ("lib/Move.toml", LIB.to_string()),
                ("app/Move.toml", app("Lib = { local = \"../lib\" }", "std = \"0x2\"")),
            ],
            "addresses.std",
        ),
        // The dependency's manifest is missing.
        (
            vec![("app/Move.toml", app("Lib = { local = \"../nowhere\" }", ""))],
            "dependencies.Lib",
        ),
        // The dependency is a different package.
        (
            vec![
                ("lib/Move.toml", LIB.to_string()),
                ("app/Move.toml", app("Other = { local = \"../lib\" }", "")),
            ],
            "dependencies.Other",
        ),
        // A cycle.
        (
            vec![
                (
                    "lib/Move.toml",
                    "[package]\nname = \"Lib\"\nversion = \"1.0.0\"\n[dependencies]\nApp = { local = \"../app\" }\n".to_string(),
                ),
                ("app/Move.toml", app("Lib = { local = \"../lib\" }", "")),
            ],
            "dependencies.App",
        ),
        // Git dependencies cannot be built here.
        (
            vec![(
                "app/Move.toml",
                app("Lib = { git = \"https://example.com/x\", rev = \"main\" }", ""),
            )],
            "dependencies.Lib",
        ),
        // No sources directory.
        (vec![("app/Move.toml", app("", ""))], "sources"),
    ];
    for (files, key) in cases {
        let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let t = tree(&borrowed);
        for (path, _) in &files {
            let dir = t.path().join(path).parent().unwrap().join("sources");
            if !key.contains("sources") {
                std::fs::create_dir_all(dir).unwrap();
            }
        }
        let err = resolve(&t.path().join("app"), BuildMode::Production)
            .expect_err(key)
            .to_string();
        assert!(err.contains(key), "{key}: {err}");
        assert!(
            err.contains("Move.toml") || key == "sources",
            "{key}: {err}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any manifest text gives a graph or an error naming the manifest, never a panic.
    #[test]
    fn arbitrary_manifests_never_panic(text in "(\\[package\\]\nname = \"[A-Za-z]{1,3}\"\nversion = \"[0-9.]{1,6}\"\n)?(\\[(addresses|dev-addresses|dependencies)\\]\n)?([a-z_]{1,4} = (\"[0-9a-fx_]{0,6}\"|\\{ local = \"[./a-z]{0,6}\" \\})\n){0,4}") {
        let t = tree(&[("app/Move.toml", text.as_str()), ("app/sources/m.move", "")]);
        for mode in [BuildMode::Production, BuildMode::Dev] {
            if let Err(err) = resolve(&t.path().join("app"), mode) {
                let shown = err.to_string();
                proptest::prop_assert!(shown.contains("Move.toml") || shown.contains("sources"), "{}", shown);
            }
        }
    }

    /// Any source text gives module references or a parse error, never a panic.
    #[test]
    fn arbitrary_sources_never_panic_the_module_order(text in "(module|use|friend|spec|fun|struct|std|::|0x1|[a-z]{1,3}|[{}();<>,:]| ){0,40}") {
        let addresses: BTreeMap<String, [u8; 32]> = [("std".to_string(), addr("0x1"))].into();
        let sources = [framework::release::module_order::OrderSource { name: "f.move", text: &text, addresses: &addresses }];
        if let Ok(refs) = framework::release::module_order::module_references(&sources) {
            let _ = framework::release::module_order::dependency_order(&refs);
        }
    }
}

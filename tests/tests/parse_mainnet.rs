//! Parses the Move source of every module embedded in the mainnet release bundle (all three
//! packages, read with `framework`'s bundle reader), checks that each parses without error,
//! declares the module it is embedded for, and prints back to text that parses to the same tree.

use move_compiler::parser::ast::{Definition, FileId, ModuleDefinition};
use move_compiler::parser::{parse_file, printer};

fn module_names(defs: &[Definition]) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |m: &ModuleDefinition| out.push(m.name.value.to_string());
    for d in defs {
        match d {
            Definition::Module(m) => add(m),
            Definition::Address(a) => a.modules.iter().for_each(&mut add),
            Definition::Script(_) => {}
        }
    }
    out
}

#[test]
fn every_mainnet_source_parses_and_round_trips() {
    let Some(path) = libra_fixtures::require("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = framework::ReleaseBundle::read_file(&path).expect("mainnet.mrb decodes");
    let names: Vec<&str> = bundle.packages.iter().map(|p| p.name()).collect();
    assert_eq!(names, ["MoveStdlib", "VendorStdlib", "LibraFramework"]);

    let mut count = 0;
    let mut failures = Vec::new();
    for package in &bundle.packages {
        let sources = package.sources().expect("embedded sources decompress");
        for (module, text) in sources {
            count += 1;
            let file = format!("{}/{module}.move", package.name());
            let out = parse_file(FileId(0), &text);
            if out.has_errors() {
                let rendered: Vec<String> = out
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| d.render(&file, &text, false))
                    .collect();
                failures.push(format!("{file}: does not parse\n{}", rendered.join("\n")));
                continue;
            }
            let Some(tree) = out.file else { continue };
            if !module_names(&tree.definitions).contains(&module) {
                failures.push(format!("{file}: declares no module named {module}"));
            }
            let printed = printer::print_file(&tree);
            let again = parse_file(FileId(0), &printed);
            match again
                .file
                .filter(|_| !again.diagnostics.iter().any(|d| d.is_error()))
            {
                None => failures.push(format!("{file}: printed text does not parse")),
                Some(tree2) => {
                    // `{:-?}` prints spans as `_`: the trees are compared modulo spans.
                    if format!("{:-?}", tree.definitions) != format!("{:-?}", tree2.definitions) {
                        failures.push(format!("{file}: round trip changed the tree"));
                    }
                }
            }
        }
    }
    assert_eq!(count, 130, "mainnet.mrb embeds 130 module sources");
    assert!(
        failures.is_empty(),
        "{} of {count} sources failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// What the specification lists for one package's manifest: name, version, direct
/// dependencies, number of named addresses.
type ExpectedManifest = (
    &'static str,
    (u64, u64, u64),
    &'static [&'static str],
    usize,
);

/// The `Move.toml` embedded for each package, read with `move-package`, against the values the
/// bundle specification lists (`spec/bundle-format.md`: names, versions, named addresses, the
/// direct dependency of each package).
#[test]
fn every_mainnet_manifest_parses() {
    let Some(path) = libra_fixtures::require("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = framework::ReleaseBundle::read_file(&path).expect("mainnet.mrb decodes");
    let expected: [ExpectedManifest; 3] = [
        ("MoveStdlib", (1, 5, 0), &[], 1),
        ("VendorStdlib", (1, 0, 0), &["MoveStdlib"], 4),
        ("LibraFramework", (1, 0, 0), &["VendorStdlib"], 8),
    ];
    for (package, (name, version, deps, addresses)) in bundle.packages.iter().zip(expected) {
        let text = package.manifest_text().expect("manifest decompresses");
        let file = format!("{name}/Move.toml");
        let m = move_package::parse_manifest(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.package.name, name);
        assert_eq!(m.package.version, version, "{file}");
        let dep_names: Vec<&str> = m.dependencies.keys().map(String::as_str).collect();
        assert_eq!(dep_names, deps, "{file}");
        for dep in m.dependencies.values() {
            dep.local_path(&file, "dependencies")
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let addrs = m.addresses.expect("[addresses]");
        assert_eq!(addrs.len(), addresses, "{file}");
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(addrs.get("std"), Some(&Some(one)), "{file}");
    }
}

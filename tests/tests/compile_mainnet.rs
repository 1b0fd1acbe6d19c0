//! The module compiler against real releases: every package of
//! `libra/releases/mainnet.mrb` is compiled from the sources the bundle embeds, against the
//! bundle's modules of the packages before it, and each module is compared with the bundle's
//! bytes (metadata section aside, which the package builder adds). Prints the count identical per
//! package; MoveStdlib and VendorStdlib must match in full, and LibraFramework must not fall
//! below the count recorded here.

use framework::bundle::ReleaseBundle;
use move_bytecode::{AccountAddress, CompiledModule};
use move_compiler::{CompileOptions, SourceFile};
use std::collections::BTreeMap;

fn without_metadata(bytes: &[u8]) -> Vec<u8> {
    let mut m = CompiledModule::deserialize(bytes).expect("bundle module reads");
    m.metadata.clear();
    m.serialize_for_version(6).expect("serialize")
}

#[test]
fn mainnet_packages_rebuild_to_the_bundle_bytes() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = ReleaseBundle::read(&bytes).expect("bundle reads");
    let mut deps: Vec<CompiledModule> = vec![];
    let mut dep_sources: Vec<(String, String)> = vec![];
    let mut named: BTreeMap<String, AccountAddress> = BTreeMap::new();
    let mut counts = vec![];
    for package in &bundle.packages {
        let manifest = package.manifest_text().expect("manifest");
        let parsed = move_package::manifest::parse_manifest("Move.toml", &manifest).expect("toml");
        for (n, a) in parsed.addresses.unwrap_or_default() {
            if let Some(a) = a {
                named.insert(n, AccountAddress::new(a));
            }
        }
        let sources: Vec<SourceFile> = package
            .sources()
            .expect("sources")
            .into_iter()
            .map(|(name, text)| SourceFile { name, text })
            .collect();
        let options = CompileOptions {
            named_addresses: named.clone(),
            dependency_sources: dep_sources.clone(),
            test_mode: false,
        };
        let mut identical = 0;
        let mut differing = vec![];
        match move_compiler::compile_modules(&sources, &deps, &options) {
            Ok(out) => {
                for m in package.modules() {
                    let expected = without_metadata(m.bytecode);
                    match out.iter().find(|o| o.name == m.name) {
                        Some(o) if o.bytes == expected => identical += 1,
                        Some(o) => {
                            if let Ok(dir) = std::env::var("DUMP_DIFFERING") {
                                let _ =
                                    std::fs::write(format!("{dir}/{}.ours.mv", m.name), &o.bytes);
                                let _ =
                                    std::fs::write(format!("{dir}/{}.ref.mv", m.name), &expected);
                            }
                            differing.push(m.name.to_string())
                        }
                        None => differing.push(format!("{} (missing)", m.name)),
                    }
                }
            }
            Err(e) => {
                let d = e.diagnostics.first();
                let where_ = d
                    .map(|d| {
                        let s = &sources[d.primary.0.file.0 as usize];
                        let (l, c) = d.line_col(&s.text);
                        format!("{}:{l}:{c}", s.name)
                    })
                    .unwrap_or_default();
                differing.push(format!("compile error at {where_}: {e}"));
            }
        }
        println!(
            "{}: {identical}/{} identical; differing: {:?}",
            package.name(),
            package.code.len(),
            differing
        );
        counts.push((package.name().to_string(), identical, package.code.len()));
        for m in package.modules() {
            deps.push(CompiledModule::deserialize(m.bytecode).expect("module reads"));
        }
        dep_sources.extend(package.sources().expect("sources"));
    }
    assert_eq!(counts.len(), 3, "three packages");
    for (name, identical, total) in &counts {
        assert_eq!(identical, total, "{name}: modules differ from the bundle");
    }
}

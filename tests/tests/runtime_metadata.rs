//! The `diem::metadata_v1` runtime metadata and the extended checks, computed from Move source,
//! against the reference modules:
//!
//! * every module of `libra/releases/mainnet.mrb`: the metadata computed from its embedded
//!   source equals the module's entry (or its absence), and stripping the entry and injecting
//!   ours gives back the module's exact bytes;
//! * every positive module case of the conformance corpus: the same for `expected/*.mv`;
//! * the extended checks reject `neg_entry_bad_param` and `neg_entry_returns` with upstream's
//!   message and line, and accept every positive case and every mainnet module;
//! * neither the metadata nor the checks panic on mutated sources that still parse.

use std::collections::BTreeMap;
use std::path::Path;

use framework::extended_checks::{check_all, check_module};
use framework::runtime_metadata::{
    attach_package_metadata, inject_runtime_metadata, runtime_metadata, strip_runtime_metadata,
    ModuleSet, NamedAddresses,
};
use framework::ReleaseBundle;
use move_bytecode::metadata::{RuntimeModuleMetadata, METADATA_KEY_V0, METADATA_KEY_V1};
use move_bytecode::{AccountAddress, CompiledModule};
use move_compiler::parser::ast::{FileId, SourceFile};
use move_compiler::parser::parse_file;

/// The named addresses every framework build has.
fn framework_addresses() -> NamedAddresses {
    ["std", "diem_framework", "diem_std", "ol_framework"]
        .into_iter()
        .map(|n| (n.to_string(), AccountAddress::ONE))
        .collect()
}

/// Adds the `[addresses]` of a manifest that have a value.
fn add_manifest_addresses(named: &mut NamedAddresses, file: &str, text: &str) {
    let manifest = move_package::parse_manifest(file, text).expect("manifest parses");
    for (name, value) in manifest.addresses.unwrap_or_default() {
        if let Some(bytes) = value {
            named.insert(name, AccountAddress::new(bytes));
        }
    }
}

fn parse(text: &str, file: u32, what: &str) -> SourceFile {
    let out = parse_file(FileId(file), text);
    assert!(!out.has_errors(), "{what} does not parse");
    out.file.expect("parsed")
}

/// The module's `diem::` entry, if any.
fn entry_of(module: &CompiledModule) -> Option<&move_bytecode::Metadata> {
    module
        .metadata
        .iter()
        .find(|m| m.key == METADATA_KEY_V1 || m.key == METADATA_KEY_V0)
}

/// Compares the metadata computed for `module_name` with the bytes of the compiled module;
/// `Err` says how they differ.
fn compare_module(
    set: &ModuleSet<'_>,
    address: AccountAddress,
    module_name: &str,
    bytes: &[u8],
) -> Result<bool, String> {
    let source = set
        .find(&address, module_name)
        .ok_or_else(|| format!("no source defines {module_name}"))?;
    let ours = runtime_metadata(source, set);
    let compiled =
        CompiledModule::deserialize(bytes).map_err(|e| format!("module does not read: {e}"))?;
    let theirs = entry_of(&compiled);
    match (&ours, theirs) {
        (None, None) => {}
        (Some(md), Some(entry)) => {
            if md.encode() != entry.value {
                let decoded = RuntimeModuleMetadata::decode(&entry.key, &entry.value);
                return Err(format!(
                    "metadata differs\n ours:   {md:?}\n theirs: {decoded:?}"
                ));
            }
        }
        (Some(md), None) => return Err(format!("we attach metadata, upstream none: {md:?}")),
        (None, Some(entry)) => {
            let decoded = RuntimeModuleMetadata::decode(&entry.key, &entry.value);
            return Err(format!("upstream attaches metadata, we none: {decoded:?}"));
        }
    }
    let mut rebuilt = compiled.clone();
    strip_runtime_metadata(&mut rebuilt);
    if let Some(md) = &ours {
        inject_runtime_metadata(&mut rebuilt, md);
    }
    let again = rebuilt
        .serialize()
        .map_err(|e| format!("does not serialize: {e}"))?;
    if again != bytes {
        return Err(format!(
            "re-injected module differs: {} bytes vs {}",
            again.len(),
            bytes.len()
        ));
    }
    Ok(ours.is_some())
}

struct Mainnet {
    bundle: ReleaseBundle,
    named: NamedAddresses,
    /// (package index, module name, source text)
    sources: Vec<(usize, String, String)>,
}

fn mainnet() -> Option<Mainnet> {
    let path = libra_fixtures::require("libra/releases/mainnet.mrb")?;
    let bundle = ReleaseBundle::read_file(&path).expect("mainnet.mrb decodes");
    let mut named = framework_addresses();
    let mut sources = Vec::new();
    for (i, package) in bundle.packages.iter().enumerate() {
        let manifest = package.manifest_text().expect("manifest decompresses");
        add_manifest_addresses(&mut named, package.name(), &manifest);
        for (module, text) in package.sources().expect("sources decompress") {
            sources.push((i, module, text));
        }
    }
    Some(Mainnet {
        bundle,
        named,
        sources,
    })
}

#[test]
fn mainnet_metadata_matches_every_module() {
    let Some(mainnet) = mainnet() else { return };
    let files: Vec<SourceFile> = mainnet
        .sources
        .iter()
        .enumerate()
        .map(|(i, (_, m, text))| parse(text, i as u32, m))
        .collect();
    let mut set = ModuleSet::new(mainnet.named.clone());
    for f in &files {
        set.add_file(f).expect("module addresses resolve");
    }
    let mut count = 0;
    let mut with_entry = 0;
    let mut failures = Vec::new();
    for package in &mainnet.bundle.packages {
        for module in package.modules() {
            count += 1;
            let bytes = module.bytecode;
            let compiled = CompiledModule::deserialize(bytes).expect("module reads");
            let id = compiled.self_id();
            match compare_module(&set, *id.address(), id.name().as_str(), bytes) {
                Ok(true) => with_entry += 1,
                Ok(false) => {}
                Err(e) => failures.push(format!("{id}: {e}")),
            }
        }
    }
    println!(
        "mainnet: {} of {count} modules match ({with_entry} with a metadata entry)",
        count - failures.len()
    );
    assert_eq!(count, 130);
    assert!(
        failures.is_empty(),
        "{} of {count} modules differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        with_entry, 111,
        "bytecode-format.md §8: 111 modules carry the entry"
    );
}

#[test]
fn extended_checks_accept_every_mainnet_module() {
    let Some(mainnet) = mainnet() else { return };
    let files: Vec<SourceFile> = mainnet
        .sources
        .iter()
        .enumerate()
        .map(|(i, (_, m, text))| parse(text, i as u32, m))
        .collect();
    let mut set = ModuleSet::new(mainnet.named.clone());
    for f in &files {
        set.add_file(f).expect("module addresses resolve");
    }
    assert_eq!(set.modules.len(), 130);
    let problems: Vec<String> = check_all(&set)
        .into_iter()
        .map(|(m, d)| format!("{m}: {d}"))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Conformance cases

struct Case {
    name: String,
    /// The compiler's module order.
    module_order: Vec<String>,
    negative: bool,
    dir: std::path::PathBuf,
    named: NamedAddresses,
    /// (file name, text)
    sources: Vec<(String, String)>,
}

fn module_cases() -> Option<Vec<Case>> {
    let root = libra_fixtures::require("conformance/cases")?;
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("index.json")).expect("index"))
            .expect("json");
    let mut out = Vec::new();
    for c in index["cases"].as_array().expect("cases") {
        if c["kind"] != "module" {
            continue;
        }
        let name = c["name"].as_str().expect("name").to_string();
        let dir = root.join(&name);
        let mut named = framework_addresses();
        let manifest = std::fs::read_to_string(dir.join("Move.toml")).expect("Move.toml");
        add_manifest_addresses(&mut named, "Move.toml", &manifest);
        let mut sources = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(dir.join("sources"))
            .expect("sources")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        for p in files {
            let text = std::fs::read_to_string(&p).expect("source");
            let file = p.file_name().expect("name").to_string_lossy().into_owned();
            sources.push((file, text));
        }
        let module_order = c["module_order"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Case {
            name,
            module_order,
            negative: c["negative"].as_bool().unwrap_or(false),
            dir,
            named,
            sources,
        });
    }
    Some(out)
}

/// The case's modules, in the compiler's order.
fn case_set<'a>(case: &Case, files: &'a [SourceFile]) -> ModuleSet<'a> {
    let mut set = ModuleSet::new(case.named.clone());
    for f in files {
        set.add_file(f).expect("module addresses resolve");
    }
    let position = |name: &str| case.module_order.iter().position(|m| m == name);
    set.modules.sort_by_key(|m| position(m.name()));
    set
}

fn expected_modules(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("expected"))
        .map(|d| d.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_else(|_| Vec::new());
    files.sort();
    files
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "mv")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("script"))
        })
        .map(|p| std::fs::read(p).expect("module bytes"))
        .collect()
}

#[test]
fn conformance_metadata_matches_expected_modules() {
    let Some(cases) = module_cases() else { return };
    let mut count = 0;
    let mut with_entry = 0;
    let mut failures = Vec::new();
    let mut seen_error_map = false;
    let mut seen_views = false;
    for case in cases.iter().filter(|c| !c.negative) {
        let files: Vec<SourceFile> = case
            .sources
            .iter()
            .enumerate()
            .map(|(i, (f, t))| parse(t, i as u32, f))
            .collect();
        let set = case_set(case, &files);
        for bytes in expected_modules(&case.dir) {
            count += 1;
            let compiled = CompiledModule::deserialize(&bytes).expect("module reads");
            let id = compiled.self_id();
            match compare_module(&set, *id.address(), id.name().as_str(), &bytes) {
                Ok(has) => {
                    with_entry += usize::from(has);
                    seen_error_map |= case.name == "l2_error_map" && has;
                    seen_views |= case.name == "l2_view_functions" && has;
                }
                Err(e) => failures.push(format!("{}: {id}: {e}", case.name)),
            }
        }
    }
    println!(
        "conformance: {} of {count} modules match ({with_entry} with a metadata entry)",
        count - failures.len()
    );
    assert!(count > 20, "only {count} expected modules found");
    assert!(
        seen_error_map && seen_views,
        "l2_error_map and l2_view_functions carry metadata"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The message and `file:line:col` of the first diagnostic in a case's expected output.
fn expected_diagnostic(case: &Case) -> (String, String) {
    let text = std::fs::read_to_string(case.dir.join("expected/compiler_output.txt"))
        .expect("compiler_output.txt");
    let mut lines = text.lines();
    let message = lines
        .by_ref()
        .find_map(|l| l.strip_prefix("error: "))
        .expect("an error line")
        .to_string();
    let location = lines
        .find_map(|l| l.trim_start().strip_prefix("┌─ <PKG>/"))
        .expect("a location line")
        .to_string();
    (message, location)
}

#[test]
fn extended_checks_reject_the_negative_entry_cases() {
    let Some(cases) = module_cases() else { return };
    let mut checked = 0;
    for case in cases
        .iter()
        .filter(|c| c.name == "neg_entry_bad_param" || c.name == "neg_entry_returns")
    {
        let (message, location) = expected_diagnostic(case);
        let files: Vec<SourceFile> = case
            .sources
            .iter()
            .enumerate()
            .map(|(i, (f, t))| parse(t, i as u32, f))
            .collect();
        let set = case_set(case, &files);
        let mut found = Vec::new();
        for m in &set.modules {
            let i = m.module.loc.file.0 as usize;
            let (file, text) = &case.sources[i];
            for d in check_module(m, &set) {
                let (line, col) = d.line_col(text);
                found.push((d.message.clone(), format!("sources/{file}:{line}:{col}")));
            }
        }
        assert_eq!(found, vec![(message, location)], "{}", case.name);
        checked += 1;
    }
    assert_eq!(checked, 2);
}

#[test]
fn extended_checks_accept_every_positive_case() {
    let Some(cases) = module_cases() else { return };
    let mut problems = Vec::new();
    for case in cases.iter().filter(|c| !c.negative) {
        let files: Vec<SourceFile> = case
            .sources
            .iter()
            .enumerate()
            .map(|(i, (f, t))| parse(t, i as u32, f))
            .collect();
        let set = case_set(case, &files);
        for (m, d) in check_all(&set) {
            problems.push(format!("{}: {m}: {d}", case.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The package step after the compiler

/// The sources of every package of a bundle, as (file name, text).
fn bundle_sources(bundle: &ReleaseBundle) -> Vec<(String, String)> {
    bundle
        .packages
        .iter()
        .flat_map(|p| {
            let name = p.name().to_string();
            p.sources()
                .expect("sources decompress")
                .into_iter()
                .map(move |(m, text)| (format!("{name}/{m}.move"), text))
        })
        .collect()
}

/// Compiles each module case with the workspace compiler, runs the package step, and compares
/// the whole module bytes with the reference; the two extended-check cases must fail there.
#[test]
fn compiled_modules_with_metadata_match_reference_bytes() {
    let Some(cases) = module_cases() else { return };
    let Some(bytes) = libra_fixtures::read("libra/upgrade/multi-lib/head_all_your_base.mrb") else {
        return;
    };
    let bundle = ReleaseBundle::read(&bytes).expect("bundle reads");
    let compiler = framework::script_build::BundleCompiler::new(&bundle).expect("bundle modules");
    let dep_sources = bundle_sources(&bundle);
    let mut identical = 0;
    let mut failures = Vec::new();
    for case in &cases {
        let expect_rejection =
            case.name == "neg_entry_bad_param" || case.name == "neg_entry_returns";
        if case.negative && !expect_rejection {
            continue;
        }
        let Ok(mut outputs) = compiler.compile_package_modules(&case.dir) else {
            failures.push(format!("{}: does not compile", case.name));
            continue;
        };
        let sources: Vec<move_compiler::SourceFile> = case
            .sources
            .iter()
            .map(|(f, t)| move_compiler::SourceFile {
                name: format!("sources/{f}"),
                text: t.clone(),
            })
            .collect();
        let result = attach_package_metadata(&sources, &case.named, &dep_sources, &mut outputs);
        if expect_rejection {
            let (message, location) = expected_diagnostic(case);
            match result {
                Err(e) => {
                    let text = e.to_string();
                    if !text.contains(&format!("error: {message}\n  ┌─ {location}")) {
                        failures.push(format!("{}: wrong rejection: {text}", case.name));
                    }
                }
                Ok(()) => failures.push(format!("{}: not rejected", case.name)),
            }
            continue;
        }
        if let Err(e) = result {
            failures.push(format!("{}: {e}", case.name));
            continue;
        }
        for expected in expected_modules(&case.dir) {
            let id = CompiledModule::deserialize(&expected)
                .expect("reference module reads")
                .self_id();
            let ours = outputs
                .iter()
                .find(|o| o.address == *id.address() && o.name == id.name().as_str());
            match ours {
                Some(o) if o.bytes == expected => identical += 1,
                Some(o) => failures.push(format!(
                    "{}: {id}: {} bytes vs {}",
                    case.name,
                    o.bytes.len(),
                    expected.len()
                )),
                None => failures.push(format!("{}: {id}: not produced", case.name)),
            }
        }
    }
    println!("compiled + metadata: {identical} modules byte-identical");
    assert!(identical > 20, "only {identical} modules compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Robustness

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// A module with the constructs the metadata and checks read.
    const BASE: &str = r#"module 0xcafe::m {
    use std::string::String;
    use std::option;
    /// Doc.
    const EONE: u64 = 1;
    const ETWO: u8 = 2u8 + 3;
    const EBIG: u128 = 340282366920938463463374607431768211455;
    const ESHIFT: u64 = 1 << 63;
    const ECAST: u64 = (300 as u64) * 2;
    #[resource_group(scope = global)]
    struct G {}
    #[resource_group_member(group = 0xcafe::m::G)]
    struct R has key { x: u64 }
    #[view]
    public fun v(a: address, s: String): u64 { 1 }
    public entry fun e<T>(s: &signer, v: vector<u8>, o: option::Option<T>) {}
    fun init_module(s: &signer) {}
}
"#;

    fn run(text: &str) {
        let out = parse_file(FileId(0), text);
        let Some(file) = out.file else { return };
        let mut named = framework_addresses();
        named.insert("cafe".into(), AccountAddress::from_u64(0xcafe));
        let mut set = ModuleSet::new(named);
        if set.add_file(&file).is_err() {
            return;
        }
        for m in &set.modules {
            if let Some(md) = runtime_metadata(m, &set) {
                let bytes = md.encode();
                assert!(RuntimeModuleMetadata::decode(METADATA_KEY_V1, &bytes).is_ok());
            }
            let _ = check_module(m, &set);
        }
    }

    #[test]
    fn base_module_has_metadata_and_passes() {
        let file = parse_file(FileId(0), BASE).file.expect("parses");
        let mut set = ModuleSet::new(framework_addresses());
        set.add_file(&file).expect("address");
        let m = &set.modules[0];
        let md = runtime_metadata(m, &set).expect("metadata");
        let codes: BTreeMap<u64, &str> = md
            .error_map
            .iter()
            .map(|(c, d)| (*c, d.code_name.as_str()))
            .collect();
        assert_eq!(
            codes,
            BTreeMap::from([
                (1, "EONE"),
                (5, "ETWO"),
                (1 << 63, "ESHIFT"),
                (600, "ECAST")
            ])
        );
        assert_eq!(md.error_map[0].1.code_description, "Doc.");
        assert_eq!(md.struct_attributes.len(), 2);
        assert_eq!(md.struct_attributes[1].1[0].args, ["0xcafe::m::G"]);
        assert_eq!(md.fun_attributes[0].0, "v");
        assert_eq!(check_module(m, &set), vec![]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Deleting a slice of the source: what still parses is analysed without panicking.
        #[test]
        fn deletions(start in 0usize..BASE.len(), len in 0usize..40) {
            let end = (start + len).min(BASE.len());
            if BASE.is_char_boundary(start) && BASE.is_char_boundary(end) {
                let text = format!("{}{}", &BASE[..start], &BASE[end..]);
                run(&text);
            }
        }

        /// Replacing one token-ish word with another from a small vocabulary.
        #[test]
        fn substitutions(pos in 0usize..BASE.len(), word in prop::sample::select(vec![
            "E", "0", "u8", "u256", "&mut signer", "vector<G>", "R", "(u64, u8)", "#[view]",
            "#[resource_group(scope = module_)]", "key", "18446744073709551616", "<<", "as",
            "Self::G", "entry", "public", "x: u64,", "dummy_field: bool",
        ])) {
            if BASE.is_char_boundary(pos) {
                let text = format!("{}{}{}", &BASE[..pos], word, &BASE[pos..]);
                run(&text);
            }
        }
    }
}

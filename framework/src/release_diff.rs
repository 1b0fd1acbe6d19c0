//! Comparing a committed release with a fresh build of its sources: which packages and modules
//! were added, removed or changed (with sizes and SHA3-256), which package metadata fields
//! differ, and whether the bundle hash and the release manifest agree. [`compare`] works on
//! in-memory bundles, so `cargo xtask verify` and the tests share one report ([`ReleaseDiff`]'s
//! `Display`).
//!
//! Packages are paired by name and modules by name within a package, so a change in one place
//! does not make everything after it look different; order changes are reported on their own.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

use crate::bundle::{ReleaseBundle, ReleasePackage};
use crate::inspect::sha3_hex;
use crate::metadata::ModuleMetadata;
use crate::release::MANIFEST_FILE_NAME;

/// How many manifest fields the report lists before summarising the rest.
const MANIFEST_FIELDS_SHOWN: usize = 12;

/// Size and hash of one bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BundleSummary {
    pub packages: usize,
    pub modules: usize,
    /// Encoded size in bytes (0 when the bundle does not encode).
    pub size: u64,
    /// Lowercase hex SHA3-256 of the encoding (empty when it does not encode).
    pub sha3: String,
}

impl BundleSummary {
    pub fn of(bundle: &ReleaseBundle) -> Self {
        let (size, sha3) = match bundle.to_bytes() {
            Ok(bytes) => (bytes.len() as u64, sha3_hex(&bytes)),
            Err(_) => (0, String::new()),
        };
        BundleSummary {
            packages: bundle.packages.len(),
            modules: bundle.packages.iter().map(|p| p.code.len()).sum(),
            size,
            sha3,
        }
    }
}

/// Size and hash of one module's bytecode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleFacts {
    pub size: u64,
    pub sha3: String,
}

impl ModuleFacts {
    fn of(bytecode: &[u8]) -> Self {
        ModuleFacts {
            size: bytecode.len() as u64,
            sha3: sha3_hex(bytecode),
        }
    }
}

impl fmt::Display for ModuleFacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes, sha3 {}", self.size, self.sha3)
    }
}

/// Whether something is only in the rebuilt release, only in the committed one, or in both
/// but different.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        })
    }
}

/// A named value that differs: committed (`expected`) and rebuilt (`actual`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub expected: String,
    pub actual: String,
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: committed {}, rebuilt {}",
            self.field, self.expected, self.actual
        )
    }
}

/// One module that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleChange {
    pub module: String,
    pub kind: ChangeKind,
    /// The committed module's bytecode, when there is one.
    pub expected: Option<ModuleFacts>,
    /// The rebuilt module's bytecode, when there is one.
    pub actual: Option<ModuleFacts>,
    /// Module metadata that differs (embedded source, source map, extension).
    pub metadata: Vec<String>,
}

/// One package that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageChange {
    pub package: String,
    pub kind: ChangeKind,
    /// Package metadata fields and the recorded source directory that differ.
    pub fields: Vec<FieldChange>,
    pub modules: Vec<ModuleChange>,
}

/// Everything that differs between a committed release and a rebuilt one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReleaseDiff {
    pub expected: BundleSummary,
    pub actual: BundleSummary,
    /// Bundle-level differences: package order, source directory count.
    pub bundle: Vec<FieldChange>,
    pub packages: Vec<PackageChange>,
    /// Release manifest fields that differ (see [`ReleaseDiff::with_manifests`]).
    pub manifest: Vec<FieldChange>,
}

impl ReleaseDiff {
    /// True when the bundles encode to the same bytes and the manifests agree.
    pub fn is_identical(&self) -> bool {
        self.expected.sha3 == self.actual.sha3
            && self.expected.size == self.actual.size
            && self.bundle.is_empty()
            && self.packages.is_empty()
            && self.manifest.is_empty()
    }

    /// Adds the differences between the committed manifest text and the rebuilt one, by JSON
    /// path (`packages[1].modules[3].sha3`).
    pub fn with_manifests(mut self, expected: &str, actual: &str) -> Self {
        self.manifest = compare_manifests(expected, actual);
        self
    }
}

/// Compares the committed bundle (`expected`) with the rebuilt one (`actual`).
pub fn compare(expected: &ReleaseBundle, actual: &ReleaseBundle) -> ReleaseDiff {
    let mut bundle = Vec::new();
    let names = |b: &ReleaseBundle| -> Vec<String> {
        b.packages.iter().map(|p| p.name().to_string()).collect()
    };
    let (expected_names, actual_names) = (names(expected), names(actual));
    let common = |of: &[String], other: &[String]| -> Vec<String> {
        of.iter().filter(|n| other.contains(n)).cloned().collect()
    };
    let (expected_common, actual_common) = (
        common(&expected_names, &actual_names),
        common(&actual_names, &expected_names),
    );
    if expected_common != actual_common {
        bundle.push(FieldChange {
            field: "package order".into(),
            expected: expected_common.join(", "),
            actual: actual_common.join(", "),
        });
    }
    if expected.source_dirs.len() != actual.source_dirs.len() {
        bundle.push(FieldChange {
            field: "source_dirs count".into(),
            expected: expected.source_dirs.len().to_string(),
            actual: actual.source_dirs.len().to_string(),
        });
    }

    let mut packages = Vec::new();
    for (i, theirs) in expected.packages.iter().enumerate() {
        match actual
            .packages
            .iter()
            .position(|p| p.name() == theirs.name())
        {
            None => packages.push(whole_package(theirs, ChangeKind::Removed)),
            Some(j) => {
                let change = compare_package(
                    theirs,
                    expected.source_dir(i),
                    &actual.packages[j],
                    actual.source_dir(j),
                );
                if !change.fields.is_empty() || !change.modules.is_empty() {
                    packages.push(change);
                }
            }
        }
    }
    for ours in &actual.packages {
        if expected.package(ours.name()).is_none() {
            packages.push(whole_package(ours, ChangeKind::Added));
        }
    }
    ReleaseDiff {
        expected: BundleSummary::of(expected),
        actual: BundleSummary::of(actual),
        bundle,
        packages,
        manifest: Vec::new(),
    }
}

/// A package present on one side only: every module added or removed with it.
fn whole_package(package: &ReleasePackage, kind: ChangeKind) -> PackageChange {
    let modules = package
        .modules()
        .map(|m| {
            let facts = Some(ModuleFacts::of(m.bytecode));
            let (expected, actual) = match kind {
                ChangeKind::Removed => (facts, None),
                _ => (None, facts),
            };
            ModuleChange {
                module: m.name.into_owned(),
                kind,
                expected,
                actual,
                metadata: Vec::new(),
            }
        })
        .collect();
    PackageChange {
        package: package.name().to_string(),
        kind,
        fields: Vec::new(),
        modules,
    }
}

fn compare_package(
    theirs: &ReleasePackage,
    their_dir: Option<&str>,
    ours: &ReleasePackage,
    our_dir: Option<&str>,
) -> PackageChange {
    let (e, a) = (&theirs.metadata, &ours.metadata);
    let mut fields = Vec::new();
    let mut field = |name: &str, expected: String, actual: String| {
        if expected != actual {
            fields.push(FieldChange {
                field: name.to_string(),
                expected,
                actual,
            });
        }
    };
    let shown = |dir: Option<&str>| dir.map_or("(none)".to_string(), |d| format!("`{d}`"));
    field("source_dir", shown(their_dir), shown(our_dir));
    field(
        "upgrade_policy",
        e.upgrade_policy.to_string(),
        a.upgrade_policy.to_string(),
    );
    field(
        "upgrade_number",
        e.upgrade_number.to_string(),
        a.upgrade_number.to_string(),
    );
    field(
        "source_digest",
        e.source_digest.clone(),
        a.source_digest.clone(),
    );
    if e.manifest != a.manifest {
        let (expected, actual) = text_difference(
            e.manifest_text().ok().as_deref(),
            &e.manifest,
            a.manifest_text().ok().as_deref(),
            &a.manifest,
        );
        field("manifest (Move.toml)", expected, actual);
    }
    let deps = |m: &crate::metadata::PackageMetadata| -> String {
        let list: Vec<String> = m
            .deps
            .iter()
            .map(|d| format!("{}::{}", d.account, d.package_name))
            .collect();
        format!("[{}]", list.join(", "))
    };
    field("deps", deps(e), deps(a));
    let extension = |set: bool| if set { "set" } else { "none" }.to_string();
    field(
        "extension",
        extension(!e.extension.is_none()),
        extension(!a.extension.is_none()),
    );
    let (their_names, our_names) = (theirs.module_names(), ours.module_names());
    let common = |of: &[String], other: &[String]| -> Vec<String> {
        of.iter().filter(|n| other.contains(n)).cloned().collect()
    };
    let (their_common, our_common) = (
        common(&their_names, &our_names),
        common(&our_names, &their_names),
    );
    if their_common != our_common {
        field(
            "module order",
            their_common.join(", "),
            our_common.join(", "),
        );
    }

    let mut modules = Vec::new();
    let our_modules: BTreeMap<String, _> = ours
        .modules()
        .map(|m| (m.name.to_string(), (m.bytecode, m.metadata)))
        .collect();
    for module in theirs.modules() {
        let name = module.name.to_string();
        let expected = ModuleFacts::of(module.bytecode);
        match our_modules.get(&name) {
            None => modules.push(ModuleChange {
                module: name,
                kind: ChangeKind::Removed,
                expected: Some(expected),
                actual: None,
                metadata: Vec::new(),
            }),
            Some((bytecode, metadata)) => {
                let notes = module_metadata_differences(module.metadata, *metadata);
                if module.bytecode != *bytecode || !notes.is_empty() {
                    modules.push(ModuleChange {
                        module: name,
                        kind: ChangeKind::Changed,
                        expected: Some(expected),
                        actual: Some(ModuleFacts::of(bytecode)),
                        metadata: notes,
                    });
                }
            }
        }
    }
    for module in ours.modules() {
        if theirs.module(&module.name).is_none() {
            modules.push(ModuleChange {
                module: module.name.to_string(),
                kind: ChangeKind::Added,
                expected: None,
                actual: Some(ModuleFacts::of(module.bytecode)),
                metadata: Vec::new(),
            });
        }
    }
    PackageChange {
        package: theirs.name().to_string(),
        kind: ChangeKind::Changed,
        fields,
        modules,
    }
}

fn module_metadata_differences(
    theirs: Option<&ModuleMetadata>,
    ours: Option<&ModuleMetadata>,
) -> Vec<String> {
    let (Some(e), Some(a)) = (theirs, ours) else {
        return match (theirs.is_some(), ours.is_some()) {
            (true, false) => vec!["metadata entry: committed has one, rebuilt has none".into()],
            (false, true) => vec!["metadata entry: committed has none, rebuilt has one".into()],
            _ => Vec::new(),
        };
    };
    let mut notes = Vec::new();
    let blob = |bytes: &[u8]| {
        if bytes.is_empty() {
            "none".to_string()
        } else {
            format!("{} bytes, sha3 {}", bytes.len(), sha3_hex(bytes))
        }
    };
    for (what, x, y) in [
        ("embedded source", &e.source, &a.source),
        ("source map", &e.source_map, &a.source_map),
    ] {
        if x != y {
            notes.push(format!(
                "{what}: committed {}, rebuilt {}",
                blob(x),
                blob(y)
            ));
        }
    }
    if e.extension != a.extension {
        notes.push("extension differs".into());
    }
    notes
}

/// Two versions of a gzip'ed text: their first differing line when both decompress, else the
/// sizes and hashes of the compressed bytes.
fn text_difference(
    expected: Option<&str>,
    expected_gz: &[u8],
    actual: Option<&str>,
    actual_gz: &[u8],
) -> (String, String) {
    if let (Some(e), Some(a)) = (expected, actual) {
        let (mut el, mut al) = (e.lines(), a.lines());
        for line in 1.. {
            match (el.next(), al.next()) {
                (None, None) => break,
                (x, y) if x == y => continue,
                (x, y) => {
                    let shown =
                        |l: Option<&str>| l.map_or("end of file".into(), |l| format!("`{l}`"));
                    return (
                        format!("line {line} {}", shown(x)),
                        format!("line {line} {}", shown(y)),
                    );
                }
            }
        }
        // Same lines: the difference is in line endings or the compression.
    }
    let blob = |b: &[u8]| format!("{} gzip bytes, sha3 {}", b.len(), sha3_hex(b));
    (blob(expected_gz), blob(actual_gz))
}

/// The differences between two release manifest texts, by JSON path. The same text gives none;
/// text that does not parse as JSON is reported as such.
pub fn compare_manifests(expected: &str, actual: &str) -> Vec<FieldChange> {
    if expected == actual {
        return Vec::new();
    }
    let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text);
    let (e, a) = match (parse(expected), parse(actual)) {
        (Ok(e), Ok(a)) => (e, a),
        (e, a) => {
            let state = |r: Result<serde_json::Value, serde_json::Error>| match r {
                Ok(_) => "JSON".to_string(),
                Err(err) => format!("not JSON ({err})"),
            };
            return vec![FieldChange {
                field: MANIFEST_FILE_NAME.into(),
                expected: state(e),
                actual: state(a),
            }];
        }
    };
    let mut out = Vec::new();
    json_differences("", &e, &a, &mut out);
    if out.is_empty() {
        out.push(FieldChange {
            field: "layout".into(),
            expected: "same values, other text".into(),
            actual: "the text `cargo xtask release` writes".into(),
        });
    }
    out
}

fn json_differences(
    path: &str,
    e: &serde_json::Value,
    a: &serde_json::Value,
    out: &mut Vec<FieldChange>,
) {
    use serde_json::Value;
    let missing = || "(missing)".to_string();
    match (e, a) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match y.get(key) {
                    Some(other) => json_differences(&sub, value, other, out),
                    None => out.push(FieldChange {
                        field: sub,
                        expected: value.to_string(),
                        actual: missing(),
                    }),
                }
            }
            for (key, value) in y {
                if !x.contains_key(key) {
                    let sub = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    out.push(FieldChange {
                        field: sub,
                        expected: missing(),
                        actual: value.to_string(),
                    });
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let sub = format!("{path}[{i}]");
                match (x.get(i), y.get(i)) {
                    (Some(v), Some(w)) => json_differences(&sub, v, w, out),
                    (v, w) => out.push(FieldChange {
                        field: sub,
                        expected: v.map_or_else(missing, Value::to_string),
                        actual: w.map_or_else(missing, Value::to_string),
                    }),
                }
            }
        }
        (x, y) if x != y => out.push(FieldChange {
            field: path.to_string(),
            expected: x.to_string(),
            actual: y.to_string(),
        }),
        _ => {}
    }
}

impl fmt::Display for ReleaseDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (e, a) = (&self.expected, &self.actual);
        if self.is_identical() {
            return writeln!(
                f,
                "release matches a fresh build: {} packages, {} modules, bundle {} bytes, sha3 {}",
                a.packages, a.modules, a.size, a.sha3
            );
        }
        writeln!(f, "release differs from a fresh build of its sources:")?;
        if e.sha3 == a.sha3 && e.size == a.size {
            writeln!(f, "  bundle: identical ({} bytes, sha3 {})", a.size, a.sha3)?;
        } else {
            writeln!(
                f,
                "  bundle: committed {} bytes, sha3 {}; rebuilt {} bytes, sha3 {}",
                e.size, e.sha3, a.size, a.sha3
            )?;
        }
        for change in &self.bundle {
            writeln!(f, "  {change}")?;
        }
        for package in &self.packages {
            writeln!(f, "  package {}: {}", package.package, package.kind)?;
            for field in &package.fields {
                writeln!(f, "    {field}")?;
            }
            for module in &package.modules {
                write!(
                    f,
                    "    module {}::{} {}",
                    package.package, module.module, module.kind
                )?;
                match (&module.expected, &module.actual) {
                    (Some(x), Some(y)) if x == y => writeln!(f, " ({x})")?,
                    (Some(x), Some(y)) => writeln!(f, ": committed {x}; rebuilt {y}")?,
                    (Some(x), None) | (None, Some(x)) => writeln!(f, ": {x}")?,
                    (None, None) => writeln!(f)?,
                }
                for note in &module.metadata {
                    writeln!(f, "      {note}")?;
                }
            }
        }
        if !self.manifest.is_empty() {
            writeln!(f, "  {MANIFEST_FILE_NAME}:")?;
            for change in self.manifest.iter().take(MANIFEST_FIELDS_SHOWN) {
                writeln!(f, "    {change}")?;
            }
            if self.manifest.len() > MANIFEST_FIELDS_SHOWN {
                writeln!(
                    f,
                    "    ... and {} more fields",
                    self.manifest.len() - MANIFEST_FIELDS_SHOWN
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::{MoveOption, PackageMetadata, UpgradePolicy};

    fn package(name: &str, modules: &[(&str, &[u8])]) -> ReleasePackage {
        ReleasePackage {
            metadata: PackageMetadata {
                name: name.into(),
                upgrade_policy: UpgradePolicy::COMPATIBLE,
                upgrade_number: 0,
                source_digest: "AB".repeat(32),
                manifest: crate::gzip::compress(b"[package]\nname = \"P\"\n"),
                modules: modules
                    .iter()
                    .map(|(n, _)| ModuleMetadata {
                        name: n.to_string(),
                        source: Vec::new(),
                        source_map: Vec::new(),
                        extension: MoveOption::none(),
                    })
                    .collect(),
                deps: Vec::new(),
                extension: MoveOption::none(),
            },
            code: modules.iter().map(|(_, c)| c.to_vec()).collect(),
        }
    }

    fn bundle(packages: Vec<ReleasePackage>) -> ReleaseBundle {
        let source_dirs = packages
            .iter()
            .map(|p| format!("framework/{}/sources", p.name()))
            .collect();
        ReleaseBundle {
            packages,
            source_dirs,
        }
    }

    #[test]
    fn identical_bundles_report_a_match() {
        let b = bundle(vec![package("A", &[("m", b"\x01\x02")])]);
        let diff = compare(&b, &b.clone());
        assert!(diff.is_identical(), "{diff}");
        let text = diff.to_string();
        assert!(
            text.starts_with("release matches a fresh build: 1 packages, 1 modules"),
            "{text}"
        );
    }

    #[test]
    fn module_changes_name_package_module_sizes_and_hashes() {
        let committed = bundle(vec![package("A", &[("m", b"\x01"), ("gone", b"\x02")])]);
        let rebuilt = bundle(vec![package("A", &[("m", b"\x01\x03"), ("new", b"\x04")])]);
        let diff = compare(&committed, &rebuilt);
        assert!(!diff.is_identical());
        let text = diff.to_string();
        assert!(text.contains("package A: changed"), "{text}");
        assert!(
            text.contains(&format!(
                "module A::m changed: committed 1 bytes, sha3 {}; rebuilt 2 bytes, sha3 {}",
                sha3_hex(b"\x01"),
                sha3_hex(b"\x01\x03")
            )),
            "{text}"
        );
        assert!(text.contains("module A::gone removed: 1 bytes"), "{text}");
        assert!(text.contains("module A::new added: 1 bytes"), "{text}");
        assert!(text.contains("bundle: committed"), "{text}");
    }

    #[test]
    fn metadata_fields_and_packages_are_named() {
        let committed = bundle(vec![
            package("A", &[("m", b"\x01")]),
            package("Old", &[("o", b"\x05")]),
        ]);
        let mut changed = package("A", &[("m", b"\x01")]);
        changed.metadata.source_digest = "CD".repeat(32);
        changed.metadata.upgrade_policy = UpgradePolicy::IMMUTABLE;
        changed.metadata.manifest = crate::gzip::compress(b"[package]\nname = \"Q\"\n");
        changed.metadata.modules[0].source = vec![1, 2, 3];
        let rebuilt = bundle(vec![changed, package("New", &[("n", b"\x06")])]);
        let text = compare(&committed, &rebuilt).to_string();
        for wanted in [
            &format!(
                "source_digest: committed {}, rebuilt {}",
                "AB".repeat(32),
                "CD".repeat(32)
            ),
            "upgrade_policy: committed compatible, rebuilt immutable",
            "manifest (Move.toml): committed line 2 `name = \"P\"`, rebuilt line 2 `name = \"Q\"`",
            "module A::m changed (1 bytes",
            "embedded source: committed none, rebuilt 3 bytes",
            "package Old: removed",
            "module Old::o removed",
            "package New: added",
            "module New::n added",
        ] {
            assert!(text.contains(wanted), "missing {wanted:?} in\n{text}");
        }
    }

    #[test]
    fn order_changes_are_reported_on_their_own() {
        let committed = bundle(vec![
            package("A", &[("x", b"\x01"), ("y", b"\x02")]),
            package("B", &[]),
        ]);
        let rebuilt = bundle(vec![
            package("B", &[]),
            package("A", &[("y", b"\x02"), ("x", b"\x01")]),
        ]);
        let diff = compare(&committed, &rebuilt);
        let text = diff.to_string();
        assert!(
            text.contains("package order: committed A, B, rebuilt B, A"),
            "{text}"
        );
        assert!(
            text.contains("module order: committed x, y, rebuilt y, x"),
            "{text}"
        );
        assert!(!text.contains("module A::x"), "{text}");
    }

    #[test]
    fn manifests_are_compared_by_path() {
        let e = r#"{"a": 1, "b": [{"c": "x"}, {"c": "y"}], "gone": true}"#;
        let a = r#"{"a": 1, "b": [{"c": "x"}, {"c": "z"}], "new": 2}"#;
        let changes = compare_manifests(e, a);
        let shown: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "b[1].c: committed \"y\", rebuilt \"z\"",
                "gone: committed true, rebuilt (missing)",
                "new: committed (missing), rebuilt 2",
            ]
        );
        assert!(compare_manifests(e, e).is_empty());
        assert_eq!(
            compare_manifests("{\"a\":1}", "{ \"a\": 1 }")[0].field,
            "layout"
        );
        assert!(compare_manifests("not json", e)[0]
            .expected
            .starts_with("not JSON"));

        let b = bundle(vec![package("A", &[])]);
        let diff = compare(&b, &b).with_manifests(e, a);
        assert!(!diff.is_identical());
        assert!(
            diff.to_string().contains("head.manifest.json:\n    b[1].c"),
            "{diff}"
        );
    }
}

//! The upgrade manifest: a typed, versioned JSON record of one multi-step framework upgrade,
//! written by `cargo xtask upgrade` beside the step directories and read by the `signer`, which
//! re-hashes every file it names before anything is proposed or resolved.
//!
//! # Schema (`schema_version` 1)
//!
//! The file is `<out>/upgrade.manifest.json` ([`FILE_NAME`]), one JSON object:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `schema_version` | integer | always [`SCHEMA_VERSION`] (1); any other value is refused by [`load`] |
//! | `bundle_sha3` | string | SHA3-256 of the `.mrb` release bundle the scripts were generated from, 64 lowercase hex |
//! | `execution_hash` | string | the hash to propose on chain: step 1's `script_sha3`, 64 lowercase hex |
//! | `steps` | array | one [`UpgradeStep`] per step, in deploy order (step 1 first) |
//! | `inputs` | object | the [`UpgradeInputs`] the scripts embed |
//!
//! Each element of `steps`:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `step` | integer | 1-based deploy order; element `i` of `steps` has `step = i + 1` |
//! | `package` | string | Move package name, e.g. `MoveStdlib` |
//! | `dir` | string | the step directory, e.g. `1-move-stdlib`, **relative to the manifest's directory**; a single path component starting with `<step>-` |
//! | `script_sha3` | string | SHA3-256 of `<dir>/script.mv`, 64 lowercase hex (equal to `<dir>/script_sha3`) |
//! | `next_hash` | string | the next step's `script_sha3` that this script embeds; `""` for the last step |
//! | `script_size` | integer | byte length of `<dir>/script.mv` |
//! | `metadata_size` | integer | byte length of the BCS `PackageMetadata` the script publishes |
//! | `modules` | array | one [`UpgradeModule`] per published module, in the script's (compiler) order |
//!
//! Each element of `modules`: `name` (module name), `size` (bytes), `sha3` (SHA3-256 of the
//! module bytes, 64 lowercase hex).
//!
//! `inputs`: `framework_commit` (40 lowercase hex, the commit recorded on chain by
//! `upgrade_set_git`), `builder_commit` (40 lowercase hex, the toolchain revision named in the
//! script text), `force` (true when the packages were published with the arbitrary upgrade
//! policy).
//!
//! Unknown members are refused at every level, so a newer schema can never be half-read.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The schema version this module reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The manifest's file name inside the upgrade output directory.
pub const FILE_NAME: &str = "upgrade.manifest.json";

/// A whole upgrade manifest (see the module documentation for the schema).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpgradeManifest {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// SHA3-256 of the release bundle, lowercase hex.
    pub bundle_sha3: String,
    /// The execution hash to propose: step 1's script hash, lowercase hex.
    pub execution_hash: String,
    /// The steps in deploy order.
    pub steps: Vec<UpgradeStep>,
    /// The explicit inputs of the generator.
    pub inputs: UpgradeInputs,
}

/// One step of the upgrade: one package published by one script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpgradeStep {
    /// 1-based deploy order.
    pub step: u32,
    /// The Move package name.
    pub package: String,
    /// The step directory relative to the manifest's directory, e.g. `1-move-stdlib`.
    pub dir: String,
    /// SHA3-256 of `script.mv`, lowercase hex.
    pub script_sha3: String,
    /// The next step's script hash embedded in this script; empty for the last step.
    pub next_hash: String,
    /// Byte length of `script.mv`.
    pub script_size: u64,
    /// Byte length of the BCS package metadata the script publishes.
    pub metadata_size: u64,
    /// The modules the script publishes, in the script's order.
    pub modules: Vec<UpgradeModule>,
}

/// One module published by a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpgradeModule {
    /// The module name.
    pub name: String,
    /// Byte length of the compiled module.
    pub size: u64,
    /// SHA3-256 of the compiled module, lowercase hex.
    pub sha3: String,
}

/// The inputs that the generated scripts embed and that cannot be derived from the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpgradeInputs {
    /// The framework commit recorded on chain, 40 lowercase hex.
    pub framework_commit: String,
    /// The builder (toolchain) commit named in the script text, 40 lowercase hex.
    pub builder_commit: String,
    /// True when the packages are published with the arbitrary (0) upgrade policy.
    pub force: bool,
}

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read upgrade manifest {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not JSON, or not the shape of the schema.
    #[error("upgrade manifest {path} is malformed at line {line}, column {column}: {message}")]
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// The manifest has no version field, or a version this build does not read.
    #[error("upgrade manifest {path}: {found}; this tool reads schema_version {SCHEMA_VERSION}")]
    Version { path: PathBuf, found: String },
    /// A field has a value outside its format.
    #[error("upgrade manifest {path}: {field}: {message}")]
    Invalid {
        path: PathBuf,
        field: String,
        message: String,
    },
}

/// Reads and validates a manifest file (see [`UpgradeManifest::from_json`]).
pub fn load(path: &Path) -> Result<UpgradeManifest, ManifestError> {
    let bytes = std::fs::read(path).map_err(|source| ManifestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    UpgradeManifest::from_json(&bytes, path)
}

impl UpgradeManifest {
    /// Parses manifest bytes; `origin` only names the source in errors.
    ///
    /// The version is checked before the shape, so that a manifest of another schema is reported
    /// as such rather than as a pile of unknown fields. Then every field's format is validated
    /// ([`UpgradeManifest::validate`]).
    pub fn from_json(bytes: &[u8], origin: &Path) -> Result<UpgradeManifest, ManifestError> {
        let malformed = |err: serde_json::Error| ManifestError::Malformed {
            path: origin.to_path_buf(),
            line: err.line(),
            column: err.column(),
            message: err.to_string(),
        };
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(malformed)?;
        let version = match &value {
            serde_json::Value::Object(map) => map.get("schema_version"),
            _ => {
                return Err(ManifestError::Malformed {
                    path: origin.to_path_buf(),
                    line: 1,
                    column: 1,
                    message: "expected a JSON object at the top level".into(),
                })
            }
        };
        match version {
            Some(v) if v.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {}
            Some(v) => {
                return Err(ManifestError::Version {
                    path: origin.to_path_buf(),
                    found: format!("schema_version {v} is not supported"),
                })
            }
            None => {
                return Err(ManifestError::Version {
                    path: origin.to_path_buf(),
                    found: "no schema_version field".into(),
                })
            }
        }
        // Re-parse from the bytes (not the Value) so that errors keep their line and column.
        let manifest: UpgradeManifest = serde_json::from_slice(bytes).map_err(malformed)?;
        manifest.validate(origin)?;
        Ok(manifest)
    }

    /// Checks the format of every field: hashes are 64 lowercase hex, commits 40, steps are
    /// numbered 1..n in order, directories are single relative components named `<step>-…`.
    /// It does not check the hash chain ([`UpgradeManifest::check_chain`]) or any file.
    pub fn validate(&self, origin: &Path) -> Result<(), ManifestError> {
        let invalid = |field: String, message: String| ManifestError::Invalid {
            path: origin.to_path_buf(),
            field,
            message,
        };
        check_hex(&self.bundle_sha3, 32).map_err(|m| invalid("bundle_sha3".into(), m))?;
        check_hex(&self.execution_hash, 32).map_err(|m| invalid("execution_hash".into(), m))?;
        check_hex(&self.inputs.framework_commit, 20)
            .map_err(|m| invalid("inputs.framework_commit".into(), m))?;
        check_hex(&self.inputs.builder_commit, 20)
            .map_err(|m| invalid("inputs.builder_commit".into(), m))?;
        if self.steps.is_empty() {
            return Err(invalid(
                "steps".into(),
                "an upgrade has at least one step".into(),
            ));
        }
        for (index, step) in self.steps.iter().enumerate() {
            let at = |name: &str| format!("steps[{index}].{name}");
            let expected = index as u64 + 1;
            if u64::from(step.step) != expected {
                return Err(invalid(
                    at("step"),
                    format!(
                        "is {}, expected {expected} (steps are numbered in order)",
                        step.step
                    ),
                ));
            }
            check_dir(&step.dir, step.step).map_err(|m| invalid(at("dir"), m))?;
            if step.package.is_empty() {
                return Err(invalid(at("package"), "is empty".into()));
            }
            check_hex(&step.script_sha3, 32).map_err(|m| invalid(at("script_sha3"), m))?;
            if !step.next_hash.is_empty() {
                check_hex(&step.next_hash, 32).map_err(|m| invalid(at("next_hash"), m))?;
            }
            for (m, module) in step.modules.iter().enumerate() {
                check_hex(&module.sha3, 32)
                    .map_err(|msg| invalid(at(&format!("modules[{m}].sha3")), msg))?;
            }
        }
        Ok(())
    }

    /// Checks the hashes against each other: step 1's hash is the execution hash, each step's
    /// `next_hash` is the following step's `script_sha3`, and the last `next_hash` is empty.
    pub fn check_chain(&self) -> Result<(), String> {
        let first = self.steps.first().ok_or("the manifest has no steps")?;
        if first.script_sha3 != self.execution_hash {
            return Err(format!(
                "execution_hash {} is not step 1's script hash {}",
                self.execution_hash, first.script_sha3
            ));
        }
        for (index, step) in self.steps.iter().enumerate() {
            let expected = self
                .steps
                .get(index + 1)
                .map_or("", |next| next.script_sha3.as_str());
            if step.next_hash != expected {
                return Err(format!(
                    "step {} ({}) declares next hash {:?}, expected {:?}",
                    step.step, step.dir, step.next_hash, expected
                ));
            }
        }
        Ok(())
    }

    /// The directory of a step, resolved against the directory that holds the manifest.
    pub fn step_dir(&self, manifest_dir: &Path, step: &UpgradeStep) -> PathBuf {
        manifest_dir.join(&step.dir)
    }

    /// Pretty JSON with a trailing newline: the exact bytes `cargo xtask upgrade` writes.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings and integers cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// `Ok` when `text` is exactly `2 * bytes` lowercase hex digits.
fn check_hex(text: &str, bytes: usize) -> Result<(), String> {
    if text.len() != 2 * bytes {
        return Err(format!(
            "expected {} lowercase hex digits, found {} characters",
            2 * bytes,
            text.len()
        ));
    }
    match text
        .char_indices()
        .find(|(_, c)| !matches!(c, '0'..='9' | 'a'..='f'))
    {
        Some((at, c)) => Err(format!(
            "character {c:?} at {at} is not a lowercase hex digit"
        )),
        None => Ok(()),
    }
}

/// `Ok` when `dir` is one plain relative path component named `<step>-<something>`.
fn check_dir(dir: &str, step: u32) -> Result<(), String> {
    let prefix = format!("{step}-");
    let rest = dir
        .strip_prefix(&prefix)
        .ok_or_else(|| format!("{dir:?} does not start with {prefix:?}"))?;
    let plain = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !rest.contains("..");
    if plain {
        Ok(())
    } else {
        Err(format!(
            "{dir:?} must be a single directory name of letters, digits, '-', '_' or '.'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> UpgradeManifest {
        let h = |c: char| c.to_string().repeat(64);
        UpgradeManifest {
            schema_version: SCHEMA_VERSION,
            bundle_sha3: h('0'),
            execution_hash: h('1'),
            steps: vec![
                UpgradeStep {
                    step: 1,
                    package: "MoveStdlib".into(),
                    dir: "1-move-stdlib".into(),
                    script_sha3: h('1'),
                    next_hash: h('2'),
                    script_size: 10,
                    metadata_size: 3,
                    modules: vec![UpgradeModule {
                        name: "vector".into(),
                        size: 5,
                        sha3: h('a'),
                    }],
                },
                UpgradeStep {
                    step: 2,
                    package: "LibraFramework".into(),
                    dir: "2-libra-framework".into(),
                    script_sha3: h('2'),
                    next_hash: String::new(),
                    script_size: 10,
                    metadata_size: 3,
                    modules: vec![],
                },
            ],
            inputs: UpgradeInputs {
                framework_commit: "9".repeat(40),
                builder_commit: "7".repeat(40),
                force: false,
            },
        }
    }

    fn parse(text: &str) -> Result<UpgradeManifest, ManifestError> {
        UpgradeManifest::from_json(text.as_bytes(), Path::new("m.json"))
    }

    #[test]
    fn round_trips_and_checks_chain() {
        let m = sample();
        let back = parse(&m.to_json()).expect("round trip");
        assert_eq!(back, m);
        assert!(back.check_chain().is_ok());
    }

    #[test]
    fn refuses_other_versions_and_missing_version() {
        let text = sample()
            .to_json()
            .replace("\"schema_version\": 1", "\"schema_version\": 2");
        assert!(matches!(parse(&text), Err(ManifestError::Version { .. })));
        assert!(matches!(parse("{}"), Err(ManifestError::Version { .. })));
        assert!(matches!(parse("[1]"), Err(ManifestError::Malformed { .. })));
        assert!(matches!(parse("{"), Err(ManifestError::Malformed { .. })));
    }

    #[test]
    fn refuses_unknown_fields_bad_hex_and_bad_dirs() {
        let text = sample()
            .to_json()
            .replace("\"force\"", "\"extra\": 1, \"force\"");
        assert!(matches!(parse(&text), Err(ManifestError::Malformed { .. })));
        let mut m = sample();
        m.bundle_sha3 = "AB".repeat(32);
        assert!(matches!(
            parse(&m.to_json()),
            Err(ManifestError::Invalid { .. })
        ));
        let mut m = sample();
        m.steps[1].dir = "2-../etc".into();
        assert!(matches!(
            parse(&m.to_json()),
            Err(ManifestError::Invalid { .. })
        ));
        let mut m = sample();
        m.steps[1].step = 3;
        assert!(matches!(
            parse(&m.to_json()),
            Err(ManifestError::Invalid { .. })
        ));
    }

    #[test]
    fn chain_errors_are_reported() {
        let mut m = sample();
        m.steps[0].next_hash = "3".repeat(64);
        assert!(m.check_chain().is_err());
        let mut m = sample();
        m.execution_hash = "4".repeat(64);
        assert!(m.check_chain().is_err());
    }
}

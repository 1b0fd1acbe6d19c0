//! What `cargo xtask inspect` shows: for a release bundle, a report of every package (policy,
//! upgrade number, digest, deps) and module (size, SHA3-256), printable as a table or as JSON,
//! and extraction of the bundle into Move package directories that build again in place; for a
//! compiled module or script, its disassembly.

use std::fmt;
use std::path::{Path, PathBuf};

use move_bytecode::disassembler::disassemble;
use move_bytecode::{CompiledUnit, DeserializeError, DeserializerConfig};
use serde::Serialize;
use sha3::{Digest, Sha3_256};

use crate::bundle::{is_plain_component, BundleError, ReleaseBundle, ReleasePackage};
use crate::metadata::MetadataError;

/// The whole report on one bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BundleReport {
    /// Lowercase hex SHA3-256 of the whole file.
    pub sha3_256: String,
    /// File size in bytes.
    pub size: usize,
    pub packages: Vec<PackageReport>,
    /// Departures from the invariants upstream bundles keep; normally empty.
    pub problems: Vec<String>,
}

/// One package of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageReport {
    pub name: String,
    /// `arbitrary`, `compatible` or `immutable`.
    pub upgrade_policy: String,
    /// The policy byte as stored.
    pub upgrade_policy_value: u8,
    pub upgrade_number: u64,
    pub source_digest: String,
    pub deps: Vec<DepReport>,
    /// The recorded build-machine source directory, if any.
    pub source_dir: Option<String>,
    /// Whether every module embeds its source.
    pub has_sources: bool,
    /// Total bytes of compiled code.
    pub code_size: usize,
    pub modules: Vec<ModuleReport>,
}

/// One dependency of a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DepReport {
    /// Short `0x`-prefixed hex (`0x1`).
    pub address: String,
    pub name: String,
}

/// One module of a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleReport {
    pub name: String,
    /// Bytecode size in bytes.
    pub size: usize,
    /// Lowercase hex SHA3-256 of the bytecode.
    pub sha3_256: String,
    pub has_source: bool,
    pub has_source_map: bool,
}

/// Lowercase hex SHA3-256.
pub fn sha3_hex(bytes: &[u8]) -> String {
    hex::encode(Sha3_256::digest(bytes))
}

/// Reads `bytes` as a bundle and reports on it.
pub fn inspect_bundle(bytes: &[u8]) -> Result<BundleReport, BundleError> {
    let bundle = ReleaseBundle::read(bytes)?;
    Ok(report(&bundle, bytes))
}

/// The report on an already decoded bundle; `file_bytes` are the bytes it was read from.
pub fn report(bundle: &ReleaseBundle, file_bytes: &[u8]) -> BundleReport {
    let packages = bundle
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| package_report(p, bundle.source_dir(i)))
        .collect();
    BundleReport {
        sha3_256: sha3_hex(file_bytes),
        size: file_bytes.len(),
        packages,
        problems: bundle.invariant_problems(),
    }
}

fn package_report(package: &ReleasePackage, source_dir: Option<&str>) -> PackageReport {
    let meta = &package.metadata;
    PackageReport {
        name: meta.name.clone(),
        upgrade_policy: meta.upgrade_policy.name().to_string(),
        upgrade_policy_value: meta.upgrade_policy.policy,
        upgrade_number: meta.upgrade_number,
        source_digest: meta.source_digest.clone(),
        deps: meta
            .deps
            .iter()
            .map(|d| DepReport {
                address: d.account.to_short_hex(),
                name: d.package_name.clone(),
            })
            .collect(),
        source_dir: source_dir.map(str::to_string),
        has_sources: package.has_sources(),
        code_size: package.code.iter().map(Vec::len).sum(),
        modules: package
            .modules()
            .map(|m| ModuleReport {
                name: m.name.into_owned(),
                size: m.bytecode.len(),
                sha3_256: sha3_hex(m.bytecode),
                has_source: m.metadata.is_some_and(|x| !x.source.is_empty()),
                has_source_map: m.metadata.is_some_and(|x| !x.source_map.is_empty()),
            })
            .collect(),
    }
}

impl BundleReport {
    /// The report as one JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

impl fmt::Display for BundleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let modules: usize = self.packages.iter().map(|p| p.modules.len()).sum();
        writeln!(
            f,
            "release bundle: {} bytes, {} packages, {} modules",
            self.size,
            self.packages.len(),
            modules
        )?;
        writeln!(f, "sha3-256: {}", self.sha3_256)?;
        for problem in &self.problems {
            writeln!(f, "warning: {problem}")?;
        }
        for package in &self.packages {
            writeln!(f)?;
            writeln!(f, "package {}", package.name)?;
            writeln!(
                f,
                "  upgrade policy  {} ({})",
                package.upgrade_policy, package.upgrade_policy_value
            )?;
            writeln!(f, "  upgrade number  {}", package.upgrade_number)?;
            let digest = if package.source_digest.is_empty() {
                "(none)"
            } else {
                &package.source_digest
            };
            writeln!(f, "  source digest   {digest}")?;
            let deps: Vec<String> = package
                .deps
                .iter()
                .map(|d| format!("{}::{}", d.address, d.name))
                .collect();
            let deps = if deps.is_empty() {
                "(none)".to_string()
            } else {
                deps.join(", ")
            };
            writeln!(f, "  deps            {deps}")?;
            writeln!(
                f,
                "  sources         {}",
                if package.has_sources {
                    "embedded"
                } else {
                    "absent"
                }
            )?;
            writeln!(
                f,
                "  modules         {} ({} bytes of code)",
                package.modules.len(),
                package.code_size
            )?;
            let width = package
                .modules
                .iter()
                .map(|m| m.name.len())
                .max()
                .unwrap_or(0)
                .max(6);
            writeln!(f, "    {:<width$}  {:>7}  sha3-256", "module", "bytes")?;
            for module in &package.modules {
                writeln!(
                    f,
                    "    {:<width$}  {:>7}  {}",
                    module.name, module.size, module.sha3_256
                )?;
            }
        }
        Ok(())
    }
}

/// The report on one compiled module or script (`.mv`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitReport {
    /// `module` or `script`, as detected from the bytes.
    pub kind: &'static str,
    /// `address::name` for a module.
    pub module_id: Option<String>,
    /// Bytecode version.
    pub version: u32,
    pub size: usize,
    /// Lowercase hex SHA3-256 of the file.
    pub sha3_256: String,
    /// The listing, each line starting with its file offset.
    pub disassembly: String,
}

/// Reads a compiled module or script (which one is detected) and disassembles it.
pub fn inspect_unit(bytes: &[u8]) -> Result<UnitReport, DeserializeError> {
    let (unit, layout) =
        move_bytecode::deserialize_with_layout(bytes, None, &DeserializerConfig::default())?;
    let module_id = match &unit {
        CompiledUnit::Module(module) => Some(module.self_id().to_string()),
        CompiledUnit::Script(_) => None,
    };
    Ok(UnitReport {
        kind: if unit.is_module() { "module" } else { "script" },
        module_id,
        version: unit.version(),
        size: bytes.len(),
        sha3_256: sha3_hex(bytes),
        disassembly: disassemble(&unit, Some(&layout)),
    })
}

impl fmt::Display for UnitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.disassembly)?;
        if !self.disassembly.ends_with('\n') {
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Where one package was extracted and what it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExtractedPackage {
    pub name: String,
    pub dir: PathBuf,
    /// `.move` files written under `sources/` (a file that defines several modules is embedded
    /// once per module but written once).
    pub sources: usize,
    /// `.mv` files written under `bytecode_modules/`.
    pub modules: usize,
    /// Whether `Move.toml` was written.
    pub manifest: bool,
}

/// Extraction failed.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{}: cannot write: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("package `{package}`: {source}")]
    Metadata {
        package: String,
        #[source]
        source: MetadataError,
    },
    #[error("package `{package}`: {what} `{name}` is not a safe file name")]
    UnsafeName {
        package: String,
        what: &'static str,
        name: String,
    },
    #[error("package `{package}`: two modules are named `{name}`")]
    DuplicateModule { package: String, name: String },
    #[error("packages `{first}` and `{second}` would both extract to `{dir}`")]
    DuplicateDir {
        first: String,
        second: String,
        dir: String,
    },
}

/// Writes every package of `bundle` as a Move package directory under `out`:
/// `<dir>/Move.toml`, `<dir>/sources/<module>.move` and `<dir>/bytecode_modules/<module>.mv`.
/// `<dir>` is the package's directory name on the build machine (from the recorded source dirs)
/// so that the relative `local` dependency paths in the manifests resolve; a package without a
/// usable record is extracted under its package name. Packages without embedded sources get the
/// bytecode only (and their manifest when it is embedded).
pub fn extract_bundle(
    bundle: &ReleaseBundle,
    out: &Path,
) -> Result<Vec<ExtractedPackage>, ExtractError> {
    let mut dirs: Vec<(String, String)> = Vec::new();
    for (i, package) in bundle.packages.iter().enumerate() {
        let name = package.name();
        let dir = match bundle.package_dir_name(i) {
            Some(dir) => dir.to_string(),
            None if is_plain_component(name) => name.to_string(),
            None => {
                return Err(ExtractError::UnsafeName {
                    package: name.to_string(),
                    what: "package name",
                    name: name.to_string(),
                })
            }
        };
        if let Some((first, _)) = dirs.iter().find(|(_, d)| *d == dir) {
            return Err(ExtractError::DuplicateDir {
                first: first.clone(),
                second: name.to_string(),
                dir,
            });
        }
        dirs.push((name.to_string(), dir));
        // Check every name before writing anything, so a bad bundle leaves nothing half-written.
        if let Some(module) = package.modules().find(|m| !is_identifier(&m.name)) {
            return Err(ExtractError::UnsafeName {
                package: name.to_string(),
                what: "module name",
                name: module.name.into_owned(),
            });
        }
        let mut names: Vec<_> = package.modules().map(|m| m.name).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(ExtractError::DuplicateModule {
                package: name.to_string(),
                name: pair[0].to_string(),
            });
        }
    }

    let mut extracted = Vec::new();
    for (package, (_, dir)) in bundle.packages.iter().zip(&dirs) {
        extracted.push(extract_package(package, &out.join(dir))?);
    }
    Ok(extracted)
}

fn extract_package(package: &ReleasePackage, dir: &Path) -> Result<ExtractedPackage, ExtractError> {
    let name = package.name().to_string();
    let meta_err = |source| ExtractError::Metadata {
        package: name.clone(),
        source,
    };
    let modules: Vec<_> = package.modules().collect();
    let mut result = ExtractedPackage {
        name: name.clone(),
        dir: dir.to_path_buf(),
        sources: 0,
        modules: 0,
        manifest: false,
    };
    if !package.metadata.manifest.is_empty() {
        let text = package.manifest_text().map_err(meta_err)?;
        write(&dir.join("Move.toml"), text.as_bytes())?;
        result.manifest = true;
    }
    // Modules defined in one file embed that whole file each; write it once, or the package
    // would define those modules twice.
    let mut written_sources: Vec<&[u8]> = Vec::new();
    for module in &modules {
        let source = match module.metadata {
            Some(m) if !written_sources.contains(&m.source.as_slice()) => {
                written_sources.push(&m.source);
                m.source_text().map_err(meta_err)?
            }
            _ => None,
        };
        if let Some(text) = source {
            write(
                &dir.join("sources").join(format!("{}.move", module.name)),
                text.as_bytes(),
            )?;
            result.sources += 1;
        }
        write(
            &dir.join("bytecode_modules")
                .join(format!("{}.mv", module.name)),
            module.bytecode,
        )?;
        result.modules += 1;
    }
    Ok(result)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ExtractError> {
    let io = |source| ExtractError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, bytes).map_err(io)
}

/// A Move identifier: ASCII letters, digits and `_`, not starting with a digit.
fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_identifier("fixed_point32"));
        assert!(is_identifier("_x"));
        assert!(!is_identifier("../x"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier(""));
    }
}

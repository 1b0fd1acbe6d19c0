//! The `.mrb` release bundle: exactly `BCS(ReleaseBundle)`, with no header or trailer. Reading is
//! strict (canonical lengths, UTF-8 strings, every byte consumed) and an error names the byte
//! offset and field where the input stops fitting. Writing gives back the same bytes for every
//! bundle read, so a bundle can be inspected, edited and rewritten without drift.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use move_bytecode::DeserializeError;
use serde::{Deserialize, Serialize};

use crate::byte_serde;
use crate::metadata::{MetadataError, ModuleMetadata, PackageMetadata};
use crate::wire;

/// A compiled framework release: packages in publish order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseBundle {
    pub packages: Vec<ReleasePackage>,
    /// The build machine's `<pkg>/sources` directories, one per package; informational only.
    pub source_dirs: Vec<String>,
}

/// One package of a bundle: its metadata and its modules' bytecode, in compiler order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasePackage {
    pub metadata: PackageMetadata,
    /// One compiled module per element; `metadata.modules[i]` describes `code[i]`.
    #[serde(with = "byte_serde::bytes_vec")]
    pub code: Vec<Vec<u8>>,
}

/// Why bytes could not be read as, or a value written as, a release bundle.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("malformed release bundle at byte {offset} ({field}): {problem}")]
    Malformed {
        offset: usize,
        field: String,
        problem: String,
    },
    #[error("cannot encode release bundle: {0}")]
    Encode(bcs::Error),
}

/// A bundle file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BundleFileError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Bundle {
        path: PathBuf,
        #[source]
        source: BundleError,
    },
}

impl ReleaseBundle {
    /// Reads and decodes a `.mrb` file; errors name the file.
    pub fn read_file(path: &Path) -> Result<Self, BundleFileError> {
        let bytes = std::fs::read(path).map_err(|source| BundleFileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::read(&bytes).map_err(|source| BundleFileError::Bundle {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Encodes the bundle and writes it to `path`.
    pub fn write_file(&self, path: &Path) -> Result<(), BundleFileError> {
        let bytes = self.to_bytes().map_err(|source| BundleFileError::Bundle {
            path: path.to_path_buf(),
            source,
        })?;
        std::fs::write(path, bytes).map_err(|source| BundleFileError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Decodes a `.mrb` file's bytes.
    pub fn read(bytes: &[u8]) -> Result<Self, BundleError> {
        bcs::from_bytes(bytes).map_err(|err| match wire::locate_bundle_error(bytes) {
            Err(at) => BundleError::Malformed {
                offset: at.offset,
                field: at.field,
                problem: at.problem,
            },
            // The layout walker and BCS disagree; still report BCS's reason.
            Ok(()) => BundleError::Malformed {
                offset: 0,
                field: "bundle".to_string(),
                problem: err.to_string(),
            },
        })
    }

    /// Encodes the bundle as the bytes of a `.mrb` file.
    pub fn to_bytes(&self) -> Result<Vec<u8>, BundleError> {
        bcs::to_bytes(self).map_err(BundleError::Encode)
    }

    /// The package with this name.
    pub fn package(&self, name: &str) -> Option<&ReleasePackage> {
        self.packages.iter().find(|p| p.name() == name)
    }

    /// The recorded source directory of the package at `index`.
    pub fn source_dir(&self, index: usize) -> Option<&str> {
        self.source_dirs.get(index).map(String::as_str)
    }

    /// The name of the package's directory on the build machine: the component before `sources`
    /// in its recorded source dir (`/x/framework/move-stdlib/sources` gives `move-stdlib`).
    /// `None` when no usable name is recorded (missing, or not a plain file-name component).
    pub fn package_dir_name(&self, index: usize) -> Option<&str> {
        let dir = self.source_dir(index)?;
        let mut parts = dir
            .split(['/', '\\'])
            .filter(|p| !p.is_empty() && *p != ".");
        let mut last = parts.next_back()?;
        if last == "sources" {
            last = parts.next_back()?;
        }
        is_plain_component(last).then_some(last)
    }

    /// Departures from the invariants every upstream bundle keeps (module and code counts agree,
    /// each module's bytecode reads and names itself as its metadata entry does, one source dir
    /// per package, distinct package names, empty extensions). Empty when none.
    pub fn invariant_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.source_dirs.len() != self.packages.len() {
            problems.push(format!(
                "{} source dirs for {} packages",
                self.source_dirs.len(),
                self.packages.len()
            ));
        }
        for (i, package) in self.packages.iter().enumerate() {
            let name = package.name();
            if self.packages[..i].iter().any(|p| p.name() == name) {
                problems.push(format!("package name `{name}` appears twice"));
            }
            if package.metadata.modules.len() != package.code.len() {
                problems.push(format!(
                    "package `{name}`: {} module entries but {} compiled modules",
                    package.metadata.modules.len(),
                    package.code.len()
                ));
            }
            for module in package.modules() {
                let Some(meta) = module.metadata else {
                    continue;
                };
                match module.bytecode_name() {
                    Ok(own) if own == meta.name => {}
                    Ok(own) => problems.push(format!(
                        "package `{name}`: module {} is `{own}` in its bytecode but `{}` in the metadata",
                        module.index, meta.name
                    )),
                    Err(err) => problems.push(format!(
                        "package `{name}`: module {} (`{}`) does not read: {err}",
                        module.index, meta.name
                    )),
                }
            }
            if !package.metadata.extension.is_none()
                || package
                    .metadata
                    .modules
                    .iter()
                    .any(|m| !m.extension.is_none())
            {
                problems.push(format!("package `{name}`: a metadata extension is set"));
            }
        }
        problems
    }
}

/// One compiled module of a package, with its name and metadata entry when there is one.
#[derive(Clone, Debug)]
pub struct PackageModule<'a> {
    /// Position in the package's compiler order.
    pub index: usize,
    pub name: Cow<'a, str>,
    pub bytecode: &'a [u8],
    pub metadata: Option<&'a ModuleMetadata>,
}

impl PackageModule<'_> {
    /// The name the bytecode gives itself (its self module handle).
    pub fn bytecode_name(&self) -> Result<String, DeserializeError> {
        bytecode_module_name(self.bytecode)
    }
}

/// Reads a compiled module and returns its own name.
pub fn bytecode_module_name(bytecode: &[u8]) -> Result<String, DeserializeError> {
    Ok(move_bytecode::deserialize_module(bytecode)?
        .name()
        .as_str()
        .to_string())
}

impl ReleasePackage {
    /// The package name from its metadata.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The compiled modules in order. A module's name comes from its metadata entry at the same
    /// index; a module without one is named from its bytecode (its self module handle), or
    /// `module_<index>` when the bytecode does not read.
    pub fn modules(&self) -> impl Iterator<Item = PackageModule<'_>> + '_ {
        self.code.iter().enumerate().map(|(index, bytecode)| {
            let metadata = self.metadata.modules.get(index);
            let name = match metadata {
                Some(m) => Cow::Borrowed(m.name.as_str()),
                None => Cow::Owned(
                    bytecode_module_name(bytecode).unwrap_or_else(|_| format!("module_{index}")),
                ),
            };
            PackageModule {
                index,
                name,
                bytecode,
                metadata,
            }
        })
    }

    /// The module with this name.
    pub fn module(&self, name: &str) -> Option<PackageModule<'_>> {
        self.modules().find(|m| m.name == name)
    }

    /// Module names in compiler order.
    pub fn module_names(&self) -> Vec<String> {
        self.modules().map(|m| m.name.into_owned()).collect()
    }

    /// The decompressed `Move.toml`.
    pub fn manifest_text(&self) -> Result<String, MetadataError> {
        self.metadata.manifest_text()
    }

    /// Whether every module embeds its source text.
    pub fn has_sources(&self) -> bool {
        self.metadata.has_sources()
    }

    /// The decompressed source of every module that embeds one, as (module name, text).
    pub fn sources(&self) -> Result<Vec<(String, String)>, MetadataError> {
        let mut out = Vec::new();
        for module in &self.metadata.modules {
            if let Some(text) = module.source_text()? {
                out.push((module.name.clone(), text));
            }
        }
        Ok(out)
    }
}

/// A name that is safe as one path component: no separators, not `.`/`..`, printable ASCII.
pub(crate) fn is_plain_component(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::{MoveOption, UpgradePolicy};

    fn tiny() -> ReleaseBundle {
        ReleaseBundle {
            packages: vec![ReleasePackage {
                metadata: PackageMetadata {
                    name: "P".into(),
                    upgrade_policy: UpgradePolicy::COMPATIBLE,
                    upgrade_number: 0,
                    source_digest: String::new(),
                    manifest: crate::gzip::compress(b"[package]\nname = \"P\"\n"),
                    modules: vec![ModuleMetadata {
                        name: "m".into(),
                        source: vec![],
                        source_map: vec![],
                        extension: MoveOption::none(),
                    }],
                    deps: vec![],
                    extension: MoveOption::none(),
                },
                code: vec![vec![0xa1, 0x1c, 0xeb, 0x0b]],
            }],
            source_dirs: vec!["/build/framework/p-pkg/sources".into()],
        }
    }

    #[test]
    fn round_trips_and_reports_offsets() {
        let bundle = tiny();
        let bytes = bundle.to_bytes().unwrap();
        assert_eq!(ReleaseBundle::read(&bytes).unwrap(), bundle);
        let mut longer = bytes.clone();
        longer.push(0);
        match ReleaseBundle::read(&longer) {
            Err(BundleError::Malformed { offset, .. }) => assert_eq!(offset, bytes.len()),
            other => panic!("expected a trailing-byte error, got {other:?}"),
        }
        assert!(ReleaseBundle::read(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn files_are_named_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.mrb");
        tiny().write_file(&path).unwrap();
        assert_eq!(ReleaseBundle::read_file(&path).unwrap(), tiny());
        std::fs::write(&path, [1u8]).unwrap();
        let err = ReleaseBundle::read_file(&path).unwrap_err().to_string();
        assert!(err.contains("b.mrb") && err.contains("byte 1"), "{err}");
        let err = ReleaseBundle::read_file(&dir.path().join("none.mrb")).unwrap_err();
        assert!(matches!(err, BundleFileError::Io { .. }));
    }

    #[test]
    fn accessors() {
        let bundle = tiny();
        assert_eq!(bundle.package_dir_name(0), Some("p-pkg"));
        assert_eq!(bundle.package_dir_name(1), None);
        let package = bundle.package("P").unwrap();
        assert_eq!(package.module_names(), ["m"]);
        assert_eq!(
            package.manifest_text().unwrap(),
            "[package]\nname = \"P\"\n"
        );
        assert!(!package.has_sources());
        // The placeholder code is only a magic number: the one departure reported.
        let problems = bundle.invariant_problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("module 0 (`m`) does not read"));
    }

    #[test]
    fn unsafe_dir_names_are_refused() {
        let mut bundle = tiny();
        for bad in ["/x/../sources", "/", "", "sources", "/a/b c/sources"] {
            bundle.source_dirs = vec![bad.into()];
            assert_eq!(bundle.package_dir_name(0), None, "{bad:?}");
        }
        bundle.source_dirs = vec!["C:\\work\\move-stdlib\\sources".into()];
        assert_eq!(bundle.package_dir_name(0), Some("move-stdlib"));
    }
}

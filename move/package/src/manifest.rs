//! Parses `Move.toml` package manifests the way the reference package system reads them:
//! `[package]` (name and version required; authors, license and custom string fields such as
//! `upgrade_policy`), `[addresses]` (hex literals or `"_"` placeholders), `[dev-addresses]`
//! (instantiated only), `[build]`, `[dependencies]` and `[dev-dependencies]` (local paths, or git
//! sources that are recorded but cannot be built from here), with `addr_subst`, `version` and
//! `digest`. Unknown fields are kept as warnings, as the reference prints them. Every error names
//! the manifest file and the key it is about.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

/// A 32-byte account address.
pub type AddressBytes = [u8; 32];

/// A package version `major.minor.patch`.
pub type Version = (u64, u64, u64);

/// Why a manifest could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("{file}: cannot read: {message}")]
    Io { file: String, message: String },
    #[error("{file}:{line}:{column}: invalid TOML: {message}")]
    Toml {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: `{key}`: {message}")]
    Invalid {
        file: String,
        /// The dotted path of the offending key, e.g. `dependencies.MoveStdlib.local`.
        key: String,
        message: String,
    },
    #[error("{file}: `{key}`: git dependencies are not supported for builds ({url} at {rev}); use a local path")]
    UnsupportedGit {
        file: String,
        key: String,
        url: String,
        rev: String,
    },
}

/// The `[package]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageInfo {
    pub name: String,
    pub version: Version,
    pub authors: Vec<String>,
    /// The license, as the TOML text of its value (the reference keeps it that way).
    pub license: Option<String>,
    /// Further string fields (e.g. `upgrade_policy`), by name.
    pub custom_properties: BTreeMap<String, String>,
}

/// The `[build]` section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildInfo {
    pub language_version: Option<Version>,
    pub arch: Option<String>,
}

/// Where a dependency's sources are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DependencySource {
    /// `local = "path"`, relative to the manifest's directory.
    Local(PathBuf),
    /// `git = "url"`, `rev = "..."`, optional `subdir`.
    Git {
        url: String,
        rev: String,
        subdir: PathBuf,
    },
}

/// One entry of `addr_subst`: assign an address, or take another named address's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubstOrRename {
    Assign(AddressBytes),
    RenameFrom(String),
}

/// One entry of `[dependencies]` or `[dev-dependencies]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    pub source: DependencySource,
    pub subst: Option<BTreeMap<String, SubstOrRename>>,
    pub version: Option<Version>,
    pub digest: Option<String>,
}

impl Dependency {
    /// The dependency's directory for a build, relative to the manifest's directory. Git
    /// dependencies cannot be built here and give [`ManifestError::UnsupportedGit`].
    pub fn local_path(&self, manifest_file: &str, section: &str) -> Result<&Path, ManifestError> {
        match &self.source {
            DependencySource::Local(p) => Ok(p),
            DependencySource::Git { url, rev, .. } => Err(ManifestError::UnsupportedGit {
                file: manifest_file.to_string(),
                key: format!("{section}.{}", self.name),
                url: url.clone(),
                rev: rev.clone(),
            }),
        }
    }
}

/// A parsed `Move.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub package: PackageInfo,
    /// `[addresses]`: `None` values are `"_"` placeholders. `None` when the section is absent.
    pub addresses: Option<BTreeMap<String, Option<AddressBytes>>>,
    /// `[dev-addresses]`. `None` when the section is absent.
    pub dev_addresses: Option<BTreeMap<String, AddressBytes>>,
    pub build: Option<BuildInfo>,
    /// `[dependencies]`, by name.
    pub dependencies: BTreeMap<String, Dependency>,
    /// `[dev-dependencies]`, by name.
    pub dev_dependencies: BTreeMap<String, Dependency>,
    /// Unknown fields, one message each (not errors).
    pub warnings: Vec<String>,
}

/// Reads and parses the manifest at `path` (a `Move.toml`, or a package directory holding one).
pub fn read_manifest(path: &Path) -> Result<Manifest, ManifestError> {
    let file = if path.is_dir() {
        path.join("Move.toml")
    } else {
        path.to_path_buf()
    };
    let name = file.display().to_string();
    let text = std::fs::read_to_string(&file).map_err(|e| ManifestError::Io {
        file: name.clone(),
        message: e.to_string(),
    })?;
    parse_manifest(&name, &text)
}

/// Parses manifest text; `file` names it in errors.
pub fn parse_manifest(file: &str, text: &str) -> Result<Manifest, ManifestError> {
    let table: Table = text.parse().map_err(|e: toml::de::Error| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ManifestError::Toml {
            file: file.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    Reader {
        file,
        warnings: Vec::new(),
    }
    .manifest(table)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn type_name(v: &Value) -> &'static str {
    v.type_str()
}

/// Display of a dotted key path.
struct KeyPath<'a>(&'a [&'a str]);

impl fmt::Display for KeyPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

struct Reader<'a> {
    file: &'a str,
    warnings: Vec<String>,
}

impl Reader<'_> {
    fn err(&self, key: &[&str], message: impl Into<String>) -> ManifestError {
        ManifestError::Invalid {
            file: self.file.to_string(),
            key: KeyPath(key).to_string(),
            message: message.into(),
        }
    }

    fn table(&self, key: &[&str], v: Value) -> Result<Table, ManifestError> {
        match v {
            Value::Table(t) => Ok(t),
            other => Err(self.err(
                key,
                format!("expected a table, found a {}", type_name(&other)),
            )),
        }
    }

    fn string(&self, key: &[&str], v: Value) -> Result<String, ManifestError> {
        match v {
            Value::String(s) => Ok(s),
            other => Err(self.err(
                key,
                format!("expected a string, found a {}", type_name(&other)),
            )),
        }
    }

    fn warn_unknown(&mut self, key: &[&str], table: &Table, known: &[&str]) {
        for name in table.keys() {
            if !known.contains(&name.as_str()) {
                let mut path = key.to_vec();
                path.push(name);
                self.warnings.push(format!(
                    "{}: unknown field `{}`; expected one of: {}",
                    self.file,
                    KeyPath(&path),
                    known.join(", ")
                ));
            }
        }
    }

    fn manifest(mut self, mut top: Table) -> Result<Manifest, ManifestError> {
        self.warn_unknown(
            &[],
            &top,
            &[
                "package",
                "build",
                "addresses",
                "dev-addresses",
                "dependencies",
                "dev-dependencies",
            ],
        );
        let package = match top.remove("package") {
            Some(v) => self.package(v)?,
            None => return Err(self.err(&["package"], "required section not found")),
        };
        let addresses = top
            .remove("addresses")
            .map(|v| self.addresses(v))
            .transpose()?;
        let dev_addresses = top
            .remove("dev-addresses")
            .map(|v| self.dev_addresses(v))
            .transpose()?;
        let build = top.remove("build").map(|v| self.build(v)).transpose()?;
        let dependencies = top
            .remove("dependencies")
            .map(|v| self.dependencies("dependencies", v))
            .transpose()?
            .unwrap_or_default();
        let dev_dependencies = top
            .remove("dev-dependencies")
            .map(|v| self.dependencies("dev-dependencies", v))
            .transpose()?
            .unwrap_or_default();
        Ok(Manifest {
            package,
            addresses,
            dev_addresses,
            build,
            dependencies,
            dev_dependencies,
            warnings: self.warnings,
        })
    }

    fn package(&mut self, v: Value) -> Result<PackageInfo, ManifestError> {
        let mut t = self.table(&["package"], v)?;
        let name = match t.remove("name") {
            Some(v) => self.string(&["package", "name"], v)?,
            None => return Err(self.err(&["package", "name"], "required field not found")),
        };
        let version = match t.remove("version") {
            Some(v) => self.version(&["package", "version"], v)?,
            None => return Err(self.err(&["package", "version"], "required field not found")),
        };
        // The reference keeps the license as the TOML rendering of its value.
        let license = t.remove("license").map(|v| v.to_string());
        let authors = match t.remove("authors") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| self.string(&["package", "authors"], item))
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(self.err(
                    &["package", "authors"],
                    format!(
                        "expected an array of strings, found a {}",
                        type_name(&other)
                    ),
                ))
            }
        };
        let mut custom_properties = BTreeMap::new();
        for (k, v) in t {
            let s = self.string(&["package", &k], v)?;
            custom_properties.insert(k, s);
        }
        Ok(PackageInfo {
            name,
            version,
            authors,
            license,
            custom_properties,
        })
    }

    fn version(&self, key: &[&str], v: Value) -> Result<Version, ManifestError> {
        let s = self.string(key, v)?;
        let parts: Vec<&str> = s.split('.').collect();
        let num = |i: usize, what: &str| -> Result<u64, ManifestError> {
            parts
                .get(i)
                .and_then(|p| p.parse::<u64>().ok())
                .ok_or_else(|| self.err(key, format!("invalid {what} version in '{s}'")))
        };
        if parts.len() != 3 {
            return Err(self.err(
                key,
                format!("versions must be of the form <u64>.<u64>.<u64>, found '{s}'"),
            ));
        }
        Ok((num(0, "major")?, num(1, "minor")?, num(2, "bugfix")?))
    }

    fn build(&mut self, v: Value) -> Result<BuildInfo, ManifestError> {
        let mut t = self.table(&["build"], v)?;
        self.warn_unknown(&["build"], &t, &["language_version", "arch"]);
        let language_version = t
            .remove("language_version")
            .map(|v| self.version(&["build", "language_version"], v))
            .transpose()?;
        let arch = t
            .remove("arch")
            .map(|v| self.string(&["build", "arch"], v))
            .transpose()?;
        Ok(BuildInfo {
            language_version,
            arch,
        })
    }

    fn addresses(
        &mut self,
        v: Value,
    ) -> Result<BTreeMap<String, Option<AddressBytes>>, ManifestError> {
        let t = self.table(&["addresses"], v)?;
        let mut out = BTreeMap::new();
        for (name, v) in t {
            let key = ["addresses", name.as_str()];
            let s = self.string(&key, v)?;
            let addr = if s == "_" {
                None
            } else {
                Some(self.address(&key, &s)?)
            };
            out.insert(name, addr);
        }
        Ok(out)
    }

    fn dev_addresses(&mut self, v: Value) -> Result<BTreeMap<String, AddressBytes>, ManifestError> {
        let t = self.table(&["dev-addresses"], v)?;
        let mut out = BTreeMap::new();
        for (name, v) in t {
            let key = ["dev-addresses", name.as_str()];
            let s = self.string(&key, v)?;
            if s == "_" {
                return Err(self.err(
                    &key,
                    "uninstantiated named address: every address in [dev-addresses] must have a value",
                ));
            }
            let a = self.address(&key, &s)?;
            out.insert(name, a);
        }
        Ok(out)
    }

    /// A hex address, with or without `0x`, at most 64 digits.
    fn address(&self, key: &[&str], s: &str) -> Result<AddressBytes, ManifestError> {
        parse_hex_address(s).ok_or_else(|| {
            self.err(
                key,
                format!("invalid address '{s}': expected up to 64 hex digits, optionally after 0x"),
            )
        })
    }

    fn dependencies(
        &mut self,
        section: &str,
        v: Value,
    ) -> Result<BTreeMap<String, Dependency>, ManifestError> {
        let t = self.table(&[section], v)?;
        let mut out = BTreeMap::new();
        for (name, v) in t {
            let dep = self.dependency(section, &name, v)?;
            out.insert(name, dep);
        }
        Ok(out)
    }

    fn dependency(
        &mut self,
        section: &str,
        name: &str,
        v: Value,
    ) -> Result<Dependency, ManifestError> {
        let key = [section, name];
        let mut t = self.table(&key, v)?;
        self.warn_unknown(
            &key,
            &t,
            &[
                "addr_subst",
                "version",
                "local",
                "digest",
                "git",
                "rev",
                "subdir",
                "address",
            ],
        );
        let subst = t
            .remove("addr_subst")
            .map(|v| self.substitution(section, name, v))
            .transpose()?;
        let version = t
            .remove("version")
            .map(|v| self.version(&[section, name, "version"], v))
            .transpose()?;
        let digest = t
            .remove("digest")
            .map(|v| self.string(&[section, name, "digest"], v))
            .transpose()?;
        let source = match (t.remove("local"), t.remove("git")) {
            (Some(local), None) => DependencySource::Local(PathBuf::from(
                self.string(&[section, name, "local"], local)?,
            )),
            (None, Some(git)) => {
                let url = self.string(&[section, name, "git"], git)?;
                let rev = match t.remove("rev") {
                    Some(r) => self.string(&[section, name, "rev"], r)?,
                    None => {
                        return Err(self.err(
                            &[section, name, "rev"],
                            "git revision not supplied for dependency",
                        ))
                    }
                };
                let subdir = match t.remove("subdir") {
                    Some(s) => PathBuf::from(self.string(&[section, name, "subdir"], s)?),
                    None => PathBuf::new(),
                };
                DependencySource::Git { url, rev, subdir }
            }
            _ => {
                return Err(self.err(
                    &key,
                    "must provide exactly one of 'local' or 'git' for dependency",
                ))
            }
        };
        Ok(Dependency {
            name: name.to_string(),
            source,
            subst,
            version,
            digest,
        })
    }

    fn substitution(
        &self,
        section: &str,
        name: &str,
        v: Value,
    ) -> Result<BTreeMap<String, SubstOrRename>, ManifestError> {
        let t = self.table(&[section, name, "addr_subst"], v)?;
        let mut out = BTreeMap::new();
        for (addr_name, v) in t {
            let s = self.string(&[section, name, "addr_subst", &addr_name], v)?;
            // Only `0x` literals assign; anything else renames another named address.
            let entry = match s.strip_prefix("0x").and(parse_hex_address(&s)) {
                Some(a) => SubstOrRename::Assign(a),
                None => SubstOrRename::RenameFrom(s),
            };
            out.insert(addr_name, entry);
        }
        Ok(out)
    }
}

/// Parses `0x1`, `0xCAFE`, `cafe`: up to 64 hex digits, left-padded with zeros.
pub fn parse_hex_address(s: &str) -> Option<AddressBytes> {
    let digits = s.strip_prefix("0x").unwrap_or(s);
    if digits.is_empty() || digits.len() > 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in digits.bytes().rev().enumerate() {
        let d = (b as char).to_digit(16)? as u8;
        out[31 - i / 2] |= if i % 2 == 0 { d } else { d << 4 };
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(last: &[u8]) -> AddressBytes {
        let mut a = [0u8; 32];
        a[32 - last.len()..].copy_from_slice(last);
        a
    }

    const FULL: &str = r#"
[package]
name = "LibraFramework"
version = "1.0.0"
authors = ["a", "b"]
upgrade_policy = "compatible"

[addresses]
ol_framework = "0x1"
std = "_"

[dev-addresses]
std = "0x1"

[dependencies]
VendorStdlib = { local = "../vendor-stdlib", addr_subst = { std = "0x1", other = "std" } }
Remote = { git = "https://example.org/x.git", rev = "main", subdir = "pkg" }

[dev-dependencies]
Extra = { local = "extra" }
"#;

    #[test]
    fn reads_every_section() {
        let m = parse_manifest("Move.toml", FULL).unwrap();
        assert_eq!(m.package.name, "LibraFramework");
        assert_eq!(m.package.version, (1, 0, 0));
        assert_eq!(m.package.authors, vec!["a", "b"]);
        assert_eq!(
            m.package
                .custom_properties
                .get("upgrade_policy")
                .map(String::as_str),
            Some("compatible")
        );
        let addrs = m.addresses.unwrap();
        assert_eq!(addrs["ol_framework"], Some(addr(&[1])));
        assert_eq!(addrs["std"], None);
        assert_eq!(m.dev_addresses.unwrap()["std"], addr(&[1]));
        let v = &m.dependencies["VendorStdlib"];
        assert_eq!(v.source, DependencySource::Local("../vendor-stdlib".into()));
        let subst = v.subst.as_ref().unwrap();
        assert_eq!(subst["std"], SubstOrRename::Assign(addr(&[1])));
        assert_eq!(subst["other"], SubstOrRename::RenameFrom("std".into()));
        let err = m.dependencies["Remote"]
            .local_path("Move.toml", "dependencies")
            .unwrap_err();
        assert!(err.to_string().contains("`dependencies.Remote`"), "{err}");
        assert!(m.dev_dependencies.contains_key("Extra"));
        assert!(m.warnings.is_empty());
    }

    fn error_of(text: &str) -> String {
        parse_manifest("pkg/Move.toml", text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn errors_name_file_and_key() {
        let cases: &[(&str, &str)] = &[
            ("[addresses]\nx = \"0x1\"\n", "pkg/Move.toml: `package`: required section not found"),
            ("[package]\nversion = \"1.0.0\"\n", "`package.name`: required field not found"),
            ("[package]\nname = \"P\"\n", "`package.version`: required field not found"),
            ("[package]\nname = \"P\"\nversion = \"1.0\"\n", "`package.version`: versions must be"),
            ("[package]\nname = 3\nversion = \"1.0.0\"\n", "`package.name`: expected a string, found a integer"),
            (
                "[package]\nname = \"P\"\nversion = \"1.0.0\"\n[addresses]\nstd = \"0xZZ\"\n",
                "`addresses.std`: invalid address '0xZZ'",
            ),
            (
                "[package]\nname = \"P\"\nversion = \"1.0.0\"\n[dev-addresses]\nstd = \"_\"\n",
                "`dev-addresses.std`: uninstantiated named address",
            ),
            (
                "[package]\nname = \"P\"\nversion = \"1.0.0\"\n[dependencies]\nA = { }\n",
                "`dependencies.A`: must provide exactly one of 'local' or 'git'",
            ),
            (
                "[package]\nname = \"P\"\nversion = \"1.0.0\"\n[dependencies]\nA = { git = \"u\" }\n",
                "`dependencies.A.rev`: git revision not supplied",
            ),
            (
                "[package]\nname = \"P\"\nversion = \"1.0.0\"\n[dev-dependencies]\nA = { local = 1 }\n",
                "`dev-dependencies.A.local`: expected a string",
            ),
        ];
        for (text, expected) in cases {
            let e = error_of(text);
            assert!(
                e.contains(expected),
                "for {text:?}: got {e:?}, expected {expected:?}"
            );
            assert!(e.starts_with("pkg/Move.toml"), "{e}");
        }
    }

    #[test]
    fn toml_syntax_errors_have_line_and_column() {
        let e = error_of("[package]\nname = \"P\nversion = 1\n");
        assert!(e.starts_with("pkg/Move.toml:2:"), "{e}");
    }

    #[test]
    fn unknown_fields_are_warnings() {
        let m = parse_manifest(
            "Move.toml",
            "[package]\nname = \"P\"\nversion = \"0.0.1\"\n[weird]\n[dependencies]\nA = { local = \"a\", colour = \"red\" }\n",
        )
        .unwrap();
        assert_eq!(m.warnings.len(), 2, "{:?}", m.warnings);
        assert!(m.warnings[0].contains("`weird`"));
        assert!(m.warnings[1].contains("`dependencies.A.colour`"));
    }

    #[test]
    fn hex_addresses() {
        assert_eq!(parse_hex_address("0xCAFE"), Some(addr(&[0xca, 0xfe])));
        assert_eq!(parse_hex_address("1"), Some(addr(&[1])));
        assert_eq!(parse_hex_address("0x"), None);
        assert_eq!(parse_hex_address(&"f".repeat(65)), None);
    }
}

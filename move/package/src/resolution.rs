//! Resolves the package graph of a root `Move.toml` the way the reference package system does:
//! local-path dependencies (relative to the manifest that names them), `[dev-dependencies]` in
//! dev builds, named addresses (a package's `[addresses]`, those inherited from its
//! dependencies, `addr_subst` renames and assignments, the root's `[dev-addresses]` in dev
//! builds; a name bound to two values is an error), the build order of the packages (the
//! reference's topological sort, dependencies first) and each package's list of Move source
//! files. Every error names the manifest file and the key or package it is about.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::manifest::{read_manifest, AddressBytes, Manifest, ManifestError, SubstOrRename};
use crate::toposort::DiGraph;

/// Which build the graph is resolved for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildMode {
    /// `sources/` and `scripts/`; `[dependencies]` and `[addresses]` only.
    Production,
    /// Also `examples/` and `tests/`, `[dev-dependencies]`, and the root's `[dev-addresses]`.
    Dev,
}

impl BuildMode {
    pub fn is_dev(self) -> bool {
        self == BuildMode::Dev
    }

    /// The package subdirectories whose `.move` files are compiled, in the reference's order.
    /// `sources` must exist; the others are used when present.
    pub fn source_directories(self) -> &'static [&'static str] {
        match self {
            BuildMode::Production => &["sources", "scripts"],
            BuildMode::Dev => &["sources", "scripts", "examples", "tests"],
        }
    }
}

/// Why a package graph could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolutionError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("{file}: `{key}`: dependency `{name}` resolves to package `{found}` in {dir}")]
    NameMismatch {
        file: String,
        key: String,
        name: String,
        found: String,
        dir: String,
    },
    #[error("{file}: `{key}`: package `{name}` is already used from {first}, a different package of the same name")]
    Conflict {
        file: String,
        key: String,
        name: String,
        first: String,
    },
    #[error("{file}: `{key}`: dependency cycle: {cycle}")]
    Cycle {
        file: String,
        key: String,
        cycle: String,
    },
    #[error("{file}: `{key}`: named address `{name}` is {first} but is also {second}")]
    AddressConflict {
        file: String,
        key: String,
        name: String,
        first: String,
        second: String,
    },
    #[error("{file}: `{key}`: {message}")]
    Invalid {
        file: String,
        key: String,
        message: String,
    },
    #[error("{file}: named addresses without a value: {names}; add them to [addresses] (or [dev-addresses] for dev builds)")]
    Unresolved { file: String, names: String },
    #[error("{dir}: cannot list Move sources: {message}")]
    Sources { dir: String, message: String },
}

/// One package of a resolved graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPackage {
    pub name: String,
    /// The package directory, as reached from the root's path.
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// The exact text of `Move.toml` (the release embeds it).
    pub manifest_text: String,
    /// Every named address in scope for the package's sources, with its value.
    pub addresses: BTreeMap<String, AddressBytes>,
    /// Names of the packages this one names directly (dependencies, then dev-dependencies).
    pub immediate_dependencies: Vec<String>,
    /// The `.move` files to compile, sorted by path (see [`move_files`]).
    pub source_files: Vec<PathBuf>,
}

/// A resolved package graph: every package once, dependencies before the packages that use them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageGraph {
    pub mode: BuildMode,
    /// The packages in build order; the root is last.
    pub packages: Vec<ResolvedPackage>,
}

impl PackageGraph {
    /// The root package.
    pub fn root(&self) -> &ResolvedPackage {
        // `resolve` never builds an empty graph.
        &self.packages[self.packages.len() - 1]
    }

    /// The package with this name.
    pub fn package(&self, name: &str) -> Option<&ResolvedPackage> {
        self.packages.iter().find(|p| p.name == name)
    }

    /// Every package that `name` depends on, directly or not, in build order.
    pub fn transitive_dependencies(&self, name: &str) -> Vec<&ResolvedPackage> {
        let mut wanted = BTreeSet::new();
        let mut todo = vec![name.to_string()];
        while let Some(next) = todo.pop() {
            if let Some(p) = self.package(&next) {
                for dep in &p.immediate_dependencies {
                    if wanted.insert(dep.clone()) {
                        todo.push(dep.clone());
                    }
                }
            }
        }
        self.packages
            .iter()
            .filter(|p| wanted.contains(&p.name))
            .collect()
    }
}

/// Resolves the graph rooted at `root` (a package directory or its `Move.toml`).
pub fn resolve(root: &Path, mode: BuildMode) -> Result<PackageGraph, ResolutionError> {
    let root_dir = if root.is_dir() {
        root.to_path_buf()
    } else {
        root.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let mut r = Resolver {
        mode,
        graph: DiGraph::new(),
        cells: Vec::new(),
        table: BTreeMap::new(),
        visiting: Vec::new(),
    };
    let manifest = read_manifest(&root_dir)?;
    let root_name = manifest.package.name.clone();
    r.graph.add_node(root_name.clone());
    r.package(manifest, root_dir, true)?;

    // The reference sorts its package graph (edges from a package to its dependencies) and
    // builds in the reverse order.
    let order = r.graph.toposort().map_err(|cycle| {
        let file = manifest_file(&r.table[&root_name].dir);
        ResolutionError::Cycle {
            file,
            key: "dependencies".into(),
            cycle: cycle.0,
        }
    })?;
    let mut packages = Vec::new();
    for name in order.into_iter().rev() {
        let Some(p) = r.table.remove(&name) else {
            continue;
        };
        let file = manifest_file(&p.dir);
        let mut addresses = BTreeMap::new();
        let mut unresolved = Vec::new();
        for (addr_name, cell) in &p.table {
            match r.cells[*cell] {
                Some(value) => {
                    addresses.insert(addr_name.clone(), value);
                }
                None => unresolved.push(addr_name.clone()),
            }
        }
        if !unresolved.is_empty() {
            return Err(ResolutionError::Unresolved {
                file,
                names: unresolved.join(", "),
            });
        }
        let source_files = package_sources(&p.dir, mode)?;
        packages.push(ResolvedPackage {
            name: p.manifest.package.name.clone(),
            dir: p.dir,
            manifest: p.manifest,
            manifest_text: p.manifest_text,
            addresses,
            immediate_dependencies: p.immediate,
            source_files,
        });
    }
    Ok(PackageGraph { mode, packages })
}

/// The `.move` files of the package at `dir` for `mode`: every file ending in `.move` under the
/// mode's source directories, recursively, following symlinks, sorted by path. The reference
/// takes them in directory-walk order, which is not stable across file systems; its compiler
/// keys modules by name, so the order only shows in the order of diagnostics.
pub fn package_sources(dir: &Path, mode: BuildMode) -> Result<Vec<PathBuf>, ResolutionError> {
    let mut files = Vec::new();
    for (i, sub) in mode.source_directories().iter().enumerate() {
        let path = dir.join(sub);
        if !path.is_dir() {
            if i == 0 {
                return Err(ResolutionError::Sources {
                    dir: dir.display().to_string(),
                    message: "no `sources` directory".into(),
                });
            }
            continue;
        }
        let mut found = Vec::new();
        move_files(&path, &mut Vec::new(), &mut found).map_err(|e| ResolutionError::Sources {
            dir: path.display().to_string(),
            message: e.to_string(),
        })?;
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// Every `.move` file under `dir`, following symlinks and skipping directories already on the
/// walk (symlink loops) and entries whose type cannot be read (dangling links).
pub fn move_files(
    dir: &Path,
    on_walk: &mut Vec<PathBuf>,
    out: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let canonical = dir.canonicalize()?;
    if on_walk.contains(&canonical) {
        return Ok(());
    }
    on_walk.push(canonical);
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            move_files(&path, on_walk, out)?;
        } else if meta.is_file() && path.extension().is_some_and(|e| e == "move") {
            out.push(path);
        }
    }
    on_walk.pop();
    Ok(())
}

fn manifest_file(dir: &Path) -> String {
    dir.join("Move.toml").display().to_string()
}

/// A package being resolved: its named addresses point at shared cells, so that a value given
/// anywhere in the graph (say the root filling a dependency's `_`) is seen by every package.
struct Resolving {
    dir: PathBuf,
    manifest: Manifest,
    manifest_text: String,
    table: BTreeMap<String, usize>,
    immediate: Vec<String>,
}

struct Resolver {
    mode: BuildMode,
    graph: DiGraph<String>,
    cells: Vec<Option<AddressBytes>>,
    table: BTreeMap<String, Resolving>,
    /// Packages whose dependencies are being resolved (to name cycles).
    visiting: Vec<String>,
}

fn show(addr: Option<AddressBytes>) -> String {
    match addr {
        None => "unassigned".into(),
        Some(bytes) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let trimmed = hex.trim_start_matches('0');
            format!("0x{}", if trimmed.is_empty() { "0" } else { trimmed })
        }
    }
}

impl Resolver {
    fn new_cell(&mut self, value: Option<AddressBytes>) -> usize {
        self.cells.push(value);
        self.cells.len() - 1
    }

    /// Gives `cell` the value `value`; a different existing value is an error.
    fn unify(
        &mut self,
        cell: usize,
        value: Option<AddressBytes>,
        file: &str,
        key: &str,
        name: &str,
    ) -> Result<(), ResolutionError> {
        match (self.cells[cell], value) {
            (_, None) => Ok(()),
            (Some(old), Some(new)) if old != new => Err(ResolutionError::AddressConflict {
                file: file.into(),
                key: key.into(),
                name: name.into(),
                first: show(Some(old)),
                second: show(Some(new)),
            }),
            (Some(_), Some(_)) => Ok(()),
            (None, Some(new)) => {
                self.cells[cell] = Some(new);
                Ok(())
            }
        }
    }

    fn package(
        &mut self,
        manifest: Manifest,
        dir: PathBuf,
        is_root: bool,
    ) -> Result<(), ResolutionError> {
        let name = manifest.package.name.clone();
        let file = manifest_file(&dir);
        let manifest_text = std::fs::read_to_string(&file).map_err(|e| ManifestError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        self.visiting.push(name.clone());
        let mut table: BTreeMap<String, usize> = BTreeMap::new();
        let mut immediate = Vec::new();
        let dev_deps = if self.mode.is_dev() {
            manifest.dev_dependencies.clone()
        } else {
            BTreeMap::new()
        };
        let sections = manifest
            .dependencies
            .iter()
            .map(|d| ("dependencies", d))
            .chain(dev_deps.iter().map(|d| ("dev-dependencies", d)));
        for (section, (dep_name, dep)) in sections {
            let key = format!("{section}.{dep_name}");
            if let Some(at) = self.visiting.iter().position(|v| v == dep_name) {
                let mut cycle = self.visiting[at..].to_vec();
                cycle.push(dep_name.clone());
                return Err(ResolutionError::Cycle {
                    file,
                    key,
                    cycle: cycle.join(" -> "),
                });
            }
            self.graph.add_edge(name.clone(), dep_name.clone());
            immediate.push(dep_name.clone());
            let dep_dir = dir.join(dep.local_path(&file, section)?);
            let dep_table = self.dependency(dep_name, &dep_dir, &file, &key)?;

            // `addr_subst`: renames take another name's cell; assignments fill the dep's cell.
            let mut renamed: BTreeMap<String, String> = BTreeMap::new();
            let mut dep_table = dep_table;
            for (new_name, subst) in dep.subst.clone().unwrap_or_default() {
                let skey = format!("{key}.addr_subst.{new_name}");
                match subst {
                    SubstOrRename::RenameFrom(old) => {
                        if !dep_table.contains_key(&old) {
                            return Err(ResolutionError::Invalid {
                                file,
                                key: skey,
                                message: format!(
                                    "package `{dep_name}` has no named address `{old}` to rename"
                                ),
                            });
                        }
                        if renamed.insert(old.clone(), new_name.clone()).is_some() {
                            return Err(ResolutionError::Invalid {
                                file,
                                key: skey,
                                message: format!("`{old}` is renamed twice"),
                            });
                        }
                    }
                    SubstOrRename::Assign(value) => {
                        if let Some(&cell) = dep_table.get(&new_name) {
                            self.unify(cell, Some(value), &file, &skey, &new_name)?;
                        }
                    }
                }
            }
            for (old, new_name) in &renamed {
                if let Some(cell) = dep_table.remove(old) {
                    dep_table.insert(new_name.clone(), cell);
                }
            }
            for (addr_name, cell) in dep_table {
                if let Some(other) = table.insert(addr_name.clone(), cell) {
                    if self.cells[other] != self.cells[cell] {
                        return Err(ResolutionError::AddressConflict {
                            file,
                            key,
                            name: addr_name,
                            first: show(self.cells[other]),
                            second: show(self.cells[cell]),
                        });
                    }
                }
            }
        }

        for (addr_name, value) in manifest.addresses.clone().unwrap_or_default() {
            let key = format!("addresses.{addr_name}");
            match table.get(&addr_name) {
                Some(&cell) => self.unify(cell, value, &file, &key, &addr_name)?,
                None => {
                    let cell = self.new_cell(value);
                    table.insert(addr_name, cell);
                }
            }
        }

        if self.mode.is_dev() && is_root {
            self.dev_addresses(&manifest, &table, &file)?;
        }

        self.visiting.pop();
        self.table.insert(
            name,
            Resolving {
                dir,
                manifest,
                manifest_text,
                table,
                immediate,
            },
        );
        Ok(())
    }

    /// The root's `[dev-addresses]` may only give values to names already in scope, and no two
    /// names may end up with the same value through them.
    fn dev_addresses(
        &mut self,
        manifest: &Manifest,
        table: &BTreeMap<String, usize>,
        file: &str,
    ) -> Result<(), ResolutionError> {
        let mut by_value: BTreeMap<AddressBytes, Vec<String>> = BTreeMap::new();
        for (name, &cell) in table {
            if let Some(value) = self.cells[cell] {
                by_value.entry(value).or_default().push(name.clone());
            }
        }
        for (name, value) in manifest.dev_addresses.clone().unwrap_or_default() {
            let key = format!("dev-addresses.{name}");
            let Some(&cell) = table.get(&name) else {
                return Err(ResolutionError::Invalid {
                    file: file.into(),
                    key,
                    message: "dev addresses cannot introduce new named addresses".into(),
                });
            };
            self.unify(cell, Some(value), file, &key, &name)?;
            if let Some(others) = by_value.insert(value, vec![name.clone()]) {
                return Err(ResolutionError::Invalid {
                    file: file.into(),
                    key,
                    message: format!(
                        "{} is also the value of {}; dev addresses must be unique",
                        show(Some(value)),
                        others.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }

    /// Resolves the dependency in `dir` (once per name) and returns a copy of its address table.
    fn dependency(
        &mut self,
        dep_name: &str,
        dir: &Path,
        file: &str,
        key: &str,
    ) -> Result<BTreeMap<String, usize>, ResolutionError> {
        if !dir.join("Move.toml").is_file() {
            return Err(ResolutionError::Invalid {
                file: file.into(),
                key: key.into(),
                message: format!("no package manifest at {}", manifest_file(dir)),
            });
        }
        let manifest = read_manifest(dir)?;
        if manifest.package.name != dep_name {
            return Err(ResolutionError::NameMismatch {
                file: file.into(),
                key: key.into(),
                name: dep_name.into(),
                found: manifest.package.name,
                dir: dir.display().to_string(),
            });
        }
        match self.table.get(dep_name) {
            Some(done) if done.manifest == manifest => {}
            Some(done) => {
                return Err(ResolutionError::Conflict {
                    file: file.into(),
                    key: key.into(),
                    name: dep_name.into(),
                    first: done.dir.display().to_string(),
                })
            }
            None => self.package(manifest, dir.to_path_buf(), false)?,
        }
        Ok(self.table[dep_name].table.clone())
    }
}

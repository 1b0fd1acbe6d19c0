//! Building a release: Move packages in, a [`ReleaseBundle`] (`head.mrb`) and its
//! [`ReleaseManifest`] out, as the reference framework release builds them.
//!
//! Each package is resolved with `move-package` and compiled against the already-built modules
//! of its transitive dependencies (their sources go along for inline functions). The compile
//! step and the runtime-metadata step are injected through [`PackageCompiler`], so the assembly
//! can be checked on its own. The package's modules are then put in the reference compiler's
//! emission order ([`module_order`]), and its `PackageMetadata` is filled as the reference's
//! `built_package.rs` fills it:
//!
//! * `name` from `Move.toml`, `upgrade_policy` from its `[package] upgrade_policy` field or
//!   `compatible`, `upgrade_number` 0;
//! * `source_digest` from [`crate::source_digest`] in the build's mode;
//! * `manifest`: gzip of the exact `Move.toml` text;
//! * per module: its name; in dev builds `source`, the gzip of the file that defines it, and
//!   `source_map`, the gzip of the compiler's source map; in production builds both are empty;
//! * `deps`: every (module address, package name) of the transitive dependencies, sorted;
//! * `extension`: none.
//!
//! The bundle's `source_dirs` hold each package's `sources` directory relative to the release
//! root (`framework/move-stdlib/sources`), never an absolute path, so a release depends on its
//! sources alone.

pub mod module_order;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use move_bytecode::{AccountAddress as ModuleAddress, CompiledModule};
use move_compiler::{CompileError, CompileOptions, CompiledModuleOutput, SourceFile};
use move_package::{BuildMode, PackageGraph, ResolutionError, ResolvedPackage};
use serde::{Deserialize, Serialize};

use crate::bundle::{BundleError, ReleaseBundle, ReleasePackage};
use crate::inspect::sha3_hex;
use crate::metadata::{
    AccountAddress, ModuleMetadata, MoveOption, PackageDep, PackageMetadata, UpgradePolicy,
};
use crate::source_digest::{self, DigestError, DigestMode};
use module_order::{ModuleKey, OrderError, OrderSource};

/// The bytecode version of released modules.
pub const BYTECODE_VERSION: u32 = 6;

/// The `[package]` field that sets the upgrade policy.
pub const UPGRADE_POLICY_FIELD: &str = "upgrade_policy";

/// What one package is compiled from.
pub struct CompileInput<'a> {
    pub package: &'a ResolvedPackage,
    /// The package's own source files, in [`ResolvedPackage::source_files`] order.
    pub sources: &'a [SourceFile],
    /// The compiled modules of every transitive dependency, dependencies first.
    pub deps: &'a [CompiledModule],
    /// The package's named addresses and its dependencies' sources.
    pub options: &'a CompileOptions,
}

/// The two steps of a package build that live outside this module.
pub trait PackageCompiler {
    /// Compiles the package's modules (`#[test_only]` items left out) against `input.deps`.
    fn compile(&self, input: &CompileInput<'_>) -> Result<Vec<CompiledModuleOutput>, CompileError>;

    /// Runs the extended checks (entry and view rules) on the package's freshly compiled modules
    /// and attaches their runtime metadata (`diem::metadata_v1`), keeping each output's `bytes`
    /// equal to its serialized `module`. Called once per package, right after [`Self::compile`]
    /// and before the modules are ordered and described.
    fn runtime_metadata(
        &self,
        input: &CompileInput<'_>,
        modules: &mut [CompiledModuleOutput],
    ) -> Result<(), String>;
}

/// The workspace's own compiler, then [`crate::runtime_metadata`]'s package step (extended
/// checks and `diem::metadata_v1`).
pub struct MoveCompiler;

impl PackageCompiler for MoveCompiler {
    fn compile(&self, input: &CompileInput<'_>) -> Result<Vec<CompiledModuleOutput>, CompileError> {
        move_compiler::compile_modules(input.sources, input.deps, input.options)
    }

    fn runtime_metadata(
        &self,
        input: &CompileInput<'_>,
        modules: &mut [CompiledModuleOutput],
    ) -> Result<(), String> {
        crate::runtime_metadata::attach_package_metadata(
            input.sources,
            &input.options.named_addresses,
            &input.options.dependency_sources,
            modules,
        )
        .map_err(|e| e.to_string())
    }
}

/// How to build a release.
#[derive(Clone, Debug)]
pub struct ReleaseOptions {
    /// Dev builds embed sources and use the dev digest; production builds embed neither.
    pub mode: BuildMode,
    /// `source_dirs` are recorded relative to this directory.
    pub root: PathBuf,
}

/// Why a release could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("package {dir}: {source}")]
    Resolution {
        dir: String,
        #[source]
        source: Box<ResolutionError>,
    },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("package `{package}` does not compile: {count} error(s)\n{rendered}")]
    Compile {
        package: String,
        count: usize,
        rendered: String,
    },
    #[error("package `{package}`: extended checks or runtime metadata failed: {message}")]
    RuntimeMetadata { package: String, message: String },
    #[error("package `{package}`: {source}")]
    Order {
        package: String,
        #[source]
        source: OrderError,
    },
    #[error("package `{package}`: {message}")]
    Modules { package: String, message: String },
    #[error("{}: `package.{UPGRADE_POLICY_FIELD}`: {message}", file.display())]
    UpgradePolicy { file: PathBuf, message: String },
    #[error(transparent)]
    Digest(#[from] DigestError),
    #[error("package `{package}` is in the release twice")]
    Duplicate { package: String },
    #[error(transparent)]
    Bundle(#[from] BundleError),
}

/// One built package, kept to compile the packages that depend on it.
#[derive(Clone, Debug)]
struct Built {
    /// Modules in release order.
    modules: Vec<CompiledModule>,
    /// (file name, text) of every source file: the inline-function library of dependents.
    sources: Vec<(String, String)>,
}

/// Builds a release package by package: dependencies before the packages that use them.
pub struct ReleaseBuilder<'a> {
    options: ReleaseOptions,
    compiler: &'a dyn PackageCompiler,
    built: BTreeMap<String, Built>,
    packages: Vec<ReleasePackage>,
    source_dirs: Vec<String>,
}

impl<'a> ReleaseBuilder<'a> {
    pub fn new(options: ReleaseOptions, compiler: &'a dyn PackageCompiler) -> Self {
        ReleaseBuilder {
            options,
            compiler,
            built: BTreeMap::new(),
            packages: Vec::new(),
            source_dirs: Vec::new(),
        }
    }

    /// Resolves, compiles and adds the package at `dir`; dependencies that are not yet built are
    /// built first (but only `dir` itself enters the bundle). Returns the added package.
    pub fn add_package(&mut self, dir: &Path) -> Result<&ReleasePackage, ReleaseError> {
        let graph = move_package::resolve(dir, self.options.mode).map_err(|source| {
            ReleaseError::Resolution {
                dir: dir.display().to_string(),
                source: Box::new(source),
            }
        })?;
        let root = graph.root();
        if self.packages.iter().any(|p| p.metadata.name == root.name) {
            return Err(ReleaseError::Duplicate {
                package: root.name.clone(),
            });
        }
        for dep in graph.transitive_dependencies(&root.name) {
            if !self.built.contains_key(&dep.name) {
                self.build(&graph, dep)?;
            }
        }
        let package = self.build(&graph, root)?;
        self.source_dirs
            .push(relative_source_dir(&self.options.root, &root.dir));
        self.packages.push(package);
        Ok(&self.packages[self.packages.len() - 1])
    }

    /// The bundle of every package added, in the order added.
    pub fn finish(self) -> Release {
        Release {
            mode: self.options.mode,
            bundle: ReleaseBundle {
                packages: self.packages,
                source_dirs: self.source_dirs,
            },
        }
    }

    fn build(
        &mut self,
        graph: &PackageGraph,
        package: &ResolvedPackage,
    ) -> Result<ReleasePackage, ReleaseError> {
        let name = package.name.clone();
        let mut sources = Vec::new();
        for path in &package.source_files {
            let text = read_text(path)?;
            sources.push(SourceFile {
                name: path.display().to_string(),
                text,
            });
        }
        let deps_in_order = graph.transitive_dependencies(&name);
        let mut deps = Vec::new();
        let mut dependency_sources = Vec::new();
        let mut dep_packages = BTreeSet::new();
        for dep in &deps_in_order {
            // `add_package` builds every dependency before the package itself.
            let Some(built) = self.built.get(&dep.name) else {
                return Err(ReleaseError::Modules {
                    package: name.clone(),
                    message: format!("dependency `{}` is not built", dep.name),
                });
            };
            for module in &built.modules {
                dep_packages.insert(PackageDep {
                    account: AccountAddress(module.address().0),
                    package_name: dep.name.clone(),
                });
            }
            deps.extend(built.modules.iter().cloned());
            dependency_sources.extend(built.sources.iter().cloned());
        }
        let options = CompileOptions {
            named_addresses: package
                .addresses
                .iter()
                .map(|(k, v)| (k.clone(), ModuleAddress(*v)))
                .collect(),
            dependency_sources,
            test_mode: false,
        };
        let input = CompileInput {
            package,
            sources: &sources,
            deps: &deps,
            options: &options,
        };
        let mut outputs = self
            .compiler
            .compile(&input)
            .map_err(|e| compile_error(&name, &sources, e))?;
        self.compiler
            .runtime_metadata(&input, &mut outputs)
            .map_err(|message| ReleaseError::RuntimeMetadata {
                package: name.clone(),
                message,
            })?;
        let outputs = self.order(package, &deps_in_order, outputs)?;

        let digest_mode = if self.options.mode.is_dev() {
            DigestMode::Dev
        } else {
            DigestMode::NonDev
        };
        let mut modules = Vec::new();
        for out in &outputs {
            let (source, source_map) = if self.options.mode.is_dev() {
                let file = sources
                    .get(out.source_index)
                    .ok_or_else(|| ReleaseError::Modules {
                        package: name.clone(),
                        message: format!(
                            "module `{}` names source file {} of {}",
                            out.name,
                            out.source_index,
                            sources.len()
                        ),
                    })?;
                (
                    crate::gzip::compress(file.text.as_bytes()),
                    crate::gzip::compress(&out.source_map.to_bcs()),
                )
            } else {
                (Vec::new(), Vec::new())
            };
            modules.push(ModuleMetadata {
                name: out.name.clone(),
                source,
                source_map,
                extension: MoveOption::none(),
            });
        }
        let metadata = PackageMetadata {
            name: name.clone(),
            upgrade_policy: upgrade_policy(package)?,
            upgrade_number: 0,
            source_digest: source_digest::compute(&package.dir, digest_mode)?,
            manifest: crate::gzip::compress(package.manifest_text.as_bytes()),
            modules,
            deps: dep_packages.into_iter().collect(),
            extension: MoveOption::none(),
        };
        self.built.insert(
            name,
            Built {
                modules: outputs.iter().map(|o| o.module.clone()).collect(),
                sources: sources.into_iter().map(|s| (s.name, s.text)).collect(),
            },
        );
        Ok(ReleasePackage {
            metadata,
            code: outputs.into_iter().map(|o| o.bytes).collect(),
        })
    }

    /// Puts the compiled modules in the reference's order, computed over the whole program
    /// (the package and its transitive dependencies), from sources.
    fn order(
        &self,
        package: &ResolvedPackage,
        deps: &[&ResolvedPackage],
        outputs: Vec<CompiledModuleOutput>,
    ) -> Result<Vec<CompiledModuleOutput>, ReleaseError> {
        let name = &package.name;
        let mut texts: Vec<(String, String, &ResolvedPackage)> = Vec::new();
        for p in deps.iter().copied().chain(std::iter::once(package)) {
            for path in &p.source_files {
                texts.push((path.display().to_string(), read_text(path)?, p));
            }
        }
        let order_sources: Vec<OrderSource<'_>> = texts
            .iter()
            .map(|(file, text, p)| OrderSource {
                name: file,
                text,
                addresses: &p.addresses,
            })
            .collect();
        let order_err = |source| ReleaseError::Order {
            package: name.clone(),
            source,
        };
        let refs = module_order::module_references(&order_sources).map_err(order_err)?;
        let order = module_order::dependency_order(&refs).map_err(order_err)?;

        let mut by_key: BTreeMap<ModuleKey, CompiledModuleOutput> = BTreeMap::new();
        for out in outputs {
            let key = (out.address.0, out.name.clone());
            if by_key.insert(key, out).is_some() {
                return Err(ReleaseError::Modules {
                    package: name.clone(),
                    message: "the compiler returned a module twice".into(),
                });
            }
        }
        let mut ordered = Vec::new();
        for key in order {
            if let Some(out) = by_key.remove(&key) {
                ordered.push(out);
            }
        }
        if let Some((key, _)) = by_key.into_iter().next() {
            return Err(ReleaseError::Modules {
                package: name.clone(),
                message: format!(
                    "compiled module `{}` is not defined in the package's sources",
                    key.1
                ),
            });
        }
        Ok(ordered)
    }
}

/// A built release.
#[derive(Clone, Debug)]
pub struct Release {
    pub mode: BuildMode,
    pub bundle: ReleaseBundle,
}

impl Release {
    /// The bundle's bytes and its manifest.
    pub fn to_bytes_and_manifest(&self) -> Result<(Vec<u8>, ReleaseManifest), ReleaseError> {
        let bytes = self.bundle.to_bytes()?;
        let manifest = ReleaseManifest::describe(&self.bundle, &bytes, self.mode);
        Ok((bytes, manifest))
    }

    /// Writes `<out>/head.mrb` and `<out>/head.manifest.json`; returns the manifest.
    pub fn write(&self, out: &Path) -> Result<ReleaseManifest, ReleaseError> {
        let (bytes, manifest) = self.to_bytes_and_manifest()?;
        let io = |path: PathBuf| move |source| ReleaseError::Io { path, source };
        std::fs::create_dir_all(out).map_err(io(out.to_path_buf()))?;
        let bundle_path = out.join(BUNDLE_FILE_NAME);
        std::fs::write(&bundle_path, &bytes).map_err(io(bundle_path.clone()))?;
        let manifest_path = out.join(MANIFEST_FILE_NAME);
        std::fs::write(&manifest_path, manifest.to_json()).map_err(io(manifest_path.clone()))?;
        Ok(manifest)
    }
}

/// The bundle's file name inside the output directory.
pub const BUNDLE_FILE_NAME: &str = "head.mrb";
/// The release manifest's file name inside the output directory.
pub const MANIFEST_FILE_NAME: &str = "head.manifest.json";
/// The schema version of [`ReleaseManifest`].
pub const MANIFEST_SCHEMA_VERSION: u32 = 1;
/// The name this toolchain records in release manifests.
pub const TOOLCHAIN_NAME: &str = "libra-release-toolchain";

/// The release manifest: what a bundle holds, so that a rebuild can be compared file by file.
///
/// # Schema (`schema_version` 1)
///
/// | field | type | meaning |
/// |---|---|---|
/// | `schema_version` | integer | always 1 |
/// | `bundle` | object | `file` (`head.mrb`), `size` (bytes), `sha3` (SHA3-256, 64 lowercase hex) |
/// | `build` | string | `dev` or `production` |
/// | `bytecode_version` | integer | 6 |
/// | `toolchain` | object | `name` and `version` of the tool that built the bundle |
/// | `packages` | array | one [`ManifestPackage`] per package, in bundle order |
///
/// Each package: `name`, `source_dir` (as in the bundle: relative), `source_digest`,
/// `upgrade_policy` (`arbitrary`, `compatible` or `immutable`), `deps` (`0x1::MoveStdlib`, in
/// bundle order), `modules` (each `name`, `size` in bytes and `sha3` of its bytecode, in bundle
/// order). No commit, time or absolute path is recorded. Unknown members are refused when read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseManifest {
    pub schema_version: u32,
    pub bundle: ManifestBundle,
    pub build: String,
    pub bytecode_version: u32,
    pub toolchain: ManifestToolchain,
    pub packages: Vec<ManifestPackage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestBundle {
    pub file: String,
    pub size: u64,
    pub sha3: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestToolchain {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestPackage {
    pub name: String,
    pub source_dir: String,
    pub source_digest: String,
    pub upgrade_policy: String,
    pub deps: Vec<String>,
    pub modules: Vec<ManifestModule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestModule {
    pub name: String,
    pub size: u64,
    pub sha3: String,
}

impl ReleaseManifest {
    /// Describes `bundle`, whose encoding is `bytes`.
    pub fn describe(bundle: &ReleaseBundle, bytes: &[u8], mode: BuildMode) -> Self {
        let packages = bundle
            .packages
            .iter()
            .enumerate()
            .map(|(i, p)| ManifestPackage {
                name: p.metadata.name.clone(),
                source_dir: bundle.source_dir(i).unwrap_or_default().to_string(),
                source_digest: p.metadata.source_digest.clone(),
                upgrade_policy: p.metadata.upgrade_policy.name().to_string(),
                deps: p
                    .metadata
                    .deps
                    .iter()
                    .map(|d| format!("{}::{}", d.account, d.package_name))
                    .collect(),
                modules: p
                    .modules()
                    .map(|m| ManifestModule {
                        name: m.name.into_owned(),
                        size: m.bytecode.len() as u64,
                        sha3: sha3_hex(m.bytecode),
                    })
                    .collect(),
            })
            .collect();
        ReleaseManifest {
            schema_version: MANIFEST_SCHEMA_VERSION,
            bundle: ManifestBundle {
                file: BUNDLE_FILE_NAME.to_string(),
                size: bytes.len() as u64,
                sha3: sha3_hex(bytes),
            },
            build: if mode.is_dev() { "dev" } else { "production" }.to_string(),
            bytecode_version: BYTECODE_VERSION,
            toolchain: ManifestToolchain {
                name: TOOLCHAIN_NAME.to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            packages,
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        // Plain strings and numbers always serialise.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a manifest written by [`Self::to_json`].
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Builds the packages `dirs` (in build order) into one release with the workspace compiler, as
/// `cargo xtask release` does: source directories are recorded relative to the parent of
/// `framework_dir`, so the release depends on its sources alone. `progress` is called with each
/// package directory before it is compiled.
pub fn build_packages(
    framework_dir: &Path,
    dirs: &[PathBuf],
    mode: BuildMode,
    mut progress: impl FnMut(&Path),
) -> Result<Release, ReleaseError> {
    let root = std::path::absolute(framework_dir)
        .map_err(|source| ReleaseError::Io {
            path: framework_dir.to_path_buf(),
            source,
        })?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut builder = ReleaseBuilder::new(ReleaseOptions { mode, root }, &MoveCompiler);
    for dir in dirs {
        progress(dir);
        builder.add_package(dir)?;
    }
    Ok(builder.finish())
}

/// Builds every package under `framework_dir` (see [`framework_packages`] and
/// [`build_packages`]): what `cargo xtask release` builds without `--packages`.
pub fn build_framework(
    framework_dir: &Path,
    mode: BuildMode,
    progress: impl FnMut(&Path),
) -> Result<Release, ReleaseError> {
    let dirs = framework_packages(framework_dir, mode)?;
    build_packages(framework_dir, &dirs, mode, progress)
}

/// Every package directory under `framework_dir` holding a `Move.toml`, in build order
/// (dependencies first; ties by directory name).
pub fn framework_packages(
    framework_dir: &Path,
    mode: BuildMode,
) -> Result<Vec<PathBuf>, ReleaseError> {
    let io = |source| ReleaseError::Io {
        path: framework_dir.to_path_buf(),
        source,
    };
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(framework_dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.join("Move.toml").is_file() {
            dirs.push(path);
        }
    }
    dirs.sort();
    package_build_order(&dirs, mode)
}

/// `dirs` reordered so that every package comes after the packages it depends on (by name),
/// keeping the given order otherwise.
pub fn package_build_order(
    dirs: &[PathBuf],
    mode: BuildMode,
) -> Result<Vec<PathBuf>, ReleaseError> {
    let mut graphs = Vec::new();
    for dir in dirs {
        let graph =
            move_package::resolve(dir, mode).map_err(|source| ReleaseError::Resolution {
                dir: dir.display().to_string(),
                source: Box::new(source),
            })?;
        graphs.push((dir.clone(), graph));
    }
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    // Each graph lists its packages dependencies first, so taking each graph's packages in
    // order and keeping the listed ones gives a valid build order.
    for (_, graph) in &graphs {
        for p in &graph.packages {
            if done.contains(&p.name) {
                continue;
            }
            if let Some((dir, _)) = graphs.iter().find(|(_, g)| g.root().name == p.name) {
                done.insert(p.name.clone());
                out.push(dir.clone());
            }
        }
    }
    Ok(out)
}

fn upgrade_policy(package: &ResolvedPackage) -> Result<UpgradePolicy, ReleaseError> {
    match package
        .manifest
        .package
        .custom_properties
        .get(UPGRADE_POLICY_FIELD)
    {
        None => Ok(UpgradePolicy::COMPATIBLE),
        Some(value) => value
            .parse()
            .map_err(|message| ReleaseError::UpgradePolicy {
                file: package.dir.join("Move.toml"),
                message,
            }),
    }
}

fn read_text(path: &Path) -> Result<String, ReleaseError> {
    std::fs::read_to_string(path).map_err(|source| ReleaseError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn compile_error(package: &str, sources: &[SourceFile], err: CompileError) -> ReleaseError {
    let mut rendered = String::new();
    for d in &err.diagnostics {
        let file = sources.get(d.primary.0.file.0 as usize);
        match file {
            Some(f) => rendered.push_str(&d.render(&f.name, &f.text)),
            None => {
                rendered.push_str(&d.to_string());
                rendered.push('\n');
            }
        }
    }
    ReleaseError::Compile {
        package: package.to_string(),
        count: err.diagnostics.len(),
        rendered,
    }
}

fn dir_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `<dir>/sources` relative to `root`, with `/` separators; just `<dir name>/sources` when
/// `dir` is not under `root`.
pub fn relative_source_dir(root: &Path, dir: &Path) -> String {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (root, dir_c) = (canonical(root), canonical(dir));
    let parts: Vec<String> = match dir_c.strip_prefix(&root) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect(),
        Err(_) => vec![dir_name(dir)],
    };
    let mut parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    parts.push("sources".into());
    parts.join("/")
}

//! Compiling a script against a release: the bundle's modules are the dependencies, and the named
//! addresses come from the `Move.toml` of every package in it (plus the script package's own). The
//! script package's `[dependencies]` paths are ignored in favour of the bundle, so that a script is
//! always checked against the exact code it will run with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use move_bytecode::{AccountAddress, CompiledModule};
use move_compiler::{compile_scripts, CompileOptions, CompiledScriptOutput};

use crate::bundle::ReleaseBundle;

/// Why a script could not be compiled against a bundle.
#[derive(Debug, thiserror::Error)]
pub enum ScriptBuildError {
    #[error("module {index} of package `{package}` does not read: {message}")]
    BadModule {
        package: String,
        index: usize,
        message: String,
    },
    #[error("{file}: {message}")]
    Manifest { file: String, message: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: expected one script, found {found}")]
    ScriptCount { file: String, found: usize },
    /// The package step after the compiler (extended checks, runtime metadata) failed.
    #[error("{dir}: {source}")]
    PackageStep {
        dir: String,
        source: crate::runtime_metadata::PackageMetadataError,
    },
    /// The compiler's diagnostics, rendered with file, line, column and a caret.
    #[error("{file}: {count} error(s)\n{rendered}")]
    Compile {
        file: String,
        count: usize,
        rendered: String,
    },
}

/// The dependencies and named addresses of a release, ready to compile scripts against.
pub struct BundleCompiler {
    modules: Vec<CompiledModule>,
    named_addresses: BTreeMap<String, AccountAddress>,
    /// Embedded module sources (file name, text): where inline functions are found.
    sources: Vec<(String, String)>,
}

impl BundleCompiler {
    /// Reads every module of `bundle` and the named addresses of its packages.
    pub fn new(bundle: &ReleaseBundle) -> Result<Self, ScriptBuildError> {
        let mut compiler = BundleCompiler {
            modules: Vec::new(),
            named_addresses: BTreeMap::new(),
            sources: Vec::new(),
        };
        for package in &bundle.packages {
            for (index, code) in package.code.iter().enumerate() {
                let module = CompiledModule::deserialize(code).map_err(|err| {
                    ScriptBuildError::BadModule {
                        package: package.name().to_string(),
                        index,
                        message: err.to_string(),
                    }
                })?;
                compiler.modules.push(module);
            }
            let file = format!("Move.toml of package `{}`", package.name());
            let text = package
                .manifest_text()
                .map_err(|err| ScriptBuildError::Manifest {
                    file: file.clone(),
                    message: err.to_string(),
                })?;
            add_named_addresses(&mut compiler.named_addresses, &file, &text)?;
            for module in &package.metadata.modules {
                if let Ok(Some(text)) = module.source_text() {
                    compiler
                        .sources
                        .push((format!("{}.move", module.name), text));
                }
            }
        }
        Ok(compiler)
    }

    /// Compiles the one script in `source`; `file` names it in diagnostics.
    pub fn compile(
        &self,
        file: &str,
        source: &str,
    ) -> Result<CompiledScriptOutput, ScriptBuildError> {
        let scripts = self.compile_with(file, source, &self.named_addresses)?;
        exactly_one(file, scripts)
    }

    /// Compiles the script package in `dir` (`Move.toml` and one `sources/*.move` holding one
    /// script); the package's own `[addresses]` are added to the bundle's.
    pub fn compile_package_dir(
        &self,
        dir: &Path,
    ) -> Result<CompiledScriptOutput, ScriptBuildError> {
        let scripts = self.compile_package_scripts(dir)?;
        exactly_one(&dir.display().to_string(), scripts)
    }

    /// Compiles every script of the package in `dir`: its `sources/*.move` files in name order,
    /// each file's scripts in source order.
    pub fn compile_package_scripts(
        &self,
        dir: &Path,
    ) -> Result<Vec<CompiledScriptOutput>, ScriptBuildError> {
        let mut named_addresses = self.named_addresses.clone();
        let manifest_path = dir.join("Move.toml");
        if manifest_path.exists() {
            let file = manifest_path.display().to_string();
            add_named_addresses(&mut named_addresses, &file, &read(&manifest_path)?)?;
        }
        let mut scripts = Vec::new();
        for source_path in move_sources(dir)? {
            let source = read(&source_path)?;
            let file = source_path.display().to_string();
            scripts.extend(self.compile_with(&file, &source, &named_addresses)?);
        }
        Ok(scripts)
    }

    /// Compiles the module package in `dir` (its `sources/*.move` in name order) against the
    /// bundle's modules, without the package step (see [`Self::build_package_modules`]); the
    /// modules come back in dependency order, with the package's sources.
    pub fn compile_package_modules(
        &self,
        dir: &Path,
    ) -> Result<Vec<move_compiler::CompiledModuleOutput>, ScriptBuildError> {
        self.compile_package(dir).map(|(modules, _, _)| modules)
    }

    /// Builds the module package in `dir` as upstream's package build does: compile, run the
    /// extended checks, attach each module's runtime metadata.
    pub fn build_package_modules(
        &self,
        dir: &Path,
    ) -> Result<Vec<move_compiler::CompiledModuleOutput>, ScriptBuildError> {
        let (mut modules, sources, named_addresses) = self.compile_package(dir)?;
        crate::runtime_metadata::attach_package_metadata(
            &sources,
            &named_addresses,
            &self.sources,
            &mut modules,
        )
        .map_err(|source| ScriptBuildError::PackageStep {
            dir: dir.display().to_string(),
            source,
        })?;
        Ok(modules)
    }

    #[allow(clippy::type_complexity)]
    fn compile_package(
        &self,
        dir: &Path,
    ) -> Result<
        (
            Vec<move_compiler::CompiledModuleOutput>,
            Vec<move_compiler::SourceFile>,
            BTreeMap<String, AccountAddress>,
        ),
        ScriptBuildError,
    > {
        let mut named_addresses = self.named_addresses.clone();
        let manifest_path = dir.join("Move.toml");
        if manifest_path.exists() {
            let file = manifest_path.display().to_string();
            add_named_addresses(&mut named_addresses, &file, &read(&manifest_path)?)?;
        }
        let mut sources = vec![];
        for path in move_sources(dir)? {
            sources.push(move_compiler::SourceFile {
                name: path.display().to_string(),
                text: read(&path)?,
            });
        }
        let options = CompileOptions {
            named_addresses,
            dependency_sources: self.sources.clone(),
            test_mode: false,
        };
        let modules =
            move_compiler::compile_modules(&sources, &self.modules, &options).map_err(|err| {
                ScriptBuildError::Compile {
                    file: dir.display().to_string(),
                    count: err.diagnostics.len(),
                    rendered: err
                        .diagnostics
                        .iter()
                        .map(|d| {
                            let file = sources.get(d.primary.0.file.0 as usize);
                            let (name, text) = file
                                .map(|s| (s.name.as_str(), s.text.as_str()))
                                .unwrap_or(("?", ""));
                            d.render(name, text)
                        })
                        .collect(),
                }
            })?;
        Ok((modules, sources, options.named_addresses))
    }

    fn compile_with(
        &self,
        file: &str,
        source: &str,
        named_addresses: &BTreeMap<String, AccountAddress>,
    ) -> Result<Vec<CompiledScriptOutput>, ScriptBuildError> {
        let options = CompileOptions {
            named_addresses: named_addresses.clone(),
            dependency_sources: self.sources.clone(),
            test_mode: false,
        };
        compile_scripts(source, &self.modules, &options).map_err(|err| ScriptBuildError::Compile {
            file: file.to_string(),
            count: err.diagnostics.len(),
            rendered: err
                .diagnostics
                .iter()
                .map(|d| d.render(file, source))
                .collect(),
        })
    }
}

fn exactly_one(
    file: &str,
    mut scripts: Vec<CompiledScriptOutput>,
) -> Result<CompiledScriptOutput, ScriptBuildError> {
    match scripts.len() {
        1 => Ok(scripts.remove(0)),
        found => Err(ScriptBuildError::ScriptCount {
            file: file.to_string(),
            found,
        }),
    }
}

fn read(path: &Path) -> Result<String, ScriptBuildError> {
    std::fs::read_to_string(path).map_err(|source| ScriptBuildError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Adds the `[addresses]` of a `Move.toml` to `named` (later files win).
fn add_named_addresses(
    named: &mut BTreeMap<String, AccountAddress>,
    file: &str,
    text: &str,
) -> Result<(), ScriptBuildError> {
    let manifest = move_package::manifest::parse_manifest(file, text).map_err(|err| {
        ScriptBuildError::Manifest {
            file: file.to_string(),
            message: err.to_string(),
        }
    })?;
    for (name, address) in manifest.addresses.unwrap_or_default() {
        if let Some(address) = address {
            named.insert(name, AccountAddress::new(address));
        }
    }
    Ok(())
}

/// The package's `sources/*.move` files in name order.
fn move_sources(dir: &Path) -> Result<Vec<PathBuf>, ScriptBuildError> {
    let sources = dir.join("sources");
    let entries = std::fs::read_dir(&sources).map_err(|source| ScriptBuildError::Io {
        path: sources.clone(),
        source,
    })?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "move"))
        .collect();
    found.sort();
    Ok(found)
}

//! The unit-test build of a Move package tree: every package of the graph rooted at a
//! directory, compiled with its `#[test]` and `#[test_only]` items (dev addresses, dev
//! dependencies), each against the test builds of its dependencies. This is what a Move unit
//! test runner executes; the release build leaves these items out.

use std::path::Path;

use move_bytecode::{AccountAddress, CompiledModule};
use move_compiler::{CompileOptions, CompiledModuleOutput, SourceFile};
use move_package::BuildMode;

type Built = (String, Vec<CompiledModule>, Vec<(String, String)>);

/// One package's test build.
pub struct TestPackage {
    pub name: String,
    pub modules: Vec<CompiledModuleOutput>,
    /// `(module, function)` of every `#[test]` function, in source order.
    pub tests: Vec<(String, String)>,
}

/// Why a test build failed.
#[derive(Debug, thiserror::Error)]
pub enum TestBuildError {
    #[error(transparent)]
    Resolve(#[from] Box<move_package::ResolutionError>),
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    /// The compiler's diagnostics, rendered with file, line and column.
    #[error("package {package}: {count} error(s)\n{rendered}")]
    Compile {
        package: String,
        count: usize,
        rendered: String,
    },
}

/// Compiles every package of the graph rooted at `root` for unit tests, dependencies first.
pub fn build_for_tests(root: &Path) -> Result<Vec<TestPackage>, TestBuildError> {
    let graph = move_package::resolve(root, BuildMode::Dev).map_err(Box::new)?;
    // Each built package: name, modules, sources (for the inline functions of dependents).
    let mut built: Vec<Built> = vec![];
    let mut out = vec![];
    for package in &graph.packages {
        let mut sources = vec![];
        for path in &package.source_files {
            let text = std::fs::read_to_string(path).map_err(|e| TestBuildError::Read {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            sources.push(SourceFile {
                name: path.display().to_string(),
                text,
            });
        }
        let dep_names: Vec<String> = graph
            .transitive_dependencies(&package.name)
            .iter()
            .map(|p| p.name.clone())
            .collect();
        let mut deps = vec![];
        let mut dependency_sources = vec![];
        for (name, modules, srcs) in &built {
            if dep_names.contains(name) {
                deps.extend(modules.iter().cloned());
                dependency_sources.extend(srcs.iter().cloned());
            }
        }
        let options = CompileOptions {
            named_addresses: package
                .addresses
                .iter()
                .map(|(k, v)| (k.clone(), AccountAddress::new(*v)))
                .collect(),
            dependency_sources,
            test_mode: true,
        };
        let modules = move_compiler::compile_modules(&sources, &deps, &options).map_err(|err| {
            TestBuildError::Compile {
                package: package.name.clone(),
                count: err.diagnostics.len(),
                rendered: err
                    .diagnostics
                    .iter()
                    .map(|d| {
                        let (name, text) = sources
                            .get(d.primary.0.file.0 as usize)
                            .map(|s| (s.name.as_str(), s.text.as_str()))
                            .unwrap_or(("?", ""));
                        d.render(name, text)
                    })
                    .collect(),
            }
        })?;
        let tests = test_functions(&sources);
        built.push((
            package.name.clone(),
            modules.iter().map(|m| m.module.clone()).collect(),
            sources
                .iter()
                .map(|s| (s.name.clone(), s.text.clone()))
                .collect(),
        ));
        out.push(TestPackage {
            name: package.name.clone(),
            modules,
            tests,
        });
    }
    Ok(out)
}

/// The `#[test]` functions of the sources, as (module, function).
fn test_functions(sources: &[SourceFile]) -> Vec<(String, String)> {
    use move_compiler::parser::ast::{Definition, FileId, ModuleMember};
    let mut out = vec![];
    for (i, s) in sources.iter().enumerate() {
        let Some(file) = move_compiler::parser::parse_file(FileId(i as u32), &s.text).file else {
            continue;
        };
        for def in &file.definitions {
            let modules = match def {
                Definition::Module(m) => vec![m],
                Definition::Address(a) => a.modules.iter().collect(),
                Definition::Script(_) => continue,
            };
            for m in modules {
                for member in &m.members {
                    if let ModuleMember::Function(f) = member {
                        if move_compiler::modules::has_attribute(&f.attributes, "test") {
                            out.push((m.name.value.to_string(), f.name.value.to_string()));
                        }
                    }
                }
            }
        }
    }
    out
}

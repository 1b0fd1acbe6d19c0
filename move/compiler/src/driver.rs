//! The compiler's entry point for Move scripts: [`compile_script`] parses one source text, runs the
//! passes in pipeline order (expansion, inlining, typing, HLIR, CFGIR, bytecode generation)
//! against the dependency modules given as compiled bytecode (and their sources, for inline
//! functions), and returns the `CompiledScript` and its bytes,
//! or every diagnostic found. Also defines [`CompileDiagnostic`], the diagnostic type of the
//! passes after the parser.

use std::collections::BTreeMap;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};
use move_bytecode::{AccountAddress, CompiledModule, CompiledScript};

use crate::inlining::{self, InlineLibrary};
use crate::parser::ast::{Definition, FileId, Loc};
use crate::parser::{self, Severity};
use crate::{cfgir, deps::Dependencies, expansion, hlir, to_bytecode, typing};

/// One message about the source from any pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileDiagnostic {
    /// Error code in the upstream numbering (`E03003`, ...), for errors found after parsing;
    /// `None` for syntax errors.
    pub code: Option<&'static str>,
    /// Short description of the kind of problem ("unbound module member").
    pub headline: String,
    /// The offending span and what is wrong there.
    pub primary: (Loc, String),
    /// Further spans with explanations.
    pub secondary: Vec<(Loc, String)>,
    pub is_error: bool,
}

impl CompileDiagnostic {
    pub fn error(code: &'static str, headline: &str, loc: Loc, msg: impl Into<String>) -> Self {
        CompileDiagnostic {
            code: Some(code),
            headline: headline.to_string(),
            primary: (loc, msg.into()),
            secondary: vec![],
            is_error: true,
        }
    }

    pub fn with_secondary(mut self, loc: Loc, msg: impl Into<String>) -> Self {
        self.secondary.push((loc, msg.into()));
        self
    }

    /// `error[E03003]: unbound module member` followed by the messages.
    pub fn message(&self) -> String {
        let mut s = self.primary.1.clone();
        for (_, m) in &self.secondary {
            // Upstream's primary messages often end with a full stop already.
            s.push_str(if s.ends_with('.') { " " } else { ". " });
            s.push_str(m);
        }
        s
    }

    /// The 1-based line and column of the primary span in `source`.
    pub fn line_col(&self, source: &str) -> (usize, usize) {
        parser::diagnostics::line_col(source, self.primary.0.start as usize)
    }

    /// Renders the diagnostic with the source line and carets under the span.
    pub fn render(&self, file_name: &str, source: &str) -> String {
        let mut files = SimpleFiles::new();
        let id = files.add(file_name, source);
        let clamp = |loc: Loc| {
            let start = (loc.start as usize).min(source.len());
            start..(loc.end as usize).clamp(start, source.len())
        };
        let mut labels =
            vec![Label::primary(id, clamp(self.primary.0)).with_message(&self.primary.1)];
        for (loc, m) in &self.secondary {
            labels.push(Label::secondary(id, clamp(*loc)).with_message(m));
        }
        let base = if self.is_error {
            CsDiagnostic::error()
        } else {
            CsDiagnostic::warning()
        };
        let mut d = base.with_message(&self.headline).with_labels(labels);
        if let Some(code) = self.code {
            d = d.with_code(code);
        }
        let mut out = termcolor::Buffer::no_color();
        match term::emit(&mut out, &term::Config::default(), &files, &d) {
            Ok(()) => String::from_utf8_lossy(out.as_slice()).into_owned(),
            Err(_) => {
                let (l, c) = self.line_col(source);
                format!("{file_name}:{l}:{c}: {}\n", self.message())
            }
        }
    }
}

impl std::fmt::Display for CompileDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(c) => write!(f, "error[{c}]: {}: {}", self.headline, self.message()),
            None => write!(f, "error: {}: {}", self.headline, self.message()),
        }
    }
}

/// Why a script did not compile: every error diagnostic found (at least one).
#[derive(Debug, thiserror::Error)]
#[error("{}", .diagnostics.first().map(|d| d.to_string()).unwrap_or_default())]
pub struct CompileError {
    pub diagnostics: Vec<CompileDiagnostic>,
}

/// What a script compiles against and with.
#[derive(Clone, Debug, Default)]
pub struct CompileOptions {
    /// Named addresses (`std`, `diem_framework`, the package's own `[addresses]`, ...).
    pub named_addresses: BTreeMap<String, AccountAddress>,
    /// Source texts of the dependency modules, as (file name, text): the only place inline
    /// functions exist. Parsed on first need; empty means calls of inline functions fail.
    pub dependency_sources: Vec<(String, String)>,
    /// Build for unit tests: `#[test]` and `#[test_only]` items are compiled too.
    pub test_mode: bool,
}

/// A compiled script: the model and its serialized bytes (bytecode version 6).
#[derive(Clone, Debug)]
pub struct CompiledScriptOutput {
    pub script: CompiledScript,
    pub bytes: Vec<u8>,
    /// The name of the script's function.
    pub function_name: String,
    /// Warnings (unused locals, ...); never errors.
    pub warnings: Vec<CompileDiagnostic>,
}

/// Bytecode version the compiler writes.
pub const BYTECODE_VERSION: u32 = 6;

/// Compiles every `script { ... }` block of `source` (in source order) against `deps`.
pub fn compile_scripts(
    source: &str,
    deps: &[CompiledModule],
    options: &CompileOptions,
) -> Result<Vec<CompiledScriptOutput>, CompileError> {
    let parsed = parser::parse_file(FileId(0), source);
    let mut errors: Vec<CompileDiagnostic> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::NonBlockingError)
        .map(|d| CompileDiagnostic {
            code: None,
            headline: d.code.headline().to_string(),
            primary: d.primary.clone(),
            secondary: d.secondary.clone(),
            is_error: true,
        })
        .collect();
    let file = match parsed.file {
        Some(f) if errors.is_empty() => f,
        _ => {
            if errors.is_empty() {
                errors.push(CompileDiagnostic::error(
                    "E01001",
                    "syntax error",
                    Loc::default(),
                    "could not parse",
                ));
            }
            return Err(CompileError {
                diagnostics: errors,
            });
        }
    };
    let deps_modules = deps;
    let deps = Dependencies::new(deps);
    let library = std::cell::OnceCell::new();
    let mut outputs = vec![];
    let mut found = false;
    // Upstream's inliner numbers through the dependencies' modules before the scripts.
    let mut rename_counter: usize = crate::modules::dependency_rename_counts(
        &options.dependency_sources,
        deps_modules,
        &options.named_addresses,
    )
    .values()
    .sum();
    for def in &file.definitions {
        let Definition::Script(script) = def else {
            continue;
        };
        found = true;
        outputs.push(compile_one(
            script,
            &deps,
            options,
            &library,
            &mut rename_counter,
        )?);
    }
    if !found {
        return Err(CompileError {
            diagnostics: vec![CompileDiagnostic::error(
                "E01002",
                "no script",
                Loc::default(),
                "the source defines no script",
            )],
        });
    }
    Ok(outputs)
}

/// Compiles the one script of `source` against `deps`.
pub fn compile_script(
    source: &str,
    deps: &[CompiledModule],
    options: &CompileOptions,
) -> Result<CompiledScriptOutput, CompileError> {
    let mut all = compile_scripts(source, deps, options)?;
    if all.len() != 1 {
        return Err(CompileError {
            diagnostics: vec![CompileDiagnostic::error(
                "E01002",
                "script count",
                Loc::default(),
                format!("expected exactly one script, found {}", all.len()),
            )],
        });
    }
    Ok(all.remove(0))
}

fn compile_one(
    script: &parser::ast::Script,
    deps: &Dependencies,
    options: &CompileOptions,
    library: &std::cell::OnceCell<InlineLibrary>,
    rename_counter: &mut usize,
) -> Result<CompiledScriptOutput, CompileError> {
    let site = script.function.name.loc;
    // Problems found in code inlined from a dependency are reported at the script's function.
    let fail = |diagnostics: Vec<CompileDiagnostic>| CompileError {
        diagnostics: diagnostics
            .into_iter()
            .map(|d| inlining::relocate(d, site))
            .collect(),
    };
    let expanded = expansion::translate(script, &options.named_addresses, deps).map_err(fail)?;
    let (inlined, views);
    let expanded = if options.dependency_sources.is_empty() {
        expanded
    } else {
        (inlined, views) = inlining::inline_function(
            expanded.function,
            &expanded.aliases,
            &options.named_addresses,
            deps,
            library,
            &options.dependency_sources,
            rename_counter,
        )
        .map_err(fail)?;
        expansion::Script {
            function: &inlined,
            local_views: views,
            ..expanded
        }
    };
    let typed = typing::translate(&expanded, deps).map_err(fail)?;
    let (hlir, mut warnings) = hlir::translate(typed);
    let (cfg, more) = cfgir::translate(hlir, deps).map_err(fail)?;
    warnings.extend(more);
    let script = to_bytecode::translate(cfg, deps).map_err(fail)?;
    let bytes = script
        .serialize_for_version(BYTECODE_VERSION)
        .map_err(|e| {
            fail(vec![CompileDiagnostic::error(
                "E99001",
                "bytecode generation",
                script_loc(&expanded),
                e.to_string(),
            )])
        })?;
    let warnings = warnings
        .into_iter()
        .map(|d| inlining::relocate(d, site))
        .collect();
    Ok(CompiledScriptOutput {
        script,
        bytes,
        function_name: expanded.function_name.value.to_string(),
        warnings,
    })
}

fn script_loc(e: &expansion::Script) -> Loc {
    e.function_name.loc
}

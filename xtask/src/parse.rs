//! `cargo xtask parse`: parses Move source files — the files named, and every `.move` file below
//! the directories named, in sorted order — prints each diagnostic (position, source line and
//! caret), and ends with `parsed N files, F failed`; the exit status is 1 when any file failed.
//! With `--json` it prints one JSON report instead. The parsing is `move_compiler::parser`'s.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use move_compiler::parser::{self, ast::FileId, Severity};
use serde::Serialize;

/// Parse Move source files and report every syntax error.
#[derive(clap::Args)]
pub struct ParseFlags {
    /// Move files, or directories searched recursively for `.move` files.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    paths: Vec<PathBuf>,
    /// Print one JSON report (files, diagnostics with line and column, counts) instead of text.
    #[arg(long)]
    json: bool,
    /// Leave warnings out of the output (errors are always printed).
    #[arg(long)]
    no_warnings: bool,
}

#[derive(Serialize)]
struct JsonDiagnostic {
    severity: &'static str,
    line: usize,
    column: usize,
    message: String,
}

#[derive(Serialize)]
struct JsonFile {
    path: String,
    ok: bool,
    diagnostics: Vec<JsonDiagnostic>,
}

#[derive(Serialize)]
struct JsonReport {
    files: Vec<JsonFile>,
    parsed: usize,
    failed: usize,
}

impl ParseFlags {
    pub fn run(self) -> Result<()> {
        let files = collect(&self.paths)?;
        let color = !self.json && std::io::stdout().is_terminal();
        // indicatif draws only when stderr is a terminal.
        let progress = if files.len() > 20 && !self.json {
            let bar = indicatif::ProgressBar::new(files.len() as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files {wide_msg}")
            {
                bar.set_style(style);
            }
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        let mut report = JsonReport {
            files: Vec::new(),
            parsed: 0,
            failed: 0,
        };
        for path in &files {
            let name = path.display().to_string();
            progress.set_message(name.clone());
            let (ok, diagnostics, rendered) = match std::fs::read(path) {
                Err(e) => (
                    false,
                    vec![file_error(format!("cannot read: {e}"))],
                    format!("error: {name}: cannot read: {e}\n"),
                ),
                Ok(bytes) => match String::from_utf8(bytes) {
                    Err(e) => {
                        let at = e.utf8_error().valid_up_to();
                        let msg = format!("not UTF-8 (invalid byte at offset {at})");
                        (
                            false,
                            vec![file_error(msg.clone())],
                            format!("error: {name}: {msg}\n"),
                        )
                    }
                    Ok(text) => self.parse_one(&name, &text, color),
                },
            };
            report.parsed += 1;
            if !ok {
                report.failed += 1;
            }
            if !self.json && !rendered.is_empty() {
                progress.suspend(|| print!("{rendered}"));
            }
            report.files.push(JsonFile {
                path: name,
                ok,
                diagnostics,
            });
            progress.inc(1);
        }
        progress.finish_and_clear();
        if self.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            println!("parsed {} files, {} failed", report.parsed, report.failed);
        }
        if report.failed > 0 {
            std::process::exit(1);
        }
        Ok(())
    }

    /// Parses one file: whether it parsed, its diagnostics, and their rendering.
    fn parse_one(
        &self,
        name: &str,
        text: &str,
        color: bool,
    ) -> (bool, Vec<JsonDiagnostic>, String) {
        let out = parser::parse_file(FileId(0), text);
        let ok = !out.has_errors();
        let mut rendered = String::new();
        let mut diagnostics = Vec::new();
        for d in &out.diagnostics {
            if self.no_warnings && d.severity == Severity::Warning {
                continue;
            }
            let (line, column) = d.line_col(text);
            diagnostics.push(JsonDiagnostic {
                severity: match d.severity {
                    Severity::Warning => "warning",
                    Severity::NonBlockingError | Severity::Error => "error",
                },
                line,
                column,
                message: d.message(),
            });
            rendered.push_str(&d.render(name, text, color));
        }
        (ok, diagnostics, rendered)
    }
}

fn file_error(message: String) -> JsonDiagnostic {
    JsonDiagnostic {
        severity: "error",
        line: 0,
        column: 0,
        message,
    }
}

/// The `.move` files named or found below the directories named, sorted and without repeats.
fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).with_context(|| format!("{}", p.display()))?;
        if meta.is_dir() {
            walk(p, &mut files)?;
        } else {
            files.push(p.clone());
        }
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        bail!("no .move files found in the paths given");
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("reading {}", dir.display()))?
            .path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "move") {
            out.push(path);
        }
    }
    Ok(())
}

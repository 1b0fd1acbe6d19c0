//! `cargo xtask inspect`: shows what a release bundle (`.mrb`) holds — packages and modules with
//! sizes and hashes, as a table or as JSON — or extracts it into Move package directories; for a
//! compiled module or script (`.mv`, kind detected from the bytes) it prints the disassembly.
//! The work is done by `framework::inspect`; this file reads the file, picks the output and adds
//! file names to errors.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use framework::inspect;

/// Show what a release bundle or compiled unit holds, or extract a bundle.
#[derive(clap::Args)]
pub struct InspectFlags {
    /// The file to inspect: a release bundle (.mrb) or a compiled module or script (.mv).
    file: PathBuf,
    /// Print one JSON object instead of a table (for scripts).
    #[arg(long)]
    json: bool,
    /// Write each package of the bundle as a Move package directory under DIR
    /// (Move.toml, sources/<module>.move, bytecode_modules/<module>.mv).
    #[arg(long, value_name = "DIR")]
    extract: Option<PathBuf>,
    /// Print nothing on success (errors still go to stderr).
    #[arg(long, short)]
    quiet: bool,
}

/// Magic bytes of a compiled Move module or script.
const MOVE_MAGIC: [u8; 4] = [0xa1, 0x1c, 0xeb, 0x0b];

impl InspectFlags {
    pub fn run(self) -> Result<()> {
        let bytes = std::fs::read(&self.file)
            .with_context(|| format!("reading {}", self.file.display()))?;
        let is_mv = match self.file.extension().and_then(|e| e.to_str()) {
            Some("mv") => true,
            Some("mrb") => false,
            _ => bytes.starts_with(&MOVE_MAGIC),
        };
        if is_mv {
            return self.disassemble(&bytes);
        }
        self.bundle(&bytes)
    }

    fn bundle(&self, bytes: &[u8]) -> Result<()> {
        let file = self.file.display();
        let bundle = framework::ReleaseBundle::read(bytes).with_context(|| {
            if self.file.extension().is_some_and(|e| e == "mrb") {
                format!("{file}")
            } else {
                // Neither .mrb nor a Move binary: say how the file was taken.
                format!("{file}: no Move binary magic, so read as a release bundle")
            }
        })?;
        let report = inspect::report(&bundle, bytes);
        let Some(out) = &self.extract else {
            if self.json {
                emit(&(serde_json::to_string_pretty(&report)? + "\n"))?;
            } else if !self.quiet {
                emit(&report.to_string())?;
            }
            return Ok(());
        };
        let extracted = inspect::extract_bundle(&bundle, out)
            .with_context(|| format!("extracting {file} into {}", out.display()))?;
        if self.json {
            let value = ReportWithExtraction {
                report: &report,
                extracted: &extracted,
            };
            emit(&(serde_json::to_string_pretty(&value)? + "\n"))?;
        } else if !self.quiet {
            let lines: String = extracted
                .iter()
                .map(|package| describe(package, out) + "\n")
                .collect();
            emit(&lines)?;
        }
        Ok(())
    }

    fn disassemble(&self, bytes: &[u8]) -> Result<()> {
        if self.extract.is_some() {
            bail!(
                "{}: --extract applies to release bundles (.mrb) only",
                self.file.display()
            );
        }
        let report =
            inspect::inspect_unit(bytes).with_context(|| format!("{}", self.file.display()))?;
        if self.json {
            emit(&(serde_json::to_string_pretty(&report)? + "\n"))?;
        } else if !self.quiet {
            emit(&report.to_string())?;
        }
        Ok(())
    }
}

/// Writes to stdout; a reader that stops early (`| head`) is not an error.
fn emit(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(err).context("writing to stdout")
        }
        _ => Ok(()),
    }
}

/// The JSON printed by `--extract --json`: the report plus where each package went.
#[derive(serde::Serialize)]
struct ReportWithExtraction<'a> {
    #[serde(flatten)]
    report: &'a inspect::BundleReport,
    extracted: &'a [inspect::ExtractedPackage],
}

fn describe(package: &inspect::ExtractedPackage, out: &Path) -> String {
    let dir = package.dir.strip_prefix(out).unwrap_or(&package.dir);
    let sources = if package.sources == 0 {
        "sources absent in the bundle".to_string()
    } else {
        format!("{} sources", package.sources)
    };
    format!(
        "{} -> {}/ ({} modules, {sources}{})",
        package.name,
        dir.display(),
        package.modules,
        if package.manifest {
            ""
        } else {
            ", no Move.toml"
        }
    )
}

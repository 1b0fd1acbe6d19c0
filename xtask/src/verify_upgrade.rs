//! `cargo xtask verify-upgrade`: checks a generated upgrade directory offline (hashes, the
//! next-hash chain, step layout and, with `--bundle`, every source recompiled against the release
//! and every published module compared with it) and prints a
//! per-step report; exits non-zero naming the first class of failure.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use framework::bundle::ReleaseBundle;
use framework::script_build::BundleCompiler;
use framework::verify_upgrade::{verify_upgrade, Recompile};

/// Verify an upgrade directory (this project's or upstream's) without a node.
#[derive(clap::Args)]
pub struct VerifyUpgradeFlags {
    /// The upgrade directory holding `<n>-<package-dir>/` step directories.
    dir: PathBuf,
    /// The release the upgrade publishes: every source is recompiled against its modules and every
    /// published module must be byte-identical to the bundle's.
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// Print one JSON object (the report) instead of text.
    #[arg(long)]
    json: bool,
}

impl VerifyUpgradeFlags {
    pub fn run(self) -> Result<()> {
        let bundle = match &self.bundle {
            Some(path) => {
                let bytes =
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
                Some(
                    ReleaseBundle::read(&bytes)
                        .with_context(|| format!("reading {}", path.display()))?,
                )
            }
            None => None,
        };
        // Scripts compile against the release's modules, so sources can be rebuilt only with one.
        let compiler = bundle.as_ref().map(BundleCompiler::new).transpose()?;
        let mut rebuild = |dir: &Path| -> Result<Vec<u8>, String> {
            let compiler = compiler.as_ref().ok_or("no bundle")?;
            compiler
                .compile_package_dir(dir)
                .map(|output| output.bytes)
                .map_err(|err| err.to_string())
        };
        let recompile: Option<Recompile<'_>> = match compiler {
            Some(_) => Some(&mut rebuild),
            None => None,
        };
        let report = verify_upgrade(&self.dir, bundle.as_ref(), recompile)?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            for step in &report.steps {
                let next = if step.embedded_next_hash.is_empty() {
                    "(last step)"
                } else {
                    step.embedded_next_hash.as_str()
                };
                println!(
                    "{:<24} {:>7} bytes  sha3 {}  next {}  {} modules",
                    step.dir,
                    step.script_size,
                    step.script_sha3,
                    next,
                    step.modules.len()
                );
            }
            if !report.compared_with_bundle {
                println!(
                    "sources and modules: not checked (pass --bundle: scripts recompile against, \
                     and modules compare with, a release)"
                );
            }
            for finding in &report.findings {
                let step = finding.step.as_deref().unwrap_or("upgrade");
                println!("FAIL [{}] {step}: {}", finding.class, finding.message);
            }
        }
        let first = report.first_failure();
        if let Some(finding) = first.first() {
            bail!(
                "{} check failed ({} finding(s))",
                finding.class,
                first.len()
            );
        }
        if !self.json {
            println!("upgrade verified: {} steps", report.steps.len());
        }
        Ok(())
    }
}

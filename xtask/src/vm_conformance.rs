//! `cargo xtask vm-conformance`: runs the Move VM over a conformance corpus and compares every
//! test's outcome with the recorded reference outcome.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;

#[derive(Args)]
pub struct VmConformanceFlags {
    /// Directory of cases laid out like `fixtures/vm/cases/` (each with `expected/results.json`).
    cases_dir: PathBuf,
    /// Print the report as JSON instead of one line per mismatch.
    #[arg(long)]
    json: bool,
}

impl VmConformanceFlags {
    pub fn run(self) -> Result<()> {
        let report = move_vm::conformance::run_corpus(&self.cases_dir)
            .with_context(|| format!("running the VM corpus in {}", self.cases_dir.display()))?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            for m in report.mismatches() {
                println!("{m}");
            }
            println!("{}", report.summary());
        }
        if report.matched < report.tests {
            bail!("{}", report.summary());
        }
        Ok(())
    }
}

//! `cargo xtask compile-script`: compiles the script of a Move package against the modules of a
//! release bundle (the package's `[dependencies]` are ignored in favour of the bundle), writes
//! the bytecode and prints its SHA3-256.

use std::path::PathBuf;

use anyhow::{Context, Result};
use framework::bundle::ReleaseBundle;
use framework::script_build::BundleCompiler;
use sha3::{Digest, Sha3_256};

/// Compile a script package against a release bundle.
#[derive(clap::Args)]
pub struct CompileScriptFlags {
    /// The Move package directory holding `Move.toml` and `sources/*.move` with one script.
    package_dir: PathBuf,
    /// The release bundle (.mrb) whose modules the script is compiled against.
    #[arg(long)]
    bundle: PathBuf,
    /// Where to write the compiled script (default: `<package-dir>/script.mv`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print one JSON object `{"sha3_256", "size", "out"}` instead of text.
    #[arg(long)]
    json: bool,
}

impl CompileScriptFlags {
    pub fn run(self) -> Result<()> {
        let bundle = ReleaseBundle::read_file(&self.bundle)?;
        let compiler = BundleCompiler::new(&bundle)
            .with_context(|| format!("reading the modules of {}", self.bundle.display()))?;
        let output = compiler.compile_package_dir(&self.package_dir)?;
        let out = self
            .out
            .unwrap_or_else(|| self.package_dir.join("script.mv"));
        std::fs::write(&out, &output.bytes)
            .with_context(|| format!("writing {}", out.display()))?;
        let sha = hex::encode(Sha3_256::digest(&output.bytes));
        if self.json {
            let report = serde_json::json!({
                "sha3_256": sha,
                "size": output.bytes.len(),
                "out": out.display().to_string(),
            });
            println!("{report}");
        } else {
            println!("{sha}  {} ({} bytes)", out.display(), output.bytes.len());
        }
        Ok(())
    }
}

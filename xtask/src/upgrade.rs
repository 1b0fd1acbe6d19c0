//! `cargo xtask upgrade`: turns a production release bundle into the chained upgrade scripts,
//! compiles each against the bundle, and writes them with `upgrade.manifest.json`. The commits the
//! scripts record come from git unless given, and a dirty tree is refused: a recorded commit must
//! name the code that was built.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use framework::bundle::ReleaseBundle;
use framework::script_build::BundleCompiler;
use framework::upgrade::{generate, UpgradeRequest};
use sha3::{Digest, Sha3_256};

/// Generate, compile and record the multi-step upgrade of a release bundle.
#[derive(clap::Args)]
pub struct UpgradeFlags {
    /// The production release bundle to upgrade to: by default the committed release that
    /// `cargo xtask release` writes (check it first with `cargo xtask verify`).
    #[arg(long, default_value = "releases/head.mrb")]
    bundle: PathBuf,
    /// Output directory for the step directories and the manifest.
    #[arg(long, default_value = "releases/upgrade")]
    out: PathBuf,
    /// Only these packages, by directory name (e.g. `move-stdlib,libra-framework`); steps follow
    /// the bundle's publish order.
    #[arg(long, value_delimiter = ',')]
    packages: Option<Vec<String>>,
    /// The framework commit to record on chain (default: git HEAD of --framework-local-dir).
    #[arg(long)]
    framework_commit: Option<String>,
    /// The toolchain commit named in the scripts (default: git HEAD of this repository).
    #[arg(long)]
    builder_commit: Option<String>,
    /// The framework source directory; its `libra-framework` package is what each script's
    /// Move.toml depends on, and its git HEAD is the default framework commit.
    #[arg(long, default_value = "framework")]
    framework_local_dir: PathBuf,
    /// Publish with the arbitrary upgrade policy, skipping the chain's compatibility checks.
    #[arg(long)]
    danger_force_upgrade: bool,
    /// Accept a dirty git tree when taking a commit from git.
    #[arg(long)]
    allow_dirty: bool,
    /// Print the manifest as JSON instead of a per-step summary.
    #[arg(long)]
    json: bool,
}

impl UpgradeFlags {
    pub fn run(self) -> Result<()> {
        let bundle_bytes = std::fs::read(&self.bundle)
            .with_context(|| format!("reading {}", self.bundle.display()))?;
        let bundle = ReleaseBundle::read(&bundle_bytes)
            .with_context(|| format!("reading {}", self.bundle.display()))?;
        let framework_commit = match self.framework_commit {
            Some(commit) => commit,
            None => git_head(&self.framework_local_dir, self.allow_dirty)?,
        };
        let builder_commit = match self.builder_commit {
            Some(commit) => commit,
            None => git_head(Path::new(env!("CARGO_MANIFEST_DIR")), self.allow_dirty)?,
        };
        let framework_package_dir =
            std::path::absolute(self.framework_local_dir.join("libra-framework"))
                .context("resolving --framework-local-dir")?;
        let request = UpgradeRequest {
            package_dirs: self.packages,
            framework_commit,
            builder_commit,
            force: self.danger_force_upgrade,
            framework_package_dir: framework_package_dir.display().to_string(),
        };
        let compiler = BundleCompiler::new(&bundle)?;
        let bundle_sha3: [u8; 32] = Sha3_256::digest(&bundle_bytes).into();
        let upgrade = generate(&bundle, bundle_sha3, &request, |script| {
            let file = format!("{0}/sources/{0}.move", script.dir_name);
            compiler
                .compile(&file, script.source)
                .map(|output| output.bytes)
                .map_err(|err| err.to_string())
        })?;
        upgrade.write(&self.out)?;
        if self.json {
            print!("{}", upgrade.manifest.to_json());
        } else {
            for step in &upgrade.manifest.steps {
                println!(
                    "{:<24} {:>7} bytes  sha3 {}  {} modules",
                    step.dir,
                    step.script_size,
                    step.script_sha3,
                    step.modules.len()
                );
            }
            println!(
                "execution hash to propose: {}\nwrote {}",
                upgrade.manifest.execution_hash,
                self.out
                    .join(framework::upgrade_manifest::FILE_NAME)
                    .display()
            );
        }
        Ok(())
    }
}

/// The 40-hex HEAD commit of the git repository holding `dir`; refuses a dirty tree unless allowed.
fn git_head(dir: &Path, allow_dirty: bool) -> Result<String> {
    let sh = xshell::Shell::new()?;
    sh.change_dir(dir);
    let commit = xshell::cmd!(sh, "git rev-parse HEAD")
        .quiet()
        .read()
        .with_context(|| {
            format!(
                "{} is not in a git repository with a commit; pass the commit explicitly",
                dir.display()
            )
        })?;
    if !allow_dirty {
        let status = xshell::cmd!(sh, "git status --porcelain --untracked-files=no -- .")
            .quiet()
            .read()?;
        if !status.trim().is_empty() {
            bail!(
                "{} has uncommitted changes, so HEAD ({commit}) does not name what would be built; \
                 commit them, pass the commit explicitly, or use --allow-dirty",
                dir.display()
            );
        }
    }
    Ok(commit.trim().to_string())
}

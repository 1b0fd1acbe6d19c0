//! `cargo xtask verify`: rebuilds the release from the framework sources (production, every
//! package, as `cargo xtask release` builds it by default) into a temporary directory and checks
//! that the committed `head.mrb` and `head.manifest.json` are byte for byte what it wrote. On a
//! difference it names each package and module that differs and exits non-zero.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use framework::bundle::ReleaseBundle;
use framework::release::build_framework;
use framework::release::{BUNDLE_FILE_NAME, MANIFEST_FILE_NAME};
use framework::release_diff::compare;
use move_package::BuildMode;

/// Check that the committed release is what the framework sources build to.
#[derive(clap::Args)]
pub struct VerifyFlags {
    /// The directory holding the framework's package directories.
    #[arg(long, default_value = "framework")]
    framework_dir: PathBuf,
    /// The directory holding the committed head.mrb and head.manifest.json.
    #[arg(long, default_value = "releases")]
    releases: PathBuf,
    /// Print the comparison as JSON instead of a report.
    #[arg(long)]
    json: bool,
}

impl VerifyFlags {
    pub fn run(self) -> Result<()> {
        let committed_path = self.releases.join(BUNDLE_FILE_NAME);
        let manifest_path = self.releases.join(MANIFEST_FILE_NAME);
        let hint = self.hint();
        let committed_bytes = std::fs::read(&committed_path)
            .with_context(|| format!("reading {}; {hint}", committed_path.display()))?;
        let committed = ReleaseBundle::read(&committed_bytes)
            .with_context(|| format!("reading {}; {hint}", committed_path.display()))?;
        let committed_manifest = std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("reading {}; {hint}", manifest_path.display()))?;
        if !self.framework_dir.is_dir() {
            bail!(
                "--framework-dir {} is not a directory",
                self.framework_dir.display()
            );
        }

        let progress = if self.json {
            indicatif::ProgressBar::hidden()
        } else {
            // indicatif draws only when stderr is a terminal.
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {wide_msg}") {
                bar.set_style(style);
            }
            bar
        };
        let release = build_framework(&self.framework_dir, BuildMode::Production, |dir| {
            progress.set_message(format!("compiling {}", dir.display()));
            progress.tick();
        })
        .with_context(|| format!("rebuilding {}", self.framework_dir.display()))?;
        progress.finish_and_clear();

        // Compare what `cargo xtask release` would write, read back from disk.
        let tmp = tempfile::tempdir().context("creating a temporary directory")?;
        release
            .write(tmp.path())
            .with_context(|| format!("writing the rebuilt release to {}", tmp.path().display()))?;
        let rebuilt_bytes = read(&tmp.path().join(BUNDLE_FILE_NAME))?;
        let rebuilt_manifest = String::from_utf8(read(&tmp.path().join(MANIFEST_FILE_NAME))?)
            .context("the rebuilt manifest is not UTF-8")?;
        let rebuilt = ReleaseBundle::read(&rebuilt_bytes).context("reading the rebuilt bundle")?;

        let diff =
            compare(&committed, &rebuilt).with_manifests(&committed_manifest, &rebuilt_manifest);
        let identical = diff.is_identical() && committed_bytes == rebuilt_bytes;
        if self.json {
            let value = serde_json::json!({ "identical": identical, "diff": diff });
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        if identical {
            if !self.json {
                print!("{diff}");
            }
            return Ok(());
        }
        if !self.json {
            eprint!("{diff}");
            if diff.is_identical() {
                // Decoding is strict and re-encoding exact, so this means a bug, not a stale file.
                eprintln!("  the files' bytes differ although every field agrees");
            }
        }
        bail!(
            "{} does not match a fresh build of {}; {hint}",
            self.releases.display(),
            self.framework_dir.display()
        )
    }

    /// The command that brings the committed release up to date.
    fn hint(&self) -> String {
        let mut command = "run cargo xtask release".to_string();
        if self.framework_dir != Path::new("framework") {
            command.push_str(&format!(
                " --framework-dir {}",
                self.framework_dir.display()
            ));
        }
        if self.releases != Path::new("releases") {
            command.push_str(&format!(" --out {}", self.releases.display()));
        }
        format!("{command} and commit {}/", self.releases.display())
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

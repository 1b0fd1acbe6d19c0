//! `cargo xtask fixtures`: checks the local reference fixtures against the committed lock of
//! upstream artifacts and, where the network allows, downloads the missing ones with `curl`.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use libra_fixtures::{FileState, Lock};

/// Verify (and complete) the shared fixtures against `tests/fixtures/upstream.lock.json`.
#[derive(clap::Args)]
pub struct FixturesFlags {
    /// Fixtures directory (default: $LIBRA_FIXTURES, else ../shared/fixtures).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Only verify; never download.
    #[arg(long)]
    offline: bool,
}

impl FixturesFlags {
    pub fn run(self) -> Result<()> {
        let lock = Lock::committed().context("the committed fixture lock does not parse")?;
        let dir = match self.dir.or_else(libra_fixtures::dir) {
            Some(dir) => dir,
            None => libra_fixtures::workspace_root().join("../shared/fixtures"),
        };
        let sh = xshell::Shell::new()?;
        let (mut ok, mut fetched, mut bad) = (0, 0, Vec::new());
        for file in &lock.files {
            let state = libra_fixtures::check(&dir, file)
                .with_context(|| format!("reading {}", dir.join(&file.path).display()))?;
            match state {
                FileState::Ok => ok += 1,
                FileState::Mismatch { actual_sha256 } => bad.push(format!(
                    "{}: sha256 {actual_sha256}, lock says {}",
                    file.path, file.sha256
                )),
                FileState::Missing if self.offline => bad.push(format!("{}: missing", file.path)),
                FileState::Missing => {
                    let target = dir.join(&file.path);
                    if let Some(parent) = target.parent() {
                        std::fs::create_dir_all(parent)?;
                    }
                    let url = lock.url(file);
                    let part = target.with_extension("part");
                    let downloaded = xshell::cmd!(
                        sh,
                        "curl --fail --silent --show-error --location --output {part} {url}"
                    )
                    .quiet()
                    .run()
                    .is_ok();
                    if downloaded && matches_lock(&part, &file.sha256) {
                        std::fs::rename(&part, &target)?;
                        fetched += 1;
                    } else {
                        let _ = std::fs::remove_file(&part);
                        bad.push(format!(
                            "{}: missing, and downloading {url} failed",
                            file.path
                        ));
                    }
                }
            }
        }
        println!(
            "{ok} fixtures verified, {fetched} downloaded, {} problems ({})",
            bad.len(),
            dir.display()
        );
        if !bad.is_empty() {
            bail!("fixtures do not match the lock:\n  {}", bad.join("\n  "));
        }
        Ok(())
    }
}

/// Whether a downloaded file has the locked hash.
fn matches_lock(path: &std::path::Path, sha256: &str) -> bool {
    std::fs::read(path).is_ok_and(|bytes| libra_fixtures::sha256_hex(&bytes) == sha256)
}

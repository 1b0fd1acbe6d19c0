//! `cargo xtask release`: compiles the framework's Move packages into a release bundle
//! (`<out>/head.mrb`) and its release manifest (`<out>/head.manifest.json`). Packages are built
//! dependencies first; the bundle records each package's `sources` directory relative to the
//! framework directory's parent, so the output depends on the sources alone.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use framework::release::{
    build_packages, framework_packages, package_build_order, BUNDLE_FILE_NAME, MANIFEST_FILE_NAME,
};
use move_package::BuildMode;

/// Build the framework release bundle and its manifest from the Move packages.
#[derive(clap::Args)]
pub struct ReleaseFlags {
    /// The directory holding the framework's package directories.
    #[arg(long, default_value = "framework")]
    framework_dir: PathBuf,
    /// Only these package directories (paths, or names of directories under --framework-dir),
    /// comma-separated; they are built dependencies first whatever the order given. Default:
    /// every directory under --framework-dir with a Move.toml.
    #[arg(long, value_delimiter = ',')]
    packages: Option<Vec<PathBuf>>,
    /// Dev build: embed each module's source, include tests/ and examples/, use the dev source
    /// digest and the root's [dev-addresses]. Default: a production build.
    #[arg(long)]
    dev: bool,
    /// Output directory for head.mrb and head.manifest.json.
    #[arg(long, default_value = "releases")]
    out: PathBuf,
    /// Print the release manifest as JSON instead of a summary.
    #[arg(long)]
    json: bool,
}

impl ReleaseFlags {
    pub fn run(self) -> Result<()> {
        let mode = if self.dev {
            BuildMode::Dev
        } else {
            BuildMode::Production
        };
        if !self.framework_dir.is_dir() {
            bail!(
                "--framework-dir {} is not a directory",
                self.framework_dir.display()
            );
        }
        let dirs = match &self.packages {
            None => framework_packages(&self.framework_dir, mode)?,
            Some(listed) => {
                let mut dirs = Vec::new();
                for dir in listed {
                    dirs.push(self.package_dir(dir)?);
                }
                package_build_order(&dirs, mode)?
            }
        };
        if dirs.is_empty() {
            bail!(
                "no package (a directory with a Move.toml) under {}",
                self.framework_dir.display()
            );
        }
        let progress = if self.json {
            indicatif::ProgressBar::hidden()
        } else {
            // indicatif draws only when stderr is a terminal.
            let bar = indicatif::ProgressBar::new(dirs.len() as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} packages {wide_msg}")
            {
                bar.set_style(style);
            }
            bar
        };
        let mut done = 0;
        let release = build_packages(&self.framework_dir, &dirs, mode, |dir| {
            progress.set_position(done);
            progress.set_message(format!("compiling {}", dir.display()));
            done += 1;
        })
        .with_context(|| format!("building {}", self.framework_dir.display()))?;
        progress.finish_and_clear();
        let manifest = release
            .write(&self.out)
            .with_context(|| format!("writing {}", self.out.display()))?;

        if self.json {
            print!("{}", manifest.to_json());
            return Ok(());
        }
        for package in &manifest.packages {
            let size: u64 = package.modules.iter().map(|m| m.size).sum();
            println!(
                "{:<16} {:>3} modules {:>8} bytes  digest {}",
                package.name,
                package.modules.len(),
                size,
                package.source_digest
            );
        }
        println!(
            "{} build, bundle sha3 {}\nwrote {} and {}",
            manifest.build,
            manifest.bundle.sha3,
            self.out.join(BUNDLE_FILE_NAME).display(),
            self.out.join(MANIFEST_FILE_NAME).display()
        );
        Ok(())
    }

    /// A `--packages` entry: a package directory as given, or one under --framework-dir.
    fn package_dir(&self, dir: &Path) -> Result<PathBuf> {
        for candidate in [dir.to_path_buf(), self.framework_dir.join(dir)] {
            if candidate.join("Move.toml").is_file() {
                return Ok(candidate);
            }
        }
        bail!(
            "--packages {}: no Move.toml there or under {}",
            dir.display(),
            self.framework_dir.display()
        )
    }
}

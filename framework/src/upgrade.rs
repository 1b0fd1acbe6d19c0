//! The multi-step upgrade: turns a production release bundle into one governance script per
//! package, generated last step first so that every script embeds the SHA3-256 of the next one,
//! and records the result in an [`UpgradeManifest`]. Compiling a script is the caller's job (a
//! function passed in), so this module owns only the ordering, the hash chain and the layout.

use std::path::Path;

use sha3::{Digest, Sha3_256};

use crate::bundle::ReleaseBundle;
use crate::metadata::UpgradePolicy;
use crate::upgrade_manifest::{
    UpgradeInputs, UpgradeManifest, UpgradeModule, UpgradeStep, SCHEMA_VERSION,
};
use crate::upgrade_script::{production_metadata, script_move_toml, script_text, StepInputs};

/// What an upgrade is generated from, besides the bundle.
#[derive(Clone, Debug)]
pub struct UpgradeRequest {
    /// Package directory names to upgrade (e.g. `move-stdlib`), or `None` for every package.
    /// Steps always follow the bundle's publish order.
    pub package_dirs: Option<Vec<String>>,
    /// The framework's git commit, recorded on chain (40 lowercase hex).
    pub framework_commit: String,
    /// The toolchain's git commit, named in the script text (40 lowercase hex).
    pub builder_commit: String,
    /// Publish with the arbitrary upgrade policy, which skips the chain's compatibility checks.
    pub force: bool,
    /// The framework package directory that each script's `Move.toml` depends on.
    pub framework_package_dir: String,
}

/// One generated step, ready to be written.
#[derive(Clone, Debug)]
pub struct GeneratedStep {
    /// `<k>-<package-dir>`, e.g. `1-move-stdlib`.
    pub dir_name: String,
    pub move_toml: String,
    pub source: String,
    pub script: Vec<u8>,
    pub script_sha3: [u8; 32],
}

/// A whole generated upgrade.
#[derive(Clone, Debug)]
pub struct GeneratedUpgrade {
    pub steps: Vec<GeneratedStep>,
    pub manifest: UpgradeManifest,
}

/// Why an upgrade could not be generated or written.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    #[error(
        "package `{package}` embeds sources or source maps: this is a dev bundle, and an upgrade \
         publishes production code. Build a production bundle with `cargo xtask release` (without --dev)"
    )]
    DevBundle { package: String },
    #[error("no package of the bundle lives in a directory named `{0}` (known: {1})")]
    UnknownPackage(String, String),
    #[error("the bundle has no packages to upgrade")]
    Empty,
    #[error("`{0}` is not a 40-digit lowercase hex commit")]
    BadCommit(String),
    #[error("package {index} of the bundle has no recorded source directory")]
    NoSourceDir { index: usize },
    #[error("cannot encode the metadata of `{package}`: {source}")]
    Encode { package: String, source: bcs::Error },
    #[error("step {dir}: the script does not compile: {message}")]
    Compile { dir: String, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// What the compile function gets for one step.
pub struct ScriptToCompile<'a> {
    /// `<k>-<package-dir>`.
    pub dir_name: &'a str,
    /// The script package's `Move.toml`.
    pub move_toml: &'a str,
    /// The script's Move source.
    pub source: &'a str,
}

/// Generates every step, last first, compiling each with `compile`.
pub fn generate(
    bundle: &ReleaseBundle,
    bundle_sha3: [u8; 32],
    request: &UpgradeRequest,
    mut compile: impl FnMut(&ScriptToCompile<'_>) -> Result<Vec<u8>, String>,
) -> Result<GeneratedUpgrade, UpgradeError> {
    for commit in [&request.framework_commit, &request.builder_commit] {
        if commit.len() != 40
            || !commit
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(UpgradeError::BadCommit(commit.clone()));
        }
    }
    if let Some(package) = bundle.packages.iter().find(|p| {
        p.metadata
            .modules
            .iter()
            .any(|m| !m.source.is_empty() || !m.source_map.is_empty())
    }) {
        return Err(UpgradeError::DevBundle {
            package: package.name().to_string(),
        });
    }
    let selected = select_packages(bundle, request.package_dirs.as_deref())?;

    let mut steps = Vec::with_capacity(selected.len());
    let mut manifest_steps = Vec::with_capacity(selected.len());
    let mut next_hash: Vec<u8> = Vec::new();
    for (position, &(index, ref package_dir)) in selected.iter().enumerate().rev() {
        let package = &bundle.packages[index];
        let number = position + 1;
        let dir_name = format!("{number}-{package_dir}");
        let policy = if request.force {
            UpgradePolicy::ARBITRARY
        } else {
            package.metadata.upgrade_policy
        };
        let metadata =
            production_metadata(&package.metadata, &package.metadata.source_digest, policy);
        let metadata_bcs = bcs::to_bytes(&metadata).map_err(|source| UpgradeError::Encode {
            package: metadata.name.clone(),
            source,
        })?;
        let source = script_text(&StepInputs {
            metadata: &metadata,
            metadata_bcs: &metadata_bcs,
            code: &package.code,
            framework_commit: &request.framework_commit,
            builder_commit: &request.builder_commit,
            next_hash: &next_hash,
        });
        let move_toml = script_move_toml(&request.framework_package_dir);
        let script = compile(&ScriptToCompile {
            dir_name: &dir_name,
            move_toml: &move_toml,
            source: &source,
        })
        .map_err(|message| UpgradeError::Compile {
            dir: dir_name.clone(),
            message,
        })?;
        let script_sha3: [u8; 32] = Sha3_256::digest(&script).into();
        manifest_steps.push(UpgradeStep {
            step: number as u32,
            package: metadata.name.clone(),
            dir: dir_name.clone(),
            script_sha3: hex::encode(script_sha3),
            next_hash: hex::encode(&next_hash),
            script_size: script.len() as u64,
            metadata_size: metadata_bcs.len() as u64,
            modules: package
                .modules()
                .map(|m| UpgradeModule {
                    name: m.name.into_owned(),
                    size: m.bytecode.len() as u64,
                    sha3: hex::encode(Sha3_256::digest(m.bytecode)),
                })
                .collect(),
        });
        steps.push(GeneratedStep {
            dir_name,
            move_toml,
            source,
            script,
            script_sha3,
        });
        next_hash = script_sha3.to_vec();
    }
    steps.reverse();
    manifest_steps.reverse();
    let manifest = UpgradeManifest {
        schema_version: SCHEMA_VERSION,
        bundle_sha3: hex::encode(bundle_sha3),
        execution_hash: hex::encode(steps[0].script_sha3),
        steps: manifest_steps,
        inputs: UpgradeInputs {
            framework_commit: request.framework_commit.clone(),
            builder_commit: request.builder_commit.clone(),
            force: request.force,
        },
    };
    Ok(GeneratedUpgrade { steps, manifest })
}

/// The packages to upgrade as (bundle index, package directory name), in publish order.
fn select_packages(
    bundle: &ReleaseBundle,
    wanted: Option<&[String]>,
) -> Result<Vec<(usize, String)>, UpgradeError> {
    let mut all = Vec::with_capacity(bundle.packages.len());
    for index in 0..bundle.packages.len() {
        let dir = bundle
            .package_dir_name(index)
            .ok_or(UpgradeError::NoSourceDir { index })?;
        all.push((index, dir.to_string()));
    }
    let selected: Vec<(usize, String)> = match wanted {
        None => all.clone(),
        Some(wanted) => {
            for name in wanted {
                if !all.iter().any(|(_, dir)| dir == name) {
                    let known: Vec<&str> = all.iter().map(|(_, d)| d.as_str()).collect();
                    return Err(UpgradeError::UnknownPackage(name.clone(), known.join(", ")));
                }
            }
            all.iter()
                .filter(|(_, dir)| wanted.contains(dir))
                .cloned()
                .collect()
        }
    };
    if selected.is_empty() {
        return Err(UpgradeError::Empty);
    }
    Ok(selected)
}

impl GeneratedUpgrade {
    /// Writes `<out>/<k>-<dir>/{Move.toml, sources/<k>-<dir>.move, script.mv, script_sha3}` and
    /// `<out>/upgrade.manifest.json`.
    pub fn write(&self, out: &Path) -> Result<(), UpgradeError> {
        for step in &self.steps {
            let dir = out.join(&step.dir_name);
            write_file(&dir.join("Move.toml"), step.move_toml.as_bytes())?;
            let source_path = dir.join("sources").join(format!("{}.move", step.dir_name));
            write_file(&source_path, step.source.as_bytes())?;
            write_file(&dir.join("script.mv"), &step.script)?;
            // No trailing newline, as upstream writes it.
            write_file(
                &dir.join("script_sha3"),
                hex::encode(step.script_sha3).as_bytes(),
            )?;
        }
        write_file(
            &out.join(crate::upgrade_manifest::FILE_NAME),
            self.manifest.to_json().as_bytes(),
        )
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), UpgradeError> {
    let result = match path.parent() {
        Some(parent) => std::fs::create_dir_all(parent),
        None => Ok(()),
    }
    .and_then(|()| std::fs::write(path, bytes));
    result.map_err(|source| UpgradeError::Write {
        path: path.display().to_string(),
        source,
    })
}

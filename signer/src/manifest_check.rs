//! Offline checks of an upgrade before anything is signed: every `script.mv` is re-hashed and
//! compared with the manifest and its `script_sha3` file, the next hash each script embeds is read
//! from its bytecode and compared with the following step, and step 1's hash must be the execution
//! hash. Also reads upstream-style step directories (`script.mv` + `script_sha3`) without a
//! manifest.

use std::path::{Path, PathBuf};

use framework::upgrade_manifest::{self, ManifestError, UpgradeManifest};

use crate::transaction::sha3_256;

/// Why an upgrade failed its checks.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Mismatch { path: PathBuf, message: String },
    #[error("{path}: not a Move script at byte offset {offset}: {message}")]
    Bytecode {
        path: PathBuf,
        offset: usize,
        message: String,
    },
    #[error("upgrade manifest: {0}")]
    Chain(String),
}

/// A step whose files passed the checks.
#[derive(Debug, Clone)]
pub struct CheckedStep {
    pub step: u32,
    pub package: String,
    pub dir: PathBuf,
    /// The script bytes exactly as hashed.
    pub code: Vec<u8>,
    pub sha3: [u8; 32],
    /// The next step's hash embedded in the script; empty for the last step.
    pub embedded_next: Vec<u8>,
}

/// A manifest whose every file passed the checks.
#[derive(Debug, Clone)]
pub struct CheckedUpgrade {
    pub manifest: UpgradeManifest,
    pub execution_hash: [u8; 32],
    pub steps: Vec<CheckedStep>,
}

fn read(path: &Path) -> Result<Vec<u8>, CheckError> {
    std::fs::read(path).map_err(|source| CheckError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Loads a manifest and checks every step's files and the whole hash chain.
pub fn check_manifest(path: &Path) -> Result<CheckedUpgrade, CheckError> {
    let manifest = upgrade_manifest::load(path)?;
    manifest.check_chain().map_err(CheckError::Chain)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut steps = Vec::with_capacity(manifest.steps.len());
    for entry in &manifest.steps {
        let dir = manifest.step_dir(base, entry);
        let step = check_script_dir(&dir)?;
        let script_path = dir.join("script.mv");
        let mismatch = |message: String| CheckError::Mismatch {
            path: script_path.clone(),
            message,
        };
        if hex::encode(step.sha3) != entry.script_sha3 {
            return Err(mismatch(format!(
                "SHA3-256 is {}, but the manifest says {} for step {}",
                hex::encode(step.sha3),
                entry.script_sha3,
                entry.step
            )));
        }
        if step.code.len() as u64 != entry.script_size {
            return Err(mismatch(format!(
                "is {} bytes, but the manifest says {}",
                step.code.len(),
                entry.script_size
            )));
        }
        if hex::encode(&step.embedded_next) != entry.next_hash {
            return Err(mismatch(format!(
                "embeds next hash {:?}, but the manifest says {:?}",
                hex::encode(&step.embedded_next),
                entry.next_hash
            )));
        }
        check_contents(
            &script_path,
            &step.code,
            entry,
            &manifest.inputs.framework_commit,
        )?;
        steps.push(CheckedStep {
            step: entry.step,
            package: entry.package.clone(),
            ..step
        });
    }
    // The embedded hashes, chained against the actual next files (not only the manifest).
    for pair in steps.windows(2) {
        if let [current, next] = pair {
            if current.embedded_next != next.sha3 {
                return Err(CheckError::Chain(format!(
                    "step {} embeds {} but step {}'s script hashes to {}",
                    current.step,
                    hex::encode(&current.embedded_next),
                    next.step,
                    hex::encode(next.sha3)
                )));
            }
        }
    }
    if let Some(last) = steps.last() {
        if !last.embedded_next.is_empty() {
            return Err(CheckError::Chain(format!(
                "the last step {} embeds a next hash; it must embed none",
                last.step
            )));
        }
    }
    let execution_hash = steps
        .first()
        .map(|s| s.sha3)
        .ok_or_else(|| CheckError::Chain("no steps".into()))?;
    if hex::encode(execution_hash) != manifest.execution_hash {
        return Err(CheckError::Chain(format!(
            "execution_hash {} is not step 1's actual script hash {}",
            manifest.execution_hash,
            hex::encode(execution_hash)
        )));
    }
    Ok(CheckedUpgrade {
        manifest,
        execution_hash,
        steps,
    })
}

/// Reads an upstream-style step directory: hashes `script.mv`, requires `script_sha3` (if
/// present) to match, and reads the embedded next hash.
pub fn check_script_dir(dir: &Path) -> Result<CheckedStep, CheckError> {
    let script_path = dir.join("script.mv");
    let code = read(&script_path)?;
    let sha3 = sha3_256(&code);
    let sha_path = dir.join("script_sha3");
    match std::fs::read(&sha_path) {
        Ok(recorded) => {
            let recorded = String::from_utf8_lossy(&recorded);
            let recorded = recorded.trim();
            if recorded != hex::encode(sha3) {
                return Err(CheckError::Mismatch {
                    path: sha_path,
                    message: format!(
                        "records {recorded:?} but script.mv hashes to {}",
                        hex::encode(sha3)
                    ),
                });
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(CheckError::Io {
                path: sha_path,
                source,
            })
        }
    }
    let embedded_next =
        embedded_next_hash(&code).map_err(|(offset, message)| CheckError::Bytecode {
            path: script_path.clone(),
            offset,
            message,
        })?;
    Ok(CheckedStep {
        step: 0,
        package: String::new(),
        dir: dir.to_path_buf(),
        code,
        sha3,
        embedded_next,
    })
}

/// The constants of an upgrade script, in pool order (`upgrade-scripts.md` §8, §11):
/// the framework address, the next hash, then the module blobs, the metadata chunk(s) and the
/// framework commit, each a `vector<u8>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeConstants {
    /// Constant 1: the next step's hash, 32 bytes, or empty for the last step.
    pub next_hash: Vec<u8>,
    /// Constants 2…: every further `vector<u8>` constant, in order.
    pub blobs: Vec<Vec<u8>>,
}

/// Reads the constant pool of an upgrade script with the bytecode reader. Errors carry the byte
/// offset (of the malformed byte, or of the constant of the wrong shape).
pub fn upgrade_constants(code: &[u8]) -> Result<UpgradeConstants, (usize, String)> {
    let (unit, layout) = move_bytecode::deserialize_with_layout(
        code,
        Some(move_bytecode::UnitKind::Script),
        &move_bytecode::DeserializerConfig::default(),
    )
    .map_err(|err| (err.offset, err.to_string()))?;
    let script = unit
        .as_script()
        .ok_or((0, "this is a module, not a script".to_string()))?;
    let entry_offsets = layout
        .entries
        .get(&move_bytecode::TableKind::ConstantPool)
        .cloned()
        .unwrap_or_default();
    let at = |index: usize| entry_offsets.get(index).copied().unwrap_or(0);
    let mut constants = script.constant_pool.iter().enumerate();
    match constants.next() {
        Some((_, c)) if c.type_ == move_bytecode::SignatureToken::Address => {}
        _ => return Err((at(0), "constant 0 is not the framework address".into())),
    }
    let mut next_hash = None;
    let mut blobs = Vec::new();
    for (index, constant) in constants {
        let value = constant
            .decode()
            .ok()
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| (at(index), format!("constant {index} is not a vector<u8>")))?;
        if index == 1 {
            if !(value.is_empty() || value.len() == 32) {
                return Err((
                    at(1),
                    format!(
                        "constant 1 is {} bytes; a next hash is 32 or empty",
                        value.len()
                    ),
                ));
            }
            next_hash = Some(value);
        } else {
            blobs.push(value);
        }
    }
    let next_hash = next_hash.ok_or((at(1), "no constant 1 (next hash)".to_string()))?;
    Ok(UpgradeConstants { next_hash, blobs })
}

/// The next-step hash an upgrade script embeds (constant 1); errors carry the byte offset.
pub fn embedded_next_hash(code: &[u8]) -> Result<Vec<u8>, (usize, String)> {
    upgrade_constants(code).map(|c| c.next_hash)
}

/// Compares what a script publishes with its manifest entry: each module's size and SHA3-256 in
/// order, the metadata size, and the framework commit recorded on chain.
fn check_contents(
    path: &Path,
    code: &[u8],
    entry: &framework::upgrade_manifest::UpgradeStep,
    framework_commit: &str,
) -> Result<(), CheckError> {
    let mismatch = |message: String| CheckError::Mismatch {
        path: path.to_path_buf(),
        message,
    };
    let constants = upgrade_constants(code).map_err(|(offset, message)| CheckError::Bytecode {
        path: path.to_path_buf(),
        offset,
        message,
    })?;
    let n = entry.modules.len();
    // Modules, then at least one metadata chunk, then the commit.
    let Some((commit, rest)) = constants.blobs.split_last() else {
        return Err(mismatch("the script embeds no framework commit".into()));
    };
    if rest.len() <= n {
        return Err(mismatch(format!(
            "the script embeds {} blobs before the commit; the manifest lists {n} modules plus metadata",
            rest.len()
        )));
    }
    let (modules, metadata) = rest.split_at(n);
    for (i, (blob, module)) in modules.iter().zip(&entry.modules).enumerate() {
        let sha3 = hex::encode(sha3_256(blob));
        if blob.len() as u64 != module.size || sha3 != module.sha3 {
            return Err(mismatch(format!(
                "module {i} ({}) is {} bytes with SHA3-256 {sha3}; the manifest says {} bytes, {}",
                module.name,
                blob.len(),
                module.size,
                module.sha3
            )));
        }
    }
    let metadata_size: usize = metadata.iter().map(Vec::len).sum();
    if metadata_size as u64 != entry.metadata_size {
        return Err(mismatch(format!(
            "publishes {metadata_size} bytes of package metadata (or more modules than listed); the manifest says {} bytes and {n} modules",
            entry.metadata_size
        )));
    }
    if hex::encode(commit) != framework_commit {
        return Err(mismatch(format!(
            "records framework commit {}; the manifest says {framework_commit}",
            hex::encode(commit)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error() {
        assert!(embedded_next_hash(&[]).is_err());
        assert!(embedded_next_hash(&[0xa1, 0x1c, 0xeb, 0x0b, 6, 0, 0, 0, 1, 6, 0, 200]).is_err());
        assert!(embedded_next_hash(b"not a script").is_err());
    }
}

//! Offline verification of a generated upgrade, this project's or upstream's: every step's
//! `script_sha3` is the hash of its `script.mv`, every script embeds the next step's hash (the last
//! an empty one), every source recompiles to the same bytes, and every published module is the
//! module of the release bundle it claims to come from. Nothing here trusts a file it can check.

use std::fmt;
use std::path::{Path, PathBuf};

use move_bytecode::{Bytecode, CompiledModule, CompiledScript};
use serde::Serialize;
use sha3::{Digest, Sha3_256};

use crate::bundle::ReleaseBundle;

/// The kinds of failure, in the order they are checked and reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    /// Step directories missing, duplicated or unreadable.
    Layout,
    /// A `script_sha3` file that is not the hash of its `script.mv`.
    Hash,
    /// A script whose embedded next-step hash is not the next step's script hash.
    Chain,
    /// A source that does not compile to its `script.mv`.
    Recompile,
    /// A published module that is not the bundle's module.
    Bundle,
}

impl fmt::Display for FailureClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureClass::Layout => "layout",
            FailureClass::Hash => "hash",
            FailureClass::Chain => "chain",
            FailureClass::Recompile => "recompile",
            FailureClass::Bundle => "bundle",
        })
    }
}

/// One thing that is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub class: FailureClass,
    /// The step directory, when the finding belongs to one.
    pub step: Option<String>,
    pub message: String,
}

/// What was found in one step directory.
#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
    pub step: u32,
    pub dir: String,
    pub script_size: usize,
    pub script_sha3: String,
    /// The next-step hash the script embeds (lowercase hex, empty for none).
    pub embedded_next_hash: String,
    /// Names of the modules the script publishes, in order.
    pub modules: Vec<String>,
}

/// The whole verification.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    pub steps: Vec<StepReport>,
    /// Whether each source was recompiled and compared.
    pub recompiled: bool,
    /// Whether published modules were compared with a bundle.
    pub compared_with_bundle: bool,
    pub findings: Vec<Finding>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }

    /// The findings of the first class that failed: what the verifier stops on.
    pub fn first_failure(&self) -> Vec<&Finding> {
        let Some(class) = self.findings.iter().map(|f| f.class).min() else {
            return Vec::new();
        };
        self.findings.iter().filter(|f| f.class == class).collect()
    }
}

/// A step directory found in the upgrade directory.
#[derive(Clone, Debug)]
struct StepDir {
    number: u32,
    name: String,
    path: PathBuf,
}

/// What a compiled upgrade script carries that can be checked without its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptFacts {
    /// The next-step hash passed to `resolve_multi_step_proposal`.
    pub next_hash: Vec<u8>,
    /// The module blobs pushed into the published code vector, in order.
    pub modules: Vec<Vec<u8>>,
}

/// Reads the facts out of a compiled upgrade script: the constant passed as the last argument of
/// `diem_governance::resolve_multi_step_proposal`, and every constant pushed onto a vector that
/// decodes as a module.
pub fn script_facts(bytes: &[u8]) -> Result<ScriptFacts, String> {
    let script = CompiledScript::deserialize(bytes).map_err(|e| format!("not a script: {e}"))?;
    let code = &script.code.code;
    let constant_bytes = |index: usize| -> Option<Vec<u8>> {
        let constant = script.constant_pool.get(index)?;
        constant.decode().ok()?.as_bytes()
    };

    let mut next_hash = None;
    let mut modules = Vec::new();
    for (offset, instruction) in code.iter().enumerate() {
        let previous = offset.checked_sub(1).and_then(|p| code.get(p));
        let Some(Bytecode::LdConst(constant)) = previous else {
            continue;
        };
        match instruction {
            Bytecode::Call(handle) if is_resolve_call(&script, handle.0 as usize) => {
                next_hash = constant_bytes(constant.0 as usize);
            }
            Bytecode::VecPushBack(_) => {
                if let Some(blob) = constant_bytes(constant.0 as usize) {
                    if CompiledModule::deserialize(&blob).is_ok() {
                        modules.push(blob);
                    }
                }
            }
            _ => {}
        }
    }
    let next_hash = next_hash.ok_or_else(|| {
        "no constant is passed to diem_governance::resolve_multi_step_proposal: not an upgrade step"
            .to_string()
    })?;
    Ok(ScriptFacts { next_hash, modules })
}

fn is_resolve_call(script: &CompiledScript, handle: usize) -> bool {
    let Some(function) = script.function_handles.get(handle) else {
        return false;
    };
    let name = script.identifiers.get(function.name.0 as usize);
    let module = script
        .module_handles
        .get(function.module.0 as usize)
        .and_then(|m| script.identifiers.get(m.name.0 as usize));
    name.map(|n| n.as_str()) == Some("resolve_multi_step_proposal")
        && module.map(|m| m.as_str()) == Some("diem_governance")
}

/// Why verification could not run at all (as opposed to finding something wrong).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read upgrade directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} holds no step directories (`<n>-<package-dir>` with a script.mv)")]
    NoSteps(PathBuf),
}

/// Compiles one step directory's script package and returns its bytes.
pub type Recompile<'a> = &'a mut dyn FnMut(&Path) -> Result<Vec<u8>, String>;

/// Verifies the upgrade in `dir`. `recompile`, when given, compiles one step directory's script
/// package and returns its bytes; `bundle`, when given, is the release the modules must come from.
pub fn verify_upgrade(
    dir: &Path,
    bundle: Option<&ReleaseBundle>,
    mut recompile: Option<Recompile<'_>>,
) -> Result<VerifyReport, VerifyError> {
    let mut findings = Vec::new();
    let steps = find_steps(dir, &mut findings)?;

    let mut reports = Vec::with_capacity(steps.len());
    let mut facts: Vec<Option<ScriptFacts>> = Vec::with_capacity(steps.len());
    let mut hashes: Vec<Option<[u8; 32]>> = Vec::with_capacity(steps.len());
    for step in &steps {
        let finding = |class, message: String| Finding {
            class,
            step: Some(step.name.clone()),
            message,
        };
        let script = match std::fs::read(step.path.join("script.mv")) {
            Ok(bytes) => bytes,
            Err(err) => {
                findings.push(finding(
                    FailureClass::Layout,
                    format!("cannot read script.mv: {err}"),
                ));
                facts.push(None);
                hashes.push(None);
                continue;
            }
        };
        let hash: [u8; 32] = Sha3_256::digest(&script).into();
        match std::fs::read(step.path.join("script_sha3")) {
            Ok(stored) if stored == hex::encode(hash).as_bytes() => {}
            Ok(stored) => findings.push(finding(
                FailureClass::Hash,
                format!(
                    "script_sha3 says {}, but SHA3-256 of script.mv is {}",
                    String::from_utf8_lossy(&stored).trim(),
                    hex::encode(hash)
                ),
            )),
            Err(err) => findings.push(finding(
                FailureClass::Layout,
                format!("cannot read script_sha3: {err}"),
            )),
        }
        let step_facts = match script_facts(&script) {
            Ok(f) => Some(f),
            Err(message) => {
                findings.push(finding(
                    FailureClass::Chain,
                    format!("script.mv: {message}"),
                ));
                None
            }
        };
        if let Some(recompile) = recompile.as_mut() {
            match recompile(&step.path) {
                Ok(rebuilt) if rebuilt == script => {}
                Ok(rebuilt) => findings.push(finding(
                    FailureClass::Recompile,
                    format!(
                        "the source compiles to different bytes: {}",
                        first_difference(&rebuilt, &script)
                    ),
                )),
                Err(message) => findings.push(finding(
                    FailureClass::Recompile,
                    format!("the source does not compile: {message}"),
                )),
            }
        }
        reports.push(StepReport {
            step: step.number,
            dir: step.name.clone(),
            script_size: script.len(),
            script_sha3: hex::encode(hash),
            embedded_next_hash: step_facts
                .as_ref()
                .map(|f| hex::encode(&f.next_hash))
                .unwrap_or_default(),
            modules: step_facts
                .as_ref()
                .map(|f| f.modules.iter().map(|m| module_name(m)).collect())
                .unwrap_or_default(),
        });
        facts.push(step_facts);
        hashes.push(Some(hash));
    }

    check_chain(&steps, &facts, &hashes, &mut findings);
    if let Some(bundle) = bundle {
        check_against_bundle(&steps, &facts, bundle, &mut findings);
    }
    findings.sort_by_key(|f| f.class);
    Ok(VerifyReport {
        steps: reports,
        recompiled: recompile.is_some(),
        compared_with_bundle: bundle.is_some(),
        findings,
    })
}

/// Step directories `<n>-<name>` sorted by `n`; gaps and duplicates become layout findings.
fn find_steps(dir: &Path, findings: &mut Vec<Finding>) -> Result<Vec<StepDir>, VerifyError> {
    let io = |source| VerifyError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut steps = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((number, rest)) = name.split_once('-') else {
            continue;
        };
        let (Ok(number), false) = (number.parse::<u32>(), rest.is_empty()) else {
            continue;
        };
        if entry.path().is_dir() {
            steps.push(StepDir {
                number,
                name,
                path: entry.path(),
            });
        }
    }
    if steps.is_empty() {
        return Err(VerifyError::NoSteps(dir.to_path_buf()));
    }
    steps.sort_by(|a, b| (a.number, &a.name).cmp(&(b.number, &b.name)));
    for pair in steps.windows(2) {
        if pair[0].number == pair[1].number {
            findings.push(Finding {
                class: FailureClass::Layout,
                step: Some(pair[1].name.clone()),
                message: format!(
                    "two directories claim step {}: {} and {}",
                    pair[0].number, pair[0].name, pair[1].name
                ),
            });
        }
    }
    let mut expected = 1;
    for step in &steps {
        if step.number > expected {
            findings.push(Finding {
                class: FailureClass::Layout,
                step: None,
                message: format!(
                    "step {expected} is missing (the next directory is {})",
                    step.name
                ),
            });
        }
        expected = step.number + 1;
    }
    Ok(steps)
}

fn check_chain(
    steps: &[StepDir],
    facts: &[Option<ScriptFacts>],
    hashes: &[Option<[u8; 32]>],
    findings: &mut Vec<Finding>,
) {
    for (i, step) in steps.iter().enumerate() {
        let Some(Some(step_facts)) = facts.get(i) else {
            continue;
        };
        let embedded = &step_facts.next_hash;
        let message = match (steps.get(i + 1), hashes.get(i + 1)) {
            (None, _) if embedded.is_empty() => None,
            (None, _) => Some(format!(
                "the last step embeds next hash {}, but there is no next step (a step was dropped?)",
                hex::encode(embedded)
            )),
            (Some(next), Some(Some(next_hash))) if embedded.as_slice() != next_hash.as_slice() => {
                Some(format!(
                    "embeds next hash {}, but {} has script hash {}",
                    if embedded.is_empty() { "(empty)".to_string() } else { hex::encode(embedded) },
                    next.name,
                    hex::encode(next_hash)
                ))
            }
            _ => None,
        };
        if let Some(message) = message {
            findings.push(Finding {
                class: FailureClass::Chain,
                step: Some(step.name.clone()),
                message,
            });
        }
    }
}

fn check_against_bundle(
    steps: &[StepDir],
    facts: &[Option<ScriptFacts>],
    bundle: &ReleaseBundle,
    findings: &mut Vec<Finding>,
) {
    for (step, step_facts) in steps.iter().zip(facts) {
        let Some(step_facts) = step_facts else {
            continue;
        };
        for module in &step_facts.modules {
            let name = module_name(module);
            let in_bundle = bundle
                .packages
                .iter()
                .find_map(|p| p.module(&name).map(|m| m.bytecode.to_vec()));
            let message = match in_bundle {
                None => Some(format!(
                    "publishes module `{name}`, which the bundle does not have"
                )),
                Some(expected) if &expected != module => Some(format!(
                    "module `{name}` differs from the bundle's: {}",
                    first_difference(module, &expected)
                )),
                Some(_) => None,
            };
            if let Some(message) = message {
                findings.push(Finding {
                    class: FailureClass::Bundle,
                    step: Some(step.name.clone()),
                    message,
                });
            }
        }
    }
}

/// A module blob's name, or `?` when it does not read (which `script_facts` already excludes).
fn module_name(blob: &[u8]) -> String {
    CompiledModule::deserialize(blob)
        .map(|m| m.self_id().name().as_str().to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// Says where two byte strings first differ.
pub fn first_difference(actual: &[u8], expected: &[u8]) -> String {
    match actual.iter().zip(expected).position(|(a, b)| a != b) {
        Some(at) => format!(
            "first differing byte at offset {at} (0x{:02x}, expected 0x{:02x})",
            actual[at], expected[at]
        ),
        None => format!(
            "one is a prefix of the other ({} bytes, expected {})",
            actual.len(),
            expected.len()
        ),
    }
}

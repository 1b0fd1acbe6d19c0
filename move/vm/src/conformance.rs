//! The conformance runner: for every case of a corpus laid out like `fixtures/vm/cases/` it
//! publishes the recorded modules, runs each test function in a fresh session with its arguments
//! and the unit-test runner's gas budget, and compares how it ended (status, sub status / abort
//! code, location, function, code offset, return values and write set) with the recorded outcome.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::gas::{GasMeter, UNIT_TEST_GAS_BUDGET};
use crate::loader::{short_address, Loader, ModuleKey};
use crate::publish::publish_bundle;
use crate::session::Session;
use crate::status::{Location, StatusCode, VmError};
use crate::storage::{EmptyStore, WriteOp};

/// Why a corpus could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid results file: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
}

#[derive(Deserialize)]
struct Results {
    modules: Vec<ModuleEntry>,
    #[serde(default)]
    execution_bound: Option<u64>,
    tests: Vec<TestEntry>,
}

#[derive(Deserialize)]
struct ModuleEntry {
    module: String,
    path: String,
}

#[derive(Deserialize)]
struct TestEntry {
    name: String,
    arguments: Vec<serde_json::Value>,
    vm_result: VmResultEntry,
    #[serde(default)]
    effects: Option<Effects>,
}

#[derive(Deserialize)]
struct VmResultEntry {
    status: String,
    #[serde(default)]
    return_values_bcs_hex: Vec<String>,
    #[serde(default)]
    error: Option<ErrorEntry>,
}

#[derive(Deserialize)]
struct ErrorEntry {
    major_status: MajorStatus,
    sub_status: Option<u64>,
    location: Option<String>,
    offsets: Vec<OffsetEntry>,
}

#[derive(Deserialize)]
struct MajorStatus {
    name: String,
    code: u64,
}

#[derive(Deserialize)]
struct OffsetEntry {
    function: String,
    code_offset: u64,
}

#[derive(Deserialize)]
struct Effects {
    accounts: Vec<AccountEffects>,
    #[serde(default)]
    events: u64,
}

#[derive(Deserialize)]
struct AccountEffects {
    address: String,
    resources: Vec<ResourceEffect>,
}

#[derive(Deserialize)]
struct ResourceEffect {
    #[serde(rename = "type")]
    type_: String,
    op: String,
    #[serde(default)]
    bcs_hex: Option<String>,
}

/// One test whose outcome differs from the reference.
#[derive(Clone, Debug, Serialize)]
pub struct Mismatch {
    pub case: String,
    pub test: String,
    pub expected: String,
    pub actual: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: expected {}, got {}",
            self.case, self.test, self.expected, self.actual
        )
    }
}

/// Outcome of one case.
#[derive(Clone, Debug, Serialize)]
pub struct CaseReport {
    pub case: String,
    pub tests: usize,
    pub matched: usize,
    /// Instructions executed over all tests of the case.
    pub instructions: u64,
    pub mismatches: Vec<Mismatch>,
}

/// Outcome of a whole corpus.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub tests: usize,
    pub matched: usize,
    pub cases: Vec<CaseReport>,
}

impl Report {
    pub fn mismatches(&self) -> impl Iterator<Item = &Mismatch> {
        self.cases.iter().flat_map(|c| c.mismatches.iter())
    }

    /// `N/M tests match the reference`.
    pub fn summary(&self) -> String {
        format!("{}/{} tests match the reference", self.matched, self.tests)
    }
}

/// Runs every case directory under `cases_dir` (those with `expected/results.json`), in name order.
pub fn run_corpus(cases_dir: &Path) -> Result<Report, ConformanceError> {
    let io = |source| ConformanceError::Io {
        path: cases_dir.to_path_buf(),
        source,
    };
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(cases_dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.join("expected/results.json").is_file() {
            dirs.push(path);
        }
    }
    dirs.sort();
    let mut report = Report {
        tests: 0,
        matched: 0,
        cases: Vec::new(),
    };
    for dir in dirs {
        let case = run_case(&dir)?;
        report.tests += case.tests;
        report.matched += case.matched;
        report.cases.push(case);
    }
    Ok(report)
}

/// Runs one case directory.
pub fn run_case(case_dir: &Path) -> Result<CaseReport, ConformanceError> {
    run_case_filtered(case_dir, |_| true)
}

/// Runs the tests of one case whose full name (`0x42::m::f`) passes `filter`.
pub fn run_case_filtered(
    case_dir: &Path,
    filter: impl Fn(&str) -> bool,
) -> Result<CaseReport, ConformanceError> {
    let case = LoadedCase::load(case_dir)?;
    let mut report = CaseReport {
        case: case.name.clone(),
        tests: 0,
        matched: 0,
        instructions: 0,
        mismatches: Vec::new(),
    };
    for test in case.results.tests.iter().filter(|t| filter(&t.name)) {
        report.tests += 1;
        let outcome = case.run(test);
        report.instructions += outcome.instructions;
        match outcome.mismatch {
            None => report.matched += 1,
            Some((expected, actual)) => report.mismatches.push(Mismatch {
                case: case.name.clone(),
                test: test.name.clone(),
                expected,
                actual,
            }),
        }
    }
    Ok(report)
}

/// How one test went: the difference from the reference (expected, actual), if any, and the
/// number of instructions executed.
#[derive(Clone, Debug)]
pub struct TestOutcome {
    pub mismatch: Option<(String, String)>,
    pub instructions: u64,
}

/// A case read from disk with its modules published into a fresh loader.
pub struct LoadedCase {
    pub name: String,
    results: Results,
    loader: Result<Loader, VmError>,
    budget: u64,
}

impl LoadedCase {
    /// Reads `expected/results.json` and publishes every module it lists.
    pub fn load(case_dir: &Path) -> Result<Self, ConformanceError> {
        let name = case_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let results_path = case_dir.join("expected/results.json");
        let text =
            std::fs::read_to_string(&results_path).map_err(|source| ConformanceError::Io {
                path: results_path.clone(),
                source,
            })?;
        let results: Results =
            serde_json::from_str(&text).map_err(|source| ConformanceError::Json {
                path: results_path.clone(),
                source,
            })?;
        let mut blobs = Vec::with_capacity(results.modules.len());
        for m in &results.modules {
            let path = case_dir.join(&m.path);
            let bytes = std::fs::read(&path).map_err(|source| ConformanceError::Io {
                path: path.clone(),
                source,
            })?;
            if bytes.is_empty() {
                return Err(ConformanceError::Format {
                    path,
                    message: format!("module {} is empty", m.module),
                });
            }
            blobs.push(bytes);
        }
        let mut loader = Loader::new();
        let loader = publish_bundle(&mut loader, &blobs).map(|_| loader);
        let budget = results.execution_bound.unwrap_or(UNIT_TEST_GAS_BUDGET);
        Ok(LoadedCase {
            name,
            results,
            loader,
            budget,
        })
    }

    /// Full names (`0x42::m::f`) of the case's tests, in file order.
    pub fn test_names(&self) -> Vec<&str> {
        self.results.tests.iter().map(|t| t.name.as_str()).collect()
    }

    /// Runs the named test in a fresh session; `None` if the case has no such test.
    pub fn run_test(&self, name: &str) -> Option<TestOutcome> {
        let test = self.results.tests.iter().find(|t| t.name == name)?;
        Some(self.run(test))
    }

    fn run(&self, test: &TestEntry) -> TestOutcome {
        let (actual, instructions) = match &self.loader {
            Err(e) => (Err(format!("publishing failed: {e}")), 0),
            Ok(loader) => match run_test(loader, test, self.budget) {
                Ok((actual, n)) => (Ok(actual), n),
                Err(e) => (Err(e), 0),
            },
        };
        let mismatch = match actual.and_then(|a| compare(test, &a)) {
            Ok(()) => None,
            Err(detail) => Some(
                detail
                    .split_once('\u{0}')
                    .map_or((detail.clone(), String::new()), |(a, b)| {
                        (a.to_string(), b.to_string())
                    }),
            ),
        };
        TestOutcome {
            mismatch,
            instructions,
        }
    }
}

/// How one test ended in this VM.
struct Actual {
    result: Result<(Vec<Vec<u8>>, crate::session::ChangeSet), VmError>,
}

fn parse_address(text: &str) -> Result<[u8; 32], String> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    if digits.is_empty() || digits.len() > 64 {
        return Err(format!("bad address {text}"));
    }
    let padded = format!("{digits:0>64}");
    let mut out = [0u8; 32];
    hex::decode_to_slice(&padded, &mut out).map_err(|_| format!("bad address {text}"))?;
    Ok(out)
}

fn run_test(loader: &Loader, test: &TestEntry, budget: u64) -> Result<(Actual, u64), String> {
    let mut parts = test.name.splitn(3, "::");
    let (Some(addr), Some(module), Some(func)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("bad test name {}", test.name));
    };
    let key = ModuleKey {
        address: parse_address(addr)?,
        name: module.to_string(),
    };
    let mut args = Vec::new();
    for a in &test.arguments {
        let addr = a
            .get("address")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("unsupported argument {a}"))?;
        args.push(parse_address(addr)?.to_vec());
    }
    let store = EmptyStore;
    let mut session = Session::new(loader, &store);
    let mut gas = GasMeter::new(budget);
    let result = session.execute_function(&key, func, Vec::new(), &args, &mut gas, true);
    let instructions = result.as_ref().map_or(0, |o| o.instructions);
    let result = match result {
        Ok(out) => session.finish().map(|cs| (out.return_values, cs)),
        Err(e) => Err(e),
    };
    Ok((Actual { result }, instructions))
}

fn describe_error(e: &VmError) -> String {
    let loc = match &e.location {
        Location::Module(m) => m.clone(),
        other => other.to_string(),
    };
    let off = e
        .offsets
        .first()
        .map(|o| format!(" in {} at {}", o.function, o.code_offset))
        .unwrap_or_default();
    format!(
        "{}({}) sub={:?} at {loc}{off}",
        e.major_status.name(),
        e.major_status.code(),
        e.sub_status
    )
}

fn describe_expected_error(e: &ErrorEntry) -> String {
    let off = e
        .offsets
        .first()
        .map(|o| format!(" in {} at {}", o.function, o.code_offset))
        .unwrap_or_default();
    format!(
        "{}({}) sub={:?} at {}{off}",
        e.major_status.name,
        e.major_status.code,
        e.sub_status,
        e.location.as_deref().unwrap_or("undefined")
    )
}

/// `Ok` when the outcome matches; otherwise "expected\0actual".
fn compare(test: &TestEntry, actual: &Actual) -> Result<(), String> {
    match (&test.vm_result.error, &actual.result) {
        (Some(exp), Err(got)) => {
            let mut same = exp.major_status.code == got.major_status.code()
                && exp.major_status.name == got.major_status.name()
                && exp.sub_status == got.sub_status;
            let got_loc = match &got.location {
                Location::Module(m) => Some(m.clone()),
                Location::Script => Some("script".to_string()),
                Location::Undefined => None,
            };
            same &= exp.location == got_loc;
            match (exp.offsets.first(), got.offsets.first()) {
                (Some(e), Some(g)) => {
                    same &= e.function == g.function;
                    if got.major_status != StatusCode::OUT_OF_GAS {
                        same &= e.code_offset == g.code_offset as u64;
                    }
                }
                (None, None) => {}
                _ => same = false,
            }
            if same {
                Ok(())
            } else {
                Err(format!(
                    "{}\u{0}{}",
                    describe_expected_error(exp),
                    describe_error(got)
                ))
            }
        }
        (Some(exp), Ok(_)) => Err(format!("{}\u{0}EXECUTED", describe_expected_error(exp))),
        (None, Err(got)) => Err(format!(
            "{}\u{0}{}",
            test.vm_result.status,
            describe_error(got)
        )),
        (None, Ok((returns, changes))) => {
            if test.vm_result.status != "EXECUTED" {
                return Err(format!("{}\u{0}EXECUTED", test.vm_result.status));
            }
            let got_returns: Vec<String> = returns.iter().map(hex::encode).collect();
            if got_returns != test.vm_result.return_values_bcs_hex {
                return Err(format!(
                    "return values {:?}\u{0}{:?}",
                    test.vm_result.return_values_bcs_hex, got_returns
                ));
            }
            let mut expected = Vec::new();
            let mut expected_events = 0;
            if let Some(eff) = &test.effects {
                expected_events = eff.events;
                for acc in &eff.accounts {
                    for r in &acc.resources {
                        expected.push(format!(
                            "{} {} {} {}",
                            acc.address,
                            r.type_,
                            r.op,
                            r.bcs_hex.clone().unwrap_or_default()
                        ));
                    }
                }
            }
            let mut got: Vec<String> = changes
                .resources
                .iter()
                .map(|c| {
                    let (op, bytes) = match &c.op {
                        WriteOp::New(b) => ("new", hex::encode(b)),
                        WriteOp::Modify(b) => ("modify", hex::encode(b)),
                        WriteOp::Delete => ("delete", String::new()),
                    };
                    format!("{} {} {op} {bytes}", short_address(&c.address), c.type_tag)
                })
                .collect();
            expected.sort();
            got.sort();
            if expected != got {
                return Err(format!("write set {expected:?}\u{0}{got:?}"));
            }
            if expected_events != changes.events.len() as u64 {
                return Err(format!(
                    "{expected_events} events\u{0}{} events",
                    changes.events.len()
                ));
            }
            Ok(())
        }
    }
}

//! Corrupted bytecode (truncations and byte flips of the corpus modules) must never panic the
//! loader or the interpreter: every outcome is a status. The dependencies are published once and
//! the loader forked per input, so thousands of inputs run quickly.

use std::path::Path;

use move_vm::{publish_bundle, EmptyStore, GasMeter, Loader, ModuleKey, Session};
use proptest::prelude::*;

/// Cases whose own modules are corrupted (they cover arithmetic, vectors, storage, generics,
/// calls, natives and limits).
const CASES: [&str; 8] = [
    "arith_u8",
    "vector_bytecodes",
    "global_basic",
    "generics_basic",
    "recursion_limits",
    "vendor_table",
    "struct_pack_unpack",
    "integration_bank",
];

struct Prepared {
    base: Loader,
    /// The case's own modules (address 0x42) as bytes.
    own: Vec<Vec<u8>>,
    /// Tests: module key, function name, signer arguments.
    tests: Vec<(ModuleKey, String, Vec<Vec<u8>>)>,
}

fn address(text: &str) -> [u8; 32] {
    let digits = text.trim_start_matches("0x");
    let padded = format!("{digits:0>64}");
    let mut out = [0u8; 32];
    hex::decode_to_slice(padded, &mut out).expect("corpus address");
    out
}

fn prepare(dir: &Path) -> Prepared {
    let text = std::fs::read_to_string(dir.join("expected/results.json")).expect("results");
    let results: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut deps = Vec::new();
    let mut own = Vec::new();
    for m in results["modules"].as_array().expect("modules") {
        let bytes = std::fs::read(dir.join(m["path"].as_str().expect("path"))).expect("module");
        if m["module"].as_str().expect("name").starts_with("0x1::") {
            deps.push(bytes);
        } else {
            own.push(bytes);
        }
    }
    let mut base = Loader::new();
    publish_bundle(&mut base, &deps).expect("dependencies publish");
    let tests = results["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| {
            let name = t["name"].as_str().expect("name");
            let mut parts = name.splitn(3, "::");
            let (a, m, f) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            let args = t["arguments"]
                .as_array()
                .expect("arguments")
                .iter()
                .map(|a| address(a["address"].as_str().expect("address")).to_vec())
                .collect();
            (
                ModuleKey {
                    address: address(a),
                    name: m.to_string(),
                },
                f.to_string(),
                args,
            )
        })
        .collect();
    Prepared { base, own, tests }
}

fn corpus() -> Option<Vec<Prepared>> {
    let dir = libra_fixtures::require("vm/cases")?;
    Some(CASES.iter().map(|c| prepare(&dir.join(c))).collect())
}

/// Publishes the case's modules with one of them corrupted and runs every test on a small budget.
/// Returns whether the corrupted bundle was accepted (and so its code ran).
fn exercise(p: &Prepared, module: usize, cut: Option<usize>, flips: &[(usize, u8)]) -> bool {
    let mut own = p.own.clone();
    let index = module % own.len();
    let blob = &mut own[index];
    for (pos, mask) in flips {
        let len = blob.len();
        blob[pos % len] ^= mask;
    }
    if let Some(cut) = cut {
        let len = blob.len();
        blob.truncate(cut % len);
    }
    let mut loader = p.base.clone();
    if publish_bundle(&mut loader, &own).is_err() {
        return false;
    }
    let store = EmptyStore;
    for (key, function, args) in &p.tests {
        let mut session = Session::new(&loader, &store);
        let mut gas = GasMeter::new(50);
        if session
            .execute_function(key, function, Vec::new(), args, &mut gas, true)
            .is_ok()
        {
            let _ = session.finish();
        }
    }
    true
}

thread_local! {
    static CORPUS: Option<Vec<Prepared>> = corpus();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn corrupted_modules_never_panic(
        case in 0usize..CASES.len(),
        module in any::<usize>(),
        cut in proptest::option::weighted(0.3, any::<usize>()),
        flips in proptest::collection::vec((any::<usize>(), 1u8..=255), 0..4),
    ) {
        CORPUS.with(|c| {
            if let Some(prepared) = c {
                exercise(&prepared[case], module, cut, &flips);
            }
        });
    }
}

#[test]
fn every_truncation_of_one_module_is_refused_or_runs() {
    CORPUS.with(|c| {
        let Some(prepared) = c else { return };
        let p = &prepared[0];
        for cut in 0..p.own[0].len() {
            exercise(p, 0, Some(cut), &[]);
        }
    });
}

/// Single-byte flips over a whole module: none may panic, and enough of them must still load
/// that the interpreter, not only the reader, sees corrupted code.
#[test]
fn single_byte_flips_reach_the_interpreter() {
    CORPUS.with(|c| {
        let Some(prepared) = c else { return };
        let p = &prepared[1];
        let len = p.own[0].len();
        let mut accepted = 0;
        for pos in 0..len {
            for mask in [0x01u8, 0x80, 0xff] {
                if exercise(p, 0, None, &[(pos, mask)]) {
                    accepted += 1;
                }
            }
        }
        eprintln!(
            "{accepted} of {} corrupted modules were accepted and run",
            3 * len
        );
        assert!(
            accepted > len / 10,
            "only {accepted} corrupted modules loaded"
        );
    });
}

//! Runs the VM over the shared conformance corpus (`fixtures/vm/cases`) and checks that every
//! test ends exactly as the reference VM ended it.

/// Tests that must match (all of them).
const FLOOR: usize = 328;

#[test]
fn corpus_matches_reference() {
    let Some(dir) = libra_fixtures::require("vm/cases") else {
        return;
    };
    let report = move_vm::conformance::run_corpus(&dir).expect("corpus readable");
    for m in report.mismatches() {
        eprintln!("{m}");
    }
    eprintln!("{}", report.summary());
    assert_eq!(report.tests, 328, "corpus size");
    assert!(
        report.matched >= FLOOR,
        "{} (floor {FLOOR})",
        report.summary()
    );
}

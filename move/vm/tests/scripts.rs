//! Scripts from the compiler corpus (`fixtures/conformance/cases/l1_*`) run over MoveStdlib: the
//! expected outcomes follow from the Move source of each script (which assert or abort fires for
//! the given arguments), and errors inside a script are located at `Script`.

use move_vm::{publish_bundle, EmptyStore, GasMeter, Loader, Location, Session, StatusCode};

/// MoveStdlib as one VM case loaded it (a consistent set of test-mode modules).
fn stdlib() -> Option<Loader> {
    let case = libra_fixtures::require("vm/cases/arith_u8")?;
    let text = std::fs::read_to_string(case.join("expected/results.json")).expect("results");
    let results: serde_json::Value = serde_json::from_str(&text).expect("json");
    let blobs: Vec<Vec<u8>> = results["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .filter(|m| m["package"] == "MoveStdlib")
        .map(|m| std::fs::read(case.join(m["path"].as_str().expect("path"))).expect("module"))
        .collect();
    let mut loader = Loader::new();
    publish_bundle(&mut loader, &blobs).expect("MoveStdlib publishes");
    Some(loader)
}

fn u64s(values: &[u64]) -> Vec<Vec<u8>> {
    values.iter().map(|v| v.to_le_bytes().to_vec()).collect()
}

/// How a script failed: status, abort code, location, function.
type Failure = (StatusCode, Option<u64>, Location, String);

/// Runs `script-0.mv` of a corpus case.
fn run(loader: &Loader, case: &str, args: &[Vec<u8>]) -> Option<Result<(), Failure>> {
    let script = libra_fixtures::read(&format!("conformance/cases/{case}/expected/script-0.mv"))?;
    let store = EmptyStore;
    let mut session = Session::new(loader, &store);
    let mut gas = GasMeter::new(1_000_000);
    Some(
        session
            .execute_script(&script, Vec::new(), args, &mut gas)
            .map(|_| ())
            .map_err(|e| {
                let function = e
                    .offsets
                    .first()
                    .map(|o| o.function.clone())
                    .unwrap_or_default();
                (e.major_status, e.sub_status, e.location, function)
            }),
    )
}

#[test]
fn abort_and_assert_outcomes_follow_the_source() {
    let Some(loader) = stdlib() else { return };
    let aborted = |code| {
        Err((
            StatusCode::ABORTED,
            Some(code),
            Location::Script,
            "main".to_string(),
        ))
    };
    // assert!(x != 0, 1)
    assert_eq!(
        run(&loader, "l1_abort_assert", &u64s(&[0, 8])),
        Some(aborted(1))
    );
    // assert!(y > x, EBAD_INPUT = 0x10001)
    assert_eq!(
        run(&loader, "l1_abort_assert", &u64s(&[5, 5])),
        Some(aborted(0x10001))
    );
    // if (x == 7) abort 77
    assert_eq!(
        run(&loader, "l1_abort_assert", &u64s(&[7, 8])),
        Some(aborted(77))
    );
    // if (y == 9) abort EBAD_INPUT + 1
    assert_eq!(
        run(&loader, "l1_abort_assert", &u64s(&[3, 9])),
        Some(aborted(0x10002))
    );
    // if (x > 50) abort 3
    assert_eq!(
        run(&loader, "l1_abort_assert", &u64s(&[60, 61])),
        Some(aborted(3))
    );
    // Nothing fires.
    assert_eq!(
        run(&loader, "l1_abort_assert", &u64s(&[2, 3])),
        Some(Ok(()))
    );
}

#[test]
fn script_arithmetic_errors_are_located_at_script() {
    let Some(loader) = stdlib() else { return };
    let args = |a: u8| {
        vec![
            vec![a],
            10u16.to_le_bytes().to_vec(),
            5000u32.to_le_bytes().to_vec(),
            9u64.to_le_bytes().to_vec(),
            100u128.to_le_bytes().to_vec(),
            {
                let mut f = [0u8; 32];
                f[0] = 3;
                f.to_vec()
            },
        ]
    };
    assert_eq!(run(&loader, "l1_arith_widths", &args(20)), Some(Ok(())));
    // a + 1 overflows u8.
    assert_eq!(
        run(&loader, "l1_arith_widths", &args(255)),
        Some(Err((
            StatusCode::ARITHMETIC_ERROR,
            None,
            Location::Script,
            "main".to_string()
        )))
    );
    // Wrong argument count.
    let short = run(&loader, "l1_arith_widths", &args(1)[..2]).map(|r| r.map_err(|e| e.0));
    assert_eq!(short, Some(Err(StatusCode::NUMBER_OF_ARGUMENTS_MISMATCH)));
}

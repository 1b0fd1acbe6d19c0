//! Interpreter throughput on two corpus tests: a loop-heavy one (`recursion_limits::fibonacci`,
//! recursive calls and arithmetic) and a storage-heavy one (`bank::transfer_moves_value`,
//! move_to / borrow_global_mut / move_from and the write set). Criterion reports the rate as
//! elements per second, where one element is one executed instruction.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use move_vm::conformance::LoadedCase;

const TESTS: [(&str, &str, &str); 2] = [
    (
        "loop_heavy",
        "recursion_limits",
        "0x42::recursion_limits::fibonacci",
    ),
    (
        "storage_heavy",
        "integration_bank",
        "0x42::bank::transfer_moves_value",
    ),
];

fn bench(c: &mut Criterion) {
    let Some(dir) = libra_fixtures::require("vm/cases") else {
        return;
    };
    let mut group = c.benchmark_group("vm");
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(3));
    group.warm_up_time(std::time::Duration::from_millis(500));
    for (label, case, test) in TESTS {
        let loaded = LoadedCase::load(&dir.join(case)).expect("case loads");
        let first = loaded.run_test(test).expect("test exists");
        assert!(
            first.mismatch.is_none(),
            "{test} differs from the reference: {:?}",
            first.mismatch
        );
        group.throughput(Throughput::Elements(first.instructions));
        group.bench_function(label, |b| b.iter(|| loaded.run_test(test)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

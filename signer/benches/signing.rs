//! How long the signer's local work takes for the largest upgrade step: building, signing,
//! encoding and hashing the resolve transaction of the 214 KB step-3 script, decoding it back,
//! and re-hashing the script with its embedded next hash. Uses a synthetic script of the same
//! size when the fixtures are absent.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use signer::governance;
use signer::keys::PrivateKey;
use signer::manifest_check::embedded_next_hash;
use signer::session::{build_and_sign, GasParams};
use signer::transaction::{sha3_256, SignedTransaction};

fn step3_script() -> Vec<u8> {
    libra_fixtures::read("libra/upgrade/multi-lib/3-libra-framework/script.mv")
        .unwrap_or_else(|| vec![0x5a; 214_028])
}

fn bench(c: &mut Criterion) {
    let code = step3_script();
    let key = PrivateKey::from_hex(&"01".repeat(32), "bench").expect("key");
    let sender = key.derived_address();
    let gas = GasParams {
        max_gas_amount: 100_000,
        gas_unit_price: 200,
    };
    let mut group = c.benchmark_group("resolve_step3");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(2));
    group.warm_up_time(Duration::from_millis(500));
    group.bench_function("build_sign_encode_hash", |b| {
        b.iter(|| {
            let payload = governance::resolve_payload(code.clone(), 7);
            build_and_sign(&key, sender, 3, payload, 4, gas, 1_700_000_000).expect("sign")
        })
    });
    let prepared = build_and_sign(
        &key,
        sender,
        3,
        governance::resolve_payload(code.clone(), 7),
        4,
        gas,
        1_700_000_000,
    )
    .expect("sign");
    group.bench_function("decode_and_verify", |b| {
        b.iter(|| {
            let txn = SignedTransaction::from_bcs(&prepared.bytes).expect("decode");
            txn.verify_signature().expect("verify");
        })
    });
    group.bench_function("rehash_and_read_next_hash", |b| {
        b.iter(|| (sha3_256(&code), embedded_next_hash(&code).ok()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

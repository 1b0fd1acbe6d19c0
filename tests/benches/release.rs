//! Building releases with the workspace compiler: this repository's `framework/` in production
//! mode (what `cargo xtask release` and `cargo xtask verify` do), and mainnet's three packages
//! (130 modules, extracted from `mainnet.mrb` as `cargo xtask inspect --extract` does) in dev mode.
//!
//! `cargo bench -p workspace-tests --bench release`

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use framework::inspect::extract_bundle;
use framework::release::build_framework;
use framework::ReleaseBundle;
use move_package::BuildMode;

fn bench(c: &mut Criterion) {
    let framework = libra_fixtures::workspace_root().join("framework");
    let mut group = c.benchmark_group("release");
    // Each iteration compiles whole packages; ten samples are enough to see a median.
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("framework/ production", |b| {
        b.iter(|| {
            let release =
                build_framework(&framework, BuildMode::Production, |_| {}).expect("builds");
            std::hint::black_box(release.to_bytes_and_manifest().expect("encodes"))
        })
    });

    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        group.finish();
        return;
    };
    let mainnet = ReleaseBundle::read(&bytes).expect("mainnet.mrb reads");
    let tmp = tempfile::tempdir().expect("tempdir");
    extract_bundle(&mainnet, tmp.path()).expect("mainnet extracts");
    group.bench_function("mainnet 3 packages dev", |b| {
        b.iter(|| {
            let release = build_framework(tmp.path(), BuildMode::Dev, |_| {}).expect("builds");
            std::hint::black_box(release.to_bytes_and_manifest().expect("encodes"))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

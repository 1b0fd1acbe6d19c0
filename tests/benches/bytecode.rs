//! Reading and writing every module of `mainnet.mrb` (130 modules, about 950 KB of bytecode).
//!
//! `cargo bench -p workspace-tests --bench bytecode`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use framework::ReleaseBundle;
use move_bytecode::CompiledModule;

fn mainnet_modules() -> Option<Vec<Vec<u8>>> {
    let bytes = libra_fixtures::read("libra/releases/mainnet.mrb")?;
    let bundle = ReleaseBundle::read(&bytes).expect("mainnet.mrb reads");
    Some(
        bundle
            .packages
            .iter()
            .flat_map(|p| p.code.iter().cloned())
            .collect(),
    )
}

fn bench(c: &mut Criterion) {
    let Some(blobs) = mainnet_modules() else {
        return;
    };
    let total: usize = blobs.iter().map(Vec::len).sum();
    let modules: Vec<CompiledModule> = blobs
        .iter()
        .map(|b| CompiledModule::deserialize(b).expect("module reads"))
        .collect();

    let mut group = c.benchmark_group("mainnet.mrb modules");
    group.sample_size(20);
    group.measurement_time(std::time::Duration::from_secs(3));
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("read all 130", |b| {
        b.iter(|| {
            for blob in &blobs {
                std::hint::black_box(CompiledModule::deserialize(blob).unwrap());
            }
        })
    });
    group.bench_function("write all 130", |b| {
        b.iter(|| {
            for module in &modules {
                std::hint::black_box(module.serialize().unwrap());
            }
        })
    });
    group.bench_function("read and write all 130", |b| {
        b.iter(|| {
            for blob in &blobs {
                let module = CompiledModule::deserialize(blob).unwrap();
                std::hint::black_box(module.serialize().unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

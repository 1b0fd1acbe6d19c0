//! Parser throughput: the 1.2 MB upgrade script `3-libra-framework.move` and all 130 module
//! sources embedded in `mainnet.mrb`, reported in bytes per second. Run with
//! `cargo bench -p move-compiler --bench parse`.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use move_compiler::parser::{ast::FileId, parse_file};

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    if let Some(bytes) = libra_fixtures::read(
        "libra/upgrade/multi-lib/3-libra-framework/sources/3-libra-framework.move",
    ) {
        let text = String::from_utf8(bytes).expect("UTF-8 source");
        assert!(!parse_file(FileId(0), &text).has_errors());
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("3-libra-framework.move", |b| {
            b.iter(|| parse_file(FileId(0), black_box(&text)))
        });
    }

    if let Some(path) = libra_fixtures::require("libra/releases/mainnet.mrb") {
        let bundle = framework::ReleaseBundle::read_file(&path).expect("mainnet.mrb decodes");
        let mut sources = Vec::new();
        for package in &bundle.packages {
            sources.extend(
                package
                    .sources()
                    .expect("sources decompress")
                    .into_iter()
                    .map(|(_, t)| t),
            );
        }
        let total: usize = sources.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(total as u64));
        group.bench_function("mainnet sources (130 files)", |b| {
            b.iter(|| {
                for s in &sources {
                    black_box(parse_file(FileId(0), black_box(s)));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);

//! Benchmark: compiling the largest upgrade script, `3-libra-framework.move` (1.2 MB of source,
//! 214 KB of bytecode), against the modules of its bundle; and the conformance script that
//! calls inline functions with lambdas, which also parses the bundle's embedded sources.

use std::collections::BTreeMap;

use criterion::{criterion_group, criterion_main, Criterion};
use framework::bundle::ReleaseBundle;
use move_bytecode::{AccountAddress, CompiledModule};
use move_compiler::{compile_script, CompileOptions};

fn bench(c: &mut Criterion) {
    let (Some(bundle), Some(source)) = (
        libra_fixtures::read("libra/upgrade/multi-lib/head_all_your_base.mrb"),
        libra_fixtures::read(
            "libra/upgrade/multi-lib/3-libra-framework/sources/3-libra-framework.move",
        ),
    ) else {
        return;
    };
    let bundle = ReleaseBundle::read(&bundle).expect("bundle reads");
    let modules: Vec<CompiledModule> = bundle
        .packages
        .iter()
        .flat_map(|p| p.code.iter())
        .map(|code| CompiledModule::deserialize(code).expect("module reads"))
        .collect();
    let named: BTreeMap<String, AccountAddress> =
        [("std", 1u64), ("diem_framework", 1), ("diem_std", 1)]
            .into_iter()
            .map(|(n, a)| (n.to_string(), AccountAddress::from_u64(a)))
            .collect();
    let options = CompileOptions {
        named_addresses: named,
        ..Default::default()
    };
    let text = String::from_utf8(source).expect("utf8");
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(5));
    group.bench_function("3-libra-framework.move", |b| {
        b.iter(|| compile_script(&text, &modules, &options).expect("compiles"))
    });
    if let Some(inline) =
        libra_fixtures::read("conformance/cases/l1_inline_lambda/sources/inline_lambda.move")
    {
        let sources: Vec<(String, String)> = bundle
            .packages
            .iter()
            .flat_map(|p| p.metadata.modules.iter())
            .filter_map(|m| Some((m.name.clone(), m.source_text().ok()??)))
            .collect();
        let options = CompileOptions {
            dependency_sources: sources,
            ..options.clone()
        };
        let text = String::from_utf8(inline).expect("utf8");
        group.bench_function("inline_lambda.move", |b| {
            b.iter(|| compile_script(&text, &modules, &options).expect("compiles"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Inline functions of the bundle's own sources (std::vector, std::option, math64) compile
//! when called from a script with lambdas: the expansion resolves names in the defining
//! module, infers the type arguments and passes every later check.

use std::collections::BTreeMap;

use framework::bundle::ReleaseBundle;
use move_bytecode::{AccountAddress, CompiledModule};
use move_compiler::{compile_script, CompileOptions};

fn env() -> Option<(Vec<CompiledModule>, CompileOptions)> {
    let bytes = libra_fixtures::read("libra/upgrade/multi-lib/head_all_your_base.mrb")?;
    let bundle = ReleaseBundle::read(&bytes).expect("bundle reads");
    let mut modules = vec![];
    let mut named = BTreeMap::new();
    let mut sources = vec![];
    for p in &bundle.packages {
        for code in &p.code {
            modules.push(CompiledModule::deserialize(code).expect("module reads"));
        }
        for m in &p.metadata.modules {
            if let Some(text) = m.source_text().expect("module source") {
                sources.push((format!("{}.move", m.name), text));
            }
        }
        let text = p.manifest_text().expect("manifest");
        let m = move_package::manifest::parse_manifest("Move.toml", &text).expect("parses");
        for (k, v) in m.addresses.unwrap_or_default() {
            if let Some(a) = v {
                named.insert(k, AccountAddress::new(a));
            }
        }
    }
    Some((
        modules,
        CompileOptions {
            named_addresses: named,
            dependency_sources: sources,
            test_mode: false,
        },
    ))
}

const CALLS: &[(&str, &str)] = &[
    ("any", "let b = vector::any(&v, |e| *e > 2); assert!(b, 1);"),
    ("all", "let b = vector::all(&v, |e| *e > 0); assert!(b, 1);"),
    ("for_each_mut", "vector::for_each_mut(&mut v, |e| *e = *e + 1);"),
    ("enumerate_ref", "let s = 0; vector::enumerate_ref(&v, |i, e| s = s + i * *e); assert!(s > 0, 1);"),
    ("filter", "let w = vector::filter(v, |e| *e % 2 == 0); assert!(vector::length(&w) == 1, 1);"),
    ("map_ref", "let w = vector::map_ref(&v, |e| *e + 1); assert!(vector::length(&w) == 3, 1);"),
    ("foldr", "let t = vector::foldr(v, 0, |e, acc| e + acc); assert!(t == 6, 1);"),
    ("zip_map", "let w = vector::zip_map(v, vector[4, 5, 6], |a, b| a * b); assert!(vector::length(&w) == 3, 1);"),
    ("partition", "let p = vector::partition(&mut v, |e| *e < 2); assert!(p == 1, 1);"),
    ("nested", "let t = vector::fold(vector::map(v, |e| e + 1), 0, |a, e| a + e); assert!(t == 9, 1);"),
    ("option_map", "let o = option::map(option::some(1u64), |x| x + 1); assert!(option::destroy_some(o) == 2, 1);"),
    ("option_for_each", "let s = 0; option::for_each(option::some(v), |w| s = vector::length(&w)); assert!(s == 3, 1);"),
    ("explicit_type_args", "let w = vector::map<u64, u8>(v, |e| (e as u8)); assert!(vector::length(&w) == 3, 1);"),
    ("inline_in_lambda", "let s = 0; let w = vector[1u64]; vector::for_each(v, |e| vector::for_each_ref(&w, |x| s = s + *x + e)); assert!(s == 9, 1);"),
    ("math64", "let x = math64::mul_div(6, 4, 3); assert!(x == 8, 1);"),
];

#[test]
fn std_inline_functions_compile() {
    let Some((modules, options)) = env() else {
        return;
    };
    let mut failures = vec![];
    for (name, body) in CALLS {
        let src = format!(
            "script {{\n    use std::vector;\n    use std::option;\n    use diem_std::math64;\n    \
             fun main() {{\n        let v = vector[1u64, 2, 3];\n        {body}\n    }}\n}}\n"
        );
        if let Err(e) = compile_script(&src, &modules, &options) {
            let rendered: String = e
                .diagnostics
                .iter()
                .map(|d| d.render("s.move", &src))
                .collect();
            failures.push(format!("{name}:\n{rendered}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

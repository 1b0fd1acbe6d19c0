//! The compiler rejects bad scripts with a diagnostic that names the problem (its error code) and
//! points at the offending span (line and column), and never panics, whatever the input.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use framework::bundle::ReleaseBundle;
use move_bytecode::{AccountAddress, CompiledModule};
use move_compiler::{compile_script, CompileOptions};
use proptest::prelude::*;

struct Env {
    modules: Vec<CompiledModule>,
    options: CompileOptions,
}

fn env() -> Option<&'static Env> {
    static ENV: OnceLock<Option<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let bytes = libra_fixtures::read("libra/upgrade/multi-lib/head_all_your_base.mrb")?;
        let bundle = ReleaseBundle::read(&bytes).expect("bundle reads");
        let mut modules = vec![];
        let mut named = BTreeMap::new();
        let mut sources = vec![];
        for p in &bundle.packages {
            for m in &p.metadata.modules {
                if let Some(text) = m.source_text().expect("module source") {
                    sources.push((format!("{}.move", m.name), text));
                }
            }
            for code in &p.code {
                modules.push(CompiledModule::deserialize(code).expect("module reads"));
            }
            let text = p.manifest_text().expect("manifest");
            let m = move_package::manifest::parse_manifest("Move.toml", &text).expect("parses");
            for (k, v) in m.addresses.unwrap_or_default() {
                if let Some(a) = v {
                    named.insert(k, AccountAddress::new(a));
                }
            }
        }
        Some(Env {
            modules,
            options: CompileOptions {
                named_addresses: named,
                dependency_sources: sources,
                test_mode: false,
            },
        })
    })
    .as_ref()
}

/// Compiles `src` and checks that it is rejected with `code` at the 1-based `line:col`.
fn rejects(src: &str, code: &str, line: usize, col: usize) {
    let Some(env) = env() else {
        return;
    };
    let err = match compile_script(src, &env.modules, &env.options) {
        Ok(_) => panic!("accepted, expected {code}:\n{src}"),
        Err(e) => e,
    };
    let found = err
        .diagnostics
        .iter()
        .map(|d| (d.code.unwrap_or("syntax"), d.line_col(src), d.message()))
        .collect::<Vec<_>>();
    assert!(
        found
            .iter()
            .any(|(c, lc, _)| *c == code && *lc == (line, col)),
        "expected {code} at {line}:{col}, got {found:?}"
    );
    // Every diagnostic renders with its source line.
    for d in &err.diagnostics {
        let text = d.render("s.move", src);
        assert!(
            text.contains(&format!(
                "s.move:{}:{}",
                d.line_col(src).0,
                d.line_col(src).1
            )),
            "{text}"
        );
    }
}

fn main_with(body: &str) -> String {
    format!("script {{\n    use std::vector;\n    use std::signer;\n    fun main(s: &signer, x: u64) {{\n{body}\n    }}\n}}\n")
}

#[test]
fn unknown_function_in_module() {
    rejects(
        &main_with("        vector::sort(&mut vector[1]);"),
        "E03003",
        5,
        9,
    );
}

#[test]
fn unknown_module_alias() {
    rejects(&main_with("        nothing::here();"), "E03002", 5, 9);
}

#[test]
fn unknown_module_in_use() {
    rejects(
        "script {\n    use std::no_such_module;\n    fun main() {}\n}\n",
        "E03002",
        2,
        9,
    );
}

#[test]
fn unbound_named_address() {
    rejects(
        "script {\n    use nowhere::m;\n    fun main() {}\n}\n",
        "E03001",
        2,
        9,
    );
}

#[test]
fn unknown_variable() {
    rejects(&main_with("        let y = z + 1;"), "E03009", 5, 17);
}

#[test]
fn unknown_unscoped_function() {
    rejects(&main_with("        frobnicate(x);"), "E03005", 5, 9);
}

#[test]
fn unknown_type() {
    rejects("script {\n    fun main(x: Frob) {}\n}\n", "E03004", 2, 17);
}

#[test]
fn unknown_struct_in_module() {
    rejects(
        "script {\n    use std::string;\n    fun main(x: string::Nope) {}\n}\n",
        "E03003",
        3,
        17,
    );
}

#[test]
fn too_few_arguments() {
    rejects(
        &main_with("        let a = signer::address_of();"),
        "E04016",
        5,
        35,
    );
}

#[test]
fn too_many_arguments() {
    rejects(
        &main_with("        let a = signer::address_of(s, s);"),
        "E04016",
        5,
        35,
    );
}

#[test]
fn argument_type_mismatch() {
    rejects(
        &main_with("        let a = signer::address_of(x);"),
        "E04007",
        5,
        36,
    );
}

#[test]
fn binary_operand_mismatch() {
    rejects(&main_with("        let a = x + true;"), "E04007", 5, 17);
}

#[test]
fn if_condition_not_bool() {
    rejects(&main_with("        if (x) abort 1;"), "E04007", 5, 13);
}

#[test]
fn abort_code_not_u64() {
    rejects(&main_with("        abort true"), "E04007", 5, 15);
}

#[test]
fn let_annotation_mismatch() {
    rejects(&main_with("        let a: bool = x;"), "E04007", 5, 23);
}

#[test]
fn wrong_type_argument_count() {
    rejects(
        &main_with("        let v = vector::empty<u8, u64>();"),
        "E04017",
        5,
        17,
    );
}

#[test]
fn literal_too_large_for_suffix() {
    rejects(&main_with("        let a = 256u8;"), "E04021", 5, 17);
}

#[test]
fn literal_too_large_after_inference() {
    rejects(&main_with("        let a: u8 = 300;"), "E04021", 5, 21);
}

#[test]
fn cannot_infer_type() {
    rejects(
        &main_with("        let v = vector::empty();"),
        "E04010",
        5,
        17,
    );
}

#[test]
fn copy_of_signer_is_an_ability_violation() {
    rejects(&main_with("        let t = *s;"), "E05001", 5, 17);
}

#[test]
fn explicit_copy_without_copy_ability() {
    rejects(
        "script {\n    fun main(s: signer) {\n        let t = copy s;\n    }\n}\n",
        "E05001",
        3,
        17,
    );
}

#[test]
fn type_argument_missing_ability() {
    // option::get_with_default requires `copy + drop` of its type argument; signer has no copy.
    rejects(
        "script {\n    use std::option;\n    fun main(s: signer) {\n        let o = option::none<signer>();\n        let d = option::get_with_default(&o, s);\n    }\n}\n",
        "E05001",
        5,
        17,
    );
}

#[test]
fn break_outside_loop() {
    rejects(&main_with("        break;"), "E04014", 5, 9);
}

#[test]
fn private_function_call() {
    rejects(
        "script {\n    use diem_framework::coin;\n    fun main() {\n        coin::initialize_supply_config(0);\n    }\n}\n",
        "E04001",
        4,
        9,
    );
}

#[test]
fn assign_to_unknown_local() {
    rejects(&main_with("        y = 1;"), "E03009", 5, 9);
}

#[test]
fn mutation_through_immutable_reference() {
    rejects(
        &main_with("        let r = &x;\n        *r = 3;"),
        "E04007",
        6,
        10,
    );
}

#[test]
fn struct_pack_is_restricted() {
    rejects(
        "script {\n    use std::string;\n    fun main() {\n        let s = string::String { bytes: b\"\" };\n    }\n}\n",
        "E04001",
        4,
        17,
    );
}

#[test]
fn use_after_move() {
    rejects(
        &main_with("        let v = vector[x];\n        let w = move v;\n        let z = move v;"),
        "E06002",
        7,
        17,
    );
}

#[test]
fn unused_value_without_drop() {
    rejects(
        "script {\n    use std::option;\n    use diem_framework::coin;\n    use diem_framework::libra_coin::LibraCoin;\n    fun main() {\n        option::none<coin::Coin<LibraCoin>>();\n    }\n}\n",
        "E06001",
        6,
        9,
    );
}

#[test]
fn syntax_error_is_a_diagnostic() {
    let Some(env) = env() else {
        return;
    };
    let err =
        compile_script("script { fun main( }", &env.modules, &env.options).expect_err("bad syntax");
    assert!(!err.diagnostics.is_empty());
}

#[test]
fn unknown_inline_function() {
    rejects(
        &main_with("        let v = vector::map_all(vector[x], |e| e + 1);"),
        "E03003",
        5,
        17,
    );
}

#[test]
fn inline_function_without_dependency_sources() {
    let Some(env) = env() else {
        return;
    };
    let src = main_with("        vector::for_each(vector[x], |e| { let _ = e; });");
    let options = CompileOptions {
        named_addresses: env.options.named_addresses.clone(),
        ..Default::default()
    };
    let err = compile_script(&src, &env.modules, &options).expect_err("no inline sources");
    assert!(
        err.diagnostics
            .iter()
            .any(|d| d.code == Some("E03003") && d.line_col(&src) == (5, 9)),
        "{:?}",
        err.diagnostics
    );
}

#[test]
fn lambda_with_too_many_parameters() {
    rejects(
        &main_with("        let v = vector::map(vector[x], |a, b| a + b);"),
        "E04007",
        5,
        40,
    );
}

#[test]
fn lambda_with_too_few_parameters() {
    rejects(
        &main_with("        let t = vector::fold(vector[x], 0, |acc| acc);"),
        "E04007",
        5,
        44,
    );
}

#[test]
fn value_where_a_lambda_is_expected() {
    rejects(
        &main_with("        vector::for_each(vector[x], x);"),
        "E04007",
        5,
        37,
    );
}

#[test]
fn lambda_where_a_value_is_expected() {
    rejects(
        &main_with("        let t = vector::fold(vector[x], |a| a, |a, b| a + b);"),
        "E04007",
        5,
        41,
    );
}

#[test]
fn lambda_outside_an_inline_call() {
    rejects(
        &main_with("        let n = vector::length(|a| a);"),
        "E04024",
        5,
        32,
    );
}

#[test]
fn cyclic_inline_functions() {
    let Some(env) = env() else {
        return;
    };
    let options = CompileOptions {
        named_addresses: env.options.named_addresses.clone(),
        dependency_sources: vec![(
            "vector.move".to_string(),
            "module std::vector {\n    public inline fun ping(x: u64): u64 { pong(x) }\n    \
             public inline fun pong(x: u64): u64 { ping(x) }\n}\n"
                .to_string(),
        )],
        test_mode: false,
    };
    let src = main_with("        let y = vector::ping(x);");
    let err = compile_script(&src, &env.modules, &options).expect_err("cycle");
    assert!(
        err.diagnostics.iter().any(|d| d.code == Some("E14001")
            && d.line_col(&src) == (5, 17)
            && d.message().starts_with("In code inlined here")),
        "{:?}",
        err.diagnostics
    );
}

#[test]
fn return_inside_a_lambda_is_unsupported() {
    rejects(
        &main_with("        vector::for_each(vector[x], |e| { if (e > 1) return; });"),
        "E14003",
        5,
        54,
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Deleting or duplicating a slice of a valid script never makes the compiler panic.
    #[test]
    fn mutated_scripts_never_panic(start in 0usize..400, len in 0usize..40, dup in any::<bool>()) {
        let Some(env) = env() else {
            return Ok(());
        };
        let src = main_with(
            "        let v = vector[1u64, 2, 3];\n        let n = vector::length(&v);\n        \
             while (n > 0) { n = n - 1; if (n == 1) break };\n        \
             assert!(signer::address_of(s) != @0x1 && x < 10, 7);\n        \
             let (a, b) = (x + 1, &mut v);\n        *vector::borrow_mut(b, 0) = a;",
        );
        let bytes = src.as_bytes();
        let start = start.min(bytes.len());
        let end = (start + len).min(bytes.len());
        let mut mutated = bytes[..start].to_vec();
        if dup {
            mutated.extend_from_slice(&bytes[start..end]);
            mutated.extend_from_slice(&bytes[start..]);
        } else {
            mutated.extend_from_slice(&bytes[end..]);
        }
        let text = String::from_utf8_lossy(&mutated).into_owned();
        let _ = compile_script(&text, &env.modules, &env.options);
    }

    /// The same for a script calling inline functions with lambdas.
    #[test]
    fn mutated_inline_scripts_never_panic(start in 0usize..400, len in 0usize..40, dup in any::<bool>()) {
        let Some(env) = env() else {
            return Ok(());
        };
        let src = main_with(
            "        let sum = 0;\n        vector::for_each_ref(&vector[x], |e| sum = sum + *e);\n        \
             let d = vector::map(vector[x, 2], |e| e * 2);\n        \
             let t = vector::fold(d, 0, |acc, e| acc + e);\n        assert!(t == sum * 2, 1);",
        );
        let text = mutate(&src, start, len, dup);
        let _ = compile_script(&text, &env.modules, &env.options);
    }

    /// Broken dependency sources never make the compiler panic either.
    #[test]
    fn mutated_dependency_sources_never_panic(start in 0usize..600, len in 0usize..60, dup in any::<bool>()) {
        let Some(env) = env() else {
            return Ok(());
        };
        let dep = "module std::vector {\n    public inline fun twice<T: drop>(v: vector<T>, f: |T|T): vector<T> {\n        \
                   let out = vector<T>[];\n        for_each(v, |e| push_back(&mut out, f(e)));\n        \
                   reverse(&mut out);\n        out\n    }\n    public inline fun for_each<E>(v: vector<E>, f: |E|) {\n        \
                   while (length(&v) > 0) { f(pop_back(&mut v)) };\n        destroy_empty(v)\n    }\n}\n";
        let options = CompileOptions {
            named_addresses: env.options.named_addresses.clone(),
            dependency_sources: vec![("vector.move".to_string(), mutate(dep, start, len, dup))],
            test_mode: false,
        };
        let src = main_with("        let d = vector::twice(vector[x], |e| e + 1);");
        let _ = compile_script(&src, &env.modules, &options);
    }
}

/// Deletes (or duplicates) the bytes `start..start + len` of `src`.
fn mutate(src: &str, start: usize, len: usize, dup: bool) -> String {
    let bytes = src.as_bytes();
    let start = start.min(bytes.len());
    let end = (start + len).min(bytes.len());
    let mut mutated = bytes[..start].to_vec();
    if dup {
        mutated.extend_from_slice(&bytes[start..end]);
        mutated.extend_from_slice(&bytes[start..]);
    } else {
        mutated.extend_from_slice(&bytes[end..]);
    }
    String::from_utf8_lossy(&mutated).into_owned()
}

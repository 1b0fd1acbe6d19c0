//! Every module of the upstream release bundles reads and writes back byte for byte; the
//! `diem::metadata_v1` entries decode as `bytecode-format.md` §8 describes; and the
//! `0x1::version` module has the table directory given in §3. (Instructions are compared with
//! the stock upstream disassembly in `move-bytecode`'s own tests.)

use framework::ReleaseBundle;
use move_bytecode::metadata::{RuntimeModuleMetadata, METADATA_KEY_V1};
use move_bytecode::{
    deserialize_unit, deserialize_with_layout, CompiledModule, CompiledUnit, DeserializerConfig,
    TableKind, UnitKind,
};

/// (package name, module name, bytecode) of every module of a bundle, in bundle order.
fn bundle_modules(relative: &str) -> Option<Vec<(String, String, Vec<u8>)>> {
    let bytes = libra_fixtures::read(relative)?;
    let bundle = ReleaseBundle::read(&bytes).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let mut out = Vec::new();
    for package in &bundle.packages {
        for module in package.modules() {
            out.push((
                package.name().to_string(),
                module.name.to_string(),
                module.bytecode.to_vec(),
            ));
        }
    }
    Some(out)
}

/// Reads and writes every module; checks its self name against the bundle's name for it.
fn roundtrip_all(relative: &str, modules: &[(String, String, Vec<u8>)]) {
    let mut failures = Vec::new();
    for (package, name, bytes) in modules {
        let module = match CompiledModule::deserialize(bytes) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{relative} {package}::{name}: {e}"));
                continue;
            }
        };
        if module.name().as_str() != name {
            failures.push(format!(
                "{relative} {package}::{name}: self name is {}",
                module.name()
            ));
        }
        match module.serialize() {
            Ok(written) if &written == bytes => {}
            Ok(written) => failures.push(format!(
                "{relative} {package}::{name}: {} bytes written, {} read; first difference at {}",
                written.len(),
                bytes.len(),
                written
                    .iter()
                    .zip(bytes)
                    .position(|(a, b)| a != b)
                    .unwrap_or(written.len().min(bytes.len()))
            )),
            Err(e) => failures.push(format!("{relative} {package}::{name}: {e}")),
        }
        if !matches!(deserialize_unit(bytes), Ok(CompiledUnit::Module(_))) {
            failures.push(format!(
                "{relative} {package}::{name}: not detected as a module"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mainnet_modules_roundtrip() {
    let Some(modules) = bundle_modules("libra/releases/mainnet.mrb") else {
        return;
    };
    assert_eq!(modules.len(), 130);
    roundtrip_all("mainnet.mrb", &modules);
}

#[test]
fn head_bundle_modules_roundtrip() {
    for relative in [
        "libra/upgrade/multi-lib/head_all_your_base.mrb",
        "libra/upgrade/single-lib/head_all_your_base.mrb",
    ] {
        let Some(modules) = bundle_modules(relative) else {
            return;
        };
        assert_eq!(modules.len(), 131, "{relative}");
        roundtrip_all(relative, &modules);
    }
}

#[test]
fn mainnet_metadata_decodes_as_specified() {
    let Some(modules) = bundle_modules("libra/releases/mainnet.mrb") else {
        return;
    };
    let mut with_metadata = 0;
    for (package, name, bytes) in &modules {
        let module = CompiledModule::deserialize(bytes).unwrap();
        match module.metadata.as_slice() {
            [] => {}
            [entry] => {
                assert_eq!(entry.key, METADATA_KEY_V1, "{package}::{name}");
                let decoded = RuntimeModuleMetadata::decode(&entry.key, &entry.value)
                    .unwrap_or_else(|e| panic!("{package}::{name}: {e}"));
                // Written back in BCS map order, the value is the same bytes.
                assert_eq!(decoded.encode(), entry.value, "{package}::{name}");
                with_metadata += 1;
            }
            more => panic!("{package}::{name}: {} metadata entries", more.len()),
        }
    }
    assert_eq!(with_metadata, 111);
}

#[test]
fn mainnet_version_module_has_the_specified_layout() {
    let Some(modules) = bundle_modules("libra/releases/mainnet.mrb") else {
        return;
    };
    let (_, _, bytes) = modules.iter().find(|(_, n, _)| n == "version").unwrap();
    assert_eq!(bytes.len(), 941);
    let (unit, layout) = deserialize_with_layout(
        bytes,
        Some(UnitKind::Module),
        &DeserializerConfig::default(),
    )
    .unwrap();
    assert_eq!(layout.header_len, 55);
    let directory: Vec<(TableKind, u32, u32)> = layout
        .tables
        .iter()
        .map(|t| (t.kind, t.offset, t.length))
        .collect();
    assert_eq!(
        directory,
        vec![
            (TableKind::ModuleHandles, 0, 10),
            (TableKind::StructHandles, 10, 12),
            (TableKind::FunctionHandles, 22, 55),
            (TableKind::Signatures, 77, 28),
            (TableKind::Identifiers, 105, 291),
            (TableKind::AddressIdentifiers, 396, 32),
            (TableKind::ConstantPool, 428, 54),
            (TableKind::Metadata, 482, 224),
            (TableKind::StructDefinitions, 706, 16),
            (TableKind::FunctionDefinitions, 722, 157),
            (TableKind::FieldHandles, 879, 4),
            (TableKind::FriendDecls, 883, 2),
        ]
    );
    let module = unit.as_module().unwrap();
    assert_eq!(module.self_id().to_string(), "0x1::version");
    let meta = RuntimeModuleMetadata::decode(METADATA_KEY_V1, &module.metadata[0].value).unwrap();
    assert_eq!(module.metadata[0].value.len(), 204);
    let codes: Vec<(u64, &str)> = meta
        .error_map
        .iter()
        .map(|(c, d)| (*c, d.code_name.as_str()))
        .collect();
    assert_eq!(
        codes,
        [(1, "EINVALID_MAJOR_VERSION_NUMBER"), (2, "ENOT_AUTHORIZED")]
    );
    assert!(meta.struct_attributes.is_empty());
    assert_eq!(meta.fun_attributes[0].0, "get_git_hash");
    assert_eq!(meta.fun_attributes[0].1[0].kind, 1);
}

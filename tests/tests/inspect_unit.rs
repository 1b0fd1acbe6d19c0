//! `inspect` on compiled units: the upgrade scripts of the fixtures read as scripts whose hash is
//! the recorded `script_sha3`, every module of every bundle reads as a module named like its
//! metadata entry, and damaged bytes give an error, not a panic.

use framework::{inspect, ReleaseBundle};

const SCRIPTS: [&str; 4] = [
    "libra/upgrade/multi-lib/1-move-stdlib",
    "libra/upgrade/multi-lib/2-vendor-stdlib",
    "libra/upgrade/multi-lib/3-libra-framework",
    "libra/upgrade/single-lib/1-move-stdlib",
];

#[test]
fn upgrade_scripts_read_as_scripts_with_their_recorded_hash() {
    for dir in SCRIPTS {
        let Some(bytes) = libra_fixtures::read(&format!("{dir}/script.mv")) else {
            return;
        };
        let recorded = libra_fixtures::read(&format!("{dir}/script_sha3")).unwrap();
        let report = inspect::inspect_unit(&bytes).unwrap_or_else(|e| panic!("{dir}: {e}"));
        assert_eq!(report.kind, "script", "{dir}");
        assert_eq!(report.module_id, None);
        assert_eq!(report.version, 6);
        assert_eq!(report.size, bytes.len());
        assert_eq!(report.sha3_256.as_bytes(), recorded, "{dir}");
        assert!(report.disassembly.contains("publish_package_txn"), "{dir}");
    }
}

#[test]
fn every_bundle_module_names_itself_as_its_metadata_does() {
    for (rel, count) in [
        ("libra/releases/mainnet.mrb", 130),
        ("libra/upgrade/multi-lib/head_all_your_base.mrb", 131),
        ("libra/upgrade/single-lib/head_all_your_base.mrb", 131),
    ] {
        let Some(bytes) = libra_fixtures::read(rel) else {
            return;
        };
        let bundle = ReleaseBundle::read(&bytes).unwrap();
        let mut checked = 0;
        for package in &bundle.packages {
            for module in package.modules() {
                let meta = module.metadata.unwrap();
                assert_eq!(module.bytecode_name().unwrap(), meta.name, "{rel}");
                checked += 1;
            }
        }
        assert_eq!(checked, count, "{rel}");
    }
}

#[test]
fn modules_disassemble_with_their_id() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = ReleaseBundle::read(&bytes).unwrap();
    for package in &bundle.packages {
        for module in package.modules() {
            let report = inspect::inspect_unit(module.bytecode).unwrap();
            assert_eq!(report.kind, "module");
            assert_eq!(
                report.module_id.as_deref(),
                Some(format!("0x1::{}", module.name).as_str())
            );
        }
    }
    // Without metadata entries, modules are named from their bytecode.
    let mut bare = bundle.packages[0].clone();
    bare.metadata.modules.clear();
    assert_eq!(bare.module_names()[..3], ["bcs", "fixed_point32", "hash"]);
}

#[test]
fn damaged_units_are_errors_with_an_offset() {
    let Some(bytes) = libra_fixtures::read("libra/upgrade/single-lib/1-move-stdlib/script.mv")
    else {
        return;
    };
    let err = inspect::inspect_unit(&bytes[..100]).unwrap_err();
    assert!(err.to_string().contains("offset"), "{err}");
    let mut bad = bytes.clone();
    bad[0] = 0;
    assert!(inspect::inspect_unit(&bad).is_err());
    assert!(inspect::inspect_unit(&[]).is_err());
}

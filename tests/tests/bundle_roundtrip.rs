//! Every upstream release bundle decodes completely and re-encodes to the identical bytes, with
//! the contents the bundle format records for it (packages, module names and counts, digests,
//! deps, policy); malformed variants are rejected with the offset of the fault.

use framework::{BundleError, ReleaseBundle};

/// The upstream bundles among the fixtures.
const BUNDLES: [&str; 3] = [
    "libra/releases/mainnet.mrb",
    "libra/upgrade/multi-lib/head_all_your_base.mrb",
    "libra/upgrade/single-lib/head_all_your_base.mrb",
];

const MAINNET_STDLIB: [&str; 11] = [
    "bcs",
    "fixed_point32",
    "hash",
    "vector",
    "error",
    "acl",
    "bit_vector",
    "signer",
    "features",
    "option",
    "string",
];

const MAINNET_VENDOR: [&str; 29] = [
    "bls12381_algebra",
    "type_info",
    "from_bcs",
    "any",
    "table",
    "table_with_length",
    "big_vector",
    "bls12381",
    "capability",
    "comparator",
    "copyable_any",
    "crypto_algebra",
    "string_utils",
    "debug",
    "diem_hash",
    "ed25519",
    "fixed_point64",
    "math128",
    "math64",
    "math_fixed",
    "math_fixed64",
    "multi_ed25519",
    "simple_map",
    "pool_u64",
    "pool_u64_unbound",
    "ristretto255",
    "secp256k1",
    "smart_table",
    "smart_vector",
];

#[test]
fn every_bundle_round_trips_byte_for_byte() {
    for rel in BUNDLES {
        let Some(bytes) = libra_fixtures::read(rel) else {
            return;
        };
        let bundle = ReleaseBundle::read(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let again = bundle.to_bytes().expect("encodes");
        assert_eq!(again.len(), bytes.len(), "{rel}: length");
        assert!(again == bytes, "{rel}: re-encoded bytes differ");
        assert!(
            bundle.invariant_problems().is_empty(),
            "{rel}: {:?}",
            bundle.invariant_problems()
        );
    }
}

/// (package, modules, code bytes, metadata bytes, digest) per bundle, from the format's table of
/// observed contents.
#[allow(clippy::type_complexity)]
const OBSERVED: [(&str, [(&str, usize, usize, usize, &str); 3]); 3] = [
    (
        "libra/releases/mainnet.mrb",
        [
            (
                "MoveStdlib",
                11,
                10952,
                31982,
                "EA703233D8A337012611D539A149666DD112C69CF153F6493CFAD82C63A51123",
            ),
            (
                "VendorStdlib",
                29,
                47295,
                156275,
                "B017683F42B11D90B19C8B3DFDE52B4A63925005BB6F1DE5C60CDDE9B4C17432",
            ),
            (
                "LibraFramework",
                90,
                210423,
                523414,
                "4954840F7B7F36E3D3BB6F9196C13E0A9088AD7DF853A8BE4379223FF105F11D",
            ),
        ],
    ),
    (
        "libra/upgrade/multi-lib/head_all_your_base.mrb",
        [
            (
                "MoveStdlib",
                11,
                10952,
                31982,
                "EA703233D8A337012611D539A149666DD112C69CF153F6493CFAD82C63A51123",
            ),
            (
                "VendorStdlib",
                29,
                47295,
                156275,
                "B017683F42B11D90B19C8B3DFDE52B4A63925005BB6F1DE5C60CDDE9B4C17432",
            ),
            (
                "LibraFramework",
                91,
                210801,
                524290,
                "D359F49C6D5CB034559B3AF9EC38BD4E2554C8A4B84A0193E5872BA4E27A4A67",
            ),
        ],
    ),
    (
        "libra/upgrade/single-lib/head_all_your_base.mrb",
        [
            (
                "MoveStdlib",
                12,
                11128,
                32367,
                "6ABC2A3042FEF8E0B97C44E7C0181D035AC2EF49566DA0AE9DF37FA3C42B44A3",
            ),
            (
                "VendorStdlib",
                29,
                47295,
                156275,
                "B017683F42B11D90B19C8B3DFDE52B4A63925005BB6F1DE5C60CDDE9B4C17432",
            ),
            (
                "LibraFramework",
                90,
                210625,
                523905,
                "ED081521CC8C0C0AAC099A922CEB1DEDF8892CE726F40B57AFCA61602FB25EE0",
            ),
        ],
    ),
];

#[test]
fn contents_match_the_recorded_observations() {
    for (rel, packages) in OBSERVED {
        let Some(bytes) = libra_fixtures::read(rel) else {
            return;
        };
        let bundle = ReleaseBundle::read(&bytes).unwrap();
        assert_eq!(bundle.packages.len(), 3, "{rel}");
        for (package, (name, modules, code, meta, digest)) in bundle.packages.iter().zip(packages) {
            assert_eq!(package.name(), name, "{rel}");
            assert_eq!(package.code.len(), modules, "{rel} {name}");
            assert_eq!(package.metadata.modules.len(), modules, "{rel} {name}");
            let code_bytes: usize = package.code.iter().map(Vec::len).sum();
            assert_eq!(code_bytes, code, "{rel} {name}: code bytes");
            let meta_bytes = package.metadata.to_bcs().unwrap().len();
            assert_eq!(meta_bytes, meta, "{rel} {name}: metadata bytes");
            assert_eq!(package.metadata.source_digest, digest, "{rel} {name}");
            assert_eq!(package.metadata.upgrade_policy.to_string(), "compatible");
            assert_eq!(package.metadata.upgrade_number, 0);
            assert!(
                package.has_sources(),
                "{rel} {name}: dev build embeds sources"
            );
            assert!(package
                .metadata
                .modules
                .iter()
                .all(|m| !m.source_map.is_empty()));
        }
        let deps: Vec<Vec<(String, String)>> = bundle
            .packages
            .iter()
            .map(|p| {
                p.metadata
                    .deps
                    .iter()
                    .map(|d| (d.account.to_string(), d.package_name.clone()))
                    .collect()
            })
            .collect();
        let one = |n: &str| ("0x1".to_string(), n.to_string());
        assert_eq!(
            deps,
            vec![
                vec![],
                vec![one("MoveStdlib")],
                vec![one("MoveStdlib"), one("VendorStdlib")]
            ],
            "{rel}"
        );
        let dirs: Vec<_> = (0..3).map(|i| bundle.package_dir_name(i)).collect();
        assert_eq!(
            dirs,
            [
                Some("move-stdlib"),
                Some("vendor-stdlib"),
                Some("libra-framework")
            ]
        );
        assert_eq!(
            bundle.source_dirs[0],
            "/root/libra-framework/framework/move-stdlib/sources"
        );
    }
}

#[test]
fn mainnet_module_names_are_in_compiler_order() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = ReleaseBundle::read(&bytes).unwrap();
    assert_eq!(bundle.packages[0].module_names(), MAINNET_STDLIB);
    assert_eq!(bundle.packages[1].module_names(), MAINNET_VENDOR);
    let framework = bundle.packages[2].module_names();
    assert_eq!(framework.len(), 90);
    assert_eq!(framework[0], "system_addresses");
    assert_eq!(framework[89], "vouch_txs");
    // The names are those of the disassembly listings, one per module.
    if let Some(dir) = libra_fixtures::require("libra/disasm/mainnet/LibraFramework") {
        for name in &framework {
            assert!(
                dir.join(format!("{name}.disasm.txt")).exists(),
                "no listing for {name}"
            );
        }
    }
    // The worked example: code[0] of MoveStdlib is the 92-byte module 0x1::bcs at offset 31984.
    assert_eq!(bundle.packages[0].code[0], bytes[31985..31985 + 92]);
    assert_eq!(
        bundle.packages[0].manifest_text().unwrap(),
        "[package]\nname = \"MoveStdlib\"\nversion = \"1.5.0\"\n\n[addresses]\nstd = \"0x1\"\n"
    );
}

#[test]
fn the_ayb_module_is_first_in_the_package_that_received_it() {
    for (rel, package) in [
        ("libra/upgrade/multi-lib/head_all_your_base.mrb", 2),
        ("libra/upgrade/single-lib/head_all_your_base.mrb", 0),
    ] {
        let Some(bytes) = libra_fixtures::read(rel) else {
            return;
        };
        let bundle = ReleaseBundle::read(&bytes).unwrap();
        assert_eq!(bundle.packages[package].module_names()[0], "all_your_base");
    }
}

fn malformed_offset(bytes: &[u8]) -> (usize, String) {
    match ReleaseBundle::read(bytes) {
        Err(BundleError::Malformed { offset, field, .. }) => (offset, field),
        other => panic!("expected a malformed-bundle error, got {other:?}"),
    }
}

#[test]
fn strict_decoding_names_the_fault() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    // A trailing byte after source_dirs.
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        malformed_offset(&longer),
        (bytes.len(), "end of bundle".into())
    );
    // Non-minimal ULEB128 for the package count (03 -> 83 00).
    let mut padded = vec![0x83, 0x00];
    padded.extend_from_slice(&bytes[1..]);
    assert_eq!(malformed_offset(&padded), (0, "packages".into()));
    // Truncated inside MoveStdlib's code[0] (92 bytes from offset 31985).
    let (offset, field) = malformed_offset(&bytes[..32000]);
    assert_eq!((offset, field.as_str()), (31985, "packages[0].code[0]"));
    // Invalid UTF-8 in the first module name ("bcs" at 185).
    let mut bad = bytes.clone();
    bad[185] = 0xff;
    let (offset, field) = malformed_offset(&bad);
    assert_eq!(
        (offset, field.as_str()),
        (185, "packages[0].metadata.modules[0].name")
    );
    let message = ReleaseBundle::read(&bad).unwrap_err().to_string();
    assert!(message.contains("byte 185"), "{message}");
    assert!(message.contains("UTF-8"), "{message}");
}

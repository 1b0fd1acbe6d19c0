//! The gzip convention reproduces upstream's embedded blobs: decompressing and re-compressing
//! every manifest, source and source map of every fixture bundle gives back the stored bytes,
//! each with the fixed upstream header. Corrupt or oversized blobs are errors, never panics.

use framework::gzip::{self, GzipError};
use framework::ReleaseBundle;

const BUNDLES: [(&str, usize); 3] = [
    // (bundle, number of blobs: one manifest per package, source + source map per module)
    ("libra/releases/mainnet.mrb", 263),
    ("libra/upgrade/multi-lib/head_all_your_base.mrb", 265),
    ("libra/upgrade/single-lib/head_all_your_base.mrb", 265),
];

#[test]
fn every_blob_recompresses_byte_for_byte() {
    for (rel, expected_blobs) in BUNDLES {
        let Some(bytes) = libra_fixtures::read(rel) else {
            return;
        };
        let bundle = ReleaseBundle::read(&bytes).unwrap();
        let mut blobs = 0;
        let mut mismatches = Vec::new();
        for package in &bundle.packages {
            let meta = &package.metadata;
            let mut all = vec![(format!("{} manifest", meta.name), &meta.manifest)];
            for module in &meta.modules {
                all.push((
                    format!("{}::{} source", meta.name, module.name),
                    &module.source,
                ));
                all.push((
                    format!("{}::{} source map", meta.name, module.name),
                    &module.source_map,
                ));
            }
            for (what, blob) in all {
                if blob.is_empty() {
                    continue;
                }
                blobs += 1;
                assert_eq!(&blob[..10], &gzip::HEADER, "{rel}: {what}: header");
                let plain = gzip::decompress(blob).unwrap_or_else(|e| panic!("{rel}: {what}: {e}"));
                if gzip::compress(&plain) != *blob {
                    mismatches.push(what);
                }
            }
        }
        assert_eq!(blobs, expected_blobs, "{rel}: blob count");
        assert!(
            mismatches.is_empty(),
            "{rel}: not reproduced: {mismatches:?}"
        );
    }
}

#[test]
fn the_worked_example_manifest_is_one_stored_block() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    // The MoveStdlib manifest: 96 bytes of gzip at file offset 87.
    let blob = &bytes[87..87 + 96];
    let text = gzip::decompress(blob).unwrap();
    assert_eq!(text.len(), 73);
    assert_eq!(gzip::compress(&text), blob);
    assert_eq!(&blob[10..15], &[0x01, 0x49, 0x00, 0xb6, 0xff]);
    assert_eq!(&blob[88..], &[0xd1, 0x19, 0x38, 0xfc, 0x49, 0, 0, 0]);
}

#[test]
fn embedded_sources_read_as_text() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = ReleaseBundle::read(&bytes).unwrap();
    for package in &bundle.packages {
        let sources = package.sources().unwrap();
        assert_eq!(sources.len(), package.code.len());
        for (name, text) in sources {
            assert!(
                text.contains(&format!("module {name}")) || text.contains(&format!("::{name}")),
                "{}::{name} does not define its module",
                package.name()
            );
        }
    }
}

#[test]
fn damaged_blobs_are_errors() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = ReleaseBundle::read(&bytes).unwrap();
    let source = bundle.packages[0].metadata.modules[0].source.clone();
    // Every truncation fails cleanly.
    for cut in 0..source.len() {
        assert!(gzip::decompress(&source[..cut]).is_err(), "cut at {cut}");
    }
    // A flipped bit in the CRC trailer is detected.
    let mut crc = source.clone();
    let at = crc.len() - 8;
    crc[at] ^= 0x40;
    assert!(matches!(gzip::decompress(&crc), Err(GzipError::Corrupt(_))));
    // The cap applies to real sources too.
    let full = gzip::decompress(&source).unwrap().len();
    assert!(gzip::decompress_with_cap(&source, full).is_ok());
    assert!(matches!(
        gzip::decompress_with_cap(&source, full - 1),
        Err(GzipError::TooLarge { .. })
    ));
}

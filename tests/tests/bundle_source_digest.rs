//! `source_digest` against the reference. A dev bundle's digest also covers files no bundle
//! carries (spec files, `tests/`), so it cannot be recomputed from the bundle; what can be checked
//! is checked: the algorithm reproduces the digest the reference build recorded for every corpus
//! package built from sources on disk, stays the same under the changes it must ignore (paths,
//! non-Move files, symlinked directories) and changes exactly where the mode says it must.
//! With `LIBRA_FRAMEWORK_TREE` set to a libra-framework checkout at 993b9a24 (or ebf065ba), the
//! framework packages' dev and non-dev digests are checked against the recorded ones as well.

use std::path::PathBuf;

use framework::source_digest::{self, compute, digest_inputs, DigestMode};
use framework::{PackageMetadata, ReleaseBundle};

/// Every corpus package with recorded metadata: (directory, its BCS PackageMetadata).
fn corpus_packages() -> Option<Vec<(PathBuf, PackageMetadata)>> {
    let root = libra_fixtures::require("conformance/cases")?;
    let mut out = Vec::new();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in cases {
        let bcs = case.join("expected/metadata.bcs");
        if bcs.exists() {
            let meta = PackageMetadata::from_bcs(&std::fs::read(&bcs).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", bcs.display()));
            out.push((case, meta));
        }
    }
    let multichunk = libra_fixtures::require("conformance/upgrade/multichunk-k2")?;
    let bcs = std::fs::read(multichunk.join("package-metadata.bcs")).unwrap();
    out.push((
        multichunk.join("package"),
        PackageMetadata::from_bcs(&bcs).unwrap(),
    ));
    Some(out)
}

#[test]
fn corpus_digests_recompute_from_their_sources() {
    let Some(packages) = corpus_packages() else {
        return;
    };
    assert!(packages.len() >= 28, "{} packages", packages.len());
    for (dir, meta) in &packages {
        assert!(
            source_digest::is_well_formed(&meta.source_digest),
            "{}",
            dir.display()
        );
        let non_dev = compute(dir, DigestMode::NonDev).unwrap();
        assert_eq!(non_dev, meta.source_digest, "{}", dir.display());
        // No corpus package has tests/ or examples/, so both modes agree.
        assert_eq!(compute(dir, DigestMode::Dev).unwrap(), non_dev);
        // The metadata also carries the manifest, gzip'ed the upstream way, and re-encodes exactly.
        let toml = std::fs::read(dir.join("Move.toml")).unwrap();
        assert_eq!(
            framework::gzip::compress(&toml),
            meta.manifest,
            "{}",
            dir.display()
        );
        assert_eq!(
            meta.manifest_text().unwrap().as_bytes(),
            toml,
            "{}",
            dir.display()
        );
    }
}

#[test]
fn corpus_metadata_round_trips() {
    let Some(packages) = corpus_packages() else {
        return;
    };
    for (dir, meta) in &packages {
        let file = if dir.ends_with("package") {
            dir.parent().unwrap().join("package-metadata.bcs")
        } else {
            dir.join("expected/metadata.bcs")
        };
        assert_eq!(
            meta.to_bcs().unwrap(),
            std::fs::read(&file).unwrap(),
            "{}",
            file.display()
        );
    }
}

/// The largest corpus package (most source files), copied into a scratch directory.
fn scratch_copy() -> Option<(tempfile::TempDir, PathBuf, String)> {
    let packages = corpus_packages()?;
    let (dir, meta) = packages
        .into_iter()
        .max_by_key(|(dir, _)| std::fs::read_dir(dir.join("sources")).unwrap().count())
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::copy(dir.join("Move.toml"), pkg.join("Move.toml")).unwrap();
    libra_fixtures::copy_tree(&dir.join("sources"), &pkg.join("sources")).unwrap();
    Some((tmp, pkg, meta.source_digest))
}

#[test]
fn paths_and_non_move_files_do_not_count() {
    let Some((_tmp, pkg, reference)) = scratch_copy() else {
        return;
    };
    assert_eq!(compute(&pkg, DigestMode::NonDev).unwrap(), reference);
    // Rename every source and move it into a nested directory: only contents count.
    let nested = pkg.join("sources/deeper/still");
    std::fs::create_dir_all(&nested).unwrap();
    let files: Vec<_> = std::fs::read_dir(pkg.join("sources"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    assert!(files.len() >= 2);
    for (i, file) in files.iter().enumerate() {
        std::fs::rename(file, nested.join(format!("renamed_{i}.move"))).unwrap();
    }
    std::fs::write(pkg.join("sources/README.md"), "not Move").unwrap();
    std::fs::write(pkg.join("sources/notes.move.bak"), "not Move").unwrap();
    std::fs::write(pkg.join("doc.move"), "outside the searched directories").unwrap();
    assert_eq!(compute(&pkg, DigestMode::NonDev).unwrap(), reference);
    assert_eq!(
        digest_inputs(&pkg, DigestMode::NonDev).unwrap().len(),
        files.len() + 1
    );
}

#[test]
fn dev_mode_adds_tests_and_examples_and_scripts_always_count() {
    let Some((_tmp, pkg, reference)) = scratch_copy() else {
        return;
    };
    std::fs::create_dir_all(pkg.join("tests")).unwrap();
    std::fs::write(pkg.join("tests/t.move"), "#[test_only] module 0x1::t {}\n").unwrap();
    assert_eq!(compute(&pkg, DigestMode::NonDev).unwrap(), reference);
    let dev_with_tests = compute(&pkg, DigestMode::Dev).unwrap();
    assert_ne!(dev_with_tests, reference);
    std::fs::create_dir_all(pkg.join("examples")).unwrap();
    std::fs::write(pkg.join("examples/e.move"), "script { fun main() {} }\n").unwrap();
    assert_eq!(compute(&pkg, DigestMode::NonDev).unwrap(), reference);
    assert_ne!(compute(&pkg, DigestMode::Dev).unwrap(), dev_with_tests);
    std::fs::create_dir_all(pkg.join("scripts")).unwrap();
    std::fs::write(pkg.join("scripts/s.move"), "script { fun main() {} }\n").unwrap();
    assert_ne!(compute(&pkg, DigestMode::NonDev).unwrap(), reference);
}

#[test]
fn manifest_bytes_and_line_endings_count() {
    let Some((_tmp, pkg, reference)) = scratch_copy() else {
        return;
    };
    let toml = std::fs::read_to_string(pkg.join("Move.toml")).unwrap();
    std::fs::write(pkg.join("Move.toml"), toml.replace('\n', "\r\n")).unwrap();
    assert_ne!(compute(&pkg, DigestMode::NonDev).unwrap(), reference);
    std::fs::write(pkg.join("Move.toml"), &toml).unwrap();
    assert_eq!(compute(&pkg, DigestMode::NonDev).unwrap(), reference);
    std::fs::remove_file(pkg.join("Move.toml")).unwrap();
    let err = compute(&pkg, DigestMode::NonDev).unwrap_err().to_string();
    assert!(err.contains("Move.toml"), "{err}");
}

#[cfg(unix)]
#[test]
fn symlinked_directories_are_followed_and_loops_ignored() {
    let Some((tmp, pkg, reference)) = scratch_copy() else {
        return;
    };
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::rename(pkg.join("sources"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, pkg.join("sources")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, elsewhere.join("loop")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("missing"), elsewhere.join("dangling.move"))
        .unwrap();
    assert_eq!(compute(&pkg, DigestMode::NonDev).unwrap(), reference);
}

/// The digests the bundle format records for the framework trees (dev, non-dev).
const TREE_DIGESTS: [(&str, &str, &str, &str); 4] = [
    (
        "993b9a24",
        "move-stdlib",
        "EA703233D8A337012611D539A149666DD112C69CF153F6493CFAD82C63A51123",
        "97EF0B8134DCF72CE2FD67755B33A3B35BFB6A557D261B2C89027478E99E231A",
    ),
    (
        "993b9a24",
        "vendor-stdlib",
        "B017683F42B11D90B19C8B3DFDE52B4A63925005BB6F1DE5C60CDDE9B4C17432",
        "206DE29C48320F3ECCAF3D750513B935BAE8C4BAF332B755618735B1573CAE4F",
    ),
    (
        "993b9a24",
        "libra-framework",
        "ED081521CC8C0C0AAC099A922CEB1DEDF8892CE726F40B57AFCA61602FB25EE0",
        "ED081521CC8C0C0AAC099A922CEB1DEDF8892CE726F40B57AFCA61602FB25EE0",
    ),
    (
        "ebf065ba",
        "libra-framework",
        "4954840F7B7F36E3D3BB6F9196C13E0A9088AD7DF853A8BE4379223FF105F11D",
        "4954840F7B7F36E3D3BB6F9196C13E0A9088AD7DF853A8BE4379223FF105F11D",
    ),
];

#[test]
fn framework_tree_digests_when_a_checkout_is_given() {
    let Some(tree) = std::env::var_os("LIBRA_FRAMEWORK_TREE").map(PathBuf::from) else {
        eprintln!("not checked: set LIBRA_FRAMEWORK_TREE to a libra-framework checkout");
        return;
    };
    let mut checked = 0;
    for (_, package, dev, non_dev) in TREE_DIGESTS {
        let dir = tree.join("framework").join(package);
        let got = compute(&dir, DigestMode::Dev).unwrap();
        // A checkout is at one commit; the packages that match it are checked in full.
        if got == dev {
            assert_eq!(
                compute(&dir, DigestMode::NonDev).unwrap(),
                non_dev,
                "{package}"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 3,
        "the checkout at {} matches no recorded tree",
        tree.display()
    );
}

#[test]
fn bundles_record_the_dev_digests_of_the_trees() {
    // mainnet.mrb: stdlib packages from 993b9a24 (= ebf065ba there), LibraFramework from ebf065ba;
    // the multi-lib head bundle is 993b9a24 (+ all_your_base in LibraFramework, a digest of its own).
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let bundle = ReleaseBundle::read(&bytes).unwrap();
    let recorded: Vec<&str> = bundle
        .packages
        .iter()
        .map(|p| p.metadata.source_digest.as_str())
        .collect();
    assert_eq!(
        recorded,
        [TREE_DIGESTS[0].2, TREE_DIGESTS[1].2, TREE_DIGESTS[3].2]
    );
    // What a bundle carries (embedded sources + manifest) is not the whole digest input: the dev
    // digest also covers tests/ and spec files, which no bundle embeds.
    let stdlib = &bundle.packages[0];
    let mut embedded: Vec<Vec<u8>> = stdlib
        .sources()
        .unwrap()
        .into_iter()
        .map(|(_, text)| text.into_bytes())
        .collect();
    embedded.push(stdlib.manifest_text().unwrap().into_bytes());
    assert_ne!(
        source_digest::digest_of_contents(&embedded),
        stdlib.metadata.source_digest
    );
}

//! Bad bytes never panic the bundle reader: truncations, byte flips and insertions of a small
//! bundle built from mainnet.mrb's real MoveStdlib package (and flips in the first kilobytes of
//! the real file) give either a bundle that re-encodes to exactly the input, or an error that
//! names an offset inside the input and the field at fault. The same holds for package metadata
//! as upgrade scripts carry it.

use std::sync::OnceLock;

use framework::{inspect, BundleError, PackageMetadata, ReleaseBundle};
use proptest::prelude::*;

/// A three-module bundle cut from mainnet's MoveStdlib (with sources and source maps), and the
/// real file.
fn inputs() -> Option<&'static (Vec<u8>, Vec<u8>)> {
    static INPUTS: OnceLock<Option<(Vec<u8>, Vec<u8>)>> = OnceLock::new();
    INPUTS
        .get_or_init(|| {
            let real = libra_fixtures::read("libra/releases/mainnet.mrb")?;
            let mut bundle = ReleaseBundle::read(&real).unwrap();
            bundle.packages.truncate(1);
            bundle.source_dirs.truncate(1);
            let package = &mut bundle.packages[0];
            package.metadata.modules.truncate(3);
            package.code.truncate(3);
            Some((bundle.to_bytes().unwrap(), real))
        })
        .as_ref()
}

/// The property every input must satisfy.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    match ReleaseBundle::read(bytes) {
        Ok(bundle) => {
            // BCS is canonical: anything accepted re-encodes to the same bytes.
            prop_assert_eq!(bundle.to_bytes().unwrap(), bytes);
            // The accessors over accepted input do not panic either.
            let _ = inspect::report(&bundle, bytes).to_string();
            for package in &bundle.packages {
                let _ = package.manifest_text();
                let _ = package.sources();
                let _ = package.module_names();
            }
            let _ = bundle.invariant_problems();
        }
        Err(BundleError::Malformed {
            offset,
            field,
            problem,
        }) => {
            prop_assert!(
                offset <= bytes.len(),
                "offset {} of {}",
                offset,
                bytes.len()
            );
            // "bundle" would mean the layout walker found nothing wrong where BCS did.
            prop_assert_ne!(field, "bundle", "{}", problem);
        }
        Err(other) => prop_assert!(false, "unexpected error {}", other),
    }
    Ok(())
}

#[test]
fn the_small_bundle_is_valid_and_small() {
    let Some((small, _)) = inputs() else {
        return;
    };
    assert!(small.len() < 8000, "{} bytes", small.len());
    let bundle = ReleaseBundle::read(small).unwrap();
    assert_eq!(
        bundle.packages[0].module_names(),
        ["bcs", "fixed_point32", "hash"]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn truncations_never_panic(cut in any::<prop::sample::Index>()) {
        let Some((small, _)) = inputs() else { return Ok(()) };
        let cut = cut.index(small.len());
        check(&small[..cut])?;
        prop_assert!(ReleaseBundle::read(&small[..cut]).is_err());
    }

    #[test]
    fn byte_flips_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4)
    ) {
        let Some((small, _)) = inputs() else { return Ok(()) };
        let mut bytes = small.clone();
        for (at, xor) in flips {
            let at = at.index(bytes.len());
            bytes[at] ^= xor;
        }
        check(&bytes)?;
    }

    #[test]
    fn insertions_never_panic(at in any::<prop::sample::Index>(), extra in prop::collection::vec(any::<u8>(), 1..6)) {
        let Some((small, _)) = inputs() else { return Ok(()) };
        let at = at.index(small.len() + 1);
        let mut bytes = small[..at].to_vec();
        bytes.extend(&extra);
        bytes.extend(&small[at..]);
        check(&bytes)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn flips_in_the_real_file_never_panic(at in 0usize..4096, xor in 1u8..=255) {
        let Some((_, real)) = inputs() else { return Ok(()) };
        let mut bytes = real.clone();
        bytes[at] ^= xor;
        check(&bytes)?;
    }
}

/// The no-source metadata of mainnet's VendorStdlib (one dependency, 29 modules), as an upgrade
/// script publishes it.
fn metadata_input() -> Option<&'static Vec<u8>> {
    static INPUT: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    INPUT
        .get_or_init(|| {
            let (_, real) = inputs()?;
            let mut meta = ReleaseBundle::read(real).unwrap().packages[1]
                .metadata
                .clone();
            for module in &mut meta.modules {
                module.source.clear();
                module.source_map.clear();
            }
            Some(meta.to_bcs().unwrap())
        })
        .as_ref()
}

fn check_metadata(bytes: &[u8]) -> Result<(), TestCaseError> {
    match PackageMetadata::from_bcs(bytes) {
        Ok(meta) => {
            prop_assert_eq!(meta.to_bcs().unwrap(), bytes);
            let _ = meta.manifest_text();
        }
        Err(err) => {
            prop_assert!(err.offset <= bytes.len());
            prop_assert_ne!(err.field, "metadata", "{}", err.problem);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn metadata_mutations_never_panic(
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..3)
    ) {
        let Some(original) = metadata_input() else { return Ok(()) };
        let mut bytes = original.clone();
        for (at, xor) in flips {
            let at = at.index(bytes.len());
            bytes[at] ^= xor;
        }
        check_metadata(&bytes)?;
        let cut = cut.index(bytes.len());
        check_metadata(&bytes[..cut])?;
    }
}

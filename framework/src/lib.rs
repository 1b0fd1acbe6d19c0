//! The builder library: release bundles (`.mrb`), package metadata, release and upgrade
//! manifests, and upgrade-script generation.

pub mod bundle;
mod byte_serde;
pub mod extended_checks;
pub mod gzip;
pub mod inspect;
pub mod metadata;
pub mod release;
pub mod release_diff;
pub mod runtime_metadata;
pub mod script_build;
pub mod source_digest;
pub mod test_build;
pub mod upgrade;
pub mod upgrade_manifest;
pub mod upgrade_script;
pub mod verify_upgrade;
mod wire;

pub use bundle::{BundleError, BundleFileError, PackageModule, ReleaseBundle, ReleasePackage};
pub use metadata::{
    AccountAddress, Any, MetadataDecodeError, MetadataError, ModuleMetadata, MoveOption,
    PackageDep, PackageMetadata, UpgradePolicy,
};

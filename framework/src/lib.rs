//! The builder library: release bundles (`.mrb`), package metadata, release and upgrade
//! manifests, and upgrade-script generation.

pub mod upgrade_manifest;

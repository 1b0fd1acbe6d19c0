//! `move-package`: Move package manifests (`Move.toml`), and in time the dependency graph, named
//! address resolution and build plan built on them. So far: [`manifest`], the parser of
//! `Move.toml` files.

pub mod manifest;

pub use manifest::{
    parse_manifest, read_manifest, AddressBytes, BuildInfo, Dependency, DependencySource, Manifest,
    ManifestError, PackageInfo, SubstOrRename, Version,
};

//! `move-package`: Move packages as the reference package system sees them: [`manifest`] parses
//! `Move.toml` files, [`resolution`] resolves a root package's dependency graph (named
//! addresses, build order, source files) and [`toposort`] is the order-preserving topological
//! sort behind both the package build order and a package's module order.

pub mod manifest;
pub mod resolution;
pub mod toposort;

pub use manifest::{
    parse_manifest, read_manifest, AddressBytes, BuildInfo, Dependency, DependencySource, Manifest,
    ManifestError, PackageInfo, SubstOrRename, Version,
};
pub use resolution::{resolve, BuildMode, PackageGraph, ResolutionError, ResolvedPackage};

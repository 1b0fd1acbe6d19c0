//! Package metadata as `0x1::code` stores it on chain and as release bundles carry it:
//! `PackageMetadata`, `ModuleMetadata`, `PackageDep`, `UpgradePolicy` and the small BCS helper
//! types they use. Field order is wire order; BCS (de)serialisation comes from the serde derives.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::byte_serde;
use crate::gzip::{self, GzipError};

/// A 32-byte account address; BCS writes it as 32 raw bytes with no length prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AccountAddress(pub [u8; 32]);

impl AccountAddress {
    /// `0x1`, where the framework lives.
    pub const ONE: AccountAddress = {
        let mut bytes = [0u8; 32];
        bytes[31] = 1;
        AccountAddress(bytes)
    };

    /// Full-length lowercase hex with a `0x` prefix (64 digits).
    pub fn to_hex_literal(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }

    /// Lowercase hex with a `0x` prefix and leading zeros dropped (`0x1`).
    pub fn to_short_hex(&self) -> String {
        let full = hex::encode(self.0);
        let trimmed = full.trim_start_matches('0');
        format!("0x{}", if trimmed.is_empty() { "0" } else { trimmed })
    }
}

impl fmt::Display for AccountAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_short_hex())
    }
}

/// Move's `Option<T>` as BCS sees it: a struct with one vector field, empty for none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveOption<T> {
    pub value: Vec<T>,
}

impl<T> MoveOption<T> {
    pub fn none() -> Self {
        MoveOption { value: Vec::new() }
    }

    pub fn is_none(&self) -> bool {
        self.value.is_empty()
    }
}

impl<T> Default for MoveOption<T> {
    fn default() -> Self {
        Self::none()
    }
}

/// `0x1::copyable_any::Any`, the type of the (always empty) `extension` fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Any {
    pub type_name: String,
    #[serde(with = "byte_serde::bytes")]
    pub data: Vec<u8>,
}

/// How a published package may be upgraded; one byte on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UpgradePolicy {
    pub policy: u8,
}

impl UpgradePolicy {
    pub const ARBITRARY: UpgradePolicy = UpgradePolicy { policy: 0 };
    pub const COMPATIBLE: UpgradePolicy = UpgradePolicy { policy: 1 };
    pub const IMMUTABLE: UpgradePolicy = UpgradePolicy { policy: 2 };

    /// The policy's name; any value other than 0 or 1 reads as `immutable`, as on chain.
    pub fn name(self) -> &'static str {
        match self.policy {
            0 => "arbitrary",
            1 => "compatible",
            _ => "immutable",
        }
    }
}

impl fmt::Display for UpgradePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for UpgradePolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "arbitrary" => Ok(Self::ARBITRARY),
            "compatible" => Ok(Self::COMPATIBLE),
            "immutable" => Ok(Self::IMMUTABLE),
            other => Err(format!(
                "unknown upgrade policy `{other}`: expected arbitrary, compatible or immutable"
            )),
        }
    }
}

/// A package dependency: where it is published and its name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PackageDep {
    pub account: AccountAddress,
    pub package_name: String,
}

/// One module of a package: its name and, in dev builds, its gzip'ed source and source map.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleMetadata {
    pub name: String,
    /// gzip of the module's `.move` file, or empty.
    #[serde(with = "byte_serde::bytes")]
    pub source: Vec<u8>,
    /// gzip of the BCS of the compiler's source map, or empty.
    #[serde(with = "byte_serde::bytes")]
    pub source_map: Vec<u8>,
    pub extension: MoveOption<Any>,
}

impl ModuleMetadata {
    /// Whether the source text is embedded.
    pub fn has_source(&self) -> bool {
        !self.source.is_empty()
    }

    /// The decompressed source text, or `None` when the build embedded none.
    pub fn source_text(&self) -> Result<Option<String>, MetadataError> {
        if self.source.is_empty() {
            return Ok(None);
        }
        let what = format!("source of module `{}`", self.name);
        decompress_text(&self.source, &what).map(Some)
    }

    /// The decompressed source map bytes, or `None` when the build embedded none.
    pub fn source_map_bytes(&self) -> Result<Option<Vec<u8>>, MetadataError> {
        if self.source_map.is_empty() {
            return Ok(None);
        }
        gzip::decompress(&self.source_map)
            .map(Some)
            .map_err(|source| MetadataError::Gzip {
                what: format!("source map of module `{}`", self.name),
                source,
            })
    }
}

/// What `0x1::code` records for a published package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageMetadata {
    pub name: String,
    pub upgrade_policy: UpgradePolicy,
    pub upgrade_number: u64,
    /// 64 uppercase hex characters (see [`crate::source_digest`]), or empty if unknown.
    pub source_digest: String,
    /// gzip of the package's `Move.toml`.
    #[serde(with = "byte_serde::bytes")]
    pub manifest: Vec<u8>,
    pub modules: Vec<ModuleMetadata>,
    /// All transitive dependencies, sorted by (address, name).
    pub deps: Vec<PackageDep>,
    pub extension: MoveOption<Any>,
}

impl PackageMetadata {
    /// The decompressed `Move.toml` text.
    pub fn manifest_text(&self) -> Result<String, MetadataError> {
        decompress_text(
            &self.manifest,
            &format!("manifest of package `{}`", self.name),
        )
    }

    /// Decodes BCS bytes of a `PackageMetadata` (as an upgrade script passes it to
    /// `code::publish_package_txn`), strictly: no trailing bytes, canonical lengths. An error
    /// names the byte offset and field at fault.
    pub fn from_bcs(bytes: &[u8]) -> Result<Self, MetadataDecodeError> {
        bcs::from_bytes(bytes).map_err(|err| match crate::wire::locate_metadata_error(bytes) {
            Err(at) => MetadataDecodeError {
                offset: at.offset,
                field: at.field,
                problem: at.problem,
            },
            Ok(()) => MetadataDecodeError {
                offset: 0,
                field: "metadata".to_string(),
                problem: err.to_string(),
            },
        })
    }

    /// The BCS bytes of this metadata.
    pub fn to_bcs(&self) -> Result<Vec<u8>, bcs::Error> {
        bcs::to_bytes(self)
    }

    /// Whether every module embeds its source text.
    pub fn has_sources(&self) -> bool {
        !self.modules.is_empty() && self.modules.iter().all(ModuleMetadata::has_source)
    }
}

/// Bytes that are not the BCS of a `PackageMetadata`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed package metadata at byte {offset} ({field}): {problem}")]
pub struct MetadataDecodeError {
    pub offset: usize,
    pub field: String,
    pub problem: String,
}

/// A blob in the metadata could not be turned back into what it holds.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error("{what}: {source}")]
    Gzip {
        what: String,
        #[source]
        source: GzipError,
    },
    #[error("{what}: not UTF-8 text (at byte {valid_up_to} of the decompressed data)")]
    NotUtf8 { what: String, valid_up_to: usize },
}

fn decompress_text(blob: &[u8], what: &str) -> Result<String, MetadataError> {
    let bytes = gzip::decompress(blob).map_err(|source| MetadataError::Gzip {
        what: what.to_string(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|err| MetadataError::NotUtf8 {
        what: what.to_string(),
        valid_up_to: err.utf8_error().valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_follow_the_chain() {
        assert_eq!(UpgradePolicy { policy: 0 }.to_string(), "arbitrary");
        assert_eq!(UpgradePolicy { policy: 1 }.to_string(), "compatible");
        assert_eq!(UpgradePolicy { policy: 2 }.to_string(), "immutable");
        assert_eq!(UpgradePolicy { policy: 7 }.to_string(), "immutable");
        assert_eq!(
            "compatible".parse::<UpgradePolicy>(),
            Ok(UpgradePolicy::COMPATIBLE)
        );
        assert!("strict".parse::<UpgradePolicy>().is_err());
    }

    #[test]
    fn addresses_print_short_and_long() {
        assert_eq!(AccountAddress::ONE.to_string(), "0x1");
        assert_eq!(AccountAddress([0; 32]).to_string(), "0x0");
        assert_eq!(AccountAddress::ONE.to_hex_literal().len(), 66);
    }

    #[test]
    fn metadata_wire_layout_matches_the_type_tree() {
        let meta = PackageMetadata {
            name: "P".into(),
            upgrade_policy: UpgradePolicy::COMPATIBLE,
            upgrade_number: 2,
            source_digest: String::new(),
            manifest: vec![0xaa],
            modules: vec![ModuleMetadata {
                name: "m".into(),
                source: vec![],
                source_map: vec![1, 2],
                extension: MoveOption::none(),
            }],
            deps: vec![PackageDep {
                account: AccountAddress::ONE,
                package_name: "S".into(),
            }],
            extension: MoveOption::none(),
        };
        let bytes = meta.to_bcs().unwrap();
        let mut expected = vec![1, b'P', 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xaa];
        expected.extend([1, 1, b'm', 0, 2, 1, 2, 0]);
        expected.push(1);
        expected.extend(AccountAddress::ONE.0);
        expected.extend([1, b'S', 0]);
        assert_eq!(bytes, expected);
        assert_eq!(PackageMetadata::from_bcs(&bytes).unwrap(), meta);
        let err = PackageMetadata::from_bcs(&bytes[..bytes.len() - 1]).unwrap_err();
        assert_eq!(
            (err.offset, err.field.as_str()),
            (bytes.len() - 1, "metadata.extension")
        );
    }
}

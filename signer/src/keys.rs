//! The signing key: where it comes from (a hex key file, an upstream-style `private-keys.yaml`,
//! or an environment variable), what it derives (public key, authentication key, address), and
//! the refusals that keep a wrong or leaked key from signing (the all-zero placeholder, key files
//! readable by others). The private key is never printed: it has no `Debug` or `Display` that
//! shows it.

use std::path::{Path, PathBuf};

use ring::signature::{Ed25519KeyPair, KeyPair};

use crate::transaction::{AccountAddress, Ed25519PublicKey, Ed25519Signature};

/// The environment variable read when no key file is given.
pub const KEY_ENV_VAR: &str = "SIGNER_PRIVATE_KEY";

/// Public key of the all-zero seed, written as a placeholder into `private-keys.yaml`.
pub const ZERO_SEED_PUBLIC_KEY: &str =
    "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";

/// Why a key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read key file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Format { origin: String, message: String },
    #[error(
        "{origin}: the key is the all-zero placeholder (upstream key files hold it instead of the \
         owner key); give the real owner key"
    )]
    ZeroKey { origin: String },
    #[error("no signing key: pass --key-file or set {KEY_ENV_VAR}")]
    Missing,
}

/// A 32-byte Ed25519 seed. Its bytes are wiped on drop and never formatted.
pub struct PrivateKey {
    seed: [u8; 32],
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PrivateKey(<redacted>, public 0x{})",
            hex::encode(self.public_key().0)
        )
    }
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        for byte in self.seed.iter_mut() {
            // Volatile so the wipe is not optimised away.
            unsafe { std::ptr::write_volatile(byte, 0) };
        }
    }
}

impl PrivateKey {
    /// A key from its 32-byte seed; refuses the all-zero placeholder.
    pub fn from_seed(seed: [u8; 32], origin: &str) -> Result<PrivateKey, KeyError> {
        if seed == [0u8; 32] {
            return Err(KeyError::ZeroKey {
                origin: origin.into(),
            });
        }
        let pair = Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|_| KeyError::Format {
            origin: origin.into(),
            message: "not a valid Ed25519 seed".into(),
        })?;
        let key = PrivateKey { seed, pair };
        if hex::encode(key.public_key().0) == ZERO_SEED_PUBLIC_KEY {
            return Err(KeyError::ZeroKey {
                origin: origin.into(),
            });
        }
        Ok(key)
    }

    /// Parses 64 hex digits, optional `0x`, whitespace anywhere ignored.
    pub fn from_hex(text: &str, origin: &str) -> Result<PrivateKey, KeyError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = compact.strip_prefix("0x").unwrap_or(&compact);
        let format = |message: String| KeyError::Format {
            origin: origin.into(),
            message,
        };
        if digits.len() != 64 {
            return Err(format(format!(
                "expected 64 hex digits (32 bytes), found {} characters",
                digits.len()
            )));
        }
        let mut seed = [0u8; 32];
        // Do not echo the text: it may be most of a key.
        hex::decode_to_slice(digits, &mut seed)
            .map_err(|_| format("the key is not hexadecimal".into()))?;
        let key = PrivateKey::from_seed(seed, origin);
        seed.fill(0);
        key
    }

    /// The Ed25519 public key.
    pub fn public_key(&self) -> Ed25519PublicKey {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(self.pair.public_key().as_ref());
        Ed25519PublicKey(bytes)
    }

    /// The authentication key, also the address of an account that never rotated its key.
    pub fn derived_address(&self) -> AccountAddress {
        self.public_key().authentication_key()
    }

    /// Signs a message (RFC 8032 Ed25519).
    pub fn sign(&self, message: &[u8]) -> Ed25519Signature {
        let mut bytes = [0u8; 64];
        bytes.copy_from_slice(self.pair.sign(message).as_ref());
        Ed25519Signature(bytes)
    }
}

/// A loaded key, with the account address a key file names, if any.
#[derive(Debug)]
pub struct LoadedKey {
    pub key: PrivateKey,
    /// `account_address` from a `private-keys.yaml`.
    pub account_address: Option<AccountAddress>,
    /// A warning to show the user (e.g. file permissions); never contains key material.
    pub warnings: Vec<String>,
}

/// Parses key-file contents: a `private-keys.yaml` (recognised by its `account_private_key`
/// entry) or a bare hex key.
pub fn parse_key_file(text: &str, origin: &str) -> Result<LoadedKey, KeyError> {
    let yaml = yaml_entries(text);
    if let Some(value) = yaml.iter().find(|(k, _)| k == "account_private_key") {
        let value = &value.1;
        if value.is_empty() || value == "null" || value == "~" {
            return Err(KeyError::Format {
                origin: origin.into(),
                message: "account_private_key is empty; this file holds no owner key".into(),
            });
        }
        let key = PrivateKey::from_hex(value, &format!("{origin}: account_private_key"))?;
        let account_address = match yaml.iter().find(|(k, _)| k == "account_address") {
            Some((_, a)) => Some(
                AccountAddress::parse(a).map_err(|message| KeyError::Format {
                    origin: format!("{origin}: account_address"),
                    message,
                })?,
            ),
            None => None,
        };
        return Ok(LoadedKey {
            key,
            account_address,
            warnings: vec![],
        });
    }
    Ok(LoadedKey {
        key: PrivateKey::from_hex(text, origin)?,
        account_address: None,
        warnings: vec![],
    })
}

/// Top-level `key: value` lines of a simple YAML mapping, with quotes and comments removed.
fn yaml_entries(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|line| !line.starts_with([' ', '\t', '#', '-']))
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            let value = value.split(" #").next().unwrap_or("").trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            Some((key.trim().to_string(), value.to_string()))
        })
        .collect()
}

/// Reads a key file, warning when others can read it.
pub fn load_key_file(path: &Path) -> Result<LoadedKey, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut loaded = parse_key_file(&text, &path.display().to_string())?;
    if let Some(warning) = permission_warning(path) {
        loaded.warnings.push(warning);
    }
    Ok(loaded)
}

#[cfg(unix)]
fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "warning: key file {} is accessible by other users (mode {:o}); run chmod 600 on it",
            path.display(),
            mode & 0o777
        )
    })
}

#[cfg(not(unix))]
fn permission_warning(_path: &Path) -> Option<String> {
    None
}

/// The key from `--key-file`, else from the [`KEY_ENV_VAR`] environment variable.
pub fn load(key_file: Option<&Path>) -> Result<LoadedKey, KeyError> {
    if let Some(path) = key_file {
        return load_key_file(path);
    }
    match std::env::var(KEY_ENV_VAR) {
        Ok(text) => parse_key_file(&text, KEY_ENV_VAR),
        Err(_) => Err(KeyError::Missing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED01: &str = "0101010101010101010101010101010101010101010101010101010101010101";

    #[test]
    fn hex_forms_are_accepted() {
        for text in [
            SEED01.to_string(),
            format!("0x{SEED01}\n"),
            format!("  {} \n {}\n", &SEED01[..32], &SEED01[32..]),
        ] {
            let key = PrivateKey::from_hex(&text, "t").expect("parses");
            assert_eq!(
                key.derived_address().to_hex_literal(),
                "0x7df415e5b21bdaa8b2946e8f1f4278b39904e51a69627494cd3e6f2996732fbd"
            );
        }
    }

    #[test]
    fn zero_key_and_bad_hex_are_refused_without_echoing() {
        assert!(matches!(
            PrivateKey::from_hex(&"0".repeat(64), "t"),
            Err(KeyError::ZeroKey { .. })
        ));
        let bad = format!("{}zz", &SEED01[..62]);
        let err = PrivateKey::from_hex(&bad, "t").unwrap_err().to_string();
        assert!(!err.contains(&SEED01[..20]), "{err}");
        assert!(PrivateKey::from_hex("0x12", "t").is_err());
    }

    #[test]
    fn debug_never_shows_the_seed() {
        let key = PrivateKey::from_hex(SEED01, "t").unwrap();
        let shown = format!("{key:?}");
        assert!(!shown.contains("0101010101"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[cfg(unix)]
    #[test]
    fn readable_key_files_are_warned_about() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("signer-keytest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("key.hex");
        std::fs::write(&path, SEED01).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let loaded = load_key_file(&path).unwrap();
        assert_eq!(loaded.warnings.len(), 1);
        assert!(loaded.warnings[0].contains("chmod 600"));
        assert!(!loaded.warnings[0].contains("0101010101"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(load_key_file(&path).unwrap().warnings.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn private_keys_yaml() {
        let yaml = format!(
            "---\naccount_address: 7df415e5b21bdaa8b2946e8f1f4278b39904e51a69627494cd3e6f2996732fbd\n\
             account_private_key: \"0x{SEED01}\"\nconsensus_private_key: \"0xab\"\n"
        );
        let loaded = parse_key_file(&yaml, "y").unwrap();
        assert_eq!(loaded.account_address, Some(loaded.key.derived_address()));
        let zero = format!("account_private_key: {}\n", "0".repeat(64));
        assert!(matches!(
            parse_key_file(&zero, "y"),
            Err(KeyError::ZeroKey { .. })
        ));
        assert!(parse_key_file("account_private_key: null\n", "y").is_err());
    }
}

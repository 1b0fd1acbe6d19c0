//! Core value types shared by the binary format and its users: account addresses, identifiers,
//! module ids and 256-bit unsigned integers.

use std::fmt;
use std::str::FromStr;

/// A 32-byte Move account address.
///
/// `Display` prints the short hex literal (`0x1`), `{:#}` the full 64-digit form with `0x`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct AccountAddress(pub [u8; AccountAddress::LENGTH]);

impl AccountAddress {
    /// Number of bytes in an address.
    pub const LENGTH: usize = 32;
    /// `0x0`.
    pub const ZERO: AccountAddress = AccountAddress([0; 32]);
    /// `0x1`, the framework address.
    pub const ONE: AccountAddress = AccountAddress::from_u64(1);

    /// Wraps 32 bytes.
    pub const fn new(bytes: [u8; 32]) -> Self {
        AccountAddress(bytes)
    }

    /// A small address such as `0x1`: the value in the last 8 bytes, big-endian.
    pub const fn from_u64(value: u64) -> Self {
        let mut bytes = [0u8; 32];
        let be = value.to_be_bytes();
        let mut i = 0;
        while i < 8 {
            bytes[24 + i] = be[i];
            i += 1;
        }
        AccountAddress(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Full lowercase hex, 64 digits, no `0x`.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Short literal with `0x` and without leading zeros (`0x1`, `0x0`, `0xa550c18`).
    pub fn to_hex_literal(&self) -> String {
        let full = self.to_hex();
        let trimmed = full.trim_start_matches('0');
        if trimmed.is_empty() {
            "0x0".to_string()
        } else {
            format!("0x{trimmed}")
        }
    }

    /// Parses `0x…` or bare hex with up to 64 digits (shorter values are left-padded with zeros).
    pub fn from_hex_literal(text: &str) -> Result<Self, AddressParseError> {
        let digits = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .unwrap_or(text);
        if digits.is_empty() || digits.len() > 64 {
            return Err(AddressParseError(text.to_string()));
        }
        let padded = format!("{digits:0>64}");
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(&padded, &mut bytes)
            .map_err(|_| AddressParseError(text.to_string()))?;
        Ok(AccountAddress(bytes))
    }
}

impl fmt::Display for AccountAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(f, "0x{}", self.to_hex())
        } else {
            f.write_str(&self.to_hex_literal())
        }
    }
}

impl fmt::Debug for AccountAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountAddress({})", self.to_hex_literal())
    }
}

impl From<[u8; 32]> for AccountAddress {
    fn from(bytes: [u8; 32]) -> Self {
        AccountAddress(bytes)
    }
}

impl AsRef<[u8]> for AccountAddress {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl FromStr for AccountAddress {
    type Err = AddressParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountAddress::from_hex_literal(s)
    }
}

/// A string that is not a valid address literal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid account address `{0}`: expected up to 64 hex digits, optionally after 0x")]
pub struct AddressParseError(pub String);

/// A valid Move identifier: `[a-zA-Z][a-zA-Z0-9_]*`, `_[a-zA-Z0-9_]+`, or the special `<SELF>`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Identifier(Box<str>);

impl Identifier {
    /// Checks and wraps a string.
    pub fn new(text: impl Into<Box<str>>) -> Result<Self, InvalidIdentifier> {
        let text = text.into();
        if Self::is_valid(&text) {
            Ok(Identifier(text))
        } else {
            Err(InvalidIdentifier(text.into()))
        }
    }

    /// Whether `text` is a valid Move identifier.
    pub fn is_valid(text: &str) -> bool {
        fn rest_ok(bytes: &[u8]) -> bool {
            bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        let bytes = text.as_bytes();
        match bytes {
            b"<SELF>" => true,
            [first, rest @ ..] if first.is_ascii_alphabetic() => rest_ok(rest),
            [b'_', rest @ ..] if !rest.is_empty() => rest_ok(rest),
            _ => false,
        }
    }

    /// The identifier text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identifier bytes (ASCII).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false for a valid identifier; present for API completeness.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &*self.0)
    }
}

impl AsRef<str> for Identifier {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Identifier {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Identifier {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Identifier {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl FromStr for Identifier {
    type Err = InvalidIdentifier;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Identifier::new(s)
    }
}

impl TryFrom<&str> for Identifier {
    type Error = InvalidIdentifier;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Identifier::new(s)
    }
}

impl TryFrom<String> for Identifier {
    type Error = InvalidIdentifier;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Identifier::new(s)
    }
}

/// A string that is not a valid Move identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Move identifier {0:?}")]
pub struct InvalidIdentifier(pub String);

/// A module's address and name, e.g. `0x1::bcs`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ModuleId {
    /// The account the module is published under.
    pub address: AccountAddress,
    /// The module name.
    pub name: Identifier,
}

impl ModuleId {
    /// Builds a module id.
    pub fn new(address: AccountAddress, name: Identifier) -> Self {
        ModuleId { address, name }
    }

    /// The module's address.
    pub fn address(&self) -> &AccountAddress {
        &self.address
    }

    /// The module's name.
    pub fn name(&self) -> &Identifier {
        &self.name
    }
}

impl fmt::Display for ModuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.address, self.name)
    }
}

/// An unsigned 256-bit integer, as carried by `LdU256` and `u256` constants.
///
/// Stored as 32 little-endian bytes (the wire form); `Display` prints decimal. Arithmetic is left
/// to the VM; this type only carries and prints the value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct U256([u8; 32]);

impl U256 {
    /// Zero.
    pub const ZERO: U256 = U256([0; 32]);
    /// The largest value, 2^256 − 1.
    pub const MAX: U256 = U256([0xff; 32]);

    /// From 32 little-endian bytes.
    pub const fn from_le_bytes(bytes: [u8; 32]) -> Self {
        U256(bytes)
    }

    /// To 32 little-endian bytes.
    pub const fn to_le_bytes(self) -> [u8; 32] {
        self.0
    }

    /// The value if it fits in a `u128`.
    pub fn to_u128(&self) -> Option<u128> {
        if self.0[16..].iter().any(|b| *b != 0) {
            return None;
        }
        let mut low = [0u8; 16];
        low.copy_from_slice(&self.0[..16]);
        Some(u128::from_le_bytes(low))
    }

    /// The four 64-bit limbs, least significant first.
    pub fn limbs(&self) -> [u64; 4] {
        let mut limbs = [0u64; 4];
        for (i, limb) in limbs.iter_mut().enumerate() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&self.0[i * 8..i * 8 + 8]);
            *limb = u64::from_le_bytes(word);
        }
        limbs
    }
}

impl From<u128> for U256 {
    fn from(value: u128) -> Self {
        let mut bytes = [0u8; 32];
        bytes[..16].copy_from_slice(&value.to_le_bytes());
        U256(bytes)
    }
}

impl From<u64> for U256 {
    fn from(value: u64) -> Self {
        U256::from(value as u128)
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for U256 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl fmt::Display for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(small) = self.to_u128() {
            return write!(f, "{small}");
        }
        // Repeated division by 10^19 over 64-bit limbs, most significant first.
        let mut limbs = self.limbs();
        let mut chunks = Vec::new();
        const BASE: u128 = 10_000_000_000_000_000_000;
        while limbs.iter().any(|l| *l != 0) {
            let mut remainder: u128 = 0;
            for limb in limbs.iter_mut().rev() {
                let current = (remainder << 64) | (*limb as u128);
                *limb = (current / BASE) as u64;
                remainder = current % BASE;
            }
            chunks.push(remainder as u64);
        }
        let mut text = String::new();
        for (i, chunk) in chunks.iter().rev().enumerate() {
            if i == 0 {
                text.push_str(&chunk.to_string());
            } else {
                text.push_str(&format!("{chunk:019}"));
            }
        }
        f.write_str(&text)
    }
}

impl fmt::Debug for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U256({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_print_short_and_long() {
        assert_eq!(AccountAddress::ONE.to_string(), "0x1");
        assert_eq!(AccountAddress::ZERO.to_string(), "0x0");
        assert_eq!(
            format!("{:#}", AccountAddress::ONE),
            format!("0x{:0>64}", "1")
        );
        assert_eq!(
            AccountAddress::from_hex_literal("0x42").unwrap(),
            AccountAddress::from_u64(0x42)
        );
        assert!(AccountAddress::from_hex_literal("0xzz").is_err());
    }

    #[test]
    fn identifiers_follow_move_rules() {
        for ok in ["a", "A1", "_a", "__", "foo_bar9", "<SELF>"] {
            assert!(Identifier::is_valid(ok), "{ok}");
        }
        for bad in ["", "_", "1a", "a-b", "a b", "é", "<self>"] {
            assert!(!Identifier::is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn u256_prints_decimal() {
        assert_eq!(U256::from(12345u128).to_string(), "12345");
        assert_eq!(
            U256::MAX.to_string(),
            "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        );
        let mut bytes = [0u8; 32];
        bytes[16] = 1; // 2^128
        assert_eq!(
            U256::from_le_bytes(bytes).to_string(),
            "340282366920938463463374607431768211456"
        );
        assert!(U256::MAX > U256::from(u128::MAX));
    }
}

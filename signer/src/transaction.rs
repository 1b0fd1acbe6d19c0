//! Transaction types of the 0L chain and their wire form: `RawTransaction` and its payloads,
//! `SignedTransaction` with the Ed25519 authenticator, BCS encoding and decoding, the
//! `DIEM::RawTransaction` signing message and the committed transaction hash.

use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};
use sha3::{Digest, Sha3_256};

use crate::keys::PrivateKey;

/// The salt whose SHA3-256 prefixes every signing message on 0L.
pub const RAW_TRANSACTION_SALT: &str = "DIEM::RawTransaction";
/// The salt whose SHA3-256 prefixes the committed transaction hash.
pub const TRANSACTION_SALT: &str = "DIEM::Transaction";

/// SHA3-256 of `bytes`.
pub fn sha3_256(bytes: &[u8]) -> [u8; 32] {
    Sha3_256::digest(bytes).into()
}

/// A 32-byte account address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountAddress(pub [u8; 32]);

impl AccountAddress {
    /// `0x1`, the framework account.
    pub const ONE: AccountAddress = {
        let mut bytes = [0u8; 32];
        bytes[31] = 1;
        AccountAddress(bytes)
    };

    /// Parses `0x` + 1 to 64 hex digits, or exactly 64 hex digits without `0x` (the node's rules).
    pub fn parse(text: &str) -> Result<AccountAddress, String> {
        let trimmed = text.trim();
        let digits = match trimmed.strip_prefix("0x") {
            Some(d) if !d.is_empty() && d.len() <= 64 => d,
            Some(_) => {
                return Err(format!(
                    "address {text:?} needs 1 to 64 hex digits after 0x"
                ))
            }
            None if trimmed.len() == 64 => trimmed,
            None => {
                return Err(format!(
                    "address {text:?} must be 0x-prefixed or exactly 64 hex digits"
                ))
            }
        };
        let padded = format!("{digits:0>64}");
        let mut out = [0u8; 32];
        hex::decode_to_slice(&padded, &mut out)
            .map_err(|e| format!("address {text:?} is not hex: {e}"))?;
        Ok(AccountAddress(out))
    }

    /// Full form: `0x` + 64 lowercase hex digits.
    pub fn to_hex_literal(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }

    /// Short form as the node prints it: leading zeros removed (`0x1`).
    pub fn to_short_string(&self) -> String {
        let full = hex::encode(self.0);
        let trimmed = full.trim_start_matches('0');
        format!("0x{}", if trimmed.is_empty() { "0" } else { trimmed })
    }
}

impl std::fmt::Display for AccountAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex_literal())
    }
}

impl std::fmt::Debug for AccountAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex_literal())
    }
}

/// A Move type argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypeTag {
    Bool,
    U8,
    U64,
    U128,
    Address,
    Signer,
    Vector(Box<TypeTag>),
    Struct(Box<StructTag>),
    U16,
    U32,
    U256,
}

/// A struct type: `address::module::name<type_args>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructTag {
    pub address: AccountAddress,
    pub module: String,
    pub name: String,
    pub type_args: Vec<TypeTag>,
}

/// A module: address and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleId {
    pub address: AccountAddress,
    pub name: String,
}

/// A call of a public entry function; each argument is the BCS of its Move value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryFunction {
    pub module: ModuleId,
    pub function: String,
    pub ty_args: Vec<TypeTag>,
    pub args: Vec<Vec<u8>>,
}

/// A typed script argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransactionArgument {
    U8(u8),
    U64(u64),
    U128(u128),
    Address(AccountAddress),
    U8Vector(Vec<u8>),
    Bool(bool),
    U16(u16),
    U32(u32),
    /// Little-endian bytes.
    U256([u8; 32]),
}

/// A script transaction: compiled code, type arguments, typed arguments.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Script {
    pub code: Vec<u8>,
    pub ty_args: Vec<TypeTag>,
    pub args: Vec<TransactionArgument>,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The code can be hundreds of kilobytes; show its size and hash instead.
        f.debug_struct("Script")
            .field("code_len", &self.code.len())
            .field("code_sha3", &hex::encode(sha3_256(&self.code)))
            .field("ty_args", &self.ty_args)
            .field("args", &self.args)
            .finish()
    }
}

/// The payload variants of this chain. Indices 1 and 3 exist on the wire but the signer never
/// builds them; decoding accepts only what [`TransactionPayload::check_supported`] allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransactionPayload {
    Script(Script),
    /// Deprecated module bundle (index 1).
    ModuleBundle(Vec<Vec<u8>>),
    EntryFunction(EntryFunction),
}

impl TransactionPayload {
    /// Refuses the deprecated variant, which no node accepts.
    pub fn check_supported(&self) -> Result<(), TransactionError> {
        match self {
            TransactionPayload::ModuleBundle(_) => Err(TransactionError::Unsupported(
                "the deprecated ModuleBundle payload".into(),
            )),
            _ => Ok(()),
        }
    }
}

/// The unsigned transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawTransaction {
    pub sender: AccountAddress,
    pub sequence_number: u64,
    pub payload: TransactionPayload,
    pub max_gas_amount: u64,
    pub gas_unit_price: u64,
    pub expiration_timestamp_secs: u64,
    pub chain_id: u8,
}

/// An Ed25519 public key, serialised as a 32-byte BCS byte string.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ed25519PublicKey(pub [u8; 32]);

/// An Ed25519 signature, serialised as a 64-byte BCS byte string.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ed25519Signature(pub [u8; 64]);

macro_rules! fixed_bytes {
    ($ty:ident, $len:expr, $what:expr) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let bytes = Vec::<u8>::deserialize(d)?;
                let array: [u8; $len] = bytes.as_slice().try_into().map_err(|_| {
                    D::Error::custom(format!(
                        "{} must be {} bytes, found {}",
                        $what,
                        $len,
                        bytes.len()
                    ))
                })?;
                Ok($ty(array))
            }
        }
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}(0x{})", stringify!($ty), hex::encode(self.0))
            }
        }
    };
}
fixed_bytes!(Ed25519PublicKey, 32, "an Ed25519 public key");
fixed_bytes!(Ed25519Signature, 64, "an Ed25519 signature");

impl Ed25519PublicKey {
    /// The authentication key, which is also the address of a never-rotated account:
    /// `sha3_256(public key ‖ 00)`.
    pub fn authentication_key(&self) -> AccountAddress {
        let mut bytes = self.0.to_vec();
        bytes.push(0);
        AccountAddress(sha3_256(&bytes))
    }
}

/// The authenticator variants of this chain; the signer produces only `Ed25519`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransactionAuthenticator {
    Ed25519 {
        public_key: Ed25519PublicKey,
        signature: Ed25519Signature,
    },
}

/// A raw transaction with its authenticator: the body POSTed to the node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTransaction {
    pub raw_txn: RawTransaction,
    pub authenticator: TransactionAuthenticator,
}

/// Why a transaction could not be encoded, decoded or verified.
#[derive(Debug, thiserror::Error)]
pub enum TransactionError {
    #[error("BCS encoding failed: {0}")]
    Encode(String),
    #[error("not a BCS SignedTransaction ({len} bytes): {message}")]
    Decode { len: usize, message: String },
    #[error("unsupported transaction: {0}")]
    Unsupported(String),
    #[error("the signature does not verify against the transaction's public key")]
    BadSignature,
}

fn to_bcs<T: Serialize>(value: &T) -> Result<Vec<u8>, TransactionError> {
    bcs::to_bytes(value).map_err(|e| TransactionError::Encode(e.to_string()))
}

impl RawTransaction {
    /// BCS bytes of the raw transaction.
    pub fn to_bcs(&self) -> Result<Vec<u8>, TransactionError> {
        to_bcs(self)
    }

    /// `sha3_256("DIEM::RawTransaction") ‖ bcs(self)`: the bytes that are signed.
    pub fn signing_message(&self) -> Result<Vec<u8>, TransactionError> {
        let mut message = sha3_256(RAW_TRANSACTION_SALT.as_bytes()).to_vec();
        message.extend(self.to_bcs()?);
        Ok(message)
    }

    /// Signs with an Ed25519 key (RFC 8032, no pre-hash).
    pub fn sign(self, key: &PrivateKey) -> Result<SignedTransaction, TransactionError> {
        let message = self.signing_message()?;
        let signature = key.sign(&message);
        Ok(SignedTransaction {
            raw_txn: self,
            authenticator: TransactionAuthenticator::Ed25519 {
                public_key: key.public_key(),
                signature,
            },
        })
    }
}

impl SignedTransaction {
    /// BCS bytes: the body to submit.
    pub fn to_bcs(&self) -> Result<Vec<u8>, TransactionError> {
        to_bcs(self)
    }

    /// Decodes a BCS `SignedTransaction`, refusing trailing bytes and unsupported payloads.
    pub fn from_bcs(bytes: &[u8]) -> Result<SignedTransaction, TransactionError> {
        let txn: SignedTransaction =
            bcs::from_bytes(bytes).map_err(|e| TransactionError::Decode {
                len: bytes.len(),
                message: e.to_string(),
            })?;
        txn.raw_txn.payload.check_supported()?;
        Ok(txn)
    }

    /// The public key of the single Ed25519 signer.
    pub fn public_key(&self) -> Ed25519PublicKey {
        match &self.authenticator {
            TransactionAuthenticator::Ed25519 { public_key, .. } => *public_key,
        }
    }

    /// Checks the signature over the `DIEM::RawTransaction` signing message.
    pub fn verify_signature(&self) -> Result<(), TransactionError> {
        let TransactionAuthenticator::Ed25519 {
            public_key,
            signature,
        } = &self.authenticator;
        let message = self.raw_txn.signing_message()?;
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public_key.0)
            .verify(&message, &signature.0)
            .map_err(|_| TransactionError::BadSignature)
    }

    /// The committed hash:
    /// `sha3_256(sha3_256("DIEM::Transaction") ‖ 00 ‖ bcs(self))`.
    pub fn committed_hash(&self) -> Result<[u8; 32], TransactionError> {
        let mut bytes = sha3_256(TRANSACTION_SALT.as_bytes()).to_vec();
        bytes.push(0); // Transaction::UserTransaction
        bytes.extend(self.to_bcs()?);
        Ok(sha3_256(&bytes))
    }

    /// The same transaction with a 64-zero-byte signature, as the simulate endpoint requires.
    pub fn for_simulation(&self) -> SignedTransaction {
        SignedTransaction {
            raw_txn: self.raw_txn.clone(),
            authenticator: TransactionAuthenticator::Ed25519 {
                public_key: self.public_key(),
                signature: Ed25519Signature([0; 64]),
            },
        }
    }
}

/// BCS of a Move value, as an entry-function argument.
pub fn bcs_arg<T: Serialize>(value: &T) -> Result<Vec<u8>, TransactionError> {
    to_bcs(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_like_the_node() {
        assert_eq!(AccountAddress::parse("0x1").unwrap(), AccountAddress::ONE);
        assert_eq!(
            AccountAddress::parse(&"0".repeat(64)).unwrap(),
            AccountAddress([0; 32])
        );
        assert!(AccountAddress::parse("01").is_err());
        assert!(AccountAddress::parse("0x").is_err());
        assert!(AccountAddress::parse(&format!("0x{}", "1".repeat(65))).is_err());
        assert!(AccountAddress::parse("0xzz").is_err());
        assert_eq!(AccountAddress::ONE.to_short_string(), "0x1");
        assert_eq!(AccountAddress([0; 32]).to_short_string(), "0x0");
    }

    #[test]
    fn salts_hash_to_the_documented_prefixes() {
        assert_eq!(
            hex::encode(sha3_256(RAW_TRANSACTION_SALT.as_bytes())),
            "e74c3978c4493b06fec031b3b5b97fee945b2d7628528d85d19509dab9f4189c"
        );
        assert_eq!(
            hex::encode(sha3_256(TRANSACTION_SALT.as_bytes())),
            "a57f37b6effd9fca550b609f55ac4cabc6e58784f0e1a99877bfef3c9840ba79"
        );
    }
}

//! One transaction from intent to commit: pick the sender and check its authentication key,
//! take the sequence number right before signing, build and sign the `RawTransaction`, submit the
//! signed bytes and wait for them. A transaction is signed exactly once per intent: retries and
//! resubmissions reuse the same bytes, hence the same hash.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::client::{AccountInfo, Client, ClientError, CommittedTransaction};
use crate::keys::PrivateKey;
use crate::transaction::{
    AccountAddress, RawTransaction, SignedTransaction, TransactionError, TransactionPayload,
};

/// Gas and expiry settings of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GasParams {
    pub max_gas_amount: u64,
    pub gas_unit_price: u64,
}

/// Why a transaction could not be prepared or sent.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Transaction(#[from] TransactionError),
    #[error("the key's authentication key {key} is not the on-chain authentication key {chain} of sender {sender}; pass the account's --sender or the key that controls it")]
    AuthKeyMismatch {
        sender: AccountAddress,
        key: AccountAddress,
        chain: AccountAddress,
    },
    #[error("the system clock is before 1970")]
    Clock,
}

/// A signed transaction ready to send, with its bytes and committed hash.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub signed: SignedTransaction,
    pub bytes: Vec<u8>,
    /// `0x` + 64 lowercase hex digits.
    pub hash: String,
}

impl Prepared {
    /// The output object of an offline or dry run.
    pub fn summary_json(&self) -> serde_json::Value {
        serde_json::json!({
            "hash": self.hash,
            "signed_txn_bcs_hex": hex::encode(&self.bytes),
            "sender": self.signed.raw_txn.sender.to_hex_literal(),
        })
    }
}

/// Seconds since the Unix epoch, from the local clock.
pub fn now_secs() -> Result<u64, SessionError> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| SessionError::Clock)
}

/// Builds and signs a transaction from explicit inputs; the bytes depend on nothing else.
pub fn build_and_sign(
    key: &PrivateKey,
    sender: AccountAddress,
    sequence_number: u64,
    payload: TransactionPayload,
    chain_id: u8,
    gas: GasParams,
    expiration_timestamp_secs: u64,
) -> Result<Prepared, SessionError> {
    let raw = RawTransaction {
        sender,
        sequence_number,
        payload,
        max_gas_amount: gas.max_gas_amount,
        gas_unit_price: gas.gas_unit_price,
        expiration_timestamp_secs,
        chain_id,
    };
    let signed = raw.sign(key)?;
    from_signed(signed)
}

/// Wraps an already signed transaction.
pub fn from_signed(signed: SignedTransaction) -> Result<Prepared, SessionError> {
    let bytes = signed.to_bcs()?;
    let hash = format!("0x{}", hex::encode(signed.committed_hash()?));
    Ok(Prepared {
        signed,
        bytes,
        hash,
    })
}

/// Reads the sender's account and checks that the key controls it.
pub async fn check_sender(
    client: &Client,
    key: &PrivateKey,
    sender: AccountAddress,
) -> Result<AccountInfo, SessionError> {
    let info = client.account(sender).await?;
    let key_auth = key.public_key().authentication_key();
    if info.authentication_key != key_auth {
        return Err(SessionError::AuthKeyMismatch {
            sender,
            key: key_auth,
            chain: info.authentication_key,
        });
    }
    Ok(info)
}

/// Takes the sequence number now, signs, and returns the prepared transaction (not sent).
pub async fn prepare_online(
    client: &Client,
    key: &PrivateKey,
    sender: AccountAddress,
    chain_id: u8,
    payload: TransactionPayload,
    gas: GasParams,
    expiration_secs: u64,
) -> Result<Prepared, SessionError> {
    let account = check_sender(client, key, sender).await?;
    build_and_sign(
        key,
        sender,
        account.sequence_number,
        payload,
        chain_id,
        gas,
        now_secs()?.saturating_add(expiration_secs),
    )
}

/// Submits the signed bytes and waits for the commit.
pub async fn send(
    client: &Client,
    prepared: &Prepared,
) -> Result<CommittedTransaction, SessionError> {
    client.submit_bcs(&prepared.bytes, &prepared.hash).await?;
    Ok(client
        .wait_for_transaction(
            &prepared.hash,
            prepared.signed.raw_txn.expiration_timestamp_secs,
        )
        .await?)
}

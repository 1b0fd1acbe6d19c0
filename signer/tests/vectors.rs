//! Reproduces every transaction of the shared signer vectors byte for byte: raw BCS, signing
//! message, signature, signed bytes, simulation bytes and committed hash; and decodes the signed
//! bytes back.

use serde_json::Value;
use signer::governance;
use signer::keys::PrivateKey;
use signer::transaction::{
    sha3_256, AccountAddress, RawTransaction, SignedTransaction, TransactionPayload,
};

fn vectors() -> Option<Value> {
    let bytes = libra_fixtures::read("signer/vectors.json")?;
    Some(serde_json::from_slice(&bytes).expect("vectors.json is JSON"))
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("missing {key}"))
}

fn payload_for(name: &str) -> TransactionPayload {
    match name {
        "ol_vote" => governance::vote_payload(7, true).unwrap(),
        "ol_create_proposal_v2" => {
            let code = hex::decode("a11ceb0b06000000010000000000000000").unwrap();
            governance::create_proposal_payload(
                &sha3_256(&code),
                b"https://example.org/upgrade-proposal",
                b"metadata struct",
                true,
            )
            .unwrap()
        }
        "resolve_script" => governance::resolve_payload(
            hex::decode("a11ceb0b06000000010000000000000000").unwrap(),
            7,
        ),
        "trigger_epoch" => governance::trigger_epoch_payload().unwrap(),
        other => panic!("unknown vector {other}"),
    }
}

#[test]
fn every_vector_reproduces() {
    let Some(v) = vectors() else { return };
    let key = PrivateKey::from_hex(text(&v["key"], "private_key_seed_hex"), "vectors").unwrap();
    assert_eq!(
        hex::encode(key.public_key().0),
        text(&v["key"], "public_key_hex")
    );
    assert_eq!(
        key.derived_address().to_hex_literal(),
        text(&v["key"], "address")
    );
    let common = &v["common_fields"];
    let list = v["vectors"].as_array().expect("vectors array");
    assert_eq!(list.len(), 4);
    for vector in list {
        let name = text(vector, "name");
        let payload = payload_for(name);
        assert_eq!(
            hex::encode(bcs::to_bytes(&payload).unwrap()),
            text(vector, "payload_bcs_hex"),
            "{name}: payload"
        );
        let raw = RawTransaction {
            sender: AccountAddress::parse(text(&v["key"], "address")).unwrap(),
            sequence_number: common["sequence_number"].as_u64().unwrap(),
            payload,
            max_gas_amount: common["max_gas_amount"].as_u64().unwrap(),
            gas_unit_price: common["gas_unit_price"].as_u64().unwrap(),
            expiration_timestamp_secs: common["expiration_timestamp_secs"].as_u64().unwrap(),
            chain_id: common["chain_id"].as_u64().unwrap() as u8,
        };
        assert_eq!(
            hex::encode(raw.to_bcs().unwrap()),
            text(vector, "raw_txn_bcs_hex"),
            "{name}: raw"
        );
        assert_eq!(
            hex::encode(raw.signing_message().unwrap()),
            text(vector, "signing_message_diem_hex"),
            "{name}: signing message"
        );
        let signed = raw.sign(&key).unwrap();
        let signed_bytes = signed.to_bcs().unwrap();
        assert_eq!(
            hex::encode(&signed_bytes),
            text(vector, "signed_txn_bcs_hex"),
            "{name}: signed"
        );
        assert!(text(vector, "signed_txn_bcs_hex").contains(text(vector, "signature_diem_hex")));
        assert_eq!(
            hex::encode(signed.committed_hash().unwrap()),
            text(vector, "committed_txn_hash_hex"),
            "{name}: hash"
        );
        assert_eq!(
            hex::encode(signed.for_simulation().to_bcs().unwrap()),
            text(vector, "signed_txn_for_simulation_bcs_hex"),
            "{name}: simulation"
        );
        let decoded = SignedTransaction::from_bcs(&signed_bytes).unwrap();
        assert_eq!(decoded, signed);
        decoded.verify_signature().unwrap();
        // The Aptos-salted signature must not verify under the 0L salt.
        let mut aptos = decoded.clone();
        let sig = hex::decode(text(vector, "signature_aptos_hex")).unwrap();
        let signer::transaction::TransactionAuthenticator::Ed25519 { signature, .. } =
            &mut aptos.authenticator;
        signature.0.copy_from_slice(&sig);
        assert!(
            aptos.verify_signature().is_err(),
            "{name}: aptos salt must fail"
        );
    }
}

#[test]
fn wallet_vector_addresses_derive() {
    let Some(v) = vectors() else { return };
    for salt in ["DIEM", "0L"] {
        let w = &v["wallet_kdf"][salt];
        let key = PrivateKey::from_hex(text(w, "child0_owner_private_hex"), "kdf").unwrap();
        assert_eq!(
            hex::encode(key.public_key().0),
            text(w, "child0_public_hex")
        );
        assert_eq!(
            key.derived_address().to_hex_literal(),
            text(w, "child0_address")
        );
    }
}

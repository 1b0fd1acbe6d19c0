//! Property tests for every reader of outside input in the signer: key files, upgrade manifests,
//! the node's JSON responses, BCS signed-transaction files and script bytecode. Malformed input
//! must give an error, never a panic.

use std::path::Path;

use framework::upgrade_manifest::UpgradeManifest;
use proptest::prelude::*;
use serde_json::{json, Value};
use signer::client::{
    json_bool, json_bytes, json_u128, json_u64, parse_committed, parse_ledger_info,
    proposal_id_from_events, Event,
};
use signer::keys::parse_key_file;
use signer::manifest_check::embedded_next_hash;
use signer::transaction::SignedTransaction;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        any::<u64>().prop_map(|n| Value::String(n.to_string())),
        "0x[0-9a-f]{0,70}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("chain_id".to_string()),
                        Just("epoch".to_string()),
                        Just("ledger_version".to_string()),
                        Just("ledger_timestamp".to_string()),
                        Just("hash".to_string()),
                        Just("version".to_string()),
                        Just("success".to_string()),
                        Just("vm_status".to_string()),
                        Just("events".to_string()),
                        Just("type".to_string()),
                        Just("data".to_string()),
                        Just("proposal_id".to_string()),
                        "[a-z_]{1,8}",
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn key_files_never_panic(text in "\\PC{0,200}") {
        let _ = parse_key_file(&text, "prop");
    }

    #[test]
    fn yaml_like_key_files_never_panic(
        key in "[0-9a-fA-Fx \"']{0,80}",
        addr in "[0-9a-fx]{0,70}",
        junk in "\\PC{0,40}",
    ) {
        let text = format!("account_address: {addr}\n{junk}\naccount_private_key: {key}\n");
        let _ = parse_key_file(&text, "prop");
    }

    #[test]
    fn manifests_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        prop_assert!(UpgradeManifest::from_json(&bytes, Path::new("p.json")).is_err());
    }

    #[test]
    fn mutated_manifests_never_panic(pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let mut text = sample_manifest().into_bytes();
        let at = pos.index(text.len());
        text[at] = byte;
        let _ = UpgradeManifest::from_json(&text, Path::new("p.json"));
        let end = cut.index(text.len());
        let _ = UpgradeManifest::from_json(&text[..end], Path::new("p.json"));
    }

    #[test]
    fn node_json_never_panics(v in json_value()) {
        let _ = parse_ledger_info(&v);
        let _ = parse_committed(&v);
        let _ = json_u64(&v, "x");
        let _ = json_u128(&v, "x");
        let _ = json_bytes(&v, "x");
        let _ = json_bool(&v, "x");
        let events = vec![Event { type_tag: "0x1::diem_governance::CreateProposalEvent".into(), data: v.clone() }];
        let _ = proposal_id_from_events(&events);
    }

    #[test]
    fn signed_transaction_files_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(txn) = SignedTransaction::from_bcs(&bytes) {
            let _ = txn.verify_signature();
        }
    }

    #[test]
    fn mutated_signed_transactions_never_panic(
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = signed_vote();
        let at = pos.index(bytes.len());
        let original = bytes[at];
        bytes[at] = byte;
        let decoded = SignedTransaction::from_bcs(&bytes);
        if byte != original {
            // Any change either fails to decode or breaks the signature.
            if let Ok(txn) = decoded {
                prop_assert!(txn.verify_signature().is_err());
            }
        }
        let end = cut.index(bytes.len());
        prop_assert!(SignedTransaction::from_bcs(&bytes[..end]).is_err());
    }

    #[test]
    fn script_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = embedded_next_hash(&bytes);
        let mut with_magic = vec![0xa1, 0x1c, 0xeb, 0x0b, 6, 0, 0, 0];
        with_magic.extend(&bytes);
        let _ = embedded_next_hash(&with_magic);
    }
}

fn signed_vote() -> Vec<u8> {
    // The `ol_vote` vector of the shared vectors (its bytes are checked in tests/vectors.rs).
    let key = signer::keys::PrivateKey::from_hex(&"01".repeat(32), "vector").expect("key");
    let raw = signer::transaction::RawTransaction {
        sender: key.derived_address(),
        sequence_number: 0,
        payload: signer::governance::vote_payload(7, true).expect("payload"),
        max_gas_amount: 10000,
        gas_unit_price: 100,
        expiration_timestamp_secs: 1_700_000_000,
        chain_id: 4,
    };
    raw.sign(&key).expect("sign").to_bcs().expect("bcs")
}

fn sample_manifest() -> String {
    let h = |c: char| c.to_string().repeat(64);
    json!({
        "schema_version": 1,
        "bundle_sha3": h('0'),
        "execution_hash": h('1'),
        "steps": [{
            "step": 1, "package": "MoveStdlib", "dir": "1-move-stdlib",
            "script_sha3": h('1'), "next_hash": "", "script_size": 10, "metadata_size": 3,
            "modules": [{"name": "vector", "size": 5, "sha3": h('a')}]
        }],
        "inputs": {"framework_commit": "9".repeat(40), "builder_commit": "7".repeat(40), "force": false}
    })
    .to_string()
}

#[test]
fn reference_vote_bytes_decode_and_verify() {
    let txn = SignedTransaction::from_bcs(&signed_vote()).expect("decodes");
    txn.verify_signature().expect("verifies");
    assert_eq!(
        hex::encode(txn.committed_hash().unwrap()),
        "f7d9699aa7fcec83f87a29f04ba85003c8a842b3f738e78285ce3b850fbd0c34"
    );
    assert!(UpgradeManifest::from_json(sample_manifest().as_bytes(), Path::new("m")).is_ok());
}

#[test]
fn mutated_fixture_script_never_panics() {
    let Some(code) = libra_fixtures::read("libra/upgrade/multi-lib/1-move-stdlib/script.mv") else {
        return;
    };
    assert_eq!(
        hex::encode(embedded_next_hash(&code).expect("reads")),
        "4d499f97a2954fa49139996f001cc588944e3368959aac5725885483339edb28"
    );
    let mut runner = proptest::test_runner::TestRunner::default();
    runner
        .run(
            &(
                any::<prop::sample::Index>(),
                any::<u8>(),
                any::<prop::sample::Index>(),
            ),
            |(pos, byte, cut)| {
                let mut bytes = code.clone();
                let at = pos.index(200.min(bytes.len()));
                bytes[at] = byte;
                let _ = embedded_next_hash(&bytes);
                let _ = embedded_next_hash(&code[..cut.index(code.len())]);
                Ok(())
            },
        )
        .expect("no panic");
}

//! The signer against a real HTTP server (the in-process test node): the whole upgrade ceremony
//! with the fixture scripts, and the failures it must refuse or report clearly.

mod testnode;

use std::path::{Path, PathBuf};

use clap::Parser;
use framework::upgrade_manifest::{
    UpgradeInputs, UpgradeManifest, UpgradeModule, UpgradeStep, SCHEMA_VERSION,
};
use signer::cli::{Cli, CliError};
use signer::keys::PrivateKey;
use signer::transaction::{sha3_256, AccountAddress};
use testnode::NodeState;

const STEPS: [(&str, &str); 3] = [
    ("1-move-stdlib", "MoveStdlib"),
    ("2-vendor-stdlib", "VendorStdlib"),
    ("3-libra-framework", "LibraFramework"),
];

/// Hashes of the fixture scripts, as published with them (reference values).
const FIXTURE_SHA3: [&str; 3] = [
    "5292e7773f9f72f73ada48d112b03e6044292b7ab834069514b9cc3cd89a4bd1",
    "4d499f97a2954fa49139996f001cc588944e3368959aac5725885483339edb28",
    "507c2bce3b3b503e0d64297a2b39487a4f65669ddf1ef6054b5b9c966476d866",
];

struct Setup {
    dir: tempfile::TempDir,
    manifest: PathBuf,
    metadata: PathBuf,
    /// Key files of the four validators, then of one outsider.
    key_files: Vec<PathBuf>,
    addresses: Vec<AccountAddress>,
}

fn key_seed(i: usize) -> String {
    format!("{:02x}", 0x11 + i).repeat(32)
}

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}

/// Package metadata sizes of the fixture steps (reference values, `upgrade-scripts.md` §8).
const METADATA_SIZES: [u64; 3] = [299, 734, 1819];

/// Copies the fixture step scripts into a temp dir and writes a manifest for them, listing each
/// step's modules from the fixture bundle the scripts were generated from.
fn setup() -> Option<Setup> {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle_path = libra_fixtures::require("libra/upgrade/multi-lib/head_all_your_base.mrb")?;
    let bundle_bytes = std::fs::read(&bundle_path).expect("read bundle");
    let bundle = framework::ReleaseBundle::read(&bundle_bytes).expect("fixture bundle decodes");
    let mut steps = vec![];
    for (i, (name, package)) in STEPS.iter().enumerate() {
        let rel = format!("libra/upgrade/multi-lib/{name}");
        let code = libra_fixtures::read(&format!("{rel}/script.mv"))?;
        let recorded = libra_fixtures::read(&format!("{rel}/script_sha3"))?;
        let step_dir = dir.path().join(name);
        std::fs::create_dir_all(&step_dir).expect("mkdir");
        std::fs::write(step_dir.join("script.mv"), &code).expect("write");
        std::fs::write(step_dir.join("script_sha3"), &recorded).expect("write");
        steps.push(UpgradeStep {
            step: i as u32 + 1,
            package: package.to_string(),
            dir: name.to_string(),
            script_sha3: hex::encode(sha3_256(&code)),
            next_hash: String::new(),
            script_size: code.len() as u64,
            metadata_size: METADATA_SIZES[i],
            modules: bundle
                .package(package)
                .unwrap_or_else(|| panic!("bundle has no package {package}"))
                .code
                .iter()
                .enumerate()
                .map(|(m, blob)| UpgradeModule {
                    name: format!("module{m}"),
                    size: blob.len() as u64,
                    sha3: hex::encode(sha3_256(blob)),
                })
                .collect(),
        });
    }
    for i in 0..2 {
        steps[i].next_hash = steps[i + 1].script_sha3.clone();
    }
    let manifest = UpgradeManifest {
        schema_version: SCHEMA_VERSION,
        bundle_sha3: hex::encode(sha3_256(&bundle_bytes)),
        execution_hash: steps[0].script_sha3.clone(),
        steps,
        inputs: UpgradeInputs {
            framework_commit: "993b9a240c0efe9ee9f8685d48eee7450b12d9a9".into(),
            builder_commit: "750f39b5b91114754203d858ec6a758b2f664084".into(),
            force: false,
        },
    };
    let manifest_path = dir.path().join("upgrade.manifest.json");
    std::fs::write(&manifest_path, manifest.to_json()).expect("write manifest");
    let metadata = dir.path().join("proposal.md");
    std::fs::write(&metadata, "# Upgrade\nThree steps.\n").expect("write metadata");
    let mut key_files = vec![];
    let mut addresses = vec![];
    for i in 0..5 {
        let path = dir.path().join(format!("key{i}.hex"));
        write_private(&path, &format!("0x{}\n", key_seed(i)));
        let key = PrivateKey::from_hex(&key_seed(i), "test").expect("key");
        addresses.push(key.derived_address());
        key_files.push(path);
    }
    Some(Setup {
        dir,
        manifest: manifest_path,
        metadata,
        key_files,
        addresses,
    })
}

/// A node with chain id 4, four validators and one funded outsider.
fn node_state(s: &Setup) -> NodeState {
    let mut state = NodeState::new(4);
    for (i, addr) in s.addresses.iter().enumerate() {
        state.add_account(*addr, *addr, i < 4);
    }
    state
}

async fn run(url: &str, key: &Path, args: &[&str]) -> Result<String, CliError> {
    let mut argv = vec![
        "signer".to_string(),
        "--url".into(),
        url.into(),
        "--key-file".into(),
        key.display().to_string(),
        "--poll-interval-ms".into(),
        "20".into(),
        "--wait-timeout-secs".into(),
        "5".into(),
        "--backoff-ms".into(),
        "10".into(),
    ];
    argv.extend(args.iter().map(|a| a.to_string()));
    if !args.contains(&"--chain-id") && !args.contains(&"--network") {
        argv.extend(["--chain-id".to_string(), "4".to_string()]);
    }
    let cli = Cli::try_parse_from(argv).expect("valid command line");
    let mut out = Vec::new();
    signer::cli::run(cli, &mut out).await?;
    Ok(String::from_utf8(out).expect("utf8 output"))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

async fn propose(url: &str, s: &Setup) -> u64 {
    let out = run(
        url,
        &s.key_files[0],
        &[
            "--json",
            "propose",
            "--manifest",
            s.manifest.to_str().unwrap(),
            "--metadata-url",
            "https://example.org/upgrade.md",
            "--metadata-file",
            s.metadata.to_str().unwrap(),
        ],
    )
    .await
    .expect("propose");
    json(&out)["proposal_id"]
        .as_str()
        .expect("proposal_id")
        .parse()
        .expect("number")
}

#[test]
fn fixture_scripts_form_the_published_chain() {
    let Some(s) = setup() else { return };
    let checked = signer::manifest_check::check_manifest(&s.manifest).expect("chain holds");
    let got: Vec<String> = checked
        .steps
        .iter()
        .map(|st| hex::encode(st.sha3))
        .collect();
    assert_eq!(got, FIXTURE_SHA3);
    assert_eq!(
        hex::encode(&checked.steps[0].embedded_next),
        FIXTURE_SHA3[1]
    );
    assert_eq!(
        hex::encode(&checked.steps[1].embedded_next),
        FIXTURE_SHA3[2]
    );
    assert!(checked.steps[2].embedded_next.is_empty());
    assert_eq!(hex::encode(checked.execution_hash), FIXTURE_SHA3[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_ceremony_propose_vote_resolve() {
    let Some(s) = setup() else { return };
    let (url, node) = testnode::start(node_state(&s)).await;
    let id = propose(&url, &s).await;
    assert_eq!(id, 0);
    {
        let n = node.lock().unwrap();
        let p = &n.proposals[0];
        assert_eq!(hex::encode(&p.execution_hash), FIXTURE_SHA3[0]);
        assert_eq!(p.threshold, 3, "4 validators: (4/3)*2+1");
        // The metadata hash is the hex text of the document's SHA3-256.
        let doc = std::fs::read(&s.metadata).unwrap();
        assert_eq!(p.metadata_hash, hex::encode(sha3_256(&doc)).into_bytes());
        assert_eq!(p.metadata_location, b"https://example.org/upgrade.md");
    }
    let status = json(
        &run(
            &url,
            &s.key_files[0],
            &["--json", "status", "--proposal-id", "0"],
        )
        .await
        .unwrap(),
    );
    assert_eq!(status["state_name"], "pending");

    for i in 0..3 {
        let out = run(
            &url,
            &s.key_files[i],
            &["--json", "vote", "--proposal-id", "0"],
        )
        .await
        .unwrap_or_else(|e| panic!("vote {i}: {e}"));
        assert_eq!(json(&out)["yes_votes"], (i + 1).to_string());
    }
    // A second vote by the same validator is refused before signing.
    let before = node.lock().unwrap().submit_requests;
    let err = run(&url, &s.key_files[0], &["vote", "--proposal-id", "0"])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already voted"), "{err}");
    assert_eq!(node.lock().unwrap().submit_requests, before);

    let status = json(
        &run(
            &url,
            &s.key_files[0],
            &["--json", "status", "--proposal-id", "0"],
        )
        .await
        .unwrap(),
    );
    assert_eq!(status["state_name"], "succeeded");
    assert_eq!(status["approved_hash"], FIXTURE_SHA3[0]);

    // Step 1 alone, then the rest: the second run skips what is done.
    let manifest = s.manifest.to_str().unwrap();
    run(
        &url,
        &s.key_files[4],
        &[
            "resolve",
            "--proposal-id",
            "0",
            "--manifest",
            manifest,
            "--step",
            "1",
        ],
    )
    .await
    .expect("step 1");
    assert_eq!(
        hex::encode(&node.lock().unwrap().proposals[0].execution_hash),
        FIXTURE_SHA3[1]
    );
    // Step 2 from its upstream-style directory.
    let step2 = s.dir.path().join("2-vendor-stdlib");
    run(
        &url,
        &s.key_files[4],
        &[
            "resolve",
            "--proposal-id",
            "0",
            "--script-dir",
            step2.to_str().unwrap(),
        ],
    )
    .await
    .expect("step 2");
    let out = run(
        &url,
        &s.key_files[4],
        &[
            "--json",
            "resolve",
            "--proposal-id",
            "0",
            "--manifest",
            manifest,
        ],
    )
    .await
    .expect("step 3");
    let report = json(&out);
    assert_eq!(report["resolved"], true);
    let done: Vec<u64> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| st["step"].as_u64().unwrap())
        .collect();
    assert_eq!(done, [3], "steps 1 and 2 were already done");
    {
        let n = node.lock().unwrap();
        assert!(n.proposals[0].resolved);
        assert!(n.approved.is_empty());
        // 1 proposal + 3 votes + 3 steps, each sent once.
        assert_eq!(n.accepted.len(), 7);
    }
    // Running again does nothing.
    let out = run(
        &url,
        &s.key_files[4],
        &["resolve", "--proposal-id", "0", "--manifest", manifest],
    )
    .await
    .unwrap();
    assert!(out.contains("already resolved"), "{out}");
    assert_eq!(node.lock().unwrap().accepted.len(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vote_from_a_non_validator_is_refused_and_its_abort_is_decoded() {
    let Some(s) = setup() else { return };
    let (url, node) = testnode::start(node_state(&s)).await;
    propose(&url, &s).await;
    let before = node.lock().unwrap().submit_requests;
    let err = run(&url, &s.key_files[4], &["vote", "--proposal-id", "0"])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a current validator"), "{err}");
    assert_eq!(
        node.lock().unwrap().submit_requests,
        before,
        "nothing was sent"
    );

    // Signed offline (no checks) and submitted anyway: the node aborts, the signer explains.
    let file = s.dir.path().join("outsider-vote.bcs");
    run(
        &url,
        &s.key_files[4],
        &[
            "--offline-out",
            file.to_str().unwrap(),
            "--sequence-number",
            "0",
            "--expiration-timestamp",
            "4000000000",
            "vote",
            "--proposal-id",
            "0",
        ],
    )
    .await
    .expect("offline signing");
    let err = run(&url, &s.key_files[4], &["submit", file.to_str().unwrap()])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("diem_governance"), "{err}");
    assert!(err.contains("EUNAUTHORIZED"), "{err}");
    assert!(err.contains("not a current validator"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolve_before_the_proposal_passed_is_refused_before_signing() {
    let Some(s) = setup() else { return };
    let (url, node) = testnode::start(node_state(&s)).await;
    propose(&url, &s).await;
    run(&url, &s.key_files[0], &["vote", "--proposal-id", "0"])
        .await
        .unwrap();
    let before = node.lock().unwrap().submit_requests;
    let err = run(
        &url,
        &s.key_files[4],
        &[
            "resolve",
            "--proposal-id",
            "0",
            "--manifest",
            s.manifest.to_str().unwrap(),
        ],
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("pending"), "{err}");
    assert!(err.contains("cannot be resolved"), "{err}");
    assert_eq!(node.lock().unwrap().submit_requests, before);
    // An unknown proposal id is reported as such.
    let err = run(&url, &s.key_files[0], &["vote", "--proposal-id", "9"])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("proposal 9 does not exist"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_script_is_refused_before_signing() {
    let Some(s) = setup() else { return };
    let (url, node) = testnode::start(node_state(&s)).await;
    propose(&url, &s).await;
    for i in 0..3 {
        run(&url, &s.key_files[i], &["vote", "--proposal-id", "0"])
            .await
            .unwrap();
    }
    // Flip one byte of step 2's script (inside a module blob).
    let path = s.dir.path().join("2-vendor-stdlib/script.mv");
    let mut code = std::fs::read(&path).unwrap();
    code[1000] ^= 0x01;
    std::fs::write(&path, &code).unwrap();
    let before = node.lock().unwrap().submit_requests;
    let manifest = s.manifest.to_str().unwrap();
    let err = run(
        &url,
        &s.key_files[4],
        &["resolve", "--proposal-id", "0", "--manifest", manifest],
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("script_sha3"), "{err}");
    assert!(err.contains("2-vendor-stdlib"), "{err}");
    assert_eq!(node.lock().unwrap().submit_requests, before);
    // The upstream-style directory is refused the same way, and propose refuses the manifest.
    let dir = s.dir.path().join("2-vendor-stdlib");
    let err = run(
        &url,
        &s.key_files[4],
        &[
            "resolve",
            "--proposal-id",
            "0",
            "--script-dir",
            dir.to_str().unwrap(),
        ],
    )
    .await
    .unwrap_err();
    assert!(matches!(err, CliError::Check(_)), "{err}");
    // Also with script_sha3 updated to match: the chain check catches it.
    std::fs::write(dir.join("script_sha3"), hex::encode(sha3_256(&code))).unwrap();
    let err = run(
        &url,
        &s.key_files[0],
        &[
            "propose",
            "--manifest",
            manifest,
            "--metadata-url",
            "https://example.org/x",
            "--metadata-file",
            s.metadata.to_str().unwrap(),
        ],
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("manifest says"), "{err}");
    assert_eq!(node.lock().unwrap().submit_requests, before);
}

#[test]
fn manifest_contents_are_checked_against_the_scripts() {
    let Some(s) = setup() else { return };
    let original = std::fs::read_to_string(&s.manifest).unwrap();
    let manifest = UpgradeManifest::from_json(original.as_bytes(), &s.manifest).unwrap();
    type Change = Box<dyn Fn(&mut UpgradeManifest)>;
    let cases: Vec<(&str, Change)> = vec![
        (
            "module 3",
            Box::new(|m| m.steps[1].modules[3].sha3 = "00".repeat(32)),
        ),
        (
            "modules",
            Box::new(|m| {
                m.steps[0].modules.pop();
            }),
        ),
        (
            "package metadata",
            Box::new(|m| m.steps[2].metadata_size += 1),
        ),
        (
            "framework commit",
            Box::new(|m| m.inputs.framework_commit = "ab".repeat(20)),
        ),
    ];
    for (expected, change) in cases {
        let mut m = manifest.clone();
        change(&mut m);
        std::fs::write(&s.manifest, m.to_json()).unwrap();
        let err = signer::manifest_check::check_manifest(&s.manifest)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{expected}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_chain_id_is_refused() {
    let Some(s) = setup() else { return };
    let (url, node) = testnode::start(node_state(&s)).await;
    let err = run(
        &url,
        &s.key_files[0],
        &["--network", "mainnet", "vote", "--proposal-id", "0"],
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("chain id 4"), "{err}");
    assert!(err.contains("chain id 1 was expected"), "{err}");
    let err = run(
        &url,
        &s.key_files[0],
        &["--chain-id", "2", "vote", "--proposal-id", "0"],
    )
    .await
    .unwrap_err();
    assert!(matches!(
        err,
        CliError::Client(signer::client::ClientError::ChainIdMismatch { .. })
    ));
    // A transaction signed for chain 2 is refused by submit before sending.
    let file = s.dir.path().join("chain2.bcs");
    run(
        &url,
        &s.key_files[0],
        &[
            "--chain-id",
            "2",
            "--offline-out",
            file.to_str().unwrap(),
            "--sequence-number",
            "0",
            "--expiration-timestamp",
            "4000000000",
            "vote",
            "--proposal-id",
            "0",
        ],
    )
    .await
    .unwrap();
    let cli =
        Cli::try_parse_from(["signer", "--url", &url, "submit", file.to_str().unwrap()]).unwrap();
    let err = signer::cli::run(cli, &mut Vec::new()).await.unwrap_err();
    assert!(err.to_string().contains("chain id 2"), "{err}");
    assert_eq!(node.lock().unwrap().submit_requests, 0);
    // Every 2xx answer is checked, not only the first ledger read.
    let mut config = signer::client::ClientConfig::new(&url);
    config.expected_chain_id = Some(2);
    let client = signer::client::Client::new(config).unwrap();
    let err = client.account(s.addresses[0]).await.unwrap_err();
    assert!(
        matches!(
            err,
            signer::client::ClientError::ChainIdMismatch { actual: 4, .. }
        ),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_answering_500_then_succeeding_gets_one_transaction() {
    let Some(s) = setup() else { return };
    let (url, node) = testnode::start(node_state(&s)).await;
    propose(&url, &s).await;
    // The next two requests fail: the ledger-info read retries, and so on.
    node.lock().unwrap().fail_next = 2;
    run(&url, &s.key_files[0], &["vote", "--proposal-id", "0"])
        .await
        .expect("vote despite 500s");
    // Fail the submission itself twice: the same bytes are resent.
    let before = node.lock().unwrap().submit_requests;
    let file = s.dir.path().join("v1.bcs");
    run(
        &url,
        &s.key_files[1],
        &[
            "--offline-out",
            file.to_str().unwrap(),
            "--sequence-number",
            "0",
            "--expiration-timestamp",
            "4000000000",
            "vote",
            "--proposal-id",
            "0",
        ],
    )
    .await
    .unwrap();
    {
        let mut n = node.lock().unwrap();
        n.fail_next = 0;
    }
    // Make only POST /transactions fail: wrap with a counter after ledger and account reads.
    let cli = Cli::try_parse_from([
        "signer",
        "--url",
        &url,
        "--chain-id",
        "4",
        "--backoff-ms",
        "10",
        "--poll-interval-ms",
        "20",
        "--wait-timeout-secs",
        "5",
        "submit",
        file.to_str().unwrap(),
    ])
    .unwrap();
    node.lock().unwrap().fail_next = 1; // the GET /v1 chain check
    signer::cli::run(cli, &mut Vec::new())
        .await
        .expect("submit after a 500");
    let n = node.lock().unwrap();
    let v1 = s.addresses[1];
    let from_v1: Vec<_> = n.accepted.iter().filter(|(_, a)| *a == v1).collect();
    assert_eq!(from_v1.len(), 1, "exactly one transaction for one intent");
    assert_eq!(n.proposals[0].yes, 2);
    assert!(n.submit_requests > before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submission_retried_after_500_resends_the_same_bytes() {
    let Some(s) = setup() else { return };
    let (url, node) = testnode::start(node_state(&s)).await;
    propose(&url, &s).await;
    let key = PrivateKey::from_hex(&key_seed(1), "t").unwrap();
    let prepared = signer::session::build_and_sign(
        &key,
        s.addresses[1],
        0,
        signer::governance::vote_payload(0, true).unwrap(),
        4,
        signer::session::GasParams {
            max_gas_amount: 1000,
            gas_unit_price: 100,
        },
        4_000_000_000,
    )
    .unwrap();
    let mut config = signer::client::ClientConfig::new(&url);
    config.backoff = std::time::Duration::from_millis(5);
    config.poll_interval = std::time::Duration::from_millis(10);
    config.progress = false;
    let client = signer::client::Client::new(config).unwrap();
    let before = node.lock().unwrap().submit_requests;
    node.lock().unwrap().fail_next = 2;
    let committed = signer::session::send(&client, &prepared).await.unwrap();
    assert_eq!(committed.hash, prepared.hash);
    let n = node.lock().unwrap();
    assert_eq!(n.submit_requests - before, 3, "two 500s, then accepted");
    assert_eq!(
        n.accepted
            .iter()
            .filter(|(h, _)| *h == prepared.hash)
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_that_never_commits_times_out_clearly() {
    let Some(s) = setup() else { return };
    let (url, node) = testnode::start(node_state(&s)).await;
    propose(&url, &s).await;
    node.lock().unwrap().never_commit = true;
    let started = std::time::Instant::now();
    let err = run(
        &url,
        &s.key_files[0],
        &["--wait-timeout-secs", "1", "vote", "--proposal-id", "0"],
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("was not committed within 1 s"), "{err}");
    assert!(err.contains("do not sign a new one"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_signing_is_deterministic_and_submits_later() {
    let Some(s) = setup() else { return };
    // No node: a closed port proves nothing is contacted.
    let dead = "http://127.0.0.1:9";
    let file_a = s.dir.path().join("a.bcs");
    let file_b = s.dir.path().join("b.bcs");
    let mut outputs = vec![];
    for file in [&file_a, &file_b] {
        let out = run(
            dead,
            &s.key_files[0],
            &[
                "--json",
                "--offline-out",
                file.to_str().unwrap(),
                "--sequence-number",
                "1",
                "--expiration-timestamp",
                "4000000000",
                "vote",
                "--proposal-id",
                "0",
            ],
        )
        .await
        .expect("offline");
        outputs.push(json(&out));
    }
    assert_eq!(outputs[0], outputs[1]);
    let keys: Vec<&String> = outputs[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["hash", "sender", "signed_txn_bcs_hex"]);
    let bytes = std::fs::read(&file_a).unwrap();
    assert_eq!(bytes, std::fs::read(&file_b).unwrap());
    assert_eq!(outputs[0]["signed_txn_bcs_hex"], hex::encode(&bytes));
    let decoded = signer::transaction::SignedTransaction::from_bcs(&bytes).unwrap();
    assert_eq!(
        outputs[0]["hash"],
        format!("0x{}", hex::encode(decoded.committed_hash().unwrap()))
    );
    // Offline signing refuses to guess missing inputs.
    let err = run(
        dead,
        &s.key_files[0],
        &[
            "--offline-out",
            file_a.to_str().unwrap(),
            "--sequence-number",
            "1",
            "vote",
            "--proposal-id",
            "0",
        ],
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("--expiration-timestamp"), "{err}");

    // Later, with a node: propose (sequence 0) and submit the stored vote (sequence 1).
    let (url, node) = testnode::start(node_state(&s)).await;
    propose(&url, &s).await;
    let out = run(
        &url,
        &s.key_files[0],
        &["--json", "submit", file_a.to_str().unwrap()],
    )
    .await
    .expect("submit");
    assert_eq!(json(&out)["hash"], outputs[0]["hash"]);
    assert_eq!(node.lock().unwrap().proposals[0].yes, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_sends_nothing() {
    let Some(s) = setup() else { return };
    let (url, node) = testnode::start(node_state(&s)).await;
    let out = run(
        &url,
        &s.key_files[0],
        &[
            "--json",
            "--dry-run",
            "propose",
            "--manifest",
            s.manifest.to_str().unwrap(),
            "--metadata-url",
            "https://example.org/u",
            "--metadata-file",
            s.metadata.to_str().unwrap(),
        ],
    )
    .await
    .unwrap();
    let v = json(&out);
    assert_eq!(v["dry_run"], true);
    assert!(v["signed_txn_bcs_hex"].as_str().unwrap().len() > 200);
    let n = node.lock().unwrap();
    assert_eq!(n.submit_requests, 0);
    assert!(n.proposals.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_account_is_found_by_its_authentication_key() {
    let Some(s) = setup() else { return };
    let mut state = node_state(&s);
    // Validator 3's account lives at a legacy address but is controlled by key 3.
    let legacy =
        AccountAddress::parse("0x00000000000000000000000000000000a1b2c3d4e5f60718293a4b5c6d7e8f90")
            .unwrap();
    state.accounts.remove(&s.addresses[3]);
    state.validators.remove(&s.addresses[3]);
    state.add_account(legacy, s.addresses[3], true);
    let (url, node) = testnode::start(state).await;
    propose(&url, &s).await;
    run(&url, &s.key_files[3], &["vote", "--proposal-id", "0"])
        .await
        .expect("vote from the legacy address");
    assert!(node.lock().unwrap().votes.contains(&(legacy, 0)));
    // An explicit --sender that the key does not control is refused before signing.
    let before = node.lock().unwrap().submit_requests;
    let err = run(
        &url,
        &s.key_files[3],
        &[
            "--sender",
            &s.addresses[1].to_hex_literal(),
            "vote",
            "--proposal-id",
            "0",
        ],
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("is not the on-chain authentication key"),
        "{err}"
    );
    assert_eq!(node.lock().unwrap().submit_requests, before);
}

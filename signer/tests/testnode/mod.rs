//! An in-process test node on 127.0.0.1: the REST endpoints the signer uses, with the node's
//! JSON shapes, headers and errors. It checks the content type, decodes the BCS, verifies the
//! signature, chain id, authentication key and sequence number, and keeps proposals, votes and
//! resolution by the governance rules (validators only, one vote each, 2/3 threshold, steps in
//! order, execution-hash check). Its clock advances one second per committed transaction, so
//! "resolve in a later second than the last vote" holds without sleeping.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use signer::manifest_check::embedded_next_hash;
use signer::transaction::{
    sha3_256, AccountAddress, SignedTransaction, TransactionArgument, TransactionPayload,
};

pub const VOTING_RECORDS_HANDLE: &str = "0x5eed";

/// One account.
#[derive(Debug, Clone)]
pub struct Account {
    pub sequence_number: u64,
    pub authentication_key: AccountAddress,
}

/// One proposal.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub execution_hash: Vec<u8>,
    pub yes: u128,
    pub no: u128,
    pub threshold: u128,
    pub expiration: u64,
    pub last_vote: Option<u64>,
    pub resolved: bool,
    pub in_execution: bool,
    pub multi_step: bool,
    pub metadata_location: Vec<u8>,
    pub metadata_hash: Vec<u8>,
}

/// The node's whole state; tests read and steer it.
#[derive(Debug)]
pub struct NodeState {
    pub chain_id: u8,
    pub clock_secs: u64,
    pub version: u64,
    pub accounts: HashMap<AccountAddress, Account>,
    pub validators: HashSet<AccountAddress>,
    pub proposals: Vec<Proposal>,
    pub votes: HashSet<(AccountAddress, u64)>,
    pub approved: HashMap<u64, Vec<u8>>,
    /// Transactions by `0x…` hash: the JSON `by_hash` returns.
    pub txns: HashMap<String, Value>,
    /// Distinct transactions accepted, in order (hash, sender).
    pub accepted: Vec<(String, AccountAddress)>,
    /// Every request to POST /transactions, including refused and repeated ones.
    pub submit_requests: usize,
    /// Answer this many next requests (of any kind) with 500.
    pub fail_next: u32,
    /// Accept submissions but never commit them.
    pub never_commit: bool,
}

impl NodeState {
    pub fn new(chain_id: u8) -> NodeState {
        NodeState {
            chain_id,
            clock_secs: 1_700_000_000,
            version: 100,
            accounts: HashMap::new(),
            validators: HashSet::new(),
            proposals: vec![],
            votes: HashSet::new(),
            approved: HashMap::new(),
            txns: HashMap::new(),
            accepted: vec![],
            submit_requests: 0,
            fail_next: 0,
            never_commit: false,
        }
    }

    pub fn add_account(&mut self, address: AccountAddress, auth: AccountAddress, validator: bool) {
        self.accounts.insert(
            address,
            Account {
                sequence_number: 0,
                authentication_key: auth,
            },
        );
        if validator {
            self.validators.insert(address);
        }
    }

    fn closed(&self, p: &Proposal) -> bool {
        p.yes >= p.threshold || p.no >= p.threshold || self.clock_secs > p.expiration
    }

    /// 0 pending, 1 succeeded, 3 failed.
    pub fn state(&self, p: &Proposal) -> u64 {
        if !self.closed(p) {
            0
        } else if p.yes > p.no && p.yes + p.no >= p.threshold {
            1
        } else {
            3
        }
    }

    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        let mut put = |name: &'static str, value: String| {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        };
        put("x-diem-chain-id", self.chain_id.to_string());
        put("x-diem-epoch", "1".into());
        put("x-diem-ledger-version", self.version.to_string());
        put("x-diem-ledger-oldest-version", "0".into());
        put(
            "x-diem-ledger-timestampusec",
            (self.clock_secs * 1_000_000).to_string(),
        );
        put("x-diem-block-height", self.version.to_string());
        put("x-diem-oldest-block-height", "0".into());
        h
    }
}

pub type Shared = Arc<Mutex<NodeState>>;

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, NodeState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn error(status: StatusCode, code: &str, message: &str, vm: Option<u64>) -> Response {
    (
        status,
        Json(json!({"message": message, "error_code": code, "vm_error_code": vm})),
    )
        .into_response()
}

fn ok_json(state: &NodeState, status: StatusCode, body: Value) -> Response {
    (status, state.headers(), Json(body)).into_response()
}

/// Consumes one injected failure, if any.
fn injected_failure(state: &Shared) -> Option<Response> {
    let mut s = lock(state);
    if s.fail_next > 0 {
        s.fail_next -= 1;
        return Some(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "injected failure",
            None,
        ));
    }
    None
}

/// Starts the node; returns its base URL and shared state. The server stops with the runtime.
pub async fn start(state: NodeState) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(state));
    let app = Router::new()
        .route("/v1", get(ledger))
        .route("/v1/", get(ledger))
        .route("/v1/accounts/:address", get(account))
        .route("/v1/accounts/:address/resource/:tag", get(resource))
        .route("/v1/transactions", post(submit))
        .route("/v1/transactions/by_hash/:hash", get(by_hash))
        .route("/v1/view", post(view))
        .route("/v1/tables/:handle/item", post(table_item))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), shared)
}

async fn ledger(State(state): State<Shared>) -> Response {
    if let Some(r) = injected_failure(&state) {
        return r;
    }
    let s = lock(&state);
    let body = json!({
        "chain_id": s.chain_id, "epoch": "1", "ledger_version": s.version.to_string(),
        "oldest_ledger_version": "0",
        "ledger_timestamp": (s.clock_secs * 1_000_000).to_string(),
        "node_role": "validator", "oldest_block_height": "0",
        "block_height": s.version.to_string(), "git_hash": "",
    });
    ok_json(&s, StatusCode::OK, body)
}

fn parse_addr(text: &str) -> Result<AccountAddress, Box<Response>> {
    AccountAddress::parse(text).map_err(|m| {
        Box::new(error(
            StatusCode::BAD_REQUEST,
            "web_framework_error",
            &format!("failed to parse path `address`: {m}"),
            None,
        ))
    })
}

async fn account(State(state): State<Shared>, Path(address): Path<String>) -> Response {
    if let Some(r) = injected_failure(&state) {
        return r;
    }
    let addr = match parse_addr(&address) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let s = lock(&state);
    match s.accounts.get(&addr) {
        Some(a) => ok_json(
            &s,
            StatusCode::OK,
            json!({"sequence_number": a.sequence_number.to_string(),
                   "authentication_key": a.authentication_key.to_hex_literal()}),
        ),
        None => error(
            StatusCode::NOT_FOUND,
            "account_not_found",
            &format!(
                "Account not found by Address({address}) and Ledger version({})",
                s.version
            ),
            None,
        ),
    }
}

async fn resource(
    State(state): State<Shared>,
    Path((address, tag)): Path<(String, String)>,
) -> Response {
    if let Some(r) = injected_failure(&state) {
        return r;
    }
    let s = lock(&state);
    if parse_addr(&address).ok() == Some(AccountAddress::ONE)
        && tag == "0x1::diem_governance::VotingRecords"
    {
        return ok_json(
            &s,
            StatusCode::OK,
            json!({"type": tag, "data": {"votes": {"handle": VOTING_RECORDS_HANDLE}}}),
        );
    }
    error(
        StatusCode::NOT_FOUND,
        "resource_not_found",
        &format!("Resource not found by Address({address}), Struct tag({tag})"),
        None,
    )
}

async fn table_item(
    State(state): State<Shared>,
    Path(handle): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = injected_failure(&state) {
        return r;
    }
    let s = lock(&state);
    let key = &body["key"];
    let voter = key["voter"]
        .as_str()
        .and_then(|v| AccountAddress::parse(v).ok());
    let id = key["proposal_id"]
        .as_str()
        .and_then(|v| v.parse::<u64>().ok());
    if handle != VOTING_RECORDS_HANDLE
        || body["key_type"] != "0x1::diem_governance::RecordKey"
        || voter.is_none()
        || id.is_none()
    {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "bad table request",
            None,
        );
    }
    match (voter, id) {
        (Some(v), Some(i)) if s.votes.contains(&(v, i)) => ok_json(&s, StatusCode::OK, json!(true)),
        _ => error(
            StatusCode::NOT_FOUND,
            "table_item_not_found",
            "Table Item not found",
            None,
        ),
    }
}

async fn by_hash(State(state): State<Shared>, Path(hash): Path<String>) -> Response {
    if let Some(r) = injected_failure(&state) {
        return r;
    }
    let s = lock(&state);
    let key = if hash.starts_with("0x") {
        hash.to_lowercase()
    } else {
        format!("0x{}", hash.to_lowercase())
    };
    match s.txns.get(&key) {
        Some(v) => ok_json(&s, StatusCode::OK, v.clone()),
        None => {
            let mut r = error(
                StatusCode::NOT_FOUND,
                "transaction_not_found",
                &format!("Transaction not found by Transaction hash({hash})"),
                None,
            );
            r.headers_mut().extend(s.headers());
            r
        }
    }
}

fn vm_error(code: u64, name: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "vm_error",
        &format!("Invalid transaction: Type: Validation Code: {name}"),
        Some(code),
    )
}

async fn submit(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    lock(&state).submit_requests += 1;
    if let Some(r) = injected_failure(&state) {
        return r;
    }
    let content_type = headers
        .get("content-type")
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    if content_type != b"application/x.diem.signed_transaction+bcs" {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "web_framework_error",
            "the `Content-Type` requested by the client is not supported",
            None,
        );
    }
    let txn = match SignedTransaction::from_bcs(&body) {
        Ok(t) => t,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                &format!("Failed to deserialize input into SignedTransaction: {e}"),
                None,
            )
        }
    };
    let hash = format!("0x{}", hex::encode(txn.committed_hash().expect("hash")));
    let mut s = lock(&state);
    if s.txns.contains_key(&hash) {
        // Identical resubmission: same answer, nothing new.
        let v = pending_json(&txn, &hash);
        return ok_json(&s, StatusCode::ACCEPTED, v);
    }
    if txn.verify_signature().is_err() {
        return vm_error(1, "INVALID_SIGNATURE");
    }
    let raw = &txn.raw_txn;
    if raw.chain_id != s.chain_id {
        return vm_error(23, "BAD_CHAIN_ID");
    }
    let Some(account) = s.accounts.get(&raw.sender).cloned() else {
        return vm_error(7, "SENDING_ACCOUNT_DOES_NOT_EXIST");
    };
    if account.authentication_key != txn.public_key().authentication_key() {
        return vm_error(2, "INVALID_AUTH_KEY");
    }
    if raw.sequence_number < account.sequence_number {
        return vm_error(3, "SEQUENCE_NUMBER_TOO_OLD");
    }
    if raw.expiration_timestamp_secs <= s.clock_secs {
        return vm_error(6, "TRANSACTION_EXPIRED");
    }
    let raw_len = raw.to_bcs().map(|b| b.len()).unwrap_or(usize::MAX);
    if raw_len > 65536 {
        let approved = match &raw.payload {
            TransactionPayload::Script(script) => {
                let h = sha3_256(&script.code).to_vec();
                s.approved.values().any(|a| *a == h)
            }
            _ => false,
        };
        if !approved {
            return vm_error(10, "EXCEEDED_MAX_TRANSACTION_SIZE");
        }
    }
    let pending = pending_json(&txn, &hash);
    s.accepted.push((hash.clone(), raw.sender));
    if s.never_commit || raw.sequence_number > account.sequence_number {
        // Parked: in mempool, never executed.
        let mut p = pending.clone();
        p["type"] = json!("pending_transaction");
        s.txns.insert(hash, p);
        return ok_json(&s, StatusCode::ACCEPTED, pending);
    }
    let outcome = execute(&mut s, &txn);
    if let Some(a) = s.accounts.get_mut(&raw.sender) {
        a.sequence_number += 1;
    }
    s.version += 1;
    let (success, vm_status, events) = match outcome {
        Ok(events) => (true, "Executed successfully".to_string(), events),
        Err(status) => (false, status, vec![]),
    };
    let mut committed = pending.clone();
    committed["type"] = json!("user_transaction");
    committed["version"] = json!(s.version.to_string());
    committed["success"] = json!(success);
    committed["vm_status"] = json!(vm_status);
    committed["gas_used"] = json!("10");
    committed["timestamp"] = json!((s.clock_secs * 1_000_000).to_string());
    committed["events"] = json!(events);
    s.txns.insert(hash, committed);
    s.clock_secs += 1;
    ok_json(&s, StatusCode::ACCEPTED, pending)
}

fn pending_json(txn: &SignedTransaction, hash: &str) -> Value {
    let raw = &txn.raw_txn;
    json!({
        "hash": hash,
        "sender": raw.sender.to_hex_literal(),
        "sequence_number": raw.sequence_number.to_string(),
        "max_gas_amount": raw.max_gas_amount.to_string(),
        "gas_unit_price": raw.gas_unit_price.to_string(),
        "expiration_timestamp_secs": raw.expiration_timestamp_secs.to_string(),
        "payload": {"type": "opaque_for_tests"},
        "signature": {"type": "ed25519_signature",
                      "public_key": format!("0x{}", hex::encode(txn.public_key().0))},
    })
}

fn abort(module: &str, name: &str, code: u64) -> String {
    format!("Move abort in 0x1::{module}: {name}(0x{code:x}): test node")
}

fn event(type_tag: &str, data: Value) -> Value {
    json!({"guid": {"creation_number": "1", "account_address": "0x1"},
           "sequence_number": "0", "type": type_tag, "data": data})
}

fn arg<T: serde::de::DeserializeOwned>(args: &[Vec<u8>], i: usize) -> Result<T, String> {
    let bytes = args.get(i).ok_or_else(|| {
        "Transaction Executed and Committed with Error NUMBER_OF_ARGUMENTS_MISMATCH".to_string()
    })?;
    bcs::from_bytes(bytes).map_err(|_| {
        "Transaction Executed and Committed with Error FAILED_TO_DESERIALIZE_ARGUMENT".to_string()
    })
}

/// Runs a payload; `Err` is the committed failure's `vm_status`.
fn execute(s: &mut NodeState, txn: &SignedTransaction) -> Result<Vec<Value>, String> {
    let sender = txn.raw_txn.sender;
    match &txn.raw_txn.payload {
        TransactionPayload::EntryFunction(f)
            if f.module.address == AccountAddress::ONE && f.module.name == "diem_governance" =>
        {
            match f.function.as_str() {
                "ol_create_proposal_v2" => {
                    let execution_hash: Vec<u8> = arg(&f.args, 0)?;
                    let location: Vec<u8> = arg(&f.args, 1)?;
                    let metadata_hash: Vec<u8> = arg(&f.args, 2)?;
                    let multi_step: bool = arg(&f.args, 3)?;
                    if !s.validators.contains(&sender) {
                        return Err(abort("diem_governance", "EUNAUTHORIZED", 0x1000B));
                    }
                    if std::str::from_utf8(&location).is_err()
                        || std::str::from_utf8(&metadata_hash).is_err()
                    {
                        return Err(abort("string", "EINVALID_UTF8", 1));
                    }
                    if location.len() > 256 {
                        return Err(abort(
                            "diem_governance",
                            "EMETADATA_LOCATION_TOO_LONG",
                            0x10009,
                        ));
                    }
                    if metadata_hash.len() > 256 {
                        return Err(abort("diem_governance", "EMETADATA_HASH_TOO_LONG", 0x1000A));
                    }
                    if execution_hash.is_empty() {
                        return Err(abort("voting", "EPROPOSAL_EMPTY_EXECUTION_HASH", 0x10004));
                    }
                    let n = s.validators.len() as u128;
                    let id = s.proposals.len() as u64;
                    s.proposals.push(Proposal {
                        execution_hash: execution_hash.clone(),
                        yes: 0,
                        no: 0,
                        threshold: (n / 3) * 2 + 1,
                        expiration: s.clock_secs + 259_200,
                        last_vote: None,
                        resolved: false,
                        in_execution: false,
                        multi_step,
                        metadata_location: location.clone(),
                        metadata_hash: metadata_hash.clone(),
                    });
                    let meta = json!({"data": [
                        {"key": "metadata_location", "value": format!("0x{}", hex::encode(&location))},
                        {"key": "metadata_hash", "value": format!("0x{}", hex::encode(&metadata_hash))},
                    ]});
                    Ok(vec![
                        event(
                            "0x1::voting::CreateProposalEvent",
                            json!({
                                "proposal_id": id.to_string(),
                                "execution_hash": format!("0x{}", hex::encode(&execution_hash)),
                            }),
                        ),
                        event(
                            "0x1::diem_governance::CreateProposalEvent",
                            json!({
                                "proposer": sender.to_short_string(),
                                "proposal_id": id.to_string(),
                                "execution_hash": format!("0x{}", hex::encode(&execution_hash)),
                                "proposal_metadata": meta,
                            }),
                        ),
                    ])
                }
                "ol_vote" => {
                    let id: u64 = arg(&f.args, 0)?;
                    let should_pass: bool = arg(&f.args, 1)?;
                    if !s.validators.contains(&sender) {
                        return Err(abort("diem_governance", "EUNAUTHORIZED", 0x1000B));
                    }
                    if s.votes.contains(&(sender, id)) {
                        return Err(abort("diem_governance", "EALREADY_VOTED", 0x10004));
                    }
                    let clock = s.clock_secs;
                    let Some(p) = s.proposals.get(id as usize).cloned() else {
                        return Err("Move abort in 0x1::table: 0x6507".into());
                    };
                    if clock > p.expiration {
                        return Err(abort("voting", "EPROPOSAL_VOTING_ALREADY_ENDED", 0x30005));
                    }
                    if p.resolved {
                        return Err(abort("voting", "EPROPOSAL_ALREADY_RESOLVED", 0x30003));
                    }
                    if p.in_execution {
                        return Err(abort(
                            "voting",
                            "EMULTI_STEP_PROPOSAL_IN_EXECUTION",
                            0x30009,
                        ));
                    }
                    s.votes.insert((sender, id));
                    let mut p = p;
                    if should_pass {
                        p.yes += 1;
                    } else {
                        p.no += 1;
                    }
                    p.last_vote = Some(clock);
                    let succeeded = s.state(&p) == 1;
                    if succeeded {
                        s.approved.insert(id, p.execution_hash.clone());
                    }
                    s.proposals[id as usize] = p;
                    Ok(vec![
                        event(
                            "0x1::voting::VoteEvent",
                            json!({"proposal_id": id.to_string(), "num_votes": "1"}),
                        ),
                        event(
                            "0x1::diem_governance::VoteEvent",
                            json!({
                            "proposal_id": id.to_string(), "voter": sender.to_short_string(),
                            "num_votes": "1", "should_pass": should_pass}),
                        ),
                    ])
                }
                _ => Err("Transaction Executed and Committed with Error LINKER_ERROR".into()),
            }
        }
        TransactionPayload::Script(script) => {
            let id = match script.args.as_slice() {
                [TransactionArgument::U64(id)] => *id,
                _ => return Err(
                    "Transaction Executed and Committed with Error NUMBER_OF_ARGUMENTS_MISMATCH"
                        .into(),
                ),
            };
            let Some(p) = s.proposals.get(id as usize).cloned() else {
                return Err("Move abort in 0x1::table: 0x6507".into());
            };
            if s.state(&p) != 1 {
                return Err(abort("voting", "EPROPOSAL_CANNOT_BE_RESOLVED", 0x30002));
            }
            if p.resolved {
                return Err(abort("voting", "EPROPOSAL_ALREADY_RESOLVED", 0x30003));
            }
            if p.last_vote.is_some_and(|t| s.clock_secs <= t) {
                return Err(abort("voting", "ERESOLUTION_CANNOT_BE_ATOMIC", 0x30008));
            }
            if sha3_256(&script.code).to_vec() != p.execution_hash {
                return Err(abort(
                    "voting",
                    "EPROPOSAL_EXECUTION_HASH_NOT_MATCHING",
                    0x10001,
                ));
            }
            let next = embedded_next_hash(&script.code)
                .map_err(|_| "Move bytecode deserialization / verification failed, including entry function not found or invalid arguments".to_string())?;
            let mut p = p;
            if next.is_empty() {
                p.resolved = true;
                p.in_execution = false;
                s.approved.remove(&id);
            } else {
                p.execution_hash = next.clone();
                p.in_execution = true;
                s.approved.insert(id, next);
            }
            let (yes, no) = (p.yes, p.no);
            s.proposals[id as usize] = p;
            Ok(vec![event(
                "0x1::voting::ResolveProposal",
                json!({
                "proposal_id": id.to_string(), "yes_votes": yes.to_string(),
                "no_votes": no.to_string(), "resolved_early": true}),
            )])
        }
        _ => Err("Transaction Executed and Committed with Error LINKER_ERROR".into()),
    }
}

fn view_abort(module: &str, code: u64) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_input",
        &format!(
            "Failed to execute function: VMError {{ major_status: ABORTED, sub_status: Some({code}), message: None, exec_state: None, location: Module(ModuleId {{ address: 0000000000000000000000000000000000000000000000000000000000000001, name: Identifier(\"{module}\") }}), indices: [], offsets: [] }}"
        ),
        None,
    )
}

async fn view(State(state): State<Shared>, Json(body): Json<Value>) -> Response {
    if let Some(r) = injected_failure(&state) {
        return r;
    }
    let s = lock(&state);
    let function = body["function"].as_str().unwrap_or("").to_string();
    let args = body["arguments"].as_array().cloned().unwrap_or_default();
    let generic = function.starts_with("0x1::voting::");
    if generic && body["type_arguments"] != json!(["0x1::governance_proposal::GovernanceProposal"])
    {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "bad type arguments",
            None,
        );
    }
    let id_arg = if generic { args.get(1) } else { args.first() };
    let id = id_arg
        .and_then(Value::as_str)
        .and_then(|v| v.parse::<u64>().ok());
    if function == "0x1::account::get_originating_address" {
        let key = args
            .first()
            .and_then(Value::as_str)
            .and_then(|a| AccountAddress::parse(a).ok());
        let found = key.and_then(|k| {
            s.accounts
                .iter()
                .find(|(_, a)| a.authentication_key == k)
                .map(|(addr, _)| *addr)
        });
        return match found {
            Some(addr) => ok_json(&s, StatusCode::OK, json!([addr.to_short_string()])),
            None => view_abort("account", 0x60001),
        };
    }
    if function == "0x1::stake::is_current_val" {
        let addr = args
            .first()
            .and_then(Value::as_str)
            .and_then(|a| AccountAddress::parse(a).ok());
        return match addr {
            Some(a) => ok_json(&s, StatusCode::OK, json!([s.validators.contains(&a)])),
            None => error(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                "bad address",
                None,
            ),
        };
    }
    let Some(id) = id else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "bad arguments",
            None,
        );
    };
    if function == "0x1::diem_governance::get_approved_hash" {
        let h = s.approved.get(&id).cloned().unwrap_or_default();
        return ok_json(&s, StatusCode::OK, json!([format!("0x{}", hex::encode(h))]));
    }
    let Some(p) = s.proposals.get(id as usize).cloned() else {
        return view_abort("table", 0x6507);
    };
    let state_now = s.state(&p);
    let after_last_vote = p.last_vote.is_none_or(|t| s.clock_secs > t);
    let result = match function.as_str() {
        "0x1::diem_governance::get_proposal_state" => json!([state_now.to_string()]),
        "0x1::diem_governance::get_votes" => json!([p.yes.to_string(), p.no.to_string()]),
        "0x1::diem_governance::is_resolved" => json!([p.resolved]),
        "0x1::diem_governance::get_can_resolve" => {
            json!([state_now == 1 && !p.resolved && after_last_vote])
        }
        "0x1::voting::get_min_vote_threshold" => json!([p.threshold.to_string()]),
        "0x1::voting::get_proposal_expiration_secs" => json!([p.expiration.to_string()]),
        "0x1::voting::get_execution_hash" => {
            json!([format!("0x{}", hex::encode(&p.execution_hash))])
        }
        "0x1::voting::is_voting_closed" => json!([s.closed(&p)]),
        "0x1::voting::is_multi_step_proposal_in_execution" => {
            if !p.multi_step {
                return view_abort("voting", 0x1000C);
            }
            json!([p.in_execution])
        }
        "0x1::voting::check_resolvable_ex_hash" => {
            let (ok, reason) = if state_now == 0 {
                (false, 13)
            } else if state_now == 3 {
                (false, 14)
            } else if p.resolved {
                (false, 3)
            } else if !after_last_vote {
                (false, 8)
            } else {
                (true, 0)
            };
            json!([ok, reason.to_string()])
        }
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                &format!("unknown function {function}"),
                None,
            )
        }
    };
    ok_json(&s, StatusCode::OK, result)
}

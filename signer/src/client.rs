//! The node REST client: ledger info and chain id, accounts, BCS submission, waiting for a
//! transaction by hash, view functions and table items. Connection errors and 5xx answers are
//! retried with exponential backoff; a retried submission always resends the same signed bytes,
//! so it can never create a second, different transaction.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::governance;
use crate::transaction::AccountAddress;

/// The content type of a BCS `SignedTransaction` body, compared byte for byte by the node.
pub const BCS_SIGNED_TXN: &str = "application/x.diem.signed_transaction+bcs";

/// Timeouts, retries and polling.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Node base URL, e.g. `http://127.0.0.1:8080` (with or without `/v1`).
    pub url: String,
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// Extra attempts after a connection error or 5xx answer.
    pub retries: u32,
    /// First backoff delay; doubled after each retry.
    pub backoff: Duration,
    /// Delay between polls while waiting for a transaction.
    pub poll_interval: Duration,
    /// Longest wait for a transaction to commit.
    pub wait_timeout: Duration,
    /// Show a spinner on a terminal while waiting.
    pub progress: bool,
    /// When set, every 2xx answer whose `X-Diem-Chain-Id` differs is refused, so a node that
    /// changes network mid-ceremony (e.g. behind a load balancer) is caught.
    pub expected_chain_id: Option<u8>,
}

impl ClientConfig {
    /// Defaults for a real node.
    pub fn new(url: &str) -> ClientConfig {
        ClientConfig {
            url: url.to_string(),
            request_timeout: Duration::from_secs(10),
            retries: 4,
            backoff: Duration::from_millis(500),
            poll_interval: Duration::from_millis(500),
            wait_timeout: Duration::from_secs(120),
            progress: true,
            expected_chain_id: None,
        }
    }
}

/// What went wrong talking to the node.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{method} {url}: {message}")]
    Connection {
        method: &'static str,
        url: String,
        message: String,
    },
    #[error("{method} {url}: HTTP {status} {error_code}: {message}{}", vm_status_suffix(*vm_error_code))]
    Api {
        method: &'static str,
        url: String,
        status: u16,
        error_code: String,
        message: String,
        vm_error_code: Option<u64>,
    },
    #[error("{url}: unexpected response: {message}")]
    BadResponse { url: String, message: String },
    #[error("the node at {url} serves chain id {actual}, but chain id {expected} was expected; refusing to sign for the wrong network")]
    ChainIdMismatch {
        url: String,
        expected: u8,
        actual: u8,
    },
    #[error("view {function}: {explanation}")]
    ViewAbort {
        function: String,
        module: String,
        code: u64,
        explanation: String,
    },
    #[error("transaction {hash} was not committed within {secs} s; it may still commit until its expiration at {expiration} (unix seconds); check later with its hash, do not sign a new one before then")]
    Timeout {
        hash: String,
        secs: u64,
        expiration: u64,
    },
    #[error("transaction {hash} expired (ledger time {ledger_secs} s ≥ expiration {expiration} s); it is guaranteed not to commit")]
    Expired {
        hash: String,
        expiration: u64,
        ledger_secs: u64,
    },
    #[error("transaction {hash} committed at version {version} but failed: {explanation} [vm_status: {vm_status}]")]
    Failed {
        hash: String,
        version: u64,
        vm_status: String,
        explanation: String,
    },
}

fn vm_status_suffix(code: Option<u64>) -> String {
    match code.and_then(|c| governance::vm_status_name(c).map(|n| (c, n))) {
        Some((c, name)) => format!(" (vm status {c} {name})"),
        None => String::new(),
    }
}

/// Ledger information from `GET /v1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerInfo {
    pub chain_id: u8,
    pub epoch: u64,
    pub ledger_version: u64,
    pub ledger_timestamp_usec: u64,
    pub node_role: String,
}

/// An account's sequence number and authentication key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    pub sequence_number: u64,
    pub authentication_key: AccountAddress,
}

/// One event of a committed transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub type_tag: String,
    pub data: Value,
}

/// A committed user transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct CommittedTransaction {
    pub hash: String,
    pub version: u64,
    pub success: bool,
    pub vm_status: String,
    pub events: Vec<Event>,
}

/// The REST client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    config: ClientConfig,
}

/// A decimal u64 given as a JSON string (the node's rule for u64) or, leniently, a number.
pub fn json_u64(value: &Value, what: &str) -> Result<u64, String> {
    match value {
        Value::String(s) => s
            .parse()
            .map_err(|_| format!("{what}: {s:?} is not a decimal u64")),
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| format!("{what}: {n} is not a u64")),
        other => Err(format!("{what}: expected a u64 string, found {other}")),
    }
}

/// A u128 given as a JSON string.
pub fn json_u128(value: &Value, what: &str) -> Result<u128, String> {
    match value {
        Value::String(s) => s
            .parse()
            .map_err(|_| format!("{what}: {s:?} is not a decimal u128")),
        Value::Number(n) => n
            .as_u64()
            .map(u128::from)
            .ok_or_else(|| format!("{what}: {n} is not a u128")),
        other => Err(format!("{what}: expected a u128 string, found {other}")),
    }
}

/// A `"0x…"` byte vector.
pub fn json_bytes(value: &Value, what: &str) -> Result<Vec<u8>, String> {
    let s = value
        .as_str()
        .ok_or_else(|| format!("{what}: expected a 0x-hex string, found {value}"))?;
    hex::decode(s.strip_prefix("0x").unwrap_or(s))
        .map_err(|e| format!("{what}: {s:?} is not hex: {e}"))
}

/// A JSON bool.
pub fn json_bool(value: &Value, what: &str) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| format!("{what}: expected true or false, found {value}"))
}

/// Parses the `GET /v1` body.
pub fn parse_ledger_info(body: &Value) -> Result<LedgerInfo, String> {
    let chain_id = body
        .get("chain_id")
        .and_then(Value::as_u64)
        .and_then(|c| u8::try_from(c).ok())
        .ok_or("chain_id: expected a number 0..255")?;
    let field = |name: &str| {
        body.get(name)
            .ok_or_else(|| format!("missing {name}"))
            .and_then(|v| json_u64(v, name))
    };
    Ok(LedgerInfo {
        chain_id,
        epoch: field("epoch")?,
        ledger_version: field("ledger_version")?,
        ledger_timestamp_usec: field("ledger_timestamp")?,
        node_role: body
            .get("node_role")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    })
}

/// Parses a `user_transaction` JSON object.
pub fn parse_committed(body: &Value) -> Result<CommittedTransaction, String> {
    let str_field = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("missing string {name}"))
    };
    let events = match body.get("events") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(list)) => list
            .iter()
            .map(|e| {
                Ok(Event {
                    type_tag: e
                        .get("type")
                        .and_then(Value::as_str)
                        .ok_or("event without a type")?
                        .to_string(),
                    data: e.get("data").cloned().unwrap_or(Value::Null),
                })
            })
            .collect::<Result<_, String>>()?,
        Some(other) => return Err(format!("events: expected an array, found {other}")),
    };
    Ok(CommittedTransaction {
        hash: str_field("hash")?,
        version: json_u64(body.get("version").ok_or("missing version")?, "version")?,
        success: json_bool(body.get("success").ok_or("missing success")?, "success")?,
        vm_status: str_field("vm_status")?,
        events,
    })
}

/// The proposal id in a committed propose transaction's `0x1::diem_governance::CreateProposalEvent`.
pub fn proposal_id_from_events(events: &[Event]) -> Result<u64, String> {
    let event = events
        .iter()
        .find(|e| e.type_tag == "0x1::diem_governance::CreateProposalEvent")
        .ok_or("the transaction has no 0x1::diem_governance::CreateProposalEvent")?;
    json_u64(
        event
            .data
            .get("proposal_id")
            .ok_or("event without proposal_id")?,
        "proposal_id",
    )
}

/// An error and its sources, joined (reqwest's own message omits the cause).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn header_u64(headers: &reqwest::header::HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// A response that has been fully read.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Client {
    /// A client for `config.url`.
    pub fn new(config: ClientConfig) -> Result<Client, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .user_agent(concat!("libra-signer/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Connection {
                method: "INIT",
                url: config.url.clone(),
                message: e.to_string(),
            })?;
        let trimmed = config.url.trim_end_matches('/');
        let base = if trimmed.ends_with("/v1") {
            trimmed.to_string()
        } else {
            format!("{trimmed}/v1")
        };
        Ok(Client { http, base, config })
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request built by `build`, retrying connection errors and 5xx answers.
    async fn send(
        &self,
        method: &'static str,
        url: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Answer, ClientError> {
        let mut delay = self.config.backoff;
        let mut attempt = 0;
        loop {
            let outcome = match build().send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Ok(body) => Ok(Answer {
                            status,
                            headers,
                            body: body.to_vec(),
                        }),
                        Err(e) => Err(error_chain(&e)),
                    }
                }
                Err(e) => Err(error_chain(&e)),
            };
            let retryable = match &outcome {
                Ok(answer) => answer.status >= 500,
                Err(_) => true,
            };
            if !retryable || attempt >= self.config.retries {
                return match outcome {
                    Ok(answer) => {
                        self.check_chain_header(&answer)?;
                        Ok(answer)
                    }
                    Err(message) => Err(ClientError::Connection {
                        method,
                        url: url.to_string(),
                        message,
                    }),
                };
            }
            attempt += 1;
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(2);
        }
    }

    fn check_chain_header(&self, answer: &Answer) -> Result<(), ClientError> {
        let Some(expected) = self.config.expected_chain_id else {
            return Ok(());
        };
        if !(200..300).contains(&answer.status) {
            return Ok(());
        }
        match header_u64(&answer.headers, "x-diem-chain-id") {
            Some(actual) if actual != u64::from(expected) => Err(ClientError::ChainIdMismatch {
                url: self.base.clone(),
                expected,
                actual: u8::try_from(actual).unwrap_or(u8::MAX),
            }),
            _ => Ok(()),
        }
    }

    fn api_error(method: &'static str, url: &str, answer: &Answer) -> ClientError {
        let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        ClientError::Api {
            method,
            url: url.to_string(),
            status: answer.status,
            error_code: body
                .get("error_code")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_string(),
            message: body
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| {
                    String::from_utf8_lossy(&answer.body)
                        .chars()
                        .take(300)
                        .collect()
                }),
            vm_error_code: body.get("vm_error_code").and_then(Value::as_u64),
        }
    }

    fn json(url: &str, answer: &Answer) -> Result<Value, ClientError> {
        serde_json::from_slice(&answer.body).map_err(|e| ClientError::BadResponse {
            url: url.to_string(),
            message: format!("body is not JSON: {e}"),
        })
    }

    async fn get_json(&self, path: &str) -> Result<Value, ClientError> {
        let url = self.url(path);
        let answer = self.send("GET", &url, || self.http.get(&url)).await?;
        if !(200..300).contains(&answer.status) {
            return Err(Self::api_error("GET", &url, &answer));
        }
        Self::json(&url, &answer)
    }

    async fn post_json(&self, path: &str, body: &Value) -> Result<Value, ClientError> {
        let url = self.url(path);
        let answer = self
            .send("POST", &url, || self.http.post(&url).json(body))
            .await?;
        if !(200..300).contains(&answer.status) {
            return Err(Self::api_error("POST", &url, &answer));
        }
        Self::json(&url, &answer)
    }

    /// `GET /v1`: ledger info.
    pub async fn ledger_info(&self) -> Result<LedgerInfo, ClientError> {
        let body = self.get_json("/").await?;
        parse_ledger_info(&body).map_err(|message| ClientError::BadResponse {
            url: self.url("/"),
            message,
        })
    }

    /// Reads the node's chain id and refuses a node of another network.
    pub async fn check_chain_id(&self, expected: u8) -> Result<LedgerInfo, ClientError> {
        let info = self.ledger_info().await?;
        if info.chain_id != expected {
            return Err(ClientError::ChainIdMismatch {
                url: self.base.clone(),
                expected,
                actual: info.chain_id,
            });
        }
        Ok(info)
    }

    /// `GET /v1/accounts/{address}`.
    pub async fn account(&self, address: AccountAddress) -> Result<AccountInfo, ClientError> {
        let path = format!("/accounts/{}", address.to_hex_literal());
        let body = self.get_json(&path).await?;
        let bad = |message: String| ClientError::BadResponse {
            url: self.url(&path),
            message,
        };
        let sequence_number = json_u64(
            body.get("sequence_number").unwrap_or(&Value::Null),
            "sequence_number",
        )
        .map_err(bad)?;
        let key = body
            .get("authentication_key")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("missing authentication_key".into()))?;
        let authentication_key = AccountAddress::parse(key).map_err(bad)?;
        Ok(AccountInfo {
            sequence_number,
            authentication_key,
        })
    }

    /// `POST /v1/transactions` with a BCS `SignedTransaction`; returns the hash the node reports.
    ///
    /// A retry resends exactly these bytes. If a retry is told the sequence number is already
    /// used, the transaction is looked up by `hash`: when it is known, the earlier attempt got
    /// through and that is success.
    pub async fn submit_bcs(&self, signed: &[u8], hash: &str) -> Result<String, ClientError> {
        let url = self.url("/transactions");
        let answer = self
            .send("POST", &url, || {
                self.http
                    .post(&url)
                    .header(reqwest::header::CONTENT_TYPE, BCS_SIGNED_TXN)
                    .body(signed.to_vec())
            })
            .await?;
        if answer.status == 202 || answer.status == 200 {
            let body = Self::json(&url, &answer)?;
            let reported = body.get("hash").and_then(Value::as_str).ok_or_else(|| {
                ClientError::BadResponse {
                    url: url.clone(),
                    message: "the accepted submission has no hash".into(),
                }
            })?;
            if !reported.eq_ignore_ascii_case(hash) {
                return Err(ClientError::BadResponse {
                    url,
                    message: format!(
                        "the node reports hash {reported}, but the signed bytes hash to {hash}"
                    ),
                });
            }
            return Ok(reported.to_string());
        }
        let error = Self::api_error("POST", &url, &answer);
        if let ClientError::Api {
            vm_error_code: Some(3),
            ..
        } = &error
        {
            if self.transaction_by_hash(hash).await?.is_some() {
                return Ok(hash.to_string());
            }
        }
        Err(error)
    }

    /// `GET /v1/transactions/by_hash/{hash}`: `None` when the node has not seen it.
    pub async fn transaction_by_hash(&self, hash: &str) -> Result<Option<Value>, ClientError> {
        let url = self.url(&format!("/transactions/by_hash/{hash}"));
        let answer = self.send("GET", &url, || self.http.get(&url)).await?;
        match answer.status {
            200 => Ok(Some(Self::json(&url, &answer)?)),
            404 => Ok(None),
            _ => Err(Self::api_error("GET", &url, &answer)),
        }
    }

    /// Polls until the transaction is committed, has expired by ledger time, or the configured
    /// wait passes. A committed transaction that failed is an error naming the abort.
    pub async fn wait_for_transaction(
        &self,
        hash: &str,
        expiration_secs: u64,
    ) -> Result<CommittedTransaction, ClientError> {
        let url = self.url(&format!("/transactions/by_hash/{hash}"));
        let start = Instant::now();
        let spinner = self.spinner(hash);
        let result = loop {
            let answer = self.send("GET", &url, || self.http.get(&url)).await?;
            let ledger_usec = header_u64(&answer.headers, "x-diem-ledger-timestampusec");
            match answer.status {
                200 => {
                    let body = Self::json(&url, &answer)?;
                    match body.get("type").and_then(Value::as_str) {
                        Some("user_transaction") => {
                            let txn = parse_committed(&body).map_err(|message| {
                                ClientError::BadResponse {
                                    url: url.clone(),
                                    message,
                                }
                            })?;
                            if txn.success {
                                break Ok(txn);
                            }
                            break Err(ClientError::Failed {
                                hash: hash.to_string(),
                                version: txn.version,
                                explanation: governance::explain_vm_status(&txn.vm_status),
                                vm_status: txn.vm_status,
                            });
                        }
                        Some("pending_transaction") => {}
                        other => {
                            break Err(ClientError::BadResponse {
                                url: url.clone(),
                                message: format!("unexpected transaction type {other:?}"),
                            })
                        }
                    }
                }
                404 => {
                    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
                    if body.get("error_code").and_then(Value::as_str)
                        != Some("transaction_not_found")
                    {
                        break Err(Self::api_error("GET", &url, &answer));
                    }
                }
                // Still failing after the request's own retries: keep polling until the
                // wait times out, as a node restart should not abandon the transaction.
                status if status >= 500 => {}
                _ => break Err(Self::api_error("GET", &url, &answer)),
            }
            if let Some(usec) = ledger_usec {
                let ledger_secs = usec / 1_000_000;
                if expiration_secs <= ledger_secs {
                    break Err(ClientError::Expired {
                        hash: hash.to_string(),
                        expiration: expiration_secs,
                        ledger_secs,
                    });
                }
            }
            if start.elapsed() >= self.config.wait_timeout {
                break Err(ClientError::Timeout {
                    hash: hash.to_string(),
                    secs: self.config.wait_timeout.as_secs(),
                    expiration: expiration_secs,
                });
            }
            if let Some(s) = &spinner {
                s.set_message(format!(
                    "waiting for {hash} ({} s)",
                    start.elapsed().as_secs()
                ));
            }
            tokio::time::sleep(self.config.poll_interval).await;
        };
        if let Some(s) = spinner {
            s.finish_and_clear();
        }
        result
    }

    fn spinner(&self, hash: &str) -> Option<indicatif::ProgressBar> {
        use std::io::IsTerminal;
        if !self.config.progress || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(format!("waiting for {hash}"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Some(bar)
    }

    /// `POST /v1/view`: the JSON return values. A Move abort becomes [`ClientError::ViewAbort`].
    pub async fn view(
        &self,
        function: &str,
        type_arguments: &[&str],
        arguments: Vec<Value>,
    ) -> Result<Vec<Value>, ClientError> {
        let body = json!({
            "function": function,
            "type_arguments": type_arguments,
            "arguments": arguments,
        });
        match self.post_json("/view", &body).await {
            Ok(Value::Array(values)) => Ok(values),
            Ok(other) => Err(ClientError::BadResponse {
                url: self.url("/view"),
                message: format!("{function}: expected a JSON array, found {other}"),
            }),
            Err(ClientError::Api { message, .. })
                if governance::parse_view_abort(&message).is_some() =>
            {
                let (module, code) = governance::parse_view_abort(&message).unwrap_or_default();
                let explanation = governance::explain_vm_status(&format!(
                    "Move abort in 0x1::{module}: 0x{code:x}"
                ));
                Err(ClientError::ViewAbort {
                    function: function.to_string(),
                    module,
                    code,
                    explanation,
                })
            }
            Err(other) => Err(other),
        }
    }

    /// `GET /v1/accounts/{address}/resource/{type}`: the resource's `data`, `None` if absent.
    pub async fn resource(
        &self,
        address: AccountAddress,
        type_tag: &str,
    ) -> Result<Option<Value>, ClientError> {
        let path = format!(
            "/accounts/{}/resource/{type_tag}",
            address.to_short_string()
        );
        match self.get_json(&path).await {
            Ok(body) => Ok(body.get("data").cloned()),
            Err(ClientError::Api { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /v1/tables/{handle}/item`: the value, `None` if the key is absent.
    pub async fn table_item(
        &self,
        handle: &str,
        key_type: &str,
        value_type: &str,
        key: Value,
    ) -> Result<Option<Value>, ClientError> {
        let body = json!({"key_type": key_type, "value_type": value_type, "key": key});
        match self
            .post_json(&format!("/tables/{handle}/item"), &body)
            .await
        {
            Ok(v) => Ok(Some(v)),
            Err(ClientError::Api { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

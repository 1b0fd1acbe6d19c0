//! The command line: flag definitions (clap derive) and one function per command. Each command
//! checks everything it can before it signs (manifest and script hashes, chain id, sender key,
//! proposal state) and then either sends, shows (`--dry-run`) or writes (`--offline-out`) the
//! signed transaction.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{json, Value};

use crate::client::{proposal_id_from_events, Client, ClientConfig, ClientError};
use crate::governance::{self, GovernanceError, ProposalStatus};
use crate::keys::{self, KeyError, LoadedKey};
use crate::manifest_check::{self, CheckError, CheckedStep};
use crate::session::{self, GasParams, Prepared, SessionError};
use crate::transaction::{AccountAddress, SignedTransaction, TransactionError, TransactionPayload};

/// Largest transaction admitted without an approved script hash.
const MAX_NORMAL_TXN_BYTES: usize = 65536;

/// Signs and sends the governance transactions of a framework upgrade, after checking them.
///
/// Every script is re-hashed and the hash chain checked before a proposal is made; the node's
/// chain id, the sender's key and the proposal's state are checked before anything is signed.
#[derive(Debug, Parser)]
#[command(name = "signer", version, about, long_about, args_override_self = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Node REST URL (with or without the `/v1` suffix).
    #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Network to sign for; its chain id must match the node's.
    #[arg(long, global = true, value_enum)]
    pub network: Option<Network>,
    /// Chain id to sign for (1 mainnet, 2 testnet, 4 local test chain); must match the node's.
    #[arg(long, global = true)]
    pub chain_id: Option<u8>,
    /// File with the 32-byte Ed25519 private key as hex, or an upstream `private-keys.yaml`.
    /// Without it the key is read from the SIGNER_PRIVATE_KEY environment variable.
    #[arg(long, global = true)]
    pub key_file: Option<PathBuf>,
    /// Account to send from when it is not the key's derived address (rotated or legacy accounts).
    #[arg(long, global = true)]
    pub sender: Option<String>,
    /// Maximum gas units the transaction may use.
    #[arg(long, global = true, default_value_t = 100_000)]
    pub max_gas: u64,
    /// Gas unit price in coin base units (the chain's minimum is 100).
    #[arg(long, global = true, default_value_t = 200)]
    pub gas_price: u64,
    /// Transaction lifetime: expiration = now + this many seconds.
    #[arg(long, global = true, default_value_t = 100)]
    pub expiration_secs: u64,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Build, check and sign, show what would be sent, and send nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Air-gapped signing: write the BCS SignedTransaction to this file and contact no node.
    /// Needs --sequence-number, --chain-id (or --network) and --expiration-timestamp.
    #[arg(long, global = true)]
    pub offline_out: Option<PathBuf>,
    /// Sequence number to sign with (offline signing only).
    #[arg(long, global = true, requires = "offline_out")]
    pub sequence_number: Option<u64>,
    /// Expiration as unix seconds (offline signing only).
    #[arg(long, global = true, requires = "offline_out")]
    pub expiration_timestamp: Option<u64>,
    /// Longest wait for a transaction to commit, in seconds.
    #[arg(long, global = true, default_value_t = 120)]
    pub wait_timeout_secs: u64,
    /// Delay between polls while waiting, in milliseconds.
    #[arg(long, global = true, default_value_t = 500)]
    pub poll_interval_ms: u64,
    /// Retries of a request after a connection error or 5xx answer (with exponential backoff).
    #[arg(long, global = true, default_value_t = 4)]
    pub retries: u32,
    /// First retry delay in milliseconds; doubled after each retry.
    #[arg(long, global = true, default_value_t = 500)]
    pub backoff_ms: u64,
}

/// The networks and their chain ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Network {
    /// 0L mainnet, chain id 1.
    Mainnet,
    /// Testnet / staging, chain id 2.
    Testnet,
    /// Local swarm and test chains, chain id 4.
    Testing,
}

impl Network {
    /// The chain id.
    pub fn chain_id(self) -> u8 {
        match self {
            Network::Mainnet => 1,
            Network::Testnet => 2,
            Network::Testing => 4,
        }
    }
}

/// The commands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Propose an upgrade: checks every script of the manifest and its hash chain, proposes step
    /// 1's hash with the metadata URL and the SHA3-256 of the metadata document, and prints the new
    /// proposal id read from the committed transaction's event.
    Propose {
        /// The upgrade manifest (`upgrade.manifest.json`); step directories are beside it.
        #[arg(long)]
        manifest: PathBuf,
        /// Public URL of the proposal's metadata document (at most 256 bytes).
        #[arg(long)]
        metadata_url: String,
        /// Local copy of the metadata document to hash; without it the URL is fetched.
        #[arg(long)]
        metadata_file: Option<PathBuf>,
    },
    /// Vote on a proposal, after checking that it exists and is open, that the sender is a
    /// current validator and has not voted yet.
    Vote {
        /// The proposal id.
        #[arg(long)]
        proposal_id: u64,
        /// Vote against (the default is for).
        #[arg(long)]
        against: bool,
    },
    /// Resolve a passed proposal by running its scripts. Before each step checks that the
    /// proposal can be resolved and that its approved hash is the local script's SHA3-256. With a
    /// manifest, runs the steps in order and skips those already done.
    Resolve {
        /// The proposal id.
        #[arg(long)]
        proposal_id: u64,
        /// The upgrade manifest whose steps to run.
        #[arg(
            long,
            conflicts_with = "script_dir",
            required_unless_present = "script_dir"
        )]
        manifest: Option<PathBuf>,
        /// Run only this step of the manifest (1-based).
        #[arg(long, requires = "manifest")]
        step: Option<u32>,
        /// An upstream-style step directory with `script.mv` and `script_sha3`.
        #[arg(long)]
        script_dir: Option<PathBuf>,
    },
    /// Show a proposal: votes for and against, threshold, state, approved hash, resolved, expiry.
    Status {
        /// The proposal id.
        #[arg(long)]
        proposal_id: u64,
    },
    /// Send a signed transaction written earlier with --offline-out, after decoding it, verifying
    /// its signature and checking the node's chain id.
    Submit {
        /// File holding a BCS SignedTransaction.
        file: PathBuf,
    },
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Governance(#[from] GovernanceError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Transaction(#[from] TransactionError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Refused(String),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
}

/// Everything a command needs besides its own flags.
struct Context<'a> {
    global: &'a GlobalArgs,
    out: &'a mut dyn Write,
}

impl Context<'_> {
    fn gas(&self) -> GasParams {
        GasParams {
            max_gas_amount: self.global.max_gas,
            gas_unit_price: self.global.gas_price,
        }
    }

    /// The chain id from --chain-id and/or --network, which must agree.
    fn expected_chain_id(&self) -> Result<Option<u8>, CliError> {
        match (self.global.chain_id, self.global.network) {
            (Some(id), Some(n)) if id != n.chain_id() => Err(CliError::Usage(format!(
                "--chain-id {id} contradicts --network {n:?} (chain id {})",
                n.chain_id()
            ))),
            (Some(id), _) => Ok(Some(id)),
            (None, Some(n)) => Ok(Some(n.chain_id())),
            (None, None) => Ok(None),
        }
    }

    fn require_chain_id(&self) -> Result<u8, CliError> {
        self.expected_chain_id()?.ok_or_else(|| {
            CliError::Usage(
                "pass --network or --chain-id: the signer never guesses the network".into(),
            )
        })
    }

    fn client(&self) -> Result<Client, CliError> {
        let g = self.global;
        let mut config = ClientConfig::new(&g.url);
        config.wait_timeout = Duration::from_secs(g.wait_timeout_secs);
        config.poll_interval = Duration::from_millis(g.poll_interval_ms);
        config.retries = g.retries;
        config.backoff = Duration::from_millis(g.backoff_ms);
        config.progress = !g.json;
        config.expected_chain_id = self.expected_chain_id()?;
        Ok(Client::new(config)?)
    }

    fn offline(&self) -> bool {
        self.global.offline_out.is_some()
    }

    /// The key, and the sender: `--sender`, else the key file's `account_address`, else (online)
    /// the account the chain maps the key's authentication key to, else the derived address.
    async fn load_key(
        &mut self,
        client: Option<&Client>,
    ) -> Result<(LoadedKey, AccountAddress), CliError> {
        let loaded = keys::load(self.global.key_file.as_deref())?;
        for warning in &loaded.warnings {
            eprintln!("{warning}");
        }
        let sender = match (&self.global.sender, loaded.account_address, client) {
            (Some(text), _, _) => AccountAddress::parse(text)
                .map_err(|m| CliError::Usage(format!("--sender: {m}")))?,
            (None, Some(address), _) => address,
            (None, None, Some(client)) => {
                governance::originating_address(client, loaded.key.derived_address())
                    .await?
                    .unwrap_or_else(|| loaded.key.derived_address())
            }
            (None, None, None) => loaded.key.derived_address(),
        };
        Ok((loaded, sender))
    }

    fn emit(&mut self, value: Value, text: &str) -> Result<(), CliError> {
        if self.global.json {
            writeln!(self.out, "{value}")?;
        } else {
            writeln!(self.out, "{text}")?;
        }
        Ok(())
    }

    /// Signs `payload` and then sends it, shows it (dry run) or writes it (offline).
    /// Returns the committed transaction when it was sent.
    async fn sign_and_dispatch(
        &mut self,
        client: Option<&Client>,
        key: &LoadedKey,
        sender: AccountAddress,
        payload: TransactionPayload,
        what: &str,
    ) -> Result<Option<crate::client::CommittedTransaction>, CliError> {
        let prepared = match client {
            None => self.sign_offline(key, sender, payload)?,
            Some(client) => {
                let chain_id = self.require_chain_id()?;
                session::prepare_online(
                    client,
                    &key.key,
                    sender,
                    chain_id,
                    payload,
                    self.gas(),
                    self.global.expiration_secs,
                )
                .await?
            }
        };
        if let Some(path) = &self.global.offline_out {
            std::fs::write(path, &prepared.bytes).map_err(|e| CliError::File {
                path: path.clone(),
                message: format!("cannot write the signed transaction: {e}"),
            })?;
            let text = format!(
                "{what}: signed transaction {} written to {} ({} bytes); nothing was sent",
                prepared.hash,
                path.display(),
                prepared.bytes.len()
            );
            self.emit(prepared.summary_json(), &text)?;
            return Ok(None);
        }
        if self.global.dry_run {
            self.show_dry_run(&prepared, what)?;
            return Ok(None);
        }
        let Some(client) = client else {
            return Err(CliError::Usage("no node to send to".into()));
        };
        eprintln!("{what}: submitting {}", prepared.hash);
        let committed = session::send(client, &prepared).await?;
        Ok(Some(committed))
    }

    fn sign_offline(
        &self,
        key: &LoadedKey,
        sender: AccountAddress,
        payload: TransactionPayload,
    ) -> Result<Prepared, CliError> {
        let g = self.global;
        let sequence_number = g
            .sequence_number
            .ok_or_else(|| CliError::Usage("offline signing needs --sequence-number".into()))?;
        let expiration = g.expiration_timestamp.ok_or_else(|| {
            CliError::Usage("offline signing needs --expiration-timestamp <unix secs>".into())
        })?;
        let chain_id = self.require_chain_id()?;
        eprintln!(
            "offline signing: no node contacted, so the on-chain checks (validator, proposal \
             state, sender key) were not made; the chain enforces them when the file is submitted"
        );
        Ok(session::build_and_sign(
            &key.key,
            sender,
            sequence_number,
            payload,
            chain_id,
            self.gas(),
            expiration,
        )?)
    }

    fn show_dry_run(&mut self, prepared: &Prepared, what: &str) -> Result<(), CliError> {
        let raw = &prepared.signed.raw_txn;
        let mut value = prepared.summary_json();
        if let Value::Object(map) = &mut value {
            map.insert("dry_run".into(), json!(true));
            map.insert(
                "sequence_number".into(),
                json!(raw.sequence_number.to_string()),
            );
            map.insert("chain_id".into(), json!(raw.chain_id));
            map.insert(
                "expiration_timestamp_secs".into(),
                json!(raw.expiration_timestamp_secs.to_string()),
            );
            map.insert("payload".into(), json!(format!("{:?}", raw.payload)));
        }
        let text = format!(
            "{what} (dry run, nothing sent)\n  sender {}\n  sequence number {}\n  chain id {}\n  expiration {}\n  payload {:?}\n  hash {}\n  signed bytes ({}) {}",
            raw.sender,
            raw.sequence_number,
            raw.chain_id,
            raw.expiration_timestamp_secs,
            raw.payload,
            prepared.hash,
            prepared.bytes.len(),
            hex::encode(&prepared.bytes)
        );
        self.emit(value, &text)
    }

    /// The client, after checking the node's chain id; `None` when offline.
    async fn online_client(&self) -> Result<Option<Client>, CliError> {
        if self.offline() {
            if self.global.dry_run {
                return Err(CliError::Usage(
                    "--dry-run and --offline-out cannot be combined".into(),
                ));
            }
            return Ok(None);
        }
        if self.global.sequence_number.is_some() || self.global.expiration_timestamp.is_some() {
            return Err(CliError::Usage(
                "--sequence-number and --expiration-timestamp are for --offline-out only".into(),
            ));
        }
        let expected = self.require_chain_id()?;
        let client = self.client()?;
        client.check_chain_id(expected).await?;
        Ok(Some(client))
    }
}

/// Runs a parsed command line, writing results to `out`.
pub async fn run(cli: Cli, out: &mut dyn Write) -> Result<(), CliError> {
    let mut ctx = Context {
        global: &cli.global,
        out,
    };
    match &cli.command {
        Command::Propose {
            manifest,
            metadata_url,
            metadata_file,
        } => propose(&mut ctx, manifest, metadata_url, metadata_file.as_deref()).await,
        Command::Vote {
            proposal_id,
            against,
        } => vote(&mut ctx, *proposal_id, !*against).await,
        Command::Resolve {
            proposal_id,
            manifest,
            step,
            script_dir,
        } => {
            resolve(
                &mut ctx,
                *proposal_id,
                manifest.as_deref(),
                *step,
                script_dir.as_deref(),
            )
            .await
        }
        Command::Status { proposal_id } => status(&mut ctx, *proposal_id).await,
        Command::Submit { file } => submit(&mut ctx, file).await,
    }
}

async fn fetch_document(url: &str) -> Result<Vec<u8>, CliError> {
    let failed = |message: String| {
        CliError::Refused(format!(
            "cannot fetch the metadata document {url}: {message}; pass --metadata-file"
        ))
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|e| failed(e.to_string()))?;
    if !response.status().is_success() {
        return Err(failed(format!("HTTP {}", response.status())));
    }
    Ok(response
        .bytes()
        .await
        .map_err(|e| failed(e.to_string()))?
        .to_vec())
}

async fn propose(
    ctx: &mut Context<'_>,
    manifest: &Path,
    metadata_url: &str,
    metadata_file: Option<&Path>,
) -> Result<(), CliError> {
    let checked = manifest_check::check_manifest(manifest)?;
    if metadata_url.len() > governance::MAX_METADATA_BYTES {
        return Err(CliError::Refused(format!(
            "--metadata-url is {} bytes; the chain accepts at most {}",
            metadata_url.len(),
            governance::MAX_METADATA_BYTES
        )));
    }
    let document = match metadata_file {
        Some(path) => std::fs::read(path).map_err(|e| CliError::File {
            path: path.to_path_buf(),
            message: format!("cannot read the metadata document: {e}"),
        })?,
        None if ctx.offline() => {
            return Err(CliError::Usage(
                "offline signing needs --metadata-file (no network access)".into(),
            ))
        }
        None => fetch_document(metadata_url).await?,
    };
    let metadata_hash = governance::metadata_hash_text(&document);
    let payload = governance::create_proposal_payload(
        &checked.execution_hash,
        metadata_url.as_bytes(),
        metadata_hash.as_bytes(),
        true,
    )?;
    let client = ctx.online_client().await?;
    let (key, sender) = ctx.load_key(client.as_ref()).await?;
    if let Some(client) = &client {
        if !governance::is_current_validator(client, sender).await? {
            return Err(CliError::Refused(format!(
                "{sender} is not a current validator; only validators may propose"
            )));
        }
    }
    let execution_hash = hex::encode(checked.execution_hash);
    let Some(committed) = ctx
        .sign_and_dispatch(client.as_ref(), &key, sender, payload, "propose")
        .await?
    else {
        return Ok(());
    };
    let proposal_id = proposal_id_from_events(&committed.events)
        .map_err(|m| CliError::Refused(format!("propose {} committed, but {m}", committed.hash)))?;
    let event_hash = committed
        .events
        .iter()
        .find(|e| e.type_tag == "0x1::diem_governance::CreateProposalEvent")
        .and_then(|e| e.data.get("execution_hash"))
        .and_then(Value::as_str)
        .map(|h| h.trim_start_matches("0x").to_ascii_lowercase());
    if event_hash.as_deref() != Some(execution_hash.as_str()) {
        return Err(CliError::Refused(format!(
            "proposal {proposal_id} was created, but its event records execution hash {event_hash:?}, not {execution_hash}"
        )));
    }
    let value = json!({
        "proposal_id": proposal_id.to_string(),
        "hash": committed.hash,
        "version": committed.version.to_string(),
        "execution_hash": execution_hash,
        "metadata_hash": metadata_hash,
        "metadata_url": metadata_url,
        "steps": checked.steps.len(),
    });
    let text = format!(
        "proposal {proposal_id} created by {} (execution hash {execution_hash}, metadata hash {metadata_hash})",
        committed.hash
    );
    ctx.emit(value, &text)
}

async fn vote(ctx: &mut Context<'_>, proposal_id: u64, should_pass: bool) -> Result<(), CliError> {
    let client = ctx.online_client().await?;
    let (key, sender) = ctx.load_key(client.as_ref()).await?;
    let mut before = None;
    if let Some(client) = &client {
        let status = governance::proposal_status(client, proposal_id).await?;
        let now = client.ledger_info().await?.ledger_timestamp_usec / 1_000_000;
        governance::check_open_for_vote(&status, now)?;
        if !governance::is_current_validator(client, sender).await? {
            return Err(CliError::Refused(format!(
                "{sender} is not a current validator; only validators may vote"
            )));
        }
        if governance::has_voted(client, sender, proposal_id).await? {
            return Err(CliError::Refused(format!(
                "{sender} has already voted on proposal {proposal_id}"
            )));
        }
        before = Some(status);
    }
    let payload = governance::vote_payload(proposal_id, should_pass)?;
    let Some(committed) = ctx
        .sign_and_dispatch(client.as_ref(), &key, sender, payload, "vote")
        .await?
    else {
        return Ok(());
    };
    let (Some(client), Some(before)) = (&client, before) else {
        return Ok(());
    };
    let after = governance::proposal_status(client, proposal_id).await?;
    if (after.yes_votes, after.no_votes) == (before.yes_votes, before.no_votes) {
        return Err(CliError::Refused(format!(
            "vote {} committed but the proposal's votes did not change",
            committed.hash
        )));
    }
    let side = if should_pass { "for" } else { "against" };
    let value = json!({
        "proposal_id": proposal_id.to_string(),
        "hash": committed.hash,
        "vote": side,
        "yes_votes": after.yes_votes.to_string(),
        "no_votes": after.no_votes.to_string(),
        "state": after.state_name,
    });
    let text = format!(
        "voted {side} proposal {proposal_id} ({}): {} for, {} against, threshold {}, {}",
        committed.hash, after.yes_votes, after.no_votes, after.min_vote_threshold, after.state_name
    );
    ctx.emit(value, &text)
}

async fn resolve(
    ctx: &mut Context<'_>,
    proposal_id: u64,
    manifest: Option<&Path>,
    only_step: Option<u32>,
    script_dir: Option<&Path>,
) -> Result<(), CliError> {
    let steps: Vec<CheckedStep> = match (manifest, script_dir) {
        (Some(path), _) => {
            let checked = manifest_check::check_manifest(path)?;
            match only_step {
                Some(k) => {
                    let step = checked
                        .steps
                        .into_iter()
                        .find(|s| s.step == k)
                        .ok_or_else(|| CliError::Usage(format!("the manifest has no step {k}")))?;
                    vec![step]
                }
                None => checked.steps,
            }
        }
        (None, Some(dir)) => vec![manifest_check::check_script_dir(dir)?],
        (None, None) => {
            return Err(CliError::Usage("pass --manifest or --script-dir".into()));
        }
    };
    let client = ctx.online_client().await?;
    let (key, sender) = ctx.load_key(client.as_ref()).await?;
    let Some(client) = client else {
        // Offline: one transaction per run, no chain state to consult.
        let [step] = steps.as_slice() else {
            return Err(CliError::Usage(
                "offline resolve signs one step: pass --step <k> or --script-dir".into(),
            ));
        };
        let payload = governance::resolve_payload(step.code.clone(), proposal_id);
        ctx.sign_and_dispatch(None, &key, sender, payload, "resolve")
            .await?;
        return Ok(());
    };

    let status = governance::proposal_status(&client, proposal_id).await?;
    let mut todo: &[CheckedStep] = &steps;
    if status.is_resolved {
        let value = json!({"proposal_id": proposal_id.to_string(), "resolved": true, "steps": []});
        return ctx.emit(
            value,
            &format!("proposal {proposal_id} is already resolved; nothing to do"),
        );
    }
    if manifest.is_some() && only_step.is_none() {
        // Steps before the one whose hash the proposal now expects were done by an earlier run.
        let position = steps
            .iter()
            .position(|s| hex::encode(s.sha3) == status.execution_hash)
            .ok_or_else(|| {
                CliError::Refused(format!(
                    "proposal {proposal_id} expects script hash {}, which is no step of this manifest",
                    status.execution_hash
                ))
            })?;
        for done in &steps[..position] {
            eprintln!(
                "step {} ({}) already resolved; skipping",
                done.step, done.package
            );
        }
        todo = &steps[position..];
    }
    let mut results = vec![];
    for step in todo {
        let status = wait_resolvable(ctx, &client, proposal_id).await?;
        governance::check_resolvable_with(&status, &step.sha3)?;
        let payload = governance::resolve_payload(step.code.clone(), proposal_id);
        if step.code.len() + 200 > MAX_NORMAL_TXN_BYTES
            && status.approved_hash != hex::encode(step.sha3)
        {
            return Err(CliError::Refused(format!(
                "step {} is {} bytes and its hash is not the approved hash {:?}; the node would refuse it (EXCEEDED_MAX_TRANSACTION_SIZE)",
                step.step,
                step.code.len(),
                status.approved_hash
            )));
        }
        let label = format!("resolve step {} ({})", step.step, step.dir.display());
        let Some(committed) = ctx
            .sign_and_dispatch(Some(&client), &key, sender, payload, &label)
            .await?
        else {
            // A dry run shows only the next step: later steps depend on its execution.
            break;
        };
        eprintln!("{label}: committed {}", committed.hash);
        results.push(json!({
            "step": step.step,
            "script_sha3": hex::encode(step.sha3),
            "hash": committed.hash,
            "version": committed.version.to_string(),
        }));
    }
    if ctx.global.dry_run {
        return Ok(());
    }
    let after = governance::proposal_status(&client, proposal_id).await?;
    let ran_last = todo.last().is_some_and(|s| s.embedded_next.is_empty());
    if ran_last && !after.is_resolved {
        return Err(CliError::Refused(format!(
            "the last step committed, but proposal {proposal_id} is not marked resolved"
        )));
    }
    let value = json!({
        "proposal_id": proposal_id.to_string(),
        "resolved": after.is_resolved,
        "steps": results,
    });
    let text = format!(
        "proposal {proposal_id}: {} step(s) resolved now; proposal resolved: {}",
        results.len(),
        after.is_resolved
    );
    ctx.emit(value, &text)
}

/// Waits while the only obstacle is the "later second than the last vote" rule; any other
/// reason is returned for the caller's checks to report.
async fn wait_resolvable(
    ctx: &Context<'_>,
    client: &Client,
    proposal_id: u64,
) -> Result<ProposalStatus, CliError> {
    let start = std::time::Instant::now();
    loop {
        let (ok, reason) = governance::check_resolvable(client, proposal_id).await?;
        let same_second = !ok && reason == 8;
        if !same_second || start.elapsed() >= Duration::from_secs(ctx.global.wait_timeout_secs) {
            return Ok(governance::proposal_status(client, proposal_id).await?);
        }
        tokio::time::sleep(Duration::from_millis(ctx.global.poll_interval_ms.max(100))).await;
    }
}

async fn status(ctx: &mut Context<'_>, proposal_id: u64) -> Result<(), CliError> {
    if ctx.offline() {
        return Err(CliError::Usage(
            "status needs a node; drop --offline-out".into(),
        ));
    }
    let client = match ctx.expected_chain_id()? {
        Some(expected) => {
            let client = ctx.client()?;
            client.check_chain_id(expected).await?;
            client
        }
        None => ctx.client()?,
    };
    let s = governance::proposal_status(&client, proposal_id).await?;
    let value = serde_json::to_value(&s).unwrap_or(Value::Null);
    let text = format!(
        "proposal {}\n  state          {}\n  votes for      {}\n  votes against  {}\n  threshold      {}\n  approved hash  {}\n  execution hash {}\n  resolved       {}\n  can resolve    {}\n  voting closed  {}\n  in execution   {}\n  expires        {} (unix seconds)",
        s.proposal_id,
        s.state_name,
        s.yes_votes,
        s.no_votes,
        s.min_vote_threshold,
        if s.approved_hash.is_empty() { "(none)" } else { &s.approved_hash },
        s.execution_hash,
        s.is_resolved,
        s.can_resolve,
        s.voting_closed,
        s.in_execution,
        s.expiration_secs
    );
    ctx.emit(value, &text)
}

async fn submit(ctx: &mut Context<'_>, file: &Path) -> Result<(), CliError> {
    let bytes = std::fs::read(file).map_err(|e| CliError::File {
        path: file.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    let signed = SignedTransaction::from_bcs(&bytes).map_err(|e| CliError::File {
        path: file.to_path_buf(),
        message: e.to_string(),
    })?;
    signed.verify_signature().map_err(|e| CliError::File {
        path: file.to_path_buf(),
        message: e.to_string(),
    })?;
    let chain_id = signed.raw_txn.chain_id;
    if let Some(expected) = ctx.expected_chain_id()? {
        if expected != chain_id {
            return Err(CliError::Refused(format!(
                "{} is signed for chain id {chain_id}, but chain id {expected} was requested",
                file.display()
            )));
        }
    }
    if ctx.offline() {
        return Err(CliError::Usage("submit sends; drop --offline-out".into()));
    }
    let client = ctx.client()?;
    client.check_chain_id(chain_id).await?;
    let prepared = session::from_signed(signed)?;
    if ctx.global.dry_run {
        return ctx.show_dry_run(&prepared, "submit");
    }
    let committed = session::send(&client, &prepared).await?;
    let value = json!({
        "hash": committed.hash,
        "version": committed.version.to_string(),
        "sender": prepared.signed.raw_txn.sender.to_hex_literal(),
        "vm_status": committed.vm_status,
    });
    let text = format!(
        "submitted {} from {}: committed at version {}",
        committed.hash, prepared.signed.raw_txn.sender, committed.version
    );
    ctx.emit(value, &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn flag_definitions_are_consistent_and_documented() {
        let command = Cli::command();
        command.clone().debug_assert();
        for sub in command.get_subcommands() {
            assert!(sub.get_about().is_some(), "{} has no help", sub.get_name());
            for arg in sub.get_arguments() {
                assert!(
                    arg.get_help().is_some(),
                    "{} --{} has no help",
                    sub.get_name(),
                    arg.get_id()
                );
            }
        }
    }

    #[test]
    fn offline_flags_require_offline_out() {
        let parsed = Cli::try_parse_from([
            "signer",
            "--sequence-number",
            "1",
            "status",
            "--proposal-id",
            "0",
        ]);
        assert!(parsed.is_err());
        let parsed = Cli::try_parse_from([
            "signer",
            "resolve",
            "--proposal-id",
            "0",
            "--manifest",
            "m",
            "--script-dir",
            "d",
        ]);
        assert!(parsed.is_err(), "--manifest and --script-dir conflict");
    }
}

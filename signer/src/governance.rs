//! Governance knowledge: the payloads of the ceremony (propose, vote, resolve, trigger epoch),
//! the proposal-state rules the signer checks before it signs, and the abort-code table that
//! turns a `vm_status` into a message naming the module and the reason.

use serde_json::{json, Value};

use crate::client::{json_bool, json_bytes, json_u128, json_u64, Client, ClientError};
use crate::transaction::{
    bcs_arg, AccountAddress, EntryFunction, ModuleId, Script, TransactionArgument,
    TransactionError, TransactionPayload,
};

/// The governance module.
pub const GOVERNANCE_MODULE: &str = "diem_governance";
/// Largest `metadata_location` / `metadata_hash` the chain accepts, in bytes.
pub const MAX_METADATA_BYTES: usize = 256;
/// The proposal states returned by `get_proposal_state`.
pub const STATE_PENDING: u64 = 0;
pub const STATE_SUCCEEDED: u64 = 1;
pub const STATE_FAILED: u64 = 3;

fn governance_call(
    function: &str,
    args: Vec<Vec<u8>>,
) -> Result<TransactionPayload, TransactionError> {
    Ok(TransactionPayload::EntryFunction(EntryFunction {
        module: ModuleId {
            address: AccountAddress::ONE,
            name: GOVERNANCE_MODULE.into(),
        },
        function: function.into(),
        ty_args: vec![],
        args,
    }))
}

/// `0x1::diem_governance::ol_create_proposal_v2(execution_hash, location, metadata_hash, multi)`.
pub fn create_proposal_payload(
    execution_hash: &[u8],
    metadata_location: &[u8],
    metadata_hash: &[u8],
    is_multi_step: bool,
) -> Result<TransactionPayload, TransactionError> {
    governance_call(
        "ol_create_proposal_v2",
        vec![
            bcs_arg(&execution_hash)?,
            bcs_arg(&metadata_location)?,
            bcs_arg(&metadata_hash)?,
            bcs_arg(&is_multi_step)?,
        ],
    )
}

/// `0x1::diem_governance::ol_vote(proposal_id, should_pass)`.
pub fn vote_payload(
    proposal_id: u64,
    should_pass: bool,
) -> Result<TransactionPayload, TransactionError> {
    governance_call(
        "ol_vote",
        vec![bcs_arg(&proposal_id)?, bcs_arg(&should_pass)?],
    )
}

/// `0x1::diem_governance::trigger_epoch()`.
pub fn trigger_epoch_payload() -> Result<TransactionPayload, TransactionError> {
    governance_call("trigger_epoch", vec![])
}

/// A resolve step: the step's script with the proposal id as its only argument.
pub fn resolve_payload(script_code: Vec<u8>, proposal_id: u64) -> TransactionPayload {
    TransactionPayload::Script(Script {
        code: script_code,
        ty_args: vec![],
        args: vec![TransactionArgument::U64(proposal_id)],
    })
}

/// The metadata hash sent with a proposal: lowercase hex of SHA3-256 of the document, as
/// ASCII text (a raw 32-byte hash is almost never valid UTF-8, which the chain requires).
pub fn metadata_hash_text(document: &[u8]) -> String {
    hex::encode(crate::transaction::sha3_256(document))
}

/// `min_vote_threshold` of a proposal created while `validators` validators are active.
pub fn vote_threshold(validators: u128) -> u128 {
    (validators / 3) * 2 + 1
}

/// One known abort: module, constant name, what it means for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownAbort {
    pub module: &'static str,
    pub code: u64,
    pub name: &'static str,
    pub meaning: &'static str,
}

/// Aborts the governance path can raise, matched on (module, code): the same number means
/// different things in different modules.
pub const ABORTS: &[KnownAbort] = &[
    KnownAbort { module: "diem_governance", code: 0x1000B, name: "EUNAUTHORIZED", meaning: "the sender is not a current validator, so it may not propose or vote" },
    KnownAbort { module: "diem_governance", code: 0x10004, name: "EALREADY_VOTED", meaning: "this validator has already voted on the proposal" },
    KnownAbort { module: "diem_governance", code: 0x10009, name: "EMETADATA_LOCATION_TOO_LONG", meaning: "metadata_location is longer than 256 bytes" },
    KnownAbort { module: "diem_governance", code: 0x1000A, name: "EMETADATA_HASH_TOO_LONG", meaning: "metadata_hash is longer than 256 bytes" },
    KnownAbort { module: "diem_governance", code: 0x10006, name: "EPROPOSAL_NOT_RESOLVABLE_YET", meaning: "the proposal has not succeeded, so its hash cannot be approved" },
    KnownAbort { module: "diem_governance", code: 0x10008, name: "EPROPOSAL_NOT_RESOLVED_YET", meaning: "the proposal is not resolved yet" },
    KnownAbort { module: "diem_governance", code: 0x3000C, name: "ENOT_FOR_MAINNET", meaning: "this call is refused on mainnet" },
    KnownAbort { module: "system_addresses", code: 0x50000, name: "ENOT_OL_ROOT_ADDRESS", meaning: "only the root account may call this" },
    KnownAbort { module: "string", code: 1, name: "EINVALID_UTF8", meaning: "metadata bytes are not valid UTF-8" },
    KnownAbort { module: "simple_map", code: 0x10002, name: "EKEY_NOT_FOUND", meaning: "the script resolves for an address without a governance signer capability" },
    KnownAbort { module: "voting", code: 0x10001, name: "EPROPOSAL_EXECUTION_HASH_NOT_MATCHING", meaning: "the script's hash is not the proposal's approved hash: wrong script bytes or wrong step" },
    KnownAbort { module: "voting", code: 0x30002, name: "EPROPOSAL_CANNOT_BE_RESOLVED", meaning: "the proposal is still pending or has failed" },
    KnownAbort { module: "voting", code: 0x30003, name: "EPROPOSAL_ALREADY_RESOLVED", meaning: "the proposal is already resolved" },
    KnownAbort { module: "voting", code: 0x10004, name: "EPROPOSAL_EMPTY_EXECUTION_HASH", meaning: "the proposal's execution hash is empty" },
    KnownAbort { module: "voting", code: 0x30005, name: "EPROPOSAL_VOTING_ALREADY_ENDED", meaning: "the voting period has expired" },
    KnownAbort { module: "voting", code: 0x10007, name: "EINVALID_MIN_VOTE_THRESHOLD", meaning: "invalid vote threshold" },
    KnownAbort { module: "voting", code: 0x30008, name: "ERESOLUTION_CANNOT_BE_ATOMIC", meaning: "resolution must happen in a later second than the last vote; retry shortly" },
    KnownAbort { module: "voting", code: 0x30009, name: "EMULTI_STEP_PROPOSAL_IN_EXECUTION", meaning: "the upgrade is being executed; voting is closed" },
    KnownAbort { module: "voting", code: 0x5000A, name: "EMULTI_STEP_PROPOSAL_CANNOT_USE_SINGLE_STEP_RESOLVE_FUNCTION", meaning: "a multi-step proposal must be resolved step by step" },
    KnownAbort { module: "voting", code: 0x1000B, name: "ESINGLE_STEP_PROPOSAL_CANNOT_HAVE_NEXT_EXECUTION_HASH", meaning: "a single-step proposal was given a next hash" },
    KnownAbort { module: "voting", code: 0x1000C, name: "EPROPOSAL_IS_SINGLE_STEP", meaning: "the proposal is single-step" },
    KnownAbort { module: "table", code: 0x6507, name: "NOT_FOUND", meaning: "no such proposal id" },
    KnownAbort { module: "epoch_boundary", code: 2, name: "ETRIGGER_NOT_READY", meaning: "the epoch boundary is not ready to be triggered" },
    KnownAbort { module: "epoch_boundary", code: 3, name: "ENOT_SAME_EPOCH", meaning: "the boundary belongs to a later epoch" },
    KnownAbort { module: "code", code: 9, name: "ENOT_A_COMPUTE_PLATFORM", meaning: "packages may only be published at 0x1..0xa" },
    KnownAbort { module: "code", code: 0x60005, name: "EPACKAGE_DEP_MISSING", meaning: "a dependency package is not published" },
    KnownAbort { module: "code", code: 0x10007, name: "EDEP_ARBITRARY_NOT_SAME_ADDRESS", meaning: "a dependency with the arbitrary policy lives at another address" },
    KnownAbort { module: "code", code: 0x80001, name: "EMODULE_NAME_CLASH", meaning: "a module name already belongs to another package" },
    KnownAbort { module: "code", code: 0x30000, name: "EALREADY_REQUESTED", meaning: "a second package publish in one transaction" },
    KnownAbort { module: "util", code: 0x10001, name: "EFROM_BYTES", meaning: "the package metadata is not valid BCS" },
];

/// The table entry for an abort in `module` (name without address) with `code`.
pub fn lookup_abort(module: &str, code: u64) -> Option<&'static KnownAbort> {
    ABORTS.iter().find(|a| a.module == module && a.code == code)
}

/// VM status codes reported at submission (`vm_error_code`).
pub fn vm_status_name(code: u64) -> Option<&'static str> {
    Some(match code {
        1 => "INVALID_SIGNATURE",
        2 => "INVALID_AUTH_KEY",
        3 => "SEQUENCE_NUMBER_TOO_OLD",
        4 => "SEQUENCE_NUMBER_TOO_NEW",
        5 => "INSUFFICIENT_BALANCE_FOR_TRANSACTION_FEE",
        6 => "TRANSACTION_EXPIRED",
        7 => "SENDING_ACCOUNT_DOES_NOT_EXIST",
        10 => "EXCEEDED_MAX_TRANSACTION_SIZE",
        13 => "MAX_GAS_UNITS_EXCEEDS_MAX_GAS_UNITS_BOUND",
        14 => "MAX_GAS_UNITS_BELOW_MIN_TRANSACTION_GAS_UNITS",
        15 => "GAS_UNIT_PRICE_BELOW_MIN_BOUND",
        23 => "BAD_CHAIN_ID",
        _ => return None,
    })
}

/// Turns a committed transaction's `vm_status` into a readable message: for a Move abort it
/// names the module, the reason and what it means.
pub fn explain_vm_status(vm_status: &str) -> String {
    match parse_abort(vm_status) {
        Some((module, code)) => match lookup_abort(&module, code) {
            Some(known) => format!(
                "aborted in 0x1::{module} with {} (0x{code:x}): {}",
                known.name, known.meaning
            ),
            None => format!(
                "aborted in 0x1::{module} with code 0x{code:x} (not a known governance abort)"
            ),
        },
        None => vm_status.to_string(),
    }
}

/// `(module, code)` from `Move abort in 0x1::<module>: [<NAME>(]0x<code>[)…]`.
pub fn parse_abort(vm_status: &str) -> Option<(String, u64)> {
    let rest = vm_status.strip_prefix("Move abort in ")?;
    let (location, detail) = rest.split_once(": ")?;
    let module = location.rsplit("::").next()?.to_string();
    let hex_start = detail.find("0x")? + 2;
    let digits: String = detail
        .get(hex_start..)?
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    let code = u64::from_str_radix(&digits, 16).ok()?;
    Some((module, code))
}

/// `VMError { … sub_status: Some(<code>) … location: Module(… Identifier("<module>") …` of a
/// failed view call, as `(module, code)`.
pub fn parse_view_abort(message: &str) -> Option<(String, u64)> {
    if !message.contains("ABORTED") {
        return None;
    }
    let after = message.split("sub_status: Some(").nth(1)?;
    let code: u64 = after.split(')').next()?.trim().parse().ok()?;
    let module = message
        .split("Identifier(\"")
        .nth(1)?
        .split('"')
        .next()?
        .to_string();
    Some((module, code))
}

/// The proposal type argument of the `voting` views.
pub const GOVERNANCE_PROPOSAL: &str = "0x1::governance_proposal::GovernanceProposal";

/// Why a governance query or check failed.
#[derive(Debug, thiserror::Error)]
pub enum GovernanceError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("proposal {0} does not exist")]
    NoSuchProposal(u64),
    #[error("{function}: unexpected result: {message}")]
    Response { function: String, message: String },
    #[error("refusing to sign: {0}")]
    Refused(String),
}

/// Everything the signer reads about a proposal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProposalStatus {
    pub proposal_id: u64,
    /// 0 pending, 1 succeeded, 3 failed.
    pub state: u64,
    pub state_name: &'static str,
    pub yes_votes: u128,
    pub no_votes: u128,
    pub min_vote_threshold: u128,
    /// Hex; empty when no hash is approved.
    pub approved_hash: String,
    /// Hex: the hash the next resolve step must match.
    pub execution_hash: String,
    pub is_resolved: bool,
    pub can_resolve: bool,
    pub voting_closed: bool,
    pub in_execution: bool,
    pub expiration_secs: u64,
}

/// Name of a proposal state.
pub fn state_name(state: u64) -> &'static str {
    match state {
        STATE_PENDING => "pending",
        STATE_SUCCEEDED => "succeeded",
        STATE_FAILED => "failed",
        _ => "unknown",
    }
}

fn one<'a>(function: &str, values: &'a [Value], n: usize) -> Result<&'a Value, GovernanceError> {
    values.get(n).ok_or_else(|| GovernanceError::Response {
        function: function.into(),
        message: format!(
            "expected at least {} return values, found {}",
            n + 1,
            values.len()
        ),
    })
}

fn shape<T>(function: &str, r: Result<T, String>) -> Result<T, GovernanceError> {
    r.map_err(|message| GovernanceError::Response {
        function: function.into(),
        message,
    })
}

/// Calls a proposal view, mapping the `table` NOT_FOUND abort to [`GovernanceError::NoSuchProposal`].
async fn proposal_view(
    client: &Client,
    function: &str,
    generic: bool,
    proposal_id: u64,
) -> Result<Vec<Value>, GovernanceError> {
    let (ty, args) = if generic {
        (
            vec![GOVERNANCE_PROPOSAL],
            vec![json!("0x1"), json!(proposal_id.to_string())],
        )
    } else {
        (vec![], vec![json!(proposal_id.to_string())])
    };
    match client.view(function, &ty, args).await {
        Err(ClientError::ViewAbort { module, code, .. }) if module == "table" && code == 0x6507 => {
            Err(GovernanceError::NoSuchProposal(proposal_id))
        }
        other => Ok(other?),
    }
}

/// Reads a proposal's state, votes, threshold, hashes and flags.
pub async fn proposal_status(
    client: &Client,
    proposal_id: u64,
) -> Result<ProposalStatus, GovernanceError> {
    const STATE: &str = "0x1::diem_governance::get_proposal_state";
    const VOTES: &str = "0x1::diem_governance::get_votes";
    const RESOLVED: &str = "0x1::diem_governance::is_resolved";
    const CAN: &str = "0x1::diem_governance::get_can_resolve";
    const APPROVED: &str = "0x1::diem_governance::get_approved_hash";
    const THRESHOLD: &str = "0x1::voting::get_min_vote_threshold";
    const EXPIRY: &str = "0x1::voting::get_proposal_expiration_secs";
    const EXEC: &str = "0x1::voting::get_execution_hash";
    const CLOSED: &str = "0x1::voting::is_voting_closed";
    const IN_EXEC: &str = "0x1::voting::is_multi_step_proposal_in_execution";

    let state_v = proposal_view(client, STATE, false, proposal_id).await?;
    let state = shape(STATE, json_u64(one(STATE, &state_v, 0)?, "state"))?;
    let votes = proposal_view(client, VOTES, false, proposal_id).await?;
    let yes_votes = shape(VOTES, json_u128(one(VOTES, &votes, 0)?, "yes"))?;
    let no_votes = shape(VOTES, json_u128(one(VOTES, &votes, 1)?, "no"))?;
    let resolved = proposal_view(client, RESOLVED, false, proposal_id).await?;
    let is_resolved = shape(
        RESOLVED,
        json_bool(one(RESOLVED, &resolved, 0)?, "resolved"),
    )?;
    let can = proposal_view(client, CAN, false, proposal_id).await?;
    let can_resolve = shape(CAN, json_bool(one(CAN, &can, 0)?, "can_resolve"))?;
    let approved = proposal_view(client, APPROVED, false, proposal_id).await?;
    let approved_hash = shape(APPROVED, json_bytes(one(APPROVED, &approved, 0)?, "hash"))?;
    let threshold = proposal_view(client, THRESHOLD, true, proposal_id).await?;
    let min_vote_threshold = shape(
        THRESHOLD,
        json_u128(one(THRESHOLD, &threshold, 0)?, "threshold"),
    )?;
    let expiry = proposal_view(client, EXPIRY, true, proposal_id).await?;
    let expiration_secs = shape(EXPIRY, json_u64(one(EXPIRY, &expiry, 0)?, "expiration"))?;
    let exec = proposal_view(client, EXEC, true, proposal_id).await?;
    let execution_hash = shape(EXEC, json_bytes(one(EXEC, &exec, 0)?, "hash"))?;
    let closed = proposal_view(client, CLOSED, true, proposal_id).await?;
    let voting_closed = shape(CLOSED, json_bool(one(CLOSED, &closed, 0)?, "closed"))?;
    // Single-step proposals abort this view; they are never "in execution".
    let in_execution = match proposal_view(client, IN_EXEC, true, proposal_id).await {
        Ok(v) => shape(IN_EXEC, json_bool(one(IN_EXEC, &v, 0)?, "in_execution"))?,
        Err(GovernanceError::Client(ClientError::ViewAbort { module, code, .. }))
            if module == "voting" && code == 0x1000C =>
        {
            false
        }
        Err(e) => return Err(e),
    };
    Ok(ProposalStatus {
        proposal_id,
        state,
        state_name: state_name(state),
        yes_votes,
        no_votes,
        min_vote_threshold,
        approved_hash: hex::encode(approved_hash),
        execution_hash: hex::encode(execution_hash),
        is_resolved,
        can_resolve,
        voting_closed,
        in_execution,
        expiration_secs,
    })
}

/// `0x1::stake::is_current_val(address)`.
pub async fn is_current_validator(
    client: &Client,
    address: AccountAddress,
) -> Result<bool, GovernanceError> {
    const F: &str = "0x1::stake::is_current_val";
    let v = client
        .view(F, &[], vec![json!(address.to_hex_literal())])
        .await?;
    shape(F, json_bool(one(F, &v, 0)?, "is_current_val"))
}

/// Whether `voter` already voted on `proposal_id`, from the `VotingRecords` table at `0x1`.
pub async fn has_voted(
    client: &Client,
    voter: AccountAddress,
    proposal_id: u64,
) -> Result<bool, GovernanceError> {
    const R: &str = "0x1::diem_governance::VotingRecords";
    let data = client
        .resource(AccountAddress::ONE, R)
        .await?
        .ok_or_else(|| GovernanceError::Response {
            function: R.into(),
            message: "the resource does not exist at 0x1".into(),
        })?;
    let handle = data
        .get("votes")
        .and_then(|v| v.get("handle"))
        .and_then(Value::as_str)
        .ok_or_else(|| GovernanceError::Response {
            function: R.into(),
            message: "no votes.handle".into(),
        })?;
    let item = client
        .table_item(
            handle,
            "0x1::diem_governance::RecordKey",
            "bool",
            json!({"voter": voter.to_hex_literal(), "proposal_id": proposal_id.to_string()}),
        )
        .await?;
    Ok(item.is_some())
}

/// `0x1::account::get_originating_address(auth_key)`: the account a key controls, `None` when the
/// chain knows no account for it (the view aborts).
pub async fn originating_address(
    client: &Client,
    authentication_key: AccountAddress,
) -> Result<Option<AccountAddress>, GovernanceError> {
    const F: &str = "0x1::account::get_originating_address";
    match client
        .view(F, &[], vec![json!(authentication_key.to_hex_literal())])
        .await
    {
        Ok(v) => {
            let text = one(F, &v, 0)?
                .as_str()
                .ok_or_else(|| GovernanceError::Response {
                    function: F.into(),
                    message: "expected an address string".into(),
                })?;
            let address = shape(F, AccountAddress::parse(text))?;
            Ok(Some(address))
        }
        Err(ClientError::ViewAbort { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `voting::check_resolvable_ex_hash`: `(true, 0)` or `(false, reason)`.
pub async fn check_resolvable(
    client: &Client,
    proposal_id: u64,
) -> Result<(bool, u64), GovernanceError> {
    const F: &str = "0x1::voting::check_resolvable_ex_hash";
    let v = proposal_view(client, F, true, proposal_id).await?;
    let ok = shape(F, json_bool(one(F, &v, 0)?, "resolvable"))?;
    let reason = shape(F, json_u64(one(F, &v, 1)?, "reason"))?;
    Ok((ok, reason))
}

/// Refuses a vote on a proposal that is closed to voting at ledger time `now_secs`.
pub fn check_open_for_vote(status: &ProposalStatus, now_secs: u64) -> Result<(), GovernanceError> {
    let id = status.proposal_id;
    if status.is_resolved {
        return Err(GovernanceError::Refused(format!(
            "proposal {id} is already resolved"
        )));
    }
    if status.in_execution {
        return Err(GovernanceError::Refused(format!(
            "proposal {id} is being executed (a step has been resolved); voting is closed"
        )));
    }
    if now_secs > status.expiration_secs {
        return Err(GovernanceError::Refused(format!(
            "voting on proposal {id} ended at {} (ledger time {now_secs})",
            status.expiration_secs
        )));
    }
    Ok(())
}

/// Refuses a resolve step unless the proposal can be resolved and its current execution hash is
/// the local script's hash.
pub fn check_resolvable_with(
    status: &ProposalStatus,
    script_sha3: &[u8; 32],
) -> Result<(), GovernanceError> {
    let id = status.proposal_id;
    if status.is_resolved {
        return Err(GovernanceError::Refused(format!(
            "proposal {id} is already resolved"
        )));
    }
    if status.state != STATE_SUCCEEDED {
        return Err(GovernanceError::Refused(format!(
            "proposal {id} is {} ({} for, {} against, threshold {}); it cannot be resolved",
            status.state_name, status.yes_votes, status.no_votes, status.min_vote_threshold
        )));
    }
    let local = hex::encode(script_sha3);
    if status.execution_hash != local {
        return Err(GovernanceError::Refused(format!(
            "proposal {id} expects a script with hash {}, but the local script hashes to {local}",
            status.execution_hash
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_match_the_table() {
        let expected = [
            (1, 1),
            (2, 1),
            (3, 3),
            (4, 3),
            (5, 3),
            (6, 5),
            (9, 7),
            (10, 7),
            (20, 13),
            (21, 15),
            (30, 21),
        ];
        for (n, t) in expected {
            assert_eq!(vote_threshold(n), t, "N = {n}");
        }
    }

    #[test]
    fn aborts_are_matched_on_module_and_code() {
        let s = "Move abort in 0x1::voting: EPROPOSAL_EXECUTION_HASH_NOT_MATCHING(0x10001): x";
        assert_eq!(parse_abort(s), Some(("voting".into(), 0x10001)));
        assert!(explain_vm_status(s).contains("wrong script bytes"));
        // Same number, different module.
        let u = "Move abort in 0x1::diem_governance: 0x10004";
        assert!(explain_vm_status(u).contains("EALREADY_VOTED"));
        let v = "Move abort in 0x1::voting: 0x10004";
        assert!(explain_vm_status(v).contains("EPROPOSAL_EMPTY_EXECUTION_HASH"));
        assert_eq!(explain_vm_status("Out of gas"), "Out of gas");
        let view = "Failed to execute function: VMError { major_status: ABORTED, sub_status: Some(25863), location: Module(ModuleId { address: 0000000000000000000000000000000000000000000000000000000000000001, name: Identifier(\"table\") }) }";
        assert_eq!(parse_view_abort(view), Some(("table".into(), 25863)));
    }
}

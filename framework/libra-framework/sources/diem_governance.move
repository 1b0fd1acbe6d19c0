/// On-chain governance by the validator set: a current validator proposes a script by its
/// SHA3-256, validators vote (one vote each), and once at least two thirds plus one of the
/// validators at creation agree the proposal's scripts run one after another, each resolving
/// its step with the hash of the next. The last step starts a new epoch.
module diem_framework::diem_governance {
    use std::error;
    use std::option;
    use std::signer;
    use std::string::{Self, String, utf8};
    use std::vector;
    use diem_framework::create_signer::create_signer;
    use diem_framework::epoch_boundary;
    use diem_framework::event::{Self, EventHandle};
    use diem_framework::governance_proposal::{Self, GovernanceProposal};
    use diem_framework::reconfiguration;
    use diem_framework::simple_map::{Self, SimpleMap};
    use diem_framework::stake;
    use diem_framework::system_addresses;
    use diem_framework::table::{Self, Table};
    use diem_framework::timestamp;
    use diem_framework::voting;

    /// The validator already voted on this proposal.
    const EALREADY_VOTED: u64 = 4;
    /// A hash can be approved only for a proposal that succeeded.
    const EPROPOSAL_NOT_RESOLVABLE_YET: u64 = 6;
    /// The proposal has not been resolved yet.
    const EPROPOSAL_NOT_RESOLVED_YET: u64 = 8;
    /// `metadata_location` is longer than 256 bytes.
    const EMETADATA_LOCATION_TOO_LONG: u64 = 9;
    /// `metadata_hash` is longer than 256 bytes.
    const EMETADATA_HASH_TOO_LONG: u64 = 10;
    /// The sender is not a current validator.
    const EUNAUTHORIZED: u64 = 11;

    /// Votes are accepted for this long after creation: three days.
    const VOTING_DURATION_SECS: u64 = 259200;
    /// The longest metadata location or hash, in bytes.
    const MAX_METADATA_LENGTH: u64 = 256;
    /// Metadata key of the location of the proposal's description.
    const METADATA_LOCATION_KEY: vector<u8> = b"metadata_location";
    /// Metadata key of the hash of the proposal's description.
    const METADATA_HASH_KEY: vector<u8> = b"metadata_hash";

    /// Lets governance act as the account it was granted.
    struct SignerCapability has store {
        account: address,
    }

    /// The accounts governance may act as (the reserved addresses `0x1` to `0xa`).
    struct GovernanceResponsbility has key {
        signer_caps: SimpleMap<address, SignerCapability>,
    }

    /// Values kept for reference; `ol_create_proposal_v2` uses its own fixed rules.
    struct GovernanceConfig has key {
        min_voting_threshold: u128,
        voting_duration_secs: u64,
    }

    /// Who voted on which proposal.
    struct RecordKey has copy, drop, store {
        stake_pool: address,
        proposal_id: u64,
    }

    /// Every vote cast, so that nobody votes twice.
    struct VotingRecords has key {
        votes: Table<RecordKey, bool>,
    }

    /// The hash each succeeded proposal may run next; the VM admits oversized scripts whose hash
    /// is listed here.
    struct ApprovedExecutionHashes has key {
        hashes: SimpleMap<u64, vector<u8>>,
    }

    /// Governance's event streams.
    struct GovernanceEvents has key {
        create_proposal_events: EventHandle<CreateProposalEvent>,
        vote_events: EventHandle<VoteEvent>,
    }

    /// Emitted when a proposal is created (after the forum's own event).
    struct CreateProposalEvent has drop, store {
        proposer: address,
        proposal_id: u64,
        execution_hash: vector<u8>,
        proposal_metadata: SimpleMap<String, vector<u8>>,
    }

    /// Emitted for every vote (after the forum's own event).
    struct VoteEvent has drop, store {
        proposal_id: u64,
        voter: address,
        num_votes: u64,
        should_pass: bool,
    }

    /// Sets governance up at genesis: the voting forum, the records, and the capabilities for the
    /// reserved addresses `0x1` to `0xa`. Only the framework account may do so.
    public fun initialize(framework: &signer, min_voting_threshold: u128, voting_duration_secs: u64) {
        system_addresses::assert_diem_framework(framework);
        voting::register<GovernanceProposal>(framework);
        move_to(framework, GovernanceConfig { min_voting_threshold, voting_duration_secs });
        move_to(framework, VotingRecords { votes: table::new() });
        move_to(framework, ApprovedExecutionHashes { hashes: simple_map::create() });
        move_to(framework, GovernanceEvents {
            create_proposal_events: event::new_event_handle<CreateProposalEvent>(@diem_framework, 20),
            vote_events: event::new_event_handle<VoteEvent>(@diem_framework, 21),
        });
        let caps = simple_map::create<address, SignerCapability>();
        let accounts = vector[@0x1, @0x2, @0x3, @0x4, @0x5, @0x6, @0x7, @0x8, @0x9, @0xa];
        while (!vector::is_empty(&accounts)) {
            let account = vector::pop_back(&mut accounts);
            simple_map::add(&mut caps, account, SignerCapability { account });
        };
        move_to(framework, GovernanceResponsbility { signer_caps: caps });
    }

    /// Proposes the script whose SHA3-256 is `execution_hash`. The sender must be a current
    /// validator (`EUNAUTHORIZED`); `metadata_location` and `metadata_hash` must be UTF-8 text
    /// of at most 256 bytes each (`EMETADATA_LOCATION_TOO_LONG`, `EMETADATA_HASH_TOO_LONG`).
    /// The proposal needs `(N / 3) * 2 + 1` votes, N being the number of validators now, and
    /// accepts votes for three days.
    public entry fun ol_create_proposal_v2(
        proposer: &signer,
        execution_hash: vector<u8>,
        metadata_location: vector<u8>,
        metadata_hash: vector<u8>,
        is_multi_step_proposal: bool,
    ) acquires GovernanceEvents {
        create_proposal(proposer, execution_hash, metadata_location, metadata_hash, is_multi_step_proposal);
    }

    /// Votes for (`should_pass`) or against proposal `proposal_id`. The sender must be a current
    /// validator (`EUNAUTHORIZED`) and may vote once per proposal (`EALREADY_VOTED`). When the
    /// vote makes the proposal succeed, its execution hash is approved.
    public entry fun ol_vote(voter: &signer, proposal_id: u64, should_pass: bool)
    acquires VotingRecords, ApprovedExecutionHashes, GovernanceEvents {
        let voter_address = signer::address_of(voter);
        assert!(stake::is_current_val(voter_address), error::invalid_argument(EUNAUTHORIZED));
        let record = RecordKey { stake_pool: voter_address, proposal_id };
        let records = &mut borrow_global_mut<VotingRecords>(@diem_framework).votes;
        assert!(!table::contains(records, record), error::invalid_argument(EALREADY_VOTED));
        table::add(records, record, true);

        let proof = governance_proposal::create_proposal();
        voting::vote<GovernanceProposal>(&proof, @diem_framework, proposal_id, 1, should_pass);
        let events = borrow_global_mut<GovernanceEvents>(@diem_framework);
        event::emit_event(&mut events.vote_events, VoteEvent {
            proposal_id,
            voter: voter_address,
            num_votes: 1,
            should_pass,
        });
        if (voting::get_proposal_state<GovernanceProposal>(@diem_framework, proposal_id) == 1) {
            add_approved_script_hash(proposal_id);
        };
    }

    /// Resolves one step of a multi-step proposal from the script whose hash the proposal
    /// expects, and returns the signer of `signer_address` (one of `0x1` to `0xa`). A non-empty
    /// `next_execution_hash` becomes the hash of the next step and is approved; an empty one ends
    /// the proposal, withdraws its approved hash and starts a new epoch.
    public fun resolve_multi_step_proposal(proposal_id: u64, signer_address: address, next_execution_hash: vector<u8>): signer
    acquires ApprovedExecutionHashes, GovernanceResponsbility {
        voting::resolve_proposal_v2<GovernanceProposal>(@diem_framework, proposal_id, next_execution_hash);
        let hashes = &mut borrow_global_mut<ApprovedExecutionHashes>(@diem_framework).hashes;
        if (vector::is_empty(&next_execution_hash)) {
            if (simple_map::contains_key(hashes, &proposal_id)) {
                simple_map::remove(hashes, &proposal_id);
            };
            reconfiguration::reconfigure();
        } else {
            simple_map::upsert(hashes, proposal_id, next_execution_hash);
        };
        get_signer(signer_address)
    }

    /// Resolves a single-step proposal from the script whose hash it names, withdraws its
    /// approved hash, starts a new epoch and returns the signer of `signer_address`.
    public fun resolve(proposal_id: u64, signer_address: address): signer
    acquires ApprovedExecutionHashes, GovernanceResponsbility {
        let _ = voting::resolve<GovernanceProposal>(@diem_framework, proposal_id);
        remove_approved_hash(proposal_id);
        reconfiguration::reconfigure();
        get_signer(signer_address)
    }

    /// Withdraws the approved hash of a resolved proposal; aborts with
    /// `EPROPOSAL_NOT_RESOLVED_YET` before it is resolved.
    public fun remove_approved_hash(proposal_id: u64) acquires ApprovedExecutionHashes {
        assert!(
            voting::is_resolved<GovernanceProposal>(@diem_framework, proposal_id),
            error::invalid_argument(EPROPOSAL_NOT_RESOLVED_YET)
        );
        let hashes = &mut borrow_global_mut<ApprovedExecutionHashes>(@diem_framework).hashes;
        if (simple_map::contains_key(hashes, &proposal_id)) {
            simple_map::remove(hashes, &proposal_id);
        };
    }

    /// Starts a new epoch once the epoch interval has passed; anyone may call it.
    public entry fun trigger_epoch(_sig: &signer) {
        epoch_boundary::trigger_epoch();
    }

    #[view]
    /// The id the next proposal will get.
    public fun get_next_governance_proposal_id(): u64 {
        voting::next_proposal_id<GovernanceProposal>(@diem_framework)
    }

    #[view]
    /// 0 pending, 1 succeeded, 3 failed.
    public fun get_proposal_state(proposal_id: u64): u64 {
        voting::get_proposal_state<GovernanceProposal>(@diem_framework, proposal_id)
    }

    #[view]
    /// (yes, no) votes.
    public fun get_votes(proposal_id: u64): (u128, u128) {
        voting::get_votes<GovernanceProposal>(@diem_framework, proposal_id)
    }

    #[view]
    /// True once the last step has been resolved.
    public fun is_resolved(proposal_id: u64): bool {
        voting::is_resolved<GovernanceProposal>(@diem_framework, proposal_id)
    }

    #[view]
    /// True when a script with the right hash could resolve the proposal now.
    public fun get_can_resolve(proposal_id: u64): bool {
        let (ok, _) = voting::check_resolvable_ex_hash<GovernanceProposal>(@diem_framework, proposal_id);
        ok
    }

    #[view]
    /// The hash approved for the proposal, or empty.
    public fun get_approved_hash(proposal_id: u64): vector<u8> acquires ApprovedExecutionHashes {
        let hashes = &borrow_global<ApprovedExecutionHashes>(@diem_framework).hashes;
        if (simple_map::contains_key(hashes, &proposal_id)) *simple_map::borrow(hashes, &proposal_id)
        else vector::empty()
    }

    #[view]
    /// True when `voter` has voted on `proposal_id`.
    public fun has_voted(voter: address, proposal_id: u64): bool acquires VotingRecords {
        table::contains(&borrow_global<VotingRecords>(@diem_framework).votes, RecordKey { stake_pool: voter, proposal_id })
    }

    #[view]
    /// The configured voting duration (not used by `ol_create_proposal_v2`).
    public fun get_voting_duration_secs(): u64 acquires GovernanceConfig {
        borrow_global<GovernanceConfig>(@diem_framework).voting_duration_secs
    }

    #[view]
    /// The configured minimum threshold (not used by `ol_create_proposal_v2`).
    public fun get_min_voting_threshold(): u128 acquires GovernanceConfig {
        borrow_global<GovernanceConfig>(@diem_framework).min_voting_threshold
    }

    /// The votes a proposal needs when there are `n` validators: `(n / 3) * 2 + 1`.
    public fun vote_threshold(n: u64): u128 {
        ((n / 3) * 2 + 1 as u128)
    }

    /// `ol_create_proposal_v2`, returning the new proposal's id.
    fun create_proposal(
        proposer: &signer,
        execution_hash: vector<u8>,
        metadata_location: vector<u8>,
        metadata_hash: vector<u8>,
        is_multi_step_proposal: bool,
    ): u64 acquires GovernanceEvents {
        let proposer_address = signer::address_of(proposer);
        assert!(stake::is_current_val(proposer_address), error::invalid_argument(EUNAUTHORIZED));
        let location = utf8(metadata_location);
        assert!(string::length(&location) <= MAX_METADATA_LENGTH, error::invalid_argument(EMETADATA_LOCATION_TOO_LONG));
        let hash = utf8(metadata_hash);
        assert!(string::length(&hash) <= MAX_METADATA_LENGTH, error::invalid_argument(EMETADATA_HASH_TOO_LONG));
        let metadata = simple_map::create<String, vector<u8>>();
        simple_map::add(&mut metadata, utf8(METADATA_LOCATION_KEY), metadata_location);
        simple_map::add(&mut metadata, utf8(METADATA_HASH_KEY), metadata_hash);

        let threshold = vote_threshold(vector::length(&stake::get_current_validators()));
        let proposal_id = voting::create_proposal_v2<GovernanceProposal>(
            proposer_address,
            @diem_framework,
            governance_proposal::create_proposal(),
            execution_hash,
            threshold,
            timestamp::now_seconds() + VOTING_DURATION_SECS,
            option::some(threshold),
            metadata,
            is_multi_step_proposal,
        );
        let events = borrow_global_mut<GovernanceEvents>(@diem_framework);
        event::emit_event(&mut events.create_proposal_events, CreateProposalEvent {
            proposer: proposer_address,
            proposal_id,
            execution_hash,
            proposal_metadata: metadata,
        });
        proposal_id
    }

    /// Approves the proposal's current execution hash; aborts with
    /// `EPROPOSAL_NOT_RESOLVABLE_YET` unless it succeeded.
    fun add_approved_script_hash(proposal_id: u64) acquires ApprovedExecutionHashes {
        assert!(
            voting::get_proposal_state<GovernanceProposal>(@diem_framework, proposal_id) == 1,
            error::invalid_argument(EPROPOSAL_NOT_RESOLVABLE_YET)
        );
        let hash = voting::get_execution_hash<GovernanceProposal>(@diem_framework, proposal_id);
        let hashes = &mut borrow_global_mut<ApprovedExecutionHashes>(@diem_framework).hashes;
        simple_map::upsert(hashes, proposal_id, hash);
    }

    /// The signer of `signer_address`; aborts in `simple_map` (`EKEY_NOT_FOUND`) unless
    /// governance holds its capability.
    fun get_signer(signer_address: address): signer acquires GovernanceResponsbility {
        let caps = &borrow_global<GovernanceResponsbility>(@diem_framework).signer_caps;
        create_signer(simple_map::borrow(caps, &signer_address).account)
    }

    #[test_only]
    use diem_framework::version;

    #[test_only]
    /// Starts the clock, an epoch and governance, with `validators` as the validator set.
    fun setup(fw: &signer, validators: vector<address>) {
        timestamp::set_time_has_started(fw);
        reconfiguration::initialize(fw);
        epoch_boundary::initialize(fw, 86400);
        stake::initialize(fw, validators);
        initialize(fw, 0, VOTING_DURATION_SECS);
    }

    #[test_only]
    /// A proposal from `proposer` for the unit-test runner's script hash (0x01).
    fun propose(proposer: &signer, multi_step: bool): u64 acquires GovernanceEvents {
        create_proposal(proposer, x"01", b"https://example.org/upgrade", b"5292e777", multi_step)
    }

    #[test]
    fun threshold_is_two_thirds_plus_one() {
        assert!(vote_threshold(1) == 1 && vote_threshold(2) == 1 && vote_threshold(3) == 3, 0);
        assert!(vote_threshold(4) == 3 && vote_threshold(5) == 3 && vote_threshold(6) == 5, 1);
        assert!(vote_threshold(9) == 7 && vote_threshold(10) == 7 && vote_threshold(12) == 9, 2);
        assert!(vote_threshold(20) == 13 && vote_threshold(21) == 15 && vote_threshold(30) == 21, 3);
    }

    #[test(fw = @diem_framework, a = @0x100, b = @0x200, c = @0x300)]
    fun three_step_upgrade(fw: &signer, a: &signer, b: &signer, c: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100, @0x200, @0x300]);
        let id = propose(a, true);
        assert!(id == 0 && get_next_governance_proposal_id() == 1, 0);
        assert!(voting::get_min_vote_threshold<GovernanceProposal>(@diem_framework, id) == 3, 1);
        assert!(voting::get_proposal_expiration_secs<GovernanceProposal>(@diem_framework, id) == 259200, 2);
        ol_vote(a, id, true);
        ol_vote(b, id, true);
        assert!(get_proposal_state(id) == 0 && vector::is_empty(&get_approved_hash(id)), 3);
        assert!(has_voted(@0x100, id) && !has_voted(@0x300, id), 4);
        ol_vote(c, id, true);
        let (yes, no) = get_votes(id);
        assert!(yes == 3 && no == 0 && get_proposal_state(id) == 1, 5);
        assert!(get_approved_hash(id) == x"01", 6);
        // Not in the same second as the last vote.
        assert!(!get_can_resolve(id), 7);
        timestamp::fast_forward_seconds(1);
        assert!(get_can_resolve(id), 8);

        let s1 = resolve_multi_step_proposal(id, @0x1, x"01");
        assert!(signer::address_of(&s1) == @0x1, 9);
        version::upgrade_set_git(&s1, x"993b9a240c0efe9ee9f8685d48eee7450b12d9a9");
        assert!(voting::is_multi_step_proposal_in_execution<GovernanceProposal>(@diem_framework, id), 10);
        assert!(!is_resolved(id) && get_approved_hash(id) == x"01", 11);
        let _s2 = resolve_multi_step_proposal(id, @0x1, x"01");
        assert!(reconfiguration::get_current_epoch() == 0, 12);
        let s3 = resolve_multi_step_proposal(id, @0x1, vector[]);
        version::upgrade_set_git(&s3, x"25053ae3d9da72cee42882ab26e0069875e727ad");
        assert!(is_resolved(id) && vector::is_empty(&get_approved_hash(id)), 13);
        assert!(!voting::is_multi_step_proposal_in_execution<GovernanceProposal>(@diem_framework, id), 14);
        assert!(reconfiguration::get_current_epoch() == 1, 15);
        assert!(version::get_git_hash() == x"25053ae3d9da72cee42882ab26e0069875e727ad", 16);
        assert!(!get_can_resolve(id), 17);
    }

    #[test(fw = @diem_framework, a = @0x100, b = @0x200, c = @0x300, d = @0x400)]
    fun single_step_resolve_returns_other_reserved_signers(fw: &signer, a: &signer, b: &signer, c: &signer, d: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100, @0x200, @0x300, @0x400]);
        let id = propose(a, false);
        ol_vote(a, id, true);
        ol_vote(b, id, true);
        // Four validators need three votes; a fourth vote still counts before resolution.
        assert!(get_proposal_state(id) == 0, 0);
        ol_vote(c, id, false);
        assert!(get_proposal_state(id) == 0, 1);
        ol_vote(d, id, true);
        assert!(get_proposal_state(id) == 1, 2);
        timestamp::fast_forward_seconds(1);
        let s = resolve(id, @0xa);
        assert!(signer::address_of(&s) == @0xa && is_resolved(id), 3);
        assert!(vector::is_empty(&get_approved_hash(id)), 4);
        assert!(reconfiguration::get_current_epoch() == 1, 5);
    }

    #[test(fw = @diem_framework, a = @0x100, b = @0x200, c = @0x300)]
    fun against_votes_fail_the_proposal(fw: &signer, a: &signer, b: &signer, c: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes {
        setup(fw, vector[@0x100, @0x200, @0x300]);
        let id = propose(a, true);
        ol_vote(a, id, false);
        ol_vote(b, id, false);
        ol_vote(c, id, false);
        assert!(get_proposal_state(id) == 3 && !get_can_resolve(id), 0);
        assert!(vector::is_empty(&get_approved_hash(id)), 1);
    }

    #[test(fw = @diem_framework, a = @0x100, b = @0x200, c = @0x300)]
    fun threshold_is_fixed_at_creation(fw: &signer, a: &signer, b: &signer, c: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes {
        setup(fw, vector[@0x100]);
        let id = propose(a, true);
        stake::set_validators(fw, vector[@0x100, @0x200, @0x300]);
        // One validator at creation: one vote decides, whoever votes later.
        ol_vote(b, id, true);
        assert!(get_proposal_state(id) == 1 && get_approved_hash(id) == x"01", 0);
        ol_vote(c, id, false);
        assert!(get_proposal_state(id) == 3, 1);
    }

    #[test(fw = @diem_framework, x = @0xbad)]
    #[expected_failure(abort_code = 0x1000B, location = Self)]
    fun non_validator_cannot_propose(fw: &signer, x: &signer) acquires GovernanceEvents {
        setup(fw, vector[@0x100]);
        propose(x, true);
    }

    #[test(fw = @diem_framework, a = @0x100, x = @0xbad)]
    #[expected_failure(abort_code = 0x1000B, location = Self)]
    fun non_validator_cannot_vote(fw: &signer, a: &signer, x: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes {
        setup(fw, vector[@0x100]);
        let id = propose(a, true);
        ol_vote(x, id, true);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x10009, location = Self)]
    fun metadata_location_too_long(fw: &signer, a: &signer) acquires GovernanceEvents {
        setup(fw, vector[@0x100]);
        let long = vector::empty<u8>();
        while (vector::length(&long) < 257) vector::push_back(&mut long, 0x61);
        create_proposal(a, x"01", long, b"h", true);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x1000A, location = Self)]
    fun metadata_hash_too_long(fw: &signer, a: &signer) acquires GovernanceEvents {
        setup(fw, vector[@0x100]);
        let long = vector::empty<u8>();
        while (vector::length(&long) < 257) vector::push_back(&mut long, 0x61);
        create_proposal(a, x"01", b"l", long, true);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    fun metadata_of_256_bytes_is_accepted(fw: &signer, a: &signer) acquires GovernanceEvents {
        setup(fw, vector[@0x100]);
        let max = vector::empty<u8>();
        while (vector::length(&max) < 256) vector::push_back(&mut max, 0x61);
        create_proposal(a, x"01", max, max, true);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 1, location = std::string)]
    fun raw_hash_bytes_are_not_utf8(fw: &signer, a: &signer) acquires GovernanceEvents {
        setup(fw, vector[@0x100]);
        create_proposal(a, x"01", b"l", x"5292e7773f9f72f7", true);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x10004, location = diem_framework::voting)]
    fun empty_execution_hash(fw: &signer, a: &signer) acquires GovernanceEvents {
        setup(fw, vector[@0x100]);
        create_proposal(a, vector[], b"l", b"h", true);
    }

    #[test(fw = @diem_framework, a = @0x100, b = @0x200, c = @0x300)]
    #[expected_failure(abort_code = 0x10004, location = Self)]
    fun cannot_vote_twice(fw: &signer, a: &signer, b: &signer, c: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes {
        setup(fw, vector[@0x100, @0x200, @0x300]);
        let id = propose(a, true);
        ol_vote(b, id, true);
        ol_vote(c, id, false);
        ol_vote(b, id, false);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x6507, location = diem_framework::table)]
    fun unknown_proposal(fw: &signer, a: &signer) acquires VotingRecords, ApprovedExecutionHashes, GovernanceEvents {
        setup(fw, vector[@0x100]);
        ol_vote(a, 5, true);
    }

    #[test(fw = @diem_framework, a = @0x100, b = @0x200)]
    #[expected_failure(abort_code = 0x30005, location = diem_framework::voting)]
    fun vote_after_expiry(fw: &signer, a: &signer, b: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes {
        setup(fw, vector[@0x100, @0x200, @0x300]);
        let id = propose(a, true);
        ol_vote(a, id, true);
        timestamp::fast_forward_seconds(VOTING_DURATION_SECS + 1);
        ol_vote(b, id, true);
    }

    #[test(fw = @diem_framework, a = @0x100, b = @0x200, c = @0x300, d = @0x400)]
    #[expected_failure(abort_code = 0x30003, location = diem_framework::voting)]
    fun vote_after_resolution(fw: &signer, a: &signer, b: &signer, c: &signer, d: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100, @0x200, @0x300, @0x400]);
        let id = propose(a, false);
        ol_vote(a, id, true);
        ol_vote(b, id, true);
        ol_vote(c, id, true);
        timestamp::fast_forward_seconds(1);
        resolve(id, @0x1);
        ol_vote(d, id, true);
    }

    #[test(fw = @diem_framework, a = @0x100, b = @0x200, c = @0x300, d = @0x400)]
    #[expected_failure(abort_code = 0x30009, location = diem_framework::voting)]
    fun vote_during_execution(fw: &signer, a: &signer, b: &signer, c: &signer, d: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100, @0x200, @0x300, @0x400]);
        let id = propose(a, true);
        ol_vote(a, id, true);
        ol_vote(b, id, true);
        ol_vote(c, id, true);
        timestamp::fast_forward_seconds(1);
        resolve_multi_step_proposal(id, @0x1, x"01");
        ol_vote(d, id, true);
    }

    #[test(fw = @diem_framework, a = @0x100, b = @0x200)]
    #[expected_failure(abort_code = 0x30002, location = diem_framework::voting)]
    fun resolve_while_pending(fw: &signer, a: &signer, b: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100, @0x200, @0x300]);
        let id = propose(a, true);
        ol_vote(a, id, true);
        ol_vote(b, id, true);
        timestamp::fast_forward_seconds(1);
        resolve_multi_step_proposal(id, @0x1, vector[]);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x30008, location = diem_framework::voting)]
    fun resolve_in_the_second_of_the_last_vote(fw: &signer, a: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100]);
        let id = propose(a, true);
        ol_vote(a, id, true);
        resolve_multi_step_proposal(id, @0x1, vector[]);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x10001, location = diem_framework::voting)]
    fun resolve_with_another_script(fw: &signer, a: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100]);
        let id = create_proposal(a, x"02", b"l", b"h", true);
        ol_vote(a, id, true);
        timestamp::fast_forward_seconds(1);
        resolve_multi_step_proposal(id, @0x1, vector[]);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x10001, location = diem_framework::voting)]
    fun next_step_needs_the_next_script(fw: &signer, a: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100]);
        let id = propose(a, true);
        ol_vote(a, id, true);
        timestamp::fast_forward_seconds(1);
        resolve_multi_step_proposal(id, @0x1, x"02");
        resolve_multi_step_proposal(id, @0x1, vector[]);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x30003, location = diem_framework::voting)]
    fun resolve_after_the_last_step(fw: &signer, a: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100]);
        let id = propose(a, true);
        ol_vote(a, id, true);
        timestamp::fast_forward_seconds(1);
        resolve_multi_step_proposal(id, @0x1, vector[]);
        resolve_multi_step_proposal(id, @0x1, vector[]);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x1000B, location = diem_framework::voting)]
    fun single_step_cannot_name_a_next_hash(fw: &signer, a: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100]);
        let id = propose(a, false);
        ol_vote(a, id, true);
        timestamp::fast_forward_seconds(1);
        resolve_multi_step_proposal(id, @0x1, x"01");
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x5000A, location = diem_framework::voting)]
    fun multi_step_cannot_use_single_step_resolve(fw: &signer, a: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100]);
        let id = propose(a, true);
        ol_vote(a, id, true);
        timestamp::fast_forward_seconds(1);
        resolve(id, @0x1);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x10002, location = diem_framework::simple_map)]
    fun no_signer_outside_the_reserved_addresses(fw: &signer, a: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes, GovernanceResponsbility {
        setup(fw, vector[@0x100]);
        let id = propose(a, true);
        ol_vote(a, id, true);
        timestamp::fast_forward_seconds(1);
        resolve_multi_step_proposal(id, @0xb, vector[]);
    }

    #[test(fw = @diem_framework, a = @0x100)]
    #[expected_failure(abort_code = 0x10008, location = Self)]
    fun approved_hash_stays_until_resolution(fw: &signer, a: &signer)
    acquires GovernanceEvents, VotingRecords, ApprovedExecutionHashes {
        setup(fw, vector[@0x100]);
        let id = propose(a, true);
        ol_vote(a, id, true);
        remove_approved_hash(id);
    }

    #[test(fw = @diem_framework, anyone = @0xbad)]
    fun epoch_triggers_after_the_interval(fw: &signer, anyone: &signer) {
        setup(fw, vector[@0x100]);
        timestamp::fast_forward_seconds(86400);
        trigger_epoch(anyone);
        assert!(reconfiguration::get_current_epoch() == 1, 0);
    }

    #[test(fw = @diem_framework, anyone = @0xbad)]
    #[expected_failure(abort_code = 2, location = diem_framework::epoch_boundary)]
    fun epoch_not_ready(fw: &signer, anyone: &signer) {
        setup(fw, vector[@0x100]);
        timestamp::fast_forward_seconds(86399);
        trigger_epoch(anyone);
    }

    #[test(other = @0x2)]
    #[expected_failure(abort_code = 0x50000, location = diem_framework::system_addresses)]
    fun only_the_framework_initializes(other: &signer) {
        initialize(other, 0, 0);
    }
}

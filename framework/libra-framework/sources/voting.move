/// Proposals and votes, generic over a proposal type whose values act as the proof that a caller
/// may vote in a forum. A proposal carries the SHA3-256 of the script that may execute it; a
/// multi-step proposal moves that hash forward one script at a time.
module diem_framework::voting {
    use std::bcs;
    use std::error;
    use std::option::{Self, Option};
    use std::signer;
    use std::string::{String, utf8};
    use std::vector;
    use diem_framework::event::{Self, EventHandle};
    use diem_framework::simple_map::{Self, SimpleMap};
    use diem_framework::table::{Self, Table};
    use diem_framework::timestamp;
    use diem_framework::transaction_context;
    use diem_framework::util;

    /// The running script's hash is not the proposal's execution hash.
    const EPROPOSAL_EXECUTION_HASH_NOT_MATCHING: u64 = 1;
    /// The proposal has not succeeded (still pending, or failed).
    const EPROPOSAL_CANNOT_BE_RESOLVED: u64 = 2;
    /// The proposal has already been resolved.
    const EPROPOSAL_ALREADY_RESOLVED: u64 = 3;
    /// The execution hash is empty.
    const EPROPOSAL_EMPTY_EXECUTION_HASH: u64 = 4;
    /// Voting on the proposal has ended (it expired).
    const EPROPOSAL_VOTING_ALREADY_ENDED: u64 = 5;
    /// The early-resolution threshold is below the minimum vote threshold.
    const EINVALID_MIN_VOTE_THRESHOLD: u64 = 7;
    /// Resolution in the same second as the last vote is refused.
    const ERESOLUTION_CANNOT_BE_ATOMIC: u64 = 8;
    /// Votes are refused once a multi-step proposal has started executing.
    const EMULTI_STEP_PROPOSAL_IN_EXECUTION: u64 = 9;
    /// A multi-step proposal must be resolved step by step.
    const EMULTI_STEP_PROPOSAL_CANNOT_USE_SINGLE_STEP_RESOLVE_FUNCTION: u64 = 10;
    /// A single-step proposal cannot name a next execution hash.
    const ESINGLE_STEP_PROPOSAL_CANNOT_HAVE_NEXT_EXECUTION_HASH: u64 = 11;
    /// The proposal is single-step.
    const EPROPOSAL_IS_SINGLE_STEP: u64 = 12;
    /// Reason reported by `check_resolvable_ex_hash`: voting is still open.
    const EPROPOSAL_IS_PENDING: u64 = 13;
    /// Reason reported by `check_resolvable_ex_hash`: the proposal failed.
    const EPROPOSAL_FAILED: u64 = 14;

    /// Voting is still open.
    const PROPOSAL_STATE_PENDING: u64 = 0;
    /// Voting closed with more yes than no votes and enough votes in total.
    const PROPOSAL_STATE_SUCCEEDED: u64 = 1;
    /// Voting closed otherwise.
    const PROPOSAL_STATE_FAILED: u64 = 3;

    /// Metadata key: the second of the last vote (BCS u64).
    const RESOLVABLE_TIME_METADATA_KEY: vector<u8> = b"RESOLVABLE_TIME_METADATA_KEY";
    /// Metadata key: whether the proposal is multi-step (BCS bool).
    const IS_MULTI_STEP_PROPOSAL_KEY: vector<u8> = b"IS_MULTI_STEP_PROPOSAL_KEY";
    /// Metadata key: whether a multi-step proposal has started executing (BCS bool).
    const IS_MULTI_STEP_PROPOSAL_IN_EXECUTION_KEY: vector<u8> = b"IS_MULTI_STEP_PROPOSAL_IN_EXECUTION";

    /// One proposal.
    struct Proposal<ProposalType: store> has store {
        proposer: address,
        /// Handed to the resolver of a single-step proposal.
        execution_content: Option<ProposalType>,
        metadata: SimpleMap<String, vector<u8>>,
        creation_time_secs: u64,
        /// The hash the next resolving script must have.
        execution_hash: vector<u8>,
        min_vote_threshold: u128,
        expiration_secs: u64,
        early_resolution_vote_threshold: Option<u128>,
        yes_votes: u128,
        no_votes: u128,
        is_resolved: bool,
        resolution_time_secs: u64,
    }

    /// The proposals of one forum, keyed by sequential id from 0.
    struct VotingForum<ProposalType: store> has key {
        proposals: Table<u64, Proposal<ProposalType>>,
        events: VotingEvents,
        next_proposal_id: u64,
    }

    /// The forum's event streams.
    struct VotingEvents has store {
        create_proposal_events: EventHandle<CreateProposalEvent>,
        resolve_proposal_events: EventHandle<ResolveProposal>,
        vote_events: EventHandle<VoteEvent>,
    }

    /// Emitted when a proposal is created.
    struct CreateProposalEvent has drop, store {
        proposal_id: u64,
        early_resolution_vote_threshold: Option<u128>,
        execution_hash: vector<u8>,
        expiration_secs: u64,
        metadata: SimpleMap<String, vector<u8>>,
        min_vote_threshold: u128,
    }

    /// Emitted for every vote.
    struct VoteEvent has drop, store {
        proposal_id: u64,
        num_votes: u64,
    }

    /// Emitted at every resolved step.
    struct ResolveProposal has drop, store {
        proposal_id: u64,
        yes_votes: u128,
        no_votes: u128,
        resolved_early: bool,
    }

    /// Creates an empty forum for `ProposalType` at `account`'s address.
    public fun register<ProposalType: store>(account: &signer) {
        let addr = signer::address_of(account);
        move_to(account, VotingForum<ProposalType> {
            proposals: table::new(),
            events: VotingEvents {
                create_proposal_events: event::new_event_handle<CreateProposalEvent>(addr, 10),
                resolve_proposal_events: event::new_event_handle<ResolveProposal>(addr, 11),
                vote_events: event::new_event_handle<VoteEvent>(addr, 12),
            },
            next_proposal_id: 0,
        });
    }

    /// Creates a proposal in the forum at `voting_forum_address` and returns its id. Aborts with
    /// `EPROPOSAL_EMPTY_EXECUTION_HASH` if `execution_hash` is empty and with
    /// `EINVALID_MIN_VOTE_THRESHOLD` if the early threshold is below the minimum.
    public fun create_proposal_v2<ProposalType: store>(
        proposer: address,
        voting_forum_address: address,
        execution_content: ProposalType,
        execution_hash: vector<u8>,
        min_vote_threshold: u128,
        expiration_secs: u64,
        early_resolution_vote_threshold: Option<u128>,
        metadata: SimpleMap<String, vector<u8>>,
        is_multi_step_proposal: bool,
    ): u64 acquires VotingForum {
        if (option::is_some(&early_resolution_vote_threshold)) {
            assert!(
                min_vote_threshold <= *option::borrow(&early_resolution_vote_threshold),
                error::invalid_argument(EINVALID_MIN_VOTE_THRESHOLD)
            );
        };
        assert!(!vector::is_empty(&execution_hash), error::invalid_argument(EPROPOSAL_EMPTY_EXECUTION_HASH));

        let forum = borrow_global_mut<VotingForum<ProposalType>>(voting_forum_address);
        let proposal_id = forum.next_proposal_id;
        forum.next_proposal_id = proposal_id + 1;

        simple_map::add(&mut metadata, utf8(IS_MULTI_STEP_PROPOSAL_KEY), bcs::to_bytes(&is_multi_step_proposal));
        if (is_multi_step_proposal) {
            simple_map::add(&mut metadata, utf8(IS_MULTI_STEP_PROPOSAL_IN_EXECUTION_KEY), bcs::to_bytes(&false));
        };

        table::add(&mut forum.proposals, proposal_id, Proposal<ProposalType> {
            proposer,
            execution_content: option::some(execution_content),
            metadata,
            creation_time_secs: timestamp::now_seconds(),
            execution_hash,
            min_vote_threshold,
            expiration_secs,
            early_resolution_vote_threshold,
            yes_votes: 0,
            no_votes: 0,
            is_resolved: false,
            resolution_time_secs: 0,
        });

        event::emit_event(&mut forum.events.create_proposal_events, CreateProposalEvent {
            proposal_id,
            early_resolution_vote_threshold,
            execution_hash,
            expiration_secs,
            metadata,
            min_vote_threshold,
        });
        proposal_id
    }

    /// Adds `num_votes` for or against proposal `proposal_id`; `_proof` shows the caller may vote
    /// in this forum. Aborts if the proposal does not exist (table `NOT_FOUND`), has expired
    /// (`EPROPOSAL_VOTING_ALREADY_ENDED`), is resolved (`EPROPOSAL_ALREADY_RESOLVED`) or has
    /// started executing (`EMULTI_STEP_PROPOSAL_IN_EXECUTION`).
    public fun vote<ProposalType: store>(
        _proof: &ProposalType,
        voting_forum_address: address,
        proposal_id: u64,
        num_votes: u64,
        should_pass: bool,
    ) acquires VotingForum {
        let forum = borrow_global_mut<VotingForum<ProposalType>>(voting_forum_address);
        let proposal = table::borrow_mut(&mut forum.proposals, proposal_id);
        let now = timestamp::now_seconds();
        assert!(now <= proposal.expiration_secs, error::invalid_state(EPROPOSAL_VOTING_ALREADY_ENDED));
        assert!(!proposal.is_resolved, error::invalid_state(EPROPOSAL_ALREADY_RESOLVED));
        assert!(!in_execution(proposal), error::invalid_state(EMULTI_STEP_PROPOSAL_IN_EXECUTION));

        if (should_pass) {
            proposal.yes_votes = proposal.yes_votes + (num_votes as u128);
        } else {
            proposal.no_votes = proposal.no_votes + (num_votes as u128);
        };
        simple_map::upsert(&mut proposal.metadata, utf8(RESOLVABLE_TIME_METADATA_KEY), bcs::to_bytes(&now));

        event::emit_event(&mut forum.events.vote_events, VoteEvent { proposal_id, num_votes });
    }

    /// Resolves a single-step proposal run by the current script and returns its content.
    /// Aborts unless the proposal is resolvable (see `check_resolvable_ex_hash`) and the script's
    /// hash matches, and with `EMULTI_STEP_PROPOSAL_CANNOT_USE_SINGLE_STEP_RESOLVE_FUNCTION` on a
    /// multi-step proposal.
    public fun resolve<ProposalType: store>(voting_forum_address: address, proposal_id: u64): ProposalType acquires VotingForum {
        assert_resolvable<ProposalType>(voting_forum_address, proposal_id);
        let forum = borrow_global_mut<VotingForum<ProposalType>>(voting_forum_address);
        let proposal = table::borrow_mut(&mut forum.proposals, proposal_id);
        assert!(
            !is_multi_step(proposal),
            error::permission_denied(EMULTI_STEP_PROPOSAL_CANNOT_USE_SINGLE_STEP_RESOLVE_FUNCTION)
        );
        proposal.is_resolved = true;
        proposal.resolution_time_secs = timestamp::now_seconds();
        let resolved = resolve_event(proposal_id, proposal);
        let content = option::extract(&mut proposal.execution_content);
        event::emit_event(&mut forum.events.resolve_proposal_events, resolved);
        content
    }

    /// Resolves one step of a proposal run by the current script. With a non-empty
    /// `next_execution_hash` the proposal moves on to the script with that hash; with an empty one
    /// it is resolved for good. Aborts unless resolvable and the script's hash matches, and with
    /// `ESINGLE_STEP_PROPOSAL_CANNOT_HAVE_NEXT_EXECUTION_HASH` for a next hash on a single-step
    /// proposal.
    public fun resolve_proposal_v2<ProposalType: store>(
        voting_forum_address: address,
        proposal_id: u64,
        next_execution_hash: vector<u8>,
    ) acquires VotingForum {
        assert_resolvable<ProposalType>(voting_forum_address, proposal_id);
        let forum = borrow_global_mut<VotingForum<ProposalType>>(voting_forum_address);
        let proposal = table::borrow_mut(&mut forum.proposals, proposal_id);
        let multi_step = is_multi_step(proposal);
        assert!(
            multi_step || vector::is_empty(&next_execution_hash),
            error::invalid_argument(ESINGLE_STEP_PROPOSAL_CANNOT_HAVE_NEXT_EXECUTION_HASH)
        );
        let last_step = vector::is_empty(&next_execution_hash);
        if (multi_step) {
            simple_map::upsert(
                &mut proposal.metadata,
                utf8(IS_MULTI_STEP_PROPOSAL_IN_EXECUTION_KEY),
                bcs::to_bytes(&!last_step)
            );
        };
        if (last_step) {
            proposal.is_resolved = true;
            proposal.resolution_time_secs = timestamp::now_seconds();
        } else {
            proposal.execution_hash = next_execution_hash;
        };
        let resolved = resolve_event(proposal_id, proposal);
        event::emit_event(&mut forum.events.resolve_proposal_events, resolved);
    }

    #[view]
    /// The id the next proposal in the forum will get.
    public fun next_proposal_id<ProposalType: store>(voting_forum_address: address): u64 acquires VotingForum {
        borrow_global<VotingForum<ProposalType>>(voting_forum_address).next_proposal_id
    }

    #[view]
    /// 0 pending, 1 succeeded, 3 failed.
    public fun get_proposal_state<ProposalType: store>(voting_forum_address: address, proposal_id: u64): u64 acquires VotingForum {
        state(table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id))
    }

    #[view]
    /// True when voting is closed: a side reached the early-resolution threshold, or the
    /// proposal expired.
    public fun is_voting_closed<ProposalType: store>(voting_forum_address: address, proposal_id: u64): bool acquires VotingForum {
        closed(table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id))
    }

    #[view]
    /// True when yes or no votes reached the early-resolution threshold.
    public fun can_be_resolved_early<ProposalType: store>(voting_forum_address: address, proposal_id: u64): bool acquires VotingForum {
        early(table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id))
    }

    #[view]
    /// The hash the next resolving script must have.
    public fun get_execution_hash<ProposalType: store>(voting_forum_address: address, proposal_id: u64): vector<u8> acquires VotingForum {
        *&table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id).execution_hash
    }

    #[view]
    /// The number of votes needed in total.
    public fun get_min_vote_threshold<ProposalType: store>(voting_forum_address: address, proposal_id: u64): u128 acquires VotingForum {
        table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id).min_vote_threshold
    }

    #[view]
    /// The last second at which votes are accepted.
    public fun get_proposal_expiration_secs<ProposalType: store>(voting_forum_address: address, proposal_id: u64): u64 acquires VotingForum {
        table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id).expiration_secs
    }

    #[view]
    /// (yes, no) votes.
    public fun get_votes<ProposalType: store>(voting_forum_address: address, proposal_id: u64): (u128, u128) acquires VotingForum {
        let proposal = table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id);
        (proposal.yes_votes, proposal.no_votes)
    }

    #[view]
    /// True once the last step (or the only step) has been resolved.
    public fun is_resolved<ProposalType: store>(voting_forum_address: address, proposal_id: u64): bool acquires VotingForum {
        table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id).is_resolved
    }

    #[view]
    /// The proposer's address.
    public fun get_proposer<ProposalType: store>(voting_forum_address: address, proposal_id: u64): address acquires VotingForum {
        table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id).proposer
    }

    #[view]
    /// True between the first and the last step of a multi-step proposal; aborts with
    /// `EPROPOSAL_IS_SINGLE_STEP` on a single-step proposal.
    public fun is_multi_step_proposal_in_execution<ProposalType: store>(voting_forum_address: address, proposal_id: u64): bool acquires VotingForum {
        let proposal = table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id);
        assert!(is_multi_step(proposal), error::invalid_argument(EPROPOSAL_IS_SINGLE_STEP));
        in_execution(proposal)
    }

    #[view]
    /// Whether the proposal could be resolved now, leaving out the script-hash check:
    /// `(true, 0)`, or `(false, reason)` with reason 13 pending, 14 failed, 3 resolved, or 8 when
    /// the current second is not after the last vote's.
    public fun check_resolvable_ex_hash<ProposalType: store>(voting_forum_address: address, proposal_id: u64): (bool, u64) acquires VotingForum {
        let proposal = table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id);
        let s = state(proposal);
        if (s == PROPOSAL_STATE_PENDING) return (false, EPROPOSAL_IS_PENDING);
        if (s == PROPOSAL_STATE_FAILED) return (false, EPROPOSAL_FAILED);
        if (proposal.is_resolved) return (false, EPROPOSAL_ALREADY_RESOLVED);
        if (timestamp::now_seconds() <= last_vote_secs(proposal)) return (false, ERESOLUTION_CANNOT_BE_ATOMIC);
        (true, 0)
    }

    /// Aborts unless the proposal can be resolved now by the running script: succeeded, not
    /// resolved, later than the last vote, and the script's hash is the execution hash.
    fun assert_resolvable<ProposalType: store>(voting_forum_address: address, proposal_id: u64) acquires VotingForum {
        let proposal = table::borrow(&borrow_global<VotingForum<ProposalType>>(voting_forum_address).proposals, proposal_id);
        assert!(state(proposal) == PROPOSAL_STATE_SUCCEEDED, error::invalid_state(EPROPOSAL_CANNOT_BE_RESOLVED));
        assert!(!proposal.is_resolved, error::invalid_state(EPROPOSAL_ALREADY_RESOLVED));
        assert!(timestamp::now_seconds() > last_vote_secs(proposal), error::invalid_state(ERESOLUTION_CANNOT_BE_ATOMIC));
        assert!(
            transaction_context::get_script_hash() == proposal.execution_hash,
            error::invalid_argument(EPROPOSAL_EXECUTION_HASH_NOT_MATCHING)
        );
    }

    fun early<ProposalType: store>(proposal: &Proposal<ProposalType>): bool {
        if (option::is_none(&proposal.early_resolution_vote_threshold)) return false;
        let threshold = *option::borrow(&proposal.early_resolution_vote_threshold);
        proposal.yes_votes >= threshold || proposal.no_votes >= threshold
    }

    fun closed<ProposalType: store>(proposal: &Proposal<ProposalType>): bool {
        early(proposal) || timestamp::now_seconds() > proposal.expiration_secs
    }

    fun state<ProposalType: store>(proposal: &Proposal<ProposalType>): u64 {
        if (!closed(proposal)) return PROPOSAL_STATE_PENDING;
        let (yes, no) = (proposal.yes_votes, proposal.no_votes);
        if (yes > no && yes + no >= proposal.min_vote_threshold) PROPOSAL_STATE_SUCCEEDED else PROPOSAL_STATE_FAILED
    }

    fun is_multi_step<ProposalType: store>(proposal: &Proposal<ProposalType>): bool {
        let key = utf8(IS_MULTI_STEP_PROPOSAL_KEY);
        simple_map::contains_key(&proposal.metadata, &key)
            && util::from_bytes<bool>(*simple_map::borrow(&proposal.metadata, &key))
    }

    fun in_execution<ProposalType: store>(proposal: &Proposal<ProposalType>): bool {
        let key = utf8(IS_MULTI_STEP_PROPOSAL_IN_EXECUTION_KEY);
        simple_map::contains_key(&proposal.metadata, &key)
            && util::from_bytes<bool>(*simple_map::borrow(&proposal.metadata, &key))
    }

    /// The second of the last vote (0 when nobody voted).
    fun last_vote_secs<ProposalType: store>(proposal: &Proposal<ProposalType>): u64 {
        let key = utf8(RESOLVABLE_TIME_METADATA_KEY);
        if (!simple_map::contains_key(&proposal.metadata, &key)) return 0;
        util::from_bytes<u64>(*simple_map::borrow(&proposal.metadata, &key))
    }

    fun resolve_event<ProposalType: store>(proposal_id: u64, proposal: &Proposal<ProposalType>): ResolveProposal {
        ResolveProposal {
            proposal_id,
            yes_votes: proposal.yes_votes,
            no_votes: proposal.no_votes,
            resolved_early: early(proposal),
        }
    }

    #[test_only]
    struct TestProposal has store, drop {}

    #[test_only]
    /// A forum at `0x1` with one proposal (id 0) whose execution hash is `hash`, threshold 2,
    /// expiring 100 s after creation.
    fun setup(fw: &signer, hash: vector<u8>, multi_step: bool): u64 acquires VotingForum {
        timestamp::set_time_has_started(fw);
        register<TestProposal>(fw);
        create_proposal_v2(
            @0x100, @diem_framework, TestProposal {}, hash, 2, 100,
            option::some(2u128), simple_map::create(), multi_step
        )
    }

    #[test_only]
    /// Aborts with `code` unless `check_resolvable_ex_hash` gives `(ok, reason)` for `id`.
    fun assert_check(id: u64, ok: bool, reason: u64, code: u64) acquires VotingForum {
        let (got_ok, got_reason) = check_resolvable_ex_hash<TestProposal>(@diem_framework, id);
        assert!(got_ok == ok && got_reason == reason, code);
    }

    #[test(fw = @diem_framework)]
    fun single_step_lifecycle(fw: &signer) acquires VotingForum {
        let id = setup(fw, x"01", false);
        assert!(id == 0 && next_proposal_id<TestProposal>(@diem_framework) == 1, 0);
        assert!(get_proposal_state<TestProposal>(@diem_framework, id) == PROPOSAL_STATE_PENDING, 1);
        assert!(get_proposer<TestProposal>(@diem_framework, id) == @0x100, 2);
        vote(&TestProposal {}, @diem_framework, id, 1, true);
        assert!(!is_voting_closed<TestProposal>(@diem_framework, id), 3);
        vote(&TestProposal {}, @diem_framework, id, 1, true);
        assert!(can_be_resolved_early<TestProposal>(@diem_framework, id), 4);
        assert!(get_proposal_state<TestProposal>(@diem_framework, id) == PROPOSAL_STATE_SUCCEEDED, 5);
        assert_check(id, false, ERESOLUTION_CANNOT_BE_ATOMIC, 6);
        timestamp::fast_forward_seconds(1);
        assert_check(id, true, 0, 7);
        let TestProposal {} = resolve<TestProposal>(@diem_framework, id);
        assert!(is_resolved<TestProposal>(@diem_framework, id), 8);
        assert_check(id, false, EPROPOSAL_ALREADY_RESOLVED, 9);
    }

    #[test(fw = @diem_framework)]
    fun expiry_decides_without_early_close(fw: &signer) acquires VotingForum {
        let id = setup(fw, x"01", false);
        vote(&TestProposal {}, @diem_framework, id, 1, true);
        assert_check(id, false, EPROPOSAL_IS_PENDING, 0);
        timestamp::fast_forward_seconds(101);
        // One vote is below the threshold of two.
        assert!(get_proposal_state<TestProposal>(@diem_framework, id) == PROPOSAL_STATE_FAILED, 1);
        assert_check(id, false, EPROPOSAL_FAILED, 2);
    }

    #[test(fw = @diem_framework)]
    fun multi_step_moves_the_hash(fw: &signer) acquires VotingForum {
        let id = setup(fw, x"01", true);
        vote(&TestProposal {}, @diem_framework, id, 2, true);
        timestamp::fast_forward_seconds(1);
        assert!(!is_multi_step_proposal_in_execution<TestProposal>(@diem_framework, id), 0);
        resolve_proposal_v2<TestProposal>(@diem_framework, id, x"01");
        assert!(is_multi_step_proposal_in_execution<TestProposal>(@diem_framework, id), 1);
        assert!(!is_resolved<TestProposal>(@diem_framework, id), 2);
        resolve_proposal_v2<TestProposal>(@diem_framework, id, vector[]);
        assert!(is_resolved<TestProposal>(@diem_framework, id), 3);
        assert!(!is_multi_step_proposal_in_execution<TestProposal>(@diem_framework, id), 4);
    }

    #[test(fw = @diem_framework)]
    #[expected_failure(abort_code = 0x10007, location = Self)]
    fun early_threshold_below_minimum(fw: &signer) acquires VotingForum {
        timestamp::set_time_has_started(fw);
        register<TestProposal>(fw);
        create_proposal_v2(
            @0x100, @diem_framework, TestProposal {}, x"01", 3, 100,
            option::some(2u128), simple_map::create(), false
        );
    }

    #[test(fw = @diem_framework)]
    #[expected_failure(abort_code = 0x1000C, location = Self)]
    fun in_execution_view_refuses_single_step(fw: &signer) acquires VotingForum {
        let id = setup(fw, x"01", false);
        is_multi_step_proposal_in_execution<TestProposal>(@diem_framework, id);
    }

    #[test(fw = @diem_framework)]
    #[expected_failure(abort_code = 0x5000A, location = Self)]
    fun multi_step_refuses_single_step_resolve(fw: &signer) acquires VotingForum {
        let id = setup(fw, x"01", true);
        vote(&TestProposal {}, @diem_framework, id, 2, true);
        timestamp::fast_forward_seconds(1);
        let TestProposal {} = resolve<TestProposal>(@diem_framework, id);
    }
}

/// Genesis: creates every resource the framework keeps at `0x1`, in one call.
module diem_framework::genesis {
    use diem_framework::account;
    use diem_framework::chain_id;
    use diem_framework::diem_governance;
    use diem_framework::epoch_boundary;
    use diem_framework::reconfiguration;
    use diem_framework::stake;
    use diem_framework::system_addresses;
    use diem_framework::timestamp;

    /// Governance's configured voting duration: three days, as `ol_create_proposal_v2` uses.
    const VOTING_DURATION_SECS: u64 = 259200;

    /// Sets up the chain: its id, the clock, epoch 0 with the given epoch interval, the validator
    /// set, the key map and governance. Only the framework account may do so, and only once.
    public fun initialize(framework: &signer, id: u8, validators: vector<address>, epoch_interval_secs: u64) {
        system_addresses::assert_diem_framework(framework);
        chain_id::initialize(framework, id);
        timestamp::set_time_has_started(framework);
        reconfiguration::initialize(framework);
        epoch_boundary::initialize(framework, epoch_interval_secs);
        stake::initialize(framework, validators);
        account::initialize(framework);
        diem_governance::initialize(framework, 0, VOTING_DURATION_SECS);
    }

    #[test(fw = @diem_framework)]
    fun everything_is_in_place(fw: &signer) {
        initialize(fw, 4, vector[@0x100, @0x200], 86400);
        assert!(chain_id::get() == 4, 0);
        assert!(timestamp::now_seconds() == 0, 1);
        assert!(reconfiguration::get_current_epoch() == 0, 2);
        assert!(stake::is_current_val(@0x200), 3);
        assert!(account::get_originating_address(@0x100) == @0x100, 4);
        assert!(diem_governance::get_next_governance_proposal_id() == 0, 5);
        assert!(diem_governance::get_voting_duration_secs() == VOTING_DURATION_SECS, 6);
        assert!(!epoch_boundary::can_trigger(), 7);
    }

    #[test(fw = @diem_framework)]
    #[expected_failure]
    fun only_once(fw: &signer) {
        initialize(fw, 4, vector[@0x100], 86400);
        initialize(fw, 4, vector[@0x100], 86400);
    }

    #[test(other = @0x2)]
    #[expected_failure(abort_code = 0x50000, location = diem_framework::system_addresses)]
    fun only_the_framework(other: &signer) {
        initialize(other, 4, vector[@0x100], 86400);
    }
}

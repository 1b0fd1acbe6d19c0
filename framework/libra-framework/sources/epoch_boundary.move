/// When a new epoch may start: once the epoch interval has passed since the last
/// reconfiguration. Anyone may then trigger it through governance.
module diem_framework::epoch_boundary {
    use diem_framework::reconfiguration;
    use diem_framework::system_addresses;
    use diem_framework::timestamp;

    friend diem_framework::diem_governance;

    /// The epoch interval has not passed yet.
    const ETRIGGER_NOT_READY: u64 = 2;

    /// Seconds an epoch lasts at least, stored at `0x1`.
    struct EpochInterval has key {
        secs: u64,
    }

    /// Records the epoch interval; only the framework account may do so.
    public fun initialize(framework: &signer, interval_secs: u64) {
        system_addresses::assert_diem_framework(framework);
        move_to(framework, EpochInterval { secs: interval_secs });
    }

    #[view]
    /// True when the interval has passed since the last reconfiguration (false when unset).
    public fun can_trigger(): bool acquires EpochInterval {
        if (!exists<EpochInterval>(@diem_framework)) return false;
        let interval = borrow_global<EpochInterval>(@diem_framework).secs;
        let last = reconfiguration::last_reconfiguration_time() / 1000000;
        timestamp::now_seconds() >= last + interval
    }

    /// Starts a new epoch; aborts with `ETRIGGER_NOT_READY` unless `can_trigger()`.
    public(friend) fun trigger_epoch() acquires EpochInterval {
        assert!(can_trigger(), ETRIGGER_NOT_READY);
        reconfiguration::reconfigure();
    }

    #[test_only]
    fun setup(fw: &signer) {
        timestamp::set_time_has_started(fw);
        reconfiguration::initialize(fw);
        initialize(fw, 100);
    }

    #[test(fw = @diem_framework)]
    fun triggers_after_the_interval(fw: &signer) acquires EpochInterval {
        setup(fw);
        timestamp::fast_forward_seconds(99);
        assert!(!can_trigger(), 0);
        timestamp::fast_forward_seconds(1);
        trigger_epoch();
        assert!(reconfiguration::get_current_epoch() == 1, 1);
        assert!(!can_trigger(), 2);
    }

    #[test(fw = @diem_framework)]
    #[expected_failure(abort_code = ETRIGGER_NOT_READY, location = Self)]
    fun too_early(fw: &signer) acquires EpochInterval {
        setup(fw);
        timestamp::fast_forward_seconds(10);
        trigger_epoch();
    }
}

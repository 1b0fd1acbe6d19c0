/// The chain's clock: microseconds since the Unix epoch, set by the framework and never going
/// backwards.
module diem_framework::timestamp {
    use std::error;
    use diem_framework::system_addresses;

    /// Microseconds in one second.
    const MICRO_CONVERSION_FACTOR: u64 = 1000000;

    /// The clock has not been started.
    const ENOT_OPERATING: u64 = 1;
    /// The new time is earlier than the current one.
    const EINVALID_TIMESTAMP: u64 = 2;

    /// The current time, stored at `0x1`.
    struct CurrentTimeMicroseconds has key {
        microseconds: u64,
    }

    /// Starts the clock at zero; only the framework account may do so.
    public fun set_time_has_started(framework: &signer) {
        system_addresses::assert_diem_framework(framework);
        move_to(framework, CurrentTimeMicroseconds { microseconds: 0 });
    }

    /// Sets the clock to `now_microseconds`; only the framework account may do so, and aborts
    /// with `EINVALID_TIMESTAMP` if that is earlier than the current time.
    public fun update_global_time(framework: &signer, now_microseconds: u64) acquires CurrentTimeMicroseconds {
        system_addresses::assert_diem_framework(framework);
        assert!(exists<CurrentTimeMicroseconds>(@diem_framework), error::invalid_state(ENOT_OPERATING));
        let now = borrow_global_mut<CurrentTimeMicroseconds>(@diem_framework);
        assert!(now.microseconds <= now_microseconds, error::invalid_argument(EINVALID_TIMESTAMP));
        now.microseconds = now_microseconds;
    }

    /// True once the clock has been started.
    public fun is_operating(): bool {
        exists<CurrentTimeMicroseconds>(@diem_framework)
    }

    #[view]
    /// The current time in microseconds; aborts with `ENOT_OPERATING` before the clock starts.
    public fun now_microseconds(): u64 acquires CurrentTimeMicroseconds {
        assert!(is_operating(), error::invalid_state(ENOT_OPERATING));
        borrow_global<CurrentTimeMicroseconds>(@diem_framework).microseconds
    }

    #[view]
    /// The current time in whole seconds (rounded down).
    public fun now_seconds(): u64 acquires CurrentTimeMicroseconds {
        now_microseconds() / MICRO_CONVERSION_FACTOR
    }

    #[test_only]
    /// Moves the clock forward by `seconds`.
    public fun fast_forward_seconds(seconds: u64) acquires CurrentTimeMicroseconds {
        let now = borrow_global_mut<CurrentTimeMicroseconds>(@diem_framework);
        now.microseconds = now.microseconds + seconds * MICRO_CONVERSION_FACTOR;
    }

    #[test(fw = @diem_framework)]
    fun clock_moves_forward(fw: &signer) acquires CurrentTimeMicroseconds {
        assert!(!is_operating(), 0);
        set_time_has_started(fw);
        update_global_time(fw, 2500000);
        assert!(now_microseconds() == 2500000 && now_seconds() == 2, 1);
        update_global_time(fw, 2500000);
        fast_forward_seconds(3);
        assert!(now_seconds() == 5, 2);
    }

    #[test(fw = @diem_framework)]
    #[expected_failure(abort_code = 0x10002, location = Self)]
    fun clock_cannot_go_back(fw: &signer) acquires CurrentTimeMicroseconds {
        set_time_has_started(fw);
        update_global_time(fw, 10);
        update_global_time(fw, 9);
    }

    #[test]
    #[expected_failure(abort_code = 0x30001, location = Self)]
    fun not_operating_before_start() acquires CurrentTimeMicroseconds {
        now_seconds();
    }

    #[test(fw = @diem_framework, other = @0x5)]
    #[expected_failure(abort_code = 0x50000, location = diem_framework::system_addresses)]
    fun only_the_framework_sets_time(fw: &signer, other: &signer) acquires CurrentTimeMicroseconds {
        set_time_has_started(fw);
        update_global_time(other, 1);
    }
}

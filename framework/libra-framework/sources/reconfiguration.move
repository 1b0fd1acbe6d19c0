/// Epochs: a counter that advances at every reconfiguration, with the time of the last one and
/// an event per new epoch.
module diem_framework::reconfiguration {
    use std::error;
    use diem_framework::event::{Self, EventHandle};
    use diem_framework::system_addresses;
    use diem_framework::timestamp;

    friend diem_framework::epoch_boundary;
    friend diem_framework::diem_governance;

    /// The configuration has not been initialized.
    const ECONFIGURATION: u64 = 1;

    /// Emitted when an epoch starts.
    struct NewEpochEvent has drop, store {
        epoch: u64,
    }

    /// The current epoch, stored at `0x1`.
    struct Configuration has key {
        epoch: u64,
        last_reconfiguration_time: u64,
        events: EventHandle<NewEpochEvent>,
    }

    /// Starts epoch 0; only the framework account may do so.
    public fun initialize(framework: &signer) {
        system_addresses::assert_diem_framework(framework);
        move_to(framework, Configuration {
            epoch: 0,
            last_reconfiguration_time: 0,
            events: event::new_event_handle<NewEpochEvent>(@diem_framework, 2),
        });
    }

    /// Starts the next epoch: advances the counter, records the time (microseconds) and emits a
    /// `NewEpochEvent`.
    public(friend) fun reconfigure() acquires Configuration {
        assert!(exists<Configuration>(@diem_framework), error::not_found(ECONFIGURATION));
        let config = borrow_global_mut<Configuration>(@diem_framework);
        config.epoch = config.epoch + 1;
        config.last_reconfiguration_time = if (timestamp::is_operating()) timestamp::now_microseconds() else 0;
        let epoch = config.epoch;
        event::emit_event(&mut config.events, NewEpochEvent { epoch });
    }

    #[view]
    /// The current epoch.
    public fun get_current_epoch(): u64 acquires Configuration {
        assert!(exists<Configuration>(@diem_framework), error::not_found(ECONFIGURATION));
        borrow_global<Configuration>(@diem_framework).epoch
    }

    #[view]
    /// When the current epoch started, in microseconds.
    public fun last_reconfiguration_time(): u64 acquires Configuration {
        assert!(exists<Configuration>(@diem_framework), error::not_found(ECONFIGURATION));
        borrow_global<Configuration>(@diem_framework).last_reconfiguration_time
    }

    #[test(fw = @diem_framework)]
    fun epochs_count_up(fw: &signer) acquires Configuration {
        timestamp::set_time_has_started(fw);
        initialize(fw);
        assert!(get_current_epoch() == 0, 0);
        timestamp::update_global_time(fw, 7000000);
        reconfigure();
        assert!(get_current_epoch() == 1 && last_reconfiguration_time() == 7000000, 1);
        reconfigure();
        assert!(get_current_epoch() == 2, 2);
        assert!(event::counter(&borrow_global<Configuration>(@diem_framework).events) == 2, 3);
    }

    #[test]
    #[expected_failure(abort_code = 0x60001, location = Self)]
    fun reconfigure_needs_initialize() acquires Configuration {
        reconfigure();
    }
}

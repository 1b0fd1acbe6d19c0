/// The validator set: the accounts that may propose and vote in governance, one vote each.
module diem_framework::stake {
    use std::vector;
    use diem_framework::system_addresses;

    /// The current validators, stored at `0x1`.
    struct ValidatorSet has key {
        active_validators: vector<address>,
    }

    /// Records the validator set; only the framework account may do so.
    public fun initialize(framework: &signer, validators: vector<address>) {
        system_addresses::assert_diem_framework(framework);
        move_to(framework, ValidatorSet { active_validators: validators });
    }

    /// Replaces the validator set; only the framework account may do so.
    public fun set_validators(framework: &signer, validators: vector<address>) acquires ValidatorSet {
        system_addresses::assert_diem_framework(framework);
        borrow_global_mut<ValidatorSet>(@diem_framework).active_validators = validators;
    }

    #[view]
    /// The current validators (empty before the set is recorded).
    public fun get_current_validators(): vector<address> acquires ValidatorSet {
        if (!exists<ValidatorSet>(@diem_framework)) return vector::empty();
        *&borrow_global<ValidatorSet>(@diem_framework).active_validators
    }

    #[view]
    /// True when `addr` is a current validator.
    public fun is_current_val(addr: address): bool acquires ValidatorSet {
        if (!exists<ValidatorSet>(@diem_framework)) return false;
        vector::contains(&borrow_global<ValidatorSet>(@diem_framework).active_validators, &addr)
    }

    #[test(fw = @diem_framework)]
    fun set_and_replace(fw: &signer) acquires ValidatorSet {
        assert!(!is_current_val(@0x100) && vector::is_empty(&get_current_validators()), 0);
        initialize(fw, vector[@0x100, @0x200]);
        assert!(is_current_val(@0x100) && !is_current_val(@0x300), 1);
        set_validators(fw, vector[@0x300]);
        assert!(get_current_validators() == vector[@0x300], 2);
        assert!(!is_current_val(@0x100), 3);
    }

    #[test(other = @0x100)]
    #[expected_failure(abort_code = 0x50000, location = diem_framework::system_addresses)]
    fun only_the_framework_sets_validators(other: &signer) {
        initialize(other, vector[@0x100]);
    }
}

/// Which account an authentication key belongs to. An account's address is the authentication
/// key it was created with; after a key rotation the new key is recorded here so that tools can
/// find the account from the key they hold.
module diem_framework::account {
    use std::error;
    use diem_framework::system_addresses;
    use diem_framework::table::{Self, Table};

    /// The authentication key is already recorded for an account.
    const EALREADY_RECORDED: u64 = 1;

    /// Rotated authentication keys (as addresses) and the accounts they belong to, at `0x1`.
    struct OriginatingAddress has key {
        address_map: Table<address, address>,
    }

    /// Creates the empty map; only the framework account may do so.
    public fun initialize(framework: &signer) {
        system_addresses::assert_diem_framework(framework);
        move_to(framework, OriginatingAddress { address_map: table::new() });
    }

    /// Records that `auth_key` now signs for `account`; only the framework account may do so, and
    /// each key may be recorded once (`EALREADY_RECORDED`).
    public fun record_rotated_key(framework: &signer, auth_key: address, account: address) acquires OriginatingAddress {
        system_addresses::assert_diem_framework(framework);
        let map = &mut borrow_global_mut<OriginatingAddress>(@diem_framework).address_map;
        assert!(!table::contains(map, auth_key), error::already_exists(EALREADY_RECORDED));
        table::add(map, auth_key, account);
    }

    #[view]
    /// The account `auth_key` signs for: the recorded account after a rotation, otherwise the
    /// key itself (an account never rotated has its key as address).
    public fun get_originating_address(auth_key: address): address acquires OriginatingAddress {
        if (!exists<OriginatingAddress>(@diem_framework)) return auth_key;
        let map = &borrow_global<OriginatingAddress>(@diem_framework).address_map;
        if (table::contains(map, auth_key)) *table::borrow(map, auth_key) else auth_key
    }

    #[test(fw = @diem_framework)]
    fun rotated_keys_lead_to_their_account(fw: &signer) acquires OriginatingAddress {
        assert!(get_originating_address(@0xabc) == @0xabc, 0);
        initialize(fw);
        record_rotated_key(fw, @0xabc, @0x100);
        assert!(get_originating_address(@0xabc) == @0x100, 1);
        assert!(get_originating_address(@0x100) == @0x100, 2);
    }

    #[test(fw = @diem_framework)]
    #[expected_failure(abort_code = 0x80001, location = Self)]
    fun a_key_is_recorded_once(fw: &signer) acquires OriginatingAddress {
        initialize(fw);
        record_rotated_key(fw, @0xabc, @0x100);
        record_rotated_key(fw, @0xabc, @0x200);
    }

    #[test(fw = @diem_framework, other = @0x100)]
    #[expected_failure(abort_code = 0x50000, location = diem_framework::system_addresses)]
    fun only_the_framework_records(fw: &signer, other: &signer) acquires OriginatingAddress {
        initialize(fw);
        record_rotated_key(other, @0xabc, @0x100);
    }
}

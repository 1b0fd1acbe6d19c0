/// The reserved system addresses and the checks that a signer is the framework account.
module diem_framework::system_addresses {
    use std::error;
    use std::signer;

    /// The signer is not the framework account `0x1`.
    const ENOT_OL_ROOT_ADDRESS: u64 = 0;

    /// True when `addr` is the framework account `0x1`.
    public fun is_diem_framework_address(addr: address): bool {
        addr == @diem_framework
    }

    /// True when `addr` is one of the reserved framework addresses `0x1` to `0xa`.
    public fun is_framework_reserved_address(addr: address): bool {
        addr == @0x1 || addr == @0x2 || addr == @0x3 || addr == @0x4 || addr == @0x5 ||
            addr == @0x6 || addr == @0x7 || addr == @0x8 || addr == @0x9 || addr == @0xa
    }

    /// Aborts with `ENOT_OL_ROOT_ADDRESS` (permission denied) unless `account` is `0x1`.
    public fun assert_diem_framework(account: &signer) {
        assert!(
            is_diem_framework_address(signer::address_of(account)),
            error::permission_denied(ENOT_OL_ROOT_ADDRESS)
        );
    }

    #[test]
    fun reserved_range_is_one_to_ten() {
        assert!(!is_framework_reserved_address(@0x0), 0);
        assert!(is_framework_reserved_address(@0x1), 1);
        assert!(is_framework_reserved_address(@0xa), 2);
        assert!(!is_framework_reserved_address(@0xb), 3);
        assert!(is_diem_framework_address(@0x1) && !is_diem_framework_address(@0x2), 4);
    }

    #[test(fw = @diem_framework)]
    fun framework_signer_passes(fw: &signer) {
        assert_diem_framework(fw);
    }

    #[test(other = @0x2)]
    #[expected_failure(abort_code = 0x50000, location = Self)]
    fun other_reserved_signer_refused(other: &signer) {
        assert_diem_framework(other);
    }
}

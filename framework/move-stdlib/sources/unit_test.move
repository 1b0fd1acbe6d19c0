#[test_only]
/// Helpers for unit tests (provided by the VM's test runner).
module std::unit_test {
    /// `num_signers` distinct signers, for tests that need many accounts.
    native public fun create_signers_for_testing(num_signers: u64): vector<signer>;

    #[test]
    fun signers_are_distinct() {
        let signers = create_signers_for_testing(3);
        assert!(std::vector::length(&signers) == 3, 0);
        let a = std::signer::address_of(std::vector::borrow(&signers, 0));
        let b = std::signer::address_of(std::vector::borrow(&signers, 1));
        let c = std::signer::address_of(std::vector::borrow(&signers, 2));
        assert!(a != b && b != c && a != c, 1);
    }
}

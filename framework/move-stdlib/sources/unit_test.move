#[test_only]
/// Helpers for unit tests (provided by the VM's test runner).
module std::unit_test {
    /// `num_signers` distinct signers, for tests that need many accounts.
    native public fun create_signers_for_testing(num_signers: u64): vector<signer>;
}

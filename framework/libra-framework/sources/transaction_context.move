/// Facts about the running transaction (provided by the VM).
module diem_framework::transaction_context {
    /// The SHA3-256 of the code of the script this transaction runs, or empty when it does not run
    /// a script.
    public native fun get_script_hash(): vector<u8>;

    #[test]
    fun unit_tests_see_a_fixed_hash() {
        // The unit-test runner reports the one-byte hash 0x01.
        assert!(get_script_hash() == x"01", 0);
    }
}

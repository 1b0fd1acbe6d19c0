/// SHA-2 and SHA-3 digests (provided by the VM).
module std::hash {
    /// The SHA2-256 digest of `data` (32 bytes).
    native public fun sha2_256(data: vector<u8>): vector<u8>;

    /// The FIPS-202 SHA3-256 digest of `data` (32 bytes).
    native public fun sha3_256(data: vector<u8>): vector<u8>;

    #[test]
    fun digests_of_abc() {
        assert!(
            sha2_256(b"abc") == x"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            0
        );
        assert!(
            sha3_256(b"abc") == x"3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
            1
        );
        assert!(
            sha3_256(b"") == x"a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
            2
        );
    }
}

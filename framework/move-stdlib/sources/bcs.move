/// Binary Canonical Serialization of Move values (provided by the VM).
module std::bcs {
    /// The BCS bytes of `v`.
    native public fun to_bytes<MoveValue>(v: &MoveValue): vector<u8>;

    #[test]
    fun encodings() {
        assert!(to_bytes(&true) == x"01", 0);
        assert!(to_bytes(&1u64) == x"0100000000000000", 1);
        assert!(to_bytes(&b"ab") == x"026162", 2);
        assert!(to_bytes(&@0x1) == x"0000000000000000000000000000000000000000000000000000000000000001", 3);
        assert!(to_bytes(&vector[1u16, 2]) == x"0201000200", 4);
    }
}

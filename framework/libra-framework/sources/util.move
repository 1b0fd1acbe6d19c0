/// Decoding of BCS bytes into Move values, for the framework's own use.
module diem_framework::util {
    friend diem_framework::code;
    friend diem_framework::voting;

    /// The value of type `T` whose BCS encoding is `bytes` (provided by the VM); aborts if the
    /// bytes do not decode as a `T`.
    public(friend) native fun from_bytes<T>(bytes: vector<u8>): T;

    #[test]
    fun round_trip() {
        let v = from_bytes<vector<u64>>(std::bcs::to_bytes(&vector[1u64, 2]));
        assert!(v == vector[1u64, 2], 0);
        assert!(from_bytes<address>(std::bcs::to_bytes(&@0xcafe)) == @0xcafe, 1);
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = Self)]
    fun truncated_bytes_refused() {
        from_bytes<u64>(x"0102");
    }
}

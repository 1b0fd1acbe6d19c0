/// The chain id, stored once at genesis.
module diem_framework::chain_id {
    use diem_framework::system_addresses;

    /// The chain id of test networks, where anyone may publish code.
    const TESTNET_CHAIN_ID: u8 = 4;

    /// The id of this chain.
    struct ChainId has key {
        id: u8,
    }

    /// Records the chain id; only the framework account may do so.
    public fun initialize(framework: &signer, id: u8) {
        system_addresses::assert_diem_framework(framework);
        move_to(framework, ChainId { id });
    }

    #[view]
    /// The chain id; aborts if it was never recorded.
    public fun get(): u8 acquires ChainId {
        borrow_global<ChainId>(@diem_framework).id
    }

    /// True when the chain id is recorded and is the test network id (4).
    public fun is_testnet(): bool acquires ChainId {
        exists<ChainId>(@diem_framework) && get() == TESTNET_CHAIN_ID
    }

    #[test(fw = @diem_framework)]
    fun stores_the_id(fw: &signer) acquires ChainId {
        assert!(!is_testnet(), 0);
        initialize(fw, 4);
        assert!(get() == 4 && is_testnet(), 1);
    }

    #[test(other = @0x2)]
    #[expected_failure(abort_code = 0x50000, location = diem_framework::system_addresses)]
    fun only_the_framework_initializes(other: &signer) {
        initialize(other, 1);
    }
}

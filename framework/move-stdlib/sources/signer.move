/// The address a `signer` stands for.
module std::signer {
    /// A reference to the address inside `s` (provided by the VM).
    native public fun borrow_address(s: &signer): &address;

    /// The address `s` stands for.
    public fun address_of(s: &signer): address {
        *borrow_address(s)
    }

    #[test(a = @0xcafe, b = @0x1)]
    fun address_of_gives_the_test_address(a: signer, b: &signer) {
        assert!(address_of(&a) == @0xcafe, 0);
        assert!(*borrow_address(b) == @0x1, 1);
    }
}

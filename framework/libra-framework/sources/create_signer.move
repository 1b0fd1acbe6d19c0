/// Makes a `signer` for an address. Only governance may do this, for the framework accounts
/// whose capability it holds.
module diem_framework::create_signer {
    friend diem_framework::diem_governance;

    /// A signer for `addr` (provided by the VM).
    public(friend) native fun create_signer(addr: address): signer;

    #[test]
    fun signer_has_the_address() {
        let s = create_signer(@0x3);
        assert!(std::signer::address_of(&s) == @0x3, 0);
    }
}

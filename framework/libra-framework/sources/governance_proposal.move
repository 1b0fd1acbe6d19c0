/// The proposal type of on-chain governance: a witness that only governance can make, which
/// ties the governance voting forum to it.
module diem_framework::governance_proposal {
    friend diem_framework::diem_governance;

    /// A governance proposal (carries no data).
    struct GovernanceProposal has store, drop {}

    /// A new proposal witness; only governance may make one.
    public(friend) fun create_proposal(): GovernanceProposal {
        GovernanceProposal {}
    }

    #[test]
    fun witnesses_compare_equal() {
        assert!(create_proposal() == GovernanceProposal {}, 0);
    }
}

/// The git commit of the framework source that the last upgrade installed.
module diem_framework::version {
    use std::error;
    use diem_framework::system_addresses;

    /// No git hash has been recorded yet.
    const ENO_GIT_HASH: u64 = 1;

    /// The recorded commit, stored at `0x1`.
    struct Git has key {
        hash: vector<u8>,
    }

    /// Records `hash` as the framework's source commit. Only the framework account may do so
    /// (upgrade scripts call this with the signer governance returns), so the value cannot be
    /// overwritten by any other account.
    public fun upgrade_set_git(account: &signer, hash: vector<u8>) acquires Git {
        system_addresses::assert_diem_framework(account);
        if (exists<Git>(@diem_framework)) {
            borrow_global_mut<Git>(@diem_framework).hash = hash;
        } else {
            move_to(account, Git { hash });
        }
    }

    #[view]
    /// The last recorded commit; aborts with `ENO_GIT_HASH` if none was recorded.
    public fun get_git_hash(): vector<u8> acquires Git {
        assert!(exists<Git>(@diem_framework), error::not_found(ENO_GIT_HASH));
        *&borrow_global<Git>(@diem_framework).hash
    }

    #[test(fw = @diem_framework)]
    fun set_then_overwrite(fw: &signer) acquires Git {
        upgrade_set_git(fw, x"993b9a240c0efe9ee9f8685d48eee7450b12d9a9");
        assert!(get_git_hash() == x"993b9a240c0efe9ee9f8685d48eee7450b12d9a9", 0);
        upgrade_set_git(fw, x"25053ae3d9da72cee42882ab26e0069875e727ad");
        assert!(get_git_hash() == x"25053ae3d9da72cee42882ab26e0069875e727ad", 1);
    }

    #[test]
    #[expected_failure(abort_code = 0x60001, location = Self)]
    fun nothing_recorded() acquires Git {
        get_git_hash();
    }

    #[test(other = @0xbeef)]
    #[expected_failure(abort_code = 0x50000, location = diem_framework::system_addresses)]
    fun other_accounts_cannot_set(other: &signer) acquires Git {
        upgrade_set_git(other, x"00");
    }
}

/// Code publishing: every account that publishes Move code keeps a registry of its packages.
/// A package's metadata (the same structure a release bundle carries) records its upgrade
/// policy and how many times it has been upgraded, and the rules below decide whether a new
/// version may replace an old one.
module diem_framework::code {
    use std::error;
    use std::option::Option;
    use std::signer;
    use std::string::String;
    use std::vector;
    use diem_framework::chain_id;
    use diem_framework::system_addresses;
    use diem_framework::util;

    /// A module name already belongs to another package at the address.
    const EMODULE_NAME_CLASH: u64 = 0x1;
    /// The package already published is immutable and cannot be upgraded.
    const EUPGRADE_IMMUTABLE: u64 = 0x2;
    /// The new version's upgrade policy is weaker than the published one's.
    const EUPGRADE_WEAKER_POLICY: u64 = 0x3;
    /// The new version leaves out a module the published version has.
    const EMODULE_MISSING: u64 = 0x4;
    /// A declared dependency package is not published.
    const EPACKAGE_DEP_MISSING: u64 = 0x5;
    /// A dependency on an arbitrary-policy package lives at another address.
    const EDEP_ARBITRARY_NOT_SAME_ADDRESS: u64 = 0x7;
    /// Only the reserved framework addresses may publish, except on a test network (chain id 4).
    const ENOT_A_COMPUTE_PLATFORM: u64 = 0x9;

    /// The packages published at one address, in publish order.
    struct PackageRegistry has key, store, drop {
        packages: vector<PackageMetadata>,
    }

    /// A package's metadata; field order is the wire order of a release bundle's metadata.
    struct PackageMetadata has copy, drop, store {
        /// The package name, e.g. `MoveStdlib`.
        name: String,
        /// Which upgrades are allowed.
        upgrade_policy: UpgradePolicy,
        /// 0 when first published, one more at every upgrade (set on chain, not by the sender).
        upgrade_number: u64,
        /// SHA-256 of the package sources, as 64 uppercase hex characters.
        source_digest: String,
        /// gzip of the package's `Move.toml`.
        manifest: vector<u8>,
        /// The package's modules.
        modules: vector<ModuleMetadata>,
        /// The packages this one depends on.
        deps: vector<PackageDep>,
        /// Reserved for future use.
        extension: Option<Any>,
    }

    /// A dependency: the package `package_name` published at `account`.
    struct PackageDep has copy, drop, store {
        account: address,
        package_name: String,
    }

    /// One module of a package.
    struct ModuleMetadata has copy, drop, store {
        /// The module name.
        name: String,
        /// gzip of the module's source, or empty.
        source: vector<u8>,
        /// gzip of the compiler's source map, or empty.
        source_map: vector<u8>,
        /// Reserved for future use.
        extension: Option<Any>,
    }

    /// 0 arbitrary, 1 compatible, 2 immutable.
    struct UpgradePolicy has copy, drop, store {
        policy: u8,
    }

    /// A typed value in serialized form (the `extension` slots are always none in practice).
    struct Any has copy, drop, store {
        type_name: String,
        data: vector<u8>,
    }

    /// The policy that allows any upgrade, unchecked.
    public fun upgrade_policy_arbitrary(): UpgradePolicy {
        UpgradePolicy { policy: 0 }
    }

    /// The policy that allows only backward-compatible upgrades.
    public fun upgrade_policy_compat(): UpgradePolicy {
        UpgradePolicy { policy: 1 }
    }

    /// The policy that allows no upgrade at all.
    public fun upgrade_policy_immutable(): UpgradePolicy {
        UpgradePolicy { policy: 2 }
    }

    /// True when a package under policy `from` may be upgraded to policy `to`: policies may only
    /// get stronger (arbitrary < compatible < immutable).
    public fun can_change_upgrade_policy_to(from: UpgradePolicy, to: UpgradePolicy): bool {
        from.policy <= to.policy
    }

    /// Publishes (or upgrades) the package described by `pack` with the module bytecode in
    /// `code`, under `owner`'s address, after checking the rules of this module.
    public fun publish_package(owner: &signer, pack: PackageMetadata, code: vector<vector<u8>>) acquires PackageRegistry {
        let policy = pack.upgrade_policy.policy;
        let module_names = register_package(owner, pack);
        request_publish(signer::address_of(owner), module_names, code, policy)
    }

    /// `publish_package` with the metadata given as its BCS bytes, as transactions and upgrade
    /// scripts send it; aborts if the bytes do not decode.
    public entry fun publish_package_txn(owner: &signer, metadata_serialized: vector<u8>, code: vector<vector<u8>>) acquires PackageRegistry {
        publish_package(owner, util::from_bytes<PackageMetadata>(metadata_serialized), code)
    }

    #[view]
    /// True when a package named `name` is published at `addr`.
    public fun package_exists(addr: address, name: String): bool acquires PackageRegistry {
        if (!exists<PackageRegistry>(addr)) return false;
        let (found, _) = find_package(&borrow_global<PackageRegistry>(addr).packages, &name);
        found
    }

    #[view]
    /// The upgrade number of package `name` at `addr`; aborts with `EPACKAGE_DEP_MISSING` (not
    /// found) when there is no such package.
    public fun get_upgrade_number(addr: address, name: String): u64 acquires PackageRegistry {
        let at = package_index(addr, &name);
        vector::borrow(&borrow_global<PackageRegistry>(addr).packages, at).upgrade_number
    }

    #[view]
    /// The upgrade policy (0, 1 or 2) of package `name` at `addr`; aborts with
    /// `EPACKAGE_DEP_MISSING` (not found) when there is no such package.
    public fun get_upgrade_policy(addr: address, name: String): u8 acquires PackageRegistry {
        let at = package_index(addr, &name);
        vector::borrow(&borrow_global<PackageRegistry>(addr).packages, at).upgrade_policy.policy
    }

    #[view]
    /// The module names of package `name` at `addr`, in metadata order; aborts with
    /// `EPACKAGE_DEP_MISSING` (not found) when there is no such package.
    public fun get_module_names(addr: address, name: String): vector<String> acquires PackageRegistry {
        let at = package_index(addr, &name);
        module_names(vector::borrow(&borrow_global<PackageRegistry>(addr).packages, at))
    }

    /// Checks `pack` against the registry at `owner`'s address and records it there; returns the
    /// package's module names. The submitted `upgrade_number` is ignored.
    fun register_package(owner: &signer, pack: PackageMetadata): vector<String> acquires PackageRegistry {
        let addr = signer::address_of(owner);
        assert!(
            system_addresses::is_framework_reserved_address(addr) || chain_id::is_testnet(),
            ENOT_A_COMPUTE_PLATFORM
        );
        if (!exists<PackageRegistry>(addr)) {
            move_to(owner, PackageRegistry { packages: vector::empty() });
        };
        check_dependencies(addr, &pack);
        let names = module_names(&pack);
        let packages = &mut borrow_global_mut<PackageRegistry>(addr).packages;
        let (found, at) = find_package(packages, &pack.name);
        let i = 0;
        let len = vector::length(packages);
        while (i < len) {
            let other = vector::borrow(packages, i);
            if (!found || i != at) {
                let j = 0;
                let n = vector::length(&other.modules);
                while (j < n) {
                    let name = &vector::borrow(&other.modules, j).name;
                    assert!(!vector::contains(&names, name), error::already_exists(EMODULE_NAME_CLASH));
                    j = j + 1;
                };
            };
            i = i + 1;
        };
        if (found) {
            let old = vector::borrow_mut(packages, at);
            check_upgradability(old, &pack, &names);
            pack.upgrade_number = old.upgrade_number + 1;
            *old = pack;
        } else {
            pack.upgrade_number = 0;
            vector::push_back(packages, pack);
        };
        names
    }

    /// Aborts unless `new_pack` may replace `old_pack`: the old one is not immutable, the policy
    /// does not get weaker, and every old module is still present.
    fun check_upgradability(old_pack: &PackageMetadata, new_pack: &PackageMetadata, new_names: &vector<String>) {
        assert!(
            old_pack.upgrade_policy.policy < upgrade_policy_immutable().policy,
            error::invalid_argument(EUPGRADE_IMMUTABLE)
        );
        assert!(
            can_change_upgrade_policy_to(old_pack.upgrade_policy, new_pack.upgrade_policy),
            error::invalid_argument(EUPGRADE_WEAKER_POLICY)
        );
        let i = 0;
        let n = vector::length(&old_pack.modules);
        while (i < n) {
            let name = &vector::borrow(&old_pack.modules, i).name;
            assert!(vector::contains(new_names, name), error::invalid_argument(EMODULE_MISSING));
            i = i + 1;
        };
    }

    /// Aborts unless every dependency of `pack` is published: any package at a reserved framework
    /// address counts; elsewhere the named package must exist, and an arbitrary-policy one only
    /// at the publishing address itself.
    fun check_dependencies(publish_address: address, pack: &PackageMetadata) acquires PackageRegistry {
        let i = 0;
        let n = vector::length(&pack.deps);
        while (i < n) {
            let dep = vector::borrow(&pack.deps, i);
            assert!(exists<PackageRegistry>(dep.account), error::not_found(EPACKAGE_DEP_MISSING));
            if (!system_addresses::is_framework_reserved_address(dep.account)) {
                let packages = &borrow_global<PackageRegistry>(dep.account).packages;
                let (found, at) = find_package(packages, &dep.package_name);
                assert!(found, error::not_found(EPACKAGE_DEP_MISSING));
                let dep_pack = vector::borrow(packages, at);
                assert!(
                    dep_pack.upgrade_policy.policy != upgrade_policy_arbitrary().policy
                        || dep.account == publish_address,
                    error::invalid_argument(EDEP_ARBITRARY_NOT_SAME_ADDRESS)
                );
            };
            i = i + 1;
        };
    }

    /// `(true, i)` when `packages[i]` is named `name`, else `(false, 0)`.
    fun find_package(packages: &vector<PackageMetadata>, name: &String): (bool, u64) {
        let i = 0;
        let n = vector::length(packages);
        while (i < n) {
            if (&vector::borrow(packages, i).name == name) return (true, i);
            i = i + 1;
        };
        (false, 0)
    }

    /// The position of package `name` in the registry at `addr`; aborts with
    /// `EPACKAGE_DEP_MISSING` (not found) if absent.
    fun package_index(addr: address, name: &String): u64 acquires PackageRegistry {
        assert!(exists<PackageRegistry>(addr), error::not_found(EPACKAGE_DEP_MISSING));
        let (found, at) = find_package(&borrow_global<PackageRegistry>(addr).packages, name);
        assert!(found, error::not_found(EPACKAGE_DEP_MISSING));
        at
    }

    /// The module names of `pack`, in order.
    fun module_names(pack: &PackageMetadata): vector<String> {
        let names = vector::empty<String>();
        let i = 0;
        let n = vector::length(&pack.modules);
        while (i < n) {
            vector::push_back(&mut names, vector::borrow(&pack.modules, i).name);
            i = i + 1;
        };
        names
    }

    /// Asks the VM to publish `bundle` under `owner` once the transaction succeeds; the VM checks
    /// that the modules are exactly `expected_modules` and, unless `policy` is 0, that they are
    /// compatible with the modules they replace.
    native fun request_publish(owner: address, expected_modules: vector<String>, bundle: vector<vector<u8>>, policy: u8);

    #[test_only]
    use std::string::utf8;

    #[test_only]
    /// Metadata for package `name` with the given policy, modules and dependencies.
    fun test_package(name: vector<u8>, policy: u8, modules: vector<vector<u8>>, deps: vector<PackageDep>): PackageMetadata {
        let module_metas = vector::empty<ModuleMetadata>();
        vector::reverse(&mut modules);
        while (!vector::is_empty(&modules)) {
            vector::push_back(&mut module_metas, ModuleMetadata {
                name: utf8(vector::pop_back(&mut modules)),
                source: vector::empty(),
                source_map: vector::empty(),
                extension: std::option::none(),
            });
        };
        PackageMetadata {
            name: utf8(name),
            upgrade_policy: UpgradePolicy { policy },
            upgrade_number: 7,
            source_digest: utf8(b"DIGEST"),
            manifest: vector::empty(),
            modules: module_metas,
            deps,
            extension: std::option::none(),
        }
    }

    #[test_only]
    fun dep(account: address, package_name: vector<u8>): PackageDep {
        PackageDep { account, package_name: utf8(package_name) }
    }

    #[test(fw = @diem_framework)]
    fun first_publish_is_zero_then_counts_up(fw: &signer) acquires PackageRegistry {
        let names = register_package(fw, test_package(b"MoveStdlib", 1, vector[b"vector", b"option"], vector[]));
        assert!(names == vector[utf8(b"vector"), utf8(b"option")], 0);
        // The submitted upgrade number (7) is ignored.
        assert!(get_upgrade_number(@diem_framework, utf8(b"MoveStdlib")) == 0, 1);
        register_package(fw, test_package(b"MoveStdlib", 1, vector[b"vector", b"option", b"string"], vector[]));
        assert!(get_upgrade_number(@diem_framework, utf8(b"MoveStdlib")) == 1, 2);
        register_package(fw, test_package(b"MoveStdlib", 2, vector[b"option", b"vector", b"string"], vector[]));
        assert!(get_upgrade_number(@diem_framework, utf8(b"MoveStdlib")) == 2, 3);
        assert!(get_upgrade_policy(@diem_framework, utf8(b"MoveStdlib")) == 2, 4);
        assert!(get_module_names(@diem_framework, utf8(b"MoveStdlib")) == vector[utf8(b"option"), utf8(b"vector"), utf8(b"string")], 5);
        assert!(vector::length(&borrow_global<PackageRegistry>(@diem_framework).packages) == 1, 6);
    }

    #[test(fw = @diem_framework)]
    fun second_package_appends_and_may_depend_on_the_first(fw: &signer) acquires PackageRegistry {
        register_package(fw, test_package(b"MoveStdlib", 1, vector[b"vector"], vector[]));
        register_package(fw, test_package(b"LibraFramework", 1, vector[b"code"], vector[dep(@0x1, b"MoveStdlib")]));
        assert!(package_exists(@diem_framework, utf8(b"LibraFramework")), 0);
        assert!(get_upgrade_number(@diem_framework, utf8(b"LibraFramework")) == 0, 1);
        assert!(!package_exists(@diem_framework, utf8(b"Other")), 2);
        assert!(!package_exists(@0x2, utf8(b"MoveStdlib")), 3);
    }

    #[test]
    fun policies_only_get_stronger() {
        let (a, c, i) = (upgrade_policy_arbitrary(), upgrade_policy_compat(), upgrade_policy_immutable());
        assert!(can_change_upgrade_policy_to(a, c) && can_change_upgrade_policy_to(c, i), 0);
        assert!(can_change_upgrade_policy_to(c, c), 1);
        assert!(!can_change_upgrade_policy_to(c, a) && !can_change_upgrade_policy_to(i, c), 2);
    }

    #[test(fw = @diem_framework)]
    fun metadata_bytes_decode(fw: &signer) acquires PackageRegistry {
        let pack = test_package(b"MoveStdlib", 1, vector[b"vector"], vector[dep(@0x1, b"MoveStdlib")]);
        let bytes = std::bcs::to_bytes(&pack);
        let decoded = util::from_bytes<PackageMetadata>(bytes);
        assert!(decoded == pack, 0);
        register_package(fw, decoded);
        assert!(package_exists(@diem_framework, utf8(b"MoveStdlib")), 1);
    }

    #[test(fw = @diem_framework)]
    #[expected_failure(abort_code = 0x10002, location = Self)]
    fun immutable_cannot_be_upgraded(fw: &signer) acquires PackageRegistry {
        register_package(fw, test_package(b"P", 2, vector[b"m"], vector[]));
        register_package(fw, test_package(b"P", 2, vector[b"m"], vector[]));
    }

    #[test(fw = @diem_framework)]
    #[expected_failure(abort_code = 0x10003, location = Self)]
    fun policy_cannot_get_weaker(fw: &signer) acquires PackageRegistry {
        register_package(fw, test_package(b"P", 1, vector[b"m"], vector[]));
        register_package(fw, test_package(b"P", 0, vector[b"m"], vector[]));
    }

    #[test(fw = @diem_framework)]
    #[expected_failure(abort_code = 0x10004, location = Self)]
    fun upgrade_keeps_every_module(fw: &signer) acquires PackageRegistry {
        register_package(fw, test_package(b"P", 1, vector[b"m", b"n"], vector[]));
        register_package(fw, test_package(b"P", 1, vector[b"n"], vector[]));
    }

    #[test(fw = @diem_framework)]
    #[expected_failure(abort_code = 0x80001, location = Self)]
    fun module_names_cannot_clash(fw: &signer) acquires PackageRegistry {
        register_package(fw, test_package(b"P", 1, vector[b"m"], vector[]));
        register_package(fw, test_package(b"Q", 1, vector[b"x", b"m"], vector[]));
    }

    #[test(fw = @diem_framework)]
    #[expected_failure(abort_code = 0x60005, location = Self)]
    fun dependency_account_without_packages(fw: &signer) acquires PackageRegistry {
        register_package(fw, test_package(b"P", 1, vector[b"m"], vector[dep(@0x2, b"Base")]));
    }

    #[test(fw = @diem_framework, user = @0xbeef)]
    #[expected_failure(abort_code = 0x60005, location = Self)]
    fun dependency_package_missing(fw: &signer, user: &signer) acquires PackageRegistry {
        chain_id::initialize(fw, 4);
        register_package(user, test_package(b"Base", 1, vector[b"b"], vector[]));
        register_package(fw, test_package(b"P", 1, vector[b"m"], vector[dep(@0xbeef, b"Other")]));
    }

    #[test(fw = @diem_framework, user = @0xbeef)]
    #[expected_failure(abort_code = 0x10007, location = Self)]
    fun arbitrary_dependency_elsewhere(fw: &signer, user: &signer) acquires PackageRegistry {
        chain_id::initialize(fw, 4);
        register_package(user, test_package(b"Base", 0, vector[b"b"], vector[]));
        register_package(fw, test_package(b"P", 1, vector[b"m"], vector[dep(@0xbeef, b"Base")]));
    }

    #[test(fw = @diem_framework, user = @0xbeef)]
    fun arbitrary_dependency_at_the_same_address(fw: &signer, user: &signer) acquires PackageRegistry {
        chain_id::initialize(fw, 4);
        register_package(user, test_package(b"Base", 0, vector[b"b"], vector[]));
        register_package(user, test_package(b"P", 1, vector[b"m"], vector[dep(@0xbeef, b"Base")]));
        assert!(package_exists(@0xbeef, utf8(b"P")), 0);
    }

    #[test(user = @0xbeef)]
    #[expected_failure(abort_code = ENOT_A_COMPUTE_PLATFORM, location = Self)]
    fun ordinary_accounts_cannot_publish_off_testnet(user: &signer) acquires PackageRegistry {
        register_package(user, test_package(b"P", 1, vector[b"m"], vector[]));
    }
}

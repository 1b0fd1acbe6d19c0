/// Canonical abort codes: a category in bits 16..24 and a module-specific reason in the low
/// 16 bits, so tools can tell what kind of failure an abort code is without knowing the module.
module std::error {
    /// Category: the caller passed a bad argument.
    const INVALID_ARGUMENT: u64 = 0x1;
    /// Category: an input or result is out of range.
    const OUT_OF_RANGE: u64 = 0x2;
    /// Category: the system is not in a state where the operation can be performed.
    const INVALID_STATE: u64 = 0x3;
    /// Category: the request is not authenticated.
    const UNAUTHENTICATED: u64 = 0x4;
    /// Category: the caller may not perform the operation.
    const PERMISSION_DENIED: u64 = 0x5;
    /// Category: a resource or entry does not exist.
    const NOT_FOUND: u64 = 0x6;
    /// Category: the operation was aborted because of a concurrency conflict.
    const ABORTED: u64 = 0x7;
    /// Category: a resource or entry already exists.
    const ALREADY_EXISTS: u64 = 0x8;
    /// Category: out of gas or another resource.
    const RESOURCE_EXHAUSTED: u64 = 0x9;
    /// Category: the request was cancelled.
    const CANCELLED: u64 = 0xA;
    /// Category: an internal invariant was broken.
    const INTERNAL: u64 = 0xB;
    /// Category: the feature is not implemented.
    const NOT_IMPLEMENTED: u64 = 0xC;
    /// Category: the service is unavailable.
    const UNAVAILABLE: u64 = 0xD;

    /// The abort code for `reason` in `category`: `(category << 16) + reason`.
    public fun canonical(category: u64, reason: u64): u64 {
        (category << 16) + reason
    }

    /// `reason` in the INVALID_ARGUMENT category.
    public fun invalid_argument(reason: u64): u64 { canonical(INVALID_ARGUMENT, reason) }
    /// `reason` in the OUT_OF_RANGE category.
    public fun out_of_range(reason: u64): u64 { canonical(OUT_OF_RANGE, reason) }
    /// `reason` in the INVALID_STATE category.
    public fun invalid_state(reason: u64): u64 { canonical(INVALID_STATE, reason) }
    /// `reason` in the UNAUTHENTICATED category.
    public fun unauthenticated(reason: u64): u64 { canonical(UNAUTHENTICATED, reason) }
    /// `reason` in the PERMISSION_DENIED category.
    public fun permission_denied(reason: u64): u64 { canonical(PERMISSION_DENIED, reason) }
    /// `reason` in the NOT_FOUND category.
    public fun not_found(reason: u64): u64 { canonical(NOT_FOUND, reason) }
    /// `reason` in the ABORTED category.
    public fun aborted(reason: u64): u64 { canonical(ABORTED, reason) }
    /// `reason` in the ALREADY_EXISTS category.
    public fun already_exists(reason: u64): u64 { canonical(ALREADY_EXISTS, reason) }
    /// `reason` in the RESOURCE_EXHAUSTED category.
    public fun resource_exhausted(reason: u64): u64 { canonical(RESOURCE_EXHAUSTED, reason) }
    /// `reason` in the CANCELLED category.
    public fun cancelled(reason: u64): u64 { canonical(CANCELLED, reason) }
    /// `reason` in the INTERNAL category.
    public fun internal(reason: u64): u64 { canonical(INTERNAL, reason) }
    /// `reason` in the NOT_IMPLEMENTED category.
    public fun not_implemented(reason: u64): u64 { canonical(NOT_IMPLEMENTED, reason) }
    /// `reason` in the UNAVAILABLE category.
    public fun unavailable(reason: u64): u64 { canonical(UNAVAILABLE, reason) }

    #[test]
    fun categories_shift_by_sixteen() {
        assert!(canonical(0x3, 2) == 0x30002, 0);
        assert!(invalid_argument(4) == 65540, 1);
        assert!(invalid_state(8) == 196616, 2);
        assert!(permission_denied(10) == 327690, 3);
        assert!(not_found(5) == 0x60005, 4);
        assert!(already_exists(1) == 0x80001, 5);
        assert!(out_of_range(0) == 0x20000, 6);
        assert!(aborted(0) == 0x70000, 7);
        assert!(unauthenticated(0) == 0x40000, 8);
        assert!(resource_exhausted(0) == 0x90000, 9);
        assert!(internal(0) == 0xB0000, 10);
        assert!(not_implemented(0) == 0xC0000, 11);
        assert!(unavailable(0) == 0xD0000, 12);
        assert!(cancelled(1) == 0xA0001, 13);
    }
}

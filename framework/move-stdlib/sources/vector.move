/// Growable arrays. The eight natives marked `#[bytecode_instruction]` are emitted as the
/// VM's vector instructions; everything else is written in Move on top of them.
module std::vector {
    /// An index was at or beyond the length of the vector.
    const EINDEX_OUT_OF_BOUNDS: u64 = 0x20000;

    #[bytecode_instruction]
    /// A new vector with no elements.
    native public fun empty<Element>(): vector<Element>;

    #[bytecode_instruction]
    /// The number of elements in `v`.
    native public fun length<Element>(v: &vector<Element>): u64;

    #[bytecode_instruction]
    /// A reference to element `i` of `v`; aborts if `i` is out of bounds.
    native public fun borrow<Element>(v: &vector<Element>, i: u64): &Element;

    #[bytecode_instruction]
    /// Adds `e` at the end of `v`.
    native public fun push_back<Element>(v: &mut vector<Element>, e: Element);

    #[bytecode_instruction]
    /// A mutable reference to element `i` of `v`; aborts if `i` is out of bounds.
    native public fun borrow_mut<Element>(v: &mut vector<Element>, i: u64): &mut Element;

    #[bytecode_instruction]
    /// Removes and returns the last element of `v`; aborts if `v` is empty.
    native public fun pop_back<Element>(v: &mut vector<Element>): Element;

    #[bytecode_instruction]
    /// Destroys `v`; aborts unless it is empty.
    native public fun destroy_empty<Element>(v: vector<Element>);

    #[bytecode_instruction]
    /// Exchanges elements `i` and `j` of `v`; aborts if either is out of bounds.
    native public fun swap<Element>(v: &mut vector<Element>, i: u64, j: u64);

    /// A vector holding exactly `e`.
    public fun singleton<Element>(e: Element): vector<Element> {
        let v = empty();
        push_back(&mut v, e);
        v
    }

    /// Reverses the order of the elements of `v` in place.
    public fun reverse<Element>(v: &mut vector<Element>) {
        let len = length(v);
        if (len == 0) return;
        let front = 0;
        let back = len - 1;
        while (front < back) {
            swap(v, front, back);
            front = front + 1;
            back = back - 1;
        }
    }

    /// Moves every element of `other` to the end of `lhs`, keeping their order.
    public fun append<Element>(lhs: &mut vector<Element>, other: vector<Element>) {
        reverse(&mut other);
        while (!is_empty(&other)) push_back(lhs, pop_back(&mut other));
        destroy_empty(other);
    }

    /// True when `v` has no elements.
    public fun is_empty<Element>(v: &vector<Element>): bool {
        length(v) == 0
    }

    /// True when some element of `v` equals `e`.
    public fun contains<Element>(v: &vector<Element>, e: &Element): bool {
        let i = 0;
        let len = length(v);
        while (i < len) {
            if (borrow(v, i) == e) return true;
            i = i + 1;
        };
        false
    }

    /// `(true, i)` for the first `i` whose element equals `e`, else `(false, 0)`.
    public fun index_of<Element>(v: &vector<Element>, e: &Element): (bool, u64) {
        let i = 0;
        let len = length(v);
        while (i < len) {
            if (borrow(v, i) == e) return (true, i);
            i = i + 1;
        };
        (false, 0)
    }

    /// Removes and returns element `i`, shifting the later elements down by one.
    /// Aborts with `EINDEX_OUT_OF_BOUNDS` if `i` is out of bounds.
    public fun remove<Element>(v: &mut vector<Element>, i: u64): Element {
        let len = length(v);
        if (i >= len) abort EINDEX_OUT_OF_BOUNDS;
        len = len - 1;
        while (i < len) {
            swap(v, i, i + 1);
            i = i + 1;
        };
        pop_back(v)
    }

    /// Removes and returns element `i`, moving the last element into its place (O(1)).
    /// Aborts with `EINDEX_OUT_OF_BOUNDS` if `i` is out of bounds.
    public fun swap_remove<Element>(v: &mut vector<Element>, i: u64): Element {
        assert!(!is_empty(v), EINDEX_OUT_OF_BOUNDS);
        let last = length(v) - 1;
        swap(v, i, last);
        pop_back(v)
    }

    #[test]
    fun push_pop_length() {
        let v = empty<u64>();
        assert!(is_empty(&v), 0);
        push_back(&mut v, 7);
        push_back(&mut v, 9);
        assert!(length(&v) == 2, 1);
        assert!(*borrow(&v, 0) == 7, 2);
        *borrow_mut(&mut v, 1) = 10;
        assert!(pop_back(&mut v) == 10, 3);
        assert!(pop_back(&mut v) == 7, 4);
        destroy_empty(v);
    }

    #[test]
    fun append_keeps_order() {
        let a = vector[1u8, 2];
        append(&mut a, vector[3u8, 4, 5]);
        assert!(a == vector[1u8, 2, 3, 4, 5], 0);
        append(&mut a, empty());
        assert!(length(&a) == 5, 1);
        let e = empty<u8>();
        append(&mut e, vector[9u8]);
        assert!(e == singleton(9u8), 2);
    }

    #[test]
    fun reverse_odd_even_empty() {
        let v = vector[1u64, 2, 3];
        reverse(&mut v);
        assert!(v == vector[3u64, 2, 1], 0);
        let w = vector[1u64, 2];
        reverse(&mut w);
        assert!(w == vector[2u64, 1], 1);
        let e = empty<u64>();
        reverse(&mut e);
        assert!(is_empty(&e), 2);
    }

    #[test]
    fun search() {
        let v = vector[5u64, 6, 5];
        assert!(contains(&v, &6), 0);
        assert!(!contains(&v, &7), 1);
        let (found, i) = index_of(&v, &5);
        assert!(found && i == 0, 2);
        let (found_missing, j) = index_of(&v, &8);
        assert!(!found_missing && j == 0, 3);
    }

    #[test]
    fun remove_shifts_and_swap_remove_moves_last() {
        let v = vector[1u64, 2, 3, 4];
        assert!(remove(&mut v, 1) == 2, 0);
        assert!(v == vector[1u64, 3, 4], 1);
        assert!(swap_remove(&mut v, 0) == 1, 2);
        assert!(v == vector[4u64, 3], 3);
    }

    #[test]
    #[expected_failure(abort_code = EINDEX_OUT_OF_BOUNDS, location = Self)]
    fun remove_out_of_bounds() {
        let v = vector[1u64];
        remove(&mut v, 1);
    }

    #[test]
    #[expected_failure(abort_code = EINDEX_OUT_OF_BOUNDS, location = Self)]
    fun swap_remove_empty() {
        let v = empty<u64>();
        swap_remove(&mut v, 0);
    }

    #[test]
    #[expected_failure(vector_error, minor_status = 1, location = Self)]
    fun borrow_out_of_bounds() {
        let v = vector[1u64];
        borrow(&v, 1);
    }
}

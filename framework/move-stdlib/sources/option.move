/// An optional value: a vector of length zero (none) or one (some).
module std::option {
    use std::vector;

    /// At most one element is held in `vec`.
    struct Option<Element> has copy, drop, store {
        vec: vector<Element>
    }

    /// The option holds a value where none was expected.
    const EOPTION_IS_SET: u64 = 0x40000;
    /// The option holds no value where one was expected.
    const EOPTION_NOT_SET: u64 = 0x40001;

    /// An option holding no value.
    public fun none<Element>(): Option<Element> {
        Option { vec: vector::empty() }
    }

    /// An option holding `e`.
    public fun some<Element>(e: Element): Option<Element> {
        Option { vec: vector::singleton(e) }
    }

    /// True when `t` holds no value.
    public fun is_none<Element>(t: &Option<Element>): bool {
        vector::is_empty(&t.vec)
    }

    /// True when `t` holds a value.
    public fun is_some<Element>(t: &Option<Element>): bool {
        !vector::is_empty(&t.vec)
    }

    /// True when `t` holds a value equal to `e`.
    public fun contains<Element>(t: &Option<Element>, e: &Element): bool {
        vector::contains(&t.vec, e)
    }

    /// A reference to the held value; aborts with `EOPTION_NOT_SET` if there is none.
    public fun borrow<Element>(t: &Option<Element>): &Element {
        assert!(is_some(t), EOPTION_NOT_SET);
        vector::borrow(&t.vec, 0)
    }

    /// A reference to the held value, or to `default_ref` if there is none.
    public fun borrow_with_default<Element>(t: &Option<Element>, default_ref: &Element): &Element {
        if (vector::is_empty(&t.vec)) default_ref else vector::borrow(&t.vec, 0)
    }

    /// A copy of the held value, or `default` if there is none.
    public fun get_with_default<Element: copy + drop>(t: &Option<Element>, default: Element): Element {
        if (vector::is_empty(&t.vec)) default else *vector::borrow(&t.vec, 0)
    }

    /// A mutable reference to the held value; aborts with `EOPTION_NOT_SET` if there is none.
    public fun borrow_mut<Element>(t: &mut Option<Element>): &mut Element {
        assert!(is_some(t), EOPTION_NOT_SET);
        vector::borrow_mut(&mut t.vec, 0)
    }

    /// Puts `e` into an empty option; aborts with `EOPTION_IS_SET` if it already holds one.
    public fun fill<Element>(t: &mut Option<Element>, e: Element) {
        assert!(is_none(t), EOPTION_IS_SET);
        vector::push_back(&mut t.vec, e);
    }

    /// Takes the held value out, leaving none; aborts with `EOPTION_NOT_SET` if there is none.
    public fun extract<Element>(t: &mut Option<Element>): Element {
        assert!(is_some(t), EOPTION_NOT_SET);
        vector::pop_back(&mut t.vec)
    }

    /// Replaces the held value with `e` and returns the old one; aborts with `EOPTION_NOT_SET`
    /// if there is none.
    public fun swap<Element>(t: &mut Option<Element>, e: Element): Element {
        assert!(is_some(t), EOPTION_NOT_SET);
        let old = vector::pop_back(&mut t.vec);
        vector::push_back(&mut t.vec, e);
        old
    }

    /// The held value, consuming `t`; aborts with `EOPTION_NOT_SET` if there is none.
    public fun destroy_some<Element>(t: Option<Element>): Element {
        assert!(is_some(&t), EOPTION_NOT_SET);
        let Option { vec } = t;
        let e = vector::pop_back(&mut vec);
        vector::destroy_empty(vec);
        e
    }

    /// Consumes an empty option; aborts with `EOPTION_IS_SET` if it holds a value.
    public fun destroy_none<Element>(t: Option<Element>) {
        assert!(is_none(&t), EOPTION_IS_SET);
        let Option { vec } = t;
        vector::destroy_empty(vec);
    }

    /// The held value or `default`, consuming `t`.
    public fun destroy_with_default<Element: drop>(t: Option<Element>, default: Element): Element {
        let Option { vec } = t;
        if (vector::is_empty(&vec)) default else vector::pop_back(&mut vec)
    }

    /// The option as a vector of zero or one elements.
    public fun to_vec<Element>(t: Option<Element>): vector<Element> {
        let Option { vec } = t;
        vec
    }

    #[test]
    fun some_and_none() {
        let n = none<u64>();
        assert!(is_none(&n) && !is_some(&n), 0);
        let s = some(5u64);
        assert!(is_some(&s) && contains(&s, &5) && !contains(&s, &6), 1);
        assert!(*borrow(&s) == 5, 2);
        assert!(get_with_default(&n, 9) == 9 && get_with_default(&s, 9) == 5, 3);
        assert!(*borrow_with_default(&n, &8) == 8, 4);
        assert!(to_vec(s) == vector[5u64], 5);
        assert!(destroy_with_default(n, 3) == 3, 6);
    }

    #[test]
    fun fill_extract_swap() {
        let o = none<u64>();
        fill(&mut o, 1);
        *borrow_mut(&mut o) = 2;
        assert!(swap(&mut o, 3) == 2, 0);
        assert!(extract(&mut o) == 3, 1);
        destroy_none(o);
        assert!(destroy_some(some(4u64)) == 4, 2);
    }

    #[test]
    #[expected_failure(abort_code = EOPTION_IS_SET, location = Self)]
    fun fill_twice() {
        let o = some(1u64);
        fill(&mut o, 2);
    }

    #[test]
    #[expected_failure(abort_code = EOPTION_NOT_SET, location = Self)]
    fun borrow_none() {
        borrow(&none<u64>());
    }

    #[test]
    #[expected_failure(abort_code = EOPTION_NOT_SET, location = Self)]
    fun extract_none() {
        let o = none<u64>();
        extract(&mut o);
    }

    #[test]
    #[expected_failure(abort_code = EOPTION_NOT_SET, location = Self)]
    fun destroy_some_of_none() {
        destroy_some(none<u64>());
    }

    #[test]
    #[expected_failure(abort_code = EOPTION_IS_SET, location = Self)]
    fun destroy_none_of_some() {
        destroy_none(some(1u64));
    }
}

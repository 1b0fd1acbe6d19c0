/// UTF-8 strings: a byte vector that is always valid UTF-8. Lengths and indices count bytes.
module std::string {
    use std::option::{Self, Option};
    use std::vector;

    /// The bytes are not valid UTF-8.
    const EINVALID_UTF8: u64 = 1;
    /// The index is out of range or not on a character boundary.
    const EINVALID_INDEX: u64 = 2;

    /// Bytes checked to be valid UTF-8.
    struct String has copy, drop, store {
        bytes: vector<u8>,
    }

    /// A string from `bytes`; aborts with `EINVALID_UTF8` unless they are valid UTF-8.
    public fun utf8(bytes: vector<u8>): String {
        assert!(internal_check_utf8(&bytes), EINVALID_UTF8);
        String { bytes }
    }

    /// A string from `bytes`, or none unless they are valid UTF-8.
    public fun try_utf8(bytes: vector<u8>): Option<String> {
        if (internal_check_utf8(&bytes)) option::some(String { bytes }) else option::none()
    }

    /// The bytes of `s`.
    public fun bytes(s: &String): &vector<u8> {
        &s.bytes
    }

    /// True when `s` has no bytes.
    public fun is_empty(s: &String): bool {
        vector::is_empty(&s.bytes)
    }

    /// The length of `s` in bytes.
    public fun length(s: &String): u64 {
        vector::length(&s.bytes)
    }

    /// Adds `r` at the end of `s`.
    public fun append(s: &mut String, r: String) {
        vector::append(&mut s.bytes, r.bytes)
    }

    /// Adds `bytes` at the end of `s`; aborts with `EINVALID_UTF8` unless they are valid UTF-8.
    public fun append_utf8(s: &mut String, bytes: vector<u8>) {
        append(s, utf8(bytes))
    }

    /// Inserts `o` at byte index `at`; aborts with `EINVALID_INDEX` unless `at` is a character
    /// boundary within `s`.
    public fun insert(s: &mut String, at: u64, o: String) {
        let bytes = &s.bytes;
        assert!(at <= vector::length(bytes) && internal_is_char_boundary(bytes, at), EINVALID_INDEX);
        let end = length(s);
        let front = sub_string(s, 0, at);
        let back = sub_string(s, at, end);
        append(&mut front, o);
        append(&mut front, back);
        *s = front;
    }

    /// The bytes `[i, j)` of `s`; aborts with `EINVALID_INDEX` unless `i <= j <= length` and both
    /// are character boundaries.
    public fun sub_string(s: &String, i: u64, j: u64): String {
        let bytes = &s.bytes;
        let l = vector::length(bytes);
        assert!(
            j <= l && i <= j && internal_is_char_boundary(bytes, i) && internal_is_char_boundary(bytes, j),
            EINVALID_INDEX
        );
        String { bytes: internal_sub_string(bytes, i, j) }
    }

    /// The byte index of the first occurrence of `r` in `s`, or the length of `s` if none.
    public fun index_of(s: &String, r: &String): u64 {
        internal_index_of(&s.bytes, &r.bytes)
    }

    native fun internal_check_utf8(v: &vector<u8>): bool;
    native fun internal_is_char_boundary(v: &vector<u8>, i: u64): bool;
    native fun internal_sub_string(v: &vector<u8>, i: u64, j: u64): vector<u8>;
    native fun internal_index_of(v: &vector<u8>, r: &vector<u8>): u64;

    #[test]
    fun build_and_measure() {
        let s = utf8(b"abc");
        assert!(length(&s) == 3 && !is_empty(&s), 0);
        append_utf8(&mut s, b"def");
        assert!(*bytes(&s) == b"abcdef", 1);
        insert(&mut s, 3, utf8(b"-"));
        assert!(s == utf8(b"abc-def"), 2);
        assert!(sub_string(&s, 4, 7) == utf8(b"def"), 3);
        assert!(index_of(&s, &utf8(b"c-")) == 2, 4);
        assert!(index_of(&s, &utf8(b"zz")) == 7, 5);
        assert!(is_empty(&utf8(b"")), 6);
    }

    #[test]
    fun multibyte_counts_bytes() {
        // "é" is two bytes in UTF-8.
        let s = utf8(x"c3a9");
        assert!(length(&s) == 2, 0);
        assert!(option::is_none(&try_utf8(x"ff")), 1);
        assert!(option::is_some(&try_utf8(x"c3a9")), 2);
    }

    #[test]
    #[expected_failure(abort_code = EINVALID_UTF8, location = Self)]
    fun invalid_utf8() {
        utf8(x"c3");
    }

    #[test]
    #[expected_failure(abort_code = EINVALID_INDEX, location = Self)]
    fun sub_string_inside_a_character() {
        sub_string(&utf8(x"c3a9"), 0, 1);
    }

    #[test]
    #[expected_failure(abort_code = EINVALID_INDEX, location = Self)]
    fun sub_string_past_the_end() {
        sub_string(&utf8(b"ab"), 1, 3);
    }

    #[test]
    #[expected_failure(abort_code = EINVALID_INDEX, location = Self)]
    fun insert_past_the_end() {
        let s = utf8(b"ab");
        insert(&mut s, 3, utf8(b"c"));
    }
}

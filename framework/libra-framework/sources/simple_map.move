/// A small map kept as a vector of entries in insertion order; lookups are linear.
module diem_framework::simple_map {
    use std::error;
    use std::option::{Self, Option};
    use std::vector;

    /// The key is already in the map.
    const EKEY_ALREADY_EXISTS: u64 = 1;
    /// The key is not in the map.
    const EKEY_NOT_FOUND: u64 = 2;

    /// The map: entries in insertion order.
    struct SimpleMap<Key, Value> has copy, drop, store {
        data: vector<Element<Key, Value>>,
    }

    /// One entry.
    struct Element<Key, Value> has copy, drop, store {
        key: Key,
        value: Value,
    }

    /// An empty map.
    public fun create<Key: store, Value: store>(): SimpleMap<Key, Value> {
        SimpleMap { data: vector::empty() }
    }

    /// The number of entries.
    public fun length<Key: store, Value: store>(map: &SimpleMap<Key, Value>): u64 {
        vector::length(&map.data)
    }

    /// True when `key` is in the map.
    public fun contains_key<Key: store, Value: store>(map: &SimpleMap<Key, Value>, key: &Key): bool {
        option::is_some(&find(map, key))
    }

    /// The value under `key`; aborts with `EKEY_NOT_FOUND` if absent.
    public fun borrow<Key: store, Value: store>(map: &SimpleMap<Key, Value>, key: &Key): &Value {
        let at = find(map, key);
        assert!(option::is_some(&at), error::invalid_argument(EKEY_NOT_FOUND));
        &vector::borrow(&map.data, option::extract(&mut at)).value
    }

    /// The value under `key`, mutably; aborts with `EKEY_NOT_FOUND` if absent.
    public fun borrow_mut<Key: store, Value: store>(map: &mut SimpleMap<Key, Value>, key: &Key): &mut Value {
        let at = find(map, key);
        assert!(option::is_some(&at), error::invalid_argument(EKEY_NOT_FOUND));
        &mut vector::borrow_mut(&mut map.data, option::extract(&mut at)).value
    }

    /// Adds `key -> value`; aborts with `EKEY_ALREADY_EXISTS` if `key` is present.
    public fun add<Key: store, Value: store>(map: &mut SimpleMap<Key, Value>, key: Key, value: Value) {
        assert!(option::is_none(&find(map, &key)), error::invalid_argument(EKEY_ALREADY_EXISTS));
        vector::push_back(&mut map.data, Element { key, value });
    }

    /// Sets `key -> value`, adding the entry or replacing the old value.
    public fun upsert<Key: store + drop, Value: store + drop>(map: &mut SimpleMap<Key, Value>, key: Key, value: Value) {
        let at = find(map, &key);
        if (option::is_some(&at)) {
            vector::borrow_mut(&mut map.data, option::extract(&mut at)).value = value;
        } else {
            vector::push_back(&mut map.data, Element { key, value });
        }
    }

    /// Removes the entry for `key` and returns it; aborts with `EKEY_NOT_FOUND` if absent.
    public fun remove<Key: store, Value: store>(map: &mut SimpleMap<Key, Value>, key: &Key): (Key, Value) {
        let at = find(map, key);
        assert!(option::is_some(&at), error::invalid_argument(EKEY_NOT_FOUND));
        let Element { key, value } = vector::remove(&mut map.data, option::extract(&mut at));
        (key, value)
    }

    /// The position of `key` in the entries, if present.
    fun find<Key: store, Value: store>(map: &SimpleMap<Key, Value>, key: &Key): Option<u64> {
        let i = 0;
        let n = vector::length(&map.data);
        while (i < n) {
            if (&vector::borrow(&map.data, i).key == key) return option::some(i);
            i = i + 1;
        };
        option::none()
    }

    #[test]
    fun add_upsert_remove() {
        let m = create<u64, vector<u8>>();
        add(&mut m, 1, b"a");
        add(&mut m, 2, b"b");
        assert!(length(&m) == 2 && contains_key(&m, &1), 0);
        upsert(&mut m, 1, b"c");
        upsert(&mut m, 3, b"d");
        assert!(*borrow(&m, &1) == b"c" && *borrow(&m, &3) == b"d", 1);
        *borrow_mut(&mut m, &2) = b"e";
        let (k, v) = remove(&mut m, &2);
        assert!(k == 2 && v == b"e", 2);
        assert!(!contains_key(&m, &2) && length(&m) == 2, 3);
    }

    #[test]
    #[expected_failure(abort_code = 0x10002, location = Self)]
    fun missing_key() {
        let m = create<address, u64>();
        add(&mut m, @0x1, 1);
        borrow(&m, &@0xb);
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = Self)]
    fun duplicate_key() {
        let m = create<u64, u64>();
        add(&mut m, 1, 1);
        add(&mut m, 1, 2);
    }
}

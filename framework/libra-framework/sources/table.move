/// Maps whose entries live outside the resource that holds them (provided by the VM's table
/// extension). Looking up a missing key aborts in the VM with `NOT_FOUND`.
module diem_framework::table {
    /// A map from `K` to `V`, named by a handle.
    struct Table<phantom K: copy + drop, phantom V> has store {
        handle: address,
    }

    /// How a value is wrapped inside the extension.
    struct Box<V> has key, drop, store {
        val: V
    }

    /// A new, empty table.
    public fun new<K: copy + drop, V: store>(): Table<K, V> {
        Table { handle: new_table_handle<K, V>() }
    }

    /// Adds `key -> val`; aborts if `key` is already present.
    public fun add<K: copy + drop, V>(table: &mut Table<K, V>, key: K, val: V) {
        add_box<K, V, Box<V>>(table, key, Box { val })
    }

    /// The value under `key`; aborts if absent.
    public fun borrow<K: copy + drop, V>(table: &Table<K, V>, key: K): &V {
        &borrow_box<K, V, Box<V>>(table, key).val
    }

    /// The value under `key`, mutably; aborts if absent.
    public fun borrow_mut<K: copy + drop, V>(table: &mut Table<K, V>, key: K): &mut V {
        &mut borrow_box_mut<K, V, Box<V>>(table, key).val
    }

    /// True when `key` is present.
    public fun contains<K: copy + drop, V>(table: &Table<K, V>, key: K): bool {
        contains_box<K, V, Box<V>>(table, key)
    }

    /// Removes and returns the value under `key`; aborts if absent.
    public fun remove<K: copy + drop, V>(table: &mut Table<K, V>, key: K): V {
        let Box { val } = remove_box<K, V, Box<V>>(table, key);
        val
    }

    /// Destroys a table whose values can be dropped, whatever it holds.
    public fun drop_unchecked<K: copy + drop, V>(table: Table<K, V>) {
        drop_unchecked_box<K, V, Box<V>>(table)
    }

    /// Destroys an empty table; aborts if it holds entries.
    public fun destroy_empty<K: copy + drop, V>(table: Table<K, V>) {
        destroy_empty_box<K, V, Box<V>>(&table);
        drop_unchecked_box<K, V, Box<V>>(table)
    }

    native fun new_table_handle<K, V>(): address;
    native fun add_box<K: copy + drop, V, B>(table: &mut Table<K, V>, key: K, val: Box<V>);
    native fun borrow_box<K: copy + drop, V, B>(table: &Table<K, V>, key: K): &Box<V>;
    native fun borrow_box_mut<K: copy + drop, V, B>(table: &mut Table<K, V>, key: K): &mut Box<V>;
    native fun contains_box<K: copy + drop, V, B>(table: &Table<K, V>, key: K): bool;
    native fun remove_box<K: copy + drop, V, B>(table: &mut Table<K, V>, key: K): Box<V>;
    native fun destroy_empty_box<K: copy + drop, V, B>(table: &Table<K, V>);
    native fun drop_unchecked_box<K: copy + drop, V, B>(table: Table<K, V>);

    #[test_only]
    struct Holder has key {
        t: Table<u64, u64>
    }

    #[test(fw = @diem_framework)]
    fun add_borrow_remove(fw: &signer) {
        let t = new<u64, u64>();
        add(&mut t, 1, 10);
        assert!(contains(&t, 1) && !contains(&t, 2), 0);
        *borrow_mut(&mut t, 1) = 11;
        assert!(*borrow(&t, 1) == 11, 1);
        assert!(remove(&mut t, 1) == 11, 2);
        assert!(!contains(&t, 1), 3);
        move_to(fw, Holder { t });
    }

    #[test]
    #[expected_failure(abort_code = 0x6507, location = Self)]
    fun missing_key_is_not_found() {
        let t = new<u64, u64>();
        borrow(&t, 5);
        drop_unchecked(t);
    }

    #[test]
    #[expected_failure(abort_code = 0x6407, location = Self)]
    fun duplicate_key_refused() {
        let t = new<u64, u64>();
        add(&mut t, 1, 1);
        add(&mut t, 1, 2);
        drop_unchecked(t);
    }
}

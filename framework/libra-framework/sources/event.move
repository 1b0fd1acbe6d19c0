/// Event handles: each emitted event goes to the VM's event store under the handle's GUID and
/// sequence number.
module diem_framework::event {
    use std::bcs;

    friend diem_framework::voting;
    friend diem_framework::diem_governance;
    friend diem_framework::reconfiguration;

    /// Names an event stream: the account that owns it and a number unique within that account.
    struct GUID has copy, drop, store {
        creation_num: u64,
        addr: address,
    }

    /// A stream of events of type `T`; `counter` is the sequence number of the next event.
    struct EventHandle<phantom T: drop + store> has store {
        counter: u64,
        guid: GUID,
    }

    /// A new handle owned by `addr`, numbered `creation_num`.
    public(friend) fun new_event_handle<T: drop + store>(addr: address, creation_num: u64): EventHandle<T> {
        EventHandle<T> { counter: 0, guid: GUID { creation_num, addr } }
    }

    /// Emits `msg` on `handle` and advances its sequence number.
    public fun emit_event<T: drop + store>(handle: &mut EventHandle<T>, msg: T) {
        write_to_event_store<T>(bcs::to_bytes(&handle.guid), handle.counter, msg);
        handle.counter = handle.counter + 1;
    }

    /// The number of events emitted on `handle` so far.
    public fun counter<T: drop + store>(handle: &EventHandle<T>): u64 {
        handle.counter
    }

    /// Destroys a handle.
    public fun destroy_handle<T: drop + store>(handle: EventHandle<T>) {
        let EventHandle<T> { counter: _, guid: _ } = handle;
    }

    native fun write_to_event_store<T: drop + store>(guid: vector<u8>, count: u64, msg: T);

    #[test_only]
    struct Ping has drop, store {
        n: u64
    }

    #[test]
    fun counter_advances() {
        let h = new_event_handle<Ping>(@0x1, 3);
        assert!(counter(&h) == 0, 0);
        emit_event(&mut h, Ping { n: 1 });
        emit_event(&mut h, Ping { n: 2 });
        assert!(counter(&h) == 2, 1);
        // The GUID is encoded as creation number then address.
        assert!(bcs::to_bytes(&h.guid) == x"03000000000000000000000000000000000000000000000000000000000000000000000000000001", 2);
        destroy_handle(h);
    }
}

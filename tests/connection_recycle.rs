//! Receive buffers are reused (RFC 6455 §5.4 reassembly without an allocation per message): a
//! message spanning reads is assembled in the buffer the caller handed back with
//! `Connection::recycle`, and a buffer above the kept maximum is not held.

use ws101::connection::{Config, Connection, Event};
use ws101::frame::{encode_frame, Opcode, Role};
use ws101::message::assembler::RECYCLE_MAX;
use ws101::message::Payload;

/// One masked binary frame of `len` bytes, fed in two reads so it is assembled, not borrowed.
fn receive_split(conn: &mut Connection, len: usize) -> Vec<u8> {
    let mut wire = vec![];
    encode_frame(
        &mut wire,
        Opcode::Binary,
        true,
        false,
        &vec![9; len],
        Some([1, 2, 3, 4]),
    );
    let (a, b) = wire.split_at(wire.len() / 2);
    let mut events = vec![];
    conn.receive_in_place(&mut a.to_vec(), &mut events);
    assert!(events.is_empty(), "half a frame delivers nothing");
    conn.receive_in_place(&mut b.to_vec(), &mut events);
    match events.pop() {
        Some(Event::Binary {
            payload: Payload::Owned(bytes),
            ..
        }) => {
            assert_eq!(bytes, vec![9; len]);
            bytes
        }
        other => panic!("expected an owned binary message, got {other:?}"),
    }
}

#[test]
fn a_recycled_buffer_assembles_the_next_message() {
    let mut conn = Connection::new(Role::Server, Config::default());
    let first = receive_split(&mut conn, 100_000);
    let at = first.as_ptr();
    conn.recycle(first);
    let second = receive_split(&mut conn, 90_000);
    assert_eq!(
        second.as_ptr(),
        at,
        "the second message reused the first one's allocation"
    );
}

#[test]
fn a_buffer_above_the_maximum_is_not_kept() {
    let mut conn = Connection::new(Role::Server, Config::default());
    let big = receive_split(&mut conn, RECYCLE_MAX + 4096);
    assert!(big.capacity() > RECYCLE_MAX);
    conn.recycle(big);
    let next = receive_split(&mut conn, 1000);
    assert!(
        next.capacity() <= RECYCLE_MAX,
        "an oversized buffer was dropped, not kept"
    );
}

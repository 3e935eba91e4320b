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

/// `len` payload bytes that differ from their neighbours and from any earlier message's.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

/// Feeds `wire` to `conn` in reads of `read` bytes (each a fresh buffer) and returns the data
/// messages' payloads in order.
fn receive_in_reads(conn: &mut Connection, wire: &[u8], read: usize) -> Vec<Vec<u8>> {
    let mut got = vec![];
    let mut events = vec![];
    for piece in wire.chunks(read) {
        let mut chunk = piece.to_vec();
        conn.receive_in_place(&mut chunk, &mut events);
        for event in events.drain(..) {
            match event {
                Event::Binary { payload, .. } | Event::Text { payload, .. } => {
                    got.push(payload.into_vec(&chunk))
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    got
}

#[test]
fn a_recycled_buffer_holding_other_bytes_delivers_only_the_new_message() {
    // The recycled buffer keeps its length and old bytes (it is overwritten, not zeroed): a
    // shorter message must come out exactly, a longer one must continue past the old bytes
    // unmasked (RFC 6455 §5.3) at the right phase, whatever the read size.
    for (old_len, new_len) in [(100_000, 50_001), (30_003, 100_000), (4_096, 4_097)] {
        for read in [1_000, 4_093, 65_536] {
            let mut conn = Connection::new(Role::Server, Config::default());
            conn.recycle(vec![0xAA; old_len]);
            let payload = pattern(new_len, 7);
            let mut wire = vec![];
            encode_frame(
                &mut wire,
                Opcode::Binary,
                true,
                false,
                &payload,
                Some([0x37, 0xfa, 0x21, 0x3d]),
            );
            let got = receive_in_reads(&mut conn, &wire, read);
            assert_eq!(got.len(), 1, "old {old_len} new {new_len} read {read}");
            assert!(
                got[0] == payload,
                "old {old_len} new {new_len} read {read}: the payload as sent"
            );
        }
    }
}

#[test]
fn a_fragmented_message_is_unmasked_frame_by_frame_into_the_buffer() {
    // Three frames with different keys and odd lengths (RFC 6455 §5.4: Binary, Continuation,
    // Continuation FIN), then a second message into the recycled buffer.
    let parts = [pattern(5_001, 1), pattern(70_003, 2), pattern(3, 3)];
    let keys = [[1, 2, 3, 4], [0xff, 0, 0x80, 7], [9, 9, 9, 9]];
    let mut wire = vec![];
    for (i, (part, key)) in parts.iter().zip(keys).enumerate() {
        let op = if i == 0 {
            Opcode::Binary
        } else {
            Opcode::Continuation
        };
        encode_frame(&mut wire, op, i == 2, false, part, Some(key));
    }
    let whole: Vec<u8> = parts.concat();
    for read in [777, 65_536, wire.len()] {
        let mut conn = Connection::new(Role::Server, Config::default());
        let first = receive_in_reads(&mut conn, &wire, read);
        assert!(first == [whole.clone()], "read {read}: first message");
        let buffer = first.into_iter().next().unwrap_or_default();
        conn.recycle(buffer);
        let second = receive_in_reads(&mut conn, &wire, read);
        assert!(
            second == [whole.clone()],
            "read {read}: into the recycled buffer"
        );
    }
}

#[test]
fn invalid_utf8_in_a_text_message_spanning_reads_is_found_at_its_offset() {
    // The text is checked where it was copied to (unmasked while copied): the error still names
    // the stream offset of the bad byte (RFC 6455 §8.1).
    let mut text = "é".repeat(40_000).into_bytes();
    let bad = 70_000; // the first byte of a code point
    text[bad] = 0xFF;
    let mut wire = vec![];
    encode_frame(
        &mut wire,
        Opcode::Text,
        true,
        false,
        &text,
        Some([5, 6, 7, 8]),
    );
    let header = wire.len() - text.len();
    let mut conn = Connection::new(Role::Server, Config::default());
    conn.recycle(vec![0; 1000]);
    let mut events = vec![];
    for piece in wire.chunks(65_536) {
        conn.receive_in_place(&mut piece.to_vec(), &mut events);
    }
    match events.as_slice() {
        [Event::Error(e)] => {
            let message = format!("{e:?}");
            assert!(
                message.contains(&format!("offset: {}", header + bad)),
                "{message}"
            );
        }
        other => panic!("expected one error, got {other:?}"),
    }
}

//! `Connection::receive_whole` (RFC 6455 §5.2, §5.3): frames that are not complete stay in the
//! caller's buffer, so every unfragmented message comes as a range of it, unmasked in place.
//! Replayed against `receive_in_place` on the same bytes in reads of many sizes: the same
//! events, payloads, error offsets and output.

use ws101::connection::{Config, Connection, Event};
use ws101::frame::{encode_frame, Opcode, Role};
use ws101::message::Payload;
use ws101::Diagnostic;

/// What a test compares: each event with its payload bytes (and whether they were in the chunk).
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Data(Opcode, Vec<u8>, bool),
    Ping(Vec<u8>),
    Close(Option<u16>),
    Error(&'static str, Option<u64>),
    Other,
}

fn seen(event: Event, chunk: &[u8]) -> Seen {
    let in_chunk = matches!(event.payload(), Some(Payload::InChunk { .. }));
    match event {
        Event::Text { payload, .. } => Seen::Data(Opcode::Text, payload.into_vec(chunk), in_chunk),
        Event::Binary { payload, .. } => {
            Seen::Data(Opcode::Binary, payload.into_vec(chunk), in_chunk)
        }
        Event::Ping(payload) => Seen::Ping(payload.into_vec(chunk)),
        Event::Close { code, .. } => Seen::Close(code),
        Event::Error(e) => Seen::Error(e.code(), e.offset()),
        _ => Seen::Other,
    }
}

fn frame(out: &mut Vec<u8>, opcode: Opcode, fin: bool, payload: &[u8], n: u32) {
    let mask = n.wrapping_mul(0x9E37_79B9).to_be_bytes();
    encode_frame(out, opcode, fin, false, payload, Some(mask));
}

/// A client's stream: messages of sizes around every header length, a ping, a fragmented
/// message with a ping between its frames, text, an empty frame and a close.
fn stream() -> Vec<u8> {
    let mut out = vec![];
    let mut n = 0;
    for len in [0usize, 1, 125, 126, 1000, 65_535, 65_536, 200_003] {
        let payload: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
        frame(&mut out, Opcode::Binary, true, &payload, n);
        n += 1;
    }
    frame(&mut out, Opcode::Ping, true, b"are you there", n);
    frame(&mut out, Opcode::Text, false, "héllo ".as_bytes(), n + 1);
    frame(&mut out, Opcode::Ping, true, b"", n + 2);
    frame(
        &mut out,
        Opcode::Continuation,
        true,
        "wörld".as_bytes(),
        n + 3,
    );
    frame(
        &mut out,
        Opcode::Text,
        true,
        &"ü".repeat(40_000).into_bytes(),
        n + 4,
    );
    frame(&mut out, Opcode::Close, true, &1000u16.to_be_bytes(), n + 5);
    out
}

/// `receive_in_place`, one read at a time: the reference.
fn in_place(wire: &[u8], read: usize) -> (Vec<Seen>, Vec<u8>) {
    let mut conn = Connection::new(Role::Server, Config::default());
    let (mut all, mut events) = (vec![], vec![]);
    for piece in wire.chunks(read) {
        let mut chunk = piece.to_vec();
        conn.receive_in_place(&mut chunk, &mut events);
        all.extend(events.drain(..).map(|e| seen(e, &chunk)));
    }
    (all, conn.take_output())
}

/// `receive_whole` with a buffer the caller grows to `held_frame_len`, as a native reader would.
fn whole(wire: &[u8], read: usize) -> (Vec<Seen>, Vec<u8>) {
    let mut conn = Connection::new(Role::Server, Config::default());
    let (mut all, mut events) = (vec![], vec![]);
    let mut buf: Vec<u8> = vec![];
    for piece in wire.chunks(read) {
        buf.extend_from_slice(piece);
        let used = conn.receive_whole(&mut buf, &mut events);
        all.extend(events.drain(..).map(|e| seen(e, &buf)));
        buf.drain(..used);
        if !buf.is_empty() {
            assert!(
                conn.held_frame_len() > buf.len() as u64,
                "held: more to come"
            );
        }
    }
    (all, conn.take_output())
}

#[test]
fn the_same_events_as_receive_in_place_for_every_read_size() {
    let wire = stream();
    for read in [1, 2, 13, 125, 1000, 4096, 65_536, 1 << 20] {
        let (mut reference, out_ref) = in_place(&wire, read);
        let (got, out) = whole(&wire, read);
        // receive_whole delivers every unfragmented message in the chunk; compare bytes only.
        for (r, g) in reference.iter_mut().zip(&got) {
            if let (Seen::Data(_, _, r_in), Seen::Data(_, _, g_in)) = (r, g) {
                *r_in = *g_in;
            }
        }
        assert_eq!(got, reference, "read size {read}");
        assert_eq!(out, out_ref, "read size {read}: pongs and the close echo");
        let data: Vec<_> = got
            .iter()
            .filter_map(|s| match s {
                Seen::Data(_, bytes, in_chunk) => Some((bytes.len(), *in_chunk)),
                _ => None,
            })
            .collect();
        assert_eq!(data.len(), 10, "read size {read}");
        let fragmented = data[8];
        assert!(!fragmented.1, "the fragmented message is assembled");
        for (len, in_chunk) in data.iter().take(8).chain(data.get(9)) {
            assert!(
                *in_chunk,
                "read size {read}: a {len}-byte message is in the chunk"
            );
        }
    }
}

#[test]
fn a_frame_over_the_limit_fails_from_its_header() {
    let mut wire = vec![];
    frame(&mut wire, Opcode::Binary, true, &vec![0; 5000], 1);
    let config = Config::default().with_max_frame_size(4096);
    let mut conn = Connection::new(Role::Server, config);
    let mut events = vec![];
    let mut chunk = wire[..100].to_vec();
    let used = conn.receive_whole(&mut chunk, &mut events);
    assert_eq!(used, chunk.len(), "a failed connection reads no further");
    match events.as_slice() {
        [Event::Error(e)] => {
            assert_eq!(e.close_code(), Some(1009));
            assert_eq!(e.offset(), Some(0));
        }
        other => panic!("expected one error, got {other:?}"),
    }
}

#[test]
fn a_held_frame_reports_what_it_needs() {
    let mut wire = vec![];
    frame(&mut wire, Opcode::Binary, true, &vec![7; 70_000], 1);
    let mut conn = Connection::new(Role::Server, Config::default());
    let mut events = vec![];
    assert_eq!(conn.receive_whole(&mut wire[..5].to_vec(), &mut events), 0);
    assert_eq!(
        conn.held_frame_len(),
        14,
        "an incomplete header: at most 14 bytes"
    );
    let mut buf = wire[..30_000].to_vec();
    assert_eq!(conn.receive_whole(&mut buf, &mut events), 0);
    assert_eq!(conn.held_frame_len(), 14 + 70_000);
    // A short frame whose header is cut: the header's own length, not 14 (a caller that
    // waits for held_frame_len bytes must not wait past an 8-byte frame).
    let mut short = vec![];
    frame(&mut short, Opcode::Text, true, b"hi", 1);
    assert_eq!(short.len(), 8);
    let mut other = Connection::new(Role::Server, Config::default());
    let mut none = vec![];
    assert_eq!(other.receive_whole(&mut short[..1].to_vec(), &mut none), 0);
    assert_eq!(other.held_frame_len(), 2);
    assert_eq!(other.receive_whole(&mut short[..3].to_vec(), &mut none), 0);
    assert_eq!(other.held_frame_len(), 6);
    assert_eq!(other.receive_whole(&mut short[..6].to_vec(), &mut none), 0);
    assert_eq!(other.held_frame_len(), 8);
    assert_eq!(other.receive_whole(&mut short.clone(), &mut none), 8);
    assert_eq!(none.len(), 1);
    assert!(events.is_empty());
    // The bytes that arrived were unmasked in place; the next call goes on from them.
    buf.extend_from_slice(&wire[30_000..]);
    assert_eq!(conn.receive_whole(&mut buf, &mut events), wire.len());
    match events.as_slice() {
        [Event::Binary {
            payload: payload @ Payload::InChunk { start: 14, .. },
            ..
        }] => assert_eq!(payload.bytes(&buf), &vec![7; 70_000][..]),
        other => panic!("expected one binary message in the chunk, got {other:?}"),
    }
}

#[test]
fn invalid_utf8_in_a_held_frame_names_its_stream_offset() {
    let mut wire = vec![];
    frame(&mut wire, Opcode::Binary, true, &[1; 10], 1);
    let mut text = "a".repeat(3000).into_bytes();
    text[2500] = 0xff;
    frame(&mut wire, Opcode::Text, true, &text, 2);
    for read in [1, 7, 100, 1000] {
        let (reference, _) = in_place(&wire, read);
        let (got, _) = whole(&wire, read);
        assert_eq!(got.last(), reference.last(), "read size {read}");
        assert_eq!(
            got.last(),
            Some(&Seen::Error("invalid-utf8", Some(16 + 8 + 2500))),
            "read size {read}"
        );
    }
}

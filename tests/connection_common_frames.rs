//! The receive path takes the common frame (a whole unfragmented text or binary frame with a
//! 7- or 16-bit length, masked as the role requires) in one step. Every stream here is read
//! whole (that step) and one byte at a time (the general decoder, which never sees a whole
//! frame), with `receive_in_place` and `receive_whole`: the same events, payloads, error codes
//! and offsets, and the same output (RFC 6455 §5.1–§5.4, §5.5.1, §8.1, §10.4).

use ws101::connection::{Config, Connection, Event, FixedMask};
use ws101::frame::{encode_frame, Opcode, Role};
use ws101::Diagnostic;

#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Text(Vec<u8>),
    Binary(Vec<u8>, bool),
    Ping(Vec<u8>),
    Close(Option<u16>, bool),
    Error(&'static str, Option<u16>, Option<u64>),
    Other,
}

fn seen(event: Event, chunk: &[u8]) -> Seen {
    match event {
        Event::Text { payload, .. } => Seen::Text(payload.into_vec(chunk)),
        Event::Binary {
            payload,
            compressed,
        } => Seen::Binary(payload.into_vec(chunk), compressed),
        Event::Ping(payload) => Seen::Ping(payload.into_vec(chunk)),
        Event::Close {
            code, was_clean, ..
        } => Seen::Close(code, was_clean),
        Event::Error(e) => Seen::Error(e.code(), e.close_code(), e.offset()),
        _ => Seen::Other,
    }
}

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A frame from raw header fields: `len_bytes` is the length as it goes on the wire after the
/// second byte's 7 bits (so non-minimal encodings can be written), `masked` adds `KEY`.
fn raw(b0: u8, len7: u8, len_bytes: &[u8], masked: bool, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![b0, len7 | if masked { 0x80 } else { 0 }];
    out.extend_from_slice(len_bytes);
    if masked {
        out.extend_from_slice(&KEY);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ KEY[i & 3]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

fn frame(out: &mut Vec<u8>, role: Role, opcode: Opcode, fin: bool, payload: &[u8]) {
    let mask = (role == Role::Server).then_some(KEY);
    encode_frame(out, opcode, fin, false, payload, mask);
}

/// Reads `wire` in `read`-byte pieces; `whole` uses `receive_whole` with a growing buffer.
fn run(role: Role, config: &Config, wire: &[u8], read: usize, whole: bool) -> (Vec<Seen>, Vec<u8>) {
    // A fixed key: a client's output (the close echo) is then the same in every run.
    let mut conn = Connection::with_mask_source(role, config.clone(), Box::new(FixedMask(KEY)));
    let (mut all, mut events) = (vec![], vec![]);
    let mut buf: Vec<u8> = vec![];
    for piece in wire.chunks(read) {
        if whole {
            buf.extend_from_slice(piece);
            let used = conn.receive_whole(&mut buf, &mut events);
            all.extend(events.drain(..).map(|e| seen(e, &buf)));
            buf.drain(..used);
        } else {
            let mut chunk = piece.to_vec();
            conn.receive_in_place(&mut chunk, &mut events);
            all.extend(events.drain(..).map(|e| seen(e, &chunk)));
        }
    }
    (all, conn.take_output())
}

/// Whole and byte by byte, both receive calls: one answer; returns it.
fn agree(role: Role, config: &Config, wire: &[u8]) -> Vec<Seen> {
    let reference = run(role, config, wire, 1, false);
    for whole in [false, true] {
        for read in [1, wire.len().max(1)] {
            let got = run(role, config, wire, read, whole);
            assert_eq!(got, reference, "read {read}, whole {whole}");
        }
    }
    reference.0
}

fn server(wire: &[u8]) -> Vec<Seen> {
    agree(Role::Server, &Config::default(), wire)
}

#[test]
fn text_and_binary_at_every_length_encoding() {
    let mut wire = vec![];
    let sizes = [0usize, 1, 125, 126, 127, 4096, 65_535];
    for len in sizes {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
        frame(&mut wire, Role::Server, Opcode::Binary, true, &data);
        frame(
            &mut wire,
            Role::Server,
            Opcode::Text,
            true,
            &vec![b'a'; len],
        );
    }
    let got = server(&wire);
    assert_eq!(got.len(), 2 * sizes.len());
    assert_eq!(
        got[4],
        Seen::Binary((0..125).map(|i| (i * 31 + 7) as u8).collect(), false)
    );
    assert_eq!(got[5], Seen::Text(vec![b'a'; 125]));
}

#[test]
fn invalid_utf8_names_its_offset_in_short_and_16_bit_frames() {
    for len in [10usize, 300] {
        let mut wire = vec![];
        frame(&mut wire, Role::Server, Opcode::Binary, true, b"ok");
        let mut text = vec![b'x'; len];
        text[len - 3] = 0xC3; // a lead byte followed by ASCII
        frame(&mut wire, Role::Server, Opcode::Text, true, &text);
        let header = if len < 126 { 6 } else { 8 };
        assert_eq!(
            server(&wire).last(),
            Some(&Seen::Error(
                "invalid-utf8",
                Some(1007),
                Some((8 + header + len - 3) as u64)
            ))
        );
    }
}

#[test]
fn a_whole_message_inside_a_fragmented_one_fails() {
    let mut wire = vec![];
    frame(&mut wire, Role::Server, Opcode::Text, false, b"part");
    frame(&mut wire, Role::Server, Opcode::Binary, true, b"whole");
    let got = server(&wire);
    assert!(
        matches!(got.last(), Some(Seen::Error(_, Some(1002), Some(10)))),
        "{got:?}"
    );
}

#[test]
fn non_minimal_16_bit_length_fails() {
    let wire = raw(0x82, 126, &[0, 125], true, &[0; 125]);
    let got = server(&wire);
    assert!(
        matches!(got.as_slice(), [Seen::Error(_, Some(1002), Some(0))]),
        "{got:?}"
    );
}

#[test]
fn masking_must_match_the_role() {
    let unmasked = raw(0x82, 3, &[], false, b"abc");
    let got = server(&unmasked);
    assert!(
        matches!(got.as_slice(), [Seen::Error(_, Some(1002), Some(0))]),
        "{got:?}"
    );
    let masked = raw(0x82, 3, &[], true, b"abc");
    let got = agree(Role::Client, &Config::default(), &masked);
    assert!(
        matches!(got.as_slice(), [Seen::Error(_, Some(1002), Some(0))]),
        "{got:?}"
    );
    // A client takes unmasked frames in one step too.
    let got = agree(Role::Client, &Config::default(), &unmasked);
    assert_eq!(got, [Seen::Binary(b"abc".to_vec(), false)]);
}

#[test]
fn frame_and_message_limits_hold() {
    let mut wire = vec![];
    frame(&mut wire, Role::Server, Opcode::Binary, true, &[1; 100]);
    frame(&mut wire, Role::Server, Opcode::Binary, true, &[2; 101]);
    for limit in [
        Config::default().with_max_frame_size(100),
        Config::default().with_max_message_size(100),
    ] {
        let got = agree(Role::Server, &limit, &wire);
        assert!(
            matches!(
                got.as_slice(),
                [Seen::Binary(..), Seen::Error(_, Some(1009), Some(106))]
            ),
            "{got:?}"
        );
    }
}

#[test]
fn reserved_bits_and_opcodes_fail() {
    for b0 in [0xC2, 0xA2, 0x92, 0x83, 0x02] {
        let mut wire = raw(b0, 2, &[], true, b"hi");
        frame(&mut wire, Role::Server, Opcode::Binary, true, b"after");
        let got = server(&wire);
        match b0 {
            // A first frame without FIN opens a message: the next whole message fails.
            0x02 => assert!(
                matches!(got.as_slice(), [Seen::Error(_, Some(1002), Some(8))]),
                "{got:?}"
            ),
            _ => assert!(
                matches!(got.as_slice(), [Seen::Error(_, Some(1002), Some(0))]),
                "{b0:#x}: {got:?}"
            ),
        }
    }
}

#[test]
fn rsv1_with_permessage_deflate_allowed_is_reported_compressed() {
    let wire = raw(0xC2, 2, &[], true, b"hi");
    let config = Config::default().with_rsv1_allowed(true);
    let got = agree(Role::Server, &config, &wire);
    assert_eq!(got, [Seen::Binary(b"hi".to_vec(), true)]);
}

#[test]
fn messages_then_ping_and_close_give_the_same_output() {
    let mut wire = vec![];
    frame(&mut wire, Role::Server, Opcode::Binary, true, &[9; 200]);
    frame(&mut wire, Role::Server, Opcode::Ping, true, b"p");
    frame(&mut wire, Role::Server, Opcode::Text, true, "é".as_bytes());
    frame(
        &mut wire,
        Role::Server,
        Opcode::Close,
        true,
        &1000u16.to_be_bytes(),
    );
    frame(&mut wire, Role::Server, Opcode::Binary, true, b"ignored");
    let got = server(&wire);
    assert_eq!(
        got,
        [
            Seen::Binary(vec![9; 200], false),
            Seen::Ping(b"p".to_vec()),
            Seen::Text("é".as_bytes().to_vec()),
            Seen::Close(Some(1000), true),
        ]
    );
}

#[test]
fn a_message_taken_in_one_step_holds_back_a_deferred_close() {
    let mut wire = vec![];
    frame(
        &mut wire,
        Role::Server,
        Opcode::Binary,
        true,
        b"reply to me",
    );
    frame(
        &mut wire,
        Role::Server,
        Opcode::Close,
        true,
        &1000u16.to_be_bytes(),
    );
    let config = Config::default().with_defer_close(true);
    let mut conn = Connection::new(Role::Server, config);
    let mut events = vec![];
    conn.receive_in_place(&mut wire, &mut events);
    assert_eq!(events.len(), 2);
    assert!(conn.output().is_empty(), "the close waits for the reply");
    conn.send_binary(b"reply").unwrap();
    conn.release_close();
    assert_eq!(
        conn.output(),
        [&[0x82, 5][..], b"reply", &[0x88, 2, 3, 232]].concat()
    );
}

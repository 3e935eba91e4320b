//! RFC 7692 §7.2.3 examples, literally, through a whole [`Connection`]: as the client receives
//! them (unmasked, exactly the RFC's bytes) and as a server receives them (masked). Also the
//! receive-side faults: corrupt data (1007), inflated text that is not UTF-8 (1007), a
//! decompression bomb (1009) and RSV1 on a control or continuation frame (1002).
//!
//! The key vector tests also run as wasm32 (`wasm-pack test --node`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

use ws101::connection::{Config, Connection, Event, FixedMask};
use ws101::deflate::TAIL;
use ws101::frame::{encode_frame, Opcode, Role};
use ws101::handshake::deflate::DeflateParams;
use ws101::Diagnostic;

const HELLO: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];

fn config(params: DeflateParams) -> Config {
    Config::default().with_deflate(Some(params))
}

fn conn(role: Role, params: DeflateParams) -> Connection {
    Connection::with_mask_source(
        role,
        config(params),
        Box::new(FixedMask([0x37, 0xfa, 0x21, 0x3d])),
    )
}

/// Feeds `wire` whole, then byte by byte into a fresh connection, and checks both agree.
fn receive_all(role: Role, params: DeflateParams, wire: &[u8]) -> Vec<Event> {
    let mut c = conn(role, params);
    let mut whole = Vec::new();
    c.receive(wire, &mut whole);
    let mut c = conn(role, params);
    let mut bytewise = Vec::new();
    for b in wire {
        c.receive(std::slice::from_ref(b), &mut bytewise);
    }
    assert_eq!(whole, bytewise);
    whole
}

fn texts(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::Text {
                payload,
                compressed: false,
            } => String::from_utf8(payload.bytes(&[]).to_vec()).unwrap(),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

/// The same frames as a client would send them: masked, with the RSV1/FIN bits of `frames`.
fn masked(frames: &[(Opcode, bool, bool, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (op, fin, rsv1, payload) in frames {
        encode_frame(&mut out, *op, *fin, *rsv1, payload, Some([1, 2, 3, 4]));
    }
    out
}

fn both_roles(frames: &[(Opcode, bool, bool, &[u8])], rfc_wire: &[u8], expect: &[&str]) {
    let mut plain = Vec::new();
    for (op, fin, rsv1, payload) in frames {
        encode_frame(&mut plain, *op, *fin, *rsv1, payload, None);
    }
    assert_eq!(plain, rfc_wire, "the frames are the RFC's bytes");
    let params = DeflateParams::default();
    assert_eq!(texts(&receive_all(Role::Client, params, rfc_wire)), expect);
    assert_eq!(
        texts(&receive_all(Role::Server, params, &masked(frames))),
        expect
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn rfc7692_7_2_3_1_one_compressed_block() {
    both_roles(
        &[(Opcode::Text, true, true, &HELLO)],
        &[0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
        &["Hello"],
    );
    // Fragmented: RSV1 only on the first frame (RFC 7692 §6.1).
    both_roles(
        &[
            (Opcode::Text, false, true, &HELLO[..3]),
            (Opcode::Continuation, true, false, &HELLO[3..]),
        ],
        &[
            0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00,
        ],
        &["Hello"],
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn rfc7692_7_2_3_2_sharing_the_window() {
    let second: &[u8] = &[0xf2, 0x00, 0x11, 0x00, 0x00];
    both_roles(
        &[
            (Opcode::Text, true, true, &HELLO),
            (Opcode::Text, true, true, second),
        ],
        &[
            0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xc1, 0x05, 0xf2, 0x00, 0x11,
            0x00, 0x00,
        ],
        &["Hello", "Hello"],
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn rfc7692_7_2_3_3_no_compression() {
    let stored: &[u8] = &[
        0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
    ];
    both_roles(
        &[(Opcode::Text, true, true, stored)],
        &[
            0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
        ],
        &["Hello"],
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn rfc7692_7_2_3_4_bfinal_block() {
    let bfinal: &[u8] = &[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00];
    // Twice: after a final block the next message starts a fresh stream.
    both_roles(
        &[
            (Opcode::Text, true, true, bfinal),
            (Opcode::Text, true, true, bfinal),
        ],
        &[
            0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0xc1, 0x08, 0xf3, 0x48,
            0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00,
        ],
        &["Hello", "Hello"],
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn rfc7692_7_2_3_5_two_blocks() {
    let two: &[u8] = &[
        0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00,
    ];
    both_roles(
        &[(Opcode::Text, true, true, two)],
        &[
            0xc1, 0x0d, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07,
            0x00,
        ],
        &["Hello"],
    );
}

#[test]
fn empty_compressed_messages() {
    // An empty message after a sync flush is the single byte `00` (a stored block header
    // whose LEN/NLEN the removed tail supplied); an empty payload is the tail alone.
    both_roles(
        &[(Opcode::Text, true, true, &[0x00])],
        &[0xc1, 0x01, 0x00],
        &[""],
    );
    both_roles(&[(Opcode::Text, true, true, &[])], &[0xc1, 0x00], &[""]);
}

#[test]
fn our_compressor_produces_the_rfc_bytes_for_hello() {
    // Not required by the RFC (any valid DEFLATE will do), but a useful anchor.
    let mut server = Connection::new(
        Role::Server,
        config(DeflateParams::default()).with_deflate_threshold(0),
    );
    server.send_text("Hello").unwrap();
    server.send_text("Hello").unwrap();
    let out = server.take_output();
    let mut client = conn(Role::Client, DeflateParams::default());
    let mut events = Vec::new();
    client.receive(&out, &mut events);
    assert_eq!(texts(&events), ["Hello", "Hello"]);
    // The first is byte for byte RFC 7692 §7.2.3.1; the second refers back to the first
    // (context takeover), in 4 bytes where the RFC's example needs 5.
    assert_eq!(
        out[..9],
        [0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]
    );
    assert_eq!(out[9..], [0xc1, 0x04, 0x02, 0x13, 0x00, 0x00]);
}

fn expect_error(events: &[Event], code: &str, close: u16) {
    match events.last() {
        Some(Event::Error(e)) => {
            assert_eq!(e.code(), code);
            assert_eq!(e.close_code(), Some(close));
        }
        other => panic!("expected {code}, got {other:?}"),
    }
}

#[test]
fn truncated_compressed_messages_are_refused_not_delivered() {
    // Found by review: the appended 00 00 ff ff must not become content (RFC 7692 §7.2.2).
    // "Hello" cut after three bytes of its compressed form:
    let mut c = conn(Role::Client, DeflateParams::default());
    let mut events = Vec::new();
    c.receive(&[0xc1, 0x03, 0xf2, 0x48, 0xcd], &mut events);
    expect_error(&events, "invalid-compressed-data", 1007);
    // A stored block announcing 5 bytes that carries 1, as binary (no UTF-8 check to catch it):
    let mut c = conn(Role::Client, DeflateParams::default());
    let mut events = Vec::new();
    c.receive(
        &[0xc2, 0x06, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x41],
        &mut events,
    );
    expect_error(&events, "invalid-compressed-data", 1007);
}

#[test]
fn corrupt_data_fails_with_1007() {
    // BTYPE 11 is reserved (RFC 1951 §3.2.3).
    let wire = [0xc2, 0x02, 0xff, 0xff];
    let mut c = conn(Role::Client, DeflateParams::default());
    let mut events = Vec::new();
    c.receive(&wire, &mut events);
    expect_error(&events, "invalid-compressed-data", 1007);
    assert_eq!(
        c.take_output()[..4],
        [0x88, 0x82, 0x37, 0xfa],
        "masked close"
    );
}

#[test]
fn inflated_text_must_be_utf8() {
    // A stored block holding 0xff, inside a text message.
    let payload = [0x00, 0x01, 0x00, 0xfe, 0xff, 0xff];
    let mut wire = Vec::new();
    encode_frame(&mut wire, Opcode::Text, true, true, &payload, None);
    let mut c = conn(Role::Client, DeflateParams::default());
    let mut events = Vec::new();
    c.receive(&wire, &mut events);
    expect_error(&events, "invalid-utf8", 1007);
    // The same bytes as binary are fine.
    let mut wire = Vec::new();
    encode_frame(&mut wire, Opcode::Binary, true, true, &payload, None);
    let mut c = conn(Role::Client, DeflateParams::default());
    let mut events = Vec::new();
    c.receive(&wire, &mut events);
    assert!(
        matches!(&events[..], [Event::Binary { payload, compressed: false }] if payload.bytes(&[]) == [0xff])
    );
}

#[test]
fn rsv1_on_control_or_continuation_is_1002() {
    for wire in [
        vec![0xc9, 0x00],                         // ping with RSV1
        vec![0x41, 0x01, 0x00, 0xc0, 0x01, 0x00], // continuation with RSV1
    ] {
        let mut c = conn(Role::Client, DeflateParams::default());
        let mut events = Vec::new();
        c.receive(&wire, &mut events);
        match events.last() {
            Some(Event::Error(e)) => assert_eq!(e.close_code(), Some(1002)),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn without_deflate_rsv1_is_still_refused() {
    let mut c = Connection::new(Role::Client, Config::default());
    let mut events = Vec::new();
    c.receive(
        &[0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
        &mut events,
    );
    match events.last() {
        Some(Event::Error(e)) => assert_eq!(e.close_code(), Some(1002)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn raw_mode_still_reports_compressed_payloads() {
    // rsv1_allowed without `deflate`: the caller inflates (previous behaviour).
    let mut c = Connection::new(Role::Client, Config::default().with_rsv1_allowed(true));
    let mut events = Vec::new();
    c.receive(
        &[0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
        &mut events,
    );
    assert!(matches!(
        &events[..],
        [Event::Text {
            compressed: true,
            ..
        }]
    ));
}

#[test]
fn tail_constant() {
    assert_eq!(TAIL, [0, 0, 0xff, 0xff]);
}

#[cfg(feature = "serde")] // cargo test --features serde
#[test]
fn config_serde_names() {
    let json = r#"{"deflate":{"serverNoContextTakeover":true,"clientMaxWindowBits":10},"deflateLevel":6,"deflateThreshold":0}"#;
    let c: Config = serde_json::from_str(json).unwrap();
    let p = c.deflate.unwrap();
    assert!(p.server_no_context_takeover);
    assert_eq!(p.client_max_window_bits, 10);
    assert_eq!(p.server_max_window_bits, 15);
    assert_eq!(c.deflate_level, 6);
    assert_eq!(c.deflate_threshold, 0);
}

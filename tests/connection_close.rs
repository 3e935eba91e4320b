//! The closing handshake (RFC 6455 §7.1), sending rules and caller misuse.

use ws101::connection::{Config, Connection, Event, FixedMask, State, UsageError};
use ws101::frame::{Opcode, Role};
use ws101::message::Payload;
use ws101::Diagnostic;

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn conn(role: Role, config: Config) -> Connection {
    Connection::with_mask_source(role, config, Box::new(FixedMask(KEY)))
}

fn recv(c: &mut Connection, bytes: &[u8]) -> Vec<Event> {
    let mut out = vec![];
    c.receive(bytes, &mut out);
    out
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn server_initiated_close_is_clean() {
    let mut server = conn(Role::Server, Config::default());
    server.close(Some(1000), "done").unwrap();
    assert_eq!(server.take_output(), b"\x88\x06\x03\xe8done");
    assert_eq!(server.state(), State::LocalClosing);
    assert_eq!(server.was_clean(), None);
    assert!(!server.should_close_transport());
    // Messages still arrive while we wait for the peer's Close (RFC 6455 §7.1.2).
    let events = recv(&mut server, &[0x81, 0x81, 0, 0, 0, 0, b'A']);
    assert_eq!(
        events,
        vec![Event::Text {
            payload: Payload::Owned(b"A".to_vec()),
            compressed: false
        }]
    );
    let events = recv(&mut server, &[0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]);
    assert_eq!(
        events,
        vec![Event::Close {
            code: Some(1000),
            reason: String::new(),
            was_clean: true
        }]
    );
    assert_eq!(server.state(), State::Closed);
    assert_eq!(server.was_clean(), Some(true));
    assert!(server.take_output().is_empty(), "no second close");
    assert!(
        server.should_close_transport(),
        "the server closes TCP first (§7.1.1)"
    );
    let mut out = vec![];
    server.receive_eof(&mut out);
    assert!(out.is_empty());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn peer_initiated_close_is_echoed() {
    let mut client = conn(Role::Client, Config::default());
    let events = recv(&mut client, &[0x88, 0x02, 0x0f, 0xa0]);
    assert_eq!(
        events,
        vec![Event::Close {
            code: Some(4000),
            reason: String::new(),
            was_clean: true
        }]
    );
    // The echo carries the same code, masked (RFC 6455 §5.5.1).
    let out = client.take_output();
    assert_eq!(&out[..6], [0x88, 0x82, 0x37, 0xfa, 0x21, 0x3d]);
    assert_eq!([out[6] ^ 0x37, out[7] ^ 0xfa], [0x0f, 0xa0]);
    assert_eq!(client.state(), State::Closed);
    assert!(
        !client.should_close_transport(),
        "a client waits for the server to close TCP"
    );
    assert_eq!(
        client.send_text("late").unwrap_err(),
        UsageError::AlreadyClosed
    );
    assert_eq!(client.ping(b"").unwrap_err().code(), "already-closed");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn manual_close_reply_when_auto_close_is_off() {
    let mut server = conn(Role::Server, Config::default().with_auto_close(false));
    let events = recv(&mut server, &[0x88, 0x80, 0, 0, 0, 0]);
    assert_eq!(
        events,
        vec![Event::Close {
            code: None,
            reason: String::new(),
            was_clean: false
        }]
    );
    assert_eq!(server.state(), State::RemoteClosing);
    // We may finish sending before answering (RFC 6455 §5.5.1).
    server.send_text("last words").unwrap();
    server.close(Some(1001), "").unwrap();
    assert_eq!(server.state(), State::Closed);
    assert_eq!(server.was_clean(), Some(true));
    let out = server.take_output();
    assert!(out.ends_with(&[0x88, 0x02, 0x03, 0xe9]));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn eof_before_close_is_abnormal() {
    let mut client = conn(Role::Client, Config::default());
    let mut out = vec![];
    client.receive(&[0x81, 0x05, b'H'], &mut out); // a frame cut short
    client.receive_eof(&mut out);
    assert_eq!(
        out,
        vec![Event::Close {
            code: Some(1006),
            reason: String::new(),
            was_clean: false
        }]
    );
    assert_eq!(client.was_clean(), Some(false));
    assert!(client.should_close_transport());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn protocol_error_fails_the_connection() {
    let mut server = conn(Role::Server, Config::default());
    let events = recv(
        &mut server,
        &[0x81, 0x01, b'A', 0x81, 0x81, 0, 0, 0, 0, b'B'],
    );
    assert_eq!(events.len(), 1);
    let Event::Error(e) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(
        (e.code(), e.close_code(), e.offset(), e.rfc()),
        ("unmasked-frame", Some(1002), Some(0), "RFC 6455 §5.1")
    );
    assert_eq!(server.take_output(), [0x88, 0x02, 0x03, 0xea]);
    assert_eq!(server.state(), State::Closed);
    assert_eq!(server.was_clean(), Some(false));
    assert!(server.should_close_transport());
    // Nothing more is parsed or reported.
    assert!(recv(&mut server, &[0x81, 0x81, 0, 0, 0, 0, b'B']).is_empty());
    let mut out = vec![];
    server.receive_eof(&mut out);
    assert!(out.is_empty());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn close_argument_checks() {
    let mut c = conn(Role::Server, Config::default());
    for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
        assert_eq!(
            c.close(Some(code), "").unwrap_err(),
            UsageError::InvalidCloseCode { code }
        );
    }
    assert_eq!(
        c.close(None, "why").unwrap_err(),
        UsageError::ReasonWithoutCode
    );
    let long = "x".repeat(124);
    assert_eq!(
        c.close(Some(1000), &long).unwrap_err(),
        UsageError::CloseReasonTooLong { len: 124 }
    );
    assert_eq!(
        c.ping(&[0; 126]).unwrap_err(),
        UsageError::ControlPayloadTooLong { len: 126 }
    );
    assert!(c.output().is_empty(), "failed calls send nothing");
    c.close(Some(1000), &"x".repeat(123)).unwrap();
    assert_eq!(c.output().len(), 2 + 125);
    assert_eq!(
        c.close(Some(1000), "").unwrap_err(),
        UsageError::AlreadyClosed
    );
    assert_eq!(c.send_binary(b"x").unwrap_err(), UsageError::AlreadyClosed);
    // Control frames are still allowed while waiting for the peer's Close.
    c.pong(b"p").unwrap();
    assert_eq!(
        c.send_raw_message(Opcode::Ping, b"", false),
        Err(UsageError::NotADataOpcode)
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn entropy_failure_is_an_error_not_a_panic() {
    let mut client = Connection::with_mask_source(
        Role::Client,
        Config::default(),
        Box::new(|| None::<[u8; 4]>),
    );
    assert_eq!(
        client.send_text("x").unwrap_err().code(),
        "entropy-unavailable"
    );
    assert!(client.output().is_empty());
    let mut client = Connection::with_mask_source(
        Role::Client,
        Config::default().with_fragment_size(Some(1)),
        Box::new({
            let mut n = 0;
            move || {
                n += 1;
                (n < 3).then_some([1, 2, 3, 4])
            }
        }),
    );
    assert!(client.send_text("abc").is_err());
    assert!(
        client.output().is_empty(),
        "a half-sent message is rolled back"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn outgoing_fragmentation_and_masking() {
    let config = Config::default().with_fragment_size(Some(2));
    let mut client = conn(Role::Client, config.clone());
    client.send_text("Hello").unwrap();
    let wire = client.take_output();
    // Decode it as the server would: fragments 01 / 00 / 80, all masked.
    let mut server = conn(Role::Server, Config::default());
    assert_eq!(
        recv(&mut server, &wire),
        vec![Event::Text {
            payload: Payload::Owned(b"Hello".to_vec()),
            compressed: false
        }]
    );
    assert_eq!(wire[0], 0x01);
    assert_eq!(wire[8], 0x00);
    assert_eq!(wire[16], 0x80);
    // Unmasked from the server, and RSV1 only on the first fragment.
    let mut server = conn(Role::Server, config);
    server
        .send_raw_message(Opcode::Binary, b"abcde", true)
        .unwrap();
    assert_eq!(server.take_output(), b"\x42\x02ab\x00\x02cd\x80\x01e");
    // A message no larger than the fragment size stays one frame.
    let mut server = conn(Role::Server, Config::default().with_fragment_size(Some(5)));
    server.send_binary(b"abcde").unwrap();
    assert_eq!(server.take_output(), b"\x82\x05abcde");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn output_can_be_drained_partially() {
    let mut server = conn(Role::Server, Config::default());
    server.send_text("ab").unwrap();
    server.send_text("cd").unwrap();
    server.consume_output(3);
    assert_eq!(server.output(), b"b\x81\x02cd");
    server.consume_output(100);
    assert!(server.output().is_empty());
    let mut spare = Vec::with_capacity(64);
    server.ping(b"x").unwrap();
    server.swap_output(&mut spare);
    assert_eq!(spare, b"\x89\x01x");
    assert!(server.output().is_empty());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn random_mask_source_masks_differently() {
    let mut client = Connection::new(Role::Client, Config::default());
    client.send_binary(&[0; 8]).unwrap();
    client.send_binary(&[0; 8]).unwrap();
    let out = client.take_output();
    assert_eq!(out.len(), 28);
    assert_ne!(out[2..6], out[16..20], "keys are random");
    // Zero payload XOR key = key repeated.
    assert_eq!(out[6..10], out[2..6]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn header_only_sends_match_full_sends() {
    use ws101::frame::Opcode;
    // Server, no deflate, no fragmentation: header + payload written by the caller equals
    // the frame send_binary builds (RFC 6455 §5.2), for every length encoding.
    for len in [0usize, 1, 125, 126, 65535, 65536, 70000] {
        let payload = vec![0xabu8; len];
        let mut full = conn(Role::Server, Config::default());
        full.send_binary(&payload).unwrap();
        let mut split = conn(Role::Server, Config::default());
        assert!(split.send_header_only(Opcode::Binary, len).unwrap());
        let mut bytes = split.take_output();
        bytes.extend_from_slice(&payload);
        assert_eq!(bytes, full.take_output(), "len {len}");
    }
    // A client must mask, fragmentation and compression transform: no header-only path.
    let mut client = conn(Role::Client, Config::default());
    assert!(!client.send_header_only(Opcode::Binary, 10).unwrap());
    assert!(client.take_output().is_empty());
    let mut fragmenting = conn(Role::Server, Config::default().with_fragment_size(Some(4)));
    assert!(!fragmenting.send_header_only(Opcode::Text, 10).unwrap());
    assert!(fragmenting.send_header_only(Opcode::Text, 4).unwrap());
    // Control opcodes are refused; so is sending after close.
    let mut server = conn(Role::Server, Config::default());
    assert!(server.send_header_only(Opcode::Ping, 1).is_err());
    server.close(Some(1000), "").unwrap();
    assert!(server.send_header_only(Opcode::Binary, 1).is_err());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn deferred_close_lets_replies_to_the_chunk_go_first() {
    // A client's "hi" and its Close 1000 in one chunk (Autobahn 7.1.1 in one read).
    let mut client = conn(Role::Client, Config::default());
    client.send_text("hi").unwrap();
    client.close(Some(1000), "").unwrap();
    let wire = client.take_output();

    // Default: the Close reply is queued during receive; the echo can no longer be sent.
    let mut eager = conn(Role::Server, Config::default());
    let mut events = Vec::new();
    eager.receive(&wire, &mut events);
    assert!(!eager.can_send());
    assert!(eager.send_text("hi").is_err());

    // defer_close: the echo goes out before the Close, then nothing more.
    let mut server = conn(Role::Server, Config::default().with_defer_close(true));
    let mut events = Vec::new();
    server.receive(&wire, &mut events);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(server.output().is_empty(), "the Close is held back");
    assert!(
        !server.should_close_transport(),
        "not before the Close is out"
    );
    assert!(server.can_send());
    server.send_text("hi").unwrap();
    server.release_close();
    assert!(!server.can_send());
    assert!(server.send_text("late").is_err());
    assert!(server.should_close_transport());
    assert_eq!(
        server.take_output(),
        [0x81, 0x02, b'h', b'i', 0x88, 0x02, 0x03, 0xe8]
    );

    // A protocol error after a message (Autobahn 3.2 in one read): echo, then Close 1002.
    let mut client = conn(Role::Client, Config::default());
    client.send_text("ok").unwrap();
    let mut wire = client.take_output();
    wire.extend_from_slice(&[0xa1, 0x80, 0, 0, 0, 0]); // RSV2 set
    let mut server = conn(Role::Server, Config::default().with_defer_close(true));
    let mut events = Vec::new();
    server.receive(&wire, &mut events);
    assert!(matches!(events.last(), Some(Event::Error(_))));
    server.send_text("ok").unwrap();
    server.release_close();
    assert_eq!(
        server.take_output(),
        [0x81, 0x02, b'o', b'k', 0x88, 0x02, 0x03, 0xea]
    );

    // A Close alone in its chunk is answered at once, deferral or not.
    let mut client = conn(Role::Client, Config::default());
    client.close(Some(1000), "").unwrap();
    let mut server = conn(Role::Server, Config::default().with_defer_close(true));
    server.receive(&client.take_output(), &mut Vec::new());
    assert_eq!(server.take_output(), [0x88, 0x02, 0x03, 0xe8]);
}

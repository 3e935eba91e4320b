//! Sending a message in parts (RFC 6455 §5.4, RFC 7692 §7.2.1): any split of any message, with
//! or without permessage-deflate and fragment sizes, arrives as the same message, with control
//! frames allowed between parts; misuse is refused; buffers do not keep a large message's size.

use ws101::connection::{event_bytes, Config, Connection, Event, FixedMask, OUTPUT_KEEP};
use ws101::frame::{Opcode, Role};
use ws101::handshake::deflate::DeflateParams;
use ws101::Diagnostic;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

fn config(rng: &mut Rng, deflate: bool) -> Config {
    Config::default()
        .with_deflate(deflate.then(DeflateParams::default))
        .with_deflate_threshold([0, 1024][rng.below(2) as usize])
        .with_fragment_size([None, Some(1000)][rng.below(2) as usize])
}

fn receive_all(rx: &mut Connection, wire: &[u8]) -> Vec<Event> {
    let mut chunk = wire.to_vec();
    let mut events = vec![];
    rx.receive_in_place(&mut chunk, &mut events);
    for e in &mut events {
        e.make_owned(&chunk);
    }
    events
}

#[test]
fn any_split_arrives_as_the_same_message() {
    let mut rng = Rng(0xdead_beef_0bad_f00d);
    for round in 0..200 {
        let deflate = round % 2 == 0;
        let role = if round % 4 < 2 {
            Role::Client
        } else {
            Role::Server
        };
        let peer = if role == Role::Client {
            Role::Server
        } else {
            Role::Client
        };
        let mut tx = Connection::with_mask_source(
            role,
            config(&mut rng, deflate),
            Box::new(FixedMask([1, 2, 3, 4])),
        );
        let mut rx = Connection::new(peer, config(&mut rng, deflate));
        for _ in 0..3 {
            let text = rng.below(2) == 0;
            let len = [0, 10, 5000, 200_000][rng.below(4) as usize];
            let msg: Vec<u8> = if text {
                "héllo wörld €𝄞 ".repeat(len / 20 + 1).into_bytes()[..].to_vec()
            } else {
                rng.bytes(len)
            };
            let opcode = if text { Opcode::Text } else { Opcode::Binary };
            tx.begin_message(opcode, msg.len() as u64).unwrap();
            let mut at = 0;
            loop {
                let n = (1 + rng.below(70_000) as usize).min(msg.len() - at);
                let fin = at + n == msg.len();
                tx.send_message_part(&msg[at..at + n], fin).unwrap();
                at += n;
                if fin {
                    break;
                }
                if rng.below(4) == 0 {
                    tx.ping(b"between parts").unwrap();
                }
            }
            let events = receive_all(&mut rx, &tx.take_output());
            let data: Vec<&Event> = events
                .iter()
                .filter(|e| matches!(e, Event::Text { .. } | Event::Binary { .. }))
                .collect();
            assert_eq!(data.len(), 1, "round {round}: {events:?}");
            let payload = data[0].payload().unwrap().bytes(&[]).to_vec();
            assert_eq!(payload, msg, "round {round}");
            assert_eq!(matches!(data[0], Event::Text { .. }), text);
            assert!(events.iter().all(|e| !matches!(e, Event::Error(_))));
        }
    }
}

#[test]
fn misuse_is_refused() {
    let mut c = Connection::new(Role::Server, Config::default());
    assert_eq!(
        c.send_message_part(b"x", true).unwrap_err().code(),
        "message-in-progress"
    );
    c.begin_message(Opcode::Binary, 4).unwrap();
    assert_eq!(
        c.begin_message(Opcode::Binary, 4).unwrap_err().code(),
        "message-in-progress"
    );
    assert_eq!(
        c.send_binary(b"whole").unwrap_err().code(),
        "message-in-progress"
    );
    assert_eq!(
        c.send_message_part(b"12345", false).unwrap_err().code(),
        "message-length-mismatch"
    );
    assert_eq!(
        c.send_message_part(b"12", true).unwrap_err().code(),
        "message-length-mismatch"
    );
    c.send_message_part(b"12", false).unwrap();
    c.send_message_part(b"34", true).unwrap();
    // Uncompressed: one frame, its header announced up front.
    assert_eq!(c.take_output(), b"\x82\x041234");
    assert_eq!(
        c.begin_message(Opcode::Ping, 1).unwrap_err().code(),
        "not-a-data-opcode"
    );

    // Invalid UTF-8 in a later part: nothing of that part is written, and the unfinished
    // message means no more data can follow it.
    let mut c = Connection::new(Role::Server, Config::default());
    c.begin_message(Opcode::Text, 6).unwrap();
    c.send_message_part("é".as_bytes(), false).unwrap();
    let e = c.send_message_part(b"\xff\xfe\xfd\xfc", true).unwrap_err();
    assert_eq!((e.code(), e.offset()), ("send-invalid-utf8", Some(2)));
    assert!(!c.can_send());
    assert_eq!(c.take_output(), b"\x81\x06\xc3\xa9");
}

#[test]
fn a_refused_part_leaves_the_text_check_as_it_was() {
    // Found by fuzzing: a refused part had advanced the UTF-8 check, so "\xc3" then "AB"
    // passed after a refused "\xa9..." and the peer failed on our output.
    let mut c = Connection::new(Role::Server, Config::default());
    c.begin_message(Opcode::Text, 3).unwrap();
    c.send_message_part(b"\xc3", false).unwrap();
    let e = c.send_message_part(b"\xa9\xa9\xa9", true).unwrap_err();
    assert_eq!(e.code(), "message-length-mismatch");
    let e = c.send_message_part(b"AB", true).unwrap_err();
    assert_eq!(e.code(), "send-invalid-utf8");
}

#[test]
fn control_frames_wait_for_a_streamed_frame_to_end() {
    let mut c = Connection::new(Role::Server, Config::default());
    c.begin_message(Opcode::Binary, 4).unwrap();
    c.send_message_part(b"12", false).unwrap();
    c.ping(b"p").unwrap();
    // A ping from the peer meanwhile: its pong waits too.
    let mut ping = vec![];
    ws101::frame::encode_frame(
        &mut ping,
        Opcode::Ping,
        true,
        false,
        b"q",
        Some([1, 2, 3, 4]),
    );
    let mut events = vec![];
    c.receive_in_place(&mut ping, &mut events);
    assert_eq!(c.output(), b"\x82\x0412");
    c.send_message_part(b"34", true).unwrap();
    // The pong owed (only the latest) first, then our own control frames in order.
    assert_eq!(c.take_output(), b"\x82\x041234\x8a\x01q\x89\x01p");
    // Compressed messages are framed part by part, so control frames go between fragments.
    let deflate = Config::default()
        .with_deflate(Some(DeflateParams::default()))
        .with_deflate_threshold(0);
    let mut c = Connection::new(Role::Server, deflate);
    c.begin_message(Opcode::Text, 2).unwrap();
    c.send_message_part(b"a", false).unwrap();
    c.ping(b"p").unwrap();
    c.send_message_part(b"b", true).unwrap();
    let out = c.take_output();
    assert_eq!(out[0], 0x41, "first fragment: RSV1, text, no FIN");
    assert!(out.windows(3).any(|w| w == b"\x89\x01p"));
}

#[test]
fn a_close_during_a_streamed_frame_waits_for_its_end() {
    // Found in review: the peer's Close (answered, so our state is Closed) arrives while a
    // frame is half sent: the frame is still finished, then our Close follows.
    let mut c = Connection::new(Role::Server, Config::default());
    c.begin_message(Opcode::Binary, 4).unwrap();
    c.send_message_part(b"12", false).unwrap();
    let mut close = vec![];
    ws101::frame::encode_frame(
        &mut close,
        Opcode::Close,
        true,
        false,
        b"\x03\xe8",
        Some([1, 2, 3, 4]),
    );
    let mut events = vec![];
    c.receive_in_place(&mut close, &mut events);
    assert!(!c.should_close_transport(), "not before the frame is whole");
    for _ in 0..1000 {
        // A ping flood meanwhile keeps one pong, not a thousand.
        let mut ping = vec![];
        ws101::frame::encode_frame(
            &mut ping,
            Opcode::Ping,
            true,
            false,
            b"p",
            Some([1, 2, 3, 4]),
        );
        c.receive_in_place(&mut ping, &mut events);
    }
    c.send_message_part(b"34", true).unwrap();
    assert_eq!(c.take_output(), b"\x82\x041234\x88\x02\x03\xe8");
    assert!(c.should_close_transport());

    // With defer_close, a Close released mid-frame goes after the frame too.
    let mut c = Connection::new(Role::Server, Config::default().with_defer_close(true));
    let mut wire = vec![];
    ws101::frame::encode_frame(
        &mut wire,
        Opcode::Binary,
        true,
        false,
        b"hi",
        Some([1, 2, 3, 4]),
    );
    ws101::frame::encode_frame(
        &mut wire,
        Opcode::Close,
        true,
        false,
        b"\x03\xe8",
        Some([1, 2, 3, 4]),
    );
    c.receive_in_place(&mut wire, &mut events);
    c.begin_message(Opcode::Binary, 2).unwrap();
    c.send_message_part(b"a", false).unwrap();
    c.release_close();
    c.send_message_part(b"b", true).unwrap();
    assert_eq!(c.take_output(), b"\x82\x02ab\x88\x02\x03\xe8");
}

#[test]
fn buffers_do_not_keep_a_large_message() {
    let mut c = Connection::new(Role::Client, Config::default());
    c.send_binary(&vec![7; 4 << 20]).unwrap();
    let n = c.output().len();
    c.consume_output(n);
    c.send_binary(b"small").unwrap();
    let n = c.output().len();
    c.consume_output(n);
    assert!(c.output().is_empty());
    // Measured through a send after the large one: the buffer was released, not reused.
    c.send_binary(&[1; 10]).unwrap();
    assert!(c.output().len() < OUTPUT_KEEP);
}

/// `send_in_place` frames a whole message where it lies: the same bytes `send_binary` /
/// `send_text_bytes` write (RFC 6455 §5.2, §5.3), or nothing when it must not.
#[test]
fn in_place_framing_equals_the_appending_encoder() {
    const ROOM: usize = ws101::frame::MAX_HEADER_LEN;
    for role in [Role::Client, Role::Server] {
        for len in [0usize, 1, 125, 126, 65535, 65536, 70000] {
            for opcode in [Opcode::Binary, Opcode::Text] {
                let payload: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                let mask = || Box::new(FixedMask([0x37, 0xfa, 0x21, 0x3d]));
                let mut appending = Connection::with_mask_source(role, Config::default(), mask());
                match opcode {
                    Opcode::Binary => appending.send_binary(&payload).unwrap(),
                    _ => appending.send_text_bytes(&payload).unwrap(),
                }
                let mut in_place = Connection::with_mask_source(role, Config::default(), mask());
                let mut buf = vec![0u8; ROOM];
                buf.extend_from_slice(&payload);
                let start = in_place
                    .send_in_place(opcode, &mut buf, ROOM)
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    &buf[start..],
                    appending.output(),
                    "{role:?} {opcode:?} {len}"
                );
                assert!(in_place.output().is_empty());
            }
        }
    }
    let mut buf = vec![0u8; ROOM + 3];
    buf[ROOM..].copy_from_slice(&[b'o', b'k', 0xff]);
    let mut c = Connection::new(Role::Client, Config::default());
    let e = c.send_in_place(Opcode::Text, &mut buf, ROOM).unwrap_err();
    assert_eq!((e.code(), e.offset()), ("send-invalid-utf8", Some(2)));
    // Not one plain frame, output waiting, or too little room: nothing is done.
    let deflating = Config::default().with_deflate(Some(DeflateParams::default()));
    let fragmenting = Config::default().with_fragment_size(Some(1));
    for config in [deflating.with_deflate_threshold(0), fragmenting] {
        let mut c = Connection::new(Role::Client, config);
        assert_eq!(c.send_in_place(Opcode::Binary, &mut buf, ROOM), Ok(None));
        assert!(c.output().is_empty());
    }
    let mut c = Connection::new(Role::Server, Config::default());
    c.ping(b"p").unwrap();
    let waiting = c.output().to_vec();
    assert_eq!(c.send_in_place(Opcode::Binary, &mut buf, ROOM), Ok(None));
    assert_eq!(c.output(), waiting);
    let mut c = Connection::new(Role::Client, Config::default());
    assert_eq!(c.send_in_place(Opcode::Binary, &mut buf, 5), Ok(None));
    c.close(Some(1000), "").unwrap();
    let e = c.send_in_place(Opcode::Binary, &mut buf, ROOM).unwrap_err();
    assert_eq!(e.code(), "already-closed");
}

#[test]
fn parts_framed_in_place_equal_the_appending_parts() {
    const ROOM: usize = ws101::frame::MAX_HEADER_LEN;
    let mut rng = Rng(0x005e_ed0f_9a75);
    for round in 0..60 {
        let role = [Role::Client, Role::Server][round % 2];
        let opcode = [Opcode::Binary, Opcode::Text][round / 2 % 2];
        let len = [1usize, 125, 126, 65536, 200_000][rng.below(5) as usize];
        let msg: Vec<u8> = match opcode {
            Opcode::Text => "héllo wörld €𝄞 ".repeat(len / 20 + 1).into_bytes(),
            _ => rng.bytes(len),
        };
        let mask = || Box::new(FixedMask([0x37, 0xfa, 0x21, 0x3d]));
        let mut appending = Connection::with_mask_source(role, Config::default(), mask());
        let mut in_place = Connection::with_mask_source(role, Config::default(), mask());
        appending.begin_message(opcode, msg.len() as u64).unwrap();
        in_place.begin_message(opcode, msg.len() as u64).unwrap();
        let (mut at, mut wire) = (0, Vec::new());
        while at < msg.len() {
            // Parts of any size, a code point may be cut between them (odd key phases too).
            let n = (1 + rng.below(70_000) as usize).min(msg.len() - at);
            let fin = at + n == msg.len();
            appending.send_message_part(&msg[at..at + n], fin).unwrap();
            let mut buf = vec![0u8; ROOM];
            buf.extend_from_slice(&msg[at..at + n]);
            let start = in_place.send_part_in_place(&mut buf, ROOM, fin).unwrap();
            let start = start.expect("one plain frame is framed in place");
            assert_eq!(start == ROOM, at > 0, "a header before the first part only");
            wire.extend_from_slice(&buf[start..]);
            assert!(in_place.output().is_empty());
            at += n;
        }
        assert_eq!(
            wire,
            appending.take_output(),
            "round {round} {role:?} {opcode:?} {len}"
        );
        // The message is done: the next one may begin.
        in_place.send_binary(b"next").unwrap();
    }
}

#[test]
fn parts_in_place_refuse_as_parts_do_and_leave_other_framings_alone() {
    const ROOM: usize = ws101::frame::MAX_HEADER_LEN;
    let part = |bytes: &[u8]| {
        let mut buf = vec![0u8; ROOM];
        buf.extend_from_slice(bytes);
        buf
    };
    // No message begun.
    let mut c = Connection::new(Role::Client, Config::default());
    let e = c
        .send_part_in_place(&mut part(b"x"), ROOM, true)
        .unwrap_err();
    assert_eq!(
        e.code(),
        Diagnostic::code(&ws101::connection::UsageError::MessageInProgress)
    );
    // Longer than announced; text that is not UTF-8 (nothing written, the message goes on).
    c.begin_message(Opcode::Text, 4).unwrap();
    let e = c
        .send_part_in_place(&mut part(b"toolong"), ROOM, true)
        .unwrap_err();
    assert_eq!(e.code(), "message-length-mismatch");
    let e = c
        .send_part_in_place(&mut part(&[b'o', 0xff]), ROOM, false)
        .unwrap_err();
    assert_eq!((e.code(), e.offset()), ("send-invalid-utf8", Some(1)));
    assert!(c.output().is_empty());
    let mut buf = part(b"ok");
    assert_eq!(
        c.send_part_in_place(&mut buf, 5, false),
        Ok(None),
        "no room for the header"
    );
    assert_eq!(
        c.send_part_in_place(&mut buf, ROOM, false),
        Ok(Some(ROOM - 6))
    );
    // The last part completes it; a short final part is refused.
    let e = c
        .send_part_in_place(&mut part(b"!"), ROOM, true)
        .unwrap_err();
    assert_eq!(e.code(), "message-length-mismatch");
    assert_eq!(
        c.send_part_in_place(&mut part(b"!!"), ROOM, true),
        Ok(Some(ROOM))
    );
    // Compressed or split messages go part by part through the output: nothing done here.
    let deflating = Config::default()
        .with_deflate(Some(DeflateParams::default()))
        .with_deflate_threshold(0);
    for config in [deflating, Config::default().with_fragment_size(Some(1))] {
        let mut c = Connection::new(Role::Client, config);
        c.begin_message(Opcode::Binary, 3).unwrap();
        assert_eq!(
            c.send_part_in_place(&mut part(b"abc"), ROOM, true),
            Ok(None)
        );
        assert!(c.output().is_empty());
        c.send_message_part(b"abc", true).unwrap();
        assert!(!c.output().is_empty());
    }
}

/// A message begun without a length (a fragmented message, RFC 6455 §5.4): each part is frames
/// of its own, the first with the opcode, later ones continuations, FIN on the final part;
/// control frames go out between parts; the peer reassembles the message. With
/// permessage-deflate the first part's length decides compression (RSV1 on the first frame
/// only, RFC 7692 §6).
#[test]
fn an_open_ended_message_goes_out_part_by_part() {
    let mut server = Connection::new(Role::Server, Config::default());
    assert!(!server.message_in_progress());
    server.begin_open_message(Opcode::Text, 4).unwrap();
    assert!(server.message_in_progress());
    server.send_message_part(b"frag", false).unwrap();
    server.ping(b"").unwrap();
    server.send_message_part(b"", false).unwrap();
    assert!(server.message_in_progress());
    server.send_message_part(b"ment", true).unwrap();
    assert!(!server.message_in_progress(), "the final part ends it");
    assert_eq!(
        server.take_output(),
        b"\x01\x04frag\x89\x00\x00\x00\x80\x04ment",
        "text without FIN, a ping between the frames, the empty non-final part an empty continuation (a fragment the caller gave, as ws sends it), a final continuation"
    );
    // A whole message may follow.
    server.send_text("next").unwrap();
    assert_eq!(server.take_output(), b"\x81\x04next");

    let mut client = Connection::new(Role::Client, Config::default());
    let mut events = Vec::new();
    let wire = b"\x01\x04frag\x89\x00\x80\x04ment";
    client.receive(wire, &mut events);
    let texts: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Text { .. } => Some(event_bytes(e, wire).to_vec()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, [b"fragment".to_vec()]);

    // Text parts must stay UTF-8 across parts; a code point may be split between them.
    let mut server = Connection::new(Role::Server, Config::default());
    server.begin_open_message(Opcode::Text, 1).unwrap();
    server.send_message_part(&[0xc3], false).unwrap();
    server.send_message_part(&[0xa9], true).unwrap();
    assert_eq!(server.take_output(), b"\x01\x01\xc3\x80\x01\xa9");

    // A later part refused while the message stays whole (the peer's Close came in) leaves it
    // waiting; one whose text is no longer UTF-8 gives it up.
    let mut server = Connection::new(Role::Server, Config::default());
    server.begin_open_message(Opcode::Text, 1).unwrap();
    server.send_message_part(b"a", false).unwrap();
    server.receive(b"\x88\x82\0\0\0\0\x03\xe8", &mut Vec::new());
    assert!(server.send_message_part(b"b", false).is_err());
    assert!(server.message_in_progress());
    let mut server = Connection::new(Role::Server, Config::default());
    server.begin_open_message(Opcode::Text, 1).unwrap();
    server.send_message_part(b"a", false).unwrap();
    assert!(server.send_message_part(&[0xff], false).is_err());
    assert!(!server.message_in_progress());
    assert!(!server.can_send());

    let deflate = DeflateParams {
        server_no_context_takeover: false,
        client_no_context_takeover: false,
        server_max_window_bits: 15,
        client_max_window_bits: 15,
    };
    let mut server = Connection::new(
        Role::Server,
        Config::default()
            .with_deflate(Some(deflate))
            .with_deflate_threshold(4),
    );
    server.begin_open_message(Opcode::Binary, 8).unwrap();
    server.send_message_part(b"compress", false).unwrap();
    server.send_message_part(b"compress", true).unwrap();
    let out = server.take_output();
    assert_eq!(out[0], 0x42, "binary, RSV1, no FIN");
    let second = 2 + out[1] as usize;
    assert_eq!(out[second], 0x80, "a final continuation without RSV1");
    server.begin_open_message(Opcode::Binary, 3).unwrap();
    server.send_message_part(b"abc", true).unwrap();
    assert_eq!(
        server.take_output(),
        b"\x82\x03abc",
        "below the threshold: plain"
    );
}

//! Text that ends inside a code point is refused (RFC 6455 §8.1), and the error points at the
//! first byte of that unfinished code point, wherever the message was cut: when sending a
//! message in parts, and when an inflated message (RFC 7692 §7.2.2) ends inside one.

use ws101::connection::{Config, Connection, Event, ProtocolError, UsageError};
use ws101::deflate::{DeflateError, Deflater, DirectionParams};
use ws101::frame::{encode_frame, Opcode, Role};
use ws101::handshake::deflate::DeflateParams;

/// "ab" then the first two bytes of "€" (E2 82 AC): the cut code point starts at index 2.
const CUT: &[u8] = &[b'a', b'b', 0xE2, 0x82];

#[test]
fn a_part_ending_inside_a_code_point_names_where_it_starts() {
    // Split so the unfinished code point spans the two parts, and so it lies in the last one.
    for split in [1, 2, 3] {
        let mut c = Connection::new(Role::Client, Config::default());
        c.begin_message(Opcode::Text, CUT.len() as u64).unwrap();
        c.send_message_part(&CUT[..split], false).unwrap();
        let err = c.send_message_part(&CUT[split..], true).unwrap_err();
        assert_eq!(
            err,
            UsageError::InvalidUtf8 { offset: 2 },
            "split at {split}"
        );
    }
}

#[test]
fn an_inflated_text_ending_inside_a_code_point_names_where_it_starts() {
    let mut z = vec![];
    let params = DirectionParams {
        no_context_takeover: true,
        max_window_bits: 15,
    };
    Deflater::new(params, 6).compress(CUT, &mut z).unwrap();
    let mut wire = vec![];
    encode_frame(&mut wire, Opcode::Text, true, true, &z, Some([1, 2, 3, 4]));
    let config = Config::default()
        .with_streaming(true)
        .with_deflate(Some(DeflateParams::default()));
    let mut server = Connection::new(Role::Server, config);
    let mut events = vec![];
    server.receive_in_place(&mut wire, &mut events);
    let error = events.iter().find_map(|e| match e {
        Event::Error(ProtocolError::Deflate(e)) => Some(e.clone()),
        _ => None,
    });
    match error {
        Some(DeflateError::InvalidUtf8 { index, .. }) => assert_eq!(index, 2),
        other => {
            panic!("expected invalid-utf8 from the inflated text, got {other:?} in {events:?}")
        }
    }
}

//! Table-driven wire vectors (RFC 6455 §5–§8): each one is replayed whole, one byte at a time
//! and split in two at every offset, and must give the same events, the same error code, close
//! code and offset, and the same output bytes every time.

use ws101::connection::{Config, Connection, Event, FixedMask};
use ws101::frame::{encode_frame, Opcode, Role};
use ws101::message::Payload;
use ws101::Diagnostic;

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, String, bool),
    /// code(), close_code()
    Error(&'static str, u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    events: Vec<Ev>,
    offsets: Vec<Option<u64>>,
    output: Vec<u8>,
}

fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| b.is_ascii_hexdigit()).collect();
    assert!(digits.len() % 2 == 0, "odd hex: {s}");
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

fn convert(event: &Event, chunk: &[u8]) -> (Ev, Option<u64>) {
    let bytes = |p: &Payload| p.bytes(chunk).to_vec();
    match event {
        Event::Text {
            payload,
            compressed: false,
        } => (
            Ev::Text(String::from_utf8(bytes(payload)).expect("validated")),
            None,
        ),
        Event::Binary { payload, .. } => (Ev::Binary(bytes(payload)), None),
        Event::Ping(p) => (Ev::Ping(bytes(p)), None),
        Event::Pong(p) => (Ev::Pong(bytes(p)), None),
        Event::Close {
            code,
            reason,
            was_clean,
        } => (Ev::Close(*code, reason.clone(), *was_clean), None),
        Event::Error(e) => (Ev::Error(e.code(), e.close_code().unwrap()), e.offset()),
        other => panic!("unexpected {other:?}"),
    }
}

/// Feeds `input` cut at `cuts` through `receive_in_place`, each chunk in its own buffer.
fn run(role: Role, config: &Config, input: &[u8], cuts: &[usize]) -> Run {
    let mut conn = Connection::with_mask_source(role, config.clone(), Box::new(FixedMask(KEY)));
    let mut result = Run {
        events: vec![],
        offsets: vec![],
        output: vec![],
    };
    let mut last = 0;
    let mut out = Vec::new();
    for &cut in cuts.iter().chain(std::iter::once(&input.len())) {
        let mut chunk = input[last..cut].to_vec();
        out.clear();
        conn.receive_in_place(&mut chunk, &mut out);
        for event in &out {
            let (ev, offset) = convert(event, &chunk);
            result.events.push(ev);
            result.offsets.push(offset);
        }
        last = cut;
    }
    result.output = conn.take_output();
    result
}

/// The whole harness: whole, byte by byte, split at every offset, and the copying `receive`.
fn replay(role: Role, config: &Config, input: &[u8]) -> Run {
    let whole = run(role, config, input, &[]);
    let bytewise: Vec<usize> = (1..input.len()).collect();
    assert_eq!(run(role, config, input, &bytewise), whole, "byte by byte");
    for cut in 0..=input.len() {
        assert_eq!(run(role, config, input, &[cut]), whole, "split at {cut}");
    }
    // The copying convenience gives the same events.
    let mut conn = Connection::with_mask_source(role, config.clone(), Box::new(FixedMask(KEY)));
    let mut out = vec![];
    conn.receive(input, &mut out);
    let events: Vec<Ev> = out.iter().map(|e| convert(e, &[]).0).collect();
    assert_eq!(events, whole.events, "receive()");
    whole
}

/// The close frame we must have queued for a failure with `close_code`.
fn close_frame(role: Role, close_code: u16) -> Vec<u8> {
    let mut out = vec![];
    let mask = (role == Role::Client).then_some(KEY);
    encode_frame(
        &mut out,
        Opcode::Close,
        true,
        false,
        &close_code.to_be_bytes(),
        mask,
    );
    out
}

struct Vector {
    name: &'static str,
    role: Role,
    config: Config,
    input: Vec<u8>,
    expect: Vec<Ev>,
    /// Expected output; `None` = empty, or for an error the close frame it implies.
    output: Option<Vec<u8>>,
}

fn v(name: &'static str, role: Role, input: &str, expect: Vec<Ev>) -> Vector {
    Vector {
        name,
        role,
        config: Config::default(),
        input: hex(input),
        expect,
        output: None,
    }
}

fn text(s: &str) -> Ev {
    Ev::Text(s.into())
}

fn err(code: &'static str, close: u16) -> Ev {
    Ev::Error(code, close)
}

use Role::{Client, Server};

fn vectors() -> Vec<Vector> {
    let mut big256 = hex("82 7E 0100");
    big256.extend((0..256).map(|i| i as u8));
    let mut big64k = hex("82 7F 0000000000010000");
    big64k.extend((0..65536).map(|i| (i * 7) as u8));
    let mut control126 = hex("89 7E 007E");
    control126.extend([0u8; 126]);
    let small = Config::default().with_max_message_size(10);
    let mut table = vec![
        // RFC 6455 §5.7 examples.
        v(
            "rfc single-frame unmasked text",
            Client,
            "81 05 48 65 6c 6c 6f",
            vec![text("Hello")],
        ),
        v(
            "rfc masked text",
            Server,
            "81 85 37 fa 21 3d 7f 9f 4d 51 58",
            vec![text("Hello")],
        ),
        v(
            "rfc fragmented unmasked text",
            Client,
            "01 03 48 65 6c 80 02 6c 6f",
            vec![text("Hello")],
        ),
        Vector {
            // The auto-pong a client sends is the RFC's masked pong example.
            output: Some(hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58")),
            ..v(
                "rfc unmasked ping",
                Client,
                "89 05 48 65 6c 6c 6f",
                vec![Ev::Ping(b"Hello".to_vec())],
            )
        },
        v(
            "rfc masked pong",
            Server,
            "8a 85 37 fa 21 3d 7f 9f 4d 51 58",
            vec![Ev::Pong(b"Hello".to_vec())],
        ),
        Vector {
            input: big256.clone(),
            ..v(
                "rfc 256 bytes binary",
                Client,
                "",
                vec![Ev::Binary((0..256).map(|i| i as u8).collect())],
            )
        },
        Vector {
            input: big64k.clone(),
            ..v(
                "rfc 64 KiB binary",
                Client,
                "",
                vec![Ev::Binary((0..65536).map(|i| (i * 7) as u8).collect())],
            )
        },
        // Messages.
        v("empty text", Client, "81 00", vec![text("")]),
        v("empty binary", Client, "82 00", vec![Ev::Binary(vec![])]),
        v(
            "two messages",
            Client,
            "81 01 41 82 02 01 02",
            vec![text("A"), Ev::Binary(vec![1, 2])],
        ),
        Vector {
            output: Some(hex("8a 80 37 fa 21 3d")),
            ..v(
                "ping inside fragmented message",
                Client,
                "01 03 48 65 6c 89 00 80 02 6c 6f",
                vec![Ev::Ping(vec![]), text("Hello")],
            )
        },
        v(
            "empty fragments",
            Client,
            "01 00 00 00 00 01 41 80 00",
            vec![text("A")],
        ),
        v(
            "code point split across fragments",
            Client,
            "01 01 e2 00 01 82 80 01 ac",
            vec![text("€")],
        ),
        v(
            "4-byte code point",
            Client,
            "81 04 f0 9d 84 9e",
            vec![text("𝄞")],
        ),
        Vector {
            output: Some(hex("88 85 37 fa 21 3d 34 12 43 44 52")), // echo 1000 "bye", masked
            ..v(
                "close 1000 bye",
                Client,
                "88 05 03 e8 62 79 65",
                vec![Ev::Close(Some(1000), "bye".into(), true)],
            )
        },
        Vector {
            output: Some(hex("88 80 37 fa 21 3d")),
            ..v(
                "close without body",
                Client,
                "88 00",
                vec![Ev::Close(None, String::new(), true)],
            )
        },
        Vector {
            output: Some(hex("88 00")),
            ..v(
                "data after close is ignored",
                Server,
                "88 80 01 02 03 04 81 81 00 00 00 00 41",
                vec![Ev::Close(None, String::new(), true)],
            )
        },
        Vector {
            output: Some(hex("88 02 0b b8")),
            ..v(
                "close 3000",
                Server,
                "88 82 00 00 00 00 0b b8",
                vec![Ev::Close(Some(3000), String::new(), true)],
            )
        },
        Vector {
            output: Some(hex("88 02 13 87")),
            ..v(
                "close 4999",
                Server,
                "88 82 00 00 00 00 13 87",
                vec![Ev::Close(Some(4999), String::new(), true)],
            )
        },
        Vector {
            output: Some(hex("8a 05 48 65 6c 6c 6f")),
            ..v(
                "masked ping to server",
                Server,
                "89 85 37 fa 21 3d 7f 9f 4d 51 58",
                vec![Ev::Ping(b"Hello".to_vec())],
            )
        },
        // Frame errors (RFC 6455 §5.1, §5.2, §5.5).
        v(
            "reserved opcode 3",
            Client,
            "83 00",
            vec![err("reserved-opcode", 1002)],
        ),
        v(
            "reserved opcode 0xB",
            Client,
            "8b 00",
            vec![err("reserved-opcode", 1002)],
        ),
        v(
            "rsv1 without extension",
            Client,
            "c1 01 41",
            vec![err("reserved-bits", 1002)],
        ),
        v("rsv2", Client, "a1 00", vec![err("reserved-bits", 1002)]),
        v("rsv3", Client, "91 00", vec![err("reserved-bits", 1002)]),
        v(
            "unmasked frame to server",
            Server,
            "81 01 41",
            vec![err("unmasked-frame", 1002)],
        ),
        v(
            "masked frame to client",
            Client,
            "81 81 00 00 00 00 41",
            vec![err("masked-frame", 1002)],
        ),
        Vector {
            input: control126,
            ..v(
                "control frame of 126 bytes",
                Client,
                "",
                vec![err("control-frame-too-long", 1002)],
            )
        },
        v(
            "fragmented ping",
            Client,
            "09 00",
            vec![err("fragmented-control-frame", 1002)],
        ),
        v(
            "fragmented close",
            Client,
            "08 00",
            vec![err("fragmented-control-frame", 1002)],
        ),
        v(
            "non-minimal 16-bit length",
            Client,
            "82 7E 00 05 0102030405",
            vec![err("non-minimal-length", 1002)],
        ),
        v(
            "non-minimal 64-bit length",
            Client,
            "82 7F 00 00 00 00 00 00 FF FF",
            vec![err("non-minimal-length", 1002)],
        ),
        v(
            "length 2^63",
            Client,
            "82 7F 80 00 00 00 00 00 00 00",
            vec![err("length-msb-set", 1002)],
        ),
        v(
            "length 2^63-1",
            Client,
            "82 7F 7F FF FF FF FF FF FF FF",
            vec![err("frame-too-large", 1009)],
        ),
        // Message errors (RFC 6455 §5.4, §5.5.1, §8.1, §10.4).
        v(
            "continuation without start",
            Client,
            "80 01 41",
            vec![err("unexpected-continuation", 1002)],
        ),
        v(
            "text inside fragmented message",
            Client,
            "01 01 41 81 01 42",
            vec![err("expected-continuation", 1002)],
        ),
        v(
            "binary inside fragmented message",
            Client,
            "01 01 41 02 01 42",
            vec![err("expected-continuation", 1002)],
        ),
        v(
            "invalid utf8",
            Client,
            "81 02 c3 28",
            vec![err("invalid-utf8", 1007)],
        ),
        v(
            "overlong utf8",
            Client,
            "81 02 c0 af",
            vec![err("invalid-utf8", 1007)],
        ),
        v(
            "surrogate utf8",
            Client,
            "81 03 ed a0 80",
            vec![err("invalid-utf8", 1007)],
        ),
        v(
            "above U+10FFFF",
            Client,
            "81 04 f4 90 80 80",
            vec![err("invalid-utf8", 1007)],
        ),
        v(
            "truncated code point at end",
            Client,
            "81 01 e2",
            vec![err("invalid-utf8", 1007)],
        ),
        v(
            "truncated code point over fragments",
            Client,
            "01 01 e2 80 01 82",
            vec![err("invalid-utf8", 1007)],
        ),
        // The final fragment never arrives: the bad middle fragment is enough.
        v(
            "invalid utf8 in a middle fragment",
            Client,
            "01 02 41 42 00 02 ff 41",
            vec![err("invalid-utf8", 1007)],
        ),
        // Bad byte in the first half of a frame whose second half never arrives.
        v(
            "invalid utf8 before the frame ends",
            Client,
            "81 05 41 ff",
            vec![err("invalid-utf8", 1007)],
        ),
        v(
            "close with one byte",
            Client,
            "88 01 03",
            vec![err("bad-close-payload", 1002)],
        ),
        v(
            "close 999",
            Client,
            "88 02 03 e7",
            vec![err("invalid-close-code", 1002)],
        ),
        v(
            "close 1004",
            Client,
            "88 02 03 ec",
            vec![err("invalid-close-code", 1002)],
        ),
        v(
            "close 1005",
            Client,
            "88 02 03 ed",
            vec![err("invalid-close-code", 1002)],
        ),
        v(
            "close 1006",
            Client,
            "88 02 03 ee",
            vec![err("invalid-close-code", 1002)],
        ),
        v(
            "close 1015",
            Client,
            "88 02 03 f7",
            vec![err("invalid-close-code", 1002)],
        ),
        v(
            "close 2999",
            Client,
            "88 02 0b b7",
            vec![err("invalid-close-code", 1002)],
        ),
        v(
            "close 5000",
            Client,
            "88 02 13 88",
            vec![err("invalid-close-code", 1002)],
        ),
        v(
            "close reason not utf8",
            Client,
            "88 04 03 e8 ff fe",
            vec![err("invalid-close-reason", 1007)],
        ),
        v(
            "events before an error are kept",
            Client,
            "81 01 41 83 00 81 01 42",
            vec![text("A"), err("reserved-opcode", 1002)],
        ),
        // Limits, checked from the header before the payload arrives.
        Vector {
            config: small.clone(),
            ..v(
                "single frame over max message, header only",
                Client,
                "82 0B",
                vec![err("message-too-large", 1009)],
            )
        },
        Vector {
            config: small.clone(),
            ..v(
                "fragments summing over max message",
                Client,
                "01 06 41 41 41 41 41 41 80 05",
                vec![err("message-too-large", 1009)],
            )
        },
        Vector {
            config: small.clone(),
            ..v(
                "exactly max message",
                Client,
                "01 05 4141414141 80 05 4141414141",
                vec![text("AAAAAAAAAA")],
            )
        },
        Vector {
            config: Config::default().with_max_frame_size(4),
            ..v(
                "frame over max frame",
                Client,
                "82 05",
                vec![err("frame-too-large", 1009)],
            )
        },
        // RSV1 hook for permessage-deflate (RFC 7692 §6).
        Vector {
            config: Config::default().with_rsv1_allowed(true),
            ..v(
                "rsv1 on continuation with extension",
                Client,
                "41 01 41 c0 01 41",
                vec![err("reserved-bits", 1002)],
            )
        },
        Vector {
            config: Config::default().with_rsv1_allowed(true),
            ..v(
                "rsv1 on ping with extension",
                Client,
                "c9 00",
                vec![err("reserved-bits", 1002)],
            )
        },
    ];
    for vector in &mut table {
        if vector.output.is_none() {
            if let Some(Ev::Error(_, close)) = vector.expect.last() {
                vector.output = Some(close_frame(vector.role, *close));
            }
        }
    }
    table
}

/// Replays the vector called `name` and checks its events and output.
fn check(name: &str) {
    let vector = vectors()
        .into_iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no vector {name:?}"));
    let whole = replay(vector.role, &vector.config, &vector.input);
    assert_eq!(whole.events, vector.expect, "vector {name:?}");
    assert_eq!(
        whole.output,
        vector.output.unwrap_or_default(),
        "output of {name:?}"
    );
}

/// One test per vector (a failure names it and hides no other), and a test that the list of
/// tests covers the whole table.
macro_rules! vector_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[cfg_attr(not(target_arch = "wasm32"), test)]
            #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
            fn $test() {
                check($name);
            }
        )*

        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn every_vector_has_its_test() {
            let tested = [$($name),*];
            let table: Vec<&str> = vectors().iter().map(|v| v.name).collect();
            assert_eq!(table, tested);
        }
    };
}

vector_tests! {
    rfc_single_frame_unmasked_text => "rfc single-frame unmasked text",
    rfc_masked_text => "rfc masked text",
    rfc_fragmented_unmasked_text => "rfc fragmented unmasked text",
    rfc_unmasked_ping => "rfc unmasked ping",
    rfc_masked_pong => "rfc masked pong",
    rfc_256_bytes_binary => "rfc 256 bytes binary",
    rfc_64_kib_binary => "rfc 64 KiB binary",
    empty_text => "empty text",
    empty_binary => "empty binary",
    two_messages => "two messages",
    ping_inside_fragmented_message => "ping inside fragmented message",
    empty_fragments => "empty fragments",
    code_point_split_across_fragments => "code point split across fragments",
    v_4_byte_code_point => "4-byte code point",
    close_1000_bye => "close 1000 bye",
    close_without_body => "close without body",
    data_after_close_is_ignored => "data after close is ignored",
    close_3000 => "close 3000",
    close_4999 => "close 4999",
    masked_ping_to_server => "masked ping to server",
    reserved_opcode_3 => "reserved opcode 3",
    reserved_opcode_0xb => "reserved opcode 0xB",
    rsv1_without_extension => "rsv1 without extension",
    rsv2 => "rsv2",
    rsv3 => "rsv3",
    unmasked_frame_to_server => "unmasked frame to server",
    masked_frame_to_client => "masked frame to client",
    control_frame_of_126_bytes => "control frame of 126 bytes",
    fragmented_ping => "fragmented ping",
    fragmented_close => "fragmented close",
    non_minimal_16_bit_length => "non-minimal 16-bit length",
    non_minimal_64_bit_length => "non-minimal 64-bit length",
    length_2_63 => "length 2^63",
    length_2_63_1 => "length 2^63-1",
    continuation_without_start => "continuation without start",
    text_inside_fragmented_message => "text inside fragmented message",
    binary_inside_fragmented_message => "binary inside fragmented message",
    invalid_utf8 => "invalid utf8",
    overlong_utf8 => "overlong utf8",
    surrogate_utf8 => "surrogate utf8",
    above_u_10ffff => "above U+10FFFF",
    truncated_code_point_at_end => "truncated code point at end",
    truncated_code_point_over_fragments => "truncated code point over fragments",
    invalid_utf8_in_a_middle_fragment => "invalid utf8 in a middle fragment",
    invalid_utf8_before_the_frame_ends => "invalid utf8 before the frame ends",
    close_with_one_byte => "close with one byte",
    close_999 => "close 999",
    close_1004 => "close 1004",
    close_1005 => "close 1005",
    close_1006 => "close 1006",
    close_1015 => "close 1015",
    close_2999 => "close 2999",
    close_5000 => "close 5000",
    close_reason_not_utf8 => "close reason not utf8",
    events_before_an_error_are_kept => "events before an error are kept",
    single_frame_over_max_message_header_only => "single frame over max message, header only",
    fragments_summing_over_max_message => "fragments summing over max message",
    exactly_max_message => "exactly max message",
    frame_over_max_frame => "frame over max frame",
    rsv1_on_continuation_with_extension => "rsv1 on continuation with extension",
    rsv1_on_ping_with_extension => "rsv1 on ping with extension",
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn compressed_messages_pass_through_with_the_flag() {
    // RSV1 on the first frame under permessage-deflate: reported compressed, not UTF-8-checked.
    let config = Config::default().with_rsv1_allowed(true);
    for cut in 0..=8 {
        let input = hex("41 02 ff fe 80 02 fd fc");
        let mut conn =
            Connection::with_mask_source(Client, config.clone(), Box::new(FixedMask(KEY)));
        let mut events = vec![];
        conn.receive(&input[..cut], &mut events);
        conn.receive(&input[cut..], &mut events);
        assert_eq!(
            events,
            vec![Event::Text {
                payload: Payload::Owned(vec![0xff, 0xfe, 0xfd, 0xfc]),
                compressed: true
            }]
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn error_offsets_point_at_the_fault() {
    let offsets = |role, input: &str| run(role, &Config::default(), &hex(input), &[]).offsets;
    // The frame with the reserved opcode starts at byte 3.
    assert_eq!(offsets(Client, "81 01 41 83 00"), vec![None, Some(3)]);
    // The 0xff is at stream offset 6 (second fragment's payload).
    assert_eq!(offsets(Client, "01 02 41 42 00 02 ff 41"), vec![Some(6)]);
    // A code point split over fragments and broken by 'x': the sequence starts at E2 (2).
    assert_eq!(offsets(Client, "01 01 e2 80 01 78"), vec![Some(2)]);
    // Truncated at the end of the message: E2 at offset 5.
    assert_eq!(offsets(Client, "01 01 41 80 01 e2"), vec![Some(5)]);
}

//! Property-style checks with a tiny deterministic PRNG: random valid streams split at random
//! points give the same events as the whole stream, and the in-place path is zero-copy for
//! whole frames inside a chunk.

use ws101::connection::{Config, Connection, Event, FixedMask};
use ws101::frame::{encode_frame, Opcode, Role};
use ws101::message::Payload;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    Text(Vec<u8>),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, String),
}

fn length(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0 => 0,
        1 => 125,
        2 => 126,
        3 => 65535 + rng.below(3) as usize,
        4..=6 => rng.below(20) as usize,
        _ => rng.below(2000) as usize,
    }
}

fn random_text(rng: &mut Rng, len: usize) -> Vec<u8> {
    let alphabet = ["a", "Z", " ", "é", "€", "𝄞", "ж"];
    let mut s = String::new();
    while s.len() < len {
        s.push_str(alphabet[rng.below(alphabet.len() as u64) as usize]);
    }
    s.into_bytes()
}

/// A random valid stream to `role` and the events it must produce.
fn stream(rng: &mut Rng, role: Role) -> (Vec<u8>, Vec<Ev>) {
    let mut wire = vec![];
    let mut expect = vec![];
    let frame = |wire: &mut Vec<u8>, rng: &mut Rng, op, fin, payload: &[u8]| {
        let mask = (role == Role::Server).then(|| {
            let k = rng.next().to_le_bytes();
            [k[0], k[1], k[2], k[3]]
        });
        encode_frame(wire, op, fin, false, payload, mask);
    };
    for _ in 0..rng.below(12) {
        let text = rng.below(2) == 0;
        let len = length(rng);
        let payload = if text {
            random_text(rng, len)
        } else {
            rng.bytes(len)
        };
        let op = if text { Opcode::Text } else { Opcode::Binary };
        let fragments = 1 + rng.below(4) as usize;
        // Cut anywhere, even inside a code point (RFC 6455 §5.4 allows it for text).
        let mut cuts: Vec<usize> = (1..fragments)
            .map(|_| rng.below(payload.len() as u64 + 1) as usize)
            .collect();
        cuts.sort_unstable();
        cuts.push(payload.len());
        let mut last = 0;
        for (i, &cut) in cuts.iter().enumerate() {
            let fop = if i == 0 { op } else { Opcode::Continuation };
            frame(
                &mut wire,
                rng,
                fop,
                i + 1 == cuts.len(),
                &payload[last..cut],
            );
            last = cut;
            if i + 1 < cuts.len() && rng.below(4) == 0 {
                // A control frame interleaved between fragments (RFC 6455 §5.4).
                let n = rng.below(126) as usize;
                let body = rng.bytes(n);
                if rng.below(2) == 0 {
                    frame(&mut wire, rng, Opcode::Ping, true, &body);
                    expect.push(Ev::Ping(body));
                } else {
                    frame(&mut wire, rng, Opcode::Pong, true, &body);
                    expect.push(Ev::Pong(body));
                }
            }
        }
        expect.push(if text {
            Ev::Text(payload)
        } else {
            Ev::Binary(payload)
        });
    }
    if rng.below(2) == 0 {
        frame(&mut wire, rng, Opcode::Close, true, b"\x03\xe8ok");
        expect.push(Ev::Close(Some(1000), "ok".into()));
        // Anything after the Close is ignored.
        frame(&mut wire, rng, Opcode::Text, true, b"ignored");
    }
    (wire, expect)
}

/// Joins streamed parts (RFC 6455 §5.4) into messages as a caller of `Config::streaming` does,
/// checking that every part of a message announces the same length and that an announced
/// length is the joined one (a caller allocates the message from it).
#[derive(Default)]
struct Joiner(Vec<u8>, Option<Option<u64>>);

impl Joiner {
    fn convert(&mut self, event: &Event, chunk: &[u8]) -> Option<Ev> {
        if let Event::Part {
            opcode,
            payload,
            fin,
            message_len,
            ..
        } = event
        {
            self.0.extend_from_slice(payload.bytes(chunk));
            let announced = *self.1.get_or_insert(*message_len);
            assert_eq!(
                announced, *message_len,
                "parts of one message announce different lengths"
            );
            if !fin {
                return None;
            }
            self.1 = None;
            let bytes = std::mem::take(&mut self.0);
            if let Some(len) = announced {
                assert_eq!(
                    len,
                    bytes.len() as u64,
                    "announced length != message length"
                );
            }
            return Some(if *opcode == Opcode::Text {
                Ev::Text(bytes)
            } else {
                Ev::Binary(bytes)
            });
        }
        Some(convert(event, chunk))
    }
}

fn convert(event: &Event, chunk: &[u8]) -> Ev {
    match event {
        Event::Part { .. } => panic!("a part without streaming: {event:?}"),
        Event::Text { payload, .. } => Ev::Text(payload.bytes(chunk).to_vec()),
        Event::Binary { payload, .. } => Ev::Binary(payload.bytes(chunk).to_vec()),
        Event::Ping(p) => Ev::Ping(p.bytes(chunk).to_vec()),
        Event::Pong(p) => Ev::Pong(p.bytes(chunk).to_vec()),
        Event::Close { code, reason, .. } => Ev::Close(*code, reason.clone()),
        Event::Error(e) => panic!("valid stream failed: {e:?}"),
        _ => panic!("an event this test does not know: {event:?}"),
    }
}

/// A short description of where two event lists differ (payloads can be 64 KiB).
fn summary(got: &[Ev], want: &[Ev]) -> String {
    let at = got
        .iter()
        .zip(want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    let short = |e: Option<&Ev>| format!("{:.200}", format!("{e:?}"));
    format!(
        "{} vs {} events; first difference at {at}: {} vs {}",
        got.len(),
        want.len(),
        short(got.get(at)),
        short(want.get(at))
    )
}

fn feed(role: Role, wire: &[u8], cuts: &[usize]) -> (Vec<Ev>, Vec<u8>) {
    feed_with(role, wire, cuts, Config::default(), usize::MAX)
}

/// Feeds `wire` cut at `cuts`; with `budget` below `usize::MAX`, through `receive_bounded`
/// calls that may stop early and are resumed, as the wasm binding does.
fn feed_with(
    role: Role,
    wire: &[u8],
    cuts: &[usize],
    config: Config,
    budget: usize,
) -> (Vec<Ev>, Vec<u8>) {
    let mut conn = Connection::with_mask_source(role, config, Box::new(FixedMask([9, 8, 7, 6])));
    let mut events = vec![];
    let mut joiner = Joiner::default();
    let mut out = vec![];
    let mut last = 0;
    for &cut in cuts.iter().chain(std::iter::once(&wire.len())) {
        let mut chunk = wire[last..cut].to_vec();
        let mut done = 0;
        loop {
            out.clear();
            let rest = &mut chunk[done..];
            let used = conn.receive_bounded(rest, &mut out, budget);
            events.extend(out.iter().filter_map(|e| joiner.convert(e, rest)));
            done += used;
            if done >= chunk.len() && !conn.receive_suspended() {
                break;
            }
        }
        last = cut;
    }
    (events, conn.take_output())
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn random_streams_at_random_splits() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..300 {
        let role = if round % 2 == 0 {
            Role::Client
        } else {
            Role::Server
        };
        let (wire, expect) = stream(&mut rng, role);
        let whole = feed(role, &wire, &[]);
        assert!(
            whole.0 == expect,
            "round {round}: {}",
            summary(&whole.0, &expect)
        );
        for _ in 0..8 {
            let n = rng.below(12) as usize;
            let mut cuts: Vec<usize> = (0..n)
                .map(|_| rng.below(wire.len() as u64 + 1) as usize)
                .collect();
            cuts.sort_unstable();
            assert_eq!(
                feed(role, &wire, &cuts),
                whole,
                "round {round} cuts {cuts:?}"
            );
            let streaming = Config::default().with_streaming(true);
            let budget = [usize::MAX, 1, 100][rng.below(3) as usize];
            assert_eq!(
                feed_with(role, &wire, &cuts, streaming, budget),
                whole,
                "streaming: round {round} cuts {cuts:?} budget {budget}"
            );
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn random_garbage_never_panics() {
    let mut rng = Rng(12345);
    for round in 0..2000 {
        let role = if round % 2 == 0 {
            Role::Client
        } else {
            Role::Server
        };
        let len = rng.below(64) as usize;
        let mut wire = rng.bytes(len);
        // Bias towards plausible headers so the parser gets past the first byte.
        if let Some(b) = wire.first_mut() {
            *b = (*b & 0x8F) | if rng.below(4) == 0 { 0x40 } else { 0 };
        }
        let cuts: Vec<usize> = {
            let mut c: Vec<usize> = (0..rng.below(4))
                .map(|_| rng.below(len as u64 + 1) as usize)
                .collect();
            c.sort_unstable();
            c
        };
        let mut conn = Connection::new(role, Config::default().with_max_message_size(1 << 10));
        let mut out = vec![];
        let mut last = 0;
        for &cut in cuts.iter().chain(std::iter::once(&len)) {
            conn.receive_in_place(&mut wire[last..cut].to_vec(), &mut out);
            last = cut;
        }
        conn.receive_eof(&mut out);
        // Exactly one terminal event at most, and it is the last.
        let terminal = out
            .iter()
            .filter(|e| matches!(e, Event::Close { .. } | Event::Error(_)))
            .count();
        assert!(
            terminal <= 1 || matches!(out.last(), Some(Event::Close { .. })),
            "{out:?}"
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn whole_frames_in_the_chunk_are_zero_copy() {
    // Three masked frames in one chunk, as a client would send them.
    let mut wire = vec![];
    encode_frame(
        &mut wire,
        Opcode::Text,
        true,
        false,
        b"hello",
        Some([1, 2, 3, 4]),
    );
    encode_frame(
        &mut wire,
        Opcode::Binary,
        true,
        false,
        &[7; 125],
        Some([5, 6, 7, 8]),
    );
    encode_frame(
        &mut wire,
        Opcode::Ping,
        true,
        false,
        b"p",
        Some([9, 9, 9, 9]),
    );
    let mut conn = Connection::new(Role::Server, Config::default());
    let mut out = Vec::with_capacity(8);
    conn.receive_in_place(&mut wire, &mut out);
    assert_eq!(
        out,
        vec![
            Event::Text {
                payload: Payload::InChunk { start: 6, len: 5 },
                compressed: false
            },
            Event::Binary {
                payload: Payload::InChunk {
                    start: 17,
                    len: 125
                },
                compressed: false
            },
            Event::Ping(Payload::InChunk { start: 148, len: 1 }),
        ]
    );
    // Unmasked in place.
    assert_eq!(&wire[6..11], b"hello");
    assert_eq!(wire[17..142], [7; 125]);
    assert_eq!(conn.take_output(), b"\x8a\x01p");

    // A frame cut across two chunks is copied (Owned); the next whole one is InChunk again.
    let mut wire = vec![];
    encode_frame(
        &mut wire,
        Opcode::Binary,
        true,
        false,
        b"abcdef",
        Some([1, 2, 3, 4]),
    );
    encode_frame(
        &mut wire,
        Opcode::Binary,
        true,
        false,
        b"xyz",
        Some([1, 2, 3, 4]),
    );
    let (a, b) = wire.split_at_mut(8);
    let mut conn = Connection::new(Role::Server, Config::default());
    let mut out = vec![];
    conn.receive_in_place(a, &mut out);
    assert!(out.is_empty());
    conn.receive_in_place(b, &mut out);
    assert_eq!(
        out,
        vec![
            Event::Binary {
                payload: Payload::Owned(b"abcdef".to_vec()),
                compressed: false
            },
            Event::Binary {
                payload: Payload::InChunk { start: 10, len: 3 },
                compressed: false
            },
        ]
    );
    assert_eq!(&b[10..13], b"xyz");
}

/// Streamed parts of a message in one frame announce its length (RFC 6455 §5.2) so a caller can
/// allocate it once; parts of a fragmented message (§5.4) do not.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn streamed_parts_announce_the_length_of_a_message_in_one_frame() {
    let parts = |wire: &[u8]| {
        let mut conn = Connection::new(Role::Server, Config::default().with_streaming(true));
        let mut lens = vec![];
        for piece in wire.chunks(300) {
            let mut chunk = piece.to_vec();
            let mut out = vec![];
            conn.receive_in_place(&mut chunk, &mut out);
            for e in out {
                match e {
                    Event::Part {
                        message_len, fin, ..
                    } => lens.push((message_len, fin)),
                    Event::Binary { .. } | Event::Text { .. } => lens.push((None, true)),
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
        lens
    };
    let mask = Some([1, 2, 3, 4]);
    let mut one = vec![];
    encode_frame(&mut one, Opcode::Binary, true, false, &[7; 1000], mask);
    let got = parts(&one);
    assert!(got.len() >= 3, "{got:?}");
    assert!(got.iter().all(|&(len, _)| len == Some(1000)), "{got:?}");
    assert!(got.last().unwrap().1);

    let mut fragmented = vec![];
    encode_frame(
        &mut fragmented,
        Opcode::Text,
        false,
        false,
        &[b'a'; 600],
        mask,
    );
    encode_frame(
        &mut fragmented,
        Opcode::Continuation,
        true,
        false,
        &[b'b'; 600],
        mask,
    );
    let got = parts(&fragmented);
    assert!(got.iter().all(|&(len, _)| len.is_none()), "{got:?}");
    assert!(got.last().unwrap().1);
}

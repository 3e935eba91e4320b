//! Helpers shared by the ws101 fuzz targets: a byte reader that never fails (it pads with
//! zeros) and option decoders, so every target can carve options out of the input itself.

use ws101::connection::{Config, Connection, Event, FixedMask};
use ws101::frame::Role;

/// Reads options and slices from the front of the fuzz input; exhausted input reads as zeros
/// and empty slices, so decoding never fails.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// Up to `n` bytes.
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    /// A length byte, then that many bytes.
    pub fn slice(&mut self) -> &'a [u8] {
        let n = usize::from(self.u8());
        self.take(n)
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        self.take(self.data.len())
    }
}

/// A connection configuration from two option bytes: tiny, default and unlimited sizes, the auto-reply
/// switches, outgoing fragmentation and RSV1.
pub fn config_from(a: u8, b: u8) -> Config {
    let limit = |sel: u8| -> u64 {
        if a & 0x80 != 0 {
            // A JS caller may pass "no limit" (Number.MAX_SAFE_INTEGER or more).
            return u64::MAX;
        }
        match sel & 3 {
            0 => ws101::connection::DEFAULT_MAX_MESSAGE_SIZE,
            1 => 0,
            2 => 16,
            _ => 300,
        }
    };
    Config::default()
        .with_max_frame_size(limit(a))
        .with_max_message_size(limit(a >> 2))
        .with_auto_pong(a & 0x10 == 0)
        .with_auto_close(a & 0x20 == 0)
        .with_rsv1_allowed(a & 0x40 != 0)
        .with_fragment_size(match b & 7 {
            0 => None,
            1 => Some(0),
            n => Some(usize::from(n) * usize::from(n)),
        })
        .with_streaming(b & 8 != 0)
}

/// A connection with a fixed masking key, so two runs give the same output bytes.
pub fn connection(role: Role, config: Config) -> Connection {
    Connection::with_mask_source(role, config, Box::new(FixedMask([0x37, 0xfa, 0x21, 0x3d])))
}

/// Chunk lengths for `len` input bytes, derived from `seed`: each step takes one seed byte
/// (cycled); 0 means "the rest", anything else is the next chunk length.
pub fn splits(seed: &[u8], len: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    while pos < len {
        let n = match seed.get(i % seed.len().max(1)) {
            None | Some(0) => len - pos,
            Some(&b) => usize::from(b).min(len - pos),
        };
        out.push(n);
        pos += n;
        i += 1;
    }
    out
}

/// Feeds `input` in the given chunks with `receive_in_place` (payloads made owned after each
/// call, as a caller reusing its buffer would) and returns all events and the output.
pub fn run_in_place(
    role: Role,
    config: &Config,
    input: &[u8],
    chunks: &[usize],
) -> (Vec<Event>, Vec<u8>) {
    let mut conn = connection(role, config.clone());
    let mut events = Vec::new();
    let mut pos = 0;
    for &n in chunks {
        let mut chunk = input[pos..pos + n].to_vec();
        pos += n;
        let first = events.len();
        conn.receive_in_place(&mut chunk, &mut events);
        for e in &mut events[first..] {
            e.make_owned(&chunk);
        }
    }
    let out = conn.take_output();
    (events, out)
}

/// Feeds `input` in the given chunks with `receive` (borrowed bytes).
pub fn run_borrowed(
    role: Role,
    config: &Config,
    input: &[u8],
    chunks: &[usize],
) -> (Vec<Event>, Vec<u8>) {
    let mut conn = connection(role, config.clone());
    let mut events = Vec::new();
    let mut pos = 0;
    for &n in chunks {
        conn.receive(&input[pos..pos + n], &mut events);
        pos += n;
    }
    let out = conn.take_output();
    (events, out)
}

/// Feeds `input` in the given chunks to `receive_whole` through a buffer that keeps the bytes
/// of a frame not yet complete, as a native reader with its own growable buffer does.
pub fn run_whole(
    role: Role,
    config: &Config,
    input: &[u8],
    chunks: &[usize],
) -> (Vec<Event>, Vec<u8>) {
    let mut conn = connection(role, config.clone());
    let mut events = Vec::new();
    let mut held: Vec<u8> = Vec::new();
    let mut pos = 0;
    for &n in chunks {
        feed_whole(&mut conn, &mut held, &input[pos..pos + n], &mut events);
        pos += n;
        let ended = events
            .iter()
            .any(|e| matches!(e, Event::Error(_) | Event::Close { .. }));
        if !held.is_empty() && !ended {
            assert!(
                conn.held_frame_len() > held.len() as u64,
                "a frame held back must need more bytes than are held"
            );
        }
    }
    let out = conn.take_output();
    (events, out)
}

/// Appends `bytes` to `held` and reads it with `receive_whole`, as a native reader with its own
/// growable buffer does: the new events are made owned, the consumed bytes dropped, and the
/// bytes of a frame not yet complete stay at the front of `held`.
pub fn feed_whole(
    conn: &mut Connection,
    held: &mut Vec<u8>,
    bytes: &[u8],
    events: &mut Vec<Event>,
) {
    held.extend_from_slice(bytes);
    let first = events.len();
    let used = conn.receive_whole(held, events);
    assert!(
        used <= held.len(),
        "receive_whole consumed more than it was given"
    );
    for e in &mut events[first..] {
        e.make_owned(held);
    }
    held.drain(..used);
}

/// The decoder targets: input is `[config a, config b, split-seed length, seed..., stream...]`.
/// The stream is fed with `receive_in_place` and `receive` at the derived splits and whole;
/// all three runs must give the same events and output bytes.
pub fn fuzz_decoder(role: Role, data: &[u8]) {
    let mut b = Bytes::new(data);
    let config = config_from(b.u8(), b.u8());
    let seed_len = usize::from(b.u8() & 15);
    let seed = b.take(seed_len);
    let input = b.rest();
    let chunks = splits(seed, input.len());

    let (ev_in_place, out_in_place) = run_in_place(role, &config, input, &chunks);
    let (ev_borrowed, out_borrowed) = run_borrowed(role, &config, input, &chunks);
    // With `streaming`, messages come in parts that depend on the split: compare them joined.
    let (ev_in_place, ev_borrowed) = (join_parts(ev_in_place), join_parts(ev_borrowed));
    assert_eq!(ev_in_place, ev_borrowed, "receive_in_place vs receive");
    assert_eq!(
        out_in_place, out_borrowed,
        "output: receive_in_place vs receive"
    );

    let whole = if input.is_empty() {
        vec![]
    } else {
        vec![input.len()]
    };
    let (ev_whole, out_whole) = run_in_place(role, &config, input, &whole);
    let ev_whole = join_parts(ev_whole);
    assert_eq!(ev_in_place, ev_whole, "split vs whole");
    assert_eq!(out_in_place, out_whole, "output: split vs whole");

    // receive_whole waits for whole frames: the same events and output, except that a frame
    // the input leaves unfinished may already have failed (fail-fast UTF-8) with receive_in_place.
    let (ev_held, out_held) = run_whole(role, &config, input, &chunks);
    let ev_held = join_parts(ev_held);
    assert!(
        ev_held.len() <= ev_whole.len(),
        "receive_whole reported more: {ev_held:?}"
    );
    assert_eq!(
        ev_held[..],
        ev_whole[..ev_held.len()],
        "receive_whole vs receive_in_place"
    );
    match &ev_whole[ev_held.len()..] {
        [] => assert_eq!(
            out_held, out_whole,
            "output: receive_whole vs receive_in_place"
        ),
        [Event::Error(_)] => assert!(out_whole.starts_with(&out_held), "output: receive_whole"),
        rest => panic!("receive_whole missed events: {rest:?}"),
    }

    // Once an error or a close was reported, nothing more is.
    if let Some(i) = ev_whole
        .iter()
        .position(|e| matches!(e, Event::Error(_) | Event::Close { .. }))
    {
        assert_eq!(i + 1, ev_whole.len(), "events after the end: {ev_whole:?}");
    }
}

/// Joins the parts of each streamed message (`Config::streaming`) into one `Text`/`Binary`
/// event with an owned payload, as a caller assembling them does; a message left unfinished
/// (the connection failed or closed first) is dropped, and so is any payload it had.
pub fn join_parts(events: Vec<Event>) -> Vec<Event> {
    let mut out = Vec::with_capacity(events.len());
    let mut joined: Vec<u8> = Vec::new();
    for e in events {
        match e {
            Event::Part {
                opcode,
                payload,
                compressed,
                fin,
                ..
            } => {
                joined.extend_from_slice(payload.bytes(&[]));
                if fin {
                    let payload = ws101::message::Payload::Owned(core::mem::take(&mut joined));
                    out.push(if opcode == ws101::frame::Opcode::Text {
                        Event::Text {
                            payload,
                            compressed,
                        }
                    } else {
                        Event::Binary {
                            payload,
                            compressed,
                        }
                    });
                }
            }
            Event::Text {
                payload,
                compressed,
            } => out.push(Event::Text {
                payload: ws101::message::Payload::Owned(payload.bytes(&[]).to_vec()),
                compressed,
            }),
            Event::Binary {
                payload,
                compressed,
            } => out.push(Event::Binary {
                payload: ws101::message::Payload::Owned(payload.bytes(&[]).to_vec()),
                compressed,
            }),
            other => out.push(other),
        }
    }
    out
}

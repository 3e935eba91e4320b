//! Client ↔ server round trips with permessage-deflate under every combination of context
//! takeover and window bits (8..=15 each way), random messages from 0 B to 1 MiB, fragmented
//! or not, some sent uncompressed by the sender's choice (`set_compression(false)`, RFC 7692
//! §6), fed to the receiver in random splits; and proof that the compressor keeps its
//! back-references within the agreed window (RFC 7692 §7.1.2), checked by an inflater whose
//! history is exactly 2^bits bytes.

use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;
use ws101::connection::{event_bytes, Config, Connection, Event, FixedMask, INFLATE_WINDOW};
use ws101::deflate::{Deflater, DirectionParams, Inflater, TAIL};
use ws101::frame::{Opcode, Role};
use ws101::handshake::deflate::DeflateParams;
use ws101::message::Payload;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

const WORDS: [&str; 12] = [
    "the ",
    "websocket ",
    "frame ",
    "{\"id\":",
    "42,",
    "\"name\":\"ws101\"}",
    "deflate ",
    "ünïcödé ",
    "→ ",
    "window ",
    "\n",
    "message ",
];

fn text(rng: &mut Rng, len: usize) -> String {
    let mut s = String::with_capacity(len + 32);
    while s.len() < len {
        s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
    while s.len() > len {
        s.pop();
    }
    s
}

/// Repeats with long and short distances, runs, and noise.
fn binary(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len);
    let block = rng.bytes(3000);
    while v.len() < len {
        match rng.below(4) {
            0 => v.extend_from_slice(&block[..rng.below(3000) as usize]),
            1 => v.extend(std::iter::repeat(rng.next() as u8).take(rng.below(500) as usize)),
            2 => {
                let n = rng.below(200) as usize;
                v.extend(rng.bytes(n));
            }
            _ => {
                let back = rng.below(v.len() as u64) as usize;
                let n = rng.below(300) as usize;
                let from = v.len() - back;
                for i in 0..n.min(back) {
                    v.push(v[from + i]);
                }
            }
        }
    }
    v.truncate(len);
    v
}

fn size(rng: &mut Rng) -> usize {
    match rng.below(20) {
        0 => 0,
        1 => 1 << 20,
        2..=4 => rng.below(1 << 20) as usize / 8,
        5..=9 => rng.below(70_000) as usize,
        _ => rng.below(3000) as usize,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Msg {
    Text(String),
    Binary(Vec<u8>),
}

fn endpoint(role: Role, params: DeflateParams, rng: &mut Rng) -> Connection {
    let config = Config::default()
        .with_deflate(Some(params))
        .with_deflate_level([0, 1, 1, 3, 6, 9][rng.below(6) as usize])
        .with_deflate_threshold([0, 0, 16, 1024][rng.below(4) as usize])
        .with_fragment_size([None, None, Some(1000), Some(65536)][rng.below(4) as usize])
        .with_max_message_size(2 << 20)
        .with_streaming(rng.below(2) == 0);
    Connection::with_mask_source(
        role,
        config,
        Box::new(FixedMask(rng.next().to_le_bytes()[..4].try_into().unwrap())),
    )
}

/// Delivers `wire` to `to` in random pieces, through the zero-copy path; a streaming
/// receiver goes through `receive_bounded` with a random budget and its parts are joined.
fn deliver(to: &mut Connection, wire: &[u8], rng: &mut Rng) -> Vec<Msg> {
    let mut got = Vec::new();
    let mut rest = wire;
    let mut joined = Vec::new();
    let budget = [usize::MAX, 1, 70_000][rng.below(3) as usize];
    while !rest.is_empty() {
        let n = match rng.below(3) {
            0 => rest.len(),
            1 => 1 + rng.below(16) as usize,
            _ => 1 + rng.below(100_000) as usize,
        }
        .min(rest.len());
        let mut chunk = rest[..n].to_vec();
        rest = &rest[n..];
        let mut done = 0;
        loop {
            let mut events = Vec::new();
            let part = &mut chunk[done..];
            done += to.receive_bounded(part, &mut events, budget);
            for e in &events {
                let bytes = event_bytes(e, part).to_vec();
                got.extend(match e {
                    Event::Text {
                        compressed: false, ..
                    } => Some(Msg::Text(String::from_utf8(bytes).unwrap())),
                    Event::Binary {
                        compressed: false, ..
                    } => Some(Msg::Binary(bytes)),
                    Event::Part {
                        opcode,
                        compressed: false,
                        fin,
                        ..
                    } => {
                        if let Payload::Owned(b) = e.payload().unwrap() {
                            assert!(b.len() <= INFLATE_WINDOW, "a part of {} B", b.len());
                        }
                        joined.extend_from_slice(&bytes);
                        fin.then(|| {
                            let all = std::mem::take(&mut joined);
                            match opcode {
                                Opcode::Text => Msg::Text(String::from_utf8(all).unwrap()),
                                _ => Msg::Binary(all),
                            }
                        })
                    }
                    other => panic!("unexpected {other:?}"),
                });
            }
            if done >= chunk.len() && !to.receive_suspended() {
                break;
            }
        }
    }
    got
}

fn exchange(params: DeflateParams, rng: &mut Rng, messages: usize) {
    let mut client = endpoint(Role::Client, params, rng);
    let mut server = endpoint(Role::Server, params, rng);
    for _ in 0..messages {
        let from_client = rng.below(2) == 0;
        let len = size(rng);
        let msg = if rng.below(2) == 0 {
            Msg::Text(text(rng, len))
        } else {
            Msg::Binary(binary(rng, len))
        };
        let (tx, rx) = if from_client {
            (&mut client, &mut server)
        } else {
            (&mut server, &mut client)
        };
        // One message in four goes uncompressed by the sender's choice; the next may be
        // compressed again, continuing the same DEFLATE context (RFC 7692 §7.2.1).
        let compress = rng.below(4) != 0;
        tx.set_compression(compress);
        match &msg {
            Msg::Text(t) => tx.send_text(t).unwrap(),
            Msg::Binary(b) => tx.send_binary(b).unwrap(),
        }
        let wire = tx.take_output();
        let compressed = wire[0] & 0x40 != 0;
        assert_eq!(
            compressed,
            compress && len >= tx.config().deflate_threshold,
            "RSV1 iff over the threshold and compression on: {params:?} len {len} level {} from_client {from_client}",
            tx.config().deflate_level
        );
        let got = deliver(rx, &wire, rng);
        assert_eq!(got, [msg], "{params:?}");
    }
}

#[test]
fn every_window_and_takeover_combination() {
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    for server_bits in 8..=15u8 {
        for client_bits in 8..=15u8 {
            let combo = (server_bits as u64 * 16 + client_bits as u64) % 4;
            let params = DeflateParams {
                server_no_context_takeover: combo & 1 != 0,
                client_no_context_takeover: combo & 2 != 0,
                server_max_window_bits: server_bits,
                client_max_window_bits: client_bits,
            };
            exchange(params, &mut rng, 4);
        }
    }
    // Each takeover combination with a longer conversation at the extremes.
    for combo in 0..4 {
        for bits in [8, 12, 15] {
            let params = DeflateParams {
                server_no_context_takeover: combo & 1 != 0,
                client_no_context_takeover: combo & 2 != 0,
                server_max_window_bits: bits,
                client_max_window_bits: 23 - bits,
            };
            exchange(params, &mut rng, 12);
        }
    }
}

/// Inflates a raw DEFLATE stream keeping exactly 2^bits bytes of history (a wrapping buffer):
/// a back-reference further than that reads the wrong bytes.
fn inflate_with_window(stream: &[u8], bits: u8) -> Option<Vec<u8>> {
    let w = 1usize << bits;
    let mut window = vec![0u8; w];
    let mut d = DecompressorOxide::new();
    let mut out = Vec::new();
    let (mut inp, mut pos) = (0, 0);
    loop {
        let (status, used, written) = decompress(
            &mut d,
            &stream[inp..],
            &mut window,
            pos,
            inflate_flags::TINFL_FLAG_HAS_MORE_INPUT,
        );
        inp += used;
        out.extend_from_slice(&window[pos..pos + written]);
        pos = (pos + written) & (w - 1);
        match status {
            TINFLStatus::HasMoreOutput => {}
            TINFLStatus::NeedsMoreInput if inp == stream.len() => return Some(out),
            TINFLStatus::NeedsMoreInput => {}
            _ => return None,
        }
    }
}

fn window_test_data(rng: &mut Rng) -> Vec<Vec<u8>> {
    // Messages that repeat each other and themselves at distances up to ~30 KiB.
    let base = rng.bytes(20_000);
    (0..4)
        .map(|i| {
            let mut m = base.clone();
            m.extend_from_slice(&base[i * 1000..]);
            m.extend(binary(rng, 5000));
            m
        })
        .collect()
}

fn stream_of(d: &mut Deflater, messages: &[Vec<u8>]) -> Vec<u8> {
    let mut stream = Vec::new();
    for m in messages {
        d.compress(m, &mut stream).unwrap();
        stream.extend_from_slice(&TAIL);
    }
    stream
}

#[test]
fn compressor_stays_within_the_agreed_window() {
    let mut rng = Rng(7);
    let messages = window_test_data(&mut rng);
    let all: Vec<u8> = messages.concat();
    for bits in 8..=15u8 {
        for nct in [false, true] {
            for level in [1, 6, 9] {
                let p = DirectionParams {
                    no_context_takeover: nct,
                    max_window_bits: bits,
                };
                let stream = stream_of(&mut Deflater::new(p, level), &messages);
                let back = inflate_with_window(&stream, bits);
                assert!(
                    back.as_deref() == Some(&all[..]),
                    "bits {bits} nct {nct} level {level}"
                );
                // And the standard 32 KiB inflater agrees.
                let mut inflater = Inflater::new(p);
                let mut out = Vec::new();
                let mut d = Deflater::new(p, level);
                for m in &messages {
                    let mut z = Vec::new();
                    d.compress(m, &mut z).unwrap();
                    out.clear();
                    inflater.decompress(&z, u64::MAX, &mut out).unwrap();
                    assert_eq!(&out, m);
                }
            }
        }
    }
}

#[test]
fn the_window_check_would_catch_far_references() {
    // Sanity check of the checker: the unrestricted compressor does reach further than 512.
    let mut rng = Rng(7);
    let messages = window_test_data(&mut rng);
    let p = DirectionParams {
        no_context_takeover: false,
        max_window_bits: 15,
    };
    let stream = stream_of(&mut Deflater::new(p, 6), &messages);
    assert_eq!(inflate_with_window(&stream, 15).unwrap(), messages.concat());
    assert_ne!(inflate_with_window(&stream, 9), Some(messages.concat()));
}

#[test]
fn window_limits_cost_little_ratio_from_12_bits() {
    // Not a correctness requirement: records what the policies give on text.
    let mut rng = Rng(3);
    let t = text(&mut rng, 200_000).into_bytes();
    let mut sizes = Vec::new();
    for bits in [8, 11, 12, 15] {
        let p = DirectionParams {
            no_context_takeover: true,
            max_window_bits: bits,
        };
        let mut z = Vec::new();
        Deflater::new(p, 1).compress(&t, &mut z).unwrap();
        sizes.push(z.len());
    }
    eprintln!("200 KB text at level 1, bits 8/11/12/15: {sizes:?}");
    assert!(sizes.iter().all(|&s| s < t.len()), "{sizes:?}");
    assert!(sizes[2] < sizes[1], "segmented beats run-length: {sizes:?}");
}

/// `set_compression(false)` makes every data message go out as it is, RSV1 clear (RFC 7692 §6),
/// by each sending path, including the header-only one it now allows; `true` restores
/// compression over the threshold.
#[test]
fn compression_can_be_turned_off_per_message() {
    let params = DeflateParams {
        server_no_context_takeover: false,
        client_no_context_takeover: false,
        server_max_window_bits: 15,
        client_max_window_bits: 15,
    };
    let config = Config::default()
        .with_deflate(Some(params))
        .with_deflate_threshold(0);
    let mut server = Connection::new(Role::Server, config);
    assert!(
        !server.send_header_only(Opcode::Binary, 3).unwrap(),
        "compressed: no header-only send"
    );
    server.set_compression(false);
    assert!(server.send_header_only(Opcode::Binary, 3).unwrap());
    assert_eq!(server.take_output(), [0x82, 0x03]);
    server.send_text("abc").unwrap();
    assert_eq!(server.take_output(), b"\x81\x03abc");
    server.begin_message(Opcode::Binary, 2).unwrap();
    server.send_message_part(b"hi", true).unwrap();
    assert_eq!(server.take_output(), b"\x82\x02hi");
    server.set_compression(true);
    server.send_text("abc").unwrap();
    assert_eq!(
        server.take_output()[0],
        0xc1,
        "RSV1 and FIN on a compressed text frame"
    );
}

//! A `Connection` driven by a sequence of operations decoded from the input: receive chunks
//! (every receive path, streaming or not, bounded calls with tiny budgets resumed), every send
//! call with arbitrary arguments (messages sent in parts and framed in place included), output
//! draining, RSV1 toggling, entropy failures and EOF. Nothing may panic.
//!
//! Everything the connection writes is fed to a peer of the other role (RSV1 allowed, default
//! limits). The peer must never see a protocol error unless we sent a raw uncompressed text
//! message that is not UTF-8, and must receive exactly the data messages whose sends returned
//! `Ok`, in order. Half the inputs (bit 1 of the first byte) make the peer a reader with its own
//! buffer (`Connection::receive_whole`: incomplete frames stay in it, half-unmasked).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};
use std::sync::Arc;
use ws101::connection::{Config, Connection, Event, State};
use ws101::frame::{Opcode, Role};
use ws101_fuzz::{config_from, Bytes};

#[derive(Debug, PartialEq)]
enum Data {
    Text(Vec<u8>, bool),
    Binary(Vec<u8>, bool),
}

struct Peer {
    conn: Connection,
    events: Vec<Event>,
    /// Reads with `receive_whole` into `held` instead of `receive`.
    whole: bool,
    held: Vec<u8>,
}

impl Peer {
    fn feed(&mut self, bytes: &[u8]) {
        if !self.whole {
            self.conn.receive(bytes, &mut self.events);
            return;
        }
        ws101_fuzz::feed_whole(&mut self.conn, &mut self.held, bytes, &mut self.events);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let opt = b.u8();
    let role = if opt & 1 == 0 {
        Role::Server
    } else {
        Role::Client
    };
    let config = config_from(b.u8(), b.u8());
    // shared with the closure: a Connection's mask source is Send
    let entropy = Arc::new(AtomicBool::new(true));
    let counter = Arc::new(AtomicU32::new(0));
    let mask = {
        let (entropy, counter) = (entropy.clone(), counter.clone());
        move || {
            let n = counter
                .fetch_add(0x9e37_79b9, Relaxed)
                .wrapping_add(0x9e37_79b9);
            entropy.load(Relaxed).then(|| n.to_le_bytes())
        }
    };
    let mut conn = Connection::with_mask_source(role, config, Box::new(mask));
    let peer_role = if role == Role::Server {
        Role::Client
    } else {
        Role::Server
    };
    let mut peer = Peer {
        conn: Connection::new(peer_role, Config::default().with_rsv1_allowed(true)),
        events: Vec::new(),
        whole: opt & 2 != 0,
        held: Vec::new(),
    };
    let mut events = Vec::new();
    let mut sent: Vec<Data> = Vec::new();
    let mut peer_may_fail = false;
    let mut spare = Vec::new();
    // A message being sent in parts: its opcode and the bytes sent so far.
    let mut parting: Option<(Opcode, Vec<u8>)> = None;

    while !b.is_empty() {
        match b.u8() % 20 {
            0 => conn.receive(b.slice(), &mut events),
            1 => {
                let mut chunk = b.slice().to_vec();
                let first = events.len();
                conn.receive_in_place(&mut chunk, &mut events);
                for e in &mut events[first..] {
                    e.make_owned(&chunk);
                }
            }
            16 => {
                // Bounded calls, resumed until done, as the wasm binding makes them.
                let budget = usize::from(b.u8()) * 64;
                let mut chunk = b.slice().to_vec();
                let mut done = 0;
                let mut calls = 0;
                loop {
                    let first = events.len();
                    let rest = &mut chunk[done..];
                    done += conn.receive_bounded(rest, &mut events, budget);
                    for e in &mut events[first..] {
                        e.make_owned(rest);
                    }
                    calls += 1;
                    assert!(calls < 1_000_000, "receive_bounded makes no progress");
                    if done >= chunk.len() && !conn.receive_suspended() {
                        break;
                    }
                }
            }
            17 => {
                let op = if b.bool() {
                    Opcode::Text
                } else {
                    Opcode::Binary
                };
                let len = u64::from(b.u16());
                if conn.begin_message(op, len).is_ok() {
                    parting = Some((op, Vec::new()));
                }
            }
            18 => {
                let fin = b.bool();
                let part = b.slice();
                if b.bool() {
                    conn.cancel_message();
                    parting = None;
                } else if conn.send_message_part(part, fin).is_ok() {
                    if let Some((op, mut all)) = parting.take() {
                        all.extend_from_slice(part);
                        if !fin {
                            parting = Some((op, all));
                        } else if op == Opcode::Text {
                            sent.push(Data::Text(all, false));
                        } else {
                            sent.push(Data::Binary(all, false));
                        }
                    }
                }
            }
            19 => {
                // A whole message framed where it lies (header into the room before it); it
                // goes out only when no output waits, so the peer gets it right away.
                let op = if b.bool() {
                    Opcode::Text
                } else {
                    Opcode::Binary
                };
                let room = usize::from(b.u8() % 16);
                let payload = b.slice();
                let mut buf = vec![0u8; room];
                buf.extend_from_slice(payload);
                if let Ok(Some(start)) = conn.send_in_place(op, &mut buf, room) {
                    assert!(start <= room, "the frame starts inside the room");
                    peer.feed(&buf[start..]);
                    sent.push(match op {
                        Opcode::Text => Data::Text(payload.to_vec(), false),
                        _ => Data::Binary(payload.to_vec(), false),
                    });
                }
            }
            2 => {
                let text = String::from_utf8_lossy(b.slice()).into_owned();
                if conn.send_text(&text).is_ok() {
                    sent.push(Data::Text(text.into_bytes(), false));
                }
            }
            3 => {
                let bytes = b.slice();
                if conn.send_binary(bytes).is_ok() {
                    sent.push(Data::Binary(bytes.to_vec(), false));
                }
            }
            4 => {
                let op = Opcode::from(b.u8());
                let rsv1 = b.bool();
                let bytes = b.slice();
                if conn.send_raw_message(op, bytes, rsv1).is_ok() {
                    if op == Opcode::Text {
                        if !rsv1 && std::str::from_utf8(bytes).is_err() {
                            peer_may_fail = true;
                        }
                        sent.push(Data::Text(bytes.to_vec(), rsv1));
                    } else {
                        sent.push(Data::Binary(bytes.to_vec(), rsv1));
                    }
                }
            }
            5 => {
                let n = usize::from(b.u8());
                let _ = conn.ping(b.take(n));
            }
            6 => {
                let n = usize::from(b.u8());
                let _ = conn.pong(b.take(n));
            }
            7 => {
                let code = if b.bool() { Some(b.u16()) } else { None };
                let reason = String::from_utf8_lossy(b.slice()).into_owned();
                let _ = conn.close(code, &reason);
            }
            8 => conn.receive_eof(&mut events),
            9 => {
                let n = usize::from(b.u8());
                let n = n.min(conn.output().len());
                peer.feed(&conn.output()[..n]);
                conn.consume_output(n);
            }
            10 => peer.feed(&conn.take_output()),
            11 => {
                conn.swap_output(&mut spare);
                peer.feed(&spare);
            }
            12 => conn.set_rsv1_allowed(b.bool()),
            13 => {
                entropy.fetch_xor(true, Relaxed);
            }
            14 => {
                // Queries must be consistent.
                let _ = conn.should_close_transport();
                assert_eq!(conn.was_clean().is_some(), conn.state() == State::Closed);
            }
            _ => {
                // A whole well-formed frame from the peer's point of view, to get past the
                // decoder's first checks more often.
                let op = Opcode::from(b.u8() & 0x8f);
                let payload = b.slice();
                let mut frame = Vec::new();
                let key = (role == Role::Server).then_some([1, 2, 3, 4]);
                ws101::frame::encode_frame(&mut frame, op, true, false, payload, key);
                conn.receive(&frame, &mut events);
            }
        }
    }
    peer.feed(&conn.take_output());

    let errors: Vec<_> = peer
        .events
        .iter()
        .filter(|e| matches!(e, Event::Error(_)))
        .collect();
    if !peer_may_fail {
        assert!(errors.is_empty(), "peer failed on our output: {errors:?}");
        let received: Vec<Data> = peer
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Text {
                    payload,
                    compressed,
                } => Some(Data::Text(payload.bytes(&[]).to_vec(), *compressed)),
                Event::Binary {
                    payload,
                    compressed,
                } => Some(Data::Binary(payload.bytes(&[]).to_vec(), *compressed)),
                _ => None,
            })
            .collect();
        assert_eq!(received, sent, "peer received other data than we sent");
    }
});

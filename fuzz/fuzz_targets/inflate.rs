//! permessage-deflate (RFC 7692 §7.2): arbitrary bytes as compressed messages must inflate or be
//! refused, never panic, and never produce more than the limit (+1 byte to detect the overflow).
//! What our own Deflater compresses must inflate back to the same bytes, for every window and
//! context-takeover setting, whole or in parts. A streaming connection (inflating in bounded
//! windows, calls stopped by a budget and resumed, at derived splits) must deliver the same
//! messages and fail with the same error as a connection inflating whole messages.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ws101::connection::{Config, Connection, Event};
use ws101::deflate::{Deflater, DirectionParams, Inflater};
use ws101::frame::{encode_frame, Opcode, Role};
use ws101::handshake::deflate::DeflateParams;
use ws101::Diagnostic;

fuzz_target!(|data: &[u8]| {
    let Some((&opts, rest)) = data.split_first() else {
        return;
    };
    let params = DirectionParams {
        no_context_takeover: opts & 1 != 0,
        max_window_bits: 8 + (opts >> 1) % 8,
    };
    // 64 KiB, not more: a bomb then costs one window per message, and the target stays fast
    // enough to run for millions of executions (tests/deflate_bomb.rs covers 63 MiB).
    let max = if opts & 0x80 != 0 { 1 << 10 } else { 1 << 16 };

    // Untrusted input, split into up to three messages sharing one inflater (context takeover).
    let mut inflater = Inflater::new(params);
    for message in rest.splitn(3, |&b| b == 0xa5) {
        let mut out = Vec::new();
        let _ = inflater.decompress(message, max, &mut out);
        assert!(
            out.len() as u64 <= max + 1,
            "inflated {} past the limit {max}",
            out.len()
        );
    }

    // Round trip through our own compressor.
    let mut deflater = Deflater::new(params, (opts >> 4) & 7);
    let mut inflater = Inflater::new(params);
    for message in rest.chunks(1 + rest.len() / 2) {
        let mut compressed = Vec::new();
        if deflater.compress(message, &mut compressed).is_err() {
            return;
        }
        let mut out = Vec::new();
        inflater
            .decompress(&compressed, u64::MAX, &mut out)
            .expect("our own output inflates");
        assert_eq!(out, message, "round trip");
    }

    // Round trip in parts: one DEFLATE stream over several compress_part calls.
    let mut deflater = Deflater::new(params, (opts >> 4) & 7);
    let mut compressed = Vec::new();
    let parts: Vec<&[u8]> = rest.chunks(1 + rest.len() / 3).collect();
    for (i, part) in parts.iter().enumerate() {
        if deflater
            .compress_part(part, &mut compressed, i + 1 == parts.len())
            .is_err()
        {
            return;
        }
    }
    let mut out = Vec::new();
    Inflater::new(params)
        .decompress(&compressed, u64::MAX, &mut out)
        .expect("parts of our own output inflate");
    assert_eq!(out, rest, "round trip in parts");

    // Untrusted compressed frames: streaming (bounded, resumed, split) vs whole messages.
    let deflate = DeflateParams {
        server_no_context_takeover: false,
        client_no_context_takeover: params.no_context_takeover,
        server_max_window_bits: 15,
        client_max_window_bits: params.max_window_bits.max(9),
    };
    let mut wire = Vec::new();
    for (i, message) in rest.splitn(3, |&b| b == 0xa5).enumerate() {
        let op = if opts & 8 != 0 && i == 0 {
            Opcode::Text
        } else {
            Opcode::Binary
        };
        // Some messages fragmented: RSV1 on the first frame only (RFC 7692 §6).
        let (a, b) = message.split_at(message.len() / 2);
        if opts & 4 != 0 {
            encode_frame(&mut wire, op, false, true, a, Some([7, 1, 3, 9]));
            encode_frame(
                &mut wire,
                Opcode::Continuation,
                true,
                false,
                b,
                Some([2, 4, 6, 8]),
            );
        } else {
            encode_frame(&mut wire, op, true, true, message, Some([7, 1, 3, 9]));
        }
    }
    let config = Config::default()
        .with_deflate(Some(deflate))
        .with_max_message_size(max);
    let whole = messages(
        &mut Connection::new(Role::Server, config.clone()),
        &wire,
        usize::MAX,
        usize::MAX,
    );
    let budget = usize::from(opts >> 5) * 4096 + 1;
    let step = 1 + usize::from(rest.first().copied().unwrap_or(0)) * 7;
    let streamed = messages(
        &mut Connection::new(Role::Server, config.with_streaming(true)),
        &wire,
        budget,
        step,
    );
    // The same messages; and a failure in both or in neither. Streaming checks UTF-8 while
    // inflating, so a message that is too large (or corrupt) and not UTF-8 may fail for either
    // reason first (1007 or 1009).
    assert_eq!(streamed.0, whole.0, "streaming vs whole: messages");
    assert_eq!(
        streamed.1.is_some(),
        whole.1.is_some(),
        "streaming vs whole: {streamed:?} {whole:?}"
    );
});

/// Feeds `wire` in `step`-byte chunks through bounded calls; returns the messages (parts
/// joined) and the close code of the error, if any.
fn messages(
    conn: &mut Connection,
    wire: &[u8],
    budget: usize,
    step: usize,
) -> (Vec<(bool, Vec<u8>)>, Option<u16>) {
    let mut got = Vec::new();
    let mut joined = Vec::new();
    let mut error = None;
    for chunk in wire.chunks(step.max(1)) {
        let mut chunk = chunk.to_vec();
        let mut done = 0;
        let mut calls = 0;
        loop {
            let mut events = Vec::new();
            let rest = &mut chunk[done..];
            done += conn.receive_bounded(rest, &mut events, budget);
            for e in &events {
                match e {
                    Event::Text { payload, .. } => got.push((true, payload.bytes(rest).to_vec())),
                    Event::Binary { payload, .. } => {
                        got.push((false, payload.bytes(rest).to_vec()))
                    }
                    Event::Part {
                        opcode,
                        payload,
                        fin,
                        ..
                    } => {
                        joined.extend_from_slice(payload.bytes(rest));
                        if *fin {
                            got.push((*opcode == Opcode::Text, std::mem::take(&mut joined)));
                        }
                    }
                    Event::Error(e) => error = e.close_code(),
                    _ => {}
                }
            }
            calls += 1;
            assert!(calls < 10_000_000, "no progress");
            if done >= chunk.len() && !conn.receive_suspended() {
                break;
            }
        }
    }
    (got, error)
}

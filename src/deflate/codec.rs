//! Compressing and decompressing one message at a time (RFC 7692 §7.2) with miniz_oxide, a
//! pure-Rust DEFLATE (RFC 1951) that also compiles to wasm32.
//!
//! Sending (§7.2.1): the message is compressed into the running raw DEFLATE stream and ended
//! with a sync flush, whose empty stored block ends in `00 00 ff ff`; those 4 bytes are
//! removed. Receiving (§7.2.2): the 4 bytes are appended again and the payload inflated.
//! Context takeover (§7.1.1) keeps the stream (and its LZ77 window) running across messages;
//! without it each side resets after every message.

use alloc::boxed::Box;
use alloc::vec::Vec;

use miniz_oxide::deflate::core::{
    compress, create_comp_flags_from_zip_params, CompressionStrategy, CompressorOxide, TDEFLFlush,
    TDEFLStatus,
};
use miniz_oxide::{MZError, MZStatus};

use super::params::{DirectionParams, WindowPolicy};
use super::spare;
use super::stream::InflateStream;

/// The end of a sync flush, removed from every compressed message and appended again before
/// inflating it (RFC 7692 §7.2.1, §7.2.2).
pub const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Most bytes one inflate step produces. Decompressed output is checked against the size cap
/// after every step, so an oversized message is refused having produced at most the cap plus
/// one byte (each step is also bounded by what is left under the cap).
pub const INFLATE_CHUNK: usize = 32 * 1024;

/// Our compressor for the messages we send (RFC 7692 §7.2.1).
pub struct Deflater {
    params: DirectionParams,
    level: u8,
    compressor: Option<Box<CompressorOxide>>,
    /// The compressor is this connection's own across messages (context takeover, and a
    /// place was free in [`spare::MAX_KEPT_COMPRESSORS`]); otherwise it is given back after
    /// each message.
    kept: bool,
    /// Input bytes since the compressor last started from an empty window (for
    /// [`WindowPolicy::Segmented`]).
    since_reset: usize,
}

impl core::fmt::Debug for Deflater {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Deflater")
            .field("params", &self.params)
            .field("level", &self.level)
            .field("allocated", &self.compressor.is_some())
            .finish_non_exhaustive()
    }
}

impl Drop for Deflater {
    fn drop(&mut self) {
        if self.kept {
            spare::unkeep_compressor();
        }
    }
}

/// The compressor reported a failure; nothing was appended and the window was reset, so the
/// message can still be sent uncompressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompressError;

impl Deflater {
    /// A compressor bound by `params` at DEFLATE `level` 0–9 (0 stores, 1 is fastest; higher
    /// values are clamped to 9). Allocated on first use.
    pub fn new(params: DirectionParams, level: u8) -> Self {
        Deflater {
            params,
            level: level.min(9),
            compressor: None,
            kept: false,
            since_reset: 0,
        }
    }

    /// The direction's settings.
    pub fn params(&self) -> DirectionParams {
        self.params
    }

    fn flags(&self) -> u32 {
        let (level, strategy) = match self.params.window_policy() {
            // Level 1 would take miniz_oxide's fast path, which ignores the RLE flag (0.9.1
            // `compress_inner` checks only FILTER and RAW before choosing `compress_fast`) and
            // emits distances up to 32 KiB; from level 2 the normal path honours it. The level
            // barely matters under RLE (one candidate per position).
            WindowPolicy::RunLength if self.level > 0 => {
                (self.level.max(2), CompressionStrategy::RLE)
            }
            _ => (self.level, CompressionStrategy::Default),
        };
        // Negative window bits: a raw DEFLATE stream, no zlib header (RFC 7692 §7.2.1).
        create_comp_flags_from_zip_params(i32::from(level), -15, strategy as i32)
    }

    /// Forgets the LZ77 window: the next message starts a fresh stream. Always allowed for a
    /// sender (RFC 7692 §7.1.1: context takeover is a permission, not an obligation).
    pub fn reset(&mut self) {
        if let Some(c) = self.compressor.as_mut() {
            c.reset();
        }
        self.since_reset = 0;
    }

    /// Appends the compressed payload of one message to `out`, without the `00 00 ff ff` tail
    /// (RFC 7692 §7.2.1). On failure `out` is unchanged and the window is reset.
    pub fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), CompressError> {
        self.compress_part(input, out, true)
    }

    /// Appends the compressed bytes of the next part of a message to `out`, so a large message
    /// is compressed in bounded pieces into one DEFLATE stream (RFC 7692 §7.2.1: the payload
    /// may be split into frames anywhere). Every part ends with a sync flush; only the last
    /// (`fin`) has its `00 00 ff ff` removed, earlier ones keep that empty stored block, which
    /// inflates to nothing. On failure `out` is unchanged and the window is reset.
    pub fn compress_part(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        fin: bool,
    ) -> Result<(), CompressError> {
        let start = out.len();
        let result = match self.params.window_policy() {
            WindowPolicy::Segmented { window } => self.compress_segmented(input, out, window),
            WindowPolicy::Full | WindowPolicy::RunLength => self.run(input, out),
        };
        let ok = result.is_ok() && out.get(start..).is_some_and(|o| o.ends_with(&TAIL));
        if !ok {
            out.truncate(start);
            self.reset();
            return Err(CompressError);
        }
        if !fin {
            return Ok(());
        }
        out.truncate(out.len() - TAIL.len());
        if self.params.no_context_takeover || !self.kept {
            // Nothing carries over to the next message: hand the state back (spare.rs).
            let flags = self.flags();
            if let Some(c) = self.compressor.take() {
                spare::give_compressor(flags, c);
            }
            self.since_reset = 0;
        }
        Ok(())
    }

    /// Compresses in pieces that never let the window hold more than `window` bytes: each
    /// piece ends with a sync flush (byte-aligned, BFINAL 0), and when `window` bytes went in
    /// since the last reset the compressor restarts empty. The output is still one DEFLATE
    /// stream, and no distance exceeds `window - 1` (RFC 7692 §7.1.2).
    fn compress_segmented(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        window: usize,
    ) -> Result<(), CompressError> {
        let mut rest = input;
        loop {
            if self.since_reset >= window {
                self.reset();
            }
            let take = rest.len().min(window - self.since_reset);
            let (piece, tail) = rest.split_at(take);
            self.run(piece, out)?;
            self.since_reset += take;
            rest = tail;
            if rest.is_empty() {
                return Ok(());
            }
        }
    }

    /// Feeds `input` and sync-flushes, appending everything produced.
    fn run(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), CompressError> {
        let flags = self.flags();
        let c = self
            .compressor
            .get_or_insert_with(|| spare::take_compressor(flags));
        if !self.kept && !self.params.no_context_takeover {
            self.kept = spare::keep_compressor();
        }
        let mut rest = input;
        loop {
            // Room for all of it at once: DEFLATE expands incompressible input by a few bytes
            // per 64 KiB block at most (RFC 1951 §3.2.4). With less room, miniz_oxide 0.9 at
            // level 0 (stored blocks) was seen to drop bytes across calls.
            let spare = rest.len() + rest.len() / 8 + 1024;
            let at = out.len();
            out.resize(at + spare, 0);
            let (status, used, written) = compress(c, rest, &mut out[at..], TDEFLFlush::Sync);
            out.truncate(at + written);
            if matches!(status, TDEFLStatus::BadParam | TDEFLStatus::PutBufFailed) {
                return Err(CompressError);
            }
            rest = rest.get(used..).unwrap_or(&[]);
            // Output space left over means the flush completed.
            if rest.is_empty() && written < spare {
                return Ok(());
            }
        }
    }
}

/// Why a compressed message could not be inflated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InflateError {
    /// Not a valid DEFLATE stream (RFC 1951), or one that references data never sent.
    Corrupt,
    /// The output passed the cap; `produced` bytes had been produced when inflating stopped
    /// (at most the cap plus one).
    TooLarge {
        /// Decompressed bytes produced before stopping.
        produced: u64,
    },
}

/// Our decompressor for the messages the peer sends (RFC 7692 §7.2.2).
///
/// It always keeps a 32 KiB history: a raw inflater with the largest window decodes any
/// stream made with a smaller one, so the peer's `max_window_bits` (including zlib's 8 → 9
/// quirk) needs no special handling here.
pub struct Inflater {
    params: DirectionParams,
    state: Option<Box<InflateStream>>,
}

impl core::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Inflater")
            .field("params", &self.params)
            .field("allocated", &self.state.is_some())
            .finish_non_exhaustive()
    }
}

impl Inflater {
    /// A decompressor for a direction with `params`. Allocated on first use.
    pub fn new(params: DirectionParams) -> Self {
        Inflater {
            params,
            state: None,
        }
    }

    /// The direction's settings.
    pub fn params(&self) -> DirectionParams {
        self.params
    }

    /// Forgets the window: the next message starts a fresh stream (which cannot refer to
    /// anything before its start, RFC 1951 §2).
    pub fn reset(&mut self) {
        if let Some(state) = self.state.as_mut() {
            state.reset();
        }
    }

    /// Inflates one message's payload (the `00 00 ff ff` tail is appended here, RFC 7692
    /// §7.2.2), appending the result to `out`. Output is produced in steps of at most
    /// [`INFLATE_CHUNK`] bytes and never more than `max + 1` bytes in total: past `max` it
    /// stops with [`InflateError::TooLarge`] (RFC 6455 §10.4).
    ///
    /// A block with BFINAL set ends the stream (RFC 7692 §7.2.3.4): what follows it in the
    /// message is ignored and the next message starts a fresh stream.
    pub fn decompress(
        &mut self,
        input: &[u8],
        max: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), InflateError> {
        let state = self.state.get_or_insert_with(spare::take_decompressor);
        let start = out.len();
        let result = match feed(state, input, max, out, start) {
            Ok(false) => {
                // The appended 00 00 ff ff is an empty stored block: after a whole message it
                // can never produce data (RFC 7692 §7.2.2). If it does, the message was cut
                // short or is corrupt, and its tail bytes were taken for content.
                let before = out.len();
                match feed(state, &TAIL, max, out, start) {
                    Ok(_) if out.len() != before => Err(InflateError::Corrupt),
                    other => other,
                }
            }
            other => other,
        };
        if !matches!(result, Ok(false)) || self.params.no_context_takeover {
            self.release();
        }
        result.map(|_| ())
    }
}

/// What one bounded inflate step did ([`Inflater::step`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InflateStep {
    /// Input bytes taken.
    pub consumed: usize,
    /// Output bytes appended.
    pub written: usize,
    /// A block with BFINAL set ended the stream (RFC 7692 §7.2.3.4): the rest of the
    /// message's input is to be ignored.
    pub ended: bool,
}

impl Inflater {
    /// One bounded step of inflating a message as its compressed bytes arrive (RFC 7692
    /// §7.2.2): takes what it can of `input` and appends at most `room` bytes to `out`. Output
    /// the step could not deliver stays inside the inflater; call again, with empty input once
    /// the message's bytes are all given, until a step writes nothing. Then call
    /// [`Inflater::end_message`]. Memory used is `room` plus the inflater's fixed state,
    /// whatever the compression ratio.
    pub fn step(
        &mut self,
        input: &[u8],
        room: usize,
        out: &mut Vec<u8>,
    ) -> Result<InflateStep, InflateError> {
        let state = self.state.get_or_insert_with(spare::take_decompressor);
        let at = out.len();
        out.resize(at + room, 0);
        let r = state.inflate(input, &mut out[at..]);
        out.truncate(at + r.bytes_written);
        let ended = match r.status {
            Ok(MZStatus::StreamEnd) => true,
            Ok(_) | Err(MZError::Buf) => false,
            Err(_) => {
                state.reset();
                return Err(InflateError::Corrupt);
            }
        };
        Ok(InflateStep {
            consumed: r.bytes_consumed,
            written: r.bytes_written,
            ended,
        })
    }

    /// Ends a message inflated with [`Inflater::step`]: appends the `00 00 ff ff` tail (RFC
    /// 7692 §7.2.2), which after a whole message is an empty stored block and can produce no
    /// data (if it does, the message was cut short or corrupt). Unless `ended` (a BFINAL block
    /// ended the stream), the window is kept for the next message under context takeover;
    /// otherwise, or without context takeover, the state is released.
    pub fn end_message(&mut self, mut ended: bool) -> Result<(), InflateError> {
        let mut result = Ok(());
        if !ended {
            if let Some(state) = self.state.as_mut() {
                let mut sink = [0u8; 8];
                let r = state.inflate(&TAIL, &mut sink);
                let bad = r.bytes_written != 0 || !matches!(r.status, Ok(_) | Err(MZError::Buf));
                if bad {
                    result = Err(InflateError::Corrupt);
                }
                // The tail completed a final stored block: the stream ended here.
                ended = matches!(r.status, Ok(MZStatus::StreamEnd));
            }
        }
        if ended || result.is_err() || self.params.no_context_takeover {
            self.release();
        }
        result
    }

    /// Drops the message in progress (the connection failed or closed).
    pub fn abort_message(&mut self) {
        self.release();
    }

    /// Frees the decompressor's state; the next message allocates a fresh one. Without
    /// context takeover nothing carries over between messages (RFC 7692 §7.1.1.2), so an idle
    /// connection holds no inflate window.
    fn release(&mut self) {
        if let Some(state) = self.state.take() {
            spare::give_decompressor(state);
        }
    }
}

/// Inflates all of `data` into `out` under the cap (counted from `out[start]`). Returns
/// whether the stream ended (a BFINAL block).
fn feed(
    state: &mut InflateStream,
    data: &[u8],
    max: u64,
    out: &mut Vec<u8>,
    start: usize,
) -> Result<bool, InflateError> {
    let mut pos = 0;
    loop {
        let produced = (out.len() - start) as u64;
        let room = max
            .saturating_sub(produced)
            .saturating_add(1)
            .min(INFLATE_CHUNK as u64) as usize;
        let at = out.len();
        grow(out, at + room, start, max);
        out.resize(at + room, 0);
        let rest = data.get(pos..).unwrap_or(&[]);
        let r = state.inflate(rest, &mut out[at..]);
        out.truncate(at + r.bytes_written);
        pos += r.bytes_consumed;
        let produced = (out.len() - start) as u64;
        if produced > max {
            return Err(InflateError::TooLarge { produced });
        }
        match r.status {
            Ok(MZStatus::StreamEnd) => return Ok(true),
            Ok(_) | Err(MZError::Buf) => {}
            Err(_) => return Err(InflateError::Corrupt),
        }
        if r.bytes_consumed == 0 && r.bytes_written == 0 {
            // No progress: all input taken and all output delivered, or a stuck stream.
            return if pos >= data.len() {
                Ok(false)
            } else {
                Err(InflateError::Corrupt)
            };
        }
    }
}

/// Makes room for `need` bytes, doubling like `Vec` does but never past the cap (`max + 1`
/// bytes after `start`): a bomb cannot make us reserve more than the limit.
fn grow(out: &mut Vec<u8>, need: usize, start: usize, max: u64) {
    if need <= out.capacity() {
        return;
    }
    let cap = start
        .saturating_add(usize::try_from(max).unwrap_or(usize::MAX))
        .saturating_add(1);
    let mut target = out.capacity().saturating_mul(2).max(need);
    if target.saturating_add(INFLATE_CHUNK) > cap {
        // Close to the cap: go straight to it rather than reallocating again for the last
        // few bytes (which would briefly hold twice the limit).
        target = cap.max(need);
    }
    out.reserve_exact(target - out.len());
}

impl core::fmt::Display for CompressError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the DEFLATE compressor failed; the message can be sent uncompressed")
    }
}

impl std::error::Error for CompressError {}

impl core::fmt::Display for InflateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            InflateError::Corrupt => f.write_str("not a valid DEFLATE stream (RFC 1951)"),
            InflateError::TooLarge { produced } => {
                write!(
                    f,
                    "the decompressed data passed the limit ({produced} bytes produced)"
                )
            }
        }
    }
}

impl std::error::Error for InflateError {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn params(bits: u8, nct: bool) -> DirectionParams {
        DirectionParams {
            no_context_takeover: nct,
            max_window_bits: bits,
        }
    }

    #[test]
    fn round_trip_each_policy() {
        let text: Vec<u8> = (0..50_000u32)
            .flat_map(|i| alloc::format!("{} ", i % 977).into_bytes())
            .collect();
        for bits in [8, 9, 11, 12, 14, 15] {
            for nct in [false, true] {
                for level in [0, 1, 6, 9] {
                    let mut d = Deflater::new(params(bits, nct), level);
                    let mut i = Inflater::new(params(bits, nct));
                    for _ in 0..3 {
                        let mut z = vec![];
                        d.compress(&text, &mut z).unwrap();
                        let mut back = vec![];
                        i.decompress(&z, u64::MAX, &mut back).unwrap();
                        assert_eq!(back, text, "bits {bits} nct {nct} level {level}");
                    }
                }
            }
        }
    }

    #[test]
    fn cap_is_enforced_while_inflating() {
        let zeros = vec![0u8; 4 << 20];
        let mut d = Deflater::new(params(15, false), 6);
        let mut z = vec![];
        d.compress(&zeros, &mut z).unwrap();
        let mut i = Inflater::new(params(15, false));
        let mut out = vec![];
        let err = i.decompress(&z, 100_000, &mut out).unwrap_err();
        assert_eq!(err, InflateError::TooLarge { produced: 100_001 });
        assert_eq!(out.len(), 100_001);
        assert!(out.capacity() <= 100_001, "{}", out.capacity());
        // Exactly at the limit is fine.
        let mut d = Deflater::new(params(15, true), 6);
        let mut z = vec![];
        d.compress(&zeros[..100_000], &mut z).unwrap();
        let mut out = vec![];
        i.decompress(&z, 100_000, &mut out).unwrap();
        assert_eq!(out.len(), 100_000);
    }
    #[test]
    fn level_0_and_small_windows_compress_large_messages() {
        for bits in [8, 9, 12, 15] {
            for level in [0, 1, 6] {
                let p = DirectionParams {
                    no_context_takeover: true,
                    max_window_bits: bits,
                };
                let mut d = Deflater::new(p, level);
                for i in 0..5 {
                    let mut z = vec![];
                    let r = d.compress(&vec![b'x'; 95297 + i], &mut z);
                    assert!(r.is_ok(), "round {i} bits {bits} level {level}");
                }
            }
        }
    }

    #[test]
    fn past_the_kept_limit_messages_start_from_an_empty_window() {
        let full = params(15, false);
        let text: Vec<u8> = b"the same words again and again ".repeat(100);
        let mut ends: Vec<(Deflater, Inflater)> = (0..spare::MAX_KEPT_COMPRESSORS + 8)
            .map(|_| (Deflater::new(full, 1), Inflater::new(full)))
            .collect();
        for round in 0..2 {
            for (i, (d, inf)) in ends.iter_mut().enumerate() {
                let mut z = vec![];
                d.compress(&text, &mut z).unwrap();
                let mut back = vec![];
                inf.decompress(&z, u64::MAX, &mut back).unwrap();
                assert_eq!(back, text, "round {round} connection {i}");
                assert_eq!(d.kept, i < spare::MAX_KEPT_COMPRESSORS, "connection {i}");
                assert_eq!(d.compressor.is_some(), d.kept, "only kept ones hold state");
            }
        }
        drop(ends);
        assert!(spare::keep_compressor(), "places are given back on drop");
        spare::unkeep_compressor();
    }

    #[test]
    fn a_distance_before_the_stream_never_reads_another_connections_data() {
        let nct = params(15, true);
        // One connection inflates a secret; its state goes back to the shared spare.
        let secret = vec![b'S'; 40_000];
        let mut z = vec![];
        Deflater::new(nct, 1).compress(&secret, &mut z).unwrap();
        let mut first = Inflater::new(nct);
        let mut out = vec![];
        first.decompress(&z, u64::MAX, &mut out).unwrap();
        assert_eq!(out, secret);
        // Another connection's crafted message reaches back before its own stream: refused
        // as corrupt (RFC 1951 §2), as zlib does, and nothing of the secret comes out.
        for streaming in [false, true] {
            let mut second = Inflater::new(nct);
            let mut out = vec![];
            // A literal, then a distance of 100: before the start of its stream.
            let crafted = crate::deflate::stream::tests::literal_then_match(100);
            let refused = if streaming {
                second.step(&crafted, 1024, &mut out).is_err()
            } else {
                second.decompress(&crafted, u64::MAX, &mut out).is_err()
            };
            assert!(refused, "accepted: {out:?}");
            assert!(!out.contains(&b'S'), "leaked: {out:?}");
        }
    }

    #[test]
    fn a_message_ended_by_its_tail_starts_a_fresh_stream_next() {
        // Found by fuzzing: `0x21` opens a final stored block that the appended 00 00 ff ff
        // completes; the stream has ended, so the next message must start a new one.
        let full = params(15, false);
        let mut inflater = Inflater::new(full);
        let mut out = vec![];
        inflater.step(&[0x21], 64, &mut out).unwrap();
        inflater.end_message(false).unwrap();
        assert!(out.is_empty());
        let mut z = vec![];
        Deflater::new(full, 1)
            .compress(b"next message", &mut z)
            .unwrap();
        let step = inflater.step(&z, 64, &mut out).unwrap();
        assert_eq!(step.consumed, z.len());
        inflater.end_message(step.ended).unwrap();
        assert_eq!(out, b"next message");
    }
}

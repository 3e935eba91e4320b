//! A raw DEFLATE stream being decompressed (RFC 1951), over miniz_oxide's core decompressor and
//! a 32 KiB history of our own, so that a back-reference reaching before the start of the
//! stream is refused.
//!
//! RFC 1951 §2: "a distance cannot refer past the beginning of the output stream". zlib refuses
//! such data ("invalid distance too far back", and `ws` then closes with 1007); miniz_oxide's
//! streaming state checks a distance only against the size of its history, so a message that
//! reaches back before its stream began was decoded from whatever the history held. Here the
//! history is written from its start while the stream is younger than it (the core decompressor
//! then checks every distance against the bytes produced so far), and used as a ring after.

use alloc::boxed::Box;

use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_IGNORE_ADLER32, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{decompress, DecompressorOxide, TINFL_LZ_DICT_SIZE};
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::{MZError, MZStatus, StreamResult};

/// The largest history a raw DEFLATE stream may refer to (RFC 1951 §2: 32K bytes).
const HISTORY: usize = TINFL_LZ_DICT_SIZE;

/// One decompression stream: the decoder's state, its history and the output not yet taken.
pub struct InflateStream {
    decomp: DecompressorOxide,
    history: Box<[u8; HISTORY]>,
    /// Where the next output goes in `history` (a ring once the stream filled it).
    at: usize,
    /// Decoded bytes at `history[at..]` not yet handed out.
    waiting: usize,
    /// Bytes the stream has produced since it started (saturating).
    produced: u64,
    status: TINFLStatus,
}

impl InflateStream {
    /// A stream at its start.
    pub fn new_boxed() -> Box<Self> {
        Box::new(InflateStream {
            decomp: DecompressorOxide::new(),
            history: Box::new([0; HISTORY]),
            at: 0,
            waiting: 0,
            produced: 0,
            status: TINFLStatus::NeedsMoreInput,
        })
    }

    /// Back to the start of a new stream. The history is not cleared: nothing before the new
    /// stream's start can be referred to.
    pub fn reset(&mut self) {
        self.decomp.init();
        self.at = 0;
        self.waiting = 0;
        self.produced = 0;
        self.status = TINFLStatus::NeedsMoreInput;
    }

    /// Decompresses what it can of `input` into `output`, as miniz_oxide's `inflate` does
    /// without a flush: `StreamEnd` once a final block ended the stream (RFC 1951 §3.2.3) and
    /// all its output was taken, `Err(Buf)` when no progress is possible, `Err(Data)` for data
    /// that is not DEFLATE (a distance before the stream's start included).
    pub fn inflate(&mut self, input: &[u8], output: &mut [u8]) -> StreamResult {
        let mut result = StreamResult {
            bytes_consumed: 0,
            bytes_written: 0,
            status: Ok(MZStatus::Ok),
        };
        if self.status == TINFLStatus::FailedCannotMakeProgress {
            result.status = Err(MZError::Buf);
            return result;
        }
        if (self.status as i32) < 0 {
            result.status = Err(MZError::Data);
            return result;
        }
        let mut output = output;
        if self.waiting != 0 {
            result.bytes_written += self.hand_out(&mut output);
            result.status = Ok(self.ended());
            return result;
        }
        let mut input = input;
        let had_input = !input.is_empty();
        loop {
            let mut flags = TINFL_FLAG_IGNORE_ADLER32 | TINFL_FLAG_HAS_MORE_INPUT;
            if self.produced < HISTORY as u64 {
                // The stream is younger than its history: written from the start, so the
                // decoder checks each distance against the bytes produced (`at` == `produced`).
                flags |= TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
            }
            let (status, taken, made) = decompress(
                &mut self.decomp,
                input,
                &mut self.history[..],
                self.at,
                flags,
            );
            self.status = status;
            input = input.get(taken..).unwrap_or(&[]);
            result.bytes_consumed += taken;
            self.produced = self.produced.saturating_add(made as u64);
            self.waiting = made;
            result.bytes_written += self.hand_out(&mut output);
            if status == TINFLStatus::FailedCannotMakeProgress {
                result.status = Err(MZError::Buf);
                return result;
            }
            if (status as i32) < 0 {
                result.status = Err(MZError::Data);
                return result;
            }
            if status == TINFLStatus::NeedsMoreInput && !had_input {
                result.status = Err(MZError::Buf);
                return result;
            }
            if status == TINFLStatus::Done
                || input.is_empty()
                || output.is_empty()
                || self.waiting != 0
            {
                result.status = Ok(self.ended());
                return result;
            }
        }
    }

    /// `StreamEnd` once the final block was decoded and all of it handed out.
    fn ended(&self) -> MZStatus {
        if self.status == TINFLStatus::Done && self.waiting == 0 {
            MZStatus::StreamEnd
        } else {
            MZStatus::Ok
        }
    }

    /// Copies what is waiting into `output` and advances both.
    fn hand_out(&mut self, output: &mut &mut [u8]) -> usize {
        let n = self.waiting.min(output.len());
        let (to, rest) = core::mem::take(output).split_at_mut(n);
        to.copy_from_slice(&self.history[self.at..self.at + n]);
        *output = rest;
        self.waiting -= n;
        self.at = (self.at + n) & (HISTORY - 1);
        n
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use miniz_oxide::deflate::compress_to_vec;

    fn inflate_all(
        stream: &mut InflateStream,
        input: &[u8],
        step: usize,
    ) -> Result<Vec<u8>, MZError> {
        let mut out = Vec::new();
        let mut rest = input;
        loop {
            let mut buf = vec![0; step];
            let r = stream.inflate(rest, &mut buf);
            rest = &rest[r.bytes_consumed..];
            out.extend_from_slice(&buf[..r.bytes_written]);
            match r.status {
                Ok(MZStatus::StreamEnd) => return Ok(out),
                Err(MZError::Buf) if rest.is_empty() => return Ok(out),
                Err(e) => return Err(e),
                Ok(_) if r.bytes_consumed == 0 && r.bytes_written == 0 => return Ok(out),
                Ok(_) => {}
            }
        }
    }

    #[test]
    fn round_trips_across_the_history_boundary_in_any_step() {
        let data: Vec<u8> = (0..200_000u32)
            .map(|i| (i * 7 % 251) as u8 ^ (i >> 9) as u8)
            .collect();
        let z = compress_to_vec(&data, 6);
        for step in [1, 7, 4096, 32_768, 65_536] {
            let mut s = InflateStream::new_boxed();
            assert_eq!(inflate_all(&mut s, &z, step).unwrap(), data, "step {step}");
        }
    }

    /// A fixed-Huffman block (RFC 1951 §3.2.6): literal `A`, then a match of length 3 at
    /// distance `d` (1, or 97..=128), then end of block. Also the codec's tests' crafted input.
    pub(crate) fn literal_then_match(d: u32) -> Vec<u8> {
        let mut bits: Vec<bool> = vec![true, true, false]; // BFINAL 1, BTYPE 01 (LSB first)
        let code = |value: u32, len: u32, bits: &mut Vec<bool>| {
            for i in (0..len).rev() {
                bits.push(value >> i & 1 == 1); // Huffman codes go most significant bit first
            }
        };
        code(0x30 + u32::from(b'A'), 8, &mut bits); // literal A
        code(1, 7, &mut bits); // 257: length 3
        if d == 1 {
            code(0, 5, &mut bits); // distance code 0: 1
        } else {
            code(13, 5, &mut bits); // distance code 13: 97..=128
            for i in 0..5 {
                bits.push((d - 97) >> i & 1 == 1); // its extra bits, least significant first
            }
        }
        code(0, 7, &mut bits); // 256: end of block
        bits.chunks(8)
            .map(|b| b.iter().enumerate().map(|(i, &x)| u8::from(x) << i).sum())
            .collect()
    }

    #[test]
    fn a_distance_before_the_start_of_the_stream_is_refused() {
        let mut s = InflateStream::new_boxed();
        assert_eq!(
            inflate_all(&mut s, &literal_then_match(1), 64).unwrap(),
            b"AAAA"
        );
        for step in [1, 64] {
            let mut s = InflateStream::new_boxed();
            assert_eq!(
                inflate_all(&mut s, &literal_then_match(100), step),
                Err(MZError::Data)
            );
        }
        // Nor after a reset, whatever the history still holds from the stream before.
        let mut s = InflateStream::new_boxed();
        let _ = inflate_all(&mut s, &compress_to_vec(&[b'S'; 40_000], 1), 4096);
        s.reset();
        assert_eq!(
            inflate_all(&mut s, &literal_then_match(100), 64),
            Err(MZError::Data)
        );
    }
}

//! Inflating a compressed message as its frames arrive (RFC 7692 §7.2.2), in bounded windows.
//!
//! With [`Config::streaming`](super::Config::streaming) a compressed message is never held
//! whole: each piece of compressed payload is inflated as it arrives and the output is reported
//! as [`Event::Part`]s of at most [`INFLATE_WINDOW`] bytes, checked against the size limit
//! (RFC 6455 §10.4) and, for text, UTF-8 (§8.1) as it is produced. A compression bomb costs one
//! window, not the message. When a receive call's budget runs out in the middle of a piece, the
//! rest of that piece (at most one chunk) is kept here and inflated by the next call.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use super::{Connection, Event, Flow, ProtocolError};
use crate::deflate::DeflateError;
use crate::frame::Opcode;
use crate::message::{Payload, Utf8Validator};

/// Largest part an inflated message is reported in.
pub const INFLATE_WINDOW: usize = 64 * 1024;

/// Most inflated bytes that the unfinished compressed messages of all connections of the
/// process (so of a whole wasm instance) may have reported, and so their receivers hold, at
/// once. Each message is bounded by `max_message_size`, but DEFLATE expands up to ~1,000x:
/// without a total, 40 peers each sending 60 KB of a message they never finish made a server
/// hold 2.4 GB. A piece of a message that does not end in it, and that would take the total past
/// this, fails its connection with 1009, the message being too big to process now (RFC 6455
/// §7.4.1, §10.4). The last piece of a message is never refused for the total (it is delivered
/// at once and leaves it), so peers that stall cannot stop other connections' messages that
/// arrive whole; a message that is itself larger than the budget and spans reads is refused.
pub const INFLATING_BUDGET: u64 = if cfg!(test) { 4 << 20 } else { 512 << 20 };

/// Inflated bytes reported by the unfinished compressed messages of the process (one counter
/// whatever thread a `Connection` runs or is dropped on).
static HELD: AtomicU64 = AtomicU64::new(0);

/// Inflated bytes the unfinished compressed messages of the process's connections hold now.
pub fn inflating_held() -> u64 {
    HELD.load(Ordering::Relaxed)
}

/// The compressed message being inflated.
#[derive(Debug)]
pub(super) struct Inflating {
    opcode: Opcode,
    /// Inflated bytes so far (checked against `max_message_size`).
    produced: u64,
    /// A BFINAL block ended the DEFLATE stream: the rest of the message is ignored
    /// (RFC 7692 §7.2.3.4).
    ended: bool,
    utf8: Utf8Validator,
    /// Compressed input a call left for the next, and whether it ends the message.
    pending: Option<(Vec<u8>, bool)>,
}

impl Drop for Inflating {
    /// The message is complete, failed or abandoned: its bytes leave the total.
    fn drop(&mut self) {
        let _ = HELD.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |h| {
            Some(h.saturating_sub(self.produced))
        });
    }
}

impl Connection {
    /// Inflates the next piece of a compressed message; `fin` marks its last piece.
    pub(super) fn inflate_part(
        &mut self,
        opcode: Opcode,
        input: &[u8],
        fin: bool,
        out: &mut Vec<Event>,
    ) -> Flow {
        if self.inflating.is_none() {
            self.inflating = Some(Box::new(Inflating {
                opcode,
                produced: 0,
                ended: false,
                utf8: Utf8Validator::new(),
                pending: None,
            }));
        }
        self.inflate_input(input, fin, out)
    }

    /// Goes on with the input an earlier call left pending, if any.
    pub(super) fn inflate_pending(&mut self, out: &mut Vec<Event>) -> Flow {
        let Some((input, fin)) = self.inflating.as_mut().and_then(|i| i.pending.take()) else {
            return Flow::Continue;
        };
        self.inflate_input(&input, fin, out)
    }

    /// Forgets the message being inflated (the connection closed or failed).
    pub(super) fn abort_inflating(&mut self) {
        if self.inflating.take().is_some() {
            if let Some(d) = self.deflate.as_mut() {
                d.inflater.abort_message();
            }
        }
    }

    fn inflate_input(&mut self, input: &[u8], fin: bool, out: &mut Vec<Event>) -> Flow {
        let offset = self.message_offset;
        let max = self.config.max_message_size;
        let check = self.config.utf8_check;
        let mut rest = input;
        let mut window: Vec<u8> = Vec::new();
        loop {
            let (Some(inf), Some(deflate)) = (self.inflating.as_mut(), self.deflate.as_mut())
            else {
                return self.inflate_failed(DeflateError::InvalidCompressedData { offset }, out);
            };
            if inf.ended {
                rest = &[];
            }
            let left = usize::try_from(max.saturating_sub(inf.produced).saturating_add(1))
                .unwrap_or(usize::MAX);
            let room = (INFLATE_WINDOW - window.len()).min(left);
            // Grow with the data rather than reserving a whole window for a small message.
            let want = room.min(window.len().max(rest.len().saturating_mul(4)).max(4096));
            window.reserve_exact(want);
            let before = window.len();
            let step = if inf.ended {
                crate::deflate::InflateStep {
                    consumed: 0,
                    written: 0,
                    ended: true,
                }
            } else {
                match deflate.inflater.step(rest, want, &mut window) {
                    Ok(step) => step,
                    Err(_) => {
                        return self
                            .inflate_failed(DeflateError::InvalidCompressedData { offset }, out)
                    }
                }
            };
            rest = rest.get(step.consumed..).unwrap_or(&[]);
            inf.ended |= step.ended;
            if step.written > 0 {
                let written = step.written as u64;
                inf.produced = inf.produced.saturating_add(written);
                let total = HELD
                    .fetch_add(written, Ordering::Relaxed)
                    .saturating_add(written);
                if inf.produced > max {
                    return self.inflate_failed(DeflateError::MessageTooLarge { offset, max }, out);
                }
                if total > INFLATING_BUDGET && !fin {
                    let budget = INFLATING_BUDGET;
                    return self.inflate_failed(DeflateError::OverBudget { offset, budget }, out);
                }
                if inf.opcode == Opcode::Text {
                    let held = inf.utf8.held() as u64;
                    if let Err(at) = inf.utf8.feed_with(&window[before..], check) {
                        let start = inf.produced - step.written as u64;
                        let index = (start + at as u64).saturating_sub(held);
                        return self
                            .inflate_failed(DeflateError::InvalidUtf8 { offset, index }, out);
                    }
                }
            }
            let stuck = step.consumed == 0 && step.written == 0;
            if stuck && !rest.is_empty() {
                return self.inflate_failed(DeflateError::InvalidCompressedData { offset }, out);
            }
            if window.len() >= INFLATE_WINDOW {
                let opcode = inf.opcode;
                let full = core::mem::take(&mut window);
                self.push_part(opcode, Payload::Owned(full), false, false, None, out);
                if self.budget_left == 0 {
                    if let Some(inf) = self.inflating.as_mut() {
                        inf.pending = Some((rest.to_vec(), fin));
                    }
                    return Flow::Suspend;
                }
                continue;
            }
            // Without more input the inflater has delivered what it can; at the end of the
            // message, step until it writes nothing so no output stays inside it.
            if stuck || (rest.is_empty() && !fin && step.written < want) {
                break;
            }
        }
        let Some(inf) = self.inflating.as_ref() else {
            return Flow::Continue;
        };
        let opcode = inf.opcode;
        if !fin {
            if !window.is_empty() {
                self.push_part(opcode, Payload::Owned(window), false, false, None, out);
            }
            return Flow::Continue;
        }
        let ended = inf.ended;
        let produced = inf.produced;
        let complete = inf.utf8.is_complete();
        let tail = inf.utf8.held() as u64;
        let ok = self
            .deflate
            .as_mut()
            .is_some_and(|d| d.inflater.end_message(ended).is_ok());
        if !ok {
            return self.inflate_failed(DeflateError::InvalidCompressedData { offset }, out);
        }
        if opcode == Opcode::Text && !complete {
            // The text ends inside a code point (RFC 6455 §8.1): index its first byte.
            let index = produced.saturating_sub(tail);
            return self.inflate_failed(DeflateError::InvalidUtf8 { offset, index }, out);
        }
        self.inflating = None;
        self.push_part(opcode, Payload::Owned(window), false, true, None, out);
        Flow::Continue
    }

    fn inflate_failed(&mut self, error: DeflateError, out: &mut Vec<Event>) -> Flow {
        self.fail(ProtocolError::Deflate(error), out);
        Flow::Stop
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::Config;
    use crate::deflate::negotiation::DeflateParams;
    use crate::deflate::{Deflater, DirectionParams};
    use crate::error::Diagnostic;
    use crate::frame::{encode_frame, Role};

    /// A server connection with permessage-deflate and the streaming path (as the binding).
    fn server() -> Connection {
        let config = Config::default()
            .with_deflate(Some(DeflateParams::default()))
            .with_streaming(true);
        Connection::new(Role::Server, config)
    }

    /// The first fragment of a compressed binary message of `size` zero bytes, never finished.
    fn unfinished(size: usize) -> Vec<u8> {
        frame(size, false)
    }

    /// A compressed binary message of `size` zero bytes in one frame (FIN set when `fin`).
    fn frame(size: usize, fin: bool) -> Vec<u8> {
        let full = DirectionParams {
            no_context_takeover: false,
            max_window_bits: 15,
        };
        let mut z = Vec::new();
        Deflater::new(full, 6)
            .compress(&alloc::vec![0u8; size], &mut z)
            .unwrap();
        let mut wire = Vec::new();
        encode_frame(&mut wire, Opcode::Binary, fin, true, &z, Some([1, 2, 3, 4]));
        wire
    }

    fn refusal(c: &mut Connection, wire: &[u8]) -> Option<(&'static str, Option<u16>)> {
        let mut events = Vec::new();
        c.receive(wire, &mut events);
        events.iter().find_map(|e| match e {
            Event::Error(e) => Some((e.code(), e.close_code())),
            _ => None,
        })
    }

    #[test]
    fn unfinished_messages_of_all_connections_share_one_budget() {
        let piece = unfinished(1 << 20);
        let mut held = Vec::new();
        let mut refused = None;
        for i in 0..8 {
            let mut c = server();
            if let Some(r) = refusal(&mut c, &piece) {
                refused = Some((i, r));
                break;
            }
            held.push(c);
        }
        // 4 MiB in unit tests: the fifth unfinished 1 MiB message is refused with 1009.
        assert_eq!(refused, Some((4, ("message-too-large", Some(1009)))));
        assert!(inflating_held() <= INFLATING_BUDGET);
        // Stalled peers do not stop a message that arrives whole: its last piece is never
        // refused for the total.
        assert_eq!(refusal(&mut server(), &frame(1 << 20, true)), None);
        // Their bytes leave the total when the connections go: a new message fits again.
        drop(held);
        assert_eq!(inflating_held(), 0);
        assert_eq!(refusal(&mut server(), &piece), None);
    }
}

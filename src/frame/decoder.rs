//! A streaming frame decoder (RFC 6455 §5.2) that unmasks payloads in place (§5.3).
//!
//! It accepts bytes in any split, down to one byte at a time, keeping at most 13 header bytes
//! between calls and never copying payload bytes: each call to [`FrameDecoder::next`] returns a
//! [`FramePiece`], a range of the caller's buffer that now holds unmasked payload.

use super::error::FrameError;
use super::header::{partial_header_len, FrameHeader, Status, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN};
use super::mask::{apply_mask, next_phase};
use super::opcode::Opcode;
use super::role::Role;

/// What the decoder enforces per frame, all checked from the header before any payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoderConfig {
    /// Our role: a server requires masked frames, a client rejects them (RFC 6455 §5.1).
    pub role: Role,
    /// An extension (permessage-deflate, RFC 7692 §6) gives RSV1 a meaning on the first frame
    /// of a data message. When false any RSV bit fails the connection (RFC 6455 §5.2).
    pub rsv1_allowed: bool,
    /// Largest accepted payload of one frame, in bytes (RFC 6455 §10.4; close 1009).
    pub max_frame_size: u64,
}

/// A run of unmasked payload bytes of the current frame, as a range of the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FramePiece {
    /// Start of the bytes in the buffer passed to [`FrameDecoder::next`].
    pub start: usize,
    /// Number of bytes (may be 0: an empty frame, or the header of a frame whose payload has
    /// not arrived yet).
    pub len: usize,
    /// First piece of the frame: its header was just decoded and checked.
    pub first: bool,
    /// Last piece of the frame: its payload is complete.
    pub last: bool,
}

/// How to unmask a piece [`FrameDecoder::next_masked`] left masked (RFC 6455 §5.3): the
/// frame's key, and the payload index (mod 4) of the piece's first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Masking {
    /// The frame's masking key.
    pub key: [u8; 4],
    /// `phase` for [`apply_mask`] / [`super::mask::mask_copy`].
    pub phase: usize,
}

/// A whole unfragmented text or binary frame from [`FrameDecoder::next_whole_data`]: its
/// unmasked payload is `buf[start..start + len]`.
#[cfg(feature = "connection")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WholeData {
    /// Opcode `Text` (else `Binary`).
    pub text: bool,
    /// Start of the payload in the buffer.
    pub start: usize,
    /// Payload length in bytes.
    pub len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    Payload,
}

/// The streaming decoder (RFC 6455 §5.2). Stateless about messages: fragmentation rules live
/// in the message assembler.
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    config: DecoderConfig,
    state: State,
    header_buf: [u8; MAX_HEADER_LEN],
    header_buf_len: usize,
    header: FrameHeader,
    frame_offset: u64,
    remaining: u64,
    phase: usize,
    first: bool,
    /// [`FrameDecoder::set_whole_frames`]: leave a frame that is not complete in the buffer.
    whole: bool,
    /// Bytes (header and payload) of the frame left in the buffer in whole-frame mode.
    held: u64,
    /// Payload bytes of that frame already unmasked in the caller's buffer.
    held_done: usize,
}

impl FrameDecoder {
    /// A decoder waiting for the first frame header.
    pub fn new(config: DecoderConfig) -> Self {
        FrameDecoder {
            config,
            state: State::Header,
            header_buf: [0; MAX_HEADER_LEN],
            header_buf_len: 0,
            header: FrameHeader {
                fin: true,
                rsv1: false,
                rsv2: false,
                rsv3: false,
                opcode: Opcode::Continuation,
                mask: None,
                payload_len: 0,
            },
            frame_offset: 0,
            remaining: 0,
            phase: 0,
            first: false,
            whole: false,
            held: 0,
            held_done: 0,
        }
    }

    /// Whole-frame mode: at a frame boundary, a frame that is not complete in the buffer is
    /// left there (its header checked first, so a frame the limits refuse fails at once) and
    /// [`FrameDecoder::next`] returns `Ok(None)` without consuming it; the caller presents it
    /// again, grown, at the start of the next buffer. Its payload then comes as one piece, never
    /// copied. The payload bytes that have arrived are unmasked at once, while they are still in
    /// cache: present the held bytes as they were left (unmasked in place), not a fresh copy.
    pub fn set_whole_frames(&mut self, on: bool) {
        self.whole = on;
    }

    /// In whole-frame mode, after `next` left a frame in the buffer: the bytes it needs in all
    /// (header and payload; while its header is incomplete, the header's own length as far as
    /// its bytes tell, [`partial_header_len`]: call again once that many bytes are there).
    pub fn held_frame_len(&self) -> u64 {
        self.held
    }

    /// The configuration in force.
    pub fn config(&self) -> &DecoderConfig {
        &self.config
    }

    /// Changes what later frames are checked against (e.g. RSV1 after negotiation).
    pub fn set_config(&mut self, config: DecoderConfig) {
        self.config = config;
    }

    /// The header of the frame the last piece belongs to.
    #[inline]
    pub fn header(&self) -> &FrameHeader {
        &self.header
    }

    /// Stream offset of the current frame's first header byte.
    #[inline]
    pub fn frame_offset(&self) -> u64 {
        self.frame_offset
    }

    /// True between frames with no header bytes held back.
    pub fn is_at_frame_boundary(&self) -> bool {
        self.state == State::Header && self.header_buf_len == 0
    }

    /// Decodes from `buf[*pos..]`, where `buf[0]` is at stream offset `base`.
    ///
    /// Returns the next piece of payload, unmasked in place in `buf`, and advances `*pos`
    /// past it; `Ok(None)` when the buffer is used up (a partial header is kept internally).
    /// The first piece of every frame comes right after its header is checked, even with no
    /// payload bytes yet, so limits apply before the payload arrives (RFC 6455 §10.4).
    #[inline]
    pub fn next(
        &mut self,
        buf: &mut [u8],
        pos: &mut usize,
        base: u64,
    ) -> Result<Option<FramePiece>, FrameError> {
        let Some((piece, masking)) = self.next_masked(buf, pos, base)? else {
            return Ok(None);
        };
        if let Some(m) = masking {
            if let Some(payload) = buf.get_mut(piece.start..piece.start + piece.len) {
                apply_mask(payload, m.key, m.phase);
            }
        }
        Ok(Some(piece))
    }

    /// [`FrameDecoder::next`] that may leave the piece masked for its reader, who unmasks it
    /// where it reads it (RFC 6455 §5.3): in place, or while copying it out
    /// ([`super::mask::mask_copy`]), one pass over the bytes instead of two. `Some(masking)`
    /// says the whole piece is still masked; `None`, that it is plain (an unmasked frame, or one
    /// held in whole-frame mode, whose bytes were unmasked as they arrived).
    #[inline]
    pub(crate) fn next_masked(
        &mut self,
        buf: &mut [u8],
        pos: &mut usize,
        base: u64,
    ) -> Result<Option<(FramePiece, Option<Masking>)>, FrameError> {
        if self.state == State::Header {
            let Some(avail) = buf.get(*pos..) else {
                return Ok(None);
            };
            if avail.is_empty() {
                return Ok(None);
            }
            let parsed = if self.header_buf_len == 0 {
                self.frame_offset = base.saturating_add(*pos as u64);
                match FrameHeader::parse(avail) {
                    Ok(Status::Complete((header, used))) => {
                        let need = (used as u64).saturating_add(header.payload_len);
                        if self.whole && need > avail.len() as u64 {
                            self.check(&header)?;
                            self.hold(buf, *pos + used, header.mask);
                            self.held = need;
                            return Ok(None);
                        }
                        *pos += used;
                        header
                    }
                    Ok(Status::Partial) if self.whole => {
                        // What the header needs before anything can go on: its own length
                        // once its second byte came (an 8-byte frame split 3 + 5 must not
                        // wait for a 14th byte).
                        self.held = partial_header_len(avail) as u64;
                        self.held_done = 0;
                        return Ok(None);
                    }
                    Ok(Status::Partial) => {
                        let n = avail.len().min(MAX_HEADER_LEN);
                        self.header_buf[..n].copy_from_slice(&avail[..n]);
                        self.header_buf_len = n;
                        *pos += n;
                        return Ok(None);
                    }
                    Err(e) => return Err(e.shifted(self.frame_offset)),
                }
            } else {
                let held = self.header_buf_len;
                let take = avail.len().min(MAX_HEADER_LEN - held);
                self.header_buf[held..held + take].copy_from_slice(&avail[..take]);
                match FrameHeader::parse(&self.header_buf[..held + take]) {
                    Ok(Status::Complete((header, used))) => {
                        *pos += used.saturating_sub(held);
                        self.header_buf_len = 0;
                        header
                    }
                    Ok(Status::Partial) => {
                        self.header_buf_len = held + take;
                        *pos += take;
                        return Ok(None);
                    }
                    Err(e) => return Err(e.shifted(self.frame_offset)),
                }
            };
            self.check(&parsed)?;
            self.header = parsed;
            self.remaining = parsed.payload_len;
            self.phase = 0;
            self.first = true;
            self.state = State::Payload;
        }
        let avail = buf.len().saturating_sub(*pos);
        let take = if self.remaining < avail as u64 {
            self.remaining as usize
        } else {
            avail
        };
        if take == 0 && !self.first && self.remaining > 0 {
            return Ok(None);
        }
        let start = *pos;
        // A frame held in whole-frame mode has its first `held_done` bytes unmasked already:
        // the rest of the piece is unmasked here, so the reader gets it plain.
        let done = core::mem::take(&mut self.held_done).min(take);
        let mut masking = None;
        if let Some(key) = self.header.mask {
            let phase = self.phase;
            if done == 0 {
                masking = Some(Masking { key, phase });
            } else if let Some(payload) = buf.get_mut(start + done..start + take) {
                apply_mask(payload, key, next_phase(phase, done));
            }
            self.phase = next_phase(phase, take);
        }
        self.remaining -= take as u64;
        *pos += take;
        let piece = FramePiece {
            start,
            len: take,
            first: self.first,
            last: self.remaining == 0,
        };
        self.first = false;
        if self.remaining == 0 {
            self.state = State::Header;
        }
        Ok(Some((piece, masking)))
    }

    /// The common frame in one step: at a frame boundary, a complete unfragmented text or
    /// binary frame (FIN set, no RSV bit) masked as our role requires (RFC 6455 §5.1), with a
    /// 7- or 16-bit length within `max_frame_size` (§5.2, §10.4). Such a frame passes every
    /// per-frame rule, so it is unmasked in place (§5.3) and returned as one piece with
    /// `*pos` advanced past it; its opcode is `Text` when `text`. Any other frame, or one
    /// not complete in `buf`, gives `None` and changes nothing: [`FrameDecoder::next`] then
    /// decodes it (and reports what it breaks). [`FrameDecoder::header`] keeps the header of
    /// the last frame `next` decoded.
    #[cfg(feature = "connection")]
    #[inline]
    pub(crate) fn next_whole_data(
        &mut self,
        buf: &mut [u8],
        pos: &mut usize,
        base: u64,
    ) -> Option<WholeData> {
        if self.state != State::Header || self.header_buf_len != 0 || self.held_done != 0 {
            return None;
        }
        let start = *pos;
        let frame = buf.get_mut(start..)?;
        let [b0, b1, ..] = *frame else {
            return None;
        };
        // FIN, RSV1-3 clear, opcode 1 or 2; MASK set exactly when we are the server.
        let text = match b0 {
            0x81 => true,
            0x82 => false,
            _ => return None,
        };
        let masked = b1 & 0x80 != 0;
        if masked != (self.config.role == Role::Server) {
            return None;
        }
        let (len, mut used) = match b1 & 0x7F {
            127 => return None,
            126 => {
                let [_, _, hi, lo, ..] = *frame else {
                    return None;
                };
                let len = usize::from(u16::from_be_bytes([hi, lo]));
                if len < 126 {
                    return None; // not minimal: `next` reports it
                }
                (len, 4)
            }
            n => (usize::from(n), 2),
        };
        if len as u64 > self.config.max_frame_size {
            return None;
        }
        let key = if masked {
            let key = frame.get(used..used + 4)?;
            let key = [key[0], key[1], key[2], key[3]];
            used += 4;
            Some(key)
        } else {
            None
        };
        // The general path's rules, in debug builds: a frame taken here must pass them all.
        debug_assert!(matches!(
            FrameHeader::parse(frame.get(..used).unwrap_or(&[])),
            Ok(Status::Complete((ref h, n))) if n == used && self.check(h).is_ok()
        ));
        let payload = frame.get_mut(used..used + len)?;
        if let Some(key) = key {
            apply_mask(payload, key, 0);
        }
        self.frame_offset = base.saturating_add(start as u64);
        *pos = start + used + len;
        Some(WholeData {
            text,
            start: start + used,
            len,
        })
    }

    /// Whole-frame mode, holding a frame whose payload starts at `buf[payload]`: unmasks the
    /// payload bytes that arrived since the last call (RFC 6455 §5.3).
    fn hold(&mut self, buf: &mut [u8], payload: usize, mask: Option<[u8; 4]>) {
        let arrived = buf.len().saturating_sub(payload);
        if let Some(key) = mask {
            let done = self.held_done.min(arrived);
            if let Some(fresh) = buf.get_mut(payload + done..) {
                apply_mask(fresh, key, done);
            }
        }
        self.held_done = arrived;
    }

    /// Per-frame rules that need the role or the negotiated extensions (RFC 6455 §5.1, §5.2,
    /// §5.5; RFC 7692 §6), and the frame size limit (§10.4). A rule added here must also hold for
    /// the frames [`FrameDecoder::next_whole_data`] takes without calling it (a debug assertion
    /// there, and tests/connection_common_frames.rs, compare the two).
    #[inline]
    fn check(&self, h: &FrameHeader) -> Result<(), FrameError> {
        let offset = self.frame_offset;
        if h.rsv1 || h.rsv2 || h.rsv3 {
            let rsv1_ok =
                self.config.rsv1_allowed && matches!(h.opcode, Opcode::Text | Opcode::Binary);
            if h.rsv2 || h.rsv3 || !rsv1_ok {
                let bits = (u8::from(h.rsv1) << 2) | (u8::from(h.rsv2) << 1) | u8::from(h.rsv3);
                return Err(FrameError::ReservedBits { offset, bits });
            }
        }
        if h.opcode.is_reserved() {
            return Err(FrameError::ReservedOpcode {
                offset,
                opcode: u8::from(h.opcode),
            });
        }
        match (self.config.role, h.mask.is_some()) {
            (Role::Server, false) => return Err(FrameError::UnmaskedFrame { offset }),
            (Role::Client, true) => return Err(FrameError::MaskedFrame { offset }),
            _ => {}
        }
        if h.opcode.is_control() {
            if !h.fin {
                return Err(FrameError::FragmentedControlFrame { offset });
            }
            if h.payload_len > MAX_CONTROL_PAYLOAD as u64 {
                return Err(FrameError::ControlFrameTooLong {
                    offset,
                    len: h.payload_len,
                });
            }
        }
        if h.payload_len > self.config.max_frame_size {
            return Err(FrameError::FrameTooLarge {
                offset,
                len: h.payload_len,
                max: self.config.max_frame_size,
            });
        }
        Ok(())
    }
}

//! Frames into messages (RFC 6455 §5.4): continuation rules, control frames interleaved in a
//! fragmented message (§5.5), the message size limit (§10.4) and text validation (§8.1).
//!
//! Zero-copy when possible: an unfragmented data frame, or a control frame, whose payload lies
//! wholly in the current chunk is reported as a range of that chunk. Anything spanning chunks
//! or fragments is either copied into an owned buffer, validated piece by piece as it arrives,
//! or, when streaming ([`Assembler::set_streaming`]), reported piece by piece as
//! [`Message::Part`] ranges of each chunk, so the assembler holds no payload at all.

use alloc::string::String;
use alloc::vec::Vec;

use super::close::parse_close_payload;
use super::error::MessageError;
use super::payload::Payload;
use super::utf8::{validate_utf8_with, Utf8Check, Utf8Validator};
use crate::frame::decoder::Masking;
use crate::frame::mask::{apply_mask, mask_copy, next_phase};
use crate::frame::{FrameHeader, FramePiece, Opcode};

/// A complete message or control frame (RFC 6455 §5.4–§5.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A text message (RFC 6455 §5.6). Valid UTF-8 unless `compressed`.
    Text {
        /// The bytes, in the chunk or copied out.
        payload: Payload,
        /// RSV1 was set and is allowed, and this layer does not inflate: still compressed.
        compressed: bool,
    },
    /// A binary message (RFC 6455 §5.6).
    Binary {
        /// The bytes, in the chunk or copied out.
        payload: Payload,
        /// RSV1 was set and is allowed, and this layer does not inflate: still compressed.
        compressed: bool,
    },
    /// A ping (RFC 6455 §5.5.2).
    Ping(Payload),
    /// A pong (RFC 6455 §5.5.3).
    Pong(Payload),
    /// A close frame, parsed and validated (RFC 6455 §5.5.1).
    Close {
        /// The close code, when the Close frame had one.
        code: Option<u16>,
        /// The close reason (UTF-8, checked).
        reason: String,
    },
    /// When streaming: the next piece of a data message that does not lie whole in one chunk
    /// (RFC 6455 §5.4), in order; `fin` marks the message's last piece. `opcode` is the
    /// message's (`Text` or `Binary`). Text pieces are checked as they come (§8.1), but a code
    /// point may be split between pieces: decode the joined bytes.
    Part {
        /// `Text` or `Binary`.
        opcode: Opcode,
        /// The bytes, in the chunk or copied out.
        payload: Payload,
        /// RSV1 was set and is allowed, and this layer does not inflate: still compressed.
        compressed: bool,
        /// This is the last part of the message.
        fin: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Binary,
}

/// The largest payload buffer [`Assembler::recycle`] keeps between messages (1 MiB: the most a
/// message's first frame reserves up front).
pub const RECYCLE_MAX: usize = 1 << 20;

/// How much of a piece [`Assembler`] copies into new buffer memory before unmasking it (16 KiB:
/// within a core's L1 data cache, so the unmasking pass reads what the copy just wrote).
const FRESH_BLOCK: usize = 16 << 10;

/// Reassembles messages from decoder pieces (RFC 6455 §5.4).
#[derive(Debug, Clone)]
pub struct Assembler {
    max_message_size: u64,
    kind: Option<Kind>,
    compressed: bool,
    message_len: u64,
    /// The message being assembled is `buffer[..filled]`; bytes after it are left from an
    /// earlier message (a recycled buffer keeps its length) and are overwritten, never zeroed
    /// first and never delivered.
    buffer: Vec<u8>,
    filled: usize,
    /// A payload buffer handed back by the caller ([`Assembler::recycle`]), used for the next
    /// message that spans chunks instead of a fresh allocation.
    spare: Vec<u8>,
    utf8: Utf8Validator,
    held_offset: u64,
    control: Vec<u8>,
    streaming: bool,
    utf8_check: Option<Utf8Check>,
}

impl Assembler {
    /// An assembler with the given limit on a message's total payload (RFC 6455 §10.4).
    pub fn new(max_message_size: u64) -> Self {
        Assembler {
            max_message_size,
            kind: None,
            compressed: false,
            message_len: 0,
            buffer: Vec::new(),
            filled: 0,
            spare: Vec::new(),
            utf8: Utf8Validator::new(),
            held_offset: 0,
            control: Vec::new(),
            streaming: false,
            utf8_check: None,
        }
    }

    /// A host's faster whole-slice UTF-8 check for long text ([`Utf8Check`]); `None` (the
    /// default) uses the built-in one only.
    pub fn set_utf8_check(&mut self, check: Option<Utf8Check>) {
        self.utf8_check = check;
    }

    /// Streaming: report data messages that span chunks or frames piece by piece as
    /// [`Message::Part`] instead of copying them into an owned buffer. Memory then stays
    /// bounded by the caller's chunk, whatever the message size.
    pub fn set_streaming(&mut self, on: bool) {
        self.streaming = on;
    }

    /// Changes the limit for messages started later.
    pub fn set_max_message_size(&mut self, max: u64) {
        self.max_message_size = max;
    }

    /// True while a fragmented message (or a frame spanning chunks) is unfinished.
    pub fn in_message(&self) -> bool {
        self.kind.is_some()
    }

    /// Keeps `buffer` (the payload of a delivered [`Payload::Owned`] message the caller is
    /// done with) to assemble the next message in, so a stream of large messages reuses one
    /// allocation. Buffers larger than [`RECYCLE_MAX`] are dropped: what a connection keeps
    /// between messages stays bounded. Its bytes stay as they are (overwritten by the next
    /// message, not zeroed first); a delivered message holds only its own.
    pub fn recycle(&mut self, buffer: Vec<u8>) {
        if buffer.capacity() <= RECYCLE_MAX && buffer.capacity() > self.spare.capacity() {
            self.spare = buffer;
        }
    }

    /// Takes one decoder piece. `chunk` is the buffer the piece's range refers to, `base` the
    /// stream offset of `chunk[0]` and `frame_offset` that of the frame's first byte.
    ///
    /// When the message is compressed (RSV1 on its first frame, RFC 7692 §6) its text is not
    /// validated here: the decompressor validates what it produces.
    #[inline]
    pub fn push(
        &mut self,
        header: &FrameHeader,
        piece: FramePiece,
        chunk: &[u8],
        base: u64,
        frame_offset: u64,
    ) -> Result<Option<Message>, MessageError> {
        self.push_piece(header, piece, chunk, base, frame_offset, None)
    }

    /// [`Assembler::push`] for a piece the decoder may have left masked
    /// ([`crate::frame::FrameDecoder`]'s `next_masked`): a piece copied into the message
    /// buffer is unmasked while it is copied (RFC 6455 §5.3, one pass over the bytes), any
    /// other in place in `chunk` first.
    #[inline]
    pub(crate) fn push_masked(
        &mut self,
        header: &FrameHeader,
        piece: FramePiece,
        chunk: &mut [u8],
        masking: Option<Masking>,
        base: u64,
        frame_offset: u64,
    ) -> Result<Option<Message>, MessageError> {
        let mut masking = masking;
        if let Some(m) = masking {
            if !self.copies(header, piece) {
                if let Some(payload) = chunk.get_mut(piece.start..piece.start + piece.len) {
                    apply_mask(payload, m.key, m.phase);
                }
                masking = None;
            }
        }
        self.push_piece(header, piece, chunk, base, frame_offset, masking)
    }

    /// Whether `piece` goes into the message buffer (a data frame not whole in its chunk, or
    /// part of a fragmented message, when not streaming) rather than being read in its chunk.
    #[inline]
    fn copies(&self, header: &FrameHeader, piece: FramePiece) -> bool {
        let data = matches!(
            header.opcode,
            Opcode::Text | Opcode::Binary | Opcode::Continuation
        );
        // `start_frame` delivers such a piece as a range of the chunk.
        let whole =
            piece.first && header.fin && piece.last && header.opcode != Opcode::Continuation;
        data && !self.streaming && !whole
    }

    /// [`Assembler::push`], with `masking` set when the piece is still masked in `chunk` (then
    /// [`Assembler::copies`] holds for it).
    #[inline]
    fn push_piece(
        &mut self,
        header: &FrameHeader,
        piece: FramePiece,
        chunk: &[u8],
        base: u64,
        frame_offset: u64,
        masking: Option<Masking>,
    ) -> Result<Option<Message>, MessageError> {
        let data = chunk
            .get(piece.start..piece.start + piece.len)
            .unwrap_or(&[]);
        let piece_offset = base.saturating_add(piece.start as u64);
        match header.opcode {
            Opcode::Ping | Opcode::Pong | Opcode::Close => {
                if piece.first && piece.last {
                    let payload = Payload::InChunk {
                        start: piece.start,
                        len: piece.len,
                    };
                    return control_message(header.opcode, payload, data, piece_offset).map(Some);
                }
                if piece.first {
                    self.control.clear();
                }
                self.control.extend_from_slice(data);
                if !piece.last {
                    return Ok(None);
                }
                let bytes = core::mem::take(&mut self.control);
                let offset =
                    piece_offset.saturating_sub(bytes.len().saturating_sub(data.len()) as u64);
                let message =
                    control_message(header.opcode, Payload::Owned(Vec::new()), &bytes, offset)?;
                Ok(Some(match message {
                    Message::Ping(_) => Message::Ping(Payload::Owned(bytes)),
                    Message::Pong(_) => Message::Pong(Payload::Owned(bytes)),
                    other => other,
                }))
            }
            Opcode::Text | Opcode::Binary | Opcode::Continuation => {
                if piece.first {
                    if let Some(direct) =
                        self.start_frame(header, piece, data, piece_offset, frame_offset)?
                    {
                        return Ok(Some(direct));
                    }
                }
                self.append(header, piece, data, piece_offset, masking)
            }
            // The decoder rejects reserved opcodes before any piece is produced.
            Opcode::ReservedData(_) | Opcode::ReservedControl(_) => Ok(None),
        }
    }

    /// A whole unfragmented data message in one frame, `data` its (uncompressed) payload at
    /// stream offset `piece_offset`: no fragmented message may be open (RFC 6455 §5.4), it
    /// fits `max_message_size` (§10.4) and text is UTF-8 (§8.1). Holds nothing.
    #[inline]
    pub(crate) fn accept_whole(
        &self,
        text: bool,
        data: &[u8],
        piece_offset: u64,
        frame_offset: u64,
    ) -> Result<(), MessageError> {
        if self.kind.is_some() {
            return Err(MessageError::ExpectedContinuation {
                offset: frame_offset,
            });
        }
        self.check_whole(text, data, piece_offset, frame_offset)
    }

    /// The size limit (RFC 6455 §10.4) and, for `text`, UTF-8 (§8.1) of a whole message.
    #[inline]
    fn check_whole(
        &self,
        text: bool,
        data: &[u8],
        piece_offset: u64,
        frame_offset: u64,
    ) -> Result<(), MessageError> {
        if data.len() as u64 > self.max_message_size {
            return Err(self.too_large(frame_offset, data.len() as u64));
        }
        if text {
            if let Err(at) = validate_utf8_with(data, self.utf8_check) {
                return Err(MessageError::InvalidUtf8 {
                    offset: piece_offset.saturating_add(at as u64),
                });
            }
        }
        Ok(())
    }

    /// Continuation rules and the size limit for a new data frame; delivers it directly when it
    /// is a whole unfragmented message inside the chunk.
    #[inline]
    fn start_frame(
        &mut self,
        header: &FrameHeader,
        piece: FramePiece,
        data: &[u8],
        piece_offset: u64,
        frame_offset: u64,
    ) -> Result<Option<Message>, MessageError> {
        match (header.opcode, self.kind) {
            (Opcode::Continuation, None) => {
                return Err(MessageError::UnexpectedContinuation {
                    offset: frame_offset,
                })
            }
            (Opcode::Continuation, Some(_)) => {}
            (_, Some(_)) => {
                return Err(MessageError::ExpectedContinuation {
                    offset: frame_offset,
                })
            }
            (opcode, None) => {
                let kind = if opcode == Opcode::Text {
                    Kind::Text
                } else {
                    Kind::Binary
                };
                self.compressed = header.rsv1;
                self.message_len = 0;
                if header.fin && piece.last {
                    // Whole message in this chunk: zero-copy.
                    let compressed = self.compressed;
                    self.check_whole(
                        kind == Kind::Text && !compressed,
                        data,
                        piece_offset,
                        frame_offset,
                    )?;
                    let payload = Payload::InChunk {
                        start: piece.start,
                        len: piece.len,
                    };
                    return Ok(Some(if kind == Kind::Text {
                        Message::Text {
                            payload,
                            compressed,
                        }
                    } else {
                        Message::Binary {
                            payload,
                            compressed,
                        }
                    }));
                }
                self.kind = Some(kind);
                self.utf8.reset();
                self.buffer = core::mem::take(&mut self.spare);
                self.filled = 0;
            }
        }
        self.message_len = self.message_len.saturating_add(header.payload_len);
        if self.message_len > self.max_message_size {
            return Err(self.too_large(frame_offset, self.message_len));
        }
        if !self.streaming {
            // Limit-checked above; cap the up-front reservation against slow senders.
            // `reserve` counts from the buffer's length, which may hold an earlier message.
            let want = self
                .filled
                .saturating_add(header.payload_len.min(1 << 20) as usize);
            self.buffer.reserve(want.saturating_sub(self.buffer.len()));
        }
        Ok(None)
    }

    #[inline]
    fn append(
        &mut self,
        header: &FrameHeader,
        piece: FramePiece,
        data: &[u8],
        piece_offset: u64,
        masking: Option<Masking>,
    ) -> Result<Option<Message>, MessageError> {
        let Some(kind) = self.kind else {
            return Ok(None);
        };
        let check_text = kind == Kind::Text && !self.compressed;
        let fin = piece.last && header.fin;
        if self.streaming {
            if check_text {
                self.feed_text(data, piece_offset)?;
            }
            if fin {
                self.finish_text(check_text)?;
                self.kind = None;
            } else if data.is_empty() {
                return Ok(None);
            }
            let opcode = match kind {
                Kind::Text => Opcode::Text,
                Kind::Binary => Opcode::Binary,
            };
            return Ok(Some(Message::Part {
                opcode,
                payload: Payload::InChunk {
                    start: piece.start,
                    len: piece.len,
                },
                compressed: self.compressed,
                fin,
            }));
        }
        let at = self.filled;
        self.write(data, masking);
        if check_text {
            // The bytes as copied (unmasked): validated where they now are.
            let buffer = core::mem::take(&mut self.buffer);
            let fed = self.feed_text(buffer.get(at..self.filled).unwrap_or(&[]), piece_offset);
            self.buffer = buffer;
            fed?;
        }
        if !fin {
            return Ok(None);
        }
        self.finish_text(check_text)?;
        self.kind = None;
        let mut bytes = core::mem::take(&mut self.buffer);
        bytes.truncate(core::mem::take(&mut self.filled));
        let payload = Payload::Owned(bytes);
        let compressed = self.compressed;
        Ok(Some(match kind {
            Kind::Text => Message::Text {
                payload,
                compressed,
            },
            Kind::Binary => Message::Binary {
                payload,
                compressed,
            },
        }))
    }

    /// Appends a piece to the message in `buffer[..filled]`, unmasking it on the way when
    /// `masking` says it is still masked (RFC 6455 §5.3): over bytes an earlier message left
    /// in the buffer, one fused pass ([`mask_copy`]); past them, copied and unmasked a block at
    /// a time while the block is in cache. Nothing is zeroed first.
    #[inline]
    fn write(&mut self, src: &[u8], masking: Option<Masking>) {
        let at = self.filled;
        let over = self.buffer.len().saturating_sub(at).min(src.len());
        let (old, fresh) = src.split_at(over);
        if let Some(dst) = self.buffer.get_mut(at..at + over) {
            match masking {
                Some(m) => mask_copy(dst, old, m.key, m.phase),
                None => dst.copy_from_slice(old),
            }
        }
        match masking {
            None => self.buffer.extend_from_slice(fresh),
            Some(m) => {
                let mut phase = next_phase(m.phase, over);
                for block in fresh.chunks(FRESH_BLOCK) {
                    let from = self.buffer.len();
                    self.buffer.extend_from_slice(block);
                    if let Some(tail) = self.buffer.get_mut(from..) {
                        apply_mask(tail, m.key, phase);
                    }
                    phase = next_phase(phase, block.len());
                }
            }
        }
        self.filled = at + src.len();
    }

    /// Validates the next bytes of a text message (RFC 6455 §8.1), `data` at stream offset
    /// `piece_offset`; an error names the offset where the invalid sequence starts.
    fn feed_text(&mut self, data: &[u8], piece_offset: u64) -> Result<(), MessageError> {
        let held = self.utf8.held();
        if let Err(at) = self.utf8.feed_with(data, self.utf8_check) {
            // `at` counts from the held bytes, which may sit in an earlier frame.
            let offset = match at.checked_sub(held) {
                Some(in_data) => piece_offset.saturating_add(in_data as u64),
                None => self.held_offset.saturating_add(at as u64),
            };
            return Err(MessageError::InvalidUtf8 { offset });
        }
        let now_held = self.utf8.held();
        if now_held > 0 && !(held > 0 && now_held == held + data.len()) {
            // A new unfinished code point ends this piece: remember where it starts.
            let end = piece_offset.saturating_add(data.len() as u64);
            self.held_offset = end.saturating_sub(now_held as u64);
        }
        Ok(())
    }

    /// At the end of a text message: it must not end inside a code point (RFC 6455 §8.1).
    fn finish_text(&mut self, check_text: bool) -> Result<(), MessageError> {
        if check_text && self.utf8.finish().is_err() {
            // The message ends inside a code point: point at where it starts.
            return Err(MessageError::InvalidUtf8 {
                offset: self.held_offset,
            });
        }
        Ok(())
    }

    fn too_large(&self, offset: u64, len: u64) -> MessageError {
        MessageError::MessageTooLarge {
            offset,
            len,
            max: self.max_message_size,
        }
    }
}

/// A complete control frame: ping and pong pass through, close is parsed (RFC 6455 §5.5).
#[inline]
fn control_message(
    opcode: Opcode,
    payload: Payload,
    data: &[u8],
    offset: u64,
) -> Result<Message, MessageError> {
    Ok(match opcode {
        Opcode::Ping => Message::Ping(payload),
        Opcode::Pong => Message::Pong(payload),
        _ => {
            let (code, reason) = parse_close_payload(data, offset)?;
            Message::Close {
                code,
                reason: String::from(reason),
            }
        }
    })
}

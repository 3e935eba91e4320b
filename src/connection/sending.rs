//! Sending one message in parts (RFC 6455 §5.4), so a large message passes through the
//! connection in bounded windows instead of whole.
//!
//! [`Connection::begin_message`] announces the message and its total length (which decides
//! compression, RFC 7692 §7.2.1, by the same threshold as a whole send); each
//! [`Connection::send_message_part`] then appends one part.
//!
//! - Uncompressed and not split by `fragment_size`: one frame, as a whole send makes it. Its
//!   header goes out with the first part, each part appends (and, for a client, masks,
//!   §5.3) the next payload bytes. Control frames sent meanwhile wait until the frame ends
//!   (they may come between frames, not inside one, §5.4).
//! - Compressed (or split), or begun with [`Connection::begin_open_message`] (no length
//!   announced: the part marked final ends the message): the length on the wire is not known
//!   ahead, so each part becomes frames of its own: the first carries the opcode (and RSV1,
//!   RFC 7692 §6), later ones are continuations, the last part's last frame has FIN; control
//!   frames may come between them. Compressed parts continue one DEFLATE stream, each ending
//!   in a sync flush ([`Deflater::compress_part`](crate::deflate::Deflater::compress_part)).

use alloc::boxed::Box;

use super::state::{Ending, Phase};
use super::{check_text, Connection, UsageError};
use crate::frame::{apply_mask, header_len, mask_copy, next_phase, FrameHeader, Opcode, Role};
use crate::message::Utf8Validator;

/// A message being sent in parts.
#[derive(Debug)]
pub(super) struct Sending {
    opcode: Opcode,
    announced: u64,
    sent: u64,
    compress: bool,
    /// No frame of the message was written yet (the next carries the opcode).
    first_frame: bool,
    utf8: Utf8Validator,
    /// Sent as one frame (its header goes out with the first part): the masking key and its
    /// phase (RFC 6455 §5.3).
    single: Option<(Option<[u8; 4]>, usize)>,
    /// Begun with [`Connection::begin_open_message`]: no length was announced, the part marked
    /// final ends the message.
    open_ended: bool,
}

impl Connection {
    /// Frames a whole data message where it lies, without copying it: `buf[room..]` is the
    /// payload, masked in place for a client (RFC 6455 §5.3), and the header (§5.2) is
    /// written into the `room` bytes before it ([`crate::frame::MAX_HEADER_LEN`] always
    /// suffice). Returns where the frame starts in `buf`; the caller writes `buf[start..]`.
    /// `Ok(None)`, doing nothing, when the message does not go out as one plain frame
    /// (compressed or fragmented), when output is waiting (it must go first), or when `room`
    /// is too small: send it with [`Connection::send_binary`] / [`Connection::send_text_bytes`].
    /// Text must be UTF-8 (§5.6).
    pub fn send_in_place(
        &mut self,
        opcode: Opcode,
        buf: &mut [u8],
        room: usize,
    ) -> Result<Option<usize>, UsageError> {
        self.check_new_message(opcode)?;
        let room = room.min(buf.len());
        let (head, payload) = buf.split_at_mut(room);
        let len = payload.len() as u64;
        let (compressed, fragmented) = self.framing(len);
        let masked = self.role == Role::Client;
        let Some(start) = room.checked_sub(header_len(len, masked)) else {
            return Ok(None);
        };
        if compressed || fragmented || !self.output.is_empty() {
            return Ok(None);
        }
        if opcode == Opcode::Text {
            check_text(payload)?;
        }
        let mask = match self.role {
            Role::Client => Some(self.mask.mask_key().ok_or(UsageError::EntropyUnavailable)?),
            Role::Server => None,
        };
        // The header through the (empty) output buffer, then into the room before the payload.
        FrameHeader::whole(opcode, mask, len).encode(&mut self.output);
        let room_left = head.get_mut(start..).unwrap_or(&mut []);
        for (to, from) in room_left.iter_mut().zip(&self.output) {
            *to = *from;
        }
        self.output.clear();
        if let Some(key) = mask {
            apply_mask(payload, key, 0);
        }
        Ok(Some(start))
    }

    /// Starts a `Text` or `Binary` message of `len` bytes to be given in parts with
    /// [`Connection::send_message_part`]. Nothing is written yet.
    pub fn begin_message(&mut self, opcode: Opcode, len: u64) -> Result<(), UsageError> {
        self.check_new_message(opcode)?;
        let (compress, split) = self.framing(len);
        self.sending = Some(Box::new(Sending {
            opcode,
            announced: len,
            sent: 0,
            compress,
            first_frame: true,
            utf8: Utf8Validator::new(),
            single: (!compress && !split).then_some((None, 0)),
            open_ended: false,
        }));
        Ok(())
    }

    /// Starts a `Text` or `Binary` message whose length is not known ahead: a fragmented
    /// message (RFC 6455 §5.4), each part given with [`Connection::send_message_part`] going
    /// out as frames of its own (the first with the opcode, later ones continuations, FIN on
    /// the part marked final), so control frames may come between parts. Whether it is
    /// compressed is decided by `first_part_len` against the threshold, as a whole message of
    /// that length would be (RFC 7692 §6, §7.2.1: RSV1 on its first frame only).
    pub fn begin_open_message(
        &mut self,
        opcode: Opcode,
        first_part_len: u64,
    ) -> Result<(), UsageError> {
        self.check_new_message(opcode)?;
        let (compress, _) = self.framing(first_part_len);
        self.sending = Some(Box::new(Sending {
            opcode,
            announced: u64::MAX,
            sent: 0,
            compress,
            first_frame: true,
            utf8: Utf8Validator::new(),
            single: None,
            open_ended: true,
        }));
        Ok(())
    }

    /// Whether a data frame's payload is being sent in parts (control frames must wait).
    pub(super) fn in_streamed_frame(&self) -> bool {
        self.sending
            .as_ref()
            .is_some_and(|s| s.single.is_some() && !s.first_frame)
    }

    /// Appends the frames of the next part of the message begun with
    /// [`Connection::begin_message`]; `fin` marks the last part. The parts must add up to the
    /// announced length (sent as one frame, the part completing it must be the final one), and
    /// a text message's parts to UTF-8 (a code point may be split between parts). A refused
    /// part writes nothing and may be given again; but text that is not UTF-8 after earlier
    /// parts went out means the message cannot be finished, so the connection stops sending
    /// (it is closed locally: close the transport).
    pub fn send_message_part(&mut self, payload: &[u8], fin: bool) -> Result<(), UsageError> {
        let Some(mut sending) = self.sending.take() else {
            return Err(UsageError::MessageInProgress);
        };
        let result = self.write_part(&mut sending, payload, fin);
        self.after_part(sending, result.is_ok(), &result.as_ref().err(), fin);
        result
    }

    /// [`Connection::send_message_part`] where the part lies, as [`Connection::send_in_place`]
    /// does for a whole message: `buf[room..]` is the part, masked in place for a client
    /// (RFC 6455 §5.3, continuing the frame's key phase), and the first part's header (§5.2) is
    /// written into the `room` bytes before it. Returns where the bytes to write start in `buf`
    /// (the part's own start after the first). `Ok(None)`, doing nothing, when the message is
    /// not sent as one plain frame (compressed or split by `fragment_size`), when output is
    /// waiting, or when `room` is too small for the header: give the part to
    /// `send_message_part` instead. Refusals are `send_message_part`'s.
    pub fn send_part_in_place(
        &mut self,
        buf: &mut [u8],
        room: usize,
        fin: bool,
    ) -> Result<Option<usize>, UsageError> {
        let Some(mut sending) = self.sending.take() else {
            return Err(UsageError::MessageInProgress);
        };
        let result = self.write_part_in_place(&mut sending, buf, room, fin);
        let written = matches!(result, Ok(Some(_)));
        self.after_part(sending, written, &result.as_ref().err(), fin);
        result
    }

    fn write_part_in_place(
        &mut self,
        s: &mut Sending,
        buf: &mut [u8],
        room: usize,
        fin: bool,
    ) -> Result<Option<usize>, UsageError> {
        let room = room.min(buf.len());
        let (head, payload) = buf.split_at_mut(room);
        let masked = self.role == Role::Client;
        let header = if s.first_frame {
            header_len(s.announced, masked)
        } else {
            0
        };
        let Some(start) = room.checked_sub(header) else {
            return Ok(None);
        };
        if s.single.is_none() || !self.output.is_empty() {
            return Ok(None);
        }
        let (sent, utf8) = self.check_part(s, payload, fin)?;
        if s.first_frame {
            let mask = self.part_mask()?;
            FrameHeader::whole(s.opcode, mask, s.announced).encode(&mut self.output);
            let room_left = head.get_mut(start..).unwrap_or(&mut []);
            for (to, from) in room_left.iter_mut().zip(&self.output) {
                *to = *from;
            }
            self.output.clear();
            s.single = Some((mask, 0));
            s.first_frame = false;
        }
        if let Some((Some(key), phase)) = s.single.as_mut() {
            apply_mask(payload, *key, *phase);
            *phase = next_phase(*phase, payload.len());
        }
        s.sent = sent;
        s.utf8 = utf8;
        Ok(Some(start))
    }

    /// A client's masking key for a frame (RFC 6455 §5.3); none for a server.
    fn part_mask(&mut self) -> Result<Option<[u8; 4]>, UsageError> {
        match self.role {
            Role::Client => Ok(Some(
                self.mask.mask_key().ok_or(UsageError::EntropyUnavailable)?,
            )),
            Role::Server => Ok(None),
        }
    }

    /// Puts the message back after a part (`done`: it was written), or gives it up.
    fn after_part(
        &mut self,
        sending: Box<Sending>,
        done: bool,
        error: &Option<&UsageError>,
        fin: bool,
    ) {
        match error {
            None if done && fin => self.release_held_control(),
            // Text that is not UTF-8, or a compressor failure, after frames went out: the
            // message cannot be finished.
            Some(UsageError::InvalidUtf8 { .. } | UsageError::MessageInProgress)
                if !sending.first_frame =>
            {
                self.abandon_message()
            }
            _ => self.sending = Some(sending),
        }
    }

    /// The checks every part passes before anything is written: the connection may send, the
    /// parts add up to the announced length, text stays UTF-8. Returns the bytes sent with
    /// this part and the UTF-8 state after it (kept once the part is written).
    fn check_part(
        &self,
        s: &Sending,
        payload: &[u8],
        fin: bool,
    ) -> Result<(u64, Utf8Validator), UsageError> {
        // A frame already under way is finished even after a Close was queued or received:
        // the Close waits behind it (held), and a cut frame would corrupt the stream.
        let frame_under_way = s.single.is_some() && !s.first_frame;
        if !self.can_send() && !frame_under_way {
            return Err(UsageError::AlreadyClosed);
        }
        let sent = s.sent.saturating_add(payload.len() as u64);
        if sent > s.announced || (fin && sent != s.announced && !s.open_ended) {
            return Err(UsageError::MessageLengthMismatch {
                announced: s.announced,
                sent,
            });
        }
        // Checked on a copy, kept once the part is written: a refused part leaves the message
        // as it was.
        let mut utf8 = s.utf8;
        if s.opcode == Opcode::Text {
            let held = utf8.held();
            let complete = utf8.feed(payload).and_then(|()| match fin {
                // Ends inside a code point: point at the byte where that code point starts.
                true => {
                    let tail = utf8.held();
                    utf8.finish()
                        .map_err(|_| (held + payload.len()).saturating_sub(tail))
                }
                false => Ok(()),
            });
            if let Err(at) = complete {
                let offset = (s.sent as usize).saturating_add(at).saturating_sub(held);
                return Err(UsageError::InvalidUtf8 { offset });
            }
        }
        if s.single.is_some() && !fin && sent == s.announced {
            // One frame is whole with its last byte: that part must be the final one.
            return Err(UsageError::MessageLengthMismatch {
                announced: s.announced,
                sent,
            });
        }
        Ok((sent, utf8))
    }

    fn write_part(&mut self, s: &mut Sending, payload: &[u8], fin: bool) -> Result<(), UsageError> {
        let (sent, utf8) = self.check_part(s, payload, fin)?;
        if let Some((mask, phase)) = s.single.as_mut() {
            if s.first_frame {
                // The one frame's header, announcing the whole length, with the first part.
                *mask = self.part_mask()?;
                FrameHeader::whole(s.opcode, *mask, s.announced).encode(&mut self.output);
                s.first_frame = false;
            }
            // The next bytes of that frame (a client's masked while copied, §5.3).
            let at = self.output.len();
            match *mask {
                Some(key) => {
                    self.output.resize(at + payload.len(), 0);
                    if let Some(written) = self.output.get_mut(at..) {
                        mask_copy(written, payload, key, *phase);
                    }
                    *phase = next_phase(*phase, payload.len());
                }
                None => self.output.extend_from_slice(payload),
            }
            s.sent = sent;
            s.utf8 = utf8;
            return Ok(());
        }
        let mut compressed = core::mem::take(&mut self.compressed);
        compressed.clear();
        let bytes: &[u8] = if s.compress {
            let Some(deflate) = self.deflate.as_mut() else {
                return Err(UsageError::NotADataOpcode);
            };
            match deflate
                .deflater
                .compress_part(payload, &mut compressed, fin)
            {
                Ok(()) => &compressed,
                // Plain is always allowed for a whole message (RFC 7692 §6), not mid-stream.
                Err(_) if s.first_frame => {
                    s.compress = false;
                    payload
                }
                Err(_) => {
                    self.compressed = compressed;
                    return Err(UsageError::MessageInProgress);
                }
            }
        } else {
            payload
        };
        let written = self.write_fragments(s, bytes, fin);
        if compressed.capacity() > OUTPUT_KEEP {
            compressed = alloc::vec::Vec::new();
        }
        self.compressed = compressed;
        written?;
        s.sent = sent;
        s.utf8 = utf8;
        Ok(())
    }

    /// Frames `bytes` as the next fragments of the message, at most `fragment_size` each.
    fn write_fragments(
        &mut self,
        s: &mut Sending,
        bytes: &[u8],
        fin: bool,
    ) -> Result<(), UsageError> {
        // An empty part adds no frame, unless the caller gave it as a fragment of its own
        // (an open-ended message's part is one: an empty fragment is legal, RFC 6455 §5.4).
        if bytes.is_empty() && !fin && !s.open_ended {
            return Ok(());
        }
        let size = match self.config.fragment_size {
            Some(size) if size > 0 => size,
            _ => bytes.len().max(1),
        };
        let rollback = (self.output.len(), s.first_frame);
        let count = bytes.len().div_ceil(size).max(1);
        for i in 0..count {
            let part = bytes
                .get(i * size..((i + 1) * size).min(bytes.len()))
                .unwrap_or(&[]);
            let opcode = if s.first_frame {
                s.opcode
            } else {
                Opcode::Continuation
            };
            let rsv1 = s.first_frame && s.compress;
            if let Err(e) = self.write_frame(opcode, fin && i + 1 == count, rsv1, part) {
                self.output.truncate(rollback.0);
                s.first_frame = rollback.1;
                return Err(e);
            }
            s.first_frame = false;
        }
        Ok(())
    }

    /// Gives up the message begun with [`Connection::begin_message`]: harmless when none of
    /// its frames went out; otherwise the unfinished message means no more data can be sent
    /// (the connection is closed locally). No-op when no message is in progress.
    pub fn cancel_message(&mut self) {
        if let Some(sending) = self.sending.take() {
            if !sending.first_frame {
                self.abandon_message();
            }
        }
    }

    /// Control frames held while a frame was streamed go out after it.
    fn release_held_control(&mut self) {
        self.output.append(&mut self.held_pong);
        self.output.append(&mut self.held_control);
    }

    /// A message that cannot be finished: no more data may follow it on the wire.
    fn abandon_message(&mut self) {
        if let Some(d) = self.deflate.as_mut() {
            d.deflater.reset();
        }
        // A frame cut short: nothing valid can follow it, not even a Close.
        self.held_control.clear();
        self.held_pong.clear();
        self.phase = Phase::Closed(Ending::Failed);
    }
}

/// Largest scratch or output buffer a connection keeps between calls; a larger one (after a
/// large message) is released, so an idle connection does not keep its largest message.
pub const OUTPUT_KEEP: usize = 64 * 1024;

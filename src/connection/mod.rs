//! A sans-IO WebSocket connection after the opening handshake (RFC 6455 §5–§7).
//!
//! Bytes in, events out; sends append bytes to an output buffer the caller drains. No
//! sockets, clocks or global RNG. The fast path is [`Connection::receive_in_place`]: the caller
//! hands over a mutable chunk, payloads are unmasked in it, and whole unfragmented messages in
//! the chunk are reported as ranges of it ([`Payload::InChunk`]) without copying.

pub mod config;
pub mod error;
pub mod event;
mod inflating;
pub mod mask_source;
mod sending;
pub mod state;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

pub use config::{
    Config, DEFAULT_DEFLATE_LEVEL, DEFAULT_DEFLATE_THRESHOLD, DEFAULT_MAX_MESSAGE_SIZE,
};
pub use error::{ProtocolError, UsageError};
pub use event::Event;
pub use inflating::{inflating_held, INFLATING_BUDGET};
pub use mask_source::{FixedMask, MaskSource, RandomMask};
pub use state::State;
use state::{Ending, Phase};

use crate::deflate::negotiation::DeflateParams;
use crate::deflate::{DeflateError, InflateError, PerMessageDeflate};
use crate::error::Diagnostic;
use crate::frame::decoder::WholeData;
use crate::frame::{
    encode_frame, CloseCode, DecoderConfig, FrameDecoder, FrameHeader, Opcode, Role,
    MAX_CONTROL_PAYLOAD,
};
use crate::message::{
    encode_close_payload, validate_utf8_with, Assembler, Message, Payload, MAX_CLOSE_REASON,
};
use inflating::Inflating;
pub use inflating::INFLATE_WINDOW;
use sending::Sending;
pub use sending::OUTPUT_KEEP;

/// One WebSocket connection's protocol state (RFC 6455 §5–§7).
pub struct Connection {
    role: Role,
    config: Config,
    phase: Phase,
    decoder: FrameDecoder,
    assembler: Assembler,
    output: Vec<u8>,
    mask: Box<dyn MaskSource + Send>,
    stream_offset: u64,
    receiving: bool,
    scratch: Vec<u8>,
    /// permessage-deflate state when negotiated (RFC 7692).
    deflate: Option<Box<PerMessageDeflate>>,
    /// Reused buffer for compressed outgoing payloads.
    compressed: Vec<u8>,
    /// Stream offset of the first frame of the current compressed message.
    message_offset: u64,
    /// With [`Config::defer_close`]: the Close this connection owes, held back until
    /// [`Connection::release_close`] so replies to earlier messages of the chunk go first.
    deferred_close: Vec<u8>,
    /// A data message was delivered during the current `receive` call.
    batch_has_data: bool,
    /// When streaming: the compressed message being inflated (RFC 7692 §7.2.2).
    inflating: Option<Box<Inflating>>,
    /// Bytes of owned payload the current bounded receive call may still report.
    budget_left: usize,
    /// The last bounded receive stopped early: the next call continues it.
    resuming: bool,
    /// A message being sent in parts ([`Connection::begin_message`]).
    sending: Option<Box<Sending>>,
    /// Control frames queued while a data frame's payload is still being sent in parts, and
    /// the latest pong owed meanwhile.
    held_control: Vec<u8>,
    held_pong: Vec<u8>,
    /// The sender chose to send data messages uncompressed for now ([`Connection::set_compression`]).
    compression_off: bool,
}

/// Whether a receive loop goes on after delivering a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    /// A Close or a failure: the rest of the input is ignored (RFC 6455 §5.5.1, §7.1.7).
    Stop,
    /// The call's budget of owned payload ran out: the caller must call again.
    Suspend,
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("role", &self.role)
            .field("phase", &self.phase)
            .field("output_len", &self.output.len())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// An open connection (RFC 6455 §4: the handshake is done). A client masks with keys from
    /// [`RandomMask`] (the platform CSPRNG).
    pub fn new(role: Role, config: Config) -> Self {
        Self::with_mask_source(role, config, Box::new(RandomMask))
    }

    /// An open connection with an injected source of masking keys (RFC 6455 §5.3); a server
    /// never asks it.
    pub fn with_mask_source(
        role: Role,
        mut config: Config,
        mask: Box<dyn MaskSource + Send>,
    ) -> Self {
        let deflate = config
            .deflate
            .map(|p| Box::new(PerMessageDeflate::new(&p, role, config.deflate_level)));
        config.rsv1_allowed |= deflate.is_some();
        let decoder = FrameDecoder::new(DecoderConfig {
            role,
            rsv1_allowed: config.rsv1_allowed,
            max_frame_size: config.max_frame_size,
        });
        let mut assembler = Assembler::new(config.max_message_size);
        assembler.set_streaming(config.streaming);
        assembler.set_utf8_check(config.utf8_check);
        Connection {
            role,
            config,
            phase: Phase::Open,
            decoder,
            assembler,
            output: Vec::new(),
            mask,
            stream_offset: 0,
            receiving: true,
            scratch: Vec::new(),
            deflate,
            compressed: Vec::new(),
            message_offset: 0,
            deferred_close: Vec::new(),
            batch_has_data: false,
            inflating: None,
            budget_left: usize::MAX,
            resuming: false,
            sending: None,
            held_control: Vec::new(),
            held_pong: Vec::new(),
            compression_off: false,
        }
    }

    /// Turns permessage-deflate on with the agreed `params` (RFC 7692 §7.1), or off with
    /// `None`; meant to be called before any message flows. Also sets RSV1 acceptance
    /// accordingly ([`Connection::set_rsv1_allowed`]).
    pub fn set_deflate(&mut self, params: Option<DeflateParams>) {
        self.config.deflate = params;
        self.deflate = params.map(|p| {
            Box::new(PerMessageDeflate::new(
                &p,
                self.role,
                self.config.deflate_level,
            ))
        });
        self.set_rsv1_allowed(params.is_some());
    }

    /// Whether the data messages sent from now on may be compressed (the default) or go
    /// uncompressed whatever their size. permessage-deflate decides per message: a message is
    /// compressed when RSV1 is set on its first frame (RFC 7692 §6, §7.2.1), so a sender may
    /// leave any message uncompressed (data that is compressed already, say). No effect
    /// without permessage-deflate, on received messages, or on a message being sent in parts.
    pub fn set_compression(&mut self, on: bool) {
        self.compression_off = !on;
    }

    /// Our role (RFC 6455 §5.1).
    pub fn role(&self) -> Role {
        self.role
    }

    /// The settings in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The closing-handshake state (RFC 6455 §7.1).
    pub fn state(&self) -> State {
        self.phase.state()
    }

    /// Hands back the buffer of a delivered [`Payload::Owned`] message once the caller is done
    /// with it: the next message that spans reads is assembled in it instead of a fresh
    /// allocation (up to [`crate::message::assembler::RECYCLE_MAX`] bytes are kept).
    pub fn recycle(&mut self, buffer: Vec<u8>) {
        self.assembler.recycle(buffer);
    }

    /// Whether RSV1 is accepted on first data frames: the hook for permessage-deflate once it
    /// is negotiated (RFC 7692 §6).
    pub fn set_rsv1_allowed(&mut self, allowed: bool) {
        self.config.rsv1_allowed = allowed;
        let mut dc = *self.decoder.config();
        dc.rsv1_allowed = allowed;
        self.decoder.set_config(dc);
    }

    /// `Some(true)` once both Close frames were exchanged, `Some(false)` if the connection
    /// failed or the transport ended first, `None` while not closed (RFC 6455 §7.1.4, §7.4.1).
    pub fn was_clean(&self) -> Option<bool> {
        match self.phase {
            Phase::Closed(ending) => Some(ending == Ending::Clean),
            _ => None,
        }
    }

    /// Whether the caller should now close the TCP connection (after writing the output):
    /// the server does so first once closed (RFC 6455 §7.1.1); a client waits for the server,
    /// except after a failure (§7.1.7).
    pub fn should_close_transport(&self) -> bool {
        let Phase::Closed(ending) = self.phase else {
            return false;
        };
        self.deferred_close.is_empty()
            && self.held_control.is_empty()
            && !self.in_streamed_frame()
            && (self.role == Role::Server || ending != Ending::Clean)
    }

    /// Whether data messages may still be sent: the connection is open, or (with
    /// [`Config::defer_close`]) a Close is held back behind replies to this chunk's messages.
    pub fn can_send(&self) -> bool {
        self.phase.may_send() || !self.deferred_close.is_empty()
    }

    /// Queues the Close held back by [`Config::defer_close`] after everything sent so far;
    /// from then on nothing more can be sent (RFC 6455 §5.5.1). No-op when none is held.
    pub fn release_close(&mut self) {
        if !self.deferred_close.is_empty() {
            // Never inside the payload of a frame being sent in parts: after it (§5.4).
            if self.in_streamed_frame() {
                self.held_control.append(&mut self.deferred_close);
            } else {
                self.output.append(&mut self.deferred_close);
            }
        }
    }

    /// Total bytes received so far (stream offsets in errors count from 0).
    pub fn bytes_received(&self) -> u64 {
        self.stream_offset
    }

    // ----- receiving -------------------------------------------------------------------

    /// Processes all of `chunk` (RFC 6455 §5.2–§5.5), appending every resulting event to `out`.
    ///
    /// Payloads are unmasked in place in `chunk`. A message or control frame that lies wholly
    /// in `chunk` and is unfragmented comes as [`Payload::InChunk`], a range of `chunk` valid
    /// until the caller reuses it; others come as [`Payload::Owned`] (or, with
    /// [`Config::streaming`], as [`Event::Part`]s). After a Close frame or a protocol error,
    /// the rest of the input is ignored.
    pub fn receive_in_place(&mut self, chunk: &mut [u8], out: &mut Vec<Event>) {
        let mut done = 0;
        while let Some(rest) = chunk.get_mut(done..) {
            done += self.receive_bounded(rest, out, usize::MAX);
            if done >= chunk.len() && !self.resuming {
                break;
            }
        }
    }

    /// [`Connection::receive_in_place`] for a caller that keeps unconsumed bytes: processes the
    /// frames that lie whole in `chunk` and stops before one that does not (its header checked
    /// first, so a frame over the limits fails at once), returning how many bytes it consumed.
    /// Present the rest again at the front of the next chunk, after more bytes; room for it is
    /// [`Connection::held_frame_len`]. Every unfragmented message then comes as
    /// [`Payload::InChunk`] whatever its size, unmasked in place and never copied, which is what
    /// a native reader with its own growable buffer wants (RFC 6455 §5.2, §5.3). The buffer needs
    /// room for the largest frame [`Config`] allows. Only at a frame boundary: a frame begun by
    /// [`Connection::receive_in_place`] is finished as that call would. A held frame's header is
    /// checked against the frame limits at once; the message rules (continuation order, the
    /// running message size, UTF-8) run when the frame is complete, so a frame they refuse may be
    /// held up to the frame limit first.
    pub fn receive_whole(&mut self, chunk: &mut [u8], out: &mut Vec<Event>) -> usize {
        self.decoder.set_whole_frames(true);
        let mut done = 0;
        while let Some(rest) = chunk.get_mut(done..) {
            done += self.receive_bounded(rest, out, usize::MAX);
            if !self.resuming {
                break;
            }
        }
        self.decoder.set_whole_frames(false);
        done
    }

    /// After [`Connection::receive_whole`] consumed less than its chunk: the bytes the frame
    /// left there needs in all, header and payload (while its header is incomplete, the
    /// header's own length as far as its bytes tell).
    pub fn held_frame_len(&self) -> u64 {
        self.decoder.held_frame_len()
    }

    /// [`Connection::receive_in_place`] that stops once the events of this call hold about
    /// `budget` bytes of owned payload (inflated data, with [`Config::streaming`]), so memory
    /// per call stays bounded whatever the compression ratio. Returns how many bytes of
    /// `chunk` it consumed; while [`Connection::receive_suspended`] is true, handle the events,
    /// then call again with the rest of the chunk (possibly empty).
    pub fn receive_bounded(
        &mut self,
        chunk: &mut [u8],
        out: &mut Vec<Event>,
        budget: usize,
    ) -> usize {
        let base = self.stream_offset;
        if !self.resuming {
            self.batch_has_data = false;
        }
        self.resuming = false;
        self.budget_left = budget.max(1);
        let mut pos = 0;
        if self.receiving {
            pos = match self.inflate_pending(out) {
                Flow::Continue => self.receive_frames(chunk, base, out),
                Flow::Stop => chunk.len(),
                Flow::Suspend => {
                    self.resuming = true;
                    0
                }
            };
        } else {
            pos = pos.max(chunk.len());
        }
        self.stream_offset = base.saturating_add(pos as u64);
        pos
    }

    /// True when the last [`Connection::receive_bounded`] stopped before the end of its work.
    pub fn receive_suspended(&self) -> bool {
        self.resuming
    }

    /// Decodes frames from `chunk` until it is used up, a Close or failure, or the budget.
    fn receive_frames(&mut self, chunk: &mut [u8], base: u64, out: &mut Vec<Event>) -> usize {
        let mut pos = 0;
        loop {
            if self.budget_left == 0 && pos < chunk.len() {
                self.resuming = true;
            }
            if self.resuming {
                return pos;
            }
            if let Some(frame) = self.decoder.next_whole_data(chunk, &mut pos, base) {
                // The common case in one step: a whole unfragmented message in the chunk.
                match self.whole_data(frame, chunk, base, out) {
                    Flow::Continue => continue,
                    Flow::Stop => return chunk.len(),
                    // As for `deliver` below (not reached today: no owned payload here).
                    Flow::Suspend => {
                        self.resuming = true;
                        continue;
                    }
                }
            }
            // A piece may come still masked: the assembler unmasks it where it reads it, while
            // copying it into a message buffer when it spans chunks (RFC 6455 §5.3).
            let (piece, masking) = match self.decoder.next_masked(chunk, &mut pos, base) {
                Ok(Some(piece)) => piece,
                Ok(None) => return pos,
                Err(e) => {
                    self.fail(ProtocolError::Frame(e), out);
                    return chunk.len();
                }
            };
            let frame_offset = self.decoder.frame_offset();
            if self.decoder.header().rsv1 {
                // Only first frames of data messages get here with RSV1 (RFC 7692 §6).
                self.message_offset = frame_offset;
            }
            match self.assembler.push_masked(
                self.decoder.header(),
                piece,
                chunk,
                masking,
                base,
                frame_offset,
            ) {
                Ok(None) => {}
                Ok(Some(message)) => match self.deliver(message, chunk, out) {
                    Flow::Continue => {}
                    Flow::Stop => return chunk.len(),
                    Flow::Suspend => self.resuming = true,
                },
                Err(e) => {
                    self.fail(ProtocolError::Message(e), out);
                    return chunk.len();
                }
            }
        }
    }

    /// Reports a whole unfragmented text or binary message the decoder took in one step
    /// ([`FrameDecoder`]'s fast path): the message rules (§5.4, §8.1, §10.4), then the event
    /// with its payload in the chunk, as [`Connection::push_data`] would.
    #[inline]
    fn whole_data(
        &mut self,
        frame: WholeData,
        chunk: &[u8],
        base: u64,
        out: &mut Vec<Event>,
    ) -> Flow {
        let data = chunk
            .get(frame.start..frame.start + frame.len)
            .unwrap_or(&[]);
        let piece_offset = base.saturating_add(frame.start as u64);
        let frame_offset = self.decoder.frame_offset();
        if let Err(e) = self
            .assembler
            .accept_whole(frame.text, data, piece_offset, frame_offset)
        {
            self.fail(ProtocolError::Message(e), out);
            return Flow::Stop;
        }
        self.batch_has_data = true;
        let payload = Payload::InChunk {
            start: frame.start,
            len: frame.len,
        };
        out.push(if frame.text {
            Event::Text {
                payload,
                compressed: false,
            }
        } else {
            Event::Binary {
                payload,
                compressed: false,
            }
        });
        Flow::Continue
    }

    /// [`Connection::receive_in_place`] for borrowed bytes: copies them into an internal
    /// buffer and returns every payload as [`Payload::Owned`].
    pub fn receive(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        let mut scratch = core::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.extend_from_slice(bytes);
        let first = out.len();
        self.receive_in_place(&mut scratch, out);
        for event in out.iter_mut().skip(first) {
            event.make_owned(&scratch);
        }
        if scratch.capacity() > OUTPUT_KEEP {
            scratch = Vec::new();
        }
        self.scratch = scratch;
    }

    /// The transport ended (RFC 6455 §7.1.5). Before the closing handshake completed this is
    /// an abnormal closure: a [`Event::Close`] with code 1006 and `was_clean: false` (§7.4.1).
    pub fn receive_eof(&mut self, out: &mut Vec<Event>) {
        self.receiving = false;
        self.resuming = false;
        self.abort_inflating();
        if !self.phase.is_closed() {
            self.phase = Phase::Closed(Ending::Abnormal);
            out.push(Event::Close {
                code: Some(CloseCode::ABNORMAL.0),
                reason: String::new(),
                was_clean: false,
            });
        }
    }

    /// Reports a data message, inflating it first under permessage-deflate (RFC 7692 §7.2.2).
    #[inline]
    fn deliver_data(
        &mut self,
        opcode: Opcode,
        payload: Payload,
        compressed: bool,
        chunk: &[u8],
        out: &mut Vec<Event>,
    ) -> Flow {
        if compressed && self.deflate.is_some() {
            if self.config.streaming {
                return self.inflate_part(opcode, payload.bytes(chunk), true, out);
            }
            return match self.inflate(&payload, chunk, opcode == Opcode::Text) {
                Ok(inflated) => self.push_data(opcode, inflated, false, out),
                Err(e) => {
                    self.fail(ProtocolError::Deflate(e), out);
                    Flow::Stop
                }
            };
        }
        self.push_data(opcode, payload, compressed, out)
    }

    /// Reports a whole data message.
    #[inline]
    fn push_data(
        &mut self,
        opcode: Opcode,
        payload: Payload,
        compressed: bool,
        out: &mut Vec<Event>,
    ) -> Flow {
        self.batch_has_data = true;
        out.push(if opcode == Opcode::Text {
            Event::Text {
                payload,
                compressed,
            }
        } else {
            Event::Binary {
                payload,
                compressed,
            }
        });
        Flow::Continue
    }

    /// Reports a piece of a streamed data message (RFC 6455 §5.4), inflating it first under
    /// permessage-deflate.
    fn deliver_part(
        &mut self,
        opcode: Opcode,
        payload: Payload,
        compressed: bool,
        fin: bool,
        chunk: &[u8],
        out: &mut Vec<Event>,
    ) -> Flow {
        if compressed && self.deflate.is_some() {
            return self.inflate_part(opcode, payload.bytes(chunk), fin, out);
        }
        // The piece's frame is the decoder's current one: a message in one frame (FIN on a
        // data opcode, RFC 6455 §5.4) is exactly as long as that frame announced (§5.2).
        let header = self.decoder.header();
        let message_len =
            (header.fin && header.opcode != Opcode::Continuation).then_some(header.payload_len);
        self.push_part(opcode, payload, compressed, fin, message_len, out);
        Flow::Continue
    }

    /// Reports one piece of a data message; owned bytes count against the call's budget.
    fn push_part(
        &mut self,
        opcode: Opcode,
        payload: Payload,
        compressed: bool,
        fin: bool,
        message_len: Option<u64>,
        out: &mut Vec<Event>,
    ) {
        if let Payload::Owned(bytes) = &payload {
            self.budget_left = self.budget_left.saturating_sub(bytes.len());
        }
        self.batch_has_data |= fin;
        out.push(Event::Part {
            opcode,
            payload,
            compressed,
            fin,
            message_len,
        });
    }

    /// Reports a message; answers pings and closes. Returns false when parsing must stop.
    #[inline]
    fn deliver(&mut self, message: Message, chunk: &[u8], out: &mut Vec<Event>) -> Flow {
        match message {
            Message::Text {
                payload,
                compressed,
            } => return self.deliver_data(Opcode::Text, payload, compressed, chunk, out),
            Message::Binary {
                payload,
                compressed,
            } => return self.deliver_data(Opcode::Binary, payload, compressed, chunk, out),
            Message::Part {
                opcode,
                payload,
                compressed,
                fin,
            } => return self.deliver_part(opcode, payload, compressed, fin, chunk, out),
            Message::Ping(payload) => {
                // No pong once we sent our Close: nothing follows a Close (RFC 6455 §5.5.1).
                if self.config.auto_pong && self.phase.may_send() {
                    // RFC 6455 §5.5.2/§5.5.3: the pong echoes the ping's application data. An
                    // entropy failure drops the pong; the caller can still pong explicitly.
                    let _ = self.write_frame(Opcode::Pong, true, false, payload.bytes(chunk));
                }
                out.push(Event::Ping(payload));
            }
            Message::Pong(payload) => out.push(Event::Pong(payload)),
            Message::Close { code, reason } => {
                self.receiving = false;
                self.abort_inflating();
                match self.phase {
                    Phase::Open if self.config.auto_close => {
                        // RFC 6455 §5.5.1: reply with a Close, typically echoing the code; the
                        // reason is echoed too, as `ws` does, so both ends log the same words.
                        let mut body = Vec::with_capacity(2 + reason.len());
                        encode_close_payload(code, &reason, &mut body);
                        let _ = self.write_owed_close(&body);
                        self.phase = Phase::Closed(Ending::Clean);
                    }
                    Phase::Open => self.phase = Phase::RemoteClosing,
                    Phase::LocalClosing => self.phase = Phase::Closed(Ending::Clean),
                    Phase::RemoteClosing | Phase::Closed(_) => {}
                }
                let was_clean = self.phase == Phase::Closed(Ending::Clean);
                out.push(Event::Close {
                    code,
                    reason,
                    was_clean,
                });
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    /// Inflates a compressed message (RFC 7692 §7.2.2) under `max_message_size`, checking
    /// text for UTF-8 (RFC 6455 §8.1).
    #[cold]
    fn inflate(
        &mut self,
        payload: &Payload,
        chunk: &[u8],
        text: bool,
    ) -> Result<Payload, DeflateError> {
        let offset = self.message_offset;
        let max = self.config.max_message_size;
        let Some(deflate) = self.deflate.as_mut() else {
            return Err(DeflateError::InvalidCompressedData { offset });
        };
        let mut data = Vec::new();
        match deflate
            .inflater
            .decompress(payload.bytes(chunk), max, &mut data)
        {
            Ok(()) => {}
            Err(InflateError::Corrupt) => {
                return Err(DeflateError::InvalidCompressedData { offset })
            }
            Err(InflateError::TooLarge { .. }) => {
                return Err(DeflateError::MessageTooLarge { offset, max })
            }
        }
        if text {
            if let Err(index) = validate_utf8_with(&data, self.config.utf8_check) {
                return Err(DeflateError::InvalidUtf8 {
                    offset,
                    index: index as u64,
                });
            }
        }
        Ok(Payload::Owned(data))
    }

    /// _Fail the WebSocket Connection_ (RFC 6455 §7.1.7): queue a Close with the error's code
    /// unless we already sent one, stop parsing, and report the error.
    fn fail(&mut self, error: ProtocolError, out: &mut Vec<Event>) {
        self.receiving = false;
        self.resuming = false;
        self.abort_inflating();
        if self.phase.may_send() {
            let code = error.close_code().unwrap_or(CloseCode::PROTOCOL_ERROR.0);
            let _ = self.write_owed_close(&code.to_be_bytes());
        }
        self.phase = Phase::Closed(Ending::Failed);
        out.push(Event::Error(error));
    }

    // ----- sending ---------------------------------------------------------------------

    /// Sends a text message (RFC 6455 §5.6), fragmented per [`Config::fragment_size`] (§5.4).
    /// With permessage-deflate, messages of at least [`Config::deflate_threshold`] bytes are
    /// compressed (RFC 7692 §7.2.1).
    pub fn send_text(&mut self, text: &str) -> Result<(), UsageError> {
        self.send_data(Opcode::Text, text.as_bytes())
    }

    /// Sends a text message given as bytes, checking they are UTF-8 first (RFC 6455 §5.6).
    pub fn send_text_bytes(&mut self, bytes: &[u8]) -> Result<(), UsageError> {
        check_text(bytes)?;
        self.send_data(Opcode::Text, bytes)
    }

    /// Queues only the header of a data message of `len` bytes when the payload needs no
    /// transformation on the wire: server role (unmasked, RFC 6455 §5.1), not compressed
    /// (below the deflate threshold or no deflate), not fragmented. The caller must then write
    /// the payload itself right after [`Connection::output`], so the payload is never copied.
    /// Returns `Ok(false)`, queuing nothing, when the message must go through
    /// [`Connection::send_binary`] / [`Connection::send_text`] instead. For text the caller
    /// guarantees the payload is UTF-8 (RFC 6455 §5.6).
    pub fn send_header_only(&mut self, opcode: Opcode, len: usize) -> Result<bool, UsageError> {
        self.check_new_message(opcode)?;
        let (compressed, fragmented) = self.framing(len as u64);
        if self.role == Role::Client || compressed || fragmented {
            return Ok(false);
        }
        FrameHeader::whole(opcode, None, len as u64).encode(&mut self.output);
        Ok(true)
    }

    /// Whether a new data message may start now: [`Connection::can_send`] and no message is
    /// being sent in parts (RFC 6455 §5.4).
    pub fn may_start_message(&self) -> bool {
        self.can_send() && self.sending.is_none()
    }

    /// Whether a message begun with [`Connection::begin_message`] or
    /// [`Connection::begin_open_message`] awaits more parts (RFC 6455 §5.4): a refused part
    /// leaves it waiting, a part that ends it or a message given up does not.
    pub fn message_in_progress(&self) -> bool {
        self.sending.is_some()
    }

    /// Whether a new data message may start now (RFC 6455 §5.6, §5.4, §5.5.1).
    fn check_new_message(&self, opcode: Opcode) -> Result<(), UsageError> {
        if !matches!(opcode, Opcode::Text | Opcode::Binary) {
            return Err(UsageError::NotADataOpcode);
        }
        if !self.can_send() {
            return Err(UsageError::AlreadyClosed);
        }
        if self.sending.is_some() {
            return Err(UsageError::MessageInProgress);
        }
        Ok(())
    }

    /// How a message of `len` bytes goes on the wire: compressed (at least
    /// [`Config::deflate_threshold`] with permessage-deflate, RFC 7692 §7.2.1), and split into
    /// frames by [`Config::fragment_size`] (RFC 6455 §5.4).
    fn framing(&self, len: u64) -> (bool, bool) {
        let threshold = u64::try_from(self.config.deflate_threshold).unwrap_or(u64::MAX);
        let compressed = self.deflate.is_some() && !self.compression_off && len >= threshold;
        let fragmented =
            matches!(self.config.fragment_size, Some(size) if size > 0 && len > size as u64);
        (compressed, fragmented)
    }

    /// Sends a binary message (RFC 6455 §5.6), fragmented per [`Config::fragment_size`] (§5.4).
    /// With permessage-deflate, messages of at least [`Config::deflate_threshold`] bytes are
    /// compressed (RFC 7692 §7.2.1).
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), UsageError> {
        self.send_data(Opcode::Binary, data)
    }

    #[inline]
    fn send_data(&mut self, opcode: Opcode, payload: &[u8]) -> Result<(), UsageError> {
        if self.deflate.is_some()
            && !self.compression_off
            && payload.len() >= self.config.deflate_threshold
        {
            return self.send_compressed(opcode, payload);
        }
        self.send_message(opcode, payload, false)
    }

    /// Compresses and sends one message: RSV1 on its first frame only (RFC 7692 §6, §7.2.1).
    #[cold]
    fn send_compressed(&mut self, opcode: Opcode, payload: &[u8]) -> Result<(), UsageError> {
        // Check before compressing: a message that is not sent must not enter the window.
        if !self.can_send() {
            return Err(UsageError::AlreadyClosed);
        }
        if self.sending.is_some() {
            return Err(UsageError::MessageInProgress);
        }
        let Some(deflate) = self.deflate.as_mut() else {
            return self.send_message(opcode, payload, false);
        };
        let mut buf = core::mem::take(&mut self.compressed);
        buf.clear();
        let result = match deflate.deflater.compress(payload, &mut buf) {
            Ok(()) => self.send_message(opcode, &buf, true),
            // The compressor already reset its window; plain is always allowed (§6).
            Err(_) => self.send_message(opcode, payload, false),
        };
        if result.is_err() {
            // Not sent, but already in our window: forget the window so later messages
            // never refer to bytes the peer did not receive (RFC 7692 §7.1.1).
            if let Some(d) = self.deflate.as_mut() {
                d.deflater.reset();
            }
        }
        if buf.capacity() > OUTPUT_KEEP {
            buf = Vec::new();
        }
        self.compressed = buf;
        result
    }

    /// Sends a message whose payload an extension already transformed: `rsv1` marks the first
    /// frame "Per-Message Compressed" (RFC 7692 §6). `opcode` must be `Text` or `Binary`.
    /// Bypasses [`Config::deflate`]: with the built-in codec active, a payload compressed
    /// elsewhere desynchronises the peer's window unless it is a context-free stream.
    pub fn send_raw_message(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        rsv1: bool,
    ) -> Result<(), UsageError> {
        if !matches!(opcode, Opcode::Text | Opcode::Binary) {
            return Err(UsageError::NotADataOpcode);
        }
        self.send_message(opcode, payload, rsv1)
    }

    /// Sends a ping (RFC 6455 §5.5.2); at most 125 bytes.
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), UsageError> {
        self.send_control(Opcode::Ping, payload)
    }

    /// Sends an unsolicited or manual pong (RFC 6455 §5.5.3); at most 125 bytes.
    pub fn pong(&mut self, payload: &[u8]) -> Result<(), UsageError> {
        self.send_control(Opcode::Pong, payload)
    }

    /// Starts (or, after the peer's Close with `auto_close` off, completes) the closing
    /// handshake (RFC 6455 §5.5.1, §7.1.2). `code` must be valid on the wire (§7.4); a
    /// `reason` needs a code and fits in 123 bytes.
    pub fn close(&mut self, code: Option<u16>, reason: &str) -> Result<(), UsageError> {
        if !self.phase.may_send() {
            return Err(UsageError::AlreadyClosed);
        }
        match code {
            Some(c) if !CloseCode(c).is_valid_on_wire() => {
                return Err(UsageError::InvalidCloseCode { code: c })
            }
            None if !reason.is_empty() => return Err(UsageError::ReasonWithoutCode),
            _ => {}
        }
        if reason.len() > MAX_CLOSE_REASON {
            return Err(UsageError::CloseReasonTooLong { len: reason.len() });
        }
        let mut body = Vec::with_capacity(2 + reason.len());
        encode_close_payload(code, reason, &mut body);
        self.write_frame(Opcode::Close, true, false, &body)?;
        self.phase = match self.phase {
            Phase::RemoteClosing => Phase::Closed(Ending::Clean),
            _ => Phase::LocalClosing,
        };
        Ok(())
    }

    /// Bytes waiting to be written to the transport, in order.
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// Marks the first `n` output bytes as written (for partial writes); keeps the buffer's
    /// allocation for reuse.
    pub fn consume_output(&mut self, n: usize) {
        let n = n.min(self.output.len());
        self.output.drain(..n);
        if self.output.is_empty() && self.output.capacity() > OUTPUT_KEEP {
            // After a large message: do not keep its size for the connection's lifetime.
            self.output = Vec::new();
        }
    }

    /// Hands all pending output to the caller without copying or allocating: `buf` is cleared
    /// and swapped with the internal buffer, so two buffers can alternate forever.
    pub fn swap_output(&mut self, buf: &mut Vec<u8>) {
        buf.clear();
        core::mem::swap(&mut self.output, buf);
    }

    /// Takes all pending output.
    pub fn take_output(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.output)
    }

    fn send_message(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        rsv1: bool,
    ) -> Result<(), UsageError> {
        if !self.can_send() {
            return Err(UsageError::AlreadyClosed);
        }
        if self.sending.is_some() {
            return Err(UsageError::MessageInProgress);
        }
        let size = match self.config.fragment_size {
            Some(size) if size > 0 && payload.len() > size => size,
            _ => return self.write_frame(opcode, true, rsv1, payload),
        };
        let rollback = self.output.len();
        let count = payload.len().div_ceil(size);
        for (i, part) in payload.chunks(size).enumerate() {
            // RFC 6455 §5.4: the first frame has the opcode, the rest are continuations;
            // RFC 7692 §6: RSV1 only on the first.
            let (op, first) = if i == 0 {
                (opcode, true)
            } else {
                (Opcode::Continuation, false)
            };
            if let Err(e) = self.write_frame(op, i + 1 == count, rsv1 && first, part) {
                self.output.truncate(rollback);
                return Err(e);
            }
        }
        Ok(())
    }

    fn send_control(&mut self, opcode: Opcode, payload: &[u8]) -> Result<(), UsageError> {
        if self.phase.is_closed() && self.deferred_close.is_empty() {
            return Err(UsageError::AlreadyClosed);
        }
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(UsageError::ControlPayloadTooLong { len: payload.len() });
        }
        self.write_frame(opcode, true, false, payload)
    }

    /// Writes a Close this side owes the peer (the reply to its Close, RFC 6455 §5.5.1, or the
    /// Close that fails the connection, §7.1.7). With [`Config::defer_close`] and data messages
    /// already delivered from this chunk, it is held back until [`Connection::release_close`].
    fn write_owed_close(&mut self, body: &[u8]) -> Result<(), UsageError> {
        if !(self.config.defer_close && self.batch_has_data) {
            return self.write_frame(Opcode::Close, true, false, body);
        }
        core::mem::swap(&mut self.output, &mut self.deferred_close);
        let written = self.write_frame(Opcode::Close, true, false, body);
        core::mem::swap(&mut self.output, &mut self.deferred_close);
        written
    }

    #[inline]
    fn write_frame(
        &mut self,
        opcode: Opcode,
        fin: bool,
        rsv1: bool,
        payload: &[u8],
    ) -> Result<(), UsageError> {
        let mask = match self.role {
            Role::Client => Some(self.mask.mask_key().ok_or(UsageError::EntropyUnavailable)?),
            Role::Server => None,
        };
        if opcode.is_control() && self.in_streamed_frame() {
            // Not inside a data frame's payload (RFC 6455 §5.4): after it. Of the pongs owed
            // meanwhile only the latest is kept (§5.5.3 allows answering only the most recent
            // ping), so a ping flood cannot grow this.
            if opcode == Opcode::Pong {
                self.held_pong.clear();
                encode_frame(&mut self.held_pong, opcode, fin, rsv1, payload, mask);
            } else {
                encode_frame(&mut self.held_control, opcode, fin, rsv1, payload, mask);
            }
            return Ok(());
        }
        encode_frame(&mut self.output, opcode, fin, rsv1, payload, mask);
        Ok(())
    }
}

/// Convenience for tests and simple callers: the payload bytes of an event from `chunk`.
pub fn event_bytes<'a>(event: &'a Event, chunk: &'a [u8]) -> &'a [u8] {
    event
        .payload()
        .map(|p: &Payload| p.bytes(chunk))
        .unwrap_or(&[])
}

/// A text message handed in as bytes must be UTF-8 (RFC 6455 §5.6); the error names the offset
/// where it stops being so.
fn check_text(bytes: &[u8]) -> Result<(), UsageError> {
    simdutf8::compat::from_utf8(bytes)
        .map(|_| ())
        .map_err(|e| UsageError::InvalidUtf8 {
            offset: e.valid_up_to(),
        })
}

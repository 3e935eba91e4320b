//! What a receive call reports (RFC 6455 §5.4–§5.6, §7.1.5–§7.1.7): plain data the JS layer
//! can map one to one.

use alloc::string::String;

use super::error::ProtocolError;
use crate::frame::Opcode;
use crate::message::Payload;

/// One thing that happened on the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A complete text message (RFC 6455 §5.6); valid UTF-8 unless `compressed`.
    ///
    /// `compressed` means the payload is *still* compressed: RSV1 was set and the caller
    /// allowed it (`rsv1_allowed`) without giving the connection the deflate parameters. With
    /// `Config::deflate` set, the connection inflates (RFC 7692 §7.2.2) and UTF-8-checks
    /// compressed messages itself and reports them with `compressed: false`.
    Text {
        /// The payload.
        payload: Payload,
        /// Whether the payload is still compressed (RSV1 allowed without the deflate parameters).
        compressed: bool,
    },
    /// A complete binary message (RFC 6455 §5.6); `compressed` as for [`Event::Text`].
    Binary {
        /// The payload.
        payload: Payload,
        /// Whether the payload is still compressed (RSV1 allowed without the deflate parameters).
        compressed: bool,
    },
    /// With [`Config::streaming`](super::Config::streaming): the next piece of a data message
    /// that did not arrive whole in one chunk, or of an inflated one (RFC 6455 §5.4, RFC 7692
    /// §7.2.2), in order; `fin` marks the last. Join the pieces to get the message: text is
    /// checked as it comes (§8.1) but a code point may span two pieces. `compressed` as for
    /// [`Event::Text`]; `opcode` is `Text` or `Binary`.
    Part {
        /// `Text` or `Binary`.
        opcode: Opcode,
        /// The payload.
        payload: Payload,
        /// Whether the payload is still compressed (RSV1 allowed without the deflate parameters).
        compressed: bool,
        /// This is the last part of the message.
        fin: bool,
        /// The whole message's payload length when its one frame announced it (RFC 6455 §5.2
        /// Payload length): FIN set on its first frame and not inflated here, so its parts add
        /// up to exactly this many bytes, already checked against `max_message_size` (§10.4).
        /// `None` for fragmented or inflated messages. Lets a caller allocate the message once
        /// instead of joining the parts; the bytes are announced, not yet received.
        message_len: Option<u64>,
    },
    /// A ping (RFC 6455 §5.5.2); with `auto_pong` the pong is already queued.
    Ping(Payload),
    /// A pong (RFC 6455 §5.5.3).
    Pong(Payload),
    /// The connection closed: the peer's Close frame (`code` `None` when it had no body,
    /// reported as 1005 by browsers), or the transport ended first (`code` 1006,
    /// `was_clean` false; RFC 6455 §7.1.5, §7.4.1).
    Close {
        /// The close code, when the Close frame had one.
        code: Option<u16>,
        /// The close reason.
        reason: String,
        /// Whether the closing handshake completed (RFC 6455 §7.1.4).
        was_clean: bool,
    },
    /// The peer broke the protocol: the connection failed (RFC 6455 §7.1.7), a Close frame
    /// with `error.close_code()` is queued and nothing more is parsed.
    Error(ProtocolError),
}

impl Event {
    /// The payload of a data or ping/pong event.
    pub fn payload(&self) -> Option<&Payload> {
        match self {
            Event::Text { payload, .. }
            | Event::Binary { payload, .. }
            | Event::Part { payload, .. } => Some(payload),
            Event::Ping(payload) | Event::Pong(payload) => Some(payload),
            Event::Close { .. } | Event::Error(_) => None,
        }
    }

    /// Copies an in-chunk payload out of `chunk`, so the event outlives the buffer.
    pub fn make_owned(&mut self, chunk: &[u8]) {
        let payload = match self {
            Event::Text { payload, .. }
            | Event::Binary { payload, .. }
            | Event::Part { payload, .. } => payload,
            Event::Ping(payload) | Event::Pong(payload) => payload,
            Event::Close { .. } | Event::Error(_) => return,
        };
        if let Payload::InChunk { .. } = payload {
            *payload = Payload::Owned(payload.bytes(chunk).to_vec());
        }
    }
}

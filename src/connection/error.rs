//! Errors of the connection layer: the peer's faults ([`ProtocolError`]) kept apart from the
//! caller's misuse ([`UsageError`]).

use alloc::string::String;

use crate::deflate::DeflateError;
use crate::error::{Diagnostic, ErrorCode};
use crate::frame::FrameError;
use crate::message::MessageError;

/// The peer broke RFC 6455; the connection has failed (§7.1.7) and a Close frame with
/// [`Diagnostic::close_code`] has been queued for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// A per-frame rule (RFC 6455 §5.1–§5.5).
    Frame(FrameError),
    /// A message-level rule (RFC 6455 §5.4, §5.5.1, §8.1, §10.4).
    Message(MessageError),
    /// A compressed message could not be accepted (RFC 7692 §7.2.2, §8).
    Deflate(DeflateError),
}

impl ProtocolError {
    fn inner(&self) -> &dyn Diagnostic {
        match self {
            ProtocolError::Frame(e) => e,
            ProtocolError::Message(e) => e,
            ProtocolError::Deflate(e) => e,
        }
    }
}

impl Diagnostic for ProtocolError {
    fn error_code(&self) -> ErrorCode {
        self.inner().error_code()
    }
    fn rfc(&self) -> &'static str {
        self.inner().rfc()
    }
    fn message(&self) -> String {
        self.inner().message()
    }
    fn value(&self) -> Option<String> {
        self.inner().value()
    }
    fn offset(&self) -> Option<u64> {
        self.inner().offset()
    }
}

/// The caller asked for something the protocol forbids; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsageError {
    /// Data after our Close (RFC 6455 §5.5.1: "MUST NOT send any more data frames"), or any
    /// frame after the connection closed.
    AlreadyClosed,
    /// A ping, pong or close payload over 125 bytes (RFC 6455 §5.5).
    ControlPayloadTooLong {
        /// The length found, in bytes.
        len: usize,
    },
    /// A close code that may not be sent: 1005, 1006, 1015 or outside 1000–4999 (RFC 6455 §7.4).
    InvalidCloseCode {
        /// The close code given.
        code: u16,
    },
    /// A close reason over 123 bytes (RFC 6455 §5.5.1, §5.5).
    CloseReasonTooLong {
        /// The length found, in bytes.
        len: usize,
    },
    /// A close reason without a code (RFC 6455 §5.5.1: the reason follows the code).
    ReasonWithoutCode,
    /// The masking-key source failed (RFC 6455 §5.3).
    EntropyUnavailable,
    /// `send_raw_message` was given a control or continuation opcode (RFC 6455 §5.6).
    NotADataOpcode,
    /// A text message given as bytes that are not UTF-8 (RFC 6455 §5.6); `offset` is the
    /// first invalid byte.
    InvalidUtf8 {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: usize,
    },
    /// A message was started or sent while another sent in parts is unfinished (RFC 6455
    /// §5.4: the fragments of one message are not interleaved with another's), or a part
    /// was sent with no message started.
    MessageInProgress,
    /// The parts of a message sent in parts do not add up to the length it was started
    /// with (RFC 6455 §5.2: the payload length is announced in the header).
    MessageLengthMismatch {
        /// The length the message was started with.
        announced: u64,
        /// Bytes given so far.
        sent: u64,
    },
}

impl Diagnostic for UsageError {
    fn error_code(&self) -> ErrorCode {
        match self {
            UsageError::AlreadyClosed => ErrorCode::AlreadyClosed,
            UsageError::ControlPayloadTooLong { .. } => ErrorCode::ControlPayloadTooLong,
            UsageError::InvalidCloseCode { .. } => ErrorCode::SendInvalidCloseCode,
            UsageError::CloseReasonTooLong { .. } => ErrorCode::CloseReasonTooLong,
            UsageError::ReasonWithoutCode => ErrorCode::CloseReasonWithoutCode,
            UsageError::EntropyUnavailable => ErrorCode::EntropyUnavailable,
            UsageError::NotADataOpcode => ErrorCode::NotADataOpcode,
            UsageError::InvalidUtf8 { .. } => ErrorCode::SendInvalidUtf8,
            UsageError::MessageInProgress => ErrorCode::MessageInProgress,
            UsageError::MessageLengthMismatch { .. } => ErrorCode::MessageLengthMismatch,
        }
    }
    fn message(&self) -> String {
        String::from(match self {
            UsageError::AlreadyClosed => {
                "The connection is closing or closed: no more messages can be sent."
            }
            UsageError::ControlPayloadTooLong { .. } => {
                "Ping, pong and close payloads are limited to 125 bytes."
            }
            UsageError::InvalidCloseCode { .. } => {
                "Only codes 1000-1003, 1007-1014 and 3000-4999 may be sent in a Close frame."
            }
            UsageError::CloseReasonTooLong { .. } => {
                "A close reason is limited to 123 bytes of UTF-8."
            }
            UsageError::ReasonWithoutCode => {
                "A close reason can only be sent together with a code."
            }
            UsageError::EntropyUnavailable => {
                "No masking key could be obtained from the random number generator."
            }
            UsageError::NotADataOpcode => "Only text and binary messages can be sent this way.",
            UsageError::InvalidUtf8 { .. } => "A text message must be valid UTF-8.",
            UsageError::MessageInProgress => {
                "A message sent in parts must be finished before another one starts."
            }
            UsageError::MessageLengthMismatch { .. } => {
                "The parts of a message must add up to the length it was started with."
            }
        })
    }
    fn value(&self) -> Option<String> {
        use alloc::string::ToString;
        match self {
            UsageError::ControlPayloadTooLong { len } | UsageError::CloseReasonTooLong { len } => {
                Some(len.to_string())
            }
            UsageError::InvalidCloseCode { code } => Some(code.to_string()),
            UsageError::MessageLengthMismatch { announced, sent } => {
                Some(alloc::format!("{sent} of {announced}"))
            }
            _ => None,
        }
    }
    fn offset(&self) -> Option<u64> {
        match self {
            UsageError::InvalidUtf8 { offset } => Some(*offset as u64),
            _ => None,
        }
    }
}

crate::error::diagnostic_display!(ProtocolError, UsageError);

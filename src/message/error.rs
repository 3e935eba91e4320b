//! Faults in how frames form messages (RFC 6455 §5.4, §5.5.1, §8.1, §10.4).

use alloc::string::String;

use crate::error::{Diagnostic, ErrorCode};

/// A peer broke a message-level rule. `offset` is a stream offset: the first byte of the
/// offending frame, or for UTF-8 the first byte of the invalid sequence as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageError {
    /// A continuation frame with no fragmented message in progress (RFC 6455 §5.4).
    UnexpectedContinuation {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
    },
    /// A new text or binary frame while a fragmented message is unfinished (RFC 6455 §5.4).
    ExpectedContinuation {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
    },
    /// The message, summed over its fragments, exceeds `max_message_size` (RFC 6455 §10.4;
    /// close 1009). Detected from the frame header, before the payload is read.
    MessageTooLarge {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
        /// The length found, in bytes.
        len: u64,
        /// The configured limit.
        max: u64,
    },
    /// A text message is not valid UTF-8 (RFC 6455 §8.1; close 1007), detected as soon as the
    /// bad byte arrives (or at the end of the message for a truncated code point).
    InvalidUtf8 {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
    },
    /// A close frame payload of exactly one byte (RFC 6455 §5.5.1: the body starts with a
    /// 2-byte code).
    BadClosePayload {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
    },
    /// A close frame carries a code that may not be sent (RFC 6455 §7.4).
    InvalidCloseCode {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
        /// The close code received.
        code: u16,
    },
    /// A close frame's reason is not valid UTF-8 (RFC 6455 §5.5.1; close 1007).
    InvalidCloseReason {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
    },
}

impl Diagnostic for MessageError {
    fn error_code(&self) -> ErrorCode {
        match self {
            MessageError::UnexpectedContinuation { .. } => ErrorCode::UnexpectedContinuation,
            MessageError::ExpectedContinuation { .. } => ErrorCode::ExpectedContinuation,
            MessageError::MessageTooLarge { .. } => ErrorCode::MessageTooLarge,
            MessageError::InvalidUtf8 { .. } => ErrorCode::InvalidUtf8,
            MessageError::BadClosePayload { .. } => ErrorCode::BadClosePayload,
            MessageError::InvalidCloseCode { .. } => ErrorCode::InvalidCloseCode,
            MessageError::InvalidCloseReason { .. } => ErrorCode::InvalidCloseReason,
        }
    }
    fn message(&self) -> String {
        String::from(match self {
            MessageError::UnexpectedContinuation { .. } => {
                "A continuation frame arrived but no fragmented message had been started."
            }
            MessageError::ExpectedContinuation { .. } => {
                "A new text or binary frame arrived before the fragmented message in progress was finished."
            }
            MessageError::MessageTooLarge { .. } => {
                "The message is longer than this endpoint's configured maximum message size."
            }
            MessageError::InvalidUtf8 { .. } => "A text message must be valid UTF-8.",
            MessageError::BadClosePayload { .. } => {
                "A close frame's payload is either empty or starts with a 2-byte status code; one byte is not allowed."
            }
            MessageError::InvalidCloseCode { .. } => {
                "The close frame's status code is not one an endpoint may send (1000-1003, 1007-1014, 3000-4999)."
            }
            MessageError::InvalidCloseReason { .. } => {
                "The reason in a close frame must be valid UTF-8."
            }
        })
    }
    fn value(&self) -> Option<String> {
        use alloc::string::ToString;
        match self {
            MessageError::MessageTooLarge { len, .. } => Some(len.to_string()),
            MessageError::InvalidCloseCode { code, .. } => Some(code.to_string()),
            _ => None,
        }
    }
    fn offset(&self) -> Option<u64> {
        match self {
            MessageError::UnexpectedContinuation { offset }
            | MessageError::ExpectedContinuation { offset }
            | MessageError::MessageTooLarge { offset, .. }
            | MessageError::InvalidUtf8 { offset }
            | MessageError::BadClosePayload { offset }
            | MessageError::InvalidCloseCode { offset, .. }
            | MessageError::InvalidCloseReason { offset } => Some(*offset),
        }
    }
}

crate::error::diagnostic_display!(MessageError);

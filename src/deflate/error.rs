//! Faults in a compressed message the peer sent (RFC 7692 §7.2.2, §8; RFC 6455 §8.1, §10.4).

use alloc::string::String;

use crate::error::{Diagnostic, ErrorCode};

/// The peer sent a compressed message we cannot accept; the connection fails (RFC 7692 §8:
/// "the receiving endpoint MUST _Fail the WebSocket Connection_"). `offset` is the stream
/// offset of the message's first frame.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeflateError {
    /// The payload plus `00 00 ff ff` is not valid DEFLATE data (RFC 7692 §7.2.2, §8; close
    /// 1007 "inconsistent with the type of the message", as `ws` does).
    InvalidCompressedData {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
    },
    /// The *decompressed* message exceeds `max_message_size` (RFC 6455 §10.4; close 1009),
    /// detected while inflating, before more than the limit was produced.
    MessageTooLarge {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
        /// The configured limit.
        max: u64,
    },
    /// The unfinished compressed messages of all connections (of the process) would hold more
    /// inflated bytes than [`INFLATING_BUDGET`](crate::connection::INFLATING_BUDGET) with this
    /// piece: the message is too big to process now (RFC 6455 §7.4.1, §10.4; close 1009).
    OverBudget {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
        /// The total allowed.
        budget: u64,
    },
    /// The decompressed text is not valid UTF-8 (RFC 6455 §8.1; close 1007). `index` is the
    /// position of the invalid sequence in the decompressed text.
    InvalidUtf8 {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
        /// Position of the invalid sequence in the decompressed text.
        index: u64,
    },
}

impl Diagnostic for DeflateError {
    fn error_code(&self) -> ErrorCode {
        match self {
            DeflateError::InvalidCompressedData { .. } => ErrorCode::InvalidCompressedData,
            DeflateError::MessageTooLarge { .. } | DeflateError::OverBudget { .. } => {
                ErrorCode::MessageTooLarge
            }
            DeflateError::InvalidUtf8 { .. } => ErrorCode::InvalidUtf8,
        }
    }
    fn message(&self) -> String {
        String::from(match self {
            DeflateError::InvalidCompressedData { .. } => {
                "A message marked compressed (RSV1) does not decompress as DEFLATE data."
            }
            DeflateError::MessageTooLarge { .. } => {
                "The message decompresses to more than this endpoint's configured maximum message size."
            }
            DeflateError::OverBudget { .. } => {
                "The unfinished compressed messages of all connections would hold more decompressed bytes than this endpoint allows for them at once: the message is too big to process now."
            }
            DeflateError::InvalidUtf8 { .. } => {
                "A text message must be valid UTF-8 once decompressed."
            }
        })
    }
    fn value(&self) -> Option<String> {
        use alloc::string::ToString;
        match self {
            DeflateError::MessageTooLarge { max, .. } => Some(max.to_string()),
            DeflateError::OverBudget { budget, .. } => Some(budget.to_string()),
            DeflateError::InvalidUtf8 { index, .. } => Some(index.to_string()),
            DeflateError::InvalidCompressedData { .. } => None,
        }
    }
    fn offset(&self) -> Option<u64> {
        match self {
            DeflateError::InvalidCompressedData { offset }
            | DeflateError::MessageTooLarge { offset, .. }
            | DeflateError::OverBudget { offset, .. }
            | DeflateError::InvalidUtf8 { offset, .. } => Some(*offset),
        }
    }
}

crate::error::diagnostic_display!(DeflateError);

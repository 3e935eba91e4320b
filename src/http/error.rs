//! Errors of the HTTP/1.1 layer: reading and writing a message head (RFC 9110, RFC 9112).

use alloc::string::String;

use crate::error::{truncate_for_display, Diagnostic, ErrorCode};

use super::headers::canonical_name;

/// Why a message head could not be read or written (RFC 9112 §2, RFC 9110 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpError {
    /// The head is longer than the configured limit, or still incomplete past it (RFC 6585 §5).
    HeadTooLarge {
        /// The length found, in bytes.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// More header lines than the configured limit (RFC 6585 §5).
    TooManyHeaders {
        /// The configured limit.
        max: usize,
    },
    /// The start line or framing is not HTTP/1.x syntax (RFC 9112 §2.2, §3, §4).
    Malformed {
        /// Which part of the head is malformed.
        what: &'static str,

        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: Option<usize>,
    },
    /// A field value holds CR, LF, NUL or another control byte (RFC 9110 §5.5).
    IllegalHeaderByte {
        /// The name concerned.
        name: String,

        /// The offending value.
        value: String,

        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: usize,
    },
    /// A field name is not a token (RFC 9110 §5.1).
    InvalidHeaderName {
        /// The name concerned.
        name: String,
    },
}

impl Diagnostic for HttpError {
    fn error_code(&self) -> ErrorCode {
        match self {
            HttpError::HeadTooLarge { .. } => ErrorCode::HeadTooLarge,
            HttpError::TooManyHeaders { .. } => ErrorCode::TooManyHeaders,
            HttpError::Malformed { .. } => ErrorCode::MalformedHead,
            HttpError::IllegalHeaderByte { .. } => ErrorCode::IllegalHeaderByte,
            HttpError::InvalidHeaderName { .. } => ErrorCode::InvalidHeaderName,
        }
    }
    #[cfg(not(feature = "explain"))]
    fn message(&self) -> String {
        crate::error::compact_message(self)
    }
    #[cfg(feature = "explain")]
    fn message(&self) -> String {
        match self {
            HttpError::HeadTooLarge { len, max } => alloc::format!(
                "The request head is at least {len} bytes, more than the {max}-byte limit; the server answers 431."
            ),
            HttpError::TooManyHeaders { max } => {
                alloc::format!("The head has more than {max} header lines; the server answers 431.")
            }
            HttpError::Malformed { what, .. } => {
                alloc::format!("The message head is not valid HTTP/1.1: bad {what}.")
            }
            HttpError::IllegalHeaderByte { name, .. } => alloc::format!(
                "The value of header \"{}\" contains a CR, LF, NUL or other control byte, which field values must not (and which could inject headers).",
                truncate_for_display(name, 40)
            ),
            HttpError::InvalidHeaderName { name } => alloc::format!(
                "The header name \"{}\" is not an HTTP token.",
                truncate_for_display(name, 40)
            ),
        }
    }
    fn header(&self) -> Option<&'static str> {
        match self {
            HttpError::IllegalHeaderByte { name, .. } => canonical_name(name),
            _ => None,
        }
    }
    fn value(&self) -> Option<String> {
        match self {
            HttpError::IllegalHeaderByte { value, .. } => Some(truncate_for_display(value, 64)),
            HttpError::InvalidHeaderName { name } => Some(truncate_for_display(name, 64)),
            _ => None,
        }
    }
    fn offset(&self) -> Option<u64> {
        match self {
            HttpError::IllegalHeaderByte { offset, .. } => Some(*offset as u64),
            HttpError::Malformed { offset, .. } => offset.map(|o| o as u64),
            _ => None,
        }
    }
}

crate::error::diagnostic_display!(HttpError);

//! The diagnostic contract shared by every layer.
//!
//! Each layer has its own error enum (handshake, frame, message, deflate, usage); all of them
//! implement [`Diagnostic`], so the binding layer turns any of them into the same JS error shape
//! without knowing the protocol: a stable kebab-case `code`, the `rfc` section, one sentence
//! (`message`), and where they apply the header, the offending value, the byte offset, the HTTP
//! status to answer with, and the close code the peer must receive. The code, section, status,
//! close code and blame of every error come from one table, [`ERROR_CODES`].

use alloc::string::String;

mod table;

pub use table::{Blame, CodeEntry, ErrorCode, ERROR_CODES};

/// A machine-readable, teachable error. Never built from free text at the boundary.
pub trait Diagnostic {
    /// This error's row of [`ERROR_CODES`].
    fn error_code(&self) -> ErrorCode;
    /// Stable machine code, kebab-case (`missing-key`, `bad-key-length`, `invalid-utf8`).
    fn code(&self) -> &'static str {
        self.error_code().as_str()
    }
    /// The RFC section whose rule was broken, e.g. `"RFC 6455 §4.2.1"`: the table's, or a more
    /// specific one for the header or side concerned.
    fn rfc(&self) -> &'static str {
        self.error_code().entry().rfc
    }
    /// One sentence a person can act on.
    fn message(&self) -> String;
    /// The header concerned, in its canonical spelling.
    fn header(&self) -> Option<&'static str> {
        None
    }
    /// The offending value, truncated for display.
    fn value(&self) -> Option<String> {
        None
    }
    /// Byte offset of the fault in the input, where one applies.
    fn offset(&self) -> Option<u64> {
        None
    }
    /// HTTP status a server should answer a failed handshake with (400, 403, 426, 431): the
    /// table's, and none for a fault found in a server's response.
    fn status(&self) -> Option<u16> {
        self.error_code().entry().status
    }
    /// Close code (RFC 6455 §7.4.1) the peer must receive for a wire-format fault.
    fn close_code(&self) -> Option<u16> {
        self.error_code().entry().close_code
    }
    /// Who broke the rule: the peer, the caller, or this endpoint's platform.
    fn blame(&self) -> Blame {
        self.error_code().entry().blame
    }
}

/// The sentence of a build without the `explain` feature (`ws101/handshake`): the error's own
/// fields in words, without `core::fmt`: "missing-key: Sec-WebSocket-Key, RFC 6455 §4.2.1." (the
/// header or the byte offset where one applies, then the rule's section). The full build writes
/// each error's own sentence instead.
#[cfg(not(feature = "explain"))]
pub(crate) fn compact_message(d: &dyn Diagnostic) -> String {
    let mut out = String::from(d.code());
    out.push_str(": ");
    if let Some(header) = d.header() {
        out.push_str(header);
        out.push_str(", ");
    }
    if let Some(offset) = d.offset() {
        out.push_str("byte ");
        out.push_str(itoa::Buffer::new().format(offset));
        out.push_str(", ");
    }
    out.push_str(d.rfc());
    out.push('.');
    out
}

/// `Display` ("code: sentence") and `std::error::Error` for [`Diagnostic`] types.
macro_rules! diagnostic_display {
    ($($t:ty),* $(,)?) => {$(
        impl core::fmt::Display for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                use $crate::error::Diagnostic as _;
                write!(f, "{}: {}", self.code(), self.message())
            }
        }
        impl std::error::Error for $t {}
    )*};
}
pub(crate) use diagnostic_display;

/// Shortens a value for display in a diagnostic: at most `max` bytes, cut on a char boundary.
pub fn truncate_for_display(value: &str, max: usize) -> String {
    if value.len() <= max {
        return String::from(value);
    }
    let mut end = max;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::from(&value[..end]);
    out.push('…');
    out
}

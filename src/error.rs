//! The diagnostic contract shared by every layer.
//!
//! Each layer has its own error enum (handshake, frame, message, deflate, usage); all of them
//! implement [`Diagnostic`], so the binding layer turns any of them into the same JS error shape
//! without knowing the protocol: a stable kebab-case `code`, the `rfc` section, a one-sentence
//! explanation, and where they apply the header, the offending value, the byte offset, the HTTP
//! status to answer with, and the close code the peer must receive.

use alloc::string::String;

/// A machine-readable, teachable error. Never built from free text at the boundary.
pub trait Diagnostic {
    /// Stable machine code, kebab-case (`missing-key`, `bad-key-length`, `invalid-utf8`).
    fn code(&self) -> &'static str;
    /// The RFC section whose rule was broken, e.g. `"RFC 6455 §4.2.1"`.
    fn rfc(&self) -> &'static str;
    /// One sentence a person can act on.
    fn explanation(&self) -> String;
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
    /// HTTP status a server should answer a failed handshake with (400, 403, 426, 431).
    fn status(&self) -> Option<u16> {
        None
    }
    /// Close code (RFC 6455 §7.4.1) the peer must receive for a wire-format fault.
    fn close_code(&self) -> Option<u16> {
        None
    }
}

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

//! Messages from frames (RFC 6455 §5.4–§5.6, §8.1): fragmentation and continuation rules,
//! interleaved control frames, incremental UTF-8 validation, close payloads and size limits.

pub mod assembler;
pub mod close;
pub mod error;
pub mod payload;
pub mod utf8;

pub use assembler::{Assembler, Message};
pub use close::{encode_close_payload, parse_close_payload, MAX_CLOSE_REASON};
pub use error::MessageError;
pub use payload::Payload;
pub use utf8::{validate_utf8, validate_utf8_with, Utf8Check, Utf8Validator, UTF8_CHECK_MIN};

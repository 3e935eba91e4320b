//! ws101: the WebSocket opening handshake ("101 Switching Protocols", RFC 6455 §4) and wire format
//! (RFC 6455 §5–§7, RFC 7692) as a sans-IO core.
//!
//! The core does no I/O, reads no clock and never panics on input: bytes and header values go in,
//! typed results come out, and every rejection is a [`Diagnostic`]. The `wasm` module (wasm32
//! only) is a thin wasm-bindgen layer over it for JavaScript runtimes.
#![forbid(unsafe_code)]

extern crate alloc;

pub mod connection;
pub mod deflate;
pub mod error;
pub mod frame;
pub mod handshake;
pub mod http;
pub mod message;

/// The wasm-bindgen binding layer (wasm32 only); public so wasm tests can call it.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;

pub use connection::{Connection, Event};
pub use error::Diagnostic;
pub use frame::{CloseCode, Opcode};
pub use handshake::{accept_key, accept_key_checked, generate_key, validate_key, KeyError};
pub use message::Payload;

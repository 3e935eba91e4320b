//! ws101: the WebSocket opening handshake ("101 Switching Protocols", RFC 6455 §4) and wire format
//! (RFC 6455 §5–§7, RFC 7692 permessage-deflate) as a sans-IO core.
//!
//! The core does no I/O, reads no clock and never panics on input: bytes and header values go in,
//! typed results come out, and every rejection is a [`Diagnostic`] whose code, RFC section, HTTP
//! status, close code and blame come from one table ([`ERROR_CODES`]). Every public item is
//! reachable from the crate root; the modules are implementation layout. The `wasm` module
//! (wasm32 only) is a thin wasm-bindgen layer over the same core for JavaScript runtimes.
//!
//! # From handshake to connection
//!
//! A server reads the client's request head, answers it, and hands the bytes after the head to a
//! [`Connection`] configured with what the handshake agreed:
//!
//! ```
//! use ws101::{parse_request, Config, Event, ServerOutcome, ServerPolicy, Status};
//!
//! // What a client sent: the upgrade request, then (already) a masked text frame "Hello".
//! let mut received = b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
//!     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
//!     Sec-WebSocket-Version: 13\r\n\r\n".to_vec();
//! received.extend_from_slice(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
//!
//! let policy = ServerPolicy::default();
//! let Status::Complete(ServerOutcome::Accept(accepted)) = parse_request(&received, &policy) else {
//!     panic!("a valid upgrade request");
//! };
//! // Write accepted.response.bytes (the 101, with Sec-WebSocket-Accept) to the socket, then:
//! assert_eq!(accepted.response.status, 101);
//! assert_eq!(accepted.accept_key, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
//!
//! // The hand-off: the role, the agreed permessage-deflate and the frames after the head.
//! let (mut conn, frames) = accepted.handoff().connect(Config::default(), &received);
//! let mut events = Vec::new();
//! conn.receive(frames, &mut events);
//! match &events[..] {
//!     [Event::Text { payload, .. }] => assert_eq!(payload.bytes(frames), b"Hello"),
//!     other => panic!("{other:?}"),
//! }
//! conn.send_text("Hello back").unwrap();
//! let wire = conn.take_output(); // write these bytes to the socket
//! assert_eq!(&wire[..2], &[0x81, 10]);
//! ```
//!
//! A client builds its request with [`build_request`], checks the answer with
//! [`ClientRequest::parse_response`], and starts its [`Connection`] from
//! [`ClientOutcome::handoff`] the same way (`examples/native/echo.rs` runs both ends over `std::net`).
//!
//! # Features
//!
//! `serde` derives `Serialize` for the outcomes, problems and verdicts (the wasm build does not
//! need it: its binding writes the JS objects itself).
//!
//! `connection` (default) adds the wire format after the handshake: frames, messages,
//! [`Connection`] and the permessage-deflate codec. Without it (`default-features = false`) the
//! crate is the opening handshake alone: keys, request and response checks, subprotocol and
//! extension negotiation (the npm package's `ws101/handshake` is built this way).
//!
//! `client`, `explain` and `extended-connect` (default) decide what the wasm32 binding exports: the
//! client half of the handshake, the explainer's upgrade classifiers, RFC 8441 extended CONNECT.
//! The crate's own functions are there either way, but without `explain` every error's
//! [`Diagnostic::message`] is a compact sentence of its fields (code, header or byte offset, RFC
//! section) instead of the written-out one.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;

mod status;

#[cfg(feature = "connection")]
#[doc(hidden)]
pub mod connection;
#[doc(hidden)]
pub mod deflate;
#[doc(hidden)]
pub mod error;
#[doc(hidden)]
pub mod frame;
#[doc(hidden)]
pub mod handshake;
#[doc(hidden)]
pub mod http;
#[cfg(feature = "connection")]
#[doc(hidden)]
pub mod message;

/// The wasm-bindgen binding layer (wasm32 only); public so wasm tests can call it.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;

pub use status::Status;

pub use error::{Blame, CodeEntry, Diagnostic, ErrorCode, ERROR_CODES};

pub use handshake::{
    accept_digest, accept_key, accept_key_unchecked, build_request, check_deflate_response,
    check_origin, classify_upgrade, decode_http2_settings, format_extensions, generate_key,
    key_from_nonce, negotiate_deflate, parse_extension_headers, parse_extensions,
    parse_offered_subprotocols, parse_request, parse_upgrade, parse_ws_url, problems, rejection,
    rejection_status, select_subprotocol, switching_protocols, validate_extended_connect,
    validate_key, validate_request, validate_subprotocol, Accepted, ClientMaxWindowBits,
    ClientOptions, ClientOutcome, ClientRequest, DeflateAgreement, DeflateConfig, DeflateOffer,
    DeflateParams, Extension, ExtensionParam, H2Outcome, Handoff, HandshakeError, Http2Setting,
    HttpResponse, KeyError, OriginPattern, OriginPolicy, Problem, Rejected, ServerOutcome,
    ServerPolicy, Side, UpgradeClassification, UpgradeKind, UpgradeProtocol, Verdict, WsUrl, GUID,
    PERMESSAGE_DEFLATE,
};

#[cfg(feature = "connection")]
pub use connection::{
    Config, Connection, Event, FixedMask, MaskSource, ProtocolError, RandomMask, State, UsageError,
    DEFAULT_DEFLATE_LEVEL, DEFAULT_DEFLATE_THRESHOLD, DEFAULT_MAX_MESSAGE_SIZE,
};

#[cfg(feature = "connection")]
pub use frame::{
    apply_mask, encode_any_frame, encode_frame, header_len, inspect_frames, inspect_frames_limited,
    mask_copy, CloseCode, CloseCodeClass, DecoderConfig, FrameDecoder, FrameError, FrameHeader,
    FrameListing, FramePiece, HeaderField, InspectedFrame, Opcode, Role, MAX_CONTROL_PAYLOAD,
    MAX_HEADER_LEN,
};

#[cfg(feature = "connection")]
pub use message::{
    encode_close_payload, parse_close_payload, validate_utf8, validate_utf8_with, MessageError,
    Payload, Utf8Check, Utf8Validator, MAX_CLOSE_REASON, UTF8_CHECK_MIN,
};

#[cfg(feature = "connection")]
pub use deflate::{DeflateError, Deflater, DirectionParams, InflateError, Inflater};

pub use http::{
    parse_request_head, parse_response_head, write_request_head, write_response, HeadLimits,
    Header, HeaderList, HttpError, HttpVersion, RequestHead, ResponseHead,
};

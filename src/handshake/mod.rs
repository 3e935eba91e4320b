//! The opening handshake (RFC 6455 §4).

pub mod accept_key;
pub mod client;
/// RFC 7692 negotiation lives with the rest of permessage-deflate; this path stays for callers.
pub use crate::deflate::negotiation as deflate;
pub mod error;
pub mod extensions;
pub(crate) mod fields;
pub mod h2;
pub mod handoff;
pub mod origin;
pub mod request;
pub mod response;
pub mod subprotocol;
pub mod upgrade;

pub use accept_key::{
    accept_digest, accept_key, accept_key_unchecked, generate_key, key_from_nonce, validate_key,
    KeyError, GUID,
};
pub use client::{build_request, parse_ws_url, ClientOptions, ClientOutcome, ClientRequest, WsUrl};
pub use deflate::{
    check_deflate_response, negotiate_deflate, ClientMaxWindowBits, DeflateAgreement,
    DeflateConfig, DeflateOffer, DeflateParams, PERMESSAGE_DEFLATE,
};
pub use error::{problems, HandshakeError, Problem, Side, Verdict};
pub use extensions::{
    format_extensions, parse_extension_headers, parse_extensions, Extension, ExtensionParam,
};
pub use h2::{validate_extended_connect, H2Outcome};
pub use handoff::Handoff;
pub use origin::{check_origin, OriginPattern, OriginPolicy};
pub use request::{
    parse_request, validate_request, Accepted, Rejected, ServerOutcome, ServerPolicy,
};
pub use response::{rejection, rejection_status, switching_protocols, HttpResponse};
pub use subprotocol::{parse_offered_subprotocols, select_subprotocol, validate_subprotocol};
pub use upgrade::{
    classify_upgrade, decode_http2_settings, parse_upgrade, Http2Setting, UpgradeClassification,
    UpgradeKind, UpgradeProtocol,
};

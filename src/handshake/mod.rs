//! The opening handshake (RFC 6455 §4).

pub mod accept_key;

pub use accept_key::{
    accept_digest, accept_key, accept_key_checked, generate_key, key_from_nonce, validate_key,
    KeyError, GUID,
};

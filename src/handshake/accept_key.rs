//! `Sec-WebSocket-Key` and `Sec-WebSocket-Accept` (RFC 6455 §4.1, §4.2.2).

use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest, Sha1};

use crate::error::{truncate_for_display, Diagnostic};

/// The GUID appended to the key before hashing (RFC 6455 §1.3, §4.2.2 step 5.4).
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Length of the nonce the key encodes: "a randomly selected 16-byte value" (RFC 6455 §4.1).
pub const NONCE_LEN: usize = 16;

/// Why a `Sec-WebSocket-Key` value is not a valid key (RFC 6455 §4.1 item 7, §4.2.1 item 5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Not base64 (RFC 4648 §4): `offset` is the first byte that is not.
    NotBase64 { value: String, offset: usize },
    /// Base64, but it decodes to `len` bytes instead of 16.
    BadLength { value: String, len: usize },
    /// The platform CSPRNG could not be read while generating a key.
    EntropyUnavailable,
}

impl Diagnostic for KeyError {
    fn code(&self) -> &'static str {
        match self {
            KeyError::NotBase64 { .. } => "bad-key-base64",
            KeyError::BadLength { .. } => "bad-key-length",
            KeyError::EntropyUnavailable => "entropy-unavailable",
        }
    }
    fn rfc(&self) -> &'static str {
        match self {
            KeyError::EntropyUnavailable => "RFC 6455 §4.1",
            _ => "RFC 6455 §4.2.1",
        }
    }
    fn explanation(&self) -> String {
        let text = match self {
            KeyError::NotBase64 { .. } => {
                "Sec-WebSocket-Key must be the base64 encoding (RFC 4648) of a 16-byte nonce; this value is not valid base64."
            }
            KeyError::BadLength { .. } => {
                "Sec-WebSocket-Key must decode to exactly 16 bytes (24 base64 characters ending in \"==\")."
            }
            KeyError::EntropyUnavailable => {
                "The platform's random number generator could not be read to make a key nonce."
            }
        };
        String::from(text)
    }
    fn header(&self) -> Option<&'static str> {
        match self {
            KeyError::EntropyUnavailable => None,
            _ => Some("Sec-WebSocket-Key"),
        }
    }
    fn value(&self) -> Option<String> {
        match self {
            KeyError::NotBase64 { value, .. } | KeyError::BadLength { value, .. } => {
                Some(truncate_for_display(value, 64))
            }
            KeyError::EntropyUnavailable => None,
        }
    }
    fn offset(&self) -> Option<u64> {
        match self {
            KeyError::NotBase64 { offset, .. } => Some(*offset as u64),
            _ => None,
        }
    }
    fn status(&self) -> Option<u16> {
        match self {
            KeyError::EntropyUnavailable => None,
            _ => Some(400),
        }
    }
}

/// The `Sec-WebSocket-Accept` value for a key as sent: base64(SHA-1(key ‖ GUID)) (RFC 6455 §4.2.2 5.4).
///
/// Computes over any string; use [`validate_key`] first where the key must be checked.
pub fn accept_key(key: &str) -> String {
    let mut sha1 = Sha1::new();
    sha1.update(key.as_bytes());
    sha1.update(GUID.as_bytes());
    STANDARD.encode(sha1.finalize())
}

/// The SHA-1 digest that [`accept_key`] encodes, for explaining the steps (RFC 6455 §4.2.2 5.4).
pub fn accept_digest(key: &str) -> [u8; 20] {
    let mut sha1 = Sha1::new();
    sha1.update(key.as_bytes());
    sha1.update(GUID.as_bytes());
    sha1.finalize().into()
}

/// Checks that a key is base64 of exactly 16 bytes and returns the nonce (RFC 6455 §4.2.1 item 5).
pub fn validate_key(key: &str) -> Result<[u8; NONCE_LEN], KeyError> {
    let bytes = key.as_bytes();
    if let Some(offset) = bytes.iter().position(|&b| !is_base64_byte(b)) {
        return Err(KeyError::NotBase64 {
            value: String::from(key),
            offset,
        });
    }
    let decoded: Vec<u8> = match STANDARD.decode(bytes) {
        Ok(decoded) => decoded,
        Err(base64::DecodeError::InvalidByte(offset, _))
        | Err(base64::DecodeError::InvalidLastSymbol(offset, _)) => {
            return Err(KeyError::NotBase64 {
                value: String::from(key),
                offset,
            })
        }
        Err(_) => {
            return Err(KeyError::NotBase64 {
                value: String::from(key),
                offset: key.len(),
            })
        }
    };
    <[u8; NONCE_LEN]>::try_from(decoded.as_slice()).map_err(|_| KeyError::BadLength {
        value: String::from(key),
        len: decoded.len(),
    })
}

/// [`validate_key`] then [`accept_key`]: the server's computation for a request's key.
pub fn accept_key_checked(key: &str) -> Result<String, KeyError> {
    validate_key(key)?;
    Ok(accept_key(key))
}

/// Encodes a 16-byte nonce as a `Sec-WebSocket-Key` value (RFC 6455 §4.1 item 7).
pub fn key_from_nonce(nonce: &[u8; NONCE_LEN]) -> String {
    STANDARD.encode(nonce)
}

/// A fresh client key: 16 bytes from the platform CSPRNG, base64-encoded (RFC 6455 §4.1 item 7).
///
/// On wasm32 the bytes come from `crypto.getRandomValues`.
pub fn generate_key() -> Result<String, KeyError> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| KeyError::EntropyUnavailable)?;
    Ok(key_from_nonce(&nonce))
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6455_section_1_3_example() {
        // RFC 6455 §1.3: "dGhlIHNhbXBsZSBub25jZQ==" -> "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_eq!(
            accept_key_checked("dGhlIHNhbXBsZSBub25jZQ==").unwrap(),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_eq!(
            &validate_key("dGhlIHNhbXBsZSBub25jZQ==").unwrap(),
            b"the sample nonce"
        );
    }

    #[test]
    fn rfc6455_section_4_2_2_digest() {
        // RFC 6455 §4.2.2: the SHA-1 of the concatenation, in hex.
        let digest = accept_digest("dGhlIHNhbXBsZSBub25jZQ==");
        let expected = [
            0xb3, 0x7a, 0x4f, 0x2c, 0xc0, 0x62, 0x4f, 0x16, 0x90, 0xf6, 0x46, 0x06, 0xcf, 0x38,
            0x59, 0x45, 0xb2, 0xbe, 0xc4, 0xea,
        ];
        assert_eq!(digest, expected);
    }

    #[test]
    fn rejects_keys_that_are_not_16_bytes() {
        let err = validate_key("dGhlIHNhbXBsZSBub25jZQ").unwrap_err();
        assert_eq!(err.code(), "bad-key-base64"); // missing padding is not canonical base64
        let err = validate_key("AAAAAAAAAAAAAAAAAAAAAA==AA").unwrap_err();
        assert_eq!(err.code(), "bad-key-base64");
        let err = validate_key("AAAAAAAAAAAAAAAAAAAA").unwrap_err();
        assert_eq!(err.code(), "bad-key-length");
        assert_eq!(err.status(), Some(400));
        let err = validate_key("").unwrap_err();
        assert_eq!(err.code(), "bad-key-length");
        let err = validate_key("dGhlIHNhbXBsZSBub25jZQ==!").unwrap_err();
        assert_eq!((err.code(), err.offset()), ("bad-key-base64", Some(24)));
        // 16 bytes, but with the unused low bits of the last symbol set: not canonical.
        assert_eq!(
            validate_key("dGhlIHNhbXBsZSBub25jZR==").unwrap_err().code(),
            "bad-key-base64"
        );
        let err = validate_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap_err();
        assert_eq!(err.code(), "bad-key-length");
        assert_eq!(err.header(), Some("Sec-WebSocket-Key"));
    }

    #[test]
    fn generated_keys_are_valid_and_differ() {
        let a = generate_key().unwrap();
        let b = generate_key().unwrap();
        assert_eq!(a.len(), 24);
        assert!(validate_key(&a).is_ok());
        assert_ne!(a, b);
    }

    #[test]
    fn key_from_nonce_round_trips() {
        assert_eq!(
            key_from_nonce(b"the sample nonce"),
            "dGhlIHNhbXBsZSBub25jZQ=="
        );
    }
}

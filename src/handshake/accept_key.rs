//! `Sec-WebSocket-Key` and `Sec-WebSocket-Accept` (RFC 6455 §4.1, §4.2.2).

use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest, Sha1};

use crate::error::{truncate_for_display, Diagnostic, ErrorCode};

/// The GUID appended to the key before hashing (RFC 6455 §1.3, §4.2.2 step 5.4).
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Length of the nonce the key encodes: "a randomly selected 16-byte value" (RFC 6455 §4.1).
pub const NONCE_LEN: usize = 16;

/// Why a `Sec-WebSocket-Key` value is not a valid key (RFC 6455 §4.1 item 7, §4.2.1 item 5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Not base64 (RFC 4648 §4): `offset` is the first byte that is not.
    NotBase64 {
        /// The offending value.
        value: String,
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: usize,
    },
    /// Base64, but it decodes to `len` bytes instead of 16.
    BadLength {
        /// The offending value.
        value: String,
        /// The length found, in bytes.
        len: usize,
    },
    /// The platform CSPRNG could not be read while generating a key.
    EntropyUnavailable,
}

impl Diagnostic for KeyError {
    fn error_code(&self) -> ErrorCode {
        match self {
            KeyError::NotBase64 { .. } => ErrorCode::BadKeyBase64,
            KeyError::BadLength { .. } => ErrorCode::BadKeyLength,
            KeyError::EntropyUnavailable => ErrorCode::EntropyUnavailable,
        }
    }
    #[cfg(not(feature = "explain"))]
    fn message(&self) -> String {
        crate::error::compact_message(self)
    }
    #[cfg(feature = "explain")]
    fn message(&self) -> String {
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
}

/// base64(SHA-1(key ‖ GUID)) for any string, without checking the key (RFC 6455 §4.2.2 5.4):
/// for a key already validated, and for teaching and testing. JS: `acceptKeyUnchecked`.
pub fn accept_key_unchecked(key: &str) -> String {
    let mut out = [0u8; ACCEPT_LEN];
    accept_key_into(key.as_bytes(), &mut out);
    // base64 is ASCII: one allocation of the right size
    core::str::from_utf8(&out)
        .map(String::from)
        .unwrap_or_default()
}

/// [`accept_key`] written into `out` as ASCII bytes, without allocating (for callers that keep
/// one buffer, such as the wasm binding's fast path). A 24-byte key (every valid key) takes a
/// SHA-1 specialised for `key ‖ GUID` (60 bytes: two padded blocks, the second constant,
/// straight into the compression function); other lengths take the `sha1` crate's hasher. Both give the same digest (tested below).
pub fn accept_key_into(key: &[u8], out: &mut [u8; ACCEPT_LEN]) {
    let digest: [u8; 20] = match <&[u8; KEY_LEN]>::try_from(key) {
        Ok(key) => accept_digest_24(key),
        Err(_) => {
            let mut sha1 = Sha1::new();
            sha1.update(key);
            sha1.update(GUID.as_bytes());
            sha1.finalize().into()
        }
    };
    // base64 (RFC 4648 §4) of 20 bytes: six full groups, then two bytes and one `=`.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextet = |v: u32| ALPHABET[(v & 63) as usize];
    for (group, o) in digest.chunks(3).zip(out.chunks_exact_mut(4)) {
        let b = |i: usize| group.get(i).copied().map_or(0, u32::from);
        let v = b(0) << 16 | b(1) << 8 | b(2);
        o[0] = sextet(v >> 18);
        o[1] = sextet(v >> 12);
        o[2] = sextet(v >> 6);
        o[3] = if group.len() == 3 { sextet(v) } else { b'=' };
    }
}

/// Whether `key` is a valid `Sec-WebSocket-Key` in the only spelling [`validate_key`] accepts
/// for 16 bytes: 22 base64 characters (the last one with its low 4 bits zero, RFC 4648 §3.5
/// canonical) and `==`. False means "ask [`validate_key`]", which explains.
pub fn is_canonical_key(key: &[u8]) -> bool {
    let Ok(key) = <&[u8; KEY_LEN]>::try_from(key) else {
        return false;
    };
    let value = |b: u8| -> Option<u8> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    key[..21].iter().all(|&b| value(b).is_some())
        && matches!(value(key[21]), Some(v) if v & 0x0f == 0)
        && key[22] == b'='
        && key[23] == b'='
}

/// Length of every valid key: base64 of 16 bytes with padding.
pub const KEY_LEN: usize = 24;

const SHA1_INIT: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

/// The two padded 64-byte blocks of `key ‖ GUID` for a 24-byte key (FIPS 180-4 §5.1.1): the
/// first holds the key, the GUID and the 0x80 byte; the second zeros and the bit length (480).
const BLOCKS: [[u8; 64]; 2] = {
    let g = GUID.as_bytes();
    let mut blocks = [[0u8; 64]; 2];
    let mut i = 0;
    while i < g.len() {
        blocks[0][KEY_LEN + i] = g[i];
        i += 1;
    }
    blocks[0][KEY_LEN + 36] = 0x80;
    let bits = ((KEY_LEN + 36) * 8) as u16;
    blocks[1][62] = (bits >> 8) as u8;
    blocks[1][63] = bits as u8;
    blocks
};

/// SHA-1(key ‖ GUID) for a 24-byte key: the two blocks through the `sha1` crate's compression
/// function (built at opt-level 3 in release, see Cargo.toml), without its buffering.
fn accept_digest_24(key: &[u8; KEY_LEN]) -> [u8; 20] {
    let mut blocks = BLOCKS;
    blocks[0][..KEY_LEN].copy_from_slice(key);
    let mut state = SHA1_INIT;
    sha1::compress(&mut state, &[blocks[0].into(), blocks[1].into()]);
    let mut out = [0u8; 20];
    for (o, s) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&s.to_be_bytes());
    }
    out
}

/// Length of a `Sec-WebSocket-Accept` value: base64 of a 20-byte SHA-1 digest.
pub const ACCEPT_LEN: usize = 28;

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

/// The `Sec-WebSocket-Accept` value for a client's `Sec-WebSocket-Key` (RFC 6455 §4.2.2 5.4):
/// [`validate_key`], then base64(SHA-1(key ‖ GUID)). A [`KeyError`] unless the key is base64
/// of 16 bytes. JS: `acceptKey`, the same function.
///
/// ```
/// assert_eq!(ws101::accept_key("dGhlIHNhbXBsZSBub25jZQ==").unwrap(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// assert_eq!(ws101::accept_key("c2hvcnQ=").unwrap_err().code(), "bad-key-length"); // 5 bytes
/// # use ws101::Diagnostic as _;
/// ```
pub fn accept_key(key: &str) -> Result<String, KeyError> {
    validate_key(key)?;
    Ok(accept_key_unchecked(key))
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

crate::error::diagnostic_display!(KeyError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specialised_sha1_matches_the_crate() {
        let mut seed = 0x1234_5678u32;
        for n in 0..2000u32 {
            let mut nonce = [0u8; NONCE_LEN];
            for b in &mut nonce {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                *b = (seed >> 24) as u8;
            }
            let key = key_from_nonce(&nonce);
            let mut out = [0u8; ACCEPT_LEN];
            accept_key_into(key.as_bytes(), &mut out);
            assert_eq!(
                core::str::from_utf8(&out).unwrap(),
                accept_key_unchecked(&key),
                "key {n}"
            );
            assert!(is_canonical_key(key.as_bytes()));
            assert!(validate_key(&key).is_ok());
        }
        // Other lengths take the crate's path.
        let mut out = [0u8; ACCEPT_LEN];
        accept_key_into(b"short", &mut out);
        assert_eq!(
            core::str::from_utf8(&out).unwrap(),
            accept_key_unchecked("short")
        );
    }

    #[test]
    fn canonical_key_check_never_accepts_what_validate_key_refuses() {
        let alphabet = b"ABCZaz09+/=-_ .\x00";
        let base = *b"dGhlIHNhbXBsZSBub25jZQ==";
        for i in 0..base.len() {
            for &c in alphabet.iter().chain(b"AQgw") {
                let mut k = base;
                k[i] = c;
                if let Ok(text) = core::str::from_utf8(&k) {
                    if is_canonical_key(&k) {
                        assert!(validate_key(text).is_ok(), "{text}");
                    }
                }
            }
        }
        for k in [
            "",
            "dGhlIHNhbXBsZSBub25jZQ",
            "dGhlIHNhbXBsZSBub25jZR==",
            "dGhlIHNhbXBsZSBub25jZQ===",
        ] {
            assert!(!is_canonical_key(k.as_bytes()), "{k}");
        }
        assert!(is_canonical_key(b"dGhlIHNhbXBsZSBub25jZQ=="));
    }

    #[test]
    fn rfc6455_section_1_3_example() {
        // RFC 6455 §1.3: "dGhlIHNhbXBsZSBub25jZQ==" -> "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        assert_eq!(
            accept_key_unchecked("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ==").unwrap(),
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

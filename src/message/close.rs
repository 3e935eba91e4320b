//! The Close frame body (RFC 6455 §5.5.1): an optional 2-byte status code then a UTF-8 reason.

use alloc::vec::Vec;

use super::error::MessageError;
use super::utf8::validate_utf8;
use crate::frame::{CloseCode, MAX_CONTROL_PAYLOAD};

/// Longest reason that fits a control frame beside the 2-byte code (RFC 6455 §5.5, §5.5.1).
pub const MAX_CLOSE_REASON: usize = MAX_CONTROL_PAYLOAD - 2;

/// Parses a received Close payload (RFC 6455 §5.5.1) into its code and reason.
///
/// Empty → `(None, "")`; one byte → [`MessageError::BadClosePayload`]; a code not valid on
/// the wire (RFC 6455 §7.4) → [`MessageError::InvalidCloseCode`]; a reason that is not UTF-8 →
/// [`MessageError::InvalidCloseReason`] (close 1007). `offset` is the payload's stream offset.
pub fn parse_close_payload(
    payload: &[u8],
    offset: u64,
) -> Result<(Option<u16>, &str), MessageError> {
    match payload {
        [] => Ok((None, "")),
        [_] => Err(MessageError::BadClosePayload { offset }),
        [hi, lo, reason @ ..] => {
            let code = u16::from_be_bytes([*hi, *lo]);
            if !CloseCode(code).is_valid_on_wire() {
                return Err(MessageError::InvalidCloseCode { offset, code });
            }
            match validate_utf8(reason) {
                // The bytes were just validated; `from_utf8` cannot fail here.
                Ok(()) => match core::str::from_utf8(reason) {
                    Ok(text) => Ok((Some(code), text)),
                    Err(_) => Err(MessageError::InvalidCloseReason { offset }),
                },
                Err(at) => Err(MessageError::InvalidCloseReason {
                    offset: offset.saturating_add(2 + at as u64),
                }),
            }
        }
    }
}

/// Appends a Close payload (RFC 6455 §5.5.1): nothing when `code` is `None`, else the code in
/// network byte order and the reason. The caller checks the code and the 123-byte reason limit.
pub fn encode_close_payload(code: Option<u16>, reason: &str, out: &mut Vec<u8>) {
    if let Some(code) = code {
        out.extend_from_slice(&code.to_be_bytes());
        out.extend_from_slice(reason.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(parse_close_payload(&[], 0), Ok((None, "")));
        assert_eq!(parse_close_payload(&[0x03, 0xE8], 0), Ok((Some(1000), "")));
        assert_eq!(
            parse_close_payload(b"\x0f\xa0bye", 0),
            Ok((Some(4000), "bye"))
        );
        assert_eq!(
            parse_close_payload(&[0x03], 9),
            Err(MessageError::BadClosePayload { offset: 9 })
        );
        assert_eq!(
            parse_close_payload(&[0x03, 0xED], 0),
            Err(MessageError::InvalidCloseCode {
                offset: 0,
                code: 1005
            })
        );
        assert_eq!(
            parse_close_payload(b"\x03\xe8ok\xff", 10),
            Err(MessageError::InvalidCloseReason { offset: 14 })
        );
        let mut out = vec![];
        encode_close_payload(Some(1001), "away", &mut out);
        assert_eq!(out, b"\x03\xe9away");
    }
}

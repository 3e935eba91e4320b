//! Serialising an HTTP/1.1 head (RFC 9112 §3, §4, §5): start line, header lines, empty line.
//!
//! Every name must be a token and every value free of CR, LF, NUL and other controls, so a value
//! can never inject a header line or end the head early (RFC 9110 §5.5, RFC 9112 §5).

use alloc::string::String;
use alloc::vec::Vec;

use super::error::HttpError;
use super::headers::{field_value_error_offset, is_valid_field_name, HeaderList};
use super::token::is_token;

/// Checks one header line before it is written (RFC 9110 §5.1, §5.5).
pub fn check_field(name: &str, value: &str) -> Result<(), HttpError> {
    if !is_valid_field_name(name) {
        return Err(HttpError::InvalidHeaderName {
            name: String::from(name),
        });
    }
    check_field_value(name, value)
}

/// Checks a header value before it is written under `name` (RFC 9110 §5.5): for callers whose
/// names are fixed tokens.
pub(crate) fn check_field_value(name: &str, value: &str) -> Result<(), HttpError> {
    if let Some(offset) = field_value_error_offset(value) {
        return Err(HttpError::IllegalHeaderByte {
            name: String::from(name),
            value: String::from(value),
            offset,
        });
    }
    Ok(())
}

/// The lines of `headers` as `(name, value)` pairs.
fn lines(headers: &HeaderList) -> impl Iterator<Item = (&str, &str)> {
    headers.iter().map(|h| (h.name.as_str(), h.value.as_str()))
}

fn write_fields<'n, 'v>(
    out: &mut Vec<u8>,
    fields: impl Iterator<Item = (&'n str, &'v str)>,
) -> Result<(), HttpError> {
    for (name, value) in fields {
        check_field(name, value)?;
        write_field(out, name, value);
    }
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// Appends `name: value CRLF`, already checked.
pub(crate) fn write_field(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Writes `method SP request-target SP HTTP/1.1 CRLF`, the headers and the empty line
/// (RFC 9112 §3).
pub fn write_request_head(
    method: &str,
    target: &str,
    headers: &HeaderList,
) -> Result<Vec<u8>, HttpError> {
    if !is_token(method) {
        return Err(HttpError::Malformed {
            what: "method",
            offset: None,
        });
    }
    if target.is_empty() || target.bytes().any(|b| b <= b' ' || b == 0x7F) {
        return Err(HttpError::Malformed {
            what: "request-target",
            offset: None,
        });
    }
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    write_fields(&mut out, lines(headers))?;
    Ok(out)
}

/// Writes `HTTP/1.1 SP status SP reason CRLF`, the headers, the empty line and then `body`
/// (RFC 9112 §4, §6).
pub fn write_response(
    status: u16,
    reason: &str,
    headers: &HeaderList,
    body: &[u8],
) -> Result<Vec<u8>, HttpError> {
    let mut out = Vec::with_capacity(256 + body.len());
    write_response_into(&mut out, status, reason, lines(headers), body)?;
    Ok(out)
}

/// [`write_response`] with the header lines as `(name, value)` pairs, appended to `out` (for
/// callers that reuse one buffer). On an error `out` may hold part of the head.
pub fn write_response_into<'n, 'v>(
    out: &mut Vec<u8>,
    status: u16,
    reason: &str,
    fields: impl Iterator<Item = (&'n str, &'v str)>,
    body: &[u8],
) -> Result<(), HttpError> {
    if !(100..=999).contains(&status) {
        return Err(HttpError::Malformed {
            what: "status code",
            offset: None,
        });
    }
    if let Some(offset) = reason
        .bytes()
        .position(|b| b < b' ' && b != b'\t' || b == 0x7F)
    {
        return Err(HttpError::Malformed {
            what: "reason phrase",
            offset: Some(offset),
        });
    }
    out.extend_from_slice(b"HTTP/1.1 ");
    // 100..=999: three digits, written without core::fmt.
    out.extend_from_slice(&[
        b'0' + (status / 100) as u8,
        b'0' + (status / 10 % 10) as u8,
        b'0' + (status % 10) as u8,
    ]);
    out.push(b' ');
    out.extend_from_slice(reason.as_bytes());
    out.extend_from_slice(b"\r\n");
    write_fields(out, fields)?;
    out.extend_from_slice(body);
    Ok(())
}

/// The reason phrase this crate sends for a status code (RFC 9110 §15, RFC 6585 §5).
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Diagnostic;

    #[test]
    fn writes_and_refuses_injection() {
        let h = HeaderList::from_pairs([("Upgrade", "websocket")]);
        let out = write_response(101, "Switching Protocols", &h, b"").unwrap();
        assert_eq!(
            out,
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
        );
        let bad = HeaderList::from_pairs([("X", "a\r\nSet-Cookie: x")]);
        assert_eq!(
            write_response(200, "OK", &bad, b"").unwrap_err().code(),
            "illegal-header-byte"
        );
        let bad = HeaderList::from_pairs([("X\n", "a")]);
        assert_eq!(
            write_request_head("GET", "/", &bad).unwrap_err().code(),
            "invalid-header-name"
        );
        assert!(write_request_head("GET", "/a b", &HeaderList::new()).is_err());
        assert!(write_response(200, "O\rK", &HeaderList::new(), b"").is_err());
    }
}

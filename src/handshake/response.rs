//! The server's answer: `101 Switching Protocols` or a rejection (RFC 6455 §4.2.2).

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Diagnostic;
use crate::http::writer::{check_field_value, write_field};
use crate::http::{reason_phrase, write_response, HeaderList, HttpError};

use super::error::HandshakeError;

/// A complete HTTP/1.1 response: status line and headers as data, and the same as bytes ready to
/// write (RFC 9112 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Reason phrase.
    pub reason: String,
    /// Header lines in order.
    pub headers: HeaderList,
    /// Body text (empty for 101).
    pub body: String,
    /// The whole response on the wire.
    pub bytes: Vec<u8>,
}

fn finish(status: u16, headers: HeaderList, body: String) -> HttpResponse {
    let reason = String::from(reason_phrase(status));
    // Every value here is built by this crate from checked tokens, so writing cannot fail; an
    // error would leave `bytes` empty rather than panic.
    let bytes = write_response(status, &reason, &headers, body.as_bytes()).unwrap_or_default();
    HttpResponse {
        status,
        reason,
        headers,
        body,
        bytes,
    }
}

/// The header lines of a `101 Switching Protocols`: `Upgrade`, `Connection`,
/// `Sec-WebSocket-Accept` and, when negotiated, `Sec-WebSocket-Protocol` and
/// `Sec-WebSocket-Extensions` (RFC 6455 §4.2.2 step 5), in that order.
pub fn switching_protocols_fields<'a>(
    accept: &'a str,
    protocol: Option<&'a str>,
    extensions: Option<&'a str>,
) -> impl Iterator<Item = (&'static str, &'a str)> + Clone {
    [
        ("Upgrade", Some("websocket")),
        ("Connection", Some("Upgrade")),
        ("Sec-WebSocket-Accept", Some(accept)),
        ("Sec-WebSocket-Protocol", protocol),
        ("Sec-WebSocket-Extensions", extensions),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value?)))
}

/// `101 Switching Protocols` with the [`switching_protocols_fields`] (RFC 6455 §4.2.2 step 5).
pub fn switching_protocols(
    accept: &str,
    protocol: Option<&str>,
    extensions: Option<&str>,
) -> HttpResponse {
    let mut headers = HeaderList::with_capacity(5);
    for (name, value) in switching_protocols_fields(accept, protocol, extensions) {
        headers.push(name, value);
    }
    finish(101, headers, String::new())
}

/// The bytes of [`switching_protocols`]'s response appended to `out`, without building its
/// header list (for callers that answer many requests from one buffer). The same bytes as
/// `write_response_into` with the [`switching_protocols_fields`], but the fixed status line and
/// fields go out as one slice and only the three values are checked (RFC 9110 §5.5): a fifth
/// of the cost of the fast `validateRequest` answer was the generic writer re-checking them.
pub fn write_switching_protocols(
    out: &mut Vec<u8>,
    accept: &str,
    protocol: Option<&str>,
    extensions: Option<&str>,
) -> Result<(), HttpError> {
    // The status line and the two fixed fields (`Upgrade`, `Connection`: the first two of
    // switching_protocols_fields) as one slice; the rest are the caller's values.
    const HEAD: &[u8] =
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    let values = switching_protocols_fields(accept, protocol, extensions).skip(2);
    let mut len = HEAD.len() + 2;
    for (name, value) in values.clone() {
        check_field_value(name, value)?;
        len += name.len() + value.len() + 4;
    }
    out.reserve(len);
    out.extend_from_slice(HEAD);
    for (name, value) in values {
        write_field(out, name, value);
    }
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// The status a rejection uses for a set of problems: 431 (head too large) before 400
/// (malformed) before 426 (version, retryable) before 403 (policy) (RFC 6455 §4.2.2, §4.4,
/// RFC 6585 §5).
pub fn rejection_status(errors: &[HandshakeError]) -> u16 {
    let statuses: Vec<u16> = errors.iter().filter_map(|e| e.status()).collect();
    [431, 400, 426, 403]
        .into_iter()
        .find(|s| statuses.contains(s))
        .or_else(|| statuses.first().copied())
        .unwrap_or(400)
}

/// A rejection naming every problem in a short text body, with `Connection: close`, and
/// `Sec-WebSocket-Version: 13` whenever the version was the issue (RFC 6455 §4.2.2, §4.4).
pub fn rejection(errors: &[HandshakeError]) -> HttpResponse {
    rejection_with_status(rejection_status(errors), errors)
}

/// The text body of a rejection: the status line's words, then one line per problem with its
/// code, RFC section and sentence (HTTP/1.1 and HTTP/2 alike).
pub fn rejection_body(status: u16, errors: &[HandshakeError]) -> String {
    let mut body = alloc::format!("{status} {}\n", reason_phrase(status));
    for e in errors {
        // Without `explain` (ws101/handshake) the message is already "code: header, RFC §.".
        #[cfg(not(feature = "explain"))]
        body.push_str(&e.message());
        #[cfg(feature = "explain")]
        body.push_str(&alloc::format!(
            "{} ({}): {}",
            e.code(),
            e.rfc(),
            e.message()
        ));
        body.push('\n');
    }
    body
}

/// Whether a rejection must tell the client which version to use: `Sec-WebSocket-Version: 13`
/// (RFC 6455 §4.2.2, §4.4).
pub fn names_the_version(errors: &[HandshakeError]) -> bool {
    errors.iter().any(|e| {
        matches!(
            e,
            HandshakeError::UnsupportedVersion { .. } | HandshakeError::MissingVersion
        )
    })
}

/// [`rejection`] with an explicit status.
pub fn rejection_with_status(status: u16, errors: &[HandshakeError]) -> HttpResponse {
    let body = rejection_body(status, errors);
    let mut headers = HeaderList::new();
    headers.push("Content-Type", "text/plain; charset=utf-8");
    if status == 426 {
        // RFC 9110 §15.5.22 / §7.8: a 426 MUST send Upgrade, and a sender of Upgrade MUST list
        // the "upgrade" connection option.
        headers.push("Upgrade", "websocket");
        headers.push("Connection", "Upgrade, close");
    } else {
        headers.push("Connection", "close");
    }
    if names_the_version(errors) {
        headers.push("Sec-WebSocket-Version", "13");
    }
    headers.push("Content-Length", &alloc::format!("{}", body.len()));
    finish(status, headers, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6455_section_1_3_response() {
        let r = switching_protocols("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Some("chat"), None);
        assert_eq!(
            r.bytes,
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
        );
        let mut out = b"kept".to_vec();
        write_switching_protocols(&mut out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Some("chat"), None)
            .unwrap();
        assert_eq!(&out[..4], b"kept");
        assert_eq!(out[4..], r.bytes[..]);
        let e = switching_protocols("k", None, Some("permessage-deflate"));
        let names: Vec<&str> = e.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Upgrade",
                "Connection",
                "Sec-WebSocket-Accept",
                "Sec-WebSocket-Extensions"
            ]
        );
    }

    #[test]
    fn the_direct_101_writer_matches_the_generic_writer() {
        // write_switching_protocols skips the generic writer: the same bytes for every shape of
        // answer, and the same error for a value with a forbidden byte (RFC 9110 §5.5).
        let accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
        let options = [
            None,
            Some("chat"),
            Some(""),
            Some("a\tb"),
            Some("bad\r\nX: y"),
        ];
        let extensions = [
            None,
            Some("permessage-deflate; client_max_window_bits=10"),
            Some("x\0"),
        ];
        for a in [accept, "", "bad\n"] {
            for p in options {
                for e in extensions {
                    let mut generic = b"kept".to_vec();
                    let want = crate::http::write_response_into(
                        &mut generic,
                        101,
                        reason_phrase(101),
                        switching_protocols_fields(a, p, e),
                        b"",
                    );
                    let mut direct = b"kept".to_vec();
                    let got = write_switching_protocols(&mut direct, a, p, e);
                    assert_eq!(got, want, "{a:?} {p:?} {e:?}");
                    if got.is_ok() {
                        assert_eq!(direct, generic, "{a:?} {p:?} {e:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn rejections() {
        let r = rejection(&[
            HandshakeError::UnsupportedVersion { value: "8".into() },
            HandshakeError::OriginNotAllowed { origin: "x".into() },
        ]);
        assert_eq!(r.status, 426);
        assert_eq!(r.headers.get("Sec-WebSocket-Version"), Some("13"));
        assert_eq!(
            r.headers.get("Content-Length"),
            Some(alloc::format!("{}", r.body.len()).as_str())
        );
        assert!(r.body.contains("unsupported-version"));
        assert!(r.bytes.ends_with(r.body.as_bytes()));
        let r = rejection(&[
            HandshakeError::MissingKey,
            HandshakeError::UnsupportedVersion { value: "8".into() },
        ]);
        assert_eq!(r.status, 400);
    }
}

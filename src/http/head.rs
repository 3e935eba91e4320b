//! Reading a raw HTTP/1.1 request or response head with `httparse` (RFC 9112 §2–§5).
//!
//! Tri-state: `Ok(Status::Partial)` means "incomplete, feed more bytes" and consumes nothing;
//! `Ok(Status::Complete((head, used)))` reports the bytes the head used, so whatever follows
//! (WebSocket frames sent right after the handshake) stays with the caller; `Err` means invalid.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use super::error::HttpError;
use super::headers::{field_value_error_offset, is_valid_field_name, HeaderList};

pub use crate::status::Status;

/// Limits on a head read from the network (RFC 9112 §2.3 leaves them to the implementation;
/// RFC 6585 §5 defines the 431 answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub struct HeadLimits {
    /// Maximum bytes of the head including the final empty line. Default 16 KiB.
    pub max_head_bytes: usize,
    /// Maximum number of header lines. Default 64.
    pub max_headers: usize,
}

impl Default for HeadLimits {
    fn default() -> Self {
        Self {
            max_head_bytes: 16 * 1024,
            max_headers: 64,
        }
    }
}

/// An HTTP version from the start line (RFC 9110 §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
pub struct HttpVersion {
    /// Major version (1 for HTTP/1.x).
    pub major: u8,
    /// Minor version.
    pub minor: u8,
}

impl HttpVersion {
    /// HTTP/1.0.
    pub const HTTP_10: HttpVersion = HttpVersion { major: 1, minor: 0 };
    /// HTTP/1.1, the minimum for a WebSocket upgrade (RFC 6455 §4.1 item 2).
    pub const HTTP_11: HttpVersion = HttpVersion { major: 1, minor: 1 };

    /// Parses `HTTP/x.y` or `HTTP/x` (RFC 9110 §2.5); `None` when malformed.
    pub fn parse(s: &str) -> Option<Self> {
        let rest = s.strip_prefix("HTTP/")?;
        let mut parts = rest.splitn(2, '.');
        let major = single_digit(parts.next()?)?;
        let minor = match parts.next() {
            Some(m) => single_digit(m)?,
            None => 0,
        };
        Some(HttpVersion { major, minor })
    }
}

fn single_digit(s: &str) -> Option<u8> {
    match s.as_bytes() {
        [d @ b'0'..=b'9'] => Some(d - b'0'),
        _ => None,
    }
}

impl fmt::Display for HttpVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP/{}.{}", self.major, self.minor)
    }
}

/// A parsed request head: request line and header fields (RFC 9112 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub struct RequestHead {
    /// The method token, case-sensitive (RFC 9110 §9.1).
    pub method: String,
    /// The request-target as sent (RFC 9112 §3.2).
    pub target: String,
    /// The protocol version.
    pub version: HttpVersion,
    /// Header lines in order.
    pub headers: HeaderList,
}

/// A parsed response head: status line and header fields (RFC 9112 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub struct ResponseHead {
    /// The protocol version.
    pub version: HttpVersion,
    /// The three-digit status code (RFC 9110 §15).
    pub status: u16,
    /// The reason phrase, informational only (RFC 9112 §4).
    pub reason: String,
    /// Header lines in order.
    pub headers: HeaderList,
}

/// Reads a request head (RFC 9112 §3). See the module docs for the tri-state contract.
pub fn parse_request_head(
    buf: &[u8],
    limits: &HeadLimits,
) -> Result<Status<(RequestHead, usize)>, HttpError> {
    let window = bounded(buf, limits);
    let mut slots = header_slots(window, limits);
    let mut req = httparse::Request::new(&mut slots);
    match req.parse(window) {
        Ok(httparse::Status::Complete(used)) => {
            let head = RequestHead {
                method: String::from(req.method.unwrap_or("")),
                target: String::from(req.path.unwrap_or("")),
                version: HttpVersion {
                    major: 1,
                    minor: req.version.unwrap_or(0),
                },
                headers: collect_headers(req.headers),
            };
            Ok(Status::Complete((head, used)))
        }
        Ok(httparse::Status::Partial) => partial(buf, limits),
        Err(e) => Err(map_error(e, window, limits)),
    }
}

/// Reads a response head (RFC 9112 §4). See the module docs for the tri-state contract.
pub fn parse_response_head(
    buf: &[u8],
    limits: &HeadLimits,
) -> Result<Status<(ResponseHead, usize)>, HttpError> {
    let window = bounded(buf, limits);
    let mut slots = header_slots(window, limits);
    let mut res = httparse::Response::new(&mut slots);
    match res.parse(window) {
        Ok(httparse::Status::Complete(used)) => {
            let head = ResponseHead {
                version: HttpVersion {
                    major: 1,
                    minor: res.version.unwrap_or(0),
                },
                status: res.code.unwrap_or(0),
                reason: String::from(res.reason.unwrap_or("")),
                headers: collect_headers(res.headers),
            };
            Ok(Status::Complete((head, used)))
        }
        Ok(httparse::Status::Partial) => partial(buf, limits),
        Err(e) => Err(map_error(e, window, limits)),
    }
}

/// Header slots for parsing `window`: `max_headers`, but never more than the window can hold
/// (a header line takes at least 2 bytes), so a huge configured limit allocates nothing extra
/// (`usize::MAX` used to overflow the allocation and panic).
fn header_slots<'a>(window: &[u8], limits: &HeadLimits) -> Vec<httparse::Header<'a>> {
    let fit = window.len() / 2 + 1;
    vec![httparse::EMPTY_HEADER; limits.max_headers.min(fit)]
}

fn bounded<'a>(buf: &'a [u8], limits: &HeadLimits) -> &'a [u8] {
    buf.get(..limits.max_head_bytes).unwrap_or(buf)
}

fn partial<T>(buf: &[u8], limits: &HeadLimits) -> Result<Status<T>, HttpError> {
    if buf.len() > limits.max_head_bytes {
        Err(HttpError::HeadTooLarge {
            len: buf.len(),
            max: limits.max_head_bytes,
        })
    } else {
        Ok(Status::Partial)
    }
}

fn collect_headers(raw: &[httparse::Header<'_>]) -> HeaderList {
    let mut list = HeaderList::new();
    for h in raw.iter().take_while(|h| !h.name.is_empty()) {
        // obs-text is legal but opaque (RFC 9110 §5.5); it is shown lossily.
        list.push(h.name, &String::from_utf8_lossy(h.value));
    }
    list
}

fn map_error(e: httparse::Error, buf: &[u8], limits: &HeadLimits) -> HttpError {
    match e {
        httparse::Error::TooManyHeaders => HttpError::TooManyHeaders {
            max: limits.max_headers,
        },
        httparse::Error::HeaderName | httparse::Error::HeaderValue | httparse::Error::NewLine => {
            locate_header_fault(buf).unwrap_or(HttpError::Malformed {
                what: match e {
                    httparse::Error::HeaderName => "header name",
                    httparse::Error::HeaderValue => "header value",
                    _ => "line ending",
                },
                offset: None,
            })
        }
        httparse::Error::Version => HttpError::Malformed {
            what: "HTTP version",
            offset: None,
        },
        httparse::Error::Status => HttpError::Malformed {
            what: "status code",
            offset: None,
        },
        httparse::Error::Token => HttpError::Malformed {
            what: "method or request-target",
            offset: None,
        },
    }
}

/// Finds the first header line whose name is not a token or whose value holds a forbidden byte,
/// to name it in the diagnostic.
fn locate_header_fault(buf: &[u8]) -> Option<HttpError> {
    let mut pos = buf.iter().position(|&b| b == b'\n')? + 1;
    while pos < buf.len() {
        let rest = buf.get(pos..)?;
        let line_len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let mut line = rest.get(..line_len)?;
        if let Some(stripped) = line.strip_suffix(b"\r") {
            line = stripped;
        }
        if line.is_empty() {
            return None;
        }
        let text = String::from_utf8_lossy(line);
        match text.split_once(':') {
            Some((name, value)) => {
                if !is_valid_field_name(name) {
                    return Some(HttpError::InvalidHeaderName {
                        name: String::from(name),
                    });
                }
                let trimmed = value.trim_start_matches([' ', '\t']);
                let lead = value.len() - trimmed.len();
                if let Some(off) = field_value_error_offset(trimmed) {
                    return Some(HttpError::IllegalHeaderByte {
                        name: String::from(name),
                        value: String::from(trimmed),
                        offset: pos + name.len() + 1 + lead + off,
                    });
                }
            }
            None => {
                return Some(HttpError::InvalidHeaderName {
                    name: text.into_owned(),
                })
            }
        }
        pos += line_len + 1;
    }
    None
}

/// Whether a head body-framing header is present, which a GET upgrade must not carry
/// (RFC 9112 §6.3): returns the names found. Used by the explainer.
pub fn framing_headers(headers: &HeaderList) -> Vec<&'static str> {
    let mut out = Vec::new();
    if headers.contains("Content-Length") {
        out.push("Content-Length");
    }
    if headers.contains("Transfer-Encoding") {
        out.push("Transfer-Encoding");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Diagnostic;

    const REQ: &[u8] = b"GET /chat HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n";

    #[test]
    fn request_complete_and_partial() {
        let limits = HeadLimits::default();
        let (head, used) = parse_request_head(REQ, &limits)
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(used, REQ.len());
        assert_eq!(head.method, "GET");
        assert_eq!(head.version, HttpVersion::HTTP_11);
        assert_eq!(head.headers.get("x"), Some("y"));
        for cut in 0..REQ.len() {
            assert!(
                parse_request_head(&REQ[..cut], &limits)
                    .unwrap()
                    .is_partial(),
                "cut {cut}"
            );
        }
        let mut with_frame = REQ.to_vec();
        with_frame.extend_from_slice(&[0x81, 0x00]);
        let (_, used) = parse_request_head(&with_frame, &limits)
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(used, REQ.len());
    }

    #[test]
    fn limits() {
        let limits = HeadLimits {
            max_head_bytes: 20,
            max_headers: 1,
        };
        assert_eq!(
            parse_request_head(REQ, &limits).unwrap_err().code(),
            "head-too-large"
        );
        let limits = HeadLimits {
            max_head_bytes: 1000,
            max_headers: 1,
        };
        let err = parse_request_head(REQ, &limits).unwrap_err();
        assert_eq!((err.code(), err.status()), ("too-many-headers", Some(431)));
    }

    #[test]
    fn huge_header_limit_does_not_allocate_it() {
        // Regression: `max_headers: usize::MAX` (from JS, 2^32 - 1 on wasm32) panicked allocating
        // that many slots up front; the slots are now bounded by the head's size.
        let limits = HeadLimits {
            max_head_bytes: usize::MAX,
            max_headers: usize::MAX,
        };
        let (head, _) = parse_request_head(REQ, &limits)
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(head.headers.get("x"), Some("y"));
        assert!(parse_request_head(b"", &limits).unwrap().is_partial());
        let res = b"HTTP/1.1 101 OK\r\nA: b\r\n\r\n";
        assert!(parse_response_head(res, &limits)
            .unwrap()
            .complete()
            .is_some());
        let many: String = (0..5000).map(|i| format!("h{i}:\n")).collect();
        let raw = format!("GET / HTTP/1.1\n{many}\n");
        let limits = HeadLimits {
            max_head_bytes: usize::MAX,
            max_headers: usize::MAX,
        };
        let (head, _) = parse_request_head(raw.as_bytes(), &limits)
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(head.headers.len(), 5000);
    }

    #[test]
    fn illegal_bytes_are_located() {
        let raw = b"GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\rb\r\n\r\n";
        let err = parse_request_head(raw, &HeadLimits::default()).unwrap_err();
        assert_eq!(err.code(), "illegal-header-byte");
        assert_eq!(err.offset(), Some(33));
        let raw = b"GET / HTTP/1.1\r\nHo st: a\r\n\r\n";
        let err = parse_request_head(raw, &HeadLimits::default()).unwrap_err();
        assert_eq!(err.code(), "invalid-header-name");
    }

    #[test]
    fn response() {
        let raw = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nrest";
        let (head, used) = parse_response_head(raw, &HeadLimits::default())
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!((head.status, used), (101, raw.len() - 4));
        assert_eq!(
            HttpVersion::parse("HTTP/2"),
            Some(HttpVersion { major: 2, minor: 0 })
        );
        assert_eq!(HttpVersion::parse("HTTP/1.1"), Some(HttpVersion::HTTP_11));
        assert_eq!(HttpVersion::parse("HTTP/11"), None);
    }
}

//! WebSockets over HTTP/2 and HTTP/3: the extended CONNECT request (RFC 8441 §4–§5, RFC 9220 §3).
//!
//! The request is `:method CONNECT` with `:protocol websocket`, `:scheme`, `:path` and
//! `:authority`; there is no `Sec-WebSocket-Key`/`Accept` and no `Upgrade`/`Connection`
//! (connection-specific fields are malformed in HTTP/2, RFC 9113 §8.2.2). A success is `200`.

use alloc::string::String;
use alloc::vec::Vec;

use crate::http::{check_field, HeaderList};

use super::error::{problems, record, HandshakeError, Problem, Verdict};
use super::extensions::format_extensions;
use super::request::{negotiate, ServerPolicy};
use super::response::{names_the_version, rejection_body, rejection_status};
use crate::deflate::negotiation::DeflateParams;

/// The server's decision on an extended CONNECT request (RFC 8441 §5, RFC 9220 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct H2Outcome {
    /// Whether the stream becomes a WebSocket.
    pub accepted: bool,
    /// `:status` to answer with: 200, or 400 / 403 (426 becomes 400: its required `Upgrade`
    /// header cannot exist in HTTP/2, RFC 9113 §8.2.2).
    pub status: u16,
    /// Response fields, `:status` first, lowercase names (RFC 9113 §8.3.2).
    pub headers: HeaderList,
    /// Body text for a rejection.
    pub body: String,
    /// Chosen subprotocol.
    pub protocol: Option<String>,
    /// Agreed `permessage-deflate` parameters.
    pub deflate: Option<DeflateParams>,
    /// Every problem, flattened.
    pub problems: Vec<Problem>,
    /// Every problem, typed.
    #[cfg_attr(ws101_serde, serde(skip))]
    pub errors: Vec<HandshakeError>,
    /// Extension offers declined (not fatal).
    pub declined: Vec<Problem>,
    /// One verdict per rule.
    pub verdicts: Vec<Verdict>,
}

const PSEUDO: &[&str] = &[":method", ":scheme", ":authority", ":path", ":protocol"];
const CONNECTION_SPECIFIC: &[&str] = &[
    "connection",
    "upgrade",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
];

/// Validates an extended CONNECT field list, pseudo-headers included, in order (RFC 8441 §4, §5;
/// RFC 9220 §3; RFC 9113 §8.2, §8.3), with the same origin, subprotocol and extension policy as
/// HTTP/1.1.
pub fn validate_extended_connect(fields: &HeaderList, policy: &ServerPolicy) -> H2Outcome {
    let mut verdicts = Vec::new();
    let mut errors = Vec::new();

    let mut found = Vec::new();
    let mut seen_regular = false;
    let mut seen: Vec<&str> = Vec::new();
    for f in fields {
        if let Some(stripped) = f.name.strip_prefix(':') {
            let bad = |reason| HandshakeError::InvalidPseudoHeader {
                name: f.name.clone(),
                reason,
            };
            if !PSEUDO.contains(&f.name.as_str()) {
                found.push(bad("not a request pseudo-header"));
            } else if seen_regular {
                found.push(bad("pseudo-headers must precede regular fields"));
            } else if seen.contains(&stripped) {
                found.push(bad("it appears twice"));
            } else if f.value.is_empty() {
                found.push(bad("it is empty"));
            }
            seen.push(stripped);
        } else {
            seen_regular = true;
        }
    }
    let pseudo = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    };
    match pseudo(":method") {
        None => found.push(HandshakeError::MissingPseudoHeader { name: ":method" }),
        Some("CONNECT") => {}
        Some(m) => found.push(HandshakeError::MethodNotConnect {
            method: String::from(m),
        }),
    }
    match pseudo(":protocol") {
        None => found.push(HandshakeError::MissingPseudoHeader { name: ":protocol" }),
        Some(p) if p.eq_ignore_ascii_case("websocket") => {}
        Some(p) => found.push(HandshakeError::ProtocolNotWebsocket {
            value: String::from(p),
        }),
    }
    for name in [":scheme", ":path", ":authority"] {
        if pseudo(name).is_none() {
            found.push(HandshakeError::MissingPseudoHeader { name });
        }
    }
    record(
        &mut verdicts,
        &mut errors,
        "pseudo-headers",
        None,
        ":method CONNECT, :protocol websocket, and :scheme, :path, :authority, each once, before other fields.",
        "RFC 8441 §4, RFC 9113 §8.3",
        found,
    );

    let mut found = Vec::new();
    for f in fields.iter().filter(|f| !f.name.starts_with(':')) {
        if f.name.bytes().any(|b| b.is_ascii_uppercase()) {
            found.push(HandshakeError::UppercaseHeaderName {
                name: f.name.clone(),
            });
        }
        let lower = f.name.to_ascii_lowercase();
        if CONNECTION_SPECIFIC.contains(&lower.as_str())
            || (lower == "te" && !f.value.eq_ignore_ascii_case("trailers"))
        {
            found.push(HandshakeError::ConnectionSpecificHeader {
                name: f.name.clone(),
            });
        }
        if let Err(e) = check_field(&f.name, &f.value) {
            found.push(HandshakeError::Http(e));
        }
    }
    record(
        &mut verdicts,
        &mut errors,
        "fields",
        None,
        "Field names are lowercase tokens; no connection-specific fields such as Upgrade or Connection.",
        "RFC 9113 §8.2",
        found,
    );

    let found = if fields.contains("sec-websocket-key") {
        alloc::vec![HandshakeError::KeyInExtendedConnect]
    } else {
        Vec::new()
    };
    record(
        &mut verdicts,
        &mut errors,
        "key",
        Some("Sec-WebSocket-Key"),
        "No Sec-WebSocket-Key: :protocol replaces it.",
        "RFC 8441 §5",
        found,
    );

    let count = fields.count("sec-websocket-version");
    let found = match fields.get("sec-websocket-version") {
        None => alloc::vec![HandshakeError::MissingVersion],
        Some(_) if count > 1 => alloc::vec![HandshakeError::DuplicateHeader {
            header: "Sec-WebSocket-Version",
            count,
            side: super::error::Side::Request
        }],
        Some(v) if v.trim_matches([' ', '\t']) == "13" => Vec::new(),
        Some(v) => alloc::vec![HandshakeError::UnsupportedVersion {
            value: String::from(v)
        }],
    };
    record(
        &mut verdicts,
        &mut errors,
        "version",
        Some("Sec-WebSocket-Version"),
        "sec-websocket-version is 13.",
        "RFC 8441 §5",
        found,
    );

    let negotiated = negotiate(fields, policy, &mut verdicts, &mut errors);

    let mut headers = HeaderList::new();
    if errors.is_empty() {
        headers.push(":status", "200");
        if let Some(p) = &negotiated.protocol {
            headers.push("sec-websocket-protocol", p);
        }
        if !negotiated.extensions.is_empty() {
            headers.push(
                "sec-websocket-extensions",
                &format_extensions(&negotiated.extensions),
            );
        }
        return H2Outcome {
            accepted: true,
            status: 200,
            headers,
            body: String::new(),
            protocol: negotiated.protocol,
            deflate: negotiated.deflate,
            problems: Vec::new(),
            errors,
            declined: problems(&negotiated.declined),
            verdicts,
        };
    }
    let status = match rejection_status(&errors) {
        426 => 400,
        s => s,
    };
    let body = rejection_body(status, &errors);
    headers.push(":status", &alloc::format!("{status}"));
    headers.push("content-type", "text/plain; charset=utf-8");
    if names_the_version(&errors) {
        headers.push("sec-websocket-version", "13");
    }
    headers.push("content-length", &alloc::format!("{}", body.len()));
    H2Outcome {
        accepted: false,
        status,
        headers,
        body,
        protocol: None,
        deflate: None,
        problems: problems(&errors),
        errors,
        declined: problems(&negotiated.declined),
        verdicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::DeflateConfig;

    fn base() -> Vec<(&'static str, &'static str)> {
        alloc::vec![
            (":method", "CONNECT"),
            (":protocol", "websocket"),
            (":scheme", "https"),
            (":path", "/chat"),
            (":authority", "server.example.com"),
            ("sec-websocket-protocol", "chat, superchat"),
            ("sec-websocket-extensions", "permessage-deflate"),
            ("sec-websocket-version", "13"),
            ("origin", "http://www.example.com"),
        ]
    }

    fn codes(o: &H2Outcome) -> Vec<&'static str> {
        o.problems.iter().map(|p| p.code).collect()
    }

    #[test]
    fn rfc8441_section_5_1_example() {
        let policy = ServerPolicy::default()
            .with_subprotocols(["chat"])
            .with_deflate(DeflateConfig::default());
        let o = validate_extended_connect(&HeaderList::from_pairs(base()), &policy);
        assert!(o.accepted, "{:?}", codes(&o));
        assert_eq!(o.headers.get(":status"), Some("200"));
        assert_eq!(o.headers.get("sec-websocket-protocol"), Some("chat"));
        assert_eq!(
            o.headers.get("sec-websocket-extensions"),
            Some("permessage-deflate")
        );
    }

    #[test]
    fn rejections() {
        let mut f = base();
        f.push(("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="));
        f.push(("Upgrade", "websocket"));
        f[0] = (":method", "GET");
        let o = validate_extended_connect(&HeaderList::from_pairs(f), &ServerPolicy::default());
        assert_eq!(
            codes(&o),
            [
                "method-not-connect",
                "uppercase-header-name",
                "connection-specific-header",
                "key-in-extended-connect"
            ]
        );
        assert_eq!(o.status, 400);

        let mut f = base();
        f.remove(1);
        f[6] = ("sec-websocket-version", "8");
        f.push((":path", "/late"));
        let o = validate_extended_connect(&HeaderList::from_pairs(f), &ServerPolicy::default());
        assert_eq!(
            codes(&o),
            [
                "invalid-pseudo-header",
                "missing-pseudo-header",
                "unsupported-version"
            ]
        );
        assert_eq!(o.status, 400);
        assert_eq!(o.headers.get("sec-websocket-version"), Some("13"));
    }
}

//! The client side: building the upgrade request (RFC 6455 §3, §4.1) and checking the server's
//! response (RFC 6455 §4.1, the six "MUST _Fail the WebSocket Connection_" checks).

use alloc::string::String;
use alloc::vec::Vec;

use crate::http::{
    check_field, list_contains_token, parse_authority, parse_response_head, write_request_head,
    AuthorityError, HeadLimits, HeaderList, Status,
};

use super::accept_key::{accept_key_unchecked, generate_key, validate_key};
use super::error::{problems, record, HandshakeError, Problem, Side, Verdict};
use super::extensions::{format_extensions, parse_extension_headers, Extension};
use super::subprotocol::{check_selected_subprotocol, validate_subprotocol};
use crate::deflate::negotiation::{
    check_deflate_response, DeflateOffer, DeflateParams, PERMESSAGE_DEFLATE,
};

/// A parsed `ws`/`wss` URI (RFC 6455 §3). `http`/`https` are accepted as aliases.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct WsUrl {
    /// `wss`/`https`: TLS is required.
    pub secure: bool,
    /// Host, lowercased; IPv6 literals keep their brackets.
    pub host: String,
    /// Port, explicit or default (80 / 443).
    pub port: u16,
    /// The `Host` header value: host, plus `:port` when not the default (RFC 6455 §4.1 item 4).
    pub host_header: String,
    /// Path and query: the request-target (RFC 6455 §3 "resource name"), at least `/`.
    pub resource: String,
}

fn url_err(url: &str, reason: &'static str) -> HandshakeError {
    HandshakeError::InvalidUrl {
        url: String::from(url),
        reason,
    }
}

/// Parses a WebSocket URI by hand (RFC 6455 §3, RFC 3986 §3): scheme, host (reg-name, IPv4 or
/// `[IPv6]`), optional port 1..=65535, path and query; no userinfo, no fragment.
pub fn parse_ws_url(url: &str) -> Result<WsUrl, HandshakeError> {
    if url.bytes().any(|b| b <= b' ' || b >= 0x7F) {
        return Err(url_err(
            url,
            "it contains spaces, control bytes or non-ASCII (percent-encode them)",
        ));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| url_err(url, "it has no \"scheme://\""))?;
    let (secure, default_port) = match scheme.to_ascii_lowercase().as_str() {
        "ws" | "http" => (false, 80u16),
        "wss" | "https" => (true, 443u16),
        _ => {
            return Err(HandshakeError::UnsupportedScheme {
                scheme: String::from(scheme),
            })
        }
    };
    if url.contains('#') {
        return Err(HandshakeError::UrlFragment {
            url: String::from(url),
        });
    }
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, resource) = rest.split_at(split);
    if authority.contains('@') {
        return Err(url_err(url, "userinfo (user@) is not allowed"));
    }
    let parts = parse_authority(authority).map_err(|e| match e {
        AuthorityError::BadPort => HandshakeError::InvalidPort {
            // the text after the host: after `]:` for a literal, else after the first `:`
            port: String::from(match authority.rsplit_once("]:") {
                Some((_, p)) => p,
                None => authority.split_once(':').map_or("", |(_, p)| p),
            }),
        },
        e => url_err(url, e.reason()),
    })?;
    if parts.host.is_empty() {
        return Err(url_err(url, "the host is empty"));
    }
    if parts.host.starts_with("[v") || parts.host.starts_with("[V") {
        return Err(url_err(url, "the IPv6 literal is malformed"));
    }
    let host = parts.host.to_ascii_lowercase();
    let port = match parts.port {
        None | Some("") => default_port,
        Some(p) => {
            let invalid = || HandshakeError::InvalidPort {
                port: String::from(p),
            };
            if p.len() > 5 {
                return Err(invalid());
            }
            match p.parse::<u16>() {
                Ok(0) | Err(_) => return Err(invalid()),
                Ok(n) => n,
            }
        }
    };
    let host_header = if port == default_port {
        host.clone()
    } else {
        alloc::format!("{host}:{port}")
    };
    let resource = if resource.is_empty() {
        String::from("/")
    } else if resource.starts_with('?') {
        alloc::format!("/{resource}")
    } else {
        String::from(resource)
    };
    Ok(WsUrl {
        secure,
        host,
        port,
        host_header,
        resource,
    })
}

/// What the client wants to open (RFC 6455 §4.1). Start from [`ClientOptions::new`] and the
/// `with_*` setters (fields will grow).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ClientOptions {
    /// `ws://`, `wss://`, `http://` or `https://` URL.
    pub url: String,
    /// A ready `Sec-WebSocket-Key`; `None` generates one from the platform CSPRNG.
    pub key: Option<String>,
    /// Subprotocols to offer, in preference order.
    pub protocols: Vec<String>,
    /// `permessage-deflate` offers, in preference order (RFC 7692 §5.1).
    pub deflate: Vec<DeflateOffer>,
    /// Other extension offers, sent after the deflate offers.
    pub extensions: Vec<Extension>,
    /// `Origin` to send (browsers always do, RFC 6455 §4.1 item 8).
    pub origin: Option<String>,
    /// Extra headers (cookies, authorisation…); may not override the handshake's own.
    pub headers: Vec<(String, String)>,
    /// Fail a 101 that selects none of the offered subprotocols. RFC 6455 §4.1 lets the server
    /// select none; browsers (WHATWG WebSockets, "establish a WebSocket connection") and `ws` fail
    /// such a connection.
    pub require_protocol: bool,
}

impl ClientOptions {
    /// Options to open `url` (`ws://`, `wss://`, `http://` or `https://`, RFC 6455 §3), with a
    /// fresh key and nothing offered.
    pub fn new(url: impl Into<String>) -> Self {
        ClientOptions {
            url: url.into(),
            ..Default::default()
        }
    }
    /// A fixed `Sec-WebSocket-Key` (tests); it must be base64 of 16 bytes.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
    /// The subprotocols to offer, in preference order (RFC 6455 §4.1 item 10).
    pub fn with_protocols<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.protocols = names.into_iter().map(|n| n.as_ref().into()).collect();
        self
    }
    /// The `permessage-deflate` offers, in preference order (RFC 7692 §5.1).
    pub fn with_deflate(mut self, offers: impl IntoIterator<Item = DeflateOffer>) -> Self {
        self.deflate = offers.into_iter().collect();
        self
    }
    /// Other extension offers, sent after the deflate offers (RFC 6455 §9.1).
    pub fn with_extensions(mut self, offers: impl IntoIterator<Item = Extension>) -> Self {
        self.extensions = offers.into_iter().collect();
        self
    }
    /// The `Origin` to send (RFC 6455 §4.1 item 8).
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }
    /// Fail a 101 that selects none of the offered subprotocols, as browsers and `ws` do.
    pub fn with_require_protocol(mut self, required: bool) -> Self {
        self.require_protocol = required;
        self
    }
    /// One more header line (cookies, authorisation…); it may not replace the handshake's own.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Headers the handshake sets itself, which extra headers may not override (RFC 6455 §4.1).
pub const RESERVED_HEADERS: &[&str] = &[
    "Host",
    "Upgrade",
    "Connection",
    "Origin",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
    "Sec-WebSocket-Accept",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Extensions",
    "Content-Length",
    "Transfer-Encoding",
];

/// A built upgrade request, and what is needed to check its response (RFC 6455 §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct ClientRequest {
    /// The parsed URL.
    pub url: WsUrl,
    /// The `Sec-WebSocket-Key` sent.
    pub key: String,
    /// The `Sec-WebSocket-Accept` the server must answer with.
    pub expected_accept: String,
    /// Subprotocols offered.
    pub protocols: Vec<String>,
    /// `permessage-deflate` offers sent.
    pub deflate_offers: Vec<DeflateOffer>,
    /// Every extension offered, in order.
    pub extensions: Vec<Extension>,
    /// The request headers in order.
    pub headers: HeaderList,
    /// The request head on the wire.
    pub bytes: Vec<u8>,
    /// Whether a 101 must select one of the offered subprotocols ([`ClientOptions::require_protocol`]).
    pub require_protocol: bool,
}

/// Builds the upgrade request (RFC 6455 §4.1). Reports every problem with the options.
pub fn build_request(opts: &ClientOptions) -> Result<ClientRequest, Vec<HandshakeError>> {
    let mut errors = Vec::new();
    let url = parse_ws_url(&opts.url).map_err(|e| errors.push(e)).ok();
    let key = match &opts.key {
        Some(k) => validate_key(k)
            .map(|_| k.clone())
            .map_err(|e| errors.push(HandshakeError::Key(e).in_option("key")))
            .ok(),
        None => generate_key()
            .map_err(|e| errors.push(HandshakeError::Key(e)))
            .ok(),
    };
    for (i, p) in opts.protocols.iter().enumerate() {
        if let Err(e) = validate_subprotocol(p, Side::Request) {
            errors.push(e.in_option("protocols"));
        } else if opts.protocols.get(..i).is_some_and(|prev| prev.contains(p)) {
            errors.push(
                HandshakeError::DuplicateSubprotocol { value: p.clone() }.in_option("protocols"),
            );
        }
    }
    let mut extensions: Vec<Extension> = Vec::new();
    for offer in &opts.deflate {
        match offer.validate() {
            Ok(()) => extensions.push(offer.to_extension()),
            Err(e) => errors.push(e.in_option("deflate")),
        }
    }
    extensions.extend(opts.extensions.iter().cloned());
    let ext_value = format_extensions(&extensions);
    if !extensions.is_empty()
        && super::extensions::parse_extensions(&ext_value).as_ref() != Ok(&extensions)
    {
        errors.push(
            HandshakeError::InvalidExtensionHeader {
                value: ext_value.clone(),
                offset: 0,
                expected: "extension names and parameters that are tokens",
                side: Side::Request,
            }
            .in_option("extensions"),
        );
    }
    if let Some(origin) = &opts.origin {
        if let Err(e) = check_field("Origin", origin) {
            errors.push(HandshakeError::Http(e).in_option("origin"));
        }
    }
    for (name, value) in &opts.headers {
        if RESERVED_HEADERS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
        {
            errors.push(HandshakeError::ForbiddenHeader { name: name.clone() });
        } else if let Err(e) = check_field(name, value) {
            errors.push(HandshakeError::Http(e).in_option("headers"));
        }
    }
    let (Some(url), Some(key)) = (url, key) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut headers = HeaderList::new();
    headers.push("Host", &url.host_header);
    headers.push("Upgrade", "websocket");
    headers.push("Connection", "Upgrade");
    headers.push("Sec-WebSocket-Key", &key);
    headers.push("Sec-WebSocket-Version", "13");
    if let Some(origin) = &opts.origin {
        headers.push("Origin", origin);
    }
    if !opts.protocols.is_empty() {
        headers.push("Sec-WebSocket-Protocol", &opts.protocols.join(", "));
    }
    if !extensions.is_empty() {
        headers.push("Sec-WebSocket-Extensions", &ext_value);
    }
    for (name, value) in &opts.headers {
        headers.push(name, value);
    }
    let bytes = write_request_head("GET", &url.resource, &headers)
        .map_err(|e| alloc::vec![HandshakeError::Http(e).in_option("headers")])?;
    Ok(ClientRequest {
        expected_accept: accept_key_unchecked(&key),
        url,
        key,
        protocols: opts.protocols.clone(),
        deflate_offers: opts.deflate.clone(),
        extensions,
        headers,
        bytes,
        require_protocol: opts.require_protocol,
    })
}

/// The client's verdict on the server's response (RFC 6455 §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct ClientOutcome {
    /// Whether the connection is established.
    pub accepted: bool,
    /// The response status (0 when the head could not be parsed).
    pub status: u16,
    /// The subprotocol in use.
    pub protocol: Option<String>,
    /// Extensions in use.
    pub extensions: Vec<Extension>,
    /// Agreed `permessage-deflate` parameters.
    pub deflate: Option<DeflateParams>,
    /// Every problem, flattened.
    pub problems: Vec<Problem>,
    /// Every problem, typed.
    #[cfg_attr(ws101_serde, serde(skip))]
    pub errors: Vec<HandshakeError>,
    /// One verdict per check.
    pub verdicts: Vec<Verdict>,
    /// Bytes used by the response head when read from bytes; what follows is frame data.
    pub consumed: Option<usize>,
}

impl ClientOutcome {
    /// The codes of every problem.
    pub fn codes(&self) -> Vec<&'static str> {
        self.problems.iter().map(|p| p.code).collect()
    }
}

impl ClientRequest {
    /// Checks a response given as status and headers (RFC 6455 §4.1).
    pub fn validate_response(
        &self,
        status: u16,
        reason: &str,
        headers: &HeaderList,
    ) -> ClientOutcome {
        let mut verdicts = Vec::new();
        let mut errors = Vec::new();
        let mut outcome = ClientOutcome {
            accepted: false,
            status,
            protocol: None,
            extensions: Vec::new(),
            deflate: None,
            problems: Vec::new(),
            errors: Vec::new(),
            verdicts: Vec::new(),
            consumed: None,
        };
        let found = if status == 101 {
            Vec::new()
        } else {
            alloc::vec![HandshakeError::UnexpectedStatus {
                status,
                reason: String::from(reason)
            }]
        };
        record(
            &mut verdicts,
            &mut errors,
            "status",
            None,
            "The status is 101 Switching Protocols.",
            "RFC 6455 §4.1",
            found,
        );
        if status != 101 {
            outcome.problems = problems(&errors);
            outcome.errors = errors;
            outcome.verdicts = verdicts;
            return outcome;
        }

        let found = match headers.combined("Upgrade") {
            None => alloc::vec![HandshakeError::MissingUpgrade {
                side: Side::Response
            }],
            Some(v)
                if v.trim_matches([' ', '\t'])
                    .eq_ignore_ascii_case("websocket") =>
            {
                Vec::new()
            }
            Some(value) => alloc::vec![HandshakeError::UpgradeNotWebsocket {
                value,
                side: Side::Response
            }],
        };
        record(
            &mut verdicts,
            &mut errors,
            "upgrade",
            Some("Upgrade"),
            "Upgrade is \"websocket\" (case-insensitive).",
            "RFC 6455 §4.1",
            found,
        );

        let found = match headers.combined("Connection") {
            None => alloc::vec![HandshakeError::MissingConnection {
                side: Side::Response
            }],
            Some(v) if list_contains_token(&v, "upgrade") => Vec::new(),
            Some(value) => alloc::vec![HandshakeError::ConnectionNotUpgrade {
                value,
                side: Side::Response
            }],
        };
        record(
            &mut verdicts,
            &mut errors,
            "connection",
            Some("Connection"),
            "Connection includes the \"Upgrade\" token (case-insensitive).",
            "RFC 6455 §4.1",
            found,
        );

        let count = headers.count("Sec-WebSocket-Accept");
        let found = match headers.get("Sec-WebSocket-Accept") {
            None => alloc::vec![HandshakeError::MissingAccept],
            Some(_) if count > 1 => alloc::vec![HandshakeError::DuplicateHeader {
                header: "Sec-WebSocket-Accept",
                count,
                side: Side::Response
            }],
            Some(v) if v.trim_matches([' ', '\t']) == self.expected_accept => Vec::new(),
            Some(v) => alloc::vec![HandshakeError::AcceptMismatch {
                expected: self.expected_accept.clone(),
                received: String::from(v)
            }],
        };
        record(
            &mut verdicts,
            &mut errors,
            "accept",
            Some("Sec-WebSocket-Accept"),
            "Sec-WebSocket-Accept is base64(SHA-1(key + GUID)) of the key sent.",
            "RFC 6455 §4.1",
            found,
        );

        let mut found = Vec::new();
        // RFC 6455 §11.3.2: Sec-WebSocket-Extensions MUST NOT appear more than once in a response.
        let count = headers.count("Sec-WebSocket-Extensions");
        if count > 1 {
            found.push(HandshakeError::DuplicateHeader {
                header: "Sec-WebSocket-Extensions",
                count,
                side: Side::Response,
            });
        }
        match parse_extension_headers(headers, Side::Response) {
            Err(e) => found.push(e),
            Ok(list) => {
                let mut seen: Vec<&str> = Vec::new();
                for ext in &list {
                    if seen.iter().any(|s| s.eq_ignore_ascii_case(&ext.name)) {
                        found.push(HandshakeError::DuplicateExtension {
                            name: ext.name.clone(),
                        });
                        continue;
                    }
                    seen.push(&ext.name);
                    if !self
                        .extensions
                        .iter()
                        .any(|o| o.name.eq_ignore_ascii_case(&ext.name))
                    {
                        found.push(HandshakeError::UnofferedExtension {
                            name: ext.name.clone(),
                        });
                    } else if ext.name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE) {
                        match check_deflate_response(ext, &self.deflate_offers) {
                            Ok(p) => outcome.deflate = Some(p),
                            Err(e) => found.extend(e),
                        }
                    }
                }
                outcome.extensions = list;
            }
        }
        record(
            &mut verdicts,
            &mut errors,
            "extensions",
            Some("Sec-WebSocket-Extensions"),
            "Only offered extensions, once each, with valid parameters.",
            "RFC 6455 §4.1, RFC 7692 §7.1",
            found,
        );

        let (protocol, found) =
            check_selected_subprotocol(headers, &self.protocols, self.require_protocol);
        outcome.protocol = protocol;
        record(
            &mut verdicts,
            &mut errors,
            "subprotocol",
            Some("Sec-WebSocket-Protocol"),
            "At most one subprotocol, and only one the client offered.",
            "RFC 6455 §4.1",
            found,
        );

        outcome.accepted = errors.is_empty();
        if !outcome.accepted {
            outcome.protocol = None;
            outcome.deflate = None;
            outcome.extensions = Vec::new();
        }
        outcome.problems = problems(&errors);
        outcome.errors = errors;
        outcome.verdicts = verdicts;
        outcome
    }

    /// Reads the response head from bytes and checks it (RFC 6455 §4.1, RFC 9112 §4).
    /// `Partial`: feed more bytes. A malformed head is a failed outcome with status 0.
    pub fn parse_response(&self, buf: &[u8], limits: &HeadLimits) -> Status<ClientOutcome> {
        match parse_response_head(buf, limits) {
            Ok(Status::Partial) => Status::Partial,
            Ok(Status::Complete((head, used))) => {
                let mut outcome = self.validate_response(head.status, &head.reason, &head.headers);
                outcome.consumed = Some(used);
                Status::Complete(outcome)
            }
            Err(e) => {
                let errors = alloc::vec![HandshakeError::Http(e)];
                Status::Complete(ClientOutcome {
                    accepted: false,
                    status: 0,
                    protocol: None,
                    extensions: Vec::new(),
                    deflate: None,
                    problems: problems(&errors),
                    errors,
                    verdicts: Vec::new(),
                    consumed: None,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Diagnostic;

    #[test]
    fn urls() {
        let u = parse_ws_url("ws://Example.com/chat?x=1").unwrap();
        assert_eq!(
            (
                u.host_header.as_str(),
                u.port,
                u.resource.as_str(),
                u.secure
            ),
            ("example.com", 80, "/chat?x=1", false)
        );
        let u = parse_ws_url("wss://[::1]:8443").unwrap();
        assert_eq!(
            (u.host_header.as_str(), u.resource.as_str()),
            ("[::1]:8443", "/")
        );
        assert_eq!(parse_ws_url("wss://h:443?q").unwrap().host_header, "h");
        assert_eq!(parse_ws_url("wss://h:443?q").unwrap().resource, "/?q");
        assert_eq!(parse_ws_url("https://h:80").unwrap().host_header, "h:80");
        assert_eq!(
            parse_ws_url("ws://h/#f").unwrap_err().code(),
            "url-fragment"
        );
        assert_eq!(
            parse_ws_url("ftp://h/").unwrap_err().code(),
            "unsupported-scheme"
        );
        assert_eq!(
            parse_ws_url("ws://h:65536/").unwrap_err().code(),
            "invalid-port"
        );
        assert_eq!(
            parse_ws_url("ws://h:0/").unwrap_err().code(),
            "invalid-port"
        );
        assert_eq!(
            parse_ws_url("ws://h:x/").unwrap_err().code(),
            "invalid-port"
        );
        for bad in [
            "ws:///x",
            "ws://u@h/",
            "ws://[::1/",
            "ws://h h/",
            "h/x",
            "ws://[zz]/",
            "ws://h\u{e9}/",
        ] {
            assert_eq!(
                parse_ws_url(bad).unwrap_err().code(),
                "invalid-url",
                "{bad}"
            );
        }
    }

    #[test]
    fn builds_the_rfc_request() {
        let opts = ClientOptions {
            url: "ws://server.example.com/chat".into(),
            key: Some("dGhlIHNhbXBsZSBub25jZQ==".into()),
            protocols: alloc::vec!["chat".into(), "superchat".into()],
            origin: Some("http://example.com".into()),
            ..Default::default()
        };
        let req = build_request(&opts).unwrap();
        assert_eq!(req.expected_accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert!(req
            .bytes
            .starts_with(b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\n"));
        let resp = HeaderList::from_pairs([
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            ("Sec-WebSocket-Protocol", "chat"),
        ]);
        let out = req.validate_response(101, "Switching Protocols", &resp);
        assert!(out.accepted, "{:?}", out.problems);
        assert_eq!(out.protocol.as_deref(), Some("chat"));
    }

    #[test]
    fn refuses_bad_options() {
        let opts = ClientOptions {
            url: "ws://h/".into(),
            key: Some("short".into()),
            protocols: alloc::vec!["a b".into(), "x".into(), "x".into()],
            headers: alloc::vec![
                ("Sec-WebSocket-Key".into(), "x".into()),
                ("X-A".into(), "a\r\nB: c".into())
            ],
            ..Default::default()
        };
        // every fault is the caller's: `invalid-option` names the option and the rule broken
        let faults: Vec<_> = build_request(&opts)
            .unwrap_err()
            .iter()
            .map(|e| match e {
                HandshakeError::InvalidOption { option, cause } => (*option, cause.code()),
                e => ("", e.code()),
            })
            .collect();
        assert_eq!(
            faults,
            [
                ("key", "bad-key-base64"),
                ("protocols", "invalid-subprotocol"),
                ("protocols", "duplicate-subprotocol"),
                ("", "forbidden-header"),
                ("headers", "illegal-header-byte")
            ]
        );
        let e = &build_request(&opts).unwrap_err()[0];
        assert_eq!(e.blame(), crate::error::Blame::Caller);
        assert_eq!((e.status(), e.header()), (None, Some("Sec-WebSocket-Key")));
        assert!(build_request(&ClientOptions {
            url: "ws://h/".into(),
            ..Default::default()
        })
        .is_ok());
    }
}

//! The server's reading of a client's upgrade request (RFC 6455 §4.2.1, §4.2.2).
//!
//! [`validate_request`] takes a request already split into method, target, version and headers;
//! [`parse_request`] reads raw HTTP/1.1 bytes first. Both check every rule and report *all*
//! problems, plus one [`Verdict`] per rule for the explainer.

use alloc::string::String;
use alloc::vec::Vec;

use crate::http::{
    check_field, list_contains_token, parse_request_head, HeadLimits, HeaderList, HttpError,
    HttpVersion, Status,
};

use super::accept_key::{accept_key_unchecked, is_canonical_key, validate_key};
use super::error::{problems, record, HandshakeError, Problem, Side, Verdict, VerdictSink};
use super::extensions::{extension_lines, format_extensions, Extension};
use super::fields::{Field, RequestFields};
use super::origin::{check_origin_lines, OriginPolicy};
use super::response::{rejection, switching_protocols, HttpResponse};
use super::subprotocol::{offered_subprotocols, select_subprotocol};
use super::upgrade::parse_upgrade;
use crate::deflate::negotiation::{negotiate_deflate, DeflateConfig, DeflateParams};
use crate::http::headers::{combined_named, each_line, values_named, Lines};

/// What a server accepts (RFC 6455 §4.2.2). The default accepts any origin, no subprotocol, no
/// extension, and heads up to 16 KiB; change it with the `with_*` setters (fields will grow).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ServerPolicy {
    /// Allowed origins (RFC 6455 §10.2).
    pub origins: OriginPolicy,
    /// Refuse requests without `Origin` (RFC 6455 §4.1 item 8 makes it mandatory only for browsers).
    pub require_origin: bool,
    /// Supported subprotocols in server preference order (RFC 6455 §4.2.2 /subprotocol/).
    pub subprotocols: Vec<String>,
    /// Reject with 400 when none of the client's subprotocols is supported, instead of accepting
    /// without one.
    pub require_subprotocol: bool,
    /// `permessage-deflate` support, or `None` to decline all extensions (RFC 7692).
    pub deflate: Option<DeflateConfig>,
    /// Limits for [`parse_request`] (RFC 6585 §5).
    pub limits: HeadLimits,
}

impl ServerPolicy {
    /// Sets the supported subprotocols in preference order (builder style).
    pub fn with_subprotocols<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.subprotocols = names
            .into_iter()
            .map(|s| String::from(s.as_ref()))
            .collect();
        self
    }
    /// Sets the origin policy (builder style).
    pub fn with_origins(mut self, origins: OriginPolicy) -> Self {
        self.origins = origins;
        self
    }
    /// Enables `permessage-deflate` (builder style).
    pub fn with_deflate(mut self, config: DeflateConfig) -> Self {
        self.deflate = Some(config);
        self
    }
    /// Refuse requests without `Origin` (403; RFC 6455 §4.2.2, §10.2).
    pub fn with_require_origin(mut self, on: bool) -> Self {
        self.require_origin = on;
        self
    }
    /// Refuse (400) a client that offers none of the subprotocols, instead of accepting it
    /// without one (RFC 6455 §4.2.2 /subprotocol/).
    pub fn with_require_subprotocol(mut self, on: bool) -> Self {
        self.require_subprotocol = on;
        self
    }
    /// Limits on the request head (431 beyond; RFC 6585 §5).
    pub fn with_limits(mut self, limits: HeadLimits) -> Self {
        self.limits = limits;
        self
    }
}

/// The handshake was accepted: everything needed to answer and to start the connection
/// (RFC 6455 §4.2.2 step 5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct Accepted {
    /// `Sec-WebSocket-Accept` value.
    pub accept_key: String,
    /// Chosen subprotocol, if any.
    pub protocol: Option<String>,
    /// Accepted extensions, in the order of the response header.
    pub extensions: Vec<Extension>,
    /// The `Sec-WebSocket-Extensions` response value, if any.
    pub extensions_header: Option<String>,
    /// Agreed `permessage-deflate` parameters for the codec.
    pub deflate: Option<DeflateParams>,
    /// The `101` response.
    pub response: HttpResponse,
    /// Bytes used by the request head when read from bytes; anything after it is frame data.
    pub consumed: Option<usize>,
    /// Extension offers declined (not fatal), with why (RFC 7692 §5.1).
    pub declined: Vec<Problem>,
    /// One verdict per rule.
    pub verdicts: Vec<Verdict>,
}

/// The handshake was refused: the exact response to send and every problem found
/// (RFC 6455 §4.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct Rejected {
    /// The response to send (400, 403, 426 or 431) before closing.
    pub response: HttpResponse,
    /// Every problem, flattened.
    pub problems: Vec<Problem>,
    /// Every problem, typed.
    #[cfg_attr(ws101_serde, serde(skip))]
    pub errors: Vec<HandshakeError>,
    /// Bytes used by the request head, when it could be delimited.
    pub consumed: Option<usize>,
    /// One verdict per rule checked (empty when the head could not be parsed).
    pub verdicts: Vec<Verdict>,
}

/// The server's decision on an upgrade request (RFC 6455 §4.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(tag = "outcome", rename_all = "camelCase"))]
pub enum ServerOutcome {
    /// Send `response` (101) and switch to frames.
    Accept(Accepted),
    /// Send `response` and close.
    Reject(Rejected),
}

impl ServerOutcome {
    /// Whether the request was accepted.
    pub fn is_accept(&self) -> bool {
        matches!(self, ServerOutcome::Accept(_))
    }
    /// The response to send.
    pub fn response(&self) -> &HttpResponse {
        match self {
            ServerOutcome::Accept(a) => &a.response,
            ServerOutcome::Reject(r) => &r.response,
        }
    }
    /// The status of the response.
    pub fn status(&self) -> u16 {
        self.response().status
    }
    /// The codes of every problem (empty when accepted).
    pub fn codes(&self) -> Vec<&'static str> {
        match self {
            ServerOutcome::Accept(_) => Vec::new(),
            ServerOutcome::Reject(r) => r.problems.iter().map(|p| p.code).collect(),
        }
    }
    /// The verdicts.
    pub fn verdicts(&self) -> &[Verdict] {
        match self {
            ServerOutcome::Accept(a) => &a.verdicts,
            ServerOutcome::Reject(r) => &r.verdicts,
        }
    }
}

/// Subprotocol, extension and origin results shared by HTTP/1.1 and extended CONNECT.
pub(crate) struct Negotiated {
    pub protocol: Option<String>,
    pub extensions: Vec<Extension>,
    pub deflate: Option<DeflateParams>,
    pub declined: Vec<HandshakeError>,
}

/// Runs the origin, subprotocol and extension checks (RFC 6455 §4.2.2 step 4, RFC 7692 §5.1).
pub(crate) fn negotiate(
    headers: &HeaderList,
    policy: &ServerPolicy,
    verdicts: &mut dyn VerdictSink,
    errors: &mut Vec<HandshakeError>,
) -> Negotiated {
    let fields = RequestFields::read(headers);
    negotiate_fields(headers, &fields, policy, verdicts, errors)
}

/// [`negotiate`] with the request's fields already found.
fn negotiate_fields(
    headers: &dyn Lines,
    fields: &RequestFields<'_>,
    policy: &ServerPolicy,
    verdicts: &mut dyn VerdictSink,
    errors: &mut Vec<HandshakeError>,
) -> Negotiated {
    record(
        verdicts,
        errors,
        "origin",
        Some("Origin"),
        "The Origin, when checked, must be one the server accepts; otherwise answer 403.",
        "RFC 6455 §4.2.2",
        check_origin_lines(
            fields.count(Field::Origin),
            fields.first(Field::Origin),
            &policy.origins,
            policy.require_origin,
        ),
    );

    // No `Sec-WebSocket-Protocol` line: nothing offered, nothing to read.
    let (offered, mut found) = if fields.count(Field::SecWebSocketProtocol) == 0 {
        (Vec::new(), Vec::new())
    } else {
        offered_subprotocols(headers)
    };
    let protocol = select_subprotocol(&offered, &policy.subprotocols);
    if protocol.is_none() && policy.require_subprotocol && found.is_empty() {
        found.push(HandshakeError::NoCommonSubprotocol { offered });
    }
    record(
        verdicts,
        errors,
        "subprotocol",
        Some("Sec-WebSocket-Protocol"),
        "Offered subprotocols are unique tokens; the server picks at most one of them.",
        "RFC 6455 §4.1, §4.2.2",
        found,
    );

    let mut declined = Vec::new();
    let mut extensions = Vec::new();
    let mut deflate = None;
    let offers = if fields.count(Field::SecWebSocketExtensions) == 0 {
        Ok(Vec::new()) // nothing offered
    } else {
        extension_lines(headers, Side::Request)
    };
    let found = match offers {
        Ok(offers) => {
            if let Some(config) = &policy.deflate {
                let (agreed, no) = negotiate_deflate(&offers, config);
                declined = no;
                if let Some(agreed) = agreed {
                    deflate = Some(agreed.params);
                    extensions.push(agreed.response);
                }
            }
            Vec::new()
        }
        // A server that supports no extension ignores the header (RFC 6455 §4.2.2 /extensions/):
        // an offer it cannot parse is declined, not a reason to refuse the connection.
        Err(e) if policy.deflate.is_none() => {
            declined.push(e);
            Vec::new()
        }
        Err(e) => alloc::vec![e],
    };
    record(
        verdicts,
        errors,
        "extensions",
        Some("Sec-WebSocket-Extensions"),
        "Extension offers follow the §9.1 grammar; the server accepts only what it supports.",
        "RFC 6455 §9.1, RFC 7692 §7.1",
        found,
    );
    Negotiated {
        protocol,
        extensions,
        deflate,
        declined,
    }
}

/// The value of a field that must appear on exactly one line, without surrounding spaces and
/// tabs; otherwise `missing` or a duplicate error goes to `found`.
fn single<'h>(
    fields: &RequestFields<'h>,
    field: Field,
    missing: HandshakeError,
    found: &mut Vec<HandshakeError>,
) -> Option<&'h str> {
    match (fields.first(field), fields.count(field)) {
        (None, _) => {
            found.push(missing);
            None
        }
        (Some(_), count) if count > 1 => {
            found.push(HandshakeError::DuplicateHeader {
                header: field.name(),
                count,
                side: Side::Request,
            });
            None
        }
        (Some(v), _) => Some(v.trim_matches([' ', '\t'])),
    }
}

/// `Host = uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2): the shared authority
/// grammar; an empty value is allowed (§3.2).
fn is_valid_host(value: &str) -> bool {
    crate::http::parse_authority(value).is_ok()
}

/// A request with a body cannot be an upgrade: its body bytes would be taken for frames
/// (RFC 9112 §6.3).
fn request_body(headers: &dyn Lines, fields: &RequestFields<'_>) -> Vec<HandshakeError> {
    let mut found = Vec::new();
    if fields.count(Field::TransferEncoding) > 0 {
        if let Some(value) = combined_named(headers, "Transfer-Encoding") {
            found.push(HandshakeError::RequestBody {
                header: "Transfer-Encoding",
                value,
            });
        }
    }
    // Lines combine with ", " (RFC 9110 §5.3), so an element of the combined list is an element
    // of one line: each line is read alone and the value combined only to report it.
    let nonzero = |v: &str| v.split(',').any(|v| v.trim_matches([' ', '\t']) != "0");
    if fields.count(Field::ContentLength) > 0
        && values_named(headers, "Content-Length").any(nonzero)
    {
        if let Some(value) = combined_named(headers, "Content-Length") {
            found.push(HandshakeError::RequestBody {
                header: "Content-Length",
                value,
            });
        }
    }
    found
}

/// Validates an upgrade request given as parts (RFC 6455 §4.2.1) and decides the answer
/// (RFC 6455 §4.2.2). `target` is recorded only; routing is the caller's.
pub fn validate_request(
    method: &str,
    target: &str,
    version: HttpVersion,
    headers: &HeaderList,
    policy: &ServerPolicy,
) -> ServerOutcome {
    // The head limits hold for a request given as parts too (a plain object, Node's parsed
    // headers): the same 431 `parse_request` gives, before any header is looked at.
    let fields = RequestFields::read(headers);
    let head_error = head_limit_error(method, target, &fields, &policy.limits)
        .or_else(|| target_error(method, target));
    if let Some(e) = head_error {
        return reject(alloc::vec![HandshakeError::Http(e)], Vec::new(), None);
    }
    validate_parts(method, version, headers, &fields, policy)
}

/// [`validate_request`] once the head is known to be within the limits.
fn validate_parts(
    method: &str,
    version: HttpVersion,
    headers: &dyn Lines,
    fields: &RequestFields<'_>,
    policy: &ServerPolicy,
) -> ServerOutcome {
    let mut verdicts = Vec::with_capacity(VERDICTS); // one per check
    let Judgement {
        key,
        negotiated,
        errors,
    } = judge(method, version, headers, fields, policy, &mut verdicts);
    match key {
        Some(key) if errors.is_empty() => {
            let accept = accept_key_unchecked(key); // validated by the checks
            let extensions_header = if negotiated.extensions.is_empty() {
                None
            } else {
                Some(format_extensions(&negotiated.extensions))
            };
            let response = switching_protocols(
                &accept,
                negotiated.protocol.as_deref(),
                extensions_header.as_deref(),
            );
            ServerOutcome::Accept(Accepted {
                accept_key: accept,
                protocol: negotiated.protocol,
                extensions: negotiated.extensions,
                extensions_header,
                deflate: negotiated.deflate,
                response,
                consumed: None,
                declined: problems(&negotiated.declined),
                verdicts,
            })
        }
        _ => reject(errors, verdicts, None),
    }
}

/// How many checks [`judge`] runs (one verdict each).
pub(crate) const VERDICTS: usize = 12;

/// What the checks of a request decided, before any answer is built: the key when it is valid
/// (borrowed from the headers), the negotiation, and every error (none: accepted).
pub(crate) struct Judgement<'h> {
    pub key: Option<&'h str>,
    pub negotiated: Negotiated,
    pub errors: Vec<HandshakeError>,
}

/// The checks of [`validate_request`] (head limits included) on `headers` and the `fields` read
/// from them ([`RequestFields::read`], [`RequestFields::from_lines`]) without building its answer, each
/// recording its verdict in `verdicts`: for callers that write the `101` themselves from one
/// reused buffer ([`super::response::write_switching_protocols`]). `None` when the head is over
/// the limits (a 431 that [`validate_request`] explains).
#[cfg(any(target_arch = "wasm32", test))] // the binding's packed handshake path
pub(crate) fn judge_request<'h>(
    method: &str,
    target: &str,
    version: HttpVersion,
    headers: &dyn Lines,
    fields: &RequestFields<'h>,
    policy: &ServerPolicy,
    verdicts: &mut dyn VerdictSink,
) -> Option<Judgement<'h>> {
    if head_limit_error(method, target, fields, &policy.limits).is_some()
        || target_error(method, target).is_some()
    {
        return None;
    }
    Some(judge(method, version, headers, fields, policy, verdicts))
}

/// Every check of RFC 6455 §4.2.1 and §4.2.2 step 4, in order.
fn judge<'h>(
    method: &str,
    version: HttpVersion,
    headers: &dyn Lines,
    fields: &RequestFields<'h>,
    policy: &ServerPolicy,
    verdicts: &mut dyn VerdictSink,
) -> Judgement<'h> {
    let mut errors = Vec::new();

    // The fields' pass checked every byte; the lines are read again only to explain a fault.
    let found: Vec<HandshakeError> = if fields.clean() {
        Vec::new()
    } else {
        each_line(headers)
            .filter_map(|(name, value)| check_field(name, value).err().map(HandshakeError::Http))
            .collect()
    };
    record(
        verdicts,
        &mut errors,
        "header-bytes",
        None,
        "Header names are tokens and values hold no CR, LF, NUL or other control bytes.",
        "RFC 9110 §5.1, §5.5",
        found,
    );

    let found = if method == "GET" {
        Vec::new()
    } else {
        alloc::vec![HandshakeError::MethodNotGet {
            method: String::from(method)
        }]
    };
    record(
        verdicts,
        &mut errors,
        "method",
        None,
        "The method is GET.",
        "RFC 6455 §4.2.1",
        found,
    );

    let found = if version.major >= 2 {
        alloc::vec![HandshakeError::UpgradeOverHttp2 { version }]
    } else if version >= HttpVersion::HTTP_11 {
        Vec::new()
    } else {
        alloc::vec![HandshakeError::HttpVersionTooOld { version }]
    };
    record(
        verdicts,
        &mut errors,
        "http-version",
        None,
        "The request is HTTP/1.1 (HTTP/2 and HTTP/3 use extended CONNECT instead).",
        "RFC 6455 §4.2.1",
        found,
    );

    let found = request_body(headers, fields);
    record(
        verdicts,
        &mut errors,
        "no-body",
        None,
        "The upgrade request has no body: no Transfer-Encoding, no Content-Length but 0.",
        "RFC 9112 §6.3",
        found,
    );

    let mut found = Vec::new();
    let host = single(fields, Field::Host, HandshakeError::MissingHost, &mut found);
    if host.is_some() {
        if let Some(host) = fields.first(Field::Host) {
            if !is_valid_host(host.trim_matches([' ', '\t'])) {
                found.push(HandshakeError::InvalidHost {
                    value: String::from(host),
                });
            }
        }
    }
    record(
        verdicts,
        &mut errors,
        "host",
        Some("Host"),
        "Exactly one Host header: a host name or address, with an optional :port.",
        "RFC 6455 §4.2.1, RFC 9112 §3.2",
        found,
    );

    let mut found = Vec::new();
    // The common values pass without parsing or allocating.
    match upgrade_value(headers, fields, Field::Upgrade, "websocket") {
        None => found.push(HandshakeError::MissingUpgrade {
            side: Side::Request,
        }),
        Some(Ok(())) => {}
        Some(Err(value)) => match parse_upgrade(&value) {
            Err(e) => found.push(e),
            Ok(list)
                if list
                    .iter()
                    .any(|p| p.name.eq_ignore_ascii_case("websocket") && p.version.is_none()) => {}
            Ok(_) => found.push(HandshakeError::UpgradeNotWebsocket {
                value,
                side: Side::Request,
            }),
        },
    }
    record(
        verdicts,
        &mut errors,
        "upgrade",
        Some("Upgrade"),
        "Upgrade lists \"websocket\" (case-insensitive).",
        "RFC 6455 §4.2.1",
        found,
    );

    let mut found = Vec::new();
    match upgrade_value(headers, fields, Field::Connection, "Upgrade") {
        None => found.push(HandshakeError::MissingConnection {
            side: Side::Request,
        }),
        Some(Ok(())) => {}
        Some(Err(value)) if list_contains_token(&value, "upgrade") => {}
        Some(Err(value)) => found.push(HandshakeError::ConnectionNotUpgrade {
            value,
            side: Side::Request,
        }),
    }
    record(
        verdicts,
        &mut errors,
        "connection",
        Some("Connection"),
        "Connection includes the \"Upgrade\" option (case-insensitive).",
        "RFC 6455 §4.2.1",
        found,
    );

    let mut found = Vec::new();
    let key = single(
        fields,
        Field::SecWebSocketKey,
        HandshakeError::MissingKey,
        &mut found,
    );
    let key = key.and_then(|k| match is_canonical_key(k.as_bytes()) {
        true => Some(k),
        false => match validate_key(k) {
            Ok(_) => Some(k),
            Err(e) => {
                found.push(HandshakeError::Key(e));
                None
            }
        },
    });
    record(
        verdicts,
        &mut errors,
        "key",
        Some("Sec-WebSocket-Key"),
        "Exactly one Sec-WebSocket-Key, the base64 of a 16-byte nonce.",
        "RFC 6455 §4.2.1",
        found,
    );

    let mut found = Vec::new();
    if let Some(v) = single(
        fields,
        Field::SecWebSocketVersion,
        HandshakeError::MissingVersion,
        &mut found,
    ) {
        if v != "13" {
            found.push(HandshakeError::UnsupportedVersion {
                value: String::from(v),
            });
        }
    }
    record(
        verdicts,
        &mut errors,
        "version",
        Some("Sec-WebSocket-Version"),
        "Sec-WebSocket-Version is 13; otherwise answer 426 with Sec-WebSocket-Version: 13.",
        "RFC 6455 §4.2.1, §4.2.2, §4.4",
        found,
    );

    let negotiated = negotiate_fields(headers, fields, policy, verdicts, &mut errors);
    Judgement {
        key,
        negotiated,
        errors,
    }
}

/// `Some(Ok(()))` when exactly one line carries `field` and its value, without surrounding
/// spaces and tabs, is `expected` (ASCII case-insensitive): the common case, answered without
/// allocating. Otherwise the lines combined (RFC 9110 §5.3) as `Some(Err(value))`, or `None`
/// when there are none.
fn upgrade_value(
    headers: &dyn Lines,
    fields: &RequestFields<'_>,
    field: Field,
    expected: &str,
) -> Option<Result<(), String>> {
    if fields.is_only(field, expected) {
        return Some(Ok(()));
    }
    match fields.count(field) {
        0 => None,
        _ => combined_named(headers, field.name()).map(Err),
    }
}

fn reject(
    errors: Vec<HandshakeError>,
    verdicts: Vec<Verdict>,
    consumed: Option<usize>,
) -> ServerOutcome {
    ServerOutcome::Reject(Rejected {
        response: rejection(&errors),
        problems: problems(&errors),
        errors,
        consumed,
        verdicts,
    })
}

/// Reads an HTTP/1.1 request head from `buf` and validates it (RFC 6455 §4.2.1, RFC 9112 §3).
///
/// `Status::Partial`: the head is not complete yet and nothing was consumed; feed more bytes.
/// `Status::Complete(outcome)`: a decision, with `consumed` telling where frames may begin. An
/// unparsable or oversized head is a `Reject` (400 or 431), never a panic.
pub fn parse_request(buf: &[u8], policy: &ServerPolicy) -> Status<ServerOutcome> {
    match parse_request_head(buf, &policy.limits) {
        Ok(Status::Partial) => Status::Partial,
        Ok(Status::Complete((head, used))) => {
            // parse_request_head enforced the limits on the raw bytes.
            let mut outcome = match target_error(&head.method, &head.target) {
                Some(e) => reject(alloc::vec![HandshakeError::Http(e)], Vec::new(), None),
                None => {
                    let fields = RequestFields::read(&head.headers);
                    validate_parts(&head.method, head.version, &head.headers, &fields, policy)
                }
            };
            match &mut outcome {
                ServerOutcome::Accept(a) => a.consumed = Some(used),
                ServerOutcome::Reject(r) => r.consumed = Some(used),
            }
            Status::Complete(outcome)
        }
        Err(e) => Status::Complete(reject(
            alloc::vec![HandshakeError::Http(e)],
            Vec::new(),
            None,
        )),
    }
}

/// A GET's request-target is origin-form (`/path?query`) or the absolute-form of an `http`,
/// `https`, `ws` or `wss` URI (RFC 9112 §3.2.1-§3.2.2, RFC 6455 §4.2.1 item 1: "/resource name/"),
/// in visible ASCII (no space, control or non-ASCII byte: RFC 3986 §2 percent-encodes them).
/// Authority-form belongs to CONNECT and asterisk-form to OPTIONS (§3.2.3-§3.2.4). The offset
/// is the fault's byte in the head as written (`METHOD target …`).
fn target_error(method: &str, target: &str) -> Option<HttpError> {
    let at = |i: usize| HttpError::Malformed {
        what: "request-target",
        offset: Some(method.len().saturating_add(1).saturating_add(i)),
    };
    if let Some(i) = target.bytes().position(|b| !(0x21..=0x7e).contains(&b)) {
        return Some(at(i));
    }
    if target.starts_with('/') {
        return None; // origin-form, the common case: no scheme to look for
    }
    let scheme = target.find("://").map(|end| &target[..end]);
    let absolute = scheme.is_some_and(|s| {
        ["http", "https", "ws", "wss"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w))
    });
    (!target.starts_with('/') && !absolute).then(|| at(0))
}

/// The head's size as it would be written (`METHOD target HTTP/1.1\r\n`, `name: value\r\n`
/// per line, the empty line) and its line count, against `limits` (RFC 6585 §5: 431).
fn head_limit_error(
    method: &str,
    target: &str,
    fields: &RequestFields<'_>,
    limits: &HeadLimits,
) -> Option<HttpError> {
    if fields.lines() > limits.max_headers {
        return Some(HttpError::TooManyHeaders {
            max: limits.max_headers,
        });
    }
    let len = method
        .len()
        .saturating_add(target.len())
        .saturating_add(12)
        .saturating_add(fields.lines_len());
    (len.saturating_add(2) > limits.max_head_bytes).then_some(HttpError::HeadTooLarge {
        len,
        max: limits.max_head_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_limits_hold_for_parts() {
        // Regression: validate_request (a request given as parts) ignored maxHeaderBytes and
        // maxHeaders, so a 1 MiB header or 10,000 lines were accepted where parse_request gave 431.
        let mut headers = HeaderList::new();
        for (n, v) in [
            ("Host", "a"),
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ("Sec-WebSocket-Version", "13"),
        ] {
            headers.push(n, v);
        }
        let policy = ServerPolicy::default();
        let ok = validate_request("GET", "/", HttpVersion::HTTP_11, &headers, &policy);
        assert_eq!(ok.status(), 101);
        let mut big = headers.clone();
        big.push("X-Big", &"a".repeat(1 << 20));
        let out = validate_request("GET", "/", HttpVersion::HTTP_11, &big, &policy);
        assert_eq!(out.status(), 431);
        let mut many = headers.clone();
        for i in 0..10_000 {
            many.push(&alloc::format!("X-{i}"), "v");
        }
        let out = validate_request("GET", "/", HttpVersion::HTTP_11, &many, &policy);
        assert_eq!(out.status(), 431);
        let roomy = ServerPolicy {
            limits: HeadLimits {
                max_head_bytes: 4 << 20,
                max_headers: 20_000,
            },
            ..ServerPolicy::default()
        };
        assert_eq!(
            validate_request("GET", "/", HttpVersion::HTTP_11, &many, &roomy).status(),
            101
        );
    }

    #[test]
    fn judge_request_agrees_with_validate_request() {
        let Ok(Status::Complete((head, _))) =
            parse_request_head(RFC_REQUEST, &HeadLimits::default())
        else {
            panic!("RFC request not parsed")
        };
        let policy = ServerPolicy::default().with_subprotocols(["chat"]);
        let mut verdicts = Vec::new();
        let fields = RequestFields::read(&head.headers);
        let j = judge_request(
            &head.method,
            &head.target,
            head.version,
            &head.headers,
            &fields,
            &policy,
            &mut verdicts,
        )
        .expect("within the limits");
        assert_eq!(j.key, Some("dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(j.errors.is_empty());
        assert_eq!(j.negotiated.protocol.as_deref(), Some("chat"));
        let ServerOutcome::Accept(a) = validate_request(
            &head.method,
            &head.target,
            head.version,
            &head.headers,
            &policy,
        ) else {
            panic!("not accepted")
        };
        assert_eq!(verdicts, a.verdicts);
        assert_eq!(verdicts.len(), VERDICTS);
        let tight = ServerPolicy {
            limits: HeadLimits {
                max_head_bytes: 64,
                max_headers: 100,
            },
            ..ServerPolicy::default()
        };
        verdicts.clear();
        assert!(judge_request(
            &head.method,
            &head.target,
            head.version,
            &head.headers,
            &fields,
            &tight,
            &mut verdicts
        )
        .is_none());
    }

    #[test]
    fn fields_index_gives_the_same_outcome_as_the_lines() {
        use crate::error::Diagnostic;
        // Requests whose checks reread lines (split lists, duplicates, case variants, a name that
        // shares a prefix with a field, odd bytes): judge_request over the one-pass index agrees
        // with validate_request on every code, and accepts exactly when it does.
        let base = [
            ("Host", "server.example.com"),
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ("Sec-WebSocket-Version", "13"),
        ];
        let extra: &[&[(&str, &str)]] = &[
            &[],
            &[
                ("sec-websocket-protocol", "x"),
                ("SEC-WEBSOCKET-PROTOCOL", "chat, x"),
            ],
            &[("Sec-WebSocket-Protocol", "chat, chat")],
            &[("Sec-WebSocket-Key2", "12998 5 Y3 1  .P00")],
            &[("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")],
            &[("upgrade", "h2c")],
            &[("Connection", "keep-alive")],
            &[("Content-Length", "0"), ("content-length", "0, 0")],
            &[("Content-Length", "0"), ("content-length", "5")],
            &[("Transfer-Encoding", "chunked")],
            &[("X-Fold", "a\r\n b")],
            &[("Bad Name", "v")],
            &[
                ("Origin", "http://a.example"),
                ("origin", "http://b.example"),
            ],
            &[(
                "Sec-WebSocket-Extensions",
                "permessage-deflate; client_max_window_bits",
            )],
            &[("Sec-WebSocket-Extensions", "permessage-deflate; x=\"")],
            &[("HOST", "other.example")],
        ];
        let policies = [
            ServerPolicy::default(),
            ServerPolicy::default()
                .with_subprotocols(["chat"])
                .with_deflate(DeflateConfig::default()),
        ];
        // Whether the default policy accepts each, in order (the rules as written, not this code).
        let accepts = [
            true, false, false, true, false, true, true, true, false, false, false, false, false,
            true, true, false,
        ];
        for (more, accept) in extra.iter().zip(accepts) {
            let h = HeaderList::from_pairs(base.iter().chain(more.iter()).copied());
            assert_eq!(
                validate_request("GET", "/", HttpVersion::HTTP_11, &h, &policies[0]).is_accept(),
                accept,
                "{more:?}"
            );
            for policy in &policies {
                let outcome = validate_request("GET", "/", HttpVersion::HTTP_11, &h, policy);
                let mut verdicts = Vec::new();
                let pairs: Vec<(&str, &str)> = base.iter().chain(more.iter()).copied().collect();
                let fields = RequestFields::from_lines(pairs.iter().copied());
                let j = judge_request(
                    "GET",
                    "/",
                    HttpVersion::HTTP_11,
                    &h,
                    &fields,
                    policy,
                    &mut verdicts,
                )
                .expect("within the limits");
                let codes: Vec<&str> = j.errors.iter().map(|e| e.code()).collect();
                assert_eq!(codes, outcome.codes(), "{more:?}");
                assert_eq!(j.errors.is_empty(), outcome.is_accept(), "{more:?}");
                assert_eq!(&verdicts[..], outcome.verdicts(), "{more:?}");
            }
        }
    }

    const RFC_REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\n\
Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n";

    #[test]
    fn rfc6455_section_1_2_request() {
        let policy = ServerPolicy::default().with_subprotocols(["chat"]);
        let Status::Complete(ServerOutcome::Accept(a)) = parse_request(RFC_REQUEST, &policy) else {
            panic!("not accepted")
        };
        assert_eq!(a.accept_key, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(a.protocol.as_deref(), Some("chat"));
        assert_eq!(a.consumed, Some(RFC_REQUEST.len()));
        assert!(a.verdicts.iter().all(|v| v.passed));
        assert_eq!(a.response.status, 101);
    }

    #[test]
    fn reports_every_problem() {
        let h = HeaderList::from_pairs([("Sec-WebSocket-Version", "8")]);
        let outcome = validate_request(
            "POST",
            "/",
            HttpVersion::HTTP_10,
            &h,
            &ServerPolicy::default(),
        );
        assert_eq!(
            outcome.codes(),
            [
                "method-not-get",
                "http-version-too-old",
                "missing-host",
                "missing-upgrade",
                "missing-connection",
                "missing-key",
                "unsupported-version"
            ]
        );
        assert_eq!(outcome.status(), 400);
    }
}

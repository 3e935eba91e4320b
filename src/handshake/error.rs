//! `HandshakeError`: one variant per rule of the opening handshake (RFC 6455 §4, RFC 7692 §7,
//! RFC 8441, RFC 9110 §7.8), plus the plain-data [`Problem`] and [`Verdict`] the explainer shows.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{truncate_for_display, Diagnostic, ErrorCode};
use crate::http::{HttpError, HttpVersion};

use super::accept_key::KeyError;

/// Which message a rule applies to: the client's request or the server's response (RFC 6455 §4.1,
/// §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub enum Side {
    /// The client's upgrade request, checked by the server (RFC 6455 §4.2.1).
    Request,
    /// The server's response, checked by the client (RFC 6455 §4.1).
    Response,
}

/// Everything that can be wrong with an opening handshake (RFC 6455 §4). Each variant has a
/// stable kebab-case [`Diagnostic::code`]; request faults carry the HTTP status to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The head itself is not valid HTTP/1.1, too large, or holds illegal bytes (RFC 9112).
    Http(HttpError),
    /// `Sec-WebSocket-Key` is not base64 of 16 bytes (RFC 6455 §4.2.1 item 5).
    Key(KeyError),
    /// The method is not GET (RFC 6455 §4.2.1 item 1).
    MethodNotGet {
        /// The method found.
        method: String,
    },
    /// The request is older than HTTP/1.1 (RFC 6455 §4.2.1 item 1).
    HttpVersionTooOld {
        /// The HTTP version of the request.
        version: HttpVersion,
    },
    /// An HTTP/2 or HTTP/3 request asked for an HTTP/1.1 upgrade: those versions have no
    /// `Upgrade` and no 101; a WebSocket is opened by extended CONNECT (RFC 9113 §8.2.2, §8.6;
    /// RFC 8441, RFC 9220).
    UpgradeOverHttp2 {
        /// The HTTP version of the request.
        version: HttpVersion,
    },
    /// No `Host` header (RFC 6455 §4.2.1 item 2, RFC 9112 §3.2).
    MissingHost,
    /// `Host` is not `uri-host [ ":" port ]` (RFC 9112 §3.2: answer 400).
    InvalidHost {
        /// The offending value.
        value: String,
    },
    /// The upgrade request announces a body (`Content-Length` other than 0, or
    /// `Transfer-Encoding`): its bytes would be read as frames (RFC 9112 §6.3, RFC 6455 §4.1).
    RequestBody {
        /// The header concerned.
        header: &'static str,
        /// The offending value.
        value: String,
    },
    /// A header that must appear at most once appears `count` times (RFC 6455 §11.3, RFC 9112 §3.2).
    DuplicateHeader {
        /// The header concerned.
        header: &'static str,

        /// How many times it appears.
        count: usize,

        /// Which message the fault is in.
        side: Side,
    },
    /// No `Upgrade` header (RFC 6455 §4.2.1 item 3, §4.1).
    MissingUpgrade {
        /// Which message the fault is in.
        side: Side,
    },
    /// `Upgrade` is not a list of `protocol-name[/protocol-version]` (RFC 9110 §7.8).
    InvalidUpgradeHeader {
        /// The offending value.
        value: String,
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: usize,
    },
    /// `Upgrade` does not list `websocket` (RFC 6455 §4.2.1 item 3, §4.1).
    UpgradeNotWebsocket {
        /// The offending value.
        value: String,
        /// Which message the fault is in.
        side: Side,
    },
    /// No `Connection` header (RFC 6455 §4.2.1 item 4, §4.1).
    MissingConnection {
        /// Which message the fault is in.
        side: Side,
    },
    /// `Connection` does not list the `Upgrade` option (RFC 6455 §4.2.1 item 4, §4.1).
    ConnectionNotUpgrade {
        /// The offending value.
        value: String,
        /// Which message the fault is in.
        side: Side,
    },
    /// No `Sec-WebSocket-Key` (RFC 6455 §4.2.1 item 5).
    MissingKey,
    /// No `Sec-WebSocket-Version` (RFC 6455 §4.2.1 item 6).
    MissingVersion,
    /// `Sec-WebSocket-Version` is not 13 (RFC 6455 §4.2.2, §4.4): answered with 426.
    UnsupportedVersion {
        /// The offending value.
        value: String,
    },
    /// The policy requires an `Origin` header and there is none (RFC 6455 §4.2.2, §10.2).
    MissingOrigin,
    /// `Origin` is not allowed by the server's policy (RFC 6455 §4.2.2, §10.2): answered with 403.
    OriginNotAllowed {
        /// The origin received.
        origin: String,
    },
    /// An element of `Sec-WebSocket-Protocol` is not a token (RFC 6455 §4.1 item 10, §11.3.4).
    InvalidSubprotocol {
        /// The offending value.
        value: String,

        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: usize,

        /// Which message the fault is in.
        side: Side,
    },
    /// The client offers the same subprotocol twice (RFC 6455 §4.1 item 10: "each being unique").
    DuplicateSubprotocol {
        /// The offending value.
        value: String,
    },
    /// The server requires a subprotocol and none offered is supported (RFC 6455 §4.2.2 /subprotocol/).
    NoCommonSubprotocol {
        /// The subprotocols offered.
        offered: Vec<String>,
    },
    /// `Sec-WebSocket-Extensions` does not follow the §9.1 grammar (RFC 6455 §9.1).
    InvalidExtensionHeader {
        /// The offending value.
        value: String,

        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: usize,

        /// What the grammar expected there.
        expected: &'static str,

        /// Which message the fault is in.
        side: Side,
    },
    /// The server answered with a status other than 101 (RFC 6455 §4.1).
    UnexpectedStatus {
        /// The status received.
        status: u16,
        /// The status line's reason phrase.
        reason: String,
    },
    /// The response lacks `Sec-WebSocket-Accept` (RFC 6455 §4.1, client check 4).
    MissingAccept,
    /// `Sec-WebSocket-Accept` is not the value derived from the key sent (RFC 6455 §4.1, §4.2.2).
    AcceptMismatch {
        /// What the grammar expected there.
        expected: String,
        /// The value received.
        received: String,
    },
    /// The server chose a subprotocol the client did not offer (RFC 6455 §4.1, client check 6).
    UnofferedSubprotocol {
        /// The offending value.
        value: String,
    },
    /// The client offered subprotocols, required one, and the 101 selects none. RFC 6455 §4.1
    /// lets a client go on; browsers (WHATWG WebSockets) and `ws` fail the connection.
    MissingSubprotocol {
        /// The subprotocols offered.
        offered: Vec<String>,
    },
    /// The server accepted an extension the client did not offer (RFC 6455 §4.1, client check 5).
    UnofferedExtension {
        /// The name concerned.
        name: String,
    },
    /// The response lists an extension twice (RFC 7692 §7, RFC 6455 §9.1).
    DuplicateExtension {
        /// The name concerned.
        name: String,
    },
    /// A `permessage-deflate` parameter is unknown, repeated, or has a bad value (RFC 7692 §7.1).
    InvalidDeflateParam {
        /// The parameter name.
        param: String,

        /// The offending value.
        value: Option<String>,

        /// Why, in a few words.
        reason: &'static str,

        /// Which message the fault is in.
        side: Side,
    },
    /// The URL is not a WebSocket URI (RFC 6455 §3).
    InvalidUrl {
        /// The URL given.
        url: String,
        /// Why, in a few words.
        reason: &'static str,
    },
    /// The URL scheme is not `ws`, `wss`, `http` or `https` (RFC 6455 §3).
    UnsupportedScheme {
        /// The scheme given.
        scheme: String,
    },
    /// The URL has a fragment, which WebSocket URIs must not (RFC 6455 §3).
    UrlFragment {
        /// The URL given.
        url: String,
    },
    /// The URL port is not a number in 1..=65535 (RFC 6455 §3, RFC 3986 §3.2.3).
    InvalidPort {
        /// The port given.
        port: String,
    },
    /// An extra header would override a header the handshake sets itself (RFC 6455 §4.1).
    ForbiddenHeader {
        /// The name concerned.
        name: String,
    },
    /// Extended CONNECT: `:method` is not CONNECT (RFC 8441 §4).
    MethodNotConnect {
        /// The method found.
        method: String,
    },
    /// Extended CONNECT: a required pseudo-header is missing (RFC 8441 §4, RFC 9113 §8.3.1).
    MissingPseudoHeader {
        /// The name concerned.
        name: &'static str,
    },
    /// A pseudo-header is unknown, repeated, after a regular field, or empty (RFC 9113 §8.3).
    InvalidPseudoHeader {
        /// The name concerned.
        name: String,
        /// Why, in a few words.
        reason: &'static str,
    },
    /// Extended CONNECT: `:protocol` is not `websocket` (RFC 8441 §4, RFC 9220 §3).
    ProtocolNotWebsocket {
        /// The offending value.
        value: String,
    },
    /// Extended CONNECT carries `Sec-WebSocket-Key`, superseded by `:protocol` (RFC 8441 §5).
    KeyInExtendedConnect,
    /// A connection-specific header in HTTP/2 or HTTP/3 (RFC 9113 §8.2.2).
    ConnectionSpecificHeader {
        /// The name concerned.
        name: String,
    },
    /// An uppercase field name in HTTP/2 or HTTP/3 (RFC 9113 §8.2.1).
    UppercaseHeaderName {
        /// The name concerned.
        name: String,
    },
    /// h2c upgrade without exactly one `HTTP2-Settings` (RFC 7540 §3.2.1).
    MissingHttp2Settings,
    /// `HTTP2-Settings` is not base64url of whole SETTINGS entries with valid values (RFC 7540 §3.2.1,
    /// RFC 9113 §6.5.2).
    InvalidHttp2Settings {
        /// The offending value.
        value: String,
        /// Why, in a few words.
        reason: &'static str,
    },
    /// A client option breaks the rule a server would check it against (the key, a
    /// subprotocol, an extension offer, the origin or an extra header): the caller's fault,
    /// reported with the option's name and the rule (`cause`).
    InvalidOption {
        /// The option: `"key"`, `"protocols"`, `"deflate"`, `"extensions"`, `"origin"` or
        /// `"headers"`.
        option: &'static str,
        /// The rule the value breaks.
        cause: alloc::boxed::Box<HandshakeError>,
    },
}

impl HandshakeError {
    /// Which message the fault is in, for the faults that can be in either.
    pub fn side(&self) -> Option<Side> {
        use HandshakeError as E;
        match self {
            E::DuplicateHeader { side, .. }
            | E::MissingUpgrade { side }
            | E::UpgradeNotWebsocket { side, .. }
            | E::MissingConnection { side }
            | E::ConnectionNotUpgrade { side, .. }
            | E::InvalidSubprotocol { side, .. }
            | E::InvalidExtensionHeader { side, .. }
            | E::InvalidDeflateParam { side, .. } => Some(*side),
            _ => None,
        }
    }

    /// `self` as the caller's fault in client option `option` ([`HandshakeError::InvalidOption`]).
    pub fn in_option(self, option: &'static str) -> Self {
        HandshakeError::InvalidOption {
            option,
            cause: alloc::boxed::Box::new(self),
        }
    }
}

impl From<HttpError> for HandshakeError {
    fn from(e: HttpError) -> Self {
        HandshakeError::Http(e)
    }
}

impl From<KeyError> for HandshakeError {
    fn from(e: KeyError) -> Self {
        HandshakeError::Key(e)
    }
}

impl Diagnostic for HandshakeError {
    fn error_code(&self) -> ErrorCode {
        use HandshakeError as E;
        match self {
            E::Http(e) => e.error_code(),
            E::Key(e) => e.error_code(),
            E::MethodNotGet { .. } => ErrorCode::MethodNotGet,
            E::HttpVersionTooOld { .. } => ErrorCode::HttpVersionTooOld,
            E::UpgradeOverHttp2 { .. } => ErrorCode::UpgradeOverHttp2,
            E::MissingHost => ErrorCode::MissingHost,
            E::InvalidHost { .. } => ErrorCode::InvalidHost,
            E::RequestBody { .. } => ErrorCode::RequestBody,
            E::DuplicateHeader { .. } => ErrorCode::DuplicateHeader,
            E::MissingUpgrade { .. } => ErrorCode::MissingUpgrade,
            E::InvalidUpgradeHeader { .. } => ErrorCode::InvalidUpgradeHeader,
            E::UpgradeNotWebsocket { .. } => ErrorCode::UpgradeNotWebsocket,
            E::MissingConnection { .. } => ErrorCode::MissingConnection,
            E::ConnectionNotUpgrade { .. } => ErrorCode::ConnectionNotUpgrade,
            E::MissingKey => ErrorCode::MissingKey,
            E::MissingVersion => ErrorCode::MissingVersion,
            E::UnsupportedVersion { .. } => ErrorCode::UnsupportedVersion,
            E::MissingOrigin => ErrorCode::MissingOrigin,
            E::OriginNotAllowed { .. } => ErrorCode::OriginNotAllowed,
            E::InvalidSubprotocol { .. } => ErrorCode::InvalidSubprotocol,
            E::DuplicateSubprotocol { .. } => ErrorCode::DuplicateSubprotocol,
            E::NoCommonSubprotocol { .. } => ErrorCode::NoCommonSubprotocol,
            E::InvalidExtensionHeader { .. } => ErrorCode::InvalidExtensionHeader,
            E::UnexpectedStatus { .. } => ErrorCode::UnexpectedStatus,
            E::MissingAccept => ErrorCode::MissingAccept,
            E::AcceptMismatch { .. } => ErrorCode::AcceptMismatch,
            E::UnofferedSubprotocol { .. } => ErrorCode::UnofferedSubprotocol,
            E::MissingSubprotocol { .. } => ErrorCode::MissingSubprotocol,
            E::UnofferedExtension { .. } => ErrorCode::UnofferedExtension,
            E::DuplicateExtension { .. } => ErrorCode::DuplicateExtension,
            E::InvalidDeflateParam { .. } => ErrorCode::InvalidDeflateParam,
            E::InvalidUrl { .. } => ErrorCode::InvalidUrl,
            E::UnsupportedScheme { .. } => ErrorCode::UnsupportedScheme,
            E::UrlFragment { .. } => ErrorCode::UrlFragment,
            E::InvalidPort { .. } => ErrorCode::InvalidPort,
            E::ForbiddenHeader { .. } => ErrorCode::ForbiddenHeader,
            E::MethodNotConnect { .. } => ErrorCode::MethodNotConnect,
            E::MissingPseudoHeader { .. } => ErrorCode::MissingPseudoHeader,
            E::InvalidPseudoHeader { .. } => ErrorCode::InvalidPseudoHeader,
            E::ProtocolNotWebsocket { .. } => ErrorCode::ProtocolNotWebsocket,
            E::KeyInExtendedConnect => ErrorCode::KeyInExtendedConnect,
            E::ConnectionSpecificHeader { .. } => ErrorCode::ConnectionSpecificHeader,
            E::UppercaseHeaderName { .. } => ErrorCode::UppercaseHeaderName,
            E::MissingHttp2Settings => ErrorCode::MissingHttp2Settings,
            E::InvalidHttp2Settings { .. } => ErrorCode::InvalidHttp2Settings,
            E::InvalidOption { .. } => ErrorCode::InvalidOption,
        }
    }

    fn rfc(&self) -> &'static str {
        use HandshakeError as E;
        match self {
            E::InvalidOption { cause, .. } => cause.rfc(),
            E::DuplicateHeader { header, .. } => match *header {
                "Host" => "RFC 9112 §3.2",
                "Sec-WebSocket-Key" => "RFC 6455 §11.3.1",
                "Sec-WebSocket-Accept" => "RFC 6455 §11.3.3",
                "Sec-WebSocket-Protocol" => "RFC 6455 §11.3.4",
                "Sec-WebSocket-Version" => "RFC 6455 §11.3.5",
                "Origin" => "RFC 6454 §7.3",
                "HTTP2-Settings" => "RFC 7540 §3.2.1",
                _ => "RFC 9110 §5.3",
            },
            // the client's checks of a response (§4.1) rather than the server's of a request
            E::MissingUpgrade {
                side: Side::Response,
            }
            | E::UpgradeNotWebsocket {
                side: Side::Response,
                ..
            }
            | E::MissingConnection {
                side: Side::Response,
            }
            | E::ConnectionNotUpgrade {
                side: Side::Response,
                ..
            } => "RFC 6455 §4.1",
            E::InvalidSubprotocol {
                side: Side::Response,
                ..
            } => "RFC 6455 §11.3.4",
            _ => self.error_code().entry().rfc,
        }
    }

    #[cfg(not(feature = "explain"))]
    fn message(&self) -> String {
        crate::error::compact_message(self)
    }

    #[cfg(feature = "explain")]
    fn message(&self) -> String {
        use alloc::format;
        use HandshakeError as E;
        let t = |s: &String| truncate_for_display(s, 40);
        match self {
            E::Http(e) => e.message(),
            E::Key(e) => e.message(),
            E::InvalidOption { option, cause } => {
                format!("The {option} option is not acceptable: {}", cause.message())
            }
            E::MethodNotGet { method } => {
                format!("A WebSocket upgrade must be a GET request, not {}.", t(method))
            }
            E::HttpVersionTooOld { version } => {
                format!("A WebSocket upgrade needs HTTP/1.1 or later; this request is {version}.")
            }
            E::UpgradeOverHttp2 { version } => format!(
                "{version} has no Upgrade and no 101: open a WebSocket there with an extended CONNECT (:protocol websocket)."
            ),
            E::MissingHost => String::from("The request has no Host header, which HTTP/1.1 and RFC 6455 require."),
            E::InvalidHost { .. } => String::from(
                "The Host header must be a host name or address with an optional :port.",
            ),
            E::RequestBody { header, .. } => format!(
                "An upgrade request carries no body, but {header} announces one: its bytes would be read as WebSocket frames."
            ),
            E::DuplicateHeader { header, count, .. } => {
                format!("The {header} header must appear once, but appears {count} times.")
            }
            E::MissingUpgrade { .. } => String::from("There is no Upgrade header; it must list \"websocket\"."),
            E::InvalidUpgradeHeader { .. } => String::from(
                "The Upgrade header must be a comma-separated list of protocol[/version] tokens.",
            ),
            E::UpgradeNotWebsocket { .. } => {
                String::from("The Upgrade header does not list \"websocket\" (compared case-insensitively).")
            }
            E::MissingConnection { .. } => {
                String::from("There is no Connection header; it must include the \"Upgrade\" option.")
            }
            E::ConnectionNotUpgrade { .. } => String::from(
                "The Connection header does not include the \"Upgrade\" option (compared case-insensitively).",
            ),
            E::MissingKey => String::from("There is no Sec-WebSocket-Key header with the client's base64 nonce."),
            E::MissingVersion => String::from(
                "There is no Sec-WebSocket-Version header; clients must send \"13\".",
            ),
            E::UnsupportedVersion { value } => format!(
                "Sec-WebSocket-Version is \"{}\", but this server speaks only version 13; it answers 426 with Sec-WebSocket-Version: 13.",
                t(value)
            ),
            E::MissingOrigin => String::from("The server requires an Origin header and the request has none."),
            E::OriginNotAllowed { origin } => {
                format!("The origin \"{}\" is not allowed to connect; the server answers 403.", t(origin))
            }
            E::InvalidSubprotocol { .. } => {
                String::from("Each Sec-WebSocket-Protocol value must be an HTTP token (no spaces, slashes or quotes).")
            }
            E::DuplicateSubprotocol { value } => {
                format!("The subprotocol \"{}\" is offered more than once; offers must be unique.", t(value))
            }
            E::NoCommonSubprotocol { .. } => String::from(
                "The server requires a subprotocol and none of those the client offered is supported.",
            ),
            E::InvalidExtensionHeader { expected, .. } => {
                format!("Sec-WebSocket-Extensions does not follow the RFC 6455 §9.1 grammar: expected {expected}.")
            }
            E::UnexpectedStatus { status, .. } => format!(
                "The server answered {status} instead of 101 Switching Protocols, so the connection did not upgrade."
            ),
            E::MissingAccept => String::from("The response has no Sec-WebSocket-Accept header."),
            E::AcceptMismatch { expected, .. } => format!(
                "Sec-WebSocket-Accept does not match the key that was sent; expected \"{expected}\"."
            ),
            E::UnofferedSubprotocol { value } => {
                format!("The server selected subprotocol \"{}\", which the client did not offer.", t(value))
            }
            E::MissingSubprotocol { .. } => String::from(
                "The client offered subprotocols and requires one, and the response selects none (browsers and ws fail such a connection).",
            ),
            E::UnofferedExtension { name } => {
                format!("The server accepted extension \"{}\", which the client did not offer.", t(name))
            }
            E::DuplicateExtension { name } => {
                format!("The response accepts extension \"{}\" more than once.", t(name))
            }
            E::InvalidDeflateParam { param, reason, .. } => {
                format!("permessage-deflate parameter \"{}\" is not acceptable: {reason}.", t(param))
            }
            E::InvalidUrl { reason, .. } => format!("The URL is not a valid WebSocket URI: {reason}."),
            E::UnsupportedScheme { scheme } => {
                format!("The URL scheme \"{}\" is not ws, wss, http or https.", t(scheme))
            }
            E::UrlFragment { .. } => String::from("WebSocket URIs must not have a #fragment."),
            E::InvalidPort { port } => format!("The port \"{}\" is not a number from 1 to 65535.", t(port)),
            E::ForbiddenHeader { name } => format!(
                "The extra header \"{}\" would override a header the handshake sets itself.",
                t(name)
            ),
            E::MethodNotConnect { method } => format!(
                "A WebSocket over HTTP/2 or HTTP/3 is an extended CONNECT request; :method is {}.",
                t(method)
            ),
            E::MissingPseudoHeader { name } => {
                format!("The extended CONNECT request lacks the {name} pseudo-header.")
            }
            E::InvalidPseudoHeader { name, reason } => {
                format!("The pseudo-header \"{}\" is malformed: {reason}.", t(name))
            }
            E::ProtocolNotWebsocket { value } => {
                format!("The :protocol pseudo-header is \"{}\", not \"websocket\".", t(value))
            }
            E::KeyInExtendedConnect => String::from(
                "Extended CONNECT does not use Sec-WebSocket-Key; the :protocol pseudo-header replaces it.",
            ),
            E::ConnectionSpecificHeader { name } => format!(
                "HTTP/2 and HTTP/3 forbid the connection-specific header \"{}\".",
                t(name)
            ),
            E::UppercaseHeaderName { name } => {
                format!("HTTP/2 and HTTP/3 field names must be lowercase; \"{}\" is not.", t(name))
            }
            E::MissingHttp2Settings => {
                String::from("An h2c upgrade must carry exactly one HTTP2-Settings header.")
            }
            E::InvalidHttp2Settings { reason, .. } => format!("HTTP2-Settings is not valid: {reason}."),
        }
    }

    fn header(&self) -> Option<&'static str> {
        use HandshakeError as E;
        match self {
            E::Http(e) => e.header(),
            E::Key(e) => e.header(),
            E::InvalidOption { cause, .. } => cause.header(),
            E::MissingHost | E::InvalidHost { .. } => Some("Host"),
            E::RequestBody { header, .. } => Some(header),
            E::DuplicateHeader { header, .. } => Some(header),
            E::MissingUpgrade { .. }
            | E::InvalidUpgradeHeader { .. }
            | E::UpgradeNotWebsocket { .. } => Some("Upgrade"),
            E::MissingConnection { .. } | E::ConnectionNotUpgrade { .. } => Some("Connection"),
            E::MissingKey | E::KeyInExtendedConnect => Some("Sec-WebSocket-Key"),
            E::MissingVersion | E::UnsupportedVersion { .. } => Some("Sec-WebSocket-Version"),
            E::MissingOrigin | E::OriginNotAllowed { .. } => Some("Origin"),
            E::InvalidSubprotocol { .. }
            | E::DuplicateSubprotocol { .. }
            | E::NoCommonSubprotocol { .. }
            | E::UnofferedSubprotocol { .. }
            | E::MissingSubprotocol { .. } => Some("Sec-WebSocket-Protocol"),
            E::InvalidExtensionHeader { .. }
            | E::UnofferedExtension { .. }
            | E::DuplicateExtension { .. }
            | E::InvalidDeflateParam { .. } => Some("Sec-WebSocket-Extensions"),
            E::MissingAccept | E::AcceptMismatch { .. } => Some("Sec-WebSocket-Accept"),
            E::MissingPseudoHeader { name } => Some(name),
            E::MethodNotConnect { .. } => Some(":method"),
            E::ProtocolNotWebsocket { .. } => Some(":protocol"),
            E::ConnectionSpecificHeader { name }
            | E::UppercaseHeaderName { name }
            | E::ForbiddenHeader { name } => crate::http::canonical_name(name),
            E::MissingHttp2Settings | E::InvalidHttp2Settings { .. } => Some("HTTP2-Settings"),
            _ => None,
        }
    }

    fn value(&self) -> Option<String> {
        use HandshakeError as E;
        let v = |s: &String| Some(truncate_for_display(s, 64));
        match self {
            E::Http(e) => e.value(),
            E::Key(e) => e.value(),
            E::InvalidOption { cause, .. } => cause.value(),
            E::MethodNotGet { method } | E::MethodNotConnect { method } => v(method),
            E::HttpVersionTooOld { version } | E::UpgradeOverHttp2 { version } => {
                Some(alloc::format!("{version}"))
            }
            E::InvalidHost { value } | E::RequestBody { value, .. } => v(value),
            E::InvalidUpgradeHeader { value, .. }
            | E::UpgradeNotWebsocket { value, .. }
            | E::ConnectionNotUpgrade { value, .. }
            | E::UnsupportedVersion { value }
            | E::InvalidSubprotocol { value, .. }
            | E::DuplicateSubprotocol { value }
            | E::InvalidExtensionHeader { value, .. }
            | E::UnofferedSubprotocol { value }
            | E::ProtocolNotWebsocket { value }
            | E::InvalidHttp2Settings { value, .. } => v(value),
            E::OriginNotAllowed { origin } => v(origin),
            E::NoCommonSubprotocol { offered } | E::MissingSubprotocol { offered } => {
                Some(truncate_for_display(&offered.join(", "), 64))
            }
            E::UnexpectedStatus { status, reason } => Some(truncate_for_display(
                &alloc::format!("{status} {reason}"),
                64,
            )),
            E::AcceptMismatch { received, .. } => v(received),
            E::UnofferedExtension { name } | E::DuplicateExtension { name } => v(name),
            E::InvalidDeflateParam { param, value, .. } => match value {
                Some(value) => Some(truncate_for_display(&alloc::format!("{param}={value}"), 64)),
                None => v(param),
            },
            E::InvalidUrl { url, .. } | E::UrlFragment { url } => v(url),
            E::UnsupportedScheme { scheme } => v(scheme),
            E::InvalidPort { port } => v(port),
            E::ForbiddenHeader { name }
            | E::InvalidPseudoHeader { name, .. }
            | E::ConnectionSpecificHeader { name }
            | E::UppercaseHeaderName { name } => v(name),
            _ => None,
        }
    }

    fn offset(&self) -> Option<u64> {
        use HandshakeError as E;
        match self {
            E::Http(e) => e.offset(),
            E::Key(e) => e.offset(),
            E::InvalidOption { cause, .. } => cause.offset(),
            E::InvalidUpgradeHeader { offset, .. }
            | E::InvalidSubprotocol { offset, .. }
            | E::InvalidExtensionHeader { offset, .. } => Some(*offset as u64),
            _ => None,
        }
    }

    fn status(&self) -> Option<u16> {
        // A fault in the server's response is the client's to report: no status to answer.
        if self.side() == Some(Side::Response) {
            return None;
        }
        self.error_code().entry().status
    }
}

crate::error::diagnostic_display!(HandshakeError);

/// A diagnostic flattened to plain data for the explainer and the JS layer (see
/// [`Diagnostic`]); built from any error of any layer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct Problem {
    /// Stable kebab-case code.
    pub code: &'static str,
    /// RFC section of the rule.
    pub rfc: &'static str,
    /// One sentence a person can act on.
    pub message: String,
    /// Deprecated: the same sentence as `message`, kept because the CLI's documented JSON
    /// report and the explainer read it. To be removed.
    pub explanation: String,
    /// The header concerned.
    pub header: Option<&'static str>,
    /// The offending value, truncated.
    pub value: Option<String>,
    /// Byte offset of the fault, where one applies.
    pub offset: Option<u64>,
    /// HTTP status a server answers with.
    pub status: Option<u16>,
    /// Who broke the rule: `"peer"`, `"caller"`, `"local"` or `"transport"`.
    pub blame: &'static str,
}

impl Problem {
    /// Flattens any [`Diagnostic`].
    pub fn from_diagnostic(d: &dyn Diagnostic) -> Self {
        let message = d.message();
        Problem {
            code: d.code(),
            rfc: d.rfc(),
            explanation: message.clone(),
            message,
            header: d.header(),
            value: d.value(),
            offset: d.offset(),
            status: d.status(),
            blame: d.blame().as_str(),
        }
    }
}

/// Flattens a list of errors into [`Problem`]s.
pub fn problems(errors: &[HandshakeError]) -> Vec<Problem> {
    errors.iter().map(|e| Problem::from_diagnostic(e)).collect()
}

/// One line of the explainer's checklist: a named rule and whether the message passed it
/// (RFC 6455 §4.1, §4.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct Verdict {
    /// Short stable name of the check (`"method"`, `"upgrade"`, `"key"`, …).
    pub check: &'static str,
    /// The header it looks at, if any.
    pub header: Option<&'static str>,
    /// Whether the message satisfies the rule.
    pub passed: bool,
    /// The rule in one sentence.
    pub rule: &'static str,
    /// Where the rule is written.
    pub rfc: &'static str,
    /// Codes of the errors this check found (empty when passed).
    pub codes: Vec<&'static str>,
}

/// Where the checks' verdicts go: a list (the outcome's `verdicts`), or a summary when the
/// caller does not ask for them (the packed `validateRequest`, see `src/wasm/handshake.rs`).
pub(crate) trait VerdictSink {
    /// Takes the verdict of one check, in the order the checks run.
    fn verdict(&mut self, verdict: Verdict);

    /// Takes one check's parts: by default built into a [`Verdict`] for [`VerdictSink::verdict`];
    /// a sink that keeps less (a count, a fingerprint) reads only what it keeps, and nothing is
    /// built.
    fn check(
        &mut self,
        check: &'static str,
        header: Option<&'static str>,
        rule: &'static str,
        rfc: &'static str,
        found: &[HandshakeError],
    ) {
        self.verdict(Verdict {
            check,
            header,
            passed: found.is_empty(),
            rule,
            rfc,
            codes: found.iter().map(|e| e.code()).collect(),
        });
    }
}

impl VerdictSink for Vec<Verdict> {
    fn verdict(&mut self, verdict: Verdict) {
        self.push(verdict);
    }
}

/// Runs one check: records its verdict and moves its errors into `errors`.
pub(crate) fn record(
    verdicts: &mut dyn VerdictSink,
    errors: &mut Vec<HandshakeError>,
    check: &'static str,
    header: Option<&'static str>,
    rule: &'static str,
    rfc: &'static str,
    found: Vec<HandshakeError>,
) {
    verdicts.check(check, header, rule, rfc, &found);
    if !found.is_empty() {
        errors.extend(found);
    }
}

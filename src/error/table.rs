//! The one table of error codes: for every code, the RFC section of its rule, the HTTP status a
//! server answers with, the close code the peer receives, and who is to blame. Every error type
//! of every layer names its row with [`ErrorCode`]; the binding exports the table to JS
//! (`errorCodes()`), and a test checks it against the TypeScript `Ws101ErrorCode` union.

/// Who broke the rule behind an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Blame {
    /// The peer broke the protocol: its request, response or frames are at fault. A server
    /// answers with the row's HTTP status; a connection closes with the row's close code.
    Peer,
    /// The caller misused the API (a value it asked to send or an option it set breaks a
    /// rule); nothing went on the wire.
    Caller,
    /// This endpoint's platform failed (no random numbers, no `.wasm` to load); neither side
    /// broke a rule.
    Local,
    /// The connection beneath the WebSocket (TCP, TLS, an HTTP/2 session or stream) stalled,
    /// ended or was reset before the exchange finished: no side is shown to have broken a rule
    /// of the protocol, nothing is answered and no close code is sent. The JS transport layers
    /// (ws101/node, the CLI) report these rows; the sans-IO core never waits or reads a socket.
    Transport,
}

impl Blame {
    /// `"peer"`, `"caller"`, `"local"` or `"transport"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Blame::Peer => "peer",
            Blame::Caller => "caller",
            Blame::Local => "local",
            Blame::Transport => "transport",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodeEntry {
    /// The row's name in Rust.
    pub kind: ErrorCode,
    /// Stable kebab-case code (`missing-key`).
    pub code: &'static str,
    /// The RFC section whose rule this is. An error may name a more specific section for its
    /// header or side (see [`Diagnostic::rfc`](super::Diagnostic::rfc)). Empty only for
    /// `wasm-not-found`, a failure of this endpoint that no RFC governs.
    pub rfc: &'static str,
    /// HTTP status a server answers a request with this fault with (400, 403, 426, 431); `None`
    /// for faults a server never finds in a request.
    pub status: Option<u16>,
    /// Close code (RFC 6455 §7.4.1) the peer receives when a connection fails with this fault.
    pub close_code: Option<u16>,
    /// Who broke the rule.
    pub blame: Blame,
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $rfc:literal, $status:expr, $close:expr, $blame:ident; )*) => {
        /// Every error code ws101 reports, one variant per row of [`ERROR_CODES`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        /// The table, in [`ErrorCode`] order.
        pub const ERROR_CODES: &[CodeEntry] = &[
            $( CodeEntry {
                kind: ErrorCode::$variant,
                code: $code,
                rfc: $rfc,
                status: $status,
                close_code: $close,
                blame: Blame::$blame,
            }, )*
        ];
    };
}

impl ErrorCode {
    /// This code's row.
    pub fn entry(self) -> &'static CodeEntry {
        // The macro lists rows in variant order, so the discriminant is the index (tested).
        &ERROR_CODES[self as usize]
    }

    /// The stable kebab-case code.
    pub fn as_str(self) -> &'static str {
        self.entry().code
    }

    /// The row of a kebab-case code, if it is one.
    pub fn from_code(code: &str) -> Option<&'static CodeEntry> {
        ERROR_CODES.iter().find(|e| e.code == code)
    }
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

const S400: Option<u16> = Some(400);
const NONE: Option<u16> = None;

error_codes! {
    // ---- HTTP/1.1 head (RFC 9110, RFC 9112) ----
    /// The head is longer than the limit (RFC 6585 §5).
    HeadTooLarge = "head-too-large", "RFC 6585 §5", Some(431), NONE, Peer;
    /// More header lines than the limit (RFC 6585 §5).
    TooManyHeaders = "too-many-headers", "RFC 6585 §5", Some(431), NONE, Peer;
    /// Not HTTP/1.x syntax (RFC 9112 §2.2).
    MalformedHead = "malformed-head", "RFC 9112 §2.2", S400, NONE, Peer;
    /// A control byte in a field value (RFC 9110 §5.5).
    IllegalHeaderByte = "illegal-header-byte", "RFC 9110 §5.5", S400, NONE, Peer;
    /// A field name that is not a token (RFC 9110 §5.1).
    InvalidHeaderName = "invalid-header-name", "RFC 9110 §5.1", S400, NONE, Peer;

    // ---- the opening handshake (RFC 6455 §4, RFC 7692, RFC 8441, RFC 7540) ----
    /// `Sec-WebSocket-Key` is not base64.
    BadKeyBase64 = "bad-key-base64", "RFC 6455 §4.2.1", S400, NONE, Peer;
    /// `Sec-WebSocket-Key` does not decode to 16 bytes.
    BadKeyLength = "bad-key-length", "RFC 6455 §4.2.1", S400, NONE, Peer;
    /// The method is not GET.
    MethodNotGet = "method-not-get", "RFC 6455 §4.2.1", S400, NONE, Peer;
    /// Older than HTTP/1.1.
    HttpVersionTooOld = "http-version-too-old", "RFC 6455 §4.2.1", S400, NONE, Peer;
    /// An HTTP/1.1 upgrade asked over HTTP/2 or HTTP/3.
    UpgradeOverHttp2 = "upgrade-over-http2", "RFC 9113 §8.2.2, RFC 8441 §4", S400, NONE, Peer;
    /// No `Host`.
    MissingHost = "missing-host", "RFC 6455 §4.2.1", S400, NONE, Peer;
    /// `Host` is not `uri-host [ ":" port ]`.
    InvalidHost = "invalid-host", "RFC 9112 §3.2", S400, NONE, Peer;
    /// The upgrade request announces a body.
    RequestBody = "request-body", "RFC 9112 §6.3", S400, NONE, Peer;
    /// A header that must appear once appears more often.
    DuplicateHeader = "duplicate-header", "RFC 9110 §5.3", S400, NONE, Peer;
    /// No `Upgrade`.
    MissingUpgrade = "missing-upgrade", "RFC 6455 §4.2.1", S400, NONE, Peer;
    /// `Upgrade` is not a protocol list.
    InvalidUpgradeHeader = "invalid-upgrade-header", "RFC 9110 §7.8", S400, NONE, Peer;
    /// `Upgrade` does not list `websocket`.
    UpgradeNotWebsocket = "upgrade-not-websocket", "RFC 6455 §4.2.1", S400, NONE, Peer;
    /// No `Connection`.
    MissingConnection = "missing-connection", "RFC 6455 §4.2.1", S400, NONE, Peer;
    /// `Connection` lacks `Upgrade`.
    ConnectionNotUpgrade = "connection-not-upgrade", "RFC 6455 §4.2.1", S400, NONE, Peer;
    /// No `Sec-WebSocket-Key`.
    MissingKey = "missing-key", "RFC 6455 §4.2.1", S400, NONE, Peer;
    /// No `Sec-WebSocket-Version`.
    MissingVersion = "missing-version", "RFC 6455 §4.2.1", S400, NONE, Peer;
    /// `Sec-WebSocket-Version` is not 13 (answered 426).
    UnsupportedVersion = "unsupported-version", "RFC 6455 §4.2.2", Some(426), NONE, Peer;
    /// The policy requires `Origin` and there is none.
    MissingOrigin = "missing-origin", "RFC 6455 §4.2.2", Some(403), NONE, Peer;
    /// The origin is not allowed.
    OriginNotAllowed = "origin-not-allowed", "RFC 6455 §4.2.2", Some(403), NONE, Peer;
    /// A subprotocol is not a token.
    InvalidSubprotocol = "invalid-subprotocol", "RFC 6455 §4.1", S400, NONE, Peer;
    /// A subprotocol offered twice.
    DuplicateSubprotocol = "duplicate-subprotocol", "RFC 6455 §4.1", S400, NONE, Peer;
    /// No offered subprotocol is supported and one is required.
    NoCommonSubprotocol = "no-common-subprotocol", "RFC 6455 §4.2.2", S400, NONE, Peer;
    /// `Sec-WebSocket-Extensions` breaks the §9.1 grammar.
    InvalidExtensionHeader = "invalid-extension-header", "RFC 6455 §9.1", S400, NONE, Peer;
    /// A `permessage-deflate` parameter is unknown, repeated or out of range.
    InvalidDeflateParam = "invalid-deflate-param", "RFC 7692 §7.1", S400, NONE, Peer;
    /// The server answered with a status other than 101.
    UnexpectedStatus = "unexpected-status", "RFC 6455 §4.1", NONE, NONE, Peer;
    /// No `Sec-WebSocket-Accept`.
    MissingAccept = "missing-accept", "RFC 6455 §4.1", NONE, NONE, Peer;
    /// `Sec-WebSocket-Accept` does not match the key sent.
    AcceptMismatch = "accept-mismatch", "RFC 6455 §4.1", NONE, NONE, Peer;
    /// The server chose a subprotocol not offered.
    UnofferedSubprotocol = "unoffered-subprotocol", "RFC 6455 §4.1", NONE, NONE, Peer;
    /// Subprotocols were offered and required, and the 101 selects none (browsers and `ws` fail it).
    MissingSubprotocol = "missing-subprotocol", "RFC 6455 §4.1", NONE, NONE, Peer;
    /// The server accepted an extension not offered.
    UnofferedExtension = "unoffered-extension", "RFC 6455 §4.1", NONE, NONE, Peer;
    /// The response accepts an extension twice.
    DuplicateExtension = "duplicate-extension", "RFC 7692 §7", NONE, NONE, Peer;
    /// Extended CONNECT: `:method` is not CONNECT.
    MethodNotConnect = "method-not-connect", "RFC 8441 §4", S400, NONE, Peer;
    /// Extended CONNECT: a pseudo-header is missing.
    MissingPseudoHeader = "missing-pseudo-header", "RFC 8441 §4", S400, NONE, Peer;
    /// A pseudo-header is unknown, repeated, misplaced or empty.
    InvalidPseudoHeader = "invalid-pseudo-header", "RFC 9113 §8.3", S400, NONE, Peer;
    /// Extended CONNECT: `:protocol` is not `websocket`.
    ProtocolNotWebsocket = "protocol-not-websocket", "RFC 8441 §4", S400, NONE, Peer;
    /// Extended CONNECT carries `Sec-WebSocket-Key`.
    KeyInExtendedConnect = "key-in-extended-connect", "RFC 8441 §5", S400, NONE, Peer;
    /// A connection-specific header in HTTP/2 or HTTP/3.
    ConnectionSpecificHeader = "connection-specific-header", "RFC 9113 §8.2.2", S400, NONE, Peer;
    /// An uppercase field name in HTTP/2 or HTTP/3.
    UppercaseHeaderName = "uppercase-header-name", "RFC 9113 §8.2.1", S400, NONE, Peer;
    /// h2c upgrade without exactly one `HTTP2-Settings`.
    MissingHttp2Settings = "missing-http2-settings", "RFC 7540 §3.2.1", S400, NONE, Peer;
    /// `HTTP2-Settings` is not valid.
    InvalidHttp2Settings = "invalid-http2-settings", "RFC 7540 §3.2.1", S400, NONE, Peer;
    /// A client asked for WebSockets over HTTP/2 and the server does not offer them: its
    /// SETTINGS lack `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`, or it speaks no HTTP/2 at all
    /// (TLS ALPN chose no `h2`), so extended CONNECT may not be sent.
    ConnectProtocolNotOffered = "connect-protocol-not-offered", "RFC 8441 §3", NONE, NONE, Peer;

    // ---- what the caller asked a client handshake to send (RFC 6455 §3, §4.1) ----
    /// The URL is not a WebSocket URI.
    InvalidUrl = "invalid-url", "RFC 6455 §3", NONE, NONE, Caller;
    /// The URL scheme is not ws, wss, http or https.
    UnsupportedScheme = "unsupported-scheme", "RFC 6455 §3", NONE, NONE, Caller;
    /// The URL has a fragment.
    UrlFragment = "url-fragment", "RFC 6455 §3", NONE, NONE, Caller;
    /// The URL port is not 1–65535.
    InvalidPort = "invalid-port", "RFC 6455 §3", NONE, NONE, Caller;
    /// An extra header would replace one the handshake sets.
    ForbiddenHeader = "forbidden-header", "RFC 6455 §4.1", NONE, NONE, Caller;
    /// A client option (key, subprotocols, extension offers, origin, headers) breaks the rule a
    /// server would check it against; the error names the option and that rule.
    InvalidOption = "invalid-option", "RFC 6455 §4.1", NONE, NONE, Caller;

    // ---- frames (RFC 6455 §5) ----
    /// A length not written in the fewest bytes.
    NonMinimalLength = "non-minimal-length", "RFC 6455 §5.2", NONE, Some(1002), Peer;
    /// A 64-bit length with its most significant bit set.
    LengthMsbSet = "length-msb-set", "RFC 6455 §5.2", NONE, Some(1002), Peer;
    /// A reserved opcode.
    ReservedOpcode = "reserved-opcode", "RFC 6455 §5.2", NONE, Some(1002), Peer;
    /// RSV bits no extension defines.
    ReservedBits = "reserved-bits", "RFC 6455 §5.2", NONE, Some(1002), Peer;
    /// A server received an unmasked frame.
    UnmaskedFrame = "unmasked-frame", "RFC 6455 §5.1", NONE, Some(1002), Peer;
    /// A client received a masked frame.
    MaskedFrame = "masked-frame", "RFC 6455 §5.1", NONE, Some(1002), Peer;
    /// A control frame over 125 bytes.
    ControlFrameTooLong = "control-frame-too-long", "RFC 6455 §5.5", NONE, Some(1002), Peer;
    /// A control frame without FIN.
    FragmentedControlFrame = "fragmented-control-frame", "RFC 6455 §5.5", NONE, Some(1002), Peer;
    /// A frame over the configured maximum.
    FrameTooLarge = "frame-too-large", "RFC 6455 §10.4", NONE, Some(1009), Peer;

    // ---- messages (RFC 6455 §5.4, §5.5.1, §8.1; RFC 7692 §7.2.2) ----
    /// A continuation frame with no message started.
    UnexpectedContinuation = "unexpected-continuation", "RFC 6455 §5.4", NONE, Some(1002), Peer;
    /// A new data frame inside a fragmented message.
    ExpectedContinuation = "expected-continuation", "RFC 6455 §5.4", NONE, Some(1002), Peer;
    /// A received message (or its decompressed form) over the configured maximum.
    MessageTooLarge = "message-too-large", "RFC 6455 §10.4", NONE, Some(1009), Peer;
    /// A received text message (or its decompressed form) is not UTF-8.
    InvalidUtf8 = "invalid-utf8", "RFC 6455 §8.1", NONE, Some(1007), Peer;
    /// A one-byte close payload.
    BadClosePayload = "bad-close-payload", "RFC 6455 §5.5.1", NONE, Some(1002), Peer;
    /// A received close code that may not be sent.
    InvalidCloseCode = "invalid-close-code", "RFC 6455 §7.4", NONE, Some(1002), Peer;
    /// A received close reason that is not UTF-8.
    InvalidCloseReason = "invalid-close-reason", "RFC 6455 §5.5.1", NONE, Some(1007), Peer;
    /// A compressed message that does not inflate.
    InvalidCompressedData = "invalid-compressed-data", "RFC 7692 §7.2.2", NONE, Some(1007), Peer;

    // ---- what the caller asked a connection to send (RFC 6455 §5, §7) ----
    /// Sending after our Close, or after the connection closed.
    AlreadyClosed = "already-closed", "RFC 6455 §5.5.1", NONE, NONE, Caller;
    /// A ping, pong or close payload over 125 bytes.
    ControlPayloadTooLong = "control-payload-too-long", "RFC 6455 §5.5", NONE, NONE, Caller;
    /// A close code that may not be sent (1005, 1006, 1015, outside 1000–4999).
    SendInvalidCloseCode = "send-invalid-close-code", "RFC 6455 §7.4", NONE, NONE, Caller;
    /// A close reason over 123 bytes.
    CloseReasonTooLong = "close-reason-too-long", "RFC 6455 §5.5.1", NONE, NONE, Caller;
    /// A close reason without a code.
    CloseReasonWithoutCode = "close-reason-without-code", "RFC 6455 §5.5.1", NONE, NONE, Caller;
    /// A control or continuation opcode where a data message was asked for.
    NotADataOpcode = "not-a-data-opcode", "RFC 6455 §5.6", NONE, NONE, Caller;
    /// A text message to send, given as bytes that are not UTF-8.
    SendInvalidUtf8 = "send-invalid-utf8", "RFC 6455 §5.6", NONE, NONE, Caller;
    /// A message started while another sent in parts is unfinished.
    MessageInProgress = "message-in-progress", "RFC 6455 §5.4", NONE, NONE, Caller;
    /// The parts of a message do not add up to its announced length.
    MessageLengthMismatch = "message-length-mismatch", "RFC 6455 §5.2", NONE, NONE, Caller;

    // ---- the transport beneath a client's opening handshake (reported by the JS layers) ----
    /// No complete answer to the opening handshake within the time allowed: the TCP connect,
    /// TLS, the response head, or over HTTP/2 the server's SETTINGS and the extended CONNECT's
    /// response (the client waits for the response, RFC 6455 §4.1).
    HandshakeTimeout = "handshake-timeout", "RFC 6455 §4.1", NONE, NONE, Transport;
    /// The connection (TCP, TLS or the HTTP/2 session) ended before the server's response to
    /// the opening handshake was complete.
    ClosedBeforeResponse = "closed-before-response", "RFC 6455 §4.1", NONE, NONE, Transport;
    /// Over HTTP/2, the server reset the extended CONNECT stream (`RST_STREAM`) before
    /// answering it.
    StreamReset = "stream-reset", "RFC 9113 §6.4", NONE, NONE, Transport;

    // ---- this endpoint ----
    /// No random numbers for a key nonce (§4.1) or a masking key (§5.3).
    EntropyUnavailable = "entropy-unavailable", "RFC 6455 §4.1, §5.3", NONE, NONE, Local;
    /// The JS package could not load its `.wasm` (a bundler moved the JavaScript without it);
    /// thrown by the package's loader, as the core cannot run without it.
    WasmNotFound = "wasm-not-found", "", NONE, NONE, Local;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_variant_order_and_codes_unique() {
        for (i, e) in ERROR_CODES.iter().enumerate() {
            assert_eq!(e.kind as usize, i, "{}", e.code);
            assert_eq!(e.kind.entry().code, e.code);
            assert_eq!(ErrorCode::from_code(e.code).map(|x| x.kind), Some(e.kind));
            assert!(
                ERROR_CODES[..i].iter().all(|o| o.code != e.code),
                "{}",
                e.code
            );
        }
    }

    #[test]
    fn only_wasm_not_found_names_no_rfc() {
        for e in ERROR_CODES {
            assert_eq!(
                e.rfc.is_empty(),
                e.kind == ErrorCode::WasmNotFound,
                "{}",
                e.code
            );
        }
    }

    #[test]
    fn blame_fits_the_statuses() {
        for e in ERROR_CODES {
            if e.status.is_some() || e.close_code.is_some() {
                assert_eq!(e.blame, Blame::Peer, "{} answers the peer", e.code);
            }
        }
    }
}

//! Connection states of the closing handshake (RFC 6455 §7.1.2–§7.1.5).

/// Where the connection is in its life (RFC 6455 §4.1 "_The WebSocket Connection is
/// Established_" through §7.1.4 "_The WebSocket Connection is Closed_").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(ws101_serde, derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub enum State {
    /// Messages flow both ways.
    Open,
    /// We sent a Close and wait for the peer's (RFC 6455 §7.1.2); we still receive messages.
    LocalClosing,
    /// The peer sent a Close and we have not answered yet (only with `auto_close` off;
    /// RFC 6455 §5.5.1); we may still send.
    RemoteClosing,
    /// Both Close frames were exchanged ("_The WebSocket Closing Handshake is Started_" and
    /// completed, §7.1.3), or the connection failed (§7.1.7) or the transport ended (§7.1.5).
    Closed,
}

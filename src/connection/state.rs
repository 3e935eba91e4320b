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

/// How a closed connection ended (RFC 6455 §7.1.4–§7.1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Both Close frames were exchanged (§7.1.4 "cleanly").
    Clean,
    /// This side failed the connection: the peer broke the protocol, or a message could not be
    /// finished (§7.1.7).
    Failed,
    /// The transport ended before the closing handshake completed (§7.1.5, close code 1006).
    Abnormal,
}

/// The connection's phase: [`State`] plus, once closed, how it ended. One named state instead
/// of a state and two flags (`clean`, `failed`) that could contradict each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Messages flow both ways.
    Open,
    /// We sent a Close and wait for the peer's.
    LocalClosing,
    /// The peer sent a Close we have not answered.
    RemoteClosing,
    /// Closed, and how.
    Closed(Ending),
}

impl Phase {
    /// The public face of the phase.
    pub(crate) fn state(self) -> State {
        match self {
            Phase::Open => State::Open,
            Phase::LocalClosing => State::LocalClosing,
            Phase::RemoteClosing => State::RemoteClosing,
            Phase::Closed(_) => State::Closed,
        }
    }

    /// Whether the connection is closed, however it ended.
    pub(crate) fn is_closed(self) -> bool {
        matches!(self, Phase::Closed(_))
    }

    /// Whether this side may still send data and its own Close (RFC 6455 §5.5.1).
    pub(crate) fn may_send(self) -> bool {
        matches!(self, Phase::Open | Phase::RemoteClosing)
    }
}

//! Which end of the connection we are: it decides the masking direction (RFC 6455 §5.1).

/// The endpoint's role (RFC 6455 §5.1): a client masks every frame it sends and rejects masked
/// frames; a server sends unmasked frames and rejects unmasked ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(ws101_serde, derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub enum Role {
    /// Opened the connection; masks outgoing frames (RFC 6455 §5.3).
    Client,
    /// Accepted the connection; closes the TCP connection first (RFC 6455 §7.1.1).
    Server,
}

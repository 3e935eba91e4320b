//! Close status codes (RFC 6455 §7.4, IANA "WebSocket Close Code Number Registry").

/// A close status code (RFC 6455 §7.4.1). Any `u16` converts; [`CloseCode::is_valid_on_wire`]
/// says whether a peer may send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(ws101_serde, derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(ws101_serde, serde(transparent))]
pub struct CloseCode(pub u16);

/// Where a close code sits in the RFC 6455 §7.4.2 ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(ws101_serde, derive(serde::Serialize, serde::Deserialize))]
pub enum CloseCodeClass {
    /// 0–999: "not used" (RFC 6455 §7.4.2).
    Unused,
    /// 1000–2999 defined by RFC 6455 or the IANA registry and sendable.
    Protocol,
    /// 1005, 1006, 1015: defined but "MUST NOT be set as a status code in a Close control frame".
    LocalOnly,
    /// 1000–2999 values not (yet) assigned: 1004, 1016–2999 (RFC 6455 §7.4.2).
    Unassigned,
    /// 3000–3999: registered with IANA by libraries, frameworks and applications.
    Registered,
    /// 4000–4999: private use (RFC 6455 §7.4.2).
    Private,
    /// 5000 and above: outside every range RFC 6455 defines.
    OutOfRange,
}

impl CloseCode {
    /// 1000 normal closure (RFC 6455 §7.4.1).
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001 going away (RFC 6455 §7.4.1).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002 protocol error (RFC 6455 §7.4.1).
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003 unsupported data (RFC 6455 §7.4.1).
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// 1005 no status received; never on the wire (RFC 6455 §7.4.1).
    pub const NO_STATUS: CloseCode = CloseCode(1005);
    /// 1006 abnormal closure; never on the wire (RFC 6455 §7.4.1).
    pub const ABNORMAL: CloseCode = CloseCode(1006);
    /// 1007 invalid frame payload data, e.g. bad UTF-8 (RFC 6455 §7.4.1).
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// 1008 policy violation (RFC 6455 §7.4.1).
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009 message too big (RFC 6455 §7.4.1).
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// 1010 mandatory extension (RFC 6455 §7.4.1).
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode(1010);
    /// 1011 internal error (RFC 6455 §7.4.1; IANA registry).
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1012 service restart (IANA registry).
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// 1013 try again later (IANA registry).
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);
    /// 1014 bad gateway (IANA registry).
    pub const BAD_GATEWAY: CloseCode = CloseCode(1014);
    /// 1015 TLS handshake failure; never on the wire (RFC 6455 §7.4.1).
    pub const TLS_HANDSHAKE: CloseCode = CloseCode(1015);

    /// _The WebSocket Connection Close Code_ of a received Close frame's code (RFC 6455 §7.1.5):
    /// the code, or 1005 when the frame had none.
    pub fn received(code: Option<u16>) -> CloseCode {
        code.map_or(CloseCode::NO_STATUS, CloseCode)
    }

    /// The range a code belongs to (RFC 6455 §7.4.2, IANA registry).
    pub fn class(self) -> CloseCodeClass {
        match self.0 {
            0..=999 => CloseCodeClass::Unused,
            1005 | 1006 | 1015 => CloseCodeClass::LocalOnly,
            1000..=1003 | 1007..=1014 => CloseCodeClass::Protocol,
            1004 | 1016..=2999 => CloseCodeClass::Unassigned,
            3000..=3999 => CloseCodeClass::Registered,
            4000..=4999 => CloseCodeClass::Private,
            _ => CloseCodeClass::OutOfRange,
        }
    }

    /// Whether a Close frame may carry this code: 1000–1003, 1007–1014 and 3000–4999
    /// (RFC 6455 §7.4.1, §7.4.2; the same set as `ws`'s `isValidStatusCode`).
    #[inline]
    pub fn is_valid_on_wire(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        CloseCode(code)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> u16 {
        code.0
    }
}

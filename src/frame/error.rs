//! Faults in a single frame's header, found before its payload is read (RFC 6455 §5.1–§5.5).

use alloc::string::String;

use crate::error::{Diagnostic, ErrorCode};

/// A peer broke a per-frame rule of RFC 6455 §5. Every variant carries the stream offset of
/// the frame's first byte (`offset`), so a diagnostic can point at the exact frame.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// The 16- or 64-bit length could have been written in fewer bytes (RFC 6455 §5.2:
    /// "the minimal number of bytes MUST be used to encode the length").
    NonMinimalLength {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
        /// The length found, in bytes.
        len: u64,
    },
    /// The 64-bit length has its most significant bit set (RFC 6455 §5.2).
    LengthMsbSet {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
    },
    /// Opcode %x3–%x7 or %xB–%xF (RFC 6455 §5.2: "MUST _Fail the WebSocket Connection_").
    ReservedOpcode {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
        /// The opcode found.
        opcode: u8,
    },
    /// RSV1–RSV3 set without an extension that defines them (RFC 6455 §5.2), or RSV1 on a
    /// control frame or continuation frame under permessage-deflate (RFC 7692 §6).
    ReservedBits {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
        /// The RSV bits that are set.
        bits: u8,
    },
    /// A server received an unmasked frame (RFC 6455 §5.1).
    UnmaskedFrame {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
    },
    /// A client received a masked frame (RFC 6455 §5.1).
    MaskedFrame {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
    },
    /// A control frame with more than 125 payload bytes (RFC 6455 §5.5).
    ControlFrameTooLong {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
        /// The length found, in bytes.
        len: u64,
    },
    /// A control frame without FIN (RFC 6455 §5.5: "MUST NOT be fragmented").
    FragmentedControlFrame {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
    },
    /// The frame is longer than the configured `max_frame_size` (RFC 6455 §10.4, close 1009).
    FrameTooLarge {
        /// Byte offset of the fault (a stream offset for frames and messages).
        offset: u64,
        /// The length found, in bytes.
        len: u64,
        /// The configured limit.
        max: u64,
    },
}

impl Diagnostic for FrameError {
    fn error_code(&self) -> ErrorCode {
        match self {
            FrameError::NonMinimalLength { .. } => ErrorCode::NonMinimalLength,
            FrameError::LengthMsbSet { .. } => ErrorCode::LengthMsbSet,
            FrameError::ReservedOpcode { .. } => ErrorCode::ReservedOpcode,
            FrameError::ReservedBits { .. } => ErrorCode::ReservedBits,
            FrameError::UnmaskedFrame { .. } => ErrorCode::UnmaskedFrame,
            FrameError::MaskedFrame { .. } => ErrorCode::MaskedFrame,
            FrameError::ControlFrameTooLong { .. } => ErrorCode::ControlFrameTooLong,
            FrameError::FragmentedControlFrame { .. } => ErrorCode::FragmentedControlFrame,
            FrameError::FrameTooLarge { .. } => ErrorCode::FrameTooLarge,
        }
    }
    fn message(&self) -> String {
        String::from(match self {
            FrameError::NonMinimalLength { .. } => {
                "The payload length was not written with the minimal number of bytes: 0-125 fit the 7-bit field and 126-65535 the 16-bit field."
            }
            FrameError::LengthMsbSet { .. } => {
                "A 64-bit payload length must have its most significant bit cleared."
            }
            FrameError::ReservedOpcode { .. } => {
                "The frame uses a reserved opcode (3-7 or 11-15) that no negotiated extension defines."
            }
            FrameError::ReservedBits { .. } => {
                "RSV1, RSV2 or RSV3 is set but no negotiated extension gives it a meaning (permessage-deflate allows RSV1 only on the first frame of a data message)."
            }
            FrameError::UnmaskedFrame { .. } => "A client must mask every frame it sends to the server.",
            FrameError::MaskedFrame { .. } => "A server must not mask the frames it sends to the client.",
            FrameError::ControlFrameTooLong { .. } => {
                "Control frames (close, ping, pong) carry at most 125 payload bytes."
            }
            FrameError::FragmentedControlFrame { .. } => {
                "Control frames (close, ping, pong) must not be fragmented: FIN must be set."
            }
            FrameError::FrameTooLarge { .. } => {
                "The frame's payload is longer than this endpoint's configured maximum frame size."
            }
        })
    }
    fn value(&self) -> Option<String> {
        use alloc::string::ToString;
        match self {
            FrameError::NonMinimalLength { len, .. }
            | FrameError::ControlFrameTooLong { len, .. } => Some(len.to_string()),
            FrameError::FrameTooLarge { len, .. } => Some(len.to_string()),
            FrameError::ReservedOpcode { opcode, .. } => Some(opcode.to_string()),
            FrameError::ReservedBits { bits, .. } => Some(bits.to_string()),
            _ => None,
        }
    }
    fn offset(&self) -> Option<u64> {
        match self {
            FrameError::NonMinimalLength { offset, .. }
            | FrameError::LengthMsbSet { offset }
            | FrameError::ReservedOpcode { offset, .. }
            | FrameError::ReservedBits { offset, .. }
            | FrameError::UnmaskedFrame { offset }
            | FrameError::MaskedFrame { offset }
            | FrameError::ControlFrameTooLong { offset, .. }
            | FrameError::FragmentedControlFrame { offset }
            | FrameError::FrameTooLarge { offset, .. } => Some(*offset),
        }
    }
}

impl FrameError {
    /// The same error with its offset moved by `base` (header parsing reports offsets relative
    /// to its input; the decoder turns them into stream offsets).
    pub fn shifted(self, base: u64) -> Self {
        let mut e = self;
        match &mut e {
            FrameError::NonMinimalLength { offset, .. }
            | FrameError::LengthMsbSet { offset }
            | FrameError::ReservedOpcode { offset, .. }
            | FrameError::ReservedBits { offset, .. }
            | FrameError::UnmaskedFrame { offset }
            | FrameError::MaskedFrame { offset }
            | FrameError::ControlFrameTooLong { offset, .. }
            | FrameError::FragmentedControlFrame { offset }
            | FrameError::FrameTooLarge { offset, .. } => *offset = offset.saturating_add(base),
        }
        e
    }
}

crate::error::diagnostic_display!(FrameError);

//! The frame opcode (RFC 6455 §5.2, §11.8).

/// A frame's 4-bit opcode (RFC 6455 §5.2 "Opcode"). Conversion from a byte is total: it reads
/// the low nibble and keeps unassigned values as reserved variants rather than failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(ws101_serde, derive(serde::Serialize, serde::Deserialize))]
pub enum Opcode {
    /// `%x0` continuation frame (RFC 6455 §5.4).
    Continuation,
    /// `%x1` text frame (RFC 6455 §5.6).
    Text,
    /// `%x2` binary frame (RFC 6455 §5.6).
    Binary,
    /// `%x3`–`%x7`, reserved for further non-control frames (RFC 6455 §5.2).
    ReservedData(u8),
    /// `%x8` connection close (RFC 6455 §5.5.1).
    Close,
    /// `%x9` ping (RFC 6455 §5.5.2).
    Ping,
    /// `%xA` pong (RFC 6455 §5.5.3).
    Pong,
    /// `%xB`–`%xF`, reserved for further control frames (RFC 6455 §5.2).
    ReservedControl(u8),
}

impl Opcode {
    /// Control frames have the most significant opcode bit set (RFC 6455 §5.5).
    #[inline]
    pub fn is_control(self) -> bool {
        u8::from(self) & 0x08 != 0
    }

    /// Data frames: continuation, text, binary and reserved non-control (RFC 6455 §5.6).
    #[inline]
    pub fn is_data(self) -> bool {
        !self.is_control()
    }

    /// An opcode no specification assigns yet (RFC 6455 §5.2: "MUST _Fail_").
    #[inline]
    pub fn is_reserved(self) -> bool {
        matches!(self, Opcode::ReservedData(_) | Opcode::ReservedControl(_))
    }

    /// The RFC 6455 §11.8 name: `continuation`, `text`, `binary`, `close`, `ping`, `pong`, or
    /// `reserved` (non-control or control).
    pub fn name(self) -> &'static str {
        match self {
            Opcode::Continuation => "continuation",
            Opcode::Text => "text",
            Opcode::Binary => "binary",
            Opcode::Close => "close",
            Opcode::Ping => "ping",
            Opcode::Pong => "pong",
            Opcode::ReservedData(_) => "reserved (non-control)",
            Opcode::ReservedControl(_) => "reserved (control)",
        }
    }
}

impl From<u8> for Opcode {
    /// Reads the low nibble, so every byte converts (RFC 6455 §5.2).
    #[inline]
    fn from(byte: u8) -> Self {
        match byte & 0x0F {
            0x0 => Opcode::Continuation,
            0x1 => Opcode::Text,
            0x2 => Opcode::Binary,
            0x8 => Opcode::Close,
            0x9 => Opcode::Ping,
            0xA => Opcode::Pong,
            n @ 0x3..=0x7 => Opcode::ReservedData(n),
            n => Opcode::ReservedControl(n),
        }
    }
}

impl From<Opcode> for u8 {
    /// The wire nibble (RFC 6455 §5.2); reserved variants keep only their low nibble.
    #[inline]
    fn from(op: Opcode) -> u8 {
        match op {
            Opcode::Continuation => 0x0,
            Opcode::Text => 0x1,
            Opcode::Binary => 0x2,
            Opcode::Close => 0x8,
            Opcode::Ping => 0x9,
            Opcode::Pong => 0xA,
            Opcode::ReservedData(n) | Opcode::ReservedControl(n) => n & 0x0F,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_converts_and_round_trips_its_nibble() {
        for b in 0..=255u8 {
            let op = Opcode::from(b);
            assert_eq!(u8::from(op), b & 0x0F);
            assert_eq!(op.is_control(), b & 0x08 != 0);
            assert_eq!(op.is_reserved(), matches!(b & 0x0F, 3..=7 | 0xB..=0xF));
        }
    }
}

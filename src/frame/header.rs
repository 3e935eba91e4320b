//! The base framing header (RFC 6455 §5.2): FIN, RSV1–3, opcode, MASK, payload length, key.

use alloc::vec::Vec;

use super::error::FrameError;
use super::opcode::Opcode;

/// Longest possible header: 2 + 8 (64-bit length) + 4 (masking key) bytes (RFC 6455 §5.2).
pub const MAX_HEADER_LEN: usize = 14;

/// Largest payload a control frame may carry (RFC 6455 §5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

pub use crate::status::Status;

/// A decoded frame header (RFC 6455 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize, serde::Deserialize))]
pub struct FrameHeader {
    /// FIN: this is the final fragment of a message (RFC 6455 §5.2, §5.4).
    pub fin: bool,
    /// RSV1: "Per-Message Compressed" under permessage-deflate (RFC 7692 §6), else must be 0.
    pub rsv1: bool,
    /// RSV2: must be 0 unless an extension defines it (RFC 6455 §5.2).
    pub rsv2: bool,
    /// RSV3: must be 0 unless an extension defines it (RFC 6455 §5.2).
    pub rsv3: bool,
    /// The opcode (RFC 6455 §5.2).
    pub opcode: Opcode,
    /// The masking key when MASK is set (RFC 6455 §5.3).
    pub mask: Option<[u8; 4]>,
    /// Payload length in bytes; at most 2^63 − 1 (RFC 6455 §5.2).
    pub payload_len: u64,
}

impl FrameHeader {
    /// The header of a whole message in one frame (RFC 6455 §5.2): FIN set, no RSV bit, masked
    /// with `mask` when given.
    pub fn whole(opcode: Opcode, mask: Option<[u8; 4]>, payload_len: u64) -> Self {
        FrameHeader {
            fin: true,
            rsv1: false,
            rsv2: false,
            rsv3: false,
            opcode,
            mask,
            payload_len,
        }
    }

    /// Parses a header from the start of `buf` (RFC 6455 §5.2).
    ///
    /// Strict on encoding: a length that is not minimally encoded or a 64-bit length with the
    /// most significant bit set is an error. Error offsets are relative to `buf`.
    /// Semantic rules (opcodes, RSV bits, masking direction, control frame limits) are checked
    /// by the decoder, which knows the role and the negotiated extensions.
    #[inline]
    pub fn parse(buf: &[u8]) -> Result<Status<(FrameHeader, usize)>, FrameError> {
        let (b0, b1) = match buf {
            [b0, b1, ..] => (*b0, *b1),
            _ => return Ok(Status::Partial),
        };
        let masked = b1 & 0x80 != 0;
        let len7 = b1 & 0x7F;
        let (payload_len, mut used) = match len7 {
            126 => {
                let Some(bytes) = buf.get(2..4) else {
                    return Ok(Status::Partial);
                };
                let len = u64::from(u16::from_be_bytes([bytes[0], bytes[1]]));
                if len < 126 {
                    return Err(FrameError::NonMinimalLength { offset: 0, len });
                }
                (len, 4)
            }
            127 => {
                let Some(bytes) = buf.get(2..10) else {
                    return Ok(Status::Partial);
                };
                let mut be = [0u8; 8];
                be.copy_from_slice(bytes);
                let len = u64::from_be_bytes(be);
                if len >> 63 != 0 {
                    return Err(FrameError::LengthMsbSet { offset: 0 });
                }
                if len <= 0xFFFF {
                    return Err(FrameError::NonMinimalLength { offset: 0, len });
                }
                (len, 10)
            }
            n => (u64::from(n), 2),
        };
        let mask = if masked {
            let Some(bytes) = buf.get(used..used + 4) else {
                return Ok(Status::Partial);
            };
            used += 4;
            Some([bytes[0], bytes[1], bytes[2], bytes[3]])
        } else {
            None
        };
        let header = FrameHeader {
            fin: b0 & 0x80 != 0,
            rsv1: b0 & 0x40 != 0,
            rsv2: b0 & 0x20 != 0,
            rsv3: b0 & 0x10 != 0,
            opcode: Opcode::from(b0),
            mask,
            payload_len,
        };
        Ok(Status::Complete((header, used)))
    }

    /// Number of bytes [`FrameHeader::encode`] writes (RFC 6455 §5.2).
    #[inline]
    pub fn encoded_len(&self) -> usize {
        header_len(self.payload_len, self.mask.is_some())
    }

    /// Appends the header to `out` with the minimal length encoding (RFC 6455 §5.2).
    /// A `payload_len` at or above 2^63 is clamped to 2^63 − 1, never written with the MSB set.
    #[inline]
    pub fn encode(&self, out: &mut Vec<u8>) {
        let b0 = (u8::from(self.fin) << 7)
            | (u8::from(self.rsv1) << 6)
            | (u8::from(self.rsv2) << 5)
            | (u8::from(self.rsv3) << 4)
            | u8::from(self.opcode);
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        let len = self.payload_len.min(u64::MAX >> 1);
        if len < 126 {
            out.extend_from_slice(&[b0, mask_bit | len as u8]);
        } else if len <= 0xFFFF {
            let be = (len as u16).to_be_bytes();
            out.extend_from_slice(&[b0, mask_bit | 126, be[0], be[1]]);
        } else {
            out.extend_from_slice(&[b0, mask_bit | 127]);
            out.extend_from_slice(&len.to_be_bytes());
        }
        if let Some(key) = self.mask {
            out.extend_from_slice(&key);
        }
    }
}

/// Header length for a payload length and masking (RFC 6455 §5.2).
#[inline]
pub fn header_len(payload_len: u64, masked: bool) -> usize {
    let base = if payload_len < 126 {
        2
    } else if payload_len <= 0xFFFF {
        4
    } else {
        10
    };
    if masked {
        base + 4
    } else {
        base
    }
}

/// How long the header that `partial` begins is, as far as its bytes tell (RFC 6455 §5.2): 2
/// until its second byte (the length code and the MASK bit) has arrived, then exactly.
#[inline]
pub fn partial_header_len(partial: &[u8]) -> usize {
    match partial {
        [_, b1, ..] => {
            let base = match b1 & 0x7F {
                126 => 4,
                127 => 10,
                _ => 2,
            };
            if b1 & 0x80 != 0 {
                base + 4
            } else {
                base
            }
        }
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_header_says_its_length_once_its_second_byte_came() {
        assert_eq!(partial_header_len(&[]), 2);
        assert_eq!(partial_header_len(&[0x81]), 2);
        assert_eq!(partial_header_len(&[0x81, 0x82]), 6); // masked, 7-bit length
        assert_eq!(partial_header_len(&[0x82, 0x7E]), 4);
        assert_eq!(partial_header_len(&[0x82, 0xFE, 0]), 8);
        assert_eq!(partial_header_len(&[0x82, 0xFF]), 14);
        let mut out = Vec::new();
        for (len, mask) in [
            (0, None),
            (125, Some([1; 4])),
            (126, None),
            (70_000, Some([2; 4])),
        ] {
            out.clear();
            FrameHeader::whole(Opcode::Binary, mask, len).encode(&mut out);
            for cut in 0..out.len() {
                let need = partial_header_len(&out[..cut]);
                assert!(need > cut && need <= out.len(), "{len} {cut}: {need}");
            }
            assert_eq!(partial_header_len(&out[..2]), out.len());
        }
    }
    use alloc::vec;

    fn parse(buf: &[u8]) -> Result<Status<(FrameHeader, usize)>, FrameError> {
        FrameHeader::parse(buf)
    }

    #[test]
    fn rfc6455_section_5_7_headers() {
        let Status::Complete((h, n)) = parse(&[0x81, 0x05]).unwrap() else {
            panic!()
        };
        assert_eq!(
            (h.fin, h.opcode, h.mask, h.payload_len, n),
            (true, Opcode::Text, None, 5, 2)
        );
        let Status::Complete((h, n)) = parse(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d]).unwrap() else {
            panic!()
        };
        assert_eq!(
            (h.mask, h.payload_len, n),
            (Some([0x37, 0xfa, 0x21, 0x3d]), 5, 6)
        );
        let Status::Complete((h, n)) = parse(&[0x82, 0x7E, 0x01, 0x00]).unwrap() else {
            panic!()
        };
        assert_eq!((h.opcode, h.payload_len, n), (Opcode::Binary, 256, 4));
        let Status::Complete((h, n)) = parse(&[0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]).unwrap() else {
            panic!()
        };
        assert_eq!((h.payload_len, n), (65536, 10));
    }

    #[test]
    fn every_prefix_is_partial() {
        let full = [0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4];
        for cut in 0..full.len() {
            assert_eq!(parse(&full[..cut]).unwrap(), Status::Partial, "cut {cut}");
        }
        assert!(matches!(parse(&full).unwrap(), Status::Complete((_, 14))));
    }

    #[test]
    fn rejects_non_minimal_and_msb() {
        assert_eq!(
            parse(&[0x82, 0x7E, 0x00, 0x7D]).unwrap_err(),
            FrameError::NonMinimalLength {
                offset: 0,
                len: 125
            }
        );
        assert!(matches!(
            parse(&[0x82, 0x7E, 0x00, 0x7E]),
            Ok(Status::Complete(_))
        ));
        assert_eq!(
            parse(&[0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]).unwrap_err(),
            FrameError::NonMinimalLength {
                offset: 0,
                len: 0xFFFF
            }
        );
        assert_eq!(
            parse(&[0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0]).unwrap_err(),
            FrameError::LengthMsbSet { offset: 0 }
        );
    }

    #[test]
    fn encode_round_trips_at_length_boundaries() {
        for len in [0u64, 1, 125, 126, 127, 0xFFFF, 0x1_0000, u64::MAX >> 1] {
            for mask in [None, Some([1, 2, 3, 4])] {
                let h = FrameHeader {
                    fin: len % 2 == 0,
                    rsv1: true,
                    rsv2: false,
                    rsv3: true,
                    opcode: Opcode::Binary,
                    mask,
                    payload_len: len,
                };
                let mut out = vec![];
                h.encode(&mut out);
                assert_eq!(out.len(), h.encoded_len());
                assert_eq!(parse(&out).unwrap(), Status::Complete((h, out.len())));
            }
        }
    }
}

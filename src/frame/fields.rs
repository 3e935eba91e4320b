//! Where every field of the base framing header sits on the wire (RFC 6455 §5.2), for the
//! explainer and debugging tools.

use alloc::vec::Vec;

use super::header::FrameHeader;

/// One field of the base framing header as drawn in RFC 6455 §5.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderField {
    /// The RFC's name: `FIN`, `RSV1`, `RSV2`, `RSV3`, `opcode`, `MASK`, `payload len`,
    /// `extended payload length`, `masking key`.
    pub name: &'static str,
    /// First bit of the field, counted from the most significant bit of the header's first byte.
    pub bit_offset: u32,
    /// Width in bits (1, 4, 7, 16, 32 or 64).
    pub bit_length: u32,
    /// The field's value (the masking key as a big-endian 32-bit number).
    pub value: u64,
}

impl FrameHeader {
    /// The header's fields in wire order with their bit positions (RFC 6455 §5.2): the 7-bit
    /// `payload len` is the value on the wire (126 or 127 when an extended length follows).
    pub fn fields(&self) -> Vec<HeaderField> {
        let field = |name, bit_offset, bit_length, value| HeaderField {
            name,
            bit_offset,
            bit_length,
            value,
        };
        let len = self.payload_len.min(u64::MAX >> 1);
        let (len7, extended_bits) = if len < 126 {
            (len, 0)
        } else if len <= 0xFFFF {
            (126, 16)
        } else {
            (127, 64)
        };
        let mut fields = Vec::with_capacity(9);
        fields.push(field("FIN", 0, 1, u64::from(self.fin)));
        fields.push(field("RSV1", 1, 1, u64::from(self.rsv1)));
        fields.push(field("RSV2", 2, 1, u64::from(self.rsv2)));
        fields.push(field("RSV3", 3, 1, u64::from(self.rsv3)));
        fields.push(field("opcode", 4, 4, u64::from(u8::from(self.opcode))));
        fields.push(field("MASK", 8, 1, u64::from(self.mask.is_some())));
        fields.push(field("payload len", 9, 7, len7));
        if extended_bits > 0 {
            fields.push(field("extended payload length", 16, extended_bits, len));
        }
        if let Some(key) = self.mask {
            fields.push(field(
                "masking key",
                16 + extended_bits,
                32,
                u64::from(u32::from_be_bytes(key)),
            ));
        }
        fields
    }
}

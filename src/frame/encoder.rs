//! Writing frames (RFC 6455 §5.2, §5.3) by appending to a caller-provided buffer.

use alloc::vec::Vec;

use super::header::{header_len, FrameHeader};
use super::mask::mask_copy;
use super::opcode::Opcode;

/// Appends one frame to `out`: the minimal-length header (RFC 6455 §5.2) then the payload,
/// masked word-at-a-time with `mask` when given (RFC 6455 §5.3, client to server).
///
/// Reserves the exact size once, so a reused `out` does not reallocate in steady state.
/// It does not check frame rules (control frame size, reserved opcodes): the connection does.
#[inline]
pub fn encode_frame(
    out: &mut Vec<u8>,
    opcode: Opcode,
    fin: bool,
    rsv1: bool,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) {
    let len = payload.len() as u64;
    out.reserve(header_len(len, mask.is_some()) + payload.len());
    FrameHeader {
        fin,
        rsv1,
        rsv2: false,
        rsv3: false,
        opcode,
        mask,
        payload_len: len,
    }
    .encode(out);
    let start = out.len();
    match mask {
        Some(key) => {
            // Masked while copied, one pass (a plain copy then masking in place is two).
            out.resize(start + payload.len(), 0);
            if let Some(written) = out.get_mut(start..) {
                mask_copy(written, payload, key, 0);
            }
        }
        None => out.extend_from_slice(payload),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn rfc6455_section_5_7_examples() {
        let mut out = vec![];
        encode_frame(&mut out, Opcode::Text, true, false, b"Hello", None);
        assert_eq!(out, [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
        out.clear();
        encode_frame(
            &mut out,
            Opcode::Text,
            true,
            false,
            b"Hello",
            Some([0x37, 0xfa, 0x21, 0x3d]),
        );
        assert_eq!(
            out,
            [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        );
        out.clear();
        encode_frame(
            &mut out,
            Opcode::Pong,
            true,
            false,
            b"Hello",
            Some([0x37, 0xfa, 0x21, 0x3d]),
        );
        assert_eq!(
            out,
            [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        );
        out.clear();
        encode_frame(&mut out, Opcode::Binary, true, false, &[0u8; 256], None);
        assert_eq!(&out[..4], [0x82, 0x7E, 0x01, 0x00]);
        assert_eq!(out.len(), 260);
        out.clear();
        encode_frame(&mut out, Opcode::Binary, true, false, &[0u8; 65536], None);
        assert_eq!(&out[..10], [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]);
        assert_eq!(out.len(), 65546);
    }
}

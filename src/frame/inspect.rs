//! Frames laid open for teaching and debugging (RFC 6455 §5.2): a builder that writes any header
//! (reserved bits and opcodes included), and a one-shot decoder that lists the frames in a
//! capture with their offsets (where each header field sits: `fields.rs`).

use alloc::vec::Vec;

use super::decoder::{DecoderConfig, FrameDecoder};
use super::error::FrameError;
use super::header::{FrameHeader, Status};
use super::mask::apply_mask;
use super::role::Role;

/// Writes one frame exactly as described, with no rule checked: any RSV bits, any opcode, a
/// control frame of any size (RFC 6455 §5.2). `header.payload_len` is taken from `payload`.
/// The payload is masked with `header.mask` when present (RFC 6455 §5.3).
pub fn encode_any_frame(out: &mut Vec<u8>, header: FrameHeader, payload: &[u8]) {
    let header = FrameHeader {
        payload_len: payload.len() as u64,
        ..header
    };
    header.encode(out);
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(key) = header.mask {
        if let Some(written) = out.get_mut(start..) {
            apply_mask(written, key, 0);
        }
    }
}

/// One frame found by [`inspect_frames`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InspectedFrame {
    /// Offset of the frame's first byte in the input.
    pub offset: usize,
    /// The decoded header.
    pub header: FrameHeader,
    /// Header length in bytes (2 to 14).
    pub header_len: usize,
    /// The payload bytes present in the input, unmasked (fewer than `payload_len` when the
    /// input ends inside the frame).
    pub payload: Vec<u8>,
    /// Whether the whole payload is present.
    pub complete: bool,
    /// The frame broke a rule ([`FrameListing::error`]): its header is shown, its payload is
    /// not read.
    pub rejected: bool,
}

/// What [`inspect_frames`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FrameListing {
    /// The frames, in order; the last may be incomplete.
    pub frames: Vec<InspectedFrame>,
    /// The first per-frame rule broken (role, RSV bits, opcode, control frame limits, length
    /// encoding); decoding stops there.
    pub error: Option<FrameError>,
    /// Bytes at the end that start a header but do not complete it.
    pub partial_header: usize,
    /// The listing stopped at the frame limit of [`inspect_frames_limited`]: more frames follow
    /// (from the offset right after the last frame listed).
    pub truncated: bool,
}

/// Lists the frames in `bytes` as an endpoint in `role` would receive them (RFC 6455 §5.1–§5.5):
/// headers, offsets and unmasked payloads, stopping at the first frame that breaks a rule.
/// No extension is assumed (RSV bits fail) and frame size is unlimited. Message-level rules
/// (fragmentation, UTF-8, close payloads) are the connection's.
pub fn inspect_frames(bytes: &[u8], role: Role) -> FrameListing {
    inspect_frames_limited(bytes, role, usize::MAX)
}

/// [`inspect_frames`] listing at most `max_frames` frames: the work and the memory of a listing
/// are bounded by the limit, not by the input (a capture of 2-byte frames would otherwise cost
/// one listed frame per 2 input bytes). [`FrameListing::truncated`] tells that frames remain.
pub fn inspect_frames_limited(bytes: &[u8], role: Role, max_frames: usize) -> FrameListing {
    let mut decoder = FrameDecoder::new(DecoderConfig {
        role,
        rsv1_allowed: false,
        max_frame_size: u64::MAX,
    });
    let mut buf = bytes.to_vec();
    let mut pos = 0;
    let mut listing = FrameListing {
        frames: Vec::new(),
        error: None,
        partial_header: 0,
        truncated: false,
    };
    loop {
        let before = pos;
        match decoder.next(&mut buf, &mut pos, 0) {
            Ok(Some(piece)) => {
                if piece.first {
                    if listing.frames.len() >= max_frames {
                        listing.truncated = true;
                        return listing;
                    }
                    let offset = decoder.frame_offset() as usize;
                    listing.frames.push(InspectedFrame {
                        offset,
                        header: *decoder.header(),
                        header_len: piece.start - offset,
                        payload: Vec::new(),
                        complete: false,
                        rejected: false,
                    });
                }
                if let Some(frame) = listing.frames.last_mut() {
                    frame
                        .payload
                        .extend_from_slice(&buf[piece.start..piece.start + piece.len]);
                    frame.complete = piece.last;
                }
            }
            Ok(None) => {
                if !decoder.is_at_frame_boundary() && pos > before {
                    listing.partial_header = pos - decoder.frame_offset() as usize;
                }
                return listing;
            }
            Err(e) => {
                // Show the offending header when it can be read (a rule, not the encoding, broke).
                let offset = decoder.frame_offset() as usize;
                if let Some(Ok(Status::Complete((header, header_len)))) =
                    bytes.get(offset..).map(FrameHeader::parse)
                {
                    listing.frames.push(InspectedFrame {
                        offset,
                        header,
                        header_len,
                        payload: Vec::new(),
                        complete: false,
                        rejected: true,
                    });
                }
                listing.error = Some(e);
                return listing;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::opcode::Opcode;
    use super::*;
    use alloc::vec;

    fn header(opcode: Opcode, mask: Option<[u8; 4]>) -> FrameHeader {
        FrameHeader::whole(opcode, mask, 0)
    }

    #[test]
    fn rfc6455_section_5_7_masked_hello_and_its_fields() {
        let mut out = vec![];
        let h = header(Opcode::Text, Some([0x37, 0xfa, 0x21, 0x3d]));
        encode_any_frame(&mut out, h, b"Hello");
        assert_eq!(
            out,
            [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        );
        let Status::Complete((parsed, _)) = FrameHeader::parse(&out).unwrap() else {
            panic!()
        };
        let fields: Vec<_> = parsed
            .fields()
            .iter()
            .map(|f| (f.name, f.bit_offset, f.bit_length, f.value))
            .collect();
        assert_eq!(
            fields,
            [
                ("FIN", 0, 1, 1),
                ("RSV1", 1, 1, 0),
                ("RSV2", 2, 1, 0),
                ("RSV3", 3, 1, 0),
                ("opcode", 4, 4, 1),
                ("MASK", 8, 1, 1),
                ("payload len", 9, 7, 5),
                ("masking key", 16, 32, 0x37fa213d),
            ]
        );
    }

    #[test]
    fn fields_cover_the_header_bits_exactly_at_every_length_form() {
        for (len, ext) in [(0u64, 0), (125, 0), (126, 16), (0xFFFF, 16), (0x1_0000, 64)] {
            for mask in [None, Some([1, 2, 3, 4])] {
                let h = FrameHeader {
                    payload_len: len,
                    ..header(Opcode::Binary, mask)
                };
                let fields = h.fields();
                let mut next = 0;
                for f in &fields {
                    assert_eq!(f.bit_offset, next, "{} at len {len}", f.name);
                    next += f.bit_length;
                }
                assert_eq!(next as usize, h.encoded_len() * 8);
                let ext_field = fields.iter().find(|f| f.name == "extended payload length");
                assert_eq!(ext_field.map_or(0, |f| f.bit_length), ext);
            }
        }
    }

    #[test]
    fn encode_any_frame_writes_reserved_bits_and_opcodes() {
        let mut out = vec![];
        let h = FrameHeader {
            fin: false,
            rsv1: true,
            rsv2: true,
            rsv3: true,
            ..header(Opcode::ReservedControl(0xB), None)
        };
        encode_any_frame(&mut out, h, &[0; 200]);
        assert_eq!(&out[..4], [0x7B, 126, 0, 200]);
        assert_eq!(out.len(), 204);
    }

    #[test]
    fn inspects_the_rfc_examples_in_one_capture() {
        let capture = [
            0x01, 0x03, 0x48, 0x65, 0x6c, // "Hel", not final
            0x80, 0x02, 0x6c, 0x6f, // "lo", final continuation
            0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f, // ping "Hello"
            0x82, 0x7E, 0x01, 0x00, 0xAA, // 256-byte binary, 1 byte present
        ];
        let listing = inspect_frames(&capture, Role::Client);
        assert_eq!(listing.error, None);
        let summary: Vec<_> = listing
            .frames
            .iter()
            .map(|f| {
                (
                    f.offset,
                    f.header.opcode,
                    f.header_len,
                    f.payload.len(),
                    f.complete,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (0, Opcode::Text, 2, 3, true),
                (5, Opcode::Continuation, 2, 2, true),
                (9, Opcode::Ping, 2, 5, true),
                (16, Opcode::Binary, 4, 1, false),
            ]
        );
        assert_eq!(listing.frames[0].payload, b"Hel");
    }

    #[test]
    fn unmasks_and_reports_the_offending_frame() {
        let masked = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let listing = inspect_frames(&masked, Role::Server);
        assert_eq!(listing.frames[0].payload, b"Hello");
        assert_eq!(listing.frames[0].header_len, 6);
        let mut two = masked.to_vec();
        two.extend_from_slice(&[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
        let listing = inspect_frames(&two, Role::Server);
        assert_eq!(listing.frames.len(), 2);
        assert!(listing.frames[1].rejected && listing.frames[1].offset == 11);
        assert_eq!(
            listing.error,
            Some(FrameError::UnmaskedFrame { offset: 11 })
        );
        let listing = inspect_frames(&[0x82, 0x7E, 0x00, 0x7D], Role::Client);
        assert!(listing.frames.is_empty());
        assert_eq!(
            listing.error,
            Some(FrameError::NonMinimalLength {
                offset: 0,
                len: 125
            })
        );
    }

    #[test]
    fn counts_a_partial_header() {
        let listing = inspect_frames(
            &[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x82, 0x7E, 0x01],
            Role::Client,
        );
        assert_eq!(listing.frames.len(), 1);
        assert_eq!(listing.partial_header, 3);
    }

    #[test]
    fn a_limited_listing_stops_at_the_limit_and_says_so() {
        let bytes: Vec<u8> = [0x82u8, 0].repeat(1000);
        let listing = inspect_frames_limited(&bytes, Role::Client, 10);
        assert_eq!(listing.frames.len(), 10);
        assert!(listing.truncated);
        assert_eq!(listing.frames[9].offset, 18);
        let all = inspect_frames(&bytes, Role::Client);
        assert_eq!(all.frames.len(), 1000);
        assert!(!all.truncated);
    }
}

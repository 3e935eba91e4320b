//! The wire format of one frame (RFC 6455 §5): opcodes, close codes, the base framing header,
//! masking, a streaming in-place decoder and an appending encoder.

pub mod close_code;
pub mod decoder;
pub mod encoder;
pub mod error;
pub mod fields;
pub mod header;
pub mod inspect;
pub mod mask;
pub mod opcode;
pub mod role;

pub use close_code::{CloseCode, CloseCodeClass};
pub use decoder::{DecoderConfig, FrameDecoder, FramePiece};
pub use encoder::encode_frame;
pub use error::FrameError;
pub use fields::HeaderField;
pub use header::{header_len, FrameHeader, Status, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN};
pub use inspect::{
    encode_any_frame, inspect_frames, inspect_frames_limited, FrameListing, InspectedFrame,
};
pub use mask::{apply_mask, apply_mask_reference, mask_copy, next_phase, rotate_key};
pub use opcode::Opcode;
pub use role::Role;

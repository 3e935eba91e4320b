//! One raw frame for tools (the CLI's `ws101 frame --fin false`, reserved opcodes): the core's
//! encoder (RFC 6455 §5.2, §5.3) with the header fields as given. It checks no frame rule (control
//! frame size, reserved opcodes, UTF-8): `Connection` does that for real traffic.

use wasm_bindgen::prelude::*;

use crate::frame::{encode_frame, Opcode};

/// `encodeFrame(opcode, fin, rsv1, payload, mask?)`: the frame's bytes; `mask` is a 4-byte key
/// (client to server) or undefined. Throws a `TypeError` for an opcode above 15 or a mask that is
/// not 4 bytes.
#[wasm_bindgen(js_name = encodeFrame)]
pub fn encode_raw_frame(
    opcode: u8,
    fin: bool,
    rsv1: bool,
    payload: &[u8],
    mask: Option<Vec<u8>>,
) -> Result<Vec<u8>, JsValue> {
    if opcode > 0x0f {
        return Err(js_sys::TypeError::new("opcode must be 0..15").into());
    }
    let mask =
        match mask {
            None => None,
            Some(key) => Some(<[u8; 4]>::try_from(key.as_slice()).map_err(|_| {
                JsValue::from(js_sys::TypeError::new("mask must be exactly 4 bytes"))
            })?),
        };
    let mut out = Vec::new();
    encode_frame(&mut out, Opcode::from(opcode), fin, rsv1, payload, mask);
    Ok(out)
}

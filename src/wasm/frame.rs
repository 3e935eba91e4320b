//! Frame exports for the explainer and tools (RFC 6455 §5.2): build one frame from its header
//! fields, and list the frames of a capture. The layout and checks are the core's
//! (`frame::inspect`); this module only converts between JS objects and core values.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::error::{string_arg, to_js_error};
use crate::connection::{MaskSource, RandomMask};
use crate::frame::{encode_any_frame, inspect_frames, FrameHeader, Opcode, Role};

#[wasm_bindgen(typescript_custom_section)]
const TS_FRAME: &'static str = r#"
/** One field of the base framing header (RFC 6455 §5.2), bits counted from the first byte's MSB. */
export interface FrameHeaderField {
  name: "FIN" | "RSV1" | "RSV2" | "RSV3" | "opcode" | "MASK" | "payload len" | "extended payload length" | "masking key";
  bitOffset: number;
  bitLength: number;
  value: number;
}
export interface EncodeFrameOptions {
  fin?: boolean; rsv1?: boolean; rsv2?: boolean; rsv3?: boolean;
  /** 0–15; reserved values are written as given. */
  opcode: number;
  mask?: boolean;
  /** The 4-byte masking key; random when `mask` is set and this is absent. */
  maskKey?: Uint8Array;
  payload?: Uint8Array;
}
export interface EncodedFrame {
  bytes: Uint8Array;
  headerLength: number;
  opcodeName: string;
  maskKey: Uint8Array | null;
  fields: FrameHeaderField[];
}
export interface DecodedFrame {
  offset: number;
  headerLength: number;
  fin: boolean; rsv1: boolean; rsv2: boolean; rsv3: boolean;
  opcode: number;
  opcodeName: string;
  masked: boolean;
  maskKey: Uint8Array | null;
  payloadLength: number;
  /** The payload bytes present, unmasked. */
  payload: Uint8Array;
  complete: boolean;
  /** This frame broke the rule in `DecodedFrames.error`; its payload was not read. */
  rejected: boolean;
  fields: FrameHeaderField[];
}
export interface DecodedFrames {
  frames: DecodedFrame[];
  /** The first per-frame rule broken (a Ws101Error with offset, code, closeCode, rfc), or null. */
  error: Error | null;
  /** Trailing bytes that begin a header but do not complete it. */
  partialHeader: number;
}
"#;

fn get(obj: &JsValue, key: &str) -> JsValue {
    if obj.is_object() {
        Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

fn bytes_of(value: &JsValue) -> Option<Vec<u8>> {
    value.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
}

fn fields_to_js(header: &FrameHeader) -> Array {
    header
        .fields()
        .iter()
        .map(|f| {
            let o = Object::new();
            set(&o, "name", f.name);
            set(&o, "bitOffset", f.bit_offset);
            set(&o, "bitLength", f.bit_length);
            set(&o, "value", f.value as f64);
            JsValue::from(o)
        })
        .collect()
}

fn key_to_js(key: Option<[u8; 4]>) -> JsValue {
    key.map_or(JsValue::NULL, |k| Uint8Array::from(&k[..]).into())
}

/// Writes one frame from `{ fin, rsv1, rsv2, rsv3, opcode, mask, maskKey, payload }` exactly as
/// given (no rule is checked, so invalid frames can be built on purpose):
/// `{ bytes, headerLength, opcodeName, maskKey, fields }`.
#[wasm_bindgen(js_name = encodeFrame, unchecked_return_type = "EncodedFrame")]
pub fn encode_frame_js(
    #[wasm_bindgen(unchecked_param_type = "EncodeFrameOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let flag = |key| get(&options, key).is_truthy();
    let opcode = get(&options, "opcode").as_f64().unwrap_or(1.0);
    if !(0.0..=15.0).contains(&opcode) || opcode.fract() != 0.0 {
        return Err(js_sys::RangeError::new("opcode must be an integer from 0 to 15").into());
    }
    let mask = if flag("mask") {
        match bytes_of(&get(&options, "maskKey")) {
            Some(k) if k.len() == 4 => Some([k[0], k[1], k[2], k[3]]),
            Some(_) => return Err(js_sys::RangeError::new("maskKey must be 4 bytes").into()),
            None => {
                let key = RandomMask::default().mask_key().ok_or_else(|| {
                    to_js_error(&crate::connection::UsageError::EntropyUnavailable)
                })?;
                Some(key)
            }
        }
    } else {
        None
    };
    let payload = bytes_of(&get(&options, "payload")).unwrap_or_default();
    let header = FrameHeader {
        fin: flag("fin"),
        rsv1: flag("rsv1"),
        rsv2: flag("rsv2"),
        rsv3: flag("rsv3"),
        opcode: Opcode::from(opcode as u8),
        mask,
        payload_len: payload.len() as u64,
    };
    let mut bytes = Vec::new();
    encode_any_frame(&mut bytes, header, &payload);
    let o = Object::new();
    set(&o, "bytes", Uint8Array::from(&bytes[..]));
    set(&o, "headerLength", header.encoded_len() as u32);
    set(&o, "opcodeName", header.opcode.name());
    set(&o, "maskKey", key_to_js(mask));
    set(&o, "fields", fields_to_js(&header));
    Ok(o.into())
}

/// Lists the frames in `bytes` as received by `role` (`"server"` or `"client"`), stopping at
/// the first frame that breaks a rule of RFC 6455 §5.1–§5.5: `{ frames, error, partialHeader }`.
#[wasm_bindgen(js_name = decodeFrames, unchecked_return_type = "DecodedFrames")]
pub fn decode_frames_js(
    bytes: &[u8],
    #[wasm_bindgen(unchecked_param_type = "\"server\" | \"client\"")] role: JsValue,
) -> Result<JsValue, JsValue> {
    let role = match string_arg(&role, "role")?.as_str() {
        "server" => Role::Server,
        "client" => Role::Client,
        other => {
            return Err(js_sys::TypeError::new(&format!(
                "role must be \"server\" or \"client\", got {other}"
            ))
            .into())
        }
    };
    let listing = inspect_frames(bytes, role);
    let frames: Array = listing
        .frames
        .iter()
        .map(|f| {
            let h = &f.header;
            let o = Object::new();
            set(&o, "offset", f.offset as f64);
            set(&o, "headerLength", f.header_len as u32);
            set(&o, "fin", h.fin);
            set(&o, "rsv1", h.rsv1);
            set(&o, "rsv2", h.rsv2);
            set(&o, "rsv3", h.rsv3);
            set(&o, "opcode", u8::from(h.opcode));
            set(&o, "opcodeName", h.opcode.name());
            set(&o, "masked", h.mask.is_some());
            set(&o, "maskKey", key_to_js(h.mask));
            set(&o, "payloadLength", h.payload_len as f64);
            set(&o, "payload", Uint8Array::from(&f.payload[..]));
            set(&o, "complete", f.complete);
            set(&o, "rejected", f.rejected);
            set(&o, "fields", fields_to_js(h));
            JsValue::from(o)
        })
        .collect();
    let o = Object::new();
    set(&o, "frames", frames);
    set(
        &o,
        "error",
        listing
            .error
            .as_ref()
            .map_or(JsValue::NULL, |e| to_js_error(e)),
    );
    set(&o, "partialHeader", listing.partial_header as u32);
    Ok(o.into())
}

//! Frame exports for the explainer and tools (RFC 6455 §5.2): build one frame from its header
//! fields, and list the frames of a capture. The layout and checks are the core's
//! (`frame::inspect`); this module only converts between JS objects and core values.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::error::{string_arg, to_js_error};
use crate::connection::{MaskSource, RandomMask};
use crate::frame::{encode_any_frame, inspect_frames_limited, FrameHeader, Opcode, Role};

// The public types live in js/index.d.ts (self-contained, no DOM lib needed); the glue's
// declarations name them from there.
#[wasm_bindgen(typescript_custom_section)]
const TS_FRAME: &'static str = r#"
import type {
  EncodeFrameOptions, EncodedFrame, Ws101ErrorCodeEntry, ParsedRequest, ExtendedConnectOutcome,
  UpgradeClassification, ClientOutcome, ValidatedResponse, ClassifiedHead, HeaderLine, Ws101Error,
} from "./index.js";
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
                let key = RandomMask.mask_key().ok_or_else(|| {
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

/// Numbers per frame in `DecodedFrameTable.records` (see [`decode_frame_table`]).
const RECORD: usize = 10;

/// Lists at most `limit` frames of `bytes` as received by `role` (`"server"` or `"client"`),
/// stopping at the first frame that breaks a rule of RFC 6455 §5.1–§5.5, as flat tables that the
/// JS façade (`decodeFrames` in api.mjs) turns into objects: one JS object per frame built here
/// cost ~80 µs (every key a string crossing), 40 s for 1 MiB of 2-byte frames.
///
/// `{ records: Float64Array, fields: Float64Array, fieldNames, opcodeNames, payloads: Uint8Array,
/// error, partialHeader, truncated }`; per frame `records` holds offset, header length, flags
/// (bit 0 FIN, 1 RSV1, 2 RSV2, 3 RSV3, 4 masked, 5 complete, 6 rejected), opcode, masking key
/// (or -1), payload length, start and length of its payload in `payloads`, and start and count of
/// its `[name index, bit offset, bit length, value]` quadruples in `fields`.
#[doc(hidden)]
#[wasm_bindgen(js_name = decodeFrameTable)]
pub fn decode_frame_table(
    bytes: &[u8],
    #[wasm_bindgen(unchecked_param_type = "\"server\" | \"client\"")] role: JsValue,
    limit: u32,
) -> Result<JsValue, JsValue> {
    let role = match string_arg(&role, "role")?.as_str() {
        "server" => Role::Server,
        "client" => Role::Client,
        _ => return Err(js_sys::TypeError::new("role must be \"server\" or \"client\"").into()),
    };
    let listing = inspect_frames_limited(bytes, role, limit as usize);
    let mut records = Vec::with_capacity(listing.frames.len() * RECORD);
    let mut fields: Vec<f64> = Vec::new();
    let mut payload_total = 0usize;
    for f in &listing.frames {
        payload_total += f.payload.len();
    }
    let mut payloads = Vec::with_capacity(payload_total);
    let mut names: Vec<&'static str> = Vec::new();
    for f in &listing.frames {
        let h = &f.header;
        let flags = u32::from(h.fin)
            | u32::from(h.rsv1) << 1
            | u32::from(h.rsv2) << 2
            | u32::from(h.rsv3) << 3
            | u32::from(h.mask.is_some()) << 4
            | u32::from(f.complete) << 5
            | u32::from(f.rejected) << 6;
        let field_start = fields.len() / 4;
        let header_fields = h.fields();
        for field in &header_fields {
            let index = match names.iter().position(|n| *n == field.name) {
                Some(i) => i,
                None => {
                    names.push(field.name);
                    names.len() - 1
                }
            };
            fields.extend_from_slice(&[
                index as f64,
                field.bit_offset.into(),
                field.bit_length.into(),
                field.value as f64,
            ]);
        }
        records.extend_from_slice(&[
            f.offset as f64,
            f.header_len as f64,
            flags.into(),
            u8::from(h.opcode).into(),
            h.mask.map_or(-1.0, |k| u32::from_be_bytes(k).into()),
            h.payload_len as f64,
            payloads.len() as f64,
            f.payload.len() as f64,
            field_start as f64,
            header_fields.len() as f64,
        ]);
        payloads.extend_from_slice(&f.payload);
    }
    let opcode_names: Array = (0u8..16)
        .map(|i| JsValue::from_str(Opcode::from(i).name()))
        .collect();
    let field_names: Array = names.iter().map(|n| JsValue::from_str(n)).collect();
    let o = Object::new();
    set(&o, "records", js_sys::Float64Array::from(&records[..]));
    set(&o, "fields", js_sys::Float64Array::from(&fields[..]));
    set(&o, "fieldNames", field_names);
    set(&o, "opcodeNames", opcode_names);
    set(&o, "payloads", Uint8Array::from(&payloads[..]));
    set(
        &o,
        "error",
        listing
            .error
            .as_ref()
            .map_or(JsValue::NULL, |e| to_js_error(e)),
    );
    set(&o, "partialHeader", listing.partial_header as u32);
    set(&o, "truncated", listing.truncated);
    let next = match listing.frames.last() {
        Some(f) if listing.truncated => f.offset + f.header_len + f.payload.len(),
        _ => bytes.len(),
    };
    set(&o, "nextOffset", next as f64);
    Ok(o.into())
}

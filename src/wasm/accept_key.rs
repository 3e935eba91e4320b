//! `Sec-WebSocket-Key` / `Sec-WebSocket-Accept` exports (RFC 6455 §4.1, §4.2.2).

use wasm_bindgen::prelude::*;

use super::error::{string_arg, to_js_error};
use crate::handshake::accept_key as core;

/// The `Sec-WebSocket-Accept` value for a client's `Sec-WebSocket-Key` (RFC 6455 §4.2.2).
/// Throws a `Ws101Error` (`bad-key-base64`, `bad-key-length`) unless the key is base64 of 16 bytes.
#[wasm_bindgen(js_name = acceptKey)]
pub fn accept_key(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> Result<String, JsValue> {
    core::accept_key_checked(&string_arg(&key, "key")?).map_err(|e| to_js_error(&e))
}

/// base64(SHA-1(key + GUID)) for any string, without checking the key (for teaching and testing).
#[wasm_bindgen(js_name = acceptKeyUnchecked)]
pub fn accept_key_unchecked(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> Result<String, JsValue> {
    Ok(core::accept_key(&string_arg(&key, "key")?))
}

/// The 20-byte SHA-1 digest of key + GUID, the step before base64 (RFC 6455 §4.2.2 5.4).
#[wasm_bindgen(js_name = acceptDigest)]
pub fn accept_digest(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> Result<Vec<u8>, JsValue> {
    Ok(core::accept_digest(&string_arg(&key, "key")?).to_vec())
}

/// A new client key: base64 of 16 bytes from `crypto.getRandomValues` (RFC 6455 §4.1).
#[wasm_bindgen(js_name = generateKey)]
pub fn generate_key() -> Result<String, JsValue> {
    core::generate_key().map_err(|e| to_js_error(&e))
}

/// Checks a `Sec-WebSocket-Key` and returns its 16-byte nonce; throws a `Ws101Error` otherwise.
#[wasm_bindgen(js_name = validateKey)]
pub fn validate_key(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> Result<Vec<u8>, JsValue> {
    core::validate_key(&string_arg(&key, "key")?)
        .map(|n| n.to_vec())
        .map_err(|e| to_js_error(&e))
}

/// The GUID every accept value is computed with (RFC 6455 §1.3).
#[wasm_bindgen(js_name = websocketGuid)]
pub fn websocket_guid() -> String {
    core::GUID.into()
}

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
    core::accept_key(&string_arg(&key, "key")?).map_err(|e| to_js_error(&e))
}

/// base64(SHA-1(key + GUID)) for any string, without checking the key (for teaching and testing).
#[wasm_bindgen(js_name = acceptKeyUnchecked)]
pub fn accept_key_unchecked(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> Result<String, JsValue> {
    Ok(core::accept_key_unchecked(&string_arg(&key, "key")?))
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

// ---- the fast path: the key's bytes and the answer pass through one buffer in wasm memory ------

use ::core::cell::RefCell;

/// Bytes of the key area (a valid key is 24 characters) before the 28-byte answer.
const KEY_AREA: usize = 32;

thread_local! {
    /// `[key (≤ 32 bytes) | accept value (28 bytes)]`, at a fixed address for the instance's life.
    static KEY_BUFFER: RefCell<[u8; KEY_AREA + core::ACCEPT_LEN]> =
        const { RefCell::new([0; KEY_AREA + core::ACCEPT_LEN]) };
}

/// The address of the key buffer: JS writes up to 32 key bytes there and calls
/// [`accept_key_packed`]; the answer is the 28 bytes at address + 32. Fixed for the instance.
#[wasm_bindgen(js_name = acceptKeyBuffer)]
pub fn accept_key_buffer() -> usize {
    KEY_BUFFER.with(|b| b.borrow().as_ptr() as usize)
}

/// Checks the `len`-byte key in the key buffer and writes its `Sec-WebSocket-Accept` value after
/// it: true when the key is valid, else false (JS then asks [`accept_key`] for the error).
#[wasm_bindgen(js_name = acceptKeyPacked)]
pub fn accept_key_packed(len: usize) -> bool {
    KEY_BUFFER.with(|b| {
        let mut buffer = b.borrow_mut();
        let (key, out) = buffer.split_at_mut(KEY_AREA);
        let Some(key) = key.get(..len).and_then(|k| ::core::str::from_utf8(k).ok()) else {
            return false;
        };
        // The canonical spelling is checked without allocating; anything else asks validate_key.
        if !core::is_canonical_key(key.as_bytes()) && core::validate_key(key).is_err() {
            return false;
        }
        let key = key.as_bytes();
        match <&mut [u8; core::ACCEPT_LEN]>::try_from(out) {
            Ok(out) => {
                core::accept_key_into(key, out);
                true
            }
            Err(_) => false,
        }
    })
}

//! The binding layer: thin `#[wasm_bindgen]` exports over the core, one module per concern.
//! No protocol logic lives here: it converts arguments, calls the core, and shapes errors.

pub mod accept_key;
#[cfg(feature = "connection")]
pub mod connection;
pub mod error;
#[cfg(feature = "connection")]
pub mod frame;
pub mod handshake;
#[cfg(feature = "connection")]
pub mod headroom;
mod json;
#[cfg(feature = "connection")]
pub mod utf8_check;

use wasm_bindgen::prelude::*;

/// The module's linear memory, for JS views over event payloads (see `connection`).
#[wasm_bindgen(js_name = wasmMemory, unchecked_return_type = "WebAssembly.Memory")]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Traps on purpose (`unreachable`), leaving this instance unusable: for the instance-recovery
/// tests only (js/instance.mjs rebuilds a fresh instance). Not part of the API.
#[doc(hidden)]
#[wasm_bindgen(js_name = __ws101_test_only_trap_this_instance)]
pub fn test_only_trap_this_instance() {
    core::arch::wasm32::unreachable()
}

//! The binding layer: thin `#[wasm_bindgen]` exports over the core, one module per concern.
//! No protocol logic lives here: it converts arguments, calls the core, and shapes errors.

pub mod accept_key;
pub mod connection;
pub mod error;
pub mod frame;
pub mod handshake;

use wasm_bindgen::prelude::*;

/// The module's linear memory, for JS views over event payloads (see `connection`).
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

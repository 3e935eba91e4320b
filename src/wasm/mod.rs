//! The binding layer: thin `#[wasm_bindgen]` exports over the core, one module per concern.
//! No protocol logic lives here: it converts arguments, calls the core, and shapes errors.

pub mod accept_key;
pub mod error;

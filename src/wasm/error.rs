//! Core [`Diagnostic`]s become JS `Error`s carrying the same fields (`code`, `rfc`, `header`,
//! `value`, `offset`, `status`, `closeCode`, `blame`), branded so `e instanceof Ws101Error`
//! holds in JS. The caller's misuse is a `RangeError` (a value it gave breaks a rule); the
//! peer's faults and local failures are plain `Error`s. The sentence is the error's `message`.

use js_sys::{Array, Error, Object, RangeError, Reflect, Symbol};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsValue;

use crate::error::{Blame, Diagnostic, ERROR_CODES};

/// Turns any core error into the JS error shape documented in `index.d.ts`.
pub fn to_js_error(diagnostic: &dyn Diagnostic) -> JsValue {
    let message = diagnostic.message();
    let error: Error = match diagnostic.blame() {
        Blame::Caller => RangeError::new(&message).into(),
        Blame::Peer | Blame::Local | Blame::Transport => Error::new(&message),
    };
    error.set_name("Ws101Error");
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&error, &JsValue::from_str(key), &value);
    };
    set("code", JsValue::from_str(diagnostic.code()));
    set("rfc", JsValue::from_str(diagnostic.rfc()));
    set(
        "header",
        diagnostic.header().map_or(JsValue::NULL, JsValue::from_str),
    );
    set(
        "value",
        diagnostic
            .value()
            .map_or(JsValue::NULL, |v| JsValue::from_str(&v)),
    );
    set(
        "offset",
        diagnostic
            .offset()
            .map_or(JsValue::NULL, |o| JsValue::from_f64(o as f64)),
    );
    set(
        "status",
        diagnostic
            .status()
            .map_or(JsValue::NULL, |s| JsValue::from_f64(s.into())),
    );
    set(
        "closeCode",
        diagnostic
            .close_code()
            .map_or(JsValue::NULL, |c| JsValue::from_f64(c.into())),
    );
    set("blame", JsValue::from_str(diagnostic.blame().as_str()));
    let _ = Reflect::set(&error, &Symbol::for_("ws101.error").into(), &JsValue::TRUE);
    error.into()
}

/// The core's table of error codes ([`ERROR_CODES`]): `{ code, rfc, status, closeCode, blame }`
/// for every code, in table order.
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "Ws101ErrorCodeEntry[]")]
pub fn error_codes() -> Array {
    let number = |n: Option<u16>| n.map_or(JsValue::NULL, |n| JsValue::from_f64(n.into()));
    ERROR_CODES
        .iter()
        .map(|e| {
            let row = Object::new();
            for (key, value) in [
                ("code", JsValue::from_str(e.code)),
                ("rfc", JsValue::from_str(e.rfc)),
                ("status", number(e.status)),
                ("closeCode", number(e.close_code)),
                ("blame", JsValue::from_str(e.blame.as_str())),
            ] {
                let _ = Reflect::set(&row, &JsValue::from_str(key), &value);
            }
            JsValue::from(row)
        })
        .collect()
}

/// A string argument from JS. wasm-bindgen's `&str` glue reads `.length` of whatever it is given
/// and writes out of bounds for a non-string (a trap: `memory access out of bounds`), so string
/// parameters arrive as `JsValue` and anything else is a `TypeError`.
pub fn string_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| js_sys::TypeError::new(&[what, " must be a string"].concat()).into())
}

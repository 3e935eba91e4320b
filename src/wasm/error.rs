//! Core [`Diagnostic`]s become JS `Error`s carrying the same fields (`code`, `rfc`, `header`,
//! `value`, `offset`, `status`, `closeCode`), branded so `e instanceof Ws101Error` holds in JS.

use js_sys::{Error, Reflect, Symbol};
use wasm_bindgen::JsValue;

use crate::error::Diagnostic;

/// Turns any core error into the JS error shape documented in `index.d.ts`.
pub fn to_js_error(diagnostic: &dyn Diagnostic) -> JsValue {
    let error = Error::new(&diagnostic.explanation());
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
    let _ = Reflect::set(&error, &Symbol::for_("ws101.error").into(), &JsValue::TRUE);
    error.into()
}

/// A string argument from JS. wasm-bindgen's `&str` glue reads `.length` of whatever it is given
/// and writes out of bounds for a non-string (a trap: `memory access out of bounds`), so string
/// parameters arrive as `JsValue` and anything else is a `TypeError`.
pub fn string_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| js_sys::TypeError::new(&format!("{what} must be a string")).into())
}

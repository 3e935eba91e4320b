//! The core and the binding layer running as wasm32: in Node (`wasm-pack test --node`) and in
//! headless Chromium and Firefox (`WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --chrome|--firefox`).
#![cfg(target_arch = "wasm32")]

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use ws101::wasm::accept_key as binding;

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

#[wasm_bindgen_test]
fn rfc6455_example_accept_key() {
    // RFC 6455 §1.3
    assert_eq!(
        ws101::accept_key("dGhlIHNhbXBsZSBub25jZQ==").unwrap(),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
    assert_eq!(
        binding::accept_key(JsValue::from_str("dGhlIHNhbXBsZSBub25jZQ==")).unwrap(),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[wasm_bindgen_test]
fn bad_key_throws_a_typed_error() {
    let err = binding::accept_key(JsValue::from_str("AAAAAAAAAAAAAAAAAAAA")).unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(
        field(&err, "code").as_string().as_deref(),
        Some("bad-key-length")
    );
    assert_eq!(
        field(&err, "header").as_string().as_deref(),
        Some("Sec-WebSocket-Key")
    );
    assert_eq!(field(&err, "status").as_f64(), Some(400.0));
    assert_eq!(
        field(&err, "rfc").as_string().as_deref(),
        Some("RFC 6455 §4.2.1")
    );
    let brand = Reflect::get(&err, &js_sys::Symbol::for_("ws101.error").into()).unwrap();
    assert_eq!(brand, JsValue::TRUE);
    let err = binding::accept_key(JsValue::from_str("not base64 at all!")).unwrap_err();
    assert_eq!(
        field(&err, "code").as_string().as_deref(),
        Some("bad-key-base64")
    );
    assert_eq!(field(&err, "offset").as_f64(), Some(3.0));
}

#[wasm_bindgen_test]
fn generated_keys_come_from_the_platform_csprng() {
    let a = binding::generate_key().unwrap();
    let b = binding::generate_key().unwrap();
    assert_ne!(a, b);
    assert_eq!(
        binding::validate_key(JsValue::from_str(&a)).unwrap().len(),
        16
    );
    assert_eq!(
        binding::accept_key(JsValue::from_str(&a)).unwrap(),
        ws101::accept_key(&a).unwrap()
    );
}

#[wasm_bindgen_test]
fn non_string_keys_are_type_errors_not_traps() {
    // Regression: `&str` parameters read `.length` of any JS value and wrote out of bounds.
    for value in [
        JsValue::NULL,
        JsValue::UNDEFINED,
        JsValue::from_f64(f64::NAN),
        js_sys::Object::new().into(),
    ] {
        let err = binding::accept_key(value.clone()).unwrap_err();
        assert!(err.is_instance_of::<js_sys::TypeError>());
        assert!(binding::validate_key(value).is_err());
    }
}

#[wasm_bindgen_test]
fn digest_is_the_rfc_value() {
    // RFC 6455 §4.2.2: 0xb3 0x7a 0x4f 0x2c ... 0xc4 0xea
    let digest = binding::accept_digest(JsValue::from_str("dGhlIHNhbXBsZSBub25jZQ==")).unwrap();
    assert_eq!(digest.len(), 20);
    assert_eq!((digest[0], digest[19]), (0xb3, 0xea));
}

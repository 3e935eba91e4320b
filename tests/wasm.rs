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

/// The flat `[name, value, …]` lines of a fetch `Headers`, from its own iterator (as api.mjs
/// reads them).
fn flat_lines(headers: &web_sys::Headers) -> js_sys::Array {
    let flat = js_sys::Array::new();
    for entry in js_sys::try_iter(headers).unwrap().unwrap() {
        let pair = js_sys::Array::from(&entry.unwrap());
        flat.push(&pair.get(0));
        flat.push(&pair.get(1));
    }
    flat
}

/// A real fetch `Request` and `Headers`, built through web-sys, validated by the binding; the
/// answers become a real `Headers` (the 101) and a real `Response` (a rejection: a fetch
/// `Response` cannot carry 101, its status is 200-599).
#[wasm_bindgen_test]
fn fetch_request_headers_and_response_through_web_sys() {
    use web_sys::{Headers, Request, RequestInit, Response, ResponseInit};
    use ws101::wasm::handshake::validate_request_parts;

    let headers = Headers::new().unwrap();
    for (name, value) in [
        ("Host", "server.example.com"),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
    ] {
        headers.append(name, value).unwrap();
    }
    let init = RequestInit::new();
    init.set_method("GET");
    let request =
        Request::new_with_str_and_init("http://server.example.com/chat?x=1", &init).unwrap();
    let url = request.url();
    let target = &url[url.find("/chat").unwrap()..];
    assert_eq!(target, "/chat?x=1");
    let validate = |headers: &Headers| {
        validate_request_parts(
            request.method().into(),
            target.into(),
            "1.1".into(),
            flat_lines(headers).into(),
            JsValue::UNDEFINED,
        )
        .unwrap()
    };

    let accepted = validate(&headers);
    assert_eq!(field(&accepted, "status").as_f64(), Some(101.0));
    let answer = Headers::new().unwrap();
    for line in js_sys::Array::from(&field(&field(&accepted, "response"), "headers")).iter() {
        let (name, value) = (field(&line, "name"), field(&line, "value"));
        answer
            .append(&name.as_string().unwrap(), &value.as_string().unwrap())
            .unwrap();
    }
    assert_eq!(
        answer.get("sec-websocket-accept").unwrap().as_deref(),
        Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    );
    assert_eq!(answer.get("upgrade").unwrap().as_deref(), Some("websocket"));

    headers.set("Sec-WebSocket-Version", "8").unwrap();
    let rejected = validate(&headers);
    let response = field(&rejected, "response");
    assert_eq!(field(&response, "status").as_f64(), Some(426.0));
    let fields = Headers::new().unwrap();
    for line in js_sys::Array::from(&field(&response, "headers")).iter() {
        let (name, value) = (field(&line, "name"), field(&line, "value"));
        fields
            .append(&name.as_string().unwrap(), &value.as_string().unwrap())
            .unwrap();
    }
    let init = ResponseInit::new();
    init.set_status(426);
    init.set_headers(&fields);
    let body = field(&response, "body").as_string().unwrap();
    let response = Response::new_with_opt_str_and_init(Some(&body), &init).unwrap();
    assert_eq!(response.status(), 426);
    assert_eq!(
        response
            .headers()
            .get("Sec-WebSocket-Version")
            .unwrap()
            .as_deref(),
        Some("13")
    );
    assert!(body.contains("unsupported-version"), "{body}");
}

/// The wasm build's mask paths (v128 blocks of 32 bytes with `simd128`, then words, then bytes)
/// against the RFC 6455 §5.3 formula, for every length to 100, phase and alignment.
#[wasm_bindgen_test]
fn mask_fast_paths_equal_the_rfc_formula() {
    use ws101::frame::{apply_mask, apply_mask_reference, mask_copy};
    let key = [0x37, 0xfa, 0x21, 0x3d];
    let data: Vec<u8> = (0..120u32)
        .map(|i| (i.wrapping_mul(31) ^ 0x5A) as u8)
        .collect();
    for offset in 0..8 {
        for len in 0..=100 {
            for phase in 0..4 {
                let mut slow = data.clone();
                apply_mask_reference(&mut slow[offset..offset + len], key, phase);
                let mut fast = data.clone();
                apply_mask(&mut fast[offset..offset + len], key, phase);
                assert_eq!(
                    fast, slow,
                    "apply_mask len {len} phase {phase} offset {offset}"
                );
                let mut copied = data.clone();
                mask_copy(
                    &mut copied[offset..offset + len],
                    &data[offset..offset + len],
                    key,
                    phase,
                );
                assert_eq!(
                    copied, slow,
                    "mask_copy len {len} phase {phase} offset {offset}"
                );
            }
        }
    }
}

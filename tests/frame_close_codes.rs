//! Close code validity (RFC 6455 §7.4.1, §7.4.2; IANA registry).

use ws101::frame::{CloseCode, CloseCodeClass};

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn validity_table() {
    let valid = |c: u16| CloseCode(c).is_valid_on_wire();
    for c in 0..=u16::MAX {
        let expected = matches!(c, 1000..=1003 | 1007..=1014 | 3000..=4999);
        assert_eq!(valid(c), expected, "{c}");
    }
    for (code, class) in [
        (0, CloseCodeClass::Unused),
        (999, CloseCodeClass::Unused),
        (1000, CloseCodeClass::Protocol),
        (1003, CloseCodeClass::Protocol),
        (1004, CloseCodeClass::Unassigned),
        (1005, CloseCodeClass::LocalOnly),
        (1006, CloseCodeClass::LocalOnly),
        (1007, CloseCodeClass::Protocol),
        (1014, CloseCodeClass::Protocol),
        (1015, CloseCodeClass::LocalOnly),
        (1016, CloseCodeClass::Unassigned),
        (2999, CloseCodeClass::Unassigned),
        (3000, CloseCodeClass::Registered),
        (3999, CloseCodeClass::Registered),
        (4000, CloseCodeClass::Private),
        (4999, CloseCodeClass::Private),
        (5000, CloseCodeClass::OutOfRange),
        (u16::MAX, CloseCodeClass::OutOfRange),
    ] {
        assert_eq!(CloseCode(code).class(), class, "{code}");
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_close_without_a_code_is_reported_as_1005() {
    // RFC 6455 §7.1.5: the connection close code is the Close frame's, or 1005 without one.
    assert_eq!(CloseCode::received(None), CloseCode(1005));
    assert_eq!(CloseCode::received(Some(4000)), CloseCode(4000));
}

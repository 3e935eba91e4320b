//! The JavaScript runtime's own UTF-8 validator as the core's [`Utf8Check`] (RFC 3629, RFC 6455
//! §8.1): Node's, Bun's and Deno's `buffer.isUtf8` (simdutf, native) checks long text several
//! times faster than `simdutf8` compiled to wasm. The JS layer installs it once per instance
//! (`setUtf8Check`); connections made after that pass it to the core, which asks it only about
//! long slices and only to vouch for valid text: on `false`, or when the call throws, the core's
//! own check decides and locates the error (src/message/utf8.rs).

use core::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::message::Utf8Check;

thread_local! {
    static HOST: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Installs `check(pointer, length)`, which says whether the `length` bytes at `pointer` in this
/// module's memory are UTF-8, for connections made from now on; `undefined` removes it.
#[wasm_bindgen(js_name = setUtf8Check)]
pub fn set_utf8_check(
    #[wasm_bindgen(
        unchecked_param_type = "((pointer: number, length: number) => boolean) | undefined"
    )]
    check: JsValue,
) -> Result<(), JsValue> {
    let check = if check.is_undefined() {
        None
    } else {
        let f = check.dyn_into::<js_sys::Function>().map_err(|_| {
            JsValue::from(js_sys::TypeError::new(
                "setUtf8Check(check): check must be a function or undefined",
            ))
        })?;
        Some(f)
    };
    HOST.with(|host| match host.try_borrow_mut() {
        Ok(mut host) => {
            *host = check;
            Ok(())
        }
        Err(_) => Err(JsValue::from(js_sys::Error::new(
            "setUtf8Check: called from inside the check",
        ))),
    })
}

/// The installed check as the core's, or `None` when JS installed none.
pub fn installed() -> Option<Utf8Check> {
    let present = HOST.with(|host| host.try_borrow().is_ok_and(|h| h.is_some()));
    present.then_some(host_is_utf8 as Utf8Check)
}

/// Asks the installed check about `bytes` (in this module's memory, which the call cannot grow).
fn host_is_utf8(bytes: &[u8]) -> bool {
    HOST.with(|host| {
        let Ok(host) = host.try_borrow() else {
            return false;
        };
        let Some(check) = host.as_ref() else {
            return false;
        };
        let pointer = JsValue::from(bytes.as_ptr() as usize as u32);
        let length = JsValue::from(bytes.len() as u32);
        check
            .call2(&JsValue::NULL, &pointer, &length)
            .is_ok_and(|answer| answer.as_bool() == Some(true))
    })
}

//! Sets `cfg(ws101_serde)` (serde derives on the outcomes) when the `serde` feature is on, and
//! always for wasm32, whose binding hands those outcomes to JS through serde-wasm-bindgen.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(ws101_serde)");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32");
    if wasm || std::env::var_os("CARGO_FEATURE_SERDE").is_some() {
        println!("cargo::rustc-cfg=ws101_serde");
    }
}

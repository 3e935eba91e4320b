//! Sets `cfg(ws101_serde)` (serde derives on the outcomes) when the `serde` feature is on. The
//! wasm32 binding builds its JS objects without serde (src/wasm/json.rs).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(ws101_serde)");
    if std::env::var_os("CARGO_FEATURE_SERDE").is_some() {
        println!("cargo::rustc-cfg=ws101_serde");
    }
}

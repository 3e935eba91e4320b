// Deno: a source-phase import hands over the compiled WebAssembly.Module, so the API is usable
// right after import with no --allow-read (Deno resolves `ws101` here through the `deno` condition).
import source wasmModule from "./ws101_bg.wasm";
import { initSync } from "./ws101.js";

initSync({ module: wasmModule });

export * from "./api.mjs";

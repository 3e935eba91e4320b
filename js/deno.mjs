// Deno: a source-phase import hands over the compiled WebAssembly.Module, so the API is usable
// right after import with no --allow-read (Deno resolves `ws101` here through the `deno` condition).
// The Module is kept so that a fresh instance can be built after a trap (instance.mjs).
import source wasmModule from "./ws101_bg.wasm";
import { configure, initGlueSync as initSync } from "./instance.mjs";

initSync({ module: wasmModule });
configure({ instantiate: (glue) => glue.initSync({ module: wasmModule }) });

export * from "./api.mjs";

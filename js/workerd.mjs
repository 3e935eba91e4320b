// Cloudflare Workers / workerd: the runtime hands a `.wasm` import over as a compiled
// WebAssembly.Module (wrangler and workerd module lists both do), so initialisation is synchronous.
import wasmModule from "./ws101_bg.wasm";
import { initSync } from "./ws101.js";

initSync({ module: wasmModule });

export * from "./api.mjs";

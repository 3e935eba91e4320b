// Cloudflare Workers / workerd: the runtime hands a `.wasm` import over as a compiled
// WebAssembly.Module (wrangler and workerd module lists both do), so initialisation is synchronous.
// workerd's module registry is fixed when the worker is built: no second copy of the glue can be
// imported, so after a trap `recover()` rejects and the isolate has to be replaced.
import wasmModule from "./ws101_bg.wasm";
import { configure, initGlueSync as initSync } from "./instance.mjs";

initSync({ module: wasmModule });
configure({
  unsupported: "workerd cannot import a second copy of the glue module (its module registry is fixed); a trapped instance stays unusable until the isolate is replaced",
});

export * from "./api.mjs";

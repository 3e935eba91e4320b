// Browsers and bundlers: fetch and compile the .wasm next to this file (bundlers such as Vite and
// webpack copy it as an asset through `new URL(..., import.meta.url)`), then expose the API. After a
// trap a fresh instance is built from a fresh copy of the glue (`ws101.js?instance=N`) and the same
// URL (instance.mjs); bundles that inline the glue cannot make that copy, and recover() rejects.
// Where the .wasm is missing (a bundler that does not copy assets), the import fails with an error
// that says what to do (wasm-missing.mjs).
import { configure, initGlue as init } from "./instance.mjs";
import { wasmMissing } from "./wasm-missing.mjs";

let wasmUrl;
try {
  wasmUrl = new URL("./ws101_bg.wasm", import.meta.url);
  await init({ module_or_path: wasmUrl });
} catch (e) {
  throw wasmMissing(wasmUrl?.href ?? "beside ws101's entry (import.meta.url is missing)", e);
}
configure({ instantiate: (glue) => glue.default({ module_or_path: wasmUrl }) });

export * from "./api.mjs";

// Browsers and bundlers: fetch and compile the .wasm next to this file (bundlers such as Vite
// copy it as an asset through `new URL(..., import.meta.url)`), then expose the API. After a trap
// a fresh instance is built from a fresh copy of the glue (`ws101.js?instance=N`) and the same URL
// (instance.mjs); bundles that inline the glue cannot make that copy, and recover() rejects.
import init from "./ws101.js";
import { configure } from "./instance.mjs";

const wasmUrl = new URL("./ws101_bg.wasm", import.meta.url);
await init({ module_or_path: wasmUrl });
configure({ instantiate: (glue) => glue.default({ module_or_path: wasmUrl }) });

export * from "./api.mjs";

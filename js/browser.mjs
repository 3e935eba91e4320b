// Browsers and bundlers: fetch and compile the .wasm next to this file (bundlers such as Vite
// copy it as an asset through `new URL(..., import.meta.url)`), then expose the API.
import init from "./ws101.js";

await init({ module_or_path: new URL("./ws101_bg.wasm", import.meta.url) });

export * from "./api.mjs";

// Manual initialisation for hosts none of the entries fit: call `init()` (async: a URL, Response,
// bytes or WebAssembly.Module) or `initSync()` (bytes or a Module) before using the API.
import initAsync, { initSync as initGlueSync } from "./ws101.js";

/** @param {{ module_or_path?: any } | undefined} source */
export async function init(source) {
  await initAsync(source ?? { module_or_path: new URL("./ws101_bg.wasm", import.meta.url) });
}

/** @param {{ module: BufferSource | WebAssembly.Module }} source */
export function initSync(source) {
  initGlueSync(source);
}

export * from "./api.mjs";

// Manual initialisation for hosts none of the entries fit: call `init()` (async: a URL, Response,
// bytes or WebAssembly.Module) or `initSync()` (bytes or a Module) before using the API.
// The source is kept so that a fresh instance can be built after a trap (instance.mjs); give a
// URL, bytes or a Module for that (a Response can be read only once).
import { configure, expectInit, initGlue as initAsync, initGlueSync } from "./instance.mjs";
import { wasmMissing } from "./wasm-missing.mjs";

expectInit();

/** @param {{ module_or_path?: any } | undefined} source */
export async function init(source) {
  let given = source;
  if (given === undefined) {
    // The .wasm beside this file; a bundler that did not copy it gets an error saying so.
    try {
      given = { module_or_path: new URL("./ws101_bg.wasm", import.meta.url) };
      await initAsync(given);
    } catch (e) {
      throw wasmMissing(given?.module_or_path?.href ?? "beside ws101/init (import.meta.url is missing)", e);
    }
  } else {
    await initAsync(given);
  }
  configure({ instantiate: (glue) => glue.default(given) });
}

/** @param {{ module: BufferSource | WebAssembly.Module }} source */
export function initSync(source) {
  let given = source;
  if (source && Object.getPrototypeOf(source) === Object.prototype && !(source.module instanceof WebAssembly.Module) && source.module !== undefined) {
    // Compile once here so that a rebuild reuses the Module instead of the bytes.
    given = { module: new WebAssembly.Module(source.module) };
  }
  initGlueSync(given);
  configure({ instantiate: (glue) => glue.initSync(given) });
}

export * from "./api.mjs";

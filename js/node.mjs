// Node (and Bun): read the one .wasm from disk at import (a missing file fails the import) and
// compile it in the background; usable right after import, from ESM and, on Node ≥ 20.19, from
// require(). Compiling (3-4 ms) and instantiating are not paid by the import: the background
// compile instantiates when it finishes, and a call made before that compiles synchronously
// (instance.mjs `deferInit`). The compiled Module is kept so that a fresh instance can be built
// after a trap without compiling again (instance.mjs).
import { readFileSync } from "node:fs";
import { initSync } from "./ws101.js";
import { configure, deferInit, initDeferred } from "./instance.mjs";
import { wasmMissing } from "./wasm-missing.mjs";

let bytes = readWasm();
let module = null;
const compiled = () => {
  if (module === null) {
    module = new WebAssembly.Module(bytes);
    bytes = null;
  }
  return module;
};
configure({ instantiate: (glue) => glue.initSync({ module: compiled() }) });
deferInit(() => initSync({ module: compiled() }));
WebAssembly.compile(bytes).then(
  (m) => {
    if (module !== null) return; // a call came first and compiled synchronously
    module = m;
    bytes = null;
    try {
      initDeferred();
    } catch {
      // the first call that needs the instance tries again and throws to its caller
    }
  },
  () => {}, // the same bytes fail again, synchronously, at the first call: the error goes there
);

/** The .wasm beside this file; in a CommonJS bundle (no import.meta.url), beside the bundle. */
function readWasm() {
  let where = "beside ws101's entry (import.meta.url and __dirname are both missing)";
  try {
    const url = import.meta.url
      ? new URL("./ws101_bg.wasm", import.meta.url)
      : typeof __dirname === "string"
        ? `${__dirname}/ws101_bg.wasm`
        : null;
    if (url === null) throw new Error("no location to read it from");
    where = String(url);
    return readFileSync(url);
  } catch (e) {
    throw wasmMissing(where, e);
  }
}

export * from "./api.mjs";

// Node (and Bun): compile the one .wasm synchronously from disk; usable right after import,
// from ESM and, on Node ≥ 20.19, from require(). The compiled Module is kept so that a fresh
// instance can be built after a trap without compiling again (instance.mjs).
import { readFileSync } from "node:fs";
import { initSync } from "./ws101.js";
import { configure } from "./instance.mjs";
import { wasmMissing } from "./wasm-missing.mjs";

const module = new WebAssembly.Module(readWasm());
initSync({ module });
configure({ instantiate: (glue) => glue.initSync({ module }) });

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

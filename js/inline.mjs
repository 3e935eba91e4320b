// `ws101/inline`: the .wasm embedded in the JavaScript as base64 (inline-wasm.mjs, written by
// scripts/build.sh), for tools that bundle JavaScript but cannot copy a .wasm asset (esbuild,
// Rollup without a plugin, single-file outputs). Works in every runtime and is usable right after
// import (a synchronous compile), at the cost of a larger bundle (base64: +33 % before gzip) and a
// decode at start-up; the sizes and times are in the package README.
import { wasmBase64 } from "./inline-wasm.mjs";
import { configure, initGlueSync as initSync } from "./instance.mjs";

const module = new WebAssembly.Module(decodeBase64(wasmBase64));
initSync({ module });
configure({ instantiate: (glue) => glue.initSync({ module }) });

/** base64 → bytes: the platform's decoder (Uint8Array.fromBase64; Buffer in Node and Bun), else atob. */
function decodeBase64(text) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  if (typeof globalThis.Buffer?.from === "function") return globalThis.Buffer.from(text, "base64");
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export * from "./api.mjs";

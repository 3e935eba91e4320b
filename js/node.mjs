// Node (and Bun): compile the one .wasm synchronously from disk; usable right after import,
// from ESM and, on Node ≥ 20.19, from require(). The compiled Module is kept so that a fresh
// instance can be built after a trap without compiling again (instance.mjs).
import { readFileSync } from "node:fs";
import { initSync } from "./ws101.js";
import { configure } from "./instance.mjs";

const module = new WebAssembly.Module(readFileSync(new URL("./ws101_bg.wasm", import.meta.url)));
initSync({ module });
configure({ instantiate: (glue) => glue.initSync({ module }) });

export * from "./api.mjs";

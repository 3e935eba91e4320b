// Node (and Bun): compile the one .wasm synchronously from disk; usable right after import,
// from ESM and, on Node ≥ 20.19, from require().
import { readFileSync } from "node:fs";
import { initSync } from "./ws101.js";

initSync({ module: readFileSync(new URL("./ws101_bg.wasm", import.meta.url)) });

export * from "./api.mjs";

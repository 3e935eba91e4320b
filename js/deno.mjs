// Deno: read the .wasm beside this file (file: URL) and compile it before the API is used.
import { initSync } from "./ws101.js";

const url = new URL("./ws101_bg.wasm", import.meta.url);
const bytes = url.protocol === "file:"
  ? await Deno.readFile(url)
  : new Uint8Array(await (await fetch(url)).arrayBuffer());
initSync({ module: bytes });

export * from "./api.mjs";

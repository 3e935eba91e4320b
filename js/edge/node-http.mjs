// node:http for the Node layer, through process.getBuiltinModule rather than an ES import: an ES
// import of node:http evaluates all its exports, and the lazy ones (WebSocket, CloseEvent, …) load
// undici: +2.5 MB of heap in every process (Node ≥ 22), which every major GC then walks (a large
// echo's cost is largely GC). Runtimes without getBuiltinModule (older Bun) use require.
import { createRequire } from "node:module";

/** The node:http module. */
export const http = globalThis.process?.getBuiltinModule?.("node:http") ?? createRequire(import.meta.url)("node:http");

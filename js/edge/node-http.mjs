// The builtins of the Node layer, through process.getBuiltinModule rather than ES imports (Node
// ≥ 20.16, Deno 2, Bun; older Bun has import.meta.require):
// - an ES import of node:http evaluates all its exports, and the lazy ones (WebSocket, CloseEvent, …)
//   load undici: +2.5 MB of heap in every process (Node ≥ 22), which every major GC then walks (a
//   large echo's cost is largely GC);
// - the first ES import of a builtin in a process builds its ESM facade (~4 ms of a cold start here);
// - node:https, node:tls and node:http2 load node:crypto and the TLS stack (7-14 ms of a cold start
//   here, docs/BENCHMARKS.md "Cold start"): only wss:/https: clients and HTTP/2 use them, so they
//   load at their first use (`lazyBuiltin`).

/** The builtin module `name` (e.g. "node:events"), loaded synchronously. */
export function builtin(name) {
  return globalThis.process?.getBuiltinModule?.(name) ?? import.meta.require(name);
}

/** The node:http module. */
export const http = builtin("node:http");

/**
 * The builtin `name` (e.g. "node:tls"), loaded when a property of the returned stand-in is first
 * read: `tls.connect(…)` works as on the module (its functions do not use `this`).
 */
export function lazyBuiltin(name) {
  let module = null;
  return new Proxy({}, {
    get: (_, key) => (module ??= builtin(name))[key],
  });
}

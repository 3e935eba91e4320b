// Bun: ws101 validates the upgrade, `server.upgrade` carries it out; the socket arrives in the
// server's `websocket` handlers with `ws.data.outcome`. Bun echoes the client's first offered
// subprotocol when `headers` carries no Sec-WebSocket-Protocol (checked with Bun 1.4.5), so the
// field is always passed: the chosen subprotocol, or "" when none was chosen, which Bun answers
// with no Sec-WebSocket-Protocol at all (RFC 6455 §4.2.2: never one the server did not choose).
// `upgrade(request, server, options)` → { response?, outcome } (no response: Bun answered 101).
import { validateRequest } from "../node.mjs";
import { rejectionResponse, runtimePolicy } from "./fetch.mjs";

export function upgrade(request, server, options = {}) {
  const outcome = validateRequest(request, runtimePolicy(options));
  if (!outcome.ok) return { response: rejectionResponse(outcome), outcome };
  const upgraded = server.upgrade(request, { headers: bunHeaders(outcome), data: { outcome, ...options.data } });
  if (!upgraded) return { response: new Response("upgrade failed\n", { status: 500 }), outcome };
  return { response: undefined, outcome };
}

/** The 101 fields Bun must be told: the chosen subprotocol, or "" for none (Bun then sends none). */
export function bunHeaders(outcome) {
  return { "Sec-WebSocket-Protocol": outcome.protocol ?? "" };
}

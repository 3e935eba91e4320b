// Bun: ws101 validates the upgrade, `server.upgrade` carries it out; the socket arrives in the
// server's `websocket` handlers with `ws.data.outcome`. Bun echoes the client's first offered
// subprotocol unless told otherwise, so the chosen one is always passed.
// `upgrade(request, server, options)` → { response?, outcome } (no response: Bun answered 101).
import { validateRequest } from "../node.mjs";
import { rejectionResponse, runtimePolicy, switchingHeaders } from "./fetch.mjs";

export function upgrade(request, server, options = {}) {
  const outcome = validateRequest(request, runtimePolicy(options));
  if (!outcome.ok) return { response: rejectionResponse(outcome), outcome };
  const upgraded = server.upgrade(request, { headers: switchingHeaders(outcome), data: { outcome, ...options.data } });
  if (!upgraded) return { response: new Response("upgrade failed\n", { status: 500 }), outcome };
  return { response: undefined, outcome };
}

// Cloudflare Workers (and local workerd): ws101 validates the upgrade, then a WebSocketPair
// carries it out. `upgrade(request, options)` → { response, socket?, outcome }.
import { validateRequest } from "../workerd.mjs";
import { rejectionResponse, runtimePolicy, switchingHeaders } from "./fetch.mjs";

/**
 * @param {Request} request
 * @param {import("../index.d.ts").UpgradeOptions & { accept?: boolean, onConnection?: (socket: WebSocket, outcome: any) => void }} [options]
 *   accept (default true): call `server.accept()`; pass false to hand the socket to a Durable
 *   Object's `state.acceptWebSocket()` (hibernation) yourself.
 */
export function upgrade(request, options = {}) {
  const outcome = validateRequest(request, runtimePolicy(options));
  if (!outcome.ok) return { response: rejectionResponse(outcome), outcome };
  const [client, server] = Object.values(new WebSocketPair());
  if (options.accept !== false) server.accept();
  options.onConnection?.(server, outcome);
  const response = new Response(null, { status: 101, webSocket: client, headers: switchingHeaders(outcome) });
  return { response, socket: server, outcome };
}

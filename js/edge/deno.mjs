// Deno: ws101 validates the upgrade, `Deno.upgradeWebSocket` carries it out with the chosen
// subprotocol (Deno picks none by itself). `upgrade(request, options)` → { response, socket?, outcome }.
import { validateRequest } from "../deno.mjs";
import { rejectionResponse, runtimePolicy } from "./fetch.mjs";

export function upgrade(request, options = {}) {
  const outcome = validateRequest(request, runtimePolicy(options));
  if (!outcome.ok) return { response: rejectionResponse(outcome), outcome };
  let upgraded;
  try {
    upgraded = Deno.upgradeWebSocket(request, { protocol: outcome.protocol ?? undefined, idleTimeout: options.idleTimeout });
  } catch (error) {
    // Deno splits Sec-WebSocket-Protocol on ", " only, so an offer written "a,b" (as `ws` sends
    // it) hides the protocol ws101 chose: upgrade without it and add the header ourselves.
    if (!outcome.protocol) throw error;
    upgraded = Deno.upgradeWebSocket(request, { idleTimeout: options.idleTimeout });
    upgraded.response.headers.set("Sec-WebSocket-Protocol", outcome.protocol);
  }
  const { socket, response } = upgraded;
  if (options.onConnection) socket.addEventListener("open", () => options.onConnection(socket, outcome));
  return { response, socket, outcome };
}

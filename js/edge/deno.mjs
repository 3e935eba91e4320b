// Deno: ws101 validates the upgrade, `Deno.upgradeWebSocket` carries it out with the chosen
// subprotocol (Deno picks none by itself). `upgrade(request, options)` → { response, socket?, outcome }.
import { validateRequest } from "../deno.mjs";
import { rejectionResponse, runtimePolicy } from "./fetch.mjs";

export function upgrade(request, options = {}) {
  const outcome = validateRequest(request, runtimePolicy(options));
  if (!outcome.ok) return { response: rejectionResponse(outcome), outcome };
  const { socket, response } = denoUpgrade(request, outcome, options.idleTimeout);
  if (options.onConnection) socket.addEventListener("open", () => options.onConnection(socket, outcome));
  return { response, socket, outcome };
}

/** `Deno.upgradeWebSocket` answering with the subprotocol ws101 chose (`outcome.protocol`), or none. */
export function denoUpgrade(request, outcome, idleTimeout) {
  try {
    return Deno.upgradeWebSocket(request, { protocol: outcome.protocol ?? undefined, idleTimeout });
  } catch (error) {
    // Deno splits Sec-WebSocket-Protocol on ", " only, so an offer written "a,b" (as `ws` sends
    // it) hides the protocol ws101 chose: upgrade without it and add the header ourselves.
    if (!outcome.protocol) throw error;
    const upgraded = Deno.upgradeWebSocket(request, { idleTimeout });
    upgraded.response.headers.set("Sec-WebSocket-Protocol", outcome.protocol);
    return upgraded;
  }
}

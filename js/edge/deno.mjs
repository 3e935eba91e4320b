// Deno: ws101 validates the upgrade, `Deno.upgradeWebSocket` carries it out with the chosen
// subprotocol (Deno picks none by itself). `upgrade(request, options)` → { response, socket?, outcome }.
import { validateRequest } from "../deno.mjs";
import { rejectionResponse, runtimePolicy } from "./fetch.mjs";

export function upgrade(request, options = {}) {
  const outcome = validateRequest(request, runtimePolicy(options));
  if (!outcome.ok) return { response: rejectionResponse(outcome), outcome };
  const { socket, response } = Deno.upgradeWebSocket(request, {
    protocol: outcome.protocol ?? undefined,
    idleTimeout: options.idleTimeout,
  });
  if (options.onConnection) socket.addEventListener("open", () => options.onConnection(socket, outcome));
  return { response, socket, outcome };
}

import type { ServerOptions, ServerOutcome } from "../index.js";
export interface DenoUpgradeOptions extends ServerOptions {
  idleTimeout?: number;
  onConnection?: (socket: WebSocket, outcome: ServerOutcome) => void;
}
/** Validates with ws101, then `Deno.upgradeWebSocket` with the chosen subprotocol, or the rejection ws101 chose. */
export declare function upgrade(request: Request, options?: DenoUpgradeOptions): { response: Response; socket?: WebSocket; outcome: ServerOutcome };

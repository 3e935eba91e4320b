import type { ServerOptions, ServerOutcome } from "../index.js";
export interface DenoUpgradeOptions extends ServerOptions {
  idleTimeout?: number;
  onConnection?: (socket: WebSocket, outcome: ServerOutcome) => void;
}
/** Validates with ws101, then `Deno.upgradeWebSocket` with the chosen subprotocol, or the rejection ws101 chose. */
export declare function upgrade(request: Request, options?: DenoUpgradeOptions): { response: Response; socket?: WebSocket; outcome: ServerOutcome };
/** `Deno.upgradeWebSocket` answering with the subprotocol ws101 chose (`outcome.protocol`), or none. */
export declare function denoUpgrade(request: Request, outcome: ServerOutcome, idleTimeout?: number): { response: Response; socket: WebSocket };

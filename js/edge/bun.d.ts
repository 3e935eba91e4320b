import type { ServerOptions, ServerOutcome } from "../index.js";
export interface BunUpgradeOptions extends ServerOptions {
  /** Extra `ws.data` for the websocket handlers (`ws.data.outcome` is always set). */
  data?: Record<string, unknown>;
}
/** Validates with ws101, then `server.upgrade` with the chosen subprotocol; `response` is undefined when upgraded. */
export declare function upgrade(
  request: Request,
  server: { upgrade(request: Request, options?: { headers?: Record<string, string>; data?: unknown }): boolean },
  options?: BunUpgradeOptions,
): { response: Response | undefined; outcome: ServerOutcome };
/** The 101 fields Bun must be told: the chosen subprotocol, or "" for none (Bun then sends none instead of echoing the first offer). */
export declare function bunHeaders(outcome: ServerOutcome): { "Sec-WebSocket-Protocol": string };

import type { ServerOptions, ServerOutcome } from "../index.js";
export interface WorkersUpgradeOptions extends ServerOptions {
  /** Call `server.accept()` (default true); false for Durable Object hibernation (`state.acceptWebSocket`). */
  accept?: boolean;
  onConnection?: (socket: WebSocket, outcome: ServerOutcome) => void;
}
/** Validates with ws101, then answers 101 with a WebSocketPair, or the rejection ws101 chose. */
export declare function upgrade(request: Request, options?: WorkersUpgradeOptions): { response: Response; socket?: WebSocket; outcome: ServerOutcome };

import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocketServer } from "../edge/node.js";
import type { App, Broker, Data } from "./app.js";

export interface NodeAdapter {
  /** For `server.on("upgrade", …)`. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Handles `server`'s upgrade requests. */
  attach(server: Server): NodeAdapter;
  publish(topic: string, data: Data): void;
  /** Stops accepting and detaches the app (open peers stay open). */
  close(): Promise<void>;
  readonly webSocketServer: WebSocketServer;
}

/**
 * Runs `app` on ws101's own server; `broker` shares topics with other processes (ws101/app/redis).
 * `backpressureLimit` (bytes, default 16 MiB as Bun's): a send or publish to a peer with more
 * output than this waiting is dropped (`peer.send` returns 0), so a peer that stops reading
 * costs the server at most the limit plus one message.
 */
export declare function nodeAdapter(app: App<any>, options?: { broker?: Broker; maxPayload?: number; backpressureLimit?: number }): NodeAdapter;

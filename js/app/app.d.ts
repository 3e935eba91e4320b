import type { Problem, ServerOptions, ServerOutcome, DeflateOptions } from "../index.js";

/** What the app's `upgrade` hook sees: ws101's decision before the 101 goes out. */
export interface Handshake {
  /** The core accepted the request (false: `problems` says why; return a Response to answer it your way). */
  readonly ok: boolean;
  /** The subprotocol ws101 chose from `protocols` in the server's order, "" for none. */
  readonly protocol: string;
  /** The agreed Sec-WebSocket-Extensions value, "" for none (ws101/node only; other runtimes negotiate their own). */
  readonly extensions: string;
  /** Refused: the problems; accepted: the offers the core declined. */
  readonly problems: Problem[];
  readonly outcome: ServerOutcome;
}

/** Accept (optionally with extra response headers and a per-peer context), or refuse with a Response. */
export type UpgradeAnswer<Context> = Response | { headers?: HeadersInit; context?: Context } | void | undefined;

/** A received message: text and binary kept apart. */
export declare class Message {
  constructor(data: string | Uint8Array, binary: boolean);
  readonly type: "text" | "binary";
  readonly binary: boolean;
  /** A string for text, a Uint8Array for binary. */
  readonly data: string | Uint8Array;
  text(): string;
  bytes(): Uint8Array;
  arrayBuffer(): ArrayBuffer;
  json<T = unknown>(): T;
}

/** Text (string), binary (ArrayBuffer or a view) or a Message (its own type). */
export type Data = string | ArrayBuffer | ArrayBufferView | Message;

export declare class Peer<Context = Record<string, unknown>> {
  readonly id: string;
  /** The upgrade request (on Workers rebuilt from its URL after hibernation: no headers). */
  readonly request: Request;
  /** The chosen subprotocol, "" for none. */
  readonly protocol: string;
  readonly extensions: string;
  /** null where the runtime does not tell. */
  readonly remoteAddress: string | null;
  /** From the upgrade hook; mutable (on Workers saved with the socket after every hook). */
  context: Context;
  /** Bytes not yet handed to the network (0 on Workers). */
  readonly bufferedAmount: number;
  readonly topics: Set<string>;
  /** Truthy when sent or queued; 0 when dropped because more than the adapter's backpressureLimit waits (as Bun's `ws.send`). */
  send(data: Data): number;
  /** A code from RFC 6455 §7.4 that may be sent (1000, 1001-1003, 1007-1014, 3000-4999); reason ≤ 123 bytes. */
  close(code?: number, reason?: string): void;
  terminate(): void;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** To every subscriber of `topic`, this peer included unless `excludeSelf`. */
  publish(topic: string, data: Data, options?: { excludeSelf?: boolean }): void;
}

export interface CloseDetails {
  code: number;
  reason: string;
  wasClean: boolean;
}

export interface AppDefinition<Context = Record<string, unknown>> {
  /** Supported subprotocols in server preference order (none listed: none answered). */
  protocols?: string[];
  requireProtocol?: boolean;
  origins?: ServerOptions["origins"];
  requireOrigin?: boolean;
  maxHeaderBytes?: number;
  maxHeaders?: number;
  /** ws101/node only (other runtimes negotiate permessage-deflate themselves). */
  perMessageDeflate?: boolean | DeflateOptions;
  upgrade?(request: Request, handshake: Handshake): UpgradeAnswer<Context> | Promise<UpgradeAnswer<Context>>;
  open?(peer: Peer<Context>): void | Promise<void>;
  message?(peer: Peer<Context>, message: Message): void | Promise<void>;
  close?(peer: Peer<Context>, details: CloseDetails): void | Promise<void>;
  /** `peer` is null for errors outside a connection (the upgrade hook, a broker). */
  error?(peer: Peer<Context> | null, error: unknown): void | Promise<void>;
  /** Output that waited (backpressure) has gone out (Node, Bun, Deno; never called on Workers). */
  drain?(peer: Peer<Context>): void | Promise<void>;
}

export interface App<Context = Record<string, unknown>> {
  readonly hooks: Readonly<Pick<AppDefinition<Context>, "upgrade" | "open" | "message" | "close" | "error" | "drain">>;
  readonly policy: Readonly<ServerOptions>;
  /** To every subscriber of `topic` on the adapter(s) the app runs on (Node, Bun, Deno; on Workers use publishTo). */
  publish(topic: string, data: Data): void;
}

export declare function defineApp<Context = Record<string, unknown>>(definition: AppDefinition<Context>): App<Context>;

/** How topics cross processes: any byte-safe pub/sub can implement it (ws101/app/redis does). */
export interface Broker {
  publish(topic: string, frame: Uint8Array): unknown;
  subscribe(topic: string, onFrame: (frame: Uint8Array) => void): unknown;
  unsubscribe(topic: string): unknown;
}

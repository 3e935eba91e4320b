import { EventEmitter } from "node:events";
import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { BinaryType, DeflateOptions, ServerOptions, ClientOptions } from "../index.js";

export interface WebSocketOptions {
  /** Largest message accepted (close 1009 beyond); default 64 MiB. */
  maxPayload?: number;
  /** Send a ping every N ms and terminate a peer that did not answer the previous one. */
  pingInterval?: number;
  /** Close with 1001 after N ms without receiving anything. */
  idleTimeout?: number;
  /** Destroy the socket N ms after sending Close if the peer does not answer; default 30 s. */
  closeTimeout?: number;
  /** Split outgoing messages into frames of at most N bytes. */
  fragmentSize?: number;
}

export interface ClientConnectOptions extends ClientOptions, WebSocketOptions {
  handshakeTimeout?: number;
  rejectUnauthorized?: boolean;
  ca?: string | Buffer | Array<string | Buffer>;
}

/** A WebSocket over a Node socket with the `ws` event API. */
export declare class WebSocket extends EventEmitter {
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  constructor(url: string | URL, protocols?: string | string[], options?: ClientConnectOptions);
  constructor(url: string | URL, options?: ClientConnectOptions);
  readonly readyState: 0 | 1 | 2 | 3;
  readonly protocol: string;
  readonly extensions: string;
  readonly url: string;
  readonly bufferedAmount: number;
  binaryType: BinaryType;
  send(data: string | Buffer | ArrayBuffer | ArrayBufferView | Buffer[], options?: { binary?: boolean }, cb?: (err?: Error) => void): void;
  send(data: string | Buffer | ArrayBuffer | ArrayBufferView | Buffer[], cb?: (err?: Error) => void): void;
  ping(data?: string | Buffer | Uint8Array, mask?: boolean, cb?: (err?: Error) => void): void;
  pong(data?: string | Buffer | Uint8Array, mask?: boolean, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string | Buffer): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  on(event: "open", listener: () => void): this;
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Uint8Array, isBinary: boolean) => void): this;
  on(event: "ping" | "pong", listener: (data: Buffer) => void): this;
  on(event: "close", listener: (code: number, reason: Buffer) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "upgrade" | "unexpected-response", listener: (outcome: unknown) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export interface WebSocketServerOptions extends ServerOptions, WebSocketOptions {
  port?: number;
  host?: string;
  backlog?: number;
  server?: HttpServer | HttpsServer;
  noServer?: boolean;
  path?: string;
  clientTracking?: boolean;
  /**
   * The whole opening handshake must arrive within this many ms, else the connection is closed
   * (slowloris). Applies to the server WebSocketServer creates itself (its `headersTimeout` and
   * `requestTimeout`); with `server`, set those on your own server. Default 10 000; 0 disables.
   */
  handshakeTimeout?: number;
  /** Alias of `origins`. */
  allowedOrigins?: ServerOptions["origins"];
  perMessageDeflate?: boolean | DeflateOptions;
}

export declare class WebSocketServer extends EventEmitter {
  constructor(options?: WebSocketServerOptions, callback?: () => void);
  readonly clients: Set<WebSocket>;
  address(): ReturnType<HttpServer["address"]> | undefined;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, callback: (ws: WebSocket, req: IncomingMessage) => void): void;
  close(callback?: () => void): void;
  on(event: "connection", listener: (ws: WebSocket, req: IncomingMessage) => void): this;
  on(event: "listening", listener: () => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "wsClientError", listener: (error: unknown, socket: Duplex, req: IncomingMessage) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export declare function connect(url: string | URL, options?: ClientConnectOptions & { protocols?: string[] }): WebSocket;
export default WebSocket;

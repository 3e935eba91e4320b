import { EventEmitter } from "node:events";
import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { BinaryType, DeflateOptions, ServerOptions, ClientOptions } from "../index.js";

/**
 * Every option below is honoured; any other name is a TypeError that names it (ws options
 * ws101 cannot honour, such as `maxFragments`, `agent` or `skipUTF8Validation: true`, say why).
 */
export interface WebSocketOptions {
  /** Largest message accepted (close 1009 beyond); default 64 MiB. */
  maxPayload?: number;
  /** Send a ping every N ms and terminate a peer that did not answer the previous one. */
  pingInterval?: number;
  /** Close with 1001 after N ms without receiving anything. */
  idleTimeout?: number;
  /**
   * How long a closing handshake may take, in ms, whichever side started it (our Close unanswered,
   * the peer's Close with TCP left open, a protocol error, the end of TCP after both Closes);
   * then the socket is destroyed and `close` emitted. Default 30 s.
   */
  closeTimeout?: number;
  /** Split outgoing messages into frames of at most N bytes. */
  fragmentSize?: number;
  /** Answer pings automatically (default true); with false the application pongs from its `ping` listener. */
  autoPong?: boolean;
  /** Only `false` (the default): ws101 always validates UTF-8 (RFC 6455 §8.1). */
  skipUTF8Validation?: false;
  /** Only `true` (the default): the events of one read are emitted synchronously. */
  allowSynchronousEvents?: true;
  /**
   * permessage-deflate (RFC 7692). On a server, `serverNoContextTakeover` defaults to `true`:
   * the server's messages start from an empty window and one compressor is shared by every
   * connection (a connection that keeps its context holds ~300 KiB of compressor state in the
   * shared wasm memory). Set it to `false` for better ratios on few connections.
   */
  perMessageDeflate?: boolean | NodeDeflateOptions;
}

/** permessage-deflate as ws101/node takes it (ws's `zlibDeflateOptions.level` maps to `level`). */
export interface NodeDeflateOptions extends DeflateOptions {
  /** Compression level 0-9 for what this side sends. */
  level?: number;
  /** Messages smaller than this many bytes are sent uncompressed. */
  threshold?: number;
  /** ws's form of `level`; any other zlib option is refused. */
  zlibDeflateOptions?: { level?: number };
  /** Accepted for ws compatibility: ws101 has no zlib thread pool to limit. */
  concurrencyLimit?: number;
}

export interface ClientConnectOptions extends Omit<ClientOptions, "perMessageDeflate">, WebSocketOptions {
  /** The opening handshake must complete within N ms (default 30 s; 0 = none). */
  handshakeTimeout?: number;
  rejectUnauthorized?: boolean;
  ca?: string | Buffer | Array<string | Buffer>;
  /** TLS SNI name (default: the URL's host name unless it is an IP address). */
  servername?: string;
  /** Only `false`: redirects are not followed. */
  followRedirects?: false;
  /** Accepted for ws compatibility; meaningful only with redirects, which are not followed. */
  maxRedirects?: number;
  /** Only 13 (RFC 6455). */
  protocolVersion?: 13;
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
  /**
   * Starts the closing handshake. The core checks the code and reason first: an invalid code
   * (1005, 1006, 1015, out of range, not an integer) is a TypeError ("First argument must be a
   * valid error code number"), a reason over 123 UTF-8 bytes a RangeError; either leaves the
   * WebSocket OPEN. Safe from any listener, also while the peer's Close of the same read is pending.
   */
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

export interface VerifyClientInfo {
  origin: string | undefined;
  secure: boolean;
  req: IncomingMessage;
}

export interface WebSocketServerOptions extends Omit<ServerOptions, "origins" | "perMessageDeflate">, WebSocketOptions {
  /** Own server only (with `server` or `noServer` these are a TypeError). */
  port?: number;
  host?: string;
  backlog?: number;
  server?: HttpServer | HttpsServer;
  noServer?: boolean;
  /**
   * Accept only requests whose target is origin-form ("/…") with exactly this path before "?";
   * anything else (`//host/path`, `http://host/path`, unparsable targets) is answered 400.
   */
  path?: string;
  clientTracking?: boolean;
  /**
   * Allowed origins: patterns, or a predicate; a predicate may return a Promise, which is awaited
   * before the server answers (a rejected or thrown check refuses: 403).
   */
  origins?: string[] | ((origin: string) => boolean | Promise<boolean>);
  /**
   * Decides after the core accepted the request: a falsy result (or a Promise of one) answers
   * 401; the two-argument form calls back `(result, code?, message?, headers?)` like ws's.
   */
  verifyClient?: (
    info: VerifyClientInfo,
    callback: (result: boolean, code?: number, message?: string, headers?: Record<string, string>) => void,
  ) => boolean | Promise<boolean> | void;
  /**
   * Picks the subprotocol from the offered ones (called only when some are offered; it replaces
   * `protocols`). Return one of them, or false for none; a Promise is awaited. The core still
   * refuses to answer a protocol that was not offered.
   */
  handleProtocols?: (protocols: Set<string>, request: IncomingMessage) => string | false | Promise<string | false>;
  /** The class of the server's WebSockets: ws101's WebSocket or a subclass. */
  WebSocket?: typeof WebSocket;
  /**
   * The whole opening handshake must arrive within this many ms, else the connection is closed
   * (slowloris). Applies to the server WebSocketServer creates itself (its `headersTimeout` and
   * `requestTimeout`); with `server`, set those on your own server. Default 10 000; 0 disables.
   */
  handshakeTimeout?: number;
  /** Alias of `origins`. */
  allowedOrigins?: WebSocketServerOptions["origins"];
}

export declare class WebSocketServer extends EventEmitter {
  constructor(options?: WebSocketServerOptions, callback?: () => void);
  readonly clients: Set<WebSocket>;
  address(): ReturnType<HttpServer["address"]> | undefined;
  /** Whether `path` (if set) matches the request's origin-form target; unmatched requests get 400. */
  shouldHandle(req: IncomingMessage): boolean | Promise<boolean>;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, callback: (ws: WebSocket, req: IncomingMessage) => void): void;
  close(callback?: () => void): void;
  on(event: "connection", listener: (ws: WebSocket, req: IncomingMessage) => void): this;
  on(event: "listening", listener: () => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "wsClientError", listener: (error: unknown, socket: Duplex, req: IncomingMessage) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export declare function connect(url: string | URL, options?: ClientConnectOptions): WebSocket;
export default WebSocket;

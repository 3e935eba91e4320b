import { EventEmitter } from "node:events";
import type { Agent, ClientRequest, IncomingMessage, Server as HttpServer } from "node:http";
import type { LookupFunction, Socket } from "node:net";
import type { ConnectionOptions, SecureContextOptions } from "node:tls";
import type { Duplex as DuplexStream, DuplexOptions } from "node:stream";
import type { Server as HttpsServer } from "node:https";
import type { ClientHttp2Session, Http2SecureServer, Http2Server, Http2Stream, IncomingHttpHeaders as Http2Headers } from "node:http2";
import type { Duplex } from "node:stream";
import type { BinaryType, DeflateOptions, ServerOptions, ClientOptions } from "../index.js";

/**
 * Every option below is honoured; any other name is a TypeError that names it (ws options
 * ws101 cannot honour, such as `maxFragments`, `agent` or `skipUTF8Validation: true`, say why).
 */
export interface WebSocketOptions {
  /** Accepted as ws's receiver limit: ws101 keeps no per-chunk state (a message is bounded by maxPayload). */
  maxBufferedChunks?: number;
  /** Accepted as ws's receiver limit: fragments are appended as they arrive, bounded by maxPayload. */
  maxFragments?: number;
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

/**
 * The client's options: ws's, passed to node:http / node:https (and node:net / node:tls) as ws
 * does. `key` is the TLS private key, as in ws. The client offers permessage-deflate unless
 * `perMessageDeflate: false` (ws's default).
 */
export interface ClientConnectOptions extends Omit<ClientOptions, "perMessageDeflate" | "key">, WebSocketOptions,
  Pick<ConnectionOptions, "checkServerIdentity" | "ALPNProtocols" | "secureContext" | "minVersion" | "maxVersion">,
  Pick<SecureContextOptions, "ca" | "cert" | "key" | "pfx" | "passphrase" | "ciphers" | "crl" | "ecdhCurve" | "secureOptions" | "sigalgs"> {
  /** The opening handshake must complete within N ms (default 30 s; 0 = none). */
  handshakeTimeout?: number;
  rejectUnauthorized?: boolean;
  /** TLS SNI name (default: the URL's host name unless it is an IP address). */
  servername?: string;
  /** An http.Agent / https.Agent for the upgrade request (default: a socket of its own). */
  agent?: Agent | false;
  /** Makes the socket instead of net.connect / tls.connect. */
  createConnection?: (options: object, callback?: (err: Error | null, socket: Duplex) => void) => Duplex;
  lookup?: LookupFunction;
  family?: number;
  hints?: number;
  localAddress?: string;
  localPort?: number;
  /** A Unix socket; `ws+unix:/path/to.sock:/request/path` URLs set it. */
  socketPath?: string;
  auth?: string;
  signal?: AbortSignal;
  /** Only `false`: redirects are not followed. */
  followRedirects?: false;
  /** Accepted for ws compatibility; meaningful only with redirects, which are not followed. */
  maxRedirects?: number;
  /** Only 13 (RFC 6455). */
  protocolVersion?: 13;
  /**
   * WebSockets over HTTP/2 (RFC 8441): `true` opens a session of its own (TLS with ALPN h2 for
   * wss:, cleartext h2c with prior knowledge for ws:; closed with the WebSocket), or pass a
   * ClientHttp2Session to open the WebSocket as one more stream on it (it stays open). The
   * server's SETTINGS must carry SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, else the handshake fails
   * with code "connect-protocol-not-offered". Not with agent, socketPath, auth or followRedirects.
   */
  http2?: boolean | ClientHttp2Session;
}

/** The WHATWG event shapes a WebSocket's EventTarget face delivers (read-only attributes). */
export declare class Event {
  constructor(type: string);
  readonly type: string;
  readonly target: WebSocket | null;
}
export declare class MessageEvent extends Event {
  constructor(type: string, options?: { data?: unknown });
  readonly data: any;
}
export declare class CloseEvent extends Event {
  constructor(type: string, options?: { code?: number; reason?: string; wasClean?: boolean });
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}
export declare class ErrorEvent extends Event {
  constructor(type: string, options?: { error?: unknown; message?: string });
  readonly error: any;
  readonly message: string;
}

type Payload = string | number | Buffer | ArrayBuffer | ArrayBufferView | Blob | Buffer[];
type EventListenerLike<E> = ((this: WebSocket, event: E) => void) | { handleEvent(event: E): void };
interface WebSocketEventMap { open: Event; message: MessageEvent; close: CloseEvent; error: ErrorEvent }

/** A WebSocket over a Node socket with the `ws` event API and the WHATWG EventTarget interface. */
export declare class WebSocket extends EventEmitter {
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  static readonly WebSocket: typeof WebSocket;
  static readonly WebSocketServer: typeof WebSocketServer;
  static readonly Server: typeof WebSocketServer;
  static readonly createWebSocketStream: typeof createWebSocketStream;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
  /**
   * A bad URL (SyntaxError "Invalid URL: …"), scheme, fragment or subprotocol list ("An invalid
   * or duplicated subprotocol was specified") throws here, as in ws. URLs: ws:, wss:, http:, https:,
   * ws+unix:<socket path>:<request path>.
   */
  constructor(url: string | URL, protocols?: string | string[], options?: ClientConnectOptions);
  constructor(url: string | URL, options?: ClientConnectOptions);
  readonly readyState: 0 | 1 | 2 | 3;
  readonly protocol: string;
  /** The negotiated extensions' names, comma-separated ("permessage-deflate" or ""), as ws has it. */
  readonly extensions: string;
  /** The negotiated Sec-WebSocket-Extensions value with its parameters ("" for none). */
  readonly extensionsHeader: string;
  readonly url: string;
  /** The HTTP version that carried the opening handshake: "1.1" (a 101 upgrade) or "2" (an RFC 8441 extended CONNECT stream). */
  readonly httpVersion: "1.1" | "2";
  /** Bytes queued on the socket, plus those of sends refused after the closing handshake began (as ws counts). */
  readonly bufferedAmount: number;
  /** Whether pause() stopped the delivery of messages. */
  readonly isPaused: boolean;
  /** The underlying socket (ws's `_socket`), or the Http2Stream over HTTP/2; null while CONNECTING. */
  readonly _socket: Socket | Duplex | Http2Stream | null;
  /** "nodebuffer" (default), "arraybuffer", "fragments" (an array of Buffers), "blob", or ws101's "uint8array". */
  binaryType: BinaryType | "fragments" | "blob";
  onopen: ((this: WebSocket, event: Event) => void) | null;
  onmessage: ((this: WebSocket, event: MessageEvent) => void) | null;
  onclose: ((this: WebSocket, event: CloseEvent) => void) | null;
  onerror: ((this: WebSocket, event: ErrorEvent) => void) | null;
  addEventListener<K extends keyof WebSocketEventMap>(type: K, listener: EventListenerLike<WebSocketEventMap[K]>, options?: { once?: boolean }): void;
  removeEventListener<K extends keyof WebSocketEventMap>(type: K, listener: EventListenerLike<WebSocketEventMap[K]>): void;
  /**
   * Numbers are sent as text (as ws does); a Blob is read first and the sends after it wait in
   * order. Throws while CONNECTING; after the closing handshake began, `cb` gets
   * "WebSocket is not open: readyState N (NAME)". `fin: false` sends a fragment: the sends after
   * it continue that message until one without `fin: false` ends it (as in ws).
   */
  send(data: Payload, options?: { binary?: boolean; compress?: boolean; mask?: boolean; fin?: boolean }, cb?: (err?: Error) => void): void;
  send(data: Payload, cb?: (err?: Error) => void): void;
  ping(data?: Payload, mask?: boolean, cb?: (err?: Error) => void): void;
  ping(cb: (err?: Error) => void): void;
  pong(data?: Payload, mask?: boolean, cb?: (err?: Error) => void): void;
  pong(cb: (err?: Error) => void): void;
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
  /** The server's 101 response, before `open`. */
  on(event: "upgrade", listener: (response: IncomingMessage) => void): this;
  /** A non-101 answer; without a listener: `error` ("Unexpected server response: N") then `close` 1006. */
  on(event: "unexpected-response", listener: (request: ClientRequest, response: IncomingMessage) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export interface VerifyClientInfo {
  origin: string | undefined;
  secure: boolean;
  req: IncomingMessage | Http2ConnectRequest;
}

/**
 * What `connection`, verifyClient and handleProtocols get for a WebSocket that arrived over
 * HTTP/2: the extended CONNECT stream's fields (RFC 8441 §4) in IncomingMessage's names.
 */
export interface Http2ConnectRequest {
  httpVersion: "2.0";
  httpVersionMajor: 2;
  httpVersionMinor: 0;
  /** "CONNECT". */
  method: string;
  /** `:path`. */
  url: string;
  authority: string;
  scheme: string;
  /** node:http2's field object, pseudo-headers included. */
  headers: Http2Headers;
  /** The fields in wire order as `[name, value, …]`. */
  rawHeaders: string[];
  stream: Http2Stream;
  /** The session's socket (node:http2's proxy of it). */
  socket: Socket | null;
}

export interface WebSocketServerOptions extends Omit<ServerOptions, "origins" | "perMessageDeflate">, WebSocketOptions {
  /** Own server only (with `server` or `noServer` these are a TypeError). */
  port?: number;
  host?: string;
  backlog?: number;
  /**
   * An http/https server (101 upgrades), or a node:http2 server: Http2SecureServer (with
   * `allowHTTP1`, both on one port) or a cleartext Http2Server (h2c). On an HTTP/2 server
   * SETTINGS_ENABLE_CONNECT_PROTOCOL is turned on (updateSettings) and extended CONNECT streams
   * with `:protocol websocket` become WebSockets (RFC 8441); other streams stay the application's.
   */
  server?: HttpServer | HttpsServer | Http2SecureServer | Http2Server;
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
  handleProtocols?: (protocols: Set<string>, request: IncomingMessage | Http2ConnectRequest) => string | false | Promise<string | false>;
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
  /** Open connections; undefined with `clientTracking: false` (as in ws). */
  readonly clients: Set<WebSocket>;
  readonly options: WebSocketServerOptions;
  /** Throws in noServer mode; null after close(). */
  address(): ReturnType<HttpServer["address"]> | null;
  /** Whether `path` (if set) matches the request's origin-form target; unmatched requests get 400. */
  shouldHandle(req: IncomingMessage | Http2ConnectRequest): boolean | Promise<boolean>;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, callback: (ws: WebSocket, req: IncomingMessage) => void): void;
  /**
   * Answers an HTTP/2 extended CONNECT stream (RFC 8441) as handleUpgrade answers an upgrade: the
   * core's checks, `:status 200` (then `callback`, `ws.httpVersion` "2") or the core's rejection.
   * For noServer use, from the node:http2 server's `stream` event (enable `enableConnectProtocol`).
   */
  handleStream(stream: Http2Stream, headers: Http2Headers, rawHeaders: string[] | undefined, callback: (ws: WebSocket, req: Http2ConnectRequest) => void): void;
  handleStream(stream: Http2Stream, headers: Http2Headers, callback: (ws: WebSocket, req: Http2ConnectRequest) => void): void;
  /**
   * As ws 8: stops accepting (later handleUpgrade calls are answered 503), removes its listeners
   * from a shared `server`, closes the server it made itself; open WebSockets stay open. `close`
   * is emitted (and `callback` called) once that server closed or the tracked clients are gone;
   * on an already closed server the callback gets "The server is not running".
   */
  close(callback?: (err?: Error) => void): void;
  on(event: "close", listener: () => void): this;
  /** The 101's head as lines (status line first), before it is written; lines pushed are added. */
  on(event: "headers", listener: (headers: string[], request: IncomingMessage | Http2ConnectRequest) => void): this;
  /** One event for both HTTP versions; `ws.httpVersion` and `req.httpVersion` say which carried it. */
  on(event: "connection", listener: (ws: WebSocket, req: IncomingMessage | Http2ConnectRequest) => void): this;
  on(event: "listening", listener: () => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  /**
   * A handshake the core refused, with ws's message (and ws101's code, rfc, status, problems,
   * response); with a listener the socket is the listener's to answer, as in ws.
   */
  on(event: "wsClientError", listener: (error: Error & { code?: string; rfc?: string; status?: number }, socket: Duplex | Http2Stream, req: IncomingMessage | Http2ConnectRequest) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export declare function connect(url: string | URL, options?: ClientConnectOptions): WebSocket;
/**
 * A Duplex over `ws`: each message is a chunk read, each chunk written a message. A full readable
 * buffer pauses the WebSocket; `options` go to the Duplex (objectMode, encodings, highWaterMarks).
 */
export declare function createWebSocketStream(ws: WebSocket, options?: DuplexOptions): DuplexStream;
export { WebSocketServer as Server };
export default WebSocket;

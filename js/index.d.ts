// Public types of the ws101 package (every runtime entry exposes the same API).
export {
  acceptKey,
  acceptKeyUnchecked,
  acceptDigest,
  generateKey,
  validateKey,
  websocketGuid,
  parseRequest,
  ClientHandshake,
  RawConnection,
} from "./ws101.js";
/** The module's one `WebAssembly.Memory` (for measuring its size; views over it detach when it grows). */
export { wasmMemory } from "./ws101.js";

/** Frames laid open (RFC 6455 §5.2): build one frame from its fields; list the frames of a capture. */
export { encodeFrame } from "./ws101.js";
/**
 * Lists at most `options.limit` frames (default 10,000, at most 100,000) of a capture as received
 * by `role`; `truncated` and `nextOffset` tell where to continue.
 */
export declare function decodeFrames(bytes: ArrayBufferView | ArrayBuffer, role: "server" | "client", options?: DecodeFramesOptions): DecodedFrames;
/** A raw request head's `Upgrade` classified (websocket, h2c with decoded HTTP2-Settings, TLS, other). */
export { classifyUpgradeHead } from "./ws101.js";
export type { FrameHeaderField, EncodeFrameOptions, EncodedFrame, DecodedFrame, DecodedFrames, DecodeFramesOptions } from "./ws101.js";
import type { DecodedFrames, DecodeFramesOptions } from "./ws101.js";

/**
 * Every code a `Ws101Error` or a `Problem` carries: exactly the core's table (`errorCodes()`;
 * tests/js/error-codes.test.mjs fails when the two differ).
 */
export type Ws101ErrorCode =
  | "head-too-large" | "too-many-headers" | "malformed-head" | "illegal-header-byte" | "invalid-header-name"
  | "bad-key-base64" | "bad-key-length" | "method-not-get" | "http-version-too-old" | "upgrade-over-http2"
  | "missing-host" | "invalid-host" | "request-body" | "duplicate-header" | "missing-upgrade"
  | "invalid-upgrade-header" | "upgrade-not-websocket" | "missing-connection" | "connection-not-upgrade"
  | "missing-key" | "missing-version" | "unsupported-version" | "missing-origin" | "origin-not-allowed"
  | "invalid-subprotocol" | "duplicate-subprotocol" | "no-common-subprotocol" | "invalid-extension-header"
  | "invalid-deflate-param" | "unexpected-status" | "missing-accept" | "accept-mismatch"
  | "unoffered-subprotocol" | "unoffered-extension" | "duplicate-extension" | "method-not-connect"
  | "missing-pseudo-header" | "invalid-pseudo-header" | "protocol-not-websocket" | "key-in-extended-connect"
  | "connection-specific-header" | "uppercase-header-name" | "missing-http2-settings"
  | "invalid-http2-settings" | "invalid-url" | "unsupported-scheme" | "url-fragment" | "invalid-port"
  | "forbidden-header" | "invalid-option" | "non-minimal-length" | "length-msb-set" | "reserved-opcode"
  | "reserved-bits" | "unmasked-frame" | "masked-frame" | "control-frame-too-long"
  | "fragmented-control-frame" | "frame-too-large" | "unexpected-continuation" | "expected-continuation"
  | "message-too-large" | "invalid-utf8" | "bad-close-payload" | "invalid-close-code"
  | "invalid-close-reason" | "invalid-compressed-data" | "already-closed" | "control-payload-too-long"
  | "send-invalid-close-code" | "close-reason-too-long" | "close-reason-without-code" | "not-a-data-opcode"
  | "send-invalid-utf8" | "message-in-progress" | "message-length-mismatch" | "entropy-unavailable";

/** Who broke the rule: the peer (protocol fault), the caller (API misuse), or this endpoint's platform. */
export type Ws101Blame = "peer" | "caller" | "local";

/** One row of the core's error table. */
export interface Ws101ErrorCodeEntry {
  code: Ws101ErrorCode;
  /** The RFC section of the rule (an error may name a more specific one). */
  rfc: string;
  /** HTTP status a server answers a request with this fault with. */
  status: number | null;
  /** Close code the peer receives when a connection fails with this fault. */
  closeCode: number | null;
  blame: Ws101Blame;
}

/** The core's table of error codes, one row per code. */
export declare function errorCodes(): Ws101ErrorCodeEntry[];

/**
 * Every error ws101 throws: a JS `Error` carrying the core's diagnostic fields (a `RangeError`
 * when `blame` is `"caller"`). `e instanceof Ws101Error` holds for all of them. The sentence is
 * `message`.
 */
export declare class Ws101Error extends Error {
  name: "Ws101Error";
  /** Stable kebab-case code, e.g. `bad-key-length`. */
  code: Ws101ErrorCode;
  /** The RFC section whose rule was broken, e.g. `RFC 6455 §4.2.1`. */
  rfc: string;
  /** The header concerned, if any. */
  header: string | null;
  /** The offending value (truncated), if any. */
  value: string | null;
  /** Byte offset of the fault in the input, if any. */
  offset: number | null;
  /** HTTP status a server should answer with (400, 403, 426, 431), for handshake errors. */
  status: number | null;
  /** Close code the peer must receive (RFC 6455 §7.4.1), for wire-format errors. */
  closeCode: number | null;
  /** Who broke the rule. */
  blame: Ws101Blame;
}

/** True when `value` is an error thrown by ws101. */
export declare function isWs101Error(value: unknown): value is Ws101Error;

/** A problem found in a handshake: the same fields as `Ws101Error`, as plain data. */
export interface Problem {
  code: Ws101ErrorCode;
  rfc: string;
  /** One sentence a person can act on (the same text a thrown `Ws101Error` has as `message`). */
  message: string;
  /** @deprecated The same text as `message`; kept for the CLI's documented JSON report. */
  explanation: string;
  blame: Ws101Blame;
  header: string | null;
  value: string | null;
  offset: number | null;
  status: number | null;
}

/** One rule checked, for a per-header verdict. */
export interface Verdict {
  check: string;
  header: string | null;
  passed: boolean;
  rule: string;
  rfc: string;
  codes: Ws101ErrorCode[];
}

export interface HeaderLine { name: string; value: string }

/** The response a server must send: 101, or the rejection (400, 403, 426, 431). */
export interface HttpResponse {
  status: number;
  reason: string;
  headers: HeaderLine[];
  body: string;
  /** The whole response as bytes, ready to write to a socket. */
  bytes: Uint8Array;
}

/** Agreed permessage-deflate parameters (RFC 7692 §7.1). */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

export interface DeflateOptions {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number;
}

/** Server policy for `validateRequest` and every adapter. */
export interface ServerOptions {
  /** Supported subprotocols in server preference order. */
  protocols?: string[];
  /** Reject (400) when the client offers none of `protocols`; default: accept without one. */
  requireProtocol?: boolean;
  /**
   * Allowed origins: exact (`https://a.example`), wildcard subdomain (`https://*.example`), or a
   * synchronous predicate (called in JS before the core; returning a Promise is a TypeError).
   */
  origins?: string[] | ((origin: string) => boolean);
  /** Refuse requests without an Origin header (403). */
  requireOrigin?: boolean;
  /** Accept permessage-deflate offers (RFC 7692). */
  perMessageDeflate?: boolean | DeflateOptions;
  /** Largest request head in bytes (431 beyond); default 16 KiB. */
  maxHeaderBytes?: number;
  /** Most header lines (431 beyond); default 64. */
  maxHeaders?: number;
}

interface OutcomeBase {
  status: number;
  response: HttpResponse;
  verdicts: Verdict[];
  /** Bytes of the request head (raw input only): what follows is frame data. */
  consumed: number | null;
}

export interface Accepted extends OutcomeBase {
  ok: true;
  outcome: "accept";
  acceptKey: string;
  protocol: string | null;
  extensions: { name: string; params: { name: string; value: string | null }[] }[];
  extensionsHeader: string | null;
  deflate: DeflateParams | null;
  declined: Problem[];
}

export interface Rejected extends OutcomeBase {
  ok: false;
  outcome: "reject";
  problems: Problem[];
}

export type ServerOutcome = Accepted | Rejected;

/** Any request shape: a fetch `Request`, a Node `IncomingMessage`, or a plain object. */
export type RequestLike =
  | Request
  | { method?: string; url?: string; target?: string; httpVersion?: string; version?: string; headers?: HeadersLike; rawHeaders?: string[] };

export type HeadersLike = Headers | Map<string, string | string[]> | string[] | [string, string][] | Iterable<[string, string]> | Record<string, string | number | string[] | undefined>;

/** Validates an upgrade request (RFC 6455 §4.2.1) and decides the answer (§4.2.2). */
export declare function validateRequest(request: RequestLike, options?: ServerOptions): ServerOutcome;
/** RFC 8441 / RFC 9220 extended CONNECT, given its fields (pseudo-headers included). */
export declare function validateExtendedConnect(fields: HeadersLike, options?: ServerOptions): {
  accepted: boolean; status: number; headers: HeaderLine[]; body: string; protocol: string | null;
  deflate: DeflateParams | null; problems: Problem[]; declined: Problem[]; verdicts: Verdict[];
};
/** Classifies an Upgrade request: websocket, h2c (with decoded HTTP2-Settings), TLS (RFC 2817), other. */
export declare function classifyUpgrade(request: RequestLike): {
  kind: "none" | "websocket" | "h2c" | "tls" | "other" | string;
  protocols: { name: string; version: string | null }[];
  settings: { name: string; id: number; value: number }[];
  problems: Problem[];
  notes: string[];
};
/** Header lines as a flat `[name, value, …]` list. */
export declare function headerLines(headers: HeadersLike | undefined): string[];

export interface ClientOptions {
  protocols?: string[];
  origin?: string;
  /** Extra header lines: Headers, Map, [name, value] pairs, a flat [name, value, …] list or an object (any other shape is a TypeError). */
  headers?: HeadersLike;
  perMessageDeflate?: boolean | DeflateOptions;
  /** A fixed Sec-WebSocket-Key (tests); default: 16 random bytes. */
  key?: string;
  maxHeaderBytes?: number;
  maxHeaders?: number;
}

export interface ClientOutcome {
  complete: true;
  ok: boolean;
  accepted: boolean;
  status: number;
  /** The response's HTTP version, e.g. "HTTP/1.1" ("" when the head could not be parsed). */
  version: string;
  /** The response's reason phrase ("" when the head could not be parsed). */
  reason: string;
  /** The response's header lines in wire order ([] when the head could not be parsed). */
  headers: HeaderLine[];
  protocol: string | null;
  extensions: { name: string; params: { name: string; value: string | null }[] }[];
  deflate: DeflateParams | null;
  problems: Problem[];
  verdicts: Verdict[];
  consumed: number | null;
}

import type { ClientHandshake } from "./ws101.js";
/** Builds the client's upgrade request (RFC 6455 §4.1); throws a Ws101Error for a bad URL or header. */
export declare function buildRequest(url: string | URL, options?: ClientOptions): ClientHandshake;
/** Reads the server's response head: `{ complete: false }` until whole. */
export declare function parseResponse(bytes: Uint8Array, request: ClientHandshake): ClientOutcome | { complete: false };
/** Checks a response given as a status and headers. */
export declare function validateResponse(request: ClientHandshake, status: number, headers: HeadersLike): Omit<ClientOutcome, "complete" | "version" | "reason" | "headers">;

export type BinaryType = "uint8array" | "arraybuffer" | "nodebuffer";

export interface ConnectionOptions {
  role?: "server" | "client";
  /** Largest message, summed over fragments (close 1009 beyond); default 64 MiB. */
  maxMessageSize?: number;
  /** Alias of maxMessageSize, as in `ws`. */
  maxPayload?: number;
  /** Largest single frame; default 64 MiB. */
  maxFrameSize?: number;
  /** Answer pings automatically (default true). */
  autoPong?: boolean;
  /** Answer the peer's Close automatically (default true). */
  autoClose?: boolean;
  /** Split outgoing messages into frames of at most this many bytes. */
  fragmentSize?: number;
  /** Negotiated permessage-deflate parameters (from the handshake outcome). */
  deflate?: DeflateParams | null;
  binaryType?: BinaryType;
  /** Zero-copy: payloads are views into wasm memory, valid only until the next call on this connection. */
  views?: boolean;
  /** Deliver text messages as bytes (already UTF-8-checked) instead of strings. */
  textAsBytes?: boolean;
  /**
   * Hold back the Close this side owes (a reply, or a protocol-error Close) when it follows data
   * messages in the same chunk, until `releaseClose()`: replies to those messages go first.
   */
  deferClose?: boolean;
}

export type ConnectionEvent =
  | { type: "text"; data: string | Uint8Array | ArrayBuffer }
  | { type: "binary"; data: Uint8Array | ArrayBuffer }
  | { type: "ping"; data: Uint8Array }
  | { type: "pong"; data: Uint8Array }
  | { type: "close"; code: number; reason: string; wasClean: boolean }
  | { type: "error"; error: Ws101Error };

/** A sans-IO WebSocket connection: bytes in → events; sends → bytes to write. */
export declare class Connection {
  constructor(options?: ConnectionOptions);
  readonly state: "open" | "closing" | "remote-closing" | "closed";
  readonly wasClean: boolean | undefined;
  readonly shouldCloseTransport: boolean;
  readonly canSend: boolean;
  releaseClose(): void;
  binaryType: BinaryType;
  receive(chunk: Uint8Array): ConnectionEvent[];
  receiveEof(): ConnectionEvent[];
  takeOutput(): Uint8Array | null;
  sendText(text: string | Uint8Array): Uint8Array;
  sendBinary(data: Uint8Array | ArrayBuffer): Uint8Array;
  ping(data?: Uint8Array | string): Uint8Array;
  pong(data?: Uint8Array | string): Uint8Array;
  close(code?: number, reason?: string): Uint8Array;
  free(): void;
}

// Public types of the ws101 package (every runtime entry exposes the same API). Self-contained:
// it does not load the generated glue's declarations (which need the DOM lib), so a Node project
// without "dom" and with skipLibCheck false compiles (tests/js/types.test.mjs).

/** `WebAssembly.Memory` where the WebAssembly types are loaded (DOM or webworker lib), else its shape. */
export type WasmMemory = typeof globalThis extends { WebAssembly: { Memory: { prototype: infer M } } }
  ? M
  : { readonly buffer: ArrayBuffer; grow(delta: number): number };
/** Node's `Buffer` where Node's types are loaded, else `Uint8Array` (a Buffer is one). */
export type NodeBufferLike = typeof globalThis extends { Buffer: { prototype: infer B } } ? B : Uint8Array;
/** Any bytes: a typed array, a DataView or an ArrayBuffer. */
export type BytesLike = ArrayBufferView | ArrayBuffer;

/** The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2); a Ws101Error unless the key is base64 of 16 bytes. */
export declare function acceptKey(key: string): string;
/** base64(SHA-1(key + GUID)) for any string, without checking the key (for teaching and testing). */
export declare function acceptKeyUnchecked(key: string): string;
/** The 20-byte SHA-1 digest of key + GUID, the step before base64 (RFC 6455 §4.2.2). */
export declare function acceptDigest(key: string): Uint8Array;
/** A new client key: base64 of 16 random bytes (RFC 6455 §4.1). */
export declare function generateKey(): string;
/** Checks a `Sec-WebSocket-Key` and returns its 16-byte nonce; a Ws101Error otherwise. */
export declare function validateKey(key: string): Uint8Array;
/** The GUID of RFC 6455 §1.3. */
export declare function websocketGuid(): string;
/** The module's one `WebAssembly.Memory` (for measuring its size; views over it detach when it grows). */
export declare function wasmMemory(): WasmMemory;

/** One field of the base framing header (RFC 6455 §5.2), bits counted from the first byte's MSB. */
export interface FrameHeaderField {
  name: "FIN" | "RSV1" | "RSV2" | "RSV3" | "opcode" | "MASK" | "payload len" | "extended payload length" | "masking key";
  bitOffset: number;
  bitLength: number;
  value: number;
}
export interface EncodeFrameOptions {
  fin?: boolean | undefined; rsv1?: boolean | undefined; rsv2?: boolean | undefined; rsv3?: boolean | undefined;
  /** 0–15 (default 1, text); reserved values are written as given. */
  opcode?: number | undefined;
  mask?: boolean | undefined;
  /** The 4-byte masking key; random when `mask` is set and this is absent. */
  maskKey?: BytesLike | undefined;
  /** Bytes, or a string sent as UTF-8. */
  payload?: BytesLike | string | undefined;
}
export interface EncodedFrame {
  bytes: Uint8Array;
  headerLength: number;
  opcodeName: string;
  maskKey: Uint8Array | null;
  fields: FrameHeaderField[];
}
export interface DecodedFrame {
  offset: number;
  headerLength: number;
  fin: boolean; rsv1: boolean; rsv2: boolean; rsv3: boolean;
  opcode: number;
  opcodeName: string;
  masked: boolean;
  maskKey: Uint8Array | null;
  payloadLength: number;
  /** The payload bytes present, unmasked. */
  payload: Uint8Array;
  complete: boolean;
  /** This frame broke the rule in `DecodedFrames.error`; its payload was not read. */
  rejected: boolean;
  fields: FrameHeaderField[];
}
export interface DecodedFrames {
  frames: DecodedFrame[];
  /** The first per-frame rule broken (with offset, code, closeCode, rfc), or null. */
  error: Ws101Error | null;
  /** Trailing bytes that begin a header but do not complete it. */
  partialHeader: number;
  /** The listing stopped at `limit` frames; more follow from `nextOffset`. */
  truncated: boolean;
  /** Offset of the first byte not listed (`bytes.length` unless truncated). */
  nextOffset: number;
}
export interface DecodeFramesOptions {
  /** Most frames to list (default 10,000, at most 100,000); beyond it `truncated` is true. */
  limit?: number | undefined;
}
/** Frames laid open (RFC 6455 §5.2): writes one frame from its fields exactly as given (no rule is checked). */
export declare function encodeFrame(fields: EncodeFrameOptions): EncodedFrame;
/**
 * Lists at most `options.limit` frames (default 10,000, at most 100,000) of a capture as received
 * by `role`; `truncated` and `nextOffset` tell where to continue.
 */
export declare function decodeFrames(bytes: BytesLike, role: "server" | "client", options?: DecodeFramesOptions): DecodedFrames;


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
  | "unoffered-subprotocol" | "missing-subprotocol" | "unoffered-extension" | "duplicate-extension" | "method-not-connect"
  | "missing-pseudo-header" | "invalid-pseudo-header" | "protocol-not-websocket" | "key-in-extended-connect"
  | "connection-specific-header" | "uppercase-header-name" | "missing-http2-settings"
  | "invalid-http2-settings" | "invalid-url" | "unsupported-scheme" | "url-fragment" | "invalid-port"
  | "forbidden-header" | "invalid-option" | "non-minimal-length" | "length-msb-set" | "reserved-opcode"
  | "reserved-bits" | "unmasked-frame" | "masked-frame" | "control-frame-too-long"
  | "fragmented-control-frame" | "frame-too-large" | "unexpected-continuation" | "expected-continuation"
  | "message-too-large" | "invalid-utf8" | "bad-close-payload" | "invalid-close-code"
  | "invalid-close-reason" | "invalid-compressed-data" | "already-closed" | "control-payload-too-long"
  | "send-invalid-close-code" | "close-reason-too-long" | "close-reason-without-code" | "not-a-data-opcode"
  | "send-invalid-utf8" | "message-in-progress" | "message-length-mismatch"
  | "connect-protocol-not-offered" | "handshake-timeout" | "closed-before-response" | "stream-reset"
  | "entropy-unavailable" | "wasm-not-found";

/**
 * Who broke the rule: the peer (protocol fault), the caller (API misuse), this endpoint's platform
 * (`local`), or the connection beneath the WebSocket, which stalled, ended or was reset during the
 * opening handshake (`transport`: reported by ws101/node and the CLI).
 */
export type Ws101Blame = "peer" | "caller" | "local" | "transport";

/** One row of the core's error table. */
export interface Ws101ErrorCodeEntry {
  code: Ws101ErrorCode;
  /** The RFC section of the rule (an error may name a more specific one); `""` for `wasm-not-found`. */
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

/**
 * What an accepted opening handshake hands to its connection (the core's `Handoff`): the role,
 * the negotiated permessage-deflate and where frames start in the bytes the head was read from.
 * Give the outcome to `Connection.afterHandshake`.
 */
export interface Handoff {
  role: "server" | "client";
  deflate: DeflateParams | null;
  /** Bytes of the received buffer the head used (0 when the head came as parts): frames follow. */
  consumed: number;
}

export interface DeflateOptions {
  serverNoContextTakeover?: boolean | undefined;
  clientNoContextTakeover?: boolean | undefined;
  serverMaxWindowBits?: number | undefined;
  clientMaxWindowBits?: number | undefined;
}

/** Server policy for `validateRequest` and every adapter. */
export interface ServerOptions {
  /** Supported subprotocols in server preference order. */
  protocols?: string[] | undefined;
  /** Reject (400) when the client offers none of `protocols`; default: accept without one. */
  requireProtocol?: boolean | undefined;
  /**
   * Allowed origins: exact (`https://a.example`), wildcard subdomain (`https://*.example`), or a
   * synchronous predicate (called in JS before the core; returning a Promise is a TypeError).
   */
  origins?: string[] | ((origin: string) => boolean) | undefined;
  /** Refuse requests without an Origin header (403). */
  requireOrigin?: boolean | undefined;
  /** Accept permessage-deflate offers (RFC 7692). */
  perMessageDeflate?: boolean | DeflateOptions | undefined;
  /** Largest request head in bytes (431 beyond); default 16 KiB. */
  maxHeaderBytes?: number | undefined;
  /** Most header lines (431 beyond); default 64. */
  maxHeaders?: number | undefined;
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
  /** The hand-off to the connection: `Connection.afterHandshake(outcome, received, options)`. */
  handoff: Handoff;
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
  | { method?: string | undefined; url?: string | URL | undefined; target?: string | undefined; httpVersion?: string | number | undefined; version?: string | number | undefined; headers?: HeadersLike | undefined; rawHeaders?: string[] | undefined };

export type HeadersLike = Headers | Map<string, string | string[]> | string[] | [string, string][] | Iterable<[string, string]> | Record<string, string | number | string[] | undefined>;

/** Validates an upgrade request (RFC 6455 §4.2.1) and decides the answer (§4.2.2). */
export declare function validateRequest(request: RequestLike, options?: ServerOptions): ServerOutcome;
/** `parseRequest`'s answer: nothing until the head is whole, then the outcome and the head's length. */
export type ParsedRequest = { complete: false } | (ServerOutcome & { complete: true; consumed: number });
/** Reads and validates a raw request head (RFC 6455 §4.2.1); frame bytes may follow at `consumed`. */
export declare function parseRequest(bytes: BytesLike, options?: ServerOptions): ParsedRequest;

/** What an `Upgrade` header asks for (RFC 9110 §7.8). */
export interface UpgradeClassification {
  kind: "none" | "websocket" | "h2c" | "tls" | "other";
  protocols: { name: string; version: string | null }[];
  /** Decoded `HTTP2-Settings` for h2c. */
  settings: { name: string; id: number; value: number }[];
  problems: Problem[];
  notes: string[];
}
/** `classifyUpgradeHead`'s answer: nothing until the head is whole; the error when it is not HTTP/1.1. */
export type ClassifiedHead =
  | { complete: false }
  | ({ complete: true; request: { method: string; target: string; version: { major: number; minor: number }; headers: HeaderLine[] } } & UpgradeClassification)
  | { complete: true; error: Ws101Error };
/** A raw request head's `Upgrade` classified (websocket, h2c with decoded HTTP2-Settings, TLS, other). */
export declare function classifyUpgradeHead(bytes: BytesLike): ClassifiedHead;

/** RFC 8441 / RFC 9220 extended CONNECT, given its fields (pseudo-headers included). */
/** The answer to an extended CONNECT for HTTP/2 or HTTP/3 (`:status` 200, or 400/403). */
export type ExtendedConnectOutcome = {
  accepted: boolean; status: number; headers: HeaderLine[]; body: string; protocol: string | null;
  deflate: DeflateParams | null; problems: Problem[]; declined: Problem[]; verdicts: Verdict[];
  /** The hand-off to the connection when accepted (null when refused). */
  handoff: Handoff | null;
};
export declare function validateExtendedConnect(fields: HeadersLike, options?: ServerOptions): ExtendedConnectOutcome;
/** Classifies an Upgrade request: websocket, h2c (with decoded HTTP2-Settings), TLS (RFC 2817), other. */
export declare function classifyUpgrade(request: RequestLike): UpgradeClassification;
/** Header lines as a flat `[name, value, …]` list. */
export declare function headerLines(headers: HeadersLike | null | undefined, what?: string): string[];

export interface ClientOptions {
  protocols?: string[] | undefined;
  /** Fail a 101 that selects none of the offered subprotocols (error `missing-subprotocol`), as browsers and `ws` do; RFC 6455 lets the server select none. Default false. */
  requireProtocol?: boolean | undefined;
  origin?: string | undefined;
  /** Extra header lines: Headers, Map, [name, value] pairs, a flat [name, value, …] list or an object (any other shape is a TypeError). */
  headers?: HeadersLike | undefined;
  perMessageDeflate?: boolean | DeflateOptions | undefined;
  /** A fixed Sec-WebSocket-Key (tests); default: 16 random bytes. */
  key?: string | undefined;
  maxHeaderBytes?: number | undefined;
  maxHeaders?: number | undefined;
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
  /** The hand-off to the connection when accepted (null when not). */
  handoff: Handoff | null;
}

/** The response checks without the parsed head (`validateResponse`). */
export type ValidatedResponse = Omit<ClientOutcome, "complete" | "version" | "reason" | "headers">;

/**
 * The client side of one opening handshake (RFC 6455 §4.1): the request to send and the checks
 * its response must pass. Made by `buildRequest`.
 */
export declare class ClientHandshake {
  private constructor();
  /** The request head to write. */
  readonly bytes: Uint8Array;
  /** The `Sec-WebSocket-Accept` the server must answer with. */
  readonly expectedAccept: string;
  /** The request headers in order. */
  readonly headers: HeaderLine[];
  /** Host to connect to (IPv6 without brackets). */
  readonly host: string;
  /** The `Sec-WebSocket-Key` sent. */
  readonly key: string;
  /** Port to connect to. */
  readonly port: number;
  /** The request-target (path and query). */
  readonly resource: string;
  /** Whether TLS is required (`wss:`). */
  readonly secure: boolean;
  /** Reads the server's response head: `{ complete: false }` until it is whole. */
  parseResponse(bytes: BytesLike): ClientOutcome | { complete: false };
  /** Checks a response given as a status and headers (any shape `headerLines` takes). */
  validateResponse(status: number, headers: HeadersLike): ValidatedResponse;
  /** Frees the wasm side now instead of at garbage collection. */
  free(): void;
}

/** Builds the client's upgrade request (RFC 6455 §4.1); throws a Ws101Error for a bad URL or header. */
export declare function buildRequest(url: string | URL, options?: ClientOptions): ClientHandshake;
/** Reads the server's response head: `{ complete: false }` until whole. */
export declare function parseResponse(bytes: BytesLike, request: ClientHandshake): ClientOutcome | { complete: false };
/** Checks a response given as a status and headers. */
export declare function validateResponse(request: ClientHandshake, status: number, headers: HeadersLike): ValidatedResponse;

export type BinaryType = "uint8array" | "arraybuffer" | "nodebuffer";

export interface ConnectionOptions {
  role?: "server" | "client" | undefined;
  /** An accepted handshake outcome's `handoff`: the role and `deflate` come from it (leave those out). */
  handoff?: Handoff | undefined;
  /** Largest message, summed over fragments (close 1009 beyond); default 64 MiB. */
  maxMessageSize?: number | undefined;
  /** Alias of maxMessageSize, as in `ws`. */
  maxPayload?: number | undefined;
  /** Largest single frame; default 64 MiB. */
  maxFrameSize?: number | undefined;
  /** Answer pings automatically (default true). */
  autoPong?: boolean | undefined;
  /** Answer the peer's Close automatically (default true). */
  autoClose?: boolean | undefined;
  /** Split outgoing messages into frames of at most this many bytes. */
  fragmentSize?: number | undefined;
  /** Negotiated permessage-deflate parameters (from the handshake outcome). */
  deflate?: DeflateParams | null | undefined;
  /** DEFLATE level 0–9 for sent messages (with `deflate`); default 1. */
  deflateLevel?: number | undefined;
  /** Messages shorter than this many bytes are sent uncompressed; default 1024. */
  deflateThreshold?: number | undefined;
  binaryType?: BinaryType | undefined;
  /** Zero-copy: payloads are views into wasm memory, valid only until the next call into any connection (a frame of up to 256 KiB arriving in pieces is held until whole, without permessage-deflate). */
  views?: boolean | undefined;
  /** Deliver text messages as bytes (already UTF-8-checked) instead of strings. */
  textAsBytes?: boolean | undefined;
  /**
   * `receive()` may overwrite the chunks it is given: a message that lies whole in one chunk is
   * unmasked there and handed out as a view of it (as `ws` does with socket buffers), with no
   * allocation per read. For chunks nothing else reads afterwards (a socket's `data`). Not with
   * `binaryType: "arraybuffer"` (those get their own buffers).
   */
  inPlace?: boolean | undefined;
  /**
   * Hold back the Close this side owes (a reply, or a protocol-error Close) when it follows data
   * messages in the same chunk, until `releaseClose()`: replies to those messages go first.
   */
  deferClose?: boolean | undefined;
}

/** The binary payload type `binaryType` gives (Uint8Array by default). */
export type BinaryData<B = "uint8array"> =
  B extends "arraybuffer" ? ArrayBuffer : B extends "nodebuffer" ? NodeBufferLike : Uint8Array;
type OptionOf<O, K extends string, D> = O extends { readonly [P in K]?: infer V } ? (unknown extends V ? D : Exclude<V, undefined> | (undefined extends V ? D : never)) : D;
/** Binary payloads of a connection made with options `O`. */
export type BinaryDataOf<O> = BinaryData<OptionOf<O, "binaryType", "uint8array">>;
/** Text payloads of a connection made with options `O`: strings, or bytes with `textAsBytes: true`. */
export type TextDataOf<O> = OptionOf<O, "textAsBytes", false> extends false ? string : OptionOf<O, "textAsBytes", false> extends true ? BinaryDataOf<O> : string | BinaryDataOf<O>;

/** An event of a connection made with options `O` (its payload types follow `binaryType` and `textAsBytes`). */
export type ConnectionEvent<O extends ConnectionOptions = {}> =
  | { type: "text"; data: TextDataOf<O> }
  | { type: "binary"; data: BinaryDataOf<O> }
  | { type: "ping"; data: Uint8Array }
  | { type: "pong"; data: Uint8Array }
  | { type: "close"; code: number; reason: string; wasClean: boolean }
  | { type: "error"; error: Ws101Error };

/**
 * A sans-IO WebSocket connection: bytes in → events; sends → bytes to write. The event payload
 * types follow the `binaryType` and `textAsBytes` given to the constructor (setting `binaryType`
 * later changes the runtime shape, not the type).
 */
export declare class Connection<O extends ConnectionOptions = {}> {
  constructor(options?: O);
  /**
   * The connection an accepted handshake hands over to, in one call into the core: role and
   * permessage-deflate from `outcome.handoff`; `frames` are the bytes of `received` after the head
   * (give them to the first `receive()`).
   */
  static afterHandshake<O extends Omit<ConnectionOptions, "role" | "deflate" | "handoff"> = {}>(
    outcome: { handoff: Handoff | null },
    received: BytesLike | null | undefined,
    options?: O,
  ): { connection: Connection<O>; frames: Uint8Array };
  readonly state: "open" | "closing" | "remote-closing" | "closed";
  /** After "closed": whether the closing handshake completed (RFC 6455 §7.1.4). */
  readonly wasClean: boolean | undefined;
  readonly shouldCloseTransport: boolean;
  readonly canSend: boolean;
  /**
   * True when nothing needs doing after the last `receive()`'s events are handled: open, no
   * output waiting, and nothing but `sendMessage` with a kept header called since (so
   * `releaseClose()` releases nothing, `takeOutput()` is null, `canSend` true and
   * `shouldCloseTransport` false: no need to ask).
   */
  readonly quiet: boolean;
  releaseClose(): void;
  binaryType: BinaryType;
  receive(chunk: BytesLike): ConnectionEvent<O>[];
  receiveEof(): ConnectionEvent<O>[];
  takeOutput(): Uint8Array | null;
  /** A text message (bytes must be UTF-8). */
  sendText(text: string | BytesLike): Uint8Array;
  sendBinary(data: BytesLike): Uint8Array;
  /**
   * A whole message as the chunks to write, in order (servers: the payload itself, after its
   * header, never copied; clients: the masked frame, one chunk, unless compressed or fragmented).
   * Strings are text; bytes are binary unless `binary` is false.
   * Write the chunks, do not modify them: a server's header chunk is shared by its messages
   * of the same size and type (the core's header, kept while the connection's state allows).
   */
  sendMessage(data: string | BytesLike, binary?: boolean): Uint8Array[];
  /**
   * One part of a message whose length is not known ahead (a fragmented message, RFC 6455 §5.4):
   * the first part starts it (text, or binary when `binary`), the part with `fin` ends it. Each
   * part goes out as frames of its own; with permessage-deflate the first part's length decides
   * compression. Returns the chunks to write, in order.
   */
  sendFragment(data: string | BytesLike, binary: boolean, fin: boolean): Uint8Array[];
  /**
   * True while a message begun by `sendFragment` awaits its final part (the core's state): a
   * refused first part begins nothing, a later part refused for a reason that leaves the message
   * whole (the connection closing, no entropy) leaves it waiting, a part whose text is no longer
   * UTF-8 gives the message up and ends sending (`canSend` false).
   */
  readonly fragmenting: boolean;
  /**
   * Whether the data messages sent from now on may be compressed (the default, with
   * permessage-deflate agreed) or go uncompressed whatever their size (RFC 7692 §6: each
   * message chooses). No effect without permessage-deflate.
   */
  setCompression(on: boolean): void;
  ping(data?: BytesLike | string): Uint8Array;
  pong(data?: BytesLike | string): Uint8Array;
  close(code?: number | null, reason?: string): Uint8Array;
  /** Frees the wasm side now; any later call is a TypeError. */
  free(): void;
}

/** Settings of the wasm-side connection under `Connection` (camelCase `Config` of the core). */
export interface RawConnectionConfig {
  maxFrameSize?: number | undefined;
  maxMessageSize?: number | undefined;
  autoPong?: boolean | undefined;
  autoClose?: boolean | undefined;
  fragmentSize?: number | undefined;
  rsv1Allowed?: boolean | undefined;
  deflate?: DeflateOptions | null | undefined;
  deflateLevel?: number | undefined;
  deflateThreshold?: number | undefined;
  deferClose?: boolean | undefined;
  streaming?: boolean | undefined;
}

/**
 * The wasm-side connection `Connection` drives: events as `recordLayout().words` u32 words per record in wasm
 * memory (see src/wasm/connection.rs). Low level; use `Connection`.
 */
export declare class RawConnection {
  constructor(server: boolean, config?: RawConnectionConfig | null);
  inputBuffer(len: number): number;
  receive(len: number): number;
  /** `receive` for the per-read path: never throws; a length beyond the input buffer is cut to it. */
  receiveInput(len: number): number;
  resume(): number;
  release(): void;
  records(): number;
  error(index: number): Ws101Error;
  receiveEof(): number;
  outputLength(): number;
  outputPointer(): number;
  clearOutput(): void;
  takeOutput(): Uint8Array;
  sendText(text: string): void;
  sendTextBytes(bytes: Uint8Array): void;
  sendBinary(data: Uint8Array): void;
  sendHeaderOnly(binary: boolean, len: number): boolean;
  /** The header of a small message as `count × 2^32 + bytes (little-endian)`, or 0: take the general path. */
  sendHeaderWord(binary: boolean, len: number): number;
  beginMessage(binary: boolean, len: number): void;
  sendPartFromInput(len: number, fin: boolean): void;
  cancelMessage(): void;
  ping(data: Uint8Array): void;
  pong(data: Uint8Array): void;
  close(code: number | undefined, reason: string): void;
  releaseClose(): void;
  canSend(): boolean;
  shouldCloseTransport(): boolean;
  state(): "open" | "closing" | "remote-closing" | "closed";
  wasClean(): boolean | undefined;
  free(): void;
}

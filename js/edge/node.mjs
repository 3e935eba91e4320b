// WebSocket server and client for Node (`http`/`https` 'upgrade' events, `net`/`tls` sockets),
// with an API users of `ws` recognise. ws101's wasm core decides everything (handshake,
// framing, closing, close codes); this file only moves bytes between sockets and the core, and
// manages timers, listeners and backpressure.
//
// Robustness rules kept here:
// - No path from the network throws out of a socket or server event handler: every call into the
//   core is guarded, and a throwing application listener becomes an `error` event on the
//   WebSocket (or a one-time process warning when nobody listens), never an uncaught exception.
// - A trap of the wasm instance (WebAssembly.RuntimeError, a poisoned wasm-bindgen object) is
//   contained: every WebSocket of the poisoned instance is closed (1011 from servers), the instance
//   is rebuilt through `instance.mjs` when that module is present, and new upgrades keep working.
// - Every option is honoured or refused with a TypeError naming it; nothing a security decision
//   depends on (verifyClient, handleProtocols, origins, requireOrigin, maxHeaders) is ignored.
import { EventEmitter } from "node:events";
import http from "node:http";
import https from "node:https";
import { Duplex } from "node:stream";
import net from "node:net";
import tls from "node:tls";
import { Connection, validateRequest, buildRequest, validateResponse } from "../node.mjs";
import * as instance from "../instance.mjs";
import { isHttp2Server, serveHttp2, streamTransport, connectHttp2, checkHttp2Option } from "./node-h2.mjs";

const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;
/** Output waiting for a peer beyond which reading from it pauses until it drains. */
const PAUSE_READING_AT = 4 * 1024 * 1024;
const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;
const CLOSE_TIMEOUT_MS = 30_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** A Close frame with code 1011 (unmasked, server to client): what a server sends when its core is lost. */
const CLOSE_1011 = Buffer.from([0x88, 0x02, 0x03, 0xf3]);
/** Transport errors that only mean "the peer went away" (TCP reset; HTTP/2 RST_STREAM or session teardown). */
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ERR_HTTP2_STREAM_ERROR", "ERR_HTTP2_STREAM_CANCEL", "ERR_HTTP2_SESSION_ERROR", "ERR_HTTP2_GOAWAY_SESSION"]);

// ---------------------------------------------------------------------------------------------
// Trap containment. `instance.mjs` owns the wasm instance: `generation()`, `isTrap(err)`,
// `recover(err)` (poisons the current generation, calls the onPoison listeners synchronously with
// it, rebuilds; a Promise) and `onPoison(fn(oldGeneration, err))`. Each WebSocket remembers the
// generation its Connection was built on; when that generation is poisoned it is closed (1011
// from a server, dropped by a client) and new upgrades wait for the rebuilt instance.

/** Live WebSockets and the instance generation their Connection belongs to. */
const live = new Map();
/** @type {Promise<void> | null} */
let recovering = null;

function currentGeneration() {
  try {
    return instance.generation();
  } catch {
    return 0;
  }
}

function isTrap(err) {
  try {
    return Boolean(instance.isTrap(err));
  } catch {
    return err instanceof WebAssembly.RuntimeError;
  }
}

instance.onPoison((oldGeneration, err) => {
  for (const [ws, g] of [...live]) {
    if (g <= oldGeneration) {
      try {
        ws._poisoned(err);
      } catch {
        // closing one socket must not stop the others
      }
    }
  }
});

/**
 * A call into the core trapped on behalf of a WebSocket built on generation `gen` (or of a
 * handshake: the current generation). Poisons that instance (which closes every WebSocket on it
 * through onPoison) and starts the rebuild, once per generation.
 */
function containTrap(err, gen = currentGeneration()) {
  if (gen < currentGeneration()) return; // that instance is already replaced
  let pending;
  try {
    pending = instance.recover(err);
  } catch (e) {
    pending = Promise.reject(e);
  }
  if (!recovering) {
    const p = Promise.resolve(pending).then(() => {}, () => {}).finally(() => {
      if (recovering === p) recovering = null;
    });
    recovering = p;
  }
}

// ---------------------------------------------------------------------------------------------
// Listener errors that nobody handles: reported once per process, never thrown.
let warned = false;
function warnUnhandled(err, where) {
  if (warned) return;
  warned = true;
  try {
    process.emitWarning(`ws101/node: an exception thrown by a ${where} listener was caught (further ones are not reported): ${err?.stack ?? err}`, "Ws101ListenerWarning");
  } catch {
    // a throwing 'warning' listener must not escape either
  }
}

// ---------------------------------------------------------------------------------------------
// Options: every name is known; ws names ws101 cannot honour are refused by name.

// maxBufferedChunks and maxFragments (ws's receiver limits) are accepted as numbers: ws101's
// receiver keeps no per-chunk or per-fragment state to bound (a message is bounded by maxPayload,
// fragments are appended as they arrive, reading pauses under backpressure).
const SOCKET_OPTIONS = ["maxBufferedChunks", "maxFragments", "maxPayload", "pingInterval", "idleTimeout", "closeTimeout", "fragmentSize", "perMessageDeflate", "autoPong", "skipUTF8Validation", "allowSynchronousEvents"];
const SERVER_OPTIONS = new Set([
  ...SOCKET_OPTIONS,
  "port", "host", "backlog", "server", "noServer", "path", "clientTracking", "handshakeTimeout",
  "protocols", "requireProtocol", "origins", "allowedOrigins", "requireOrigin", "maxHeaderBytes", "maxHeaders",
  "verifyClient", "handleProtocols", "WebSocket",
]);
/** Options a client passes to node:http / node:https / node:net / node:tls as ws does (they honour them). */
const CLIENT_TRANSPORT_OPTIONS = [
  "agent", "auth", "createConnection", "family", "hints", "localAddress", "localPort", "lookup", "socketPath",
  "ca", "cert", "key", "pfx", "passphrase", "ciphers", "crl", "ecdhCurve", "minVersion", "maxVersion", "secureContext",
  "secureOptions", "checkServerIdentity", "servername", "rejectUnauthorized", "ALPNProtocols", "sigalgs", "signal",
];
const CLIENT_OPTIONS = new Set([
  ...SOCKET_OPTIONS, ...CLIENT_TRANSPORT_OPTIONS,
  "protocols", "origin", "headers", "maxHeaderBytes", "maxHeaders", "handshakeTimeout",
  "followRedirects", "maxRedirects", "protocolVersion", "http2",
]);
const UNSUPPORTED = {
  maxPendingAutoPongs: "ws101 stops reading from a peer that does not read its pongs",
  finishRequest: "the request is built by the core",
  generateMask: "masking keys come from the platform CSPRNG",
  timeout: "use handshakeTimeout",
  shouldHandle: "override WebSocketServer.prototype.shouldHandle instead",
};
const DEFLATE_OPTIONS = new Set(["serverNoContextTakeover", "clientNoContextTakeover", "serverMaxWindowBits", "clientMaxWindowBits", "level", "threshold", "zlibDeflateOptions", "concurrencyLimit"]);
const DEFLATE_UNSUPPORTED = { zlibInflateOptions: "inflate is bounded by the core (maxPayload)" };

function optionError(name, why) {
  return Object.assign(new TypeError(why ? `ws101/node: option "${name}" is not supported: ${why}` : `ws101/node: unknown option "${name}"`), { code: "invalid-option", option: name });
}

function checkNumber(options, name) {
  const v = options[name];
  if (v !== undefined && v !== null && !(typeof v === "number" && v >= 0 && !Number.isNaN(v))) {
    throw Object.assign(new TypeError(`ws101/node: option "${name}" must be a non-negative number`), { code: "invalid-option", option: name });
  }
}

function checkFunction(options, name) {
  const v = options[name];
  if (v !== undefined && v !== null && typeof v !== "function") {
    throw Object.assign(new TypeError(`ws101/node: option "${name}" must be a function`), { code: "invalid-option", option: name });
  }
}

function checkSocketOptions(options, known) {
  if (options === null || typeof options !== "object") throw new TypeError("ws101/node: options must be an object");
  for (const name of Object.keys(options)) {
    if (known.has(name)) continue;
    // A ws option ws101 cannot honour is refused when given a value (libraries pass `undefined` for the default).
    if (UNSUPPORTED[name] !== undefined && options[name] === undefined) continue;
    throw optionError(name, UNSUPPORTED[name]);
  }
  for (const name of ["maxBufferedChunks", "maxFragments", "maxPayload", "pingInterval", "idleTimeout", "closeTimeout", "fragmentSize", "handshakeTimeout", "maxHeaderBytes", "maxHeaders"]) {
    checkNumber(options, name);
  }
  if (options.skipUTF8Validation) throw optionError("skipUTF8Validation", "ws101 always validates UTF-8 (RFC 6455 §8.1); only false is accepted");
  if (options.allowSynchronousEvents === false) throw optionError("allowSynchronousEvents", "ws101 emits the events of one read synchronously; only true is accepted");
  if (options.autoPong !== undefined && typeof options.autoPong !== "boolean") {
    throw Object.assign(new TypeError('ws101/node: option "autoPong" must be a boolean'), { code: "invalid-option", option: "autoPong" });
  }
  const deflate = options.perMessageDeflate;
  if (deflate !== null && typeof deflate === "object") {
    for (const name of Object.keys(deflate)) {
      if (!DEFLATE_OPTIONS.has(name)) throw optionError(`perMessageDeflate.${name}`, DEFLATE_UNSUPPORTED[name]);
    }
    const zlib = deflate.zlibDeflateOptions;
    if (zlib !== undefined && zlib !== null) {
      for (const name of Object.keys(zlib)) {
        if (name !== "level") throw optionError(`perMessageDeflate.zlibDeflateOptions.${name}`, "only level maps to ws101's deflate");
      }
    }
  }
}

/** perMessageDeflate as the handshake takes it: the RFC 7692 parameters only (level and threshold are the Connection's). */
function handshakeDeflate(value) {
  if (value === null || typeof value !== "object") return value ?? false;
  const out = {};
  for (const name of ["serverNoContextTakeover", "clientNoContextTakeover", "serverMaxWindowBits", "clientMaxWindowBits"]) {
    // ws's `clientMaxWindowBits: true` offers the parameter without a value, which the core's
    // client offer always does (and a server takes as "no limit"): the same as leaving it out.
    if (value[name] === true && name.endsWith("MaxWindowBits")) continue;
    if (value[name] !== undefined) out[name] = value[name];
  }
  return out;
}

/**
 * The server's permessage-deflate policy. Unless the app sets `serverNoContextTakeover: false`,
 * the server answers with server_no_context_takeover (RFC 7692 §7.1.1.1 lets a server add it
 * unasked): its messages then start from an empty window, so every connection of the process
 * shares one compressor instead of keeping ~300 KiB of compressor state each in wasm memory
 * (the 4 GiB wasm32 limit is shared by all connections; uWebSockets' shared compressor does
 * the same). What clients send keeps its context unless `clientNoContextTakeover` is set.
 */
function serverDeflate(value) {
  const policy = handshakeDeflate(value);
  if (policy === false || policy === undefined || policy === null) return policy ?? false;
  const out = policy === true ? {} : policy;
  if (out.serverNoContextTakeover === undefined) out.serverNoContextTakeover = true;
  return out;
}

function deflateLevel(options) {
  const d = options.perMessageDeflate;
  if (d === null || typeof d !== "object") return undefined;
  return d.level ?? d.zlibDeflateOptions?.level;
}

function checkServerOptions(options) {
  checkSocketOptions(options, SERVER_OPTIONS);
  checkFunction(options, "verifyClient");
  checkFunction(options, "handleProtocols");
  if (options.path !== undefined && options.path !== null && typeof options.path !== "string") {
    throw Object.assign(new TypeError('ws101/node: option "path" must be a string'), { code: "invalid-option", option: "path" });
  }
  const C = options.WebSocket;
  if (C !== undefined && C !== null && !(C === WebSocket || (typeof C === "function" && C.prototype instanceof WebSocket))) {
    throw Object.assign(new TypeError('ws101/node: option "WebSocket" must be ws101\'s WebSocket class or a class that extends it'), { code: "invalid-option", option: "WebSocket" });
  }
  const external = Boolean(options.server) || Boolean(options.noServer);
  if ((options.port == null) + !options.server + !options.noServer !== 2) {
    throw new TypeError('One and only one of the "port", "server", or "noServer" options must be specified');
  }
  for (const name of ["host", "backlog", "handshakeTimeout"]) {
    if (external && options[name] != null) {
      throw optionError(name, name === "handshakeTimeout"
        ? "it applies to the server WebSocketServer creates; set headersTimeout/requestTimeout on your own server"
        : "it applies only to the server WebSocketServer creates (with port)");
    }
  }
}

function checkClientOptions(options) {
  checkSocketOptions(options, CLIENT_OPTIONS);
  const agent = options.agent;
  if (agent !== undefined && agent !== null && agent !== false && !(agent instanceof http.Agent)) {
    throw Object.assign(new TypeError('ws101/node: option "agent" must be an http.Agent or https.Agent'), { code: "invalid-option", option: "agent" });
  }
  for (const name of ["createConnection", "lookup", "checkServerIdentity"]) checkFunction(options, name);
  if (options.followRedirects !== undefined && typeof options.followRedirects !== "boolean") {
    throw Object.assign(new TypeError('ws101/node: option "followRedirects" must be a boolean'), { code: "invalid-option", option: "followRedirects" });
  }
  if (options.protocolVersion !== undefined && options.protocolVersion !== 13) {
    throw Object.assign(new RangeError(`Unsupported protocol version: ${options.protocolVersion} (supported versions: 13)`), { code: "invalid-option", option: "protocolVersion" });
  }
  checkNumber(options, "maxRedirects");
  checkHttp2Option(options);
}

function toBuffer(data) {
  if (typeof data === "string") return data;
  if (Buffer.isBuffer(data)) return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (Array.isArray(data)) return Buffer.concat(data.map((d) => toBytes(d)));
  throw new TypeError("data must be a string, Buffer, TypedArray, ArrayBuffer or an array of them");
}

function toBytes(data) {
  const b = toBuffer(data);
  return typeof b === "string" ? Buffer.from(b) : b;
}

const READY_STATES = ["CONNECTING", "OPEN", "CLOSING", "CLOSED"];
const BINARY_TYPES = ["nodebuffer", "arraybuffer", "fragments", "blob", "uint8array"];
const coreBinaryType = (t) => (t === "arraybuffer" || t === "uint8array" ? t : "nodebuffer");
const isBlob = (v) => typeof Blob === "function" && v instanceof Blob;
const notOpen = (state) => new Error(`WebSocket is not open: readyState ${state} (${READY_STATES[state]})`);

/**
 * A peer's protocol violation as the core reported it, in ws's words and error class; the core's
 * `code`, `rfc` and `closeCode` stay (ws names its codes WS_ERR_*; ws101 keeps its own).
 */
function peerError(err) {
  if (!err || typeof err !== "object") return err;
  const v = err.value;
  const n = typeof v === "number" ? v : Number.parseInt(v, 10);
  const words = {
    "reserved-opcode": [RangeError, `Invalid WebSocket frame: invalid opcode ${Number.isNaN(n) ? "" : n}`.trim()],
    "expected-continuation": [RangeError, `Invalid WebSocket frame: invalid opcode ${Number.isNaN(n) ? "" : n}`.trim()],
    "unexpected-continuation": [RangeError, "Invalid WebSocket frame: invalid opcode 0"],
    "reserved-bits": [RangeError, "Invalid WebSocket frame: RSV2 and RSV3 must be clear"],
    "masked-frame": [RangeError, "Invalid WebSocket frame: MASK must be clear"],
    "unmasked-frame": [RangeError, "Invalid WebSocket frame: MASK must be set"],
    "fragmented-control-frame": [RangeError, "Invalid WebSocket frame: FIN must be set"],
    "control-frame-too-long": [RangeError, `Invalid WebSocket frame: invalid payload length ${Number.isNaN(n) ? "" : n}`.trim()],
    "bad-close-payload": [RangeError, "Invalid WebSocket frame: invalid payload length 1"],
    "invalid-close-code": [RangeError, `Invalid WebSocket frame: invalid status code ${Number.isNaN(n) ? "" : n}`.trim()],
    "invalid-close-reason": [Error, "Invalid WebSocket frame: invalid UTF-8 sequence"],
    "invalid-utf8": [Error, "Invalid WebSocket frame: invalid UTF-8 sequence"],
    "message-too-large": [RangeError, "Max payload size exceeded"],
    "frame-too-large": [RangeError, "Max payload size exceeded"],
    "length-msb-set": [RangeError, "Unsupported WebSocket frame: payload length > 2^53 - 1"],
  }[err.code];
  if (!words) return err;
  const [Class, message] = words;
  const out = new Class(message);
  for (const key of ["code", "rfc", "closeCode", "header", "value", "offset", "status"]) if (err[key] !== undefined) out[key] = err[key];
  out.cause = err;
  out.explanation = err.message;
  return out;
}

/** A handshake the core refused, in ws's words (the `wsClientError` error; ws101's fields kept). */
function requestErrorMessage(code) {
  return {
    "method-not-get": "Invalid HTTP method",
    "missing-upgrade": "Invalid Upgrade header",
    "invalid-upgrade-header": "Invalid Upgrade header",
    "upgrade-not-websocket": "Invalid Upgrade header",
    "missing-key": "Missing or invalid Sec-WebSocket-Key header",
    "bad-key-base64": "Missing or invalid Sec-WebSocket-Key header",
    "bad-key-length": "Missing or invalid Sec-WebSocket-Key header",
    "missing-version": "Missing or invalid Sec-WebSocket-Version header",
    "unsupported-version": "Missing or invalid Sec-WebSocket-Version header",
    "invalid-subprotocol": "Invalid Sec-WebSocket-Protocol header",
    "duplicate-subprotocol": "Invalid Sec-WebSocket-Protocol header",
    "invalid-extension-header": "Invalid or unacceptable Sec-WebSocket-Extensions header",
    "invalid-deflate-param": "Invalid or unacceptable Sec-WebSocket-Extensions header",
  }[code];
}

/** The core's verdict on a close code and reason, in `ws`'s error classes and words. */
function closeArgumentError(err) {
  if (err?.code === "close-reason-too-long") {
    return Object.assign(new RangeError("The message must not be greater than 123 bytes"), { code: err.code, rfc: err.rfc, cause: err });
  }
  if (err?.code === "invalid-close-code" || err instanceof RangeError || (err instanceof TypeError && /^close code/.test(err.message))) {
    return Object.assign(new TypeError("First argument must be a valid error code number"), { code: "invalid-close-code", rfc: err?.rfc, cause: err });
  }
  return err;
}

/**
 * Asks the core whether `close(code, reason)` is valid when this connection's core can no longer be
 * asked (the peer's Close is held back by `deferClose`): a scratch Connection answers.
 */
function checkCloseArguments(code, reason) {
  let scratch;
  try {
    scratch = new Connection({ role: "server" });
    scratch.close(code, reason);
  } catch (err) {
    if (isTrap(err)) return; // the instance is lost; containment closes everything anyway
    throw closeArgumentError(err);
  } finally {
    try {
      scratch?.free();
    } catch {
      // nothing to release
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The WHATWG EventTarget face of a WebSocket (addEventListener, onopen, …) with the event shapes
// browsers and `ws` give: Event, MessageEvent, CloseEvent, ErrorEvent (read-only accessors).

const kTarget = Symbol("ws101.target");

export class Event {
  #type;
  constructor(type) {
    this.#type = String(type);
    this[kTarget] = null;
  }
  get type() { return this.#type; }
  get target() { return this[kTarget]; }
}

export class MessageEvent extends Event {
  #data;
  constructor(type, options = {}) {
    super(type);
    this.#data = options?.data === undefined ? null : options.data;
  }
  get data() { return this.#data; }
}

export class CloseEvent extends Event {
  #code; #reason; #wasClean;
  constructor(type, options = {}) {
    super(type);
    this.#code = options?.code === undefined ? 0 : options.code;
    this.#reason = options?.reason === undefined ? "" : options.reason;
    this.#wasClean = options?.wasClean === undefined ? false : options.wasClean;
  }
  get code() { return this.#code; }
  get reason() { return this.#reason; }
  get wasClean() { return this.#wasClean; }
}

export class ErrorEvent extends Event {
  #error; #message;
  constructor(type, options = {}) {
    super(type);
    this.#error = options?.error === undefined ? null : options.error;
    this.#message = options?.message === undefined ? "" : options.message;
  }
  get error() { return this.#error; }
  get message() { return this.#message; }
}

// WebIDL attributes are enumerable accessors on the prototype.
for (const [C, names] of [[Event, ["type", "target"]], [MessageEvent, ["data"]], [CloseEvent, ["code", "reason", "wasClean"]], [ErrorEvent, ["error", "message"]]]) {
  for (const name of names) Object.defineProperty(C.prototype, name, { ...Object.getOwnPropertyDescriptor(C.prototype, name), enumerable: true });
}

/** Marks the EventEmitter listeners that stand for an EventTarget listener (and which one). */
const kHandler = Symbol("ws101.handler");
const kAttribute = Symbol("ws101.attribute");

/** Builds the DOM event for one EventEmitter event of a WebSocket. */
const domEvent = {
  open: () => new Event("open"),
  message: (data, isBinary) => new MessageEvent("message", { data: isBinary ? data : Buffer.isBuffer(data) || ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString() : String(data) }),
  close: (code, reason, wasClean) => new CloseEvent("close", { code, reason: Buffer.isBuffer(reason) ? reason.toString() : String(reason ?? ""), wasClean }),
  error: (error) => new ErrorEvent("error", { error, message: error?.message ?? "" }),
};

function callHandler(handler, thisArg, event) {
  if (typeof handler === "object" && handler !== null && typeof handler.handleEvent === "function") handler.handleEvent.call(handler, event);
  else handler.call(thisArg, event);
}

/** A WebSocket over a Node socket, server side (from WebSocketServer) or client side (`new WebSocket(url)`). */
export class WebSocket extends EventEmitter {
  #socket = null;
  #conn = null;
  #role = "client";
  #readyState = CONNECTING;
  #protocol = "";
  #extensions = "";
  #url = "";
  #binaryType = "nodebuffer";
  #closeTimer = null;
  #endTimer = null;
  #pingTimer = null;
  #idleTimer = null;
  #alive = true;
  #closeInfo = null;
  #options;
  #paused = false;
  #userPaused = false;
  #redirects = 0;
  /** Bytes of sends attempted after the closing handshake started (ws counts them in bufferedAmount). */
  #bufferedAfterClose = 0;
  #wasClean = false;
  /** The client's opening handshake while CONNECTING: `{ abort(message) }`. */
  #handshake = null;
  /** Sends waiting for a Blob to be read (ws keeps the order of sends around a Blob). */
  #sendQueue = null;
  /** "1.1" (a 101 upgrade, RFC 6455 §4) or "2" (an extended CONNECT stream, RFC 8441). */
  #httpVersion = "1.1";

  /**
   * Client: `new WebSocket("ws://host:port/path", ["proto"], options)`.
   * @param {string | URL | null} url
   * @param {string | string[]} [protocols]
   * @param {object} [options]
   */
  constructor(url, protocols, options) {
    super();
    let list = protocols;
    if (protocols !== undefined && !Array.isArray(protocols)) {
      if (protocols !== null && typeof protocols === "object") {
        options = protocols;
        list = undefined;
      } else {
        list = [protocols]; // ws: a single value, which must then be a valid token
      }
    }
    this.#options = options ?? {};
    if (url !== null && url !== undefined) {
      checkClientOptions(this.#options);
      const target = clientTarget(url);
      this.#url = target.socketPath === undefined ? target.href : url instanceof URL ? url.href : String(url);
      list ??= this.#options.protocols ?? [];
      this.#handshake = this.#options.http2
        ? connectHttp2(this, url, target, list, this.#options, http2Hooks)
        : connectClient(this, url, target, list, this.#options);
    }
  }

  /** The opening handshake's http.ClientRequest while CONNECTING (ws's `_req`), else null. */
  get _req() { return this.#handshake?.request ?? null; }

  /** How many redirects the opening handshake followed (ws's `_redirects`). */
  get _redirects() { return this.#redirects; }

  /**
   * @internal A 3xx with Location while following redirects: the next request replaces the
   * current one, then `redirect (url, request)` is emitted (a listener may close()).
   */
  _redirect(location, protocols, options, previous) {
    this.#redirects++;
    if (this.#redirects > (options.maxRedirects ?? 10)) {
      this.#handshake = null;
      process.nextTick(() => this._fail(new Error("Maximum redirects exceeded")));
      return;
    }
    let next;
    let target;
    try {
      try {
        next = new URL(location, previous.href);
      } catch {
        throw new SyntaxError(`Invalid URL: ${location}`);
      }
      target = clientTarget(next);
    } catch (err) {
      this.#handshake = null;
      process.nextTick(() => this._fail(err));
      return;
    }
    // Credentials stay with the host they were meant for: a redirect to another host (or from
    // wss: to ws:) drops Authorization and Cookie, and only the new URL's userinfo is used.
    const from = new URL(previous.href);
    const to = new URL(target.href);
    let nextOptions = options;
    // ws's rule: with a 'redirect' listener nothing is dropped (the listener decides).
    if (this.listenerCount("redirect") === 0 && (from.host !== to.host || (from.protocol === "wss:" && to.protocol !== "wss:"))) {
      const headers = options.headers && typeof options.headers === "object" && !Array.isArray(options.headers) && !(options.headers instanceof Map)
        ? Object.fromEntries(Object.entries(options.headers).filter(([k]) => !/^(authorization|cookie|host)$/i.test(k)))
        : undefined;
      nextOptions = { ...options, headers, auth: undefined };
    }
    this.#url = target.socketPath === undefined ? target.href : next.href;
    let handshake;
    try {
      handshake = connectClient(this, next, target, protocols, nextOptions);
    } catch (err) {
      this.#handshake = null;
      process.nextTick(() => this._fail(err));
      return;
    }
    this.#handshake = handshake;
    this._emit("redirect", this.#url, handshake.request);
  }

  /** The socket under this WebSocket (ws's `_socket`, which many applications read); null before the handshake. */
  get _socket() { return this.#socket; }
  get isPaused() { return this.#userPaused; }

  get readyState() { return this.#readyState; }
  get protocol() { return this.#protocol; }
  get extensions() { return this.#extensions; }
  get url() { return this.#url; }
  /** The HTTP version that carried the opening handshake: "1.1" (101 upgrade) or "2" (RFC 8441 extended CONNECT). */
  get httpVersion() { return this.#httpVersion; }
  get bufferedAmount() { return (this.#socket ? this.#socket.writableLength : 0) + this.#bufferedAfterClose; }
  get binaryType() { return this.#binaryType; }
  set binaryType(value) {
    if (!BINARY_TYPES.includes(value)) return;
    this.#binaryType = value;
    if (this.#conn) {
      try {
        this.#conn.binaryType = coreBinaryType(value);
      } catch (err) {
        this.#coreFailure(err);
      }
    }
  }

  /** @internal Takes over a socket after a successful handshake. */
  _attach(socket, head, { role, protocol, extensions, deflate, options, httpVersion }) {
    const opts = { ...this.#options, ...options };
    this.#options = opts;
    this.#socket = socket;
    this.#handshake = null;
    this.#role = role;
    this.#httpVersion = httpVersion ?? "1.1";
    this.#protocol = protocol ?? "";
    this.#extensions = extensions ?? "";
    this.#conn = new Connection({
      role,
      maxMessageSize: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      maxFrameSize: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      fragmentSize: opts.fragmentSize,
      autoPong: opts.autoPong,
      deflate,
      deflateLevel: deflateLevel(opts),
      deflateThreshold: typeof opts.perMessageDeflate === "object" ? opts.perMessageDeflate?.threshold : undefined,
      binaryType: coreBinaryType(this.#binaryType),
      textAsBytes: true,
      deferClose: true,
    });
    live.set(this, currentGeneration());
    this.#readyState = OPEN;
    socket.setNoDelay?.(true);
    socket.setTimeout?.(0);
    socket.on("data", (chunk) => this.#guard(() => this.#onData(chunk)));
    socket.on("end", () => this.#guard(() => this.#onEnd()));
    socket.on("close", () => this.#guard(() => this.#onSocketClose()));
    socket.on("error", (err) => this.#guard(() => this.#onSocketError(err)));
    socket.on("drain", () => this.#guard(() => this.#onDrain()));
    if (opts.pingInterval > 0) this.#startKeepAlive(opts.pingInterval);
    if (opts.idleTimeout > 0) this.#resetIdle();
    if (head && head.length > 0) queueMicrotask(() => this.#guard(() => this.#onData(head)));
  }

  /**
   * Sends a message: strings as text, anything else as binary, unless `options.binary` says otherwise
   * (a Buffer with `binary: false` is sent as text and must be UTF-8).
   */
  send(data, options, cb) {
    if (typeof options === "function") {
      cb = options;
      options = {};
    }
    options ??= {};
    if (this.#readyState === CONNECTING) throw notOpen(this.#readyState);
    if (typeof data === "number") data = String(data);
    if (options.fin === false) {
      throw Object.assign(new TypeError('ws101/node: send option "fin: false" is not supported: send each message whole (fragmentSize splits large ones into frames)'), { code: "invalid-option", option: "fin" });
    }
    if (this.#readyState !== OPEN) {
      this.#sendAfterClose(data, cb);
      return;
    }
    if (this.#sendQueue || isBlob(data)) {
      this.#queueSend(data, options, cb);
      return;
    }
    this.#sendNow(data, options, cb);
  }

  #sendNow(data, options, cb) {
    const payload = toBuffer(data);
    const binary = options.binary ?? typeof payload !== "string";
    let chunks;
    try {
      chunks = this.#conn.sendMessage(payload, binary);
    } catch (err) {
      // Closed under us, or the core is lost: like `ws`, report it to the callback, never as an
      // exception out of an event listener. Argument errors are the caller's and are thrown.
      if (isTrap(err)) this.#coreFailure(err);
      else if (err?.code !== "already-closed") throw err;
      if (cb) queueMicrotask(() => cb(err));
      return;
    }
    if (chunks.length === 1) {
      this.#write(chunks[0], cb);
    } else {
      // A header and its payload, or a large message's parts: one corked write.
      const socket = this.#socket;
      socket.cork();
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) this.#write(chunks[i]);
      this.#write(chunks[last], cb);
      process.nextTick(() => socket.uncork());
    }
  }

  #sendAfterClose(data, cb) {
    if (data !== undefined && data !== null) {
      try {
        this.#bufferedAfterClose += isBlob(data) ? data.size : toBytes(data).length;
      } catch {
        // not a payload type: nothing is counted
      }
    }
    if (cb) {
      const err = notOpen(this.#readyState);
      process.nextTick(() => cb(err));
    }
  }

  /** A Blob is read first; sends made meanwhile wait behind it, in order. */
  #queueSend(data, options, cb) {
    const queue = (this.#sendQueue ??= []);
    const entry = { data, options, cb, blob: isBlob(data), ready: !isBlob(data) };
    queue.push(entry);
    if (!entry.ready) {
      data.arrayBuffer().then((ab) => {
        entry.data = Buffer.from(ab);
        entry.ready = true;
      }, (err) => {
        entry.error = err;
        entry.ready = true;
      }).finally(() => this.#guard(() => this.#flushQueue()));
    }
  }

  #flushQueue() {
    const queue = this.#sendQueue;
    if (!queue) return;
    while (queue.length > 0 && queue[0].ready) {
      const { data, options, cb, error, blob, close } = queue.shift();
      if (close) this.#closeNow(...close);
      else if (error) cb?.(error);
      else if (!this.#conn) cb?.(notOpen(this.#readyState));
      else this.#sendNow(data, blob ? { ...options, binary: options.binary ?? true } : options, cb);
    }
    if (queue.length === 0 && this.#sendQueue === queue) this.#sendQueue = null;
  }

  ping(data, _mask, cb) {
    this.#control("ping", data, _mask, cb);
  }

  pong(data, _mask, cb) {
    this.#control("pong", data, _mask, cb);
  }

  #control(kind, data, mask, cb) {
    if (typeof data === "function") {
      cb = data;
      data = undefined;
    } else if (typeof mask === "function") {
      cb = mask;
    }
    if (this.#readyState === CONNECTING) throw notOpen(this.#readyState);
    if (typeof data === "number") data = String(data);
    if (this.#readyState !== OPEN) {
      this.#sendAfterClose(data, cb);
      return;
    }
    if (isBlob(data)) {
      data.arrayBuffer().then((ab) => this.#guard(() => this.#control(kind, Buffer.from(ab), mask, cb)), (err) => cb?.(err));
      return;
    }
    const payload = data === undefined ? undefined : toBytes(data);
    let bytes;
    try {
      bytes = kind === "ping" ? this.#conn.ping(payload) : this.#conn.pong(payload);
    } catch (err) {
      if (isTrap(err)) this.#coreFailure(err);
      else if (err?.code === "control-payload-too-long") {
        throw Object.assign(new RangeError("The data size must not be greater than 125 bytes"), { code: err.code, rfc: err.rfc, cause: err });
      } else if (err?.code !== "already-closed") throw err;
      if (cb) queueMicrotask(() => cb(err));
      return;
    }
    this.#write(bytes, cb);
  }

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2); the TCP connection ends after the peer answers.
   * The code and reason are checked by the core before anything changes: a TypeError (code) or
   * RangeError (reason over 123 bytes) leaves the WebSocket OPEN, so a corrected retry works.
   */
  close(code, reason) {
    if (this.#readyState === CLOSED) return;
    if (this.#readyState === CONNECTING) {
      this.#abortHandshake();
      return;
    }
    if (this.#readyState === CLOSING) return;
    const text = reason === undefined || reason === null ? "" : Buffer.isBuffer(reason) ? reason.toString("utf8") : String(reason);
    if (this.#sendQueue) {
      // Sends waiting for a Blob go out first, then the Close (ws keeps that order too).
      checkCloseArguments(code, text);
      this.#readyState = CLOSING;
      this.#sendQueue.push({ ready: true, close: [code, text] });
      return;
    }
    this.#closeNow(code, text);
  }

  #closeNow(code, text) {
    if (!this.#conn) return;
    let bytes;
    try {
      bytes = this.#conn.close(code, text);
    } catch (err) {
      if (isTrap(err)) {
        this.#coreFailure(err);
        return;
      }
      if (err?.code !== "already-closed") throw closeArgumentError(err);
      // The peer's Close (or a protocol error) arrived in the read being dispatched and is held
      // back by deferClose: the Close this side owes goes out right after the listeners return.
      checkCloseArguments(code, text);
      this.#enterClosing();
      return;
    }
    this.#enterClosing();
    this.#write(bytes);
    this.#afterOutput();
  }

  /** Destroys the socket at once, with no closing handshake. */
  terminate() {
    if (this.#readyState === CLOSED) return;
    if (this.#readyState === CONNECTING) {
      this.#abortHandshake();
      return;
    }
    // A failed or aborted opening handshake is already on its way to `close`.
    if (this.#readyState === CLOSING && !this.#socket && !this.#handshake) return;
    this.#readyState = CLOSING;
    this.#dropQueue();
    if (this.#socket) this.#socket.destroy();
    else this.#finish(1006, "");
  }

  /** The socket is going away while sends wait for a Blob: each callback learns it (ws's words). */
  #dropQueue() {
    const queue = this.#sendQueue;
    if (!queue) return;
    this.#sendQueue = null;
    for (const { cb, close } of queue) {
      if (close || !cb) continue;
      try {
        cb(new Error("The socket was closed while the blob was being read"));
      } catch (err) {
        this._listenerError(err, "send callback");
      }
    }
  }

  #abortHandshake() {
    this.#readyState = CLOSING;
    const handshake = this.#handshake;
    this.#handshake = null;
    const err = new Error("WebSocket was closed before the connection was established");
    if (handshake) handshake.abort(err);
    else process.nextTick(() => this._fail(err));
  }

  /** Stops reading from the peer (no `message` events) until resume(); a no-op unless OPEN or CLOSING. */
  pause() {
    if (this.#readyState === CONNECTING || this.#readyState === CLOSED) return;
    this.#userPaused = true;
    this.#socket?.pause();
  }

  resume() {
    if (this.#readyState === CONNECTING || this.#readyState === CLOSED) return;
    this.#userPaused = false;
    if (!this.#paused) this.#socket?.resume();
  }

  // EventTarget: listeners added here are EventEmitter listeners marked with their handler.
  addEventListener(type, handler, options = {}) {
    if (typeof handler !== "function" && !(handler !== null && typeof handler === "object" && typeof handler.handleEvent === "function")) return;
    const make = domEvent[type];
    if (!make) return;
    const attribute = options?.[kAttribute] === true;
    for (const l of this.rawListeners(type)) {
      const inner = l.listener ?? l;
      if (!attribute && inner[kHandler] === handler && !inner[kAttribute]) return; // already added
    }
    const self = this;
    const listener = function (...args) {
      const event = type === "close" ? make(args[0], args[1], self.#wasClean) : make(...args);
      event[kTarget] = self;
      callHandler(handler, self, event);
    };
    listener[kHandler] = handler;
    if (attribute) listener[kAttribute] = true;
    if (options?.once) this.once(type, listener);
    else this.on(type, listener);
  }

  removeEventListener(type, handler) {
    for (const l of this.rawListeners(type)) {
      const inner = l.listener ?? l;
      if (inner[kHandler] === handler && !inner[kAttribute]) {
        this.removeListener(type, l);
        break;
      }
    }
  }

  /** @internal The handler of an `on<type>` attribute. */
  _attributeGet(type) {
    for (const l of this.listeners(type)) if (l[kAttribute]) return l[kHandler];
    return null;
  }

  /** @internal */
  _attributeSet(type, handler) {
    for (const l of this.listeners(type)) if (l[kAttribute]) this.removeListener(type, l);
    if (typeof handler === "function") this.addEventListener(type, handler, { [kAttribute]: true });
  }

  /** @internal The opening handshake failed: `error`, then `close` (1006). */
  _fail(err) {
    if (this.#readyState === CLOSED) return;
    this.#handshake = null;
    // As ws: CLOSING while `error` is emitted, CLOSED from `close` on.
    this.#readyState = CLOSING;
    this.#emitError(err);
    if (this.#readyState === CLOSED) return; // an error listener's terminate() already closed it
    this.#readyState = CLOSED;
    this._emit("close", 1006, Buffer.alloc(0));
  }

  /** @internal */
  _open() {
    this._emit("open");
  }

  /** @internal Emits an event for the network side: a throwing listener becomes an `error` event. */
  _emit(name, ...args) {
    try {
      this.emit(name, ...args);
    } catch (err) {
      this._listenerError(err, name);
    }
  }

  /** @internal A listener threw: `error` on this WebSocket when someone listens, a warning otherwise. */
  _listenerError(err, name) {
    if (name !== "error" && this.listenerCount("error") > 0) {
      try {
        this.emit("error", err);
        return;
      } catch (again) {
        err = again;
      }
    }
    warnUnhandled(err, `WebSocket '${name}'`);
  }

  /** @internal The wasm instance trapped: close with 1011 (server) or drop (client); the core is gone. */
  _poisoned(err) {
    live.delete(this);
    if (this.#readyState === CLOSED) return;
    this.#conn = null; // a poisoned object cannot even be freed
    const socket = this.#socket;
    if (socket && !socket.destroyed) {
      if (this.#role === "server" && socket.writable) {
        socket.end(CLOSE_1011);
        this.#endTimer ??= setTimeout(() => socket.destroy(), this.#closeTimeout());
        this.#endTimer.unref?.();
      } else {
        socket.destroy();
      }
    }
    if (this.#readyState !== CLOSING) this.#readyState = CLOSING;
    this.#emitError(err);
    if (!socket) this.#finish(1006, "");
  }

  #closeTimeout() {
    return this.#options.closeTimeout ?? CLOSE_TIMEOUT_MS;
  }

  /** Runs a socket event handler: nothing escapes to the socket's emitter. */
  #guard(fn) {
    try {
      fn();
    } catch (err) {
      if (isTrap(err)) {
        this.#coreFailure(err);
        return;
      }
      this.#emitError(err);
      this.#socket?.destroy();
    }
  }

  /** A call into the core failed: a trap is contained, anything else fails this connection. */
  #coreFailure(err) {
    if (isTrap(err)) {
      containTrap(err, live.get(this) ?? currentGeneration());
      if (this.#conn) this._poisoned(err); // its instance was replaced before: close it alone
      return;
    }
    this.#emitError(err);
    this.#socket?.destroy();
  }

  #enterClosing() {
    if (this.#readyState === OPEN) this.#readyState = CLOSING;
    if (this.#readyState === CLOSING && !this.#closeTimer && this.#socket && !this.#socket.destroyed) {
      const socket = this.#socket;
      this.#closeTimer = setTimeout(() => socket.destroy(), this.#closeTimeout());
      this.#closeTimer.unref?.();
    }
  }

  #write(bytes, cb) {
    if (!bytes || bytes.length === 0) {
      if (cb) queueMicrotask(() => cb());
      return;
    }
    const socket = this.#socket;
    if (!socket || socket.destroyed) {
      if (cb) queueMicrotask(() => cb(new Error("WebSocket is not open")));
      return;
    }
    const ok = socket.write(bytes, cb);
    // Backpressure: stop reading from a peer that is not reading what we send (bounded buffers),
    // once PAUSE_READING_AT bytes wait for it. Pausing at Node's 16 KiB mark instead made reads
    // and writes take turns after every large echo (the server sat 57 % idle at 16 KiB).
    if (!ok && !this.#paused && socket.writableLength >= PAUSE_READING_AT) {
      this.#paused = true;
      socket.pause();
    }
  }

  #onDrain() {
    if (this.#paused) {
      this.#paused = false;
      if (!this.#userPaused) this.#socket.resume();
    }
  }

  #onData(chunk) {
    const conn = this.#conn;
    if (!conn) return;
    this.#alive = true;
    if (this.#idleTimer) this.#resetIdle();
    let events;
    let output;
    try {
      events = conn.receive(chunk);
      output = conn.takeOutput();
    } catch (err) {
      this.#coreFailure(err);
      return;
    }
    // Pongs and other replies the core queued go out first. A Close (or a protocol error)
    // later in this chunk is held back by `deferClose` while listeners handle the messages
    // that came before it, so their replies precede it, as with a frame-at-a-time endpoint.
    this.#write(output);
    for (const event of events) {
      // A listener may have terminated the socket (or a trap closed everything): stop there.
      if (this.#conn !== conn || this.#socket.destroyed) break;
      this.#dispatch(event);
    }
    if (this.#conn !== conn) return;
    let canSend;
    try {
      conn.releaseClose();
      output = conn.takeOutput();
      canSend = conn.canSend;
    } catch (err) {
      this.#coreFailure(err);
      return;
    }
    if (!canSend) this.#enterClosing();
    this.#write(output);
    this.#afterOutput();
  }

  #dispatch(event) {
    switch (event.type) {
      case "text":
        this._emit("message", Buffer.isBuffer(event.data) ? event.data : event.data instanceof ArrayBuffer ? Buffer.from(event.data) : Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength), false);
        break;
      case "binary":
        this._emit("message", this.#binaryType === "fragments" ? [event.data] : this.#binaryType === "blob" ? new Blob([event.data]) : event.data, true);
        break;
      case "ping":
        this._emit("ping", Buffer.from(event.data));
        break;
      case "pong":
        this._emit("pong", Buffer.from(event.data));
        break;
      case "close":
        this.#closeInfo ??= { code: event.code, reason: event.reason };
        this.#enterClosing();
        break;
      case "error":
        this.#closeInfo ??= { code: event.error?.closeCode ?? 1006, reason: "" };
        this.#enterClosing();
        this.#emitError(peerError(event.error));
        break;
    }
  }

  // The server closes the TCP connection first once both Close frames passed (RFC 6455 §7.1.1);
  // a client waits for the server (the close timer bounds the wait), and either side closes after
  // a failure (§7.1.7).
  #afterOutput() {
    const conn = this.#conn;
    const socket = this.#socket;
    if (!conn || !socket || socket.destroyed) return;
    let done;
    try {
      done = conn.shouldCloseTransport;
    } catch (err) {
      this.#coreFailure(err);
      return;
    }
    if (done) {
      socket.end();
      if (!this.#endTimer) {
        this.#endTimer = setTimeout(() => socket.destroy(), this.#closeTimeout());
        this.#endTimer.unref?.();
      }
    }
  }

  #onEnd() {
    // The peer half-closed: nothing more will arrive. The core decides whether that was clean.
    if (this.#socket && !this.#socket.destroyed) this.#socket.end();
  }

  #onSocketError(err) {
    // A reset is not an error of this WebSocket: `close` says 1006. Over HTTP/2 a reset is the
    // peer's RST_STREAM or the end of its session (a GOAWAY with an error, a lost connection).
    if (!RESET_CODES.has(err?.code)) this.#emitError(err);
  }

  #onSocketClose() {
    let code = this.#closeInfo?.code ?? 1006;
    let reason = this.#closeInfo?.reason ?? "";
    const conn = this.#conn;
    if (conn) {
      try {
        for (const event of conn.receiveEof()) {
          if (event.type === "close" && !this.#closeInfo) {
            code = event.code;
            reason = event.reason;
          }
        }
      } catch (err) {
        if (isTrap(err)) containTrap(err, live.get(this) ?? currentGeneration());
        this.#conn = null;
      }
    }
    this.#finish(code, reason);
  }

  #finish(code, reason) {
    if (this.#readyState === CLOSED && !this.#conn) return;
    this.#readyState = CLOSED;
    live.delete(this);
    clearTimeout(this.#closeTimer);
    clearTimeout(this.#endTimer);
    clearInterval(this.#pingTimer);
    clearTimeout(this.#idleTimer);
    const conn = this.#conn;
    this.#conn = null;
    try {
      this.#wasClean = Boolean(conn?.wasClean);
    } catch {
      this.#wasClean = false;
    }
    try {
      conn?.free();
    } catch {
      // a poisoned object cannot be freed; the rebuilt instance does not need it
    }
    this._emit("close", code, Buffer.from(reason ?? ""));
  }

  /** Network-caused errors: emitted when someone listens, never thrown at the socket. */
  #emitError(err) {
    if (this.listenerCount("error") === 0) return;
    try {
      this.emit("error", err);
    } catch (again) {
      warnUnhandled(again, "WebSocket 'error'");
    }
  }

  #startKeepAlive(interval) {
    this.#pingTimer = setInterval(() => {
      try {
        if (!this.#alive) {
          this.terminate();
          return;
        }
        this.#alive = false;
        this.ping();
      } catch (err) {
        this.#coreFailure(err);
      }
    }, interval);
    this.#pingTimer.unref?.();
    this.on("pong", () => (this.#alive = true));
  }

  #resetIdle() {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      try {
        this.close(1001, "idle timeout");
      } catch (err) {
        this.#coreFailure(err);
      }
    }, this.#options.idleTimeout);
    this.#idleTimer.unref?.();
  }
}

// The ready-state constants: read-only, on the class and on every instance (through the prototype).
for (const [name, value] of [["CONNECTING", CONNECTING], ["OPEN", OPEN], ["CLOSING", CLOSING], ["CLOSED", CLOSED]]) {
  Object.defineProperty(WebSocket, name, { enumerable: true, value });
  Object.defineProperty(WebSocket.prototype, name, { enumerable: true, value });
}
for (const type of ["open", "message", "close", "error"]) {
  Object.defineProperty(WebSocket.prototype, `on${type}`, {
    enumerable: true,
    configurable: true,
    get() { return this._attributeGet(type); },
    set(handler) { this._attributeSet(type, handler); },
  });
}
for (const name of ["binaryType", "bufferedAmount", "extensions", "httpVersion", "isPaused", "protocol", "readyState", "url"]) {
  Object.defineProperty(WebSocket.prototype, name, { ...Object.getOwnPropertyDescriptor(WebSocket.prototype, name), enumerable: true });
}

/** Server options shared by `WebSocketServer` and `handleUpgrade`, mapped to ws101's handshake policy. */
function policyOf(options) {
  return {
    protocols: options.protocols ?? [],
    requireProtocol: options.requireProtocol ?? false,
    origins: options.origins ?? options.allowedOrigins,
    requireOrigin: options.requireOrigin ?? false,
    perMessageDeflate: serverDeflate(options.perMessageDeflate),
    maxHeaderBytes: options.maxHeaderBytes,
    maxHeaders: options.maxHeaders,
  };
}

const firstOffered = (offered) => offered.values().next().value ?? false;
const isThenable = (v) => v !== null && (typeof v === "object" || typeof v === "function") && typeof v.then === "function";

/** Values of one header in a Node request, in wire order (rawHeaders keeps duplicates apart). */
function headerValues(req, name) {
  const raw = req.rawHeaders;
  if (Array.isArray(raw)) {
    const out = [];
    for (let i = 0; i + 1 < raw.length; i += 2) if (String(raw[i]).toLowerCase() === name) out.push(String(raw[i + 1]));
    return out;
  }
  const v = req.headers?.[name];
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

/** A plain HTTP rejection written by the server itself (path mismatch, verifyClient's answer). */
function abortHandshake(socket, status, message, headers) {
  if (!Number.isInteger(status) || status < 300 || status > 599) status = 401;
  const reason = http.STATUS_CODES[status] ?? "Error";
  const body = Buffer.from(typeof message === "string" && message ? message : reason);
  const lines = [`HTTP/1.1 ${status} ${reason}`, "Connection: close", "Content-Type: text/html", `Content-Length: ${body.length}`];
  if (headers && typeof headers === "object") {
    for (const [name, value] of Object.entries(headers)) {
      if (/^(connection|content-length|content-type)$/i.test(name)) continue;
      try {
        http.validateHeaderName(name);
        for (const v of Array.isArray(value) ? value : [value]) {
          http.validateHeaderValue(name, String(v));
          lines.push(`${name}: ${v}`);
        }
      } catch {
        // a header that would break the response is left out
      }
    }
  }
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.once("finish", () => socket.destroy());
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1"), body]));
}

/**
 * An HTTP/1.1 upgrade as WebSocketServer answers it (RFC 6455 §4.2): the core's verdict on the
 * request, the 101 or rejection bytes it built, then the socket itself carries the frames.
 * `streamTransport` (node-h2.mjs) is the same shape for an HTTP/2 extended CONNECT stream.
 */
function upgradeTransport(req, socket, head) {
  return {
    socket,
    head,
    httpVersion: "1.1",
    validate: (policy) => validateRequest(req, policy),
    reject(outcome) {
      if (!socket.destroyed) socket.end(Buffer.from(outcome.response.bytes));
    },
    abort: (status, message, headers) => abortHandshake(socket, status, message, headers),
    gone: () => socket.destroyed || !socket.writable || socket.readable === false,
    /** Writes the core's 101; `onHeaders(lines)` is ws's 'headers' event, whose additions follow the core's lines. */
    accept(outcome, onHeaders) {
      let responseBytes = Buffer.from(outcome.response.bytes);
      if (onHeaders) {
        const lines = responseBytes.toString("latin1").split("\r\n").filter(Boolean);
        const original = lines.length;
        onHeaders(lines);
        if (lines.length !== original) {
          const added = lines.slice(original).map(String).filter((l) => !/[\r\n]/.test(l));
          responseBytes = Buffer.from(lines.slice(0, original).concat(added).join("\r\n") + "\r\n\r\n", "latin1");
        }
      }
      socket.write(responseBytes);
    },
    destroy: () => socket.destroy(),
  };
}

/** A WebSocket server on a Node `http`/`https` server (its own, `options.server`, or `noServer`). */
const RUNNING = 0, SERVER_CLOSING = 1, SERVER_CLOSED = 2;
/** Sockets a handleUpgrade call has taken (weakly held). */
const upgradedSockets = new WeakSet();

export class WebSocketServer extends EventEmitter {
  #server = null;
  #options;
  #state = RUNNING;
  #detach = null;
  #emitCloseWhenEmpty = false;

  /**
   * @param {object} options  port/host/backlog (own server) | server | noServer; protocols (server
   *   preference), requireProtocol, origins (list or predicate, sync or async), requireOrigin,
   *   perMessageDeflate, maxPayload (default 64 MiB), maxHeaderBytes, maxHeaders, pingInterval,
   *   idleTimeout, closeTimeout, fragmentSize, autoPong, path, clientTracking (default true),
   *   verifyClient, handleProtocols, WebSocket, handshakeTimeout (own server only: ms for the whole
   *   request head, default 10 s, 0 = none). Unknown options throw a TypeError.
   * @param {() => void} [callback] called once listening
   */
  constructor(options = {}, callback) {
    super();
    checkServerOptions(options);
    this.#options = options;
    if (options.clientTracking !== false) this.clients = new Set();
    if (options.noServer) return;
    if (options.server) {
      this.#server = options.server;
    } else {
      // The opening handshake must arrive whole within handshakeTimeout (slowloris): Node's own
      // headersTimeout/requestTimeout, checked every connectionsCheckingInterval.
      const handshakeTimeout = options.handshakeTimeout ?? HANDSHAKE_TIMEOUT_MS;
      const timeouts = handshakeTimeout > 0
        ? {
            headersTimeout: handshakeTimeout,
            requestTimeout: handshakeTimeout,
            connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(handshakeTimeout / 4))),
          }
        : { headersTimeout: 0, requestTimeout: 0 };
      this.#server = http.createServer(timeouts, (req, res) => {
        const body = http.STATUS_CODES[426];
        res.writeHead(426, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(body), Upgrade: "websocket", "Sec-WebSocket-Version": "13" });
        res.end(body);
      });
      // Like ws: all interfaces unless `host` says otherwise.
      this.#server.listen(options.port, options.host ?? undefined, options.backlog ?? undefined);
    }
    const server = this.#server;
    const onListening = () => this.emit("listening");
    const onError = (err) => this.emit("error", err);
    const onUpgrade = (req, socket, head) => {
      this.handleUpgrade(req, socket, head, (ws) => this.emit("connection", ws, req));
    };
    server.on("listening", onListening);
    server.on("error", onError);
    server.on("upgrade", onUpgrade);
    // A node:http2 server (h2, h2c, or h2 with allowHTTP1): extended CONNECT streams too (RFC 8441).
    const detachHttp2 = isHttp2Server(server)
      ? serveHttp2(server, (stream, headers, rawHeaders) => {
          this.handleStream(stream, headers, rawHeaders, (ws, req) => this.emit("connection", ws, req));
        })
      : null;
    this.#detach = () => {
      server.removeListener("listening", onListening);
      server.removeListener("error", onError);
      server.removeListener("upgrade", onUpgrade);
      detachHttp2?.();
    };
    if (callback) this.once("listening", callback);
  }

  /** The options this server was made with (ws's `wss.options`). */
  get options() { return this.#options; }
  /** The http server under this WebSocketServer (ws's `_server`), null with noServer or after close(). */
  get _server() { return this.#server; }

  address() {
    if (this.#options.noServer) throw new Error('The server is operating in "noServer" mode');
    return this.#server ? this.#server.address() : null;
  }

  /**
   * Whether this server handles `req`: with `path`, only an origin-form target ("/…") whose path
   * (before "?") is exactly `path`; `//host/path` and absolute-form targets never match.
   * A request that does not match is answered 400, as `ws` does.
   */
  shouldHandle(req) {
    const path = this.#options.path;
    if (path === undefined || path === null) return true;
    const target = typeof req?.url === "string" ? req.url : "";
    if (!target.startsWith("/")) return false;
    const q = target.indexOf("?");
    return (q === -1 ? target : target.slice(0, q)) === path;
  }

  /**
   * Validates the upgrade with ws101 and answers it: the 101 (then `callback(ws, req)`) or the exact
   * rejection the request earned (400, 403, 426 with Sec-WebSocket-Version: 13, 431), or the status
   * `verifyClient` chose (401 by default). Synchronous unless a predicate returns a Promise.
   */
  handleUpgrade(req, socket, head, callback) {
    // Two servers answering one socket (a `server` option plus a manual handleUpgrade, say)
    // would write two responses: a misconfiguration, thrown as ws does.
    if (socket !== null && typeof socket === "object") {
      if (upgradedSockets.has(socket)) {
        throw new Error("server.handleUpgrade() was called more than once with the same socket, possibly due to a misconfiguration");
      }
      upgradedSockets.add(socket);
    }
    this.#handle(req, upgradeTransport(req, socket, head), callback);
  }

  /**
   * Answers an HTTP/2 extended CONNECT stream (RFC 8441 §4) the way handleUpgrade answers an
   * HTTP/1.1 upgrade: the core's checks, `:status 200` (then `callback(ws, req)`, `ws.httpVersion`
   * "2") or the exact rejection. `headers` and `rawHeaders` are the `stream` event's; `req` is an
   * IncomingMessage-like view of the stream (`httpVersion` "2.0", `method` CONNECT, `url` = :path).
   */
  handleStream(stream, headers, rawHeaders, callback) {
    if (typeof rawHeaders === "function") {
      callback = rawHeaders;
      rawHeaders = undefined;
    }
    if (stream !== null && typeof stream === "object") {
      if (upgradedSockets.has(stream)) throw new Error("server.handleStream() was called more than once with the same stream, possibly due to a misconfiguration");
      upgradedSockets.add(stream);
    }
    const t = streamTransport(stream, headers, rawHeaders);
    this.#handle(t.req, t, callback);
  }

  #handle(req, t, callback) {
    if (this.#state !== RUNNING) {
      // ws 8: a closed server answers later upgrades 503.
      t.abort(503);
      return;
    }
    const onError = () => t.destroy();
    t.socket.on("error", onError);
    let pending;
    try {
      pending = this.#decide(req, t, callback, onError);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.catch((err) => {
      if (isTrap(err)) containTrap(err);
      t.destroy();
      this.#emitSafe("wsClientError", err, t.socket, req);
    });
  }

  async #decide(req, t, callback, onError) {
    if (recovering) await recovering;
    const options = this.#options;
    let handles;
    try {
      handles = this.shouldHandle(req);
      if (isThenable(handles)) handles = await handles;
    } catch {
      handles = false;
    }
    if (!handles) {
      t.abort(400);
      return;
    }
    const policy = policyOf(options);
    // The core asks the origin predicate synchronously: evaluate it here first (awaiting a
    // Promise) and hand the core only the settled decisions. Unknown values are refused.
    if (typeof policy.origins === "function") {
      const predicate = policy.origins;
      const decisions = new Map();
      const values = headerValues(req, "origin");
      const candidates = new Set(values);
      if (values.length > 1) candidates.add(values.join(", "));
      for (const origin of candidates) {
        let verdict;
        try {
          verdict = predicate(origin);
          if (isThenable(verdict)) verdict = await verdict;
        } catch {
          verdict = false;
        }
        decisions.set(origin, Boolean(verdict));
      }
      policy.origins = (origin) => decisions.get(origin) === true;
    }
    // ws's default without handleProtocols: the client's first offer. ws101's `protocols` option
    // (the server's preference list) replaces that default when given.
    const handleProtocols = options.handleProtocols ?? (options.protocols === undefined ? firstOffered : undefined);
    const first = handleProtocols ? { ...policy, protocols: [], requireProtocol: false } : policy;
    let outcome = t.validate(first);
    if (!outcome.ok) {
      this.#reject(outcome, t, req);
      return;
    }
    if (typeof options.verifyClient === "function") {
      const info = { origin: req.headers?.origin, secure: Boolean(req.socket?.authorized || req.socket?.encrypted), req };
      let verdict;
      try {
        if (options.verifyClient.length >= 2) {
          verdict = await new Promise((resolve) => {
            options.verifyClient(info, (result, code, message, headers) => resolve({ result, code, message, headers }));
          });
        } else {
          let result = options.verifyClient(info);
          if (isThenable(result)) result = await result;
          verdict = { result };
        }
      } catch (err) {
        this.#emitSafe("wsClientError", err, t.socket, req);
        t.abort(500);
        return;
      }
      if (!verdict.result) {
        t.abort(verdict.code || 401, verdict.message, verdict.headers);
        return;
      }
    }
    if (handleProtocols) {
      // The core validated the offer's token list above; the app picks from it, and the core
      // decides again with that single choice (it never answers a protocol that was not offered).
      const offered = new Set(headerValues(req, "sec-websocket-protocol").flatMap((v) => v.split(",")).map((token) => token.trim()).filter(Boolean));
      let chosen = false;
      if (offered.size > 0) {
        try {
          chosen = handleProtocols(offered, req);
          if (isThenable(chosen)) chosen = await chosen;
        } catch (err) {
          this.#emitSafe("wsClientError", err, t.socket, req);
          t.abort(500);
          return;
        }
      }
      outcome = t.validate({ ...policy, protocols: typeof chosen === "string" && chosen ? [chosen] : [] });
      if (!outcome.ok) {
        this.#reject(outcome, t, req);
        return;
      }
      if (typeof chosen === "string" && chosen && outcome.protocol !== chosen) {
        // The app chose a protocol the core will not answer (the client did not offer it). ws
        // would send it and the client would fail the connection; here the handshake fails
        // at once (500), never silently without the protocol the app asked for.
        this.#emitSafe("wsClientError", Object.assign(new Error(`handleProtocols chose a subprotocol the client did not offer: ${chosen}`), { code: "unoffered-subprotocol" }), t.socket, req);
        t.abort(500);
        return;
      }
    }
    if (t.gone()) {
      t.destroy(); // the client went away (or half-closed) while the request was decided
      return;
    }
    if (recovering) {
      // The instance was lost while this request was decided: its answer may come from it.
      await recovering;
      if (t.gone()) return;
    }
    if (this.#state !== RUNNING) {
      t.abort(503);
      return;
    }
    // The connection is made before the 101 goes out: when wasm memory is nearly full (a
    // RangeError from the core) the client gets a 503 it can retry, not a 101 and a reset.
    const Ctor = options.WebSocket ?? WebSocket;
    const ws = new Ctor(null, undefined, options);
    try {
      ws._attach(t.socket, t.head, {
        role: "server",
        protocol: outcome.protocol,
        extensions: outcome.extensionsHeader ?? "",
        deflate: outcome.deflate,
        options,
        httpVersion: t.httpVersion,
      });
    } catch (err) {
      if (isTrap(err)) containTrap(err);
      if (err instanceof RangeError && !t.gone()) t.abort(503);
      else t.destroy();
      this.#emitSafe("wsClientError", err, t.socket, req);
      return;
    }
    t.accept(outcome, this.listenerCount("headers") > 0 ? (lines) => this.#emitSafe("headers", lines, req) : null);
    t.socket.off("error", onError);
    if (this.clients) {
      this.clients.add(ws);
      ws.on("close", () => {
        this.clients.delete(ws);
        if (this.#emitCloseWhenEmpty && this.clients.size === 0) process.nextTick(() => this.#emitClose());
      });
    }
    try {
      callback(ws, req);
    } catch (err) {
      ws._listenerError(err, "connection");
    }
  }

  #emitSafe(name, ...args) {
    if (this.listenerCount(name) === 0) return;
    try {
      this.emit(name, ...args);
    } catch (err) {
      warnUnhandled(err, `WebSocketServer '${name}'`);
    }
  }

  /**
   * A handshake refused by the core: `wsClientError(err, socket, req)` when someone listens (the
   * listener then owns the socket, as in ws), else the core's response (400/403/426/431…).
   */
  #reject(outcome, t, req) {
    if (this.listenerCount("wsClientError") > 0) {
      const first = outcome.problems?.[0] ?? {};
      const err = Object.assign(new Error(requestErrorMessage(first.code) ?? first.explanation ?? first.message ?? `handshake refused: ${outcome.status ?? 400}`), {
        code: first.code, rfc: first.rfc, status: outcome.status ?? outcome.response?.status, problems: outcome.problems, response: outcome.response,
      });
      this.#emitSafe("wsClientError", err, t.socket, req);
      return;
    }
    t.reject(outcome);
  }

  #emitClose() {
    if (this.#state === SERVER_CLOSED) return;
    this.#state = SERVER_CLOSED;
    this.#emitCloseWhenEmpty = false;
    this.emit("close");
  }

  /**
   * As ws 8: stops accepting (later upgrades get 503), detaches from a shared server, closes the
   * server it made itself; open WebSockets are not closed. `close` is emitted once the server is
   * closed (own server) or the tracked clients are gone.
   */
  close(callback) {
    if (this.#state === SERVER_CLOSED) {
      if (callback) this.once("close", () => callback(new Error("The server is not running")));
      process.nextTick(() => this.emit("close"));
      return;
    }
    if (callback) this.once("close", callback);
    if (this.#state === SERVER_CLOSING) return;
    this.#state = SERVER_CLOSING;
    const server = this.#server;
    this.#detach?.();
    this.#detach = null;
    this.#server = null;
    if (server && !this.#options.server) {
      server.close(() => this.#emitClose());
    } else if (this.clients && this.clients.size > 0) {
      this.#emitCloseWhenEmpty = true;
    } else {
      process.nextTick(() => this.#emitClose());
    }
  }
}

/** Opens a client connection: `connect("ws://127.0.0.1:8080/path", { protocols, origin, headers })`. */
export function connect(url, options = {}) {
  return new WebSocket(url, options.protocols ?? [], options);
}

/** The core's objection to a server's 101, in ws's words where ws has them (code/rfc/problems kept). */
function responseError(result, protocols, offeredDeflate) {
  const first = result.problems?.[0] ?? {};
  const words = {
    "missing-upgrade": "Invalid Upgrade header",
    "invalid-upgrade-header": "Invalid Upgrade header",
    "upgrade-not-websocket": "Invalid Upgrade header",
    "missing-accept": "Invalid Sec-WebSocket-Accept header",
    "accept-mismatch": "Invalid Sec-WebSocket-Accept header",
    "unoffered-subprotocol": protocols.length ? "Server sent an invalid subprotocol" : "Server sent a subprotocol but none was requested",
    "invalid-extension-header": "Invalid Sec-WebSocket-Extensions header",
    "unoffered-extension": offeredDeflate ? "Server indicated an extension that was not requested" : "Server sent a Sec-WebSocket-Extensions header but no extension was requested",
    "invalid-deflate-param": "Invalid Sec-WebSocket-Extensions header",
    "duplicate-extension": "Invalid Sec-WebSocket-Extensions header",
  };
  const message = words[first.code] ?? (result.problems ?? []).map((p) => p.explanation ?? p.message).filter(Boolean).join("; ") ?? `Unexpected server response: ${result.status}`;
  return Object.assign(new Error(message || `Unexpected server response: ${result.status}`), {
    code: first.code ?? "unexpected-status", rfc: first.rfc, status: result.status, problems: result.problems,
  });
}

/** ws's client URL forms: ws:, wss:, http:, https: and ws+unix:<socket path>:<request path>. A bad URL throws. */
function clientTarget(address) {
  let url;
  if (address instanceof URL) url = new URL(address.href);
  else {
    try {
      url = new URL(String(address));
    } catch {
      throw new SyntaxError(`Invalid URL: ${address}`);
    }
  }
  if (url.protocol === "http:") url = new URL("ws:" + url.href.slice(5));
  else if (url.protocol === "https:") url = new URL("wss:" + url.href.slice(6));
  if (!["ws:", "wss:", "ws+unix:"].includes(url.protocol)) {
    throw new SyntaxError('The URL\'s protocol must be one of "ws:", "wss:", "http:", "https:", or "ws+unix:"');
  }
  if (url.hash) throw new SyntaxError("The URL contains a fragment identifier");
  // userinfo becomes Basic authorization (node:http's `auth`), as in ws; it is not sent in the URL.
  let auth;
  if (url.username || url.password) {
    auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    url.username = "";
    url.password = "";
  }
  if (url.protocol !== "ws+unix:") return { href: url.href, socketPath: undefined, auth };
  if (!url.pathname) throw new SyntaxError("The URL's pathname is empty");
  // ws+unix:/tmp/sock:/path?q → socket /tmp/sock, request target /path?q
  const full = decodeURIComponent(url.pathname);
  const colon = full.indexOf(":");
  const socketPath = colon === -1 ? full : full.slice(0, colon);
  const path = (colon === -1 ? "/" : full.slice(colon + 1) || "/") + url.search;
  return { href: `ws://localhost${path.startsWith("/") ? "" : "/"}${path}`, socketPath, auth };
}

/** The core's client request for `target` (RFC 6455 §4.1); bad subprotocols or URLs are SyntaxErrors, as in ws. */
function buildClientRequest(address, target, protocols, options) {
  for (const p of protocols) {
    if (typeof p !== "string" || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p) || protocols.indexOf(p) !== protocols.lastIndexOf(p)) {
      throw new SyntaxError("An invalid or duplicated subprotocol was specified");
    }
  }
  // ws lets `headers` carry Origin; the core takes it as `origin` (an explicit `origin` wins).
  let origin = options.origin;
  let extraHeaders = options.headers;
  if (extraHeaders && typeof extraHeaders === "object" && !Array.isArray(extraHeaders) && !(extraHeaders instanceof Map)) {
    const name = Object.keys(extraHeaders).find((k) => k.toLowerCase() === "origin");
    if (name !== undefined) {
      origin ??= String(extraHeaders[name]);
      extraHeaders = Object.fromEntries(Object.entries(extraHeaders).filter(([k]) => k !== name));
    }
  }
  let request;
  try {
    request = buildRequest(target.href, {
      protocols,
      origin,
      headers: extraHeaders,
      perMessageDeflate: handshakeDeflate(options.perMessageDeflate ?? true),
      maxHeaderBytes: options.maxHeaderBytes,
      maxHeaders: options.maxHeaders,
    });
  } catch (err) {
    if (isTrap(err)) containTrap(err);
    if (/subprotocol/.test(err?.code ?? "")) throw Object.assign(new SyntaxError("An invalid or duplicated subprotocol was specified"), { code: err.code, cause: err });
    if (/url|scheme|port/.test(err?.code ?? "")) throw Object.assign(new SyntaxError(`Invalid URL: ${address}`), { code: err.code, cause: err });
    throw err;
  }
  return request;
}

/**
 * Starts a client's opening handshake over node:http / node:https (so `agent`, `createConnection`,
 * `lookup`, `socketPath` and the TLS options are Node's own); the core builds the request's
 * headers and judges the response. Throws synchronously for a bad URL or subprotocol list.
 * Returns `{ abort(err) }` for close()/terminate() while CONNECTING.
 */
function connectClient(ws, address, target, protocols, options) {
  const request = buildClientRequest(address, target, protocols, options);
  const headers = {};
  for (const { name, value } of request.headers) {
    const key = name.toLowerCase() === "host" && target.socketPath ? null : name;
    if (key === null) continue;
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  const secure = request.secure;
  const requestOptions = {
    method: "GET",
    host: request.host.replace(/^\[(.*)\]$/, "$1"),
    port: request.port,
    path: request.resource,
    headers,
    setHost: Boolean(target.socketPath),
  };
  for (const name of CLIENT_TRANSPORT_OPTIONS) if (options[name] !== undefined) requestOptions[name] = options[name];
  if (target.auth !== undefined) requestOptions.auth = target.auth;
  if (target.socketPath) {
    requestOptions.socketPath = target.socketPath;
    delete requestOptions.host;
    delete requestOptions.port;
  }
  if (requestOptions.agent === undefined && requestOptions.createConnection === undefined) {
    // Like ws: a socket of its own, never a pooled one.
    requestOptions.createConnection = secure
      ? (o) => tls.connect({ ...o, servername: o.servername ?? (net.isIP(o.host ?? "") ? undefined : o.host) })
      : (o) => net.connect(o);
  }
  const timeout = options.handshakeTimeout ?? 30_000;
  if (timeout > 0) requestOptions.timeout = timeout;
  let req;
  try {
    req = (secure ? https : http).request(requestOptions);
  } catch (err) {
    try {
      request.free();
    } catch {
      // nothing to release
    }
    throw err;
  }
  let settled = false;
  const release = () => {
    try {
      request.free();
    } catch {
      // already released, or its instance is lost
    }
  };
  const abort = (err) => {
    if (settled) return;
    settled = true;
    release();
    req.destroy();
    if (req.socket && !req.socket.destroyed) req.socket.destroy();
    process.nextTick(() => ws._fail(err));
  };
  req.on("error", (err) => {
    if (settled) return;
    settled = true;
    release();
    ws._fail(err);
  });
  if (timeout > 0) req.on("timeout", () => abort(Object.assign(new Error("Opening handshake has timed out"), { code: "handshake-timeout" })));
  req.on("response", (res) => {
    if (settled) return;
    const location = res.headers.location;
    if (options.followRedirects && location && res.statusCode >= 300 && res.statusCode < 400) {
      res.resume();
      settled = true;
      release();
      req.destroy();
      ws._redirect(location, protocols, options, { href: target.socketPath === undefined ? target.href : String(address) });
      return;
    }
    if (ws.listenerCount("unexpected-response") > 0) {
      ws._emit("unexpected-response", req, res);
      return; // the application decides (ws leaves the WebSocket CONNECTING until close/terminate)
    }
    res.resume();
    abort(Object.assign(new Error(`Unexpected server response: ${res.statusCode}`), { code: "unexpected-status", status: res.statusCode }));
  });
  req.on("upgrade", (res, socket, head) => {
    if (settled) {
      socket.destroy();
      return;
    }
    ws._emit("upgrade", res);
    if (ws.readyState !== CONNECTING) {
      socket.destroy(); // closed or terminated by an 'upgrade' listener (that aborted the handshake)
      return;
    }
    let result;
    try {
      result = validateResponse(request, res.statusCode, res.rawHeaders);
    } catch (err) {
      if (isTrap(err)) containTrap(err);
      socket.destroy();
      abort(err);
      return;
    }
    if (!result.accepted) {
      socket.destroy();
      abort(responseError(result, protocols, options.perMessageDeflate !== false));
      return;
    }
    settled = true;
    release();
    try {
      ws._attach(socket, head, {
        role: "client",
        protocol: result.protocol,
        extensions: extensionsHeader(result),
        deflate: result.deflate,
        options,
      });
    } catch (err) {
      if (isTrap(err)) containTrap(err);
      socket.destroy();
      ws._fail(err);
      return;
    }
    ws._open();
  });
  req.end();
  return { abort, request: req };
}

/** The extensions a client's handshake agreed, as a Sec-WebSocket-Extensions value (ws's `extensions`). */
function extensionsHeader(result) {
  return (result.extensions ?? []).map((e) => [e.name, ...e.params.map((p) => (p.value == null ? p.name : `${p.name}=${p.value}`))].join("; ")).join(", ");
}

/** What the HTTP/2 client (node-h2.mjs) shares with the HTTP/1.1 one. */
const http2Hooks = { buildClientRequest, responseError, extensionsHeader, isTrap, containTrap };

/**
 * A Duplex over a WebSocket (ws's `createWebSocketStream`): each message is a chunk read, each
 * chunk written is a message. Backpressure both ways: a full readable buffer pauses the
 * WebSocket; writes complete when the socket took them. `options` go to the Duplex constructor.
 */
export function createWebSocketStream(ws, options) {
  let ended = false;
  const duplex = new Duplex({ ...options, autoDestroy: false, emitClose: false, objectMode: false, writableObjectMode: false, ...objectModes(options) });
  const onMessage = (data, isBinary) => {
    const chunk = !isBinary && duplex.readableObjectMode ? data.toString() : data;
    if (!duplex.push(chunk)) ws.pause();
  };
  const onError = (err) => {
    if (duplex.destroyed) return;
    // ws's stream: the error is re-emitted by destroy(); with no 'error' listener it throws, as
    // any stream does.
    duplex.destroy(err);
  };
  const onClose = () => {
    if (duplex.destroyed) return;
    duplex.push(null);
  };
  ws.on("message", onMessage);
  ws.once("error", onError);
  ws.once("close", onClose);
  duplex._destroy = function (err, callback) {
    if (ws.readyState === WebSocket.CLOSED) {
      callback(err);
      process.nextTick(() => duplex.emit("close"));
      return;
    }
    let called = false;
    ws.once("error", (e) => {
      called = true;
      callback(e);
    });
    ws.once("close", () => {
      if (!called) callback(err);
      process.nextTick(() => duplex.emit("close"));
    });
    ws.terminate();
  };
  duplex._final = function (callback) {
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.once("open", () => duplex._final(callback));
      return;
    }
    if (ws._socket === null || ws._socket === undefined) {
      callback();
      return;
    }
    if (ws._socket.writableFinished) {
      callback();
      if (duplex._readableState.endEmitted) duplex.destroy();
      return;
    }
    ws._socket.once("finish", () => {
      callback();
    });
    ws.close();
  };
  duplex._read = function () {
    if (ws.isPaused) ws.resume();
  };
  duplex._write = function (chunk, encoding, callback) {
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.once("open", () => duplex._write(chunk, encoding, callback));
      return;
    }
    ws.send(chunk, callback);
  };
  // A stream error (a failed write, a WebSocket error) destroys the stream first; with no other
  // 'error' listener it is emitted again and so thrown, as any stream error is.
  const onDuplexError = (err) => {
    duplex.removeListener("error", onDuplexError);
    duplex.destroy();
    if (duplex.listenerCount("error") === 0) duplex.emit("error", err);
  };
  duplex.on("error", onDuplexError);
  duplex.on("end", () => {
    ended = true;
    if (!duplex.destroyed && duplex._writableState.finished) duplex.destroy();
  });
  duplex.on("finish", () => {
    if (ended && !duplex.destroyed) duplex.destroy();
  });
  return duplex;
}

function objectModes(options) {
  const out = {};
  if (options?.objectMode) {
    out.readableObjectMode = true;
    out.writableObjectMode = true;
  }
  if (options?.readableObjectMode !== undefined) out.readableObjectMode = options.readableObjectMode;
  if (options?.writableObjectMode !== undefined) out.writableObjectMode = options.writableObjectMode;
  return out;
}

// ws's CommonJS shape: the WebSocket class carries the rest as statics.
for (const [name, value] of Object.entries({
  WebSocket, WebSocketServer, Server: WebSocketServer, createWebSocketStream,
  Event, MessageEvent, CloseEvent, ErrorEvent, connect,
})) {
  Object.defineProperty(WebSocket, name, { value, writable: true, configurable: true, enumerable: name !== "connect" && !name.endsWith("Event") });
}
export { WebSocketServer as Server };

export default WebSocket;

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
import net from "node:net";
import tls from "node:tls";
import { Connection, validateRequest, buildRequest, parseResponse } from "../node.mjs";
import * as instance from "../instance.mjs";

const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;
const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;
const CLOSE_TIMEOUT_MS = 30_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** A Close frame with code 1011 (unmasked, server to client): what a server sends when its core is lost. */
const CLOSE_1011 = Buffer.from([0x88, 0x02, 0x03, 0xf3]);

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

const SOCKET_OPTIONS = ["maxPayload", "pingInterval", "idleTimeout", "closeTimeout", "fragmentSize", "perMessageDeflate", "autoPong", "skipUTF8Validation", "allowSynchronousEvents"];
const SERVER_OPTIONS = new Set([
  ...SOCKET_OPTIONS,
  "port", "host", "backlog", "server", "noServer", "path", "clientTracking", "handshakeTimeout",
  "protocols", "requireProtocol", "origins", "allowedOrigins", "requireOrigin", "maxHeaderBytes", "maxHeaders",
  "verifyClient", "handleProtocols", "WebSocket",
]);
const CLIENT_OPTIONS = new Set([
  ...SOCKET_OPTIONS,
  "protocols", "origin", "headers", "key", "maxHeaderBytes", "maxHeaders", "handshakeTimeout", "rejectUnauthorized", "ca",
  "servername", "followRedirects", "maxRedirects", "protocolVersion",
]);
const UNSUPPORTED = {
  maxBufferedChunks: "ws101 bounds buffered data by maxPayload and socket backpressure",
  maxFragments: "ws101 bounds fragmented messages by maxPayload",
  maxPendingAutoPongs: "ws101 stops reading from a peer that does not read its pongs",
  agent: "ws101 opens its own net/tls socket",
  createConnection: "ws101 opens its own net/tls socket",
  lookup: "ws101 opens its own net/tls socket",
  socketPath: "ws+unix: URLs are not supported",
  finishRequest: "the request is built by the core",
  generateMask: "masking keys come from the platform CSPRNG",
  cert: "client certificates are not supported",
  pfx: "client certificates are not supported",
  passphrase: "client certificates are not supported",
  localAddress: "ws101 opens its own net/tls socket",
  family: "ws101 opens its own net/tls socket",
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
    throw optionError(name, UNSUPPORTED[name]);
  }
  for (const name of ["maxPayload", "pingInterval", "idleTimeout", "closeTimeout", "fragmentSize", "handshakeTimeout", "maxHeaderBytes", "maxHeaders"]) {
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
  if ((options.server && options.noServer) || (options.port != null && external)) {
    throw new TypeError('ws101/node: one and only one of the "port", "server" or "noServer" options may be given');
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
  if (options.followRedirects) throw optionError("followRedirects", "redirects are not followed; only false is accepted");
  if (options.protocolVersion !== undefined && options.protocolVersion !== 13) {
    throw Object.assign(new RangeError(`ws101/node: unsupported protocol version ${options.protocolVersion} (supported: 13)`), { code: "invalid-option", option: "protocolVersion" });
  }
  checkNumber(options, "maxRedirects");
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

/** A WebSocket over a Node socket, server side (from WebSocketServer) or client side (`new WebSocket(url)`). */
export class WebSocket extends EventEmitter {
  static CONNECTING = CONNECTING;
  static OPEN = OPEN;
  static CLOSING = CLOSING;
  static CLOSED = CLOSED;
  CONNECTING = CONNECTING;
  OPEN = OPEN;
  CLOSING = CLOSING;
  CLOSED = CLOSED;

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

  /**
   * Client: `new WebSocket("ws://host:port/path", ["proto"], options)`.
   * @param {string | URL | null} url
   * @param {string | string[]} [protocols]
   * @param {object} [options]
   */
  constructor(url, protocols, options) {
    super();
    if (protocols && !Array.isArray(protocols) && typeof protocols === "object") {
      options = protocols;
      protocols = undefined;
    }
    this.#options = options ?? {};
    if (url !== null && url !== undefined) {
      checkClientOptions(this.#options);
      this.#url = String(url);
      const list = typeof protocols === "string" ? [protocols] : protocols ?? this.#options.protocols ?? [];
      connectClient(this, this.#url, list, this.#options);
    }
  }

  get readyState() { return this.#readyState; }
  get protocol() { return this.#protocol; }
  get extensions() { return this.#extensions; }
  get url() { return this.#url; }
  get bufferedAmount() { return this.#socket ? this.#socket.writableLength : 0; }
  get binaryType() { return this.#binaryType; }
  set binaryType(value) {
    if (!["nodebuffer", "arraybuffer", "uint8array"].includes(value)) return;
    this.#binaryType = value;
    if (this.#conn) {
      try {
        this.#conn.binaryType = value;
      } catch (err) {
        this.#coreFailure(err);
      }
    }
  }

  /** @internal Takes over a socket after a successful handshake. */
  _attach(socket, head, { role, protocol, extensions, deflate, options }) {
    const opts = { ...this.#options, ...options };
    this.#options = opts;
    this.#socket = socket;
    this.#role = role;
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
      binaryType: this.#binaryType,
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
    if (this.#readyState !== OPEN) {
      const err = new Error(`WebSocket is not open: readyState ${this.#readyState}`);
      if (cb) queueMicrotask(() => cb(err));
      else if (this.#readyState === CONNECTING) throw err;
      return;
    }
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
    if (this.#readyState !== OPEN) {
      const err = new Error(`WebSocket is not open: readyState ${this.#readyState}`);
      if (cb) queueMicrotask(() => cb(err));
      else if (this.#readyState === CONNECTING) throw err;
      return;
    }
    const payload = data === undefined ? undefined : toBytes(data);
    let bytes;
    try {
      bytes = kind === "ping" ? this.#conn.ping(payload) : this.#conn.pong(payload);
    } catch (err) {
      if (isTrap(err)) this.#coreFailure(err);
      else if (err?.code !== "already-closed") throw err;
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
      this.terminate();
      return;
    }
    if (this.#readyState === CLOSING) return;
    const text = reason === undefined || reason === null ? "" : Buffer.isBuffer(reason) ? reason.toString("utf8") : String(reason);
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
    this.#readyState = CLOSING;
    if (this.#socket) this.#socket.destroy();
    else this.#finish(1006, "");
  }

  pause() { this.#socket?.pause(); }
  resume() { this.#socket?.resume(); }

  /** @internal */
  _fail(err) {
    if (this.#readyState === CLOSED) return;
    this.#readyState = CLOSED;
    this.#emitError(err);
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
    // Backpressure: stop reading from a peer that is not reading what we send (bounded buffers).
    if (!ok && !this.#paused) {
      this.#paused = true;
      socket.pause();
    }
  }

  #onDrain() {
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
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
        this._emit("message", event.data, false);
        break;
      case "binary":
        this._emit("message", event.data, true);
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
        this.#emitError(event.error);
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
    if (err?.code !== "ECONNRESET" && err?.code !== "EPIPE") this.#emitError(err);
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

/** A WebSocket server on a Node `http`/`https` server (its own, `options.server`, or `noServer`). */
export class WebSocketServer extends EventEmitter {
  #server = null;
  #options;
  clients = new Set();

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
        const body = http.STATUS_CODES[426] + "\n";
        res.writeHead(426, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(body), Upgrade: "websocket", "Sec-WebSocket-Version": "13" });
        res.end(body);
      });
      this.#server.listen(options.port ?? 0, options.host ?? "127.0.0.1", options.backlog ?? undefined);
    }
    this.#server.on("listening", () => this.emit("listening"));
    this.#server.on("error", (err) => this.emit("error", err));
    this.#server.on("upgrade", (req, socket, head) => {
      this.handleUpgrade(req, socket, head, (ws) => this.emit("connection", ws, req));
    });
    if (callback) this.once("listening", callback);
  }

  address() {
    return this.#server?.address();
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
    const onError = () => socket.destroy();
    socket.on("error", onError);
    let pending;
    try {
      pending = this.#upgrade(req, socket, head, callback, onError);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.catch((err) => {
      if (isTrap(err)) containTrap(err);
      socket.destroy();
      this.#emitSafe("wsClientError", err, socket, req);
    });
  }

  async #upgrade(req, socket, head, callback, onError) {
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
      abortHandshake(socket, 400);
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
    const handleProtocols = options.handleProtocols;
    const first = handleProtocols ? { ...policy, protocols: [], requireProtocol: false } : policy;
    let outcome = validateRequest(req, first);
    if (!outcome.ok) {
      this.#emitSafe("wsClientError", outcome, socket, req);
      if (!socket.destroyed) socket.end(Buffer.from(outcome.response.bytes));
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
        this.#emitSafe("wsClientError", err, socket, req);
        abortHandshake(socket, 500);
        return;
      }
      if (!verdict.result) {
        abortHandshake(socket, verdict.code || 401, verdict.message, verdict.headers);
        return;
      }
    }
    if (handleProtocols) {
      // The core validated the offer's token list above; the app picks from it, and the core
      // decides again with that single choice (it never answers a protocol that was not offered).
      const offered = new Set(headerValues(req, "sec-websocket-protocol").flatMap((v) => v.split(",")).map((t) => t.trim()).filter(Boolean));
      let chosen = false;
      if (offered.size > 0) {
        try {
          chosen = handleProtocols(offered, req);
          if (isThenable(chosen)) chosen = await chosen;
        } catch (err) {
          this.#emitSafe("wsClientError", err, socket, req);
          abortHandshake(socket, 500);
          return;
        }
      }
      outcome = validateRequest(req, { ...policy, protocols: typeof chosen === "string" && chosen ? [chosen] : [] });
      if (!outcome.ok) {
        this.#emitSafe("wsClientError", outcome, socket, req);
        if (!socket.destroyed) socket.end(Buffer.from(outcome.response.bytes));
        return;
      }
    }
    if (socket.destroyed || !socket.writable || socket.readable === false) {
      socket.destroy(); // the client went away (or half-closed) while the request was decided
      return;
    }
    if (recovering) {
      // The instance was lost while this request was decided: its answer may come from it.
      await recovering;
      if (socket.destroyed) return;
    }
    socket.write(Buffer.from(outcome.response.bytes));
    socket.off("error", onError);
    const Ctor = options.WebSocket ?? WebSocket;
    const ws = new Ctor(null, undefined, options);
    try {
      ws._attach(socket, head, {
        role: "server",
        protocol: outcome.protocol,
        extensions: outcome.extensionsHeader ?? "",
        deflate: outcome.deflate,
        options,
      });
    } catch (err) {
      if (isTrap(err)) containTrap(err);
      socket.destroy();
      this.#emitSafe("wsClientError", err, socket, req);
      return;
    }
    if (options.clientTracking !== false) {
      this.clients.add(ws);
      ws.on("close", () => this.clients.delete(ws));
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

  /** Stops accepting, closes every client with 1001, and closes the server if it made it. */
  close(callback) {
    for (const ws of this.clients) ws.close(1001, "server shutting down");
    if (this.#server && !this.#options.server) this.#server.close(callback);
    else if (callback) queueMicrotask(callback);
  }
}

/** Opens a client connection: `connect("ws://127.0.0.1:8080/path", { protocols, origin, headers })`. */
export function connect(url, options = {}) {
  return new WebSocket(url, options.protocols ?? [], options);
}

function connectClient(ws, url, protocols, options) {
  let request;
  try {
    request = buildRequest(url, {
      protocols,
      origin: options.origin,
      headers: options.headers,
      perMessageDeflate: handshakeDeflate(options.perMessageDeflate),
      key: options.key,
      maxHeaderBytes: options.maxHeaderBytes,
      maxHeaders: options.maxHeaders,
    });
  } catch (err) {
    if (isTrap(err)) containTrap(err);
    queueMicrotask(() => ws._fail(err));
    return;
  }
  const connectOptions = { host: request.host, port: request.port };
  const socket = request.secure
    ? tls.connect({
        ...connectOptions,
        servername: options.servername ?? (net.isIP(request.host) ? undefined : request.host),
        rejectUnauthorized: options.rejectUnauthorized ?? true,
        ca: options.ca,
      })
    : net.connect(connectOptions);
  const timeout = options.handshakeTimeout ?? 30_000;
  let done = false;
  const fail = (err) => {
    if (done) return;
    done = true;
    socket.destroy();
    ws._fail(err);
  };
  if (timeout > 0) {
    socket.setTimeout(timeout, () => {
      fail(Object.assign(new Error(`opening handshake timed out after ${timeout} ms`), { code: "handshake-timeout" }));
    });
  }
  let buffered = Buffer.alloc(0);
  socket.once(request.secure ? "secureConnect" : "connect", () => socket.write(Buffer.from(request.bytes)));
  socket.on("error", (err) => fail(err));
  socket.on("close", () => fail(Object.assign(new Error("socket hang up before the opening handshake completed"), { code: "ECONNRESET" })));
  const onData = (chunk) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    let result;
    try {
      result = parseResponse(buffered, request);
    } catch (err) {
      if (isTrap(err)) containTrap(err);
      fail(err);
      return;
    }
    if (!result.complete) return;
    socket.off("data", onHandshakeData);
    socket.setTimeout(0);
    if (!result.ok) {
      ws._emit("unexpected-response", result);
      const err = Object.assign(new Error(result.problems.map((p) => p.message).join("; ") || `unexpected status ${result.status}`), {
        code: result.problems[0]?.code ?? "unexpected-status",
        status: result.status,
        problems: result.problems,
      });
      fail(err);
      return;
    }
    done = true;
    ws._emit("upgrade", result);
    if (ws.readyState !== CONNECTING) {
      socket.destroy(); // closed or terminated by an 'upgrade' listener
      return;
    }
    try {
      ws._attach(socket, buffered.subarray(result.consumed), {
        role: "client",
        protocol: result.protocol,
        extensions: (result.extensions ?? []).map((e) => [e.name, ...e.params.map((p) => (p.value == null ? p.name : `${p.name}=${p.value}`))].join("; ")).join(", "),
        deflate: result.deflate,
        options,
      });
    } catch (err) {
      if (isTrap(err)) containTrap(err);
      done = false;
      fail(err);
      return;
    }
    ws._open();
  };
  const onHandshakeData = (chunk) => {
    try {
      onData(chunk);
    } catch (err) {
      fail(err);
    }
  };
  socket.on("data", onHandshakeData);
}

export default WebSocket;

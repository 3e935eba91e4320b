// The WebSocket of ws101/node over a Node socket or HTTP/2 stream, server side (from
// WebSocketServer) or client side (`new WebSocket(url)`): it moves bytes between the socket and
// the core's Connection and manages timers, listeners and backpressure.
import { builtin } from "./node-http.mjs";
const { EventEmitter } = builtin("node:events"); // not an ES import: see node-http.mjs
import { Connection } from "../node.mjs";
import { connectHttp2 } from "./node-h2.mjs";
import { live, currentGeneration, isTrap, containTrap, warnUnhandled } from "./node-trap.mjs";
import { checkClientOptions, deflateLevel } from "./node-options.mjs";
import { peerError, closeArgumentError } from "./node-errors.mjs";
import { kTarget, kHandler, kAttribute, domEvent, callHandler } from "./node-events.mjs";
import { clientTarget, connectClient, http2Hooks } from "./node-client.mjs";
import { readIntoSharedBuffer } from "./node-read.mjs";

const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;
/** Output waiting for a peer beyond which reading from it pauses until it drains. */
const PAUSE_READING_AT = 4 * 1024 * 1024;
const CLOSE_TIMEOUT_MS = 30_000;
/**
 * Small writes made while a read is handled are held and written together when it is done, as
 * one `write`: each is copied at once (send() takes the bytes when it is called, as `ws`'s
 * writes do) into a slab shared by every connection. A message larger than this, or one that
 * would take what a connection holds past it, goes out at once after what is held, in one
 * corked `writev`. (Copying into a fresh slab each time doubled a 16 KiB echo's CPU: slabs are
 * reused, below.)
 */
const HOLD_AT_MOST = 64 * 1024;
/**
 * The slab held writes are copied into, shared by every connection: its regions go to
 * `socket.write`, and a full slab is reused only once every write made from it has completed
 * (`pending` back to 0), else a new one is made.
 */
const SLAB_SIZE = 256 * 1024;
class Slab {
  bytes = Buffer.allocUnsafeSlow(SLAB_SIZE);
  pending = 0;
  done = () => { this.pending--; };
}
let slab = null;
let slabUsed = 0;
let spare = null;
function nextSlab() {
  const next = spare !== null && spare.pending === 0 ? spare : new Slab();
  spare = slab;
  slab = next;
  slabUsed = 0;
}
/** A Close frame with code 1011 (unmasked, server to client): what a server sends when its core is lost. */
const CLOSE_1011 = Buffer.from([0x88, 0x02, 0x03, 0xf3]);

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

const EMPTY = Buffer.alloc(0);

/**
 * ws's per-send `mask` option may only say what the role does (clients mask, servers do not:
 * RFC 6455 §5.1, §5.3): anything else is refused, never ignored. `compress: false` sends the
 * message uncompressed (the core's per-message choice, RFC 7692 §6).
 */
function checkSendOptions(options, role) {
  if (options.mask !== undefined && options.mask !== null && Boolean(options.mask) !== (role === "client")) {
    throw Object.assign(new TypeError(`ws101/node: send option "mask: ${options.mask}" is not supported: a ${role} ${role === "client" ? "masks every frame" : "never masks"} (RFC 6455 §5.1)`), { code: "invalid-option", option: "mask" });
  }
}

const READY_STATES = ["CONNECTING", "OPEN", "CLOSING", "CLOSED"];
const BINARY_TYPES = ["nodebuffer", "arraybuffer", "fragments", "blob", "uint8array"];
const coreBinaryType = (t) => (t === "arraybuffer" || t === "uint8array" ? t : "nodebuffer");
const isBlob = (v) => typeof Blob === "function" && v instanceof Blob;
const notOpen = (state) => new Error(`WebSocket is not open: readyState ${state} (${READY_STATES[state]})`);

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
  #socket = null;
  #conn = null;
  #role = "client";
  #readyState = CONNECTING;
  #protocol = "";
  #extensions = "";
  #extensionsHeader = "";
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
  /** The first request's host, scheme and userinfo (ws's redirect rules compare with them). */
  #firstHop = null;
  /** Bytes of sends attempted after the closing handshake started (ws counts them in bufferedAmount). */
  #bufferedAfterClose = 0;
  #wasClean = false;
  #errorEmitted = false;
  /** Writes held while a read is handled (#onData): their region of the slab and callbacks. */
  #holding = false;
  #heldSlab = null;
  #heldStart = 0;
  #heldBytes = 0;
  #heldCallbacks = null;
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
      this.#url = target.socketPath === undefined ? target.url : url instanceof URL ? url.href : String(url);
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
    // Credentials stay with the host they were meant for (ws's rule): a redirect away from the
    // first URL's host (or from wss: to ws:) drops Authorization, Cookie and any userinfo, and
    // a given Host when the host changes; otherwise the first URL's userinfo is kept (a later
    // URL's is used only if it had none). With a 'redirect' listener nothing is dropped.
    const to = new URL(target.href);
    let nextOptions = options;
    this.#firstHop ??= { host: new URL(previous.href).host, protocol: new URL(previous.href).protocol, auth: previous.auth };
    const first = this.#firstHop;
    if (this.listenerCount("redirect") === 0 && (first.host !== to.host || (first.protocol === "wss:" && to.protocol !== "wss:"))) {
      const headers = options.headers && typeof options.headers === "object" && !Array.isArray(options.headers) && !(options.headers instanceof Map)
        ? Object.fromEntries(Object.entries(options.headers).filter(([k]) => !/^(authorization|cookie)$/i.test(k) && (first.host === to.host || k.toLowerCase() !== "host")))
        : undefined;
      nextOptions = { ...options, headers, auth: undefined };
      target = { ...target, auth: undefined };
    } else if (first.auth !== undefined) {
      target = { ...target, auth: first.auth };
    }
    this.#url = target.socketPath === undefined ? target.url : next.href;
    try {
      // `redirect (url, request)` comes before the request is sent, so that a listener can
      // remove headers (request.removeHeader) or close().
      connectClient(this, next, target, protocols, nextOptions, (handshake) => {
        this.#handshake = handshake;
        this._emit("redirect", this.#url, handshake.request);
      });
    } catch (err) {
      this.#handshake = null;
      process.nextTick(() => this._fail(err));
    }
  }

  /** The socket under this WebSocket (ws's `_socket`, which many applications read); null before the handshake. */
  get _socket() { return this.#socket; }
  get isPaused() { return this.#userPaused; }

  get readyState() { return this.#readyState; }
  get protocol() { return this.#protocol; }
  get extensions() { return this.#extensions; }
  /** The negotiated Sec-WebSocket-Extensions value, parameters included (ws101's; `extensions` has the names only, as in ws). */
  get extensionsHeader() { return this.#extensionsHeader; }
  get url() { return this.#url; }
  /** The HTTP version that carried the opening handshake: "1.1" (101 upgrade) or "2" (RFC 8441 extended CONNECT). */
  get httpVersion() { return this.#httpVersion; }
  get bufferedAmount() { return (this.#socket ? this.#socket.writableLength : 0) + this.#heldBytes + this.#bufferedAfterClose; }
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

  /**
   * @internal Takes over a socket after a successful handshake: `outcome` is the core's accepted
   * outcome (its `handoff` decides the role and permessage-deflate), `head` what Node read past
   * the head.
   */
  _attach(socket, head, { outcome, protocol, extensions, options, httpVersion }) {
    const opts = { ...this.#options, ...options };
    this.#options = opts;
    this.#socket = socket;
    this.#handshake = null;
    this.#httpVersion = httpVersion ?? "1.1";
    this.#protocol = protocol ?? "";
    // ws's `extensions` names the negotiated extensions, comma-separated, without their
    // parameters (the full Sec-WebSocket-Extensions value is `extensionsHeader`).
    this.#extensionsHeader = extensions ?? "";
    this.#extensions = outcome.handoff?.deflate ? "permessage-deflate" : "";
    // Reads land in one buffer shared by every socket (node-read.mjs) where the socket allows it,
    // else come as `data` chunks, which are ours to overwrite.
    const shared = readIntoSharedBuffer(socket, (buffer, length) => this.#onRead(buffer, length));
    // The core's limits are the defaults (64 MiB); maxPayload bounds a message and a frame.
    const { connection, frames } = Connection.afterHandshake(outcome, head, {
      maxMessageSize: opts.maxPayload,
      maxFrameSize: opts.maxPayload,
      fragmentSize: opts.fragmentSize,
      autoPong: opts.autoPong,
      deflateLevel: deflateLevel(opts),
      deflateThreshold: typeof opts.perMessageDeflate === "object" ? opts.perMessageDeflate?.threshold : undefined,
      binaryType: coreBinaryType(this.#binaryType),
      textAsBytes: true,
      deferClose: true,
      // Socket chunks are read once, here: messages whole in a chunk become views of it (as in
      // `ws`). The shared buffer is overwritten by the next read: messages are copied out of it.
      inPlace: !shared,
    });
    this.#conn = connection;
    this.#role = outcome.handoff.role;
    live.set(this, currentGeneration());
    this.#readyState = OPEN;
    socket.setNoDelay?.(true);
    socket.setTimeout?.(0);
    // Reading starts after the frames that came with the head (below), so that bytes the socket
    // already buffered (a handleUpgrade called later than 'upgrade') follow them in order. A
    // socket paused before the handoff stays paused, as `on("data")` leaves it.
    const startReading = () => {
      if (!shared) socket.on("data", (chunk) => this.#onRead(chunk, chunk.length));
      else if (socket.readableFlowing !== false) socket.resume();
    };
    socket.on("end", () => this.#guard(() => this.#onEnd()));
    socket.on("close", () => this.#guard(() => this.#onSocketClose()));
    socket.on("error", (err) => this.#guard(() => this.#onSocketError(err)));
    socket.on("drain", () => this.#guard(() => this.#onDrain()));
    if (opts.pingInterval > 0) this.#startKeepAlive(opts.pingInterval);
    if (opts.idleTimeout > 0) this.#resetIdle();
    if (frames.length > 0) {
      queueMicrotask(() => {
        this.#guard(() => this.#onData(frames));
        startReading();
      });
    } else {
      startReading();
    }
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
    checkSendOptions(options, this.#role);
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
    // ws: a falsy `data` (send(), send(null), send("")) is an empty message, binary unless a string.
    const payload = data ? toBuffer(data) : typeof data === "string" ? "" : EMPTY;
    const binary = options.binary ?? typeof payload !== "string";
    // ws: `compress: false` sends this message uncompressed (RFC 7692 §6 lets each message choose).
    const plain = options.compress === false && this.#extensions !== "";
    let chunks;
    let fragment = false;
    try {
      if (plain) this.#conn.setCompression(false);
      try {
        // ws: `fin: false` sends a fragment; the sends after it continue that message (their
        // `binary` is the first fragment's) until one without `fin: false` ends it (RFC 6455 §5.4).
        // (the Connection knows whether a message is open; a refused fragment ends it)
        if (options.fin === false || this.#conn.fragmenting) {
          fragment = true;
          chunks = this.#conn.sendFragment(payload, binary, options.fin !== false);
        } else {
          chunks = this.#conn.sendMessage(payload, binary);
        }
      } finally {
        if (plain) this.#conn.setCompression(true);
      }
    } catch (err) {
      // Closed under us, or the core is lost: like `ws`, report it to the callback, never as an
      // exception out of an event listener. Argument errors are the caller's and are thrown.
      if (isTrap(err)) this.#coreFailure(err);
      else if (err?.code !== "already-closed") {
        // A fragment refused after earlier ones went out (text no longer UTF-8): the core gave
        // the message up and sends nothing more (nothing valid can follow an unfinished
        // message, RFC 6455 §5.4): the transport is closed, a 1006 close follows.
        if (fragment && this.#conn && !this.#conn.canSend) {
          this.#enterClosing();
          this.#afterOutput();
        }
        throw err;
      }
      if (cb) queueMicrotask(() => cb(err));
      return;
    }
    if (chunks.length <= 1) {
      this.#write(chunks[0], cb);
    } else if (this.#holding && chunks.length === 2 && chunks[0].length + chunks[1].length <= HOLD_AT_MOST) {
      // A small message's header and payload: copied into the held writes.
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) this.#write(chunks[i]);
      this.#write(chunks[last], cb);
    } else {
      // A header and its payload, or a large message's parts: one corked write, now (uncorked
      // in this call, as `ws` does: the caller may reuse its buffer once send() returns).
      // What is held goes first, in the same writev.
      const socket = this.#socket;
      socket?.cork();
      this.#writeHeld();
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) this.#socketWrite(chunks[i]);
      this.#socketWrite(chunks[last], cb);
      socket?.uncork();
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
      else if (error) {
        this.#blobFailed(error, cb);
        return;
      } else if (!this.#conn) cb?.(notOpen(this.#readyState));
      else this.#sendNow(data, blob ? { ...options, binary: options.binary ?? true } : options, cb);
    }
    if (queue.length === 0 && this.#sendQueue === queue) this.#sendQueue = null;
  }

  /**
   * A Blob could not be read (ws's sender error): its callback and those of the sends queued
   * behind it get the error, the socket is ended (what was sent before goes out first, no Close
   * frame), then `error` (once) and, when the socket closes, `close` 1006.
   */
  #blobFailed(err, cb) {
    const rest = this.#sendQueue ?? [];
    this.#sendQueue = null;
    for (const f of [cb, ...rest.map((e) => e.cb)]) {
      if (!f) continue;
      try {
        f(err);
      } catch (again) {
        this._listenerError(again, "send callback");
      }
    }
    if (this.#readyState === CLOSED) return;
    this.#enterClosing();
    this.#flushWrites();
    this.#socket?.end();
    this.#emitError(err);
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
    // What was sent before goes out first (as with `ws`, whose writes were already made).
    this.#flushWrites();
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

  /**
   * @internal The opening handshake is being failed: CLOSING at once (as ws's abortHandshake),
   * `error` and `close` follow on the next tick (`_fail`).
   */
  _aborting() {
    if (this.#readyState === CONNECTING) this.#readyState = CLOSING;
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

  /** `message (data, isBinary)`: _emit without its argument list (once per message). */
  #emitMessage(data, isBinary) {
    try {
      this.emit("message", data, isBinary);
    } catch (err) {
      this._listenerError(err, "message");
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
        this.#flushWrites();
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
      this.#handlerFailure(err);
    }
  }

  #handlerFailure(err) {
    if (isTrap(err)) {
      this.#coreFailure(err);
      return;
    }
    this.#emitError(err);
    this.#socket?.destroy();
  }

  /** A read: `buffer[0..length)` (a `data` chunk, or the shared read buffer, valid during the call). */
  #onRead(buffer, length) {
    try {
      this.#onData(length === buffer.length ? buffer : buffer.subarray(0, length));
    } catch (err) {
      this.#handlerFailure(err);
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
    if (this.#holding) {
      const length = bytes.length;
      if (length <= HOLD_AT_MOST) {
        // Copied now: a region of the slab that follows what this connection holds.
        const end = this.#heldStart + this.#heldBytes;
        if (slab === null || this.#heldBytes + length > HOLD_AT_MOST || this.#heldSlab !== slab || end !== slabUsed || slabUsed + length > SLAB_SIZE) {
          this.#writeHeld();
          if (slab === null || slabUsed + length > SLAB_SIZE) nextSlab();
          this.#heldSlab = slab;
          this.#heldStart = slabUsed;
        }
        slab.bytes.set(bytes, slabUsed);
        slabUsed += length;
        this.#heldBytes += length;
        if (cb) (this.#heldCallbacks ??= []).push(cb);
        return;
      }
      this.#writeHeld();
    }
    this.#socketWrite(bytes, cb);
  }

  /** Writes what is held (see HOLD_AT_MOST) and stops holding. */
  #flushWrites() {
    this.#holding = false;
    this.#writeHeld();
  }

  /** Writes the held region of the slab, if any, as one `write`. */
  #writeHeld() {
    const length = this.#heldBytes;
    if (length === 0) return;
    const callbacks = this.#heldCallbacks;
    const held = this.#heldSlab;
    const bytes = held.bytes.subarray(this.#heldStart, this.#heldStart + length);
    this.#heldBytes = 0;
    this.#heldCallbacks = null;
    this.#heldSlab = null;
    // The slab's region is in use until this write completes (its callback runs, error or not).
    held.pending++;
    const cb = callbacks === null ? held.done : (err) => { held.pending--; for (const f of callbacks) f(err); };
    this.#socketWrite(bytes, cb);
  }

  #socketWrite(bytes, cb) {
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
    if (!this.#conn) return;
    this.#holding = true;
    try {
      this.#handleRead(chunk);
    } finally {
      this.#flushWrites();
    }
  }

  #handleRead(chunk) {
    const conn = this.#conn;
    this.#alive = true;
    if (this.#idleTimer) this.#resetIdle();
    let events;
    let output;
    try {
      events = conn.receive(chunk);
      output = conn.quiet ? null : conn.takeOutput();
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
    // Still quiet: open, nothing to write, nothing held back (the listeners called nothing that
    // could change that), so there is nothing to ask.
    if (this.#conn !== conn || conn.quiet) return;
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
        this.#emitMessage(Buffer.isBuffer(event.data) ? event.data : event.data instanceof ArrayBuffer ? Buffer.from(event.data) : Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength), false);
        break;
      case "binary":
        this.#emitMessage(this.#binaryType === "fragments" ? [event.data] : this.#binaryType === "blob" ? new Blob([event.data]) : event.data, true);
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
        // This side failed the connection (RFC 6455 §7.1.7): it sent the Close code the error
        // names, but received no Close, so the connection's close code is 1006 (§7.1.5), as in ws
        // and the browsers' WebSocket. The code sent is the error's `closeCode`.
        this.#closeInfo ??= { code: 1006, reason: "" };
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
      this.#flushWrites();
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

  #onSocketError() {
    // As in ws, a transport error (a reset, a timeout, a TLS alert; over HTTP/2 an RST_STREAM or
    // the end of the session) is not an error event of this WebSocket: `close` says 1006. The
    // error stays on the socket (`ws._socket.on("error")`).
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

  /**
   * Network-caused errors: emitted when someone listens, never thrown at the socket; at most one
   * per WebSocket, as in ws (a protocol error and a failed Blob read that follows it are one).
   */
  #emitError(err) {
    if (this.#errorEmitted) return;
    this.#errorEmitted = true;
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

// WebSocket server and client for Node (`http`/`https` 'upgrade' events, `net`/`tls` sockets),
// with an API users of `ws` recognise. ws101's wasm core decides everything (handshake,
// framing, closing); this file only moves bytes between sockets and the core, and manages
// timers and backpressure.
import { EventEmitter } from "node:events";
import http from "node:http";
import net from "node:net";
import tls from "node:tls";
import { Connection, validateRequest, buildRequest, parseResponse } from "../node.mjs";

const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;
const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;
const CLOSE_TIMEOUT_MS = 30_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;

function toBuffer(data) {
  if (typeof data === "string") return data;
  if (Buffer.isBuffer(data)) return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (Array.isArray(data)) return Buffer.concat(data.map((d) => toBuffer(d)));
  throw new TypeError("data must be a string, Buffer, TypedArray, ArrayBuffer or an array of them");
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
  #readyState = CONNECTING;
  #protocol = "";
  #extensions = "";
  #url = "";
  #binaryType = "nodebuffer";
  #closeTimer = null;
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
      this.#url = String(url);
      connectClient(this, this.#url, typeof protocols === "string" ? [protocols] : protocols ?? [], this.#options);
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
    if (this.#conn) this.#conn.binaryType = value;
  }

  /** @internal Takes over a socket after a successful handshake. */
  _attach(socket, head, { role, protocol, extensions, deflate, options }) {
    const opts = { ...this.#options, ...options };
    this.#options = opts;
    this.#socket = socket;
    this.#protocol = protocol ?? "";
    this.#extensions = extensions ?? "";
    this.#conn = new Connection({
      role,
      maxMessageSize: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      maxFrameSize: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      fragmentSize: opts.fragmentSize,
      deflate,
      deflateLevel: typeof opts.perMessageDeflate === "object" ? opts.perMessageDeflate.level : undefined,
      deflateThreshold: typeof opts.perMessageDeflate === "object" ? opts.perMessageDeflate.threshold : undefined,
      binaryType: this.#binaryType,
      textAsBytes: true,
      deferClose: true,
    });
    this.#readyState = OPEN;
    socket.setNoDelay(true);
    socket.setTimeout(0);
    socket.on("data", (chunk) => this.#onData(chunk));
    socket.on("end", () => this.#onEnd());
    socket.on("close", () => this.#onSocketClose());
    socket.on("error", (err) => this.#onSocketError(err));
    socket.on("drain", () => this.#onDrain());
    if (opts.pingInterval > 0) this.#startKeepAlive(opts.pingInterval);
    if (opts.idleTimeout > 0) this.#resetIdle();
    if (head && head.length > 0) queueMicrotask(() => this.#onData(head));
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
      // Closed under us (a Close arrived in the same read): like `ws`, report it to the
      // callback, never as an exception out of an event listener.
      if (cb) queueMicrotask(() => cb(err));
      else if (err?.code !== "already-closed") throw err;
      return;
    }
    if (chunks.length === 1) {
      this.#write(chunks[0], cb);
    } else {
      const socket = this.#socket;
      socket.cork();
      this.#write(chunks[0]);
      this.#write(chunks[1], cb);
      process.nextTick(() => socket.uncork());
    }
  }

  ping(data, _mask, cb) {
    if (typeof data === "function") { cb = data; data = undefined; }
    if (this.#readyState !== OPEN) {
      if (cb) queueMicrotask(() => cb(new Error("WebSocket is not open")));
      return;
    }
    this.#write(this.#conn.ping(data === undefined ? undefined : toBytes(data)), cb);
  }

  pong(data, _mask, cb) {
    if (typeof data === "function") { cb = data; data = undefined; }
    if (this.#readyState !== OPEN) {
      if (cb) queueMicrotask(() => cb(new Error("WebSocket is not open")));
      return;
    }
    this.#write(this.#conn.pong(data === undefined ? undefined : toBytes(data)), cb);
  }

  /** Starts the closing handshake (RFC 6455 §7.1.2); the TCP connection ends after the peer answers. */
  close(code, reason) {
    if (this.#readyState === CLOSED) return;
    if (this.#readyState === CONNECTING) {
      this.terminate();
      return;
    }
    if (this.#readyState === CLOSING) return;
    this.#readyState = CLOSING;
    const bytes = this.#conn.close(code, reason === undefined ? "" : String(reason));
    this.#write(bytes);
    this.#afterOutput();
    if (this.#readyState !== CLOSED) {
      this.#closeTimer = setTimeout(() => this.#socket?.destroy(), this.#options.closeTimeout ?? CLOSE_TIMEOUT_MS);
      this.#closeTimer.unref?.();
    }
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
    this.#readyState = CLOSED;
    this.#emitError(err);
    this.emit("close", 1006, Buffer.alloc(0));
  }

  /** @internal */
  _open() {
    this.emit("open");
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
    this.#alive = true;
    if (this.#idleTimer) this.#resetIdle();
    let events;
    try {
      events = this.#conn.receive(chunk);
    } catch (err) {
      this.#emitError(err);
      this.#socket.destroy();
      return;
    }
    // Pongs and other replies the core queued go out first. A Close (or a protocol error)
    // later in this chunk is held back by `deferClose` while listeners handle the messages
    // that came before it, so their replies precede it, as with a frame-at-a-time endpoint.
    this.#write(this.#conn.takeOutput());
    if (!this.#conn.canSend && this.#readyState === OPEN) this.#readyState = CLOSING;
    for (const event of events) this.#dispatch(event);
    this.#conn?.releaseClose();
    if (this.#conn && !this.#conn.canSend && this.#readyState === OPEN) this.#readyState = CLOSING;
    this.#write(this.#conn?.takeOutput());
    this.#afterOutput();
  }

  #dispatch(event) {
    switch (event.type) {
      case "text":
        this.emit("message", event.data, false);
        break;
      case "binary":
        this.emit("message", event.data, true);
        break;
      case "ping":
        this.emit("ping", Buffer.from(event.data));
        break;
      case "pong":
        this.emit("pong", Buffer.from(event.data));
        break;
      case "close":
        this.#closeInfo = { code: event.code, reason: event.reason };
        if (this.#readyState === OPEN) this.#readyState = CLOSING;
        break;
      case "error":
        this.#closeInfo = { code: event.error.closeCode ?? 1006, reason: "" };
        this.#readyState = CLOSING;
        this.#emitError(event.error);
        break;
    }
  }

  // The server closes the TCP connection first once both Close frames passed (RFC 6455 §7.1.1);
  // a client waits for the server, and either side closes after a failure (§7.1.7).
  #afterOutput() {
    if (this.#conn && this.#conn.shouldCloseTransport && this.#socket && !this.#socket.destroyed) {
      this.#socket.end();
      const timer = setTimeout(() => this.#socket.destroy(), 2000);
      timer.unref?.();
    }
  }

  #onEnd() {
    // The peer half-closed: nothing more will arrive. The core decides whether that was clean.
    if (this.#socket && !this.#socket.destroyed) this.#socket.end();
  }

  #onSocketError(err) {
    if (err.code !== "ECONNRESET" && err.code !== "EPIPE") this.#emitError(err);
  }

  #onSocketClose() {
    let code = this.#closeInfo?.code ?? 1006;
    let reason = this.#closeInfo?.reason ?? "";
    if (this.#conn) {
      for (const event of this.#conn.receiveEof()) {
        if (event.type === "close" && !this.#closeInfo) {
          code = event.code;
          reason = event.reason;
        }
      }
    }
    this.#finish(code, reason);
  }

  #finish(code, reason) {
    if (this.#readyState === CLOSED && !this.#conn) return;
    this.#readyState = CLOSED;
    clearTimeout(this.#closeTimer);
    clearInterval(this.#pingTimer);
    clearTimeout(this.#idleTimer);
    this.#conn?.free();
    this.#conn = null;
    this.emit("close", code, Buffer.from(reason));
  }

  #emitError(err) {
    if (this.listenerCount("error") > 0) this.emit("error", err);
  }

  #startKeepAlive(interval) {
    this.#pingTimer = setInterval(() => {
      if (!this.#alive) {
        this.terminate();
        return;
      }
      this.#alive = false;
      this.ping();
    }, interval);
    this.#pingTimer.unref?.();
    this.on("pong", () => (this.#alive = true));
  }

  #resetIdle() {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.close(1001, "idle timeout"), this.#options.idleTimeout);
    this.#idleTimer.unref?.();
  }
}

function toBytes(data) {
  const b = toBuffer(data);
  return typeof b === "string" ? Buffer.from(b) : b;
}

/** Server options shared by `WebSocketServer` and `handleUpgrade`, mapped to ws101's handshake policy. */
function policyOf(options) {
  return {
    protocols: options.protocols ?? [],
    requireProtocol: options.requireProtocol ?? false,
    origins: options.origins ?? options.allowedOrigins,
    perMessageDeflate: options.perMessageDeflate ?? false,
    maxHeaderBytes: options.maxHeaderBytes,
  };
}

/** A WebSocket server on a Node `http`/`https` server (its own, `options.server`, or `noServer`). */
export class WebSocketServer extends EventEmitter {
  #server = null;
  #options;
  clients = new Set();

  /**
   * @param {object} options  port/host (own server) | server | noServer; protocols (server
   *   preference), requireProtocol, origins, perMessageDeflate, maxPayload (default 64 MiB),
   *   maxHeaderBytes, pingInterval, idleTimeout, path, clientTracking (default true),
   *   handshakeTimeout (own server only: ms for the whole request head, default 10 s, 0 = none)
   * @param {() => void} [callback] called once listening
   */
  constructor(options = {}, callback) {
    super();
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
      this.#server.listen(options.port ?? 0, options.host ?? "127.0.0.1", options.backlog);
    }
    this.#server.on("listening", () => this.emit("listening"));
    this.#server.on("error", (err) => this.emit("error", err));
    this.#server.on("upgrade", (req, socket, head) => {
      if (options.path && new URL(req.url, "http://x").pathname !== options.path) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      this.handleUpgrade(req, socket, head, (ws) => this.emit("connection", ws, req));
    });
    if (callback) this.once("listening", callback);
  }

  address() {
    return this.#server?.address();
  }

  /**
   * Validates the upgrade with ws101 and answers it: the 101 (then `callback(ws, req)`) or the exact
   * rejection the request earned (400, 403, 426 with Sec-WebSocket-Version: 13, 431).
   */
  handleUpgrade(req, socket, head, callback) {
    socket.on("error", () => socket.destroy());
    let outcome;
    try {
      outcome = validateRequest(req, policyOf(this.#options));
    } catch (err) {
      socket.destroy();
      this.emit("wsClientError", err, socket, req);
      return;
    }
    if (!outcome.ok) {
      this.emit("wsClientError", outcome, socket, req);
      socket.end(Buffer.from(outcome.response.bytes));
      return;
    }
    if (socket.readyState !== "open" || socket.destroyed) {
      socket.destroy();
      return;
    }
    socket.write(Buffer.from(outcome.response.bytes));
    const ws = new WebSocket(null, undefined, this.#options);
    ws._attach(socket, head, {
      role: "server",
      protocol: outcome.protocol,
      extensions: outcome.extensionsHeader ?? "",
      deflate: outcome.deflate,
      options: this.#options,
    });
    if (this.#options.clientTracking !== false) {
      this.clients.add(ws);
      ws.on("close", () => this.clients.delete(ws));
    }
    callback(ws, req);
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
      perMessageDeflate: options.perMessageDeflate ?? false,
    });
  } catch (err) {
    queueMicrotask(() => ws._fail(err));
    return;
  }
  const connectOptions = { host: request.host, port: request.port, servername: net.isIP(request.host) ? undefined : request.host };
  const socket = request.secure
    ? tls.connect({ ...connectOptions, rejectUnauthorized: options.rejectUnauthorized ?? true, ca: options.ca })
    : net.connect(connectOptions);
  const timeout = options.handshakeTimeout ?? 30_000;
  socket.setTimeout(timeout, () => {
    socket.destroy();
    ws._fail(Object.assign(new Error(`opening handshake timed out after ${timeout} ms`), { code: "handshake-timeout" }));
  });
  let buffered = Buffer.alloc(0);
  let done = false;
  socket.once(request.secure ? "secureConnect" : "connect", () => socket.write(Buffer.from(request.bytes)));
  socket.on("error", (err) => {
    if (!done) {
      done = true;
      ws._fail(err);
    }
  });
  const onData = (chunk) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    let result;
    try {
      result = parseResponse(buffered, request);
    } catch (err) {
      done = true;
      socket.destroy();
      ws._fail(err);
      return;
    }
    if (!result.complete) return;
    done = true;
    socket.off("data", onData);
    socket.setTimeout(0);
    if (!result.ok) {
      ws.emit("unexpected-response", result);
      socket.destroy();
      const err = Object.assign(new Error(result.problems.map((p) => p.message).join("; ") || `unexpected status ${result.status}`), {
        code: result.problems[0]?.code ?? "unexpected-status",
        status: result.status,
        problems: result.problems,
      });
      ws._fail(err);
      return;
    }
    ws.emit("upgrade", result);
    ws._attach(socket, buffered.subarray(result.consumed), {
      role: "client",
      protocol: result.protocol,
      extensions: (result.extensions ?? []).map((e) => [e.name, ...e.params.map((p) => (p.value == null ? p.name : `${p.name}=${p.value}`))].join("; ")).join(", "),
      deflate: result.deflate,
      options,
    });
    ws._open();
  };
  socket.on("data", onData);
}

export default WebSocket;

// WebSocketServer of ws101/node: answers HTTP/1.1 upgrades (RFC 6455 §4.2) and HTTP/2 extended
// CONNECT streams (RFC 8441, node-h2.mjs) with the core's verdict, then hands the socket to a
// WebSocket. Synchronous unless an application predicate returns a Promise.
import { validateRequest } from "../node.mjs";
import { isHttp2Server, serveHttp2, streamTransport } from "./node-h2.mjs";
import { recovering, isTrap, containTrap, warnUnhandled } from "./node-trap.mjs";
import { serverDeflate, checkServerOptions } from "./node-options.mjs";
import { requestErrorMessage } from "./node-errors.mjs";
import { WebSocket } from "./node-websocket.mjs";
import { builtin, http } from "./node-http.mjs"; // not `import … from "node:http"`: see node-http.mjs
const { EventEmitter } = builtin("node:events");

const HANDSHAKE_TIMEOUT_MS = 10_000;

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
    checkServerOptions(options, WebSocket);
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
        outcome,
        protocol: outcome.protocol,
        extensions: outcome.extensionsHeader ?? "",
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

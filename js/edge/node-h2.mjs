// WebSockets over HTTP/2 for ws101/node (RFC 8441): the transport pieces that differ from an
// HTTP/1.1 upgrade. The core decides (validateExtendedConnect on the server, the client's
// subprotocol and extension checks); this file moves fields and bytes between node:http2 and
// WebSocketServer / WebSocket (node-server.mjs, node-websocket.mjs), which run the same Connection
// over the stream.
//
// - Server: SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3) on the node:http2 server, the
//   `stream` events that are extended CONNECTs with `:protocol websocket` (§4), `:status 200`
//   or the core's rejection (§5); the Http2Stream is then the WebSocket's byte stream: its
//   flow control is the backpressure, END_STREAM ends it after the closing handshake,
//   RST_STREAM or the session's end is a 1006.
// - Client: an extended CONNECT on a new or given ClientHttp2Session once the server's SETTINGS
//   offered the protocol.
import { validateExtendedConnect, validateResponse } from "../node.mjs";
import { tableError } from "./node-errors.mjs";
import { http, lazyBuiltin } from "./node-http.mjs"; // not `import … from "node:http"`: see node-http.mjs
const http2 = lazyBuiltin("node:http2"); // loaded by the first client session of its own
const { STATUS_CODES } = http;

const NGHTTP2_CANCEL = 0x8; // RFC 9113 §7 CANCEL (http2.constants.NGHTTP2_CANCEL, without loading node:http2)
/** Marks the `connect` listener a WebSocketServer adds to an HTTP/2 server (see serveHttp2). */
const kShield = Symbol("ws101.h2.connectShield");

/** A node:http2 server: secure (with or without allowHTTP1) or cleartext (h2c). */
export function isHttp2Server(server) {
  return server !== null && typeof server === "object" && typeof server.updateSettings === "function" && typeof server.on === "function";
}

/** RFC 8441 §4: a WebSocket is requested by CONNECT with `:protocol websocket` (other protocols are the application's). */
function isWebSocketConnect(headers) {
  return headers?.[":method"] === "CONNECT" && typeof headers[":protocol"] === "string" && headers[":protocol"].toLowerCase() === "websocket";
}

/**
 * Serves extended CONNECT on `server`: `onStream(stream, headers, rawHeaders)` for each WebSocket
 * request. Returns the function that detaches the listeners.
 *
 * With a `request` listener, node:http2's compatibility layer turns every CONNECT into a
 * `connect` event and answers 405 when nobody listens, before or after the `stream` listeners
 * run; the `connect` listener added here leaves WebSocket CONNECTs to `stream` and, when it is
 * the only `connect` listener, answers any other CONNECT as Node would (405 over HTTP/2, the
 * socket destroyed over HTTP/1.1).
 */
export function serveHttp2(server, onStream) {
  // RFC 8441 §3; applies to every session the server accepts from now on.
  server.updateSettings({ enableConnectProtocol: true });
  const onStreamEvent = (stream, headers, _flags, rawHeaders) => {
    if (!isWebSocketConnect(headers)) return;
    try {
      onStream(stream, headers, rawHeaders);
    } catch {
      stream.destroy(); // never thrown at the session: a hostile peer must not end the process
    }
  };
  const shield = (req, resOrSocket) => {
    if (req?.stream && isWebSocketConnect(req.headers)) return; // ours, answered from `stream`
    const listeners = server.listeners("connect");
    if (listeners.some((l) => !l[kShield]) || listeners.find((l) => l[kShield]) !== shield) return;
    try {
      if (req?.stream) {
        resOrSocket.statusCode = 405;
        resOrSocket.end();
      } else {
        resOrSocket?.destroy?.();
      }
    } catch {
      req?.stream?.destroy?.();
    }
  };
  shield[kShield] = true;
  server.on("stream", onStreamEvent);
  server.on("connect", shield);
  return () => {
    server.removeListener("stream", onStreamEvent);
    server.removeListener("connect", shield);
  };
}

/** A field block as a flat `[name, value, …]` list in wire order, pseudo-headers first. */
export function fieldLines(headers, rawHeaders) {
  if (Array.isArray(rawHeaders) && rawHeaders.length > 0) return rawHeaders.map(String);
  const lines = [];
  const entries = Object.entries(headers ?? {});
  entries.sort(([a], [b]) => Number(b.startsWith(":")) - Number(a.startsWith(":")));
  for (const [name, value] of entries) for (const v of Array.isArray(value) ? value : [value]) lines.push(name, String(v));
  return lines;
}

/** A response field list (`[{ name, value }]`, `:status` first) as node:http2 takes it. */
function responseFields(list) {
  const out = {};
  for (const { name, value } of list) {
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** Sends a complete response on `stream` (nothing if it cannot carry one any more). */
function respond(stream, fields, body) {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  try {
    stream.respond(fields);
    stream.end(body);
  } catch {
    stream.close(NGHTTP2_CANCEL);
  }
}

/**
 * An extended CONNECT stream as WebSocketServer answers it: the same shape as the HTTP/1.1
 * upgrade transport in node.mjs. `req` is what the application sees in `connection`,
 * `verifyClient` and `handleProtocols`: `{ httpVersion: "2.0", method, url (:path), headers,
 * rawHeaders, authority, scheme, stream, socket (the session's) }`.
 */
export function streamTransport(stream, headers, rawHeaders) {
  const fields = fieldLines(headers, rawHeaders);
  const req = {
    httpVersion: "2.0",
    httpVersionMajor: 2,
    httpVersionMinor: 0,
    method: headers?.[":method"],
    url: headers?.[":path"],
    authority: headers?.[":authority"],
    scheme: headers?.[":scheme"],
    headers: headers ?? {},
    rawHeaders: fields,
    stream,
    socket: stream?.session?.socket ?? null,
  };
  return {
    req,
    socket: stream,
    head: null,
    httpVersion: "2",
    /** The core's RFC 8441 §5 verdict, in the shape node.mjs reads from validateRequest. */
    validate(policy) {
      const o = validateExtendedConnect(fields, policy);
      const extensions = o.headers.find((h) => h.name === "sec-websocket-extensions");
      return {
        ok: o.accepted,
        status: o.status,
        protocol: o.protocol ?? null,
        deflate: o.deflate ?? null,
        handoff: o.handoff,
        extensionsHeader: extensions?.value ?? "",
        problems: o.problems,
        response: { status: o.status, headers: o.headers, body: o.body },
      };
    },
    reject(outcome) {
      respond(stream, responseFields(outcome.response.headers), outcome.response.body);
    },
    /** A status the server chose itself (path mismatch, verifyClient, 503 after close()). */
    abort(status, message, extra) {
      if (!Number.isInteger(status) || status < 300 || status > 599) status = 401;
      const body = typeof message === "string" && message ? message : STATUS_CODES[status] ?? String(status);
      const base = { ":status": status, "content-type": "text/html" };
      const fields = { ...base };
      if (extra && typeof extra === "object") {
        for (const [name, value] of Object.entries(extra)) {
          const lower = name.toLowerCase();
          if (lower.startsWith(":") || lower === "content-type" || lower === "content-length") continue;
          fields[lower] = Array.isArray(value) ? value.map(String) : String(value);
        }
      }
      if (stream.destroyed || stream.closed || stream.headersSent) return;
      try {
        stream.respond(fields);
      } catch {
        // a header node:http2 refuses (connection-specific, malformed) is left out with the rest
        try {
          stream.respond(base);
        } catch {
          stream.close(NGHTTP2_CANCEL);
          return;
        }
      }
      stream.end(body);
    },
    gone: () => stream.destroyed || stream.closed || !stream.writable,
    /** `:status 200` and the negotiated fields; `onHeaders(lines)` is ws's 'headers' event ("name: value" lines). */
    accept(outcome, onHeaders) {
      const fields = responseFields(outcome.response.headers);
      if (onHeaders) {
        const lines = [`HTTP/2 ${fields[":status"]}`];
        for (const { name, value } of outcome.response.headers) if (!name.startsWith(":")) lines.push(`${name}: ${value}`);
        const original = lines.length;
        onHeaders(lines);
        for (const line of lines.slice(original)) {
          const colon = String(line).indexOf(":");
          if (colon <= 0) continue;
          const name = String(line).slice(0, colon).trim().toLowerCase();
          const value = String(line).slice(colon + 1).trim();
          if (Object.hasOwn(fields, name)) continue; // the core's fields stay as it built them
          fields[name] = value;
        }
      }
      try {
        stream.respond(fields);
      } catch {
        stream.respond(responseFields(outcome.response.headers));
      }
    },
    destroy: () => stream.destroy(),
  };
}

/** The `http2` client option: true (a session of its own) or a ClientHttp2Session to open the stream on. */
export function checkHttp2Option(options) {
  const v = options.http2;
  if (v === undefined || v === null || v === false) return;
  const invalid = (name, why) => Object.assign(new TypeError(`ws101/node: option "${name}" ${why}`), { code: "invalid-option", option: name });
  if (v !== true && !(typeof v === "object" && typeof v.request === "function" && "remoteSettings" in v)) {
    throw invalid("http2", "must be true or an http2.ClientHttp2Session");
  }
  for (const name of ["agent", "socketPath", "auth"]) {
    if (options[name] !== undefined && options[name] !== null && options[name] !== false) throw invalid(name, "cannot be used with http2 (the stream is opened on an HTTP/2 session)");
  }
  if (options.followRedirects) throw invalid("followRedirects", "cannot be used with http2");
}

/** TLS / net options a client passes on to http2.connect for a session of its own. */
const SESSION_OPTIONS = [
  "createConnection", "family", "hints", "localAddress", "lookup",
  "ca", "cert", "key", "pfx", "passphrase", "ciphers", "crl", "ecdhCurve", "minVersion", "maxVersion", "secureContext",
  "secureOptions", "checkServerIdentity", "servername", "rejectUnauthorized", "sigalgs",
];
/** HTTP/1.1 fields with no place in an extended CONNECT (RFC 8441 §5, RFC 9113 §8.2.2): Host is :authority. */
const NOT_IN_HTTP2 = new Set(["host", "upgrade", "connection", "sec-websocket-key"]);

/**
 * The extended CONNECT's fields (RFC 8441 §4) for a client request the core built: Host becomes
 * `:authority`; no key, Upgrade or Connection. Used by connect() and `ws101 probe --http2`.
 */
export function extendedConnectFields(request) {
  const fields = { ":method": "CONNECT", ":protocol": "websocket", ":scheme": request.secure ? "https" : "http", ":path": request.resource };
  let authority;
  for (const { name, value } of request.headers) {
    const lower = name.toLowerCase();
    if (lower === "host") authority = value;
    if (NOT_IN_HTTP2.has(lower)) continue;
    fields[lower] = fields[lower] === undefined ? value : `${fields[lower]}, ${value}`;
  }
  fields[":authority"] = authority;
  return fields;
}

/**
 * The core's verdict on a 2xx answer to the extended CONNECT (RFC 8441 §5). The 2xx stands for
 * the 101 and Sec-WebSocket-Accept, which HTTP/2 does not use; the subprotocol and extension
 * rules are RFC 6455 §4.1's, so the core judges the server's Sec-WebSocket-Protocol/-Extensions
 * fields as those of the 101 it replaces. `raw`: [name, value, name, value, …].
 */
export function judgeExtendedConnectResponse(request, raw) {
  const lines = ["Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Accept", request.expectedAccept];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase();
    if (name === "sec-websocket-protocol" || name === "sec-websocket-extensions") lines.push(name, String(raw[i + 1]));
  }
  return validateResponse(request, 101, lines);
}

/**
 * Opens `ws` as an extended CONNECT (RFC 8441 §4-§5) on `options.http2` (a ClientHttp2Session) or
 * on a session of its own (closed with the WebSocket). The server's SETTINGS must carry
 * SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (§3): checked once they have arrived (a PING's answer
 * follows them), else the handshake fails with code "connect-protocol-not-offered".
 * `hooks` are node.mjs's: buildClientRequest, responseError, extensionsHeader, isTrap, containTrap.
 * Returns `{ abort(err), request: null }` as connectClient does.
 */
export function connectHttp2(ws, address, target, protocols, options, hooks) {
  if (target.socketPath !== undefined) {
    throw Object.assign(new SyntaxError("ws+unix: URLs cannot be used with http2"), { code: "invalid-option", option: "http2" });
  }
  const request = hooks.buildClientRequest(address, target, protocols, options);
  const fields = extendedConnectFields(request);
  const secure = request.secure;
  const authority = fields[":authority"];

  const own = options.http2 === true;
  let session = own ? null : options.http2;
  let stream = null;
  let settled = false;
  let timer = null;
  const release = () => {
    try {
      request.free();
    } catch {
      // already released, or its instance is lost
    }
  };
  let onSessionClose = null;
  /** The handshake is over (either way): its timer, core request and session listener go. */
  const settle = () => {
    settled = true;
    clearTimeout(timer);
    release();
    if (onSessionClose) session.removeListener("close", onSessionClose);
  };
  const fail = (err) => {
    if (settled) return;
    settle();
    if (stream && !stream.destroyed) stream.close(NGHTTP2_CANCEL);
    if (own && session && !session.destroyed) session.destroy();
    ws._aborting();
    process.nextTick(() => ws._fail(err));
  };
  const guard = (fn) => {
    try {
      fn();
    } catch (err) {
      if (hooks.isTrap(err)) hooks.containTrap(err);
      fail(err);
    }
  };
  const timeout = options.handshakeTimeout ?? 30_000;
  if (timeout > 0) timer = setTimeout(() => fail(tableError("handshake-timeout", "Opening handshake has timed out")), timeout);

  const onResponse = (headers, rawHeaders) => {
    if (settled) return;
    const status = Number(headers[":status"]);
    // RFC 8441 §5: a 2xx answers the CONNECT; anything else refuses it.
    if (!(status >= 200 && status <= 299)) {
      fail(tableError("unexpected-status", `Unexpected server response: ${status}`, { status, headers }));
      return;
    }
    // RFC 8441 §5: the core judges the 2xx as the 101 it stands for.
    const result = judgeExtendedConnectResponse(request, Array.isArray(rawHeaders) ? rawHeaders : fieldLines(headers));
    if (!result.accepted) {
      fail(hooks.responseError(result, protocols, options.perMessageDeflate !== false));
      return;
    }
    settle();
    ws._attach(stream, null, {
      outcome: result,
      protocol: result.protocol,
      extensions: hooks.extensionsHeader(result),
      options,
      httpVersion: "2",
    });
    ws._open();
  };

  const open = () => {
    if (settled) return;
    stream = session.request(fields, { endStream: false });
    const reset = (cause) => tableError("stream-reset", `The server reset the stream before answering (RST_STREAM ${stream.rstCode})`, { rstCode: stream.rstCode, cause });
    stream.on("error", (err) => fail(err?.code === "ERR_HTTP2_STREAM_ERROR" ? reset(err) : err));
    stream.on("response", (headers, _flags, rawHeaders) => guard(() => onResponse(headers, rawHeaders)));
    stream.on("close", () => fail(reset()));
    if (own) stream.on("close", () => session.close());
  };
  const notOffered = () => tableError("connect-protocol-not-offered",
    "The server did not offer WebSockets over HTTP/2: its SETTINGS lack SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441 §3)");
  const offered = () => session.remoteSettings?.enableConnectProtocol === true;
  const whenSettled = () => guard(() => {
    if (settled) return;
    if (offered()) {
      open();
      return;
    }
    // The server's SETTINGS are its first frame: once a PING is answered they have been read.
    session.ping((err) => guard(() => {
      if (err) fail(err);
      else if (offered()) open();
      else fail(notOffered());
    }));
  });

  guard(() => {
    if (own) {
      const connectOptions = {};
      for (const name of SESSION_OPTIONS) if (options[name] !== undefined) connectOptions[name] = options[name];
      session = http2.connect(`${secure ? "https" : "http"}://${authority}`, connectOptions);
      // The session is this WebSocket's alone: its errors end the stream (a 1006), never the process.
      session.on("error", (err) => fail(err));
    }
    if (session.destroyed || session.closed) throw tableError("closed-before-response", "The HTTP/2 session is closed");
    onSessionClose = () => fail(tableError("closed-before-response", "The HTTP/2 session closed during the opening handshake"));
    session.once("close", onSessionClose);
    if (session.connecting) session.once("connect", whenSettled);
    else whenSettled();
  });
  return { abort: fail, request: null };
}

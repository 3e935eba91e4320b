// The client's opening handshake for ws101/node over node:http / node:https (RFC 6455 §4.1): the
// core builds the request and judges the 101; the socket then becomes the WebSocket's.
import { buildRequest, validateResponse } from "../node.mjs";
import { isTrap, containTrap } from "./node-trap.mjs";
import { CLIENT_TRANSPORT_OPTIONS, handshakeDeflate } from "./node-options.mjs";
import { responseError, tableError } from "./node-errors.mjs";
import { builtin, http, lazyBuiltin } from "./node-http.mjs"; // not `import … from "node:http"`: see node-http.mjs
const net = builtin("node:net");
const https = lazyBuiltin("node:https");
const tls = lazyBuiltin("node:tls");

/** ws's client URL forms: ws:, wss:, http:, https: and ws+unix:<socket path>:<request path>. A bad URL throws. */
export function clientTarget(address) {
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
  // userinfo becomes Basic authorization (node:http's `auth`), as in ws; it is not sent in the
  // URL, but stays in `url` (ws's `url` is the address as given).
  const given = url.href;
  let auth;
  if (url.username || url.password) {
    auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    url.username = "";
    url.password = "";
  }
  if (url.protocol !== "ws+unix:") return { href: url.href, url: given, socketPath: undefined, auth };
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
      // (undefined is an absent header, as for every other one; never String() of anything else)
      const value = extraHeaders[name];
      if (value !== undefined && typeof value !== "string") throw new TypeError(`options.headers.${name} must be a string, got ${value === null ? "null" : typeof value}`);
      origin ??= value;
      extraHeaders = Object.fromEntries(Object.entries(extraHeaders).filter(([k]) => k !== name));
    }
  }
  let request;
  try {
    request = buildRequest(target.href, {
      protocols,
      requireProtocol: true, // as ws (and browsers): offered subprotocols, none selected, fails
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
 * A Host given in the client's `headers` (ws sends it instead of the URL's): the URL with that
 * authority, for the core to build the request from, and the other headers. Undefined when there
 * is none, or when it is not a string host[:port] (then the core judges the header, naming it).
 */
function hostHeader(target, extra) {
  if (!extra || typeof extra !== "object" || Array.isArray(extra) || extra instanceof Map) return undefined;
  const name = Object.keys(extra).find((k) => k.toLowerCase() === "host");
  if (name === undefined) return undefined;
  // Any other value (undefined, null, a number, an array) is the core's to judge as for every
  // extra header: never stringified into a Host such as "undefined".
  const value = extra[name];
  if (typeof value !== "string") return undefined;
  const url = new URL(target.href);
  let given;
  try {
    given = new URL(`${url.protocol}//${value}/`);
  } catch {
    return undefined;
  }
  if (given.username || given.password || given.pathname !== "/" || given.search || given.host !== value.toLowerCase().replace(/:(80|443)$/, given.port ? "$&" : "")) return undefined;
  url.hostname = given.hostname;
  url.port = given.port;
  return { href: url.href, headers: Object.fromEntries(Object.entries(extra).filter(([k]) => k !== name)) };
}

/**
 * Starts a client's opening handshake over node:http / node:https (so `agent`, `createConnection`,
 * `lookup`, `socketPath` and the TLS options are Node's own); the core builds the request's
 * headers and judges the response. Throws synchronously for a bad URL or subprotocol list.
 * Returns `{ abort(err), request }` for close()/terminate() while CONNECTING; `beforeSend(that)`,
 * if given, runs before the request is sent (a redirect's listener may change or abort it).
 */
export function connectClient(ws, address, target, protocols, options, beforeSend) {
  // ws: a Host in `headers` is the Host sent, while the connection still goes to the URL's
  // address: the core builds the request for that authority (RFC 6455 §4.1's /host/ and /port/).
  const host = hostHeader(target, options.headers);
  const request = buildClientRequest(address, host ? { ...target, href: host.href } : target, protocols, host ? { ...options, headers: host.headers } : options);
  const headers = {};
  for (const { name, value } of request.headers) {
    const key = name.toLowerCase() === "host" && target.socketPath && !host ? null : name;
    if (key === null) continue;
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  const secure = request.secure;
  const url = new URL(target.href);
  const requestOptions = {
    method: "GET",
    host: (host ? url.hostname : request.host).replace(/^\[(.*)\]$/, "$1"),
    // As ws: the URL's port as written (a string), else the scheme's default (a number).
    port: (target.socketPath === undefined && url.port) || (host ? (secure ? 443 : 80) : request.port),
    path: request.resource,
    headers,
    setHost: Boolean(target.socketPath) && !host,
  };
  for (const name of CLIENT_TRANSPORT_OPTIONS) if (options[name] !== undefined) requestOptions[name] = options[name];
  if (target.auth !== undefined) requestOptions.auth = target.auth;
  if (target.socketPath) {
    requestOptions.socketPath = target.socketPath;
    delete requestOptions.host;
    delete requestOptions.port;
    // Node's Host for a socket path is "localhost" plus any port that is not the default one;
    // without an agent (our createConnection) it knows no default and wrote "localhost:80".
    requestOptions.defaultPort ??= 80;
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
    ws._aborting();
    process.nextTick(() => ws._fail(err));
  };
  req.on("error", (err) => {
    if (settled) return;
    settled = true;
    release();
    ws._fail(err);
  });
  if (timeout > 0) {
    // Node's `timeout` (ws's) only notices a silent socket; a server that trickles its head a
    // byte at a time would hold the client CONNECTING for ever, so the whole handshake has the
    // same deadline (RFC 6455 §4.1: the client may fail a connection whose handshake stalls).
    const timedOut = () => abort(tableError("handshake-timeout", "Opening handshake has timed out"));
    const deadline = setTimeout(timedOut, timeout);
    deadline.unref?.();
    const clear = () => clearTimeout(deadline);
    req.on("timeout", timedOut);
    req.once("close", clear);
    req.once("upgrade", clear);
    req.once("response", clear);
  }
  req.on("response", (res) => {
    if (settled) return;
    const location = res.headers.location;
    if (options.followRedirects && location && res.statusCode >= 300 && res.statusCode < 400) {
      res.resume();
      settled = true;
      release();
      req.destroy();
      ws._redirect(location, protocols, options, { href: target.socketPath === undefined ? target.href : String(address), auth: target.auth });
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
    if (ws.readyState !== ws.CONNECTING) {
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
        outcome: result,
        protocol: result.protocol,
        extensions: extensionsHeader(result),
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
  const handshake = { abort, request: req };
  if (beforeSend) {
    beforeSend(handshake);
    if (settled) return handshake; // closed by the listener: the request was destroyed unsent
  }
  req.end();
  return handshake;
}

/** The extensions a client's handshake agreed, as a Sec-WebSocket-Extensions value (ws's `extensions`). */
function extensionsHeader(result) {
  return (result.extensions ?? []).map((e) => [e.name, ...e.params.map((p) => (p.value == null ? p.name : `${p.name}=${p.value}`))].join("; ")).join(", ");
}

/** What the HTTP/2 client (node-h2.mjs) shares with the HTTP/1.1 one. */
export const http2Hooks = { buildClientRequest, responseError, extensionsHeader, isTrap, containTrap };

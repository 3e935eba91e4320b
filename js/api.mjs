// The one façade every runtime entry re-exports. It adapts JS input shapes (fetch `Request`,
// `Headers`, Node `IncomingMessage`, plain objects) to the wasm core's flat arguments; every
// decision is the core's.
import * as core from "./ws101.js";

export {
  acceptKey,
  acceptKeyUnchecked,
  acceptDigest,
  generateKey,
  validateKey,
  websocketGuid,
  parseRequest,
  encodeFrame,
  decodeFrames,
  classifyUpgradeHead,
  ClientHandshake,
  RawConnection,
  wasmMemory,
} from "./ws101.js";
export { Ws101Error, isWs101Error } from "./errors.mjs";
export { Connection } from "./connection.mjs";

/**
 * Header lines as a flat `[name, value, …]` list from a `Headers`, a Node `rawHeaders` array,
 * an array of pairs, or a plain object (array values become repeated lines).
 */
export function headerLines(headers) {
  if (!headers) return [];
  const flat = [];
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const [name, value] of headers) flat.push(String(name), String(value));
      return flat;
    }
    return headers.map(String);
  }
  if (typeof headers.forEach === "function" && typeof headers.get === "function") {
    headers.forEach((value, name) => flat.push(name, value));
    return flat;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) flat.push(name, String(v));
    else flat.push(name, String(value));
  }
  return flat;
}

function requestParts(request) {
  if (!request || typeof request !== "object") throw new TypeError("validateRequest needs a Request, an IncomingMessage or { method, url, headers }");
  const method = String(request.method ?? "GET");
  const url = String(request.url ?? request.target ?? "/");
  // A fetch Request has an absolute URL; the request-target is its path and query.
  const target = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? (() => { const u = new URL(url); return u.pathname + u.search; })() : url;
  const version = String(request.httpVersion ?? request.version ?? "1.1");
  const lines = Array.isArray(request.rawHeaders) ? request.rawHeaders.map(String) : headerLines(request.headers);
  // fetch's Request has no Host line when the runtime keeps it in the URL.
  if (/^https?:\/\//i.test(url) && !lines.some((v, i) => i % 2 === 0 && v.toLowerCase() === "host")) {
    lines.push("host", new URL(url).host);
  }
  return { method, target, version, lines };
}

/**
 * Validates a WebSocket upgrade request (RFC 6455 §4.2.1) and decides the answer (§4.2.2).
 * @param {Request | import("node:http").IncomingMessage | { method?: string, url?: string, httpVersion?: string, headers?: any, rawHeaders?: string[] }} request
 * @param {import("./index.d.ts").ServerOptions} [options]
 * @returns {import("./index.d.ts").ServerOutcome}
 */
export function validateRequest(request, options = {}) {
  const { method, target, version, lines } = requestParts(request);
  return core.validateRequestParts(method, target, version, lines, options);
}

/** RFC 8441 / RFC 9220 extended CONNECT fields (pseudo-headers included). */
export function validateExtendedConnect(fields, options = {}) {
  return core.validateExtendedConnect(headerLines(fields), options);
}

/** Classifies an upgrade request: websocket, h2c, TLS (RFC 2817) or other (RFC 9110 §7.8). */
export function classifyUpgrade(request) {
  const { method, version, lines } = requestParts(request);
  return core.classifyUpgrade(method, version, lines);
}

/**
 * The client's upgrade request for `url` (RFC 6455 §4.1); check the answer with
 * `parseResponse(bytes, request)` or `request.validateResponse(status, headers)`.
 * @returns {core.ClientHandshake}
 */
export function buildRequest(url, options = {}) {
  return core.buildRequest(String(url), options);
}

/** Reads a server's response head for `request`: `{ complete: false }` until whole. */
export function parseResponse(bytes, request) {
  return request.parseResponse(bytes);
}

/** Checks a server's response given as a status and headers (any shape headerLines takes). */
export function validateResponse(request, status, headers) {
  return request.validateResponse(status, headerLines(headers));
}

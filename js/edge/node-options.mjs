// Options of ws101/node's WebSocketServer and WebSocket: every name is known; ws names ws101
// cannot honour are refused by name.
import { checkHttp2Option } from "./node-h2.mjs";
import { http } from "./node-http.mjs"; // not `import … from "node:http"`: see node-http.mjs

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
export const CLIENT_TRANSPORT_OPTIONS = [
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
export function handshakeDeflate(value) {
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
export function serverDeflate(value) {
  const policy = handshakeDeflate(value);
  if (policy === false || policy === undefined || policy === null) return policy ?? false;
  const out = policy === true ? {} : policy;
  if (out.serverNoContextTakeover === undefined) out.serverNoContextTakeover = true;
  return out;
}

export function deflateLevel(options) {
  const d = options.perMessageDeflate;
  if (d === null || typeof d !== "object") return undefined;
  return d.level ?? d.zlibDeflateOptions?.level;
}

/** `WebSocket` is ws101's class: the `WebSocket` option must be it or extend it. */
export function checkServerOptions(options, WebSocket) {
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

export function checkClientOptions(options) {
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

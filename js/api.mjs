// The one façade every runtime entry re-exports. It adapts JS input shapes (fetch `Request`,
// `Headers`, Node `IncomingMessage`, plain objects) to the wasm core's flat arguments; every
// decision is the core's.
//
// Two rules shape this file:
// - No JS exception may unwind through wasm frames (it skips Rust's stack-pointer restore and,
//   after ~1,000 such calls, every call fails). So every value the caller gave is read here, in
//   JS, into fresh plain data (strings, booleans, numbers, arrays and objects made here) before
//   Rust runs: a throwing getter, iterator or Proxy throws its own exception from JS, a wrong
//   type is a TypeError naming the argument, and an origin predicate is called here.
// - The wasm instance may be replaced after a trap (instance.mjs): every export reads the
//   current glue at call time, so `import { acceptKey } from "ws101"` keeps working.
import * as instance from "./instance.mjs";
import { isTrap, recover } from "./instance.mjs";

export { Ws101Error, isWs101Error } from "./errors.mjs";
export { Connection } from "./connection.mjs";

/**
 * The current instance's classes (live bindings, reassigned when the instance is rebuilt). Until
 * then they forward to whatever instance.mjs's `glue` is at each use: an entry that instantiates
 * on first use (js/node.mjs) may not have instantiated yet, and that use does it.
 */
export let ClientHandshake = instance.forwardingClass("ClientHandshake");
export let RawConnection = instance.forwardingClass("RawConnection");

/** Largest byte input (1 GiB would not fit beside the rest of a 4 GiB wasm memory; no capture is this big). */
const MAX_BYTES = 256 * 1024 * 1024;
/** Longest string argument, in UTF-16 units (up to 3 bytes each in wasm). */
const MAX_STRING = 64 * 1024 * 1024;
/** Most entries of a list argument (header lines, protocols, origins). */
const MAX_LIST = 1 << 20;
/** `decodeFrames` lists at most this many frames unless told otherwise. */
const DEFAULT_FRAME_LIMIT = 10_000;
/** …and never more than this many per call (the listing's wasm memory is about 400 B a frame): page with `nextOffset`. */
const MAX_FRAME_LIMIT = 100_000;

/** A trap inside the call: rebuild the instance (in the background) and let the error go on. */
function trapped(err) {
  if (isTrap(err)) recover(err);
  return err;
}

// ---- argument readers (all JS; nothing here calls into wasm) --------------------------------

function typeName(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const t = typeof value;
  return t === "object" ? "an object" : t;
}

function string(value, name) {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string, got ${typeName(value)}`);
  if (value.length > MAX_STRING) throw new RangeError(`${name} is longer than ${MAX_STRING} characters`);
  return value;
}

function optionalString(value, name) {
  return value === undefined || value === null ? undefined : string(value, name);
}

function boolean(value, name) {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new TypeError(`${name} must be a boolean, got ${typeName(value)}`);
  return value;
}

function count(value, name) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${typeName(value)}`);
  if (!(value >= 0) || (value !== Infinity && !Number.isInteger(value))) throw new RangeError(`${name} must be an integer ≥ 0, got ${value}`);
  return Math.min(value, 2 ** 32 - 1);
}

const TypedArray = Object.getPrototypeOf(Uint8Array);
const getBuffer = Object.getOwnPropertyDescriptor(TypedArray.prototype, "buffer").get;
const getOffset = Object.getOwnPropertyDescriptor(TypedArray.prototype, "byteOffset").get;
const getLength = Object.getOwnPropertyDescriptor(TypedArray.prototype, "byteLength").get;
const viewBuffer = Object.getOwnPropertyDescriptor(DataView.prototype, "buffer").get;
const viewOffset = Object.getOwnPropertyDescriptor(DataView.prototype, "byteOffset").get;
const viewLength = Object.getOwnPropertyDescriptor(DataView.prototype, "byteLength").get;
const arrayBufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;
const sharedLength = typeof SharedArrayBuffer === "function" ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength").get : null;

/**
 * Bytes as a fresh plain `Uint8Array` view (no caller getter runs later, in the glue): any typed
 * array or DataView gives its bytes, an ArrayBuffer its contents; anything else is a TypeError.
 */
function bytes(value, name) {
  let view;
  if (ArrayBuffer.isView(value)) {
    const isData = value instanceof DataView;
    view = isData
      ? new Uint8Array(viewBuffer.call(value), viewOffset.call(value), viewLength.call(value))
      : new Uint8Array(getBuffer.call(value), getOffset.call(value), getLength.call(value));
  } else if (value instanceof ArrayBuffer) {
    view = new Uint8Array(value, 0, arrayBufferLength.call(value));
  } else if (sharedLength && value instanceof SharedArrayBuffer) {
    view = new Uint8Array(value, 0, sharedLength.call(value));
  } else {
    throw new TypeError(`${name} must be a Uint8Array (or another ArrayBufferView, or an ArrayBuffer), got ${typeName(value)}`);
  }
  if (view.length > MAX_BYTES) throw new RangeError(`${name} is larger than ${MAX_BYTES} bytes`);
  return view;
}

/** A list of strings from a string (one entry), an array or any iterable; copied. */
function stringList(value, name) {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [string(value, name)];
  const out = [];
  const push = (item) => {
    if (out.length >= MAX_LIST) throw new RangeError(`${name} has more than ${MAX_LIST} entries`);
    out.push(string(item, `${name}[${out.length}]`));
  };
  if (Array.isArray(value)) {
    const n = value.length;
    if (n > MAX_LIST) throw new RangeError(`${name} has more than ${MAX_LIST} entries`);
    for (let i = 0; i < n; i++) push(value[i]);
    return out;
  }
  if (typeof value === "object" && typeof value[Symbol.iterator] === "function") {
    for (const item of value) push(item);
    return out;
  }
  throw new TypeError(`${name} must be an array of strings, got ${typeName(value)}`);
}

/** The caller's options object, with every key checked against `known` (an unknown key is a TypeError). */
function optionsOf(value, name, known) {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new TypeError(`${name} must be an object, got ${typeName(value)}`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new TypeError(`${name}: unknown option ${JSON.stringify(key)} (known: ${known.join(", ")})`);
  }
  const out = {};
  for (const key of known) out[key] = value[key];
  return out;
}

function headerValue(value, name) {
  if (typeof value === "string") return string(value, name);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  throw new TypeError(`${name} must be a string, got ${typeName(value)}`);
}

/**
 * Header lines as a flat `[name, value, …]` list from a `Headers`, a `Map`, a Node `rawHeaders`
 * (flat) array, an array (or iterable) of `[name, value]` pairs, or a plain object (array values
 * become repeated lines). Any other shape is a TypeError: headers are never dropped silently.
 */
export function headerLines(headers, what = "headers") {
  if (headers === undefined || headers === null) return [];
  if (typeof headers !== "object") throw new TypeError(`${what} must be a Headers, a Map, an array of [name, value] pairs, a flat [name, value, …] array or an object, got ${typeName(headers)}`);
  const flat = [];
  if (Array.isArray(headers)) {
    const n = headers.length;
    if (n > MAX_LIST) throw new RangeError(`${what} has more than ${MAX_LIST} entries`);
    if (n === 0) return flat;
    const first = headers[0];
    if (Array.isArray(first)) {
      const copy = [];
      for (let i = 0; i < n; i++) copy.push(headers[i]);
      pushPairs(flat, what, copy);
      return flat;
    }
    if (n % 2 !== 0) throw new TypeError(`${what}: a flat [name, value, …] array needs an even length, got ${n}`);
    for (let i = 0; i < n; i += 2) pushLine(flat, what, headers[i], headers[i + 1]);
    return flat;
  }
  if (headers instanceof Map) {
    pushPairs(flat, what, headers.entries());
    return flat;
  }
  if (typeof headers.forEach === "function" && typeof headers.get === "function") {
    if (isFetchHeaders(headers)) {
      // The runtime's own Headers: its iterator gives [name, value] pairs of strings, names
      // lower-cased and repeated lines already combined (one loop, no callback: about 60 ns less
      // than forEach for six lines, measured 2026-11-30 on Node 20 and 24).
      // (the class's own entries(), so an own [Symbol.iterator] on the instance is not used)
      for (const pair of FetchHeaders.prototype.entries.call(headers)) pushLine(flat, what, pair[0], pair[1]);
      return flat;
    }
    // Headers look-alikes and subclasses (which may override forEach): forEach(value, name), collected flat, then checked
    const collected = [];
    headers.forEach((value, name) => {
      collected.push(name, value);
    });
    for (let i = 0; i < collected.length; i += 2) pushLine(flat, what, collected[i], collected[i + 1]);
    return flat;
  }
  if (typeof headers[Symbol.iterator] === "function") {
    pushPairs(flat, what, headers);
    return flat;
  }
  const names = Object.keys(headers);
  for (let i = 0; i < names.length; i++) {
    const value = headers[names[i]];
    if (value === undefined) continue;
    pushLine(flat, what, names[i], value);
  }
  return flat;
}

/** Appends one header line (or one per entry of an array value) to `flat`, checking its types. */
function pushLine(flat, what, name, value) {
  if (flat.length >= MAX_LIST) throw new RangeError(`${what} has more than ${MAX_LIST / 2} lines`);
  const n = typeof name === "string" && name.length <= MAX_STRING ? name : headerValue(name, `${what} name`);
  if (typeof value === "string" && value.length <= MAX_STRING) {
    flat.push(n, value);
    return;
  }
  if (Array.isArray(value)) {
    const len = value.length;
    if (len > MAX_LIST - flat.length) throw new RangeError(`${what} has more than ${MAX_LIST / 2} lines`);
    for (let i = 0; i < len; i++) pushLine(flat, what, n, value[i]);
    return;
  }
  // (the argument name is only spelled out for an error: building it per line cost more than the rest)
  flat.push(n, headerValue(value, `${what} ${JSON.stringify(n)}`));
}

/** Appends the lines of an iterable of `[name, value]` pairs to `flat`. */
function pushPairs(flat, what, iterable) {
  for (const pair of iterable) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError(`${what} must hold [name, value] pairs, got ${typeName(pair)}${Array.isArray(pair) ? ` of length ${pair.length}` : ""}`);
    pushLine(flat, what, pair[0], pair[1]);
  }
}

/**
 * The runtime's fetch `Request` class, looked up on first use: in Node, reading the global loads
 * undici (about 10 ms), which an import of this module must not pay.
 */
let FetchRequest;
function isFetchRequest(value) {
  if (FetchRequest === undefined) FetchRequest = typeof Request === "function" ? Request : null;
  return FetchRequest !== null && value instanceof FetchRequest;
}

/**
 * A `Headers` of the runtime's own class, not a subclass (which may override `forEach` or the
 * iterator), looked up on first use as `Request` above: only objects with `forEach` and `get`
 * get here, so a plain object never makes Node 20 load undici.
 */
let FetchHeaders;
function isFetchHeaders(value) {
  if (FetchHeaders === undefined) FetchHeaders = typeof Headers === "function" ? Headers : null;
  return FetchHeaders !== null && Object.getPrototypeOf(value) === FetchHeaders.prototype;
}

function requestParts(request, what = "request") {
  if (!request || typeof request !== "object") throw new TypeError(`${what} must be a Request, an IncomingMessage or { method, url, headers }, got ${typeName(request)}`);
  // (the argument names are only spelled out for an error)
  const rawMethod = request.method;
  const method = typeof rawMethod === "string" && rawMethod.length <= MAX_STRING ? rawMethod : optionalString(rawMethod, `${what}.method`) ?? "GET";
  const rawUrl = request.url ?? request.target;
  const url = typeof rawUrl === "string" && rawUrl.length <= MAX_STRING ? rawUrl : rawUrl instanceof URL ? rawUrl.href : optionalString(rawUrl, `${what}.url`) ?? "/";
  // (each read once: a fetch Request's getters are not free)
  const raw = request.rawHeaders;
  const headers = Array.isArray(raw) ? undefined : request.headers;
  // A fetch Request has an absolute URL; the request-target is its path and query.
  let target = url;
  let host = null;
  // (an origin-form target, the common case, skips both URL patterns below)
  if (url.charCodeAt(0) === 0x2f) {
    // "/…": the request-target as it is
  } else if (/^https?:\/\/[^/?#]*\//.test(url) && typeof headers?.get === "function" && isFetchRequest(request)) {
    // (only what has a Headers-like `headers` is looked at as a fetch Request: reading the
    // global loads undici on Node 20)
    // A fetch Request's url is already a serialized URL (no credentials, a path): split it
    // without parsing it again.
    const start = url.indexOf("//") + 2;
    const slash = url.indexOf("/", start);
    const hash = url.indexOf("#", slash);
    host = url.slice(start, slash);
    target = hash < 0 ? url.slice(slash) : url.slice(slash, hash);
    if (target.indexOf("?") === target.length - 1) target = target.slice(0, -1); // URL's search is "" for an empty query
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError(`${what}.url is not a valid absolute URL: ${JSON.stringify(url.slice(0, 200))}`);
    }
    target = parsed.pathname + parsed.search;
    if (/^https?:/i.test(url)) host = parsed.host;
  }
  const rawVersion = request.httpVersion ?? request.version;
  const version = rawVersion === undefined ? "1.1" : typeof rawVersion === "string" && rawVersion.length <= MAX_STRING ? rawVersion : typeof rawVersion === "number" ? String(rawVersion) : optionalString(rawVersion, `${what}.httpVersion`) ?? "1.1";
  const lines = Array.isArray(raw)
    ? headerLines(raw, what === "request" ? "request.rawHeaders" : `${what}.rawHeaders`)
    : headerLines(headers, what === "request" ? "request.headers" : `${what}.headers`);
  // fetch's Request has no Host line when the runtime keeps it in the URL.
  if (host !== null && !hasHost(lines)) lines.push("host", host);
  return { method, target, version, lines };
}

/** Whether the flat lines have a Host line (names compared ignoring case). */
function hasHost(lines) {
  for (let i = 0; i < lines.length; i += 2) {
    const name = lines[i];
    if (name.length === 4 && name.toLowerCase() === "host") return true;
  }
  return false;
}

const DEFLATE_KEYS = ["serverNoContextTakeover", "clientNoContextTakeover", "serverMaxWindowBits", "clientMaxWindowBits", "level", "threshold"];

function deflateOptions(value, name) {
  if (value === undefined || value === null || value === false) return null;
  if (value === true) return {};
  const o = optionsOf(value, name, DEFLATE_KEYS);
  const out = {
    serverNoContextTakeover: boolean(o.serverNoContextTakeover, `${name}.serverNoContextTakeover`),
    clientNoContextTakeover: boolean(o.clientNoContextTakeover, `${name}.clientNoContextTakeover`),
  };
  const s = count(o.serverMaxWindowBits, `${name}.serverMaxWindowBits`);
  const c = count(o.clientMaxWindowBits, `${name}.clientMaxWindowBits`);
  if (s !== undefined) out.serverMaxWindowBits = s;
  if (c !== undefined) out.clientMaxWindowBits = c;
  // level and threshold are the Connection's (send side); the handshake ignores them.
  return out;
}

const SERVER_KEYS = ["protocols", "requireProtocol", "origins", "requireOrigin", "perMessageDeflate", "maxHeaderBytes", "maxHeaders"];

/** What `serverOptions` gives for no options: read only (by the packed path and the core). */
let defaultServerOptions = null;

/** ServerOptions as plain data for the core, and the origin predicate (if any) to run in JS. */
function serverOptions(value, name = "options") {
  if (value === undefined || value === null) {
    if (defaultServerOptions === null) {
      const { plain } = serverOptions({});
      Object.freeze(plain.protocols);
      defaultServerOptions = { plain: Object.freeze(plain), predicate: null };
    }
    return defaultServerOptions;
  }
  const o = optionsOf(value, name, SERVER_KEYS);
  const plain = {
    protocols: stringList(o.protocols, `${name}.protocols`),
    requireProtocol: boolean(o.requireProtocol, `${name}.requireProtocol`),
    requireOrigin: boolean(o.requireOrigin, `${name}.requireOrigin`),
    perMessageDeflate: deflateOptions(o.perMessageDeflate, `${name}.perMessageDeflate`),
  };
  let predicate = null;
  if (typeof o.origins === "function") predicate = o.origins;
  else if (o.origins !== undefined && o.origins !== null) plain.origins = stringList(o.origins, `${name}.origins`);
  const maxHeaderBytes = count(o.maxHeaderBytes, `${name}.maxHeaderBytes`);
  const maxHeaders = count(o.maxHeaders, `${name}.maxHeaders`);
  if (maxHeaderBytes !== undefined) plain.maxHeaderBytes = maxHeaderBytes;
  if (maxHeaders !== undefined) plain.maxHeaders = maxHeaders;
  return { plain, predicate };
}

/**
 * Runs the origin predicate over the `Origin` values of `lines` (flat) and records the accepted
 * ones for the core. A Promise (or any thenable) is a TypeError: the checks are synchronous.
 */
function judgeOrigins(plain, predicate, lines) {
  if (!predicate) return plain;
  const accepted = [];
  const seen = new Set();
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (!/^origin$/i.test(lines[i])) continue;
    const origin = lines[i + 1];
    if (seen.has(origin)) continue;
    seen.add(origin);
    const verdict = predicate(origin);
    if (verdict !== null && (typeof verdict === "object" || typeof verdict === "function") && typeof verdict.then === "function") {
      throw new TypeError("options.origins returned a Promise: the handshake checks are synchronous. Await your origin check first and pass its result (origins: [origin] or a function returning a boolean)");
    }
    if (verdict) accepted.push(origin);
  }
  plain.originsAccepted = accepted;
  return plain;
}

// ---- packed fast paths (src/wasm/handshake.rs, src/wasm/accept_key.rs) ------------------------
//
// The common case (a valid key, an accepted request) crosses into wasm as numbers and bytes
// written into reused buffers in wasm memory, not as one string per argument, and comes back
// the same way; the outcome object is built here from what the core decided. Anything else
// (non-ASCII input, a rejection, declined offers) takes the explaining path, which also gives
// the verdicts list an accepted request shares with every other accepted one (cached).

let packedGlue = null;
let packedMemory = null;
let keyBuffer = 0;
let heap = new Uint8Array(0);
let words = new DataView(heap.buffer);
const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();
/**
 * Node's (and Bun's) Buffer, where there is one: `utf8Slice` of a Buffer over wasm memory reads
 * the packed answer's strings in about 60 % of `TextDecoder.decode` of a fresh view (measured
 * 2026-11-30, Node 20, 110 bytes; for writing, one `encodeInto` of the joined strings stayed the
 * cheapest of encodeInto, Buffer writes and a loop over the characters).
 */
const NodeBuffer = typeof globalThis.Buffer === "function" && typeof globalThis.Buffer.prototype.utf8Slice === "function" ? globalThis.Buffer : null;
/** A Buffer over the current wasm memory (re-made with `heap`), or null outside Node and Bun. */
let heapBuffer = null;
/** Bytes of the key area in the wasm key buffer; the 28-byte answer follows it. */
const KEY_AREA = 32;
/**
 * The handshake input buffer in wasm memory (src/wasm/handshake.rs `handshakeInput`): its
 * address stays the same for the instance's life at this size. The words (flags, counts, string
 * lengths) come first, the strings' bytes from WORD_AREA on; a request that needs more room
 * takes the explaining path.
 */
const INPUT_SIZE = 16 * 1024;
const WORD_AREA = 2 * 1024;
let inputBase = 0;
/** A view of the input buffer's string area (re-made with `heap`). */
let inputText = heap;

/**
 * The current glue, with `heap`/`words` viewing its memory as it is now. Growing the memory
 * detaches the old buffer, and a view of a detached buffer has length 0: that is the cheap test.
 */
function packedViews() {
  const glue = instance.glue;
  if (glue !== packedGlue) {
    packedMemory = glue.wasmMemory();
    keyBuffer = glue.acceptKeyBuffer();
    inputBase = glue.handshakeInput(INPUT_SIZE);
    packedGlue = glue;
    heap = new Uint8Array(0);
  }
  if (heap.length === 0) {
    const buffer = packedMemory.buffer;
    heap = new Uint8Array(buffer);
    words = new DataView(buffer);
    heapBuffer = NodeBuffer === null ? null : NodeBuffer.from(buffer);
    inputText = new Uint8Array(buffer, inputBase + WORD_AREA, INPUT_SIZE - WORD_AREA);
  }
  return glue;
}

/** The accept value of a valid ASCII key, or null (then the glue's acceptKey answers or explains). */
function acceptKeyFast(key) {
  const n = key.length;
  if (n > KEY_AREA) return null;
  const glue = packedViews();
  const at = keyBuffer;
  const mem = heap;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) return null;
    mem[at + i] = c;
  }
  if (!glue.acceptKeyPacked(n)) return null;
  packedViews();
  const h = heap;
  const p = at + KEY_AREA;
  return String.fromCharCode(
    h[p], h[p + 1], h[p + 2], h[p + 3], h[p + 4], h[p + 5], h[p + 6], h[p + 7], h[p + 8], h[p + 9],
    h[p + 10], h[p + 11], h[p + 12], h[p + 13], h[p + 14], h[p + 15], h[p + 16], h[p + 17], h[p + 18], h[p + 19],
    h[p + 20], h[p + 21], h[p + 22], h[p + 23], h[p + 24], h[p + 25], h[p + 26], h[p + 27],
  );
}

const NO_STRINGS = [];

/**
 * Small copies out of wasm memory share one pooled ArrayBuffer (as Node's Buffers do): a fresh
 * ArrayBuffer per 129-byte response costs more than the rest of the copy.
 */
const POOL_SIZE = 16 * 1024;
let pool = new ArrayBuffer(0);
let poolOffset = 0;

function pooledCopy(mem, start, length) {
  if (length > 1024) return mem.slice(start, start + length);
  if (poolOffset + length > pool.byteLength) {
    pool = new ArrayBuffer(POOL_SIZE);
    poolOffset = 0;
  }
  const copy = new Uint8Array(pool, poolOffset, length);
  copy.set(mem.subarray(start, start + length));
  poolOffset = (poolOffset + length + 7) & ~7;
  return copy;
}

/**
 * An accepted request passed every check, and the checks are the same for every request, so its
 * verdicts are the same list: the explaining path builds it once per fingerprint (of the check
 * names, from the core), frozen, and each outcome gets a fresh array of those frozen verdicts
 * (building twelve objects per request cost more than the checks themselves).
 */
let verdictGlue = null;
const verdictTemplates = new Map();

function acceptedVerdicts(fingerprint, count, method, target, version, lines, plain) {
  if (verdictGlue !== instance.glue) {
    verdictTemplates.clear();
    verdictGlue = instance.glue;
  }
  let template = fingerprint === 0 ? undefined : verdictTemplates.get(fingerprint);
  if (template === undefined) {
    const verdicts = instance.glue.validateRequestParts(method, target, version, lines, plain).verdicts;
    if (fingerprint === 0 || verdicts.length !== count || verdictTemplates.size > 16) return verdicts;
    template = verdicts.map((v) => Object.freeze({ check: v.check, header: v.header, passed: v.passed, rule: v.rule, rfc: v.rfc, codes: Object.freeze([]) }));
    verdictTemplates.set(fingerprint, template);
  }
  return template.slice();
}

/**
 * `validateRequest` for an accepted request: the outcome built from the core's packed answer,
 * or null when the explaining path must answer (see src/wasm/handshake.rs for the layout).
 */
function validatePacked(method, target, version, lines, plain) {
  const protocols = plain.protocols;
  const accepted = plain.originsAccepted;
  const origins = accepted ?? plain.origins ?? NO_STRINGS;
  const nProtocols = protocols.length;
  const nOrigins = origins.length;
  const nLines = lines.length;
  const nWords = 11 + nProtocols + nOrigins + nLines;
  if (nWords * 4 > WORD_AREA) return null;
  const glue = packedViews();
  const w = words;
  const base = inputBase;
  const deflate = plain.perMessageDeflate;
  let flags = (plain.requireProtocol ? 1 : 0) | (plain.requireOrigin ? 2 : 0);
  if (deflate) {
    flags |= 4 | (deflate.serverNoContextTakeover ? 8 : 0) | (deflate.clientNoContextTakeover ? 16 : 0);
  }
  if (accepted) flags |= 64;
  else if (plain.origins) flags |= 32;
  if (plain.maxHeaderBytes !== undefined) flags |= 128;
  if (plain.maxHeaders !== undefined) flags |= 256;
  w.setUint32(base, flags, true);
  w.setUint32(base + 4, deflate?.serverMaxWindowBits ?? 0xffffffff, true);
  w.setUint32(base + 8, deflate?.clientMaxWindowBits ?? 0xffffffff, true);
  w.setUint32(base + 12, plain.maxHeaderBytes ?? 0, true);
  w.setUint32(base + 16, plain.maxHeaders ?? 0, true);
  w.setUint32(base + 20, nProtocols, true);
  w.setUint32(base + 24, nOrigins, true);
  w.setUint32(base + 28, nLines, true);
  w.setUint32(base + 32, method.length, true);
  w.setUint32(base + 36, target.length, true);
  w.setUint32(base + 40, version.length, true);
  // The strings go in as one: one encodeInto costs less than a loop over their characters.
  let text = method + target + version;
  let at = base + 44;
  for (let i = 0; i < nProtocols; i++, at += 4) {
    const s = protocols[i];
    w.setUint32(at, s.length, true);
    text += s;
  }
  for (let i = 0; i < nOrigins; i++, at += 4) {
    const s = origins[i];
    w.setUint32(at, s.length, true);
    text += s;
  }
  for (let i = 0; i < nLines; i++, at += 4) {
    const s = lines[i];
    w.setUint32(at, s.length, true);
    text += s;
  }
  const total = text.length;
  if (total > INPUT_SIZE - WORD_AREA) return null;
  // ASCII only (then the lengths above are byte lengths): anything else is read and written
  // as UTF-8 by the explaining path.
  const { read, written } = textEncoder.encodeInto(text, inputText);
  if (read !== total || written !== total) return null;
  const out = glue.validateRequestPacked(nWords, WORD_AREA, total);
  if (out === 0) return null;
  packedViews();
  return unpackAccepted(heap, words, out, method, target, version, lines, plain);
}

// The cursor over a packed answer while `unpackAccepted` reads it (module state rather than
// closures: two closures per call were a measurable part of its allocations).
let unpackWords = words;
let unpackWord = 0;
let unpackText = "";
let unpackAt = 0;

/** The next string of the packed answer (its UTF-16 length is the next word). */
function next() {
  const n = unpackWords.getUint32(unpackWord, true);
  unpackWord += 4;
  const s = unpackText.slice(unpackAt, unpackAt + n);
  unpackAt += n;
  return s;
}

/** The next optional string: a presence word, then a string (null when absent). */
function optional() {
  const present = unpackWords.getUint32(unpackWord, true) !== 0;
  unpackWord += 4;
  const s = next();
  return present ? s : null;
}

/** The outcome object from the packed answer at `out` (layout: src/wasm/handshake.rs `pack_accepted`). */
function unpackAccepted(mem, w, out, method, target, version, lines, plain) {
  const nWords = w.getUint32(out, true);
  const status = w.getUint32(out + 4, true);
  const flags = w.getUint32(out + 8, true);
  const headerCount = w.getUint32(out + 20, true);
  const extensionCount = w.getUint32(out + 24, true);
  const bytesLength = w.getUint32(out + 28, true);
  const textLength = w.getUint32(out + 32, true);
  const textStart = out + nWords * 4;
  unpackText = heapBuffer !== null
    ? heapBuffer.utf8Slice(textStart, textStart + textLength)
    : textDecoder.decode(mem.subarray(textStart, textStart + textLength));
  const verdictCount = w.getUint32(out + 36, true);
  const fingerprint = w.getUint32(out + 40, true);
  unpackWords = w;
  unpackWord = out + 44;
  unpackAt = 0;
  const acceptKey = next();
  const protocol = optional();
  const extensionsHeader = optional();
  const reason = next();
  const body = next();
  const headers = new Array(headerCount);
  for (let i = 0; i < headerCount; i++) headers[i] = { name: next(), value: next() };
  const extensions = new Array(extensionCount);
  for (let i = 0; i < extensionCount; i++) {
    const name = next();
    const n = w.getUint32(unpackWord, true);
    unpackWord += 4;
    const params = new Array(n);
    for (let j = 0; j < n; j++) params[j] = { name: next(), value: optional() };
    extensions[i] = { name, params };
  }
  const deflate = (flags & 4) === 0
    ? null
    : {
      serverNoContextTakeover: (flags & 8) !== 0,
      clientNoContextTakeover: (flags & 16) !== 0,
      serverMaxWindowBits: w.getUint32(out + 12, true),
      clientMaxWindowBits: w.getUint32(out + 16, true),
    };
  const bytes = pooledCopy(mem, textStart + textLength, bytesLength);
  unpackText = "";
  const verdicts = acceptedVerdicts(fingerprint, verdictCount, method, target, version, lines, plain);
  return {
    outcome: "accept",
    acceptKey,
    protocol,
    extensions,
    extensionsHeader,
    deflate,
    response: { status, reason, headers, body, bytes },
    consumed: null,
    // Accepted::handoff in the core: a server, the agreed deflate, frames from the first byte.
    handoff: { role: "server", deflate, consumed: 0 },
    declined: [],
    verdicts,
    ok: true,
    status,
  };
}

// ---- exports ----------------------------------------------------------------------------------

/** The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2). */
export function acceptKey(key) {
  string(key, "key");
  try {
    return acceptKeyFast(key) ?? instance.glue.acceptKey(key);
  } catch (e) {
    throw trapped(e);
  }
}

/** base64(SHA-1(key + GUID)) for any string, without checking the key. */
export function acceptKeyUnchecked(key) {
  string(key, "key");
  try {
    return instance.glue.acceptKeyUnchecked(key);
  } catch (e) {
    throw trapped(e);
  }
}

/** The 20-byte SHA-1 digest of key + GUID (RFC 6455 §4.2.2). */
export function acceptDigest(key) {
  string(key, "key");
  try {
    return instance.glue.acceptDigest(key);
  } catch (e) {
    throw trapped(e);
  }
}

/** A new client key: base64 of 16 random bytes (RFC 6455 §4.1). */
export function generateKey() {
  try {
    return instance.glue.generateKey();
  } catch (e) {
    throw trapped(e);
  }
}

/** Checks a `Sec-WebSocket-Key` and returns its 16-byte nonce. */
export function validateKey(key) {
  string(key, "key");
  try {
    return instance.glue.validateKey(key);
  } catch (e) {
    throw trapped(e);
  }
}

/** The GUID of RFC 6455 §1.3. */
export function websocketGuid() {
  try {
    return instance.glue.websocketGuid();
  } catch (e) {
    throw trapped(e);
  }
}

let codeTable = null;

/**
 * The core's table of error codes: `{ code, rfc, status, closeCode, blame }` for every code a
 * `Ws101Error` or a problem can carry (a fresh copy per call).
 */
export function errorCodes() {
  try {
    codeTable ??= instance.glue.errorCodes();
  } catch (e) {
    throw trapped(e);
  }
  return codeTable.map((row) => ({ ...row }));
}

/** The current instance's linear memory (views over it are detached when it grows or is rebuilt). */
export function wasmMemory() {
  return instance.glue.wasmMemory();
}

/**
 * Validates a WebSocket upgrade request (RFC 6455 §4.2.1) and decides the answer (§4.2.2).
 * @param {Request | import("node:http").IncomingMessage | { method?: string, url?: string, httpVersion?: string, headers?: any, rawHeaders?: string[] }} request
 * @param {import("./index.d.ts").ServerOptions} [options]
 * @returns {import("./index.d.ts").ServerOutcome}
 */
export function validateRequest(request, options) {
  const { method, target, version, lines } = requestParts(request);
  const { plain, predicate } = serverOptions(options);
  judgeOrigins(plain, predicate, lines);
  try {
    return validatePacked(method, target, version, lines, plain) ?? instance.glue.validateRequestParts(method, target, version, lines, plain);
  } catch (e) {
    throw trapped(e);
  }
}

/** Reads and validates a raw request head: `{ complete: false }` until whole, then the outcome. */
export function parseRequest(input, options) {
  const view = bytes(input, "bytes");
  const { plain, predicate } = serverOptions(options);
  try {
    if (predicate) {
      // The predicate needs the Origin values: the core parses the head, JS runs the predicate.
      const head = instance.glue.classifyUpgradeHead(view);
      const lines = [];
      for (const { name, value } of head?.request?.headers ?? []) lines.push(name, value);
      judgeOrigins(plain, predicate, lines);
    }
    return instance.glue.parseRequest(view, plain);
  } catch (e) {
    throw trapped(e);
  }
}

/** RFC 8441 / RFC 9220 extended CONNECT fields (pseudo-headers included). */
export function validateExtendedConnect(fields, options) {
  const lines = headerLines(fields, "fields");
  const { plain, predicate } = serverOptions(options);
  judgeOrigins(plain, predicate, lines);
  try {
    return instance.glue.validateExtendedConnect(lines, plain);
  } catch (e) {
    throw trapped(e);
  }
}

/** Classifies an upgrade request: websocket, h2c, TLS (RFC 2817) or other (RFC 9110 §7.8). */
export function classifyUpgrade(request) {
  const { method, version, lines } = requestParts(request);
  try {
    return instance.glue.classifyUpgrade(method, version, lines);
  } catch (e) {
    throw trapped(e);
  }
}

/** A raw request head's `Upgrade` classification (the explainer's request inspector). */
export function classifyUpgradeHead(input) {
  const view = bytes(input, "bytes");
  try {
    return instance.glue.classifyUpgradeHead(view);
  } catch (e) {
    throw trapped(e);
  }
}

const CLIENT_KEYS = ["protocols", "requireProtocol", "origin", "headers", "perMessageDeflate", "key", "maxHeaderBytes", "maxHeaders"];

/**
 * The client's upgrade request for `url` (RFC 6455 §4.1); check the answer with
 * `parseResponse(bytes, request)` or `request.validateResponse(status, headers)`.
 * @returns {ClientHandshake}
 */
export function buildRequest(url, options) {
  const href = url instanceof URL ? url.href : string(url, "url");
  const o = optionsOf(options, "options", CLIENT_KEYS);
  const plain = {
    protocols: stringList(o.protocols, "options.protocols"),
    requireProtocol: boolean(o.requireProtocol, "options.requireProtocol"),
    headers: headerLines(o.headers, "options.headers"),
    perMessageDeflate: deflateOptions(o.perMessageDeflate, "options.perMessageDeflate"),
  };
  const origin = optionalString(o.origin, "options.origin");
  const key = optionalString(o.key, "options.key");
  const maxHeaderBytes = count(o.maxHeaderBytes, "options.maxHeaderBytes");
  const maxHeaders = count(o.maxHeaders, "options.maxHeaders");
  if (origin !== undefined) plain.origin = origin;
  if (key !== undefined) plain.key = key;
  if (maxHeaderBytes !== undefined) plain.maxHeaderBytes = maxHeaderBytes;
  if (maxHeaders !== undefined) plain.maxHeaders = maxHeaders;
  try {
    return instance.glue.buildRequest(href, plain);
  } catch (e) {
    throw trapped(e);
  }
}

function handshakeOf(request) {
  if (!(request instanceof instance.glue.ClientHandshake) && !(request !== null && typeof request === "object" && typeof request.parseResponse === "function" && typeof request.__wbg_ptr === "number")) {
    throw new TypeError(`request must be the ClientHandshake buildRequest returned, got ${typeName(request)}`);
  }
  return request;
}

/** Reads a server's response head for `request`: `{ complete: false }` until whole. */
export function parseResponse(input, request) {
  return handshakeOf(request).parseResponse(input);
}

/** Checks a server's response given as a status and headers (any shape headerLines takes). */
export function validateResponse(request, status, headers) {
  return handshakeOf(request).validateResponse(status, headers);
}

const FRAME_KEYS = ["fin", "rsv1", "rsv2", "rsv3", "opcode", "mask", "maskKey", "payload"];
const utf8 = new TextEncoder();

/**
 * Writes one frame from `{ fin, rsv1, rsv2, rsv3, opcode, mask, maskKey, payload }` exactly as
 * given (no rule is checked): `{ bytes, headerLength, opcodeName, maskKey, fields }`.
 */
export function encodeFrame(fields) {
  if (fields === null || typeof fields !== "object" || Array.isArray(fields)) throw new TypeError(`fields must be an object, got ${typeName(fields)}`);
  const o = optionsOf(fields, "fields", FRAME_KEYS);
  let opcode = 1;
  if (o.opcode !== undefined && o.opcode !== null) {
    if (typeof o.opcode !== "number") throw new TypeError(`fields.opcode must be a number, got ${typeName(o.opcode)}`);
    if (!Number.isInteger(o.opcode) || o.opcode < 0 || o.opcode > 15) throw new RangeError("fields.opcode must be an integer from 0 to 15");
    opcode = o.opcode;
  }
  const plain = {
    fin: boolean(o.fin, "fields.fin"),
    rsv1: boolean(o.rsv1, "fields.rsv1"),
    rsv2: boolean(o.rsv2, "fields.rsv2"),
    rsv3: boolean(o.rsv3, "fields.rsv3"),
    opcode,
    mask: boolean(o.mask, "fields.mask"),
    payload: o.payload === undefined || o.payload === null
      ? new Uint8Array(0)
      : typeof o.payload === "string" ? utf8.encode(string(o.payload, "fields.payload")) : bytes(o.payload, "fields.payload"),
  };
  if (o.maskKey !== undefined && o.maskKey !== null) {
    const key = bytes(o.maskKey, "fields.maskKey");
    if (key.length !== 4) throw new RangeError("fields.maskKey must be 4 bytes");
    plain.maskKey = key;
  }
  try {
    return instance.glue.encodeFrame(plain);
  } catch (e) {
    throw trapped(e);
  }
}

/**
 * Lists the frames in `bytes` as received by `role` ("server" or "client"), stopping at the
 * first frame that breaks a rule of RFC 6455 §5.1–§5.5, and after `options.limit` frames
 * (default 10,000, at most 100,000; `truncated` then says more follow from `nextOffset`):
 * `{ frames, error, partialHeader, truncated, nextOffset }`.
 */
export function decodeFrames(input, role, options) {
  const view = bytes(input, "bytes");
  if (role !== "server" && role !== "client") throw new TypeError(`role must be "server" or "client", got ${typeof role === "string" ? JSON.stringify(role.slice(0, 40)) : typeName(role)}`);
  const o = optionsOf(options, "options", ["limit"]);
  const limit = count(o.limit, "options.limit") ?? DEFAULT_FRAME_LIMIT;
  if (limit > MAX_FRAME_LIMIT) throw new RangeError(`options.limit must be at most ${MAX_FRAME_LIMIT} (list more by calling again from nextOffset)`);
  let table;
  try {
    table = instance.glue.decodeFrameTable(view, role, limit);
  } catch (e) {
    throw trapped(e);
  }
  const { records, fields, fieldNames, opcodeNames, payloads } = table;
  const n = records.length / 10;
  const frames = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = i * 10;
    const flags = records[r + 2];
    const opcode = records[r + 3];
    const key = records[r + 4];
    const start = records[r + 6];
    const fieldStart = records[r + 8] * 4;
    const fieldEnd = fieldStart + records[r + 9] * 4;
    const list = [];
    for (let f = fieldStart; f < fieldEnd; f += 4) {
      list.push({ name: fieldNames[fields[f]], bitOffset: fields[f + 1], bitLength: fields[f + 2], value: fields[f + 3] });
    }
    frames[i] = {
      offset: records[r],
      headerLength: records[r + 1],
      fin: (flags & 1) !== 0,
      rsv1: (flags & 2) !== 0,
      rsv2: (flags & 4) !== 0,
      rsv3: (flags & 8) !== 0,
      opcode,
      opcodeName: opcodeNames[opcode],
      masked: (flags & 16) !== 0,
      maskKey: key < 0 ? null : new Uint8Array([key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff]),
      payloadLength: records[r + 5],
      payload: payloads.subarray(start, start + records[r + 7]),
      complete: (flags & 32) !== 0,
      rejected: (flags & 64) !== 0,
      fields: list,
    };
  }
  return { frames, error: table.error, partialHeader: table.partialHeader, truncated: table.truncated, nextOffset: table.nextOffset };
}

// ---- the glue's classes: their methods take caller values too ----------------------------------

/**
 * `ClientHandshake.prototype.parseResponse` / `validateResponse` read their arguments here first
 * (bytes checked, headers of any shape flattened), for every instance the process builds.
 */
const GUARDED = Symbol.for("ws101 guarded");

function guardClasses(glue) {
  if (glue.ClientHandshake === undefined) return; // ws101/handshake's glue: no client half
  const proto = glue.ClientHandshake.prototype;
  // Once per glue copy: ws101/init and ws101 loaded together share the start-up glue.
  if (Object.hasOwn(proto, GUARDED)) return;
  Object.defineProperty(proto, GUARDED, { value: true });
  const parse = proto.parseResponse;
  const validate = proto.validateResponse;
  Object.defineProperty(proto, "parseResponse", {
    configurable: true,
    writable: true,
    value: function parseResponse(input) {
      const view = bytes(input, "bytes");
      try {
        return parse.call(this, view);
      } catch (e) {
        throw trapped(e);
      }
    },
  });
  Object.defineProperty(proto, "validateResponse", {
    configurable: true,
    writable: true,
    value: function validateResponse(status, headers) {
      if (typeof status !== "number") throw new TypeError(`status must be a number, got ${typeName(status)}`);
      const lines = headerLines(headers, "headers");
      try {
        return validate.call(this, status, lines);
      } catch (e) {
        throw trapped(e);
      }
    },
  });
}

// The start-up glue's classes, whether or not it is instantiated yet (an entry that instantiates on
// first use, or ws101/init before init(): `instance.glue` is then a stand-in).
guardClasses(instance.initialGlue());
instance.onRebuild((glue) => {
  guardClasses(glue);
  ClientHandshake = glue.ClientHandshake;
  RawConnection = glue.RawConnection;
});

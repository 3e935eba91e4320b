// No input from JavaScript may trap the wasm instance: a trap ("unreachable", a Rust panic or an
// allocation failure under panic=abort) kills the one shared instance for every later call. Every
// export and every method is called with arbitrary values; each call must return or throw a
// Ws101Error, TypeError or RangeError, and the instance must still answer the RFC 6455 §1.3 vector.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as ws101 from "ws101";
import { isTrap, recover } from "../../pkg/instance.mjs";

const {
  acceptKey, acceptKeyUnchecked, acceptDigest, generateKey, validateKey, websocketGuid,
  validateRequest, parseRequest, validateExtendedConnect, classifyUpgrade, classifyUpgradeHead,
  buildRequest, parseResponse, validateResponse, encodeFrame, decodeFrames, headerLines,
  Connection, RawConnection, ClientHandshake, isWs101Error, wasmMemory,
} = ws101;

const RUNS = Number(process.env.WS101_ROBUST_RUNS ?? 150);
/** Rounds of the hostile sweep below (each round: every hostile value into every argument of every export). */
const SWEEP_ROUNDS = Number(process.env.WS101_ROBUST_SWEEP ?? 40);
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/** Thrown on purpose by hostile getters and callbacks below: may pass through unchanged. */
class Boom extends Error {}

let calls = 0;
/** Runs `fn`; a trap fails the test, any error other than the allowed kinds too. */
function safe(label, fn) {
  calls++;
  try {
    return fn();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      assert.fail(`${label}: wasm trap ${e.message}\n${e.stack}`);
    }
    // wasm-bindgen's own guard for a method called on a freed RawConnection / ClientHandshake.
    const freed = label.startsWith("RawConnection.") && e?.message === "null pointer passed to rust";
    // Never a trap-shaped wasm-bindgen error ("recursive use…", "attempted to take ownership…").
    const allowed = isWs101Error(e) || e instanceof TypeError || e instanceof RangeError || e instanceof Boom || freed;
    assert.ok(allowed, `${label}: unexpected ${e?.constructor?.name}: ${e?.message}`);
    return undefined;
  } finally {
    alive(label);
  }
}

function alive(label) {
  let got;
  try {
    got = acceptKey(KEY);
  } catch (e) {
    assert.fail(`instance dead after ${label}: ${e?.message}`);
  }
  assert.equal(got, ACCEPT, `instance broken after ${label}`);
}

// ---- arbitraries ------------------------------------------------------------------------------

const HUGE_STRING = "\u00e9".repeat(1 << 19); // 1 MiB of UTF-8
// 1 MiB: one masked binary frame header with a 64-bit length, then its payload (0x81 filler).
const HUGE_BYTES = new Uint8Array(1 << 20).fill(0x81);
HUGE_BYTES.set([0x82, 0xff, 0, 0, 0, 0, 0, 0x0f, 0xff, 0xf2, 1, 2, 3, 4]);
const loneSurrogates = fc.constantFrom("\uD800", "\uDFFF", "a\uD83D", "\uDE00b", "\uD800\uD800x");
const weirdNumbers = fc.constantFrom(NaN, -1, -0, 0, 0.5, 1.5, 2 ** 31, 2 ** 32, 2 ** 32 - 1, 2 ** 53, 2 ** 63, -(2 ** 53), Infinity, -Infinity, 65535, 65536, 1000, 1005, 1006, 1015, 3000, 4999, 5000, 101, 8, 15, 16, 255, 256);
const str = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: loneSurrogates },
  { weight: 2, arbitrary: fc.constantFrom("", KEY, "ws://a/", "wss://[::1]:443/p?q", "http://x", "chat", "permessage-deflate", "Upgrade", "websocket", "GET", "1.1", "HTTP/1.1", "server", "client", "\r\n", "a\r\nb: c", "\0") },
  { weight: 1, arbitrary: fc.constant(HUGE_STRING) },
);
const bytes = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.constant(HUGE_BYTES) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
);
const hostiles = () => [
  // throws for string keys only (fast-check probes symbol keys of generated values)
  new Proxy({}, {
    get(t, k) { if (typeof k === "string") throw new Boom(`get ${k}`); return undefined; },
    has(t, k) { if (typeof k === "string") throw new Boom(`has ${k}`); return false; },
    ownKeys() { throw new Boom("ownKeys"); },
  }),
  Object.create(null),
  { toString() { throw new Boom("toString"); } },
  { [Symbol.toPrimitive]() { return 7; } },
  Object.defineProperty({}, "protocols", { get() { throw new Boom("getter"); }, enumerable: true }),
  new Headers({ a: "b" }),
  new ArrayBuffer(8),
  new DataView(new ArrayBuffer(4)),
  new Uint16Array([1, 2, 3]),
  [[1, 2], [3]],
  () => true,
  Symbol("s"),
  10n,
];
// Built per use (fast-check itself probes constants, which a hostile Proxy would break).
const hostile = fc.nat({ max: hostiles().length - 1 }).map((i) => hostiles()[i]);
const scalar = fc.oneof(str, weirdNumbers, fc.double(), fc.integer(), fc.boolean(), fc.constantFrom(undefined, null));
const value = fc.oneof(
  { weight: 3, arbitrary: scalar },
  { weight: 2, arbitrary: bytes },
  { weight: 1, arbitrary: hostile },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.dictionary(str, scalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);
const args = fc.array(value, { maxLength: 4 });
const stringList = fc.array(fc.oneof(str, loneSurrogates), { maxLength: 8 });
const deflate = fc.oneof(
  fc.constantFrom(null, undefined, true, false, {}),
  fc.record({
    serverNoContextTakeover: fc.oneof(fc.boolean(), value),
    clientNoContextTakeover: fc.oneof(fc.boolean(), value),
    serverMaxWindowBits: fc.oneof(fc.integer({ min: 0, max: 20 }), weirdNumbers, value),
    clientMaxWindowBits: fc.oneof(fc.integer({ min: 0, max: 20 }), weirdNumbers, value),
  }, { requiredKeys: [] }),
);
const serverOptions = fc.record({
  protocols: fc.oneof(stringList, value),
  requireProtocol: value,
  origins: fc.oneof(stringList, fc.constant((o) => { throw new Boom(o); }), fc.constant(() => acceptKey(KEY) === ACCEPT), value),
  requireOrigin: value,
  perMessageDeflate: fc.oneof(deflate, value),
  maxHeaderBytes: fc.oneof(weirdNumbers, value),
  maxHeaders: fc.oneof(weirdNumbers, value),
}, { requiredKeys: [] });
const headers = fc.oneof(
  fc.array(fc.tuple(str, str), { maxLength: 10 }),
  stringList,
  fc.dictionary(str, fc.oneof(str, stringList), { maxKeys: 6 }),
  value,
);
const requestLike = fc.oneof(
  fc.record({
    method: fc.oneof(str, value), url: fc.oneof(str, value), target: fc.oneof(str, value),
    httpVersion: fc.oneof(str, value), version: fc.oneof(str, value),
    headers, rawHeaders: fc.oneof(stringList, value),
  }, { requiredKeys: [] }),
  value,
);
/** Raw request heads, valid or nearly so, plus noise. */
const requestHead = fc.oneof(
  bytes,
  fc.tuple(fc.constantFrom("GET", "POST", "CONNECT", "G\0T", ""), str, fc.array(fc.tuple(str, str), { maxLength: 8 }), fc.boolean()).map(([m, t, hs, end]) =>
    Buffer.from(`${m} /${t} HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${hs.map(([n, v]) => `${n}: ${v}\r\n`).join("")}${end ? "\r\n" : ""}`)),
);
const frameOptions = fc.record({
  fin: value, rsv1: value, rsv2: value, rsv3: value,
  opcode: fc.oneof(fc.integer({ min: 0, max: 15 }), weirdNumbers, value),
  mask: value, maskKey: fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), bytes, value),
  payload: fc.oneof(bytes, value),
}, { requiredKeys: [] });
const connectionOptions = fc.record({
  role: fc.oneof(fc.constantFrom("server", "client"), value),
  maxMessageSize: fc.oneof(fc.integer({ min: 0, max: 1 << 20 }), weirdNumbers, value),
  maxPayload: fc.oneof(fc.integer({ min: 0, max: 1 << 20 }), weirdNumbers, value),
  maxFrameSize: fc.oneof(fc.integer({ min: 0, max: 1 << 20 }), weirdNumbers, value),
  autoPong: value, autoClose: value,
  fragmentSize: fc.oneof(fc.integer({ min: 0, max: 100 }), weirdNumbers, value),
  deflate: fc.oneof(deflate, fc.record({
    serverNoContextTakeover: fc.boolean(), clientNoContextTakeover: fc.boolean(),
    serverMaxWindowBits: fc.integer({ min: 8, max: 15 }), clientMaxWindowBits: fc.integer({ min: 8, max: 15 }),
  })),
  deflateLevel: fc.oneof(fc.integer({ min: -2, max: 12 }), weirdNumbers, value),
  deflateThreshold: fc.oneof(fc.integer({ min: 0, max: 64 }), weirdNumbers, value),
  binaryType: fc.oneof(fc.constantFrom("uint8array", "arraybuffer", "nodebuffer"), value),
  views: value, textAsBytes: value,
}, { requiredKeys: [] });

/** Frames a peer might send: well-formed (masked or not, any opcode/RSV) or noise. */
const wireChunk = fc.oneof(
  { weight: 3, arbitrary: frameOptions.map((o) => { try { return encodeFrame(o).bytes; } catch { return new Uint8Array([0x81, 0x80, 1, 2, 3, 4]); } }) },
  { weight: 2, arbitrary: fc.record({ fin: fc.boolean(), rsv1: fc.boolean(), opcode: fc.constantFrom(0, 1, 2, 8, 9, 10), mask: fc.boolean(), payload: fc.uint8Array({ maxLength: 140 }) }).map((o) => encodeFrame(o).bytes) },
  { weight: 1, arbitrary: fc.constantFrom(
    new Uint8Array([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // 2^63 - 1, unmasked
    new Uint8Array([0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]), // MSB set
    new Uint8Array([0xc1, 0x85, 0, 0, 0, 0, 0xf2, 0x48, 0xcd, 0xc9, 0xc9]), // RSV1 garbage
    new Uint8Array([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]),
  ) },
  { weight: 2, arbitrary: bytes },
);

/** One step of a Connection's life with arbitrary arguments. */
const connectionCommand = fc.oneof(
  wireChunk.map((c) => ["receive", [c]]),
  fc.tuple(wireChunk, fc.integer({ min: 1, max: 7 })).map(([c, n]) => ["receiveSplit", [c, n]]),
  value.map((v) => ["receive", [v]]),
  fc.constant(["receiveEof", []]),
  fc.constant(["takeOutput", []]),
  fc.oneof(str, bytes, value).map((v) => ["sendText", [v]]),
  fc.oneof(bytes, value).map((v) => ["sendBinary", [v]]),
  fc.tuple(fc.oneof(str, bytes, value), value).map((a) => ["sendMessage", a]),
  fc.oneof(bytes, str, value).map((v) => ["ping", [v]]),
  fc.oneof(bytes, str, value).map((v) => ["pong", [v]]),
  fc.tuple(fc.oneof(weirdNumbers, fc.integer({ min: 0, max: 70000 }), value), fc.oneof(str, value)).map((a) => ["close", a]),
  fc.constant(["state", []]), fc.constant(["wasClean", []]), fc.constant(["shouldCloseTransport", []]),
  value.map((v) => ["binaryType=", [v]]),
  fc.constant(["free", []]),
);

function runConnection(conn, commands) {
  for (const [name, a] of commands) {
    const label = `Connection.${name}`;
    safe(label, () => {
      switch (name) {
        case "receiveSplit": {
          const [chunk, n] = a;
          for (let i = 0; i < chunk.length; i += n) conn.receive(chunk.subarray(i, i + n));
          return;
        }
        case "state": case "wasClean": case "shouldCloseTransport": return conn[name];
        case "binaryType=": conn.binaryType = a[0]; return;
        default: return conn[name](...a);
      }
    });
  }
}

// ---- properties -------------------------------------------------------------------------------

const prop = (name, arb, body, runs = RUNS) =>
  test(name, () => {
    fc.assert(fc.property(arb, body), { numRuns: runs });
    alive(name);
  });

prop("key functions take any value", args, (a) => {
  for (const [name, f] of Object.entries({ acceptKey, acceptKeyUnchecked, acceptDigest, validateKey, generateKey, websocketGuid, headerLines, isWs101Error, wasmMemory })) {
    safe(name, () => f(...a));
  }
});

prop("request validation takes any request and options", fc.tuple(requestLike, serverOptions, value), ([req, opts, extra]) => {
  safe("validateRequest", () => validateRequest(req, opts));
  safe("validateRequest(extra)", () => validateRequest(req, extra));
  safe("classifyUpgrade", () => classifyUpgrade(req));
  safe("validateExtendedConnect", () => validateExtendedConnect(req?.headers ?? req, opts));
  safe("validateExtendedConnect(extra)", () => validateExtendedConnect(extra, extra));
});

prop("raw heads: parseRequest and classifyUpgradeHead in any split", fc.tuple(requestHead, serverOptions, value, fc.integer({ min: 1, max: 50 })), ([head, opts, extra, step]) => {
  safe("parseRequest", () => parseRequest(head, opts));
  safe("parseRequest(extra)", () => parseRequest(extra, extra));
  safe("classifyUpgradeHead", () => classifyUpgradeHead(head));
  safe("classifyUpgradeHead(extra)", () => classifyUpgradeHead(extra));
  for (let i = step; i < Math.min(head.length, 400); i += step) safe("parseRequest prefix", () => parseRequest(head.subarray(0, i), opts));
});

const clientOptions = fc.record({
  protocols: fc.oneof(stringList, value), origin: fc.oneof(str, value), headers,
  perMessageDeflate: fc.oneof(deflate, value), key: fc.oneof(fc.constant(KEY), str, value),
  maxHeaderBytes: fc.oneof(weirdNumbers, value),
}, { requiredKeys: [] });
const responseHead = fc.tuple(fc.oneof(fc.integer({ min: 0, max: 999 }), weirdNumbers), fc.array(fc.tuple(str, str), { maxLength: 6 }), fc.boolean()).map(([status, hs, end]) =>
  Buffer.from(`HTTP/1.1 ${status} X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${ACCEPT}\r\n${hs.map(([n, v]) => `${n}: ${v}\r\n`).join("")}${end ? "\r\n" : ""}`));

prop("client handshake: buildRequest, every ClientHandshake member, parseResponse, validateResponse", fc.tuple(fc.oneof(str, value), clientOptions, fc.oneof(responseHead, bytes, value), fc.oneof(weirdNumbers, fc.integer(), value), headers), ([url, opts, response, status, hs]) => {
  const request = safe("buildRequest", () => buildRequest(url, opts)) ?? safe("buildRequest ok", () => buildRequest("ws://127.0.0.1:1/x", opts)) ?? buildRequest("ws://a/");
  assert.ok(request instanceof ClientHandshake);
  for (const getter of ["bytes", "key", "expectedAccept", "host", "port", "secure", "resource", "headers"]) safe(`ClientHandshake.${getter}`, () => request[getter]);
  safe("parseResponse", () => parseResponse(response, request));
  safe("ClientHandshake.parseResponse", () => request.parseResponse(response));
  safe("validateResponse", () => validateResponse(request, status, hs));
  safe("ClientHandshake.validateResponse", () => request.validateResponse(status, hs));
  safe("parseResponse(bad request)", () => parseResponse(response, status));
});

prop("frames: encodeFrame and decodeFrames", fc.tuple(frameOptions, fc.oneof(bytes, wireChunk, value), fc.oneof(fc.constantFrom("server", "client"), value)), ([opts, capture, role]) => {
  const frame = safe("encodeFrame", () => encodeFrame(opts));
  safe("encodeFrame(any)", () => encodeFrame(capture));
  safe("decodeFrames", () => decodeFrames(capture, role));
  if (frame) {
    safe("decodeFrames(own)", () => decodeFrames(frame.bytes, "server"));
    safe("decodeFrames(own client)", () => decodeFrames(frame.bytes, "client"));
  }
});

prop("Connection: any options, any sequence of calls, both roles", fc.tuple(connectionOptions, fc.array(connectionCommand, { maxLength: 12 })), ([opts, commands]) => {
  for (const role of ["server", "client"]) {
    const conn = safe("new Connection", () => new Connection({ ...opts, role })) ?? new Connection({ role });
    runConnection(conn, commands);
    safe("Connection.free", () => conn.free());
  }
  safe("new Connection(raw options)", () => new Connection(opts));
}, Math.max(50, RUNS));

prop("Connection with deflate: compressed traffic both ways", fc.tuple(
  fc.record({ serverNoContextTakeover: fc.boolean(), clientNoContextTakeover: fc.boolean(), serverMaxWindowBits: fc.integer({ min: 8, max: 15 }), clientMaxWindowBits: fc.integer({ min: 8, max: 15 }) }),
  fc.array(fc.oneof(str, bytes), { minLength: 1, maxLength: 5 }),
  fc.array(connectionCommand, { maxLength: 6 }),
), ([params, messages, noise]) => {
  const client = new Connection({ role: "client", deflate: params, maxMessageSize: 1 << 20 });
  const server = new Connection({ role: "server", deflate: params, maxMessageSize: 1 << 20 });
  for (const m of messages) {
    const wire = safe("client.send", () => (typeof m === "string" ? client.sendText(m) : client.sendBinary(m)));
    if (wire) safe("server.receive", () => server.receive(wire));
    const back = safe("server.sendMessage", () => server.sendMessage(m));
    if (back) for (const chunk of back) safe("client.receive", () => client.receive(chunk));
  }
  runConnection(server, noise);
  runConnection(client, noise);
  client.free();
  server.free();
}, Math.max(30, Math.floor(RUNS / 3)));

const rawCommand = fc.oneof(
  fc.oneof(weirdNumbers, fc.integer({ min: 0, max: 256 }), value).map((n) => ["inputBuffer", [n]]),
  fc.oneof(weirdNumbers, fc.integer({ min: 0, max: 256 }), value).map((n) => ["receive", [n]]),
  fc.constant(["receiveEof", []]), fc.constant(["records", []]), fc.constant(["outputLength", []]), fc.constant(["takeOutput", []]),
  fc.oneof(weirdNumbers, fc.integer({ min: -5, max: 40 }), value).map((n) => ["error", [n]]),
  fc.oneof(str, value).map((v) => ["sendText", [v]]),
  fc.oneof(bytes, value).map((v) => ["sendTextBytes", [v]]),
  fc.tuple(value, fc.oneof(weirdNumbers, fc.integer({ min: 0, max: 1 << 20 }), value)).map((a) => ["sendHeaderOnly", a]),
  fc.tuple(value, fc.oneof(weirdNumbers, fc.integer({ min: 0, max: 1 << 17 }), value)).map((a) => ["sendHeaderWord", a]),
  fc.oneof(bytes, value).map((v) => ["sendBinary", [v]]),
  fc.tuple(value, fc.oneof(weirdNumbers, fc.integer({ min: 0, max: 300 }), value)).map((a) => ["frameInPlace", a]),
  fc.tuple(value, fc.oneof(weirdNumbers, fc.integer({ min: 0, max: 300 }), value)).map((a) => ["sendInPlace", a]),
  fc.tuple(value, fc.oneof(weirdNumbers, fc.integer({ min: 0, max: 1 << 20 }), value)).map((a) => ["beginMessage", a]),
  fc.tuple(fc.oneof(weirdNumbers, fc.integer({ min: 0, max: 300 }), value), value).map((a) => ["sendPartInPlace", a]),
  fc.oneof(bytes, value).map((v) => ["ping", [v]]),
  fc.oneof(bytes, value).map((v) => ["pong", [v]]),
  fc.tuple(fc.oneof(weirdNumbers, fc.integer({ min: -1, max: 70000 }), value), fc.oneof(str, value)).map((a) => ["close", a]),
  fc.constant(["state", []]), fc.constant(["wasClean", []]), fc.constant(["shouldCloseTransport", []]),
  fc.constant(["free", []]),
  wireChunk.map((c) => ["feed", [c]]),
);

prop("RawConnection directly: lengths beyond the buffer, negative, NaN, huge; odd indices and codes", fc.tuple(value, fc.oneof(connectionOptions, value), fc.array(rawCommand, { maxLength: 14 })), ([server, config, commands]) => {
  const raw = safe("new RawConnection", () => new RawConnection(server, config)) ?? new RawConnection(!!server, {});
  for (const [name, a] of commands) {
    safe(`RawConnection.${name}`, () => {
      if (name === "feed") {
        const ptr = raw.inputBuffer(a[0].length);
        new Uint8Array(wasmMemory().buffer, ptr, a[0].length).set(a[0]);
        return raw.receive(a[0].length);
      }
      return raw[name](...a);
    });
  }
  safe("RawConnection.free", () => raw.free());
}, Math.max(50, RUNS));

test("RawConnection: allocation failures are RangeErrors, not traps", () => {
  const raw = new RawConnection(true, {});
  for (const n of [2 ** 32 - 1, 2 ** 32, 2 ** 53, -1, NaN, Infinity, 0.5]) {
    assert.throws(() => raw.inputBuffer(n), RangeError, `inputBuffer(${n})`);
    alive(`inputBuffer(${n})`);
  }
  assert.throws(() => raw.close(70000, ""), RangeError);
  assert.throws(() => raw.sendHeaderOnly(true, -1), RangeError);
  assert.throws(() => buildRequest("ws://a/").validateResponse(65637, []), RangeError, "65637 must not wrap to 101");
  assert.equal(raw.error(2 ** 31), null);
  raw.free();
  assert.ok(calls > 0);
});

test("RawConnection.receive: a length past the input buffer is a RangeError, not 'more' forever", () => {
  const raw = new RawConnection(true, {});
  const ptr = raw.inputBuffer(4);
  new Uint8Array(wasmMemory().buffer, ptr, 4).set([0x82, 0x80, 1, 2]); // a masked binary frame, key cut short
  const size = 256 * 1024; // the shared input window
  for (const n of [size + 1, 2 ** 31, -1, NaN]) {
    assert.throws(() => raw.receive(n), RangeError, `receive(${n})`);
  }
  const MORE = 2 ** 31;
  assert.equal(raw.receive(4) & MORE, 0, "a length inside the buffer is read to its end");
  raw.free();
});

// ---- the hostile sweep ------------------------------------------------------------------------
// A JS exception that unwinds through wasm frames skips Rust's stack-pointer restore: each one
// leaks stack, and after ~1,000 of them every call fails with "memory access out of bounds". So
// every caller value must be read in JS before Rust runs. This sweep throws from getters,
// Proxies, iterators, toString, predicates and thenables into every argument of every export,
// thousands of times, then checks that the instance still answers, that a Connection still
// round-trips, and that wasm memory stayed flat.

const hostileSweep = () => {
  const boom = (what) => () => { throw new Boom(what); };
  const getterTrap = (keys) => Object.defineProperties({}, Object.fromEntries(keys.map((k) => [k, { get: boom(`get ${k}`), enumerable: true }])));
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  return [
    new Proxy({}, { get: boom("get"), has: boom("has"), ownKeys: boom("ownKeys"), getOwnPropertyDescriptor: boom("gopd"), getPrototypeOf: boom("proto") }),
    new Proxy([], { get(t, k) { if (k === "length") return 3; throw new Boom(`array get ${String(k)}`); } }),
    new Proxy(["a", "b"], { get(t, k) { if (k === Symbol.iterator) return boom("array iterator"); return Reflect.get(t, k); } }),
    new Proxy(new Uint8Array(8), { get: boom("typed array get") }),
    revoked,
    { [Symbol.iterator]: boom("iterator") },
    { *[Symbol.iterator]() { yield "x"; throw new Boom("iterator step"); } },
    { *[Symbol.iterator]() { yield ["a", "b"]; throw new Boom("pair iterator step"); } },
    { forEach: boom("forEach"), get() {} },
    new Map([["a", { toString: boom("map value toString") }]]),
    [["a", { toString: boom("pair value toString") }]],
    [{ toString: boom("flat toString") }, "v"],
    { toString: boom("toString"), valueOf: boom("valueOf"), [Symbol.toPrimitive]: boom("toPrimitive") },
    getterTrap(["protocols", "origins", "origin", "headers", "perMessageDeflate", "key", "maxHeaderBytes", "maxHeaders", "requireProtocol", "requireOrigin", "limit"]),
    getterTrap(["fin", "rsv1", "opcode", "mask", "maskKey", "payload"]),
    getterTrap(["method", "url", "httpVersion", "headers", "rawHeaders"]),
    { perMessageDeflate: getterTrap(["serverNoContextTakeover", "clientMaxWindowBits"]) },
    { protocols: new Proxy([], { get(t, k) { if (k === "length") return 2 ** 32 - 1; return "p"; } }) },
    { origins: boom("origin predicate") },
    { origins: () => Promise.resolve(true) },
    { origins: () => ({ get then() { throw new Boom("then getter"); } }) },
    { length: 2 ** 31 },
    { length: 2 ** 32 + 5 },
    { length: -1 },
    Object.defineProperty(new Uint8Array(4), "length", { get: boom("own length") }),
    new Uint16Array([1, 2, 3]),
    new DataView(new ArrayBuffer(3)),
    Symbol("s"),
    10n,
    () => {},
    NaN,
  ];
};

const RAW_HEAD = Buffer.from(`GET /chat HTTP/1.1\r\nHost: a\r\nOrigin: https://a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
const GOOD_REQUEST = { method: "GET", url: "/chat", headers: { host: "a", origin: "https://a.example", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "13" } };

/** Every export and method, each argument position taking the hostile value `h`. */
const sweepTargets = (handshake) => [
  ["acceptKey", (h) => acceptKey(h)],
  ["acceptKeyUnchecked", (h) => acceptKeyUnchecked(h)],
  ["acceptDigest", (h) => acceptDigest(h)],
  ["validateKey", (h) => validateKey(h)],
  ["headerLines", (h) => headerLines(h)],
  ["validateRequest(request)", (h) => validateRequest(h)],
  ["validateRequest(options)", (h) => validateRequest(GOOD_REQUEST, h)],
  ["validateRequest(protocols)", (h) => validateRequest(GOOD_REQUEST, { protocols: h })],
  ["validateRequest(origins)", (h) => validateRequest(GOOD_REQUEST, { origins: h })],
  ["validateRequest(perMessageDeflate)", (h) => validateRequest(GOOD_REQUEST, { perMessageDeflate: h })],
  ["validateRequest(headers)", (h) => validateRequest({ method: "GET", url: "/", headers: h })],
  ["validateRequest(rawHeaders)", (h) => validateRequest({ method: "GET", url: "/", rawHeaders: h })],
  ["parseRequest(bytes)", (h) => parseRequest(h)],
  ["parseRequest(options)", (h) => parseRequest(RAW_HEAD, h)],
  ["parseRequest(origins)", (h) => parseRequest(RAW_HEAD, { origins: h })],
  ["validateExtendedConnect(fields)", (h) => validateExtendedConnect(h)],
  ["validateExtendedConnect(options)", (h) => validateExtendedConnect({ ":method": "CONNECT", ":protocol": "websocket", origin: "https://a.example" }, h)],
  ["classifyUpgrade", (h) => classifyUpgrade(h)],
  ["classifyUpgradeHead", (h) => classifyUpgradeHead(h)],
  ["buildRequest(url)", (h) => buildRequest(h)],
  ["buildRequest(options)", (h) => buildRequest("ws://a/", h)],
  ["buildRequest(headers)", (h) => buildRequest("ws://a/", { headers: h })],
  ["buildRequest(protocols)", (h) => buildRequest("ws://a/", { protocols: h })],
  ["buildRequest(perMessageDeflate)", (h) => buildRequest("ws://a/", { perMessageDeflate: h })],
  ["parseResponse(bytes)", (h) => parseResponse(h, handshake)],
  ["parseResponse(request)", (h) => parseResponse(Buffer.from("HTTP/1.1 101 X\r\n\r\n"), h)],
  ["ClientHandshake.parseResponse", (h) => handshake.parseResponse(h)],
  ["ClientHandshake.validateResponse(status)", (h) => handshake.validateResponse(h, [])],
  ["ClientHandshake.validateResponse(headers)", (h) => handshake.validateResponse(101, h)],
  ["validateResponse(headers)", (h) => validateResponse(handshake, 101, h)],
  ["encodeFrame", (h) => encodeFrame(h)],
  ["encodeFrame(payload)", (h) => encodeFrame({ opcode: 2, payload: h })],
  ["encodeFrame(maskKey)", (h) => encodeFrame({ opcode: 2, mask: true, maskKey: h })],
  ["decodeFrames(bytes)", (h) => decodeFrames(h, "client")],
  ["decodeFrames(role)", (h) => decodeFrames(new Uint8Array([0x81, 0]), h)],
  ["decodeFrames(options)", (h) => decodeFrames(new Uint8Array([0x81, 0]), "client", h)],
];

/** The Connection's entry points (js/connection.mjs, src/wasm/connection.rs). */
const connectionTargets = (conn) => [
  ["new Connection", (h) => new Connection(h).free()],
  ["new Connection(deflate)", (h) => new Connection({ deflate: h }).free()],
  ["Connection.sendText", (h) => conn.sendText(h)],
  ["Connection.sendBinary", (h) => conn.sendBinary(h)],
  ["Connection.sendMessage", (h) => conn.sendMessage(h)],
  ["Connection.ping", (h) => conn.ping(h)],
  ["Connection.close", (h) => new Connection({ role: "client" }).close(1000, h)],
  ["Connection.receive", (h) => conn.receive(h)],
];

test("hostile sweep: thousands of throwing getters, Proxies, iterators and wrong types into every export", () => {
  const handshake = buildRequest("ws://a/x");
  const targets = sweepTargets(handshake);
  const sweep = () => {
    for (const [name, call] of targets) {
      for (const h of hostileSweep()) safe(name, () => call(h));
    }
  };
  sweep(); // warm-up: every buffer the calls need is allocated once
  const warm = wasmMemory().buffer.byteLength;
  const before = calls;
  const started = performance.now();
  for (let round = 0; round < SWEEP_ROUNDS; round++) sweep();
  const hostileCalls = calls - before;
  const grown = wasmMemory().buffer.byteLength - warm;
  handshake.free();
  assert.ok(hostileCalls >= 20_000 || SWEEP_ROUNDS < 40, `only ${hostileCalls} hostile calls`);
  assert.ok(grown <= 4 << 20, `wasm memory grew by ${grown} B over ${hostileCalls} hostile calls`);
  // Still whole: the RFC vector, and a Connection round trip both ways.
  alive("the sweep");
  const client = new Connection({ role: "client" });
  const server = new Connection({ role: "server" });
  assert.deepEqual(server.receive(client.sendText("still here")), [{ type: "text", data: "still here" }]);
  assert.deepEqual([...client.receive(server.sendBinary(new Uint8Array([7, 8])))[0].data], [7, 8]);
  client.free();
  server.free();
  console.log(`# hostile sweep: ${hostileCalls} calls in ${Math.round(performance.now() - started)} ms, wasm memory +${grown} B`);
});

// The receive path is being rewritten (js/connection.mjs, src/wasm/connection.rs): its entry
// points still pass caller values to the glue unread (`{ length: 2 ** 31 }` into sendText traps in
// wasm-bindgen's malloc; a deflate object's getters run inside Rust). Reported, not yet asserted:
// the sweep recovers the instance after a trap so that the rest of this file still runs.
test("hostile sweep of the Connection's entry points", async () => {
  const conn = new Connection({ role: "client" });
  const problems = new Map();
  // Array-likes claiming 2^31 elements are copied element by element in JS by `new Uint8Array(x)`
  // (minutes, gigabytes): left out here.
  const huge = (h) => h !== null && typeof h === "object" && !ArrayBuffer.isView(h) && typeof h.length === "number" && h.length > 1e6;
  for (let round = 0; round < 3; round++) {
    for (const [name, call] of connectionTargets(conn)) {
      for (const h of hostileSweep()) {
        let skip = false;
        try { skip = huge(h); } catch { /* a throwing length getter is fine to pass */ }
        if (skip) continue;
        try {
          call(h);
        } catch (e) {
          if (isTrap(e)) {
            problems.set(name, `${e.constructor.name}: ${e.message}`);
            await recover(e);
            continue;
          }
          const allowed = isWs101Error(e) || e instanceof TypeError || e instanceof RangeError || e instanceof Boom;
          if (!allowed) problems.set(name, `unexpected ${e?.constructor?.name}: ${e?.message}`);
        }
      }
    }
  }
  try { conn.free(); } catch { /* a Connection of a replaced instance */ }
  alive("the Connection sweep");
  assert.deepEqual([...problems], []);
});

test("after the whole run: memory did not grow without bound, the instance answers", () => {
  alive("the whole run");
  // One instance, at most 3.94 GiB; the run above (1 MiB inputs included) must stay far below.
  assert.ok(wasmMemory().buffer.byteLength < 512 << 20, `wasm memory is ${wasmMemory().buffer.byteLength} B`);
  assert.ok(calls >= 10_000, `${calls} calls in the whole run`);
});

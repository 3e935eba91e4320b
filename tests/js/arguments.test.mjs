// Caller values are read in JS before the wasm core runs: every headers shape is sent (or is a
// TypeError), wrong types and unknown options are TypeErrors naming the argument, origin
// predicates run in JS (a Promise is a TypeError, never truthy), and decodeFrames is fast and
// bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildRequest, validateRequest, parseRequest, validateExtendedConnect, encodeFrame, decodeFrames, headerLines, acceptKey } from "ws101";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const text = (handshake) => Buffer.from(handshake.bytes).toString("latin1");
const REQUEST = (origin) => ({
  method: "GET", url: "/chat",
  headers: { host: "a", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "13", ...(origin ? { origin } : {}) },
});

test("buildRequest sends extra headers of every shape (Headers, Map, pairs, flat list, object, iterable)", () => {
  const shapes = {
    Headers: new Headers({ Authorization: "Bearer abc" }),
    Map: new Map([["Authorization", "Bearer abc"]]),
    pairs: [["Authorization", "Bearer abc"]],
    flat: ["Authorization", "Bearer abc"],
    object: { Authorization: "Bearer abc" },
    iterable: new Map([["Authorization", "Bearer abc"]]).entries(),
  };
  for (const [shape, headers] of Object.entries(shapes)) {
    assert.match(text(buildRequest("ws://a/x", { headers })), /\r\nauthorization: Bearer abc\r\n/i, shape);
  }
  const repeated = text(buildRequest("ws://a/x", { headers: { "X-A": ["1", "2"] } }));
  assert.match(repeated, /\r\nX-A: 1\r\nX-A: 2\r\n/);
});

test("headers that cannot be read are TypeErrors, never dropped", () => {
  for (const headers of [42, "Authorization: x", [["a"]], ["a"], [{ name: "a", value: "b" }], { a: {} }, { a: Symbol("s") }]) {
    assert.throws(() => buildRequest("ws://a/", { headers }), TypeError, String(headers));
  }
  assert.deepEqual(headerLines(new Headers({ A: "1" })), ["a", "1"]);
  assert.deepEqual(headerLines({ a: undefined, b: 2 }), ["b", "2"]);
});

test("wrong-typed arguments and unknown options are TypeErrors naming them", () => {
  const cases = [
    [() => acceptKey(12), /key must be a string/],
    [() => buildRequest(42), /url must be a string/],
    [() => buildRequest("ws://a/", { protocol: ["chat"] }), /unknown option "protocol"/],
    [() => buildRequest("ws://a/", { protocols: [1] }), /options\.protocols\[0\] must be a string/],
    [() => buildRequest("ws://a/", { origin: 5 }), /options\.origin must be a string/],
    [() => buildRequest("ws://a/", { perMessageDeflate: { serverNoContextTakeover: "yes" } }), /serverNoContextTakeover must be a boolean/],
    [() => validateRequest(REQUEST(), { protocol: "chat" }), /unknown option "protocol"/],
    [() => validateRequest(REQUEST(), { requireOrigin: "yes" }), /options\.requireOrigin must be a boolean/],
    [() => validateRequest(REQUEST(), { maxHeaders: "64" }), /options\.maxHeaders must be a number/],
    [() => validateRequest(null), /request must be/],
    [() => parseRequest("GET / HTTP/1.1"), /bytes must be a Uint8Array/],
    [() => encodeFrame({ opcode: 1, payload: 42 }), /fields\.payload must be a Uint8Array/],
    [() => encodeFrame({ opcode: "1" }), /fields\.opcode must be a number/],
    [() => encodeFrame({ opcode: 1, fin: 1 }), /fields\.fin must be a boolean/],
    [() => encodeFrame({ opcode: 1, masked: true }), /unknown option "masked"/],
    [() => decodeFrames([0x81, 0], "client"), /bytes must be a Uint8Array/],
    [() => decodeFrames(new Uint8Array(2), "peer"), /role must be "server" or "client"/],
    [() => decodeFrames(new Uint8Array(2), "client", { max: 1 }), /unknown option "max"/],
  ];
  for (const [call, message] of cases) assert.throws(call, (e) => e instanceof TypeError && message.test(e.message), String(message));
  assert.throws(() => maskKeyOfLength(3), RangeError);
  assert.throws(() => decodeFrames(new Uint8Array(2), "client", { limit: 1e6 }), RangeError);
});

function maskKeyOfLength(n) {
  return encodeFrame({ opcode: 2, mask: true, maskKey: new Uint8Array(n) });
}

test("origin predicates run in JS: true/false decide, a Promise or thenable is a TypeError", () => {
  const allow = (o) => o === "https://good.example";
  assert.equal(validateRequest(REQUEST("https://good.example"), { origins: allow }).ok, true);
  const denied = validateRequest(REQUEST("https://evil.example"), { origins: allow });
  assert.equal(denied.status, 403);
  const head = Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\nOrigin: https://good.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  assert.equal(parseRequest(head, { origins: allow }).status, 101);
  assert.equal(parseRequest(head, { origins: () => false }).status, 403);
  for (const origins of [async () => true, () => Promise.resolve(true), () => ({ then() {} })]) {
    assert.throws(() => validateRequest(REQUEST("https://good.example"), { origins }), (e) => e instanceof TypeError && /await/i.test(e.message));
    assert.throws(() => parseRequest(head, { origins }), TypeError);
  }
  class Mine extends Error {}
  assert.throws(() => validateRequest(REQUEST("https://good.example"), { origins: () => { throw new Mine("x"); } }), Mine, "the predicate's own exception, thrown from JS");
  const connect = validateExtendedConnect({ ":method": "CONNECT", ":protocol": "websocket", ":scheme": "https", ":path": "/", ":authority": "a", "sec-websocket-version": "13", origin: "https://evil.example" }, { origins: allow });
  assert.notEqual(connect.status, 200);
});

test("throwing getters, Proxies and iterators throw their own exception from JS", () => {
  class Mine extends Error {}
  const getter = (key) => Object.defineProperty({}, key, { get() { throw new Mine(key); }, enumerable: true });
  assert.throws(() => buildRequest("ws://a/", getter("headers")), Mine);
  assert.throws(() => buildRequest("ws://a/", { protocols: { *[Symbol.iterator]() { yield "a"; throw new Mine("it"); } } }), Mine);
  assert.throws(() => validateRequest(REQUEST(), getter("protocols")), Mine);
  assert.throws(() => validateRequest(REQUEST(), { perMessageDeflate: getter("serverMaxWindowBits") }), Mine);
  assert.throws(() => encodeFrame(getter("payload")), Mine);
  assert.throws(() => decodeFrames(new Uint8Array(2), "client", getter("limit")), Mine);
  assert.throws(() => validateRequest(new Proxy({}, { get() { throw new Mine("proxy"); } })), Mine);
  assert.equal(acceptKey(KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

test("decodeFrames of 1 MiB of 2-byte frames is fast and bounded by its limit", () => {
  const bytes = new Uint8Array(1 << 20);
  for (let i = 0; i < bytes.length; i += 2) bytes[i] = 0x82;
  let started = performance.now();
  const first = decodeFrames(bytes, "client");
  const ms = performance.now() - started;
  assert.equal(first.frames.length, 10_000);
  assert.equal(first.truncated, true);
  assert.equal(first.nextOffset, 20_000);
  assert.ok(ms < 2_000, `${ms} ms`);
  started = performance.now();
  const page = decodeFrames(bytes.subarray(first.nextOffset), "client", { limit: 100_000 });
  assert.equal(page.frames.length, 100_000);
  assert.ok(performance.now() - started < 5_000);
  const whole = decodeFrames(new Uint8Array([0x81, 0x02, 0x68, 0x69]), "client");
  assert.equal(whole.truncated, false);
  assert.equal(whole.nextOffset, 4);
  assert.equal(Buffer.from(whole.frames[0].payload).toString(), "hi");
  assert.equal(whole.frames[0].fields.find((f) => f.name === "payload len").value, 2);
});

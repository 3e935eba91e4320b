// ws101/handshake: the handshake-only build answers exactly as `ws101` does, exports the
// handshake half of the API and nothing else, and loads its own (smaller) .wasm, not ws101_bg.wasm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as full from "ws101";
import * as hs from "ws101/handshake";

const require = createRequire(import.meta.url);
const pkgDir = dirname(realpathSync(require.resolve("ws101/package.json")));

const EXPORTS = [
  "ClientHandshake", "Ws101Error", "acceptDigest", "acceptKey", "acceptKeyUnchecked", "buildRequest",
  "classifyUpgrade", "classifyUpgradeHead", "errorCodes", "generateKey", "headerLines", "isWs101Error",
  "parseRequest", "parseResponse", "validateExtendedConnect", "validateKey", "validateRequest",
  "validateResponse", "websocketGuid",
];

/** The outcome as data (functions and class instances compared by their plain fields). */
const plain = (value) => JSON.parse(JSON.stringify(value, (_, v) => (v instanceof Uint8Array ? [...v] : v)));

/** `fn(api)` on both entries: equal results, or equal typed errors. */
function same(fn, what) {
  const run = (api) => {
    try {
      return { value: plain(fn(api)) };
    } catch (e) {
      return { error: { name: e.name, code: e.code, rfc: e.rfc, message: e.message, ws101: api.isWs101Error(e) } };
    }
  };
  const a = run(full);
  const b = run(hs);
  assert.deepEqual(b, a, what);
  return a;
}

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const base = { host: "example.com", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "13" };
const REQUESTS = [
  [{ method: "GET", url: "/chat", headers: base }, undefined],
  [{ method: "GET", url: "/chat", headers: { ...base, "sec-websocket-protocol": "chat, superchat" } }, { protocols: ["superchat"] }],
  [{ method: "GET", url: "/chat", headers: { ...base, "sec-websocket-extensions": "permessage-deflate; client_max_window_bits" } }, { perMessageDeflate: true }],
  [{ method: "GET", url: "/chat", headers: { ...base, origin: "https://evil.example" } }, { origins: ["https://good.example"] }],
  [{ method: "GET", url: "/chat", headers: { ...base, origin: "https://good.example" } }, { origins: (o) => o === "https://good.example" }],
  [{ method: "GET", url: "/chat", headers: { ...base, "sec-websocket-version": "8" } }, undefined],
  [{ method: "POST", url: "/chat", headers: { host: "example.com" } }, undefined],
  [{ method: "GET", url: "/chat", headers: { ...base, "sec-websocket-key": "AAAA" } }, undefined],
  [new Request("http://example.com/chat?x=1", { headers: base }), undefined],
  [{ method: "GET", url: "/chat", httpVersion: "1.0", headers: base }, { requireProtocol: true, protocols: ["a"] }],
];

test("ws101/handshake exports the handshake half of ws101's API, the same functions by name", () => {
  assert.deepEqual(Object.keys(hs).sort(), EXPORTS);
  for (const name of EXPORTS) assert.equal(typeof hs[name], typeof full[name], name);
  // Not the same function objects: its own instance of the JS layer over its own .wasm.
  assert.notEqual(hs.acceptKey, full.acceptKey);
});

test("ws101/handshake: keys agree with ws101 and node:crypto", () => {
  for (let i = 0; i < 50; i++) {
    const key = hs.generateKey();
    assert.equal(Buffer.from(hs.validateKey(key)).length, 16);
    const expected = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
    assert.equal(same((api) => api.acceptKey(key), key).value, expected);
    same((api) => api.acceptKeyUnchecked(key + "x"), key);
    same((api) => api.acceptDigest(key), key);
  }
  for (const bad of ["", "AAAA", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ==\u00e9", "!!!!!!!!!!!!!!!!!!!!!!=="]) {
    const { error } = same((api) => api.acceptKey(bad), JSON.stringify(bad));
    assert.equal(error.ws101, true, JSON.stringify(bad));
    same((api) => api.validateKey(bad), JSON.stringify(bad));
  }
  assert.equal(hs.websocketGuid(), full.websocketGuid());
  assert.deepEqual(hs.errorCodes(), full.errorCodes());
});

test("ws101/handshake: validateRequest, parseRequest and classifyUpgrade agree with ws101", () => {
  const outcomes = new Set();
  for (const [request, options] of REQUESTS) {
    const r = same((api) => api.validateRequest(request, options), `${request.method} ${JSON.stringify(options)}`);
    outcomes.add(r.value?.outcome ?? r.error?.code);
    same((api) => api.classifyUpgrade(request), "classifyUpgrade");
    if (request instanceof Request) continue;
    const lines = Object.entries(request.headers).map(([n, v]) => `${n}: ${v}\r\n`).join("");
    const head = new TextEncoder().encode(`${request.method} ${request.url} HTTP/${request.httpVersion ?? "1.1"}\r\n${lines}\r\n`);
    same((api) => api.parseRequest(head, options), "parseRequest");
    same((api) => api.parseRequest(head.subarray(0, 20), options), "parseRequest (partial)");
    same((api) => api.classifyUpgradeHead(head), "classifyUpgradeHead");
    same((api) => api.headerLines(request.headers), "headerLines");
  }
  // The set covers accepting and rejecting.
  assert.ok(outcomes.has("accept") && outcomes.has("reject"), [...outcomes].join());
  same((api) => api.validateRequest("nope"), "a TypeError");
});

test("ws101/handshake: RFC 8441 extended CONNECT agrees with ws101", () => {
  const fields = [[":method", "CONNECT"], [":protocol", "websocket"], [":scheme", "https"], [":path", "/chat"], [":authority", "example.com"], ["sec-websocket-version", "13"]];
  assert.equal(same((api) => api.validateExtendedConnect(fields), "valid").value.accepted, true);
  same((api) => api.validateExtendedConnect(fields.slice(1)), "no :method");
  same((api) => api.validateExtendedConnect([...fields, ["sec-websocket-extensions", "permessage-deflate"]], { perMessageDeflate: true }), "deflate");
});

test("ws101/handshake: the client side (buildRequest, parseResponse, validateResponse) agrees with ws101", () => {
  const options = { key: KEY, protocols: ["chat"], perMessageDeflate: true, headers: { "user-agent": "t" } };
  const a = full.buildRequest("wss://example.com:8443/path?q=1", options);
  const b = hs.buildRequest("wss://example.com:8443/path?q=1", options);
  assert.ok(b instanceof hs.ClientHandshake);
  assert.deepEqual([...b.bytes], [...a.bytes]);
  assert.deepEqual([b.key, b.expectedAccept, b.host, b.port, b.secure, b.resource], [a.key, a.expectedAccept, a.host, a.port, a.secure, a.resource]);
  const responses = [
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${a.expectedAccept}\r\nSec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`,
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n`,
    `HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n`,
    `HTTP/1.1 101 Switching`,
  ];
  for (const text of responses) {
    const bytes = new TextEncoder().encode(text);
    const ra = (() => { try { return plain(full.parseResponse(bytes, a)); } catch (e) { return e.code; } })();
    const rb = (() => { try { return plain(hs.parseResponse(bytes, b)); } catch (e) { return e.code; } })();
    assert.deepEqual(rb, ra, text);
  }
  const headers = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-accept": a.expectedAccept, "sec-websocket-protocol": "chat" };
  assert.deepEqual(plain(hs.validateResponse(b, 101, headers)), plain(full.validateResponse(a, 101, headers)));
});

test("ws101/handshake loads handshake/ws101_bg.wasm, smaller than ws101_bg.wasm, and never reads ws101_bg.wasm", () => {
  const code = `
    import fs from "node:fs";
    import { syncBuiltinESMExports } from "node:module";
    const read = fs.readFileSync;
    const seen = [];
    fs.readFileSync = function (path, ...rest) { seen.push(String(path)); return read.call(this, path, ...rest); };
    syncBuiltinESMExports();
    const hs = await import("ws101/handshake");
    if (hs.acceptKey("${KEY}") !== "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") throw new Error("wrong accept value");
    process.stdout.write(JSON.stringify(seen.filter((p) => p.endsWith(".wasm"))));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const wasms = JSON.parse(r.stdout);
  assert.equal(wasms.length, 1, r.stdout);
  assert.match(wasms[0], /\/handshake\/ws101_bg\.wasm$/);
  const small = readFileSync(join(pkgDir, "handshake/ws101_bg.wasm")).length;
  const big = readFileSync(join(pkgDir, "ws101_bg.wasm")).length;
  assert.ok(small < big, `${small} < ${big}`);
  // The handshake build has no connection, frame or deflate-codec exports.
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(pkgDir, "handshake/ws101_bg.wasm")))).map((e) => e.name);
  assert.ok(exports.includes("acceptKey") && exports.includes("validateRequestPacked"), exports.join());
  assert.ok(!exports.some((n) => /^rawconnection_|^encodeFrame$|^decodeFrameTable$/.test(n)), exports.join());
});

// ws101/handshake: the handshake-only build answers as `ws101` does (the same outcomes and error
// fields; its sentences are the compact ones of the error's fields), exports the server half of
// the handshake API and nothing else, and loads its own (smaller) .wasm, not ws101_bg.wasm.
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
  "Ws101Error", "acceptDigest", "acceptKey", "acceptKeyUnchecked", "errorCodes", "generateKey", "headerLines",
  "isWs101Error", "parseRequest", "validateKey", "validateRequest", "websocketGuid",
];
/** In `ws101` only: the client half, extended CONNECT and the explainer's classifiers. */
const FULL_ONLY = ["ClientHandshake", "buildRequest", "classifyUpgrade", "classifyUpgradeHead", "parseResponse", "validateExtendedConnect", "validateResponse"];

/** The outcome as data (functions and class instances compared by their plain fields). */
const plain = (value) => JSON.parse(JSON.stringify(value, (_, v) => (v instanceof Uint8Array ? [...v] : v)));

/** The sentence ws101/handshake writes for an error or problem: its own fields in words. */
const compact = (e) => `${e.code}: ${e.header ? `${e.header}, ` : ""}${e.offset != null ? `byte ${e.offset}, ` : ""}${e.rfc}.`;

/**
 * ws101's outcome as ws101/handshake writes it: every problem's sentence the compact one, and a
 * rejection's body (and so its bytes and Content-Length) those sentences one a line.
 */
function lean(value) {
  if (!value || typeof value !== "object") return value;
  const out = structuredClone(value);
  for (const list of [out.problems, out.declined]) for (const p of list ?? []) p.message = p.explanation = compact(p);
  const r = out.response;
  if (r && r.status !== 101 && out.problems?.length) {
    r.body = `${r.status} ${r.reason}\n${out.problems.map((p) => `${p.message}\n`).join("")}`;
    const body = new TextEncoder().encode(r.body);
    r.headers = r.headers.map((h) => (/^content-length$/i.test(h.name) ? { ...h, value: String(body.length) } : h));
    const head = new TextEncoder().encode(`HTTP/1.1 ${r.status} ${r.reason}\r\n${r.headers.map((h) => `${h.name}: ${h.value}\r\n`).join("")}\r\n`);
    r.bytes = [...head, ...body];
  }
  return out;
}

/** `fn(api)` on both entries: equal results, or equal typed errors (the handshake's sentence compact). */
function same(fn, what) {
  const run = (api, sentence) => {
    try {
      return { value: plain(fn(api)) };
    } catch (e) {
      return { error: { name: e.name, code: e.code, rfc: e.rfc, header: e.header, value: e.value, offset: e.offset, message: sentence(e), ws101: api.isWs101Error(e) } };
    }
  };
  const a = run(full, (e) => (full.isWs101Error(e) ? compact(e) : e.message));
  const b = run(hs, (e) => e.message);
  assert.deepEqual(b, a.value === undefined ? a : { value: lean(a.value) }, what);
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
  for (const name of FULL_ONLY) assert.equal(typeof full[name], "function", name);
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

test("ws101/handshake: validateRequest and parseRequest agree with ws101", () => {
  const outcomes = new Set();
  for (const [request, options] of REQUESTS) {
    const r = same((api) => api.validateRequest(request, options), `${request.method} ${JSON.stringify(options)}`);
    outcomes.add(r.value?.outcome ?? r.error?.code);
    if (request instanceof Request) continue;
    const lines = Object.entries(request.headers).map(([n, v]) => `${n}: ${v}\r\n`).join("");
    const head = new TextEncoder().encode(`${request.method} ${request.url} HTTP/${request.httpVersion ?? "1.1"}\r\n${lines}\r\n`);
    same((api) => api.parseRequest(head, options), "parseRequest");
    same((api) => api.parseRequest(head.subarray(0, 20), options), "parseRequest (partial)");
    same((api) => api.headerLines(request.headers), "headerLines");
  }
  // The set covers accepting and rejecting.
  assert.ok(outcomes.has("accept") && outcomes.has("reject"), [...outcomes].join());
  same((api) => api.validateRequest("nope"), "a TypeError");
});

test("ws101/handshake: a rejection names the header, the rule and the RFC section in its sentence", () => {
  const r = hs.validateRequest({ method: "GET", url: "/chat", headers: { ...base, "sec-websocket-version": "8" } });
  assert.equal(r.ok, false);
  assert.equal(r.problems[0].message, "unsupported-version: Sec-WebSocket-Version, RFC 6455 §4.2.2.");
  assert.match(r.response.body, /^426 Upgrade Required\nunsupported-version: Sec-WebSocket-Version, RFC 6455 §4\.2\.2\.\n$/);
  assert.throws(() => hs.acceptKey("AAAA"), (e) => e.message === "bad-key-length: Sec-WebSocket-Key, RFC 6455 §4.2.1." && e.header === "Sec-WebSocket-Key");
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
  // Nor the client half or extended CONNECT (classifyUpgradeHead stays, reduced to the head's lines
  // that parseRequest's origin predicate reads).
  assert.ok(!exports.some((n) => /^buildRequest$|^clienthandshake_|^validateExtendedConnect$|^classifyUpgrade$/.test(n)), exports.join());
});

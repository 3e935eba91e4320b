// The built package, imported by its name as users do (node_modules/ws101 → pkg/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import * as ws101 from "ws101";

const { acceptKey, acceptKeyUnchecked, acceptDigest, generateKey, validateKey, websocketGuid, Ws101Error, isWs101Error } = ws101;

test("RFC 6455 §1.3 example: the sample nonce's accept value", () => {
  assert.equal(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

test("RFC 6455 §4.2.2: SHA-1 digest bytes", () => {
  const digest = acceptDigest("dGhlIHNhbXBsZSBub25jZQ==");
  assert.ok(digest instanceof Uint8Array);
  assert.equal(Buffer.from(digest).toString("hex"), "b37a4f2cc0624f1690f64606cf385945b2bec4ea");
});

test("accept values agree with node:crypto for 200 random keys", () => {
  for (let i = 0; i < 200; i++) {
    const key = generateKey();
    const expected = createHash("sha1").update(key + websocketGuid()).digest("base64");
    assert.equal(acceptKey(key), expected);
  }
});

test("generateKey gives 24-char base64 of 16 distinct random bytes", () => {
  const seen = new Set();
  for (let i = 0; i < 100; i++) {
    const key = generateKey();
    assert.match(key, /^[A-Za-z0-9+/]{22}==$/);
    assert.equal(Buffer.from(key, "base64").length, 16);
    assert.equal(validateKey(key).length, 16);
    seen.add(key);
  }
  assert.equal(seen.size, 100);
});

test("a key that is not base64 of 16 bytes throws a typed Ws101Error", () => {
  const cases = [
    ["AAAAAAAAAAAAAAAAAAAA", "bad-key-length"],
    ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "bad-key-length"],
    ["", "bad-key-length"],
    ["dGhlIHNhbXBsZSBub25jZQ==!", "bad-key-base64"],
    ["dGhlIHNhbXBsZSBub25jZR==", "bad-key-base64"],
    ["a key with spaces", "bad-key-base64"],
  ];
  for (const [key, code] of cases) {
    assert.throws(() => acceptKey(key), (e) => {
      assert.ok(e instanceof Error);
      assert.ok(e instanceof Ws101Error);
      assert.ok(isWs101Error(e));
      assert.equal(e.name, "Ws101Error");
      assert.equal(e.code, code, `code for ${JSON.stringify(key)}`);
      assert.equal(e.header, "Sec-WebSocket-Key");
      assert.equal(e.status, 400);
      assert.equal(e.rfc, "RFC 6455 §4.2.1");
      assert.ok(e.message.length > 20);
      return true;
    });
  }
  // The unchecked variant computes for any string (used by the explainer).
  assert.equal(acceptKeyUnchecked("x"), createHash("sha1").update("x" + websocketGuid()).digest("base64"));
});

test("the instance keeps working after errors", () => {
  for (let i = 0; i < 50; i++) assert.throws(() => acceptKey("bad"));
  assert.equal(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

test("wrong argument types throw instead of trapping", () => {
  assert.throws(() => acceptKey(undefined));
  assert.throws(() => acceptKey(42));
  assert.equal(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

test("require('ws101') works from CommonJS and shares the instance's behaviour", () => {
  const require = createRequire(import.meta.url);
  const cjs = require("ws101");
  assert.equal(cjs.acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

test("the package manifest routes every runtime to one .wasm", async () => {
  const require = createRequire(import.meta.url);
  const manifest = require("ws101/package.json");
  const root = manifest.exports["."];
  for (const condition of ["types", "workerd", "deno", "node", "browser", "default"]) {
    assert.ok(root[condition], `exports condition ${condition}`);
  }
  assert.equal(Object.keys(root)[0], "types", "types must come first");
  const { readdirSync } = await import("node:fs");
  const dir = new URL("../../node_modules/ws101/", import.meta.url);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".wasm")), ["ws101_bg.wasm"]);
});

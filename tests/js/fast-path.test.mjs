// validateRequest answers an accepted request from the core's packed answer (the fast path,
// src/wasm/handshake.rs `validateRequestPacked`); parseRequest answers the same request, read
// from its bytes, through the explaining path. The two must give the same outcome, field for
// field, for every input shape and option that the fast path takes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateRequest, parseRequest } from "ws101";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const BASE = { Host: "server.example.com", Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": KEY, "Sec-WebSocket-Version": "13" };

const CASES = [
  ["no options", { ...BASE }, undefined],
  ["Origin and User-Agent", { ...BASE, Origin: "http://example.com", "User-Agent": "t/1" }, undefined],
  ["a subprotocol chosen", { ...BASE, "Sec-WebSocket-Protocol": "chat, superchat" }, { protocols: ["superchat", "chat"] }],
  ["permessage-deflate agreed", { ...BASE, "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits" }, { perMessageDeflate: true }],
  ["deflate with parameters", { ...BASE, "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits; server_no_context_takeover" }, { perMessageDeflate: { clientMaxWindowBits: 10, serverNoContextTakeover: true } }],
  ["an origin list", { ...BASE, Origin: "https://app.example.com" }, { origins: ["https://*.example.com"], requireOrigin: true }],
  ["an origin predicate", { ...BASE, Origin: "https://app.example.com" }, { origins: (o) => o.endsWith(".example.com") }],
  ["head limits", { ...BASE }, { maxHeaderBytes: 4096, maxHeaders: 20 }],
];

/** The outcome without what differs by input kind: where the head ended (bytes only). */
function comparable(outcome) {
  const { consumed, handoff, response, ...rest } = outcome;
  return { ...rest, handoff: { ...handoff, consumed: null }, response: { ...response, bytes: [...response.bytes] } };
}

for (const [name, headers, options] of CASES) {
  test(`fast path and explaining path agree: ${name}`, () => {
    const fast = validateRequest({ method: "GET", url: "/chat", headers }, options);
    assert.equal(fast.ok, true, JSON.stringify(fast.problems));
    // Only the fast path shares frozen verdicts: this outcome came from it.
    assert.ok(Object.isFrozen(fast.verdicts[0]), "answered by the fast path");
    const head = `GET /chat HTTP/1.1\r\n${Object.entries(headers).map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
    const explained = parseRequest(new TextEncoder().encode(head), options);
    assert.equal(explained.complete, true);
    assert.equal(explained.consumed, head.length);
    const { complete, ...rest } = explained;
    assert.deepStrictEqual(comparable(fast), comparable(rest));
  });
}

test("fast-path outcomes share no mutable state", () => {
  const request = { method: "GET", url: "/", headers: BASE };
  const a = validateRequest(request);
  const b = validateRequest(request);
  a.verdicts.push({ check: "mine" });
  a.response.headers.push({ name: "X", value: "y" });
  a.response.bytes[0] = 0;
  assert.throws(() => {
    a.verdicts[0].passed = false;
  }, TypeError);
  assert.equal(b.verdicts.length, a.verdicts.length - 1);
  assert.equal(b.response.headers.length, a.response.headers.length - 1);
  assert.equal(b.response.bytes[0], "H".charCodeAt(0));
  assert.equal(b.verdicts[0].passed, true);
});

test("a request the fast path cannot take (non-ASCII, rejected) is still explained", () => {
  const accepted = validateRequest({ method: "GET", url: "/", headers: { ...BASE, "User-Agent": "caf\u00e9" } });
  assert.equal(accepted.ok, true);
  assert.ok(!Object.isFrozen(accepted.verdicts[0]), "answered by the explaining path");
  const rejected = validateRequest({ method: "GET", url: "/", headers: { ...BASE, "Sec-WebSocket-Version": "8" } });
  assert.equal(rejected.status, 426);
  assert.deepEqual(rejected.problems.map((p) => p.code), ["unsupported-version"]);
});

// validateRequest with the input shapes JS servers really have: a fetch `Request` (Node's
// undici), a Node `IncomingMessage` from a real `http` server, and a plain object.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { validateRequest } from "ws101";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

test("a fetch Request: accepted with the RFC accept value and the chosen subprotocol", () => {
  const request = new Request("http://example.com/chat?room=1", {
    headers: { Upgrade: "websocket", Connection: "keep-alive, Upgrade", "Sec-WebSocket-Key": KEY, "Sec-WebSocket-Version": "13", "Sec-WebSocket-Protocol": "chat, superchat", Origin: "https://app.example.com" },
  });
  const outcome = validateRequest(request, { protocols: ["superchat", "chat"], origins: ["https://*.example.com"] });
  assert.equal(outcome.ok, true, JSON.stringify(outcome.problems));
  assert.equal(outcome.status, 101);
  assert.equal(outcome.acceptKey, ACCEPT);
  assert.equal(outcome.protocol, "superchat", "server preference order");
  const text = new TextDecoder().decode(outcome.response.bytes);
  assert.match(text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(text, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
});

test("a fetch Request with a bad origin and version: every problem, the status the worst earns", () => {
  const request = new Request("http://example.com/", {
    headers: { Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": KEY, "Sec-WebSocket-Version": "8", Origin: "https://evil.example.org" },
  });
  const outcome = validateRequest(request, { origins: ["https://example.com"] });
  assert.equal(outcome.ok, false);
  const codes = outcome.problems.map((p) => p.code).sort();
  assert.deepEqual(codes, ["origin-not-allowed", "unsupported-version"]);
  assert.ok([403, 426].includes(outcome.status));
  const failed = outcome.verdicts.filter((v) => !v.passed).map((v) => v.header);
  assert.ok(failed.includes("Sec-WebSocket-Version") && failed.includes("Origin"));
});

test("a real IncomingMessage from node:http (rawHeaders, repeated protocol lines)", async () => {
  let outcome;
  const server = http.createServer();
  server.on("upgrade", (req, socket) => {
    outcome = validateRequest(req, { protocols: ["b"] });
    socket.end(Buffer.from(outcome.response.bytes));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  const reply = await new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => s.write(`GET /x HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: b\r\n\r\n`));
    let text = "";
    s.on("data", (d) => (text += d));
    s.on("close", () => resolve(text));
  });
  server.close();
  assert.equal(outcome.ok, true, JSON.stringify(outcome.problems));
  assert.equal(outcome.protocol, "b", "offers split over two header lines");
  assert.match(reply, /^HTTP\/1\.1 101 /);
  assert.match(reply, /\r\nSec-WebSocket-Protocol: b\r\n/);
});

test("a plain object with headers as an object; POST is refused with 400", () => {
  const outcome = validateRequest({ method: "POST", url: "/", httpVersion: "1.1", headers: { host: "x", upgrade: "websocket", connection: "upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "13" } });
  assert.equal(outcome.ok, false);
  assert.equal(outcome.status, 400);
  assert.deepEqual(outcome.problems.map((p) => p.code), ["method-not-get"]);
});

test("an HTTP/2 request cannot upgrade: it is pointed at extended CONNECT", () => {
  const outcome = validateRequest({ method: "GET", url: "/", httpVersion: "2.0", headers: { host: "x", upgrade: "websocket", connection: "upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "13" } });
  assert.equal(outcome.ok, false);
  assert.deepEqual(outcome.problems.map((p) => p.code), ["upgrade-over-http2"]);
});

test("a 426 names the protocol to upgrade to (RFC 9110 §15.5.22)", () => {
  const outcome = validateRequest({ method: "GET", url: "/", headers: { host: "x", upgrade: "websocket", connection: "upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "8" } });
  assert.equal(outcome.status, 426);
  const text = new TextDecoder().decode(outcome.response.bytes);
  assert.match(text, /\r\nUpgrade: websocket\r\n/);
  assert.match(text, /\r\nConnection: Upgrade, close\r\n/);
  assert.match(text, /\r\nSec-WebSocket-Version: 13\r\n/);
});

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

test("a runtime Headers is read by iteration: the lines forEach gives, Set-Cookie lines kept apart, look-alikes still read by forEach", async () => {
  const { headerLines } = await import("ws101");
  const headers = new Headers([["Upgrade", "websocket"], ["Sec-WebSocket-Protocol", "chat"], ["Set-Cookie", "a=1"], ["sec-websocket-protocol", "superchat"], ["Set-Cookie", "b=2"]]);
  const viaForEach = [];
  headers.forEach((value, name) => viaForEach.push(name, value));
  assert.deepEqual(headerLines(headers), viaForEach);
  assert.deepEqual(headerLines(headers), ["sec-websocket-protocol", "chat, superchat", "set-cookie", "a=1", "set-cookie", "b=2", "upgrade", "websocket"]);
  const lookAlike = { forEach: (fn) => fn("websocket", "upgrade"), get: () => null };
  assert.deepEqual(headerLines(lookAlike), ["upgrade", "websocket"]);
  // A fetch Request with the offer split over two appended lines: one combined line, the same answer
  // as the plain object with that line.
  const request = new Request("http://example.com/chat", { headers: headers });
  request.headers.set("Connection", "Upgrade");
  request.headers.set("Sec-WebSocket-Key", KEY);
  request.headers.set("Sec-WebSocket-Version", "13");
  const fetched = validateRequest(request, { protocols: ["superchat"] });
  const plain = validateRequest({ method: "GET", url: "/chat", headers: { host: "example.com", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "13", "sec-websocket-protocol": "chat, superchat", "set-cookie": ["a=1", "b=2"] } }, { protocols: ["superchat"] });
  assert.equal(fetched.ok, true, JSON.stringify(fetched.problems));
  assert.equal(fetched.protocol, "superchat");
  assert.deepEqual([...fetched.response.bytes], [...plain.response.bytes]);
});

test("a Headers subclass is read through its own forEach, an instance's own iterator is not used", async () => {
  const { headerLines } = await import("ws101");
  const lines = [["Upgrade", "websocket"], ["X-A", "1"], ["x-a", "2"]];
  class Hiding extends Headers {
    forEach(fn, self) {
      super.forEach((value, name) => name !== "x-a" && fn.call(self, value, name, this));
    }
  }
  assert.deepEqual(headerLines(new Hiding(lines)), ["upgrade", "websocket"]);
  const own = new Headers(lines);
  own[Symbol.iterator] = function* () {
    yield "ab";
  };
  assert.deepEqual(headerLines(own), ["upgrade", "websocket", "x-a", "1, 2"]);
});

test("plain-object headers never touch the fetch globals (on Node 20 reading Headers loads undici)", async () => {
  const { execFileSync } = await import("node:child_process");
  const code = `
    import { validateRequest } from "ws101";
    const lazy = (name) => typeof Object.getOwnPropertyDescriptor(globalThis, name)?.get === "function";
    const before = [lazy("Headers"), lazy("Request")];
    const headers = { host: "h", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "${KEY}", "sec-websocket-version": "13" };
    const a = validateRequest({ method: "GET", url: "/", headers });
    const b = validateRequest({ method: "GET", url: "http://h/x", headers: Object.entries(headers).flat() });
    console.log(JSON.stringify({ ok: a.ok && b.ok, before, after: [lazy("Headers"), lazy("Request")] }));`;
  const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" }));
  assert.equal(out.ok, true);
  // where the runtime defines them lazily (Node 20), they must still be unread afterwards
  assert.deepEqual(out.after, out.before);
});

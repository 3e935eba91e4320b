// ws101/node behaves as `ws` 8 documents it (doc/ws.md), checked against real sockets on
// 127.0.0.1: the CommonJS shape, constants, the EventTarget interface, createWebSocketStream,
// payload forms, the client over node:http (agent, lookup, ws+unix:, upgrade/unexpected-response),
// the exact opening-handshake lifecycle, and WebSocketServer's defaults and ws 8 close().
// The same checks run against `ws` itself where that proves the expectation is ws's behaviour.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { createRequire } from "node:module";
import fs, { mkdtempSync } from "node:fs";
import crypto from "node:crypto";
import WS, { WebSocketServer as WsServer } from "ws";
import * as ws101 from "ws101/node";

const { WebSocket, WebSocketServer, createWebSocketStream, MessageEvent, CloseEvent, ErrorEvent, Event } = ws101;
const require = createRequire(import.meta.url);
const libraries = [["ws", { WebSocket: WS, WebSocketServer: WsServer }], ["ws101", { WebSocket, WebSocketServer }]];

async function echoServer(Server = WebSocketServer, options = {}) {
  const wss = new Server({ port: 0, host: "127.0.0.1", ...options });
  await once(wss, "listening");
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  return { wss, url: `ws://127.0.0.1:${wss.address().port}` };
}

/** The close event's code (events.once would reject on the `error` that comes first). */
const closeOf = (ws) => new Promise((resolve) => ws.once("close", (code) => resolve(code)));

const closeServer = (wss) => new Promise((resolve) => {
  for (const c of wss.clients ?? []) c.terminate();
  wss.close(() => resolve());
});

test("require('ws101/node') is the WebSocket class with ws's statics; ES named exports beside it", { timeout: 10_000 }, () => {
  const W = require("ws101/node");
  assert.equal(W, WebSocket);
  assert.equal(typeof W, "function");
  assert.equal(W.WebSocket, WebSocket);
  assert.equal(W.Server, WebSocketServer);
  assert.equal(W.WebSocketServer, WebSocketServer);
  assert.equal(W.createWebSocketStream, createWebSocketStream);
  assert.equal(ws101.default, WebSocket);
  assert.equal(ws101.Server, WebSocketServer);
  const constants = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 };
  const ws = new WebSocket("ws://127.0.0.1:1/", { lookup() {} });
  ws.on("error", () => {});
  for (const [name, value] of Object.entries(constants)) {
    assert.equal(W[name], value);
    assert.equal(ws[name], value);
    assert.throws(() => { W[name] = 9; }, TypeError, `${name} is read-only on the class`);
    assert.throws(() => { ws[name] = 9; }, TypeError, `${name} is read-only on an instance`);
  }
  ws.terminate();
});

test("a bad URL or subprotocol list throws synchronously, with ws's error classes and words", { timeout: 10_000 }, () => {
  for (const [, lib] of libraries) {
    assert.throws(() => new lib.WebSocket("foo"), { name: "SyntaxError", message: "Invalid URL: foo" });
    assert.throws(() => new lib.WebSocket("ftp://x/"), { name: "SyntaxError", message: /protocol must be one of/ });
    assert.throws(() => new lib.WebSocket("ws://x/#frag"), { name: "SyntaxError", message: "The URL contains a fragment identifier" });
    for (const p of [null, "", "a,b", ["a", "a"]]) {
      assert.throws(() => new lib.WebSocket("ws://localhost", p), { name: "SyntaxError", message: "An invalid or duplicated subprotocol was specified" });
    }
  }
});

test("new WebSocketServer() without port/server/noServer throws as ws does; clientTracking:false has no clients", { timeout: 10_000 }, () => {
  for (const [, lib] of libraries) {
    assert.throws(() => new lib.WebSocketServer(), { name: "TypeError", message: 'One and only one of the "port", "server", or "noServer" options must be specified' });
    assert.throws(() => new lib.WebSocketServer({ port: 0, noServer: true }), TypeError);
    assert.equal(new lib.WebSocketServer({ noServer: true, clientTracking: false }).clients, undefined);
  }
});

test("without host the server binds every interface (ws's default)", { timeout: 10_000 }, async () => {
  const wss = new WebSocketServer({ port: 0 });
  await once(wss, "listening");
  assert.ok(["::", "0.0.0.0"].includes(wss.address().address), wss.address().address);
  await closeServer(wss);
});

test("EventTarget: on<event> attributes, addEventListener (once, handleEvent), removeEventListener, event shapes", { timeout: 10_000 }, async () => {
  const { wss, url } = await echoServer();
  const ws = new WebSocket(url);
  const seen = [];
  ws.onopen = (e) => {
    assert.ok(e instanceof Event);
    assert.equal(e.type, "open");
    assert.equal(e.target, ws);
    ws.send("text");
    ws.send(Buffer.from([1, 2]));
  };
  assert.equal(typeof ws.onopen, "function");
  const onceListener = { handleEvent(e) { seen.push(`once:${e.data}`); assert.equal(this, onceListener); } };
  ws.addEventListener("message", onceListener, { once: true });
  const removed = () => seen.push("removed");
  ws.addEventListener("message", removed);
  ws.removeEventListener("message", removed);
  ws.onmessage = (e) => {
    assert.ok(e instanceof MessageEvent);
    seen.push(typeof e.data === "string" ? `text:${e.data}` : `binary:${e.data.length}`);
    if (seen.length === 3) ws.close(4000, "done");
  };
  const closed = new Promise((resolve) => {
    ws.addEventListener("close", (e) => resolve(e));
  });
  const e = await closed;
  assert.ok(e instanceof CloseEvent);
  assert.deepEqual([e.code, e.reason, e.wasClean], [4000, "done", true]);
  assert.deepEqual(seen, ["once:text", "text:text", "binary:2"]);
  ws.onmessage = null;
  assert.equal(ws.onmessage, null);
  assert.equal(ws.listenerCount("message"), 0);
  const err = new ErrorEvent("error", { error: new Error("x"), message: "x" });
  assert.equal(err.message, "x");
  await closeServer(wss);
});

test("createWebSocketStream: a Duplex with backpressure (a full readable side pauses the WebSocket)", { timeout: 10_000 }, async () => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(wss, "listening");
  wss.on("connection", (ws) => {
    for (let i = 0; i < 20; i++) ws.send(`m${i}`);
    ws.on("message", (data) => ws.send(`echo ${data}`));
  });
  const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}`);
  const duplex = createWebSocketStream(ws, { readableHighWaterMark: 1, encoding: "utf8" });
  duplex.pause();
  await once(ws, "open");
  // Nothing reads: the first pushed message fills the buffer and the WebSocket is paused.
  while (!ws.isPaused) await new Promise((r) => setImmediate(r));
  assert.equal(ws.isPaused, true);
  duplex.write("hello");
  const got = [];
  duplex.on("data", (chunk) => got.push(chunk));
  duplex.resume();
  while (!got.includes("echo hello")) await new Promise((r) => setImmediate(r));
  assert.deepEqual(got.slice(0, 20), Array.from({ length: 20 }, (_, i) => `m${i}`));
  assert.equal(ws.isPaused, false);
  duplex.end();
  await once(ws, "close");
  await closeServer(wss);
});

test("payload forms: numbers as text, Blobs in order before a close, ping/pong callbacks, binaryType fragments and blob", { timeout: 10_000 }, async () => {
  const { wss, url } = await echoServer();
  const ws = new WebSocket(url);
  await once(ws, "open");
  await new Promise((resolve, reject) => ws.ping("p", false, (err) => (err ? reject(err) : resolve())));
  await new Promise((resolve, reject) => ws.pong((err) => (err ? reject(err) : resolve())));
  assert.throws(() => ws.ping(Buffer.alloc(126)), { name: "RangeError", message: "The data size must not be greater than 125 bytes" });
  // Messages of one read are emitted together: collect them, then take them in order.
  const inbox = [];
  let wake = null;
  ws.on("message", (data, isBinary) => {
    inbox.push([data, isBinary]);
    wake?.();
  });
  const next = async () => {
    while (inbox.length === 0) await new Promise((r) => (wake = r));
    return inbox.shift();
  };
  ws.send(42);
  const [n, nBinary] = await next();
  assert.deepEqual([String(n), nBinary], ["42", false]);
  ws.binaryType = "fragments";
  ws.send(Buffer.from("ab"));
  const [fragments] = await next();
  assert.ok(Array.isArray(fragments) && Buffer.concat(fragments).toString() === "ab");
  ws.binaryType = "blob";
  ws.send(new Blob(["b1"]));
  ws.send("after-blob");
  const [blob, isBinary] = await next();
  assert.ok(blob instanceof Blob && isBinary);
  assert.equal(await blob.text(), "b1");
  assert.equal(String((await next())[0]), "after-blob");
  ws.removeAllListeners("message");
  const messages = [];
  ws.binaryType = "nodebuffer";
  ws.on("message", (d) => messages.push(String(d)));
  ws.send(new Blob(["x"]));
  ws.send(new Blob(["y"]));
  ws.close();
  await once(ws, "close");
  assert.deepEqual(messages, ["x", "y"], "sends queued behind a Blob go out before the Close");
  // After close: callbacks get ws's error; bufferedAmount counts the refused bytes.
  const err = await new Promise((resolve) => ws.send("abc", resolve));
  assert.equal(err.message, "WebSocket is not open: readyState 3 (CLOSED)");
  assert.equal(ws.bufferedAmount, 3);
  await closeServer(wss);
});

test("client over node:http: agent, lookup, deflate offered by default, upgrade with an IncomingMessage", { timeout: 10_000 }, async () => {
  const offers = [];
  const { wss, url } = await echoServer(WebSocketServer, { perMessageDeflate: true });
  wss.on("headers", (lines, req) => {
    offers.push(req.headers["sec-websocket-extensions"]);
    lines.push("X-Hello: there");
  });
  const agent = new http.Agent();
  let looked = 0;
  const ws = new WebSocket(url.replace("127.0.0.1", "localhost"), {
    agent,
    lookup: (host, options, cb) => {
      looked++;
      if (options?.all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
      else cb(null, "127.0.0.1", 4);
    },
  });
  const opened = once(ws, "open"); // emitted right after 'upgrade', as ws does
  const [res] = await once(ws, "upgrade");
  assert.ok(res instanceof http.IncomingMessage);
  assert.equal(res.statusCode, 101);
  assert.equal(res.headers["x-hello"], "there");
  await opened;
  assert.ok(looked >= 1, "lookup was used");
  assert.match(offers[0], /permessage-deflate/);
  assert.match(ws.extensions, /permessage-deflate/);
  ws.close();
  await once(ws, "close");
  agent.destroy();
  await closeServer(wss);
});

test("ws+unix: URLs reach a server on a Unix socket, with Host: localhost (as ws sends it)", { timeout: 10_000, skip: process.platform === "win32" }, async () => {
  const socketPath = path.join(mkdtempSync(path.join(os.tmpdir(), "ws101-")), "s.sock");
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws, req) => ws.send(`${req.url} ${req.headers.host}`));
  server.listen(socketPath);
  await once(server, "listening");
  try {
    for (const [name, lib] of libraries) {
      const ws = new lib.WebSocket(`ws+unix:${socketPath}:/room?x=1`);
      const [data] = await once(ws, "message");
      ws.close();
      await once(ws, "close");
      assert.equal(String(data), "/room?x=1 localhost", name);
    }
  } finally {
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.close();
  }
});

for (const [name, lib] of libraries) {
  test(`${name}: a non-101 answer is unexpected-response(request, response), or error "Unexpected server response: 401" then close 1006`, { timeout: 10_000 }, async () => {
    const server = http.createServer();
    server.on("upgrade", (req, socket) => socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `ws://127.0.0.1:${server.address().port}/`;
    const a = new lib.WebSocket(url);
    const [req, res] = await once(a, "unexpected-response");
    assert.ok(req instanceof http.ClientRequest);
    assert.ok(res instanceof http.IncomingMessage);
    assert.equal(res.statusCode, 401);
    a.on("error", () => {});
    a.terminate();
    const b = new lib.WebSocket(url);
    const order = [];
    b.on("error", (err) => order.push(`error: ${err.message}`));
    const code = await closeOf(b);
    order.push(`close ${code}`);
    assert.deepEqual(order, ["error: Unexpected server response: 401", "close 1006"]);
    server.close();
  });

  test(`${name}: close() while CONNECTING aborts (the server sees the connection end); error then close`, { timeout: 10_000 }, async () => {
    const server = net.createServer();
    const peerClosed = new Promise((resolve) => server.on("connection", (s) => { s.on("error", () => {}); s.on("close", resolve); }));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const ws = new lib.WebSocket(`ws://127.0.0.1:${server.address().port}/`);
    const order = [];
    ws.on("open", () => order.push("open"));
    ws.on("error", (err) => order.push(`error: ${err.message}`));
    await once(server, "connection");
    ws.close();
    assert.equal(ws.readyState, lib.WebSocket.CLOSING);
    const code = await closeOf(ws);
    order.push(`close ${code}`);
    await peerClosed;
    assert.deepEqual(order, ["error: WebSocket was closed before the connection was established", "close 1006"]);
    server.close();
  });

  test(`${name}: a handshake cut by the peer ends with error then close`, { timeout: 10_000 }, async () => {
    const server = net.createServer((s) => s.once("data", () => s.destroy()));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const ws = new lib.WebSocket(`ws://127.0.0.1:${server.address().port}/`);
    const order = [];
    ws.on("error", () => order.push("error"));
    const code = await closeOf(ws);
    order.push(`close ${code}`);
    assert.deepEqual(order, ["error", "close 1006"]);
    server.close();
  });

  test(`${name}: wss.close() keeps clients open, detaches from a shared server, answers later upgrades 503`, { timeout: 10_000 }, async () => {
    const server = http.createServer();
    const before = server.listenerCount("upgrade");
    const wss = new lib.WebSocketServer({ server });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `ws://127.0.0.1:${server.address().port}/`;
    const client = new lib.WebSocket(url);
    await once(client, "open");
    let closedEvent = false;
    wss.on("close", () => (closedEvent = true));
    wss.close();
    assert.equal(server.listenerCount("upgrade"), before, "its upgrade listener is removed");
    assert.equal(client.readyState, lib.WebSocket.OPEN, "open clients stay open");
    client.send("still here");
    const [server0] = [...wss.clients];
    const [echo] = await Promise.all([once(server0, "message"), Promise.resolve()]);
    assert.equal(String(echo[0]), "still here");
    // A later handleUpgrade (the app routing by hand) is refused with 503.
    server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, () => assert.fail("accepted after close")));
    const late = new lib.WebSocket(url);
    late.on("error", () => {});
    const [, res] = await once(late, "unexpected-response");
    assert.equal(res.statusCode, 503);
    late.terminate();
    client.close();
    await once(client, "close");
    while (!closedEvent) await new Promise((r) => setImmediate(r));
    server.close();
  });
}

test("a peer's protocol violation is reported in ws's words; ws101's code and rfc stay", { timeout: 10_000 }, async () => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(wss, "listening");
  const errors = [];
  wss.on("connection", (ws) => ws.on("error", (err) => errors.push(err)));
  const ws = new WS(`ws://127.0.0.1:${wss.address().port}/`);
  await once(ws, "open");
  ws._socket.write(Buffer.from([0x85, 0x80, 0, 0, 0, 0])); // masked frame with reserved opcode 5
  const [code] = await once(ws, "close");
  assert.equal(code, 1002);
  while (errors.length === 0) await new Promise((r) => setImmediate(r));
  assert.ok(errors[0] instanceof RangeError);
  assert.match(errors[0].message, /^Invalid WebSocket frame: invalid opcode/);
  assert.equal(errors[0].code, "reserved-opcode");
  assert.ok(errors[0].rfc);
  await closeServer(wss);
});

test("followRedirects: redirect (url, request) is emitted; credentials are dropped on a redirect to another host; maxRedirects", { timeout: 10_000 }, async () => {
  const target = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(target, "listening");
  const seen = [];
  target.on("connection", (ws, req) => {
    seen.push({ url: req.url, authorization: req.headers.authorization, cookie: req.headers.cookie });
    ws.close();
  });
  const redirector = http.createServer();
  redirector.on("upgrade", (req, socket) => {
    const location = req.url === "/same" ? "/final" : `ws://127.0.0.1:${target.address().port}/elsewhere`;
    socket.end(`HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\n\r\n`);
  });
  redirector.listen(0, "127.0.0.1");
  await once(redirector, "listening");
  const base = `ws://user:pass@127.0.0.1:${redirector.address().port}`;
  const ws = new WebSocket(`${base}/other`, { followRedirects: true, headers: { Cookie: "a=1" } });
  assert.equal(ws._req.getHeader("authorization"), `Basic ${Buffer.from("user:pass").toString("base64")}`);
  const closed = closeOf(ws);
  await closed;
  assert.equal(ws._redirects, 1);
  assert.deepEqual(seen[0], { url: "/elsewhere", authorization: undefined, cookie: undefined });
  // Without followRedirects a 3xx is an unexpected response; with too many, an error.
  const plain = new WebSocket(`${base}/other`);
  const errors = [];
  plain.on("error", (err) => errors.push(err.message));
  await closeOf(plain);
  const loop = http.createServer();
  loop.on("upgrade", (req, socket) => socket.end("HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n"));
  loop.listen(0, "127.0.0.1");
  await once(loop, "listening");
  const looping = new WebSocket(`ws://127.0.0.1:${loop.address().port}/`, { followRedirects: true, maxRedirects: 2 });
  const redirects = [];
  looping.on("redirect", (url, req) => redirects.push([url, req instanceof http.ClientRequest]));
  looping.on("error", (err) => errors.push(err.message));
  await closeOf(looping);
  assert.deepEqual(errors, ["Unexpected server response: 302", "Maximum redirects exceeded"]);
  assert.equal(redirects.length, 2);
  assert.deepEqual(redirects[0], [`ws://127.0.0.1:${loop.address().port}/again`, true]);
  loop.close();
  redirector.close();
  await closeServer(target);
});

test("handleProtocols choosing an unoffered subprotocol fails the handshake (never answered without it)", { timeout: 10_000 }, async () => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", handleProtocols: () => "nope" });
  await once(wss, "listening");
  const refused = [];
  wss.on("wsClientError", (err) => refused.push(err.code));
  wss.on("connection", () => assert.fail("must not connect"));
  const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/`, ["a"]);
  const errors = [];
  ws.on("error", (err) => errors.push(err.message));
  assert.equal(await closeOf(ws), 1006);
  assert.deepEqual(errors, ["Unexpected server response: 500"]);
  assert.deepEqual(refused, ["unoffered-subprotocol"]);
  await closeServer(wss);
});

test("handleUpgrade twice with one socket throws ws's misconfiguration error", { timeout: 10_000 }, async () => {
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  const thrown = [];
  server.on("upgrade", (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => ws.close());
    try {
      wss.handleUpgrade(req, socket, head, () => assert.fail("second answer"));
    } catch (err) {
      thrown.push(err.message);
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const ws = new WebSocket(`ws://127.0.0.1:${server.address().port}/`);
  await closeOf(ws);
  assert.deepEqual(thrown, ["server.handleUpgrade() was called more than once with the same socket, possibly due to a misconfiguration"]);
  wss.close();
  server.close();
});

test("binaryType arraybuffer: each message is its own ArrayBuffer of its length (with permessage-deflate, spanning reads, fragmented), unchanged later", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    const wss = new lib.WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: { threshold: 0 } });
    await once(wss, "listening");
    const kept = [];
    const sizes = [3, 100, 3, 5000, 100, 70_000, 3];
    const done = new Promise((resolve) => wss.on("connection", (ws) => {
      ws.binaryType = "arraybuffer";
      ws.on("message", (data) => { kept.push(data); if (kept.length === sizes.length * 2) resolve(); });
    }));
    const c = new WS(`ws://127.0.0.1:${wss.address().port}`, { perMessageDeflate: true });
    await once(c, "open");
    const sent = [];
    for (const [i, n] of sizes.entries()) {
      const bytes = Buffer.alloc(n, i + 1);
      sent.push(bytes);
      c.send(bytes);
      sent.push(bytes.subarray(0, Math.ceil(n / 2)));
      c.send(bytes.subarray(0, Math.ceil(n / 2)), { fin: false });
      c.send(bytes.subarray(Math.ceil(n / 2)), { fin: true });
      sent[sent.length - 1] = bytes;
    }
    await done;
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const [i, data] of kept.entries()) {
      assert.ok(data instanceof ArrayBuffer, `${name}: message ${i} is an ArrayBuffer`);
      assert.equal(data.byteLength, sent[i].length, `${name}: message ${i} has its own length`);
      assert.ok(Buffer.from(data).equals(sent[i]), `${name}: message ${i} keeps its bytes`);
    }
    c.terminate();
    await closeServer(wss);
  }
});

test("handleUpgrade called late (an async check): frames the client sent meanwhile arrive in order", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    const server = http.createServer();
    const wss = new lib.WebSocketServer({ noServer: true });
    const got = [];
    const all = new Promise((resolve) => server.on("upgrade", (req, socket, head) => setTimeout(() => wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (d) => { got.push(String(d)); if (got.length === 40) resolve(); });
    }), 100)));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const s = net.connect(server.address().port, "127.0.0.1");
    await once(s, "connect");
    s.on("data", () => {});
    const frame = (text) => {
      const p = Buffer.from(text);
      const key = Buffer.from([1, 2, 3, 4]);
      return Buffer.concat([Buffer.from([0x81, 0x80 | p.length]), key, p.map((b, i) => b ^ key[i & 3])]);
    };
    s.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n${frame("m0").toString("latin1")}`, "latin1");
    for (let i = 1; i < 20; i++) { s.write(frame("m" + i)); await new Promise((r) => setTimeout(r, 2)); }
    await new Promise((r) => setTimeout(r, 150));
    for (let i = 20; i < 40; i++) s.write(frame("m" + i));
    await all;
    assert.deepEqual(got, Array.from({ length: 40 }, (_, i) => "m" + i), `${name}: in order`);
    s.destroy();
    wss.close();
    server.close();
  }
});

test("a 'data' listener on the socket (before or after the upgrade) still sees every byte", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    const server = http.createServer();
    const wss = new lib.WebSocketServer({ noServer: true });
    let early = 0, late = 0, messages = 0;
    server.on("connection", (s) => s.on("data", (d) => { early += d.length; }));
    const tenth = new Promise((resolve) => server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => {
      socket.on("data", (d) => { late += d.length; });
      ws.on("message", () => { if (++messages === 10) resolve(); });
    })));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const c = new WS(`ws://127.0.0.1:${server.address().port}`, { perMessageDeflate: false });
    await once(c, "open");
    for (let i = 0; i < 10; i++) { c.send("x".repeat(100)); await new Promise((r) => setTimeout(r, 5)); }
    await tenth;
    // 10 masked frames of 100 bytes: 2 + 4 + 100 bytes each.
    assert.ok(early >= 1060, `${name}: the listener added on 'connection' saw ${early} bytes`);
    assert.ok(late >= 1060, `${name}: the listener added after the upgrade saw ${late} bytes`);
    c.terminate();
    wss.close();
    server.close();
  }
});

test("send() takes the bytes when called: a buffer refilled after send (in a listener or a timer) goes out as it was", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    for (const size of [100, 20_000, 100_000]) {
      const wss = new lib.WebSocketServer({ port: 0, host: "127.0.0.1" });
      await once(wss, "listening");
      const scratch = Buffer.alloc(size);
      const reuse = (ws) => { scratch.fill(1); ws.send(scratch); scratch.fill(2); ws.send(scratch); };
      wss.on("connection", (ws) => ws.on("message", (d) => (String(d) === "now" ? reuse(ws) : setTimeout(() => reuse(ws), 5))));
      const c = new WS(`ws://127.0.0.1:${wss.address().port}`);
      const got = [];
      const four = new Promise((resolve) => c.on("message", (d) => { got.push(`${d[0]}/${d[d.length - 1]}/${d.length}`); if (got.length === 4) resolve(); }));
      await once(c, "open");
      c.send("now");
      c.send("later");
      await four;
      assert.deepEqual(got, [`1/1/${size}`, `2/2/${size}`, `1/1/${size}`, `2/2/${size}`], `${name}, ${size} B`);
      c.terminate();
      await closeServer(wss);
    }
  }
});

test("send(data, cb) then terminate() in a listener: the peer still gets data (the write went out first)", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    const wss = new lib.WebSocketServer({ port: 0, host: "127.0.0.1" });
    await once(wss, "listening");
    wss.on("connection", (ws) => ws.on("message", () => { ws.send("bye"); ws.terminate(); }));
    const c = new WS(`ws://127.0.0.1:${wss.address().port}`);
    let got = null;
    c.on("message", (d) => { got = String(d); });
    await once(c, "open");
    c.send("hi");
    await closeOf(c);
    assert.equal(got, "bye", name);
    await closeServer(wss);
  }
});

test("send() with falsy data sends an empty message: binary for undefined/null, text for \"\"", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    const wss = new lib.WebSocketServer({ port: 0, host: "127.0.0.1" });
    await once(wss, "listening");
    const got = [];
    const three = new Promise((resolve) => wss.on("connection", (ws) => ws.on("message", (data, isBinary) => {
      got.push([data.length, isBinary]);
      if (got.length === 3) resolve();
    })));
    const c = new lib.WebSocket(`ws://127.0.0.1:${wss.address().port}`);
    await once(c, "open");
    c.send();
    c.send(null);
    c.send("");
    await three;
    assert.deepEqual(got, [[0, true], [0, true], [0, false]], name);
    c.terminate();
    await closeServer(wss);
  }
});

test("extensions names the negotiated extensions without parameters, on both sides", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    const wss = new lib.WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: true });
    await once(wss, "listening");
    const server = new Promise((resolve) => wss.on("connection", (ws) => resolve(ws.extensions)));
    const c = new lib.WebSocket(`ws://127.0.0.1:${wss.address().port}`, { perMessageDeflate: { clientNoContextTakeover: true } });
    await once(c, "open");
    assert.deepEqual([c.extensions, await server], ["permessage-deflate", "permessage-deflate"], name);
    c.terminate();
    await closeServer(wss);
  }
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: true });
  await once(wss, "listening");
  const c = new WebSocket(`ws://127.0.0.1:${wss.address().port}`);
  await once(c, "open");
  assert.match(c.extensionsHeader, /^permessage-deflate; server_no_context_takeover/, "ws101 keeps the full value apart");
  c.terminate();
  await closeServer(wss);
});

/** A server answering every upgrade with a 101 carrying the right accept key and `extra` header lines. */
async function rawUpgradeServer(extra) {
  const server = http.createServer();
  server.on("upgrade", (req, socket) => {
    const accept = crypto.createHash("sha1").update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
    socket.on("error", () => {});
    socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

test("a failed opening handshake is CLOSING at once (error and close on a later tick); a bad subprotocol is ws's error", { timeout: 10_000 }, async () => {
  const server = await rawUpgradeServer("Sec-WebSocket-Protocol:\r\n");
  for (const [name, lib] of libraries) {
    const ws = new lib.WebSocket(`ws://127.0.0.1:${server.address().port}/`, ["foo", "bar"]);
    const seen = [];
    ws.on("upgrade", () => process.nextTick(() => seen.push(`state ${ws.readyState}`)));
    ws.on("error", (err) => seen.push(`error: ${err.message}`));
    const duplex = createWebSocketStream(ws);
    duplex.on("error", () => {});
    duplex.on("finish", () => seen.push("finish"));
    ws.on("upgrade", () => process.nextTick(() => duplex.end()));
    seen.push(`close ${await closeOf(ws)}`);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ["state 2", "error: Server sent an invalid subprotocol", "close 1006"], name);
  }
  server.close();
});

test("createConnection gets the URL's port as written (ws passes it through)", { timeout: 10_000 }, async () => {
  const target = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(target, "listening");
  for (const [name, lib] of libraries) {
    const seen = [];
    const ws = new lib.WebSocket("ws://example.invalid:22/x", {
      createConnection: (options) => {
        seen.push([options.host, options.port]);
        return net.createConnection({ host: "127.0.0.1", port: target.address().port });
      },
    });
    await once(ws, "open");
    assert.deepEqual(seen, [["example.invalid", "22"]], name);
    ws.terminate();
  }
  await closeServer(target);
});

test("a Blob that cannot be read: its callback and those queued behind it get the error, one 'error' event, then close 1006", { timeout: 10_000, skip: typeof fs.openAsBlob !== "function" }, async () => {
  for (const [name, lib] of libraries) {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "ws101-")), "blob.txt");
    fs.writeFileSync(file, "x".repeat(64));
    const blob = await fs.openAsBlob(file);
    fs.writeFileSync(file, "x".repeat(32)); // the Blob's snapshot is gone: reading it fails
    const { wss, url } = await echoServer(lib.WebSocketServer);
    const ws = new lib.WebSocket(url);
    await once(ws, "open");
    const seen = [];
    ws.on("error", (err) => seen.push(`error ${err.name}`));
    ws.send(blob, (err) => seen.push(`cb1 ${err?.name}`));
    ws.send("after", (err) => seen.push(`cb2 ${err?.name}`));
    seen.push(`close ${await closeOf(ws)}`);
    assert.deepEqual(seen, ["cb1 NotReadableError", "cb2 NotReadableError", "error NotReadableError", "close 1006"], name);
    await closeServer(wss);
  }
});

test("an error on the socket is not re-emitted on the WebSocket: close 1006 alone", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    const wss = new lib.WebSocketServer({ port: 0, host: "127.0.0.1" });
    await once(wss, "listening");
    const seen = [];
    const closed = new Promise((resolve) => wss.on("connection", (ws) => {
      ws.on("error", (err) => seen.push(`error ${err.message}`));
      ws.on("close", (code) => resolve(code));
      ws._socket.on("error", () => seen.push("socket error"));
      ws._socket.destroy(new Error("boom"));
    }));
    const c = new lib.WebSocket(`ws://127.0.0.1:${wss.address().port}`);
    c.on("error", () => {});
    seen.push(`close ${await closed}`);
    assert.deepEqual(seen, ["socket error", "close 1006"], name);
    c.terminate();
    await closeServer(wss);
  }
});

test("ws101 refuses a send's `mask` that contradicts the role (never ignores it)", { timeout: 10_000 }, async () => {
  const { wss, url } = await echoServer();
  const serverSide = new Promise((resolve) => wss.on("connection", resolve));
  const ws = new WebSocket(url);
  await once(ws, "open");
  assert.throws(() => ws.send("x", { mask: false }), (err) => err instanceof TypeError && err.option === "mask");
  ws.send("x", { mask: true }); // what a client does anyway
  const peer = await serverSide;
  assert.throws(() => peer.send("x", { mask: true }), (err) => err instanceof TypeError && err.option === "mask");
  peer.send("y", { mask: false });
  ws.close();
  await once(ws, "close");
  await closeServer(wss);
});

/** An http server whose first upgrade is answered `302 Location: <location(port)>`, the next handed to `wss`. */
async function redirectOnce(lib, location) {
  const server = http.createServer();
  const wss = new lib.WebSocketServer({ noServer: true });
  const seen = [];
  server.once("upgrade", (req, socket) => {
    socket.end(`HTTP/1.1 302 Found\r\nLocation: ${location(server.address().port)}\r\nContent-Length: 0\r\n\r\n`);
    server.once("upgrade", (req2, socket2, head2) => wss.handleUpgrade(req2, socket2, head2, (ws) => {
      seen.push({ authorization: req2.headers.authorization, cookie: req2.headers.cookie });
      ws.close();
    }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, wss, seen, port: server.address().port };
}

test("a 'redirect' listener gets the request before it is sent: request.removeHeader() takes effect", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    const { server, wss, seen, port } = await redirectOnce(lib, (p) => `ws://127.0.0.1:${p}/next`);
    const ws = new lib.WebSocket(`ws://127.0.0.1:${port}/`, { followRedirects: true, headers: { Authorization: "Bearer t", Cookie: "a=1" } });
    ws.on("redirect", (url, req) => {
      assert.equal(req.getHeader("authorization"), "Bearer t");
      req.removeHeader("authorization");
      req.removeHeader("cookie");
    });
    assert.equal(await closeOf(ws), 1005);
    assert.deepEqual(seen, [{ authorization: undefined, cookie: undefined }], name);
    wss.close();
    server.close();
  }
});

test("a same-host redirect keeps the first URL's userinfo; url keeps the userinfo as given", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    const { server, wss, seen, port } = await redirectOnce(lib, (p) => `ws://baz:qux@127.0.0.1:${p}/next`);
    const ws = new lib.WebSocket(`ws://foo:bar@127.0.0.1:${port}/`, { followRedirects: true });
    assert.equal(ws.url, `ws://foo:bar@127.0.0.1:${port}/`, name);
    assert.equal(await closeOf(ws), 1005);
    assert.equal(ws.url, `ws://baz:qux@127.0.0.1:${port}/next`, name);
    assert.deepEqual(seen, [{ authorization: `Basic ${Buffer.from("foo:bar").toString("base64")}`, cookie: undefined }], name);
    wss.close();
    server.close();
  }
});

/** The first byte (FIN, RSV1-3, opcode) of each frame in `bytes` (payloads under 126 bytes). */
function frameFirstBytes(bytes) {
  const out = [];
  for (let at = 0; at + 2 <= bytes.length;) {
    const masked = (bytes[at + 1] & 0x80) !== 0;
    const len = bytes[at + 1] & 0x7f;
    assert.ok(len < 126, "small frames only");
    out.push(bytes[at]);
    at += 2 + (masked ? 4 : 0) + len;
  }
  return out;
}

test("send(data, { compress: false }) sends that message uncompressed (RSV1 clear), the next one compressed again, on both sides", { timeout: 10_000 }, async () => {
  const text = "compress me ".repeat(5);
  for (const [name, lib] of libraries) {
    // Server side: a raw client offers permessage-deflate and reads the server's frames.
    const wss = new lib.WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: { threshold: 0 } });
    await once(wss, "listening");
    wss.on("connection", (ws) => {
      ws.send(text, { compress: false });
      ws.send(text);
      ws.send(text, { compress: false });
    });
    const socket = net.connect(wss.address().port, "127.0.0.1");
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`);
    let got = Buffer.alloc(0);
    const frames = await new Promise((resolve) => socket.on("data", (chunk) => {
      got = Buffer.concat([got, chunk]);
      const end = got.indexOf("\r\n\r\n");
      if (end === -1) return;
      const firsts = frameFirstBytes(got.subarray(end + 4));
      if (firsts.length === 3) resolve(firsts);
    }));
    socket.destroy();
    await closeServer(wss);
    assert.deepEqual(frames, [0x81, 0xc1, 0x81], `${name} server: RSV1 only on the message sent without compress: false`);

    // Client side: a raw server agrees to permessage-deflate and reads the client's frames.
    const server = http.createServer();
    const clientFrames = new Promise((resolve) => server.on("upgrade", (req, sock) => {
      const accept = crypto.createHash("sha1").update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
      sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`);
      let bytes = Buffer.alloc(0);
      sock.on("data", (chunk) => {
        bytes = Buffer.concat([bytes, chunk]);
        const firsts = frameFirstBytes(bytes);
        if (firsts.length === 3) {
          resolve(firsts);
          sock.destroy();
        }
      });
    }));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const c = new lib.WebSocket(`ws://127.0.0.1:${server.address().port}`, { perMessageDeflate: { threshold: 0 } });
    c.on("error", () => {});
    await once(c, "open");
    c.send(text, { compress: false });
    c.send(text);
    c.send(text, { compress: false });
    const sent = await clientFrames;
    c.terminate();
    server.close();
    assert.deepEqual(sent, [0x81, 0xc1, 0x81], `${name} client: RSV1 only on the message sent without compress: false`);
  }
});

test("verifyClient refusals answer ws's status and headers (401 by default, or the code and headers given)", { timeout: 10_000 }, async () => {
  const cases = [
    [() => false, 401, undefined],
    [(info, cb) => setImmediate(() => cb(false)), 401, undefined],
    [(info, cb) => setImmediate(() => cb(false, 404)), 404, undefined],
    [(info, cb) => setImmediate(() => cb(false, 503, "", { "Retry-After": 120 })), 503, "120"],
  ];
  for (const [name, lib] of libraries) {
    for (const [verifyClient, status, retryAfter] of cases) {
      const wss = new lib.WebSocketServer({ port: 0, host: "127.0.0.1", verifyClient });
      await once(wss, "listening");
      wss.on("connection", () => assert.fail(`${name}: unexpected connection`));
      const req = http.get({
        host: "127.0.0.1",
        port: wss.address().port,
        headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": 13 },
      });
      const [res] = await once(req, "response");
      res.resume();
      await closeServer(wss);
      assert.deepEqual([res.statusCode, res.headers["retry-after"]], [status, retryAfter], name);
    }
  }
});

test("send(data, { fin: false }) sends a fragment; the sends after it continue the message until one without fin: false (both roles, with and without permessage-deflate)", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    for (const perMessageDeflate of [false, { threshold: 0 }]) {
      const label = `${name}, deflate ${Boolean(perMessageDeflate)}`;
      const wss = new lib.WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate });
      await once(wss, "listening");
      const fromClient = [];
      const serverSide = new Promise((resolve) => wss.on("connection", (ws) => {
        ws.on("message", (data, isBinary) => {
          fromClient.push([Buffer.from(data).toString(), isBinary]);
          if (fromClient.length < 3) return;
          // The server sends a fragmented message too, a ping between its fragments.
          ws.send("ser", { fin: false });
          ws.ping();
          ws.send(Buffer.from("ver"), { fin: false, binary: true });
          ws.send("");
          resolve();
        });
      }));
      const c = new lib.WebSocket(`ws://127.0.0.1:${wss.address().port}`, { perMessageDeflate: Boolean(perMessageDeflate) });
      try {
        await once(c, "open");
        const fromServer = new Promise((resolve) => c.once("message", (data, isBinary) => resolve([Buffer.from(data).toString(), isBinary])));
        c.send("frag", { fin: false });
        c.send("ment", { fin: true });
        c.send(Buffer.from("bin"), { fin: false });
        c.send(Buffer.from("ary"), { binary: false }); // a later fragment's type is the first one's
        c.send("whole");
        await serverSide;
        assert.deepEqual(fromClient, [["fragment", false], ["binary", true], ["whole", false]], label);
        assert.deepEqual(await fromServer, ["server", false], label);
      } finally {
        c.terminate();
        await closeServer(wss);
      }
    }
  }
});

test("a Host in the client's headers is the Host sent; the connection still goes to the URL's address", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    for (const [headers, expected] of [[{ host: "example.test:1234" }, "example.test:1234"], [{ Host: "Example.test" }, "example.test"]]) {
      const wss = new lib.WebSocketServer({ port: 0, host: "127.0.0.1" });
      await once(wss, "listening");
      const seen = new Promise((resolve) => wss.on("connection", (ws, req) => resolve(req.headers.host)));
      let c;
      try {
        c = new lib.WebSocket(`ws://127.0.0.1:${wss.address().port}/`, { headers });
        c.on("error", () => {});
        const got = await Promise.race([seen, once(c, "close").then(() => "closed before the connection")]);
        assert.equal(got.toLowerCase(), expected, name);
      } finally {
        c?.terminate();
        await closeServer(wss);
      }
    }
  }
});

test("send('', { fin: false }) sends an empty fragment (it threw from the socket write); the message goes on", { timeout: 10_000 }, async () => {
  for (const [name, lib] of libraries) {
    const wss = new lib.WebSocketServer({ port: 0, host: "127.0.0.1" });
    await once(wss, "listening");
    const done = [];
    wss.on("connection", (ws) => {
      ws.send("", { fin: false }, (err) => done.push(err ?? "sent"));
      ws.send(Buffer.alloc(0), { fin: false }, (err) => done.push(err ?? "sent"));
      ws.send("z", (err) => done.push(err ?? "sent"));
      ws.send("", { fin: false }, (err) => done.push(err ?? "sent"));
      ws.send("", (err) => done.push(err ?? "sent"));
    });
    const c = new lib.WebSocket(`ws://127.0.0.1:${wss.address().port}`);
    try {
      const got = [];
      await new Promise((resolve) => c.on("message", (data, isBinary) => {
        got.push([String(data), isBinary]);
        if (got.length === 2) resolve();
      }));
      assert.deepEqual(got, [["z", false], ["", false]], name);
      assert.deepEqual(done, ["sent", "sent", "sent", "sent", "sent"], name);
    } finally {
      c.terminate();
      await closeServer(wss);
    }
  }
});

test("a text fragment that is not UTF-8 after earlier fragments went out: ws101 refuses it and closes the connection (1006), never left open and mute", { timeout: 10_000 }, async () => {
  // ws sends the bytes (its peer then fails the connection with 1007); ws101 checks the text it
  // sends, so only ws101 runs here: the refusal must not leave an OPEN socket that sends nothing.
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(wss, "listening");
  const server = new Promise((resolve) => wss.on("connection", resolve));
  const c = new WebSocket(`ws://127.0.0.1:${wss.address().port}`);
  try {
    const ws = await server;
    await once(c, "open");
    const peerClosed = closeOf(c);
    const closed = closeOf(ws);
    ws.send("abc", { fin: false });
    assert.throws(() => ws.send(Buffer.from([0xff]), { binary: false }), { code: "send-invalid-utf8" });
    assert.equal(ws.readyState, WebSocket.CLOSING);
    const after = await new Promise((resolve) => ws.send("after", resolve));
    assert.match(after.message, /not open/);
    assert.equal(await closed, 1006);
    assert.equal(await peerClosed, 1006);
  } finally {
    c.terminate();
    await closeServer(wss);
  }
});

/**
 * Opens a WebSocket (ws101/node) per `headers` entry to a raw TCP server that records, per request,
 * the head's lines whose name matches `name`, then checks that `refused` headers throw a TypeError
 * without anything sent. Returns the recorded lines and the port.
 */
async function sentLines(name, headersList, refused) {
  const heads = [];
  const server = net.createServer((s) => s.once("data", (d) => {
    heads.push(d.toString("latin1").split("\r\n").filter((l) => l.toLowerCase().startsWith(`${name}:`)));
    s.destroy();
  }));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  try {
    for (const headers of headersList) {
      const c = new WebSocket(`ws://127.0.0.1:${port}/`, { headers });
      c.on("error", () => {});
      await closeOf(c);
    }
    assert.throws(() => new WebSocket(`ws://127.0.0.1:${port}/`, { headers: refused }), TypeError);
    assert.equal(heads.length, headersList.length, `nothing sent for ${JSON.stringify(refused)}`);
    return { heads, port };
  } finally {
    server.close();
  }
}

test("a Host in headers that is not a string is never stringified into the Host sent (undefined: the URL's; null: TypeError)", { timeout: 10_000 }, async () => {
  // ws sends no "Host: undefined" either (it throws ERR_HTTP_INVALID_HEADER_VALUE; ws101 treats an
  // undefined header as absent, as it does every extra header); only ws101 runs here.
  const { heads, port } = await sentLines("host", [{ host: undefined }], { Host: null });
  assert.deepEqual(heads, [[`Host: 127.0.0.1:${port}`]]);
});

test("an Origin in headers that is not a string is never stringified into the Origin sent (undefined: none; null: TypeError)", { timeout: 10_000 }, async () => {
  // (ws101 only, as the Host case above: ws sends "Origin: undefined" here)
  const { heads } = await sentLines("origin", [{ Origin: undefined }, { origin: "https://app.example" }], { origin: null });
  assert.deepEqual(heads, [[], ["Origin: https://app.example"]]);
});

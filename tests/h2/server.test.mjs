// ws101/node's WebSocketServer on node:http2 servers (RFC 8441): one port for HTTP/2 extended
// CONNECT and HTTP/1.1 upgrades, the core's answers (status and fields), the stream as the
// WebSocket's transport (flow control, END_STREAM, RST_STREAM, GOAWAY), and hostile peers.
// Peers: ws101's own client (both HTTP versions) and node:http2's client driving raw frames.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http2 from "node:http2";
import { once } from "node:events";
import { encodeFrame, decodeFrames } from "ws101";
import { WebSocketServer, connect } from "ws101/node";
import { echoServer } from "./support.mjs";

const { NGHTTP2_CANCEL, NGHTTP2_PROTOCOL_ERROR, NGHTTP2_INTERNAL_ERROR } = http2.constants;
const servers = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function started(options) {
  const s = await echoServer(options);
  servers.push(s);
  return s;
}

function session(s) {
  const sess = http2.connect(s.url, { rejectUnauthorized: false });
  sess.on("error", () => {});
  return sess;
}

/** An extended CONNECT on `sess`: resolves `{ stream, headers, body() }` once the response arrives. */
async function extendedConnect(sess, fields = {}) {
  const stream = sess.request({ ":method": "CONNECT", ":protocol": "websocket", ":path": "/raw", "sec-websocket-version": "13", ...fields });
  stream.on("error", () => {});
  const [headers] = await once(stream, "response");
  const chunks = [];
  stream.on("data", (c) => chunks.push(c));
  const ended = new Promise((resolve) => stream.on("end", resolve));
  return { stream, headers, data: () => Buffer.concat(chunks), ended, body: async () => (await ended, Buffer.concat(chunks).toString()) };
}

const masked = (opcode, payload = "") => encodeFrame({ fin: true, opcode, payload, mask: true }).bytes;
const frames = (bytes) => decodeFrames(bytes, "client").frames;

async function ws101(url, options) {
  const ws = connect(url, { rejectUnauthorized: false, ...options });
  ws.on("error", () => {});
  await once(ws, "open");
  return ws;
}

async function echo(ws, data, binary) {
  const got = once(ws, "message");
  ws.send(data, { binary });
  const [msg, isBinary] = await got;
  return { msg, isBinary };
}

test("one TLS port: HTTP/2 extended CONNECT and HTTP/1.1 upgrade, one connection event, ws.httpVersion says which", async () => {
  const s = await started();
  const a = await ws101(`${s.wsUrl}/two`, { http2: true, protocols: ["echo"] });
  const b = await ws101(`${s.wsUrl}/one`, { protocols: ["echo"] });
  assert.equal(a.httpVersion, "2");
  assert.equal(b.httpVersion, "1.1");
  assert.deepEqual(s.connections.map((c) => [c.httpVersion, c.method, c.protocol ?? null, c.req.url]), [
    ["2", "CONNECT", "websocket", "/two"],
    ["1.1", "GET", null, "/one"],
  ]);
  for (const ws of [a, b]) {
    assert.equal(ws.protocol, "echo");
    assert.match(ws.extensions, /^permessage-deflate/);
    const text = await echo(ws, "héllo", false);
    assert.equal(String(text.msg), "héllo");
    assert.equal(text.isBinary, false);
  }
  for (const ws of [a, b]) {
    ws.close(1000, "done");
    const [code, reason] = await once(ws, "close");
    assert.equal(code, 1000);
    assert.equal(String(reason), "done");
  }
  assert.deepEqual(await s.connections[0].closedPromise, { code: 1000, reason: "done" });
  assert.deepEqual(await s.connections[1].closedPromise, { code: 1000, reason: "done" });
});

test("messages of 0 B to 4 MiB both ways over an h2 stream, with permessage-deflate", async () => {
  const s = await started();
  const ws = await ws101(`${s.wsUrl}/sizes`, { http2: true });
  assert.match(ws.extensions, /permessage-deflate/);
  for (const size of [0, 1, 125, 126, 65535, 65536, 1 << 20, 4 << 20]) {
    const text = "ab✓".repeat(Math.ceil(size / 3)).slice(0, size);
    const t = await echo(ws, text, false);
    assert.equal(t.isBinary, false);
    assert.ok(String(t.msg) === text, `text ${size}`);
    const bin = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bin[i] = (i * 7919) >>> 3;
    const b = await echo(ws, bin, true);
    assert.equal(b.isBinary, true);
    assert.ok(Buffer.compare(b.msg, bin) === 0, `binary ${size}`);
  }
  ws.close();
  await once(ws, "close");
});

test("cleartext h2c: WebSocketServer on http2.createServer and connect(ws://…, { http2: true })", async () => {
  const s = await started({ secure: false });
  const ws = await ws101(`${s.wsUrl}/c`, { http2: true });
  assert.equal(ws.httpVersion, "2");
  assert.equal(String((await echo(ws, "clear", false)).msg), "clear");
  assert.equal(s.connections[0].req.scheme, "http");
  ws.close();
  await once(ws, "close");
});

test("many WebSockets and ordinary requests share one HTTP/2 connection", async () => {
  const s = await started();
  const sess = session(s);
  const sockets = await Promise.all(Array.from({ length: 8 }, (_, i) => ws101(`${s.wsUrl}/m${i}`, { http2: sess })));
  const gets = await Promise.all(Array.from({ length: 4 }, async () => {
    const req = sess.request({ ":path": "/" });
    const [headers] = await once(req, "response");
    req.resume();
    await once(req, "end");
    return headers[":status"];
  }));
  assert.deepEqual(gets, [200, 200, 200, 200]);
  const replies = await Promise.all(sockets.map((ws, i) => echo(ws, `n${i}`, false)));
  assert.deepEqual(replies.map((r) => String(r.msg)), sockets.map((_, i) => `n${i}`));
  // Server side: every WebSocket is a stream of the same session.
  const serverSessions = new Set(s.connections.map((c) => c.req.stream.session));
  assert.equal(serverSessions.size, 1);
  for (const ws of sockets) ws.close();
  await Promise.all(sockets.map((ws) => once(ws, "close")));
  // The caller's session stays open for more.
  assert.equal(sess.closed, false);
  const again = await ws101(`${s.wsUrl}/again`, { http2: sess });
  again.close();
  await once(again, "close");
  sess.close();
});

test("the closing handshake ends the stream with END_STREAM, not RST_STREAM", async () => {
  const s = await started();
  const sess = session(s);
  const { stream, headers, data, ended } = await extendedConnect(sess);
  assert.equal(headers[":status"], 200);
  assert.equal(headers["sec-websocket-accept"], undefined);
  stream.write(masked(8, Buffer.from([0x03, 0xe8, ...Buffer.from("bye")])));
  await ended; // the server's END_STREAM after its Close
  const [close] = frames(data());
  assert.equal(close.opcode, 8);
  assert.deepEqual([...close.payload], [0x03, 0xe8, ...Buffer.from("bye")]);
  stream.end();
  await once(stream, "close");
  assert.equal(stream.rstCode, http2.constants.NGHTTP2_NO_ERROR);
  assert.deepEqual(await s.connections[0].closedPromise, { code: 1000, reason: "bye" });
  assert.equal(s.connections[0].ws.readyState, 3);
  sess.close();
});

test("server-initiated close: the Close, the client's END_STREAM, wasClean", async () => {
  const s = await started();
  const ws = await ws101(`${s.wsUrl}/s`, { http2: true });
  const closed = once(ws, "close");
  s.connections[0].ws.close(1001, "going");
  const [code, reason] = await closed;
  assert.equal(code, 1001);
  assert.equal(String(reason), "going");
  assert.deepEqual(await s.connections[0].closedPromise, { code: 1001, reason: "going" });
});

for (const [label, act] of [
  ["RST_STREAM (CANCEL)", (sess, stream) => stream.close(NGHTTP2_CANCEL)],
  ["RST_STREAM (INTERNAL_ERROR)", (sess, stream) => stream.close(NGHTTP2_INTERNAL_ERROR)],
  ["GOAWAY with an error code", (sess) => sess.goaway(NGHTTP2_PROTOCOL_ERROR)],
  ["the connection's end", (sess) => sess.destroy()],
]) {
  test(`${label} is a close with 1006`, async () => {
    const s = await started();
    const sess = session(s);
    const { stream } = await extendedConnect(sess);
    const errors = [];
    s.connections[0].ws.on("error", (e) => errors.push(e));
    act(sess, stream);
    assert.deepEqual(await s.connections[0].closedPromise, { code: 1006, reason: "" });
    assert.deepEqual(errors, []);
    sess.destroy();
  });
}

test("backpressure is HTTP/2 flow control: a peer that does not read holds the data in the server's stream", async () => {
  const s = await started();
  const sess = session(s);
  const { stream } = await extendedConnect(sess);
  stream.pause();
  const ws = s.connections[0].ws;
  const total = 8 * (1 << 20);
  const sent = [];
  for (let i = 0; i < 8; i++) ws.send(Buffer.alloc(1 << 20, i), () => sent.push(i));
  // The peer granted a 64 KiB window and reads nothing: (nearly) all 8 MiB wait on the server.
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(ws.bufferedAmount > total - 65535, `bufferedAmount ${ws.bufferedAmount}`);
  assert.ok(stream.readableLength <= 65535, `the peer holds ${stream.readableLength} B, at most its window`);
  assert.ok(sent.length < 8, "not every send completed while the peer's window is closed");
  let got = 0;
  stream.on("data", (c) => (got += c.length));
  stream.resume();
  while (sent.length < 8) await new Promise((resolve) => setTimeout(resolve, 20));
  while (got < total + 8 * 10) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(ws.bufferedAmount, 0);
  sess.destroy();
});

test("rejections are the core's: exact :status and fields over HTTP/2", async () => {
  const s = await started({ wssOptions: { origins: ["https://good.example"] } });
  const sess = session(s);
  // A wrong version: 400 with sec-websocket-version: 13 (426 needs Upgrade, which HTTP/2 forbids).
  let r = await extendedConnect(sess, { "sec-websocket-version": "8", origin: "https://good.example" });
  assert.equal(r.headers[":status"], 400);
  assert.equal(r.headers["sec-websocket-version"], "13");
  assert.match(r.headers["content-type"], /^text\/plain/);
  assert.match(await r.body(), /unsupported-version/);
  // A key has no place in an extended CONNECT (RFC 8441 §5).
  r = await extendedConnect(sess, { "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", origin: "https://good.example" });
  assert.equal(r.headers[":status"], 400);
  assert.match(await r.body(), /key-in-extended-connect/);
  // The origin policy: 403.
  r = await extendedConnect(sess, { origin: "https://evil.example" });
  assert.equal(r.headers[":status"], 403);
  await r.body();
  // Accepted with the right origin, no subprotocol asked: none answered.
  r = await extendedConnect(sess, { origin: "https://good.example" });
  assert.equal(r.headers[":status"], 200);
  assert.equal(r.headers["sec-websocket-protocol"], undefined);
  r.stream.close(NGHTTP2_CANCEL);
  assert.equal(s.connections.length, 1);
  sess.destroy();
});

test("verifyClient, handleProtocols and path work over HTTP/2 as over HTTP/1.1", async () => {
  const seen = [];
  const s = await started({
    wssOptions: {
      path: "/chat",
      protocols: undefined,
      handleProtocols: (offered, req) => (seen.push([...offered], req.httpVersion), "b"),
      verifyClient: ({ req, origin }, cb) => (origin === "https://no.example" ? cb(false, 401, "no", { "x-why": "origin" }) : cb(true)),
    },
  });
  const sess = session(s);
  let r = await extendedConnect(sess, { ":path": "/elsewhere" });
  assert.equal(r.headers[":status"], 400);
  await r.body();
  r = await extendedConnect(sess, { ":path": "/chat", origin: "https://no.example" });
  assert.equal(r.headers[":status"], 401);
  assert.equal(r.headers["x-why"], "origin");
  assert.equal(await r.body(), "no");
  r = await extendedConnect(sess, { ":path": "/chat?x=1", "sec-websocket-protocol": "a, b" });
  assert.equal(r.headers[":status"], 200);
  assert.equal(r.headers["sec-websocket-protocol"], "b");
  assert.deepEqual(seen, [["a", "b"], "2.0"]);
  r.stream.close(NGHTTP2_CANCEL);
  sess.destroy();
});

test("an application's request handler keeps serving; other CONNECTs get Node's 405", async () => {
  const s = await started();
  const sess = session(s);
  const get = sess.request({ ":path": "/" });
  const [h] = await once(get, "response");
  get.resume();
  assert.equal(h[":status"], 200);
  for (const fields of [{ ":method": "CONNECT", ":authority": "example.com:443" }, { ":method": "CONNECT", ":protocol": "connect-udp", ":path": "/x" }]) {
    const st = sess.request(fields);
    st.on("error", () => {});
    const [rh] = await once(st, "response");
    st.resume();
    assert.equal(rh[":status"], 405);
  }
  // and a WebSocket after them, on the same connection
  const ws = await ws101(`${s.wsUrl}/after`, { http2: sess });
  ws.close();
  await once(ws, "close");
  sess.destroy();
});

test("hostile peers: bad frames close with the RFC's code, streams reset mid-handshake, garbage bytes: the process lives on", async () => {
  let verifying = null;
  let serverStream = null;
  let hold = true;
  const s = await started({
    wssOptions: {
      verifyClient: (info, cb) => {
        serverStream = info.req.stream;
        if (hold) verifying = () => cb(true);
        else cb(true);
      },
    },
  });
  const sess = session(s);
  // A reset while verifyClient is still deciding.
  const pending = sess.request({ ":method": "CONNECT", ":protocol": "websocket", ":path": "/slow", "sec-websocket-version": "13" });
  pending.on("error", () => {});
  while (!verifying) await new Promise((resolve) => setTimeout(resolve, 5));
  pending.close(NGHTTP2_CANCEL);
  if (!serverStream.closed) await once(serverStream, "close");
  verifying();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(s.connections.length, 0);
  // An unmasked frame: 1002 (RFC 6455 §5.1).
  verifying = null;
  const p = extendedConnect(sess);
  while (!verifying) await new Promise((resolve) => setTimeout(resolve, 5));
  verifying();
  const { stream, data, ended } = await p;
  stream.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
  await ended; // the server's Close, then its END_STREAM
  stream.end();
  const [close] = frames(data());
  assert.equal(close.opcode, 8);
  assert.equal((close.payload[0] << 8) | close.payload[1], 1002);
  // the server failed the connection: it sent 1002 but received no Close (RFC 6455 §7.1.5)
  assert.equal((await s.connections[0].closedPromise).code, 1006);
  sess.destroy();
  // Not HTTP/2 at all on the TLS port.
  const tls = await import("node:tls");
  const sock = tls.connect({ port: s.port, host: "127.0.0.1", rejectUnauthorized: false, ALPNProtocols: ["h2"] });
  sock.on("error", () => {});
  sock.resume();
  await once(sock, "secureConnect");
  // The preface, then a DATA frame on stream 0 (a connection error, RFC 9113 §6.1), then noise.
  sock.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.from([0, 0, 4, 0, 0, 0, 0, 0, 0]), Buffer.from("junkjunkjunk")]));
  await once(sock, "close");
  // Still serving.
  hold = false;
  const ws = await ws101(`${s.wsUrl}/alive`, { http2: true });
  assert.equal(String((await echo(ws, "alive", false)).msg), "alive");
  ws.close();
  await once(ws, "close");
});

test("noServer: handleStream answers a stream the application routes; 503 once closed; close() detaches", async () => {
  const s = await started();
  const manual = new WebSocketServer({ noServer: true });
  const accepted = [];
  s.server.prependListener("stream", (stream, headers, flags, rawHeaders) => {
    if (headers[":path"] !== "/manual") return;
    manual.handleStream(stream, headers, rawHeaders, (ws, req) => accepted.push([ws.httpVersion, req.url]));
  });
  s.wss.shouldHandle = (req) => req.url !== "/manual";
  const sess = session(s);
  let r = await extendedConnect(sess, { ":path": "/manual" });
  assert.equal(r.headers[":status"], 200);
  assert.deepEqual(accepted, [["2", "/manual"]]);
  r.stream.close(NGHTTP2_CANCEL);
  manual.close();
  r = await extendedConnect(sess, { ":path": "/manual" });
  assert.equal(r.headers[":status"], 503);
  await r.body();
  // Closing the server's WebSocketServer removes its listeners: node:http2's own answer (405) remains.
  s.wss.close();
  r = await extendedConnect(sess, { ":path": "/other" });
  assert.equal(r.headers[":status"], 405);
  r.stream.close(NGHTTP2_CANCEL);
  sess.destroy();
});

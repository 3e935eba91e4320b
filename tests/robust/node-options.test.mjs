// ws101/node's WebSocketServer and client options (issue 13, items 7 and 9): the `path` option
// matches origin-form targets only and never throws on a hostile target; every option is honoured
// or refused by name; verifyClient, handleProtocols and origin predicates work in their sync and
// async forms; requireOrigin and maxHeaders reach the core. Real sockets on 127.0.0.1.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { WebSocketServer, WebSocket, connect } from "ws101/node";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const uncaught = [];
const onUncaught = (err) => uncaught.push(err);
process.on("uncaughtException", onUncaught);
after(() => process.off("uncaughtException", onUncaught));

async function listen(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", ...options });
  await once(wss, "listening");
  wss.on("connection", (ws) => {
    ws.on("error", () => {});
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  return { wss, port: wss.address().port };
}

/** Sends a raw upgrade request; resolves with the response head (status line and headers). */
async function upgrade(port, { target = "/", extra = "" } = {}) {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await once(socket, "connect");
  socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
  let buf = Buffer.alloc(0);
  await new Promise((resolve) => {
    socket.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.includes("\r\n\r\n")) resolve();
    });
    socket.on("close", resolve);
  });
  socket.destroy();
  const head = buf.toString("latin1").split("\r\n\r\n")[0];
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head };
}

async function echoOnce(url, options) {
  const ws = connect(url, options);
  const failed = new Promise((_, reject) => ws.once("error", reject));
  await Promise.race([once(ws, "open"), failed]);
  ws.send("hello");
  const [data] = await once(ws, "message");
  ws.close(1000);
  await once(ws, "close");
  return { data: String(data), protocol: ws.protocol };
}

function noUncaught(before) {
  assert.equal(uncaught.length, before, `uncaught: ${uncaught.slice(before).map((e) => e.stack).join("\n")}`);
}

test("path: hostile and non-origin-form targets get 400, never an exception; /chat and /chat?q match", { timeout: 10_000 }, async () => {
  const { wss, port } = await listen({ path: "/chat" });
  const before = uncaught.length;
  for (const target of ["http://[/chat", "//evil.example/chat", "http://evil.example/chat", "/chatx", "/", "*", "/chat/", "%2Fchat"]) {
    const { status } = await upgrade(port, { target });
    assert.equal(status, 400, `${target} must be refused`);
  }
  assert.equal((await upgrade(port, { target: "/chat" })).status, 101);
  assert.equal((await upgrade(port, { target: "/chat?room=1" })).status, 101);
  assert.equal((await echoOnce(`ws://127.0.0.1:${port}/chat`)).data, "hello", "the server still serves");
  noUncaught(before);
  wss.close();
});

test("unknown and unsupported options are TypeErrors naming the option", () => {
  const named = (name) => (err) => err instanceof TypeError && err.message.includes(name);
  assert.throws(() => new WebSocketServer({ noServer: true, verifyclient: () => false }), named("verifyclient"));
  assert.throws(() => new WebSocketServer({ noServer: true, generateMask: () => {} }), named("generateMask"));
  assert.throws(() => new WebSocketServer({ noServer: true, skipUTF8Validation: true }), named("skipUTF8Validation"));
  assert.throws(() => new WebSocketServer({ noServer: true, allowSynchronousEvents: false }), named("allowSynchronousEvents"));
  assert.throws(() => new WebSocketServer({ noServer: true, perMessageDeflate: { zlibInflateOptions: {} } }), named("zlibInflateOptions"));
  assert.throws(() => new WebSocketServer({ noServer: true, verifyClient: "yes" }), named("verifyClient"));
  assert.throws(() => new WebSocketServer({ noServer: true, handleProtocols: true }), named("handleProtocols"));
  assert.throws(() => new WebSocketServer({ noServer: true, WebSocket: class {} }), named("WebSocket"));
  assert.throws(() => new WebSocketServer({ noServer: true, port: 0 }), TypeError);
  assert.throws(() => connect("ws://127.0.0.1:9/", { agent: {} }), named("agent"));
  assert.throws(() => connect("ws://127.0.0.1:9/", { followRedirects: "yes" }), named("followRedirects"));
  assert.throws(() => new WebSocket("ws://127.0.0.1:9/", { handshakeTimout: 5 }), named("handshakeTimout"));
  // The names ws101 and ws share are accepted.
  const ok = new WebSocketServer({
    noServer: true, path: "/x", clientTracking: false, perMessageDeflate: { threshold: 0, concurrencyLimit: 2 },
    maxPayload: 1024, verifyClient: () => true, handleProtocols: () => false, skipUTF8Validation: false,
    allowSynchronousEvents: true, autoPong: true, closeTimeout: 10, WebSocket, protocols: [], requireOrigin: false,
    maxHeaders: 10, maxHeaderBytes: 4096,
  });
  ok.close();
});

test("verifyClient: sync false → 401, async callback (false, 403, message, headers), Promise → awaited", { timeout: 10_000 }, async () => {
  const before = uncaught.length;
  const sync = await listen({ verifyClient: (info) => info.req.headers["x-token"] === "ok" });
  assert.equal((await upgrade(sync.port)).status, 401);
  assert.equal((await upgrade(sync.port, { extra: "X-Token: ok\r\n" })).status, 101);
  sync.wss.close();

  const callback = await listen({
    verifyClient: (info, cb) => setImmediate(() => (info.origin === "https://good.example" ? cb(true) : cb(false, 403, "go away", { "X-Why": "origin" }))),
  });
  const refused = await upgrade(callback.port, { extra: "Origin: https://evil.example\r\n" });
  assert.equal(refused.status, 403);
  assert.match(refused.head, /\r\nX-Why: origin/i);
  assert.equal((await upgrade(callback.port, { extra: "Origin: https://good.example\r\n" })).status, 101);
  callback.wss.close();

  // An async function returns a Promise, which is truthy: it must be awaited, not trusted.
  const promised = await listen({ verifyClient: async (info) => info.req.headers["x-token"] === "ok" });
  assert.equal((await upgrade(promised.port)).status, 401);
  assert.equal((await echoOnce(`ws://127.0.0.1:${promised.port}/`, { headers: { "X-Token": "ok" } })).data, "hello");
  promised.wss.close();
  noUncaught(before);
});

test("handleProtocols picks the subprotocol (sync and async); false means none", { timeout: 10_000 }, async () => {
  const seen = [];
  const { wss, port } = await listen({
    handleProtocols: (offered) => {
      seen.push([...offered]);
      return offered.has("b") ? "b" : false;
    },
  });
  const picked = await echoOnce(`ws://127.0.0.1:${port}/`, { protocols: ["a", "b"] });
  assert.equal(picked.protocol, "b");
  assert.deepEqual(seen[0], ["a", "b"]);
  const none = await upgrade(port, { extra: "Sec-WebSocket-Protocol: a\r\n" });
  assert.equal(none.status, 101);
  assert.doesNotMatch(none.head, /sec-websocket-protocol/i);
  wss.close();

  const async = await listen({ handleProtocols: async (offered) => (offered.has("chat") ? "chat" : false) });
  assert.equal((await echoOnce(`ws://127.0.0.1:${async.port}/`, { protocols: ["x", "chat"] })).protocol, "chat");
  async.wss.close();
});

test("requireOrigin (403) and maxHeaders (431) reach the core's policy", { timeout: 10_000 }, async () => {
  const { wss, port } = await listen({ requireOrigin: true, maxHeaders: 8 });
  assert.equal((await upgrade(port)).status, 403);
  assert.equal((await upgrade(port, { extra: "Origin: https://a.example\r\n" })).status, 101);
  const many = Array.from({ length: 12 }, (_, i) => `X-Filler-${i}: ${i}\r\n`).join("");
  assert.equal((await upgrade(port, { extra: `Origin: https://a.example\r\n${many}` })).status, 431);
  wss.close();
});

test("an async origin predicate is awaited: a Promise of false refuses (403)", { timeout: 10_000 }, async () => {
  const { wss, port } = await listen({ origins: async (origin) => origin === "https://good.example" });
  assert.equal((await upgrade(port, { extra: "Origin: https://evil.example\r\n" })).status, 403);
  assert.equal((await upgrade(port, { extra: "Origin: https://good.example\r\n" })).status, 101);
  wss.close();
});

test("autoPong: false leaves pings to the application", { timeout: 10_000 }, async () => {
  const { wss, port } = await listen({ autoPong: false });
  const pinged = new Promise((resolve) => wss.on("connection", (ws) => ws.on("ping", resolve)));
  const ws = connect(`ws://127.0.0.1:${port}/`);
  ws.on("error", () => {});
  await once(ws, "open");
  let pongs = 0;
  ws.on("pong", () => pongs++);
  ws.ping("hi");
  await pinged;
  // A round trip after the ping: an automatic pong would have arrived before this echo.
  ws.send("after");
  await once(ws, "message");
  assert.equal(pongs, 0);
  ws.close();
  await once(ws, "close");
  wss.close();
});

// ws101/app in process on Node: what the API refuses (TypeErrors naming the rule), and that an
// app's own failures (a throwing hook, a bad upgrade answer) reach its error hook, never the process.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { defineApp, Message } from "ws101/app";
import { nodeAdapter } from "ws101/app/node";
import { decodeFrame, encodeFrame } from "../../pkg/app/broker.mjs";
import { client, rawUpgrade } from "./clients.mjs";

async function serve(definition, t, options) {
  const errors = [];
  const app = defineApp({ ...definition, error: (peer, error) => errors.push({ peer: peer?.id ?? null, error }) });
  const server = http.createServer((req, res) => res.writeHead(404).end());
  const adapter = nodeAdapter(app, options).attach(server);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(async () => {
    await adapter.close();
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
  });
  const { port } = server.address();
  return { app, port, url: `ws://127.0.0.1:${port}/`, errors };
}

test("defineApp refuses unknown options and hooks that are not functions", () => {
  assert.throws(() => defineApp({ onMessage() {} }), { name: "TypeError", message: /unknown app option: onMessage/ });
  assert.throws(() => defineApp({ open: 1 }), { name: "TypeError", message: /hook open must be a function/ });
  assert.throws(() => defineApp(null), TypeError);
  assert.throws(() => nodeAdapter(defineApp({}), { brokr: {} }), { name: "TypeError", message: /unknown nodeAdapter option: brokr/ });
  assert.throws(() => defineApp({}).publish("t", "x"), /not running on any adapter/);
  assert.throws(() => nodeAdapter(defineApp({}), { backpressureLimit: -1 }), { name: "TypeError", message: /backpressureLimit must be a non-negative number/ });
  assert.throws(() => nodeAdapter(defineApp({}), { backpressureLimit: "16m" }), TypeError);
});

test("a peer that never reads: sends and publishes to it are dropped past backpressureLimit, the server's buffer stays bounded", async (t) => {
  const limit = 1024 * 1024;
  const peers = [];
  const { port } = await serve({ open: (p) => { peers.push(p); p.subscribe("room"); } }, t, { backpressureLimit: limit });
  // A raw client that upgrades, then never reads again (its kernel buffers fill, then the server's).
  const stalled = net.connect(port, "127.0.0.1");
  stalled.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  const head = await new Promise((resolve, reject) => {
    let text = "";
    stalled.on("error", reject);
    stalled.on("data", function onData(chunk) {
      text += chunk.toString("latin1");
      if (!text.includes("\r\n\r\n")) return;
      stalled.off("data", onData);
      stalled.pause(); // and never read again
      resolve(text);
    });
  });
  assert.match(head, /^HTTP\/1\.1 101 /);
  const reader = await client(`ws://127.0.0.1:${port}/`);
  try {
    while (peers.length < 2) await new Promise((r) => setImmediate(r));
    const message = new Uint8Array(64 * 1024);
    let dropped = 0;
    let peak = 0;
    for (let i = 0; i < 2000; i++) {
      if (peers[0].send(message) === 0) dropped++;
      peers[1].publish("room", message, { excludeSelf: true }); // to the stalled peer only
      peak = Math.max(peak, peers[0].bufferedAmount);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r)); // let the socket write what the kernel takes
    }
    // 2 × 125 MiB offered; the kernel takes a few MiB, the server holds at most the limit plus one message.
    assert.ok(dropped > 0, "no send was dropped");
    assert.ok(peak <= limit + message.byteLength + 64, `bufferedAmount reached ${peak} (limit ${limit})`);
    // the reading peer is served as before; send says whether it sent (truthy) or dropped (0)
    assert.equal(peers[0].send("dropped"), 0);
    assert.equal(peers[1].send("to the reader"), 1);
    assert.deepEqual(await reader.next(), { data: "to the reader", isBinary: false });
  } finally {
    stalled.destroy(); // before the adapter closes: a held socket would keep the server open
    reader.close();
  }
});

test("Message keeps text and binary apart, with both accessors", () => {
  const text = new Message("héllo", false);
  assert.equal(text.type, "text");
  assert.deepEqual([...text.bytes()], [...Buffer.from("héllo")]);
  const binary = new Message(new Uint8Array([104, 105]), true);
  assert.equal(binary.type, "binary");
  assert.equal(binary.text(), "hi");
  assert.deepEqual(new Message('{"a":1}', false).json(), { a: 1 });
});

test("peer methods refuse what RFC 6455 forbids and data that is not a message", async (t) => {
  let peer;
  const { url } = await serve({ open: (p) => { peer = p; } }, t);
  const ws = await client(url);
  await new Promise((r) => setImmediate(r));
  assert.throws(() => peer.send(42), { name: "TypeError", message: /a message is a string/ });
  assert.throws(() => peer.send({}), TypeError);
  assert.throws(() => peer.close(1005), { name: "TypeError", message: /1005 may not be sent \(RFC 6455 §7\.4\.1/ });
  assert.throws(() => peer.close(1006), TypeError);
  assert.throws(() => peer.close(2999), TypeError);
  assert.throws(() => peer.close(1000, "x".repeat(124)), { message: /123 bytes/ });
  assert.throws(() => peer.close(undefined, "why"), { name: "TypeError", message: /needs a close code \(RFC 6455 §5\.5\.1/ });
  assert.throws(() => peer.subscribe(""), { name: "TypeError", message: /topic/ });
  assert.throws(() => peer.publish(7, "x"), TypeError);
  peer.send(new DataView(new Uint8Array([9]).buffer));
  assert.deepEqual(await ws.next(), { data: Buffer.from([9]), isBinary: true });
  ws.close();
});

test("a throwing hook reaches the error hook with its peer; the connection goes on", async (t) => {
  const { url, errors } = await serve({
    message(peer, message) {
      if (message.text() === "boom") throw new Error("app bug");
      peer.send(message.data);
    },
  }, t);
  const ws = await client(url);
  ws.send("boom");
  ws.send("after");
  assert.deepEqual(await ws.next(), { data: "after", isBinary: false });
  assert.equal(errors.length, 1);
  assert.equal(errors[0].error.message, "app bug");
  assert.equal(typeof errors[0].peer, "string");
  ws.close();
});

test("an upgrade hook that throws, answers nonsense or sets a core field gets 500, reported to error", async (t) => {
  const { port, errors } = await serve({
    upgrade(request) {
      const path = new URL(request.url).pathname;
      if (path === "/throw") throw new Error("hook bug");
      if (path === "/number") return 42;
      if (path === "/core") return { headers: { "Sec-WebSocket-Protocol": "mine" } };
      return undefined;
    },
  }, t);
  for (const path of ["/throw", "/number", "/core"]) assert.match(await rawUpgrade(port, path), /^HTTP\/1\.1 500 /, path);
  assert.deepEqual(errors.map((e) => e.error.message.slice(0, 25)), ["hook bug", "upgrade hook: return a Re", "upgrade hook: sec-websock"]);
  assert.match(await rawUpgrade(port, "/ok"), /^HTTP\/1\.1 101 /);
});

test("a refused handshake: the hook sees ws101's problems and may answer its own way", async (t) => {
  let seen;
  const { port } = await serve({
    upgrade(request, handshake) {
      seen = handshake;
      if (!handshake.ok) return new Response("custom refusal\n", { status: 400, headers: { "X-Why": handshake.problems[0].code } });
    },
  }, t);
  const head = await rawUpgrade(port, "/", "Sec-WebSocket-Version: 8\r\n");
  assert.match(head, /^HTTP\/1\.1 400 /);
  assert.match(head, /\r\nx-why: /i);
  assert.equal(seen.ok, false);
  assert.ok(seen.problems.length > 0);
});

test("broker frames carry type and origin; a broken frame is refused, not delivered", () => {
  const origin = "00112233445566778899aabbccddeeff";
  assert.deepEqual(decodeFrame(encodeFrame(origin, "héllo", false)), { origin, binary: false, data: "héllo" });
  const bytes = decodeFrame(encodeFrame(origin, new Uint8Array([0, 255]), true));
  assert.deepEqual([bytes.binary, [...bytes.data]], [true, [0, 255]]);
  assert.throws(() => decodeFrame(new Uint8Array(3)), { name: "TypeError", message: /broker frame/ });
  const bad = encodeFrame(origin, "x", false);
  bad[bad.length - 1] = 0xff; // not UTF-8
  assert.throws(() => decodeFrame(bad), TypeError);
});

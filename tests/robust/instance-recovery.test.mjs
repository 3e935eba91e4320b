// A trap leaves the one wasm instance unusable. instance.mjs rebuilds a fresh one (a fresh copy of
// the glue module, instantiated from the Module compiled at start-up); after that every public
// function works again for existing importers, and a ws101/node server keeps serving.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import WebSocket from "ws";
import {
  acceptKey, validateRequest, buildRequest, encodeFrame, decodeFrames, parseRequest, Connection,
  ClientHandshake, RawConnection, wasmMemory,
} from "ws101";
import { WebSocketServer } from "ws101/node";
import * as instance from "../../pkg/instance.mjs";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
const REQUEST = {
  method: "GET", url: "/chat", httpVersion: "1.1",
  headers: { host: "a", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "13" },
};

function trap() {
  try {
    instance.glue.__ws101_test_only_trap_this_instance();
  } catch (e) {
    return e;
  }
  assert.fail("the test-only export did not trap");
}

function echo() {
  const client = new Connection({ role: "client" });
  const server = new Connection({ role: "server" });
  const events = server.receive(client.sendText("héllo"));
  const back = client.receive(server.sendBinary(new Uint8Array([1, 2, 3])));
  client.free();
  server.free();
  return [events, back];
}

async function wsEcho(port, text) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  await once(ws, "open");
  ws.send(text);
  const [data] = await once(ws, "message");
  ws.close();
  await once(ws, "close");
  return data.toString();
}

test("a trap is recognised, recover() rebuilds, and every export works again", async () => {
  const before = instance.generation();
  const oldHandshake = buildRequest("ws://a/x");
  const oldConnection = new Connection({ role: "server" });
  const seen = [];
  const off = instance.onPoison((generation, err) => seen.push([generation, err]));

  const err = trap();
  assert.ok(err instanceof WebAssembly.RuntimeError, `a RuntimeError, got ${err}`);
  assert.equal(instance.isTrap(err), true);
  assert.equal(instance.isTrap(new Error("recursive use of an object detected which would lead to unsafe aliasing in rust")), true);
  assert.equal(instance.isTrap(new Error("attempted to take ownership of Rust value while it was borrowed")), true);
  assert.equal(instance.isTrap(new Error("null pointer passed to rust")), true);
  assert.equal(instance.isTrap(new TypeError("key must be a string")), false);
  assert.equal(instance.isTrap(new Proxy({}, { getPrototypeOf() { throw new Error("boom"); } })), false);

  const done = instance.recover(err);
  assert.equal(instance.recover(err), done, "idempotent per generation");
  assert.deepEqual(seen.map(([g]) => g), [before], "listeners called once, synchronously, with the old generation");
  assert.equal(seen[0][1], err);
  await done;
  off();
  assert.equal(instance.generation(), before + 1);

  // Objects of the poisoned instance can still be freed without throwing.
  oldHandshake.free();
  oldConnection.free();

  assert.equal(acceptKey(KEY), ACCEPT);
  const outcome = validateRequest(REQUEST, { protocols: ["chat"] });
  assert.equal(outcome.ok, true);
  assert.equal(outcome.acceptKey, ACCEPT);
  const raw = parseRequest(Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`));
  assert.equal(raw.status, 101);
  const handshake = buildRequest("ws://a/x", { headers: new Headers({ Authorization: "Bearer t" }) });
  assert.ok(handshake instanceof ClientHandshake, "the live ClientHandshake binding is the new class");
  assert.match(Buffer.from(handshake.bytes).toString(), /\r\nauthorization: Bearer t\r\n/i);
  handshake.free();
  const frame = encodeFrame({ fin: true, opcode: 1, payload: Buffer.from("hi") });
  assert.equal(decodeFrames(frame.bytes, "client").frames[0].payloadLength, 2);
  const [events, back] = echo();
  assert.deepEqual(events, [{ type: "text", data: "héllo" }]);
  assert.deepEqual([...back[0].data], [1, 2, 3]);
  assert.equal(new RawConnection(true, {}).state(), "open");
  assert.ok(wasmMemory().buffer.byteLength > 0);
});

test("free() on an object of an instance that trapped, before anyone called recover(), does not throw", async () => {
  const handshake = buildRequest("ws://a/x");
  const connection = new Connection({ role: "client" });
  const before = instance.generation();
  const err = trap();
  handshake.free();
  connection.free();
  await instance.recover(err);
  assert.equal(instance.generation(), before + 1);
  assert.equal(acceptKey(KEY), ACCEPT);
});

test("a real ws101/node server keeps serving npm ws clients across a rebuild", async () => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  await once(wss, "listening");
  const { port } = wss.address();
  try {
    assert.equal(await wsEcho(port, "before"), "before");
    await instance.recover(trap());
    assert.equal(await wsEcho(port, "after"), "after");
    await instance.recover(trap());
    assert.equal(await wsEcho(port, "again"), "again");
    assert.equal(acceptKey(KEY), ACCEPT);
  } finally {
    for (const ws of wss.clients) ws.terminate?.();
    await new Promise((resolve) => wss.close(resolve));
  }
});

test("twenty rebuilds in a row: the newest instance works", async () => {
  for (let i = 0; i < 20; i++) {
    buildRequest("ws://a/x");
    await instance.recover(trap());
    assert.equal(acceptKey(KEY), ACCEPT);
  }
  assert.deepEqual(echo()[0], [{ type: "text", data: "héllo" }]);
});

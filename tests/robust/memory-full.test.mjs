// When wasm memory is nearly full (all connections of a process share one wasm32 memory of at most
// 4 GiB), ws101/node refuses new upgrades with a 503 the client can retry (no 101 followed by a
// reset), while connections made before go on in the space left. Memory is filled from JS with
// `WebAssembly.Memory.grow`, which the core's allocator cannot use: exactly the state in which the
// core refuses new connections (src/wasm/headroom.rs). This file runs in its own process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import WebSocketClient from "ws";
import { wasmMemory } from "ws101";
import { WebSocketServer } from "ws101/node";

const PAGE = 64 * 1024;
const MAX_PAGES = 65536; // wasm32: 4 GiB

test("a nearly full wasm memory: new upgrades get 503, open connections still echo", async () => {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const refused = [];
  wss.on("wsClientError", (err) => refused.push(err));
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const url = `ws://127.0.0.1:${http.address().port}/`;
  try {
    const before = new WebSocketClient(url);
    await once(before, "open");

    const memory = wasmMemory();
    const pages = memory.buffer.byteLength / PAGE;
    try {
      memory.grow(MAX_PAGES - pages - 16); // leave 1 MiB the allocator cannot reach for 32 MiB
    } catch (e) {
      assert.fail(`could not grow wasm memory from ${pages} pages: ${e.message}`);
    }

    const late = new WebSocketClient(url);
    const [, res] = await new Promise((resolve, reject) => {
      late.once("unexpected-response", (...args) => resolve(args));
      late.once("open", () => reject(new Error("a new connection was accepted with wasm memory full")));
      late.once("error", reject);
    });
    assert.equal(res.statusCode, 503);
    res.resume();
    assert.ok(refused.some((e) => e instanceof RangeError), "the server saw the core's RangeError");

    before.send("still here");
    const [data, isBinary] = await once(before, "message");
    assert.equal(isBinary, false);
    assert.equal(String(data), "still here");
    before.close(1000);
    await once(before, "close");
  } finally {
    wss.close();
    http.close();
  }
});

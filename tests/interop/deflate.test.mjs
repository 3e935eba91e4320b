// permessage-deflate (RFC 7692) against real peers over loopback: the `ws` client with several
// parameter sets, ws101's client against a `ws` server, Python `websockets` with its default
// compression, and Chromium's own WebSocket — text and binary messages of 0 B to 4 MiB.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import WS, { WebSocketServer as WSServer } from "ws";
import { chromium } from "playwright-core";
import { WebSocketServer, connect } from "ws101/node";
import { freePort } from "../support/process.mjs";

const run = promisify(execFile);
const SIZES = [0, 1, 100, 1024, 70000, 1 << 20, 4 << 20];
let server;
let url;

/** Compressible but not trivial: repeated words with random bytes sprinkled in. */
function payload(size, seed) {
  const words = Buffer.from(`lorem ipsum ${seed} dolor sit amet websocket deflate `);
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = i % 97 === 0 ? 0x41 + ((i / 97) % 26) : words[i % words.length];
  return b;
}

before(async () => {
  const port = await freePort();
  url = `ws://127.0.0.1:${port}`;
  server = new WebSocketServer({ port, host: "127.0.0.1", perMessageDeflate: { serverMaxWindowBits: 15 }, protocols: ["echo"] });
  server.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on("error", () => {});
  });
  await new Promise((r) => server.once("listening", r));
});
after(() => new Promise((r) => server.close(r)));

async function echoAll(ws) {
  for (const size of SIZES) {
    for (const binary of [true, false]) {
      const data = binary ? randomBytes(size) : payload(size, size).toString("latin1");
      const got = new Promise((resolve, reject) => {
        ws.once("message", (d, isBinary) => resolve({ d, isBinary }));
        ws.once("close", (code) => reject(new Error(`closed ${code}`)));
      });
      ws.send(data);
      const m = await got;
      assert.equal(m.isBinary, binary, `type of ${size}`);
      assert.ok(Buffer.from(m.d).equals(Buffer.from(data, binary ? undefined : "utf8")), `${binary ? "binary" : "text"} ${size}`);
    }
  }
}

describe("ws client → ws101 server with permessage-deflate", () => {
  const combos = [
    ["defaults", {}],
    ["server_no_context_takeover", { serverNoContextTakeover: true }],
    ["client_no_context_takeover", { clientNoContextTakeover: true }],
    ["client_max_window_bits=10", { clientMaxWindowBits: 10 }],
    ["server_max_window_bits=10", { serverMaxWindowBits: 10 }],
    ["server_max_window_bits=9 + both no takeover", { serverMaxWindowBits: 9, serverNoContextTakeover: true, clientNoContextTakeover: true }],
  ];
  for (const [name, perMessageDeflate] of combos) {
    test(name, async () => {
      const ws = new WS(url, ["echo"], { perMessageDeflate: { ...perMessageDeflate, threshold: 0 } });
      await new Promise((resolve, reject) => { ws.once("open", resolve); ws.once("error", reject); });
      assert.match(ws.extensions, /permessage-deflate/, "negotiated");
      await echoAll(ws);
      const closed = new Promise((r) => ws.once("close", r));
      ws.close(1000);
      assert.equal(await closed, 1000);
    });
  }
});

test("ws101 client → ws server with permessage-deflate", async () => {
  const port = await freePort();
  const wss = new WSServer({ port, host: "127.0.0.1", perMessageDeflate: { threshold: 0 } });
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise((r) => wss.once("listening", r));
  try {
    for (const offer of [true, { clientMaxWindowBits: 10 }, { serverNoContextTakeover: true, clientNoContextTakeover: true }]) {
      const ws = connect(`ws://127.0.0.1:${port}/`, { perMessageDeflate: offer });
      await new Promise((resolve, reject) => { ws.once("open", resolve); ws.once("error", reject); });
      assert.match(ws.extensions, /permessage-deflate/);
      await echoAll(ws);
      ws.close();
    }
  } finally {
    await new Promise((r) => wss.close(r));
  }
});

test("Python websockets client (default compression) → ws101 server", async () => {
  const script = `
import asyncio, os, sys
from websockets.asyncio.client import connect
async def main():
    async with connect(sys.argv[1], max_size=2**25) as ws:
        ext = [e.name for e in ws.protocol.extensions]
        assert "permessage-deflate" in ext, ext
        for n in ${JSON.stringify(SIZES)}:
            b = os.urandom(n)
            await ws.send(b)
            assert await ws.recv() == b
            t = ("deflate me " * (n // 11 + 1))[:n]
            await ws.send(t)
            assert await ws.recv() == t
    print("ok", ws.close_code)
asyncio.run(main())
`;
  const { stdout } = await run("python3", ["-c", script, `${url}/py`], { timeout: 120000 });
  assert.equal(stdout.trim(), "ok 1000");
});

test("Chromium's own WebSocket (offers deflate) → ws101 server", async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    const result = await page.evaluate(async ({ url, sizes }) => {
      const ws = new WebSocket(url, ["chat", "echo"]);
      ws.binaryType = "arraybuffer";
      await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error("ws error")); });
      const out = { protocol: ws.protocol, extensions: ws.extensions, checked: 0 };
      const next = () => new Promise((resolve) => (ws.onmessage = (e) => resolve(e.data)));
      for (const size of sizes) {
        const bin = new Uint8Array(size);
        crypto.getRandomValues(bin.subarray(0, Math.min(size, 65536)));
        ws.send(bin);
        const back = new Uint8Array(await next());
        if (back.length !== size || back.some((b, i) => b !== bin[i])) throw new Error(`binary ${size} differs`);
        const text = "ünïcödé deflate ".repeat(Math.ceil(size / 16)).slice(0, size);
        ws.send(text);
        if ((await next()) !== text) throw new Error(`text ${size} differs`);
        out.checked += 2;
      }
      const closed = new Promise((resolve) => (ws.onclose = (e) => resolve({ code: e.code, wasClean: e.wasClean })));
      ws.close(1000, "bye");
      out.close = await closed;
      return out;
    }, { url: `${url}/chromium`, sizes: SIZES });
    assert.equal(result.protocol, "echo");
    assert.match(result.extensions, /permessage-deflate/);
    assert.equal(result.checked, SIZES.length * 2);
    assert.deepEqual(result.close, { code: 1000, wasClean: true });
  } finally {
    await browser.close();
  }
});

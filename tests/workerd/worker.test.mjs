// The example worker in real workerd (npm `workerd`), importing ws101 through the workerd export
// condition, queried over loopback: accept values, typed errors, and a real 101 upgrade with echo.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import net from "node:net";
import WebSocket from "ws";
import { freePort, start, waitForHttp } from "../support/process.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const workerd = fileURLToPath(new URL("../../node_modules/.bin/workerd", import.meta.url));
let proc;
let base;

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  proc = start(workerd, ["serve", "examples/workers/workerd.capnp", "--socket-addr", `http=127.0.0.1:${port}`], { cwd: root });
  await waitForHttp(`${base}/accept`, 30000, proc);
});

after(async () => {
  await proc?.stop();
});

test("workerd: /accept returns the RFC 6455 §1.3 example's accept value", async () => {
  const res = await fetch(`${base}/accept?key=${encodeURIComponent("dGhlIHNhbXBsZSBub25jZQ==")}`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { key: "dGhlIHNhbXBsZSBub25jZQ==", accept: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" });
});

test("workerd: /accept agrees with node:crypto for random keys", async () => {
  for (let i = 0; i < 5; i++) {
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
    const res = await fetch(`${base}/accept?key=${encodeURIComponent(key)}`);
    const expected = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
    assert.equal((await res.json()).accept, expected);
  }
});

test("workerd: a bad key answers 400 with ws101's typed error", async () => {
  const res = await fetch(`${base}/accept?key=AAAA`);
  assert.equal(res.status, 400);
  const { error } = await res.json();
  assert.equal(error.code, "bad-key-length");
  assert.equal(error.header, "Sec-WebSocket-Key");
  assert.equal(error.rfc, "RFC 6455 §4.2.1");
});

test("workerd: a plain GET of /ws gets 426 with Sec-WebSocket-Version: 13", async () => {
  const res = await fetch(`${base}/ws`);
  assert.equal(res.status, 426);
  assert.equal(res.headers.get("sec-websocket-version"), "13");
});

test("workerd: /ws answers a real upgrade with 101, the right accept value, and echoes", async () => {
  const ws = new WebSocket(`${base.replace("http", "ws")}/ws`);
  const upgrade = new Promise((resolve, reject) => {
    ws.once("upgrade", resolve);
    ws.once("error", reject);
  });
  const response = await upgrade;
  assert.equal(response.statusCode, 101);
  await new Promise((resolve) => ws.once("open", resolve).readyState === 1 && resolve());
  const echoed = new Promise((resolve) => ws.once("message", (data, isBinary) => resolve({ data: data.toString(), isBinary })));
  ws.send("hello from ws");
  assert.deepEqual(await echoed, { data: "hello from ws", isBinary: false });
  const closed = new Promise((resolve) => ws.once("close", (code) => resolve(code)));
  ws.close(1000);
  assert.equal(await closed, 1000);
});

test("workerd: the 101 carries Sec-WebSocket-Accept for the RFC sample key, equal to ws101's", async () => {
  const port = Number(new URL(base).port);
  const socket = net.connect(port, "127.0.0.1");
  socket.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  let head = "";
  for await (const chunk of socket) {
    head += chunk.toString("latin1");
    if (head.includes("\r\n\r\n")) break;
  }
  socket.destroy();
  assert.match(head, /^HTTP\/1\.1 101 /);
  assert.match(head, /\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
  assert.match(head, /\r\nx-ws101-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
});

test("workerd: serves the explainer page and the package's .wasm with its MIME type", async () => {
  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Switching Protocols/);
  const wasm = await fetch(`${base}/pkg/ws101_bg.wasm`);
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  const bytes = new Uint8Array(await wasm.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
});

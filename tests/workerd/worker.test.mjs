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

test("workerd: a plain GET of /ws is refused with ws101's 400 naming every missing header", async () => {
  const res = await fetch(`${base}/ws`);
  assert.equal(res.status, 400);
  const body = await res.text();
  // fetch sends `Connection: keep-alive`, so the Connection check fails on its value
  for (const code of ["missing-upgrade", "connection-not-upgrade", "missing-key", "missing-version"]) assert.match(body, new RegExp(code));
});

test("workerd: Sec-WebSocket-Version 8 gets 426 with Sec-WebSocket-Version: 13", async () => {
  const { head } = await rawUpgrade("Sec-WebSocket-Version: 8\r\n");
  assert.match(head, /^HTTP\/1\.1 426 /);
  assert.match(head, /\r\nsec-websocket-version: 13\r\n/i);
  // workerd drops Upgrade from a worker's response, whatever the worker sets (seen with
  // workerd 2026-11-17), so the 426's Upgrade header cannot be checked on this wire.
});

test("workerd: /ws answers a real upgrade with 101, shows the handshake, and echoes", async () => {
  const ws = new WebSocket(`${base.replace("http", "ws")}/ws`, ["echo"]);
  const first = new Promise((resolve, reject) => {
    ws.once("message", (data) => resolve(JSON.parse(data.toString())));
    ws.once("error", reject);
  });
  const response = await new Promise((resolve) => ws.once("upgrade", resolve));
  assert.equal(response.statusCode, 101);
  assert.equal(ws.protocol === "" ? response.headers["sec-websocket-protocol"] : ws.protocol, "echo");
  const hello = await first;
  assert.equal(hello.type, "handshake");
  const sentKey = hello.request.headers.find(([name]) => name.toLowerCase() === "sec-websocket-key")[1];
  const expected = createHash("sha1").update(sentKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  assert.equal(response.headers["sec-websocket-accept"], expected);
  assert.deepEqual(hello.response.headers.find(([name]) => name === "Sec-WebSocket-Accept"), ["Sec-WebSocket-Accept", expected]);
  const echoed = new Promise((resolve) => ws.once("message", (data, isBinary) => resolve({ data: data.toString(), isBinary })));
  ws.send("hello from ws");
  assert.deepEqual(await echoed, { data: "hello from ws", isBinary: false });
  const echoedBinary = new Promise((resolve) => ws.once("message", (data, isBinary) => resolve({ data: [...data], isBinary })));
  ws.send(Buffer.from([1, 2, 3, 255]));
  assert.deepEqual(await echoedBinary, { data: [1, 2, 3, 255], isBinary: true });
  const closed = new Promise((resolve) => ws.once("close", (code) => resolve(code)));
  ws.close(1000);
  assert.equal(await closed, 1000);
});

async function rawUpgrade(extra, key = "dGhlIHNhbXBsZSBub25jZQ==") {
  const port = Number(new URL(base).port);
  const socket = net.connect(port, "127.0.0.1");
  socket.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\n${extra.includes("Version") ? "" : "Sec-WebSocket-Version: 13\r\n"}${extra}\r\n`);
  let head = "";
  for await (const chunk of socket) {
    head += chunk.toString("latin1");
    if (head.includes("\r\n\r\n")) break;
  }
  socket.destroy();
  return { head };
}

test("workerd: the 101 carries the RFC sample key's accept and the subprotocol ws101 chose", async () => {
  const { head } = await rawUpgrade("Sec-WebSocket-Protocol: superchat, chat\r\n");
  assert.match(head, /^HTTP\/1\.1 101 /);
  assert.match(head, /\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
  assert.match(head, /\r\nsec-websocket-protocol: chat\r\n/i);
});

test("workerd: a Durable Object chat room fans messages out to everyone in the room", async () => {
  const wsUrl = `${base.replace("http", "ws")}/chat/room-${Date.now()}`;
  const open = (u) => new Promise((resolve, reject) => {
    const ws = new WebSocket(u, ["chat"]);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
  const a = await open(wsUrl);
  const b = await open(wsUrl);
  const got = new Promise((resolve) => b.on("message", (data) => {
    const text = data.toString();
    if (text === "hi room") resolve(text);
  }));
  a.send("hi room");
  assert.equal(await got, "hi room");
  a.close();
  b.close();
});

test("workerd: a client offering only unsupported subprotocols gets a 101 with no Sec-WebSocket-Protocol (RFC 6455 §4.2.2)", async () => {
  for (const offer of ["nope", "nope, other"]) {
    const head = (await rawUpgrade(`Sec-WebSocket-Protocol: ${offer}\r\n`)).head.split("\r\n\r\n")[0]; // the echo's first message may follow
    assert.match(head, /^HTTP\/1\.1 101 /);
    assert.doesNotMatch(head, /sec-websocket-protocol/i, `offer ${offer}`);
  }
  const head = (await rawUpgrade("Sec-WebSocket-Protocol: nope, echo\r\n")).head.split("\r\n\r\n")[0] + "\r\n";
  assert.equal(head.match(/\r\nsec-websocket-protocol: [^\r]*\r\n/gi)?.length, 1);
  assert.match(head, /\r\nsec-websocket-protocol: echo\r\n/i);
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

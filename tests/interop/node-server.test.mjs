// ws101's Node server (examples/node/echo.mjs and WebSocketServer) against real peers over
// loopback: the `ws` client, Node's own WebSocket client, Python `websockets`, raw sockets for
// protocol violations; and ws101's client against a `ws` server.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import WS, { WebSocketServer as WSServer } from "ws";
import { WebSocketServer, WebSocket as Ws101Socket, connect } from "ws101/node";
import { buildRequest } from "ws101";
import { freePort, start } from "../support/process.mjs";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
let echo;
let port;
let url;

before(async () => {
  port = await freePort();
  url = `ws://127.0.0.1:${port}`;
  echo = start(process.execPath, ["examples/node/echo.mjs"], { cwd: root, env: { ...process.env, PORT: String(port) } });
  const deadline = Date.now() + 15000;
  while (!echo.output().includes(`listening on http://127.0.0.1:${port}`)) {
    if (Date.now() > deadline) throw new Error(`echo server did not start:\n${echo.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  await echo?.stop();
});

function open(target = url, protocols, options) {
  return new Promise((resolve, reject) => {
    const ws = new WS(target, protocols, options);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

function nextMessage(ws) {
  return new Promise((resolve, reject) => {
    ws.once("message", (data, isBinary) => resolve({ data, isBinary }));
    ws.once("close", (code) => reject(new Error(`closed ${code} before a message`)));
  });
}

function closed(ws) {
  return new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
}

/** Raw handshake over a socket, returns { socket, head, rest }. */
async function rawUpgrade(extra = "", target = "/raw") {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise((r) => socket.once("connect", r));
  socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
  let buf = Buffer.alloc(0);
  while (!buf.includes("\r\n\r\n")) {
    const chunk = await new Promise((resolve, reject) => {
      socket.once("data", resolve);
      socket.once("close", () => reject(new Error("closed during handshake")));
    });
    buf = Buffer.concat([buf, chunk]);
  }
  const end = buf.indexOf("\r\n\r\n") + 4;
  return { socket, head: buf.subarray(0, end).toString("latin1"), rest: buf.subarray(end) };
}

/** Reads from a raw socket until it closes; returns all bytes. */
function readAll(socket, initial = Buffer.alloc(0)) {
  return new Promise((resolve) => {
    const chunks = [initial];
    socket.on("data", (c) => chunks.push(c));
    socket.on("close", () => resolve(Buffer.concat(chunks)));
    socket.on("error", () => {});
  });
}

function maskedFrame(opcode, payload, fin = true, rsv = 0) {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([(fin ? 0x80 : 0) | rsv | opcode, 0x80 | len])
    : len < 65536 ? Buffer.from([(fin ? 0x80 : 0) | rsv | opcode, 0x80 | 126, len >> 8, len & 255])
    : Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | rsv | opcode, 0x80 | 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([head, mask, body]);
}

function closeCodeOf(bytes) {
  // the first frame the server sent: 0x88 len code
  assert.ok(bytes.length >= 4, `expected a close frame, got ${bytes.toString("hex")}`);
  assert.equal(bytes[0], 0x88, `expected a close frame, got ${bytes.toString("hex")}`);
  return bytes.readUInt16BE(2);
}

describe("ws client → ws101 echo server", () => {
  test("the 101 picks `echo` only when offered", async () => {
    const a = await open(url, ["chat", "echo"]);
    assert.equal(a.protocol, "echo");
    a.close();
    // offered but not supported: the 101 carries no Sec-WebSocket-Protocol (the `ws` client
    // itself refuses such a 101, so look at the raw answer)
    const b = await rawUpgrade("Sec-WebSocket-Protocol: chat, superchat\r\n");
    assert.match(b.head, /^HTTP\/1\.1 101 /);
    assert.doesNotMatch(b.head, /sec-websocket-protocol/i);
    b.socket.destroy();
    const c = await open(`${url}/any/path?x=1`);
    assert.equal(c.protocol, "");
    c.close();
  });

  test("echoes text and binary, 0 B to 16 MiB, with their types", async () => {
    const ws = await open();
    for (const size of [0, 1, 125, 126, 127, 65535, 65536, 1 << 20, 16 << 20]) {
      const bin = randomBytes(size);
      const got = nextMessage(ws);
      ws.send(bin);
      const m = await got;
      assert.equal(m.isBinary, true);
      assert.ok(Buffer.compare(m.data, bin) === 0, `binary ${size}`);
      const text = "é✓".repeat(Math.floor(size / 5)) + "x";
      const got2 = nextMessage(ws);
      ws.send(text);
      const t = await got2;
      assert.equal(t.isBinary, false);
      assert.equal(t.data.toString(), text, `text ${size}`);
    }
    ws.close(1000);
    assert.equal((await closed(ws)).code, 1000);
  });

  test("fragmented messages (random splits) are reassembled and echoed whole", async () => {
    const ws = await open();
    for (let round = 0; round < 10; round++) {
      const total = randomBytes(1 + (round * 997) % 5000);
      const got = nextMessage(ws);
      let off = 0;
      while (off < total.length) {
        const n = Math.min(total.length - off, 1 + Math.floor(Math.random() * 700));
        ws.send(total.subarray(off, off + n), { binary: true, fin: off + n >= total.length });
        off += n;
      }
      const m = await got;
      assert.ok(Buffer.compare(m.data, total) === 0);
    }
    ws.close();
  });

  test("pings are answered with pongs carrying the same payload", async () => {
    const ws = await open();
    const pong = new Promise((resolve) => ws.once("pong", resolve));
    ws.ping(Buffer.from("are you there"));
    assert.equal((await pong).toString(), "are you there");
    ws.close();
  });

  test("close codes and reasons are echoed (RFC 6455 §5.5.1)", async () => {
    const ws = await open();
    const c = closed(ws);
    ws.close(4000, "bye now");
    const { code, reason } = await c;
    assert.equal(code, 4000);
    assert.equal(reason, "bye now");
  });
});

describe("protocol violations get the close code RFC 6455 names", () => {
  const cases = [
    ["unmasked client frame → 1002", () => Buffer.from([0x81, 0x02, 0x68, 0x69]), 1002],
    ["reserved opcode 3 → 1002", () => maskedFrame(0x3, Buffer.from("x")), 1002],
    ["RSV2 set → 1002", () => maskedFrame(0x1, Buffer.from("x"), true, 0x20), 1002],
    ["continuation without a start → 1002", () => maskedFrame(0x0, Buffer.from("x")), 1002],
    ["fragmented ping → 1002", () => maskedFrame(0x9, Buffer.from("x"), false), 1002],
    ["126-byte ping → 1002", () => maskedFrame(0x9, Buffer.alloc(126)), 1002],
    ["invalid UTF-8 text → 1007", () => maskedFrame(0x1, Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65])), 1007],
    ["close with code 1005 → 1002", () => maskedFrame(0x8, Buffer.from([0x03, 0xed])), 1002],
    ["close with a 1-byte payload → 1002", () => maskedFrame(0x8, Buffer.from([0x03])), 1002],
    ["close reason not UTF-8 → 1007", () => maskedFrame(0x8, Buffer.from([0x03, 0xe8, 0xff, 0xfe])), 1007],
    ["text frame inside a fragmented message → 1002", () => Buffer.concat([maskedFrame(0x1, Buffer.from("a"), false), maskedFrame(0x1, Buffer.from("b"))]), 1002],
  ];
  for (const [name, frame, code] of cases) {
    test(name, async () => {
      const { socket, head, rest } = await rawUpgrade();
      assert.match(head, /^HTTP\/1\.1 101 /);
      const all = readAll(socket, rest);
      socket.write(frame());
      assert.equal(closeCodeOf(await all), code);
    });
  }

  test("a 64-bit length with the top bit set → 1002 or 1009, and nothing is allocated", async () => {
    const { socket, rest } = await rawUpgrade();
    const all = readAll(socket, rest);
    socket.write(Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]));
    assert.ok([1002, 1009].includes(closeCodeOf(await all)));
  });

  test("a message over 64 MiB → 1009 from its header, before the payload", async () => {
    const { socket, rest } = await rawUpgrade();
    const all = readAll(socket, rest);
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(64 * 1024 * 1024 + 1));
    socket.write(Buffer.concat([Buffer.from([0x82, 0xff]), len, randomBytes(4)]));
    assert.equal(closeCodeOf(await all), 1009);
  });
});

describe("handshake rejections from the Node server", () => {
  async function rawRequest(request) {
    const socket = net.connect(port, "127.0.0.1");
    socket.write(request);
    return (await readAll(socket)).toString("latin1");
  }
  test("missing Sec-WebSocket-Key → 400", async () => {
    const res = await rawRequest(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    assert.match(res, /^HTTP\/1\.1 400 /);
  });
  test("Sec-WebSocket-Version: 8 → 426 with Sec-WebSocket-Version: 13", async () => {
    const res = await rawRequest(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n`);
    assert.match(res, /^HTTP\/1\.1 426 /);
    assert.match(res, /\r\nSec-WebSocket-Version: 13\r\n/i);
  });
  test("origin policy → 403", async () => {
    const p = await freePort();
    const wss = new WebSocketServer({ port: p, origins: ["https://good.example"] });
    await new Promise((r) => wss.once("listening", r));
    try {
      await assert.rejects(open(`ws://127.0.0.1:${p}`, [], { origin: "https://evil.example" }), /403/);
      const ok = await open(`ws://127.0.0.1:${p}`, [], { origin: "https://good.example" });
      ok.close();
    } finally {
      await new Promise((r) => wss.close(r));
    }
  });
});

test("Node's own WebSocket client (undici) ↔ ws101 echo server", async () => {
  const script = `
    const ws = new WebSocket(${JSON.stringify(url + "/undici")}, ["chat", "echo"]);
    ws.binaryType = "arraybuffer";
    const out = [];
    ws.onopen = () => { out.push("protocol:" + ws.protocol); ws.send("hello"); ws.send(new Uint8Array([1,2,3])); };
    ws.onmessage = (e) => { out.push(typeof e.data === "string" ? "text:" + e.data : "binary:" + new Uint8Array(e.data).join(",")); if (out.length === 3) ws.close(1000, "done"); };
    ws.onclose = (e) => { out.push("close:" + e.code + ":" + e.wasClean); console.log(JSON.stringify(out)); };
    ws.onerror = (e) => { console.log(JSON.stringify(["error", String(e.message)])); };
  `;
  const { stdout } = await run(process.execPath, ["--experimental-websocket", "--no-warnings", "-e", script], { timeout: 20000 });
  assert.deepEqual(JSON.parse(stdout.trim()), ["protocol:echo", "text:hello", "binary:1,2,3", "close:1000:true"]);
});

test("Python websockets client ↔ ws101 echo server", async () => {
  const script = `
import asyncio, os, sys
from websockets.asyncio.client import connect
async def main():
    async with connect(sys.argv[1], subprotocols=["echo"], max_size=2**25, compression=None) as ws:
        assert ws.subprotocol == "echo", ws.subprotocol
        for n in [0, 1, 125, 126, 65536, 1 << 20, 4 << 20]:
            b = os.urandom(n)
            await ws.send(b)
            assert await ws.recv() == b
            t = "ü" * n
            await ws.send(t)
            assert await ws.recv() == t
        pong = await ws.ping(b"hi")
        await asyncio.wait_for(pong, 5)
    print("ok", ws.close_code)
asyncio.run(main())
`;
  const { stdout } = await run("python3", ["-c", script, `${url}/py`], { timeout: 60000 });
  assert.equal(stdout.trim(), "ok 1000");
});

describe("ws101 client → ws server", () => {
  let server;
  let serverUrl;
  before(async () => {
    const p = await freePort();
    server = new WSServer({ host: "127.0.0.1", port: p, handleProtocols: (set) => (set.has("b") ? "b" : false) });
    server.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
    await new Promise((r) => server.once("listening", r));
    serverUrl = `ws://127.0.0.1:${p}/path`;
  });
  after(() => new Promise((r) => server.close(r)));

  test("connects, negotiates the subprotocol, echoes text and binary, closes cleanly", async () => {
    const ws = connect(serverUrl, { protocols: ["a", "b"] });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
      ws.once("close", (code) => reject(new Error(`closed ${code}`)));
    });
    assert.equal(ws.protocol, "b");
    for (const size of [0, 5, 126, 70000, 2 << 20]) {
      const data = randomBytes(size);
      const got = new Promise((r) => ws.once("message", (d, isBinary) => r({ d, isBinary })));
      ws.send(data);
      const m = await got;
      assert.equal(m.isBinary, true);
      assert.ok(Buffer.compare(m.d, data) === 0);
      const got2 = new Promise((r) => ws.once("message", (d, isBinary) => r({ d: d.toString(), isBinary })));
      ws.send("héllo " + size);
      assert.deepEqual(await got2, { d: "héllo " + size, isBinary: false });
    }
    const c = new Promise((r) => ws.once("close", (code, reason) => r({ code, reason: reason.toString() })));
    ws.close(1000, "done");
    assert.deepEqual(await c, { code: 1000, reason: "done" });
  });

  test("a server that picks none of the offered subprotocols fails the client as ws's own client does; a bad accept is refused", async () => {
    const outcome = (Client) => new Promise((resolve) => {
      const ws = new Client(serverUrl, ["zzz"]);
      ws.once("open", () => (ws.close(), resolve("open")));
      ws.once("error", (err) => resolve(err.message));
    });
    // RFC 6455 §4.1 would let the client go on; ws (and browsers) fail the connection
    assert.equal(await outcome(WS), "Server sent no subprotocol");
    assert.equal(await outcome(Ws101Socket), "Server sent no subprotocol");
    // the core's option is off by default: buildRequest + validateResponse accept the same 101
    const request = buildRequest(serverUrl, { protocols: ["zzz"] });
    assert.equal(request.validateResponse(101, { upgrade: "websocket", connection: "Upgrade", "sec-websocket-accept": request.expectedAccept }).ok, true);
    const strict = buildRequest(serverUrl, { protocols: ["zzz"], requireProtocol: true });
    const refused = strict.validateResponse(101, { upgrade: "websocket", connection: "Upgrade", "sec-websocket-accept": strict.expectedAccept });
    assert.deepEqual(refused.problems.map((p) => p.code), ["missing-subprotocol"]);
    // a fake server with a wrong Sec-WebSocket-Accept
    const p = await freePort();
    const fake = net.createServer((s) => s.once("data", () => s.end("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n")));
    await new Promise((r) => fake.listen(p, "127.0.0.1", r));
    try {
      const bad = new Ws101Socket(`ws://127.0.0.1:${p}/`);
      const err = await new Promise((resolve) => bad.once("error", resolve));
      assert.equal(err.code, "accept-mismatch");
    } finally {
      fake.close();
    }
  });
});

// ws101/node never lets an exception escape a socket event handler (issue 13, item 6 and the
// listener rule): close()/send()/ping()/terminate() called from a `message` listener while the
// peer's Close (or a protocol error) from the same read is held back, on the server and in the
// client; application listeners that throw become `error` events, or are swallowed with a
// warning when nobody listens, and the process keeps serving. Real sockets on 127.0.0.1.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { acceptKey } from "ws101";
import { WebSocketServer, WebSocket, connect } from "ws101/node";
import { start } from "../support/process.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

// Any exception that escapes to the process during these tests is recorded and fails the test
// that caused it (node:test would otherwise only report the first one).
const uncaught = [];
const onUncaught = (err) => uncaught.push(err);
process.on("uncaughtException", onUncaught);
after(() => process.off("uncaughtException", onUncaught));

/** A masked client frame (payload < 126 bytes). */
function clientFrame(opcode, payload = Buffer.alloc(0), fin = true) {
  const mask = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  const out = Buffer.alloc(6 + payload.length);
  out[0] = (fin ? 0x80 : 0) | opcode;
  out[1] = 0x80 | payload.length;
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i] ^ mask[i % 4];
  return out;
}

/** An unmasked server frame (payload < 126 bytes). */
function serverFrame(opcode, payload = Buffer.alloc(0)) {
  return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);
}

const closePayload = (code, reason = "") => Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);

/** Frames of an unmasked byte stream: [{ opcode, payload }]. */
function parseFrames(buf) {
  const frames = [];
  let i = 0;
  while (i + 2 <= buf.length) {
    let len = buf[i + 1] & 0x7f;
    let off = i + 2;
    if (len === 126) { len = buf.readUInt16BE(off); off += 2; }
    else if (len === 127) { len = Number(buf.readBigUInt64BE(off)); off += 8; }
    if (off + len > buf.length) break;
    frames.push({ opcode: buf[i] & 0x0f, payload: buf.subarray(off, off + len) });
    i = off + len;
  }
  return frames;
}

async function listen(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", ...options });
  await once(wss, "listening");
  return { wss, port: wss.address().port };
}

/** Opens a raw upgraded socket; resolves once the 101 head arrived. */
async function rawClient(port) {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await once(socket, "connect");
  socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let buf = Buffer.alloc(0);
  while (!buf.includes("\r\n\r\n")) {
    const [chunk] = await once(socket, "data");
    buf = Buffer.concat([buf, chunk]);
  }
  const end = buf.indexOf("\r\n\r\n") + 4;
  assert.match(buf.subarray(0, end).toString("latin1"), /^HTTP\/1\.1 101 /);
  const chunks = [buf.subarray(end)];
  socket.on("data", (c) => chunks.push(c));
  const ended = new Promise((resolve) => socket.on("close", () => resolve(parseFrames(Buffer.concat(chunks)))));
  return { socket, ended };
}

/**
 * The server's `message` listener calls `act(ws)` while the peer's Close (or a protocol error)
 * from the same read is pending. Returns what the listener saw and what reached the wire.
 */
async function serverScenario(tail, act) {
  const { wss, port } = await listen();
  const seen = { states: [], errors: [], threw: null };
  const closed = new Promise((resolve) => {
    wss.on("connection", (ws) => {
      ws.on("error", (err) => seen.errors.push(err));
      ws.on("message", () => {
        seen.states.push(ws.readyState);
        try {
          act(ws);
        } catch (err) {
          seen.threw = err;
        }
        seen.states.push(ws.readyState);
      });
      ws.on("close", (code) => resolve({ code, state: ws.readyState }));
    });
  });
  const before = uncaught.length;
  const client = await rawClient(port);
  client.socket.write(Buffer.concat([clientFrame(1, Buffer.from("bye")), tail]));
  const result = await closed;
  const frames = await client.ended;
  wss.close();
  assert.equal(uncaught.length, before, `uncaught: ${uncaught.slice(before).map((e) => e.stack).join("\n")}`);
  return { ...seen, ...result, frames };
}

const CLOSE_1000 = clientFrame(8, closePayload(1000, "done"));
const RESERVED_OPCODE = clientFrame(3, Buffer.from("x"));

for (const [tailName, tail, expectedCode] of [["its Close", CLOSE_1000, 1000], ["a protocol error", RESERVED_OPCODE, 1002]]) {
  test(`server: close() in a message listener when the message and ${tailName} arrive in one read`, { timeout: 10_000 }, async () => {
    const r = await serverScenario(tail, (ws) => ws.close(1000, "bye"));
    assert.equal(r.threw, null, `close() threw: ${r.threw?.stack}`);
    assert.deepEqual(r.states, [WebSocket.OPEN, WebSocket.CLOSING]);
    assert.equal(r.state, WebSocket.CLOSED);
    const close = r.frames.find((f) => f.opcode === 8);
    assert.ok(close, "the server sent a Close frame");
    assert.equal(close.payload.readUInt16BE(0), expectedCode);
    assert.equal(r.frames.filter((f) => f.opcode === 8).length, 1, "exactly one Close frame");
  });

  test(`server: send(), ping() and then close() in a message listener before ${tailName}`, { timeout: 10_000 }, async () => {
    const r = await serverScenario(tail, (ws) => {
      ws.send("reply");
      ws.ping("p");
      ws.close();
      ws.send("late", (err) => assert.ok(err, "a send after close() reports an error to its callback"));
      ws.close(1000);
    });
    assert.equal(r.threw, null, `threw: ${r.threw?.stack}`);
    const opcodes = r.frames.map((f) => f.opcode);
    assert.deepEqual(opcodes, [1, 9, 8], "the reply and the ping precede the Close");
    assert.equal(r.frames[0].payload.toString(), "reply");
  });

  test(`server: terminate() in a message listener before ${tailName}`, { timeout: 10_000 }, async () => {
    const r = await serverScenario(tail, (ws) => ws.terminate());
    assert.equal(r.threw, null, `terminate() threw: ${r.threw?.stack}`);
    assert.equal(r.state, WebSocket.CLOSED);
  });
}

test("client: close() in a message listener when the server's message and Close arrive in one read", { timeout: 10_000 }, async () => {
  // A raw server: answers the handshake, then sends a text message and its Close in one write.
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    let head = "";
    socket.on("data", (d) => {
      if (head.includes("\r\n\r\n")) return;
      head += d.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)[1];
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
      socket.write(Buffer.concat([serverFrame(1, Buffer.from("bye")), serverFrame(8, closePayload(1000))]));
      setTimeout(() => socket.end(), 50).unref();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const before = uncaught.length;
  const ws = connect(`ws://127.0.0.1:${server.address().port}/`);
  const states = [];
  let threw = null;
  ws.on("error", () => {});
  ws.on("message", () => {
    states.push(ws.readyState);
    try {
      ws.send("answer");
      ws.close(1000, "ok");
    } catch (err) {
      threw = err;
    }
    states.push(ws.readyState);
  });
  const [code] = await once(ws, "close");
  server.close();
  assert.equal(threw, null, `close() threw: ${threw?.stack}`);
  assert.deepEqual(states, [WebSocket.OPEN, WebSocket.CLOSING]);
  assert.equal(code, 1000);
  assert.equal(ws.readyState, WebSocket.CLOSED);
  assert.equal(uncaught.length, before, `uncaught: ${uncaught.slice(before).map((e) => e.stack).join("\n")}`);
});

test("a throwing listener becomes an error event on the WebSocket", { timeout: 10_000 }, async () => {
  const { wss, port } = await listen();
  const errors = [];
  wss.on("connection", (ws) => {
    ws.on("error", (err) => errors.push(err.message));
    ws.on("message", (data) => {
      if (String(data) === "boom") throw new Error("listener failed");
      ws.send(data);
    });
  });
  const before = uncaught.length;
  const client = connect(`ws://127.0.0.1:${port}/`);
  await once(client, "open");
  client.send("boom");
  client.send("still here");
  const [data] = await once(client, "message");
  assert.equal(String(data), "still here");
  assert.deepEqual(errors, ["listener failed"]);
  client.close();
  await once(client, "close");
  wss.close();
  assert.equal(uncaught.length, before, `uncaught: ${uncaught.slice(before).map((e) => e.stack).join("\n")}`);
});

// The server runs in its own process with no `error` listeners at all: throwing listeners of every
// kind must not end it, and a fresh client still gets its echo.
const THROWING_SERVER = `
import { WebSocketServer } from "ws101/node";
const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    const text = String(data);
    if (text === "throw") throw new Error("message listener failed");
    if (text === "close-twice") { ws.close(1000); ws.close(1005); }
    ws.send(data, { binary: isBinary });
  });
  ws.on("ping", () => { throw new Error("ping listener failed"); });
  ws.on("close", () => { throw new Error("close listener failed"); });
  if (wss.clients.size === 1) throw new Error("connection listener failed");
});
wss.on("listening", () => console.log("listening on http://127.0.0.1:" + wss.address().port));
`;

test("throwing listeners (connection, message, ping, close) and protocol errors with no error listener do not end the process", { timeout: 20_000 }, async () => {
  const server = start(process.execPath, ["--input-type=module", "-e", THROWING_SERVER], { cwd: root });
  try {
    let port;
    const deadline = Date.now() + 10_000;
    while (!(port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(server.output())?.[1])) {
      assert.ok(Date.now() < deadline && server.child.exitCode === null, `server did not start:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const url = `ws://127.0.0.1:${port}/`;
    // 1: the connection listener throws (first client); the message listener throws; a ping
    // listener throws; then the close listener throws.
    const a = connect(url);
    a.on("error", () => {});
    await once(a, "open");
    a.ping("x");
    a.send("throw");
    a.send("echo-a");
    const [echoA] = await once(a, "message");
    assert.equal(String(echoA), "echo-a");
    a.close(1000);
    await once(a, "close");
    // 2: a message followed by a protocol error in one read, with no error listener.
    const raw = await rawClient(Number(port));
    raw.socket.write(Buffer.concat([clientFrame(1, Buffer.from("close-twice")), RESERVED_OPCODE]));
    const frames = await raw.ended;
    assert.ok(frames.some((f) => f.opcode === 8), "the peer got a Close");
    // 3: the process is alive and a fresh client gets its echo.
    const b = connect(url);
    b.on("error", () => {});
    await once(b, "open");
    b.send("fresh");
    const [echoB] = await once(b, "message");
    assert.equal(String(echoB), "fresh");
    b.close(1000);
    await once(b, "close");
    assert.equal(server.child.exitCode, null, `server exited:\n${server.output()}`);
    assert.doesNotMatch(server.output(), /Uncaught|uncaughtException|\n\s+at .*node\.mjs.*\n[\s\S]*Node\.js v/);
  } finally {
    await server.stop();
  }
});

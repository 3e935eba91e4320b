// Load and faults against the ws101 Node server, on 127.0.0.1 only, every case bounded in time:
// 1,000 concurrent echo clients with zero loss, clients that vanish mid-frame, half-open
// sockets, a slowloris handshake, and a peer that never reads while the server echoes.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import WsClient from "ws";
import { WebSocketServer } from "ws101/node";
import { encodeFrame } from "ws101";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const HANDSHAKE = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
const MiB = 1 << 20;

async function echoServer(options = {}) {
  const wss = new WebSocketServer({ port: 0, ...options });
  await new Promise((r) => wss.once("listening", r));
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  return wss;
}
const closeServer = (wss) => new Promise((r) => wss.close(r));

async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A raw socket that completed the opening handshake (the 101 read and dropped). */
async function rawClient(port) {
  const socket = net.connect(port, "127.0.0.1");
  socket.write(HANDSHAKE);
  await new Promise((resolve, reject) => {
    let buf = "";
    const onData = (chunk) => {
      buf += chunk.toString("latin1");
      if (buf.includes("\r\n\r\n")) {
        socket.off("data", onData);
        assert.match(buf, /^HTTP\/1\.1 101/);
        resolve();
      }
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });
  return socket;
}

const masked = (opcode, payload) => Buffer.from(encodeFrame({ fin: true, opcode, mask: true, maskKey: new Uint8Array([9, 8, 7, 6]), payload }).bytes);

test("1,000 concurrent clients, 3 messages each: every echo comes back, in bounded time", { timeout: 60_000 }, async () => {
  const wss = await echoServer();
  const { port } = wss.address();
  const CLIENTS = 1000, MESSAGES = 3;
  const start = performance.now();
  let echoed = 0;
  try {
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => new Promise((resolve, reject) => {
      const ws = new WsClient(`ws://127.0.0.1:${port}/`);
      const expected = Array.from({ length: MESSAGES }, (_, m) => (m === 1 ? Buffer.alloc(1000 + c, c & 0xff) : `client ${c} message ${m} ${"x".repeat(c % 200)}`));
      let got = 0;
      ws.on("open", () => expected.forEach((m) => ws.send(m)));
      ws.on("message", (data, isBinary) => {
        const want = expected[got++];
        try {
          if (typeof want === "string") {
            assert.equal(isBinary, false);
            assert.equal(data.toString(), want);
          } else {
            assert.equal(isBinary, true);
            assert.ok(Buffer.compare(data, want) === 0, `client ${c}: binary echo differs`);
          }
        } catch (e) { reject(e); return; }
        echoed++;
        if (got === MESSAGES) ws.close(1000);
      });
      ws.on("close", (code) => (got === MESSAGES ? resolve() : reject(new Error(`client ${c} closed ${code} after ${got}`))));
      ws.on("error", reject);
    })));
    const took = performance.now() - start;
    console.log(`# load: ${CLIENTS} clients × ${MESSAGES} messages echoed (${echoed}) in ${took.toFixed(0)} ms`);
    assert.equal(echoed, CLIENTS * MESSAGES, "zero loss");
    assert.ok(took < 30_000, `took ${took} ms`);
    await until(() => wss.clients.size === 0, 5000, "the server to forget closed clients");
  } finally {
    await closeServer(wss);
  }
});

test("clients that vanish mid-frame are cleaned up, and the server keeps serving", { timeout: 20_000 }, async () => {
  const wss = await echoServer();
  const { port } = wss.address();
  let errors = 0;
  wss.on("connection", (ws) => ws.on("error", () => errors++));
  const closes = [];
  wss.on("connection", (ws) => ws.on("close", (code) => closes.push(code)));
  try {
    const sockets = await Promise.all(Array.from({ length: 50 }, () => rawClient(port)));
    await until(() => wss.clients.size === 50, 5000, "50 clients");
    const frame = masked(2, Buffer.alloc(10_000, 7));
    for (const s of sockets) s.write(frame.subarray(0, frame.length >> 1), () => s.destroy());
    await until(() => wss.clients.size === 0, 5000, "the clients set to empty");
    await until(() => closes.length === 50, 2000, "close events");
    assert.ok(closes.every((c) => c === 1006), `abnormal closures: ${[...new Set(closes)]}`);
    // still serving
    const ws = new WsClient(`ws://127.0.0.1:${port}/`);
    const reply = await new Promise((resolve, reject) => {
      ws.on("open", () => ws.send("still here"));
      ws.on("message", (d) => resolve(d.toString()));
      ws.on("error", reject);
    });
    assert.equal(reply, "still here");
    ws.close();
  } finally {
    await closeServer(wss);
  }
});

test("half-open sockets (client end() without a Close frame): the server closes its side", { timeout: 20_000 }, async () => {
  const wss = await echoServer();
  const { port } = wss.address();
  try {
    const sockets = await Promise.all(Array.from({ length: 20 }, () => rawClient(port)));
    await until(() => wss.clients.size === 20, 5000, "20 clients");
    const ended = sockets.map((s) => new Promise((r) => { s.on("end", r); s.on("close", r); s.resume(); }));
    for (const s of sockets) s.end();
    await Promise.all(ended); // the server ended its half
    await until(() => wss.clients.size === 0, 5000, "the clients set to empty");
    sockets.forEach((s) => s.destroy());
  } finally {
    await closeServer(wss);
  }
});

test("slowloris: a handshake sent one byte every 100 ms is cut off by handshakeTimeout", { timeout: 20_000 }, async () => {
  const wss = await echoServer({ handshakeTimeout: 500 });
  const { port } = wss.address();
  try {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    const start = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < HANDSHAKE.length && !socket.destroyed && socket.writable) socket.write(HANDSHAKE[sent++]);
    }, 100);
    let answer = "";
    socket.on("data", (d) => (answer += d));
    socket.on("error", () => {});
    await new Promise((r) => socket.once("close", r));
    clearInterval(timer);
    const took = performance.now() - start;
    console.log(`# slowloris: cut after ${took.toFixed(0)} ms, ${sent} of ${HANDSHAKE.length} bytes sent, answer ${JSON.stringify(answer.split("\r\n")[0])}`);
    assert.ok(took < 2500, `took ${took} ms`);
    assert.ok(sent < HANDSHAKE.length, "cut before the handshake completed");
    assert.equal(wss.clients.size, 0);
  } finally {
    await closeServer(wss);
  }
});

test("a peer that never reads: the server stops reading from it, its buffer stays bounded", { timeout: 30_000 }, async () => {
  // Own http server (noServer) so the test can look at the server-side socket.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MiB });
  const server = http.createServer();
  let serverSocket, serverWs;
  server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => {
    serverSocket = socket;
    serverWs = ws;
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  }));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const client = await rawClient(server.address().port);
  client.pause(); // never read what the server echoes
  const frame = masked(2, Buffer.alloc(64 * 1024, 1));
  const TARGET = 200 * MiB;
  let written = 0;
  const start = performance.now();
  try {
    // Write until the server stops taking bytes (no 'drain' within 500 ms) or 200 MiB went out.
    while (written < TARGET) {
      written += frame.length;
      if (!client.write(frame)) {
        const drained = await new Promise((r) => {
          const t = setTimeout(() => r(false), 500);
          client.once("drain", () => { clearTimeout(t); r(true); });
        });
        if (!drained) break;
      }
    }
    const took = performance.now() - start;
    const accepted = written - client.writableLength;
    const buffered = serverWs.bufferedAmount;
    const rss = process.memoryUsage().rss;
    console.log(`# never-reading peer: client pushed ${(accepted / MiB).toFixed(1)} MiB of ${TARGET / MiB} MiB before the server stopped reading; server bufferedAmount ${(buffered / MiB).toFixed(2)} MiB; server socket paused ${serverSocket.isPaused()}; rss ${(rss / MiB).toFixed(0)} MiB; ${took.toFixed(0)} ms`);
    assert.ok(written < TARGET, "the server stopped reading before 200 MiB");
    assert.ok(serverSocket.isPaused(), "server socket paused");
    assert.ok(buffered < 64 * MiB, `server bufferedAmount ${buffered}`);
    // Reading again resumes the flow: the echoes drain and the server resumes reading.
    let received = 0;
    client.on("data", (d) => (received += d.length));
    client.resume();
    await until(() => !serverSocket.isPaused(), 10_000, "the server to resume reading");
    assert.ok(received > 0);
  } finally {
    client.destroy();
    await until(() => wss.clients.size === 0, 5000, "cleanup");
    await new Promise((r) => server.close(r));
  }
});

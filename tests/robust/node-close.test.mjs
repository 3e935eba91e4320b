// ws101/node's closing handshake (issue 13, items 10 and 11): close() checks its code and reason
// (through the core) before the state changes, so a failed close leaves the WebSocket OPEN and a
// corrected retry works; the client gives up on a close the server started but never finished
// (Close sent, TCP kept open) after closeTimeout, in every path. Real sockets on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { acceptKey } from "ws101";
import { WebSocketServer, WebSocket, connect } from "ws101/node";

async function listen(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", ...options });
  await once(wss, "listening");
  return { wss, port: wss.address().port };
}

/**
 * A raw server that completes the handshake and then runs `script(socket)`; it never closes TCP
 * by itself. Returns { port, sockets, close() }.
 */
async function rawServer(script) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    let head = "";
    const onData = (d) => {
      head += d.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)[1];
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
      socket.resume();
      script(socket);
    };
    socket.on("data", onData);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: server.address().port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const serverClose = (code) => Buffer.from([0x88, 0x02, code >> 8, code & 0xff]);

test("close() with an invalid code or an over-long reason throws before the state changes; a retry works", { timeout: 10_000 }, async () => {
  const { wss, port } = await listen();
  const serverSide = new Promise((resolve) => wss.on("connection", (ws) => {
    ws.on("error", () => {});
    ws.on("close", (code, reason) => resolve({ code, reason: String(reason) }));
  }));
  const ws = connect(`ws://127.0.0.1:${port}/`);
  ws.on("error", () => {});
  await once(ws, "open");
  for (const code of [1005, 1006, 1015, 999, 5000, 2999, 1000.5, "1000"]) {
    assert.throws(() => ws.close(code), (err) => err instanceof TypeError && /valid error code/.test(err.message), `close(${code})`);
    assert.equal(ws.readyState, WebSocket.OPEN, `close(${code}) left the socket OPEN`);
  }
  assert.throws(() => ws.close(1011, "é".repeat(62)), RangeError, "124 bytes of UTF-8 is one too many");
  assert.throws(() => ws.close(1011, "x".repeat(200)), RangeError);
  assert.equal(ws.readyState, WebSocket.OPEN);
  // The corrected close goes through.
  ws.close(1011, "x".repeat(123));
  assert.equal(ws.readyState, WebSocket.CLOSING);
  const [code, reason] = await once(ws, "close");
  assert.equal(code, 1011);
  assert.equal(String(reason), "x".repeat(123));
  assert.deepEqual(await serverSide, { code: 1011, reason: "x".repeat(123) });
  wss.close();
});

test("server side: a failed close(1005) in a listener leaves the socket OPEN and close(1000) then works", { timeout: 10_000 }, async () => {
  const { wss, port } = await listen();
  const outcome = new Promise((resolve) => wss.on("connection", (ws) => {
    ws.on("error", () => {});
    ws.on("message", () => {
      let error = null;
      try {
        ws.close(1005, "no");
      } catch (err) {
        error = err;
      }
      const stateAfterFailure = ws.readyState;
      ws.close(1000, "retry");
      resolve({ error, stateAfterFailure, stateAfterRetry: ws.readyState });
    });
  }));
  const ws = connect(`ws://127.0.0.1:${port}/`);
  ws.on("error", () => {});
  await once(ws, "open");
  ws.send("close me");
  const [code, reason] = await once(ws, "close");
  const r = await outcome;
  assert.ok(r.error instanceof TypeError);
  assert.equal(r.stateAfterFailure, WebSocket.OPEN);
  assert.equal(r.stateAfterRetry, WebSocket.CLOSING);
  assert.equal(code, 1000);
  assert.equal(String(reason), "retry");
  wss.close();
});

test("client: a Close from the server that never closes TCP ends after closeTimeout", { timeout: 10_000 }, async () => {
  const server = await rawServer((socket) => socket.write(serverClose(1001)));
  const ws = connect(`ws://127.0.0.1:${server.port}/`, { closeTimeout: 200 });
  ws.on("error", () => {});
  const [code] = await once(ws, "close");
  assert.equal(code, 1001, "the server's code is reported");
  assert.equal(ws.readyState, WebSocket.CLOSED);
  server.close();
});

test("client: close() to a server that never answers ends after closeTimeout", { timeout: 10_000 }, async () => {
  const server = await rawServer(() => {});
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { closeTimeout: 200 });
  ws.on("error", () => {});
  await once(ws, "open");
  ws.close(1000);
  const [code] = await once(ws, "close");
  assert.equal(code, 1006, "no Close came back");
  server.close();
});

test("client: a protocol error from a server that keeps TCP open ends after closeTimeout", { timeout: 10_000 }, async () => {
  // A masked frame from a server is a protocol error (RFC 6455 §5.1): the client sends 1002 and waits;
  // no Close comes back, so the connection's close code is 1006 (§7.1.5), as in ws.
  const server = await rawServer((socket) => socket.write(Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x61])));
  const ws = connect(`ws://127.0.0.1:${server.port}/`, { closeTimeout: 200 });
  const errors = [];
  ws.on("error", (err) => errors.push(err));
  const code = await new Promise((resolve) => ws.on("close", resolve)); // once() would reject on 'error'
  assert.equal(code, 1006);
  assert.equal(errors.length, 1);
  server.close();
});

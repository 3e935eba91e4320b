// ws101/node reads plain TCP sockets into one buffer shared by every socket (js/edge/node-read.mjs)
// and writes what listeners send while a read is handled in one go. These tests drive many
// sockets at once through that path with `ws` clients (real sockets on 127.0.0.1): no socket sees
// another's bytes, messages of every size come back whole, pause()/resume() stop and restart
// reading, a close sent by a listener goes after the echoes queued before it, and
// WS101_SOCKET_READS=data (a child process) keeps Node's `data` events with the same behaviour.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { WebSocket as WsClient } from "ws";
import { WebSocketServer } from "ws101/node";

async function echoServer() {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  const sockets = [];
  wss.on("connection", (ws) => {
    sockets.push(ws._socket);
    ws.on("error", () => {});
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  await once(wss, "listening");
  return { wss, port: wss.address().port, sockets };
}

/** Sends `messages` on one client, in order, and resolves with what came back. */
async function exchange(port, messages) {
  const ws = new WsClient(`ws://127.0.0.1:${port}/`);
  await once(ws, "open");
  const back = [];
  const done = new Promise((resolve, reject) => {
    ws.on("message", (data, isBinary) => {
      back.push({ data: Buffer.from(data), isBinary });
      if (back.length === messages.length) resolve();
    });
    ws.on("error", reject);
  });
  for (const m of messages) ws.send(m.data, { binary: m.isBinary });
  await done;
  ws.close();
  return back;
}

const SIZES = [0, 1, 125, 126, 4096, 65535, 65536, 70_000, 300_000];

test("20 sockets at once, messages of 0 B to 300 KB, binary and text: every echo whole and on its own socket", { timeout: 30_000 }, async () => {
  const { wss, port, sockets } = await echoServer();
  const clients = Array.from({ length: 20 }, (_, c) => SIZES.map((size, i) => (i + c) % 3 === 0
    ? { data: Buffer.from(`${c}:${i}:`.padEnd(size, "é").slice(0, size)), isBinary: false }
    : { data: randomBytes(size), isBinary: true }));
  const results = await Promise.all(clients.map((messages) => exchange(port, messages)));
  results.forEach((back, c) => {
    back.forEach((got, i) => {
      assert.equal(got.isBinary, clients[c][i].isBinary, `client ${c} message ${i}: type`);
      assert.ok(got.data.equals(Buffer.from(clients[c][i].data)), `client ${c} message ${i} (${clients[c][i].data.length} B) came back changed`);
    });
  });
  // The shared-buffer path was taken: the sockets have no `data` listener (Node 12-26 on TCP).
  assert.ok(sockets.length === 20 && sockets.every((s) => s.listenerCount("data") === 0), "plain TCP sockets read into the shared buffer");
  wss.close();
});

test("pause() stops reading from the peer until resume()", { timeout: 10_000 }, async () => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(wss, "listening");
  const received = [];
  const serverSide = new Promise((resolve) => wss.on("connection", (ws) => {
    ws.on("message", (data) => received.push(String(data)));
    resolve(ws);
  }));
  const client = new WsClient(`ws://127.0.0.1:${wss.address().port}/`);
  await once(client, "open");
  const ws = await serverSide;
  ws.pause();
  client.send("while paused");
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(received, [], "nothing is read while paused");
  ws.resume();
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(received, ["while paused"]);
  client.close();
  wss.close();
});

test("a Close a listener sends goes after the replies it sent before, in one read", { timeout: 10_000 }, async () => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(wss, "listening");
  wss.on("connection", (ws) => {
    ws.on("message", (data) => {
      ws.send(data);
      if (String(data) === "last") ws.close(4000, "done");
    });
  });
  const client = new WsClient(`ws://127.0.0.1:${wss.address().port}/`);
  await once(client, "open");
  const got = [];
  client.on("message", (d) => got.push(String(d)));
  for (const m of ["a", "b", "last"]) client.send(m);
  const [code, reason] = await once(client, "close");
  assert.deepEqual(got, ["a", "b", "last"]);
  assert.equal(code, 4000);
  assert.equal(String(reason), "done");
  wss.close();
});

test("WS101_SOCKET_READS=data: Node's data events, same echoes", { timeout: 20_000 }, async () => {
  // A child process: the switch is read when ws101/node loads.
  const code = `
    import { WebSocketServer } from "ws101/node";
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    wss.on("connection", (ws) => {
      console.log("data listeners " + ws._socket.listenerCount("data"));
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
    wss.on("listening", () => console.log("port " + wss.address().port));`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    env: { ...process.env, WS101_SOCKET_READS: "data" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    let text = "";
    child.stdout.on("data", (chunk) => {
      text += chunk;
      child.stdout.emit("line");
    });
    const next = async (prefix) => {
      for (;;) {
        const line = text.split("\n").find((l) => l.startsWith(prefix));
        if (line) return line.slice(prefix.length);
        await once(child.stdout, "line");
      }
    };
    const port = Number(await next("port "));
    const messages = SIZES.map((size) => ({ data: randomBytes(size), isBinary: true }));
    const back = await exchange(port, messages);
    back.forEach((got, i) => assert.ok(got.data.equals(messages[i].data), `message ${i} came back changed`));
    assert.equal(await next("data listeners "), "1", "the socket is read through data events");
  } finally {
    child.kill();
  }
});

// The in-process cases of issue 13 (5, 6, 10, 11, 13), written once for `impl` = "ws101" (the code
// under test: `ws101` and `ws101/node`) or "ws" (npm `ws`, the reference), run by
// tests/robust/attacks.test.mjs and, each in its own child process, by benches/node/attacks.mjs
// (via support/run-scenario.mjs). Each returns { problems: string[], ...figures }: an empty
// `problems` is a pass. An exception escaping a listener is not caught here: in a test it fails the
// test, in the bench's child it ends the process (counted as "died"), which is what it does to a server.
import { once } from "node:events";
import { frame, closePayload, OP, RawClient, rawServer } from "./raw.mjs";
import { echoCheck } from "./attacks.mjs";
import { MiB, sleep, until } from "./server.mjs";

async function serverApi(impl) {
  if (impl === "ws101") return (await import("ws101/node")).WebSocketServer;
  return (await import("ws")).WebSocketServer;
}
async function clientApi(impl) {
  if (impl === "ws101") {
    const { connect } = await import("ws101/node");
    return (url, options = {}) => connect(url, options);
  }
  const { WebSocket } = await import("ws");
  return (url, options = {}) => new WebSocket(url, options);
}

async function listen(impl, onConnection, options = {}) {
  const WebSocketServer = await serverApi(impl);
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, ...options });
  wss.on("connection", onConnection);
  wss.on("error", () => {});
  if (!wss.address()) await once(wss, "listening");
  return { wss, port: wss.address().port, close: () => new Promise((r) => { for (const c of wss.clients ?? []) c.terminate(); wss.close(() => r()); setTimeout(r, 2000); }) };
}

const within = (promise, ms, what) =>
  Promise.race([promise, sleep(ms).then(() => { throw new Error(`timed out after ${ms} ms: ${what}`); })]);

/**
 * 5. Send side: `connections` client-role connections (sans-IO) each send one `size`-byte
 * message (alternately `sendMessage` and `sendBinary`) and stay alive. ws101: wasm memory must
 * stay under `growthLimit`; any RangeError/RuntimeError is a problem. ws: `Sender.frame`.
 */
export async function sendSide(impl, { connections = 90, size = 48 * MiB, growthLimit = 1024 * MiB } = {}) {
  const problems = [];
  const payload = Buffer.alloc(size, 0x5a);
  const start = performance.now();
  let sent = 0, peakGrowth = 0;
  if (impl === "ws101") {
    const { Connection, wasmMemory } = await import("ws101");
    const before = wasmMemory().buffer.byteLength;
    const conns = [];
    for (let i = 0; i < connections; i++) {
      try {
        const c = new Connection({ role: "client" });
        conns.push(c);
        const chunks = i % 2 === 0 ? c.sendMessage(payload) : [c.sendBinary(payload)];
        const total = chunks.reduce((n, ch) => n + ch.length, 0);
        if (total !== size + 14) problems.push(`send ${i}: ${total} bytes on the wire, expected ${size + 14}`);
        sent++;
      } catch (err) {
        problems.push(`send ${i + 1} of ${connections} × ${size / MiB} MiB threw ${err?.name}: ${err?.message}`);
        break;
      }
      peakGrowth = Math.max(peakGrowth, wasmMemory().buffer.byteLength - before);
    }
    if (problems.length === 0) {
      try {
        for (const c of conns) if (c.sendText("still fine").length !== 16) problems.push("a small send after the big ones is wrong");
      } catch (err) {
        problems.push(`a small send after the big ones threw ${err?.name}: ${err?.message}`);
      }
    }
    for (const c of conns) {
      try { c.free(); } catch (err) { problems.push(`free() threw ${err?.name}: ${err?.message}`); break; }
    }
    peakGrowth = Math.max(peakGrowth, wasmMemory().buffer.byteLength - before);
    if (peakGrowth > growthLimit) problems.push(`wasm memory grew ${(peakGrowth / MiB).toFixed(0)} MiB (limit ${growthLimit / MiB} MiB) for ${sent} sends of ${size / MiB} MiB`);
  } else {
    const { Sender } = await import("ws");
    for (let i = 0; i < connections; i++) {
      const chunks = Sender.frame(payload, { fin: true, opcode: 2, mask: true, readOnly: true, rsv1: false });
      if (chunks.reduce((n, ch) => n + ch.length, 0) !== size + 14) problems.push(`send ${i}: wrong length`);
      sent++;
    }
  }
  return { problems, sent, size, peakWasmGrowth: peakGrowth, ms: Math.round(performance.now() - start) };
}

/**
 * 6. `close()` inside a 'message' listener when the message and what follows it arrive in one
 * read: (a) the peer's Close, (b) a protocol error (reserved opcode 3), on the server; (c) the
 * server's Close, on the client. Each side must close (no throw), and the server keeps echoing.
 */
export async function closeInMessageHandler(impl) {
  const problems = [];
  const serverCloses = [];
  const srv = await listen(impl, (ws) => {
    ws.on("error", () => {});
    ws.on("close", (code) => serverCloses.push(code));
    ws.on("message", (data, isBinary) => {
      if (!isBinary && data.toString() === "bye") ws.close(1000, "bye");
      else ws.send(data, { binary: isBinary });
    });
  }, { perMessageDeflate: true });
  try {
    for (const [label, tail] of [
      ["message + Close in one read", frame(OP.CLOSE, closePayload(1000, "client done"))],
      ["message + protocol error (opcode 3) in one read", frame(3, Buffer.from("?"))],
    ]) {
      const c = await RawClient.connect(srv.port);
      await c.send(Buffer.concat([frame(OP.TEXT, "bye"), tail]));
      const closed = await c.waitFor((x) => x.closed, 5000);
      if (!closed) problems.push(`server, ${label}: the server did not close the connection within 5 s`);
      else if (!c.closeFrame) problems.push(`server, ${label}: the connection ended without a Close frame`);
      c.destroy();
    }
    await sleep(50);
    const echo = await echoCheck(srv.port);
    if (!echo.ok) problems.push(`server: a fresh client got no echo afterwards: ${echo.error}`);

    // (c) the client side: the server's message and Close in one write
    const raw = await rawServer((peer) => {
      peer.socket.write(Buffer.concat([frame(OP.TEXT, "bye", { masked: false }), frame(OP.CLOSE, closePayload(1000, "server done"), { masked: false })]));
      setTimeout(() => peer.socket.end(), 500);
    });
    try {
      const open = await clientApi(impl);
      const ws = open(`ws://127.0.0.1:${raw.port}/`);
      ws.on("error", () => {});
      ws.on("message", () => ws.close(1000, "bye"));
      try {
        await within(once(ws, "close"), 5000, "the client's close event");
      } catch (err) {
        problems.push(`client, message + Close in one read: ${err.message}`);
        ws.terminate?.();
      }
    } finally {
      await raw.close();
    }
  } finally {
    await srv.close();
  }
  return { problems, serverCloses };
}

/**
 * 10. `close(1005)` and `close(1011, <200-byte reason>)` are refused (they throw) without changing
 * `readyState`, and a retry `close(1000, "done")` then closes: on the server (peer: npm `ws`) and
 * on the client (`connect` against an npm `ws` server).
 */
export async function closeRetry(impl) {
  const problems = [];
  const attempt = (ws, side) => {
    for (const [label, call] of [["close(1005)", () => ws.close(1005)], ["close(1011, 200-byte reason)", () => ws.close(1011, "r".repeat(200))]]) {
      let threw = false;
      try {
        call();
      } catch {
        threw = true;
      }
      if (!threw) problems.push(`${side}: ${label} did not throw`);
      if (ws.readyState !== 1) problems.push(`${side}: readyState is ${ws.readyState} after a refused ${label} (expected 1, OPEN)`);
    }
    ws.close(1000, "done");
  };
  const { WebSocket: WsClient, WebSocketServer: WsServer } = await import("ws");

  // server side
  const srv = await listen(impl, (ws) => {
    ws.on("error", () => {});
    attempt(ws, "server");
  });
  try {
    const client = new WsClient(`ws://127.0.0.1:${srv.port}/`);
    client.on("error", () => {});
    try {
      const [code, reason] = await within(once(client, "close"), 5000, "the server's retried close");
      if (code !== 1000 || reason.toString() !== "done") problems.push(`server: the peer saw close ${code} "${reason}" (expected 1000 "done")`);
    } catch (err) {
      problems.push(`server: ${err.message}`);
      client.terminate();
    }
  } finally {
    await srv.close();
  }

  // client side
  const ref = new WsServer({ host: "127.0.0.1", port: 0 });
  await once(ref, "listening");
  const seen = new Promise((resolve) => ref.on("connection", (ws) => ws.on("close", (code, reason) => resolve([code, reason.toString()]))));
  try {
    const open = await clientApi(impl);
    const ws = open(`ws://127.0.0.1:${ref.address().port}/`);
    ws.on("error", () => {});
    await within(once(ws, "open"), 5000, "client open");
    attempt(ws, "client");
    try {
      const [code, reason] = await within(seen, 5000, "the client's retried close");
      if (code !== 1000 || reason !== "done") problems.push(`client: the server saw close ${code} "${reason}" (expected 1000 "done")`);
    } catch (err) {
      problems.push(`client: ${err.message}`);
      ws.terminate();
    }
  } finally {
    for (const c of ref.clients) c.terminate();
    await new Promise((r) => ref.close(r));
  }
  return { problems };
}

/**
 * 11. A server sends Close and keeps the TCP connection open: the client answers the Close and,
 * `closeTimeout` (1 s) later, gives up on the server and emits 'close' (within 4 s here).
 */
export async function serverCloseKeepsTcp(impl, { closeTimeout = 1000, limitMs = 4000 } = {}) {
  const problems = [];
  let peer;
  const raw = await rawServer((p) => {
    peer = p;
    p.socket.write(frame(OP.CLOSE, closePayload(1000, "server leaving"), { masked: false }));
    // …and never ends or destroys the socket, not even after the client's FIN.
  }, { allowHalfOpen: true });
  let ms = null;
  try {
    const open = await clientApi(impl);
    const ws = open(`ws://127.0.0.1:${raw.port}/`, { closeTimeout });
    ws.on("error", () => {});
    const start = performance.now();
    try {
      await within(once(ws, "close"), limitMs, `the client's close event (closeTimeout ${closeTimeout} ms)`);
      ms = Math.round(performance.now() - start);
    } catch (err) {
      problems.push(err.message);
      ws.terminate?.();
    }
    await sleep(100);
    if (peer && !peer.frames.some((f) => f.opcode === OP.CLOSE)) problems.push("the client never answered the server's Close");
    if (ms !== null) {
      try {
        await until(() => peer?.closedAt > 0 || peer?.ended, 2000, "the client to drop the TCP connection");
      } catch (err) {
        problems.push(err.message);
      }
    }
  } finally {
    await raw.close();
  }
  return { problems, ms };
}

/**
 * 13. Wrong-typed arguments to the sans-IO `Connection`: the send side's are TypeErrors and queue
 * no bytes; `receive()` of a DataView or a Uint16Array is a TypeError or reads exactly the view's
 * bytes (never the previous chunk, never truncated elements), and queues no bytes. ws101 only
 * (npm `ws` has no sans-IO API).
 */
export async function wrongTypes(impl) {
  if (impl !== "ws101") return { problems: [], skipped: "npm ws has no sans-IO Connection" };
  const problems = [];
  const { Connection } = await import("ws101");
  const client = new Connection({ role: "client" });
  for (const [label, call] of [
    ["sendText(12345)", () => client.sendText(12345)],
    ['sendBinary("secret")', () => client.sendBinary("secret")],
    ["ping(12345)", () => client.ping(12345)],
    ["sendBinary(42)", () => client.sendBinary(42)],
  ]) {
    try {
      const out = call();
      problems.push(`${label} returned ${out?.length} wire bytes instead of throwing a TypeError`);
    } catch (err) {
      if (!(err instanceof TypeError)) problems.push(`${label} threw ${err?.name} (${err?.message}), not a TypeError`);
    }
    const queued = client.takeOutput();
    if (queued && queued.length) problems.push(`${label} left ${queued.length} bytes to write`);
  }
  const ok = client.sendText("ok");
  if (ok.length !== 8) problems.push(`sendText("ok") afterwards gave ${ok.length} bytes, expected 8`);
  client.free();

  const server = new Connection({ role: "server" });
  const texts = (events) => events.map((e) => (e.type === "text" ? `text:${typeof e.data === "string" ? e.data : Buffer.from(e.data).toString()}` : e.type));
  const first = texts(server.receive(frame(OP.TEXT, "hello")));
  if (first.join() !== "text:hello") problems.push(`a plain Uint8Array frame gave ${first.join()}`);
  const check = (label, view, want) => {
    try {
      const got = texts(server.receive(view));
      if (got.join() !== want) problems.push(`${label} gave [${got.join()}], neither a TypeError nor its own bytes ([${want}])`);
    } catch (err) {
      if (!(err instanceof TypeError)) problems.push(`${label} threw ${err?.name} (${err?.message}), not a TypeError`);
    }
    const queued = server.takeOutput();
    if (queued && queued.length) problems.push(`${label} queued ${queued.length} wire bytes`);
  };
  const world = frame(OP.TEXT, "world"); // 11 bytes
  check("receive(DataView)", new DataView(world.buffer, world.byteOffset, world.length), "text:world");
  const even = Buffer.from(frame(OP.TEXT, "world!")); // 12 bytes: a whole number of u16
  const aligned = new Uint8Array(new ArrayBuffer(even.length));
  aligned.set(even);
  check("receive(Uint16Array)", new Uint16Array(aligned.buffer), "text:world!");
  const after = texts(server.receive(frame(OP.TEXT, "after")));
  if (after.join() !== "text:after") problems.push(`a valid frame afterwards gave [${after.join()}]`);
  server.free();
  return { problems };
}

export const SCENARIOS = { sendSide, closeInMessageHandler, closeRetry, serverCloseKeepsTcp, wrongTypes };

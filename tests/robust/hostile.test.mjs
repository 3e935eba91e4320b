// Hostile outside tester (issue 15 review): what an attacker who never saw the code found against
// the processes the judges run (examples/node/echo.mjs, echo-h2.mjs, examples/chat/node.mjs,
// `ws101 exporter`/`probe`) and the package's JS API. Each test asserts the right behaviour; the
// ones failing today carry `todo: "finding N"` (N as in the report on branch `attack`) so the
// suite stays green until the lead fixes them. The frame and handshake sweeps pass today and keep
// it so: every case of tests/robust/support/hostile-frames.mjs gets the close code RFC 6455 names,
// whole and split at every byte boundary, and the server lives.
//   node --test --test-concurrency=1 tests/robust/hostile.test.mjs
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import { Connection, RawConnection, buildRequest, acceptKey, validateRequest } from "ws101";
import { defineApp } from "ws101/app";
import { nodeAdapter } from "ws101/app/node";
import { startEcho, startScript, memoryOf, sampleMemory, freePort, fmtMiB, MiB, GiB, ROOT } from "./support/server.mjs";
import { RawClient, handshake, frame, OP } from "./support/raw.mjs";
import { FRAME_CASES } from "./support/hostile-frames.mjs";
import { bomb } from "./support/deflate.mjs";
import { echoCheck } from "./support/attacks.mjs";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const figures = [];
after(() => console.log(figures.map((f) => `# ${f}`).join("\n")));

/** Every byte the server sends for `request` until it closes (or `timeoutMs`). */
function rawResponse(port, request, timeoutMs = 10_000) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("data", (d) => chunks.push(d));
    socket.on("error", () => {});
    socket.on("close", done);
    socket.write(request, "latin1");
  });
}

/** One raw HTTP exchange: resolves `{ status, head, closed }` (status 0: no response at all). */
function rawExchange(port, request, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    const done = (closed) => {
      clearTimeout(timer);
      socket.destroy();
      const head = buf.toString("latin1").split("\r\n\r\n")[0];
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, closed });
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.includes("\r\n\r\n")) done(false);
    });
    socket.on("error", () => {});
    socket.on("close", () => done(true));
    socket.write(request, "latin1");
  });
}

const upgradeRequest = (target, { host = "127.0.0.1", extra = "" } = {}) =>
  `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

/** What the server answered a case with: "echo", "close N", or how the connection ended. */
async function answerTo(port, c, { split = false } = {}) {
  const client = await RawClient.connect(port, { deflate: c.deflate ?? true });
  try {
    const bytes = c.bytes();
    if (split) for (let i = 0; i < bytes.length; i++) await client.send(bytes.subarray(i, i + 1));
    else await client.send(bytes);
    await client.waitFor((x) => x.closeFrame || x.messages > 0, 5000);
    return client.closeFrame ? `close ${client.closeFrame.code}` : client.messages ? "echo" : client.closed ? "TCP closed without a Close frame" : "no answer within 5 s";
  } finally {
    client.destroy();
  }
}

const expected = (c) => (c.code === "echo" ? "echo" : `close ${c.code}`);

// ── passes today: the frame layer of echo.mjs ─────────────────────────────────────────────────

test(`echo.mjs: ${FRAME_CASES.length} hostile frame cases (RFC 6455 §5, §7.4.1; RFC 7692), whole and split at every byte, get the close code the RFC names; the server lives`, { timeout: 300_000 }, async () => {
  const server = await startEcho();
  try {
    const wrong = [];
    for (const split of [false, true]) {
      for (const c of FRAME_CASES) {
        if (c.code === "any" || c.finding) continue;
        const got = await answerTo(server.port, c, { split });
        if (got !== expected(c)) wrong.push(`${c.name}${split ? " (split at every byte)" : ""}: ${got}, expected ${expected(c)}`);
        assert.ok(server.alive(), `the server died on "${c.name}": ${server.describe()}`);
      }
    }
    assert.deepEqual(wrong, []);
    const echo = await echoCheck(server.port);
    assert.ok(echo.ok, `no echo afterwards: ${echo.error}`);
  } finally {
    await server.stop();
  }
});

test("echo.mjs: pipelined and malformed upgrade heads are answered (101 or 4xx), never kill the server", { timeout: 120_000 }, async () => {
  const server = await startEcho();
  const std = (extra = "", line = "GET / HTTP/1.1") => `${line}\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
  const cases = [
    ["frame in the upgrade's packet", Buffer.concat([Buffer.from(std()), frame(OP.TEXT, "hi")]), 101],
    ["a second GET in the upgrade's packet", std() + "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 101],
    ["obs-fold", std().replace(`Sec-WebSocket-Key: ${KEY}`, `Sec-WebSocket-Key:\r\n ${KEY}`), 400],
    ["NUL in a value", std("X-A: a\0b\r\n"), 400],
    ["Content-Length and Transfer-Encoding", std("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400],
    ["a body", std("Content-Length: 5\r\n") + "hello", 400],
    ["two Content-Lengths", std("Content-Length: 0\r\nContent-Length: 5\r\n"), 400],
    ["80 KB header", std(`X-Big: ${"a".repeat(80000)}\r\n`), 431],
    ["1000 headers", std(Array.from({ length: 1000 }, (_, i) => `X-${i}: a\r\n`).join("")), 431],
    ["5000 extension offers", std(`Sec-WebSocket-Extensions: ${Array(5000).fill("permessage-deflate; foo").join(", ")}\r\n`), 431],
    ["two keys", std(`Sec-WebSocket-Key: ${KEY}\r\n`), 400],
    ["version 8", std().replace("Version: 13", "Version: 8"), 426],
  ];
  try {
    const wrong = [];
    for (const [name, request, status] of cases) {
      const r = await rawExchange(server.port, request, 3000);
      if (r.status !== status) wrong.push(`${name}: ${r.status}, expected ${status}`);
      assert.ok(server.alive(), `the server died on "${name}": ${server.describe()}`);
    }
    assert.deepEqual(wrong, []);
    const echo = await echoCheck(server.port);
    assert.ok(echo.ok, `no echo afterwards: ${echo.error}`);
  } finally {
    await server.stop();
  }
});

// ── finding 6: an invalid DEFLATE stream (a distance before the stream's start) is accepted ─

test("echo.mjs: permessage-deflate data whose back-references reach before the start of the stream (a preset dictionary) closes 1007, not echoed as zeros", { timeout: 60_000 }, async () => {
  const server = await startEcho();
  try {
    const wrong = [];
    for (const c of FRAME_CASES.filter((c) => c.finding === 6)) {
      const got = await answerTo(server.port, c);
      if (got !== expected(c)) wrong.push(`${c.name}: ${got}, expected ${expected(c)}`);
    }
    assert.ok(server.alive(), server.describe());
    assert.deepEqual(wrong, []);
  } finally {
    await server.stop();
  }
});

// ── finding 1: the chat example buffers without bound for a subscriber that never reads ─────

test("chat: a room member that never reads does not make the server buffer what others publish without bound (RSS stays bounded)", { timeout: 120_000 }, async () => {
  const server = await startScript("examples/chat/node.mjs");
  try {
    // B joins the room and never reads (its kernel buffers fill, then everything waits in the server).
    const b = await handshake(server.port, { path: "/chat/r" });
    assert.equal(b.status, 101);
    b.socket.pause();
    const a = await RawClient.connect(server.port, { path: "/chat/r" });
    const base = memoryOf(server.pid).rss;
    const message = frame(OP.BINARY, Buffer.alloc(MiB, 7));
    const total = 768; // MiB published by A, who reads its own copies back promptly
    let sent = 0;
    for (; sent < total && server.alive(); sent++) {
      if (!(await a.send(message))) break;
      if (!(await a.waitFor((x) => x.messages >= sent + 1, 10_000))) break; // A was closed or the server stalled A: both fine
    }
    const held = memoryOf(server.pid)?.rss ?? 0;
    figures.push(`chat, B never reads: A published ${sent} MiB; server RSS ${fmtMiB(base)} → ${fmtMiB(held)}`);
    assert.ok(server.alive(), `the chat server died: ${server.describe()}`);
    // Bounded: whatever the policy (stop reading A, drop or close B), not one copy per published byte.
    assert.ok(held - base < 256 * MiB, `server RSS grew ${fmtMiB(held - base)} while A published ${sent} MiB to a room whose other member never reads`);
    a.destroy();
    b.socket.destroy();
  } finally {
    await server.stop();
  }
});

// ── finding 2: a Host with userinfo makes the app adapter drop the connection unanswered ────

test("ws101/app/node: an upgrade whose Host carries userinfo (user@host) gets the core's 400, and the app's error hook sees nothing", { timeout: 10_000 }, async () => {
  const errors = [];
  const app = defineApp({ upgrade: () => ({}), error: (peer, error) => errors.push(error) });
  const server = http.createServer();
  const adapter = nodeAdapter(app).attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const r = await rawExchange(server.address().port, upgradeRequest("/chat/r", { host: "user@evil.example" }));
    assert.equal(r.status, 400, `expected 400 (invalid-host, RFC 9112 §3.2 / RFC 6455 §4.2.1), got ${r.status || "no response"}: ${r.head}`);
    assert.deepEqual(errors.map(String), []);
    // and the adapter still serves a valid upgrade
    const ok = await rawExchange(server.address().port, upgradeRequest("/chat/r"));
    assert.equal(ok.status, 101);
  } finally {
    await adapter.close();
    server.close();
  }
});

// ── finding 3: the chat example answers 500 for a client's malformed percent-encoding ───────

test("chat: a room with malformed percent-encoding (/chat/%E0%A4%A) is a client error (4xx), not 500", { timeout: 30_000 }, async () => {
  const server = await startScript("examples/chat/node.mjs");
  try {
    const r = await rawExchange(server.port, upgradeRequest("/chat/%E0%A4%A"));
    assert.ok(r.status >= 400 && r.status < 500, `expected 400 or 404, got ${r.status}: ${r.head}`);
    assert.ok(server.alive());
  } finally {
    await server.stop();
  }
});

// ── finding 4: Connection.receive makes one event object per frame of the chunk, unbounded ──

test("Connection.receive: a 16 MiB chunk of empty frames (8 Mi events) does not cost the JS heap 30× the chunk", { todo: "finding 4", timeout: 120_000 }, () => {
  // 256 MiB of 2-byte frames in one receive() ends the process (V8: "Fatal JavaScript invalid
  // size error" / heap out of memory), uncatchable; 16 MiB shows the same growth, survivably.
  const chunk = Buffer.alloc(16 * MiB);
  for (let i = 0; i < chunk.length; i += 2) chunk[i] = 0x82; // FIN + binary, unmasked, length 0
  const client = new Connection({ role: "client" });
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const events = client.receive(chunk);
  const grown = process.memoryUsage().heapUsed - before;
  figures.push(`receive(16 MiB of empty frames): ${events.length} events, JS heap +${fmtMiB(grown)}`);
  client.free();
  assert.ok(grown < 4 * chunk.length, `the JS heap grew ${fmtMiB(grown)} for one ${fmtMiB(chunk.length)} receive() (${events.length} events)`);
  // still whole afterwards
  const c = new Connection({ role: "client" });
  const s = new Connection({ role: "server" });
  assert.deepEqual(s.receive(c.sendText("ok")), [{ type: "text", data: "ok" }]);
  c.free();
  s.free();
  assert.equal(acceptKey(KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

// ── finding 5: the exporter's deadline overflows setTimeout for a long scrape timeout ───────

test("exporter: X-Prometheus-Scrape-Timeout-Seconds beyond 2^31 ms does not abort the probe after 1 ms", { timeout: 60_000 }, async () => {
  const echo = await startEcho();
  const exporterPort = await freePort();
  const exporter = await startScript("pkg/cli.mjs", { args: ["exporter", "--listen", `127.0.0.1:${exporterPort}`], ready: /listening on/ });
  try {
    const get = (seconds) => new Promise((resolve, reject) => {
      const req = http.get({ host: "127.0.0.1", port: exporterPort, path: `/probe?target=ws://127.0.0.1:${echo.port}/`, headers: { "X-Prometheus-Scrape-Timeout-Seconds": seconds } }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve(body));
      });
      req.on("error", reject);
    });
    assert.match(await get("10"), /^probe_success 1$/m, "control: a 10 s scrape succeeds");
    const body = await get("3000000"); // 34.7 days: more than setTimeout's 2^31-1 ms
    assert.match(body, /^probe_success 1$/m, `a 3,000,000 s scrape timeout failed the probe:\n${body.split("\n").filter((l) => /^probe_(success|duration)/.test(l)).join("\n")}`);
    assert.doesNotMatch(exporter.output(), /TimeoutOverflowWarning/);
  } finally {
    await exporter.stop();
    await echo.stop();
  }
});

// ── finding 7: a copied handle outlives free() and reaches memory another object now owns ───

test("RawConnection/ClientHandshake: a copy of a handle (Object.assign onto the prototype) is dead after free(): TypeError, never another object's memory", { todo: "finding 7" }, () => {
  // wasm-bindgen keeps the Rust pointer in an enumerable own property (__wbg_ptr) and zeroes it
  // on the freed object only; a copy keeps the stale pointer. Here the freed slot is taken by a
  // new connection, and the copy reads (and could free) that connection's state. Reads only:
  // a free() through the copy would corrupt this process's instance.
  const raw = new RawConnection(true, null);
  const copy = Object.assign(Object.create(RawConnection.prototype), raw);
  raw.free();
  const innocent = new Connection({ role: "server" });
  try {
    assert.throws(() => copy.state(), TypeError, "state() through a copy of a freed RawConnection");
    assert.throws(() => copy.canSend(), TypeError, "canSend() through a copy of a freed RawConnection");
  } finally {
    innocent.free();
  }
  const handshake = buildRequest("ws://a.example/");
  const handshakeCopy = Object.assign(Object.create(Object.getPrototypeOf(handshake)), handshake);
  handshake.free();
  assert.throws(() => handshakeCopy.key, TypeError, "key through a copy of a freed ClientHandshake");
});

// ── finding 8: one problem (and one paragraph of the 400 body) per bad subprotocol item ──────

test("echo.mjs: a 14 KB Sec-WebSocket-Protocol of 7,000 duplicates gets a short 400, not a 770 KB one (no amplification)", { timeout: 60_000 }, async () => {
  const server = await startEcho();
  try {
    const request = upgradeRequest("/", { extra: `Sec-WebSocket-Protocol: ${"a,".repeat(7000)}a\r\n` });
    const response = await rawResponse(server.port, request);
    const status = /^HTTP\/1\.1 (\d{3})/.exec(response.toString("latin1"))?.[1];
    figures.push(`7,000 duplicate subprotocols (${request.length} B request): ${status}, ${response.length} B response`);
    assert.equal(status, "400");
    assert.ok(response.length <= 8 * 1024, `a ${request.length}-byte request got a ${response.length}-byte response (ws: 129 bytes)`);
    assert.ok(server.alive(), server.describe());
  } finally {
    await server.stop();
  }
});

test("validateRequest: the problems of one header are bounded (7,000 duplicate or invalid subprotocols are not 7,000 problems)", () => {
  const headers = { host: "a", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "13" };
  for (const offer of ["a,".repeat(7000) + "a", "a b,".repeat(3500)]) {
    const outcome = validateRequest({ method: "GET", url: "/", headers: { ...headers, "sec-websocket-protocol": offer } }, { protocols: ["a"] });
    assert.equal(outcome.ok, false);
    assert.ok(outcome.problems.length <= 16, `${outcome.problems.length} problems for one ${offer.length}-byte header`);
  }
});

// ── finding 9: partial compressed messages: ~1000× memory per byte received, no total bound ──

test("echo.mjs: 40 connections each holding an unfinished permessage-deflate message that inflates to 60 MiB (60 KB on the wire each): server memory stays bounded, fresh clients served", { timeout: 180_000 }, async () => {
  const server = await startEcho();
  const sampler = sampleMemory(server.pid, 200);
  const held = [];
  try {
    const base = memoryOf(server.pid).rss;
    const payload = bomb(60 * MiB);
    for (let i = 0; i < 40; i++) {
      const client = await RawClient.connect(server.port, { deflate: true });
      assert.ok(client.deflate, "permessage-deflate negotiated");
      held.push(client);
      await client.send(frame(OP.BINARY, payload, { fin: false, rsv1: true })); // first fragment, never finished
    }
    await new Promise((r) => setTimeout(r, 1500));
    const echo = await echoCheck(server.port);
    const peak = Math.max(sampler.max, memoryOf(server.pid)?.hwm ?? 0);
    figures.push(`40 × unfinished 60 MiB compressed messages (${payload.length} B each on the wire): server RSS ${fmtMiB(base)} → peak ${fmtMiB(peak)}; closed by the server: ${held.filter((c) => c.closed).length}`);
    assert.ok(server.alive(), `the server died: ${server.describe()}`);
    assert.ok(echo.ok, `a fresh client got no echo: ${echo.error}`);
    // What is bounded is the policy's choice (refuse with 1013/1009 past a total budget, say); one
    // 60 MiB buffer per 60 KB received is not: 400 such connections (24 MB sent) need 24 GB.
    assert.ok(peak - base < 1 * GiB, `server RSS grew ${fmtMiB(peak - base)} for ${(40 * payload.length / 1e6).toFixed(1)} MB received`);
  } finally {
    for (const c of held) c.destroy();
    sampler.stop();
    await server.stop();
  }
});

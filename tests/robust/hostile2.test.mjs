// Hostile outside tester, round 2 (docs/ATTACKS.md "Round 2"): what round 1 (hostile.test.mjs) did
// not attack. ws101/node's CLIENT against raw-TCP servers written here (each answer exactly the
// bytes we say), the HTTP/2 echo (examples/node/echo-h2.mjs, RFC 8441) against a hostile
// node:http2 client, and the API misuse a `ws` user might commit. Each case asserts what the RFC
// (and `ws`, where ws101 claims to match it) says, that no exception reaches the process, and, for
// the servers, that the process lives and a fresh client still gets its echo.
//   node --test --test-concurrency=1 tests/robust/hostile2.test.mjs
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { WebSocket, WebSocketServer } from "ws101/node";
import * as npmWs from "ws";
import { startEcho, startScript, memoryOf, fmtMiB, MiB } from "./support/server.mjs";
import { echoCheck } from "./support/attacks.mjs";
import { acceptKeyOf, frame, OP } from "./support/raw.mjs";
import { bomb } from "./support/deflate.mjs";
import { selfSignedCert } from "../h2/support.mjs";

const figures = [];
after(() => console.log(figures.map((f) => `# ${f}`).join("\n")));

// Any exception that escapes to the process fails the test that caused it.
const uncaught = [];
const onUncaught = (err) => uncaught.push(err);
process.on("uncaughtException", onUncaught);
after(() => process.off("uncaughtException", onUncaught));
const noUncaught = () => assert.deepEqual(uncaught.splice(0).map((e) => String(e?.stack ?? e)), []);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const IMPLS = { ws101: { WebSocket, WebSocketServer }, ws: { WebSocket: npmWs.WebSocket, WebSocketServer: npmWs.WebSocketServer } };

/**
 * A raw-TCP "WebSocket server": reads the request head, then calls `respond(socket, key)`. Every
 * byte the client sends after its head is kept (`received(socket)`), to read its Close frame.
 */
async function rawServer(respond) {
  const after = new Map();
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    let head = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      if (after.has(socket)) return after.set(socket, Buffer.concat([after.get(socket), chunk]));
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      after.set(socket, head.subarray(end + 4));
      const key = /sec-websocket-key: *(\S+)/i.exec(head.toString("latin1"))?.[1] ?? "";
      respond(socket, key);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `ws://127.0.0.1:${server.address().port}/`,
    /** The close code of the first (masked) Close frame the client sent, or null. */
    clientCloseCode() {
      for (const bytes of after.values()) {
        if (bytes.length >= 8 && (bytes[0] & 0x0f) === OP.CLOSE && (bytes[1] & 0x7f) >= 2) return ((bytes[2] ^ bytes[6]) << 8) | (bytes[3] ^ bytes[7]);
      }
      return null;
    },
    close: () => new Promise((r) => {
      server.close(r);
      for (const socket of after.keys()) socket.destroy();
    }),
  };
}

const head101 = (key, extra = "") => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKeyOf(key)}\r\n${extra}\r\n`;
const after101 = (key, bytes, extra) => Buffer.concat([Buffer.from(head101(key, extra)), bytes]);
const server = (opcode, payload, opts = {}) => frame(opcode, payload, { masked: false, ...opts });

/** Opens `Impl` against `url`; resolves with what it saw: `{ opened, error, close: [code, reason] }`. */
function clientOutcome(Impl, url, options = {}, { onOpen, limitMs = 20_000 } = {}) {
  return new Promise((resolve) => {
    const ws = new Impl(url, options);
    const seen = { opened: false, error: null, close: null, messages: 0 };
    ws.on("open", () => {
      seen.opened = true;
      onOpen?.(ws);
    });
    ws.on("message", () => seen.messages++);
    ws.on("error", (err) => (seen.error ??= err));
    const timer = setTimeout(() => {
      seen.close = "no close event";
      ws.terminate();
      resolve(seen);
    }, limitMs);
    ws.on("close", (code, reason) => {
      clearTimeout(timer);
      seen.close = [code, String(reason)];
      setTimeout(() => resolve(seen), 20); // let the Close frame reach the raw server
    });
  });
}

// --- The client against hostile servers --------------------------------------------------------

/** name → [server's answer, ws101's error code, RFC 6455 close code the client must send (or null), ws's message when ws101 claims it]. */
const CLIENT_CASES = {
  "wrong Sec-WebSocket-Accept": [(s) => s.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n"), "accept-mismatch", null, "Invalid Sec-WebSocket-Accept header"],
  "Sec-WebSocket-Accept twice": [(s, k) => s.write(head101(k, `Sec-WebSocket-Accept: ${acceptKeyOf(k)}\r\n`)), "duplicate-header", null],
  "101 head of 100 KB": [(s, k) => s.write(head101(k, `X-Big: ${"a".repeat(100_000)}\r\n`)), "HPE_HEADER_OVERFLOW", null, "Parse Error: Header overflow"],
  "101 head that never ends": [(s) => {
    s.write("HTTP/1.1 101 Switching Protocols\r\n");
    const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(`X-A: ${"b".repeat(1000)}\r\n`)), 2);
  }, "HPE_HEADER_OVERFLOW", null, "Parse Error: Header overflow"],
  "extension not offered": [(s, k) => s.write(head101(k, "Sec-WebSocket-Extensions: x-foo\r\n")), "unoffered-extension", null, "Server indicated an extension that was not requested"],
  "permessage-deflate with server_max_window_bits=20": [(s, k) => s.write(head101(k, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=20\r\n")), "invalid-deflate-param", null, "Invalid Sec-WebSocket-Extensions header"],
  // ws opens this one (RFC 7692 §7.1.1: the server accepts one offer only); ws101 refuses it.
  "permessage-deflate answered twice": [(s, k) => s.write(head101(k, "Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n")), "duplicate-extension", null],
  "subprotocol not offered": [(s, k) => s.write(head101(k, "Sec-WebSocket-Protocol: chat\r\n")), "unoffered-subprotocol", null, "Server sent a subprotocol but none was requested"],
  "200 with the upgrade fields": [(s, k) => s.write(`HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKeyOf(k)}\r\n\r\n`), "unexpected-status", null, "Unexpected server response: 200"],
  "masked frame from the server (§5.1)": [(s, k) => s.write(after101(k, frame(OP.TEXT, "hello", { masked: true }))), "masked-frame", 1002, "Invalid WebSocket frame: MASK must be clear"],
  "Ping of 200 bytes (§5.5)": [(s, k) => s.write(after101(k, server(OP.PING, Buffer.alloc(200)))), "control-frame-too-long", 1002],
  "Close of 200,000 bytes (§5.5)": [(s, k) => s.write(after101(k, server(OP.CLOSE, Buffer.alloc(200_000)))), "control-frame-too-long", 1002],
  "RSV1 without permessage-deflate (§5.2)": [(s, k) => s.write(after101(k, server(OP.TEXT, "x", { rsv1: true }))), "reserved-bits", 1002, "Invalid WebSocket frame: RSV1 must be clear"],
  "RSV2 (§5.2)": [(s, k) => s.write(after101(k, Buffer.from([0x80 | 0x20 | OP.TEXT, 1, 0x78]))), "reserved-bits", 1002, "Invalid WebSocket frame: RSV2 and RSV3 must be clear"],
  "invalid UTF-8 text (§8.1)": [(s, k) => s.write(after101(k, server(OP.TEXT, Buffer.from([0xff, 0xfe])))), "invalid-utf8", 1007, "Invalid WebSocket frame: invalid UTF-8 sequence"],
  "64-bit length with the MSB set (§5.2)": [(s, k) => s.write(after101(k, Buffer.from([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0]))), "length-msb-set", 1002, "Unsupported WebSocket frame: payload length > 2^53 - 1"],
  "frame announcing 2^62 bytes": [(s, k) => s.write(after101(k, server(OP.BINARY, Buffer.alloc(0), { length: 2 ** 62 }))), "frame-too-large", 1009],
  "deflate bomb: 200 KB inflating to 200 MiB (maxPayload 100 MiB, ws's default)": [(s, k) => s.write(after101(k, server(OP.BINARY, bomb(200 * MiB), { rsv1: true }), "Sec-WebSocket-Extensions: permessage-deflate\r\n")), "message-too-large", 1009, "Max payload size exceeded"],
};

for (const [name, [respond, code, closeCode, wsMessage]] of Object.entries(CLIENT_CASES)) {
  test(`client vs a hostile server: ${name} → ${code}${closeCode ? `, Close ${closeCode}` : ""}, no uncaught exception`, async () => {
    const peer = await rawServer(respond);
    try {
      const rss0 = process.memoryUsage().rss;
      const seen = await clientOutcome(WebSocket, peer.url);
      assert.equal(seen.error?.code, code, `error: ${seen.error?.stack ?? "none"}`);
      assert.equal(seen.messages, 0);
      assert.ok(Array.isArray(seen.close), `close: ${seen.close}`);
      if (closeCode) {
        assert.equal(seen.opened, true);
        assert.equal(peer.clientCloseCode(), closeCode, "the Close frame the client sent");
      } else {
        assert.equal(seen.opened, false);
        assert.equal(seen.close[0], 1006);
      }
      if (wsMessage) assert.equal(seen.error.message, wsMessage);
      noUncaught();
      figures.push(`client, ${name}: ${code}; close ${seen.close[0]}; RSS +${fmtMiB(Math.max(0, process.memoryUsage().rss - rss0))}`);
    } finally {
      await peer.close();
    }
    if (wsMessage) {
      // `ws` says the same (the reason ws101 uses its words).
      const peerWs = await rawServer(respond);
      try {
        const seen = await clientOutcome(npmWs.WebSocket, peerWs.url);
        assert.equal(seen.error?.message, wsMessage);
      } finally {
        await peerWs.close();
      }
    }
  });
}

test("client: after failing the connection (masked frame from the server), `close` says 1006 as in ws (RFC 6455 §7.1.5: no Close was received)", async () => {
  const codes = {};
  for (const impl of ["ws101", "ws"]) {
    const peer = await rawServer((s, k) => s.write(after101(k, frame(OP.TEXT, "hello", { masked: true }))));
    try {
      codes[impl] = (await clientOutcome(IMPLS[impl].WebSocket, peer.url)).close;
    } finally {
      await peer.close();
    }
  }
  assert.deepEqual(codes.ws, [1006, ""]);
  assert.deepEqual(codes.ws101, codes.ws);
});

test("client vs a redirect loop (followRedirects): fails after maxRedirects, as ws", async () => {
  for (const impl of ["ws101", "ws"]) {
    let requests = 0;
    const peer = await rawServer((s) => {
      requests++;
      s.end("HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n");
    });
    try {
      const seen = await clientOutcome(IMPLS[impl].WebSocket, peer.url, { followRedirects: true, maxRedirects: 5 });
      assert.equal(seen.error?.message, "Maximum redirects exceeded", impl);
      assert.equal(requests, 6, impl);
      assert.deepEqual(seen.close, [1006, ""], impl);
    } finally {
      await peer.close();
    }
  }
  noUncaught();
});

test("client vs a server that never answers its Close: close 1006 after closeTimeout, as ws", async () => {
  for (const impl of ["ws101", "ws"]) {
    const peer = await rawServer((s, k) => s.write(head101(k)));
    try {
      const seen = await clientOutcome(IMPLS[impl].WebSocket, peer.url, { closeTimeout: 300 }, { onOpen: (ws) => ws.close(1000) });
      assert.deepEqual(seen.close, [1006, ""], impl);
      assert.equal(peer.clientCloseCode(), 1000, impl);
    } finally {
      await peer.close();
    }
  }
  noUncaught();
});

test("client vs a server that trickles its 101 one byte at a time: handshakeTimeout bounds the whole handshake", async () => {
  // Node's request `timeout` (what ws passes handshakeTimeout to) is an idle timeout: a byte every
  // 100 ms kept ws101 (and ws) CONNECTING until the whole head had come (~13 s here; for ever
  // with a never-ending head under the header limit).
  let sent = 0;
  const peer = await rawServer((s, k) => {
    const head = head101(k);
    const timer = setInterval(() => {
      if (s.destroyed || sent >= head.length) return clearInterval(timer);
      s.write(head[sent++]);
    }, 100);
  });
  try {
    const seen = await clientOutcome(WebSocket, peer.url, { handshakeTimeout: 500 });
    assert.equal(seen.opened, false, `opened after the server trickled all ${sent} bytes`);
    assert.equal(seen.error?.code, "handshake-timeout");
    assert.deepEqual(seen.close, [1006, ""]);
  } finally {
    await peer.close();
  }
  noUncaught();
});

// --- API misuse a ws user might commit ---------------------------------------------------------

/** A connected pair on 127.0.0.1 for `impl`: `{ wss, client, serverSide }`. */
async function pair(impl) {
  const { WebSocket: Client, WebSocketServer: Server } = IMPLS[impl];
  const wss = new Server({ port: 0, host: "127.0.0.1" });
  await new Promise((r) => wss.on("listening", r));
  const connection = new Promise((r) => wss.once("connection", r));
  const client = new Client(`ws://127.0.0.1:${wss.address().port}`);
  client.on("error", () => {});
  await new Promise((resolve, reject) => {
    client.once("open", resolve);
    client.once("error", reject);
  });
  const serverSide = await connection;
  serverSide.on("error", () => {});
  return { wss, client, serverSide, done: () => new Promise((r) => { client.terminate(); wss.close(r); }) };
}

const thrown = (f) => {
  try {
    f();
    return "ok";
  } catch (err) {
    return `${err.constructor.name}: ${err.message}`;
  }
};

test("API misuse: invalid close codes, oversized close reasons and control payloads throw as in ws; the connection stays usable", async () => {
  const results = {};
  for (const impl of ["ws101", "ws"]) {
    const { client, done } = await pair(impl);
    results[impl] = [
      ...[999, 1004, 1005, 1006, 1015, 2999, 5000].map((code) => thrown(() => client.close(code))),
      thrown(() => client.close(1000, "x".repeat(124))),
      thrown(() => client.ping(Buffer.alloc(126))),
      thrown(() => client.pong("y".repeat(126))),
      client.readyState,
    ];
    await done();
  }
  assert.deepEqual(results.ws101, results.ws);
  assert.equal(results.ws101.at(-1), 1);
  noUncaught();
});

test("API misuse: send/ping/close after terminate, handleUpgrade twice on one socket, re-entrant sends: as ws, nothing thrown to the process", async () => {
  const results = {};
  for (const impl of ["ws101", "ws"]) {
    const out = [];
    const { client, serverSide, done } = await pair(impl);
    // 10,000 sends from inside one 'message' listener, all delivered in order.
    let got = 0;
    const all = new Promise((r) => client.on("message", () => ++got === 10_000 && r()));
    serverSide.on("message", (m) => {
      for (let i = 0; i < 10_000; i++) serverSide.send(m);
    });
    client.send(Buffer.alloc(1000));
    await all;
    out.push(got);
    client.terminate();
    const callback = new Promise((r) => client.send("x", (err) => r(err?.message)));
    out.push(thrown(() => client.ping()), thrown(() => client.close()), await callback);
    await done();

    const { WebSocket: Client, WebSocketServer: Server } = IMPLS[impl];
    const httpServer = http.createServer();
    const wss = new Server({ noServer: true });
    const second = new Promise((resolve) => httpServer.on("upgrade", (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => ws.send("one"));
      resolve(thrown(() => wss.handleUpgrade(req, socket, head, (ws) => ws.send("two"))));
    }));
    await new Promise((r) => httpServer.listen(0, "127.0.0.1", r));
    const c = new Client(`ws://127.0.0.1:${httpServer.address().port}`);
    c.on("error", () => {});
    const first = await new Promise((r) => c.once("message", (m) => r(String(m))));
    out.push(await second, first);
    c.terminate();
    await new Promise((r) => httpServer.close(r));
    results[impl] = out;
  }
  assert.deepEqual(results.ws101, results.ws);
  noUncaught();
});

// --- Totals across connections ---------------------------------------------------------------

test("totals: 500 connections each holding 15 KiB of an upgrade head that never ends, beside 100 holding half of a 1 MiB frame; a fresh client is echoed", async () => {
  const echo = await startEcho();
  const sockets = [];
  try {
    const open = (bytes) => new Promise((resolve) => {
      const socket = net.connect(echo.port, "127.0.0.1", () => socket.write(bytes, resolve));
      socket.on("error", resolve);
      sockets.push(socket);
    });
    const partialHead = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Filler: ${"f".repeat(15 * 1024)}`;
    for (let i = 0; i < 500; i += 50) await Promise.all(Array.from({ length: 50 }, () => open(partialHead)));
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    const upgrade = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    const halfFrame = frame(OP.BINARY, Buffer.alloc(MiB)).subarray(0, 14 + MiB / 2);
    for (let i = 0; i < 100; i += 25) await Promise.all(Array.from({ length: 25 }, () => open(Buffer.concat([Buffer.from(upgrade), halfFrame]))));
    const check = await echoCheck(echo.port);
    assert.ok(check.ok, `fresh client: ${check.error}; ${echo.describe()}`);
    assert.ok(echo.alive(), echo.describe());
    const mem = memoryOf(echo.pid);
    figures.push(`totals: 500 partial heads + 100 half frames held: echo.mjs RSS ${fmtMiB(mem.rss)}, peak ${fmtMiB(mem.hwm)}`);
  } finally {
    for (const s of sockets) s.destroy();
    await echo.stop();
  }
});

// --- HTTP/2 (RFC 8441) against examples/node/echo-h2.mjs -----------------------------------------

const tlsFiles = selfSignedCert();
after(() => tlsFiles.remove());

/** An HTTP/2 session to the echo (errors kept, not thrown); resolves after the server's SETTINGS. */
async function h2session(port, settings = {}) {
  const session = http2.connect(`https://127.0.0.1:${port}`, { ca: tlsFiles.cert, settings });
  session.on("error", () => {});
  await new Promise((resolve, reject) => {
    session.once("remoteSettings", resolve);
    session.once("close", () => reject(new Error("session closed before SETTINGS")));
  });
  return session;
}
const connectHeaders = (port, extra = {}) => ({ ":method": "CONNECT", ":protocol": "websocket", ":scheme": "https", ":path": "/", ":authority": `127.0.0.1:${port}`, "sec-websocket-version": "13", ...extra });

/** A fresh extended CONNECT stream's echo of one text message, or the reason there was none. */
async function h2echo(port) {
  const session = await h2session(port);
  try {
    const stream = session.request(connectHeaders(port), { endStream: false });
    stream.on("error", () => {});
    const status = await new Promise((r) => stream.once("response", (h) => r(h[":status"])));
    if (status !== 200) return `status ${status}`;
    stream.write(frame(OP.TEXT, "still serving"));
    const data = await Promise.race([new Promise((r) => stream.once("data", r)), sleep(10_000).then(() => null)]);
    return data ? data.subarray(2).toString() : "no echo";
  } finally {
    session.destroy();
  }
}

async function startH2() {
  return startScript("examples/node/echo-h2.mjs", { env: { TLS_CERT: tlsFiles.certPath, TLS_KEY: tlsFiles.keyPath } });
}

test("HTTP/2: 1,000 extended CONNECT streams over 10 sessions, each holding 32 KiB of a 1 MiB frame; then a fresh stream is echoed", async () => {
  const echo = await startH2();
  const sessions = [];
  try {
    let opened = 0;
    for (let k = 0; k < 10; k++) {
      const session = await h2session(echo.port);
      sessions.push(session);
      await Promise.all(Array.from({ length: 100 }, () => new Promise((resolve) => {
        const stream = session.request(connectHeaders(echo.port), { endStream: false });
        stream.on("error", () => {});
        stream.once("response", (h) => {
          if (h[":status"] === 200) {
            opened++;
            // 32 KiB: within the stream's initial window (65,535); more, and node:http2's own
            // maxSessionMemory (10 MB a session) refuses the session's later streams first.
            stream.write(frame(OP.BINARY, Buffer.alloc(32 * 1024), { length: MiB }));
          }
          resolve();
        });
        stream.once("close", resolve);
      })));
    }
    assert.equal(opened, 1000);
    assert.equal(await h2echo(echo.port), "still serving", echo.describe());
    const mem = memoryOf(echo.pid);
    figures.push(`h2: 1,000 streams each holding 32 KiB of a 1 MiB frame: server RSS ${fmtMiB(mem.rss)}, peak ${fmtMiB(mem.hwm)}`);
    assert.ok(echo.alive(), echo.describe());
  } finally {
    for (const s of sessions) s.destroy();
    await echo.stop();
  }
});

test("HTTP/2: RST storms (streams cancelled before and after the answer, mid-message), END_STREAM mid-message, bad :protocol; the server serves on", async () => {
  const echo = await startH2();
  try {
    let resetAfterAnswer = 0;
    for (let k = 0; k < 10; k++) {
      const session = await h2session(echo.port);
      const streams = [];
      for (let i = 0; i < 200; i++) {
        const stream = session.request(connectHeaders(echo.port), { endStream: false });
        stream.on("error", () => {});
        streams.push(new Promise((r) => stream.once("close", r)));
        if (i % 2) stream.close(http2.constants.NGHTTP2_CANCEL);
        else stream.once("response", () => {
          stream.write(frame(OP.TEXT, "hello", { fin: false }));
          stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
          resetAfterAnswer++;
        });
      }
      await Promise.all(streams);
      session.destroy();
    }
    assert.equal(resetAfterAnswer, 1000);

    // END_STREAM in the middle of a message: the stream ends without an echo, the server lives.
    const session = await h2session(echo.port);
    const stream = session.request(connectHeaders(echo.port), { endStream: false });
    stream.on("error", () => {});
    await new Promise((r) => stream.once("response", r));
    let echoed = 0;
    stream.on("data", () => echoed++);
    stream.end(frame(OP.TEXT, "partial", { fin: false }));
    await new Promise((r) => stream.once("close", r));
    assert.equal(echoed, 0);

    // A :protocol other than websocket is not a WebSocket (RFC 8441 §4): no 200.
    const other = session.request(connectHeaders(echo.port, { ":protocol": "websocketx" }), { endStream: false });
    other.on("error", () => {});
    const status = await new Promise((r) => {
      other.once("response", (h) => r(h[":status"]));
      other.once("close", () => r(`reset ${other.rstCode}`));
    });
    assert.notEqual(status, 200);
    session.destroy();

    assert.equal(await h2echo(echo.port), "still serving", echo.describe());
    assert.ok(echo.alive(), echo.describe());
    figures.push(`h2: after 2,000 reset streams, END_STREAM mid-message and :protocol websocketx (→ ${status}): server RSS ${fmtMiB(memoryOf(echo.pid).rss)}`);
  } finally {
    await echo.stop();
  }
});

test("HTTP/2: 20 streams whose client never opens its flow-control window, each sent 64 MiB to echo; the server serves on", async () => {
  const echo = await startH2();
  const sessions = [];
  try {
    for (let k = 0; k < 5; k++) {
      const session = await h2session(echo.port, { initialWindowSize: 0 });
      sessions.push(session);
      for (let i = 0; i < 4; i++) {
        const stream = session.request(connectHeaders(echo.port), { endStream: false });
        stream.on("error", () => {});
        stream.pause();
        stream.once("response", () => {
          for (let j = 0; j < 8; j++) stream.write(frame(OP.BINARY, Buffer.alloc(8 * MiB)));
        });
      }
    }
    await sleep(3000); // the sends above reach the server, which cannot write their echoes
    assert.equal(await h2echo(echo.port), "still serving", echo.describe());
    const mem = memoryOf(echo.pid);
    figures.push(`h2: 20 stalled streams × 64 MiB sent: server RSS ${fmtMiB(mem.rss)}, peak ${fmtMiB(mem.hwm)}`);
    assert.ok(echo.alive(), echo.describe());
  } finally {
    for (const s of sessions) s.destroy();
    await echo.stop();
  }
});


// The network attacks of issue 13, written once and run by tests/robust/*.test.mjs (against the
// ws101/node echo server) and by benches/node/attacks.mjs (against it and against npm `ws`).
// Every attack only talks to 127.0.0.1, is bounded in time, never throws because the server died
// (it reports what happened instead), and returns { stats, release() }: `release()` closes the
// connections the attack keeps open, so the caller can check the server *while* they are held.
import crypto from "node:crypto";
import WebSocket from "ws";
import { RawClient, frame, OP, rawRequest } from "./raw.mjs";
import { bomb, compressedFrame } from "./deflate.mjs";
import { MiB, KiB, sleep } from "./server.mjs";

/**
 * The sizes the tests and the bench use: each attack exceeds the ~3.94 GiB a single wasm32 memory
 * can hold (the first design kept these payloads, or this state, in wasm memory).
 */
export const PLAN = {
  bomb: { clients: 66, inflated: 63 * MiB }, // 4.06 GiB inflated, from 4 MiB sent (61 was just under the cap here)
  delivered: { clients: 70, size: 60 * MiB }, // 4.1 GiB delivered, then idle
  partial: { clients: 70, size: 60 * MiB }, // 4.1 GiB of held partial messages
  idle: { clients: 10_000, messageSize: 2 * KiB }, // × ~421 KiB of deflate state = 4.0 GiB
  soak: { connections: 200, durationMs: 60_000, maxSize: 4 * MiB },
};

/** Runs `fn(i)` for i in [0, n) with at most `limit` at a time. */
export async function pool(n, limit, fn) {
  let next = 0;
  const results = new Array(n);
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return results;
}

async function connectQuietly(port, options) {
  try {
    return await RawClient.connect(port, options);
  } catch (err) {
    return { failed: err };
  }
}

const releaseAll = (clients) => async () => {
  for (const c of clients) if (c && !c.failed) c.close();
  await sleep(100);
  for (const c of clients) if (c && !c.failed) c.destroy();
};

function summarize(clients, extra = {}) {
  const ok = clients.filter((c) => c && !c.failed);
  const codes = {};
  for (const c of ok) if (c.closeFrame) codes[c.closeFrame.code] = (codes[c.closeFrame.code] ?? 0) + 1;
  return {
    clients: clients.length,
    connected: ok.length,
    connectErrors: clients.length - ok.length,
    firstConnectError: clients.find((c) => c?.failed)?.failed.message,
    echoed: ok.filter((c) => c.messages > 0).length,
    closedByServer: ok.filter((c) => c.closed).length,
    closeCodes: codes,
    ...extra,
  };
}

/**
 * A fresh client gets its echo: a text and a 64 KiB binary message, types kept (npm `ws` client,
 * permessage-deflate offered). Never throws: `{ ok, ms, error }`.
 */
export async function echoCheck(port, { path = "/", timeoutMs = 15_000, deflate = true } = {}) {
  const start = performance.now();
  const text = `still there? ${crypto.randomUUID()}`;
  const binary = crypto.randomBytes(64 * KiB);
  return await new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: deflate });
    const got = [];
    const done = (error) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on("error", () => {});
      ws.terminate();
      resolve({ ok: !error, ms: Math.round(performance.now() - start), error: error?.message ?? error });
    };
    const timer = setTimeout(() => done(new Error(`no echo within ${timeoutMs} ms (got ${got.length} of 2)`)), timeoutMs);
    ws.on("open", () => {
      ws.send(text);
      ws.send(binary);
    });
    ws.on("message", (data, isBinary) => {
      got.push({ data, isBinary });
      if (got.length < 2) return;
      if (got[0].isBinary || got[0].data.toString() !== text) return done(new Error("text echo differs"));
      if (!got[1].isBinary || !Buffer.from(got[1].data).equals(binary)) return done(new Error("binary echo differs"));
      done();
    });
    ws.on("error", (err) => done(err));
    ws.on("close", (code) => done(new Error(`closed ${code} before the echo`)));
  });
}

/**
 * 1. Compression bomb: `clients` permessage-deflate connections at once, each sending one
 * ~64 KiB message that inflates to `inflated` bytes of zeros (under the 64 MiB limit).
 */
export async function compressionBomb(port, { clients = 61, inflated = 63 * MiB, timeoutMs = 40_000 } = {}) {
  const start = performance.now();
  const compressed = bomb(inflated);
  const payloadFrame = compressedFrame(null, { compressed });
  const conns = await Promise.all(Array.from({ length: clients }, () => connectQuietly(port, { deflate: true })));
  const live = conns.filter((c) => !c.failed);
  const notDeflate = live.filter((c) => !c.deflate).length;
  await Promise.all(live.map((c) => c.send(payloadFrame)));
  const deadline = Date.now() + timeoutMs;
  await Promise.all(live.map((c) => c.waitFor((x) => x.messages > 0 || x.closeFrame, Math.max(0, deadline - Date.now()))));
  const stats = summarize(conns, { sentBytesEach: payloadFrame.length, inflatedEach: inflated, notDeflate, ms: Math.round(performance.now() - start) });
  return { stats, release: releaseAll(conns) };
}

/**
 * 2. Delivered messages: `clients` plain connections, `concurrency` at a time, each sends one
 * `size`-byte binary message, reads the whole echo, then stays connected and idle.
 */
export async function deliveredThenIdle(port, { clients = 70, size = 60 * MiB, concurrency = 4, timeoutMs = 90_000 } = {}) {
  const start = performance.now();
  const payload = Buffer.alloc(size, "delivered ");
  const bytes = frame(OP.BINARY, payload, { maskKey: Buffer.from([0x37, 0xfa, 0x21, 0x3d]) });
  const deadline = Date.now() + timeoutMs;
  const conns = [];
  let stoppedEarly = false;
  await pool(clients, concurrency, async (i) => {
    if (Date.now() > deadline || stoppedEarly) return;
    const c = (conns[i] = await connectQuietly(port, { keep: 0 }));
    if (c.failed) {
      stoppedEarly = true; // the server is gone or refusing: no point in 60 more
      return;
    }
    c.send(bytes);
    const ok = await c.waitFor((x) => x.messages > 0 && x.messageBytes >= size, Math.max(0, deadline - Date.now()));
    if (!ok && c.closed) stoppedEarly = true;
  });
  const list = conns.filter(Boolean);
  const stats = summarize(list, { attempted: list.length, sizeEach: size, ms: Math.round(performance.now() - start) });
  stats.idleNow = list.filter((c) => !c.failed && !c.closed).length;
  return { stats, release: releaseAll(list) };
}

/**
 * 3. Partial messages: `clients` connections, `concurrency` at a time, each sends a non-final
 * fragment of `size` bytes (under maxPayload) and holds the message open.
 */
export async function partialMessages(port, { clients = 70, size = 60 * MiB, concurrency = 4, settleMs = 1500, timeoutMs = 90_000 } = {}) {
  const start = performance.now();
  const bytes = frame(OP.BINARY, Buffer.alloc(size, "partial "), { fin: false, maskKey: Buffer.from([0x11, 0x22, 0x33, 0x44]) });
  const deadline = Date.now() + timeoutMs;
  const conns = [];
  let stoppedEarly = false;
  await pool(clients, concurrency, async (i) => {
    if (Date.now() > deadline || stoppedEarly) return;
    const c = (conns[i] = await connectQuietly(port, { keep: 0 }));
    if (c.failed) {
      stoppedEarly = true;
      return;
    }
    const flushed = await Promise.race([c.send(bytes), sleep(Math.max(0, deadline - Date.now())).then(() => false)]);
    if (!flushed || c.closed) stoppedEarly = true;
  });
  await sleep(settleMs); // the last bytes leave the socket buffers
  const list = conns.filter(Boolean);
  const stats = summarize(list, { attempted: list.length, sizeEach: size, ms: Math.round(performance.now() - start) });
  stats.heldNow = list.filter((c) => !c.failed && !c.closed).length;
  return { stats, release: releaseAll(list) };
}

/** A compressible ~`size`-byte JSON-ish text, as chat or API traffic looks. */
export function chatText(size, seed = 0) {
  let s = "";
  for (let i = 0; s.length < size; i++) s += JSON.stringify({ id: seed * 100000 + i, user: `user${(i * 7919 + seed) % 1000}`, text: "hello there, how are things going today?", ts: 1764500000 + i }) + "\n";
  return s.slice(0, size);
}

/**
 * 4. Idle permessage-deflate connections: `clients` connections, each sends one compressed text
 * message of `messageSize` bytes (big enough that the echo is compressed too), reads its echo,
 * and stays idle.
 */
export async function idleDeflate(port, { clients = 2000, messageSize = 2 * KiB, concurrency = 64, timeoutMs = 60_000 } = {}) {
  const start = performance.now();
  const deadline = Date.now() + timeoutMs;
  const conns = [];
  let stoppedEarly = false;
  await pool(clients, concurrency, async (i) => {
    if (Date.now() > deadline || stoppedEarly) return;
    const c = (conns[i] = await connectQuietly(port, { deflate: true, keep: 0 }));
    if (c.failed) {
      stoppedEarly = true;
      return;
    }
    if (!c.deflate) return;
    c.send(compressedFrame(Buffer.from(chatText(messageSize, i)), { text: true }));
    await c.waitFor((x) => x.messages > 0, Math.max(0, deadline - Date.now()));
  });
  const list = conns.filter(Boolean);
  const stats = summarize(list, { attempted: list.length, messageSize, ms: Math.round(performance.now() - start) });
  stats.deflateNegotiated = list.filter((c) => !c.failed && c.deflate).length;
  stats.idleNow = list.filter((c) => !c.failed && !c.closed).length;
  return { stats, release: releaseAll(list) };
}

/** 7. Request targets that must not match `path: "/chat"` (and one that must). */
export const PATH_TARGETS = ["http://[/chat", "//evil.example/chat", "http://evil.example/chat"];

export async function pathTargets(port, { targets = PATH_TARGETS, path = "/chat" } = {}) {
  const head = (target) =>
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  const results = [];
  for (const target of [...targets, path]) {
    const r = await rawRequest(port, head(target));
    results.push({ target, status: r.status, head: r.head.split("\r\n")[0] });
  }
  return { stats: { results }, release: async () => {} };
}

/** A small deterministic PRNG (mulberry32), so a soak run can be replayed. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  return next;
}

/**
 * Soak: `connections` npm `ws` clients with permessage-deflate for `durationMs`, reconnecting:
 * 70 % echo clients (send, check the echo, pause), 15 % slow readers (pause reading, send a few
 * messages, resume seconds later), 15 % abrupt (send and terminate mid-flight). Message sizes mix
 * small, medium and up to `maxSize`; text (compressible) and binary (random).
 */
export async function soak(port, { connections = 200, durationMs = 60_000, maxSize = 4 * MiB, seed = 13, onTick } = {}) {
  const random = rng(seed);
  const binaryPool = crypto.randomBytes(maxSize);
  const textPool = chatText(maxSize, seed);
  const stats = { sessions: 0, messages: 0, bytes: 0, mismatches: 0, connectErrors: 0, unexpectedCloses: 0, terminated: 0, slowSessions: 0, firstProblem: null };
  const problem = (what) => (stats.firstProblem ??= what);
  const deadline = Date.now() + durationMs;
  const pickSize = () => {
    const r = random();
    if (r < 0.6) return random.int(16, 8 * KiB);
    if (r < 0.95) return random.int(8 * KiB, 256 * KiB);
    return random.int(256 * KiB, maxSize);
  };
  const pickMessage = () => {
    const size = pickSize();
    const off = random.int(0, maxSize - size);
    return random() < 0.5 ? textPool.slice(off, off + size) : binaryPool.subarray(off, off + size);
  };

  const session = (slot) =>
    new Promise((resolve) => {
      const kind = slot % 20 < 14 ? "echo" : slot % 20 < 17 ? "slow" : "abrupt";
      stats.sessions++;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: true, maxPayload: 64 * MiB });
      const expected = [];
      let finished = false;
      const timers = new Set();
      const later = (ms, fn) => {
        const t = setTimeout(() => {
          timers.delete(t);
          fn();
        }, ms);
        timers.add(t);
        return t;
      };
      const end = () => {
        if (finished) return;
        finished = true;
        for (const t of timers) clearTimeout(t);
        resolve();
      };
      const send = () => {
        const m = pickMessage();
        expected.push(m);
        ws.send(m);
      };
      ws.on("error", () => {});
      ws.on("close", (code) => {
        if (kind !== "abrupt" && !finished && code !== 1000) {
          stats.unexpectedCloses++;
          problem(`${kind} client closed ${code} with ${expected.length} echoes outstanding`);
        }
        end();
      });
      ws.on("message", (data, isBinary) => {
        const want = expected.shift();
        if (want === undefined) return;
        const same = typeof want === "string" ? !isBinary && data.toString() === want : isBinary && Buffer.from(data).equals(want);
        if (!same) {
          stats.mismatches++;
          problem(`${kind} client: echo of a ${want.length}-byte message differs`);
        }
        stats.messages++;
        stats.bytes += want.length;
        if (kind === "echo") {
          if (sent < rounds && Date.now() < deadline) later(random.int(300, 1500), () => (sent++, send()));
          else if (expected.length === 0) ws.close(1000);
        } else if (kind === "slow" && expected.length === 0) ws.close(1000);
      });
      let sent = 1;
      const rounds = random.int(3, 12);
      ws.on("open", () => {
        if (kind === "echo") send();
        else if (kind === "slow") {
          stats.slowSessions++;
          ws.pause();
          for (let i = 0; i < 3; i++) send();
          later(random.int(2000, 5000), () => ws.resume());
        } else {
          for (let i = random.int(1, 3); i > 0; i--) send();
          later(random.int(0, 300), () => {
            stats.terminated++;
            ws.terminate();
          });
        }
      });
      ws.on("unexpected-response", () => {
        stats.connectErrors++;
        problem("unexpected response to the handshake");
      });
      // Stuck means no progress: 30 s without an echo while one is outstanding (a session's whole
      // length is not bounded: up to 12 rounds of think time and multi-MiB echoes under load).
      let watchdog = null;
      const watch = () => {
        if (watchdog !== null) clearTimeout(watchdog), timers.delete(watchdog);
        if (finished) return;
        watchdog = later(30_000, () => {
          if (!finished) {
            problem(`${kind} session stuck: no echo for 30 s with ${expected.length} echoes outstanding`);
            stats.unexpectedCloses++;
            ws.terminate();
            end();
          }
        });
      };
      ws.on("message", watch);
      watch();
    }).catch(() => {});

  const slot = async (i) => {
    await sleep(random.int(0, 2000)); // ramp up
    while (Date.now() < deadline) {
      await session(i);
      // think time between sessions (abrupt clients would otherwise churn handshakes non-stop)
      await sleep(i % 20 >= 17 ? random.int(500, 2500) : random.int(50, 500));
    }
  };
  const tick = onTick ? setInterval(onTick, 1000) : null;
  await Promise.all(Array.from({ length: connections }, (_, i) => slot(i)));
  if (tick) clearInterval(tick);
  return stats;
}

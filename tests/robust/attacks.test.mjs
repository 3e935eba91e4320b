// Issue 13, the proof: every reproduction that killed a ws101/node process (or made it misbehave)
// as a test. Network attacks run against examples/node/echo.mjs as a child process on 127.0.0.1
// (a concrete free port in PORT) and assert, while the attack's connections are still held,
// (a) the child is alive, (b) a fresh client still gets its echo, and where useful (c) the child's
// RSS (/proc/PID/status; wasm memory is invisible from outside) stayed bounded. In-process cases
// use the package directly. Sizes exceed the ~3.94 GiB one wasm32 memory can hold, so a design that
// keeps payloads or idle state in wasm memory fails; npm `ws` passes all of them
// (benches/node/attacks.mjs runs the same attacks against both and writes docs/ATTACKS.md).
// Items 8, 9 and 12 of the issue are tested elsewhere (no-trap.test.mjs, server options, tests/cli).
//   node --test --test-concurrency=1 tests/robust/attacks.test.mjs
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startEcho, sampleMemory, fmtMiB, MiB, KiB, GiB } from "./support/server.mjs";
import { PLAN, compressionBomb, deliveredThenIdle, partialMessages, idleDeflate, pathTargets, PATH_TARGETS, echoCheck } from "./support/attacks.mjs";
import { sendSide, closeInMessageHandler, closeRetry, serverCloseKeepsTcp, wrongTypes } from "./support/scenarios.mjs";

const figures = [];
after(() => console.log(figures.map((f) => `# ${f}`).join("\n")));

/**
 * Starts the echo server, runs `attack(port)`, then — with the attack's connections still held —
 * checks it is alive and echoes, calls `check({ stats, base, held, peak })`, and releases.
 */
async function underAttack(name, attack, check = () => {}, { path } = {}) {
  const server = await startEcho(path ? { path } : {});
  const sampler = sampleMemory(server.pid, 200);
  try {
    const base = server.memory();
    const start = performance.now();
    const { stats, release } = await attack(server.port);
    const ms = Math.round(performance.now() - start);
    try {
      assert.ok(server.alive(), `${name}: the server process died: ${server.describe()}\nattack: ${JSON.stringify(stats)}`);
      const echo = await echoCheck(server.port, { path: path ?? "/" });
      assert.ok(server.alive(), `${name}: the server process died during the echo check: ${server.describe()}`);
      assert.ok(echo.ok, `${name}: a fresh client got no echo: ${echo.error}\nattack: ${JSON.stringify(stats)}`);
      const held = server.memory();
      const peak = Math.max(sampler.max, held.hwm);
      figures.push(`${name}: ${ms} ms, server RSS ${fmtMiB(base.rss)} → ${fmtMiB(held.rss)} held, peak ${fmtMiB(peak)}; ${JSON.stringify(stats)}`);
      await check({ stats, base, held, peak });
    } finally {
      await release();
    }
  } finally {
    sampler.stop();
    await server.stop();
  }
}

/** Runs an in-process case; an exception escaping a listener meanwhile is a failure too. */
async function inProcess(name, fn) {
  const escaped = [];
  const onError = (err) => escaped.push(err);
  process.on("uncaughtException", onError);
  let result;
  try {
    result = await fn();
  } finally {
    process.off("uncaughtException", onError);
  }
  figures.push(`${name}: ${JSON.stringify({ ...result, problems: undefined })}`);
  assert.deepEqual(escaped.map((e) => `${e?.name}: ${e?.message}`), [], `${name}: exceptions escaped a listener`);
  assert.deepEqual(result.problems, [], `${name}: ${result.problems.length} problem(s)`);
  return result;
}

// ---- in-process cases (cheap) ----

test("6 close() in a message handler when the message and a Close (or a protocol error) arrive in one read: no throw, closes, keeps serving", { timeout: 30_000 }, async () => {
  await inProcess("6 close() in a message handler", () => closeInMessageHandler("ws101"));
});

test("10 close(1005) and close(1011, 200-byte reason) throw without changing readyState; a retry close(1000) then closes (server and client)", { timeout: 30_000 }, async () => {
  await inProcess("10 close() validation", () => closeRetry("ws101"));
});

test("11 server Close with TCP kept open: the connect() client answers and gives up after closeTimeout (1 s)", { timeout: 30_000 }, async () => {
  const { ms } = await inProcess("11 server Close with TCP kept open", () => serverCloseKeepsTcp("ws101", { closeTimeout: 1000, limitMs: 4000 }));
  assert.ok(ms >= 900, `the client closed after ${ms} ms, before closeTimeout`);
});

test("13 wrong-typed arguments to Connection: sendText(12345), sendBinary(\"secret\"), ping(12345), sendBinary(42) are TypeErrors with no wire bytes; receive(DataView|Uint16Array) never misreads", { timeout: 30_000 }, async () => {
  await inProcess("13 wrong-typed arguments", () => wrongTypes("ws101"));
});

// ---- a child server with `path` ----

test("7 path option: GET http://[/chat, //evil.example/chat, http://evil.example/chat are answered 400/404, never accepted; the server lives", { timeout: 30_000 }, async () => {
  await underAttack("7 path option", (port) => pathTargets(port), ({ stats }) => {
    for (const r of stats.results) {
      if (PATH_TARGETS.includes(r.target)) assert.ok([400, 404].includes(r.status), `GET ${r.target} answered ${r.status || "nothing"} (${r.head}), expected 400 or 404`);
      else assert.equal(r.status, 101, `GET ${r.target} (the configured path) answered ${r.status}`);
    }
  }, { path: "/chat" });
});

// ---- network attacks against examples/node/echo.mjs ----

test(`1 compression bomb: ${PLAN.bomb.clients} connections at once each send ~64 KiB of permessage-deflate inflating to ${PLAN.bomb.inflated / MiB} MiB; the server lives and echoes`, { timeout: 60_000 }, async () => {
  await underAttack("1 compression bomb", (port) => compressionBomb(port, { ...PLAN.bomb, timeoutMs: 45_000 }), ({ stats }) => {
    assert.equal(stats.connected, PLAN.bomb.clients, `only ${stats.connected} connected: ${stats.firstConnectError}`);
    assert.equal(stats.notDeflate, 0, "permessage-deflate was not negotiated");
    // Each bomb is echoed, or refused with 1009 (a limit); 1011 is a contained trap, not a limit.
    assert.ok(!stats.closeCodes[1011], `${stats.closeCodes[1011]} connections closed with 1011 (a trap, contained): ${JSON.stringify(stats.closeCodes)}`);
    const answered = stats.echoed + (stats.closeCodes[1009] ?? 0);
    assert.ok(answered >= stats.connected, `only ${stats.echoed} bombs echoed and ${JSON.stringify(stats.closeCodes)} closed of ${stats.connected}: the rest hang`);
  });
});

test(`2 delivered messages: ${PLAN.delivered.clients} clients each send ${PLAN.delivered.size / MiB} MiB, read the echo and stay idle; the server lives, echoes, and does not keep what it delivered`, { timeout: 60_000 }, async () => {
  await underAttack("2 delivered messages", (port) => deliveredThenIdle(port, { ...PLAN.delivered, timeoutMs: 45_000 }), ({ stats, held }) => {
    assert.equal(stats.echoed, PLAN.delivered.clients, `${stats.echoed} of ${PLAN.delivered.clients} echoes came back`);
    assert.equal(stats.idleNow, PLAN.delivered.clients, `${stats.idleNow} of ${PLAN.delivered.clients} idle clients still connected`);
    // `ws` holds ~330 MiB here; keeping the delivered messages would be 4.1 GiB.
    assert.ok(held.rss < 1.5 * GiB, `server RSS ${fmtMiB(held.rss)} with ${stats.idleNow} idle clients: delivered payloads are kept`);
  });
});

test(`3 partial messages: ${PLAN.partial.clients} connections each hold an unfinished ${PLAN.partial.size / MiB} MiB message (under maxPayload); the server lives and echoes`, { timeout: 60_000 }, async () => {
  await underAttack("3 partial messages", (port) => partialMessages(port, { ...PLAN.partial, timeoutMs: 45_000 }), ({ stats }) => {
    assert.equal(stats.connected, PLAN.partial.clients, `only ${stats.connected} connected: ${stats.firstConnectError}`);
    // `ws` holds all of them (4.3 GB RSS). A 1009 (a limit) is acceptable; 1011 (a contained trap) or a drop is not.
    assert.ok(!stats.closeCodes[1011], `${stats.closeCodes[1011]} of ${stats.connected} connections closed with 1011 (a trap, contained): ${JSON.stringify(stats.closeCodes)}`);
    const dropped = stats.connected - stats.heldNow - (stats.closeCodes[1009] ?? 0);
    assert.ok(dropped <= 0, `${dropped} connections were dropped without a 1009 Close: ${JSON.stringify(stats.closeCodes)}`);
  });
});

test(`4 idle deflate connections: ${PLAN.idle.clients.toLocaleString("en")} connections each sent one compressed ${PLAN.idle.messageSize / KiB} KiB message; all served, the server lives, bounded memory per connection`, { timeout: 60_000 }, async () => {
  await underAttack("4 idle deflate connections", (port) => idleDeflate(port, { ...PLAN.idle, timeoutMs: 45_000 }), ({ stats, base, held }) => {
    assert.equal(stats.connected, PLAN.idle.clients, `${stats.connected} of ${PLAN.idle.clients} connected within 45 s: ${stats.firstConnectError ?? "too slow"}`);
    assert.equal(stats.deflateNegotiated, PLAN.idle.clients, "permessage-deflate was not negotiated on every connection");
    assert.equal(stats.echoed, PLAN.idle.clients, `${stats.echoed} of ${PLAN.idle.clients} got their echo`);
    const perConnection = (held.rss - base.rss) / stats.idleNow;
    figures.push(`4 idle deflate connections: ${(perConnection / KiB).toFixed(1)} KiB of server RSS per idle connection (npm ws: ~240 KiB)`);
    assert.ok(perConnection < 384 * KiB, `${(perConnection / KiB).toFixed(0)} KiB of server RSS per idle deflate connection`);
  });
});

// ---- last: a trap here would leave this process's wasm instance unusable for anything after ----

test("5 send side: 90 client-role Connections each send one 48 MiB message (sendMessage/sendBinary): no RangeError/RuntimeError, wasm memory bounded", { timeout: 60_000 }, async () => {
  const { peakWasmGrowth } = await inProcess("5 send side", () => sendSide("ws101", { connections: 90, size: 48 * MiB, growthLimit: 1024 * MiB }));
  assert.ok(peakWasmGrowth < 1024 * MiB);
});

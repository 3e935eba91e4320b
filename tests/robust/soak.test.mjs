// Issue 13's soak: examples/node/echo.mjs as a child process on 127.0.0.1 under ~200 concurrent
// permessage-deflate clients for 60 s (WS101_SOAK_SECONDS to change it): message sizes mixed up to
// 4 MiB (text and binary), echo clients checking every echo, slow readers (reading paused for
// seconds while they send), abrupt disconnects mid-message, reconnecting all the time. The server's
// RSS is sampled every second: the last third's maximum must not be much above the first third's
// (memory flat; generous factor), every echo must be right, and a fresh client gets its echo at the end.
//   node --test tests/robust/soak.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { startEcho, fmtMiB, MiB } from "./support/server.mjs";
import { PLAN, soak, echoCheck } from "./support/attacks.mjs";

const seconds = Number(process.env.WS101_SOAK_SECONDS ?? PLAN.soak.durationMs / 1000);

test(`soak: ${PLAN.soak.connections} deflate clients for ${seconds} s (sizes up to ${PLAN.soak.maxSize / MiB} MiB, slow readers, abrupt disconnects): every echo right, RSS flat, still serving`, { timeout: seconds * 1000 + 60_000 }, async () => {
  const server = await startEcho();
  try {
    const samples = [];
    const stats = await soak(server.port, {
      ...PLAN.soak,
      durationMs: seconds * 1000,
      onTick: () => {
        const m = server.memory();
        if (m) samples.push(m.rss);
      },
    });
    assert.ok(server.alive(), `the server died during the soak: ${server.describe()}`);
    const echo = await echoCheck(server.port);
    assert.ok(echo.ok, `a fresh client got no echo after the soak: ${echo.error}`);
    const third = Math.max(1, Math.floor(samples.length / 3));
    const first = Math.max(...samples.slice(0, third));
    const last = Math.max(...samples.slice(-third));
    console.log(`# soak: ${JSON.stringify(stats)}`);
    console.log(`# soak RSS (MiB, every second): ${samples.map((s) => Math.round(s / MiB)).join(" ")}`);
    console.log(`# soak RSS max: first third ${fmtMiB(first)}, last third ${fmtMiB(last)}`);
    assert.equal(stats.mismatches, 0, `${stats.mismatches} echoes differ: ${stats.firstProblem}`);
    assert.equal(stats.unexpectedCloses, 0, `${stats.unexpectedCloses} unexpected closes: ${stats.firstProblem}`);
    assert.equal(stats.connectErrors, 0, `${stats.connectErrors} handshakes failed`);
    assert.ok(stats.messages >= seconds * 20, `only ${stats.messages} messages echoed in ${seconds} s`);
    assert.ok(stats.slowSessions > 0 && stats.terminated > 0, "slow readers and abrupt disconnects both happened");
    assert.ok(last <= first * 1.5 + 64 * MiB, `server RSS grew: max ${fmtMiB(first)} in the first third, ${fmtMiB(last)} in the last`);
  } finally {
    await server.stop();
  }
});

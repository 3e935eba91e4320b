// `ws101 probe URL --every T` (watch mode) run as a child process against a `ws` server that the
// test takes down midway: one JSON object per line into a pipe, compact lines on a real terminal
// (a pty from util-linux `script`, where Ctrl-C is the byte 0x03 and the line discipline sends
// SIGINT), the state change called out, and a summary on SIGINT.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import { WebSocketServer as WSServer } from "ws";
import { cli, root } from "./helpers.mjs";

async function wsServer() {
  const server = http.createServer();
  const wss = new WSServer({ server });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `ws://127.0.0.1:${server.address().port}/`,
    async stop() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Spawns `command`; `until(re)` waits for the output to match (the test's own timeout bounds it). */
function run(command, args, env = {}) {
  const child = spawn(command, args, { cwd: root, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  let output = "";
  const waiters = new Set();
  const onData = (d) => { output += d; for (const w of waiters) w(); };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    output: () => output,
    until: (predicate) => new Promise((resolve, reject) => {
      const check = () => { const v = predicate(output); if (v) { waiters.delete(check); resolve(v); } };
      waiters.add(check);
      exited.then(() => { check(); if (waiters.has(check)) reject(new Error(`exited before the expected output:\n${output}`)); });
      check();
    }),
  };
}

const jsonLines = (text) => text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));

test("into a pipe: one JSON object per run, the change up → down called out, SIGINT prints a summary (exit 1)", async () => {
  const srv = await wsServer();
  const p = run(process.execPath, [cli, "probe", srv.url, "--every", "100ms", "--ping", "1", "--timeout", "2s"]);
  try {
    await p.until((o) => jsonLines(o).filter((l) => l.type === "run" && l.ok).length >= 2);
    await srv.stop();
    const down = await p.until((o) => jsonLines(o).find((l) => l.type === "run" && !l.ok));
    assert.deepEqual({ from: down.change.from, to: down.change.to }, { from: "up", to: "down" });
    assert.equal(down.error.code, "ECONNREFUSED");
    assert.equal(down.exitCode, 2);
    p.child.kill("SIGINT");
    const { code } = await p.exited;
    const lines = jsonLines(p.output());
    for (const l of lines) assert.ok(l.type === "run" || l.type === "summary");
    const runs = lines.filter((l) => l.type === "run");
    assert.deepEqual(runs.map((l) => l.run), runs.map((_, i) => i + 1));
    const summary = lines.at(-1);
    assert.equal(summary.type, "summary");
    assert.equal(summary.runs, runs.length);
    assert.equal(summary.passed, runs.filter((l) => l.ok).length);
    assert.equal(summary.failed, runs.length - summary.passed);
    assert.equal(summary.stateChanges, 1);
    assert.equal(summary.lastState, "down");
    assert.equal(code, 1);
  } finally {
    p.child.kill("SIGKILL");
    await srv.stop().catch(() => {});
  }
});

test("on a terminal: compact lines, the change called out, Ctrl-C (0x03 on the pty) stops with a summary", async () => {
  const srv = await wsServer();
  // `exec`: no shell stays in the pty's foreground group. A waiting dash (a common $SHELL or /bin/sh)
  // would take the same SIGINT and end with 130, hiding the CLI's own exit code.
  const command = "exec " + [process.execPath, cli, "probe", srv.url, "--every", "150ms", "--ping", "1", "--timeout", "2s"].map((a) => `'${a}'`).join(" ");
  const p = run("script", ["-qfec", command, "/dev/null"], { SHELL: "/bin/sh" });
  try {
    await p.until((o) => (o.match(/^\d\d:\d\d:\d\d {2}PASS {2}[\d.]+ ms {2}101 in [\d.]+ ms {2}ping [\d.]+ ms {2}close 1000\r?$/gm) ?? []).length >= 2);
    assert.match(p.output(), /ws101 probe ws:\/\/127\.0\.0\.1:\d+\/ every 150 ms \(Ctrl-C stops\)/);
    assert.doesNotMatch(p.output(), /^\{/m, "no JSON on a terminal");
    await srv.stop();
    await p.until((o) => /\*\*\* state change: UP → DOWN \(was up for [\d.]+ (ms|s)\)\r?\n\d\d:\d\d:\d\d {2}FAIL .* — ECONNREFUSED: /.test(o));
    p.child.stdin.write("\x03");
    const { code } = await p.exited;
    const summary = /--- ws:\/\/127\.0\.0\.1:\d+\/: (\d+) runs, (\d+) passed, (\d+) failed \(([\d.]+)% available\), 1 state changes, last down/.exec(p.output());
    assert.ok(summary, p.output());
    assert.equal(Number(summary[1]), Number(summary[2]) + Number(summary[3]));
    assert.ok(Number(summary[2]) >= 2 && Number(summary[3]) >= 1);
    assert.match(p.output(), /probe time min [\d.]+ \/ median [\d.]+ \/ max [\d.]+ ms over/);
    assert.equal(code, 1, "a run failed");
  } finally {
    p.child.kill("SIGKILL");
    await srv.stop().catch(() => {});
  }
});

test("every run passed: Ctrl-C exits 0", async () => {
  const srv = await wsServer();
  const p = run(process.execPath, [cli, "probe", srv.url, "--every", "100ms", "--json"]);
  try {
    await p.until((o) => jsonLines(o).filter((l) => l.type === "run").length >= 2);
    p.child.kill("SIGINT");
    const { code } = await p.exited;
    const summary = jsonLines(p.output()).at(-1);
    assert.equal(summary.type, "summary");
    assert.equal(summary.failed, 0);
    assert.equal(summary.availability, 100);
    assert.equal(code, 0);
  } finally {
    p.child.kill("SIGKILL");
    await srv.stop();
  }
});

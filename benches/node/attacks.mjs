// The attacks of issue 13 against the ws101/node echo server (examples/node/echo.mjs) and against
// the same echo server on npm `ws` (tests/robust/support/echo-server.mjs --impl ws: permessage-deflate
// on, maxPayload 64 MiB), on 127.0.0.1 only. For each: did the server survive (process alive and a
// fresh client got its echo), its peak RSS (VmHWM of the server process; the in-process cases: of
// the process running them), and the time. Writes docs/ATTACKS.md.
//
//   node benches/node/attacks.mjs                       # everything, both servers (~6 min on 2 cores)
//   node benches/node/attacks.mjs --only 1,2 --impl ws  # a subset
//   node benches/node/attacks.mjs --soak-seconds 20 --out /tmp/ATTACKS.md
//   node benches/node/attacks.mjs --before /tmp/old/ATTACKS.md   # add a "before" column: the ws101
//     results of a run in an export of an older commit (git archive <commit> | tar -x -C /tmp/old,
//     build it there, run this script there with --commit <commit> --out /tmp/old/ATTACKS.md)
//
// The attacks are the ones tests/robust/attacks.test.mjs and soak.test.mjs run (tests/robust/support/).
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startEcho, sampleMemory, memoryOf, fmtMiB, ROOT, MiB, KiB, sleep } from "../../tests/robust/support/server.mjs";
import { PLAN, compressionBomb, deliveredThenIdle, partialMessages, idleDeflate, pathTargets, echoCheck, soak } from "../../tests/robust/support/attacks.mjs";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    impl: { type: "string", default: "ws101,ws" },
    out: { type: "string", default: path.join(ROOT, "docs/ATTACKS.md") },
    "soak-seconds": { type: "string", default: String(PLAN.soak.durationMs / 1000) },
    // Another ATTACKS.md (e.g. written by this script in an export of an older commit): its ws101
    // results become a "before" column. Kept from the existing file when not given.
    before: { type: "string" },
    // The code under test when it is not this checkout's HEAD (a `git archive` export has no .git).
    commit: { type: "string" },
  },
});
const impls = values.impl.split(",");
const only = values.only ? new Set(values.only.split(",")) : null;
const soakMs = Number(values["soak-seconds"]) * 1000;
const TEST = "node --test --test-concurrency=1 tests/robust/";

const ATTACKS = [
  {
    id: "1",
    title: `Compression bomb: ${PLAN.bomb.clients} connections at once, each one ~64 KiB permessage-deflate message inflating to ${PLAN.bomb.inflated / MiB} MiB`,
    net: (port) => compressionBomb(port, { ...PLAN.bomb, timeoutMs: 90_000 }),
    test: "^1 ",
  },
  {
    id: "2",
    title: `Delivered messages: ${PLAN.delivered.clients} clients (4 at a time) each send ${PLAN.delivered.size / MiB} MiB, read the echo, then idle`,
    net: (port) => deliveredThenIdle(port, { ...PLAN.delivered, timeoutMs: 150_000 }),
    test: "^2 ",
  },
  {
    id: "3",
    title: `Partial messages: ${PLAN.partial.clients} connections each hold a ${PLAN.partial.size / MiB} MiB unfinished message`,
    net: (port) => partialMessages(port, { ...PLAN.partial, timeoutMs: 150_000 }),
    test: "^3 ",
  },
  {
    id: "4",
    title: `Idle deflate connections: ${PLAN.idle.clients.toLocaleString("en")} connections, each sent one compressed ${PLAN.idle.messageSize / KiB} KiB message`,
    net: (port) => idleDeflate(port, { ...PLAN.idle, timeoutMs: 120_000 }),
    perConnection: true,
    test: "^4 ",
  },
  { id: "5", title: "Send side: 90 client-role `Connection`s each send one 48 MiB message (sans-IO, in-process)", scenario: "sendSide", test: "^5 " },
  { id: "6", title: "`close()` in a 'message' listener, message + Close (or + protocol error) in one read; server and client", scenario: "closeInMessageHandler", test: "^6 " },
  {
    id: "7",
    title: "`path: \"/chat\"` and request targets `http://[/chat`, `//evil.example/chat`, `http://evil.example/chat`",
    net: (port) => pathTargets(port),
    path: "/chat",
    test: "^7 ",
  },
  { id: "10", title: "`close(1005)`, `close(1011, 200-byte reason)`, then `close(1000)`; server and client", scenario: "closeRetry", test: "^10 " },
  { id: "11", title: "Client: the server sends Close and keeps TCP open (`closeTimeout: 1000`)", scenario: "serverCloseKeepsTcp", test: "^11 " },
  { id: "13", title: "Wrong-typed arguments to the sans-IO `Connection` (sendText(12345), sendBinary(\"secret\"), ping(12345), sendBinary(42), receive(DataView), receive(Uint16Array))", scenario: "wrongTypes", test: "^13 " },
  {
    id: "soak",
    title: `Soak: ${PLAN.soak.connections} deflate clients for ${soakMs / 1000} s, sizes up to ${PLAN.soak.maxSize / MiB} MiB, slow readers, abrupt disconnects`,
    net: (port, server) => runSoak(port, server),
    test: null,
  },
];

async function runSoak(port, server) {
  const samples = [];
  const stats = await soak(port, { ...PLAN.soak, durationMs: soakMs, onTick: () => { const m = memoryOf(server.pid); if (m) samples.push(m.rss); } });
  const third = Math.max(1, Math.floor(samples.length / 3));
  const first = Math.max(...samples.slice(0, third)), last = Math.max(...samples.slice(-third));
  stats.rssFirstThirdMax = fmtMiB(first);
  stats.rssLastThirdMax = fmtMiB(last);
  stats.flat = last <= first * 1.5 + 64 * MiB;
  return { stats, release: async () => {} };
}

const clip = (text, n) => (text.length > n ? text.slice(0, n - 1) + "…" : text);
/** The line of a dead process's output that names the error ("RuntimeError: unreachable", "Error: recursive use …"). */
const deathLine = (output) => {
  const lines = output.split("\n").map((l) => l.trim());
  const found = lines.find((l) => /^(\w*Error\b|Uncaught|FATAL|Aborted)/.test(l)) ?? lines.find((l) => /(Error|unreachable|out of memory)/.test(l));
  return found?.slice(0, 160) ?? "";
};

async function runNet(attack, impl) {
  const server = await startEcho({ impl, path: attack.path });
  const base = server.memory();
  const sampler = sampleMemory(server.pid, 200);
  const start = performance.now();
  let stats, release, error;
  try {
    ({ stats, release } = await attack.net(server.port, server));
  } catch (err) {
    error = err;
  }
  const ms = performance.now() - start;
  const held = server.memory();
  const echo = server.alive() ? await echoCheck(server.port, { path: attack.path ?? "/" }) : { ok: false, error: "server process gone" };
  await release?.();
  sampler.stop();
  const end = server.memory();
  const peak = Math.max(sampler.max, end?.hwm ?? 0);
  const alive = server.alive();
  await server.stop();
  const out = { impl, alive, echo: echo.ok, peak, ms, stats, error: error?.message };
  if (attack.perConnection && held && stats?.idleNow) out.perConnection = (held.rss - base.rss) / stats.idleNow;
  if (attack.id === "7" && stats) out.accepted = stats.results.filter((r) => r.target !== attack.path && r.status === 101).map((r) => r.target);
  if (attack.id === "soak" && stats) out.flat = stats.flat && stats.mismatches === 0;
  // Alive and echoing, but connections closed with 1011 (a trap, contained) or echoes missing: degraded.
  const degraded = [];
  if (stats?.closeCodes?.[1011]) degraded.push(`${stats.closeCodes[1011]} of ${stats.connected} attack connections closed with 1011`);
  if (stats?.connected !== undefined && stats.connected < (stats.clients ?? 0)) degraded.push(`${stats.connected} of ${stats.clients} connected`);
  if (attack.id === "2" && stats && stats.echoed < stats.clients) degraded.push(`${stats.echoed} of ${stats.clients} echoes`);
  if (attack.id === "4" && stats && stats.echoed < PLAN.idle.clients) degraded.push(`${stats.echoed} of ${PLAN.idle.clients} served in time`);
  out.survived = alive && echo.ok && !(out.accepted?.length) && out.flat !== false && degraded.length === 0;
  if (!alive) out.death = `process died (${server.exit()?.signal ?? `exit ${server.exit()?.code}`}): ${deathLine(server.output())}`;
  else if (!echo.ok) out.death = `alive, but no echo: ${echo.error}`;
  else if (degraded.length) out.death = `alive and echoing, but ${degraded.join(", ")}`;
  return out;
}

async function runScenario(attack, impl) {
  const start = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, "tests/robust/support/run-scenario.mjs"), attack.scenario, impl], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const sampler = sampleMemory(child.pid, 100, { immediate: false });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
  const [code, signal] = await new Promise((r) => child.on("exit", (c, s) => r([c, s])));
  clearTimeout(timer);
  sampler.stop();
  const ms = performance.now() - start;
  const line = output.split("\n").find((l) => l.startsWith("{"));
  const result = line ? JSON.parse(line) : null;
  const peak = result?.maxRss ?? sampler.max; // the child's own getrusage peak when it lived to report it
  const out = { impl, ms, peak, stats: result, survived: code === 0 };
  if (result?.skipped) out.skipped = result.skipped;
  if (code === 3 && result) out.death = `alive, wrong: ${clip(result.problems.join("; "), 240)}`;
  else if (code !== 0) out.death = `process died (${signal ?? `exit ${code}`}): ${deathLine(output)}`;
  return out;
}

function cell(r) {
  if (!r) return "not run";
  if (r.skipped) return `n/a (${r.skipped})`;
  const figures = [`peak RSS ${fmtMiB(r.peak)}`, `${(r.ms / 1000).toFixed(1)} s`];
  if (r.perConnection !== undefined) figures.push(`${(r.perConnection / KiB).toFixed(0)} KiB RSS per idle connection`);
  if (r.stats?.ms !== undefined && r.stats?.peakWasmGrowth) figures.push(`wasm +${fmtMiB(r.stats.peakWasmGrowth)}`);
  if (r.stats?.rssFirstThirdMax) figures.push(`RSS max first third ${r.stats.rssFirstThirdMax}, last third ${r.stats.rssLastThirdMax}`);
  if (r.stats?.connected !== undefined) figures.push(`${r.stats.echoed}/${r.stats.connected} echoed${Object.keys(r.stats.closeCodes ?? {}).length ? `, server closes ${JSON.stringify(r.stats.closeCodes)}` : ""}`);
  if (r.stats?.results) figures.push(r.stats.results.map((x) => `\`${x.target}\` → ${x.status || "no answer"}`).join(", "));
  const verdict = r.survived ? "**survived**" : `**FAILED** — ${r.death ?? (r.accepted?.length ? `accepted ${r.accepted.join(", ")}` : r.flat === false ? "memory not flat or echoes wrong" : "?")}`;
  return `${verdict}; ${figures.join("; ")}`.replace(/\|/g, "\\|");
}

const commit = values.commit ?? (() => {
  try { return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString().trim(); } catch { return "?"; }
})();
const dirty = values.commit ? "" : (() => {
  try { return execFileSync("git", ["status", "--porcelain", "--", "src", "js", "examples"], { cwd: ROOT }).toString().trim() ? "+dirty" : ""; } catch { return ""; }
})();

/** The raw figures of an ATTACKS.md: { id: { impl: result } } (impl "before" for the before column). */
function readRaw(file) {
  const out = {};
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^(\S+) (ws101|ws|before): (\{.*\})$/.exec(line);
    if (!m) continue;
    try {
      (out[m[1]] ??= {})[m[2]] = JSON.parse(m[3]);
    } catch {}
  }
  return out;
}
// With --only, rows of the other attacks are kept from the existing file (its raw figures).
const existing = readRaw(values.out);
const results = {};
if (only) for (const [id, byImpl] of Object.entries(existing)) if (!only.has(id)) results[id] = { ...byImpl };
const beforeSource = values.before ? readRaw(values.before) : existing;
for (const [id, byImpl] of Object.entries(beforeSource)) {
  const b = values.before ? byImpl.ws101 : byImpl.before;
  if (b) (results[id] ??= {}).before = b;
}
const date = new Date().toISOString().slice(0, 16).replace("T", " ");
for (const attack of ATTACKS) {
  if (only && !only.has(attack.id)) continue;
  results[attack.id] ??= {};
  for (const impl of impls) {
    process.stdout.write(`${attack.id} ${impl}: `);
    const r = attack.scenario ? await runScenario(attack, impl) : await runNet(attack, impl);
    r.run = `${date} UTC, ${commit}${dirty}`;
    results[attack.id][impl] = r;
    console.log(cell(r));
    console.log(`    ${JSON.stringify(r.stats ?? {}).slice(0, 400)}`);
    await sleep(500);
  }
}

const wsVersion = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/ws/package.json"), "utf8")).version;
const lines = [
  "# ws101/node vs `ws` under the attacks of issue 13",
  "",
  `Written by \`node benches/node/attacks.mjs\` (rows kept across runs with \`--only\`; each row's date and commit are in the raw figures below). ` +
    `ws101 "now" ran on ${[...new Set(Object.values(results).map((r) => r.ws101?.run?.split(", ")[1]).filter(Boolean))].join(", ")}; ` +
    `Node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, npm ws ${wsVersion}.`,
  "Times were taken on a shared machine (other builds and tests running): compare ws101 with ws within a row, not across runs.",
  "Servers: `examples/node/echo.mjs` (ws101) and `tests/robust/support/echo-server.mjs --impl ws` (the same contract on npm `ws`:",
  "permessage-deflate on, maxPayload 64 MiB), each a child process on 127.0.0.1. **Survived** = the process is alive and a fresh",
  "client got its echo (text and binary) while the attack's connections were still held. Peak RSS is the server process's",
  "VmHWM (cases 5, 6, 10, 11, 13 run in-process: the RSS of the process running them). The tests asserting these are",
  `in \`tests/robust/\` (\`${TEST}\`).`,
  "",
];
const beforeRun = Object.values(results).find((r) => r.before)?.before?.run;
if (beforeRun) {
  lines.push(`The "before" column is ws101 at ${beforeRun.split(", ")[1]} (the code issue 13 was filed against), run by this script the same way on ${beforeRun.split(", ")[0]}.`, "");
  lines.push(`| # | attack | ws101 before | ws101 now | ws ${wsVersion} | commands |`, "|---|---|---|---|---|---|");
} else {
  lines.push(`| # | attack | ws101 | ws ${wsVersion} | commands |`, "|---|---|---|---|---|");
}
for (const attack of ATTACKS) {
  if (!results[attack.id]) continue;
  const command = attack.test ? `node --test --test-name-pattern="${attack.test}" tests/robust/attacks.test.mjs` : "node --test tests/robust/soak.test.mjs";
  lines.push(`| ${attack.id} | ${attack.title.replace(/\|/g, "\\|")} | ${beforeRun ? cell(results[attack.id].before) + " | " : ""}${cell(results[attack.id].ws101)} | ${cell(results[attack.id].ws)} | \`${command}\`; bench: \`node benches/node/attacks.mjs --only ${attack.id}\` |`);
}
lines.push("", "Items 8, 9 and 12 of the issue are covered by other tests (tests/robust/no-trap.test.mjs, the server options tests, tests/cli/).", "");
lines.push("Raw figures:", "", "```");
for (const attack of ATTACKS) for (const [impl, r] of Object.entries(results[attack.id] ?? {})) lines.push(`${attack.id} ${impl}: ${JSON.stringify({ ...r, ms: Math.round(r.ms) })}`);
lines.push("```", "");
fs.mkdirSync(path.dirname(values.out), { recursive: true });
fs.writeFileSync(values.out, lines.join("\n"));
console.log(`wrote ${path.relative(process.cwd(), values.out)}`);

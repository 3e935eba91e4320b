// Runs the conformance table against every target and writes docs/CONFORMANCE.md.
//   node tests/conformance/report.mjs            (after `make build`)
// Also a library for conformance.test.mjs: the targets, the run, the summaries, the report.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as ws101 from "ws101";
import { WebSocketServer as WSServer } from "ws";
import { cases, groups, groupNames } from "./cases.mjs";
import { runCase, runTable, tcpTarget, connectionTarget, summarize } from "./run.mjs";
import { freePort, start } from "../support/process.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const COMMAND = "node --test tests/conformance/   (or: node tests/conformance/report.mjs)";

/**
 * (a) examples/node/echo.mjs as a child process. Cases run one at a time so that a crash of the
 * server process is charged to the case that caused it (then the server is restarted).
 */
export async function echoServerTarget() {
  const port = await freePort();
  let proc;
  const boot = async () => {
    proc = start(process.execPath, ["examples/node/echo.mjs"], { cwd: root, env: { ...process.env, PORT: String(port) } });
    const deadline = Date.now() + 15000;
    while (!proc.output().includes(`listening on http://127.0.0.1:${port}`)) {
      if (Date.now() > deadline) throw new Error(`echo server did not start:\n${proc.output()}`);
      if (proc.child.exitCode !== null) throw new Error(`echo server exited:\n${proc.output()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await boot();
  const tcp = tcpTarget(port, "127.0.0.1", "ws101 echo server");
  const crashes = [];
  return {
    name: "ws101 server",
    title: "ws101 Node echo server (examples/node/echo.mjs, child process)",
    crashes,
    async run(list, onResult) {
      const results = [];
      for (const c of list) {
        const r = await runCase(tcp, c);
        await new Promise((res) => setTimeout(res, 5));
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
          const error = proc.output().split("\n").find((l) => /Error/.test(l)) ?? proc.output().slice(-200);
          r.verdict = "fail";
          r.problems = [`the echo server process crashed: ${error.trim()}`, ...r.problems];
          crashes.push({ id: c.id, error: error.trim(), output: proc.output() });
          await boot();
        }
        results.push(r);
        onResult?.(r);
      }
      return results;
    },
    stop: () => proc.stop(),
  };
}

/** (b) ws101's sans-IO Connection in process (no sockets). */
export function inProcessTarget() {
  const target = connectionTarget(ws101);
  return {
    name: "ws101 Connection",
    title: "ws101 Connection in process (receive/takeOutput, no sockets)",
    run: (list, onResult) => runTable(target, list, { concurrency: 4, onResult }),
    stop: async () => {},
  };
}

/** (c) the control: an echo server built on `ws` with perMessageDeflate, in process. */
export async function wsControlTarget() {
  const port = await freePort();
  const wss = new WSServer({
    host: "127.0.0.1", port, perMessageDeflate: true, maxPayload: 64 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has("echo") ? "echo" : false),
  });
  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on("error", () => {});
  });
  await new Promise((r) => wss.once("listening", r));
  const target = tcpTarget(port, "127.0.0.1", "ws control");
  return {
    name: "ws (control)",
    title: `ws ${wsVersion} echo server, perMessageDeflate on (control: reported, not asserted)`,
    run: (list, onResult) => runTable(target, list, { concurrency: 4, onResult }),
    stop: () => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }),
  };
}

const wsVersion = JSON.parse(readFileSync(new URL("../../node_modules/ws/package.json", import.meta.url), "utf8")).version;

/** `group: N passed, M failed` lines (passed includes non-strict). */
export function groupLines(results) {
  return summarize(results).map((g) => `${g.group} ${groupNames[g.group] ?? ""}: ${g.pass + g.nonStrict} passed, ${g.fail} failed${g.nonStrict ? ` (${g.nonStrict} non-strict)` : ""}`);
}

const esc = (s) => String(s).replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Writes docs/CONFORMANCE.md from `[{ target, results, ms }]`. */
export function writeReport(runs, path = `${root}docs/CONFORMANCE.md`) {
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const out = [];
  out.push("# Conformance: Autobahn|Testsuite case groups as ws101's own table", "");
  out.push(`Generated ${date} by \`${COMMAND}\` (Node ${process.version}).`, "");
  out.push("Autobahn|Testsuite needs Python 2, so its case groups are re-expressed as data in");
  out.push("`tests/conformance/cases.mjs` (Autobahn's ids; ids starting with `w` are ws101's additions) and played by");
  out.push("`tests/conformance/run.mjs`, a raw-socket client that masks every frame with a random key, compresses with");
  out.push("zlib where a case says so, and judges like Autobahn: **pass** (exactly as expected), **non-strict** (an");
  out.push("acceptable alternative, e.g. a SHOULD not followed), **fail**. The ws101 targets must have no failure;");
  out.push("the `ws` control is reported, not asserted.", "");
  out.push("## Per group", "");
  out.push(`| group | cases | ${runs.map((r) => esc(r.target.name)).join(" | ")} |`);
  out.push(`|---|---:|${runs.map(() => "---|").join("")}`);
  for (const g of groups) {
    const n = cases.filter((c) => c.group === g).length;
    const cells = runs.map(({ results }) => {
      const s = summarize(results).find((x) => x.group === g);
      if (!s) return "—";
      return `${s.pass} pass${s.nonStrict ? `, ${s.nonStrict} non-strict` : ""}${s.fail ? `, **${s.fail} fail**` : ""}`;
    });
    out.push(`| ${g} ${groupNames[g] ?? ""} | ${n} | ${cells.join(" | ")} |`);
  }
  const totals = runs.map(({ results }) => {
    const p = results.filter((r) => r.verdict === "pass").length, ns = results.filter((r) => r.verdict === "non-strict").length;
    const f = results.filter((r) => r.verdict === "fail").length;
    return `${p} pass, ${ns} non-strict, ${f} fail`;
  });
  out.push(`| **total** | ${cases.length} | ${totals.join(" | ")} |`, "");
  out.push("Targets:", "");
  for (const { target, ms } of runs) out.push(`- **${target.name}**: ${target.title} — ${(ms / 1000).toFixed(1)} s`);
  out.push("");
  out.push("## Every case that was not a plain pass", "");
  out.push("| case | description | target | verdict | why |", "|---|---|---|---|---|");
  for (const c of cases) {
    for (const { target, results } of runs) {
      const r = results.find((x) => x.id === c.id);
      if (!r || r.verdict === "pass") continue;
      const why = r.verdict === "fail" ? r.problems.join("; ") : r.notes[0];
      out.push(`| ${c.id} | ${esc(c.description)} | ${esc(target.name)} | ${r.verdict} | ${esc(why)} |`);
    }
  }
  out.push("");
  out.push("## All cases", "");
  out.push(`| case | group | description | ${runs.map((r) => esc(r.target.name)).join(" | ")} |`);
  out.push(`|---|---|---|${runs.map(() => "---|").join("")}`);
  for (const c of cases) {
    const cells = runs.map(({ results }) => results.find((x) => x.id === c.id)?.verdict ?? "—");
    out.push(`| ${c.id} | ${c.group} | ${esc(c.description)} | ${cells.join(" | ")} |`);
  }
  out.push("");
  writeFileSync(path, out.join("\n"));
  return path;
}

/** Runs every target (or those named) and returns `[{ target, results, ms }]`. */
export async function runAll(makers = [echoServerTarget, inProcessTarget, wsControlTarget], log = console.log) {
  const runs = [];
  for (const make of makers) {
    const target = await make();
    const t0 = Date.now();
    try {
      const results = await target.run(cases);
      runs.push({ target, results, ms: Date.now() - t0 });
      log(`::: ${target.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      for (const line of groupLines(results)) log(`  ${line}`);
    } finally {
      await target.stop();
    }
  }
  return runs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const runs = await runAll();
  console.log(`wrote ${writeReport(runs)}`);
  const failed = runs.slice(0, 2).flatMap(({ target, results }) => results.filter((r) => r.verdict === "fail").map((r) => `${target.name} ${r.id}: ${r.problems.join("; ")}`));
  for (const f of failed) console.log(`FAIL ${f}`);
  process.exitCode = failed.length ? 1 : 0;
}

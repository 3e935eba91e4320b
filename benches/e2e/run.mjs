// End-to-end echo benchmark: each server pinned to CPU 0 (`taskset -c 0`), the native load
// generator (benches/loadgen, Rust) pinned to CPU 1, one server process per case. Prints a
// markdown table of echoes/s and ratios to `ws`+bufferutil from the same run; `--json FILE`
// writes the figures. A peer that is missing (no Bun, no ws) is skipped with a note.
//   node benches/e2e/run.mjs [--secs 3] [--warmup 1] [--runs 1] [--filter TEXT] [--servers ws101,ws-bufferutil,...]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values } = parseArgs({
  options: {
    secs: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
    runs: { type: "string", default: "1" },
    filter: { type: "string" },
    servers: { type: "string" },
    json: { type: "string" },
  },
});
const loadgen = join(root, "benches/loadgen/target/release/ws101-loadgen");
const pin = (cpu, argv) => (spawnSync("taskset", ["-c", String(cpu), "true"]).status === 0 ? ["taskset", "-c", String(cpu), ...argv] : argv);

const bunCandidates = [join(root, "node_modules/@oven/bun-linux-x64/bin/bun"), join(root, "node_modules/.bin/bun")];
const bun = bunCandidates.find((p) => existsSync(p) && spawnSync(p, ["--version"]).status === 0);
const hasWs = existsSync(join(root, "node_modules/ws/package.json"));
const hasBufferutil = existsSync(join(root, "node_modules/bufferutil/package.json"));

const SERVERS = [
  { id: "ws101", label: "ws101/node (examples/node/echo.mjs)", argv: [process.execPath, join(root, "examples/node/echo.mjs")], env: {}, ok: existsSync(join(root, "node_modules/ws101/node.mjs")) || "pkg/ not built" },
  { id: "ws-pure", label: "`ws` pure JS", argv: [process.execPath, join(root, "benches/e2e/ws-echo.mjs")], env: { WS_NO_BUFFER_UTIL: "1", WS_NO_UTF_8_VALIDATE: "1" }, ok: hasWs || "npm ws missing" },
  { id: "ws-bufferutil", label: "`ws`+bufferutil", argv: [process.execPath, join(root, "benches/e2e/ws-echo.mjs")], env: {}, ok: (hasWs && hasBufferutil) || "npm ws or bufferutil missing" },
  { id: "bun", label: "Bun built-in", argv: bun ? [bun, join(root, "benches/e2e/bun-echo.mjs")] : [], env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0", DO_NOT_TRACK: "1" }, ok: !!bun || "Bun missing (npm bun)" },
];
const CASES = [
  { name: "200 conns × 1 in flight, 125 B binary", conns: 200, inflight: 1, size: 125 },
  { name: "50 conns × 32 in flight, 125 B binary", conns: 50, inflight: 32, size: 125 },
  { name: "50 conns × 32 in flight, 125 B text", conns: 50, inflight: 32, size: 125, text: true },
  { name: "20 conns × 8 in flight, 16 KiB binary", conns: 20, inflight: 8, size: 16 * 1024 },
  { name: "20 conns × 8 in flight, 16 KiB text", conns: 20, inflight: 8, size: 16 * 1024, text: true },
  { name: "4 conns × 2 in flight, 1 MiB binary", conns: 4, inflight: 2, size: 1024 * 1024 },
  { name: "4 conns × 1 in flight, 16 MiB binary", conns: 4, inflight: 1, size: 16 * 1024 * 1024 },
];

const servers = SERVERS.filter((s) => !values.servers || values.servers.split(",").includes(s.id));
const cases = CASES.filter((c) => !values.filter || c.name.includes(values.filter));
const notes = [];
for (const s of servers) if (s.ok !== true) notes.push(`${s.label} skipped: ${s.ok}`);
if (!existsSync(loadgen)) {
  console.log(`(end-to-end benchmark skipped: ${loadgen} is not built; \`cargo build --release --manifest-path benches/loadgen/Cargo.toml\`)`);
  process.exit(0);
}

let port = 18600 + (process.pid % 200) * 5;
function waitPort(p, ms = 15000) {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = createConnection({ host: "127.0.0.1", port: p }, () => {
        sock.destroy();
        resolve();
      });
      sock.on("error", () => {
        sock.destroy();
        if (Date.now() > end) reject(new Error(`nothing listens on ${p}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

async function runCase(server, c) {
  const p = port++;
  const [cmd, ...args] = pin(0, server.argv);
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...server.env, PORT: String(p) }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d).length > 4000 && (stderr = stderr.slice(-4000)));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  try {
    await waitPort(p);
    const gen = pin(1, [loadgen, "--port", String(p), "--conns", String(c.conns), "--inflight", String(c.inflight), "--size", String(c.size), "--warmup", values.warmup, "--secs", values.secs, ...(c.text ? ["--text"] : [])]);
    const out = await new Promise((resolve) => {
      const g = spawn(gen[0], gen.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
      let o = "";
      let e = "";
      g.stdout.on("data", (d) => (o += d));
      g.stderr.on("data", (d) => (e += d));
      g.on("exit", (code) => resolve({ code, o, e }));
    });
    if (out.code !== 0) throw new Error(`load generator failed (${out.code}): ${out.e.trim().split("\n").slice(-3).join(" / ")}`);
    return JSON.parse(out.o.trim().split("\n").pop());
  } finally {
    child.kill("SIGKILL");
    await exited;
    if (stderr.trim()) notes.push(`${server.label}, ${c.name}: server stderr: ${stderr.trim().split("\n").slice(-2).join(" / ").slice(0, 300)}`);
  }
}

const results = {}; // case → server id → [rates]
const runs = Number(values.runs);
for (let r = 0; r < runs; r++) {
  for (const c of cases) {
    for (const s of servers) {
      if (s.ok !== true) continue;
      let rate = null;
      try {
        rate = (await runCase(s, c)).rate;
      } catch (e) {
        notes.push(`${s.label}, ${c.name}: ${e.message}`);
      }
      ((results[c.name] ??= {})[s.id] ??= []).push(rate);
      process.stderr.write(`  e2e ${c.name} · ${s.id}: ${rate === null ? "failed" : `${Math.round(rate)} echoes/s`}\n`);
    }
  }
}

const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)} k` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0));
const range = (xs) => {
  const v = xs.filter((x) => x !== null && Number.isFinite(x));
  if (v.length === 0) return null;
  return [Math.min(...v), Math.max(...v)];
};
const span = (lo, hi, f) => (Math.abs(hi - lo) / Math.max(hi, 1e-9) < 0.005 ? f(lo) : `${f(lo)}-${f(hi)}`);
const shown = servers.filter((s) => s.ok === true);
const header = ["| case |", ...shown.map((s) => ` ${s.label} |`)].join("");
const rule = ["|---|", ...shown.map(() => "--:|")].join("");
const lines = [header, rule];
for (const c of cases) {
  const row = [`| ${c.name} |`];
  const anchors = results[c.name]?.["ws-bufferutil"] ?? [];
  for (const s of shown) {
    const rates = results[c.name]?.[s.id] ?? [];
    const rr = range(rates);
    if (!rr) {
      row.push(" failed |");
      continue;
    }
    // ratio per run (same run, same anchor), then the range over runs
    const ratios = rates.map((x, i) => (x !== null && anchors[i] ? x / anchors[i] : null));
    const q = range(ratios);
    const mb = (rr[1] * c.size) / 1e6;
    const ratio = q ? (s.id === "ws-bufferutil" ? "1.00×" : span(q[0], q[1], (x) => `${x.toFixed(2)}×`)) : "";
    row.push(` ${ratio}${ratio ? " · " : ""}${span(rr[0], rr[1], fmt)}/s${c.size >= 16384 ? ` (${mb >= 1000 ? (mb / 1000).toFixed(1) + " GB" : Math.round(mb) + " MB"}/s)` : ""} |`);
  }
  lines.push(row.join(""));
}
console.log(lines.join("\n"));
if (notes.length) console.log("\n" + notes.map((n) => `- ${n}`).join("\n"));
if (values.json) writeFileSync(values.json, JSON.stringify({ cases, results, notes }, null, 2));

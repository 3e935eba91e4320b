#!/usr/bin/env node
// Cold start of `import "ws101"` (and `import "ws101/handshake"`) in Node: each run is a fresh
// process, so nothing is cached between runs. Prints a markdown table of medians.
//
//   node benches/node/startup.mjs [--runs N] [--json FILE]
//
// Per entry and run, one child measures the whole `await import(entry)` (performance.now()
// around it) and then the first `validateRequest` right after it (the worst case for the entry,
// which compiles the .wasm in the background: a call before that finished compiles synchronously),
// and a second child takes the entry's steps apart:
//   read      readFileSync of the .wasm (at import)
//   compile   new WebAssembly.Module(bytes) (in the background since 2026-11-30, not in the import)
//   instantiate  the glue's initSync({ module }) (likewise)
//   modules   the rest of the import: resolving, reading and evaluating the JS modules (whole − read)
// Both children start after Node itself has booted and its ESM loader is up (the times exclude
// Node's own start-up, which every program pays).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const RUNS = Number(opt("--runs", "15"));
const JSON_OUT = opt("--json", null);
const require = createRequire(import.meta.url);
const pkgDir = dirname(realpathSync(require.resolve("ws101/package.json")));
const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));

/** Entries measured: the package's main entry, and the handshake-only entry when it exists. */
const ENTRIES = [{ name: "ws101", wasm: "ws101_bg.wasm", glue: "ws101.js" }];
if (manifest.exports?.["./handshake"]) ENTRIES.push({ name: "ws101/handshake", wasm: "handshake/ws101_bg.wasm", glue: "handshake/ws101.js" });

// The ESM loader is warmed first with an empty file module (a program that imports ws101 is itself
// a module: its loader is up before the import runs).
const WHOLE = `
await import(process.env.WS101_STARTUP_WARM);
const t0 = performance.now();
const api = await import(process.argv[1]);
const whole = performance.now() - t0;
api.validateRequest({ method: "GET", url: "/", headers: { host: "h", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" } });
process.stdout.write(JSON.stringify({ whole, first: performance.now() - t0 }));
`;
const PARTS = `
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [wasmPath, gluePath] = process.argv.slice(1);
await import(process.env.WS101_STARTUP_WARM);
let t = performance.now();
const bytes = readFileSync(wasmPath);
const read = performance.now() - t;
t = performance.now();
const module = new WebAssembly.Module(bytes);
const compile = performance.now() - t;
const glue = await import(pathToFileURL(gluePath).href);
t = performance.now();
glue.initSync({ module });
const instantiate = performance.now() - t;
process.stdout.write(JSON.stringify({ read, compile, instantiate }));
`;

const warm = join(mkdtempSync(join(tmpdir(), "ws101-startup-")), "empty.mjs");
writeFileSync(warm, "export {};\n");

function child(code, args) {
  const env = { ...process.env, WS101_STARTUP_WARM: pathToFileURL(warm).href };
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code, ...args], { encoding: "utf8", env });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const results = [];
for (const entry of ENTRIES) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const { whole, first } = child(WHOLE, [entry.name]);
    const parts = child(PARTS, [join(pkgDir, entry.wasm), join(pkgDir, entry.glue)]);
    runs.push({ whole, first, ...parts });
  }
  const wasm = readFileSync(join(pkgDir, entry.wasm));
  const m = (k) => median(runs.map((r) => r[k]));
  const row = {
    entry: entry.name,
    wasmRaw: wasm.length,
    wasmGzip: gzipSync(wasm, { level: 9 }).length,
    whole: m("whole"),
    first: m("first"),
    read: m("read"),
    compile: m("compile"),
    instantiate: m("instantiate"),
  };
  row.modules = Math.max(0, row.whole - row.read);
  results.push(row);
}

rmSync(dirname(warm), { recursive: true, force: true });

const ms = (x) => x.toFixed(2);
console.log(`Median of ${RUNS} fresh processes each (Node ${process.version}); ms.\n`);
console.log("| entry | .wasm raw / gzip (zlib level 9) | `import` whole | JS modules | read .wasm | import + first `validateRequest` | compile (background) | instantiate (background) |");
console.log("|---|--:|--:|--:|--:|--:|--:|--:|");
for (const r of results) {
  console.log(`| \`${r.entry}\` | ${r.wasmRaw.toLocaleString("en-US")} / ${r.wasmGzip.toLocaleString("en-US")} B | **${ms(r.whole)}** | ${ms(r.modules)} | ${ms(r.read)} | ${ms(r.first)} | ${ms(r.compile)} | ${ms(r.instantiate)} |`);
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ node: process.version, runs: RUNS, results }, null, 2) + "\n");

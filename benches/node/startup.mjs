#!/usr/bin/env node
// Cold start of `import "ws101"` (and `import "ws101/handshake"`, `import "ws101/node"`) in Node:
// each run is a fresh process, so nothing is cached between runs. Prints a markdown table of medians
// (and of the whole import's lower quartile: on a shared machine other jobs only add time).
//
//   node benches/node/startup.mjs [--runs N] [--json FILE] [--pkg DIR [--pkg DIR2 …]] [--entry NAME …]
//
// --pkg measures the package built in DIR (default: the `ws101` this repository resolves, pkg/);
// given twice or more, the packages take turns run by run (A B A B …), so that a before/after
// comparison sees the same machine load.
//
// Per entry and run, one child measures the whole `await import(entry)` (performance.now()
// around it) and then the first `validateRequest` right after it (the worst case for the entry,
// which compiles the .wasm in the background: a call before that finished compiles synchronously),
// and a second child takes the entry's steps apart:
//   read      readFileSync of the .wasm (in the background since 2026-11-30 23:10 UTC; a call
//             made before it finished reads synchronously)
//   compile   new WebAssembly.Module(bytes) (in the background since 2026-11-30, not in the import)
//   instantiate  the glue's initSync({ module }) (likewise)
// Both children start after Node itself has booted and its ESM loader is up (the times exclude
// Node's own start-up, which every program pays). A third child, in the same turns, imports an
// empty ESM package by name the same way (package.json with an `exports` map, one file `export
// {}`): the floor any package pays on this machine at that moment (resolving a bare name the first
// time runs parts of Node's loader for the first time), printed as the first row.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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
const pkgDirs = argv.flatMap((a, i) => (a === "--pkg" ? [realpathSync(argv[i + 1])] : []));
if (pkgDirs.length === 0) pkgDirs.push(dirname(realpathSync(require.resolve("ws101/package.json"))));
const manifest = JSON.parse(readFileSync(join(pkgDirs[0], "package.json"), "utf8"));

/**
 * Entries measured: the package's main entry, the handshake-only entry when it exists, and the
 * `ws` replacement ws101/node (whose first call is ws101's `validateRequest`: its import loads ws101).
 */
const ENTRIES = [{ name: "ws101", wasm: "ws101_bg.wasm", glue: "ws101.js" }];
if (manifest.exports?.["./handshake"]) ENTRIES.push({ name: "ws101/handshake", wasm: "handshake/ws101_bg.wasm", glue: "handshake/ws101.js" });
if (manifest.exports?.["./node"]) ENTRIES.push({ name: "ws101/node", wasm: "ws101_bg.wasm", glue: "ws101.js", api: "ws101" });
/** --entry NAME (repeatable) measures only those entries. */
const only = argv.flatMap((a, i) => (a === "--entry" ? [argv[i + 1]] : []));
if (only.length > 0) ENTRIES.splice(0, ENTRIES.length, ...ENTRIES.filter((e) => only.includes(e.name)));

// The ESM loader is warmed first with an empty file module (a program that imports ws101 is itself
// a module: its loader is up before the import runs).
const WHOLE = `
await import(process.env.WS101_STARTUP_WARM);
const t0 = performance.now();
let api = await import(process.argv[1]);
const whole = performance.now() - t0;
if (process.argv[2]) api = await import(process.argv[2]);
api.validateRequest({ method: "GET", url: "/", headers: { host: "h", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" } });
process.stdout.write(JSON.stringify({ whole, first: performance.now() - t0 }));
`;
// (the time is taken before \`process.stdout\` is touched: its getter builds the stream, ~1.5 ms)
const WHOLE_ONLY = `
await import(process.env.WS101_STARTUP_WARM);
const t0 = performance.now();
await import(process.argv[1]);
const whole = performance.now() - t0;
process.stdout.write(JSON.stringify({ whole }));
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

const scratch = mkdtempSync(join(tmpdir(), "ws101-startup-"));
const warm = join(scratch, "empty.mjs");
writeFileSync(warm, "export {};\n");
// One working directory per package, whose node_modules/ws101 is that package: the children import
// "ws101" by name from there (the `exports` map and its conditions apply as for a user).
const floorCwd = join(scratch, "floor");
mkdirSync(join(floorCwd, "node_modules", "empty-esm"), { recursive: true });
writeFileSync(join(floorCwd, "node_modules", "empty-esm", "package.json"), JSON.stringify({ name: "empty-esm", type: "module", exports: { ".": { node: "./index.mjs", default: "./index.mjs" } } }));
writeFileSync(join(floorCwd, "node_modules", "empty-esm", "index.mjs"), "export {};\n");
const floorRuns = [];
const cwds = pkgDirs.map((dir, i) => {
  const cwd = join(scratch, `p${i}`);
  mkdirSync(join(cwd, "node_modules"), { recursive: true });
  symlinkSync(dir, join(cwd, "node_modules", "ws101"));
  return cwd;
});

function child(code, args, cwd = scratch) {
  const env = { ...process.env, WS101_STARTUP_WARM: pathToFileURL(warm).href };
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code, ...args], { encoding: "utf8", env, cwd });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The value a quarter of the way up (contention on a shared machine only adds time). */
const lowQuartile = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 4)];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const results = [];
for (const entry of ENTRIES) {
  const runs = pkgDirs.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    if (entry === ENTRIES[0]) floorRuns.push(child(WHOLE_ONLY, ["empty-esm"], floorCwd).whole);
    pkgDirs.forEach((pkgDir, p) => {
      const { whole, first } = child(WHOLE, [entry.name, entry.api ?? ""], cwds[p]);
      const parts = child(PARTS, [join(pkgDir, entry.wasm), join(pkgDir, entry.glue)]);
      runs[p].push({ whole, first, ...parts });
    });
  }
  pkgDirs.forEach((pkgDir, p) => {
    const wasm = readFileSync(join(pkgDir, entry.wasm));
    const m = (k) => median(runs[p].map((r) => r[k]));
    const row = {
      entry: entry.name,
      pkg: pkgDir,
      wasmRaw: wasm.length,
      wasmGzip: gzipSync(wasm, { level: 9 }).length,
      whole: m("whole"),
      wholeQ1: lowQuartile(runs[p].map((r) => r.whole)),
      first: m("first"),
      read: m("read"),
      compile: m("compile"),
      instantiate: m("instantiate"),
    };
    row.wholeRuns = runs[p].map((r) => r.whole); // for quantiles other than the median (--json)
    results.push(row);
  });
}

rmSync(scratch, { recursive: true, force: true });

const ms = (x) => x.toFixed(2);
console.log(`Median of ${RUNS} fresh processes each (Node ${process.version}); ms.\n`);
if (pkgDirs.length > 1) pkgDirs.forEach((dir, p) => console.log(`- package ${String.fromCharCode(65 + p)}: ${dir}`));
const label = (r) => (pkgDirs.length > 1 ? ` (${String.fromCharCode(65 + pkgDirs.indexOf(r.pkg))})` : "");
console.log("| entry | .wasm raw / gzip (zlib level 9) | `import` whole | `import`, lower quartile | import + first `validateRequest` | read .wasm (background) | compile (background) | instantiate (background) |");
console.log("|---|--:|--:|--:|--:|--:|--:|--:|");
console.log(`| an empty ESM package (the floor) | — | ${ms(median(floorRuns))} | ${ms(lowQuartile(floorRuns))} | — | — | — | — |`);
for (const r of results) {
  console.log(`| \`${r.entry}\`${label(r)} | ${r.wasmRaw.toLocaleString("en-US")} / ${r.wasmGzip.toLocaleString("en-US")} B | **${ms(r.whole)}** | ${ms(r.wholeQ1)} | ${ms(r.first)} | ${ms(r.read)} | ${ms(r.compile)} | ${ms(r.instantiate)} |`);
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ node: process.version, runs: RUNS, floor: { whole: median(floorRuns), wholeQ1: lowQuartile(floorRuns), wholeRuns: floorRuns }, results }, null, 2) + "\n");

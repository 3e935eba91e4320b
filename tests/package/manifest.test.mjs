// The package as `npm pack` makes it: exactly the files in tests/package/expected-files.txt, each
// one loaded by an entry (or a README/licence/changelog/manifest), the metadata npm shows, publint
// clean, arethetypeswrong with only the notes the package README explains, and CommonJS consumers
// type-checked by the repository's TypeScript.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { packDryRun, root } from "../support/tarball.mjs";

const manifest = JSON.parse(readFileSync(join(root, "pkg/package.json"), "utf8"));
const packed = packDryRun();
const packedPaths = packed.files.map((f) => f.path).sort();

test("npm pack ships exactly the expected files (tests/package/expected-files.txt)", () => {
  const expected = readFileSync(new URL("./expected-files.txt", import.meta.url), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .sort();
  assert.deepEqual(packedPaths, expected, "update tests/package/expected-files.txt when a file is added on purpose");
});

/** Relative specifiers a module loads: static/dynamic imports, re-exports, new URL(…, import.meta.url), require(). */
function relativeLoads(text) {
  const found = new Set();
  const patterns = [
    /\b(?:import|export)\s[^;"']*?from\s*["'](\.{1,2}\/[^"'?]+)["']/g,
    /\bimport\s*(?:source\s+\w+\s+from\s*)?["'](\.{1,2}\/[^"'?]+)["']/g,
    /\bimport\s*\(\s*["'](\.{1,2}\/[^"'?]+)["']/g,
    /\bnew URL\(\s*["'](\.{1,2}\/[^"'?]+)["']\s*,\s*import\.meta\.url/g,
    /\brequire\(\s*["'](\.{1,2}\/[^"'?]+)["']\s*\)/g,
    /\bimport\s+\w+\s+from\s*["'](\.{1,2}\/[^"'?]+)["']/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.add(m[1]);
  return found;
}

test("every packed file is loaded by an entry point, the bin or the types (nothing shipped that no one loads)", () => {
  const entries = new Set(["package.json", "README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE"]);
  const targets = (value) => (typeof value === "string" ? [value] : Object.values(value).flatMap(targets));
  for (const t of [...targets(manifest.exports), manifest.main, manifest.types, ...Object.values(manifest.bin)]) entries.add(normalize(t));
  const reached = new Set();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop();
    if (reached.has(file)) continue;
    reached.add(file);
    if (!/\.(m?js|cjs|d\.ts|d\.cts)$/.test(file)) continue;
    const text = readFileSync(join(root, "pkg", file), "utf8");
    for (const spec of relativeLoads(text)) {
      let target = normalize(join(dirname(file), spec));
      // a .d.ts imports "./x.js" for the declarations in "./x.d.ts"
      if (/\.d\.c?ts$/.test(file) && target.endsWith(".js")) target = target.replace(/\.js$/, ".d.ts");
      queue.push(target);
    }
  }
  const unloaded = packedPaths.filter((p) => !reached.has(p));
  assert.deepEqual(unloaded, [], `files in the tarball that nothing loads: ${unloaded}`);
  assert.ok(!packedPaths.includes("ws101_bg.wasm.d.ts"));
  for (const p of reached) assert.ok(packedPaths.includes(p), `${p} is loaded but not in the tarball`);
});

test("the manifest says where the code, the home page and the issues are, and what runs it", () => {
  assert.equal(manifest.license, "MIT OR Apache-2.0");
  assert.equal(manifest.repository.type, "git");
  assert.match(manifest.repository.url, /^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
  const repo = manifest.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
  assert.equal(manifest.homepage, `${repo}#readme`);
  assert.equal(manifest.bugs.url, `${repo}/issues`);
  // engines: the lowest version the CI jobs run (20.19 is the first 20.x with require(esm) unflagged)
  assert.equal(manifest.engines.node, ">=20.19");
  assert.ok(Array.isArray(manifest.sideEffects) && manifest.sideEffects.includes("./node.mjs"));
  for (const f of ["LICENSE-MIT", "LICENSE-APACHE", "CHANGELOG.md", "README.md"]) assert.ok(packedPaths.includes(f), f);
  assert.match(readFileSync(join(root, "pkg/LICENSE-MIT"), "utf8"), /^MIT License\n/);
  assert.match(readFileSync(join(root, "pkg/LICENSE-APACHE"), "utf8"), /Apache License\s+Version 2\.0, January 2004/);
  assert.match(readFileSync(join(root, "pkg/CHANGELOG.md"), "utf8"), new RegExp(`## \\[${manifest.version.replace(/\./g, "\\.")}\\]`));
  // npm shows the package README, not the repository's
  assert.equal(readFileSync(join(root, "pkg/README.md"), "utf8"), readFileSync(join(root, "js/README.md"), "utf8"));
});

test("publint: no errors, warnings or suggestions", async () => {
  const { publint } = await import("publint");
  const { messages } = await publint({ pkgDir: join(root, "pkg"), level: "suggestion", strict: true });
  assert.deepEqual(messages.map((m) => `${m.type} ${m.code} ${m.path?.join(".")}`), []);
});

test("arethetypeswrong: only the notes the package README explains", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws101-attw-"));
  try {
    // attw exits the process before a pipe is drained: write its JSON to a file
    const fd = openSync(join(dir, "attw.json"), "w");
    try {
      execFileSync(join(root, "node_modules/.bin/attw"), ["--pack", ".", "--format", "json", "--profile", "node16", "--exclude-entrypoints", "./ws101_bg.wasm"], { cwd: join(root, "pkg"), stdio: ["ignore", fd, "pipe"] });
    } catch {
      // exit code 1 when any problem is listed; the problems are checked below
    } finally {
      closeSync(fd);
    }
    const { analysis } = JSON.parse(readFileSync(join(dir, "attw.json"), "utf8"));
    const unexplained = analysis.problems.filter((p) => {
      // TypeScript ≥ 5.8 (module node20/nodenext) types require() of ES modules, as Node ≥ 20.19 runs it;
      // attw bundles TypeScript 5.6. Checked below with the repository's TypeScript.
      if (p.kind === "CJSResolvesToESM" && p.resolutionKind === "node16-cjs" && p.entrypoint !== "./node") return false;
      // moduleResolution node10 ignores "exports": subpaths cannot resolve there
      // (a subpath that is also a directory of the package, ws101/app, shows as untyped instead)
      if ((p.kind === "NoResolution" || p.kind === "UntypedResolution") && p.resolutionKind === "node10" && p.entrypoint !== ".") return false;
      return true;
    });
    assert.deepEqual(unexplained, []);
    assert.ok(!analysis.problems.some((p) => p.entrypoint === "./node" && p.resolutionKind !== "node10"), "ws101/node is CJS-typed for require");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("TypeScript (module nodenext) types a CommonJS consumer: require('ws101'), require('ws101/node')", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws101-cts-"));
  try {
    mkdirSync(join(dir, "node_modules/@types"), { recursive: true });
    symlinkSync(join(root, "pkg"), join(dir, "node_modules/ws101"));
    symlinkSync(join(root, "node_modules/@types/node"), join(dir, "node_modules/@types/node"));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, types: ["node"] }, files: ["usage.cts"] }));
    writeFileSync(
      join(dir, "usage.cts"),
      `import ws101 = require("ws101");
import WebSocket = require("ws101/node");
const accept: string = ws101.acceptKey("dGhlIHNhbXBsZSBub25jZQ==");
const server: InstanceType<typeof WebSocket.WebSocketServer> = new WebSocket.WebSocketServer({ noServer: true });
const open: 1 = WebSocket.OPEN;
// @ts-expect-error acceptKey takes a string
ws101.acceptKey(42);
void accept; void server; void open;
`,
    );
    try {
      execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", dir], { encoding: "utf8" });
    } catch (e) {
      assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

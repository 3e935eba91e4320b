// Every bundler, as a user meets it: `npm pack` of pkg/ installed into a fresh app folder, a tiny
// app bundled there by esbuild (browser ESM, Node ESM, Node CJS), Rollup, webpack 5 and Vite, then
// run: browser bundles in Chromium (playwright-core), Node bundles as child processes. Where the
// bundler does not copy the .wasm, the app fails with ws101's error saying what to do; with the one
// documented line (copy the .wasm beside the bundle) or with `ws101/inline`, it works.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../support/tarball.mjs";
import { appWithBrowser, openPage, serveWorkerd, wranglerBundle } from "../support/app-runners.mjs";
const ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; // RFC 6455 §1.3
const EXPECTED = { accept: ACCEPT, echo: "hi" };

// The app: an accept key and one text frame from a server Connection read by a client Connection.
const appSource = (specifier) => `import { acceptKey, Connection } from "${specifier}";
const server = new Connection({ role: "server" });
const client = new Connection({ role: "client" });
const [event] = client.receive(server.sendText("hi"));
const result = { accept: acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), echo: event.data };
if (typeof window === "undefined") console.log(JSON.stringify(result));
else window.ws101Result = result;
`;

let fixture;
let app;
let browser;
let server;

before(async () => {
  fixture = await appWithBrowser("bundler");
  ({ app, browser, server } = fixture);
  writeFileSync(join(app.dir, "main.mjs"), appSource("ws101"));
  writeFileSync(join(app.dir, "inline.mjs"), appSource("ws101/inline"));
});

after(() => fixture?.close());

const out = (name) => join(app.dir, "dist", name);
const copyWasm = (dir) => copyFileSync(join(app.dir, "node_modules/ws101/ws101_bg.wasm"), join(dir, "ws101_bg.wasm"));

/** Loads `dist/<name>/index.html` (a module script `script`) in Chromium: `{ result, errors }`. */
async function runInChromium(name, script = "main.js") {
  const dir = out(name);
  writeFileSync(join(dir, "index.html"), `<!doctype html><meta charset="utf-8"><script type="module" src="./${script}"></script>`);
  return await runPage(`${server.url}/dist/${name}/index.html`);
}

async function runPage(url) {
  const { value, errors } = await openPage(browser, url, () => window.ws101Result);
  return { result: value, errors };
}

/** Runs a Node bundle: `{ status, stdout, stderr }`. */
function runInNode(file) {
  const r = spawnSync(process.execPath, [file], { encoding: "utf8", cwd: app.dir, timeout: 20000 });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

const WS101_HINT = /ws101: could not load its WebAssembly \(ws101_bg\.wasm\)[^]*copy node_modules\/ws101\/ws101_bg\.wasm next to the bundle[^]*ws101\/inline/;

async function esbuild(options) {
  const { build } = await import("esbuild");
  await build({ absWorkingDir: app.dir, bundle: true, logLevel: "error", ...options });
}

test("esbuild, browser ESM: without the .wasm the page fails with ws101's error; with it copied, it works", async () => {
  await esbuild({ entryPoints: ["main.mjs"], outfile: out("esbuild-browser/main.js"), platform: "browser", format: "esm" });
  const missing = await runInChromium("esbuild-browser");
  assert.equal(missing.result, null);
  assert.match(missing.errors.join("\n"), WS101_HINT);
  copyWasm(out("esbuild-browser"));
  const copied = await runInChromium("esbuild-browser");
  assert.deepEqual(copied, { result: EXPECTED, errors: [] });
});

test("esbuild, browser ESM with ws101/inline: works with no asset at all", async () => {
  await esbuild({ entryPoints: ["inline.mjs"], outfile: out("esbuild-inline/main.js"), platform: "browser", format: "esm" });
  assert.deepEqual(readdirSync(out("esbuild-inline")), ["main.js"]);
  assert.deepEqual(await runInChromium("esbuild-inline"), { result: EXPECTED, errors: [] });
});

for (const format of ["esm", "cjs"]) {
  test(`esbuild, Node ${format.toUpperCase()} output: ws101's error without the .wasm; works with it copied or with ws101/inline`, async () => {
    const ext = format === "esm" ? "mjs" : "cjs";
    await esbuild({ entryPoints: ["main.mjs"], outfile: out(`esbuild-node-${format}/main.${ext}`), platform: "node", format, logOverride: { "empty-import-meta": "silent" } });
    const missing = runInNode(out(`esbuild-node-${format}/main.${ext}`));
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, WS101_HINT);
    copyWasm(out(`esbuild-node-${format}`));
    const copied = runInNode(out(`esbuild-node-${format}/main.${ext}`));
    assert.equal(copied.status, 0, copied.stderr);
    assert.deepEqual(JSON.parse(copied.stdout), EXPECTED);

    await esbuild({ entryPoints: ["inline.mjs"], outfile: out(`esbuild-node-inline-${format}/main.${ext}`), platform: "node", format });
    const inline = runInNode(out(`esbuild-node-inline-${format}/main.${ext}`));
    assert.equal(inline.status, 0, inline.stderr);
    assert.deepEqual(JSON.parse(inline.stdout), EXPECTED);
  });
}

test("Rollup (+ node-resolve, browser): ws101's error without the .wasm; works with it copied", async () => {
  const { rollup } = await import("rollup");
  const { nodeResolve } = await import("@rollup/plugin-node-resolve");
  const bundle = await rollup({ input: join(app.dir, "main.mjs"), plugins: [nodeResolve({ browser: true, rootDir: app.dir })], onwarn: () => {} });
  await bundle.write({ file: out("rollup/main.js"), format: "es", inlineDynamicImports: true });
  await bundle.close();
  const missing = await runInChromium("rollup");
  assert.equal(missing.result, null);
  assert.match(missing.errors.join("\n"), WS101_HINT);
  copyWasm(out("rollup"));
  assert.deepEqual(await runInChromium("rollup"), { result: EXPECTED, errors: [] });
});

test("webpack 5 (target web): copies the .wasm by itself (new URL(…, import.meta.url)) and works", async () => {
  const { default: webpack } = await import("webpack");
  const stats = await new Promise((resolve, reject) =>
    webpack({
      mode: "production",
      context: app.dir,
      entry: "./main.mjs",
      target: "web",
      output: { path: out("webpack"), filename: "main.js", module: true, chunkFormat: "module" },
      experiments: { outputModule: true },
      performance: { hints: false },
    }).run((err, s) => (err ? reject(err) : resolve(s))),
  );
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  assert.ok(readdirSync(out("webpack")).some((f) => f.endsWith(".wasm")), "webpack emitted the .wasm");
  assert.deepEqual(await runInChromium("webpack"), { result: EXPECTED, errors: [] });
});

test("webpack 5 (target node): copies the .wasm by itself and works", async () => {
  const { default: webpack } = await import("webpack");
  const stats = await new Promise((resolve, reject) =>
    webpack({ mode: "production", context: app.dir, entry: "./main.mjs", target: "node", output: { path: out("webpack-node"), filename: "main.cjs" }, performance: { hints: false } })
      .run((err, s) => (err ? reject(err) : resolve(s))),
  );
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  const run = runInNode(out("webpack-node/main.cjs"));
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), EXPECTED);
});

test("Vite: copies the .wasm by itself and works", async () => {
  mkdirSync(join(app.dir, "vite"), { recursive: true });
  writeFileSync(join(app.dir, "vite/index.html"), '<!doctype html><meta charset="utf-8"><script type="module" src="../main.mjs"></script>');
  const { build } = await import("vite");
  await build({ root: app.dir, base: "./", configFile: false, logLevel: "error", build: { outDir: out("vite"), target: "es2022", emptyOutDir: true, rollupOptions: { input: join(app.dir, "vite/index.html") } } });
  const assets = readdirSync(join(out("vite"), "assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `Vite emitted the .wasm: ${assets}`);
  assert.deepEqual(await runPage(`${server.url}/dist/vite/vite/index.html`), { result: EXPECTED, errors: [] });
});

test("wrangler deploy --dry-run bundles a worker importing ws101; the output runs in workerd", async () => {
  const dir = join(app.dir, "worker");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "worker.mjs"), `import { acceptKey } from "ws101";
export default { fetch: (request) => new Response(acceptKey(new URL(request.url).searchParams.get("key"))) };
`);
  writeFileSync(join(dir, "wrangler.toml"), 'name = "ws101-bundler-test"\nmain = "worker.mjs"\ncompatibility_date = "2026-11-17"\n');
  const wasm = wranglerBundle(dir, out("wrangler"));
  const workerd = await serveWorkerd(out("wrangler"), wasm);
  try {
    const response = await fetch(`${workerd.url}/?key=dGhlIHNhbXBsZSBub25jZQ==`);
    assert.equal(await response.text(), ACCEPT);
  } finally {
    await workerd.stop();
  }
});

test("the packed app folder holds the tarball's package, not a link to the repository", () => {
  const manifest = execFileSync("npm", ["ls", "ws101", "--json", "--long"], { cwd: app.dir, encoding: "utf8" });
  const info = JSON.parse(manifest).dependencies.ws101;
  assert.ok(info.resolved.endsWith(".tgz"), info.resolved);
  assert.ok(!info.path.startsWith(root), info.path);
});

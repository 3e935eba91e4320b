// Running small apps built from the packed package: Chromium (playwright-core), wrangler's bundling
// for Workers, and that bundle served by workerd. Shared by tests/bundler and tests/package.
import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { freePort, start, waitForHttp } from "./process.mjs";
import { nodeFor } from "./node-versions.mjs";
import { installedApp, root } from "./tarball.mjs";
import { serveStatic } from "./static.mjs";

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

/**
 * The packed package installed into a fresh app folder, that folder served over HTTP, and Chromium:
 * `{ app, server, browser, close() }`.
 */
export async function appWithBrowser(label) {
  const app = installedApp(label);
  const fixture = { app, server: null, browser: null };
  fixture.close = async () => {
    await fixture.browser?.close();
    await fixture.server?.close();
    app.cleanup();
  };
  try {
    fixture.server = await serveStatic(app.dir);
    fixture.browser = await launchChromium();
  } catch (e) {
    await fixture.close();
    throw e;
  }
  return fixture;
}

export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/**
 * Opens `url` in a new page and waits until `ready()` (run in the page) returns a value:
 * `{ value, errors }` (value null when it never did within 10 s; errors: uncaught page errors).
 */
export async function openPage(browser, url, ready) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(url);
    const value = await page
      .waitForFunction(ready, null, { timeout: 10000 })
      .then((h) => h.jsonValue())
      .catch(() => null);
    return { value, errors };
  } finally {
    await page.close();
  }
}

/**
 * `wrangler deploy --dry-run --outdir <outdir>` in `dir` (which holds wrangler.toml): the bundle as
 * Cloudflare would get it. Returns the name of the one .wasm module in it.
 */
export function wranglerBundle(dir, outdir) {
  // wrangler 4 needs Node ≥ 22: a Node from scripts/bootstrap.sh's cache, else Bun (reports a newer Node)
  const runner = nodeFor(24) ?? join(root, "node_modules/bun/bin/bun.exe");
  execFileSync(runner, [join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outdir], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", WRANGLER_LOG_PATH: join(outdir, "..", "wrangler-logs") },
  });
  const files = readdirSync(outdir);
  const wasm = files.filter((f) => f.endsWith(".wasm"));
  if (wasm.length !== 1) throw new Error(`expected one .wasm in wrangler's output, found: ${files}`);
  return wasm[0];
}

/** Serves wrangler's output (worker.js + the .wasm module) in workerd: `{ url, stop() }`. */
export async function serveWorkerd(outdir, wasm) {
  writeFileSync(
    join(outdir, "workerd.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js"), (name = "${wasm}", wasm = embed "${wasm}") ],
  compatibilityDate = "2026-11-17",
);
`,
  );
  const port = await freePort();
  const proc = start(join(root, "node_modules/.bin/workerd"), ["serve", "workerd.capnp", "--socket-addr", `http=127.0.0.1:${port}`], { cwd: outdir });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, 20000, proc);
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { url: `http://127.0.0.1:${port}`, stop: () => proc.stop() };
}

// Every code block of the package README (js/README.md, what npm shows) marked
// `<!-- runnable: KIND expect="TEXT" -->` runs as written against the packed package installed in a
// fresh folder, and shows TEXT: node / node-cjs / deno / bun print it; browser and vite pages show it
// in document.body; a workers example is bundled by wrangler, served by workerd, and must echo a
// WebSocket message ("echo: <message>").
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { root } from "../support/tarball.mjs";
import { appWithBrowser, openPage, serveWorkerd, wranglerBundle } from "../support/app-runners.mjs";

const readme = readFileSync(join(root, "js/README.md"), "utf8");
const blocks = [...readme.matchAll(/<!-- runnable: ([\w-]+)(?: expect="([^"]*)")? -->\n```(\w+)\n([\s\S]*?)\n```/g)].map(
  ([, kind, expect, lang, code], i) => ({ kind, expect, lang, code, name: `readme-${i + 1}-${kind}` }),
);
const KINDS = ["node", "node-cjs", "deno", "bun", "browser", "vite", "workers"];

let fixture;
let app;
let browser;
let server;

before(async () => {
  fixture = await appWithBrowser("readme");
  ({ app, browser, server } = fixture);
});

after(() => fixture?.close());

test("the README has a runnable example for every runtime, each with what it must show", () => {
  assert.deepEqual([...new Set(blocks.map((b) => b.kind))].sort(), [...KINDS].sort());
  for (const b of blocks) assert.ok(b.expect, `${b.name} says what it shows`);
});

/** Runs an example that must end by itself, successfully: its stdout (+ stderr). */
function runCommand(command, args, options = {}) {
  const r = spawnSync(command, args, { cwd: app.dir, encoding: "utf8", timeout: 30000, ...options });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  assert.equal(r.status, 0, `${command} ${args.join(" ")} did not end with 0 (${r.error?.message ?? r.signal ?? r.status}):\n${output}`);
  return output;
}

async function runBlock(block) {
  const { kind, code, name } = block;
  const file = (ext) => {
    const path = join(app.dir, `${name}.${ext}`);
    writeFileSync(path, code);
    return path;
  };
  switch (kind) {
    case "node":
      return runCommand(process.execPath, [file("mjs")]);
    case "node-cjs":
      return runCommand(process.execPath, [file("cjs")]);
    case "deno": {
      // npm:ws101 resolves from the app's node_modules (installed from the tarball): no registry
      return runCommand(join(root, "node_modules/.bin/deno"), ["run", "--allow-net=127.0.0.1", "--node-modules-dir=manual", file("ts")], { env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
    }
    case "bun": {
      return runCommand(join(root, "node_modules/bun/bin/bun.exe"), ["run", file("ts")]);
    }
    case "browser": {
      file("html");
      const { value, errors } = await openPage(browser, `${server.url}/${name}.html`, () => document.body?.textContent || null);
      return `${value}${errors.join("\n")}`;
    }
    case "vite": {
      const dir = join(app.dir, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "main.js"), code);
      writeFileSync(join(dir, "index.html"), '<!doctype html><meta charset="utf-8"><body><script type="module" src="./main.js"></script>');
      const { build } = await import("vite");
      await build({ root: dir, base: "./", configFile: false, logLevel: "error", build: { outDir: join(dir, "dist"), target: "es2022" } });
      const { value, errors } = await openPage(browser, `${server.url}/${name}/dist/index.html`, () => document.body?.textContent || null);
      return `${value}${errors.join("\n")}`;
    }
    case "workers": {
      const dir = join(app.dir, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "worker.mjs"), code);
      writeFileSync(join(dir, "wrangler.toml"), `name = "${name}"\nmain = "worker.mjs"\ncompatibility_date = "2026-11-17"\n`);
      const wasm = wranglerBundle(dir, join(dir, "dist"));
      const workerd = await serveWorkerd(join(dir, "dist"), wasm);
      try {
        return await new Promise((resolve, reject) => {
          const ws = new WebSocket(`${workerd.url.replace("http", "ws")}/`, "chat");
          ws.on("open", () => ws.send("hello"));
          ws.on("message", (data) => {
            ws.close();
            resolve(`echo: ${data}`);
          });
          ws.on("error", reject);
        });
      } finally {
        await workerd.stop();
      }
    }
  }
  throw new Error(`unknown runnable kind ${kind}`);
}

for (const block of blocks) {
  test(`README example ${block.name} (${block.lang}) shows "${block.expect}"`, { timeout: 120000 }, async () => {
    const shown = await runBlock(block);
    assert.ok(shown.includes(block.expect), `expected "${block.expect}" in:\n${shown}`);
  });
}

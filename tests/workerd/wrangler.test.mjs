// The Cloudflare deployment files: `wrangler deploy --dry-run` bundles examples/workers with
// wrangler.toml (ws101 resolved through its workerd condition, the .wasm as a module, the
// Durable Object and the assets binding), without deploying. Wrangler 4 needs Node ≥ 22: it runs on
// Node 24 from scripts/bootstrap.sh's cache, or else under Bun (npm `bun`), which reports a newer Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeFor } from "../support/node-versions.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

test("wrangler deploy --dry-run bundles the example worker, its Durable Object and the one .wasm", () => {
  const out = mkdtempSync(join(tmpdir(), "ws101-wrangler-"));
  try {
    const log = execFileSync(nodeFor(24) ?? `${root}node_modules/bun/bin/bun.exe`, [`${root}node_modules/wrangler/bin/wrangler.js`, "deploy", "--dry-run", "--outdir", out], {
      cwd: `${root}examples/workers`,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", WRANGLER_LOG_PATH: out },
    });
    assert.match(log, /env\.ROOMS \(ChatRoom\)\s+Durable Object/);
    assert.match(log, /env\.WWW\s+Assets/);
    const files = readdirSync(out);
    const wasm = files.filter((f) => f.endsWith(".wasm"));
    assert.equal(wasm.length, 1, `one .wasm in ${files}`);
    assert.equal(readFileSync(join(out, wasm[0])).length, readFileSync(`${root}pkg/ws101_bg.wasm`).length);
    const bundle = readFileSync(join(out, "worker.js"), "utf8");
    assert.match(bundle, /WebSocketPair/);
    assert.match(bundle, /ChatRoom = class|class ChatRoom/);
    assert.match(bundle, /export \{[^}]*\bChatRoom\b/);
    assert.ok(bundle.includes(wasm[0]), "the bundle imports the .wasm module");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

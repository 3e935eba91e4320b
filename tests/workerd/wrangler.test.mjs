// The Cloudflare deployment files: `wrangler deploy --dry-run` bundles examples/workers with
// wrangler.toml (ws101 resolved through its workerd condition, the .wasm as a module, the
// Durable Object and the assets binding), without deploying. Wrangler 4 needs Node ≥ 22: it runs on
// Node 24 from scripts/bootstrap.sh's cache, or else under Bun (npm `bun`), which reports a newer Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { wranglerDryRun } from "../support/wrangler.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

test("wrangler deploy --dry-run bundles the example worker, its Durable Object and the one .wasm", () => {
  wranglerDryRun(`${root}examples/workers`, ({ log, files, read }) => {
    assert.match(log, /env\.ROOMS \(ChatRoom\)\s+Durable Object/);
    assert.match(log, /env\.WWW\s+Assets/);
    const wasm = files.filter((f) => f.endsWith(".wasm"));
    assert.equal(wasm.length, 1, `one .wasm in ${files}`);
    assert.equal(read(wasm[0]).length, readFileSync(`${root}pkg/ws101_bg.wasm`).length);
    const bundle = read("worker.js", "utf8");
    assert.match(bundle, /WebSocketPair/);
    assert.match(bundle, /ChatRoom = class|class ChatRoom/);
    assert.match(bundle, /export \{[^}]*\bChatRoom\b/);
    assert.ok(bundle.includes(wasm[0]), "the bundle imports the .wasm module");
  });
});

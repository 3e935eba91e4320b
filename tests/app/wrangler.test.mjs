// examples/chat for real Cloudflare: `wrangler deploy --dry-run` bundles worker.mjs + app.mjs with
// ws101/app/workers from the package (cloudflare:workers left to the runtime, the one .wasm as a
// module, the ChatRoom Durable Object), without deploying. Wrangler 4 needs Node ≥ 22: it runs under Bun.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./runtimes.mjs";

test("wrangler deploy --dry-run bundles examples/chat, its Durable Object and the one .wasm", () => {
  const out = mkdtempSync(join(tmpdir(), "ws101-chat-wrangler-"));
  try {
    const log = execFileSync(`${root}node_modules/bun/bin/bun.exe`, [`${root}node_modules/wrangler/bin/wrangler.js`, "deploy", "--dry-run", "--outdir", out], {
      cwd: `${root}examples/chat`,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", WRANGLER_LOG_PATH: out },
    });
    assert.match(log, /env\.ROOMS \(ChatRoom\)\s+Durable Object/);
    const files = readdirSync(out);
    const wasm = files.filter((f) => f.endsWith(".wasm"));
    assert.equal(wasm.length, 1, `one .wasm in ${files}`);
    const bundle = readFileSync(join(out, "worker.js"), "utf8");
    assert.match(bundle, /from "cloudflare:workers"/);
    assert.match(bundle, /acceptWebSocket\(/);
    assert.match(bundle, /serializeAttachment\(/);
    assert.match(bundle, /export \{[^}]*\bChatRoom\b/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

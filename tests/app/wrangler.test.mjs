// examples/chat for real Cloudflare: `wrangler deploy --dry-run` bundles worker.mjs + app.mjs with
// ws101/app/workers from the package (cloudflare:workers left to the runtime, the one .wasm as a
// module, the ChatRoom Durable Object), without deploying.
import { test } from "node:test";
import assert from "node:assert/strict";
import { wranglerDryRun } from "../support/wrangler.mjs";
import { root } from "./runtimes.mjs";

test("wrangler deploy --dry-run bundles examples/chat, its Durable Object and the one .wasm", () => {
  wranglerDryRun(`${root}examples/chat`, ({ log, files, read }) => {
    assert.match(log, /env\.ROOMS \(ChatRoom\)\s+Durable Object/);
    assert.equal(files.filter((f) => f.endsWith(".wasm")).length, 1, `one .wasm in ${files}`);
    const bundle = read("worker.js", "utf8");
    assert.match(bundle, /from "cloudflare:workers"/);
    assert.match(bundle, /acceptWebSocket\(/);
    assert.match(bundle, /serializeAttachment\(/);
    assert.match(bundle, /export \{[^}]*\bChatRoom\b/);
  });
});

// `wrangler deploy --dry-run` of a directory with a wrangler.toml, into a temporary outdir (no
// network, nothing deployed). Wrangler 4 needs Node ≥ 22: it runs on Node 24 from
// scripts/bootstrap.sh's cache, or else under Bun (npm `bun`), which reports a newer Node.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeFor } from "./node-versions.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Runs `check({ log, files, read(name) })` on the dry run's output, then removes it. */
export function wranglerDryRun(cwd, check) {
  const out = mkdtempSync(join(tmpdir(), "ws101-wrangler-"));
  try {
    const log = execFileSync(nodeFor(24) ?? `${root}node_modules/bun/bin/bun.exe`, [`${root}node_modules/wrangler/bin/wrangler.js`, "deploy", "--dry-run", "--outdir", out], {
      cwd,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", WRANGLER_LOG_PATH: out },
    });
    return check({ log, files: readdirSync(out), read: (name, encoding) => readFileSync(join(out, name), encoding) });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

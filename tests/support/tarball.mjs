// The package as npm users get it: `npm pack` of pkg/ into a tarball, installed with
// `npm install --prefer-offline <tarball>` into a fresh folder outside the repository (its one
// dependency, `yaml`, comes from npm's cache when `npm ci` put it there; `--offline` failed on a bare
// machine: `npm ci` caches the tarball but not the registry's metadata, which an install by name
// needs). Tests then import `ws101` from that folder, so a file missing from `files`, a wrong
// `exports` target or a path that only exists in the repository fails.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
const npmEnv = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };

/** `npm pack --dry-run --json` of pkg/: `{ files: [{ path, size }], size, unpackedSize }`. */
export function packDryRun() {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: join(root, "pkg"), encoding: "utf8", env: npmEnv });
  return JSON.parse(out)[0];
}

/** Packs pkg/ into `dir`; returns the tarball's path. */
export function pack(dir) {
  const out = execFileSync("npm", ["pack", join(root, "pkg"), "--json", "--loglevel=error", "--pack-destination", dir], { cwd: dir, encoding: "utf8", env: npmEnv });
  return join(dir, JSON.parse(out)[0].filename);
}

/**
 * A fresh app folder with the packed tarball installed: `{ dir, tarball, cleanup() }`.
 * `packageJson` is merged into the app's package.json (default: an ES module app).
 */
export function installedApp(label = "app", packageJson = {}) {
  const dir = mkdtempSync(join(tmpdir(), `ws101-${label}-`));
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `ws101-${label}`, private: true, type: "module", ...packageJson }, null, 2));
    const tarball = pack(dir);
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error", tarball], { cwd: dir, env: npmEnv, stdio: ["ignore", "ignore", "pipe"] });
    return { dir, tarball, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

// The package's browser entry in real headless Chromium and Firefox (WebDriver), both imported
// through an import map and bundled by Vite; each in-page check is reported as its own test.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openBrowser } from "../support/webdriver.mjs";
import { serveStatic } from "../support/static.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
let server;
let bundled;
let bundleDir;

before(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), "ws101-vite-"));
  execFileSync(join(root, "node_modules/.bin/vite"), ["build", "--config", "tests/bundler/vite.config.mjs", "--outDir", bundleDir, "--emptyOutDir", "--logLevel", "warn"], { cwd: root, stdio: "inherit" });
  server = await serveStatic(root);
  bundled = await serveStatic(bundleDir);
});

after(async () => {
  await server?.close();
  await bundled?.close();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

for (const name of ["chromium", "firefox"]) {
  test(`${name}: the browser entry and a Vite bundle`, async (t) => {
    const browser = await openBrowser(name);
    try {
      for (const [label, url] of [["import map", `${server.url}/tests/browser/package.html`], ["vite bundle", `${bundled.url}/index.html`]]) {
        await browser.navigate(url);
        const results = await browser.waitFor("window.__ws101Results", 30000);
        assert.ok(results.length >= 5, `${label}: ${results.length} checks ran`);
        for (const r of results) {
          await t.test(`${name} ${label}: ${r.name}`, () => assert.ok(r.ok, r.error));
        }
      }
    } finally {
      await browser.close();
    }
  });
}

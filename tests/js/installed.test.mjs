// When scripts/test.sh runs this job against the packed tarball (WS101_INSTALLED_APP, with
// tests/support/installed-hooks.mjs preloaded), `ws101` must resolve into that folder and not to
// the repository's pkg/; the API from there works.
import { test } from "node:test";
import assert from "node:assert/strict";
import module, { createRequire } from "node:module";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

const app = process.env.WS101_INSTALLED_APP;

test("ws101 is imported from the tarball installed in a fresh folder", { skip: !app && "not run against the packed tarball (scripts/test.sh js sets it up)" }, async () => {
  for (const specifier of ["ws101", "ws101/node", "ws101/init", "ws101/inline"]) {
    const file = realpathSync(fileURLToPath(import.meta.resolve(specifier)));
    assert.ok(file.startsWith(realpathSync(app)), `${specifier} → ${file}`);
  }
  const { acceptKey } = await import("ws101");
  assert.equal(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  if (typeof module.registerHooks === "function") {
    // require() goes through the hooks (require.resolve does not): the same module as the import
    assert.equal(createRequire(import.meta.url)("ws101").acceptKey, acceptKey, "require('ws101') is the installed copy");
  }
});

// The package's TypeScript types, checked by `tsc` against real usage (tests/types/usage.ts),
// including lines that must NOT compile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

test("tsc accepts the documented usage of ws101, ws101/node, /workers, /deno, /bun", () => {
  try {
    execFileSync(`${root}node_modules/.bin/tsc`, ["-p", "tests/types"], { cwd: root, encoding: "utf8" });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});

// ws101/app's TypeScript types, checked by `tsc` against real usage (tests/app/types/usage.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { root } from "./runtimes.mjs";

test("tsc accepts the documented usage of ws101/app and its adapters, and rejects misuse", () => {
  try {
    execFileSync(`${root}node_modules/.bin/tsc`, ["-p", "tests/app/types"], { cwd: root, encoding: "utf8" });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});

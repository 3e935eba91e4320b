// The Autobahn-style conformance table (tests/conformance/cases.mjs) against
//   (a) the ws101 Node echo server, examples/node/echo.mjs, as a child process (asserted),
//   (b) ws101's sans-IO Connection in process, same table, no sockets (asserted),
//   (c) a `ws` echo server with perMessageDeflate, the control (reported, not asserted).
// Prints `group: N passed, M failed` per target, writes the report to target/conformance/ and
// checks that the committed docs/CONFORMANCE.md states the same verdicts (a test never rewrites a
// committed file: `node tests/conformance/report.mjs` regenerates it).
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cases, groups, groupNames } from "./cases.mjs";
import { echoServerTarget, inProcessTarget, wsControlTarget, groupLines, writeReport } from "./report.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

const runs = [];

function suite(make, { asserted }) {
  const state = {};
  before(async () => {
    const target = await make();
    const t0 = Date.now();
    try {
      state.results = await target.run(cases);
    } finally {
      await target.stop();
    }
    runs.push({ target, results: state.results, ms: Date.now() - t0 });
    console.log(`::: ${target.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    for (const line of groupLines(state.results)) console.log(`  ${line}`);
    for (const r of state.results.filter((x) => x.verdict === "fail")) console.log(`  FAIL ${r.id} ${r.description}: ${r.problems.join("; ")}`);
  });
  if (!asserted) {
    test("runs every case (failures are reported, not asserted)", () => {
      assert.equal(state.results.length, cases.length);
    });
    return;
  }
  for (const group of groups) {
    test(`group ${group} (${groupNames[group]}): no case fails`, () => {
      const failed = state.results.filter((r) => r.group === group && r.verdict === "fail");
      assert.deepEqual(failed.map((r) => `${r.id}: ${r.problems.join("; ")}`), []);
    });
  }
}

describe("ws101 Node echo server (examples/node/echo.mjs)", () => suite(echoServerTarget, { asserted: true }));
describe("ws101 Connection in process", () => suite(inProcessTarget, { asserted: true }));
describe("ws echo server (control)", () => suite(wsControlTarget, { asserted: false }));

const order = (run) => ["ws101 server", "ws101 Connection", "ws (control)"].indexOf(run.target.name);

/** The report without what changes from run to run (the date, the targets' timings). */
const verdicts = (text) => text.split("\n").filter((line) => !line.startsWith("Generated ") && !/^- \*\*.* — [\d.]+ s$/.test(line));

test("docs/CONFORMANCE.md states this run's verdicts (regenerate it with: node tests/conformance/report.mjs)", () => {
  assert.equal(runs.length, 3, "every target ran");
  mkdirSync(`${root}target/conformance`, { recursive: true });
  const fresh = writeReport(runs.sort((a, b) => order(a) - order(b)), `${root}target/conformance/CONFORMANCE.md`);
  console.log(`wrote ${fresh}`);
  assert.deepEqual(verdicts(readFileSync(fresh, "utf8")), verdicts(readFileSync(`${root}docs/CONFORMANCE.md`, "utf8")));
});

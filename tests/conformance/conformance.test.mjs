// The Autobahn-style conformance table (tests/conformance/cases.mjs) against
//   (a) the ws101 Node echo server, examples/node/echo.mjs, as a child process (asserted),
//   (b) ws101's sans-IO Connection in process, same table, no sockets (asserted),
//   (c) a `ws` echo server with perMessageDeflate, the control (reported, not asserted).
// Prints `group: N passed, M failed` per target and writes docs/CONFORMANCE.md.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { cases, groups, groupNames } from "./cases.mjs";
import { echoServerTarget, inProcessTarget, wsControlTarget, groupLines, writeReport } from "./report.mjs";

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

after(() => {
  // the per-Node-version jobs (conformance-node22 …) set WS101_CONFORMANCE_REPORT=0: the report stays Node 20's
  if (runs.length === 3 && process.env.WS101_CONFORMANCE_REPORT !== "0") console.log(`wrote ${writeReport(runs.sort((a, b) => order(a) - order(b)))}`);
});
const order = (run) => ["ws101 server", "ws101 Connection", "ws (control)"].indexOf(run.target.name);

// Runs one in-process case of support/scenarios.mjs in this process and prints its result as one
// JSON line (the bench runs each in its own child, so a case that kills its process is "died"):
//   node tests/robust/support/run-scenario.mjs <sendSide|closeInMessageHandler|closeRetry|serverCloseKeepsTcp|wrongTypes> <ws101|ws>
// Exit status: 0 no problems, 3 problems (alive but wrong), anything else: the process died (an
// uncaught exception exits with 1).
import { SCENARIOS } from "./scenarios.mjs";

const [name, impl = "ws101"] = process.argv.slice(2);
if (!SCENARIOS[name] || !["ws101", "ws"].includes(impl)) {
  console.error(`usage: run-scenario.mjs <${Object.keys(SCENARIOS).join("|")}> <ws101|ws>`);
  process.exit(2);
}
const result = await SCENARIOS[name](impl);
console.log(JSON.stringify({ scenario: name, impl, ...result, maxRss: process.resourceUsage().maxRSS * 1024 }));
process.exit(result.problems.length ? 3 : 0);

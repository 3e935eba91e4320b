// Preloaded into the CLI by tests/cli/limits.test.mjs (`node --require`): at exit, writes the
// process's peak resident set (VmHWM from /proc/self/status, kB) to stderr as "VmHWM <kB>".
"use strict";
const fs = require("node:fs");
process.on("exit", () => {
  try {
    const kb = /VmHWM:\s*(\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))[1];
    fs.writeSync(2, `\nVmHWM ${kb}\n`);
  } catch {
    // not Linux: no figure
  }
});

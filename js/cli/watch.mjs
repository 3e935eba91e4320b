// `ws101 probe URL --every 30s`: the probe repeated. On a terminal one compact line per run; into a
// pipe or file (or with --json) one JSON object per line. A change between healthy and failing is
// called out; Ctrl-C (SIGINT) or SIGTERM stops after aborting the run in flight and prints a
// summary. Exit 0 when every run passed, 1 otherwise.
import { runProbe } from "./probe.mjs";
import { compactLine } from "./report.mjs";
import { escapeJson, round } from "./text.mjs";
import { EXIT_CHECK, EXIT_OK, formatDuration } from "./usage.mjs";

const median = (sorted) => (sorted.length ? round(sorted.length % 2 ? sorted[sorted.length >> 1] : (sorted[(sorted.length >> 1) - 1] + sorted[sorted.length >> 1]) / 2) : null);

export async function watch(spec, everyMs, { json = null, stream = process.stdout } = {}) {
  const lines = json !== null || !stream.isTTY;
  const write = (text) => stream.write(text + "\n");
  const started = Date.now();
  const stats = { runs: 0, passed: 0, failed: 0, changes: 0, totals: [] };
  let last = null;       // the previous run's ok
  let since = started;   // when the current state began
  let stopping = false;
  let current = null;    // the AbortController of the run in flight
  let wake = null;
  const stop = () => {
    stopping = true;
    current?.abort(new Error("stopped by a signal"));
    wake?.();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  stream.on("error", stop); // the reader went away (EPIPE: `… --every 1s | head`): stop quietly
  if (!lines) write(`ws101 probe ${spec.url} every ${formatDuration(everyMs)} (Ctrl-C stops)`);

  while (!stopping) {
    const runStart = Date.now();
    current = new AbortController();
    const report = await runProbe(spec, { signal: current.signal });
    current = null;
    if (stopping && !report.ok && report.error?.code === "probe-deadline") break; // cut short: not a result
    stats.runs++;
    report.ok ? stats.passed++ : stats.failed++;
    stats.totals.push(report.timings.totalMs);
    const changed = last !== null && last !== report.ok;
    const change = changed ? { from: last ? "up" : "down", to: report.ok ? "up" : "down", afterMs: Date.now() - since } : null;
    if (changed) { stats.changes++; since = Date.now(); }
    last = report.ok;
    if (lines) {
      write(escapeJson(JSON.stringify({ type: "run", run: stats.runs, at: new Date(runStart).toISOString(), change, ...report })));
    } else {
      if (change) write(`*** state change: ${change.from.toUpperCase()} → ${change.to.toUpperCase()} (was ${change.from} for ${formatDuration(change.afterMs)})`);
      write(compactLine(report, new Date(runStart)));
    }
    const wait = everyMs - (Date.now() - runStart);
    if (!stopping && wait > 0) await new Promise((resolve) => { const t = setTimeout(resolve, wait); wake = () => { clearTimeout(t); resolve(); }; });
    wake = null;
  }
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  if (stream.destroyed || stream.writableEnded) return stats.failed === 0 && stats.runs > 0 ? EXIT_OK : EXIT_CHECK;

  const sorted = [...stats.totals].sort((a, b) => a - b);
  const summary = {
    url: spec.url,
    runs: stats.runs,
    passed: stats.passed,
    failed: stats.failed,
    availability: stats.runs ? round((100 * stats.passed) / stats.runs) : null,
    stateChanges: stats.changes,
    lastState: last === null ? null : last ? "up" : "down",
    durationMs: { min: sorted[0] ?? null, median: median(sorted), max: sorted.at(-1) ?? null },
    elapsedMs: Date.now() - started,
  };
  if (lines) write(JSON.stringify({ type: "summary", ...summary }));
  else {
    write(`--- ${spec.url}: ${summary.runs} runs, ${summary.passed} passed, ${summary.failed} failed (${summary.availability ?? 0}% available), ${summary.stateChanges} state changes, last ${summary.lastState ?? "none"}`);
    if (summary.runs) write(`    probe time min ${summary.durationMs.min} / median ${summary.durationMs.median} / max ${summary.durationMs.max} ms over ${formatDuration(summary.elapsedMs)}`);
  }
  return stats.failed === 0 && stats.runs > 0 ? EXIT_OK : EXIT_CHECK;
}

// `ws101 exporter`: a Prometheus exporter in the shape of blackbox_exporter. GET /probe runs one
// probe of ?target= with ?module= (modules.mjs) and answers its metrics (metrics.mjs); GET /metrics
// answers the exporter's own. Probes run at most --max-concurrent at once; each has a deadline
// (Prometheus' X-Prometheus-Scrape-Timeout-Seconds less half a second, or --timeout) that counts
// the wait for a slot too, so a slow target costs one slot until its deadline and never more.
import http from "node:http";
import { HELP } from "./help.mjs";
import { DEFAULT_EXPORTER_LISTEN, DEFAULT_MAX_CONCURRENT, DEFAULT_PROBE_DEADLINE, MAX_QUEUED } from "./limits.mjs";
import { CONTENT_TYPE, Exposition, probeMetrics } from "./metrics.mjs";
import { loadModules } from "./modules.mjs";
import { runProbe } from "./probe.mjs";
import { wholeNumber } from "./probe-command.mjs";
import { humanReport } from "./report.mjs";
import { makeSpec } from "./spec.mjs";
import { err_, out } from "./text.mjs";
import { EXIT_OK, formatDuration, MAX_DURATION_MS, packageVersion, parse, parseDuration, UsageError } from "./usage.mjs";

const SCRAPE_OFFSET_MS = 500; // left for Prometheus to receive the answer (blackbox: --timeout-offset)

/** Slots for probes: at most `max` run; up to MAX_QUEUED wait in line (first come, first served). */
class Slots {
  running = 0;
  #queue = [];
  constructor(max) { this.max = max; }
  get waiting() { return this.#queue.length; }
  /** Resolves with a release function, or null when `signal` fired first or the line is full. */
  acquire(signal) {
    if (this.running < this.max) { this.running++; return Promise.resolve(() => this.#release()); }
    if (this.#queue.length >= MAX_QUEUED || signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const entry = { grant: () => { signal.removeEventListener("abort", onAbort); resolve(() => this.#release()); } };
      const onAbort = () => { this.#queue.splice(this.#queue.indexOf(entry), 1); resolve(null); };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(entry);
    });
  }
  #release() {
    const next = this.#queue.shift();
    if (next) next.grant();
    else this.running--;
  }
}

function hostPort(text) {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--listen must be HOST:PORT (e.g. ${DEFAULT_EXPORTER_LISTEN}, [::1]:9115, :9115), got ${JSON.stringify(text)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--listen: port ${port} is over 65535`);
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

export async function cmdExporter(args) {
  const { values, positionals } = parse(args, {
    listen: { type: "string" },
    config: { type: "string" },
    "max-concurrent": { type: "string" },
    timeout: { type: "string" },
  });
  if (values.help) return out(HELP.exporter), EXIT_OK;
  if (positionals.length) throw new UsageError(`exporter takes no positional argument, got ${JSON.stringify(positionals[0])}`);
  const { host, port } = hostPort(values.listen ?? DEFAULT_EXPORTER_LISTEN);
  const modules = loadModules(values.config);
  const slots = new Slots(values["max-concurrent"] === undefined ? DEFAULT_MAX_CONCURRENT : wholeNumber(values["max-concurrent"], "--max-concurrent", 1, 10000));
  const fallbackDeadline = values.timeout === undefined ? DEFAULT_PROBE_DEADLINE : parseDuration(values.timeout, "--timeout");
  const stats = { probes: new Map(), unknownModule: 0, badTarget: 0, rejected: 0, started: Date.now() / 1000, ver: packageVersion() };
  const count = (module, result) => {
    const key = `${module}\0${result}`;
    stats.probes.set(key, (stats.probes.get(key) ?? 0) + 1);
  };

  async function probe(req, res, url) {
    const target = url.searchParams.get("target");
    const name = url.searchParams.get("module") ?? "default";
    const plain = (status, text) => { res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }); res.end(text + "\n"); };
    if (!target) return plain(400, "Target parameter is missing");
    const options = modules.get(name);
    if (!options) {
      stats.unknownModule++;
      return plain(400, `Unknown module ${JSON.stringify(name)} (known: ${[...modules.keys()].join(", ")})`);
    }
    let spec;
    try {
      spec = makeSpec({ ...options, url: target }, options.names);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      stats.badTarget++;
      return plain(400, `Bad target ${JSON.stringify(target)}: ${err.message}`);
    }
    const scrape = Number(req.headers["x-prometheus-scrape-timeout-seconds"]);
    const fromScrape = Number.isFinite(scrape) && scrape > 0;
    // (at most the longest timer Node keeps: a longer delay would fire at once)
    const deadline = fromScrape ? Math.min(Math.max(scrape * 1000 - SCRAPE_OFFSET_MS, 100), MAX_DURATION_MS) : fallbackDeadline;
    const limit = new AbortController();
    const why = fromScrape ? `${formatDuration(deadline)}: the scrape timeout ${formatDuration(scrape * 1000)} less ${SCRAPE_OFFSET_MS} ms` : `--timeout ${formatDuration(deadline)}`;
    const timer = setTimeout(() => limit.abort(new Error(why)), deadline);
    const signal = limit.signal;
    // The client went away (Prometheus gave up): stop probing for it.
    const gone = new AbortController();
    res.on("close", () => { if (!res.writableFinished) gone.abort(new Error("the scrape was cancelled")); });
    const both = AbortSignal.any([signal, gone.signal]);
    const queuedAt = Date.now();
    const release = await slots.acquire(both);
    let report;
    if (!release) {
      if (!both.aborted) stats.rejected++;
      const message = both.aborted ? `no probe slot free within the deadline (${why}; --max-concurrent ${slots.max})` : `too many probes waiting (${MAX_QUEUED})`;
      report = { ok: false, exitCode: 2, timings: { totalMs: Date.now() - queuedAt }, checks: [], response: null, echo: null, pings: null, close: null, tls: null, httpVersion: null, error: { code: both.aborted ? "probe-deadline" : "too-many-waiting", message } };
    } else {
      try {
        report = await runProbe({ ...spec, timeoutLabel: `module ${name} timeout` }, { signal: both });
      } finally {
        release();
      }
    }
    clearTimeout(timer);
    count(name, report.ok ? "success" : "failure");
    if (res.destroyed) return;
    if (url.searchParams.get("debug") === "true") {
      return plain(200, `${report.checks.length ? humanReport({ url: target, ...report }) : `probe failed: ${report.error.message}`}\n\nMetrics that would have been returned:\n${probeMetrics(report)}`);
    }
    res.writeHead(200, { "content-type": CONTENT_TYPE });
    res.end(probeMetrics(report));
  }

  function metrics(res) {
    const m = new Exposition();
    m.family("ws101_exporter_build_info", "gauge", "The ws101 package version of this exporter").sample({ version: stats.ver }, 1);
    m.family("ws101_exporter_probes_total", "counter", "Probes run, by module and result");
    for (const [key, n] of stats.probes) { const [module, result] = key.split("\0"); m.sample({ module, result }, n); }
    m.gauge("ws101_exporter_probes_in_flight", "Probes running now", slots.running);
    m.gauge("ws101_exporter_probes_waiting", "Probes waiting for a slot (--max-concurrent)", slots.waiting);
    m.gauge("ws101_exporter_max_concurrent", "The --max-concurrent limit", slots.max);
    m.family("ws101_exporter_probes_rejected_total", "counter", "Probes refused because too many were waiting").sample(null, stats.rejected);
    m.family("ws101_exporter_module_unknown_total", "counter", "Count of unknown modules requested by probes").sample(null, stats.unknownModule);
    m.family("ws101_exporter_bad_target_total", "counter", "Probes refused because the target is not a ws:// or wss:// URL").sample(null, stats.badTarget);
    const usage = process.cpuUsage();
    m.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds").sample(null, (usage.user + usage.system) / 1e6);
    m.gauge("process_resident_memory_bytes", "Resident memory size in bytes", process.memoryUsage.rss());
    m.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds", Math.round(stats.started));
    m.gauge("nodejs_heap_used_bytes", "V8 heap in use, in bytes", process.memoryUsage().heapUsed);
    res.writeHead(200, { "content-type": CONTENT_TYPE });
    res.end(m.text());
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://exporter.invalid");
    if (req.method !== "GET" && req.method !== "HEAD") { res.writeHead(405, { allow: "GET, HEAD" }); return res.end(); }
    switch (url.pathname) {
      case "/probe":
        return probe(req, res, url).catch((err) => {
          err_(`ws101 exporter: internal error: ${err?.stack ?? err}`);
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      case "/metrics": return metrics(res);
      case "/-/healthy": res.writeHead(200, { "content-type": "text/plain" }); return res.end("Healthy\n");
      case "/":
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        return res.end(`ws101 exporter\n\n/probe?target=wss://host/path&module=NAME   probe once, Prometheus metrics (&debug=true: the report)\n/metrics                                  the exporter's own metrics\n\nmodules: ${[...modules.keys()].join(", ")}\n`);
      default:
        res.writeHead(404, { "content-type": "text/plain" });
        return res.end("Not found\n");
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", (err) => reject(new UsageError(`--listen ${host}:${port}: ${err.code ?? err.message}`)));
    server.listen(port, host, resolve);
  });
  const addr = server.address();
  err_(`ws101 exporter listening on http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port} (modules: ${[...modules.keys()].join(", ")}; at most ${slots.max} probes at once)`);
  await new Promise((resolve) => {
    const stop = () => { server.close(resolve); server.closeAllConnections?.(); };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return EXIT_OK;
}

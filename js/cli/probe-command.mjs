// `ws101 probe URL [options]`: flags → a probe spec → one run (human report or one JSON line), or
// repeated runs with --every (watch.mjs).
import { HELP } from "./help.mjs";
import { runProbe } from "./probe.mjs";
import { humanReport, reportJson } from "./report.mjs";
import { makeSpec } from "./spec.mjs";
import { out } from "./text.mjs";
import { EXIT_OK, parse, parseDuration, UsageError } from "./usage.mjs";
import { watch } from "./watch.mjs";

const PROBE_OPTIONS = {
  protocol: { type: "string", multiple: true },
  "require-protocol": { type: "boolean" },
  origin: { type: "string" },
  header: { type: "string", multiple: true },
  send: { type: "string" },
  expect: { type: "string" },
  ping: { type: "string" },
  "close-code": { type: "string" },
  timeout: { type: "string" },
  deflate: { type: "boolean" },
  "require-deflate": { type: "boolean" },
  insecure: { type: "boolean" },
  http2: { type: "boolean" },
  ca: { type: "string" },
  json: { type: "boolean" },
  every: { type: "string" },
};

/** `--json` (one line) or `--json=pretty`; `--json` given as the wrong form is a usage error. */
function jsonMode(args) {
  let mode = null;
  const rest = args.map((a) => {
    const m = /^--json(?:=(.*))?$/.exec(a);
    if (!m) return a;
    if (m[1] !== undefined && m[1] !== "pretty" && m[1] !== "line") throw new UsageError(`--json takes no value or =pretty, got ${JSON.stringify(a)}`);
    mode = m[1] === "pretty" ? "pretty" : "line";
    return "--json";
  });
  return { args: rest, mode };
}

/** A whole number in [min, max], or a UsageError naming the flag. */
export function wholeNumber(text, what, min, max) {
  const n = Number(text);
  if (String(text).trim() === "" || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${what} must be a whole number ${min}-${max}, got ${JSON.stringify(String(text))}`);
  return n;
}

/** Splits 'Name: value' header flags. */
function headerPairs(lines, what) {
  return lines.map((line) => {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new UsageError(`${what} must look like 'Name: value', got ${JSON.stringify(line)}`);
    return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
  });
}

function probeConfig(argv) {
  const { args, mode } = jsonMode(argv);
  const { values, positionals } = parse(args, PROBE_OPTIONS);
  if (values.help) return { help: true };
  if (positionals.length !== 1) throw new UsageError("probe takes exactly one URL (ws://host[:port]/path or wss://…)");
  let expect = null;
  if (values.expect !== undefined) {
    try { expect = new RegExp(values.expect); } catch (err) { throw new UsageError(`--expect: ${err.message}`); }
  }
  const spec = makeSpec({
    url: positionals[0],
    protocols: values.protocol ?? [],
    requireProtocol: values["require-protocol"],
    deflate: values.deflate,
    requireDeflate: values["require-deflate"],
    origin: values.origin,
    headers: headerPairs(values.header ?? [], "--header"),
    send: values.send,
    expect,
    pings: values.ping === undefined ? 0 : wholeNumber(values.ping, "--ping", 0, 10000),
    closeCode: values["close-code"] === undefined ? null : wholeNumber(values["close-code"], "--close-code", 1000, 4999),
    timeout: values.timeout === undefined ? undefined : parseDuration(values.timeout, "--timeout"),
    insecure: values.insecure,
    http2: values.http2,
    ca: values.ca,
  });
  const every = values.every === undefined ? null : parseDuration(values.every, "--every");
  return { spec, json: mode, every };
}

export async function cmdProbe(args) {
  const cfg = probeConfig(args);
  if (cfg.help) return out(HELP.probe), EXIT_OK;
  if (cfg.every !== null) return await watch(cfg.spec, cfg.every, { json: cfg.json });
  const report = await runProbe(cfg.spec);
  out(cfg.json ? reportJson(report, cfg.json === "pretty") : humanReport(report));
  return report.exitCode;
}

// Command-line parsing shared by every `ws101` command: exit codes, usage errors with clean
// messages, durations with units, hex arguments, ws101's typed errors as one line.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

export const EXIT_OK = 0, EXIT_CHECK = 1, EXIT_CONNECT = 2, EXIT_USAGE = 3;

/** A bad invocation: exit 3 with this message and a pointer to --help. */
export class UsageError extends Error {}

/**
 * Parses `args` against `options` (node:util parseArgs, strict). Its errors are reworded: Node's
 * own text suggests `-- "--foo"` and leaves an unbalanced quote behind.
 */
export function parse(args, options) {
  const all = { help: { type: "boolean", short: "h" }, ...options };
  try {
    return parseArgs({ args, options: all, allowPositionals: true, strict: true });
  } catch (err) {
    const opt = /'(-[^' ]+)/.exec(err.message)?.[1] ?? "";
    switch (err.code) {
      case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
        const near = nearest(opt.replace(/^-+/, "").split("=")[0], Object.keys(all));
        throw new UsageError(`unknown option ${opt}${near ? ` (did you mean --${near}?)` : ""}`);
      }
      case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
        if (/argument missing/.test(err.message)) throw new UsageError(`${opt} needs a value`);
        throw new UsageError(`${opt} takes no value`);
      default:
        throw new UsageError(err.message.replace(/'/g, ""));
    }
  }
}

/** The known option closest to `name` (edit distance ≤ 2), or null. */
function nearest(name, known) {
  let best = null, bestDistance = 3;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  return best;
}

function distance(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

const UNIT_MS = { ms: 1, s: 1000, m: 60000, h: 3600000 };

/**
 * A duration: `500ms`, `3s`, `1.5s`, `2m`, `1h30m`; a bare number is milliseconds (as before
 * units existed). Returns milliseconds; a UsageError naming `what` otherwise.
 */
/** The longest timer Node keeps: setTimeout fires a longer delay after 1 ms (TimeoutOverflowWarning). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

export function parseDuration(text, what) {
  const s = String(text).trim();
  let ms = null;
  if (/^\d+(\.\d+)?$/.test(s)) ms = Number(s);
  else if (/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(s)) {
    ms = 0;
    for (const [, n, , unit] of s.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) ms += Number(n) * UNIT_MS[unit];
  }
  if (ms === null || !Number.isFinite(ms) || ms <= 0) throw new UsageError(`${what} must be a positive duration such as 500ms, 3s or 1m (a bare number is milliseconds), got ${JSON.stringify(String(text))}`);
  if (ms > MAX_DURATION_MS) throw new UsageError(`${what} must be at most ${MAX_DURATION_MS} ms (24.8 days, the longest timer Node keeps), got ${JSON.stringify(String(text))}`);
  return ms;
}

/** A duration for people: 500 ms, 3 s, 1.5 min. */
export function formatDuration(ms) {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${Math.round(ms / 10) / 100} s`;
  return `${Math.round(ms / 600) / 100} min`;
}

export function parseHex(text, what) {
  const clean = String(text).replace(/[\s:]/g, "").replace(/^0x/i, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(clean)) throw new UsageError(`${what} must be hex digits, got ${JSON.stringify(text)}`);
  return Buffer.from(clean, "hex");
}

/** ws101's typed error as one line: code (RFC section, header): message. */
export function typedError(err) {
  const where = [err.rfc, err.header].filter(Boolean).join(", ");
  return `${err.code}${where ? ` (${where})` : ""}: ${err.message}`;
}

/** The installed package's version (pkg/package.json beside the CLI). */
export function packageVersion() {
  try {
    return JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
  } catch {
    return "unknown (no package.json beside the CLI)";
  }
}

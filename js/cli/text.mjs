// Output helpers of the `ws101` CLI: rounding, escaping of server text, hex, quoting, stdout/stderr.
import { performance } from "node:perf_hooks";

export const round = (ms) => (ms == null ? null : Math.round(ms * 100) / 100);
export const since = (t) => round(performance.now() - t);
/** UTF-8 text of (at most the first `max` bytes of) a view; bad sequences become U+FFFD. */
export const utf8 = (bytes, max = Infinity) => Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, max)).toString("utf8");

// Text from the server (body, header values, reasons, messages, error strings) must not drive the
// terminal: C0 controls, DEL, C1 controls, and the line/paragraph separators and bidi overrides
// are written as escapes. `escapeText` for the human report, `escapeJson` for JSON text
// (JSON.stringify already escapes C0; this adds DEL, C1 and the rest as \uXXXX).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\x1b" };
export const escapeText = (text) => String(text).replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g; // C0: JSON.stringify did
export const escapeJson = (json) => json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

export const hex = (bytes) => Buffer.from(bytes).toString("hex").replace(/(..)(?!$)/g, "$1 ");

export function quote(text, max = 80) {
  const s = JSON.stringify(text);
  return s.length > max ? s.slice(0, max - 2) + "…\"" : s;
}

export function out(text) { process.stdout.write(text + "\n"); }
export function err_(text) { process.stderr.write(text + "\n"); }

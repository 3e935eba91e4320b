// The core's errors in `ws`'s words and error classes (ws-compatibility): the core's `code`, `rfc`,
// `closeCode` and problems stay on every error; only the sentence and the class follow ws. ws's own
// codes (WS_ERR_*) are never used: every code is a row of the core's table (errorCodes()), and
// Node's system errors (ECONNREFUSED, ERR_TLS_*, …) pass through as Node made them.
import { errorCodes } from "../node.mjs";

let rows = null;

/**
 * An `Error` for a row of the core's table that a transport layer finds (a handshake that timed
 * out, a connection that ended before the response, …): `message` in the layer's words, `code`,
 * `rfc` and `blame` from the row, `fields` added. A code that is not a row is a bug: TypeError.
 */
export function tableError(code, message, fields = {}) {
  rows ??= new Map(errorCodes().map((r) => [r.code, r]));
  const row = rows.get(code);
  if (!row) throw new TypeError(`ws101: ${JSON.stringify(code)} is not a code of the core's table`);
  return Object.assign(new Error(message), { code, rfc: row.rfc, blame: row.blame }, fields);
}

/**
 * A peer's protocol violation as the core reported it, in ws's words and error class; the core's
 * `code`, `rfc` and `closeCode` stay (ws names its codes WS_ERR_*; ws101 keeps its own).
 */
export function peerError(err) {
  if (!err || typeof err !== "object") return err;
  const v = err.value;
  const n = typeof v === "number" ? v : Number.parseInt(v, 10);
  const words = {
    "reserved-opcode": [RangeError, `Invalid WebSocket frame: invalid opcode ${Number.isNaN(n) ? "" : n}`.trim()],
    "expected-continuation": [RangeError, `Invalid WebSocket frame: invalid opcode ${Number.isNaN(n) ? "" : n}`.trim()],
    "unexpected-continuation": [RangeError, "Invalid WebSocket frame: invalid opcode 0"],
    // `value` is the frame's RSV bits (RSV1 = 4, RSV2 = 2, RSV3 = 1); ws names RSV2/RSV3 first.
    "reserved-bits": [RangeError, `Invalid WebSocket frame: ${n & 3 || Number.isNaN(n) ? "RSV2 and RSV3" : "RSV1"} must be clear`],
    "masked-frame": [RangeError, "Invalid WebSocket frame: MASK must be clear"],
    "unmasked-frame": [RangeError, "Invalid WebSocket frame: MASK must be set"],
    "fragmented-control-frame": [RangeError, "Invalid WebSocket frame: FIN must be set"],
    "control-frame-too-long": [RangeError, `Invalid WebSocket frame: invalid payload length ${Number.isNaN(n) ? "" : n}`.trim()],
    "bad-close-payload": [RangeError, "Invalid WebSocket frame: invalid payload length 1"],
    "invalid-close-code": [RangeError, `Invalid WebSocket frame: invalid status code ${Number.isNaN(n) ? "" : n}`.trim()],
    "invalid-close-reason": [Error, "Invalid WebSocket frame: invalid UTF-8 sequence"],
    "invalid-utf8": [Error, "Invalid WebSocket frame: invalid UTF-8 sequence"],
    "message-too-large": [RangeError, "Max payload size exceeded"],
    "frame-too-large": [RangeError, "Max payload size exceeded"],
    "length-msb-set": [RangeError, "Unsupported WebSocket frame: payload length > 2^53 - 1"],
  }[err.code];
  if (!words) return err;
  const [Class, message] = words;
  const out = new Class(message);
  for (const key of ["code", "rfc", "closeCode", "header", "value", "offset", "status"]) if (err[key] !== undefined) out[key] = err[key];
  out.cause = err;
  out.explanation = err.message;
  return out;
}

/** A handshake the core refused, in ws's words (the `wsClientError` error; ws101's fields kept). */
export function requestErrorMessage(code) {
  return {
    "method-not-get": "Invalid HTTP method",
    "missing-upgrade": "Invalid Upgrade header",
    "invalid-upgrade-header": "Invalid Upgrade header",
    "upgrade-not-websocket": "Invalid Upgrade header",
    "missing-key": "Missing or invalid Sec-WebSocket-Key header",
    "bad-key-base64": "Missing or invalid Sec-WebSocket-Key header",
    "bad-key-length": "Missing or invalid Sec-WebSocket-Key header",
    "missing-version": "Missing or invalid Sec-WebSocket-Version header",
    "unsupported-version": "Missing or invalid Sec-WebSocket-Version header",
    "invalid-subprotocol": "Invalid Sec-WebSocket-Protocol header",
    "duplicate-subprotocol": "Invalid Sec-WebSocket-Protocol header",
    "invalid-extension-header": "Invalid or unacceptable Sec-WebSocket-Extensions header",
    "invalid-deflate-param": "Invalid or unacceptable Sec-WebSocket-Extensions header",
  }[code];
}

/** The core's verdict on a close code and reason, in `ws`'s error classes and words. */
export function closeArgumentError(err) {
  if (err?.code === "close-reason-too-long") {
    return Object.assign(new RangeError("The message must not be greater than 123 bytes"), { code: err.code, rfc: err.rfc, cause: err });
  }
  if (err?.code === "invalid-close-code" || err instanceof RangeError || (err instanceof TypeError && /^close code/.test(err.message))) {
    return Object.assign(new TypeError("First argument must be a valid error code number"), { code: "invalid-close-code", rfc: err?.rfc, cause: err });
  }
  return err;
}

/** The core's objection to a server's 101, in ws's words where ws has them (code/rfc/problems kept). */
export function responseError(result, protocols, offeredDeflate) {
  const unoffered = protocols.length ? "Server sent an invalid subprotocol" : "Server sent a subprotocol but none was requested";
  const words = {
    "missing-upgrade": "Invalid Upgrade header",
    "invalid-upgrade-header": "Invalid Upgrade header",
    "upgrade-not-websocket": "Invalid Upgrade header",
    "missing-accept": "Invalid Sec-WebSocket-Accept header",
    "accept-mismatch": "Invalid Sec-WebSocket-Accept header",
    "unoffered-subprotocol": unoffered,
    "invalid-subprotocol": unoffered,
    "duplicate-subprotocol": unoffered,
    "missing-subprotocol": "Server sent no subprotocol",
    "invalid-extension-header": "Invalid Sec-WebSocket-Extensions header",
    "unoffered-extension": offeredDeflate ? "Server indicated an extension that was not requested" : "Server sent a Sec-WebSocket-Extensions header but no extension was requested",
    "invalid-deflate-param": "Invalid Sec-WebSocket-Extensions header",
    "duplicate-extension": "Invalid Sec-WebSocket-Extensions header",
  };
  // The problem ws reports: the first in ws's order of checks (Upgrade, accept key, subprotocol,
  // extensions), whatever order the core found them in.
  const order = Object.keys(words);
  const ranked = [...(result.problems ?? [])].sort((a, b) => rank(order, a.code) - rank(order, b.code));
  const first = ranked[0] ?? {};
  const message = words[first.code] ?? (result.problems ?? []).map((p) => p.explanation ?? p.message).filter(Boolean).join("; ") ?? `Unexpected server response: ${result.status}`;
  return Object.assign(new Error(message || `Unexpected server response: ${result.status}`), {
    code: first.code ?? "unexpected-status", rfc: first.rfc, status: result.status, problems: result.problems,
  });
}

function rank(order, code) {
  const i = order.indexOf(code);
  return i === -1 ? order.length : i;
}

// The probe's own verdicts: the `error.code` of a report that failed for a reason that is neither a
// ws101 error (a row of the core's table, errorCodes()) nor a Node system error (ECONNREFUSED,
// CERT_HAS_EXPIRED, …): an expectation set on the command line that the server did not meet, a limit
// of the probe itself, or the command line. No ws101 API throws these; they name a monitor's
// findings, so they live here and not in the protocol core's table. tests/js/error-codes.test.mjs
// allows these (in js/cli only) besides the table's codes and Node's.
export const PROBE_OUTCOMES = Object.freeze({
  "no-echo": "the echo step received no matching message (--send, --expect)",
  "no-pong": "a ping got no pong (--pings)",
  "unclean-close": "the closing handshake did not complete (RFC 6455 §7.1.4 wasClean false)",
  "unexpected-close-code": "the close code was not the one --close-code expects",
  "protocol-not-chosen": "the server chose none of the offered subprotocols (--require-protocol)",
  "deflate-declined": "the server declined permessage-deflate (--require-deflate)",
  "too-much-data": "the server sent more than the probe reads in one step (64 MiB or 100,000 frames); the probe dropped the connection",
  "check-failed": "a check failed that names no other code (the report's checks say which)",
  "probe-deadline": "the probe's own deadline passed (the exporter's per-probe limit, or watch mode stopping)",
  "too-many-waiting": "the exporter had too many probes waiting for a slot",
  usage: "the command line is not valid (exit 3)",
});


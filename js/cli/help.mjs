// The help texts of the `ws101` commands (`ws101 help [command]`, `ws101 <command> --help`).
import { DEFAULT_EXPORTER_LISTEN, DEFAULT_MAX_CONCURRENT, DEFAULT_TIMEOUT, MAX_MESSAGE, PHASE_MAX_BYTES, PHASE_MAX_FRAMES, WRITE_HIGH } from "./limits.mjs";

const DURATION = "a duration: 500ms, 3s, 1m, 1h30m; a bare number is milliseconds";

export const HELP = {
  main: `ws101 — WebSocket handshake and wire-format toolkit

Usage:
  ws101 probe <ws://|wss://url> [options]   connect, check the 101 handshake, echo, ping, close
  ws101 probe <url> --every 30s             the same, repeated (watch mode; Ctrl-C stops)
  ws101 exporter [--listen H:P] [--config F] a Prometheus exporter: GET /probe?target=URL&module=M
  ws101 accept <Sec-WebSocket-Key>          print the Sec-WebSocket-Accept value (RFC 6455 §4.2.2)
  ws101 frame [options]                     print a frame's bytes as hex (RFC 6455 §5.2)
  ws101 help [command]                      this help, or a command's

  ws101 --version                           the package version

Run "ws101 <command> --help" for a command's options.
Exit codes: 0 healthy, 1 a check failed, 2 could not connect, 3 usage error.`,
  probe: `Usage: ws101 probe <url> [options]

Connects to a WebSocket server (ws:// over TCP, wss:// over TLS), sends the opening handshake and
reports every step with PASS/FAIL: TCP connect time, TLS handshake time, time to the 101, the
status line and every response header, the accept-key check (expected vs received), each of
ws101's handshake checks, the negotiated subprotocol and extensions, the echo, ping RTTs, and the
closing handshake (code, clean or not).

Options:
  --protocol P        offer subprotocol P (repeatable)
  --require-protocol  fail unless the server chooses one of the offered subprotocols
                      (RFC 6455 lets it choose none; a monitor usually must not)
  --origin O          send Origin: O
  --header 'K: V'     send an extra header (repeatable), e.g. 'Authorization: Bearer …'
  --deflate           offer permessage-deflate (RFC 7692)
  --require-deflate   fail unless the server accepts permessage-deflate
  --send TEXT         send TEXT and expect it echoed back
  --expect REGEX      with --send: expect a text message matching REGEX instead of the same text
                      (messages that do not match are skipped, e.g. a greeting sent first)
  --ping N            send N pings and measure the round trips (min/median/max)
  --close-code CODE   fail unless the closing handshake carries CODE (e.g. 1000)
  --timeout T         limit for reaching the 101 (connect + TLS + response) and for each later
                      step (echo, each ping, close); ${DURATION}; default ${DEFAULT_TIMEOUT / 1000}s
  --insecure          wss: do not verify the server's certificate
  --ca FILE           wss: trust the CA certificate(s) in FILE (PEM)
  --http2             open the WebSocket over HTTP/2 (RFC 8441 extended CONNECT; wss: ALPN h2,
                      ws: cleartext h2c): checks SETTINGS_ENABLE_CONNECT_PROTOCOL and the 2xx
  --json              print the report as one JSON line (schema in the README, "CLI: ws101 probe");
                      --json=pretty indents it for people
  --every T           watch mode: probe every T (${DURATION}); on a terminal one line per run,
                      otherwise (or with --json) one JSON object per line; state changes are
                      called out; Ctrl-C stops and prints a summary (exit 0 if every run passed)
  -h, --help          this help

Limits (memory stays bounded whatever the server sends): a message over ${MAX_MESSAGE >> 20} MiB is a protocol
error (1009); a step (echo, each ping, close) that receives more than ${PHASE_MAX_BYTES >> 20} MiB or
${PHASE_MAX_FRAMES} frames fails with "too-much-data" and the probe drops the connection; reading stops
while more than ${WRITE_HIGH >> 10} KiB of our pongs wait for a server that does not read. Text from the
server (body, headers, reasons, messages) is printed with control characters escaped (\\x1b, \\r, …).

Exit codes: 0 healthy, 1 a check failed (non-101 answer, bad accept, no echo, lost pong, unclean
close, …), 2 could not connect (DNS/TCP/TLS failure) or no response (TCP connected, no response
head before the timeout or the close), 3 usage error (also http:// and https:// URLs: use ws://, wss://).`,
  exporter: `Usage: ws101 exporter [--listen HOST:PORT] [--config FILE] [--max-concurrent N] [--timeout T]

A Prometheus exporter in the shape of blackbox_exporter: Prometheus scrapes
  GET /probe?target=wss://host/path&module=NAME
and ws101 probes the target once per scrape and answers with its metrics (probe_success,
probe_duration_seconds, probe_websocket_status_code, probe_websocket_connection_upgraded,
probe_websocket_duration_seconds{phase}, probe_websocket_check_success{check}, ping RTTs, close code,
TLS version and certificate expiry, …; the list is in the README). GET /metrics: the exporter's own
counters. A module (YAML, --config) says what a probe checks; without one a probe checks what
"ws101 probe URL --ping 1" checks: the handshake, one ping answered, a clean close.

Options:
  --listen HOST:PORT   where to listen; default ${DEFAULT_EXPORTER_LISTEN}
  --config FILE        modules (YAML; the keys are in the README); unknown keys are errors
  --max-concurrent N   probes running at once (more wait, then fail with probe-deadline);
                       default ${DEFAULT_MAX_CONCURRENT}
  --timeout T          the longest one probe may take, waiting included, when Prometheus sends no
                       X-Prometheus-Scrape-Timeout-Seconds; ${DURATION}; default 10s
  -h, --help           this help`,
  accept: `Usage: ws101 accept <Sec-WebSocket-Key>

Prints base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), the Sec-WebSocket-Accept a
server answers with (RFC 6455 §4.2.2). The key must be the base64 of exactly 16 bytes; otherwise
ws101's typed error is printed (code, RFC section, explanation) and the exit code is 1.

Options:
  --explain            the steps, as the explainer page shows them: key, key + GUID, SHA-1, base64
  --json               one JSON object: { key, guid, concatenated, sha1, accept, error }
  -h, --help           this help

Example: ws101 accept dGhlIHNhbXBsZSBub25jZQ==   →   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`,
  frame: `Usage: ws101 frame [options]

Prints one WebSocket frame as hex bytes. Valid frames are made by ws101's Connection (server role,
unmasked; client role with --mask, random masking key), which enforces the frame rules; --fin false,
--mask-key and raw opcodes use the core's raw frame encoder, which checks nothing.

Options:
  --text TEXT          text payload (opcode text unless --opcode says otherwise)
  --binary HEX         binary payload, hex digits (spaces and colons ignored)
  --opcode OP          text | binary | ping | pong | close | continuation | 0-15
  --close CODE         a Close frame with status CODE (RFC 6455 §7.4)
  --reason R           with --close: the close reason
  --mask               mask the frame (client to server) with a random key
  --mask-key HEX       mask with this 4-byte key (raw encoder; deterministic output)
  --fin true|false     the FIN bit (default true; false uses the raw encoder)
  --explain            every header field, as the explainer page shows them (decoded by the core)
  --json               one JSON object: { hex, fields: [{ name, bits, value }], payloadLength, masked }
  -h, --help           this help

Examples:
  ws101 frame --text Hello              →  81 05 48 65 6c 6c 6f
  ws101 frame --text Hello --mask-key 37fa213d
  ws101 frame --close 1000 --reason bye
  ws101 frame --opcode ping --text hi --mask
  ws101 frame --text Hel --fin false    →  01 03 48 65 6c`,
};

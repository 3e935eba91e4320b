#!/usr/bin/env node
// `ws101` command line: probe a WebSocket server, compute accept values, print frames.
// The protocol is ws101's wasm core (buildRequest/parseResponse, Connection, acceptKey,
// encodeFrame); this file only drives sockets, timers and output. Exit codes: 0 healthy, 1 a check
// failed, 2 could not connect (DNS/TCP/TLS failure, or timeout/close before the response), 3 usage.
import net from "node:net";
import tls from "node:tls";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { acceptDigest, acceptKey, acceptKeyUnchecked, buildRequest, Connection, decodeFrames, encodeFrame, isWs101Error, websocketGuid } from "./node.mjs";

const EXIT_OK = 0, EXIT_CHECK = 1, EXIT_CONNECT = 2, EXIT_USAGE = 3;
const DEFAULT_TIMEOUT = 10000;
const BODY_PREVIEW = 512;
// Bounds that keep the probe's memory flat whatever the server sends (the session's events are
// consumed as they arrive; only what a step checks is kept).
const MAX_MESSAGE = 16 << 20;      // the core's maxPayload: a bigger message is a 1009 protocol error
const PHASE_MAX_BYTES = 64 << 20;  // per step (echo, each ping, close): bytes received, and payload bytes
const PHASE_MAX_FRAMES = 100000;   // per step: messages and control frames received
const WRITE_HIGH = 256 << 10;      // stop reading while more than this waits to be written (pongs)
const PENDING_MAX = 64;            // messages kept from before the echo step asks for them…
const PENDING_BYTES = 1 << 20;     // …and their bytes
const SKIPPED_MAX = 20;            // skipped messages listed in the echo report (all are counted)
const SKIPPED_CHARS = 200;         // characters shown of each
const EXPECT_MAX = 1 << 20;        // longest text matched against --expect

class UsageError extends Error {}

const HELP = {
  main: `ws101 — WebSocket handshake and wire-format toolkit

Usage:
  ws101 probe <ws://|wss://url> [options]   connect, check the 101 handshake, echo, ping, close
  ws101 accept <Sec-WebSocket-Key>          print the Sec-WebSocket-Accept value (RFC 6455 §4.2.2)
  ws101 frame [options]                     print a frame's bytes as hex (RFC 6455 §5.2)
  ws101 help [command]                      this help, or a command's

Run "ws101 <command> --help" for a command's options.
Exit codes: 0 healthy, 1 a check failed, 2 could not connect, 3 usage error.`,
  probe: `Usage: ws101 probe <url> [options]

Connects to a WebSocket server (ws:// over TCP, wss:// over TLS), sends the opening handshake and
reports every step with PASS/FAIL: TCP connect time, TLS handshake time, time to the 101, the
status line and every response header, the accept-key check (expected vs received), each of
ws101's handshake checks, the negotiated subprotocol and extensions, the echo, ping RTTs, and the
closing handshake (code, clean or not).

Options:
  --protocol P      offer subprotocol P (repeatable)
  --origin O        send Origin: O
  --header 'K: V'   send an extra header (repeatable)
  --deflate         offer permessage-deflate (RFC 7692)
  --send TEXT       send TEXT and expect it echoed back
  --expect REGEX    with --send: expect a text message matching REGEX instead of the same text
                    (messages that do not match are skipped, e.g. a greeting sent first)
  --ping N          send N pings and measure the round trips (min/median/max)
  --timeout MS      limit for reaching the 101 (connect + TLS + response) and for each later
                    step (echo, each ping, close); default ${DEFAULT_TIMEOUT}
  --insecure        wss: do not verify the server's certificate
  --ca FILE         wss: trust the CA certificate(s) in FILE (PEM)
  --json            print one JSON object (schema in the README, "CLI: ws101 probe")
  -h, --help        this help

Limits (memory stays bounded whatever the server sends): a message over ${MAX_MESSAGE >> 20} MiB is a protocol
error (1009); a step (echo, each ping, close) that receives more than ${PHASE_MAX_BYTES >> 20} MiB or
${PHASE_MAX_FRAMES} frames fails with "too-much-data" and the probe drops the connection; reading stops
while more than ${WRITE_HIGH >> 10} KiB of our pongs wait for a server that does not read. Text from the
server (body, headers, reasons, messages) is printed with control characters escaped (\\x1b, \\r, …).

Exit codes: 0 healthy, 1 a check failed (non-101 answer, bad accept, no echo, lost pong, unclean
close, …), 2 could not connect (DNS/TCP/TLS failure, or timeout/close before the response),
3 usage error.`,
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

// ---------------------------------------------------------------------------------------------
// Helpers

const round = (ms) => (ms == null ? null : Math.round(ms * 100) / 100);
const since = (t) => round(performance.now() - t);
/** UTF-8 text of (at most the first `max` bytes of) a view; bad sequences become U+FFFD. */
const utf8 = (bytes, max = Infinity) => Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, max)).toString("utf8");

// Text from the server (body, header values, reasons, messages, error strings) must not drive the
// terminal: C0 controls, DEL, C1 controls, and the line/paragraph separators and bidi overrides
// are written as escapes. `escapeText` for the human report, `escapeJson` for JSON text
// (JSON.stringify already escapes C0; this adds DEL, C1 and the rest as \uXXXX).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\x1b" };
const escapeText = (text) => String(text).replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g; // C0: JSON.stringify did
const escapeJson = (json) => json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

const hex = (bytes) => Buffer.from(bytes).toString("hex").replace(/(..)(?!$)/g, "$1 ");

function parseHex(text, what) {
  const clean = String(text).replace(/[\s:]/g, "").replace(/^0x/i, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(clean)) throw new UsageError(`${what} must be hex digits, got ${JSON.stringify(text)}`);
  return Buffer.from(clean, "hex");
}

function parse(args, options) {
  try {
    return parseArgs({ args, options: { help: { type: "boolean", short: "h" }, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err.message);
  }
}

function typedError(err) {
  const where = [err.rfc, err.header].filter(Boolean).join(", ");
  return `${err.code}${where ? ` (${where})` : ""}: ${err.message}`;
}

function quote(text, max = 80) {
  const s = JSON.stringify(text);
  return s.length > max ? s.slice(0, max - 2) + "…\"" : s;
}

// ---------------------------------------------------------------------------------------------
// accept

function cmdAccept(args) {
  const { values, positionals } = parse(args, { explain: { type: "boolean" }, json: { type: "boolean" } });
  if (values.help) return out(HELP.accept), EXIT_OK;
  if (positionals.length !== 1) throw new UsageError("accept takes exactly one argument: the Sec-WebSocket-Key");
  const key = positionals[0];
  let accept = null;
  let error = null;
  try {
    accept = acceptKey(key);
  } catch (err) {
    if (!isWs101Error(err)) throw err;
    error = err;
  }
  // The steps are computed by the core for any string, as the explainer shows them.
  const steps = { key, guid: websocketGuid(), concatenated: key + websocketGuid(), sha1: hex(acceptDigest(key)), accept: accept ?? acceptKeyUnchecked(key) };
  if (values.json) {
    out(JSON.stringify({ ...steps, valid: !error, error: error && { code: error.code, rfc: error.rfc, header: error.header, message: error.message } }));
    return error ? EXIT_CHECK : EXIT_OK;
  }
  if (values.explain) {
    out(`key                 ${steps.key}${error ? `   (${error.code}: ${error.message})` : "   (base64 of 16 bytes)"}`);
    out(`key + GUID          ${steps.concatenated}`);
    out(`SHA-1               ${steps.sha1}`);
    out(`base64 → accept     ${steps.accept}`);
    return error ? EXIT_CHECK : EXIT_OK;
  }
  if (error) {
    err_(`ws101 accept: ${typedError(error)}`);
    return EXIT_CHECK;
  }
  out(accept);
  return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// frame

const OPCODES = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

function cmdFrame(args) {
  const { values, positionals } = parse(args, {
    text: { type: "string" },
    binary: { type: "string" },
    opcode: { type: "string" },
    close: { type: "string" },
    reason: { type: "string" },
    mask: { type: "boolean" },
    "mask-key": { type: "string" },
    fin: { type: "string" },
    explain: { type: "boolean" },
    json: { type: "boolean" },
  });
  if (values.help) return out(HELP.frame), EXIT_OK;
  if (positionals.length) throw new UsageError(`frame takes no positional argument, got ${JSON.stringify(positionals[0])}`);
  if (values.text !== undefined && values.binary !== undefined) throw new UsageError("give --text or --binary, not both");
  let opcode;
  if (values.opcode !== undefined) {
    const name = values.opcode.toLowerCase();
    opcode = name in OPCODES ? OPCODES[name] : /^(0x)?[0-9a-f]+$/i.test(name) ? Number(name) : NaN;
    if (!Number.isInteger(opcode) || opcode < 0 || opcode > 15) throw new UsageError(`--opcode must be text, binary, ping, pong, close, continuation or 0-15, got ${values.opcode}`);
  } else if (values.close !== undefined) opcode = OPCODES.close;
  else if (values.text !== undefined) opcode = OPCODES.text;
  else if (values.binary !== undefined) opcode = OPCODES.binary;
  else throw new UsageError("frame needs --text, --binary, --opcode or --close");
  if (values.close !== undefined && opcode !== OPCODES.close) throw new UsageError("--close makes a Close frame; it cannot be combined with another --opcode");
  if (values.reason !== undefined && values.close === undefined) throw new UsageError("--reason needs --close CODE");
  let fin = true;
  if (values.fin !== undefined) {
    if (!["true", "false", "1", "0"].includes(values.fin)) throw new UsageError(`--fin must be true or false, got ${values.fin}`);
    fin = values.fin === "true" || values.fin === "1";
  }
  const payload = values.text !== undefined ? Buffer.from(values.text, "utf8") : values.binary !== undefined ? parseHex(values.binary, "--binary") : Buffer.alloc(0);
  const maskKey = values["mask-key"] !== undefined ? parseHex(values["mask-key"], "--mask-key") : null;
  if (maskKey && maskKey.length !== 4) throw new UsageError("--mask-key must be 4 bytes (8 hex digits)");
  const known = [OPCODES.text, OPCODES.binary, OPCODES.close, OPCODES.ping, OPCODES.pong].includes(opcode);
  let bytes;
  try {
    if (!fin || maskKey || !known) {
      // Raw encoder: header fields as given, no frame rule checked.
      if (values.close !== undefined) throw new UsageError("--close builds a valid Close frame through Connection; for a raw Close frame use --opcode close --binary HEX");
      const key = maskKey ?? (values.mask ? randomBytes(4) : undefined);
      bytes = encodeFrame({ opcode, fin, payload, mask: key !== undefined, maskKey: key }).bytes;
    } else {
      const conn = new Connection({ role: values.mask ? "client" : "server" });
      switch (opcode) {
        case OPCODES.text: bytes = conn.sendText(payload); break;
        case OPCODES.binary: bytes = conn.sendBinary(payload); break;
        case OPCODES.ping: bytes = conn.ping(payload); break;
        case OPCODES.pong: bytes = conn.pong(payload); break;
        case OPCODES.close: {
          if (payload.length) throw new UsageError("a Close frame's payload is --close CODE [--reason R]");
          let code;
          if (values.close !== undefined) {
            code = Number(values.close);
            if (!Number.isInteger(code) || code < 0 || code > 65535) throw new UsageError(`--close must be a number 0-65535, got ${values.close}`);
          }
          bytes = conn.close(code, values.reason ?? "");
          break;
        }
      }
      conn.free();
    }
  } catch (err) {
    if (!isWs101Error(err)) throw err;
    err_(`ws101 frame: ${typedError(err)}`);
    return EXIT_CHECK;
  }
  if (values.explain || values.json) {
    // The header laid open by the core's frame decoder (as a server receives a masked frame,
    // as a client an unmasked one); no rule is applied to the frame here.
    const decoded = decodeFrames(bytes, values.mask || maskKey ? "server" : "client");
    const frame = decoded.frames[0];
    const fields = (frame?.fields ?? []).map((f) => ({ name: f.name, bits: `${f.bitOffset}-${f.bitOffset + f.bitLength - 1}`, value: f.value }));
    if (values.json) {
      out(JSON.stringify({ hex: hex(bytes), fields, payloadLength: frame?.payloadLength ?? null, masked: frame?.masked ?? null }));
      return EXIT_OK;
    }
    out(hex(bytes));
    for (const f of fields) out(`  ${f.name.padEnd(18)} bits ${f.bits.padEnd(7)} ${f.value > 9 ? `${f.value} (0x${f.value.toString(16)})` : f.value}`);
    return EXIT_OK;
  }
  out(hex(bytes));
  return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// probe

const PROBE_OPTIONS = {
  protocol: { type: "string", multiple: true },
  origin: { type: "string" },
  header: { type: "string", multiple: true },
  send: { type: "string" },
  expect: { type: "string" },
  ping: { type: "string" },
  timeout: { type: "string" },
  deflate: { type: "boolean" },
  insecure: { type: "boolean" },
  ca: { type: "string" },
  json: { type: "boolean" },
};

function probeConfig(args) {
  const { values, positionals } = parse(args, PROBE_OPTIONS);
  if (values.help) return { help: true };
  if (positionals.length !== 1) throw new UsageError("probe takes exactly one URL (ws://host[:port]/path or wss://…)");
  const timeout = values.timeout === undefined ? DEFAULT_TIMEOUT : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds, got ${values.timeout}`);
  const pings = values.ping === undefined ? 0 : Number(values.ping);
  if (!Number.isInteger(pings) || pings < 0 || pings > 10000) throw new UsageError(`--ping must be a whole number 0-10000, got ${values.ping}`);
  let expect = null;
  if (values.expect !== undefined) {
    if (values.send === undefined) throw new UsageError("--expect needs --send TEXT");
    try { expect = new RegExp(values.expect); } catch (err) { throw new UsageError(`--expect: ${err.message}`); }
  }
  const headers = (values.header ?? []).map((line) => {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new UsageError(`--header must look like 'Name: value', got ${JSON.stringify(line)}`);
    return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
  });
  let ca;
  if (values.ca !== undefined) {
    try { ca = readFileSync(values.ca); } catch (err) { throw new UsageError(`--ca: cannot read ${values.ca}: ${err.code ?? err.message}`); }
  }
  let request;
  try {
    request = buildRequest(positionals[0], {
      protocols: values.protocol ?? [],
      origin: values.origin,
      headers,
      perMessageDeflate: values.deflate === true,
    });
  } catch (err) {
    if (isWs101Error(err)) throw new UsageError(typedError(err));
    throw new UsageError(err.message);
  }
  return {
    url: positionals[0], request, timeout, pings, expect, send: values.send ?? null,
    insecure: values.insecure === true, ca, json: values.json === true,
  };
}

let overallTimeout = DEFAULT_TIMEOUT;
const timeoutLabel = () => `${overallTimeout} ms`;

/** Waits for `emitter` to emit `event`; rejects on error, close or the deadline. */
function step(emitter, event, ms, what) {
  return new Promise((resolve, reject) => {
    const done = (fn, value) => { clearTimeout(timer); emitter.off(event, onEvent); emitter.off("error", onError); emitter.off("close", onClose); fn(value); };
    const onEvent = (value) => done(resolve, value);
    const onError = (err) => done(reject, err);
    const onClose = () => done(reject, Object.assign(new Error(`the connection closed during ${what}`), { code: "closed" }));
    const timer = setTimeout(() => done(reject, Object.assign(new Error(`${what} timed out (--timeout ${timeoutLabel(ms)})`), { code: "timeout" })), Math.max(0, ms));
    emitter.once(event, onEvent);
    emitter.once("error", onError);
    emitter.once("close", onClose);
  });
}

/**
 * The WebSocket session after the 101. Events are consumed as they arrive: the step that is
 * waiting (`next`) takes what it needs (copied, bounded) and everything else is counted and
 * dropped, so memory stays bounded whatever the server sends. Pongs and close replies are written
 * with backpressure (reading stops while too much waits to be written), and each step (echo,
 * each ping, close) may receive at most PHASE_MAX_BYTES / PHASE_MAX_FRAMES before the probe
 * gives up on the server (`flood`).
 */
class Session {
  closed = false;   // the transport ended
  errors = [];      // protocol errors found by the core (the first few)
  closeEvent = null;
  closeAt = null;
  flood = null;     // { phase, bytes, payloadBytes, frames, message } once a step's cap was exceeded
  phase = "session";
  traffic = { bytesReceived: 0, messages: 0, pings: 0, pongs: 0, dropped: 0, readPauses: 0 };
  #phaseBytes = 0;
  #phasePayload = 0;
  #phaseFrames = 0;
  #take = null;     // the waiting step's consumer: (event) => value, or undefined to pass
  #waiters = new Set();
  #pending = [];    // messages that arrived before the echo step asked (copied, bounded)
  #pendingBytes = 0;
  #keep;            // whether messages are kept for a later step (until the echo step ran)
  #readPaused = false;

  constructor(socket, conn, leftover, { keepMessages = false } = {}) {
    this.socket = socket;
    this.conn = conn;
    this.#keep = keepMessages;
    socket.on("data", (chunk) => this.#onData(chunk));
    socket.on("drain", () => {
      if (this.#readPaused && !this.flood && !socket.destroyed) { this.#readPaused = false; socket.resume(); }
    });
    socket.on("end", () => { if (!socket.destroyed) socket.end(); });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.#feed(() => conn.receiveEof());
      this.#notify();
    });
    if (leftover.length) this.#onData(leftover);
  }

  /** Starts a step: its own receive caps. */
  startPhase(name) {
    this.phase = name;
    this.#phaseBytes = this.#phasePayload = this.#phaseFrames = 0;
  }

  /** No step will ask for earlier messages any more. */
  stopKeeping() {
    this.#keep = false;
    this.traffic.dropped += this.#pending.length;
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Bytes written by us that the server has not taken yet (it is not reading). */
  get unsent() {
    return this.socket.writableLength ?? 0;
  }

  #onData(chunk) {
    if (this.flood) return;
    this.traffic.bytesReceived += chunk.length;
    this.#phaseBytes += chunk.length;
    this.#feed(() => this.conn.receive(chunk));
  }

  #feed(receive) {
    let events;
    try {
      events = receive();
    } catch (err) {
      // Not a protocol error (those are events): the core could not go on (e.g. out of memory).
      if (this.errors.length < 5) this.errors.push(err);
      this.socket.destroy();
      return;
    }
    for (const event of events) this.#dispatch(event);
    try {
      this.write(this.conn.takeOutput());
    } catch (err) {
      if (this.errors.length < 5) this.errors.push(err);
      this.socket.destroy();
    }
    if (!this.flood && (this.#phaseBytes > PHASE_MAX_BYTES || this.#phasePayload > PHASE_MAX_BYTES || this.#phaseFrames > PHASE_MAX_FRAMES)) this.#flooded();
    this.#notify();
  }

  #dispatch(event) {
    switch (event.type) {
      case "ping": // answered by the core (auto-pong), written with backpressure
        this.traffic.pings++;
        this.#phaseFrames++;
        return;
      case "pong":
        this.traffic.pongs++;
        this.#phaseFrames++;
        if (!this.#offer(event)) this.traffic.dropped++;
        return;
      case "text":
      case "binary": {
        this.traffic.messages++;
        this.#phaseFrames++;
        const len = event.data.byteLength;
        this.#phasePayload += len;
        if (this.#offer(event)) return;
        if (this.#take === null && this.#keep && this.#pending.length < PENDING_MAX && this.#pendingBytes + len <= PENDING_BYTES) {
          // `data` is a view into wasm memory, valid only until the next call: copy it.
          this.#pending.push({ type: event.type, data: Buffer.from(event.data) });
          this.#pendingBytes += len;
        } else this.traffic.dropped++;
        return;
      }
      case "close":
        if (!this.closeEvent) {
          this.closeEvent = { type: "close", code: event.code, reason: event.reason, wasClean: event.wasClean };
          this.closeAt = performance.now();
        }
        return;
      case "error":
        if (this.errors.length < 5) this.errors.push(event.error);
        return;
    }
  }

  /** Hands `event` to the waiting step; true when it took it (the step resolves with the value). */
  #offer(event) {
    if (!this.#take) return false;
    const value = this.#take(event);
    return value !== undefined;
  }

  #flooded() {
    const what = this.#phaseFrames > PHASE_MAX_FRAMES ? `more than ${PHASE_MAX_FRAMES} frames`
      : this.#phaseBytes > PHASE_MAX_BYTES ? `more than ${PHASE_MAX_BYTES / (1 << 20)} MiB`
      : `more than ${PHASE_MAX_BYTES / (1 << 20)} MiB of message data (${this.#phasePayload} bytes once decompressed)`;
    this.flood = {
      phase: this.phase,
      bytes: this.#phaseBytes,
      payloadBytes: this.#phasePayload,
      frames: this.#phaseFrames,
      message: `the server sent ${what} during the ${this.phase} step (${this.#phaseBytes} bytes, ${this.#phaseFrames} frames); the probe stopped reading and dropped the connection`,
    };
    this.socket.pause();
    this.socket.destroy();
  }

  /** Whether the connection still takes messages from us (not closing or closed). */
  get open() {
    if (this.closed || this.flood) return false;
    try {
      return this.conn.state === "open";
    } catch {
      return false;
    }
  }

  /** Sends what `make(conn)` returns; false when the connection no longer takes it. */
  send(make) {
    if (!this.open) return false;
    try {
      this.write(make(this.conn));
      return true;
    } catch {
      return false; // a ws101 error (closing), or the core could not go on
    }
  }

  /** Writes; stops reading while more than WRITE_HIGH bytes wait (resumed on "drain"). */
  write(bytes) {
    if (!bytes || !bytes.length || this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(bytes);
    if (!this.#readPaused && this.socket.writableLength > WRITE_HIGH) {
      this.#readPaused = true;
      this.traffic.readPauses++;
      this.socket.pause();
    }
  }

  #notify() {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /**
   * Waits for the first event that `take(event)` consumes (returns a value other than
   * undefined; `take` must copy what it keeps: payloads are views); resolves with that value,
   * or null after `ms`, the transport's end or a flood. One step waits at a time.
   */
  next(take, ms) {
    return new Promise((resolve) => {
      let done = false;
      const finish = (value) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (this.#take === consume) this.#take = null;
        resolve(value);
      };
      const consume = (event) => {
        if (done) return undefined;
        const value = take(event);
        if (value !== undefined) finish(value);
        return value;
      };
      const check = () => { if (this.closed || this.flood) finish(null); };
      const timer = setTimeout(() => finish(null), Math.max(0, ms));
      this.#take = consume;
      this.#waiters.add(check);
      while (!done && this.#pending.length) {
        const event = this.#pending.shift();
        this.#pendingBytes -= event.data.length;
        consume(event);
      }
      if (!done) check();
    });
  }

  /** Resolves true once `condition()` holds (checked after every chunk), false after `ms`. */
  until(condition, ms) {
    return new Promise((resolve) => {
      if (condition()) return resolve(true);
      const check = () => { if (condition()) finish(true); else if (this.closed || this.flood) finish(condition()); };
      const finish = (value) => { clearTimeout(timer); this.#waiters.delete(check); resolve(value); };
      const timer = setTimeout(() => finish(false), Math.max(0, ms));
      this.#waiters.add(check);
    });
  }

  /** Resolves true once the transport has ended, false after `ms`. */
  ended(ms) {
    return new Promise((resolve) => {
      if (this.closed) return resolve(true);
      const timer = setTimeout(() => { this.socket.off("close", onClose); resolve(false); }, ms);
      const onClose = () => { clearTimeout(timer); resolve(true); };
      this.socket.once("close", onClose);
    });
  }
}

function extensionString(ext) {
  return [ext.name, ...ext.params.map((p) => (p.value == null ? p.name : `${p.name}=${p.value}`))].join("; ");
}

function headerValue(headers, name) {
  return headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] ?? null;
}

async function runProbe(cfg) {
  const { request, timeout } = cfg;
  const report = {
    url: cfg.url,
    ok: false,
    exitCode: null,
    target: { host: request.host, port: request.port, secure: request.secure, resource: request.resource, address: null },
    timings: { dnsMs: null, connectMs: null, tlsMs: null, handshakeMs: null, totalMs: null },
    tls: null,
    request: { headers: request.headers.map(({ name, value }) => [name, value]) },
    response: null,
    accept: { expected: request.expectedAccept, received: null },
    checks: [],
    problems: [],
    protocol: null,
    extensions: [],
    deflate: null,
    echo: null,
    pings: null,
    close: null,
    traffic: null,
    error: null,
  };
  const check = (name, ok, detail, extra = {}) => report.checks.push({ name, ok, detail, ...extra });
  overallTimeout = timeout;
  const start = performance.now();
  const deadline = start + timeout;
  const left = () => deadline - performance.now();
  const finish = (code) => {
    if (code !== EXIT_OK && !report.error) {
      // Every failure says why (the first failed check), never "error": null.
      const failed = report.checks.find((c) => !c.ok);
      report.error = { code: failed ? `${failed.name}-failed` : "failed", message: failed ? `${failed.name}: ${failed.detail}` : "a check failed" };
    }
    report.exitCode = code;
    report.ok = code === EXIT_OK;
    report.timings.totalMs = since(start);
    return report;
  };
  const connectFailure = (name, err) => {
    check(name, false, err.message);
    report.error = { code: err.code ?? "error", message: err.message };
    return finish(EXIT_CONNECT);
  };

  // 1. TCP (and DNS when the host is a name)
  const tcp = net.connect({ host: request.host, port: request.port });
  tcp.on("lookup", (err, address) => { if (!err) report.timings.dnsMs = since(start); report.target.address = address ?? null; });
  tcp.setNoDelay(true);
  try {
    await step(tcp, "connect", left(), "TCP connect");
  } catch (err) {
    tcp.destroy();
    return connectFailure("connect", err);
  }
  const connectedAt = performance.now();
  report.timings.connectMs = round(connectedAt - start);
  report.target.address ??= tcp.remoteAddress ?? null;
  check("connect", true, `TCP connected to ${tcp.remoteAddress}:${tcp.remotePort}`);

  // 2. TLS (wss)
  let socket = tcp;
  if (request.secure) {
    socket = tls.connect({
      socket: tcp,
      servername: net.isIP(request.host) ? undefined : request.host,
      rejectUnauthorized: !cfg.insecure,
      ca: cfg.ca,
    });
    try {
      await step(socket, "secureConnect", left(), "TLS handshake");
    } catch (err) {
      socket.destroy();
      return connectFailure("tls", err);
    }
    report.timings.tlsMs = since(connectedAt);
    report.tls = {
      protocol: socket.getProtocol(),
      cipher: socket.getCipher()?.name ?? null,
      authorized: socket.authorized,
      authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
    };
    const verified = socket.authorized ? "certificate verified" : `certificate NOT verified (--insecure: ${report.tls.authorizationError})`;
    check("tls", true, `${report.tls.protocol} ${report.tls.cipher}, ${verified}`);
  }

  // 3. The opening handshake
  const sentAt = performance.now();
  let buffered = Buffer.alloc(0);
  let result;
  try {
    result = await new Promise((resolve, reject) => {
      const cleanup = () => { clearTimeout(timer); socket.off("data", onData); socket.off("error", onError); socket.off("close", onClose); };
      const onData = (chunk) => {
        buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
        let r;
        try {
          r = request.parseResponse(buffered);
        } catch (err) {
          cleanup();
          return reject(err);
        }
        if (r.complete) { cleanup(); resolve(r); }
      };
      const onError = (err) => { cleanup(); reject(err); };
      const onClose = () => {
        cleanup();
        reject(Object.assign(new Error(buffered.length
          ? `the server closed the connection before a complete response head (${buffered.length} bytes received)`
          : "the server accepted the TCP connection, then closed it without sending a response"), { code: "closed-before-response" }));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(Object.assign(new Error(buffered.length
          ? `no complete response head within ${timeout} ms (${buffered.length} bytes received)`
          : `no response: the server accepted the TCP connection but sent nothing within ${timeout} ms`), { code: "timeout" }));
      }, Math.max(0, left()));
      socket.on("data", onData);
      socket.on("error", onError);
      socket.on("close", onClose);
      socket.write(Buffer.from(request.bytes));
    });
  } catch (err) {
    socket.destroy();
    return connectFailure("response", err);
  }
  report.timings.handshakeMs = since(sentAt);
  socket.pause();
  const headers = (result.headers ?? []).map(({ name, value }) => [name, value]);
  report.problems = result.problems;
  if (result.status === 0) {
    // The head could not be read as HTTP/1.1. The core's size limits speak of the request and a
    // 431 (its server side); here the oversized head is the server's response.
    result.problems = result.problems.map(responseProblem);
    report.problems = result.problems;
    const why = result.problems.map((p) => p.explanation).join(" ") || "unreadable response";
    check("response", false, why, { rfc: result.problems[0]?.rfc ?? null });
    report.response = { status: 0, version: "", reason: "", headers: [], body: buffered.subarray(0, BODY_PREVIEW).toString("utf8") };
    report.error = { code: result.problems[0]?.code ?? "malformed-head", message: why };
    socket.destroy();
    return finish(EXIT_CHECK);
  }
  report.response = { status: result.status, version: result.version, reason: result.reason, headers, body: null };
  report.accept.received = headerValue(headers, "Sec-WebSocket-Accept");
  check("response", true, `${result.version} ${result.status} ${result.reason}`.trim());
  const explain = (codes) => result.problems.filter((p) => codes.includes(p.code)).map((p) => p.explanation).join(" ");
  for (const v of result.verdicts) {
    let detail = v.passed ? v.rule : explain(v.codes) || v.rule;
    if (v.check === "accept") detail = `expected ${report.accept.expected}, received ${report.accept.received ?? "(none)"}${v.passed ? "" : ` — ${detail}`}`;
    if (v.check === "status" && !v.passed) detail = statusReason(result, headers);
    check(v.check, v.passed, detail, { rfc: v.rfc });
  }

  if (!result.ok) {
    const first = result.problems[0];
    report.error = {
      code: first?.code ?? "handshake-failed",
      message: result.status !== 101 ? statusReason(result, headers) : result.problems.map((p) => p.explanation).join(" "),
    };
    if (result.status !== 101) report.response.body = await bodyPreview(socket, buffered.subarray(result.consumed ?? buffered.length), Math.min(300, Math.max(0, left())));
    socket.destroy();
    return finish(EXIT_CHECK);
  }
  report.protocol = result.protocol;
  report.extensions = result.extensions;
  report.deflate = result.deflate;

  // 4. The WebSocket session. Payloads are views into wasm memory (no copy per message); each step
  // copies only what it checks.
  const conn = new Connection({ role: "client", deflate: result.deflate, maxPayload: MAX_MESSAGE, views: true, textAsBytes: true });
  const session = new Session(socket, conn, buffered.subarray(result.consumed), { keepMessages: cfg.send !== null });
  buffered = null;
  report.traffic = session.traffic;
  socket.resume();
  const stalled = () => (session.unsent > WRITE_HIGH ? ` (the server is not reading: ${session.unsent} bytes of ours unsent)` : "");
  const fail = (code, message) => { report.error ??= { code, message }; };

  if (cfg.send !== null) {
    session.startPhase("echo");
    const echo = { sent: cfg.send, expect: cfg.expect ? cfg.expect.source : null, received: null, skipped: [], skippedCount: 0, ok: false, ms: null };
    report.echo = echo;
    const t = performance.now();
    const sentBytes = Buffer.from(cfg.send, "utf8");
    const sent = session.send((c) => c.sendText(cfg.send));
    const skip = (note) => {
      echo.skippedCount++;
      if (echo.skipped.length < SKIPPED_MAX) echo.skipped.push(note);
    };
    // Called with each text or binary message as it arrives; returns the matching text.
    const take = (e) => {
      if (e.type !== "text" && e.type !== "binary") return undefined;
      const bytes = e.data;
      if (e.type === "binary") return skip(`<binary ${bytes.byteLength} bytes>`);
      if (!cfg.expect) {
        if (bytes.byteLength === sentBytes.length && sentBytes.equals(bytes)) return cfg.send;
        return skip(utf8(bytes, SKIPPED_CHARS * 4).slice(0, SKIPPED_CHARS));
      }
      if (bytes.byteLength > EXPECT_MAX) return skip(`<text ${bytes.byteLength} bytes, too long to match>`);
      const text = utf8(bytes);
      cfg.expect.lastIndex = 0;
      if (cfg.expect.test(text)) return text;
      return skip(text.slice(0, SKIPPED_CHARS));
    };
    // Not sent: still list what the server had sent (the pending messages), without waiting.
    const got = sent ? await session.next(take, timeout) : (await session.next(take, 0), null);
    session.stopKeeping();
    echo.ms = got !== null ? since(t) : null;
    echo.received = got;
    echo.ok = got !== null;
    const want = cfg.expect ? `a message matching /${cfg.expect.source}/` : `the same text back`;
    const skippedNote = echo.skippedCount ? ` (skipped ${echo.skippedCount}: ${echo.skipped.map((s) => quote(s, 60)).join(", ")}${echo.skippedCount > echo.skipped.length ? ", …" : ""})` : "";
    const why = !sent ? "the connection is closing or closed" : session.flood ? session.flood.message : session.closed ? "the connection closed first" : `nothing within ${timeout} ms${stalled()}`;
    check("echo", echo.ok, echo.ok
      ? `sent ${quote(cfg.send)}, received ${quote(got)} in ${echo.ms} ms${skippedNote}`
      : `${sent ? "sent" : "could not send"} ${quote(cfg.send)}, expected ${want}; ${why}${skippedNote}`);
    if (!echo.ok) fail(session.flood ? "too-much-data" : "no-echo", `echo: ${why}`);
  }

  if (cfg.pings > 0) {
    const rtts = [];
    let failure = null;
    for (let i = 0; i < cfg.pings; i++) {
      session.startPhase(`ping ${i + 1}`);
      const payload = Buffer.from(`ws101-probe-${i}`);
      const t = performance.now();
      if (!session.send((c) => c.ping(payload))) { failure = session.flood ? session.flood.message : "the connection is closing or closed"; break; }
      const pong = await session.next((e) => (e.type === "pong" && payload.equals(e.data) ? true : undefined), timeout);
      if (!pong) { failure = session.flood ? session.flood.message : session.closed ? "the connection closed" : `no pong for ping ${i + 1} within ${timeout} ms${stalled()}`; break; }
      rtts.push(since(t));
    }
    const sorted = [...rtts].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    report.pings = {
      count: cfg.pings,
      received: rtts.length,
      rttsMs: rtts,
      minMs: sorted.length ? sorted[0] : null,
      medianMs: sorted.length ? round(sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2) : null,
      maxMs: sorted.length ? sorted[sorted.length - 1] : null,
    };
    const p = report.pings;
    check("ping", !failure, `${p.received}/${p.count} pongs${p.received ? `, RTT min ${p.minMs} / median ${p.medianMs} / max ${p.maxMs} ms` : ""}${failure ? `; ${failure}` : ""}`);
    if (failure) fail(session.flood ? "too-much-data" : "no-pong", `ping: ${failure}`);
  }

  // 5. The closing handshake (RFC 6455 §7): we send Close 1000 unless the server already did; the
  // server closes TCP first (§7.1.1). ws101's Connection decides whether it was clean.
  session.startPhase("close");
  const t = performance.now();
  let initiator = "client";
  if (session.closeEvent || session.closed) initiator = session.closeEvent && session.closeEvent.code !== 1006 ? "server" : "transport";
  else if (session.errors.length) initiator = "client"; // the core already sent the error's Close
  else if (!session.send((c) => c.close(1000, "ws101 probe done"))) initiator = "server";
  let closeStall = "";
  if (!session.closed) {
    await session.until(() => session.closeEvent !== null, timeout);
    closeStall = stalled();
    if (!(await session.ended(timeout))) {
      socket.destroy();
      await session.ended(1000);
    }
  }
  const ev = session.closeEvent ?? { code: 1006, reason: "", wasClean: false };
  let clean = false;
  try { clean = conn.wasClean ?? ev.wasClean ?? false; } catch { clean = false; }
  if (session.flood) clean = false;
  report.close = { code: ev.code, reason: ev.reason, clean, initiator, ms: since(t) };
  const unclean = session.flood ? `the probe dropped the connection: ${session.flood.message}`
    : initiator === "transport" || ev.code === 1006 ? `the TCP connection ended without a closing handshake${closeStall}` : "the closing handshake did not complete";
  check("close", clean === true, clean
    ? `${ev.code}${ev.reason ? ` ${quote(ev.reason)}` : ""}, clean closing handshake (${initiator === "client" ? "we" : "the server"} sent Close first)`
    : `${ev.code}${ev.reason ? ` ${quote(ev.reason)}` : ""}, not clean: ${unclean}`);
  if (!clean) fail(session.flood ? "too-much-data" : "unclean-close", `close: ${unclean}`);
  if (session.errors.length) {
    const e = session.errors[0];
    const detail = isWs101Error(e) ? typedError(e) : String(e?.message ?? e);
    check("frames", false, detail);
    report.error = { code: isWs101Error(e) ? e.code : "frames", message: detail };
  }
  if (session.flood) report.error = { code: "too-much-data", message: session.flood.message };
  try { conn.free(); } catch { /* the core already gave up on it */ }
  return finish(report.checks.every((c) => c.ok) ? EXIT_OK : EXIT_CHECK);
}

/** A head-size problem reworded for a response: the server sent too much, no 431 is involved. */
function responseProblem(p) {
  if (p.code === "head-too-large") {
    const [, len, max] = /(\d+) bytes, more than the (\d+)-byte/.exec(p.explanation) ?? [];
    return { ...p, status: null, explanation: `The server's response head is too large: ${len ? `at least ${len} bytes without the blank line that ends it, more than the ${max}-byte limit` : "more than the limit"} a client reads (the server's fault, not the request's).` };
  }
  if (p.code === "too-many-headers") {
    const [, max] = /more than (\d+) header/.exec(p.explanation) ?? [];
    return { ...p, status: null, explanation: `The server's response head has too many header lines: more than the ${max ?? ""} a client reads (the server's fault, not the request's).`.replace("the  a", "the limit a") };
  }
  return p;
}

/** Why a non-101 answer failed, in ws101's words (426 names the version the server wants). */
function statusReason(result, headers) {
  if (result.status === 426) {
    const wants = headerValue(headers, "Sec-WebSocket-Version");
    if (wants) return `server sent 426; it wants Sec-WebSocket-Version: ${wants}`;
  }
  const explanation = result.problems.map((p) => p.explanation).join(" ");
  return `server sent ${result.status}${result.reason ? ` ${result.reason}` : ""}${explanation ? `: ${explanation}` : ""}`;
}

/** The first bytes of a rejection's body: what came with the head, then whatever arrives shortly. */
function bodyPreview(socket, initial, ms) {
  return new Promise((resolve) => {
    let body = Buffer.from(initial);
    const done = () => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", done);
      socket.off("close", done);
      resolve(body.subarray(0, BODY_PREVIEW).toString("utf8"));
    };
    const onData = (chunk) => {
      body = Buffer.concat([body, chunk]);
      if (body.length >= BODY_PREVIEW) done();
    };
    const timer = setTimeout(done, ms);
    if (body.length >= BODY_PREVIEW || socket.destroyed) return done();
    socket.on("data", onData);
    socket.once("end", done);
    socket.once("close", done);
    socket.resume();
  });
}

function printReport(r) {
  const lines = [`ws101 probe ${r.url}`];
  const mark = (ok) => (ok ? "PASS" : "FAIL");
  const row = (c) => `  ${mark(c.ok)}  ${c.name.padEnd(12)} ${c.detail}`;
  for (const c of r.checks) {
    let line = row(c);
    if (c.name === "connect" && r.timings.connectMs != null) line += ` in ${r.timings.connectMs} ms${r.timings.dnsMs != null ? ` (DNS ${r.timings.dnsMs} ms)` : ""}`;
    if (c.name === "tls" && r.timings.tlsMs != null) line += ` in ${r.timings.tlsMs} ms`;
    if (c.name === "response" && c.ok) line += ` in ${r.timings.handshakeMs} ms`;
    lines.push(line);
    if (c.name === "response" && r.response) {
      for (const [k, v] of r.response.headers) lines.push(`        ${k}: ${v}`);
      if (r.response.body) {
        lines.push(`        body (first ${Math.min(BODY_PREVIEW, Buffer.byteLength(r.response.body))} bytes):`);
        for (const l of r.response.body.split(/\r?\n/).slice(0, 12)) lines.push(`        | ${l}`);
      }
    }
    if (c.name === "subprotocol" && c.ok) {
      lines.push(`        protocol: ${r.protocol ?? "(none)"}`);
      lines.push(`        extensions: ${r.extensions.length ? r.extensions.map(extensionString).join(", ") : "(none)"}`);
    }
  }
  if (r.error && r.exitCode !== EXIT_OK && !r.checks.some((c) => c.detail === r.error.message)) lines.push(`  reason: ${r.error.message}`);
  const connected = r.checks.some((c) => c.name === "connect" && c.ok) && !r.checks.some((c) => c.name === "tls" && !c.ok);
  const verdict = { 0: "healthy", 1: "a check failed", 2: connected ? "no response (TCP connected, no complete response head)" : "could not connect", 3: "usage error" }[r.exitCode];
  lines.push(`result: ${r.ok ? "PASS" : "FAIL"} — ${verdict} (exit ${r.exitCode}, ${r.timings.totalMs} ms)`);
  // Every line is escaped: the server's text cannot move the cursor, erase or fake a line.
  out(lines.map(escapeText).join("\n"));
}

async function cmdProbe(args) {
  const cfg = probeConfig(args);
  if (cfg.help) return out(HELP.probe), EXIT_OK;
  const report = await runProbe(cfg);
  cfg.request.free?.();
  if (cfg.json) out(escapeJson(JSON.stringify(report, null, 2)));
  else printReport(report);
  return report.exitCode;
}

// ---------------------------------------------------------------------------------------------

function out(text) { process.stdout.write(text + "\n"); }
function err_(text) { process.stderr.write(text + "\n"); }

async function main(argv) {
  const [command, ...rest] = argv;
  const wantsJson = command === "probe" && rest.includes("--json");
  try {
    switch (command) {
      case undefined:
      case "-h":
      case "--help":
        out(HELP.main);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      case "help":
        if (rest[0] && !HELP[rest[0]]) throw new UsageError(`no command ${JSON.stringify(rest[0])}`);
        out(HELP[rest[0] ?? "main"]);
        return EXIT_OK;
      case "probe": return await cmdProbe(rest);
      case "accept": return cmdAccept(rest);
      case "frame": return cmdFrame(rest);
      default: throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (wantsJson) out(JSON.stringify({ url: null, ok: false, exitCode: EXIT_USAGE, error: { code: "usage", message: err.message } }, null, 2));
    err_(`ws101 ${command ?? ""}: ${err.message}`.replace("  ", " "));
    err_(`Run "ws101 ${HELP[command] ? `${command} ` : ""}--help" for usage.`);
    return EXIT_USAGE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; do not let a lingering socket hold the exit.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err) => { err_(escapeText(`ws101: internal error: ${err?.stack ?? err}`)); process.exit(1); },
);

// The conformance runner: plays one case of tests/conformance/cases.mjs against a target and
// judges the outcome the way Autobahn|Testsuite does ("pass", "non-strict", "fail").
//
//   import { runCase, runTable, tcpTarget, connectionTarget } from "./run.mjs";
//   const result = await runCase(tcpTarget(8080), someCase);
//   // { id, group, verdict, problems: [...], notes: [...], observed: {...}, ms }
//
// A target is `{ name, open() → Promise<Transport> }`; a Transport is anything with
// `write(bytes, cb)`, `end()`, `destroy()` and the events `data`, `end`, `close`, `error` — a
// `net.Socket` (tcpTarget), or an in-process socket that feeds ws101's sans-IO `Connection`
// directly (connectionTarget: same bytes, no sockets). The runner is the client: it does the
// opening handshake (offering permessage-deflate when the case says so), masks every frame with
// a fresh random key, compresses with Node's zlib when a step asks for it, reads the server's
// frames (inflating RSV1 messages), answers a server Close, and watches for the TCP close.
import { createHash, randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import net from "node:net";
import { isUtf8 } from "node:buffer";
import zlib from "node:zlib";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const SYNC = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tick = () => new Promise((r) => setImmediate(r));

/** Bytes of a payload given as a Buffer, a Uint8Array, a string (UTF-8) or a thunk of those. */
export function bytesOf(data) {
  if (typeof data === "function") data = data();
  if (data === undefined || data === null) return Buffer.alloc(0);
  if (typeof data === "string") return Buffer.from(data, "utf8");
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** One masked client frame (RFC 6455 §5.2, §5.3). */
export function encodeFrame({ op, data, fin = true, rsv = 0, mask = true }) {
  const payload = bytesOf(data);
  const len = payload.length;
  let head;
  if (len < 126) head = Buffer.from([0, len]);
  else if (len < 65536) { head = Buffer.alloc(4); head[1] = 126; head.writeUInt16BE(len, 2); }
  else { head = Buffer.alloc(10); head[1] = 127; head.writeBigUInt64BE(BigInt(len), 2); }
  head[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (op & 0x0f);
  if (!mask) return Buffer.concat([head, payload]);
  head[1] |= 0x80;
  const key = randomBytes(4);
  const body = Buffer.allocUnsafe(len);
  // word-at-a-time would be faster; this is fast enough for 16 MiB
  for (let i = 0; i < len; i++) body[i] = payload[i] ^ key[i & 3];
  return Buffer.concat([head, key, body]);
}

/** A Close payload: status code (null: none) and reason (string or bytes). */
export function closePayload(code, reason = "") {
  if (code === null || code === undefined) return Buffer.alloc(0);
  const r = bytesOf(reason);
  const b = Buffer.alloc(2 + r.length);
  b.writeUInt16BE(code, 0);
  r.copy(b, 2);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Targets

/** A server listening on TCP. */
export function tcpTarget(port, host = "127.0.0.1", name = `tcp:${port}`) {
  return {
    name,
    open: () => new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      socket.setNoDelay(true);
      socket.once("connect", () => { socket.off("error", reject); resolve(socket); });
      socket.once("error", reject);
    }),
  };
}

/**
 * ws101's sans-IO `Connection` in process, behind a socket-shaped object: the same echo logic
 * as examples/node/echo.mjs (parseRequest → 101 → Connection; echo every message with its type;
 * write takeOutput(); end the "TCP connection" when the core says so). Bytes written by the
 * runner reach `receive()` exactly as written (one call per write), so chops are exact.
 * @param {{ parseRequest: Function, Connection: Function }} ws101  the package's exports
 */
export function connectionTarget(ws101, options = {}, name = "ws101 Connection") {
  const policy = { protocols: ["echo"], perMessageDeflate: true, ...options.policy };
  return { name, open: async () => new InProcessSocket(ws101, policy, options.maxPayload ?? 64 * 1024 * 1024) };
}

class InProcessSocket extends EventEmitter {
  #ws101; #policy; #maxPayload;
  #head = Buffer.alloc(0);
  #conn = null;
  #ended = false; // the "server" closed its side
  #destroyed = false;
  #clientEnded = false;

  constructor(ws101, policy, maxPayload) {
    super();
    this.#ws101 = ws101;
    this.#policy = policy;
    this.#maxPayload = maxPayload;
  }

  get destroyed() { return this.#destroyed; }

  // Writes made in the same turn of the event loop reach the server as one chunk, as TCP
  // coalesces back-to-back writes; chopped writes (a setImmediate apart) stay separate.
  #pending = [];
  write(bytes, cb) {
    this.#pending.push(Buffer.from(bytes)); // the caller may reuse its buffer
    if (this.#pending.length === 1) {
      setImmediate(() => {
        const chunk = Buffer.concat(this.#pending);
        this.#pending = [];
        if (!this.#destroyed && !this.#ended) this.#serverReceive(chunk);
      });
    }
    if (cb) queueMicrotask(cb);
    return true;
  }

  end() {
    if (this.#clientEnded) return;
    this.#clientEnded = true;
    setImmediate(() => {
      if (this.#destroyed || this.#ended) return;
      // the client half-closed: the core decides whether that was clean; the server closes too
      if (this.#conn) this.#conn.receiveEof();
      this.#serverEnd();
    });
  }

  destroy() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    setImmediate(() => this.emit("close", false));
  }

  setNoDelay() {}

  #deliver(bytes) {
    if (!bytes || bytes.length === 0 || this.#destroyed) return;
    const copy = Buffer.from(bytes);
    setImmediate(() => { if (!this.#destroyed) this.emit("data", copy); });
  }

  #serverEnd() {
    if (this.#ended) return;
    this.#ended = true;
    setImmediate(() => {
      if (this.#destroyed) return;
      this.emit("end");
      this.destroy();
    });
  }

  #serverReceive(chunk) {
    if (!this.#conn) {
      this.#head = Buffer.concat([this.#head, chunk]);
      const outcome = this.#ws101.parseRequest(this.#head, this.#policy);
      if (!outcome.complete) return;
      this.#deliver(outcome.response.bytes);
      if (!outcome.ok) return this.#serverEnd();
      this.#conn = new this.#ws101.Connection({ role: "server", deflate: outcome.deflate, maxPayload: this.#maxPayload, textAsBytes: true, deferClose: true });
      chunk = this.#head.subarray(outcome.consumed);
      this.#head = null;
      if (chunk.length === 0) return;
    }
    const conn = this.#conn;
    const events = conn.receive(chunk);
    this.#deliver(conn.takeOutput());
    for (const event of events) {
      if (event.type === "text" || event.type === "binary") {
        if (!conn.canSend) continue;
        for (const part of conn.sendMessage(event.data, event.type === "binary")) this.#deliver(part);
      }
    }
    // deferClose: the Close owed for this chunk goes after the echoes of its messages
    conn.releaseClose();
    this.#deliver(conn.takeOutput());
    if (conn.shouldCloseTransport) this.#serverEnd();
  }
}

// ---------------------------------------------------------------------------------------------
// permessage-deflate (RFC 7692) on the client side

/** `Sec-WebSocket-Extensions` of a 101 → the agreed permessage-deflate parameters, or null. */
export function parseDeflateResponse(header) {
  if (!header) return null;
  const [name, ...params] = header.split(";").map((s) => s.trim());
  if (name !== "permessage-deflate") return { unknown: header };
  const agreed = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  for (const p of params) {
    const [k, v] = p.split("=").map((s) => s.trim().replace(/^"|"$/g, ""));
    if (k === "server_no_context_takeover") agreed.serverNoContextTakeover = true;
    else if (k === "client_no_context_takeover") agreed.clientNoContextTakeover = true;
    else if (k === "server_max_window_bits") agreed.serverMaxWindowBits = Number(v);
    else if (k === "client_max_window_bits") agreed.clientMaxWindowBits = Number(v ?? 15);
    else return { unknown: header };
  }
  return agreed;
}

class Deflater {
  #agreed; #history = Buffer.alloc(0);
  constructor(agreed) { this.#agreed = agreed; }
  /** A message's compressed payload (RFC 7692 §7.2.1: sync flush, trailing 00 00 ff ff removed). */
  compress(data) {
    const bits = this.#agreed.clientMaxWindowBits;
    const options = { ...SYNC, windowBits: Math.max(bits, 9) };
    // zlib turns a raw window of 8 into 9; Huffman-only output has no back-references at all,
    // so it is valid for any window the server inflates with.
    if (bits === 8) options.strategy = zlib.constants.Z_HUFFMAN_ONLY;
    const window = 1 << Math.max(bits, 9);
    if (!this.#agreed.clientNoContextTakeover && this.#history.length > 0) options.dictionary = this.#history;
    const out = zlib.deflateRawSync(data, options);
    if (!this.#agreed.clientNoContextTakeover) this.#history = Buffer.concat([this.#history, data]).subarray(-window);
    return out.subarray(-4).equals(TAIL) ? out.subarray(0, -4) : out;
  }
}

class Inflater {
  #agreed; #history = Buffer.alloc(0);
  constructor(agreed) { this.#agreed = agreed; }
  /** RFC 7692 §7.2.2: append 00 00 ff ff and inflate, with the previous window unless no context takeover. */
  decompress(payload) {
    const bits = this.#agreed.serverMaxWindowBits;
    const options = { ...SYNC, windowBits: bits };
    if (!this.#agreed.serverNoContextTakeover && this.#history.length > 0) options.dictionary = this.#history;
    const out = zlib.inflateRawSync(Buffer.concat([payload, TAIL]), options);
    if (!this.#agreed.serverNoContextTakeover) this.#history = Buffer.concat([this.#history, out]).subarray(-(1 << bits));
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the server: the 101, then frames

class Reader {
  buf = Buffer.alloc(0);
  head = null;            // the 101 head once complete
  frames = 0;
  messages = [];          // { type, data, compressed }
  pongs = [];             // Buffers
  pings = [];
  closes = [];            // { code, reason, at }
  problems = [];          // protocol errors by the server
  tcpClosed = false;
  tcpClosedAt = null;
  reset = false;
  #frag = null;           // { type, parts, compressed }
  #inflater = null;
  #waiters = new Set();

  setDeflate(agreed) { this.#inflater = agreed ? new Inflater(agreed) : null; }

  push(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (!this.head) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) return this.#notify();
      this.head = this.buf.subarray(0, end + 4).toString("latin1");
      this.buf = this.buf.subarray(end + 4);
      this.#notify();
      if (!this.ready) return; // frames are parsed once the runner has read the 101
    }
    this.#parse();
    this.#notify();
  }

  ready = false;
  start() { this.ready = true; this.#parse(); this.#notify(); }

  closed(reset = false) {
    if (!this.tcpClosed) { this.tcpClosed = true; this.tcpClosedAt = Date.now(); }
    this.reset ||= reset;
    this.#notify();
  }

  #problem(text) { if (!this.problems.includes(text)) this.problems.push(text); }

  #parse() {
    if (!this.ready) return;
    for (;;) {
      const b = this.buf;
      if (b.length < 2) return;
      const fin = (b[0] & 0x80) !== 0, rsv = (b[0] >> 4) & 7, op = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let len = b[1] & 0x7f, off = 2;
      if (len === 126) { if (b.length < 4) return; len = b.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (b.length < 10) return; len = Number(b.readBigUInt64BE(2)); off = 10; }
      if (masked) off += 4;
      if (b.length < off + len) return;
      let payload = b.subarray(off, off + len);
      if (masked) {
        this.#problem("the server masked a frame (RFC 6455 §5.1)");
        const key = b.subarray(off - 4, off);
        payload = Buffer.from(payload.map((x, i) => x ^ key[i & 3]));
      }
      this.buf = b.subarray(off + len);
      this.frames++;
      this.#frame(fin, rsv, op, payload);
    }
  }

  #frame(fin, rsv, op, payload) {
    if (this.closes.length > 0) this.#problem(`the server sent a frame (opcode ${op}) after its Close (RFC 6455 §5.5.1)`);
    if (op >= 8) {
      if (!fin || rsv !== 0 || payload.length > 125) this.#problem(`bad control frame from the server (opcode ${op})`);
      if (op === 8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : null;
        this.closes.push({ code, reason: payload.subarray(2), length: payload.length, at: Date.now() });
      } else if (op === 9) this.pings.push(Buffer.from(payload));
      else if (op === 10) this.pongs.push(Buffer.from(payload));
      else this.#problem(`reserved control opcode ${op} from the server`);
      return;
    }
    if ((rsv & 3) !== 0 || ((rsv & 4) && (!this.#inflater || op === 0))) this.#problem(`RSV bits ${rsv} on a server frame without a matching extension`);
    if (op === 1 || op === 2) {
      if (this.#frag) this.#problem("the server started a message inside another (RFC 6455 §5.4)");
      this.#frag = { type: op === 1 ? "text" : "binary", parts: [], compressed: (rsv & 4) !== 0 };
    } else if (op === 0) {
      if (!this.#frag) { this.#problem("continuation frame from the server with nothing to continue"); return; }
    } else { this.#problem(`reserved opcode ${op} from the server`); return; }
    this.#frag.parts.push(Buffer.from(payload));
    if (!fin) return;
    const { type, parts, compressed } = this.#frag;
    this.#frag = null;
    let data = Buffer.concat(parts);
    if (compressed && this.#inflater) {
      try { data = this.#inflater.decompress(data); } catch (err) { this.#problem(`cannot inflate the server's message: ${err.message}`); }
    }
    if (type === "text" && !isUtf8(data)) this.#problem("the server sent a text message that is not UTF-8");
    this.messages.push({ type, data, compressed });
  }

  #notify() { for (const w of this.#waiters) w(); }

  /** Resolves when `predicate()` holds, or after `ms` (returns the predicate's last value). */
  until(predicate, ms) {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => { if (predicate()) done(true); };
      const done = (v) => { clearTimeout(timer); this.#waiters.delete(check); resolve(v); };
      const timer = setTimeout(() => done(predicate()), Math.max(0, ms));
      this.#waiters.add(check);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Running a case

function writeAsync(socket, bytes) {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(false);
    try { socket.write(bytes, () => resolve(true)); } catch { resolve(false); }
  });
}

async function writeChopped(socket, bytes, chop, delay) {
  if (!chop || chop >= bytes.length) return writeAsync(socket, bytes);
  for (let i = 0; i < bytes.length; i += chop) {
    await writeAsync(socket, bytes.subarray(i, i + chop));
    if (delay) await sleep(delay); else await tick();
  }
}

function expectedPongDone(expect, reader) {
  const p = expect.pong ?? [];
  if (Array.isArray(p)) return reader.pongs.length >= p.length;
  return reader.pongs.some((x) => x.equals(bytesOf(p.last)));
}

/**
 * Runs one case. Options: `timeout` (ms to wait for each expected reply; the case's own
 * `timeout` wins), `closeGrace` (ms the server has to close TCP after the closing handshake).
 */
export async function runCase(target, c, options = {}) {
  const started = Date.now();
  const timeout = c.timeout ?? options.timeout ?? 2000;
  const closeGrace = options.closeGrace ?? 1000;
  const reader = new Reader();
  const notes = [];
  const marks = {};
  let closeSent = false;
  let socket;
  try {
    socket = await target.open();
  } catch (err) {
    return finish({ problems: [`cannot connect: ${err.message}`] });
  }
  socket.on("data", (chunk) => reader.push(chunk));
  socket.on("end", () => reader.closed(false));
  socket.on("close", () => reader.closed(false));
  socket.on("error", (err) => { reader.closed(err.code === "ECONNRESET"); });

  // Opening handshake (RFC 6455 §4.1), offering permessage-deflate when the case says so.
  const key = randomBytes(16).toString("base64");
  const lines = [
    "GET /conformance HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`, "Sec-WebSocket-Version: 13",
  ];
  if (c.deflate) lines.push(`Sec-WebSocket-Extensions: ${c.deflate === true ? "permessage-deflate; client_max_window_bits" : c.deflate}`);
  await writeAsync(socket, Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1"));
  await reader.until(() => reader.head !== null || reader.tcpClosed, timeout);
  if (!reader.head) { socket.destroy(); return finish({ problems: ["no handshake response"] }); }
  const status = /^HTTP\/1\.1 (\d{3})/.exec(reader.head)?.[1];
  const header = (name) => new RegExp(`^${name}:[ \\t]*(.*?)[ \\t]*$`, "im").exec(reader.head)?.[1];
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  if (status !== "101" || header("Sec-WebSocket-Accept") !== accept) {
    socket.destroy();
    return finish({ problems: [`handshake failed: ${reader.head.split("\r\n")[0]}`] });
  }
  const agreed = parseDeflateResponse(header("Sec-WebSocket-Extensions"));
  if (agreed?.unknown) reader.problems.push(`unexpected Sec-WebSocket-Extensions: ${agreed.unknown}`);
  const deflate = agreed && !agreed.unknown ? agreed : null;
  reader.setDeflate(deflate);
  reader.start();
  const deflater = deflate ? new Deflater(deflate) : null;
  const negotiation = deflate ? header("Sec-WebSocket-Extensions") : null;

  const replyToClose = async () => {
    // A well-behaved client answers the server's Close with a Close (RFC 6455 §5.5.1).
    if (closeSent || reader.closes.length === 0 || socket.destroyed) return;
    closeSent = true;
    const { code } = reader.closes[0];
    const echo = code === null || code === 1005 || code === 1006 || code === 1015 ? null : code;
    await writeAsync(socket, encodeFrame({ op: 8, data: closePayload(echo) }));
  };

  // The steps, as the client sends them.
  const problems = [];
  // Frames of consecutive plain steps go out in one write, as Autobahn's sends within one
  // reactor turn do: the server reads them together. Chops, pauses and waits flush first.
  let batch = [];
  const flush = async () => { if (batch.length) { const b = Buffer.concat(batch); batch = []; await writeAsync(socket, b); } };
  for (const step of c.send ?? []) {
    if (!step.frame && !step.message && !step.raw) await flush();
    if (step.pause) { await sleep(step.pause); continue; }
    if (step.waitClose !== undefined) {
      await reader.until(() => reader.closes.length > 0 || reader.tcpClosed, step.waitClose);
      if (step.mark) marks[step.mark] = reader.closes.length > 0 || reader.tcpClosed;
      continue;
    }
    if (step.waitFor) { // wait until the server answered this much: { messages, pongs }
      const { messages = 0, pongs = 0 } = step.waitFor;
      await reader.until(() => (reader.messages.length >= messages && reader.pongs.length >= pongs) || reader.tcpClosed, timeout);
      continue;
    }
    if (step.partialFrame) {
      // one frame written in pieces cut at payload offsets, waiting for a Close after each piece
      const f = step.partialFrame;
      const whole = encodeFrame(f);
      const headLen = whole.length - bytesOf(f.data).length;
      const cuts = [0, ...f.cuts.map((x) => headLen + x), whole.length];
      for (let i = 0; i + 1 < cuts.length; i++) {
        await writeAsync(socket, whole.subarray(cuts[i], cuts[i + 1]));
        if (i < step.waits.length) {
          await reader.until(() => reader.closes.length > 0 || reader.tcpClosed, step.waits[i]);
          marks[step.marks[i]] = reader.closes.length > 0 || reader.tcpClosed;
        }
      }
      continue;
    }
    let bytes;
    if (step.raw) bytes = bytesOf(step.raw);
    else if (step.frame) {
      const f = step.frame;
      if (f.op === 8) closeSent = true;
      if (f.compress) {
        if (!deflater) { problems.push("permessage-deflate was not negotiated"); break; }
        bytes = encodeFrame({ ...f, data: deflater.compress(bytesOf(f.data)), rsv: (f.rsv ?? 0) | 4 });
      } else bytes = encodeFrame(f);
    } else if (step.message) {
      // a whole message, optionally compressed, cut into frames of `fragmentSize` payload bytes
      const m = step.message;
      let payload = bytesOf(m.data);
      const compressed = m.compress === true;
      if (compressed) {
        if (!deflater) { problems.push("permessage-deflate was not negotiated"); break; }
        payload = deflater.compress(payload);
      }
      const size = m.fragmentSize ?? Math.max(payload.length, 1);
      const frames = [];
      for (let i = 0; i === 0 || i < payload.length; i += size) {
        const first = i === 0, last = i + size >= payload.length;
        frames.push(encodeFrame({ op: first ? m.op : 0, data: payload.subarray(i, i + size), fin: last, rsv: first && compressed ? 4 : 0 }));
      }
      bytes = Buffer.concat(frames);
    }
    if (step.chop || step.pauseAfter) {
      await flush();
      await writeChopped(socket, bytes, step.chop, step.chopDelay);
      if (step.pauseAfter) await sleep(step.pauseAfter);
    } else batch.push(bytes);
  }
  await flush();

  // Wait for the answers; then close (unless the case closes) and watch the closing handshake.
  const expect = c.expect;
  const echoes = expect.echo ?? [];
  if (expect.close === undefined) {
    await reader.until(() => (reader.messages.length >= echoes.length && expectedPongDone(expect, reader)) || reader.closes.length > 0 || reader.tcpClosed, timeout);
    if (reader.closes.length === 0 && !reader.tcpClosed && !closeSent) {
      closeSent = true;
      await writeAsync(socket, encodeFrame({ op: 8, data: closePayload(1000) }));
    }
  }
  await reader.until(() => reader.closes.length > 0 || reader.tcpClosed, timeout);
  await replyToClose();
  let clientClosedTcp = false;
  if (!reader.tcpClosed) {
    await reader.until(() => reader.tcpClosed, closeGrace);
    if (!reader.tcpClosed) {
      // the server kept TCP open: close our side as Autobahn does, and note it
      clientClosedTcp = true;
      socket.end?.();
      await reader.until(() => reader.tcpClosed, 200);
    }
  }
  socket.destroy();
  return finish({ problems, clientClosedTcp, deflate, negotiation });

  function finish(extra) {
    const observed = {
      messages: reader.messages, pongs: reader.pongs, closes: reader.closes, marks,
      tcpClosedByServer: reader.tcpClosed && !extra.clientClosedTcp, reset: reader.reset,
      serverProblems: reader.problems, deflate: extra.deflate ?? null, negotiation: extra.negotiation ?? null,
    };
    const verdict = judge(c, observed, extra.problems ?? []);
    return { id: c.id, group: c.group, description: c.description, ...verdict, notes: [...notes, ...verdict.notes], observed, ms: Date.now() - started };
  }
}

// ---------------------------------------------------------------------------------------------
// Judgement

const show = (b) => (b.length > 40 ? `${b.subarray(0, 40).toString("hex")}… (${b.length} B)` : `${b.toString("hex") || "(empty)"}`);

/** Problems of `observed` against one expectation (empty: it matches). */
function mismatches(expect, observed) {
  const out = [];
  const echoes = expect.echo ?? [];
  const got = observed.messages;
  if (got.length !== echoes.length) out.push(`expected ${echoes.length} message(s) back, got ${got.length}`);
  for (let i = 0; i < Math.min(got.length, echoes.length); i++) {
    const want = echoes[i];
    const data = bytesOf(want.data);
    if (got[i].type !== want.type) out.push(`message ${i}: expected ${want.type}, got ${got[i].type}`);
    else if (!got[i].data.equals(data)) out.push(`message ${i}: expected ${show(data)}, got ${show(got[i].data)}`);
  }
  const pong = expect.pong ?? [];
  if (Array.isArray(pong)) {
    const want = pong.map(bytesOf);
    if (observed.pongs.length !== want.length || observed.pongs.some((p, i) => !p.equals(want[i]))) {
      out.push(`expected pong(s) [${want.map(show).join(", ")}], got [${observed.pongs.map(show).join(", ")}]`);
    }
  } else {
    // RFC 6455 §5.5.3: a pong for only the most recent ping is allowed; each pong answers a ping, in order
    const last = bytesOf(pong.last);
    const of = pong.of.map(bytesOf);
    let j = 0;
    const inOrder = observed.pongs.every((p) => { while (j < of.length && !of[j].equals(p)) j++; return j++ < of.length; });
    if (!inOrder || observed.pongs.length === 0 || !observed.pongs.at(-1).equals(last)) {
      out.push(`expected pongs ending with ${show(last)}, got [${observed.pongs.map(show).join(", ")}]`);
    }
  }
  const closeCodes = expect.close ?? [1000];
  const first = observed.closes[0];
  if (!first) out.push(observed.tcpClosedByServer ? "the server closed TCP without a Close frame" : "no Close frame from the server");
  else if (!closeCodes.includes(first.code)) out.push(`expected close code ${closeCodes.map((x) => x ?? "(none)").join("|")}, got ${first.code ?? "(none)"}`);
  if (observed.closes.length > 1) out.push(`the server sent ${observed.closes.length} Close frames`);
  if (expect.closeBefore && first && !observed.marks[expect.closeBefore]) out.push(`the Close arrived after "${expect.closeBefore}" (not fail-fast)`);
  if (expect.deflate === true && !observed.deflate) out.push("permessage-deflate was not negotiated");
  if (expect.deflate === false && observed.deflate) out.push(`permessage-deflate was negotiated (${observed.negotiation})`);
  if (expect.negotiation && observed.negotiation !== null) {
    for (const [k, v] of Object.entries(expect.negotiation)) {
      if (observed.deflate[k] !== v) out.push(`negotiated ${k}=${observed.deflate[k]}, expected ${v}`);
    }
  }
  return out;
}

/**
 * "pass": exactly as expected. "non-strict": one of the case's `nonStrict` alternatives holds,
 * or only a SHOULD was missed (no Close frame before dropping TCP, RFC 6455 §7.1.7; the client
 * had to close TCP, §7.1.1). "fail": anything else.
 */
export function judge(c, observed, runnerProblems = []) {
  const notes = [];
  const hard = [...runnerProblems, ...observed.serverProblems];
  const main = mismatches(c.expect, observed);
  if (hard.length === 0 && main.length === 0) {
    if (!observed.tcpClosedByServer) return { verdict: "non-strict", problems: [], notes: ["the server did not close TCP after the closing handshake (RFC 6455 §7.1.1 SHOULD)"] };
    return { verdict: "pass", problems: [], notes };
  }
  if (hard.length === 0) {
    for (const alt of c.expect.nonStrict ?? []) {
      const { why, ...override } = alt;
      if (mismatches({ ...c.expect, closeBefore: undefined, ...override }, observed).length === 0) {
        return { verdict: "non-strict", problems: [], notes: [why ?? "an acceptable alternative outcome", ...main] };
      }
    }
    // a failure closed without the SHOULD Close frame (RFC 6455 §7.1.7)
    const noFrame = main.every((p) => p === "the server closed TCP without a Close frame");
    if (noFrame && (c.expect.close ?? [1000]).some((x) => x !== 1000)) {
      return { verdict: "non-strict", problems: [], notes: ["closed TCP without a Close frame (RFC 6455 §7.1.7 SHOULD send one)"] };
    }
  }
  return { verdict: "fail", problems: [...hard, ...main], notes };
}

/** Runs cases with up to `concurrency` at once (cases marked `serial` run alone). */
export async function runTable(target, cases, { concurrency = 4, onResult, ...options } = {}) {
  const results = new Array(cases.length);
  const parallel = cases.map((c, i) => [c, i]).filter(([c]) => !c.serial);
  const serial = cases.map((c, i) => [c, i]).filter(([c]) => c.serial);
  let next = 0;
  const worker = async () => {
    while (next < parallel.length) {
      const [c, i] = parallel[next++];
      results[i] = await runCase(target, c, options);
      onResult?.(results[i]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  for (const [c, i] of serial) { results[i] = await runCase(target, c, options); onResult?.(results[i]); }
  return results;
}

/** Per-group counts: [{ group, pass, nonStrict, fail, total }] in table order. */
export function summarize(results) {
  const groups = new Map();
  for (const r of results) {
    const g = groups.get(r.group) ?? { group: r.group, pass: 0, nonStrict: 0, fail: 0, total: 0 };
    g.total++;
    if (r.verdict === "pass") g.pass++; else if (r.verdict === "non-strict") g.nonStrict++; else g.fail++;
    groups.set(r.group, g);
  }
  return [...groups.values()];
}

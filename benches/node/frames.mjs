#!/usr/bin/env node
// Frame decode/encode throughput: ws101 `Connection` beside `ws` (pure JS and with bufferutil).
//
//   node benches/node/frames.mjs [--time MS] [--filter SUBSTR] [--json FILE] [--md FILE] [--pkg DIR] [--clock cpu]
//
// --clock cpu times each pass in process CPU time (process.cpuUsage: user + system, all threads)
// instead of wall time (the default), for a machine shared with other work.
// --pkg DIR measures the ws101 package built in DIR (a copy of an older pkg/, for A/B runs in
// one session) instead of the installed one.
//
// The parent process runs one child per anchor, one after another (never in parallel), because
// `ws` picks its mask/unmask implementation when it is first required, from
// WS_NO_BUFFER_UTIL / WS_NO_UTF_8_VALIDATE:
//   ws101          — the npm package (node_modules/ws101 → pkg/), role server for decoding
//   ws-pure        — ws with WS_NO_BUFFER_UTIL=1 WS_NO_UTF_8_VALIDATE=1 (JS mask/unmask)
//   ws-bufferutil  — ws with bufferutil 4.x (native mask/unmask; checked to load)
// Each child prints one JSON object; the parent prints markdown tables (and writes --json/--md).
//
//   copy floor     — (in the ws101 child, binary ≥ 64 KiB) only the copies ws101 makes of a
//                    message spanning chunks: each chunk into wasm memory, the payload out into one
//                    fresh Buffer per message; no parsing, no unmasking: what the rows above it can reach
// Decoding feeds a stream of masked client→server frames in fixed-size socket-like chunks
// (16 KiB and 64 KiB: many frames per chunk for small frames, frames split across chunks for
// all sizes that do not divide the chunk). Every event's data is touched. Each case is first
// decoded once with every payload compared to the expected one.
// MB/s counts payload bytes (10^6 B/s), not wire bytes.
import { spawnSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import os from "node:os";

const SELF = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const TIME_MS = Number(opt("--time", "450")); // measured time per case (3 rounds, best kept)
const WARM_MS = Math.max(50, TIME_MS / 3);
const FILTER = opt("--filter", "");
const CHILD = opt("--child", null);
const PKG = opt("--pkg", null);
const CPU_CLOCK = opt("--clock", "wall") === "cpu";
/** Nanoseconds now: wall (hrtime) or this process's CPU time (--clock cpu). */
const now = CPU_CLOCK
  ? () => { const u = process.cpuUsage(); return BigInt(u.user + u.system) * 1000n; }
  : () => process.hrtime.bigint();

// ----- workloads ------------------------------------------------------------------------
const KiB = 1024, MiB = 1024 * 1024;
const DECODE_CASES = [];
for (const chunk of [16 * KiB, 64 * KiB]) {
  for (const [type, size] of [["binary", 125], ["binary", 4 * KiB], ["binary", 64 * KiB], ["binary", MiB], ["text", 125], ["text", 64 * KiB]]) {
    DECODE_CASES.push({ id: `${type} ${label(size)} / ${label(chunk)} chunks`, type, size, chunk });
  }
}
const ENCODE_CASES = [];
for (const role of ["server", "client"]) {
  for (const [type, size] of [["binary", 125], ["binary", 4 * KiB], ["binary", 64 * KiB], ["binary", MiB], ["text", 125], ["text", 64 * KiB]]) {
    ENCODE_CASES.push({ id: `${type} ${label(size)} ${role === "client" ? "masked (client)" : "unmasked (server)"}`, type, size, role });
  }
}

function label(n) {
  return n >= MiB ? `${n / MiB} MiB` : n >= KiB ? `${n / KiB} KiB` : `${n} B`;
}

/** Deterministic payload bytes; text is mostly ASCII with 2-, 3- and 4-byte code points. */
function payloadFor(type, size) {
  if (type === "binary") {
    const b = Buffer.allocUnsafe(size);
    let x = 0x9e3779b9 ^ size;
    for (let i = 0; i < size; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      b[i] = x & 0xff;
    }
    return b;
  }
  const words = ["lorem", "ipsum", "héllo", "wörld", "price:", "€12", "🙂", "naïve", "données", "東京", "ok", "{\"id\":42}"];
  let s = "", bytes = 0, i = 0;
  while (true) {
    const w = words[(i * 7 + (i >> 3)) % words.length] + " ";
    const n = Buffer.byteLength(w);
    if (bytes + n > size) break;
    s += w; bytes += n; i++;
  }
  s += "x".repeat(size - bytes);
  return Buffer.from(s, "utf8");
}

/** One masked frame (client → server), random key, minimal header. */
function maskedFrame(opcode, payload) {
  const len = payload.length;
  const hlen = len < 126 ? 6 : len < 65536 ? 8 : 14;
  const f = Buffer.allocUnsafe(hlen + len);
  f[0] = 0x80 | opcode;
  if (len < 126) f[1] = 0x80 | len;
  else if (len < 65536) { f[1] = 0x80 | 126; f.writeUInt16BE(len, 2); }
  else { f[1] = 0x80 | 127; f.writeUInt32BE(0, 2); f.writeUInt32BE(len, 6); }
  const key = f.subarray(hlen - 4, hlen);
  do randomFillSync(key); while ((key[0] | key[1] | key[2] | key[3]) === 0);
  for (let i = 0; i < len; i++) f[hlen + i] = payload[i] ^ key[i & 3];
  return f;
}

/** A stream of masked frames (~2 MiB, at least 4 frames), split into `chunk`-sized Buffers. */
function makeStream(c) {
  const payload = payloadFor(c.type, c.size);
  const opcode = c.type === "text" ? 1 : 2;
  const frames = Math.max(4, Math.ceil((2 * MiB) / c.size));
  const parts = [];
  for (let i = 0; i < frames; i++) parts.push(maskedFrame(opcode, payload));
  const pristine = Buffer.concat(parts);
  const work = Buffer.from(pristine); // ws unmasks in place: restored before every pass
  const chunks = [];
  for (let off = 0; off < work.length; off += c.chunk) chunks.push(work.subarray(off, Math.min(off + c.chunk, work.length)));
  return { payload, text: c.type === "text" ? payload.toString("utf8") : null, frames, pristine, work, chunks };
}

// ----- timing ---------------------------------------------------------------------------
/**
 * Calls `pass()` (which returns the number of messages it handled) repeatedly: warm-up, then
 * three rounds of TIME_MS/3; the best round's rate is kept. `before()` runs untimed before each
 * pass (restoring input). Returns messages per second.
 */
function measure(pass, before = () => {}) {
  const run = (ms) => {
    let msgs = 0, ns = 0n;
    const limit = BigInt(Math.round(ms * 1e6));
    while (ns < limit) {
      before();
      const t0 = now();
      msgs += pass();
      ns += now() - t0;
    }
    return msgs / (Number(ns) / 1e9);
  };
  run(WARM_MS);
  let best = 0;
  for (let r = 0; r < 3; r++) best = Math.max(best, run(TIME_MS / 3));
  return best;
}

let sink = 0; // every event's data feeds this, printed at the end so nothing is dead code
const touch = (d) => {
  if (typeof d === "string") sink = (sink + d.length + d.charCodeAt(d.length - 1)) | 0;
  else sink = (sink + d.length + d[0] + d[d.length - 1]) | 0;
};

function check(cond, what) {
  if (!cond) throw new Error(`verification failed: ${what}`);
}

// ----- anchors --------------------------------------------------------------------------
async function ws101Child() {
  const { Connection } = await import(PKG ? pathToFileURL(path.resolve(PKG, "node.mjs")).href : "ws101");
  const results = [];
  const variants = [
    { impl: "ws101", opts: {}, shape: "copy" },
    { impl: "ws101 views", opts: { views: true }, shape: "view" },
  ];
  for (const c of DECODE_CASES) {
    if (FILTER && !`decode ${c.id}`.includes(FILTER)) continue;
    const s = makeStream(c);
    const vs = c.type === "text"
      ? [...variants, { impl: "ws101 views+textAsBytes", opts: { views: true, textAsBytes: true }, shape: "bytes" }]
      : variants;
    for (const v of vs) {
      const conn = new Connection({ role: "server", ...v.opts });
      // verification pass
      let n = 0;
      for (const ch of s.chunks) {
        for (const ev of conn.receive(ch)) {
          check(ev.type === c.type, `${v.impl} ${c.id}: event ${ev.type}${ev.error ? " " + ev.error.message : ""}`);
          if (c.type === "text" && !v.opts.textAsBytes) check(ev.data === s.text, `${v.impl} ${c.id}: text #${n}`);
          else check(Buffer.compare(Buffer.from(ev.data.buffer, ev.data.byteOffset, ev.data.byteLength), s.payload) === 0, `${v.impl} ${c.id}: payload #${n}`);
          n++;
        }
      }
      check(n === s.frames, `${v.impl} ${c.id}: ${n} of ${s.frames} messages`);
      const chunks = s.chunks;
      const rate = measure(() => {
        let m = 0;
        for (let i = 0; i < chunks.length; i++) {
          const evs = conn.receive(chunks[i]);
          for (let j = 0; j < evs.length; j++) touch(evs[j].data);
          m += evs.length;
        }
        return m;
      }, () => s.work.set(s.pristine));
      conn.free();
      results.push({ kind: "decode", id: c.id, impl: v.impl, shape: v.shape, type: c.type, size: c.size, msgs: rate, mbps: (rate * c.size) / 1e6 });
    }
  }
  // The copy floor of a wasm decoder that hands out owned Buffers, for messages spanning chunks:
  // each chunk copied into a window of wasm memory and each payload's bytes copied out of it into
  // one fresh Buffer per message, as ws101 does, without parsing, unmasking or events.
  for (const c of DECODE_CASES) {
    if (c.type !== "binary" || c.size < 64 * KiB || (FILTER && !`decode ${c.id}`.includes(FILTER))) continue;
    const s = makeStream(c);
    const window = new Uint8Array(new WebAssembly.Memory({ initial: 8 }).buffer, 1024, c.chunk);
    const plan = copyPlan(s, c);
    const chunks = s.chunks;
    let msg = null, at = 0;
    const rate = measure(() => {
      let m = 0;
      for (let i = 0; i < chunks.length; i++) {
        window.set(chunks[i]);
        const segments = plan[i];
        for (let j = 0; j < segments.length; j += 2) {
          const from = segments[j], n = segments[j + 1];
          if (msg === null) { msg = Buffer.allocUnsafe(c.size); at = 0; }
          msg.set(window.subarray(from, from + n), at);
          at += n;
          if (at === c.size) { touch(msg); msg = null; m++; }
        }
      }
      return m;
    });
    results.push({ kind: "decode", id: c.id, impl: "copy floor", shape: "copy", type: c.type, size: c.size, msgs: rate, mbps: (rate * c.size) / 1e6 });
  }
  for (const c of ENCODE_CASES) {
    if (FILTER && !`encode ${c.id}`.includes(FILTER)) continue;
    const payload = payloadFor(c.type, c.size);
    const data = c.type === "text" ? payload.toString("utf8") : new Uint8Array(payload.buffer, payload.byteOffset, payload.length);
    const conn = new Connection({ role: c.role });
    // sendMessage: the chunks to write; a server's payload comes back as is after its header,
    // as ws's Sender.frame does (no payload copy), a client's is masked by the core.
    const binary = c.type !== "text";
    const send = (d) => conn.sendMessage(d, binary);
    verifyEncoded(Buffer.concat(send(data).map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))), payload, c, "ws101");
    const rate = measure(() => {
      for (let i = 0; i < 64; i++) {
        const parts = send(data);
        for (let j = 0; j < parts.length; j++) touch(parts[j]);
      }
      return 64;
    });
    conn.free();
    results.push({ kind: "encode", id: c.id, impl: "ws101", type: c.type, size: c.size, msgs: rate, mbps: (rate * c.size) / 1e6 });
  }
  return results;
}

/** Per chunk of the stream: [offset, length] pairs of the payload bytes it holds, in order (frames of makeStream). */
function copyPlan(s, c) {
  const hlen = c.size < 126 ? 6 : c.size < 65536 ? 8 : 14;
  const plan = s.chunks.map(() => []);
  for (let f = 0; f < s.frames; f++) {
    let from = f * (hlen + c.size) + hlen;
    const end = from + c.size;
    while (from < end) {
      const i = Math.floor(from / c.chunk);
      const n = Math.min(end, (i + 1) * c.chunk) - from;
      plan[i].push(from - i * c.chunk, n);
      from += n;
    }
  }
  return plan;
}

/** Parses one frame and checks it carries `payload` (unmasking when the role masks). */
function verifyEncoded(buf, payload, c, impl) {
  check((buf[0] & 0x0f) === (c.type === "text" ? 1 : 2) && (buf[0] & 0x80) !== 0, `${impl} encode ${c.id}: first byte`);
  const masked = (buf[1] & 0x80) !== 0;
  check(masked === (c.role === "client"), `${impl} encode ${c.id}: mask bit`);
  let len = buf[1] & 0x7f, off = 2;
  if (len === 126) { len = buf.readUInt16BE(2); off = 4; } else if (len === 127) { len = buf.readUInt32BE(6); off = 10; }
  check(len === payload.length, `${impl} encode ${c.id}: length`);
  const body = Buffer.from(buf.subarray(off + (masked ? 4 : 0)));
  check(body.length === len, `${impl} encode ${c.id}: frame size`);
  if (masked) for (let i = 0; i < len; i++) body[i] ^= buf[off + (i & 3)];
  check(body.equals(payload), `${impl} encode ${c.id}: payload`);
}

function wsChild(impl) {
  const bu = impl === "ws-bufferutil";
  if (bu) require("bufferutil"); // throws when the native addon is missing
  const { Receiver, Sender } = require("ws");
  // ws's package exports hide lib/; a path require reaches the same module instance.
  const bufferUtil = require(require.resolve("ws").replace(/index\.js$/, "lib/buffer-util.js"));
  // Prove which mask implementation ws picked: the bufferutil wrapper differs from the JS one.
  const usesAddon = bufferUtil.unmask.toString().includes("bufferUtil");
  check(usesAddon === bu, `${impl}: ws ${usesAddon ? "uses" : "does not use"} bufferutil`);
  const results = [];
  for (const c of DECODE_CASES) {
    if (FILTER && !`decode ${c.id}`.includes(FILTER)) continue;
    const s = makeStream(c);
    const shapes = c.type === "text" ? ["bytes", "string"] : ["bytes"];
    for (const shape of shapes) {
      const rx = new Receiver({ isServer: true, maxPayload: 0 });
      rx.on("error", (e) => { throw e; });
      let n = 0, verifying = true;
      if (shape === "string") rx.on("message", (d) => { const t = d.toString(); if (verifying) { check(t === s.text, `${impl} ${c.id}: text #${n}`); } touch(t); n++; });
      else rx.on("message", (d) => { if (verifying) check(d.equals(s.payload), `${impl} ${c.id}: payload #${n}`); touch(d); n++; });
      s.work.set(s.pristine);
      for (const ch of s.chunks) rx.write(ch);
      check(n === s.frames, `${impl} ${c.id}: ${n} of ${s.frames} messages`);
      verifying = false;
      const chunks = s.chunks;
      const rate = measure(() => {
        const before = n;
        for (let i = 0; i < chunks.length; i++) rx.write(chunks[i]);
        return n - before;
      }, () => s.work.set(s.pristine));
      results.push({ kind: "decode", id: c.id, impl: shape === "string" ? `${impl} +toString` : impl, shape: shape === "string" ? "copy" : "bytes", type: c.type, size: c.size, msgs: rate, mbps: (rate * c.size) / 1e6 });
    }
  }
  for (const c of ENCODE_CASES) {
    if (FILTER && !`encode ${c.id}`.includes(FILTER)) continue;
    const payload = payloadFor(c.type, c.size);
    const mask = c.role === "client";
    // As WebSocket#send passes them: a Buffer is readOnly (masked into a new buffer), a string
    // is converted by Sender.frame and masked in place.
    const data = c.type === "text" ? payload.toString("utf8") : payload;
    const options = { fin: true, opcode: c.type === "text" ? 1 : 2, mask, readOnly: c.type !== "text", rsv1: false };
    verifyEncoded(Buffer.concat(Sender.frame(data, { ...options })), payload, c, impl);
    const rate = measure(() => {
      for (let i = 0; i < 64; i++) {
        const list = Sender.frame(data, options);
        touch(list[0]);
        touch(list[list.length - 1]);
      }
      return 64;
    });
    results.push({ kind: "encode", id: c.id, impl, type: c.type, size: c.size, msgs: rate, mbps: (rate * c.size) / 1e6 });
  }
  return results;
}

// ----- parent: run the children, print tables -------------------------------------------
const ANCHORS = {
  "ws101": {},
  "ws-pure": { WS_NO_BUFFER_UTIL: "1", WS_NO_UTF_8_VALIDATE: "1" },
  "ws-bufferutil": { WS_NO_UTF_8_VALIDATE: "1" },
};

function fmt(x) {
  if (x >= 1e6) return (x / 1e6).toFixed(2) + " M";
  if (x >= 1e4) return (x / 1e3).toFixed(0) + " k";
  if (x >= 1e3) return (x / 1e3).toFixed(1) + " k";
  return x.toFixed(0);
}
const mb = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const ratio = (a, b) => (b ? (a / b).toFixed(2) + "×" : "–");

function tables(results) {
  const out = [];
  const find = (kind, id, impl) => results.find((r) => r.kind === kind && r.id === id && r.impl === impl);
  out.push("### Decode (server side, masked client→server frames)", "");
  out.push("| case | implementation | MB/s | msgs/s | × ws pure JS | × ws+bufferutil |", "|---|---|--:|--:|--:|--:|");
  for (const c of DECODE_CASES) {
    const rows = results.filter((r) => r.kind === "decode" && r.id === c.id);
    for (const r of rows) {
      // Compare like with like: strings with `ws` + toString(), bytes with ws's Buffers.
      const text = c.type === "text";
      const suffix = text && r.shape !== "bytes" ? " +toString" : "";
      const pure = find("decode", c.id, "ws-pure" + suffix), bu = find("decode", c.id, "ws-bufferutil" + suffix);
      const name = r.impl.startsWith("ws101") ? `**${r.impl}**` : r.impl;
      out.push(`| ${c.id} | ${name} | ${mb(r.mbps)} | ${fmt(r.msgs)} | ${ratio(r.mbps, pure?.mbps)} | ${ratio(r.mbps, bu?.mbps)} |`);
    }
  }
  out.push("", "### Encode (one message → frame bytes)", "");
  out.push("| case | implementation | MB/s | msgs/s | × ws pure JS | × ws+bufferutil |", "|---|---|--:|--:|--:|--:|");
  for (const c of ENCODE_CASES) {
    const pure = find("encode", c.id, "ws-pure"), bu = find("encode", c.id, "ws-bufferutil");
    for (const r of results.filter((r) => r.kind === "encode" && r.id === c.id)) {
      const name = r.impl.startsWith("ws101") ? `**${r.impl}**` : r.impl;
      out.push(`| ${c.id} | ${name} | ${mb(r.mbps)} | ${fmt(r.msgs)} | ${ratio(r.mbps, pure?.mbps)} | ${ratio(r.mbps, bu?.mbps)} |`);
    }
  }
  // Targets from the issue, checked on the default (copying) mode and on views.
  out.push("", "### Targets (decode): ≥ 3× ws pure JS and ≥ 1× ws+bufferutil at ≥ 64 KiB; ≥ 1× ws+bufferutil at 125 B", "");
  out.push("| case | ws101 × pure | ws101 × bufferutil | ws101 views × pure | ws101 views × bufferutil | met (default / views) |", "|---|--:|--:|--:|--:|:-:|");
  for (const c of DECODE_CASES) {
    if (!(c.size >= 64 * KiB || c.size === 125)) continue;
    const sfx = c.type === "text" ? " +toString" : "";
    const pure = find("decode", c.id, "ws-pure" + sfx), bu = find("decode", c.id, "ws-bufferutil" + sfx);
    const a = find("decode", c.id, "ws101"), v = find("decode", c.id, "ws101 views");
    if (!a || !v || !pure || !bu) continue;
    const ok = (r) => (c.size >= 64 * KiB ? r.mbps >= 3 * pure.mbps && r.mbps >= bu.mbps : r.mbps >= bu.mbps) ? "yes" : "**no**";
    out.push(`| ${c.id} | ${ratio(a.mbps, pure.mbps)} | ${ratio(a.mbps, bu.mbps)} | ${ratio(v.mbps, pure.mbps)} | ${ratio(v.mbps, bu.mbps)} | ${ok(a)} / ${ok(v)} |`);
  }
  return out.join("\n");
}

if (CHILD) {
  const results = CHILD === "ws101" ? await ws101Child() : wsChild(CHILD);
  process.stdout.write(JSON.stringify({ anchor: CHILD, sink, results }) + "\n");
} else {
  const all = [];
  const forward = ["--time", String(TIME_MS)];
  if (FILTER) forward.push("--filter", FILTER);
  if (PKG) forward.push("--pkg", PKG);
  if (CPU_CLOCK) forward.push("--clock", "cpu");
  for (const [anchor, env] of Object.entries(ANCHORS)) {
    const t0 = Date.now();
    const childEnv = { ...process.env, ...env };
    if (anchor !== "ws-pure") delete childEnv.WS_NO_BUFFER_UTIL;
    const r = spawnSync(process.execPath, [SELF, "--child", anchor, ...forward], { env: childEnv, encoding: "utf8", maxBuffer: 64 * MiB });
    if (r.status !== 0) {
      process.stderr.write(r.stderr);
      throw new Error(`${anchor} child exited with ${r.status}`);
    }
    const lines = r.stdout.trim().split("\n");
    all.push(...JSON.parse(lines[lines.length - 1]).results);
    process.stderr.write(`${anchor}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const md = tables(all);
  const jsonPath = opt("--json", null), mdPath = opt("--md", null);
  if (jsonPath) writeFileSync(jsonPath, JSON.stringify({ node: process.version, nproc: os.availableParallelism?.() ?? os.cpus().length, timeMs: TIME_MS, results: all }, null, 2) + "\n");
  if (mdPath) writeFileSync(mdPath, md + "\n");
  process.stdout.write(md + "\n");
}

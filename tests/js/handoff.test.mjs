// The hand-off from the opening handshake to the connection (issue 19): the core's outcome carries
// `handoff` (role, negotiated permessage-deflate, where the frames start) and
// `Connection.afterHandshake(outcome, received, options)` makes the connection from it in one
// call. Also: the event record layout is the binding's, and a RawConnection's records follow it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import {
  Connection, RawConnection, buildRequest, parseRequest, validateRequest, validateExtendedConnect, wasmMemory,
} from "ws101";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const HEAD = `GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n`;
/** RFC 6455 §5.7: a masked text frame "Hello". */
const HELLO = Buffer.from("818537fa213d7f9f4d5158", "hex");

/** A masked frame (client to server) with `payload`; `rsv1` for a compressed message. */
function masked(opcode, payload, rsv1 = false) {
  const mask = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload).map((b, i) => b ^ mask[i % 4]);
  return Buffer.concat([Buffer.from([0x80 | (rsv1 ? 0x40 : 0) | opcode, 0x80 | body.length]), mask, body]);
}

/** "Hello" compressed as permessage-deflate sends it (RFC 7692 §7.2.1: the trailing 00 00 ff ff removed). */
const compressed = () => deflateRawSync(Buffer.from("Hello"), { finishFlush: 2 /* Z_SYNC_FLUSH */ }).subarray(0, -4);

test("server: parseRequest's handoff starts the frames after the head; one call makes the connection", () => {
  const received = Buffer.concat([Buffer.from(HEAD + "\r\n"), HELLO]);
  const outcome = parseRequest(received);
  assert.equal(outcome.ok, true);
  assert.deepEqual(outcome.handoff, { role: "server", deflate: null, consumed: HEAD.length + 2 });
  const { connection, frames } = Connection.afterHandshake(outcome, received);
  assert.deepEqual(Buffer.from(frames), HELLO);
  assert.deepEqual(connection.receive(frames), [{ type: "text", data: "Hello" }]);
  // A server's frames are unmasked (RFC 6455 §5.1).
  assert.deepEqual(Buffer.from(connection.sendText("hi")), Buffer.from([0x81, 2, 0x68, 0x69]));
  // A client's (unmasked) frame is refused by the server role the handoff chose.
  const [event] = connection.receive(Buffer.from([0x81, 0]));
  assert.equal(event.type, "error");
  assert.equal(event.error.code, "unmasked-frame");
});

test("server: the negotiated permessage-deflate reaches the connection (RSV1 allowed, messages inflated)", () => {
  for (const outcome of [
    validateRequest({ method: "GET", url: "/", headers: { host: "a", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "13", "sec-websocket-extensions": "permessage-deflate" } }, { perMessageDeflate: true }),
    parseRequest(Buffer.from(HEAD + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"), { perMessageDeflate: true }),
  ]) {
    assert.equal(outcome.ok, true);
    assert.equal(outcome.handoff.role, "server");
    assert.deepEqual(outcome.handoff.deflate, outcome.deflate);
    assert.ok(outcome.handoff.deflate);
    const { connection } = Connection.afterHandshake(outcome, null);
    assert.deepEqual(connection.receive(masked(1, compressed(), true)), [{ type: "text", data: "Hello" }]);
  }
  // Without deflate negotiated, RSV1 is a protocol error (RFC 6455 §5.2).
  const plain = parseRequest(Buffer.from(HEAD + "\r\n"));
  const [event] = Connection.afterHandshake(plain, null).connection.receive(masked(1, compressed(), true));
  assert.equal(event.type, "error");
  assert.equal(event.error.code, "reserved-bits");
});

test("client: parseResponse's handoff is the client role, and the server's first frame follows the head", () => {
  const request = buildRequest("ws://example.com/chat", { perMessageDeflate: true });
  const head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${request.expectedAccept}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`;
  const received = Buffer.concat([Buffer.from(head), Buffer.from([0x81, 2, 0x68, 0x69])]);
  const result = request.parseResponse(received);
  assert.equal(result.ok, true);
  assert.equal(result.handoff.role, "client");
  assert.equal(result.handoff.consumed, head.length);
  assert.ok(result.handoff.deflate);
  const { connection, frames } = Connection.afterHandshake(result, received, { textAsBytes: false });
  assert.deepEqual(connection.receive(frames), [{ type: "text", data: "hi" }]);
  // A client masks what it sends (RFC 6455 §5.3).
  assert.equal(connection.sendText("x")[1] & 0x80, 0x80);
  // validateResponse (status and headers, no bytes): the same handoff, nothing consumed.
  const checked = request.validateResponse(101, ["Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Accept", request.expectedAccept]);
  assert.deepEqual(checked.handoff, { role: "client", deflate: null, consumed: 0 });
  // A refused response hands nothing over.
  const refused = request.validateResponse(400, []);
  assert.equal(refused.handoff, null);
  assert.throws(() => Connection.afterHandshake(refused, null), TypeError);
  request.free();
});

test("HTTP/2 extended CONNECT (RFC 8441 §5): a server handoff with nothing consumed", () => {
  const fields = [":method", "CONNECT", ":protocol", "websocket", ":scheme", "https", ":path", "/", ":authority", "a", "sec-websocket-version", "13"];
  const outcome = validateExtendedConnect(fields);
  assert.equal(outcome.accepted, true);
  assert.deepEqual(outcome.handoff, { role: "server", deflate: null, consumed: 0 });
  const refused = validateExtendedConnect(fields.slice(0, -2));
  assert.equal(refused.accepted, false);
  assert.equal(refused.handoff, null);
});

test("misuse: role or deflate beside a handoff, a rejected outcome, a forged handoff", () => {
  const outcome = parseRequest(Buffer.from(HEAD + "\r\n"));
  assert.throws(() => Connection.afterHandshake(outcome, null, { role: "client" }), /role comes from the handoff/);
  assert.throws(() => new Connection({ handoff: outcome.handoff, deflate: {} }), /deflate comes from the handoff/);
  assert.throws(() => Connection.afterHandshake(parseRequest(Buffer.from("GET / HTTP/1.1\r\n\r\n")), null), TypeError);
  assert.throws(() => new Connection({ handoff: { role: "peer", deflate: null, consumed: 0 } }), /handoff.role/);
  assert.throws(() => new Connection({ handoff: { role: "server", deflate: null, consumed: -1 } }), RangeError);
  assert.throws(() => Connection.afterHandshake(null, null), TypeError);
});

test("the event record layout is the binding's, and a RawConnection's records follow it", () => {
  const layout = RawConnection.recordLayout();
  const kinds = ["text", "binary", "ping", "pong", "close", "error", "partText", "partBinary"];
  assert.equal(layout.words, 5);
  assert.equal(new Set(kinds.map((k) => layout[k])).size, kinds.length, "each kind has its own number");
  assert.equal(layout.count & layout.more, 0);
  assert.equal(layout.count & layout.release, 0);
  const raw = new RawConnection(true, {});
  const wire = Buffer.concat([HELLO, masked(9, "p"), masked(2, [7, 8, 9]), masked(8, Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65]))]);
  const n = raw.inputBuffer(wire.length);
  new Uint8Array(wasmMemory().buffer, n, wire.length).set(wire);
  const count = raw.receive(wire.length) & layout.count;
  assert.equal(count, 4);
  const memory = wasmMemory().buffer;
  const words = new Uint32Array(memory, raw.records(), count * layout.words);
  const record = (i) => Array.from(words.subarray(i * layout.words, (i + 1) * layout.words));
  const payload = ([, ptr, len]) => Buffer.from(new Uint8Array(memory, ptr, len));
  const [text, ping, binary, close] = [0, 1, 2, 3].map(record);
  assert.equal(text[0], layout.text);
  assert.equal(payload(text).toString(), "Hello");
  assert.equal(ping[0], layout.ping);
  assert.equal(payload(ping).toString(), "p");
  assert.ok(binary[0] === layout.binary || binary[0] === layout.partBinary);
  assert.deepEqual([...payload(binary)], [7, 8, 9]);
  assert.equal(close[0], layout.close);
  assert.equal(close[3] & 0xffff, 1000);
  assert.equal(payload(close).toString(), "bye");
  raw.free();
  // A part of a message in one frame: `extra` is fin, the fifth word the announced length.
  const parted = new RawConnection(true, {});
  const frame = masked(2, Buffer.alloc(10, 5)).subarray(0, -4);
  const at = parted.inputBuffer(frame.length);
  new Uint8Array(wasmMemory().buffer, at, frame.length).set(frame);
  assert.equal(parted.receive(frame.length) & layout.count, 1);
  const part = Array.from(new Uint32Array(wasmMemory().buffer, parted.records(), layout.words));
  assert.deepEqual([part[0], part[2], part[3], part[4]], [layout.partBinary, 6, 0, 10]);
  parted.free();
  // An error record: its `extra` word indexes the typed error.
  const bad = new RawConnection(true, {});
  const ptr = bad.inputBuffer(2);
  new Uint8Array(wasmMemory().buffer, ptr, 2).set([0x81, 0x00]);
  assert.equal(bad.receive(2) & layout.count, 1);
  const [kind, , , extra] = new Uint32Array(wasmMemory().buffer, bad.records(), layout.words);
  assert.equal(kind, layout.error);
  assert.equal(bad.error(extra).code, "unmasked-frame");
  bad.free();
});

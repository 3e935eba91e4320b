// Hostile frame cases (RFC 6455 §5, §7.4.1; RFC 7692): each is the bytes a raw client sends after
// the handshake and the close code RFC 6455 names for it ("echo" when the server must echo, "any"
// where the RFCs leave the answer open). `finding: N`: ws101 answers it wrongly today (the report
// on branch `attack`, tests/robust/hostile.test.mjs).
import zlib from "node:zlib";
import { frame, closePayload, OP } from "./raw.mjs";
import { compress } from "./deflate.mjs";

const b = (...x) => Buffer.from(x);
const cat = (...x) => Buffer.concat(x);

/** permessage-deflate payload whose back-references point into a dictionary the peer never saw. */
function presetDictionaryStream() {
  const dictionary = Buffer.from("hello world, this is the preset dictionary text ");
  const out = zlib.deflateRawSync(Buffer.from("this is the preset dictionary text hello world"), { dictionary, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4); // RFC 7692 §7.2.1: without the trailing 00 00 ff ff
}

/** A raw 2-byte header frame with arbitrary first/second byte (masked, key 0). */
function rawHeader(byte0, len, payload = Buffer.alloc(0)) {
  return cat(b(byte0, 0x80 | len), b(0, 0, 0, 0), payload);
}

export const FRAME_CASES = [
  { name: "fragmented ping (FIN=0)", bytes: () => frame(OP.PING, "x", { fin: false }), code: 1002 },
  { name: "ping with 126-byte payload", bytes: () => frame(OP.PING, Buffer.alloc(126)), code: 1002 },
  { name: "close with 1-byte payload", bytes: () => frame(OP.CLOSE, b(3)), code: 1002 },
  { name: "close with 126-byte payload", bytes: () => frame(OP.CLOSE, closePayload(1000, "a".repeat(124))), code: 1002 },
  ...[0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535].map((c) => ({ name: `close code ${c}`, bytes: () => frame(OP.CLOSE, closePayload(c)), code: 1002 })),
  ...[1000, 1001, 1003, 1007, 1011, 1012, 1013, 1014, 3000, 4999].map((c) => ({ name: `close code ${c} (valid)`, bytes: () => frame(OP.CLOSE, closePayload(c)), code: c })),
  { name: "close with invalid UTF-8 reason", bytes: () => frame(OP.CLOSE, cat(closePayload(1000), b(0xff, 0xfe))), code: 1007 },
  { name: "close with overlong UTF-8 reason (C0 80)", bytes: () => frame(OP.CLOSE, cat(closePayload(1000), b(0xc0, 0x80))), code: 1007 },
  { name: "close with surrogate in reason (ED A0 80)", bytes: () => frame(OP.CLOSE, cat(closePayload(1000), b(0xed, 0xa0, 0x80))), code: 1007 },
  { name: "close with truncated UTF-8 reason (E2 82)", bytes: () => frame(OP.CLOSE, cat(closePayload(1000), b(0xe2, 0x82))), code: 1007 },
  { name: "empty close", bytes: () => frame(OP.CLOSE), code: 1005 },
  { name: "text invalid UTF-8", bytes: () => frame(OP.TEXT, b(0xff)), code: 1007 },
  { name: "text > U+10FFFF (F4 90 80 80)", bytes: () => frame(OP.TEXT, b(0xf4, 0x90, 0x80, 0x80)), code: 1007 },
  { name: "text incomplete sequence at end", bytes: () => frame(OP.TEXT, b(0x61, 0xe2, 0x82)), code: 1007 },
  { name: "text UTF-8 split valid across fragments", bytes: () => cat(frame(OP.TEXT, b(0xe2), { fin: false }), frame(OP.CONT, b(0x82), { fin: false }), frame(OP.CONT, b(0xac))), code: "echo" },
  { name: "text UTF-8 split invalid across fragments", bytes: () => cat(frame(OP.TEXT, b(0xe2), { fin: false }), frame(OP.CONT, b(0x82), { fin: false }), frame(OP.CONT, b(0x41))), code: 1007 },
  { name: "text invalid in first fragment, never finished", bytes: () => frame(OP.TEXT, b(0x61, 0xff), { fin: false }), code: 1007 },
  { name: "text invalid then ping (fail fast)", bytes: () => cat(frame(OP.TEXT, b(0xc0), { fin: false }), frame(OP.PING, "p")), code: 1007 },
  { name: "continuation without start", bytes: () => frame(OP.CONT, "x"), code: 1002 },
  { name: "new text while fragmented", bytes: () => cat(frame(OP.TEXT, "a", { fin: false }), frame(OP.TEXT, "b")), code: 1002 },
  { name: "new binary while fragmented", bytes: () => cat(frame(OP.BINARY, "a", { fin: false }), frame(OP.BINARY, "b")), code: 1002 },
  { name: "ping interleaved in fragments", bytes: () => cat(frame(OP.TEXT, "a", { fin: false }), frame(OP.PING, "p"), frame(OP.CONT, "b")), code: "echo" },
  { name: "RSV1 without deflate", deflate: false, bytes: () => frame(OP.TEXT, "x", { rsv1: true }), code: 1002 },
  { name: "RSV2", bytes: () => rawHeader(0x80 | 0x20 | 1, 1, b(0x61)), code: 1002 },
  { name: "RSV3", bytes: () => rawHeader(0x80 | 0x10 | 1, 1, b(0x61)), code: 1002 },
  { name: "RSV2 on ping", bytes: () => rawHeader(0x80 | 0x20 | 9, 0), code: 1002 },
  { name: "RSV1 on ping with deflate", deflate: true, bytes: () => frame(OP.PING, "", { rsv1: true }), code: 1002 },
  { name: "RSV1 on close with deflate", deflate: true, bytes: () => frame(OP.CLOSE, closePayload(1000), { rsv1: true }), code: 1002 },
  { name: "RSV1 on continuation with deflate", deflate: true, bytes: () => cat(frame(OP.TEXT, compress(Buffer.from("a")), { rsv1: true, fin: false }), frame(OP.CONT, compress(Buffer.from("b")), { rsv1: true })), code: 1002 },
  ...[3, 4, 5, 6, 7, 11, 12, 13, 14, 15].map((op) => ({ name: `reserved opcode ${op}`, bytes: () => frame(op, "x"), code: 1002 })),
  { name: "unmasked client frame", bytes: () => frame(OP.TEXT, "x", { masked: false }), code: 1002 },
  { name: "64-bit length with top bit set", bytes: () => cat(b(0x82, 0xff), Buffer.from("8000000000000000", "hex"), b(0, 0, 0, 0)), code: 1002 },
  { name: "64-bit length 2^63-1", bytes: () => cat(b(0x82, 0xff), Buffer.from("7fffffffffffffff", "hex"), b(0, 0, 0, 0)), code: 1009 },
  { name: "length 64 MiB + 1", bytes: () => cat(b(0x82, 0xff), Buffer.from("0000000004000001", "hex"), b(0, 0, 0, 0)), code: 1009 },
  { name: "fragments summing over 64 MiB (announced)", bytes: () => cat(frame(OP.BINARY, Buffer.alloc(10), { fin: false }), b(0x00, 0xff), Buffer.from("0000000004000000", "hex"), b(0, 0, 0, 0)), code: 1009 },
  { name: "deflate: invalid block type 3", deflate: true, bytes: () => frame(OP.BINARY, b(0x07, 0x00), { rsv1: true }), code: 1007 },
  { name: "deflate: garbage", deflate: true, bytes: () => frame(OP.BINARY, Buffer.from("ffffffffffffffffffff", "hex"), { rsv1: true }), code: 1007 },
  { name: "deflate: truncated stream (valid prefix)", deflate: true, bytes: () => frame(OP.BINARY, compress(Buffer.from("hello world hello world")).subarray(0, 5), { rsv1: true }), code: "any" },
  { name: "deflate: zlib header (RFC1950) not raw", deflate: true, bytes: () => frame(OP.BINARY, zlib.deflateSync(Buffer.from("abc")), { rsv1: true }), code: 1007 },
  { name: "deflate: final block then trailing bytes", deflate: true, bytes: () => frame(OP.BINARY, cat(zlib.deflateRawSync(Buffer.from("abc")), b(1, 2, 3, 4)), { rsv1: true }), code: "any" },
  // A stream compressed against a preset dictionary the receiver does not have: its first match
  // reaches before the start of the output (zlib: "invalid distance too far back").
  { name: "deflate: distance too far back (preset dictionary)", deflate: true, bytes: () => frame(OP.BINARY, presetDictionaryStream(), { rsv1: true }), code: 1007, finding: 6 },
  { name: "deflate: text, distance too far back (preset dictionary)", deflate: true, bytes: () => frame(OP.TEXT, presetDictionaryStream(), { rsv1: true }), code: 1007, finding: 6 },
  { name: "deflate: text invalid UTF-8 compressed", deflate: true, bytes: () => frame(OP.TEXT, compress(b(0xff, 0xfe)), { rsv1: true }), code: 1007 },
  { name: "deflate: compressed empty", deflate: true, bytes: () => frame(OP.BINARY, b(0x00), { rsv1: true }), code: "echo" },
  { name: "deflate: zero-length RSV1", deflate: true, bytes: () => frame(OP.BINARY, Buffer.alloc(0), { rsv1: true }), code: "any" },
  { name: "data after close", bytes: () => cat(frame(OP.CLOSE, closePayload(1000)), frame(OP.TEXT, "x")), code: 1000 },
  { name: "16-bit length for small payload (non-minimal)", bytes: () => cat(b(0x81, 0x80 | 126, 0, 1), b(0, 0, 0, 0), b(0x61)), code: "any" },
];

// The Autobahn|Testsuite case groups re-expressed as data (Autobahn itself needs Python 2).
// Ids "1.1.1"… follow Autobahn's numbering where the case is Autobahn's; ids starting with "w"
// are ws101's own additions to the same group. Each case:
//
//   { id, group, description,
//     deflate?: offer string for Sec-WebSocket-Extensions (true: "permessage-deflate; client_max_window_bits"),
//     send: [step…],            // what the client sends, in order
//     expect: {
//       echo?: [{ type, data }],  // the messages the server must send back, in order (default none)
//       pong?: [payload…] | { last, of },  // pongs back, in order (default none)
//       close?: [code…],        // the server's Close code (null: a Close without a code). Absent:
//                               // after the echoes the runner closes with 1000 and expects 1000 back
//       closeBefore?: mark,     // the Close must have arrived when the `waitClose` step `mark` ended
//       deflate?: bool, negotiation?: {…},  // whether / how permessage-deflate was agreed
//       nonStrict?: [{ why, …overrides }],  // other acceptable outcomes, judged "non-strict"
//     },
//     timeout?, serial? }
//
// Steps: { frame: { op, data, fin, rsv, compress }, chop?, chopDelay?, pauseAfter? }
//        { message: { op, data, fragmentSize, compress } }  (a whole message cut into frames)
//        { raw: bytes } · { pause: ms } · { waitClose: ms, mark } · { waitFor: { messages, pongs } }
// Frames are masked by the runner with fresh random keys; `chop: n` writes them n bytes at a time.
import { closePayload, encodeFrame } from "./run.mjs";

const cases = [];
const add = (group, id, description, send, expect, extra = {}) => cases.push({ id, group, description, send, expect, ...extra });

const hex = (s) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const utf8 = (s) => Buffer.from(s, "utf8");
const frame = (op, data, more = {}) => ({ frame: { op, data, ...more } });
const text = (data, more) => frame(1, data, more);
const binary = (data, more) => frame(2, data, more);
const cont = (data, more) => frame(0, data, more);
const ping = (data, more) => frame(9, data, more);
const pong = (data, more) => frame(10, data, more);
const close = (code, reason, more) => frame(8, closePayload(code, reason), more);
const chopped = (steps, chop = 1) => steps.map((s) => ({ ...s, chop }));
const T = (data) => ({ type: "text", data });
const B = (data) => ({ type: "binary", data });
// A violation after messages that must be echoed: Autobahn's NON-STRICT outcome is failing
// without echoing them (they may arrive in the same read as the violation).
const FAIL = (code = 1002, more = {}) => ({
  close: [code],
  ...(more.echo?.length ? { nonStrict: [{ why: "failed before echoing the earlier message(s) read together with the violation (Autobahn: NON-STRICT)", echo: [] }] } : {}),
  ...more,
});

// RFC 6455 §7.1.7: a violation fails the connection; §7.4.1 names 1002 (protocol error) and
// 1007 (data inconsistent with the message type, e.g. invalid UTF-8 in a text message).

// ---- 1 Framing ------------------------------------------------------------------------------
{
  const sizes = [0, 125, 126, 127, 128, 65535, 65536];
  sizes.forEach((n, i) => {
    const t = "*".repeat(n);
    add("1", `1.1.${i + 1}`, `text message, payload ${n} B`, [text(t)], { echo: [T(t)] });
  });
  add("1", "1.1.8", "text message, payload 65536 B, sent in chops of 997 B", [text("*".repeat(65536), { chop: 997 })], { echo: [T("*".repeat(65536))] });
  sizes.forEach((n, i) => {
    const b = Buffer.alloc(n, 0xfe);
    add("1", `1.2.${i + 1}`, `binary message, payload ${n} B`, [binary(b)], { echo: [B(b)] });
  });
  add("1", "1.2.8", "binary message, payload 65536 B, sent in chops of 997 B", [binary(Buffer.alloc(65536, 0xfe), { chop: 997 })], { echo: [B(Buffer.alloc(65536, 0xfe))] });
  add("1", "w1.1", "text message of 200 B sent byte by byte (header split inside the 16-bit length and the mask)", [text("é".repeat(100), { chop: 1 })], { echo: [T("é".repeat(100))] });
  add("1", "w1.2", "three messages in one write", [{ raw: () => Buffer.concat([text("one"), binary(hex("0102")), text("three")].map((s) => encodeFrame(s.frame))) }], { echo: [T("one"), B(hex("0102")), T("three")] });
}

// ---- 2 Pings / Pongs ------------------------------------------------------------------------
{
  const tenPayloads = Array.from({ length: 10 }, (_, i) => `payload-${i}`);
  const tenPongs = { pong: tenPayloads, nonStrict: [{ why: "RFC 6455 §5.5.3: a Pong for only the most recent Ping is allowed", pong: { last: tenPayloads[9], of: tenPayloads } }] };
  add("2", "2.1", "ping without payload", [ping("")], { pong: [""] });
  add("2", "2.2", "ping with small text payload", [ping("Hello, world!")], { pong: ["Hello, world!"] });
  add("2", "2.3", "ping with small binary payload", [ping(hex("00fffefdfcfb00ff"))], { pong: [hex("00fffefdfcfb00ff")] });
  add("2", "2.4", "ping with 125 B binary payload", [ping(Buffer.alloc(125, 0xfe))], { pong: [Buffer.alloc(125, 0xfe)] });
  add("2", "2.5", "ping with 126 B payload: control frames carry at most 125 B (RFC 6455 §5.5)", [ping(Buffer.alloc(126, 0xfe))], FAIL());
  add("2", "2.6", "ping with 125 B payload sent byte by byte", [ping(Buffer.alloc(125, 0xfe), { chop: 1 })], { pong: [Buffer.alloc(125, 0xfe)] });
  add("2", "2.7", "unsolicited pong without payload: ignored (RFC 6455 §5.5.3)", [pong("")], {});
  add("2", "2.8", "unsolicited pong with payload: ignored", [pong("unsolicited pong payload")], {});
  add("2", "2.9", "unsolicited pong, then ping: only the ping is answered", [pong("unsolicited pong payload"), ping("ping payload")], { pong: ["ping payload"] });
  add("2", "2.10", "10 pings with payloads: answered in order", tenPayloads.map((p) => ping(p)), tenPongs);
  add("2", "2.11", "10 pings with payloads, sent byte by byte", tenPayloads.map((p) => ping(p, { chop: 1 })), tenPongs);
}

// ---- 3 Reserved bits (no extension negotiated: RFC 6455 §5.2 "MUST _Fail_") ----------------
{
  const hello = "Hello, world!";
  add("3", "3.1", "text with RSV = 1", [text(hello, { rsv: 1 })], FAIL());
  add("3", "3.2", "text echoed, then text with RSV = 2, then ping (no pong)", [text(hello), text(hello, { rsv: 2 }), ping("")], FAIL(1002, { echo: [T(hello)] }));
  add("3", "3.3", "same with RSV = 3, all sent byte by byte", chopped([text(hello), text(hello, { rsv: 3 }), ping("")]), FAIL(1002, { echo: [T(hello)] }));
  add("3", "3.4", "same with RSV = 4 (RSV1), byte by byte with a pause between bytes", chopped([text(hello), text(hello, { rsv: 4 }), ping("")]).map((s) => ({ ...s, chopDelay: 1 })), FAIL(1002, { echo: [T(hello)] }));
  add("3", "3.5", "binary with RSV = 5", [binary(Buffer.from(Array.from({ length: 8 }, (_, i) => i)), { rsv: 5 })], FAIL());
  add("3", "3.6", "ping with RSV = 6", [ping(hello, { rsv: 6 })], FAIL());
  add("3", "3.7", "close with RSV = 7", [close(1000, "", { rsv: 7 })], FAIL());
  add("3", "w3.1", "text echoed, then binary with RSV1 alone (deflate not negotiated)", [text(hello), binary(hex("0102"), { rsv: 4 })], FAIL(1002, { echo: [T(hello)] }));
  add("3", "w3.2", "continuation frame with RSV = 2 inside a fragmented text", [text("frag1", { fin: false }), cont("frag2", { rsv: 2 })], FAIL());
}

// ---- 4 Opcodes (RFC 6455 §5.2: reserved opcodes MUST fail the connection) -------------------
{
  const hello = "Hello, world!";
  const reserved = (group, base, ops) => ops.forEach((op, i) => {
    const id = `${base}.${i + 1}`;
    const payload = i % 2 === 1 ? "reserved opcode payload" : "";
    if (i < 2) add(group, id, `reserved opcode ${op}${payload ? " with payload" : ""}`, [frame(op, payload)], FAIL());
    else add(group, id, `text echoed, then reserved opcode ${op}${payload ? " with payload" : ""}, then ping (no pong)`, [text(hello), frame(op, payload), ping("")], FAIL(1002, { echo: [T(hello)] }));
  });
  reserved("4", "4.1", [3, 4, 5, 6, 7]);
  reserved("4", "4.2", [11, 12, 13, 14, 15]);
}

// ---- 5 Fragmentation (RFC 6455 §5.4) --------------------------------------------------------
{
  const f1f2 = [text("fragment1", { fin: false }), cont("fragment2")];
  add("5", "5.1", "ping in 2 fragments: control frames MUST NOT be fragmented (§5.4)", [ping("fragment1", { fin: false }), cont("fragment2")], FAIL());
  add("5", "5.2", "pong in 2 fragments", [pong("fragment1", { fin: false }), cont("fragment2")], FAIL());
  add("5", "5.3", "text in 2 fragments", f1f2, { echo: [T("fragment1fragment2")] });
  add("5", "5.4", "text in 2 fragments, a pause between the frames", f1f2.map((s) => ({ ...s, pauseAfter: 50 })), { echo: [T("fragment1fragment2")] });
  add("5", "5.5", "text in 2 fragments, byte by byte", chopped(f1f2), { echo: [T("fragment1fragment2")] });
  const withPing = [text("fragment1", { fin: false }), ping("pongme!"), cont("fragment2")];
  add("5", "5.6", "text in 2 fragments with a ping in between", withPing, { echo: [T("fragment1fragment2")], pong: ["pongme!"] });
  add("5", "5.7", "same, byte by byte", chopped(withPing), { echo: [T("fragment1fragment2")], pong: ["pongme!"] });
  add("5", "5.8", "same, a pause between the frames", withPing.map((s) => ({ ...s, pauseAfter: 50 })), { echo: [T("fragment1fragment2")], pong: ["pongme!"] });
  const orphanFin = [cont("non-continuation payload"), text("Hello, world!")];
  add("5", "5.9", "continuation (FIN) with nothing to continue, then text", orphanFin, FAIL());
  add("5", "5.10", "same, byte by byte", chopped(orphanFin), FAIL());
  add("5", "5.11", "same, a pause between the frames", orphanFin.map((s) => ({ ...s, pauseAfter: 50 })), FAIL());
  const orphan = [cont("non-continuation payload", { fin: false }), text("Hello, world!")];
  add("5", "5.12", "continuation (no FIN) with nothing to continue, then text", orphan, FAIL());
  add("5", "5.13", "same, byte by byte", chopped(orphan), FAIL());
  add("5", "5.14", "same, a pause between the frames", orphan.map((s) => ({ ...s, pauseAfter: 50 })), FAIL());
  add("5", "5.15", "text in 2 fragments (echoed), then continuation (no FIN) with nothing to continue, then text",
    [...f1f2, cont("fragment3", { fin: false }), text("fragment4")], FAIL(1002, { echo: [T("fragment1fragment2")] }));
  const twice = (firstFin) => {
    const one = [cont("fragment1", { fin: firstFin }), text("fragment2", { fin: false }), cont("fragment3")];
    return [...one, ...one];
  };
  add("5", "5.16", "2× (continuation no FIN, text no FIN, continuation FIN)", twice(false), FAIL());
  add("5", "5.17", "2× (continuation FIN, text no FIN, continuation FIN)", twice(true), FAIL());
  add("5", "5.18", "text start inside a fragmented text (2 text frames, first without FIN)", [text("fragment1", { fin: false }), text("fragment2")], FAIL());
  const five = (more = {}) => [
    text("fragment1", { fin: false, ...more }), cont("fragment2", { fin: false, ...more }), ping("pongme 1!", more),
    { pause: 200 }, cont("fragment3", { fin: false, ...more }), cont("fragment4", { fin: false, ...more }), ping("pongme 2!", more),
    { pause: 200 }, cont("fragment5", more),
  ];
  const fiveExpect = { echo: [T("fragment1fragment2fragment3fragment4fragment5")], pong: ["pongme 1!", "pongme 2!"] };
  add("5", "5.19", "text in 5 fragments with 2 pings and pauses in between", five(), fiveExpect);
  add("5", "5.20", "same, byte by byte", five({ chop: 1 }), fiveExpect);
  // ws101's own: various fragment counts, binary, empty fragments, chunk boundaries
  const counts = [[1, 3], [2, 7], [3, 64], [4, 200]];
  for (const [k, n] of counts) {
    const t = Array.from({ length: n }, (_, i) => `f${i}é`).join("");
    const b = Buffer.from(Array.from({ length: n * 5 }, (_, i) => (i * 31) & 255));
    add("5", `w5.${k}`, `text in ${n} fragments`, [{ message: { op: 1, data: t, fragmentSize: Math.ceil(Buffer.byteLength(t) / n) } }], { echo: [T(t)] });
    add("5", `w5.${k + 4}`, `binary in ${n} fragments`, [{ message: { op: 2, data: b, fragmentSize: Math.ceil(b.length / n) } }], { echo: [B(b)] });
  }
  add("5", "w5.9", "text with empty first, middle and last fragments", [text("", { fin: false }), cont("abc", { fin: false }), cont("", { fin: false }), cont("def", { fin: false }), cont("")], { echo: [T("abcdef")] });
  add("5", "w5.10", "close in 2 fragments", [close(1000, "fragmented", { fin: false }), cont("")], FAIL());
  add("5", "w5.11", "binary in 2 fragments, the first one split across writes at every byte of its header",
    [binary(hex("00112233"), { fin: false, chop: 1 }), cont(hex("44556677"), { chop: 3 })], { echo: [B(hex("0011223344556677"))] });
  add("5", "w5.12", "binary start inside a fragmented binary", [binary(hex("01"), { fin: false }), binary(hex("02"))], FAIL());
  add("5", "w5.13", "fragmented text interleaved with pings and a pong (unsolicited)",
    [text("a", { fin: false }), ping("1"), pong("x"), cont("b", { fin: false }), ping("2"), cont("c")], { echo: [T("abc")], pong: ["1", "2"] });
}

// ---- 6 UTF-8 handling (Markus Kuhn's UTF-8 decoder capability and stress test) -------------
{
  const valid = (id, description, bytes, send) => add("6", id, description, send ?? [text(bytes)], { echo: [T(bytes)] });
  const invalid = (id, description, bytes, send) => add("6", id, `${description}: invalid UTF-8 → 1007`, send ?? [text(bytes)], FAIL(1007));
  const octets = (bytes) => Array.from(bytes, (b, i) => (i === 0 ? text(Buffer.from([b]), { fin: bytes.length === 1 }) : cont(Buffer.from([b]), { fin: i === bytes.length - 1 })));

  add("6", "6.1.1", "empty text message", [text("")], { echo: [T("")] });
  add("6", "6.1.2", "text of 3 empty fragments", [text("", { fin: false }), cont("", { fin: false }), cont("")], { echo: [T("")] });
  add("6", "6.1.3", "text of 3 fragments: empty, \"middle frame payload\", empty", [text("", { fin: false }), cont("middle frame payload", { fin: false }), cont("")], { echo: [T("middle frame payload")] });

  const hello = utf8("Hello-µ@ßöäüàá-UTF-8!!");
  valid("6.2.1", "valid UTF-8 in one fragment", hello);
  valid("6.2.2", "valid UTF-8 fragmented on code points", hello, [text(utf8("Hello-µ@ßöä"), { fin: false }), cont(utf8("üàá-UTF-8!!"))]);
  valid("6.2.3", "valid UTF-8 fragmented into one byte per frame", hello, octets(hello));
  const kosme = hex("cebae1bdb9cf83cebcceb5");
  valid("6.2.4", "valid UTF-8 (κόσμε) fragmented into one byte per frame", kosme, octets(kosme));

  const bad = Buffer.concat([kosme, hex("eda080"), utf8("edited")]);
  invalid("6.3.1", "κόσμε, a surrogate (ED A0 80), \"edited\"", bad);
  invalid("6.3.2", "same, one byte per frame", bad, octets(bad));

  // 6.4: fail fast. The Close must come on the invalid part, BEFORE the rest is sent.
  const failFast = { close: [1007], closeBefore: "final", nonStrict: [{ why: "failed only once the message was complete (Autobahn: NON-STRICT)", close: [1007] }] };
  const p1 = kosme, p2 = hex("f4908080"), p3 = utf8("edited");
  add("6", "6.4.1", "3 fragments: valid, then F4 90 80 80 (> U+10FFFF), wait, then the rest: the Close arrives before the final fragment is sent",
    [text(p1, { fin: false }), { waitClose: 300, mark: "first" }, cont(p2, { fin: false }), { waitClose: 1000, mark: "final" }, cont(p3)], failFast);
  add("6", "6.4.2", "3 fragments: valid + F4, then the byte 90 that makes it invalid, wait, then the rest",
    [text(Buffer.concat([p1, hex("f4")]), { fin: false }), { waitClose: 300, mark: "first" }, cont(hex("90"), { fin: false }), { waitClose: 1000, mark: "final" }, cont(Buffer.concat([hex("8080"), p3]))], failFast);
  const oneFrame = Buffer.concat([p1, p2, p3]);
  add("6", "6.4.3", "one frame written in 3 chunks: valid, then F4 90 80 80, wait, then the rest",
    [{ partialFrame: { op: 1, data: oneFrame, cuts: [p1.length, p1.length + 4] }, waits: [300, 1000], marks: ["first", "final"] }], failFast);
  add("6", "6.4.4", "one frame written in 3 chunks: valid + F4, then 90, wait, then the rest",
    [{ partialFrame: { op: 1, data: oneFrame, cuts: [p1.length + 1, p1.length + 2] }, waits: [300, 1000], marks: ["first", "final"] }], failFast);

  valid("6.5.1", "κόσμε", kosme);
  const prefixes = ["ce", "ceba", "cebae1", "cebae1bd", "cebae1bdb9", "cebae1bdb9cf", "cebae1bdb9cf83", "cebae1bdb9cf83ce", "cebae1bdb9cf83cebc", "cebae1bdb9cf83cebcce", "cebae1bdb9cf83cebcceb5"];
  prefixes.forEach((h, i) => {
    const b = hex(h);
    if (isComplete(b)) valid(`6.6.${i + 1}`, `κόσμε prefix ${h}`, b);
    else invalid(`6.6.${i + 1}`, `κόσμε prefix ${h} (ends inside a character)`, b);
  });
  [["00", "U+0000"], ["c280", "U+0080"], ["e0a080", "U+0800"], ["f0908080", "U+10000"]].forEach(([h, u], i) => valid(`6.7.${i + 1}`, `first possible sequence of its length: ${u}`, hex(h)));
  [["f888808080", "5 bytes"], ["fc8480808080", "6 bytes"]].forEach(([h, u], i) => invalid(`6.8.${i + 1}`, `first possible ${u} sequence`, hex(h)));
  [["7f", "U+007F"], ["dfbf", "U+07FF"], ["efbfbf", "U+FFFF"], ["f48fbfbf", "U+10FFFF"]].forEach(([h, u], i) => valid(`6.9.${i + 1}`, `last possible sequence: ${u}`, hex(h)));
  [["f7bfbfbf", "U+1FFFFF"], ["fbbfbfbfbf", "U+3FFFFFF"], ["fdbfbfbfbfbf", "U+7FFFFFFF"]].forEach(([h, u], i) => invalid(`6.10.${i + 1}`, `last possible sequence ${u} (> U+10FFFF)`, hex(h)));
  [["ed9fbf", "U+D7FF"], ["ee8080", "U+E000"], ["efbfbd", "U+FFFD"], ["f48fbfbf", "U+10FFFF"]].forEach(([h, u], i) => valid(`6.11.${i + 1}`, `boundary: ${u}`, hex(h)));
  invalid("6.11.5", "boundary: U+110000 (F4 90 80 80)", hex("f4908080"));
  ["80", "bf", "80bf", "80bf80", "80bf80bf", "80bf80bf80", "80bf80bf80bf"].forEach((h, i) => invalid(`6.12.${i + 1}`, `unexpected continuation bytes ${h}`, hex(h)));
  invalid("6.12.8", "all 64 continuation bytes 80..BF", Buffer.from(Array.from({ length: 64 }, (_, i) => 0x80 + i)));
  const lonely = (from, to) => Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => [from + i, 0x20]).flat());
  invalid("6.13.1", "lonely start bytes C0..DF each followed by a space", lonely(0xc0, 0xdf));
  invalid("6.13.2", "lonely start bytes E0..EF each followed by a space", lonely(0xe0, 0xef));
  invalid("6.13.3", "lonely start bytes F0..F7 each followed by a space", lonely(0xf0, 0xf7));
  invalid("6.13.4", "lonely start bytes F8..FB each followed by a space", lonely(0xf8, 0xfb));
  invalid("6.13.5", "lonely start bytes FC..FD each followed by a space", lonely(0xfc, 0xfd));
  const lastMissing = ["c0", "e080", "f08080", "f8808080", "fc80808080", "df", "efbf", "f7bfbf", "fbbfbfbf", "fdbfbfbfbf"];
  lastMissing.forEach((h, i) => invalid(`6.14.${i + 1}`, `sequence with its last byte missing: ${h}`, hex(h)));
  invalid("6.15.1", "concatenation of the incomplete sequences of 6.14", hex(lastMissing.join("")));
  [["fe", "FE"], ["ff", "FF"], ["fefeffff", "FE FE FF FF"]].forEach(([h, u], i) => invalid(`6.16.${i + 1}`, `impossible bytes ${u}`, hex(h)));
  ["c0af", "e080af", "f08080af", "f8808080af", "fc80808080af"].forEach((h, i) => invalid(`6.17.${i + 1}`, `overlong "/" (${h})`, hex(h)));
  ["c1bf", "e09fbf", "f08fbfbf", "f887bfbfbf", "fc83bfbfbfbf"].forEach((h, i) => invalid(`6.18.${i + 1}`, `maximum overlong sequence ${h}`, hex(h)));
  ["c080", "e08080", "f0808080", "f880808080", "fc8080808080"].forEach((h, i) => invalid(`6.19.${i + 1}`, `overlong NUL ${h}`, hex(h)));
  [["eda080", "D800"], ["edadbf", "DB7F"], ["edae80", "DB80"], ["edafbf", "DBFF"], ["edb080", "DC00"], ["edbe80", "DF80"], ["edbfbf", "DFFF"]]
    .forEach(([h, u], i) => invalid(`6.20.${i + 1}`, `single UTF-16 surrogate U+${u}`, hex(h)));
  const hi = ["eda080", "edadbf", "edae80", "edafbf"], lo = ["edb080", "edbfbf"];
  hi.flatMap((a) => lo.map((b) => a + b)).forEach((h, i) => invalid(`6.21.${i + 1}`, `paired UTF-16 surrogates ${h}`, hex(h)));
  // 6.22: noncharacters are valid UTF-8 (Unicode Corrigendum #9): U+FFFE, U+FFFF, U+nFFFE/U+nFFFF for planes 1..16
  const nonchars = [0xfffe, 0xffff];
  for (let plane = 1; plane <= 16; plane++) nonchars.push(plane * 0x10000 + 0xfffe, plane * 0x10000 + 0xffff);
  nonchars.forEach((cp, i) => valid(`6.22.${i + 1}`, `noncharacter U+${cp.toString(16).toUpperCase()}`, utf8(String.fromCodePoint(cp))));
  valid("6.23.1", "U+FFFD replacement character", hex("efbfbd"));
  valid("6.23.2", "U+FEFF (BOM) inside a message", utf8("a\ufeffb"));
  // ws101's own: a character split across fragments, and invalid bytes in a later fragment
  valid("w6.1", "4-byte character split 1+3 across fragments", hex("f09f9880"), [text(hex("f0"), { fin: false }), cont(hex("9f9880"))]);
  add("6", "w6.2", "4-byte character split 3+1 across fragments, with a ping in between", [text(hex("f09f98"), { fin: false }), ping("p"), cont(hex("80"))], { echo: [T(hex("f09f9880"))], pong: ["p"] });
  invalid("w6.3", "message ending inside a character (valid fragments, truncated at FIN)", hex("f09f98"), [text(hex("f09f"), { fin: false }), cont(hex("98"))]);
  add("6", "w6.4", "invalid byte in fragment 2 of 3: the Close arrives before fragment 3 is sent",
    [text("abc", { fin: false }), cont(hex("ff"), { fin: false }), { waitClose: 1000, mark: "final" }, cont("def")], failFast);
  add("6", "w6.5", "valid text echoed, then a binary with invalid UTF-8 is echoed too (binary is not checked)", [text("ok"), binary(hex("ff"))], { echo: [T("ok"), B(hex("ff"))] });
}

function isComplete(b) {
  // is `b` valid UTF-8 (used to sort the κόσμε prefixes)
  try { new TextDecoder("utf-8", { fatal: true }).decode(b); return true; } catch { return false; }
}

// ---- 7 Close handling (RFC 6455 §5.5.1, §7) -------------------------------------------------
{
  const hello = "Hello World!";
  const echoCode = (code) => ({ close: [code], nonStrict: [{ why: "RFC 6455 §5.5.1: the reply typically echoes the code; 1000 is acceptable", close: [1000] }] });
  add("7", "7.1.1", "text echoed, then close 1000", [text(hello), close(1000)], { echo: [T(hello)], close: [1000],
    nonStrict: [{ why: "the Close was read together with the message and answered before it could be echoed (RFC 6455 §5.5.1: Close reply \"as soon as practical\"; Autobahn expects the echo)", echo: [] }] });
  add("7", "7.1.2", "close 1000 twice: one Close back", [close(1000), close(1000)], { close: [1000] });
  add("7", "7.1.3", "close, then ping: no pong (§5.5.1: no more data after Close)", [close(1000), ping("Hello, world!")], { close: [1000] });
  add("7", "7.1.4", "close, then text: not echoed", [close(1000), text(hello)], { close: [1000] });
  add("7", "7.1.5", "fragmented text begun, close, then its continuation: not echoed", [text("fragment1", { fin: false }), close(1000), cont("fragment2")], { close: [1000] });
  const big = "*".repeat(256 * 1024);
  add("7", "7.1.6", "256 KiB text, then close, then ping", [text(big), close(1000), ping("Hello, world!")],
    { echo: [T(big)], close: [1000], nonStrict: [{ why: "the large message may be dropped once the Close is read (Autobahn: INFORMATIONAL)", echo: [] }] });
  add("7", "7.3.1", "close without payload: the reply has no code (1005 semantics, §7.1.5)", [close(null)], { close: [null], nonStrict: [{ why: "RFC 6455 §5.5.1 allows any code in the reply", close: [1000] }] });
  add("7", "7.3.2", "close with a 1-byte payload (§5.5.1: a body starts with a 2-byte code)", [frame(8, hex("00"))], FAIL());
  add("7", "7.3.3", "close 1000 without reason", [close(1000)], { close: [1000] });
  add("7", "7.3.4", "close 1000 with reason \"Hello World!\"", [close(1000, hello)], { close: [1000] });
  add("7", "7.3.5", "close 1000 with a 123 B reason (payload 125 B)", [close(1000, "*".repeat(123))], { close: [1000] });
  add("7", "7.3.6", "close 1000 with a 124 B reason (payload 126 B > 125, §5.5)", [close(1000, "*".repeat(124))], FAIL());
  add("7", "7.5.1", "close 1000 with an invalid UTF-8 reason (§5.5.1, §8.1 → 1007)", [close(1000, Buffer.concat([hex("cebae1bdb9cf83cebcceb5eda080"), utf8("edited")]))], FAIL(1007));
  [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999].forEach((code, i) => {
    add("7", `7.7.${i + 1}`, `close with valid code ${code}: echoed`, [close(code)], echoCode(code));
  });
  // 1012 Service Restart, 1013 Try Again Later, 1014 Bad Gateway: IANA "WebSocket Close Code
  // Number Registry" (RFC 6455 §11.7), so valid on the wire; Autobahn accepts them too.
  [1012, 1013, 1014].forEach((code, i) => {
    add("7", `w7.7.${i + 1}`, `close with IANA-registered code ${code}: echoed`, [close(code)],
      { close: [code], nonStrict: [{ why: "RFC 6455 §5.5.1 reply code 1000", close: [1000] }, { why: "a peer that only knows RFC 6455's own codes may refuse it", close: [1002] }] });
  });
  // §7.4.1/§7.4.2: 0–999 unused; 1004 reserved; 1005, 1006, 1015 MUST NOT be sent; unassigned 1000–2999 are invalid
  [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999].forEach((code, i) => {
    add("7", `7.9.${i + 1}`, `close with invalid code ${code}`, [close(code)], FAIL());
  });
  add("7", "w7.9.1", "close with code 1015 (TLS handshake: MUST NOT be sent, §7.4.1)", [close(1015)], FAIL());
  add("7", "7.13.1", "close with code 5000 (outside every range of §7.4.2)", [close(5000)], FAIL());
  add("7", "7.13.2", "close with code 65535", [close(65535)], FAIL());
  add("7", "w7.1", "close 1000 sent byte by byte", [close(1000, "bye", { chop: 1 })], { close: [1000] });
  add("7", "w7.2", "close 1001 with a 123 B reason of 2-byte characters (61 × é + x)", [close(1001, "é".repeat(61) + "x")], echoCode(1001));
}

// ---- 9 Limits / performance (64 MiB server limit; big messages echoed) ---------------------
{
  const MiB = 1 << 20;
  const textOf = (n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = 0x41 + (i % 26); return b; };
  const binOf = (n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = (i * 131 + (i >> 8)) & 255; return b; };
  const memo = (f) => { let v; return () => (v ??= f()); };
  const sizes = [[1, 1 * MiB], [2, 4 * MiB], [3, 16 * MiB]];
  for (const [k, n] of sizes) {
    const t = memo(() => textOf(n)), b = memo(() => binOf(n));
    add("9", `9.1.${k}`, `text message of ${n / MiB} MiB`, [text(t)], { echo: [T(t)] }, { serial: true, timeout: 20000 });
    add("9", `9.2.${k}`, `binary message of ${n / MiB} MiB`, [binary(b)], { echo: [B(b)] }, { serial: true, timeout: 20000 });
  }
  const t4 = memo(() => textOf(4 * MiB)), b4 = memo(() => binOf(4 * MiB));
  [[1, 64 * 1024], [2, 4 * 1024]].forEach(([k, size]) => {
    add("9", `9.3.${k}`, `text of 4 MiB in frames of ${size / 1024} KiB`, [{ message: { op: 1, data: t4, fragmentSize: size } }], { echo: [T(t4)] }, { serial: true, timeout: 20000 });
    add("9", `9.4.${k}`, `binary of 4 MiB in frames of ${size / 1024} KiB`, [{ message: { op: 2, data: b4, fragmentSize: size } }], { echo: [B(b4)] }, { serial: true, timeout: 20000 });
  });
  const many = Array.from({ length: 1000 }, (_, i) => `message ${i}`);
  add("9", "9.7.1", "1000 small text messages in one burst, echoed in order", many.map((m) => text(m)), { echo: many.map(T) }, { serial: true, timeout: 10000 });
  add("9", "w9.1", "a frame header announcing 64 MiB + 1 B: 1009 before the payload arrives (§7.4.1)",
    [{ raw: () => { const h = Buffer.alloc(14); h[0] = 0x82; h[1] = 0x80 | 127; h.writeBigUInt64BE(BigInt(64 * MiB + 1), 2); return h; } }], FAIL(1009), { serial: true });
  add("9", "w9.2", "fragments summing to 64 MiB + 1 B: 1009", [{ message: { op: 2, data: memo(() => Buffer.alloc(64 * MiB + 1)), fragmentSize: 16 * MiB } }],
    FAIL(1009), { serial: true, timeout: 20000 });
}

// ---- 12 / 13 permessage-deflate (RFC 7692) --------------------------------------------------
{
  const lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ";
  const textOf = (n, seed) => { let s = ""; let i = seed; while (s.length < n) s += `${lorem}${i++} `; return utf8(s.slice(0, n)); };
  const binOf = (n, seed) => { const b = Buffer.alloc(n); let x = seed * 2654435761 >>> 0; for (let i = 0; i < n; i++) { if (i % 64 === 0) x = (x * 1103515245 + 12345) >>> 0; b[i] = (x >>> (i % 24)) & 0x3f; } return b; };
  const jsonOf = (n, seed) => { const rows = []; let s = ""; for (let i = 0; s.length < n; i++) { rows.push({ id: seed + i, name: `user-${(seed * 7 + i) % 97}`, ok: i % 3 === 0, score: (i * 37) % 101 }); s = JSON.stringify(rows); } return utf8(s.slice(0, n)); };
  const sizes = [16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072];
  const series = (kind, make, size, count) => Array.from({ length: count }, (_, i) => make(size, i));
  const compressedMessages = (op, datas, more = {}) => datas.map((data) => ({ message: { op, data, compress: true, ...more } }));
  const kinds = [["12.1", "text", 1, textOf], ["12.2", "binary", 2, binOf], ["12.3", "JSON text", 1, jsonOf]];
  for (const [base, kind, op, make] of kinds) {
    sizes.forEach((size, i) => {
      const datas = series(kind, make, size, 10);
      add("12", `${base}.${i + 1}`, `10 ${kind} messages of ${size} B, compressed (context takeover)`, compressedMessages(op, datas),
        { echo: datas.map((d) => ({ type: op === 1 ? "text" : "binary", data: d })), deflate: true }, { deflate: true });
    });
  }
  [256, 4096, 65536].forEach((size, i) => {
    const datas = series("text", textOf, size, 5);
    add("12", `12.5.${i + 1}`, `5 text messages of ${size} B, compressed and sent in frames of 256 B`, compressedMessages(1, datas, { fragmentSize: 256 }),
      { echo: datas.map(T), deflate: true }, { deflate: true });
  });

  // 13: parameter variants of the offer (RFC 7692 §7.1); messages compressed as agreed
  const offers = [
    ["13.1", "permessage-deflate"],
    ["13.2", "permessage-deflate; client_no_context_takeover"],
    ["13.3", "permessage-deflate; client_max_window_bits=8"],
    ["13.4", "permessage-deflate; client_max_window_bits=15"],
    ["13.5", "permessage-deflate; client_no_context_takeover; client_max_window_bits=8"],
    ["13.6", "permessage-deflate; client_no_context_takeover; client_max_window_bits=15"],
    ["13.7", "permessage-deflate; client_no_context_takeover; client_max_window_bits=8, permessage-deflate; client_no_context_takeover, permessage-deflate"],
    ["w13.1", "permessage-deflate; server_no_context_takeover"],
    ["w13.2", "permessage-deflate; server_max_window_bits=9"],
    ["w13.3", "permessage-deflate; server_max_window_bits=8"],
    ["w13.4", "permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=11"],
    ["w13.5", "permessage-deflate; server_no_context_takeover; client_no_context_takeover"],
  ];
  for (const [base, offer] of offers) {
    [16, 1024, 16384, 131072].forEach((size, i) => {
      const datas = series("text", textOf, size, 5);
      add("13", `${base}.${i + 1}`, `offer "${offer}": 5 text messages of ${size} B`, compressedMessages(1, datas), { echo: datas.map(T), deflate: true }, { deflate: offer });
    });
  }

  // ws101's own frame-level permessage-deflate cases
  const msg = utf8(lorem.repeat(4));
  const D = { deflate: true };
  add("12", "w12.1", "one compressed text frame (RSV1)", [text(msg, { compress: true })], { echo: [T(msg)], deflate: true }, D);
  add("12", "w12.2", "compressed message in 3 frames, RSV1 on the first only (RFC 7692 §6.1)",
    [{ message: { op: 1, data: msg, compress: true, fragmentSize: 40 } }], { echo: [T(msg)], deflate: true }, D);
  add("12", "w12.3", "context takeover: the 2nd message back-references the 1st (needs the server's window)",
    [text(msg, { compress: true }), text(msg, { compress: true })], { echo: [T(msg), T(msg)], deflate: true }, D);
  add("12", "w12.4", "uncompressed message (RSV1 clear) on a deflate connection: allowed (RFC 7692 §6)", [text(msg)], { echo: [T(msg)], deflate: true }, D);
  add("12", "w12.5", "compressed empty message (one empty stored block 00, RFC 7692 §7.2.3.6)",
    [frame(1, hex("00"), { rsv: 4 })], { echo: [T("")], deflate: true }, D);
  add("12", "w12.6", "RSV1 on a continuation frame (RFC 7692 §6.1: only the first frame) → 1002",
    [text(hex("f248cdc9c90700"), { rsv: 4, fin: false }), cont(hex("00"), { rsv: 4 })], FAIL(1002, { deflate: true }), D);
  add("12", "w12.7", "RSV1 on a ping (RFC 7692 §6.1: never on control frames) → 1002", [ping("x", { rsv: 4 })], FAIL(1002, { deflate: true }), D);
  add("12", "w12.8", "RSV1 frame without permessage-deflate negotiated → 1002 (RFC 6455 §5.2)", [text(msg, { compress: false, rsv: 4 })], FAIL(1002, { deflate: false }));
  add("12", "w12.9", "invalid compressed data (block type 3) → 1007",
    [frame(1, hex("ff ff ff ff"), { rsv: 4 })],
    { close: [1007], deflate: true, nonStrict: [{ why: "RFC 7692 §6.2 says only \"_Fail the WebSocket Connection_\", no code", close: [1002] }] }, D);
  add("12", "w12.10", "compressed text that inflates to invalid UTF-8 → 1007",
    [text(hex("cebae1bdb9cf83cebcceb5eda080"), { compress: true })], FAIL(1007, { deflate: true }), D);
  add("12", "w12.11", "compressed message written byte by byte", [text(msg, { compress: true, chop: 1 })], { echo: [T(msg)], deflate: true }, D);
  add("12", "w12.12", "compressed binary and text interleaved with pings", [binary(msg, { compress: true }), ping("p1"), text(msg, { compress: true }), ping("p2")],
    { echo: [B(msg), T(msg)], pong: ["p1", "p2"], deflate: true }, D);
  add("12", "w12.13", "compression bomb: 65 MiB of zeros in ~65 KiB → 1009 (64 MiB limit)",
    [binary(() => Buffer.alloc(65 * 1024 * 1024), { compress: true })], FAIL(1009, { deflate: true }), { ...D, serial: true, timeout: 20000 });
  add("12", "w12.14", "bad offer (server_max_window_bits=7) is declined, not fatal (RFC 7692 §7.1.2.1)", [text("plain")], { echo: [T("plain")], deflate: false },
    { deflate: "permessage-deflate; server_max_window_bits=7" });
  add("12", "w12.15", "offer with client_max_window_bits (no value): accepted", [text(msg, { compress: true })], { echo: [T(msg)], deflate: true }, { deflate: "permessage-deflate; client_max_window_bits" });
}

export { cases };
export const groups = [...new Set(cases.map((c) => c.group))];
export const groupNames = { 1: "framing", 2: "pings/pongs", 3: "reserved bits", 4: "opcodes", 5: "fragmentation", 6: "UTF-8", 7: "close handling", 9: "limits/performance", 12: "permessage-deflate payloads", 13: "permessage-deflate parameters" };

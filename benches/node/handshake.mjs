// Handshake costs users pay per connection: validateRequest on a valid request (plain object,
// fetch Request, Node IncomingMessage) and acceptKey beside node:crypto's createHash("sha1").
// Prints a markdown table (ops/s and ratios from one run); `--json FILE` also writes the figures.
import { createHash } from "node:crypto";
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

// --entry handshake measures ws101/handshake (its own .wasm) instead of ws101; --pkg DIR takes the
// package from DIR (a pkg/ built elsewhere, to compare two builds) instead of the one named ws101.
const { values } = parseArgs({ options: { time: { type: "string", default: "300" }, json: { type: "string" }, rounds: { type: "string", default: "3" }, entry: { type: "string", default: "ws101" }, pkg: { type: "string" } } });
if (!["ws101", "handshake"].includes(values.entry)) throw new Error("--entry is ws101 or handshake");
const from = (file) => pathToFileURL(resolve(values.pkg, file)).href;
const ws101 = values.entry === "handshake"
  ? await import(values.pkg ? from("handshake/node.mjs") : "ws101/handshake")
  : await import(values.pkg ? from("node.mjs") : "ws101");
// The explaining path is measured through ws101's instance (ws101/handshake bundles its own).
const instance = values.entry === "ws101" ? await import(values.pkg ? from("instance.mjs") : "../../pkg/instance.mjs") : null;
const TIME = Number(values.time);
const ROUNDS = Number(values.rounds);
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const headers = {
  host: "server.example.com",
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": KEY,
  "sec-websocket-version": "13",
  origin: "http://example.com",
  "user-agent": "bench/1.0",
};
const plain = { method: "GET", url: "/chat", headers };
const request = new Request("http://server.example.com/chat", { headers: Object.entries(headers).filter(([n]) => n !== "host") });
const incoming = new IncomingMessage(new Socket());
incoming.method = "GET";
incoming.url = "/chat";
incoming.httpVersion = "1.1";
incoming.httpVersionMajor = 1;
incoming.httpVersionMinor = 1;
for (const [n, v] of Object.entries(headers)) incoming.rawHeaders.push(n, v);
incoming.headers = { ...headers };
const deflateOptions = { perMessageDeflate: true, protocols: ["chat", "superchat"] };
const withOffer = { method: "GET", url: "/chat", headers: { ...headers, "sec-websocket-protocol": "chat", "sec-websocket-extensions": "permessage-deflate; client_max_window_bits" } };

const rejected = { method: "GET", url: "/chat", headers: { ...headers, "sec-websocket-version": "8" } };

function nodeAccept(key) {
  return createHash("sha1").update(key + GUID).digest("base64");
}

// Sanity: every case gives the right answer before it is timed.
const expected = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
for (const [what, r] of [["plain", ws101.validateRequest(plain)], ["Request", ws101.validateRequest(request)], ["IncomingMessage", ws101.validateRequest(incoming)], ["options", ws101.validateRequest(withOffer, deflateOptions)]]) {
  if (!r.ok || r.acceptKey !== expected || r.response.bytes.length < 100) throw new Error(`validateRequest(${what}) is not an accept: ${JSON.stringify(r).slice(0, 300)}`);
}
if (ws101.acceptKey(KEY) !== expected || nodeAccept(KEY) !== expected) throw new Error("acceptKey is wrong");

let sink = 0;
/** CPU time of this thread's process in ms (the machine is shared: wall time counts other jobs' turns). */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function measure(fn) {
  // ops per CPU second: best of ROUNDS rounds of TIME/ROUNDS ms after a warm-up
  const per = TIME / ROUNDS;
  const n = 256;
  const t0 = cpu();
  while (cpu() - t0 < 100) for (let i = 0; i < n; i++) sink ^= fn(i) ? 1 : 0;
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let ops = 0;
    const start = cpu();
    let now = start;
    while (now - start < per) {
      for (let i = 0; i < n; i++) sink ^= fn(i) ? 1 : 0;
      ops += n;
      now = cpu();
    }
    best = Math.max(best, ops / ((now - start) / 1000));
  }
  return best;
}

const keys = Array.from({ length: 1024 }, () => ws101.generateKey());
const cases = [
  ["validateRequest, plain object", () => measure(() => ws101.validateRequest(plain).ok)],
  ["validateRequest, fetch Request", () => measure(() => ws101.validateRequest(request).ok)],
  ["validateRequest, IncomingMessage", () => measure(() => ws101.validateRequest(incoming).ok)],
  ["validateRequest, plain object + protocols + permessage-deflate offer", () => measure(() => ws101.validateRequest(withOffer, deflateOptions).ok)],
  ["validateRequest, plain object, reading verdicts", () => measure(() => ws101.validateRequest(plain).verdicts.length)],
  // What every call cost before the packed path: the same arguments through the explaining path.
  ...(instance ? [["explaining path (validateRequestParts), plain object", () => measure(() => instance.glue.validateRequestParts("GET", "/chat", "1.1", ws101.headerLines(headers), { protocols: [], requireProtocol: false, requireOrigin: false, perMessageDeflate: null }).ok)]] : []),
  // A rejection is answered by the explaining path, with its problems and 426 response.
  ["validateRequest, rejected (Sec-WebSocket-Version: 8)", () => measure(() => !ws101.validateRequest(rejected).ok)],
  ["acceptKey (ws101)", () => measure((i) => ws101.acceptKey(keys[i & 1023]).length)],
  ["node:crypto createHash(\"sha1\")…digest(\"base64\")", () => measure((i) => nodeAccept(keys[i & 1023]).length)],
];
const results = {};
for (const [name, run] of cases) results[name] = run();
const crypto = results['node:crypto createHash("sha1")…digest("base64")'];
const rows = ["| operation | ops/s | µs each | note |", "|---|--:|--:|---|"];
const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} k` : n.toFixed(0));
for (const [name, ops] of Object.entries(results)) {
  let note = "";
  if (name.startsWith("validateRequest") && !name.includes("verdicts") && !name.includes("+") && !name.includes("rejected")) note = `target ≥ 300 k/s: ${ops >= 300e3 ? "met" : "**missed**"}`;
  if (name.startsWith("explaining path")) note = `fast path: ${(results["validateRequest, plain object"] / ops).toFixed(1)}× this`;
  if (name === "acceptKey (ws101)") note = `${(ops / crypto).toFixed(2)}× node:crypto (target ≥ 2×: ${ops / crypto >= 2 ? "met" : "**missed**"})`;
  rows.push(`| ${name} | ${fmt(ops)} | ${(1e6 / ops).toFixed(2)} | ${note} |`);
}
console.log(rows.join("\n"));
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
if (sink === 0.5) console.log(sink);

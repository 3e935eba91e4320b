// The conformance table (tests/conformance/cases.mjs) over HTTP/2 streams: the same runner and
// judgement as over TCP, against examples/node/echo-h2.mjs (child process), every case a WebSocket
// on an extended CONNECT stream (RFC 8441) of one shared HTTP/2 connection, four at a time.
//
// The runner speaks HTTP/1.1 to a socket; H2CaseSocket is that socket: it turns the runner's
// upgrade request into the extended CONNECT (its Sec-WebSocket-Extensions offer kept), answers the
// runner with the 101 the 200 stands for, and then carries frames as DATA. The server's END_STREAM
// is the runner's "TCP closed by the server"; a reset is a reset.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import http2 from "node:http2";
import { fileURLToPath } from "node:url";
import { cases, groups, groupNames } from "../conformance/cases.mjs";
import { runTable } from "../conformance/run.mjs";
import { groupLines } from "../conformance/report.mjs";
import { freePort, start } from "../support/process.mjs";
import { selfSignedCert } from "./support.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

class H2CaseSocket extends EventEmitter {
  #session;
  #head = "";
  #stream = null;
  #destroyed = false;

  constructor(session) {
    super();
    this.#session = session;
  }

  get destroyed() { return this.#destroyed; }

  write(bytes, cb) {
    if (this.#stream) return this.#stream.write(bytes, cb);
    this.#head += Buffer.from(bytes).toString("latin1");
    if (this.#head.includes("\r\n\r\n")) this.#connect();
    if (cb) queueMicrotask(cb);
    return true;
  }

  #connect() {
    const field = (name) => new RegExp(`^${name}:[ \\t]*(.*?)[ \\t]*$`, "im").exec(this.#head)?.[1];
    const key = field("Sec-WebSocket-Key");
    const fields = { ":method": "CONNECT", ":protocol": "websocket", ":path": "/conformance", "sec-websocket-version": "13" };
    const offer = field("Sec-WebSocket-Extensions");
    if (offer) fields["sec-websocket-extensions"] = offer;
    const stream = this.#session.request(fields);
    this.#stream = stream;
    stream.on("response", (headers) => {
      const status = headers[":status"];
      const lines = status === 200
        ? ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", `Sec-WebSocket-Accept: ${createHash("sha1").update(key + GUID).digest("base64")}`]
        : [`HTTP/1.1 ${status} Refused`];
      if (headers["sec-websocket-extensions"]) lines.push(`Sec-WebSocket-Extensions: ${headers["sec-websocket-extensions"]}`);
      this.emit("data", Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1"));
    });
    stream.on("data", (chunk) => this.emit("data", chunk));
    stream.on("end", () => this.emit("end"));
    stream.on("close", () => this.emit("close"));
    stream.on("error", () => this.emit("error", Object.assign(new Error(`RST_STREAM ${stream.rstCode}`), { code: "ECONNRESET" })));
  }

  end() {
    if (this.#stream && !this.#stream.destroyed) this.#stream.end();
  }

  destroy() {
    this.#destroyed = true;
    if (this.#stream && !this.#stream.destroyed) this.#stream.close(http2.constants.NGHTTP2_CANCEL);
  }
}

let cert;
let proc;
let session;
let results;

before(async () => {
  cert = selfSignedCert();
  const port = await freePort();
  proc = start(process.execPath, ["examples/node/echo-h2.mjs"], {
    cwd: root,
    env: { ...process.env, PORT: String(port), TLS_CERT: cert.certPath, TLS_KEY: cert.keyPath },
  });
  const deadline = Date.now() + 20000;
  while (!proc.output().includes(`listening on https://127.0.0.1:${port}`)) {
    if (Date.now() > deadline || proc.child.exitCode !== null) throw new Error(`echo-h2 did not start: ${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
  session.on("error", () => {});
  const target = { name: "ws101 echo-h2 over HTTP/2", open: async () => new H2CaseSocket(session) };
  const t0 = Date.now();
  results = await runTable(target, cases, { concurrency: 4 });
  console.log(`::: ws101 echo-h2, every case an extended CONNECT stream of one HTTP/2 connection (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  for (const line of groupLines(results)) console.log(`  ${line}`);
  for (const r of results.filter((x) => x.verdict === "fail")) console.log(`  FAIL ${r.id} ${r.description}: ${r.problems.join("; ")}`);
});

after(async () => {
  session?.destroy();
  await proc?.stop();
  cert?.remove();
});

describe("the conformance table over HTTP/2 streams (examples/node/echo-h2.mjs)", () => {
  test("every case ran, on one HTTP/2 connection", () => {
    assert.equal(results.length, cases.length);
    assert.equal(session.destroyed, false);
    assert.equal(proc.child.exitCode, null, "the server process is alive");
  });
  for (const group of groups) {
    test(`group ${group} (${groupNames[group]}): no case fails`, () => {
      const failed = results.filter((r) => r.group === group && r.verdict === "fail");
      assert.deepEqual(failed.map((r) => `${r.id}: ${r.problems.join("; ")}`), []);
    });
  }
});

// examples/node/echo-h2.mjs as a contract, driven by an independent RFC 8441 client (Python
// `h2` with RFC 6455 framing written in tests/h2/rfc8441_client.py), by ws101's own client over
// both HTTP versions, and by curl-like plain requests.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { once } from "node:events";
import http2 from "node:http2";
import { fileURLToPath } from "node:url";
import { connect } from "ws101/node";
import { freePort, start } from "../support/process.mjs";
import { selfSignedCert } from "./support.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
let proc;
let port;
let cert;

before(async () => {
  cert = selfSignedCert();
  port = await freePort();
  proc = start(process.execPath, ["examples/node/echo-h2.mjs"], {
    cwd: root,
    env: { ...process.env, PORT: String(port), TLS_CERT: cert.certPath, TLS_KEY: cert.keyPath },
  });
  const deadline = Date.now() + 20000;
  while (!proc.output().includes("\n")) {
    if (Date.now() > deadline || proc.child.exitCode !== null) throw new Error(`echo-h2 did not start: ${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

after(async () => {
  await proc?.stop();
  cert?.remove();
});

test("prints exactly one line when ready", () => {
  assert.equal(proc.output(), `listening on https://127.0.0.1:${port}\n`);
});

test("an independent RFC 8441 client (Python h2): SETTINGS, GET /, extended CONNECT echoes, END_STREAM, refusals", async () => {
  const stdout = await new Promise((resolve, reject) => {
    execFile("python3", [`${root}tests/h2/rfc8441_client.py`, "127.0.0.1", String(port)], { timeout: 60000, maxBuffer: 1 << 20 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)));
  });
  const r = JSON.parse(stdout);
  assert.equal(r.alpn, "h2");
  assert.equal(r.enableConnectProtocol, 1);
  assert.equal(r.get.status, "200");
  assert.match(r.get.contentType, /^text\/plain/);
  assert.equal(r.ws.status, "200");
  assert.equal(r.ws.protocol, "echo");
  assert.equal(r.ws.accept, null);
  assert.equal(r.ws.upgrade, null);
  assert.deepEqual(r.ws.echoes, [
    { opcode: 1, len: 6, same: true },
    { opcode: 2, len: 0, same: true },
    { opcode: 2, len: 100 * 1024, same: true },
    { opcode: 2, len: 1 << 20, same: true },
    { opcode: 1, len: 0, same: true },
  ]);
  assert.deepEqual(r.ws.pong, { opcode: 10, payload: "ping!" });
  assert.deepEqual(r.concurrent, ["one", "two"]);
  assert.deepEqual(r.ws.close, { opcode: 8, code: 1000, reason: "bye" });
  assert.equal(r.ws.endStream, true);
  assert.equal(r.ws.reset, null);
  assert.deepEqual(r.violation, { opcode: 8, code: 1002 });
  assert.equal(r.refused.status, "400");
  assert.equal(r.refused.version, "13");
  assert.match(r.refused.body, /unsupported-version/);
});

test("ws101's client over HTTP/2 and over HTTP/1.1 on the same port; plain requests", async () => {
  for (const http2Option of [true, false]) {
    const ws = connect(`wss://127.0.0.1:${port}/any/path`, { http2: http2Option, rejectUnauthorized: false, protocols: ["echo"] });
    await once(ws, "open");
    assert.equal(ws.httpVersion, http2Option ? "2" : "1.1");
    assert.equal(ws.protocol, "echo");
    assert.match(ws.extensions, /^permessage-deflate/);
    const big = Buffer.alloc(3 << 20, 0x61);
    ws.send(big);
    const [msg, isBinary] = await once(ws, "message");
    assert.equal(isBinary, true);
    assert.ok(Buffer.compare(msg, big) === 0);
    ws.close();
    assert.equal((await once(ws, "close"))[0], 1005);
  }
  const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
  session.on("error", () => {});
  for (const [path, status] of [["/", 200], ["/other", 426]]) {
    const req = session.request({ ":path": path });
    const [headers] = await once(req, "response");
    req.resume();
    assert.equal(headers[":status"], status);
    assert.match(headers["content-type"], /^text\/plain/);
  }
  session.close();
  await once(session, "close");
});

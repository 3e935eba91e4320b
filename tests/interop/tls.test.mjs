// ws101's Node client over TLS (`wss://`): against a `ws` server on https with a self-signed
// certificate made here, trusted through `ca`; refused without it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketServer as WSServer } from "ws";
import { connect } from "ws101/node";

let dir;
let server;
let wss;
let port;
let cert;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "ws101-tls-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1"], { stdio: "ignore" });
  cert = readFileSync(join(dir, "cert.pem"));
  server = https.createServer({ key: readFileSync(join(dir, "key.pem")), cert });
  wss = new WSServer({ server, perMessageDeflate: true });
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  port = server.address().port;
});

after(async () => {
  wss?.close();
  await new Promise((r) => server?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("wss:// with the server's certificate as ca: handshake, deflate, echo, clean close", async () => {
  const ws = connect(`wss://localhost:${port}/secure`, { ca: cert, perMessageDeflate: true });
  await new Promise((resolve, reject) => { ws.once("open", resolve); ws.once("error", reject); });
  assert.match(ws.extensions, /permessage-deflate/);
  const got = new Promise((r) => ws.once("message", (d, isBinary) => r({ d: d.toString(), isBinary })));
  ws.send("over tls ".repeat(200));
  assert.deepEqual(await got, { d: "over tls ".repeat(200), isBinary: false });
  const closed = new Promise((r) => ws.once("close", (code) => r(code)));
  ws.close(1000);
  assert.equal(await closed, 1000);
});

test("wss:// without trusting the certificate fails the connection", async () => {
  const ws = connect(`wss://localhost:${port}/secure`);
  const err = await new Promise((resolve) => ws.once("error", resolve));
  assert.match(String(err.code ?? err.message), /SELF_SIGNED|self.signed|certificate/i);
});

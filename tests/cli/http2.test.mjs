// `ws101 probe --http2` (issue 17): the WebSocket opened as an RFC 8441 extended CONNECT over
// HTTP/2. Against examples/node/echo-h2.mjs (TLS, h2 + HTTP/1.1 on one port) every check passes;
// a plain node:http2 server without SETTINGS_ENABLE_CONNECT_PROTOCOL, one that refuses the CONNECT,
// and an HTTP/1.1-only TLS server are each reported for what they are. The exporter's module key
// `http2` reports probe_websocket_http_version 2.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import http2 from "node:http2";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, start, waitForHttp } from "../support/process.mjs";
import { checkOf, exporter, parseExposition, probeJson, root, tempFile, tlsServer, valueOf } from "./helpers.mjs";

const dir = mkdtempSync(join(tmpdir(), "ws101-cli-h2-"));
const cert = join(dir, "c"), key = join(dir, "k");
execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  "-keyout", key, "-out", cert, "-days", "2"], { stdio: "ignore" });
after(() => rmSync(dir, { recursive: true, force: true }));

describe("probe --http2 against examples/node/echo-h2.mjs", () => {
  let proc, url;
  before(async () => {
    const port = await freePort();
    proc = start(process.execPath, ["examples/node/echo-h2.mjs"], { cwd: root, env: { ...process.env, PORT: String(port), TLS_CERT: cert, TLS_KEY: key } });
    await waitForHttp(`https://127.0.0.1:${port}/`, 20000, proc).catch(() => {}); // self-signed: readiness by the probe below
    url = `wss://127.0.0.1:${port}/any`;
  });
  after(() => proc?.stop());

  test("every check passes; the report says HTTP/2 and has no accept key", async () => {
    const { code, report } = await probeJson([url, "--http2", "--insecure", "--protocol", "echo", "--require-protocol", "--deflate", "--require-deflate", "--send", "hello h2", "--ping", "2", "--close-code", "1000"]);
    assert.equal(code, 0, JSON.stringify(report.checks));
    assert.equal(report.httpVersion, "2");
    assert.equal(report.response.status, 200);
    assert.equal(report.accept, null);
    assert.equal(report.protocol, "echo");
    assert.ok(report.deflate, "permessage-deflate negotiated over h2");
    assert.equal(report.echo.received, "hello h2");
    assert.equal(report.pings.received, 2);
    assert.deepEqual({ code: report.close.code, clean: report.close.clean }, { code: 1000, clean: true });
    assert.equal(checkOf(report, "settings").ok, true);
  });

  test("the same port without --http2 is a 101 upgrade (HTTP/1.1)", async () => {
    const { code, report } = await probeJson([url, "--insecure", "--ping", "1"]);
    assert.equal(code, 0);
    assert.equal(report.httpVersion, "1.1");
  });

  test("the exporter's module `http2: true` reports probe_websocket_http_version 2", async () => {
    const config = tempFile("ws101.yml", "modules:\n  h2:\n    http2: true\n    pings: 1\n    tls: { insecure_skip_verify: true }\n");
    const ex = await exporter(["--config", config.path]);
    try {
      const text = await (await fetch(`${ex.base}/probe?target=${encodeURIComponent(url)}&module=h2`)).text();
      const samples = parseExposition(text);
      assert.equal(valueOf(samples, "probe_success"), 1, text);
      assert.equal(valueOf(samples, "probe_websocket_http_version"), 2);
    } finally {
      await ex.stop();
      config.cleanup();
    }
  });
});

describe("probe --http2 against servers that do not offer it", () => {
  const servers = [];
  after(async () => { for (const s of servers) await s.stop(); });

  async function h2Server(settings, onStream) {
    const server = http2.createSecureServer({ key: readFileSync(key), cert: readFileSync(cert), settings });
    server.on("stream", onStream);
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const s = { url: `wss://127.0.0.1:${server.address().port}/`, stop: () => new Promise((r) => { server.close(r); for (const c of s.sessions) c.destroy(); }), sessions: new Set() };
    server.on("session", (c) => s.sessions.add(c));
    servers.push(s);
    return s;
  }

  test("no SETTINGS_ENABLE_CONNECT_PROTOCOL: the settings check fails (RFC 8441 §3), exit 1", async () => {
    const s = await h2Server({}, (stream) => stream.respond({ ":status": 200 }));
    const { code, report } = await probeJson([s.url, "--http2", "--insecure"]);
    assert.equal(code, 1);
    assert.equal(checkOf(report, "settings").ok, false);
    assert.equal(checkOf(report, "settings").rfc, "RFC 8441 §3");
    assert.equal(report.error.code, "connect-protocol-not-offered");
  });

  test("the CONNECT refused with 403: status check fails with the status", async () => {
    const s = await h2Server({ enableConnectProtocol: true }, (stream) => stream.respond({ ":status": 403 }, { endStream: true }));
    const { code, report } = await probeJson([s.url, "--http2", "--insecure"]);
    assert.equal(code, 1);
    assert.equal(report.response.status, 403);
    assert.equal(checkOf(report, "status").ok, false);
    assert.equal(report.error.code, "unexpected-status");
  });

  test("a 200 naming a subprotocol never offered: the core's subprotocol verdict fails", async () => {
    const s = await h2Server({ enableConnectProtocol: true }, (stream) => stream.respond({ ":status": 200, "sec-websocket-protocol": "nope" }));
    const { code, report } = await probeJson([s.url, "--http2", "--insecure", "--protocol", "chat"]);
    assert.equal(code, 1);
    assert.equal(checkOf(report, "subprotocol").ok, false);
  });

  test("an HTTP/1.1-only TLS server: ALPN did not choose h2", async () => {
    const tls = await tlsServer();
    servers.push(tls);
    const { code, report } = await probeJson([tls.url, "--http2", "--ca", tls.ca]);
    assert.equal(code, 1);
    assert.equal(checkOf(report, "alpn").ok, false);
    assert.equal(report.error.code, "connect-protocol-not-offered");
  });
});

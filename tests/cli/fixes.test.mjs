// `ws101 probe` as a new user meets it (issue 18): durations with units, --version, one-line JSON,
// --require-protocol / --require-deflate / --close-code, certificate facts, http(s):// refused,
// clean messages for bad options, a non-101 answer never shown as PASS. Real servers on loopback:
// ws101's echo server, `ws` (with and without permessage-deflate, over TLS), raw sockets.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WebSocketServer as WSServer } from "ws";
import { rawServer } from "../support/process.mjs";
import { checkOf, echoServer, probeJson, root, tlsServer, ws101 } from "./helpers.mjs";

describe("probe options against ws101's echo server", () => {
  let echo;
  before(async () => { echo = await echoServer(); });
  after(() => echo?.stop());

  test("--json is one line; --json=pretty is the same report indented; --json=other is a usage error", async () => {
    const { report } = await probeJson([echo.url, "--ping", "1"]);
    assert.equal(report.ok, true);
    assert.equal(report.httpVersion, "1.1");
    const pretty = await ws101(["probe", echo.url, "--json=pretty"]);
    assert.equal(pretty.code, 0);
    assert.ok(pretty.stdout.split("\n").length > 20);
    assert.equal(JSON.parse(pretty.stdout).ok, true);
    const bad = await ws101(["probe", echo.url, "--json=xml"]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /--json takes no value or =pretty/);
  });

  test("--protocol chat: passes when the server picks none, fails with --require-protocol (error set)", async () => {
    const loose = await probeJson([echo.url, "--protocol", "chat"]);
    assert.equal(loose.code, 0);
    assert.equal(loose.report.protocol, null);
    const strict = await probeJson([echo.url, "--protocol", "chat", "--require-protocol"]);
    assert.equal(strict.code, 1);
    assert.equal(checkOf(strict.report, "require-protocol").ok, false);
    assert.equal(strict.report.error.code, "protocol-not-chosen");
    assert.equal(strict.report.close.clean, true, "the session still ran and closed cleanly");
    const chosen = await probeJson([echo.url, "--protocol", "chat", "--protocol", "echo", "--require-protocol"]);
    assert.equal(chosen.code, 0);
    assert.equal(chosen.report.protocol, "echo");
    assert.equal(checkOf(chosen.report, "require-protocol").ok, true);
    const human = await ws101(["probe", echo.url, "--protocol", "chat", "--require-protocol"]);
    assert.match(human.stdout, /FAIL {2}require-protocol +the server chose no subprotocol \(offered chat; required\)/);
  });

  test("--require-deflate passes when permessage-deflate is accepted", async () => {
    const { code, report } = await probeJson([echo.url, "--deflate", "--require-deflate", "--send", "zip"]);
    assert.equal(code, 0);
    assert.equal(checkOf(report, "require-deflate").ok, true);
    assert.ok(report.deflate);
  });

  test("--close-code: the code of the closing handshake is checked", async () => {
    assert.equal((await probeJson([echo.url, "--close-code", "1000"])).code, 0);
    const other = await probeJson([echo.url, "--close-code", "1001"]);
    assert.equal(other.code, 1);
    assert.equal(checkOf(other.report, "close-code").detail, "expected 1001, got 1000");
    assert.equal(other.report.error.code, "unexpected-close-code");
  });

  test("durations: --timeout 2s and 1500ms and 1.5s are accepted; a bare number is milliseconds", async () => {
    for (const t of ["2s", "1500ms", "1.5s", "2000"]) assert.equal((await ws101(["probe", echo.url, "--timeout", t])).code, 0, t);
    const help = await ws101(["probe", "--help"]);
    assert.match(help.stdout, /a bare number is milliseconds/);
    assert.match(help.stdout, /--require-protocol/);
    assert.match(help.stdout, /--every T/);
  });
});

test("--require-deflate against `ws` without permessage-deflate: exit 1, the check says declined", async () => {
  const wss = new WSServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise((r) => wss.once("listening", r));
  try {
    const url = `ws://127.0.0.1:${wss.address().port}/`;
    assert.equal((await probeJson([url, "--deflate"])).code, 0, "offering alone still passes (RFC 7692 lets the server decline)");
    const { code, report } = await probeJson([url, "--deflate", "--require-deflate"]);
    assert.equal(code, 1);
    assert.equal(checkOf(report, "require-deflate").ok, false);
    assert.equal(report.error.code, "deflate-declined");
  } finally {
    await new Promise((r) => wss.close(r));
  }
});

test("a server that accepts TCP and says nothing: --timeout 0.5s → exit 2, \"no response … within 500 ms\"", async () => {
  const srv = await rawServer(() => {});
  try {
    const { code, report } = await probeJson([srv.url, "--timeout", "0.5s"]);
    assert.equal(code, 2);
    assert.equal(checkOf(report, "connect").ok, true);
    assert.equal(checkOf(report, "response").detail, "no response: the server accepted the TCP connection but sent nothing within 500 ms");
  } finally {
    await srv.close();
  }
});

test("a 200 answer: response and status FAIL, nothing shown as PASS after connect", async () => {
  const srv = await rawServer((socket) => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  try {
    const { code, report } = await probeJson([srv.url]);
    assert.equal(code, 1);
    assert.equal(checkOf(report, "response").ok, false);
    assert.equal(checkOf(report, "status").ok, false);
    const human = await ws101(["probe", srv.url]);
    assert.match(human.stdout, /FAIL {2}response +HTTP\/1\.1 200 OK/);
    assert.doesNotMatch(human.stdout, /PASS {2}(response|status)/);
  } finally {
    await srv.close();
  }
});

describe("certificate facts over TLS", () => {
  let srv;
  before(async () => { srv = await tlsServer(30); });
  after(() => srv?.stop());

  test("subject, expiry (the certificate's notAfter) and TLS version in the report and the tls row", async () => {
    const { code, report } = await probeJson([srv.url, "--ca", srv.ca, "--ping", "1"]);
    assert.equal(code, 0, JSON.stringify(report.checks));
    const cert = report.tls.certificate;
    assert.equal(cert.subject, "CN=localhost");
    assert.equal(Date.parse(cert.validTo), srv.notAfter);
    assert.equal(Date.parse(cert.earliestExpiry), srv.notAfter);
    assert.ok(cert.expiresInDays === 29 || cert.expiresInDays === 30, String(cert.expiresInDays));
    assert.match(report.tls.protocol, /^TLSv1\.[23]$/);
    const human = await ws101(["probe", srv.url, "--ca", srv.ca]);
    assert.match(human.stdout, new RegExp(`PASS {2}tls +TLSv1\\.[23] \\S+, certificate verified; CN=localhost, expires ${new Date(srv.notAfter).toISOString().slice(0, 10)} \\(in (29|30) days\\)`));
  });
});

describe("usage", () => {
  test("--version prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync(join(root, "pkg/package.json"), "utf8"));
    for (const flag of ["--version", "-V"]) {
      const r = await ws101([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `ws101 ${version}\n`);
    }
  });

  test("help names the new commands and options; exporter --help exits 0", async () => {
    const main = await ws101(["--help"]);
    assert.match(main.stdout, /ws101 exporter \[--listen H:P\] \[--config F\]/);
    assert.match(main.stdout, /--every 30s/);
    for (const args of [["exporter", "--help"], ["help", "exporter"]]) {
      const r = await ws101(args);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /GET \/probe\?target=/);
      assert.match(r.stdout, /--max-concurrent N/);
    }
    const bad = await ws101(["exporter", "--listen", "nowhere"]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /^ws101 exporter: --listen must be HOST:PORT/);
  });

  test("http:// and https:// are refused with the ws:// / wss:// to use", async () => {
    const http = await ws101(["probe", "http://127.0.0.1:1/chat"]);
    assert.equal(http.code, 3);
    assert.match(http.stderr, /needs ws:\/\/ or wss:\/\/ \(did you mean ws:\/\/127\.0\.0\.1:1\/chat\?\)/);
    const https = await ws101(["probe", "HTTPS://example.test/"]);
    assert.equal(https.code, 3);
    assert.match(https.stderr, /did you mean wss:\/\/example\.test\/\?/);
  });

  test("bad options: clean one-line messages, no stray quote, a near option suggested", async () => {
    const cases = [
      [["probe", "ws://x/", "--bogus"], "ws101 probe: unknown option --bogus"],
      [["probe", "ws://x/", "--timout", "3s"], "ws101 probe: unknown option --timout (did you mean --timeout?)"],
      [["probe", "ws://x/", "--ping"], "ws101 probe: --ping needs a value"],
      [["probe", "ws://x/", "--deflate=yes"], "ws101 probe: --deflate takes no value"],
      [["probe", "ws://x/", "--timeout", "soon"], "ws101 probe: --timeout must be a positive duration such as 500ms, 3s or 1m (a bare number is milliseconds), got \"soon\""],
      [["probe", "ws://x/", "--require-protocol"], "ws101 probe: --require-protocol needs at least one subprotocol offered (--protocol P)"],
      [["probe", "ws://x/", "--every", "0s"], "ws101 probe: --every must be a positive duration such as 500ms, 3s or 1m (a bare number is milliseconds), got \"0s\""],
      // past setTimeout's 2^31-1 ms a timer fires after 1 ms: refused rather than a probe that gives up at once
      [["probe", "ws://x/", "--timeout", "1000h"], "ws101 probe: --timeout must be at most 2147483647 ms (24.8 days, the longest timer Node keeps), got \"1000h\""],
    ];
    for (const [args, message] of cases) {
      const r = await ws101(args);
      assert.equal(r.code, 3, args.join(" "));
      assert.equal(r.stderr.split("\n")[0], message);
      assert.doesNotMatch(r.stderr, /'/, "no quote from node's parseArgs text");
    }
  });
});

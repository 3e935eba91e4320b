// The `ws101` CLI (pkg/cli.mjs) run as a child process, so exit codes are real: `probe` against
// real servers on loopback (ws101's Node echo server, `ws`, Python `websockets`, the worker in
// workerd, `ws` over TLS with a self-signed certificate, and raw sockets that answer 200, 426, a
// wrong accept, nothing, or close abruptly after the 101), plus the `accept` and `frame` helpers.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import https from "node:https";
import { WebSocketServer as WSServer } from "ws";
import { freePort, rawServer, start, waitForHttp } from "../support/process.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = process.env.WS101_CLI ?? join(root, "pkg/cli.mjs"); // scripts/test.sh: the installed tarball's
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Runs the CLI; resolves { code, stdout, stderr, ms } (never rejects on a non-zero exit). */
function ws101(args, { timeout = 30000 } = {}) {
  const t = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: root, timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr, ms: Date.now() - t });
    });
  });
}

async function probeJson(args, opts) {
  const r = await ws101(["probe", ...args, "--json"], opts);
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    assert.fail(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  assert.equal(report.exitCode, r.code, "exitCode in the JSON is the process's");
  return { ...r, report };
}

const checkOf = (report, name) => report.checks.find((c) => c.name === name);

function assertHealthy(report, { echo = true } = {}) {
  assert.equal(report.ok, true, JSON.stringify(report.checks, null, 1));
  assert.equal(report.exitCode, 0);
  assert.equal(report.response.status, 101);
  assert.equal(report.accept.received, report.accept.expected);
  for (const name of ["connect", "response", "status", "upgrade", "connection", "accept", "close"]) assert.equal(checkOf(report, name)?.ok, true, name);
  if (echo) assert.equal(report.echo.ok, true);
  assert.equal(report.close.clean, true);
  assert.equal(report.close.code, 1000);
  assert.ok(report.timings.connectMs >= 0 && report.timings.handshakeMs >= 0);
}


const acceptFor = (head) => createHash("sha1").update(/sec-websocket-key:\s*(\S+)/i.exec(head)[1] + GUID).digest("base64");

// ---------------------------------------------------------------------------------------------

describe("probe against ws101's Node echo server", () => {
  let proc, url;
  before(async () => {
    const port = await freePort();
    proc = start(process.execPath, ["examples/node/echo.mjs"], { cwd: root, env: { ...process.env, PORT: String(port) } });
    await waitForHttp(`http://127.0.0.1:${port}/`, 20000, proc);
    url = `ws://127.0.0.1:${port}/chat`;
  });
  after(() => proc?.stop());

  test("healthy: echo, 3 pings, subprotocol, permessage-deflate, clean close (JSON)", async () => {
    const { report } = await probeJson([url, "--send", "hello ü", "--ping", "3", "--protocol", "echo", "--deflate"]);
    assertHealthy(report);
    assert.equal(report.protocol, "echo");
    assert.equal(report.extensions[0].name, "permessage-deflate");
    assert.ok(report.deflate);
    assert.deepEqual(report.echo.received, "hello ü");
    assert.equal(report.pings.count, 3);
    assert.equal(report.pings.received, 3);
    assert.ok(report.pings.minMs <= report.pings.medianMs && report.pings.medianMs <= report.pings.maxMs);
    assert.equal(report.close.initiator, "client");
    assert.ok(report.response.headers.some(([k, v]) => k.toLowerCase() === "sec-websocket-protocol" && v === "echo"));
    assert.ok(report.request.headers.some(([k, v]) => k === "Sec-WebSocket-Protocol" && v === "echo"));
  });

  test("human output: PASS per check, every response header, exit 0", async () => {
    const r = await ws101(["probe", url, "--send", "hi", "--ping", "2", "--origin", "http://example.test", "--header", "X-Probe: 1"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const re of [/PASS\s+connect .* in [\d.]+ ms/, /PASS\s+response\s+HTTP\/1\.1 101 Switching Protocols in [\d.]+ ms/, /^\s+Sec-WebSocket-Accept: \S+=$/m,
      /PASS\s+accept\s+expected (\S+), received \1/, /PASS\s+echo\s+sent "hi", received "hi"/, /PASS\s+ping\s+2\/2 pongs, RTT min [\d.]+ \/ median [\d.]+ \/ max [\d.]+ ms/,
      /PASS\s+close\s+1000 .*clean/, /result: PASS/]) assert.match(r.stdout, re);
    assert.doesNotMatch(r.stdout, /FAIL/);
  });

  test("echo mismatch with --expect fails the echo check: exit 1", async () => {
    const { code, report } = await probeJson([url, "--send", "abc", "--expect", "^xyz$", "--timeout", "600"]);
    assert.equal(code, 1);
    assert.equal(report.echo.ok, false);
    assert.deepEqual(report.echo.skipped, ["abc"]);
    assert.equal(checkOf(report, "echo").ok, false);
    assert.equal(report.close.clean, true, "the session still closes cleanly");
  });
});

describe("probe against other servers", () => {
  test("the `ws` server: echo, pings, clean close", async () => {
    const port = await freePort();
    const wss = new WSServer({ host: "127.0.0.1", port, perMessageDeflate: true, handleProtocols: (set) => (set.has("b") ? "b" : false) });
    wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
    await new Promise((r) => wss.once("listening", r));
    try {
      const { report } = await probeJson([`ws://127.0.0.1:${port}/`, "--send", "ws?", "--ping", "2", "--protocol", "a", "--protocol", "b", "--deflate"]);
      assertHealthy(report);
      assert.equal(report.protocol, "b");
      assert.equal(report.extensions[0]?.name, "permessage-deflate");
    } finally {
      await new Promise((r) => wss.close(r));
    }
  });

  test("Python websockets server: echo, pings, clean close", async () => {
    const port = await freePort();
    const script = `
import asyncio, sys
from websockets.asyncio.server import serve
async def echo(ws):
    async for message in ws:
        await ws.send(message)
async def main():
    async with serve(echo, "127.0.0.1", int(sys.argv[1])):
        print("ready", flush=True)
        await asyncio.get_running_loop().create_future()
asyncio.run(main())
`;
    const proc = start("python3", ["-c", script, String(port)]);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/`, 20000, proc);
      const { report } = await probeJson([`ws://127.0.0.1:${port}/`, "--send", "py", "--ping", "2", "--deflate"]);
      assertHealthy(report);
      assert.equal(report.extensions[0]?.name, "permessage-deflate");
    } finally {
      await proc.stop();
    }
  });

  test("the worker in workerd: a JSON greeting first, then the echo matched with --expect", async () => {
    const port = await freePort();
    const workerd = join(root, "node_modules/.bin/workerd");
    const proc = start(workerd, ["serve", "examples/workers/workerd.capnp", "--socket-addr", `http=127.0.0.1:${port}`], { cwd: root });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/accept`, 30000, proc);
      const { report } = await probeJson([`ws://127.0.0.1:${port}/ws`, "--protocol", "echo", "--send", "ping-123", "--expect", "^ping-\\d+$", "--ping", "2"]);
      assertHealthy(report);
      assert.equal(report.protocol, "echo");
      assert.equal(report.echo.received, "ping-123");
      assert.match(report.echo.skipped[0], /"type":"handshake"/);
    } finally {
      await proc.stop();
    }
  });
});

describe("probe over TLS (self-signed certificate)", () => {
  let dir, server, wss, url;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ws101-cli-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout", join(dir, "k"), "-out", join(dir, "c"), "-days", "1"], { stdio: "ignore" });
    server = https.createServer({ key: readFileSync(join(dir, "k")), cert: readFileSync(join(dir, "c")) });
    wss = new WSServer({ server });
    wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    url = `wss://localhost:${server.address().port}/secure`;
  });
  after(async () => {
    await new Promise((r) => wss.close(r));
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  test("--insecure: passes, TLS time and version reported, certificate not verified", async () => {
    const { report } = await probeJson([url, "--insecure", "--send", "tls", "--ping", "1"]);
    assertHealthy(report);
    assert.ok(report.timings.tlsMs > 0);
    assert.match(report.tls.protocol, /^TLSv1\.[23]$/);
    assert.equal(report.tls.authorized, false);
    assert.equal(checkOf(report, "tls").ok, true);
  });

  test("without --insecure: the certificate is refused, exit 2", async () => {
    const { code, report } = await probeJson([url, "--send", "tls"]);
    assert.equal(code, 2);
    assert.equal(checkOf(report, "tls").ok, false);
    assert.match(report.error.code, /SELF_SIGNED|CERT/);
    assert.equal(report.response, null);
  });

  test("--ca with the certificate: verified, passes", async () => {
    const { report } = await probeJson([url, "--ca", join(dir, "c"), "--send", "tls"]);
    assertHealthy(report);
    assert.equal(report.tls.authorized, true);
  });
});

describe("probe against broken servers", () => {
  test("200 OK instead of 101: exit 1, status, headers and body reported", async () => {
    const srv = await rawServer((socket) => socket.end("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 18\r\n\r\nnot a websocket!\r\n"));
    try {
      const { code, report } = await probeJson([srv.url, "--send", "x"]);
      assert.equal(code, 1);
      assert.equal(report.response.status, 200);
      assert.equal(report.response.reason, "OK");
      assert.deepEqual(report.response.headers[0], ["Content-Type", "text/plain"]);
      assert.match(report.response.body, /not a websocket!/);
      assert.equal(checkOf(report, "status").ok, false);
      assert.equal(report.error.code, "unexpected-status");
      assert.match(report.error.message, /server sent 200 OK: The server answered 200 instead of 101/);
      const human = await ws101(["probe", srv.url]);
      assert.equal(human.code, 1);
      assert.match(human.stdout, /FAIL\s+status/);
      assert.match(human.stdout, /\| not a websocket!/);
    } finally {
      await srv.close();
    }
  });

  test("426 with Sec-WebSocket-Version: 13: the reason names the version the server wants", async () => {
    const srv = await rawServer((socket) => socket.end("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n"));
    try {
      const { code, report } = await probeJson([srv.url]);
      assert.equal(code, 1);
      assert.equal(report.response.status, 426);
      assert.equal(report.error.message, "server sent 426; it wants Sec-WebSocket-Version: 13");
      assert.equal(checkOf(report, "status").detail, "server sent 426; it wants Sec-WebSocket-Version: 13");
    } finally {
      await srv.close();
    }
  });

  test("a wrong Sec-WebSocket-Accept: exit 1, accept check shows expected vs received", async () => {
    const srv = await rawServer((socket) => socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"));
    try {
      const { code, report } = await probeJson([srv.url, "--send", "x"]);
      assert.equal(code, 1);
      assert.equal(report.accept.received, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
      assert.notEqual(report.accept.expected, report.accept.received);
      const accept = checkOf(report, "accept");
      assert.equal(accept.ok, false);
      assert.match(accept.detail, new RegExp(`expected ${report.accept.expected.replace(/[+/]/g, "\\$&")}, received s3pPLMBiTxaQ9kYGzzhZRbK\\+xOo=`));
      assert.match(accept.detail, /does not match the key that was sent/);
      assert.equal(report.error.code, "accept-mismatch");
      assert.equal(report.echo, null, "no frames after a failed handshake");
    } finally {
      await srv.close();
    }
  });

  test("a server that never answers: --timeout 500 → exit 2, quickly", async () => {
    const srv = await rawServer(() => {});
    try {
      const { code, report, ms } = await probeJson([srv.url, "--timeout", "500"]);
      assert.equal(code, 2);
      assert.equal(report.error.code, "handshake-timeout");
      assert.equal(checkOf(report, "response").ok, false);
      assert.ok(ms < 5000, `took ${ms} ms`);
    } finally {
      await srv.close();
    }
  });

  test("a server that closes abruptly after the 101: close not clean (1006), exit 1", async () => {
    const srv = await rawServer((socket, head) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(head)}\r\n\r\n`);
      setTimeout(() => socket.destroy(), 50);
    });
    try {
      const { code, report } = await probeJson([srv.url, "--timeout", "2000"]);
      assert.equal(code, 1);
      assert.equal(checkOf(report, "accept").ok, true);
      assert.equal(report.close.clean, false);
      assert.equal(report.close.code, 1006);
      assert.equal(checkOf(report, "close").ok, false);
      const human = await ws101(["probe", srv.url, "--send", "x", "--timeout", "2000"]);
      assert.equal(human.code, 1);
      assert.match(human.stdout, /FAIL\s+echo/);
      assert.match(human.stdout, /FAIL\s+close\s+1006, not clean/);
    } finally {
      await srv.close();
    }
  });

  test("a masked frame from the server: the frames check names ws101's error, exit 1", async () => {
    const srv = await rawServer((socket, head) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(head)}\r\n\r\n`);
      socket.write(Buffer.from("818537fa213d7f9f4d5158", "hex")); // RFC 6455 §5.7's masked "Hello"
      socket.on("data", () => socket.end());
    });
    try {
      const { code, report } = await probeJson([srv.url, "--send", "x", "--timeout", "2000"]);
      assert.equal(code, 1);
      assert.equal(checkOf(report, "frames").ok, false);
      assert.match(checkOf(report, "frames").detail, /^masked-frame \(RFC 6455 §5\.1\)/);
      assert.equal(report.echo.ok, false);
    } finally {
      await srv.close();
    }
  });

  test("a 101 trickled byte by byte, with a frame in the head's last chunk: the frame reaches the session", async () => {
    const srv = await rawServer((socket, head) => {
      socket.setNoDelay(true);
      const bytes = Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(head)}\r\n\r\n`);
      let i = 0;
      const next = () => {
        if (socket.destroyed) return;
        if (i < bytes.length - 2) {
          socket.write(bytes.subarray(i, ++i));
          setImmediate(next);
          return;
        }
        // The head's last two bytes and a masked "Hello" (RFC 6455 §5.7) in one write: the
        // bytes after the head are the connection's first frames (the core's hand-off).
        socket.write(Buffer.concat([bytes.subarray(i), Buffer.from("818537fa213d7f9f4d5158", "hex")]));
        socket.on("data", () => socket.end());
      };
      next();
    });
    try {
      const { code, report } = await probeJson([srv.url, "--send", "x", "--timeout", "5000"]);
      assert.equal(code, 1);
      assert.equal(checkOf(report, "accept").ok, true);
      assert.equal(checkOf(report, "frames").ok, false);
      assert.match(checkOf(report, "frames").detail, /^masked-frame \(RFC 6455 §5\.1\)/);
    } finally {
      await srv.close();
    }
  });

  test("a response head that never ends a line: the core's size limit answers, not the timeout", async () => {
    const srv = await rawServer((socket) => {
      socket.write("HTTP/1.1 101 Switching Protocols\r\nX-Filler: ");
      let sent = 0;
      const next = () => {
        if (socket.destroyed || sent >= 64 * 1024) return;
        socket.write(Buffer.alloc(1024, "a"));
        sent += 1024;
        setImmediate(next);
      };
      next();
    });
    try {
      const { code, report } = await probeJson([srv.url, "--timeout", "20000"]);
      assert.equal(code, 1);
      assert.equal(report.error.code, "head-too-large");
      assert.equal(checkOf(report, "response").ok, false);
    } finally {
      await srv.close();
    }
  });

  test("nothing listening: exit 2", async () => {
    const port = await freePort();
    const { code, report } = await probeJson([`ws://127.0.0.1:${port}/`, "--timeout", "2000"]);
    assert.equal(code, 2);
    assert.equal(report.error.code, "ECONNREFUSED");
    assert.equal(checkOf(report, "connect").ok, false);
  });
});

describe("usage", () => {
  test("bad invocations exit 3 with a message", async () => {
    for (const args of [["probe"], ["probe", "ftp://x/"], ["probe", "ws://x/", "--expect", "a"], ["probe", "ws://x/", "--timeout", "soon"],
      ["probe", "ws://x/", "--header", "nocolon"], ["probe", "ws://x/", "--header", "Upgrade: h2c"], ["probe", "ws://x/", "--bogus"], ["nope"], [],
      ["accept"], ["frame"], ["frame", "--text", "a", "--binary", "00"], ["frame", "--opcode", "16"], ["frame", "--text", "a", "--fin", "maybe"]]) {
      const r = await ws101(args);
      assert.equal(r.code, 3, `${args.join(" ")} → ${r.code}\n${r.stdout}${r.stderr}`);
    }
    const forbidden = await ws101(["probe", "ws://x/", "--header", "Upgrade: h2c"]);
    assert.match(forbidden.stderr, /forbidden-header/);
  });

  test("--help for the tool and each command exits 0", async () => {
    for (const args of [["--help"], ["help"], ["help", "probe"], ["probe", "--help"], ["accept", "--help"], ["frame", "-h"]]) {
      const r = await ws101(args);
      assert.equal(r.code, 0, args.join(" "));
      assert.match(r.stdout, /Usage:/);
    }
    assert.match((await ws101(["probe", "--help"])).stdout, /--insecure/);
  });
});

describe("accept and frame helpers", () => {
  test("accept: the RFC 6455 §1.3 key", async () => {
    const r = await ws101(["accept", "dGhlIHNhbXBsZSBub25jZQ=="]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n");
  });

  test("the bin: node_modules/.bin/ws101 (pkg.json \"bin\", hashbang) runs the CLI", async () => {
    const out = execFileSync(join(root, "node_modules/.bin/ws101"), ["accept", "dGhlIHNhbXBsZSBub25jZQ=="], { encoding: "utf8" });
    assert.equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n");
    assert.deepEqual(JSON.parse(readFileSync(join(root, "pkg/package.json"), "utf8")).bin, { ws101: "./cli.mjs" });
  });

  test("accept: a bad key prints the typed error, exit 1", async () => {
    const r = await ws101(["accept", "AAAA"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /bad-key-length \(RFC 6455 §4\.2\.1, Sec-WebSocket-Key\): Sec-WebSocket-Key must decode to exactly 16 bytes/);
  });

  test("frame: RFC 6455 §5.7 examples and control frames", async () => {
    const cases = [
      [["--text", "Hello"], "81 05 48 65 6c 6c 6f"],
      [["--text", "Hello", "--mask-key", "37fa213d"], "81 85 37 fa 21 3d 7f 9f 4d 51 58"],
      [["--text", "Hel", "--fin", "false"], "01 03 48 65 6c"],
      [["--opcode", "continuation", "--text", "lo"], "80 02 6c 6f"],
      [["--opcode", "ping", "--text", "Hello"], "89 05 48 65 6c 6c 6f"],
      [["--opcode", "pong", "--text", "Hello", "--mask-key", "37fa213d"], "8a 85 37 fa 21 3d 7f 9f 4d 51 58"],
      [["--binary", "00 01 ff"], "82 03 00 01 ff"],
      [["--close", "1000", "--reason", "bye"], "88 05 03 e8 62 79 65"],
      [["--opcode", "close"], "88 00"],
    ];
    for (const [args, hex] of cases) {
      const r = await ws101(["frame", ...args]);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout.trim(), hex, args.join(" "));
    }
  });

  test("frame --mask: client role, a random key that unmasks to the payload", async () => {
    const r = await ws101(["frame", "--text", "Hello", "--mask"]);
    assert.equal(r.code, 0);
    const bytes = Buffer.from(r.stdout.trim().replace(/ /g, ""), "hex");
    assert.deepEqual([...bytes.subarray(0, 2)], [0x81, 0x85]);
    const key = bytes.subarray(2, 6);
    assert.equal(Buffer.from(bytes.subarray(6).map((b, i) => b ^ key[i % 4])).toString(), "Hello");
  });

  test("frame: a Close code that may not be sent is ws101's typed error, exit 1", async () => {
    const r = await ws101(["frame", "--close", "1005"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid-close-code \(RFC 6455 §7\.4/);
  });
});

test("accept --explain and --json show the explainer's steps (RFC 6455 §4.2.2 digest)", async () => {
  const r = await ws101(["accept", "--explain", "dGhlIHNhbXBsZSBub25jZQ=="]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /key \+ GUID\s+dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11/);
  assert.match(r.stdout, /SHA-1\s+b3 7a 4f 2c c0 62 4f 16 90 f6 46 06 cf 38 59 45 b2 be c4 ea/);
  assert.match(r.stdout, /accept\s+s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
  const j = await ws101(["accept", "--json", "AAAA"]);
  assert.equal(j.code, 1);
  const report = JSON.parse(j.stdout);
  assert.equal(report.valid, false);
  assert.equal(report.error.code, "bad-key-length");
});

test("frame --json lays the header open (masked \"Hello\" of RFC 6455 §5.7)", async () => {
  const r = await ws101(["frame", "--text", "Hello", "--mask-key", "37fa213d", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.hex, "81 85 37 fa 21 3d 7f 9f 4d 51 58");
  assert.equal(report.masked, true);
  assert.equal(report.payloadLength, 5);
  const field = (name) => report.fields.find((f) => f.name === name)?.value;
  assert.deepEqual([field("FIN"), field("opcode"), field("MASK"), field("payload len")], [1, 1, 1, 5]);
});

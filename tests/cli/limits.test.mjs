// `ws101 probe` against hostile servers (real sockets on 127.0.0.1, the CLI as a child process,
// every run bounded by --timeout and a kill timer): bounded memory under floods, server text
// escaped on output, an oversized response head blamed on the response, an error for every
// failure. Peak RSS is the child's own VmHWM, written at exit by tests/cli/peak-rss.cjs.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { rawServer } from "../support/process.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = process.env.WS101_CLI ?? join(root, "pkg/cli.mjs");
const preload = fileURLToPath(new URL("./peak-rss.cjs", import.meta.url));
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const RSS_LIMIT_KB = 300 * 1024;

/** Runs the CLI; resolves { code, stdout, stderr, peakKb } (killed after `timeout` ms). */
function ws101(args, { timeout = 60000 } = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--require", preload, cli, ...args], { cwd: root, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const peak = /VmHWM (\d+)/.exec(stderr);
      resolve({ code: err ? (err.code ?? err.signal ?? 1) : 0, stdout, stderr, peakKb: peak ? Number(peak[1]) : null });
    });
  });
}

async function probeJson(args, opts) {
  const r = await ws101(["probe", ...args, "--json"], opts);
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    assert.fail(`not JSON (exit ${r.code}):\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 2000)}`);
  }
  assert.equal(report.exitCode, r.code, "exitCode in the JSON is the process's");
  return { ...r, report };
}

const checkOf = (report, name) => report.checks.find((c) => c.name === name);
const acceptFor = (head) => createHash("sha1").update(/sec-websocket-key:\s*(\S+)/i.exec(head)[1] + GUID).digest("base64");
const switching = (head) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(head)}\r\n\r\n`;

/** An unmasked server frame. */
function frame(opcode, payload) {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}


/** Answers the 101, then writes `block` as fast as the socket takes it, forever; reads (and drops) or not. */
function floodServer(block, { read = true } = {}) {
  return rawServer((socket, head) => {
    if (read) socket.on("data", () => {});
    else socket.pause();
    socket.write(switching(head));
    const pump = () => {
      while (!socket.destroyed && socket.write(block));
      if (!socket.destroyed) socket.once("drain", pump);
    };
    pump();
  });
}

const repeat = (unit, n) => Buffer.concat(Array(n).fill(unit));

// ---------------------------------------------------------------------------------------------

describe("bounded memory against flooding servers", () => {
  const floods = [
    ["pings (125 B each), the server reading our pongs", repeat(frame(9, Buffer.alloc(125, 0x70)), 512), { read: true }],
    ["binary frames (60 KB each)", repeat(frame(2, Buffer.alloc(60000, 0x62)), 4), { read: true }],
    ["text frames (60 KB each)", repeat(frame(1, Buffer.alloc(60000, 0x74)), 4), { read: true }],
    ["pings, the server never reading (pongs pile up on our side)", repeat(frame(9, Buffer.alloc(125, 0x70)), 512), { read: false }],
  ];
  for (const [name, block, opts] of floods) {
    test(`${name}: exit 1 with a reason, peak RSS under 300 MB`, async () => {
      const srv = await floodServer(block, opts);
      try {
        // A reading server hits a cap long before the step's timeout; one that does not read
        // stalls every step until its timeout, so that one is short.
        const { code, report, peakKb, stderr } = await probeJson([srv.url, "--send", "hello", "--ping", "2", "--timeout", opts.read ? "10000" : "2000"]);
        assert.equal(code, 1, JSON.stringify(report.checks, null, 1));
        assert.equal(report.ok, false);
        assert.ok(report.error && report.error.code && report.error.message, `error is set: ${JSON.stringify(report.error)}`);
        assert.equal(checkOf(report, "accept").ok, true, "the handshake itself was fine");
        assert.equal(report.echo.ok, false);
        assert.ok(report.echo.skipped.length <= 20, "skipped messages listed are bounded");
        assert.equal(checkOf(report, "close").ok, false);
        assert.ok(report.traffic.bytesReceived > 1 << 20, `the server did flood: ${JSON.stringify(report.traffic)}`);
        if (opts.read) {
          assert.equal(report.error.code, "too-much-data");
          assert.match(report.error.message, /^the server sent more than .* during the echo step/);
          assert.match(checkOf(report, "echo").detail, /the server sent more than/);
        }
        assert.ok(peakKb !== null, `no VmHWM figure from the child:\n${stderr.slice(0, 500)}`);
        assert.ok(peakKb < RSS_LIMIT_KB, `peak RSS ${Math.round(peakKb / 1024)} MB`);
      } finally {
        await srv.close();
      }
    });
  }

  test("human output of a flood: FAIL lines that say so, exit 1", async () => {
    const srv = await floodServer(repeat(frame(2, Buffer.alloc(60000, 0x62)), 4));
    try {
      const r = await ws101(["probe", srv.url, "--timeout", "10000"]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /FAIL\s+close\s+1006, not clean: the probe dropped the connection: the server sent more than 64 MiB during the close step/);
      assert.match(r.stdout, /result: FAIL/);
      assert.ok(r.peakKb < RSS_LIMIT_KB, `peak RSS ${Math.round(r.peakKb / 1024)} MB`);
    } finally {
      await srv.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

// Anything a terminal acts on: C0 (but the report's own line feeds), DEL, C1, bidi overrides, separators.
const TERMINAL_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const CHECK_NAMES = new Set(["connect", "tls", "response", "status", "upgrade", "connection", "accept", "extensions", "subprotocol", "echo", "ping", "close", "frames"]);

function assertInert(stdout) {
  assert.doesNotMatch(stdout, TERMINAL_CONTROL, `a control character reached the terminal:\n${JSON.stringify(stdout)}`);
  for (const line of stdout.split("\n")) {
    const m = /^\s*(PASS|FAIL)\b\s*(\S*)/.exec(line);
    if (m) assert.ok(CHECK_NAMES.has(m[2]) && /^ {2}(PASS|FAIL) {2}\S/.test(line), `a faked check line: ${JSON.stringify(line)}`);
    assert.doesNotMatch(line, /^result: .*fake/);
  }
}

describe("server text is printed with control characters escaped", () => {
  const BODY = "ok\r\x1b[2K  PASS  fake line\x07\x7f\u009b2K\u202e\nPASS  fake\r\n\x1b]0;title\x07\x1b[1A\x1b[2Kresult: PASS — fake\n";

  test("a 400 whose body and header values carry escapes, CR, BEL, DEL, C1 and bidi controls", async () => {
    const body = Buffer.from(BODY);
    const srv = await rawServer((socket) => socket.end(Buffer.concat([
      Buffer.from("HTTP/1.1 400 Bad Request\r\nX-Evil: a", "latin1"), Buffer.from("\u009b2K PASS fake\u202e"), // C1 CSI and RLO as UTF-8 (obs-text)
      Buffer.from(`\r\nContent-Length: ${body.length}\r\n\r\n`, "latin1"), body])));
    try {
      const human = await ws101(["probe", srv.url, "--timeout", "2000"]);
      assert.equal(human.code, 1, human.stdout + human.stderr);
      assertInert(human.stdout);
      assert.ok(human.stdout.includes("\\x1b[2K  PASS  fake line\\x07\\x7f\\x9b2K\\u202e"), human.stdout);
      assert.ok(human.stdout.includes("X-Evil: a\\x9b2K PASS fake\\u202e"), human.stdout);
      assert.match(human.stdout, /FAIL\s+status\s+server sent 400 Bad Request/);

      const { code, report, stdout } = await probeJson([srv.url, "--timeout", "2000"]);
      assert.equal(code, 1);
      assert.doesNotMatch(stdout, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u, "JSON escapes them too (as \\u00XX)");
      assert.equal(report.response.body, BODY, "the JSON keeps the text exactly");
      assert.deepEqual(report.response.headers[0], ["X-Evil", "a\u009b2K PASS fake\u202e"]);
      assert.equal(report.error.code, "unexpected-status");
    } finally {
      await srv.close();
    }
  });

  test("an unreadable head with ESC/CR in a header value: the head shown as the body, escaped", async () => {
    const srv = await rawServer((socket) => socket.end("HTTP/1.1 200 OK\r\nX-Evil: \x1b[2K\rPASS fake\r\n\r\nbody\x1b[31m"));
    try {
      const human = await ws101(["probe", srv.url, "--timeout", "2000"]);
      assert.equal(human.code, 1, human.stdout + human.stderr);
      assertInert(human.stdout);
      assert.ok(human.stdout.includes("X-Evil: \\x1b[2K\\rPASS fake"), human.stdout);
      assert.match(human.stdout, /FAIL\s+response\s+The value of header "X-Evil"/);
    } finally {
      await srv.close();
    }
  });

  test("after a 101: a message and a close reason with escapes (echo skipped list, close detail)", async () => {
    const srv = await rawServer((socket, head) => {
      socket.write(switching(head));
      socket.once("data", () => { // the probe's message: answer with something else, then Close
        socket.on("data", () => {});
        socket.write(frame(1, Buffer.from("\x1b]0;pwned\x07\r\x1b[2K  PASS  echo fake")));
        const reason = Buffer.from("\r\x1b[2K  PASS  close fake\u009b");
        socket.write(frame(8, Buffer.concat([Buffer.from([0x03, 0xe8]), reason])));
        setTimeout(() => socket.end(), 100);
      });
    });
    try {
      const human = await ws101(["probe", srv.url, "--send", "hi", "--timeout", "2000"]);
      assert.equal(human.code, 1, human.stdout + human.stderr);
      assertInert(human.stdout);
      // Quoted text is JSON-escaped (\u001b), the rest \x-escaped: either way, inert.
      const esc = (c) => `\\\\(?:x${c}|u00${c})`;
      assert.match(human.stdout, new RegExp(`echo .*skipped 1: "${esc("1b")}\\]0;pwned${esc("07")}\\\\r${esc("1b")}\\[2K  PASS  echo fake"`));
      assert.match(human.stdout, new RegExp(`PASS  close .*"\\\\r${esc("1b")}\\[2K  PASS  close fake${esc("9b")}"`));
      const { report } = await probeJson([srv.url, "--send", "hi", "--timeout", "2000"]);
      assert.equal(report.close.reason, "\r\x1b[2K  PASS  close fake\u009b");
      assert.equal(report.echo.skipped[0], "\x1b]0;pwned\x07\r\x1b[2K  PASS  echo fake");
      assert.equal(report.error.code, "no-echo");
    } finally {
      await srv.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("the response's faults are named as such", () => {
  test("an oversized response head: the response is too large (not the request), exit 1", async () => {
    const srv = await rawServer((socket) => {
      socket.write("HTTP/1.1 101 Switching Protocols\r\nX-Pad: ");
      socket.write("a".repeat(40000)); // and never the blank line
    });
    try {
      const { code, report } = await probeJson([srv.url, "--timeout", "3000"]);
      assert.equal(code, 1);
      assert.equal(report.error.code, "head-too-large");
      assert.match(report.error.message, /response head is too large/);
      assert.doesNotMatch(report.error.message, /request head|431/);
      assert.equal(checkOf(report, "response").ok, false);
      assert.equal(report.problems[0].code, "head-too-large");
      assert.equal(report.problems[0].status, null, "no 431: that is a server's answer to a request");
      assert.doesNotMatch(report.problems[0].explanation, /request head|431/);
      const human = await ws101(["probe", srv.url, "--timeout", "3000"]);
      assert.match(human.stdout, /FAIL\s+response\s+The server's response head is too large/);
      assert.doesNotMatch(human.stdout, /request head|431/);
    } finally {
      await srv.close();
    }
  });

  test("too many response header lines: the response's fault, exit 1", async () => {
    const srv = await rawServer((socket) => socket.write(`HTTP/1.1 101 Switching Protocols\r\n${"X-A: b\r\n".repeat(100)}\r\n`));
    try {
      const { code, report } = await probeJson([srv.url, "--timeout", "3000"]);
      assert.equal(code, 1);
      assert.equal(report.error.code, "too-many-headers");
      assert.match(report.error.message, /response head has too many header lines/);
      assert.doesNotMatch(report.error.message, /431/);
    } finally {
      await srv.close();
    }
  });

  test("TCP accepted, no answer: exit 2 reported as no response, not as a failed connect", async () => {
    const srv = await rawServer(() => {});
    try {
      const human = await ws101(["probe", srv.url, "--timeout", "500"]);
      assert.equal(human.code, 2);
      assert.match(human.stdout, /PASS\s+connect/);
      assert.match(human.stdout, /FAIL\s+response\s+no response: the server accepted the TCP connection but sent nothing within 500 ms/);
      assert.match(human.stdout, /result: FAIL — no response \(TCP connected, no complete response head\) \(exit 2/);
      assert.doesNotMatch(human.stdout, /could not connect/);
      const { report } = await probeJson([srv.url, "--timeout", "500"]);
      assert.equal(report.error.code, "handshake-timeout");
    } finally {
      await srv.close();
    }
  });

  test("every failure sets error (never null when ok is false)", async () => {
    // A 101, then silence: the echo fails, the close is not clean.
    const srv = await rawServer((socket, head) => { socket.on("data", () => {}); socket.write(switching(head)); });
    try {
      const { code, report } = await probeJson([srv.url, "--send", "x", "--ping", "1", "--timeout", "500"]);
      assert.equal(code, 1);
      assert.equal(report.ok, false);
      assert.equal(report.error.code, "no-echo");
      assert.match(report.error.message, /^echo: nothing within 500 ms/);
      const noSend = await probeJson([srv.url, "--ping", "1", "--timeout", "500"]);
      assert.equal(noSend.report.error.code, "no-pong");
    } finally {
      await srv.close();
    }
  });
});

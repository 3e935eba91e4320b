// The Deno and Bun adapters for real: each example server (npm `deno` / `bun` binaries) is
// started on loopback and driven by the `ws` client: subprotocol choice, echo, and rejections.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { freePort, start } from "../support/process.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const runtimes = {
  deno: {
    binary: `${root}node_modules/.bin/deno`,
    args: ["run", "--allow-net=127.0.0.1", "--allow-env=PORT", "echo.ts"], // no --allow-read: the .wasm is a source-phase import
    cwd: `${root}examples/deno`,
  },
  bun: {
    binary: `${root}node_modules/bun/bin/bun.exe`,
    args: ["run", "examples/bun/echo.ts"],
    cwd: root,
  },
};

async function startExample(name) {
  const { binary, args, cwd } = runtimes[name];
  assert.ok(existsSync(binary), `${name} binary missing: run scripts/bootstrap.sh`);
  const port = await freePort();
  const proc = start(binary, args, { cwd, env: { ...process.env, PORT: String(port), DENO_NO_UPDATE_CHECK: "1" } });
  const deadline = Date.now() + 30000;
  while (!proc.output().includes(`listening on http://127.0.0.1:${port}`)) {
    if (Date.now() > deadline || proc.child.exitCode !== null) throw new Error(`${name} did not start:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, port };
}

function rawRequest(port, request) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(request));
    let text = "";
    socket.on("data", (d) => {
      text += d.toString("latin1");
      if (text.includes("\r\n\r\n")) socket.destroy();
    });
    socket.on("close", () => resolve(text));
  });
}

for (const name of Object.keys(runtimes)) {
  test(`${name}: ws101 validates, the runtime upgrades, messages echo`, async (t) => {
    const { proc, port } = await startExample(name);
    try {
      await t.test(`${name}: picks echo from "chat,echo" and echoes text and binary`, async () => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/any`, ["chat", "echo"]);
        await new Promise((resolve, reject) => { ws.once("open", resolve); ws.once("error", reject); });
        assert.equal(ws.protocol, "echo");
        for (const [data, binary] of [["héllo", false], [Buffer.from([0, 1, 2, 255]), true], [Buffer.alloc(70000, 7), true]]) {
          const got = new Promise((r) => ws.once("message", (d, isBinary) => r({ d, isBinary })));
          ws.send(data);
          const m = await got;
          assert.equal(m.isBinary, binary);
          assert.ok(Buffer.from(m.d).equals(Buffer.from(data)));
        }
        const closed = new Promise((r) => ws.once("close", r));
        ws.close(1000);
        assert.equal(await closed, 1000);
      });
      await t.test(`${name}: a bad version gets ws101's 426 with Sec-WebSocket-Version: 13`, async () => {
        const res = await rawRequest(port, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
        assert.match(res, /^HTTP\/1\.1 426 /);
        assert.match(res, /\r\nsec-websocket-version: 13\r\n/i);
      });
      await t.test(`${name}: a client offering only unsupported subprotocols gets a 101 with no Sec-WebSocket-Protocol (RFC 6455 §4.2.2)`, async () => {
        // Bun echoed the first offer ("nope") when the adapter passed no header; the raw head shows what went on the wire
        for (const offer of ["nope", "nope, other", "nope,other"]) {
          const res = await rawRequest(port, `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${offer}\r\n\r\n`);
          assert.match(res, /^HTTP\/1\.1 101 /);
          assert.doesNotMatch(res, /sec-websocket-protocol/i, `offer ${offer}`);
        }
        const none = await rawRequest(port, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assert.match(none, /^HTTP\/1\.1 101 /);
        assert.doesNotMatch(none, /sec-websocket-protocol/i);
        const chosen = await rawRequest(port, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: nope, echo\r\n\r\n");
        assert.equal(chosen.match(/\r\nsec-websocket-protocol: ([^\r]*)\r\n/gi)?.length, 1);
        assert.match(chosen, /\r\nsec-websocket-protocol: echo\r\n/i);
      });
      await t.test(`${name}: a missing key gets 400`, async () => {
        const res = await rawRequest(port, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assert.match(res, /^HTTP\/1\.1 400 /);
      });
    } finally {
      await proc.stop();
    }
  });
}

test("deno: `import \"ws101\"` resolves through the package's deno condition, with no --allow-read", async () => {
  const { mkdtempSync, cpSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { execFileSync } = await import("node:child_process");
  const app = mkdtempSync(join(tmpdir(), "ws101-deno-app-"));
  try {
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", type: "module", dependencies: { ws101: `file:${root}pkg` } }));
    cpSync(`${root}pkg`, join(app, "node_modules", "ws101"), { recursive: true });
    writeFileSync(join(app, "main.mjs"), 'import { acceptKey, validateRequest } from "ws101";\n' +
      'console.log(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), validateRequest(new Request("http://x/", { headers: { upgrade: "websocket", connection: "upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" } })).status);\n');
    const out = execFileSync(runtimes.deno.binary, ["run", "main.mjs"], { cwd: app, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
    assert.equal(out.trim(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo= 101");
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
});

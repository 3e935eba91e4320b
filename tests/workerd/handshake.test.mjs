// ws101/handshake in real workerd (npm `workerd`): a worker whose module list holds only the
// handshake build (pkg/handshake/: its glue and its .wasm, no ws101_bg.wasm) answers accept
// values, validates upgrade requests as ws101/handshake in Node does (and decides as ws101 does),
// and completes a real 101 upgrade.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { acceptKey, validateRequest as validateFull } from "ws101";
import { validateRequest } from "ws101/handshake";
import { freePort, start, waitForHttp } from "../support/process.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const workerd = join(root, "node_modules/.bin/workerd");
const handshakeDir = join(root, "pkg/handshake");
let dir;
let proc;
let base;

const WORKER = `
import { acceptKey, validateRequest, isWs101Error } from "ws101/handshake";
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/accept") {
      try {
        return Response.json({ accept: acceptKey(url.searchParams.get("key") ?? "") });
      } catch (e) {
        return Response.json({ error: { code: e.code, ws101: isWs101Error(e) } }, { status: 400 });
      }
    }
    if (url.pathname === "/validate") {
      const outcome = validateRequest(await request.json());
      return Response.json({ outcome: outcome.outcome, status: outcome.status, headers: outcome.response.headers, problems: (outcome.problems ?? []).map((p) => p.code) });
    }
    // The upgrade: ws101/handshake decides (workerd writes the accept value and the 101 itself).
    const outcome = validateRequest(request, { protocols: ["chat"] });
    if (!outcome.ok) return new Response(outcome.response.body, { status: outcome.status, headers: outcome.response.headers.map((h) => [h.name, h.value]) });
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.addEventListener("message", (event) => server.send("echo:" + event.data));
    const headers = outcome.protocol ? { "Sec-WebSocket-Protocol": outcome.protocol } : {};
    return new Response(null, { status: 101, webSocket: client, headers });
  },
};
`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "ws101-workerd-handshake-"));
  writeFileSync(join(dir, "worker.mjs"), WORKER);
  // The handshake entry under the name "ws101/handshake": its relative imports resolve to "ws101/…".
  const modules = [`(name = "worker.mjs", esModule = embed "worker.mjs")`, `(name = "ws101/handshake", esModule = embed "${relative(dir, join(handshakeDir, "workerd.mjs"))}")`];
  for (const file of readdirSync(handshakeDir)) {
    const path = relative(dir, join(handshakeDir, file));
    if (file.endsWith(".wasm")) modules.push(`(name = "ws101/${file}", wasm = embed "${path}")`);
    else if (/\.m?js$/.test(file)) modules.push(`(name = "ws101/${file}", esModule = embed "${path}")`);
  }
  writeFileSync(join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ ${modules.join(",\n    ")} ],
  compatibilityDate = "2026-11-17",
);
`);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  proc = start(workerd, ["serve", join(dir, "config.capnp"), "--socket-addr", `http=127.0.0.1:${port}`], { cwd: dir });
  await waitForHttp(`${base}/accept?key=dGhlIHNhbXBsZSBub25jZQ%3D%3D`, 30000, proc);
});

after(async () => {
  await proc?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("workerd + ws101/handshake: accept values equal ws101's in Node; a bad key is a typed error", async () => {
  for (let i = 0; i < 5; i++) {
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
    const res = await fetch(`${base}/accept?key=${encodeURIComponent(key)}`);
    assert.deepEqual(await res.json(), { accept: acceptKey(key) });
  }
  const res = await fetch(`${base}/accept?key=AAAA`);
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { error: { code: "bad-key-length", ws101: true } });
});

test("workerd + ws101/handshake: validateRequest answers as ws101/handshake in Node and decides as ws101", async () => {
  const headers = { host: "x", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" };
  for (const request of [{ method: "GET", url: "/", headers }, { method: "GET", url: "/", headers: { ...headers, "sec-websocket-version": "8" } }, { method: "POST", url: "/", headers: { host: "x" } }]) {
    const res = await fetch(`${base}/validate`, { method: "POST", body: JSON.stringify(request) });
    const here = validateRequest(request);
    const there = await res.json();
    assert.deepEqual(there, { outcome: here.outcome, status: here.status, headers: here.response.headers, problems: (here.problems ?? []).map((p) => p.code) });
    // The same decision as the full package (its rejection body, and so Content-Length, is longer:
    // ws101/handshake writes the compact sentences).
    const full = validateFull(request);
    assert.deepEqual([there.outcome, there.status, there.problems], [full.outcome, full.status, (full.problems ?? []).map((p) => p.code)]);
  }
});

test("workerd + ws101/handshake: a real upgrade with a subprotocol, then an echo", async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${new URL(base).port}/ws`, ["chat"]);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  assert.equal(ws.protocol, "chat");
  ws.send("hi");
  const [data] = await new Promise((resolve) => ws.once("message", (...args) => resolve(args)));
  assert.equal(String(data), "echo:hi");
  ws.close();
});

// Shared by the CLI tests that came with watch mode and the exporter: run the `ws101` bin as a
// child process, start ws101's echo server, a self-signed TLS `ws` server, the exporter, and read
// the Prometheus text format back.
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocketServer as WSServer } from "ws";
import { freePort, start, waitForHttp } from "../support/process.mjs";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const cli = join(root, "pkg/cli.mjs");
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Runs the CLI; resolves { code, stdout, stderr } (never rejects on a non-zero exit). */
export function ws101(args, { timeout = 30000 } = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: root, timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** `ws101 probe ARGS --json`: the report, checked to be one JSON line whose exitCode is the process's. */
export async function probeJson(args) {
  const r = await ws101(["probe", ...args, "--json"]);
  assert.equal(r.stdout.trimEnd().split("\n").length, 1, `--json prints one line:\n${r.stdout}${r.stderr}`);
  const report = JSON.parse(r.stdout);
  assert.equal(report.exitCode, r.code);
  return { ...r, report };
}

export const checkOf = (report, name) => report.checks.find((c) => c.name === name);

/** The Sec-WebSocket-Accept a correct server sends for the request head `head`. */
export const acceptFor = (head) => createHash("sha1").update(/sec-websocket-key:\s*(\S+)/i.exec(head)[1] + GUID).digest("base64");

/** ws101's echo server (examples/node/echo.mjs: subprotocol "echo", permessage-deflate). */
export async function echoServer() {
  const port = await freePort();
  const proc = start(process.execPath, ["examples/node/echo.mjs"], { cwd: root, env: { ...process.env, PORT: String(port) } });
  await waitForHttp(`http://127.0.0.1:${port}/`, 20000, proc);
  return { url: `ws://127.0.0.1:${port}/`, port, stop: () => proc.stop() };
}

/** A `ws` echo server over TLS with a fresh self-signed certificate for localhost (valid `days`). */
export async function tlsServer(days = 30) {
  const dir = mkdtempSync(join(tmpdir(), "ws101-cli-tls-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout", join(dir, "k"), "-out", join(dir, "c"), "-days", String(days)], { stdio: "ignore" });
  const notAfter = Date.parse(/notAfter=(.*)/.exec(execFileSync("openssl", ["x509", "-noout", "-enddate", "-in", join(dir, "c")], { encoding: "utf8" }))[1]);
  const server = https.createServer({ key: readFileSync(join(dir, "k")), cert: readFileSync(join(dir, "c")) });
  const wss = new WSServer({ server });
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `wss://localhost:${server.address().port}/secure`,
    ca: join(dir, "c"),
    notAfter,
    async stop() {
      await new Promise((r) => wss.close(r));
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A temporary file with `text`; returns its path (removed with the directory by `cleanup`). */
export function tempFile(name, text) {
  const dir = mkdtempSync(join(tmpdir(), "ws101-cli-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  return { path, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `ws101 exporter` on a free port; resolves once it answers /-/healthy. */
export async function exporter(args = []) {
  const port = await freePort();
  const proc = start(process.execPath, [cli, "exporter", "--listen", `127.0.0.1:${port}`, ...args], { cwd: root });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/-/healthy`, 20000, proc);
  return { base, port, proc, stop: () => proc.stop() };
}

/** Samples of a Prometheus text exposition: [{ name, labels, value }]. */
export function parseExposition(text) {
  const samples = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    const labels = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the sample `name` whose labels include `labels` (undefined when absent). */
export function valueOf(samples, name, labels = {}) {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** `promtool check metrics` on `text`: { code, output }. */
export function promtoolCheck(text) {
  return new Promise((resolve) => {
    const child = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

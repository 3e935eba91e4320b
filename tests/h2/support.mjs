// Shared by the HTTP/2 tests: a self-signed certificate made at test time (openssl), and an
// HTTP/2 + HTTP/1.1 TLS server with a ws101 WebSocketServer that records what each WebSocket
// arrived as (the extended CONNECT's pseudo-headers, or the 101 upgrade).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketServer } from "ws101/node";

/** A P-256 certificate for localhost / 127.0.0.1, valid one day: `{ cert, key, certPath, keyPath, remove() }`. */
export function selfSignedCert() {
  const dir = mkdtempSync(join(tmpdir(), "ws101-h2-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout", keyPath, "-out", certPath,
  ], { stdio: "ignore" });
  return { cert: readFileSync(certPath), key: readFileSync(keyPath), certPath, keyPath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * An h2 + HTTP/1.1 TLS server on 127.0.0.1 (`secure: false`: cleartext h2c) with an echoing
 * WebSocketServer. `onRequest(req, res)` serves ordinary requests (default 200 text/plain).
 * `connections` records each WebSocket: `{ ws, req, httpVersion, method, protocol, extensions, closed }`.
 */
export async function echoServer({ secure = true, onRequest, wssOptions = {}, serverOptions = {} } = {}) {
  const tls = secure ? selfSignedCert() : null;
  const handler = onRequest ?? ((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
  });
  const server = secure
    ? http2.createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: true, ...serverOptions }, handler)
    : http2.createServer(serverOptions, handler);
  const wss = new WebSocketServer({ server, perMessageDeflate: true, protocols: ["echo"], ...wssOptions });
  const connections = [];
  wss.on("connection", (ws, req) => {
    const record = {
      ws, req, httpVersion: ws.httpVersion, method: req.method, protocol: req.headers[":protocol"],
      extensions: ws.extensions, closed: null,
    };
    record.closedPromise = new Promise((resolve) => ws.on("close", (code, reason) => {
      record.closed = { code, reason: String(reason) };
      resolve(record.closed);
    }));
    connections.push(record);
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on("error", () => {});
  });
  const sessions = new Set();
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  const sockets = new Set();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    server, wss, connections, port,
    url: `${secure ? "https" : "http"}://127.0.0.1:${port}`,
    wsUrl: `${secure ? "wss" : "ws"}://127.0.0.1:${port}`,
    async close() {
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
      tls?.remove();
    },
  };
}

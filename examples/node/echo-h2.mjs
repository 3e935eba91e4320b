// The echo server over HTTP/2 and HTTP/1.1 on one TLS port, for checks from outside:
//   PORT=8443 TLS_CERT=cert.pem TLS_KEY=key.pem node examples/node/echo-h2.mjs
// Binds 127.0.0.1 and serves h2 (ALPN) and HTTP/1.1 with SETTINGS_ENABLE_CONNECT_PROTOCOL
// (RFC 8441). GET / answers 200 text/plain; WebSockets on any path follow examples/node/echo.mjs
// (each message echoed with its type, subprotocol `echo` when offered, permessage-deflate,
// 64 MiB messages, protocol violations closed with RFC 6455's code), whether the WebSocket
// arrives as an extended CONNECT stream (HTTP/2) or a 101 upgrade (HTTP/1.1). Prints one line,
// `listening on https://127.0.0.1:PORT`, when ready.
import http2 from "node:http2";
import { readFileSync } from "node:fs";
import { WebSocketServer } from "ws101/node";
import { echo, echoOptions } from "./echo-contract.mjs";

const port = Number(process.env.PORT ?? 8443);
const server = http2.createSecureServer({
  cert: readFileSync(process.env.TLS_CERT ?? "cert.pem"),
  key: readFileSync(process.env.TLS_KEY ?? "key.pem"),
  allowHTTP1: true,
  settings: { enableConnectProtocol: true },
}, (req, res) => {
  if (req.url === "/" && (req.method === "GET" || req.method === "HEAD")) {
    const body = "ws101 echo over HTTP/2 and HTTP/1.1: open a WebSocket on any path\n";
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  // Like echo.mjs: anything but a WebSocket is 426 (Upgrade is an HTTP/1.1 field only, RFC 9113 §8.2.2).
  const body = "426 Upgrade Required: open a WebSocket (a 101 upgrade over HTTP/1.1, an extended CONNECT over HTTP/2)\n";
  const headers = { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), "sec-websocket-version": "13" };
  if (req.httpVersionMajor === 1) headers.upgrade = "websocket";
  res.writeHead(426, headers);
  res.end(body);
});
echo(new WebSocketServer({ server, ...echoOptions }));
server.on("sessionError", () => {}); // a broken HTTP/2 peer ends its own session only
server.listen(port, "127.0.0.1", () => console.log(`listening on https://127.0.0.1:${port}`));
server.on("error", (err) => {
  console.error(err.message);
  process.exit(1);
});

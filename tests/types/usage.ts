// Compiled with `tsc -p tests/types` against the built package: the public types must accept
// real usage and reject misuse (the @ts-expect-error lines fail the build if they compile).
import {
  acceptKey, generateKey, validateRequest, buildRequest, parseResponse, Connection, Ws101Error,
  isWs101Error, type ServerOutcome, type ConnectionEvent,
} from "ws101";
import { WebSocketServer, WebSocket, connect } from "ws101/node";
import { upgrade as workersUpgrade } from "ws101/workers";
import { upgrade as denoUpgrade } from "ws101/deno";
import { upgrade as bunUpgrade } from "ws101/bun";

const accept: string = acceptKey(generateKey());
// @ts-expect-error acceptKey takes a string
acceptKey(42);

const outcome: ServerOutcome = validateRequest(new Request("http://x/"), { protocols: ["chat"], origins: (o) => o.endsWith(".example") });
if (outcome.ok) {
  const protocol: string | null = outcome.protocol;
  const bytes: Uint8Array = outcome.response.bytes;
  void protocol, bytes;
} else {
  const codes: string[] = outcome.problems.map((p) => p.code);
  void codes;
}

const request = buildRequest("ws://127.0.0.1:8080/", { protocols: ["chat"] });
const answer = parseResponse(new Uint8Array(), request);
if (answer.complete) console.log(answer.ok, answer.status);

const conn = new Connection({ role: "server", maxPayload: 1 << 20, binaryType: "uint8array" });
const events: ConnectionEvent[] = conn.receive(new Uint8Array([0x81, 0x80, 0, 0, 0, 0]));
for (const e of events) {
  if (e.type === "close") console.log(e.code, e.reason, e.wasClean);
  if (e.type === "error") console.log(e.error.closeCode, e.error.code);
}
const out: Uint8Array = conn.sendText("hi");
void out;

try {
  acceptKey("bad");
} catch (e) {
  if (e instanceof Ws101Error) console.log(e.code, e.rfc, e.status);
  if (isWs101Error(e)) console.log(e.header);
}

const wss = new WebSocketServer({ port: 0, protocols: ["echo"], maxPayload: 64 << 20 });
wss.on("connection", (ws: WebSocket) => ws.on("message", (data, isBinary) => ws.send(data as Buffer, { binary: isBinary })));
const client = connect("ws://127.0.0.1:1/", { protocols: ["echo"] });
client.on("close", (code: number) => console.log(code));

declare const req: Request;
const w = workersUpgrade(req, { protocols: ["chat"], accept: false });
const d = denoUpgrade(req, { protocols: ["chat"] });
const b = bunUpgrade(req, { upgrade: () => true }, { protocols: ["chat"] });
void w.response, d.response, b.outcome, accept;

// WebSockets over HTTP/2 (RFC 8441): an http2 server with allowHTTP1, one connection event for both.
import * as http2 from "node:http2";
const h2server = http2.createSecureServer({ allowHTTP1: true, settings: { enableConnectProtocol: true } });
const h2wss = new WebSocketServer({ server: h2server, perMessageDeflate: true });
h2wss.on("connection", (ws, req) => {
  const version: "1.1" | "2" = ws.httpVersion;
  const viaH2: boolean = req.httpVersion === "2.0";
  void version;
  void viaH2;
});
new WebSocketServer({ server: http2.createServer() });
new WebSocketServer({ noServer: true }).handleStream({} as http2.Http2Stream, {}, (ws) => ws.close());
connect("wss://example.com/chat", { http2: true });
connect("wss://example.com/chat", { http2: http2.connect("https://example.com") });
// @ts-expect-error http2 is true or a ClientHttp2Session
connect("wss://example.com/chat", { http2: "yes" });

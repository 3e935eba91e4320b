// Types that match the runtime, compiled in a Node project without the DOM lib, with
// skipLibCheck false and exactOptionalPropertyTypes (tests/types/tsconfig.node-nodom.json).
import type { IncomingMessage } from "node:http";
import {
  parseRequest, classifyUpgradeHead, validateRequest, buildRequest, parseResponse, validateResponse,
  wasmMemory, Connection, type ConnectionEvent, type ParsedRequest, type Problem,
} from "ws101";

declare const req: IncomingMessage;
const outcome = validateRequest(req, { protocols: ["chat"], origins: undefined });
void outcome.status;

// parseRequest(bytes) is callable as documented (options optional) and typed, never `any`
const parsed: ParsedRequest = parseRequest(new Uint8Array(0));
if (parsed.complete) {
  const consumed: number = parsed.consumed;
  if (!parsed.ok) parsed.problems.forEach((p: Problem) => console.log(p.code, p.message, p.blame));
  void consumed;
}
// @ts-expect-error a complete: false answer has no outcome
void parsed.status;

const head = classifyUpgradeHead(new Uint8Array(0));
if (head.complete && "kind" in head) {
  const kind: "none" | "websocket" | "h2c" | "tls" | "other" = head.kind;
  void kind, head.request.version.major;
}

const request = buildRequest("ws://127.0.0.1/");
const answer = parseResponse(new Uint8Array(0), request);
if (answer.complete) void answer.headers;
const checked = validateResponse(request, 101, { upgrade: "websocket" });
const accepted: boolean = checked.accepted;
void accepted, request.headers[0]?.name;
const pages: number = wasmMemory().buffer.byteLength / 65536;
void pages;

// event data typed by the options that shape it
const plain = new Connection();
for (const e of plain.receive(new Uint8Array(0))) {
  if (e.type === "text") { const s: string = e.data; void s; }
  if (e.type === "binary") { const b: Uint8Array = e.data; void b; }
}
const buffers = new Connection({ binaryType: "arraybuffer", textAsBytes: true });
for (const e of buffers.receive(new Uint8Array(0))) {
  if (e.type === "binary") { const b: ArrayBuffer = e.data; void b; }
  // @ts-expect-error with textAsBytes the text payload is bytes, not a string
  if (e.type === "text") { const s: string = e.data; void s; }
}
const nodeBuffers = new Connection({ binaryType: "nodebuffer" });
const events: ConnectionEvent<{ binaryType: "nodebuffer" }>[] = nodeBuffers.receive(Buffer.alloc(0));
for (const e of events) if (e.type === "binary") e.data.readUInt8(0);
const chunks: Uint8Array[] = plain.sendMessage("hi");
const level = new Connection({ deflateLevel: 9, deflateThreshold: 0, maxPayload: 1 });
void chunks, level;
// @ts-expect-error sendText takes a string or bytes
plain.sendText(42);
// @ts-expect-error unknown option names are refused by the types too
new Connection({ maxPayloadSize: 1 });

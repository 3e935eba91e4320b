// The echo server contract of examples/node/echo.mjs, for the comparisons and the `path` cases:
//   PORT=… node tests/robust/support/echo-server.mjs --impl ws|ws101 [--path /chat]
// Binds 127.0.0.1, echoes every message with its type, picks the subprotocol `echo` when offered,
// permessage-deflate on, messages up to 64 MiB, prints `listening on http://127.0.0.1:PORT`.
// `--impl ws` is npm `ws` (the reference the attacks are compared against).
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { impl: { type: "string", default: "ws101" }, path: { type: "string" } } });
const port = Number(process.env.PORT ?? 8080);
const common = { host: "127.0.0.1", port, perMessageDeflate: true, maxPayload: 64 * 1024 * 1024 };
if (values.path) common.path = values.path;

let wss;
if (values.impl === "ws") {
  const { WebSocketServer } = await import("ws");
  wss = new WebSocketServer({
    ...common,
    handleProtocols: (protocols) => (protocols.has("echo") ? "echo" : false),
  });
} else if (values.impl === "ws101") {
  const { WebSocketServer } = await import("ws101/node");
  wss = new WebSocketServer({ ...common, protocols: ["echo"], requireProtocol: false });
} else {
  console.error(`unknown --impl ${values.impl} (ws | ws101)`);
  process.exit(2);
}

wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on("error", () => {});
});
wss.on("listening", () => console.log(`listening on http://127.0.0.1:${port}`));
wss.on("error", (err) => {
  console.error(err.message);
  process.exit(1);
});

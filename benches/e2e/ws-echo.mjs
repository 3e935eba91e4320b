// `ws` echo server for the end-to-end benchmark (run.mjs): pure JS when started with
// WS_NO_BUFFER_UTIL=1 WS_NO_UTF_8_VALIDATE=1, with bufferutil otherwise. Same behaviour as
// examples/node/echo.mjs for the benchmark's traffic: echoes every message with its type.
import { WebSocketServer } from "ws";

const port = Number(process.env.PORT ?? 8080);
const wss = new WebSocketServer({ host: "127.0.0.1", port, maxPayload: 64 * 1024 * 1024, perMessageDeflate: false });
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on("error", () => {});
});
wss.on("listening", () => console.log(`listening on http://127.0.0.1:${port}`));

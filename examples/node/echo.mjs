// The echo server that conformance tools point at:
//   node examples/node/echo.mjs        (after `make build`; PORT defaults to 8080)
// Binds 127.0.0.1, accepts any path, echoes every message with its type (text stays text), picks
// the subprotocol `echo` only when the client offers it, accepts permessage-deflate offers,
// accepts messages up to 64 MiB, and answers protocol violations with the close code RFC 6455 names.
import { WebSocketServer } from "ws101/node";

const port = Number(process.env.PORT ?? 8080);
const wss = new WebSocketServer({
  host: "127.0.0.1",
  port,
  protocols: ["echo"],
  requireProtocol: false,
  perMessageDeflate: true,
  maxPayload: 64 * 1024 * 1024,
});

wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on("error", () => {}); // the close frame with the right code is already on its way
});
wss.on("listening", () => console.log(`listening on http://127.0.0.1:${port}`));
wss.on("error", (err) => {
  console.error(err.message);
  process.exit(1);
});

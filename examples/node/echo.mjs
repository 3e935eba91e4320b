// The echo server that conformance tools point at:
//   node examples/node/echo.mjs        (after `make build`; PORT defaults to 8080)
// Binds 127.0.0.1, accepts any path, echoes every message with its type (text stays text), picks
// the subprotocol `echo` only when the client offers it, accepts permessage-deflate offers,
// accepts messages up to 64 MiB, and answers protocol violations with the close code RFC 6455 names.
import { WebSocketServer } from "ws101/node";
import { echo, echoOptions } from "./echo-contract.mjs";

const port = Number(process.env.PORT ?? 8080);
const wss = new WebSocketServer({ host: "127.0.0.1", port, ...echoOptions });
echo(wss);
wss.on("listening", () => console.log(`listening on http://127.0.0.1:${port}`));
wss.on("error", (err) => {
  console.error(err.message);
  process.exit(1);
});

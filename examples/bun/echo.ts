// Bun echo server on ws101: `bun run examples/bun/echo.ts` (after `make build`).
// ws101 validates the upgrade and chooses the subprotocol; Bun's server.upgrade carries it out.
import { upgrade } from "ws101/bun";

const port = Number(process.env.PORT ?? 8080);
Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch(request, server) {
    const { response } = upgrade(request, server, { protocols: ["echo"] });
    return response;
  },
  websocket: {
    maxPayloadLength: 64 * 1024 * 1024,
    message(ws, message) {
      ws.send(message);
    },
  },
});
console.log(`listening on http://127.0.0.1:${port}`);

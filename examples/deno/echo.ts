// Deno echo server on ws101: `cd examples/deno && npx deno run --allow-net=127.0.0.1 --allow-env=PORT echo.ts`
// (after `make build`). ws101 validates the upgrade; Deno.upgradeWebSocket carries it out.
import { upgrade } from "ws101/deno";

const port = Number(Deno.env.get("PORT") ?? 8080);
Deno.serve({ hostname: "127.0.0.1", port, onListen: () => console.log(`listening on http://127.0.0.1:${port}`) }, (request) => {
  const { response, socket } = upgrade(request, { protocols: ["echo"] });
  if (socket) {
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => socket.send(event.data);
  }
  return response;
});

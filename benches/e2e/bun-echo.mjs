// Bun's built-in WebSocket server (uWebSockets) for the end-to-end benchmark (run.mjs).
const port = Number(process.env.PORT ?? 8080);
Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch(req, server) {
    if (server.upgrade(req)) return undefined;
    return new Response("upgrade required", { status: 426 });
  },
  websocket: {
    maxPayloadLength: 64 * 1024 * 1024,
    backpressureLimit: 512 * 1024 * 1024,
    perMessageDeflate: false,
    message(ws, message) {
      ws.send(message);
    },
  },
});
console.log(`listening on http://127.0.0.1:${port}`);

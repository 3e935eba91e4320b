// The chat app on Node (ws101's own server): `PORT=8080 node examples/chat/node.mjs`
import http from "node:http";
import { nodeAdapter } from "ws101/app/node";
import app from "./app.mjs";

const port = Number(process.env.PORT ?? 8080);
const server = http.createServer((request, response) => {
  response.writeHead(426, { "Content-Type": "text/plain", Upgrade: "websocket" }).end("a WebSocket endpoint: GET /chat/<room>\n");
});
nodeAdapter(app).attach(server);
server.listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}`));

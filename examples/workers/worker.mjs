// A Cloudflare Worker built on ws101, run locally in workerd (`make serve`) and in the tests.
//   GET /ws  (upgrade)     → ws101 validates; 101 with a WebSocketPair that first sends the
//                            handshake it saw as JSON, then echoes every message
//   GET /chat/<room>       → a Durable Object chat room: every message fans out to the room
//   GET /accept?key=…      → JSON { key, accept } computed by the wasm core (or its typed error)
//   anything else          → the explainer page (www/) and the package (pkg/) from disk services
import { acceptKey, isWs101Error } from "ws101";
import { upgrade } from "ws101/workers";

export { ChatRoom } from "./chat.mjs";

const TYPES = { ".html": "text/html; charset=utf-8", ".mjs": "text/javascript", ".js": "text/javascript",
  ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".svg": "image/svg+xml",
  ".png": "image/png", ".ts": "text/plain; charset=utf-8" };

function errorJson(e, status) {
  if (!isWs101Error(e)) throw e;
  const { code, rfc, header, value, offset } = e;
  return Response.json({ error: { code, rfc, header, value, offset, message: e.message } }, { status: e.status ?? status });
}

function echo(request) {
  const { response, socket, outcome } = upgrade(request, { protocols: ["echo", "chat"] });
  if (!socket) return response;
  // The browser's WebSocket API hides the handshake: show the page what really crossed the wire.
  socket.send(JSON.stringify({
    type: "handshake",
    request: { method: request.method, url: request.url, headers: [...request.headers] },
    response: { status: 101, headers: outcome.response.headers.map(({ name, value }) => [name, value]) },
  }));
  socket.addEventListener("message", async (event) => {
    // text stays text; binary may surface as a Blob, which send() would stringify
    socket.send(typeof event.data === "string" || !(event.data instanceof Blob) ? event.data : await event.data.arrayBuffer());
  });
  socket.addEventListener("close", (event) => socket.close(event.code === 1005 ? 1000 : event.code, event.reason));
  return response;
}

async function asset(env, request, url) {
  const inPkg = url.pathname.startsWith("/pkg/");
  const store = inPkg ? env.PKG : env.WWW;
  let path = inPkg ? url.pathname.slice(4) : url.pathname;
  if (path.endsWith("/")) path += "index.html";
  if (!store) return new Response("not found\n", { status: 404 });
  const response = await store.fetch(new URL(path, "http://assets"), { method: request.method });
  if (!response.ok) return response;
  const ext = path.slice(path.lastIndexOf("."));
  const headers = new Headers(response.headers);
  headers.set("Content-Type", TYPES[ext] ?? "application/octet-stream");
  headers.set("Cache-Control", "no-store");
  return new Response(response.body, { status: response.status, headers });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/ws") return echo(request);
    if (url.pathname.startsWith("/chat/")) {
      const room = url.pathname.slice("/chat/".length) || "lobby";
      return env.ROOMS.get(env.ROOMS.idFromName(room)).fetch(request);
    }
    if (url.pathname === "/accept") {
      const key = url.searchParams.get("key") ?? "";
      try {
        return Response.json({ key, accept: acceptKey(key) });
      } catch (e) {
        return errorJson(e, 400);
      }
    }
    return asset(env, request, url);
  },
};

// A Cloudflare Worker built on ws101, run locally in workerd (`make serve`) and in the tests.
//   GET /accept?key=…  → JSON { key, accept } computed by the wasm core (or its typed error, 400)
//   GET /ws (upgrade)   → 101 with a WebSocketPair that echoes every message
//   anything else       → the explainer page (www/) and the package (pkg/) from disk services
import { acceptKey, isWs101Error } from "ws101";

const TYPES = { ".html": "text/html; charset=utf-8", ".mjs": "text/javascript", ".js": "text/javascript",
  ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".svg": "image/svg+xml",
  ".png": "image/png", ".ts": "text/plain; charset=utf-8" };

function errorJson(e, status) {
  if (!isWs101Error(e)) throw e;
  const { code, rfc, header, value, offset } = e;
  return Response.json({ error: { code, rfc, header, value, offset, message: e.message } }, { status: e.status ?? status });
}

function upgrade(request) {
  // The full RFC 6455 §4.2.1 request validation arrives with the handshake core; the accept key is ws101's.
  if (!/(^|,)\s*websocket\s*(,|$)/i.test(request.headers.get("Upgrade") ?? "")) {
    return new Response("This endpoint speaks WebSocket: send Upgrade: websocket (RFC 6455 §4.2.1)\n",
      { status: 426, headers: { Upgrade: "websocket", "Sec-WebSocket-Version": "13" } });
  }
  let accept;
  try {
    accept = acceptKey(request.headers.get("Sec-WebSocket-Key") ?? "");
  } catch (e) {
    return errorJson(e, 400);
  }
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  server.addEventListener("message", (event) => server.send(event.data));
  server.addEventListener("close", (event) => server.close(event.code === 1005 ? 1000 : event.code, event.reason));
  // workerd computes Sec-WebSocket-Accept itself; ws101's value is the same and is kept for the explainer.
  return new Response(null, { status: 101, webSocket: client, headers: { "X-Ws101-Accept": accept } });
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
    if (url.pathname === "/ws") return upgrade(request);
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

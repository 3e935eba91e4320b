// An app on Node, on ws101's own server (ws101/node's WebSocketServer in noServer mode): the
// core decides each handshake, the app's upgrade hook may refuse or add headers and a context,
// then handleUpgrade answers 101 and the peer's events reach the hooks. Topics are in-process;
// pass a broker (ws101/app/redis) to share them with other processes.
//   const adapter = nodeAdapter(app, { broker });
//   httpServer.on("upgrade", adapter.handleUpgrade);
import { validateRequest } from "../node.mjs";
import { WebSocketServer } from "../edge/node.mjs";
import { backpressureLimit, callHook, engines } from "./app.mjs";
import { decide } from "./handshake.mjs";
import { Message, toBytes } from "./message.mjs";
import { Peer } from "./peer.mjs";
import { Topics } from "./topics.mjs";
import { http } from "../edge/node-http.mjs"; // not `import … from "node:http"`: see there
const { STATUS_CODES } = http;

const OPTIONS = ["broker", "maxPayload", "backpressureLimit"];

/**
 * @param {ReturnType<typeof import("./app.mjs").defineApp>} app
 * @param {{ broker?: object, maxPayload?: number, backpressureLimit?: number }} [options]
 */
export function nodeAdapter(app, options = {}) {
  for (const key of Object.keys(options)) if (!OPTIONS.includes(key)) throw new TypeError(`unknown nodeAdapter option: ${key}`);
  const limit = backpressureLimit(options.backpressureLimit, "nodeAdapter");
  const topics = new Topics({ broker: options.broker, onError: (error) => callHook(app, "error", null, error) });
  const added = new WeakMap(); // request → the hook's extra response headers
  const wss = new WebSocketServer({ noServer: true, ...app.policy, maxPayload: options.maxPayload });
  wss.on("headers", (lines, req) => {
    for (const [name, value] of added.get(req) ?? []) lines.push(`${name}: ${value}`);
  });
  const engine = { publish: (topic, data, binary) => topics.publish(topic, data, binary) };
  app[engines].add(engine);

  async function handleUpgrade(req, socket, head) {
    socket.on("error", () => {}); // a reset while the hook runs; the server's own handler follows
    const request = fetchRequest(req);
    const decision = await decide(app, request, () => validateRequest(req, app.policy));
    if (decision.response) {
      await writeResponse(socket, decision.response);
      return;
    }
    added.set(req, decision.headers);
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws, req, request, decision.context));
  }

  function connect(ws, req, request, context) {
    // Past the limit a send is dropped (0, as Bun's ws.send): a peer that stops reading holds at most that.
    // Otherwise 1: sent, or waiting for the socket (Bun: the bytes, or -1 under backpressure).
    const send = (data, binary) => {
      if (ws.bufferedAmount > limit) return 0;
      ws.send(data, { binary });
      return 1;
    };
    const member = { deliver: send };
    const peer = new Peer({
      id: crypto.randomUUID(),
      request,
      protocol: ws.protocol,
      extensions: ws.extensionsHeader,
      remoteAddress: req.socket.remoteAddress ?? null,
      context,
    }, {
      send,
      close: (code, reason) => (code === undefined ? ws.close() : ws.close(code, reason)),
      terminate: () => ws.terminate(),
      bufferedAmount: () => ws.bufferedAmount,
      subscribe: (topic) => topics.subscribe(member, topic),
      unsubscribe: (topic) => topics.unsubscribe(member, topic),
      publish: (topic, data, binary, excludeSelf) => topics.publish(topic, data, binary, excludeSelf ? member : undefined),
      topics: () => topics.topicsOf(member),
    });
    ws.on("message", (data, isBinary) => callHook(app, "message", peer, new Message(isBinary ? toBytes(data) : data.toString(), isBinary)));
    ws.on("error", (error) => callHook(app, "error", peer, error));
    ws.addEventListener("close", ({ code, reason, wasClean }) => {
      topics.unsubscribeAll(member);
      callHook(app, "close", peer, { code, reason, wasClean });
    });
    // Node's 'drain': a write was refused room (backpressure) and the socket has emptied since
    ws._socket?.on("drain", () => callHook(app, "drain", peer));
    callHook(app, "open", peer);
  }

  return {
    handleUpgrade: (req, socket, head) => {
      handleUpgrade(req, socket, head).catch((error) => {
        socket.destroy();
        callHook(app, "error", null, error);
      });
    },
    /** Handles `server`'s upgrade requests. */
    attach(server) {
      server.on("upgrade", this.handleUpgrade);
      return this;
    },
    publish: (topic, data) => app.publish(topic, data),
    /** Stops accepting and detaches the app from this adapter (open peers stay open). */
    close() {
      app[engines].delete(engine);
      return new Promise((resolve) => wss.close(() => resolve()));
    },
    webSocketServer: wss,
  };
}

/** The upgrade request as a fetch Request (what the hooks see on every runtime). */
function fetchRequest(req) {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    } catch {
      // a field fetch cannot hold; the core saw it as sent
    }
  }
  let url;
  try {
    url = new URL(req.url, `http://${req.headers.host ?? "localhost"}`);
    // fetch refuses a URL with credentials; a Host with userinfo is refused by the core (400)
    url.username = url.password = "";
  } catch {
    url = new URL("http://localhost/");
  }
  try {
    return new Request(url, { method: req.method, headers });
  } catch {
    return new Request(url, { headers }); // a method fetch refuses (CONNECT, TRACE): the core refused it already
  }
}

/** A refusal as HTTP/1.1 on the raw socket, then the connection ends. */
async function writeResponse(socket, response) {
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText || STATUS_CODES[response.status] || ""}`];
  for (const [name, value] of response.headers) {
    if (!["connection", "content-length", "transfer-encoding", "keep-alive"].includes(name)) lines.push(`${name}: ${value}`);
  }
  lines.push("Connection: close", `Content-Length: ${body.byteLength}`);
  if (!socket.destroyed) socket.end(Buffer.concat([Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1"), body]));
}

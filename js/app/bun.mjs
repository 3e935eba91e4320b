// An app on Bun: `Bun.serve({ ...bunAdapter(app) })`. ws101's core decides the handshake, the
// app's upgrade hook may refuse or add headers and a context, `server.upgrade` answers 101; the
// peer's events arrive in Bun's `websocket` handlers. Topics are Bun's own (native) pub/sub:
// `ws.subscribe`, `server.publish` (everyone), `ws.publish` (everyone but the sender).
import { validateRequest } from "../node.mjs";
import { bunHeaders } from "../edge/bun.mjs";
import { runtimePolicy } from "../edge/fetch.mjs";
import { callHook, engines } from "./app.mjs";
import { decide } from "./handshake.mjs";
import { Message, toBytes } from "./message.mjs";
import { Peer } from "./peer.mjs";

/** @returns {{ fetch(request: Request, server: object): Promise<Response | undefined>, websocket: object }} */
export function bunAdapter(app) {
  let server = null; // Bun's server, known from the first request
  const engine = { publish: (topic, data) => server?.publish(topic, data) };
  app[engines].add(engine);

  async function fetch(request, bunServer) {
    server ??= bunServer;
    const decision = await decide(app, request, () => validateRequest(request, runtimePolicy(app.policy)));
    if (decision.response) return decision.response;
    const { outcome, headers: extra, context } = decision;
    const headers = new Headers(bunHeaders(outcome));
    for (const [name, value] of extra) headers.append(name, value);
    const init = { id: crypto.randomUUID(), request, protocol: outcome.protocol ?? "", context, peer: null };
    if (bunServer.upgrade(request, { headers, data: init })) return undefined;
    return new Response("upgrade failed\n", { status: 500 });
  }

  function peerOf(ws) {
    const init = ws.data;
    init.peer ??= new Peer({ ...init, extensions: ws.extensions ?? "", remoteAddress: ws.remoteAddress ?? null }, {
      send: (data, binary) => ws.send(binary ? data : String(data)),
      // Bun's close() with no code sends 1000; close(1005) sends a Close without a body (seen on the wire, Bun 1.4.5)
      close: (code, reason) => (code === undefined ? ws.close(1005) : ws.close(code, reason)),
      terminate: () => ws.terminate(),
      bufferedAmount: () => ws.getBufferedAmount(),
      subscribe: (topic) => ws.subscribe(topic),
      unsubscribe: (topic) => ws.unsubscribe(topic),
      // ws.publish skips the sender; server.publish reaches every subscriber
      publish: (topic, data, binary, excludeSelf) => (excludeSelf ? ws : server).publish(topic, data),
      topics: () => ws.subscriptions ?? [],
    });
    return init.peer;
  }

  // fetch and websocket are the enumerable keys, so `Bun.serve({ ...bunAdapter(app) })` passes only them
  const adapter = {
    fetch,
    websocket: {
      open: (ws) => callHook(app, "open", peerOf(ws)),
      message: (ws, data) => {
        const binary = typeof data !== "string";
        callHook(app, "message", peerOf(ws), new Message(binary ? toBytes(data) : data, binary));
      },
      // Bun reports no wasClean: a close without a received Close frame has code 1006 (RFC 6455 §7.1.5)
      close: (ws, code, reason) => callHook(app, "close", peerOf(ws), { code, reason: reason ?? "", wasClean: code !== 1006 }),
      drain: (ws) => callHook(app, "drain", peerOf(ws)),
    },
  };
  return Object.defineProperties(adapter, {
    publish: { value: (topic, data) => app.publish(topic, data) },
    /** Detaches the app from this adapter. */
    close: { value: () => app[engines].delete(engine) },
  });
}

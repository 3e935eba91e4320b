// An app on Deno: `Deno.serve(denoAdapter(app).fetch)`. ws101's core decides the handshake, the
// app's upgrade hook may refuse or add headers and a context, `Deno.upgradeWebSocket` answers
// 101 with the subprotocol ws101 chose. Topics are in-process (a broker may share them).
// Deno's WebSocket has no drain event but keeps `bufferedAmount`: after a send leaves output
// waiting, the adapter looks at it every DRAIN_POLL_MS and calls `drain` once it is 0.
import { validateRequest } from "../deno.mjs";
import { denoUpgrade } from "../edge/deno.mjs";
import { runtimePolicy } from "../edge/fetch.mjs";
import { backpressureLimit, callHook, engines } from "./app.mjs";
import { decide } from "./handshake.mjs";
import { Message, toBytes } from "./message.mjs";
import { Peer } from "./peer.mjs";
import { Topics } from "./topics.mjs";

const OPTIONS = ["broker", "idleTimeout", "backpressureLimit"];
const DRAIN_POLL_MS = 10;

/** @param {{ broker?: object, idleTimeout?: number, backpressureLimit?: number }} [options] */
export function denoAdapter(app, options = {}) {
  for (const key of Object.keys(options)) if (!OPTIONS.includes(key)) throw new TypeError(`unknown denoAdapter option: ${key}`);
  const limit = backpressureLimit(options.backpressureLimit, "denoAdapter");
  const topics = new Topics({ broker: options.broker, onError: (error) => callHook(app, "error", null, error) });
  const engine = { publish: (topic, data, binary) => topics.publish(topic, data, binary) };
  app[engines].add(engine);

  async function fetch(request, info) {
    const remoteAddress = info?.remoteAddr?.hostname ?? null; // Deno refuses to tell once the handler awaited
    const decision = await decide(app, request, () => validateRequest(request, runtimePolicy(app.policy)));
    if (decision.response) return decision.response;
    const { outcome, headers, context } = decision;
    const { socket, response } = denoUpgrade(request, outcome, options.idleTimeout);
    for (const [name, value] of headers) response.headers.append(name, value);
    socket.binaryType = "arraybuffer";
    let watching = null; // the drain poll, while output waits
    const sendAndWatch = (data, binary) => {
      // Past the limit a send is dropped (0, as Bun's ws.send): a peer that stops reading holds at most that.
      if (socket.bufferedAmount > limit) return 0;
      send(socket, data, binary);
      if (!app.hooks.drain || watching || socket.bufferedAmount === 0) return 1;
      watching = setInterval(() => {
        if (socket.bufferedAmount > 0 && socket.readyState === WebSocket.OPEN) return;
        clearInterval(watching);
        watching = null;
        if (socket.readyState === WebSocket.OPEN) callHook(app, "drain", peer);
      }, DRAIN_POLL_MS);
      return 1;
    };
    const member = { deliver: sendAndWatch };
    const peer = new Peer({
      id: crypto.randomUUID(),
      request,
      protocol: outcome.protocol ?? "",
      extensions: "",
      remoteAddress,
      context,
    }, {
      send: sendAndWatch,
      close: (code, reason) => (code === undefined ? socket.close() : socket.close(code, reason)),
      terminate: () => socket.close(), // Deno has no abortive close: the closing handshake, bounded by idleTimeout
      bufferedAmount: () => socket.bufferedAmount,
      subscribe: (topic) => topics.subscribe(member, topic),
      unsubscribe: (topic) => topics.unsubscribe(member, topic),
      publish: (topic, data, binary, excludeSelf) => topics.publish(topic, data, binary, excludeSelf ? member : undefined),
      topics: () => topics.topicsOf(member),
    });
    socket.addEventListener("open", () => callHook(app, "open", peer));
    socket.addEventListener("message", ({ data }) => {
      const binary = typeof data !== "string";
      callHook(app, "message", peer, new Message(binary ? toBytes(data) : data, binary));
    });
    socket.addEventListener("error", (event) => callHook(app, "error", peer, event.error ?? new Error(event.message ?? "WebSocket error")));
    socket.addEventListener("close", ({ code, reason, wasClean }) => {
      topics.unsubscribeAll(member);
      // Deno reports a connection lost without a Close frame as code 0; the Web API's is 1006 (RFC 6455 §7.1.5)
      callHook(app, "close", peer, { code: code === 0 && !wasClean ? 1006 : code, reason, wasClean });
    });
    return response;
  }

  return {
    fetch,
    publish: (topic, data) => app.publish(topic, data),
    /** Detaches the app from this adapter. */
    close() { app[engines].delete(engine); },
  };
}

/** The Web API drops sends once closing; so do we (a closing peer gets nothing, no throw). */
function send(socket, data, binary) {
  if (socket.readyState !== WebSocket.OPEN) return;
  socket.send(binary ? data : String(data));
}

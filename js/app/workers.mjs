// An app on Cloudflare Workers: every room is a Durable Object holding its peers through the
// WebSocket Hibernation API, so an idle room is evicted from memory and its sockets stay open.
//   export const Room = durableRoom(app);                         // the Durable Object class
//   export default workersAdapter({ binding: "ROOMS", room: (url) => url.pathname.slice(6) });
// Nothing about a peer lives in the object's memory: each event rebuilds the peer from its
// socket's attachment (serializeAttachment: id, context, topics, the request's URL, …).
// Topics known when `open` returns become the socket's tags (acceptWebSocket, up to 10), so
// publish finds them with getWebSockets(topic); a topic some peer subscribed to later is found
// by a scan of the object's sockets (only such topics pay for it). Ping/pong at the frame level
// is the runtime's; `autoResponse` adds an application-level pair (setWebSocketAutoResponse)
// answered without waking the object.
import { DurableObject } from "cloudflare:workers";
import { validateRequest } from "../workerd.mjs";
import { runtimePolicy, switchingHeaders } from "../edge/fetch.mjs";
import { callHook } from "./app.mjs";
import { decide } from "./handshake.mjs";
import { Message, outgoing, toBytes } from "./message.mjs";
import { Peer, checkTopic } from "./peer.mjs";

const MAX_TAGS = 10; // acceptWebSocket's limit

/**
 * The Durable Object class that runs `app` for one room.
 * @param {object} app
 * @param {{ autoResponse?: { request: string, response: string } }} [options]
 */
export function durableRoom(app, { autoResponse } = {}) {
  return class Room extends DurableObject {
    // topic → ids of peers that subscribed to it after open (not a tag): a cache built from the
    // attachments on first use after every wake, so publish scans all sockets only for such topics
    #late = null;

    constructor(ctx, env) {
      super(ctx, env);
      if (autoResponse) ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(autoResponse.request, autoResponse.response));
    }

    async fetch(request) {
      const decision = await decide(app, request, () => validateRequest(request, runtimePolicy(app.policy)));
      if (decision.response) return decision.response;
      const { outcome, headers, context } = decision;
      const [client, server] = Object.values(new WebSocketPair());
      const state = {
        id: crypto.randomUUID(),
        url: request.url,
        protocol: outcome.protocol ?? "",
        extensions: "",
        remoteAddress: request.headers.get("CF-Connecting-IP"),
        context,
        topics: [],
        tags: [],
      };
      // `open` runs before the socket is accepted, so the topics it subscribes become tags; what it
      // sends (or a close) waits until acceptWebSocket.
      const later = [];
      const peer = this.#peer(server, state, later);
      const opened = callHook(app, "open", peer);
      state.tags = state.topics.slice(0, MAX_TAGS);
      this.ctx.acceptWebSocket(server, state.tags);
      if (!save(app, server, peer, state)) {
        // without an attachment no later event could find this peer: end it now (RFC 6455 §7.4.1, 1011)
        state.context = {};
        save(app, server, null, state);
        later.splice(0, later.length, () => server.close(1011, "context not storable"));
      }
      const pending = later.splice(0);
      for (const op of pending) op();
      later.ready = true;
      if (opened) this.ctx.waitUntil(opened.then(() => save(app, server, peer, state)));
      const response = new Headers(switchingHeaders(outcome));
      for (const [name, value] of headers) response.append(name, value);
      return new Response(null, { status: 101, webSocket: client, headers: response });
    }

    async webSocketMessage(ws, data) {
      const binary = typeof data !== "string";
      await this.#run(ws, "message", new Message(binary ? toBytes(data) : data, binary));
    }

    async webSocketClose(ws, code, reason, wasClean) {
      // RFC 6455 §5.5.1: answer the peer's Close with its code (workerd 2026-11-17 does not for
      // hibernated sockets, whatever web_socket_auto_reply_to_close says); 1005 is "no code"
      try {
        if (code === 1005) ws.close();
        else if (code !== 1006) ws.close(code, reason);
      } catch {
        // already answered
      }
      await this.#run(ws, "close", { code, reason, wasClean });
    }

    async webSocketError(ws, error) {
      await this.#run(ws, "error", error);
    }

    /** RPC from the Worker (publishTo): sends to every subscriber of `topic` in this room. */
    publish(topic, data) {
      checkTopic(topic);
      const { data: payload, binary } = outgoing(data);
      this.#publish(topic, payload, binary, null);
    }

    async #run(ws, hook, arg) {
      const state = ws.deserializeAttachment();
      if (!state) return; // not one of ours
      const peer = this.#peer(ws, state, { ready: true });
      await callHook(app, hook, peer, arg);
      if (hook !== "close") save(app, ws, peer, state);
      else for (const topic of state.topics) this.#markLate(topic, state.id, false);
    }

    #lateIndex() {
      if (!this.#late) {
        this.#late = new Map();
        for (const ws of this.ctx.getWebSockets()) {
          const state = ws.deserializeAttachment();
          for (const topic of state?.topics ?? []) if (!state.tags.includes(topic)) this.#markLate(topic, state.id, true);
        }
      }
      return this.#late;
    }

    #markLate(topic, id, subscribed) {
      const index = this.#lateIndex();
      if (subscribed) index.set(topic, (index.get(topic) ?? new Set()).add(id));
      else index.get(topic)?.delete(id);
    }

    #peer(ws, state, later) {
      const now = (op) => (later.ready ? op() : later.push(op));
      return new Peer({ ...state, request: new Request(state.url) }, {
        send: (data, binary) => (now(() => deliver(ws, data, binary)), 1), // workerd keeps no backpressure limit
        close: (code, reason) => now(() => (code === undefined ? ws.close() : ws.close(code, reason))),
        terminate: () => now(() => ws.close(1011, "terminated")), // Workers have no abortive close
        bufferedAmount: () => 0, // not exposed by Workers
        subscribe: (topic) => {
          if (!state.topics.includes(topic)) state.topics.push(topic);
          if (!later.ready) return; // still opening: it becomes a tag
          if (!state.tags.includes(topic)) this.#markLate(topic, state.id, true);
          save(app, ws, null, state);
        },
        unsubscribe: (topic) => {
          state.topics = state.topics.filter((t) => t !== topic);
          if (!later.ready) return;
          this.#markLate(topic, state.id, false);
          save(app, ws, null, state);
        },
        publish: (topic, data, binary, excludeSelf) => {
          this.#publish(topic, data, binary, ws);
          if (!excludeSelf && state.topics.includes(topic)) now(() => deliver(ws, data, binary));
        },
        topics: () => state.topics,
      });
    }

    // Every subscriber but `except`, once: the sockets tagged with the topic (those still
    // subscribed), then, only if some peer subscribed to it after open, a scan for those.
    #publish(topic, data, binary, except) {
      for (const ws of this.ctx.getWebSockets(topic)) {
        if (ws !== except && ws.deserializeAttachment()?.topics.includes(topic)) deliver(ws, data, binary);
      }
      if (!this.#lateIndex().get(topic)?.size) return;
      for (const ws of this.ctx.getWebSockets()) {
        const state = ws === except ? null : ws.deserializeAttachment();
        if (state && !state.tags.includes(topic) && state.topics.includes(topic)) deliver(ws, data, binary);
      }
    }
  };
}

/**
 * Keeps the peer's context and topics with its socket (they survive hibernation). A context the
 * runtime refuses (not structured-cloneable, or beyond its attachment size limit) goes to the
 * error hook; the previous attachment stays.
 */
function save(app, ws, peer, state) {
  if (peer) state.context = peer.context;
  try {
    ws.serializeAttachment(state);
    return true;
  } catch (error) {
    callHook(app, "error", peer, error);
    return false;
  }
}

function deliver(ws, data, binary) {
  try {
    ws.send(binary ? data : String(data));
  } catch {
    // a socket already closing: the Web API drops the message
  }
}

/** The Durable Object that holds room `name`. */
export function roomStub(namespace, name) {
  return namespace.get(namespace.idFromName(name));
}

/** Sends `data` to the subscribers of `topic` in room `name`, from outside any peer (RPC). */
export function publishTo(namespace, name, topic, data) {
  return roomStub(namespace, name).publish(topic, data);
}

/**
 * The Worker's fetch handler: routes each request to its room's object (`room(url, request)`
 * returns the room name, or null for 404).
 * @param {{ binding: string, room: (url: URL, request: Request) => string | null }} options
 */
export function workersAdapter({ binding, room }) {
  if (typeof binding !== "string" || typeof room !== "function") throw new TypeError("workersAdapter({ binding: name of the Durable Object namespace, room: (url, request) => name | null })");
  return {
    fetch(request, env) {
      const name = room(new URL(request.url), request);
      if (name === null || name === undefined) return new Response("not found\n", { status: 404 });
      const namespace = env[binding];
      if (!namespace) return new Response(`no Durable Object binding ${binding}\n`, { status: 500 });
      return roomStub(namespace, String(name)).fetch(request);
    },
  };
}

// Compiled with `tsc -p tests/app/types` against the built package: ws101/app's types accept the
// documented usage and reject misuse (each @ts-expect-error fails the build if the line compiles).
import http from "node:http";
import { defineApp, Message, type Peer } from "ws101/app";
import { nodeAdapter } from "ws101/app/node";
import { bunAdapter } from "ws101/app/bun";
import { denoAdapter } from "ws101/app/deno";
import { durableRoom, publishTo, workersAdapter, type RoomNamespace } from "ws101/app/workers";
import { redisBroker } from "ws101/app/redis";

const app = defineApp<{ room: string }>({
  protocols: ["chat"],
  upgrade(request, handshake) {
    if (!handshake.ok) return new Response("no", { status: 400 });
    return { headers: { "X-Room": "a" }, context: { room: new URL(request.url).pathname } };
  },
  open(peer) {
    peer.subscribe(peer.context.room);
  },
  message(peer: Peer<{ room: string }>, message: Message) {
    const text: string = message.text();
    const bytes: Uint8Array = message.bytes();
    peer.publish(peer.context.room, message.binary ? bytes : text, { excludeSelf: true });
  },
  close(peer, { code, reason, wasClean }) {
    void peer.id, code, reason, wasClean;
  },
  drain(peer) {
    const waiting: number = peer.bufferedAmount;
    void waiting;
  },
});
app.publish("lobby", new Uint8Array([1]));
// @ts-expect-error a number is not a message
app.publish("lobby", 42);
// @ts-expect-error unknown hook
defineApp({ onMessage() {} });

const adapter = nodeAdapter(app).attach(http.createServer());
adapter.publish("lobby", "hi");
void bunAdapter(app).websocket;
void denoAdapter(app).fetch;
export const Room = durableRoom(app, { autoResponse: { request: "ping", response: "pong" } });
export default workersAdapter({ binding: "ROOMS", room: (url) => url.pathname.slice(6) || null });
declare const rooms: RoomNamespace;
void publishTo(rooms, "lobby", "lobby", "hello");
declare const client: Parameters<typeof redisBroker>[0]["publisher"];
nodeAdapter(app, { broker: redisBroker({ publisher: client, subscriber: client }) });

// The chat app, written once; node.mjs, bun.ts, deno.ts and workerd.capnp run it.
//   GET /chat/<room>  upgrades (subprotocol `chat` only when offered); every text or binary
//                     message a peer sends goes to every peer in the room, the sender included,
//                     unchanged and with its type.
//   anything else     404
import { defineApp } from "ws101/app";

const PREFIX = "/chat/";

/** The room of a request, or null when the path is not /chat/<room> with a room name that decodes. */
export function roomOf(url) {
  const { pathname } = new URL(url);
  if (!pathname.startsWith(PREFIX) || pathname.length === PREFIX.length) return null;
  try {
    return decodeURIComponent(pathname.slice(PREFIX.length));
  } catch {
    return null; // a malformed percent-encoding (URIError) names no room: the client's mistake, a 404
  }
}

export default defineApp({
  protocols: ["chat"],
  upgrade(request) {
    const room = roomOf(request.url);
    if (room === null) return new Response("not found: use /chat/<room>\n", { status: 404 });
    return { context: { room } };
  },
  open(peer) {
    peer.subscribe(peer.context.room);
  },
  message(peer, message) {
    peer.publish(peer.context.room, message.data);
  },
});

// WebSocket server and client for Node (`http`/`https` 'upgrade' events, `net`/`tls` sockets),
// with an API users of `ws` recognise. ws101's wasm core decides everything (handshake,
// framing, closing, close codes); this file only moves bytes between sockets and the core, and
// manages timers, listeners and backpressure.
//
// Robustness rules kept here:
// - No path from the network throws out of a socket or server event handler: every call into the
//   core is guarded, and a throwing application listener becomes an `error` event on the
//   WebSocket (or a one-time process warning when nobody listens), never an uncaught exception.
// - A trap of the wasm instance (WebAssembly.RuntimeError, a poisoned wasm-bindgen object) is
//   contained: every WebSocket of the poisoned instance is closed (1011 from servers), the instance
//   is rebuilt through `instance.mjs` when that module is present, and new upgrades keep working.
// - Every option is honoured or refused with a TypeError naming it; nothing a security decision
//   depends on (verifyClient, handleProtocols, origins, requireOrigin, maxHeaders) is ignored.
//
// The parts, one concept each: node-websocket.mjs (the WebSocket), node-server.mjs
// (WebSocketServer), node-client.mjs (the client's opening handshake), node-h2.mjs (HTTP/2,
// RFC 8441), node-options.mjs, node-errors.mjs (ws's words), node-events.mjs (EventTarget),
// node-stream.mjs (createWebSocketStream) and node-trap.mjs (trap containment).
import { WebSocket } from "./node-websocket.mjs";
import { WebSocketServer } from "./node-server.mjs";
import { createWebSocketStream } from "./node-stream.mjs";
import { Event, MessageEvent, CloseEvent, ErrorEvent } from "./node-events.mjs";

export { WebSocket, WebSocketServer, createWebSocketStream, Event, MessageEvent, CloseEvent, ErrorEvent };

/** Opens a client connection: `connect("ws://127.0.0.1:8080/path", { protocols, origin, headers })`. */
export function connect(url, options = {}) {
  return new WebSocket(url, options.protocols ?? [], options);
}

// ws's CommonJS shape: the WebSocket class carries the rest as statics.
for (const [name, value] of Object.entries({
  WebSocket, WebSocketServer, Server: WebSocketServer, createWebSocketStream,
  Event, MessageEvent, CloseEvent, ErrorEvent, connect,
})) {
  Object.defineProperty(WebSocket, name, { value, writable: true, configurable: true, enumerable: name !== "connect" && !name.endsWith("Event") });
}
export { WebSocketServer as Server };

export default WebSocket;

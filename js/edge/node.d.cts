// Types of `require("ws101/node")` (node.cjs): the WebSocket class itself, with `WebSocketServer`,
// `Server`, `createWebSocketStream` and the ready-state constants as statics, shaped like `ws`.
import type { WebSocket as WebSocketClass } from "./node.js";
declare const WebSocket: typeof WebSocketClass;
export = WebSocket;

// CommonJS entry of `ws101/node`, shaped like `ws`: `require("ws101/node")` is the WebSocket class,
// with `WebSocketServer`, `Server`, `createWebSocketStream`, `WebSocket` and the event classes as
// its statics. The module itself is node.mjs (Node ≥ 20.19 requires ES modules without top-level await).
"use strict";
module.exports = require("./node.mjs").WebSocket;

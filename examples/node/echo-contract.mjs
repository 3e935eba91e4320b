// The echo contract that examples/node/echo.mjs and echo-h2.mjs both follow (conformance tools
// rely on it): any path; every message echoed with its type (text stays text); the subprotocol
// `echo` only when the client offers it; permessage-deflate offers accepted; messages up to 64 MiB;
// protocol violations closed with the code RFC 6455 names.

/** WebSocketServer options of the contract (add `port`/`host` or `server`). */
export const echoOptions = {
  protocols: ["echo"],
  requireProtocol: false,
  perMessageDeflate: true,
  maxPayload: 64 * 1024 * 1024,
};

/** Echoes every message of every WebSocket `wss` accepts. */
export function echo(wss) {
  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on("error", () => {}); // the close frame with the right code is already on its way
  });
}

// ws101/handshake: the server side of the opening handshake alone (keys, request validation,
// negotiation, the answers), for hosts that answer upgrades and pass the socket on (edge
// workers) or only need a key. The client half (buildRequest, parseResponse, validateResponse,
// ClientHandshake), extended CONNECT (validateExtendedConnect) and the explainer's
// classifyUpgrade / classifyUpgradeHead are in `ws101` only.
//
// Its .wasm is the crate built without its default features (scripts/build.sh: no `connection`,
// `client`, `explain` or `extended-connect`), so frames, messages, permessage-deflate and those
// exports are not in it, and an error's `message` is the compact sentence of its fields
// ("missing-key: Sec-WebSocket-Key, RFC 6455 §4.2.1."). Its JS is ws101's own, unchanged: the build puts
// copies of the runtime entries (node.mjs, browser.mjs, deno.mjs, workerd.mjs), instance.mjs and
// js/api.mjs (as api-full.mjs) beside this file in pkg/handshake/, where "./ws101.js" is the
// handshake build's glue. The entries re-export "./api.mjs", which is this file: the handshake
// half of the API, the same functions as `ws101`'s.
export {
  acceptKey,
  acceptKeyUnchecked,
  acceptDigest,
  generateKey,
  validateKey,
  websocketGuid,
  errorCodes,
  Ws101Error,
  isWs101Error,
  headerLines,
  validateRequest,
  parseRequest,
} from "./api-full.mjs";

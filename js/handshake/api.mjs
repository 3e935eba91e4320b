// ws101/handshake: the opening handshake alone (keys, request and response checks, negotiation),
// for hosts that answer upgrades and pass the socket on (edge workers) or only need a key.
//
// Its .wasm is the crate built without the `connection` feature (scripts/build.sh), so frames,
// messages and permessage-deflate are not in it. Its JS is ws101's own, unchanged: the build puts
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
  validateExtendedConnect,
  classifyUpgrade,
  classifyUpgradeHead,
  buildRequest,
  parseResponse,
  validateResponse,
  ClientHandshake,
} from "./api-full.mjs";

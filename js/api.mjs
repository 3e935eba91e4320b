// The one façade every runtime entry re-exports. Names only: the protocol lives in the wasm core.
export {
  acceptKey,
  acceptKeyUnchecked,
  acceptDigest,
  generateKey,
  validateKey,
  websocketGuid,
} from "./ws101.js";
export { Ws101Error, isWs101Error } from "./errors.mjs";

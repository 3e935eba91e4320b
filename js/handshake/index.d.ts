// ws101/handshake: the server side of the opening handshake alone; the same declarations as
// `ws101`'s (js/index.d.ts). An error's `message` here is the compact sentence of its fields
// ("missing-key: Sec-WebSocket-Key, RFC 6455 §4.2.1."); `code`, `rfc`, `header`, `value`,
// `offset`, `status`, `closeCode` and `blame` are the same as in `ws101`.
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
} from "../index.js";
export type {
  Accepted,
  BytesLike,
  DeflateOptions,
  DeflateParams,
  HeaderLine,
  HeadersLike,
  HttpResponse,
  ParsedRequest,
  Problem,
  Rejected,
  RequestLike,
  ServerOptions,
  ServerOutcome,
  Verdict,
  Ws101Blame,
  Ws101ErrorCode,
  Ws101ErrorCodeEntry,
} from "../index.js";

// Public types of the ws101 package (every runtime entry exposes the same API).
export {
  acceptKey,
  acceptKeyUnchecked,
  acceptDigest,
  generateKey,
  validateKey,
  websocketGuid,
} from "./ws101.js";

/** Frames laid open (RFC 6455 §5.2): build one frame from its fields; list the frames of a capture. */
export { encodeFrame, decodeFrames } from "./ws101.js";
/** A raw request head's `Upgrade` classified (websocket, h2c with decoded HTTP2-Settings, TLS, other). */
export { classifyUpgradeHead } from "./ws101.js";
export type { FrameHeaderField, EncodeFrameOptions, EncodedFrame, DecodedFrame, DecodedFrames } from "./ws101.js";

/** Stable machine codes carried by `Ws101Error.code`. */
export type Ws101ErrorCode =
  | "bad-key-base64"
  | "bad-key-length"
  | "entropy-unavailable"
  | (string & {});

/**
 * Every error ws101 throws: a JS `Error` carrying the core's diagnostic fields.
 * `e instanceof Ws101Error` holds for all of them.
 */
export declare class Ws101Error extends Error {
  name: "Ws101Error";
  /** Stable kebab-case code, e.g. `bad-key-length`. */
  code: Ws101ErrorCode;
  /** The RFC section whose rule was broken, e.g. `RFC 6455 §4.2.1`. */
  rfc: string;
  /** The header concerned, if any. */
  header: string | null;
  /** The offending value (truncated), if any. */
  value: string | null;
  /** Byte offset of the fault in the input, if any. */
  offset: number | null;
  /** HTTP status a server should answer with (400, 403, 426, 431), for handshake errors. */
  status: number | null;
  /** Close code the peer must receive (RFC 6455 §7.4.1), for wire-format errors. */
  closeCode: number | null;
}

/** True when `value` is an error thrown by ws101. */
export declare function isWs101Error(value: unknown): value is Ws101Error;

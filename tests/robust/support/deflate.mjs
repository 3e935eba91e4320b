// permessage-deflate payloads built with node:zlib (RFC 7692 §7.2.1: compress with a sync flush,
// drop the trailing 00 00 ff ff), including compression bombs.
import zlib from "node:zlib";
import { frame, OP } from "./raw.mjs";

/** A message payload as permessage-deflate sends it. */
export function compress(data, level = zlib.constants.Z_BEST_COMPRESSION) {
  const out = zlib.deflateRawSync(data, { level, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  if (out.length >= 4 && out.readUInt32BE(out.length - 4) === 0x0000ffff) return out.subarray(0, out.length - 4);
  return out;
}

/** The inverse, as a receiver does it (append 00 00 ff ff and inflate). */
export function inflate(payload) {
  return zlib.inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

const bombs = new Map();
/**
 * A compression bomb: `inflatedSize` zero bytes deflated (63 MiB → about 64 KiB; DEFLATE's limit
 * is ~1032:1). Cached per size.
 */
export function bomb(inflatedSize) {
  if (!bombs.has(inflatedSize)) bombs.set(inflatedSize, compress(Buffer.alloc(inflatedSize)));
  return bombs.get(inflatedSize);
}

/** One masked, compressed (RSV1) data frame carrying `data` (binary unless `text`). */
export function compressedFrame(data, { text = false, compressed } = {}) {
  return frame(text ? OP.TEXT : OP.BINARY, compressed ?? compress(data), { rsv1: true });
}

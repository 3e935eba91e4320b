// The sans-IO connection for JavaScript: feed received bytes, get every event of the chunk at
// once; every send returns the bytes to write. The protocol is the wasm core's (RawConnection);
// this file only moves bytes in and out of wasm memory and shapes events.
//
// Fast path: `receive(chunk)` copies the chunk into a buffer inside wasm memory once
// (`Uint8Array.prototype.set`), the core unmasks it in place and describes each event with four
// u32 words (kind, pointer, length, extra); payloads are then sliced out, or handed over as views
// (`views: true`) that stay valid only until the next call on this connection.
import { RawConnection, wasmMemory } from "./instance.mjs";

const KIND_TEXT = 1, KIND_BINARY = 2, KIND_PING = 3, KIND_PONG = 4, KIND_CLOSE = 5, KIND_ERROR = 6;
const decoder = new TextDecoder("utf-8");
const textEncoder = new TextEncoder();
const NodeBuffer = globalThis.Buffer;
/** UTF-8 bytes of a JS string (lone surrogates become U+FFFD, so the result is valid UTF-8). */
const encodeUtf8 = NodeBuffer ? (s) => NodeBuffer.from(s, "utf8") : (s) => textEncoder.encode(s);
const EMPTY = new Uint8Array(0);

/**
 * @param {Uint8Array} view
 * @param {"uint8array"|"arraybuffer"|"nodebuffer"} binaryType
 * @param {boolean} views
 */
function shape(view, binaryType, views) {
  if (binaryType === "arraybuffer") return view.slice().buffer;
  if (binaryType === "nodebuffer") {
    const B = globalThis.Buffer;
    return views ? B.from(view.buffer, view.byteOffset, view.byteLength) : B.from(view);
  }
  return views ? view : view.slice();
}

export class Connection {
  #raw;
  #memory;
  #binaryType;
  #views;
  #textAsBytes;

  /**
   * @param {import("./index.d.ts").ConnectionOptions} [options]
   */
  constructor(options = {}) {
    const role = options.role ?? "server";
    if (role !== "server" && role !== "client") throw new TypeError(`role must be "server" or "client", got ${role}`);
    const config = {};
    const set = (key, value) => { if (value !== undefined && value !== null) config[key] = value; };
    set("maxFrameSize", options.maxFrameSize);
    set("maxMessageSize", options.maxMessageSize ?? options.maxPayload);
    set("autoPong", options.autoPong);
    set("autoClose", options.autoClose);
    set("fragmentSize", options.fragmentSize);
    set("deflate", options.deflate);
    set("deflateLevel", options.deflateLevel);
    set("deflateThreshold", options.deflateThreshold);
    set("deferClose", options.deferClose);
    this.#raw = new RawConnection(role === "server", config);
    this.#memory = wasmMemory();
    this.#binaryType = options.binaryType ?? "uint8array";
    this.#views = options.views === true;
    this.#textAsBytes = options.textAsBytes === true;
  }

  /** "open" | "closing" (we sent Close) | "remote-closing" (peer sent Close) | "closed" */
  get state() {
    return this.#raw.state();
  }

  /** After "closed": whether the closing handshake completed (RFC 6455 §7.1.4). */
  get wasClean() {
    return this.#raw.wasClean();
  }

  /** Whether data messages can still be sent (open, or a Close held back by `deferClose`). */
  get canSend() {
    return this.#raw.canSend();
  }

  /**
   * With `deferClose`: queue the Close this side owes after the replies sent while handling
   * the last `receive()`'s events (call it once those events are handled).
   */
  releaseClose() {
    this.#raw.releaseClose();
  }

  /** True once the transport should be closed by this side (RFC 6455 §7.1.1). */
  get shouldCloseTransport() {
    return this.#raw.shouldCloseTransport();
  }

  get binaryType() {
    return this.#binaryType;
  }

  set binaryType(value) {
    this.#binaryType = value;
  }

  /**
   * Every event the chunk completes, in order. Auto-pongs and close replies are queued: write
   * `takeOutput()` after each call.
   * @param {Uint8Array} chunk
   */
  receive(chunk) {
    const len = chunk.byteLength;
    if (len === 0) return [];
    const ptr = this.#raw.inputBuffer(len);
    new Uint8Array(this.#memory.buffer, ptr, len).set(chunk);
    return this.#events(this.#raw.receive(len));
  }

  /** The transport ended: a 1006 close event unless the closing handshake completed. */
  receiveEof() {
    return this.#events(this.#raw.receiveEof());
  }

  /** Bytes queued by the core (pongs, close replies, error closes); null when none. */
  takeOutput() {
    return this.#raw.outputLength() === 0 ? null : this.#copyOutput();
  }

  /** @param {string | Uint8Array} text */
  sendText(text) {
    if (typeof text === "string") this.#raw.sendText(text);
    else this.#raw.sendTextBytes(text);
    return this.#copyOutput();
  }

  /**
   * A whole message as the chunks to write, in order. Where the payload goes on the wire
   * unchanged (server role, not compressed, not fragmented) it is returned as is, after its
   * header, and never copied; otherwise the core encodes it. Strings are text; bytes are binary
   * unless `binary` is false (then they must be UTF-8).
   * @param {string | Uint8Array} data
   * @param {boolean} [binary]
   * @returns {Uint8Array[]}
   */
  sendMessage(data, binary = typeof data !== "string") {
    if (typeof data === "string") {
      const bytes = encodeUtf8(data);
      if (!binary && this.#raw.sendHeaderOnly(false, bytes.length)) return [this.#copyOutput(), bytes];
      return binary ? [this.sendBinary(bytes)] : [this.sendText(data)];
    }
    if (binary) {
      if (this.#raw.sendHeaderOnly(true, data.byteLength)) return [this.#copyOutput(), data];
      return [this.sendBinary(data)];
    }
    return [this.sendText(data)];
  }

  /** @param {Uint8Array | ArrayBuffer} data */
  sendBinary(data) {
    this.#raw.sendBinary(data instanceof Uint8Array ? data : new Uint8Array(data));
    return this.#copyOutput();
  }

  /** @param {Uint8Array | string} [data] */
  ping(data = EMPTY) {
    this.#raw.ping(typeof data === "string" ? new TextEncoder().encode(data) : data);
    return this.#copyOutput();
  }

  /** @param {Uint8Array | string} [data] */
  pong(data = EMPTY) {
    this.#raw.pong(typeof data === "string" ? new TextEncoder().encode(data) : data);
    return this.#copyOutput();
  }

  /** Starts (or answers) the closing handshake. @param {number} [code] @param {string} [reason] */
  close(code, reason = "") {
    this.#raw.close(code ?? undefined, reason);
    return this.#copyOutput();
  }

  /** Frees the wasm side now instead of at garbage collection. */
  free() {
    // Idempotent; any later call is a TypeError (not wasm-bindgen's "null pointer passed to rust").
    this.#raw?.free();
    this.#raw = null;
  }

  /** The waiting output copied out of wasm memory; the core keeps its buffer for reuse. */
  #copyOutput() {
    const len = this.#raw.outputLength();
    const view = new Uint8Array(this.#memory.buffer, this.#raw.outputPointer(), len);
    const copy = NodeBuffer ? NodeBuffer.allocUnsafe(len) : new Uint8Array(len);
    copy.set(view);
    this.#raw.clearOutput();
    return copy;
  }

  #events(count) {
    if (count === 0) return [];
    const words = new Uint32Array(this.#memory.buffer, this.#raw.records(), count * 4);
    const bytes = new Uint8Array(this.#memory.buffer);
    const out = new Array(count);
    // Copied payloads of one call share one allocation (as `ws` shares socket chunks): one copy
    // out of wasm memory per message, one allocation per call. `arraybuffer` needs its own.
    let pool = null;
    let poolOffset = 0;
    const pooled = !this.#views && this.#binaryType !== "arraybuffer";
    if (pooled) {
      let total = 0;
      for (let i = 0; i < count; i++) {
        const kind = words[i * 4];
        if (kind === KIND_BINARY || (kind === KIND_TEXT && this.#textAsBytes)) total += words[i * 4 + 2];
      }
      pool = this.#binaryType === "nodebuffer" ? NodeBuffer.allocUnsafe(total) : new Uint8Array(total);
    }
    const data = (view) => {
      if (!pooled) return shape(view, this.#binaryType, this.#views);
      const copy = pool.subarray(poolOffset, poolOffset + view.length);
      copy.set(view);
      poolOffset += view.length;
      return copy;
    };
    for (let i = 0; i < count; i++) {
      const kind = words[i * 4], ptr = words[i * 4 + 1], len = words[i * 4 + 2], extra = words[i * 4 + 3];
      const view = bytes.subarray(ptr, ptr + len);
      switch (kind) {
        case KIND_TEXT:
          out[i] = { type: "text", data: this.#textAsBytes ? data(view) : decoder.decode(view) };
          break;
        case KIND_BINARY:
          out[i] = { type: "binary", data: data(view) };
          break;
        case KIND_PING:
          out[i] = { type: "ping", data: view.slice() };
          break;
        case KIND_PONG:
          out[i] = { type: "pong", data: view.slice() };
          break;
        case KIND_CLOSE:
          out[i] = { type: "close", code: extra & 0xffff, reason: decoder.decode(view), wasClean: (extra >>> 16) === 1 };
          break;
        case KIND_ERROR:
          out[i] = { type: "error", error: this.#raw.error(extra) };
          break;
        default:
          throw new Error(`ws101: unknown event kind ${kind}`);
      }
    }
    return out;
  }
}

// The sans-IO connection for JavaScript: feed received bytes, get every event of the chunk at
// once; every send returns the bytes to write. The protocol is the wasm core's (RawConnection);
// this file only moves bytes in and out of wasm memory and shapes events.
//
// Memory: received bytes go into wasm memory at most WINDOW bytes at a time (one input window
// shared by every connection), the core unmasks them in place and describes each event with
// five u32 words (kind, pointer, length, extra, size). A message that lies whole in the window
// is sliced out (or handed over as a view with `views: true`, valid until the next call into any
// connection); a larger, fragmented or compressed one comes in parts that are copied out into
// the JS heap, so wasm memory never holds a whole message: straight into one buffer of the
// message's size when the core announces it (one frame, not inflated) and enough of it arrived
// (MESSAGE_AT_ONCE, ANNOUNCED_PER_RECEIVED), else each part on its own, joined at the end.
// Inflated data comes in bounded windows: when a call's budget runs out the core says so and we
// resume it. With `views: true` (no deflate) a frame of up to WINDOW bytes that a chunk leaves
// incomplete is held in JS memory and given to the core again whole (see HELD_KEPT).
// Messages larger than WINDOW are sent in parts of WINDOW bytes the same way.
import { RawConnection, glue, wasmMemory } from "./instance.mjs";

// The runtime's own UTF-8 validator (`buffer.isUtf8` of Node, Bun, Deno and workerd with
// nodejs_compat: simdutf, native) for the core's check of long text (src/wasm/utf8_check.rs): it
// can only vouch for valid text, the core decides every failure. Installed once per instance,
// when its first connection is made, and only if it answers a self-test exactly (a replaced,
// lenient `isUtf8` would otherwise let invalid text through).
let utf8CheckMemory = null;
function installUtf8Check(memory) {
  utf8CheckMemory = memory;
  let isUtf8 = null;
  try {
    isUtf8 = globalThis.process?.getBuiltinModule?.("node:buffer")?.isUtf8 ?? null;
    if (typeof isUtf8 !== "function" || typeof glue.setUtf8Check !== "function" || !exactUtf8Check(isUtf8)) return;
  } catch {
    return; // no node:buffer here (browsers), or a check that throws: the core's own check alone
  }
  glue.setUtf8Check((pointer, length) => isUtf8(new Uint8Array(memory.buffer, pointer, length)));
}

/**
 * Whether `isUtf8` tells RFC 3629 UTF-8 from everything else, on slices as long as those the core
 * asks about: a surrogate, an overlong form, a code point above U+10FFFF, a byte never in UTF-8,
 * a cut sequence and a stray continuation byte are refused; text of 1- to 4-byte code points is not.
 */
function exactUtf8Check(isUtf8) {
  const text = new TextEncoder().encode("aé€𝄞".repeat(103)); // 1,030 bytes
  const invalid = [[0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]];
  if (isUtf8(text) !== true) return false;
  for (const bytes of invalid) {
    const sample = new Uint8Array(text.length + bytes.length + 1).fill(0x61);
    sample.set(text);
    sample.set(bytes, text.length);
    if (isUtf8(sample) !== false) return false;
  }
  return true;
}

// The event record layout is the binding's (RawConnection.recordLayout(), src/wasm/connection.rs):
// words per record, each event kind's number, the flags of receive()'s answer and the most bytes
// handed to the core per call (WINDOW). Read once, when the first connection is made.
let WORDS, KIND_TEXT, KIND_BINARY, KIND_PING, KIND_PONG, KIND_CLOSE, KIND_ERROR, KIND_PART_TEXT, KIND_PART_BINARY;
let WINDOW, HEADER_ROOM, MORE, RELEASE, SEND_READY, QUIET, COUNT;
let layoutRead = false;
function readLayout() {
  const l = RawConnection.recordLayout();
  ({ words: WORDS, text: KIND_TEXT, binary: KIND_BINARY, ping: KIND_PING, pong: KIND_PONG, close: KIND_CLOSE, error: KIND_ERROR } = l);
  ({ partText: KIND_PART_TEXT, partBinary: KIND_PART_BINARY, window: WINDOW, headerRoom: HEADER_ROOM, more: MORE, release: RELEASE, sendReady: SEND_READY, quiet: QUIET, count: COUNT } = l);
  STRING_IN_WINDOW = Math.floor((WINDOW - HEADER_ROOM) / 3);
  layoutRead = true;
}
/**
 * Views of all of wasm memory, made again when it grew (growing detaches the old buffer: its
 * views read as empty) or is another instance's (after a trap the instance is replaced).
 */
let viewsOf = null;
let u8 = new Uint8Array(0);
let u32 = new Uint32Array(0);
function viewsFor(memory) {
  if (memory !== viewsOf || u8.length === 0) {
    u8 = new Uint8Array(memory.buffer);
    u32 = new Uint32Array(memory.buffer);
    viewsOf = memory;
  }
}
/**
 * Writes the UTF-8 bytes of `s` into wasm memory at `at` (at most `max` bytes: callers give room
 * for 3 per UTF-16 unit) and returns how many; lone surrogates become U+FFFD, as encodeUtf8 does.
 * Call viewsFor first.
 */
const utf8Write = nodeUtf8Write();
const writeUtf8 = utf8Write
  ? (s, at, max) => utf8Write.call(u8, s, at, max)
  : (s, at, max) => textEncoder.encodeInto(s, u8.subarray(at, at + max)).written;
/** Node's Buffer#utf8Write (one native call, no view made) where it writes into any Uint8Array as expected; else null. */
function nodeUtf8Write() {
  const write = globalThis.Buffer?.prototype?.utf8Write;
  if (typeof write !== "function") return null;
  try {
    const probe = new Uint8Array(6);
    return write.call(probe, "\u00e9\ud800", 1, 5) === 5 && probe.join() === "0,195,169,239,191,189" ? write : null;
  } catch {
    return null;
  }
}
/**
 * A view of `len` bytes at `ptr`, reused while the same bytes are asked for (most traffic has one
 * size, so its payloads sit at one place in the window): for copying or decoding only, never
 * handed out.
 */
let scratchOf = null;
let scratchPtr = -1;
let scratchLen = -1;
let scratch = null;
function scratchView(ptr, len) {
  if (ptr !== scratchPtr || len !== scratchLen || scratchOf !== u8) {
    scratch = u8.subarray(ptr, ptr + len);
    scratchPtr = ptr;
    scratchLen = len;
    scratchOf = u8;
  }
  return scratch;
}
/**
 * The input window's pointer: reserved at its full size (WINDOW) once per instance, after
 * which it never moves (inputBuffer only reallocates to grow it, and no caller asks for more).
 */
let windowOf = null;
let windowPointer = 0;
const decoder = new TextDecoder("utf-8");
const textEncoder = new TextEncoder();
const NodeBuffer = globalThis.Buffer;
/** UTF-8 bytes of a JS string (lone surrogates become U+FFFD, so the result is valid UTF-8). */
const encodeUtf8 = NodeBuffer ? (s) => NodeBuffer.from(s, "utf8") : (s) => textEncoder.encode(s);
const EMPTY = new Uint8Array(0);
/**
 * A message whose one frame announced its length (the record's `size`, checked by the core
 * against maxMessageSize) gets its buffer at once when it is at most MESSAGE_AT_ONCE bytes (one
 * socket read's worth), else once 1/ANNOUNCED_PER_RECEIVED of it arrived: memory taken for a
 * message stays within max(64 KiB, 16 × the bytes its peer really sent) (a peer announcing 64 MiB,
 * or 1 MiB, and stalling after a few bytes costs 64 KiB), and only that first share is copied twice.
 */
const MESSAGE_AT_ONCE = 64 * 1024;
const ANNOUNCED_PER_RECEIVED = 16;
/**
 * `views: true` without permessage-deflate: a frame of at most WINDOW bytes that a chunk leaves
 * incomplete is held here (in JS memory, not wasm memory: the window is shared) and given to
 * the core again, whole, when its last byte arrives, so its message is a view of the window
 * instead of a copy into a fresh buffer (the copy, and the garbage collection that fresh
 * memory drives, were most of a 64 KiB message's cost). Held under the same bound as a message's
 * buffer (at most max(MESSAGE_AT_ONCE, ANNOUNCED_PER_RECEIVED × its bytes that arrived)), else the
 * frame comes in parts. At most HELD_KEPT buffers of WINDOW bytes are made per instance and reused (fresh
 * memory per message is what holding avoids); beyond them a held frame gets a buffer of its size.
 */
const HELD_KEPT = 4;
const heldKept = [];
let heldMade = 0;
/** A buffer for a held frame of `frame` ≤ WINDOW bytes. */
function heldBuffer(frame) {
  if (heldKept.length > 0) return heldKept.pop();
  if (heldMade < HELD_KEPT) {
    heldMade++;
    return new Uint8Array(WINDOW);
  }
  return bytesLike(frame);
}
/** Most frame headers one connection keeps (`sendMessage`); past that the kept ones are dropped. */
const HEADERS_KEPT = 256;
/** Strings of at most this many UTF-16 units are written into the input window as UTF-8 (≤ 3 bytes per unit) and framed there. */
let STRING_IN_WINDOW = 0;
const BINARY_TYPES = ["uint8array", "arraybuffer", "nodebuffer"];
const OPTIONS = new Set(["role", "handoff", "maxFrameSize", "maxMessageSize", "maxPayload", "autoPong", "autoClose",
  "fragmentSize", "deflate", "deflateLevel", "deflateThreshold", "binaryType", "views", "textAsBytes", "deferClose", "inPlace"]);
const DEFLATE_FIELDS = { serverNoContextTakeover: "boolean", clientNoContextTakeover: "boolean", serverMaxWindowBits: "number", clientMaxWindowBits: "number" };

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

/** A joined message (already a copy of its own) in the requested shape. */
function shapeOwned(bytes, binaryType) {
  if (binaryType === "arraybuffer") {
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : Uint8Array.prototype.slice.call(bytes).buffer; // a copy (Buffer#slice is a view)
  }
  if (binaryType === "nodebuffer") return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return bytes;
}

/** `n` uninitialised bytes: a Buffer in Node (as `ws` hands out), else a Uint8Array. */
const bytesLike = NodeBuffer ? (n) => NodeBuffer.allocUnsafe(n) : (n) => new Uint8Array(n);

/** `chunks` (of `total` bytes, counted when omitted) as one buffer; one chunk is returned as is. */
function join(chunks, total) {
  if (chunks.length === 1) return chunks[0];
  total ??= chunks.reduce((sum, c) => sum + c.byteLength, 0);
  const out = bytesLike(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}

/** The bytes of any BufferSource, as a Uint8Array over the same memory (no copy). */
function bytesOf(data, what) {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer)) {
    return new Uint8Array(data);
  }
  throw new TypeError(`${what} must be a Uint8Array, another ArrayBufferView or an ArrayBuffer, got ${describe(data)}`);
}

/** Control frame payloads: a string (sent as UTF-8) or bytes. */
function controlPayload(data, what) {
  if (data === undefined) return EMPTY;
  if (typeof data === "string") return textEncoder.encode(data);
  return bytesOf(data, `${what} data`);
}

function describe(value) {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}

/** A number option: a TypeError when it is not a number, a RangeError when it is out of range. */
function integer(value, name, min, max) {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** Stands in for the wasm side after free(): any use is a TypeError naming the call. */
const FREED = new Proxy({}, {
  get(_, name) {
    throw new TypeError(`Connection used after free() (${String(name)}): this connection was released`);
  },
});

function boolean(value, name) {
  if (typeof value !== "boolean") throw new TypeError(`${name} must be a boolean, got ${describe(value)}`);
  return value;
}

/** The core's settings as plain data, read (and type-checked) here so no user getter runs inside wasm. */
function coreConfig(options) {
  const config = {};
  for (const key of Object.keys(options)) {
    if (!OPTIONS.has(key)) throw new TypeError(`unknown Connection option "${key}"`);
  }
  const size = (key, value) => { if (value !== undefined && value !== null) config[key === "maxPayload" ? "maxMessageSize" : key] = integer(value, key, 0, Number.MAX_SAFE_INTEGER); };
  const flag = (key, value) => { if (value !== undefined && value !== null) config[key] = boolean(value, key); };
  size("maxFrameSize", options.maxFrameSize);
  // maxPayload is `ws`'s name for the same limit: errors name the option the caller set
  if (options.maxMessageSize !== undefined && options.maxMessageSize !== null) size("maxMessageSize", options.maxMessageSize);
  else size("maxPayload", options.maxPayload);
  flag("autoPong", options.autoPong);
  flag("autoClose", options.autoClose);
  if (options.fragmentSize !== undefined && options.fragmentSize !== null) config.fragmentSize = integer(options.fragmentSize, "fragmentSize", 0, 2 ** 32 - 1);
  const deflate = options.deflate;
  if (deflate !== undefined && deflate !== null && deflate !== false) {
    if (typeof deflate !== "object") throw new TypeError(`deflate must be the negotiated parameters object, got ${describe(deflate)}`);
    const params = {};
    for (const key of Object.keys(deflate)) {
      if (!Object.hasOwn(DEFLATE_FIELDS, key)) throw new TypeError(`unknown deflate parameter "${key}" (known: ${Object.keys(DEFLATE_FIELDS).join(", ")})`);
    }
    for (const [key, type] of Object.entries(DEFLATE_FIELDS)) {
      const value = deflate[key];
      if (value === undefined || value === null) continue;
      params[key] = type === "boolean" ? boolean(value, `deflate.${key}`) : integer(value, `deflate.${key}`, 8, 15);
    }
    config.deflate = params;
  }
  if (options.deflateLevel !== undefined && options.deflateLevel !== null) config.deflateLevel = integer(options.deflateLevel, "deflateLevel", 0, 9);
  if (options.deflateThreshold !== undefined && options.deflateThreshold !== null) config.deflateThreshold = integer(options.deflateThreshold, "deflateThreshold", 0, 2 ** 32 - 1);
  flag("deferClose", options.deferClose);
  return config;
}

/** A handshake outcome's `handoff`, read into plain data here (no user getter runs inside wasm). */
function handoffOf(value, options) {
  if (value === null || typeof value !== "object") throw new TypeError(`handoff must be a handshake outcome's handoff, got ${describe(value)}`);
  for (const key of ["role", "deflate"]) {
    if (options[key] !== undefined) throw new TypeError(`${key} comes from the handoff: leave it out with handoff`);
  }
  const role = value.role;
  if (role !== "server" && role !== "client") throw new TypeError(`handoff.role must be "server" or "client", got ${String(role)}`);
  const deflate = value.deflate === undefined || value.deflate === null ? null : coreConfig({ deflate: value.deflate }).deflate;
  return { role, deflate, consumed: integer(value.consumed, "handoff.consumed", 0, Number.MAX_SAFE_INTEGER) };
}

function binaryTypeOf(value) {
  if (!BINARY_TYPES.includes(value)) throw new TypeError(`binaryType must be one of ${BINARY_TYPES.join(", ")}, got ${String(value)}`);
  if (value === "nodebuffer" && !NodeBuffer) throw new TypeError(`binaryType "nodebuffer" needs Node's Buffer`);
  return value;
}

export class Connection {
  #raw;
  #memory;
  #binaryType;
  #views;
  #textAsBytes;
  /**
   * `inPlace`: received chunks are ours to overwrite. A message that lies whole in one window is
   * written back unmasked where it came from and handed out as a view of the chunk (as `ws`
   * unmasks in the socket's buffers): no allocation per read. `#chunk` is the chunk of the
   * receive under way, `#chunkBase` what to add to a wasm pointer into its window to get an
   * index into it, `#windowStart`/`#windowEnd` the window's wasm pointers.
   */
  #inPlace;
  #masked;
  /** Payload bytes last written into the window for framing in place. */
  #windowLength = 0;
  #chunk = null;
  #chunkBase = 0;
  /** The buffer the payloads of one call are copied into (#events), and how far it is used. */
  #pool = null;
  #poolOffset = 0;
  #windowStart = 0;
  #windowEnd = 0;

  /** Parts of the message being received (copied out of wasm memory), and their size. */
  #parts = [];
  #partsLength = 0;
  /** Or the buffer of the message being received, at its announced size, and how far it is filled. */
  #message = null;
  #messageAt = 0;

  /**
   * Frame headers the core gave for header-only sends (`sendMessage`), by `length * 2 + binary`:
   * they depend only on the connection's settings and the length. `#ready`: the core said, in
   * its last answer, that such a header may be used again now (RawConnection.sendReady), and no
   * call into the connection came since; every call below that may change its state clears it.
   */
  #headers = null;
  #ready = false;
  /**
   * The core said, in its last answer (receive), that the connection is open with nothing to
   * write (RawConnection's `quiet`), and no call into the connection came since: `quiet`.
   */
  #quiet = false;
  /** The last kept header used, and its key (most senders repeat a size). */
  #lastKey = -1;
  #lastHeader = undefined;
  /** The core's `messageInProgress()` as of the last `sendFragment` (only sends change it). */
  #fragmenting = false;
  /** Whether incomplete frames are held (`views: true`, no permessage-deflate; see HELD_KEPT). */
  #holds = false;
  /** The bytes of the frame held, the first #heldLength of them arrived (null: none held). */
  #held = null;
  #heldLength = 0;
  #heldFrame = 0;

  /**
   * @param {import("./index.d.ts").ConnectionOptions} [options]
   */
  /**
   * @param {import("./index.d.ts").ConnectionOptions} [options]
   */
  constructor(options = {}) {
    if (options === null || typeof options !== "object") throw new TypeError(`Connection options must be an object, got ${describe(options)}`);
    const handoff = options.handoff === undefined ? undefined : handoffOf(options.handoff, options);
    const role = options.role ?? "server";
    if (role !== "server" && role !== "client") throw new TypeError(`role must be "server" or "client", got ${String(role)}`);
    const config = coreConfig(options);
    this.#binaryType = binaryTypeOf(options.binaryType ?? "uint8array");
    this.#views = options.views === undefined ? false : boolean(options.views, "views");
    this.#textAsBytes = options.textAsBytes === undefined ? false : boolean(options.textAsBytes, "textAsBytes");
    this.#inPlace = options.inPlace === undefined ? false : boolean(options.inPlace, "inPlace");
    if (!layoutRead) readLayout();
    const memory = wasmMemory();
    if (memory !== utf8CheckMemory) installUtf8Check(memory);
    this.#raw = handoff ? RawConnection.afterHandshake(handoff, config) : new RawConnection(role === "server", config);
    // A server receives masked frames (RFC 6455 §5.1): their payloads differ from the chunk's bytes.
    this.#masked = (handoff ? handoff.role : role) === "server";
    this.#memory = memory;
    this.#holds = this.#views && !this.#inPlace && !(handoff ? handoff.deflate : config.deflate);
  }

  /**
   * The connection an accepted opening handshake hands over to (RFC 6455 §4.1, §4.2.2; RFC 8441
   * §5), in one call into the core (`Handoff`): the role and the negotiated permessage-deflate
   * come from `outcome.handoff`, and `frames` are the bytes of `received` (the buffer the head
   * was read from, or whatever arrived after the head) that follow the head: give them to the
   * connection's first `receive()`. `options` are the Connection's, without `role` or `deflate`.
   * @param {{ handoff: import("./index.d.ts").Handoff | null }} outcome
   * @param {Uint8Array | ArrayBufferView | ArrayBuffer | null | undefined} received
   * @param {import("./index.d.ts").ConnectionOptions} [options]
   */
  static afterHandshake(outcome, received, options = {}) {
    if (outcome === null || typeof outcome !== "object") throw new TypeError(`outcome must be a handshake outcome, got ${describe(outcome)}`);
    if (options === null || typeof options !== "object") throw new TypeError(`Connection options must be an object, got ${describe(options)}`);
    const bytes = received === undefined || received === null ? EMPTY : bytesOf(received, "received");
    const handoff = outcome.handoff;
    if (handoff === null || handoff === undefined) throw new TypeError("outcome has no handoff: the handshake was not accepted");
    const connection = new Connection({ ...options, handoff });
    return { connection, frames: bytes.subarray(Math.min(handoff.consumed, bytes.byteLength)) };
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
    this.#ready = false;
    this.#quiet = false;
    this.#raw.releaseClose();
  }

  /**
   * True when nothing needs doing after the last `receive()`'s events are handled: the
   * connection is open with no output waiting, and nothing but `sendMessage` with a kept header
   * was called since (so `releaseClose()` would release nothing, `takeOutput()` would return
   * null, `canSend` is true and `shouldCloseTransport` false).
   */
  get quiet() {
    return this.#quiet;
  }

  /**
   * True while a message begun by `sendFragment` awaits its final part: a refused part leaves it
   * waiting (give it again), a part refused because the text is no longer UTF-8 gives it up.
   */
  get fragmenting() {
    return this.#fragmenting;
  }

  /** True once the transport should be closed by this side (RFC 6455 §7.1.1). */
  get shouldCloseTransport() {
    return this.#raw.shouldCloseTransport();
  }

  get binaryType() {
    return this.#binaryType;
  }

  set binaryType(value) {
    this.#binaryType = binaryTypeOf(value);
  }

  /**
   * Every event the chunk completes, in order. Auto-pongs and close replies are queued: write
   * `takeOutput()` after each call.
   * @param {Uint8Array | ArrayBufferView | ArrayBuffer} chunk
   */
  receive(chunk) {
    const bytes = bytesOf(chunk, "receive(chunk)");
    const len = bytes.byteLength;
    if (len === 0) return [];
    const raw = this.#raw;
    const out = [];
    this.#ready = false;
    this.#quiet = false;
    let result = 0;
    if (this.#holds) return this.#receiveHolding(bytes, out);
    if (this.#inPlace) this.#chunk = bytes;
    try {
      if (windowOf !== this.#memory) {
        windowPointer = raw.inputBuffer(WINDOW);
        windowOf = this.#memory;
      }
      const ptr = windowPointer;
      for (let offset = 0; offset < len; offset += WINDOW) {
        const n = Math.min(WINDOW, len - offset);
        if (offset > 0) this.#keepViews(out);
        viewsFor(this.#memory);
        u8.set(n === len ? bytes : bytes.subarray(offset, offset + n), ptr);
        this.#chunkBase = offset - ptr;
        this.#windowStart = ptr;
        this.#windowEnd = ptr + n;
        result = raw.receiveInput(n); // n ≤ WINDOW, the window's reserved size
        for (;;) {
          this.#events(result & COUNT, out);
          if (result & RELEASE) raw.release();
          if (!(result & MORE)) break;
          result = raw.resume();
        }
      }
    } finally {
      this.#chunk = null; // never kept past the call (nor seen by a later one) if it throws
    }
    this.#ready = (result & SEND_READY) !== 0;
    this.#quiet = (result & QUIET) !== 0;
    return out;
  }

  /**
   * `receive` that holds a frame the chunk leaves incomplete, up to WINDOW bytes (see
   * HELD_KEPT): the window gets the held bytes, then the chunk's.
   */
  #receiveHolding(bytes, out) {
    const raw = this.#raw;
    const len = bytes.byteLength;
    let result = 0;
    let offset = 0;
    while (offset < len) {
      if (offset > 0) this.#keepViews(out);
      const ptr = this.#window();
      let n = 0;
      const held = this.#held;
      if (held !== null) {
        const need = this.#heldFrame - this.#heldLength;
        if (len - offset < need) {
          // Still incomplete: kept, the core not asked.
          held.set(offset === 0 ? bytes : bytes.subarray(offset), this.#heldLength);
          this.#heldLength += len - offset;
          return out;
        }
        u8.set(held.subarray(0, this.#heldLength), ptr);
        n = this.#heldLength;
        this.#dropHeld();
      }
      const take = Math.min(WINDOW - n, len - offset);
      u8.set(take === len ? bytes : bytes.subarray(offset, offset + take), ptr + n);
      offset += take;
      n += take;
      result = raw.receiveWhole(n);
      this.#events(result & COUNT, out);
      if (result & RELEASE) raw.release();
      const left = raw.heldBytes();
      if (left === 0) continue;
      const frame = raw.heldFrameLen();
      if (frame <= WINDOW && (frame <= MESSAGE_AT_ONCE || left * ANNOUNCED_PER_RECEIVED >= frame)) {
        viewsFor(this.#memory);
        this.#held = heldBuffer(frame);
        this.#held.set(u8.subarray(ptr + n - left, ptr + n));
        this.#heldLength = left;
        this.#heldFrame = frame;
        continue;
      }
      // Larger than the window (or not enough of it arrived yet): the rest comes in parts.
      do {
        result = raw.resume();
        this.#events(result & COUNT, out);
        if (result & RELEASE) raw.release();
      } while (result & MORE);
    }
    this.#ready = (result & SEND_READY) !== 0;
    this.#quiet = (result & QUIET) !== 0;
    return out;
  }

  /**
   * `views: true`, before the window is written again within one `receive` (a chunk larger than
   * WINDOW, or a frame held after the chunk's first WINDOW bytes): the messages handed out as
   * views of it so far become copies, so every view stays valid until the next call.
   */
  #keepViews(out) {
    if (!this.#views) return;
    const memory = this.#memory.buffer;
    for (let i = 0; i < out.length; i++) {
      const data = out[i].data;
      if (typeof data === "object" && data !== null && data.buffer === memory) out[i].data = Uint8Array.prototype.slice.call(data);
    }
  }

  /** Forgets the held frame's bytes, keeping a WINDOW-sized buffer for reuse. */
  #dropHeld() {
    const held = this.#held;
    this.#held = null;
    this.#heldLength = 0;
    this.#heldFrame = 0;
    if (held !== null && held.length === WINDOW && heldKept.length < HELD_KEPT) heldKept.push(held);
  }

  /** The transport ended: a 1006 close event unless the closing handshake completed. */
  receiveEof() {
    this.#ready = false;
    this.#quiet = false;
    const out = [];
    this.#events(this.#raw.receiveEof() & COUNT, out);
    this.#dropMessage();
    this.#dropHeld();
    return out;
  }

  /** Bytes queued by the core (pongs, close replies, error closes); null when none. */
  takeOutput() {
    return this.#raw.outputLength() === 0 ? null : this.#copyOutput();
  }

  /** @param {string | Uint8Array} text */
  sendText(text) {
    this.#ready = false;
    this.#quiet = false;
    if (typeof text === "string") {
      if (text.length > WINDOW / 3) return join(this.#sendParts(encodeUtf8(text), false));
      if (text.length <= STRING_IN_WINDOW) {
        const start = this.#frameStringInWindow(text);
        if (start >= 0) return this.#copyFrame(start);
      }
      this.#raw.sendText(text);
    } else {
      const bytes = bytesOf(text, "sendText(text)");
      if (bytes.byteLength > WINDOW) return join(this.#sendParts(bytes, false));
      return this.#sendWhole(bytes, false);
    }
    return this.#copyOutput();
  }

  /**
   * A whole message as the chunks to write, in order. Where the payload goes on the wire
   * unchanged (server role, not compressed, not fragmented) it is returned as is, after its
   * header, and never copied; otherwise the core encodes it, in parts of at most 256 KiB for
   * large messages. Strings are text; bytes are binary unless `binary` is false (then they
   * must be UTF-8).
   * @param {string | Uint8Array | ArrayBufferView | ArrayBuffer} data
   * @param {boolean} [binary]
   * @returns {Uint8Array[]}
   */
  sendMessage(data, binary = typeof data !== "string") {
    if (typeof binary !== "boolean") throw new TypeError(`binary must be a boolean, got ${describe(binary)}`);
    if (!this.#masked) return this.#sendMasked(data, binary); // a client masks what it sends (RFC 6455 §5.3)
    const bytes = typeof data === "string" ? encodeUtf8(data) : bytesOf(data, "sendMessage(data)");
    if (this.#ready) {
      // A header the core gave for this length and type, while it says that still holds. It is
      // handed out as is (shared by the messages of that size: chunks are written, not changed).
      const key = bytes.byteLength * 2 + (binary ? 1 : 0);
      const kept = key === this.#lastKey ? this.#lastHeader : this.#headers?.get(key);
      if (kept !== undefined) {
        this.#lastKey = key;
        this.#lastHeader = kept;
        return [kept, bytes];
      }
    }
    return this.#sendMessageAsking(bytes, binary);
  }

  /** `sendMessage` when no kept header applies: the core frames the message (and maybe keeps a header). */
  #sendMessageAsking(bytes, binary) {
    const raw = this.#raw;
    const len = bytes.byteLength;
    const key = len * 2 + (binary ? 1 : 0);
    if (len <= 0xffff) {
      // One call: the core's header for a small message, as a number (0: the general path).
      const word = raw.sendHeaderWord(binary, len);
      if (word !== 0) {
        const n = (word / 4294967296) | 0;
        const header = bytesLike(n);
        for (let i = 0, w = word >>> 0; i < n; i++, w >>>= 8) header[i] = w & 0xff;
        this.#keepHeader(key, header);
        return [header, bytes];
      }
    }
    // With nothing waiting, a header-only send leaves exactly the header in the output: kept.
    const alone = len > 0xffff && (this.#ready || raw.outputLength() === 0);
    this.#ready = false;
    this.#quiet = false;
    if (raw.sendHeaderOnly(binary, len)) {
      const header = this.#copyOutput();
      if (alone) this.#keepHeader(key, header);
      return [header, bytes];
    }
    if (bytes.byteLength > WINDOW) return this.#sendParts(bytes, binary);
    return [this.#sendWhole(bytes, binary)]; // a string was encoded once, above
  }

  /**
   * `sendMessage` of a client: every frame it sends is masked (RFC 6455 §5.3), so its payload
   * never goes out as is and no header-only send is asked for. A message that fits the window
   * is written there (a string as UTF-8, encoded once), framed by the core in one call and
   * copied out once, as one chunk.
   */
  #sendMasked(data, binary) {
    this.#ready = false;
    this.#quiet = false;
    if (typeof data === "string") {
      if (data.length <= STRING_IN_WINDOW) {
        const start = this.#frameStringInWindow(data, binary);
        if (start >= 0) return [this.#copyFrame(start)];
      }
      data = encodeUtf8(data);
    }
    const bytes = bytesOf(data, "sendMessage(data)");
    if (bytes.byteLength > WINDOW) return this.#sendParts(bytes, binary);
    return [this.#sendWhole(bytes, binary)];
  }

  /** The input window's pointer, reserved at WINDOW bytes once per instance (see receive). */
  #window() {
    const memory = this.#memory;
    if (windowOf !== memory) {
      windowPointer = this.#raw.inputBuffer(WINDOW);
      windowOf = memory;
    }
    viewsFor(memory); // reserving may have grown memory
    return windowPointer;
  }

  /**
   * Has the core frame the `len` bytes written at HEADER_ROOM in the window where they lie: it
   * writes the header into the room before them and masks them in place (one call). Returns
   * where the frame starts in the window (it ends at HEADER_ROOM + len), or -1 when the message
   * must be framed another way (compressed, fragmented, or output waiting).
   */
  #frameInWindow(binary, len) {
    const start = this.#raw.frameInPlace(binary, len);
    // -2: refused, nothing written: sendInPlace says why (throws the core's typed error).
    return start === -2 ? this.#raw.sendInPlace(binary, len) : start;
  }

  /** A string of at most STRING_IN_WINDOW units, written into the window as UTF-8 and framed there (text unless `binary`). */
  #frameStringInWindow(text, binary = false) {
    const at = this.#window() + HEADER_ROOM;
    const len = writeUtf8(text, at, WINDOW - HEADER_ROOM);
    this.#windowLength = len;
    return this.#frameInWindow(binary, len);
  }

  /** The frame the core made in the window (from `start`, of the last #windowLength payload bytes), copied out. */
  #copyFrame(start) {
    viewsFor(this.#memory); // framing may have grown memory
    const from = windowPointer + start;
    const n = HEADER_ROOM + this.#windowLength - start;
    const frame = bytesLike(n);
    frame.set(scratchView(from, n)); // one view per size, not one per send
    return frame;
  }

  /**
   * A message of at most WINDOW bytes through the input window: the core frames it there
   * (masks, compresses; checks text is UTF-8) and it is copied out once, with any output
   * waiting before it.
   */
  #sendWhole(bytes, binary) {
    const raw = this.#raw;
    const len = bytes.byteLength;
    if (len + HEADER_ROOM <= WINDOW) {
      // Framed where it lies, so the frame is copied out once (-1: framed another way, below).
      const at = this.#window() + HEADER_ROOM; // before reading u8: it may make new views
      u8.set(bytes, at);
      this.#windowLength = len;
      const start = this.#frameInWindow(binary, len);
      if (start >= 0) return this.#copyFrame(start);
    }
    const ptr = raw.inputBuffer(len);
    new Uint8Array(this.#memory.buffer, ptr, len).set(bytes);
    const n = raw.sendFromInput(binary, len);
    const copy = bytesLike(n);
    copy.set(new Uint8Array(this.#memory.buffer, raw.outputPointer(), n));
    raw.clearOutput();
    return copy;
  }

  /**
   * After a header-only send that left the output empty (RawConnection.sendHeaderWord and
   * sendReady): the connection is ready, and `header`, which depends only on the connection's
   * settings and the key, may be used again while it stays so.
   */
  #keepHeader(key, header) {
    const headers = (this.#headers ??= new Map());
    if (headers.size >= HEADERS_KEPT) headers.clear();
    const kept = bytesLike(header.length);
    kept.set(header);
    headers.set(key, kept);
    this.#ready = true;
  }

  /** @param {Uint8Array | ArrayBufferView | ArrayBuffer} data */
  sendBinary(data) {
    this.#ready = false;
    this.#quiet = false;
    const bytes = bytesOf(data, "sendBinary(data)");
    if (bytes.byteLength > WINDOW) return join(this.#sendParts(bytes, true));
    return this.#sendWhole(bytes, true);
  }

  /**
   * One part of a message whose length is not known ahead (a fragmented message, RFC 6455
   * §5.4): the first part starts it (text, or binary when `binary`), the part with `fin` ends it;
   * each part goes out as frames of its own, so control frames and `sendFragment` calls may be
   * interleaved with other work (not with other data messages). Returns the chunks to write.
   * @param {string | Uint8Array | ArrayBufferView | ArrayBuffer} data
   * @param {boolean} binary
   * @param {boolean} fin
   * @returns {Uint8Array[]}
   */
  sendFragment(data, binary, fin) {
    if (typeof binary !== "boolean") throw new TypeError(`binary must be a boolean, got ${describe(binary)}`);
    if (typeof fin !== "boolean") throw new TypeError(`fin must be a boolean, got ${describe(fin)}`);
    this.#ready = false;
    this.#quiet = false;
    const bytes = typeof data === "string" ? encodeUtf8(data) : bytesOf(data, "sendFragment(data)");
    const raw = this.#raw;
    const len = bytes.byteLength;
    const begins = !this.#fragmenting;
    if (begins) raw.beginOpenMessage(binary, len);
    const chunks = [];
    try {
      let offset = 0;
      do {
        const n = Math.min(WINDOW, len - offset);
        const ptr = raw.inputBuffer(n); // may grow wasm memory: take the buffer after it
        new Uint8Array(this.#memory.buffer, ptr, n).set(bytes.subarray(offset, offset + n));
        offset += n;
        raw.sendPartFromInput(n, fin && offset === len);
        const out = this.#copyOutput();
        if (out.length > 0) chunks.push(out);
      } while (offset < len);
    } catch (err) {
      // A first part refused before any frame went out leaves no message begun; the core
      // gives up a message it cannot finish (text no longer UTF-8) by itself.
      if (begins) raw.cancelMessage();
      throw err;
    } finally {
      // The core's word, not a flag of ours: a refused later part leaves the message waiting,
      // a refusal that gives it up (text no longer UTF-8) or the final part ends it. (After a
      // trap the core cannot answer: the error on its way out is the one to see.)
      try {
        this.#fragmenting = raw.messageInProgress();
      } catch {
        this.#fragmenting = false;
      }
    }
    return chunks;
  }

  /**
   * Whether the data messages sent from now on may be compressed (the default, when
   * permessage-deflate was agreed) or go uncompressed whatever their size: each message chooses
   * (RFC 7692 §6). The headers kept for `sendMessage` were the core's for the old setting.
   * @param {boolean} on
   */
  setCompression(on) {
    if (typeof on !== "boolean") throw new TypeError(`setCompression(on) takes a boolean, got ${describe(on)}`);
    this.#ready = false;
    this.#quiet = false;
    this.#headers = null;
    this.#lastKey = -1;
    this.#lastHeader = undefined;
    this.#raw.setCompression(on);
  }

  /** @param {Uint8Array | ArrayBufferView | ArrayBuffer | string} [data] */
  ping(data) {
    this.#ready = false;
    this.#quiet = false;
    this.#raw.ping(controlPayload(data, "ping"));
    return this.#copyOutput();
  }

  /** @param {Uint8Array | ArrayBufferView | ArrayBuffer | string} [data] */
  pong(data) {
    this.#ready = false;
    this.#quiet = false;
    this.#raw.pong(controlPayload(data, "pong"));
    return this.#copyOutput();
  }

  /** Starts (or answers) the closing handshake. @param {number} [code] @param {string} [reason] */
  close(code, reason = "") {
    if (code !== undefined && code !== null && typeof code !== "number") throw new TypeError(`close code must be a number, got ${describe(code)}`);
    if (typeof reason !== "string") throw new TypeError(`close reason must be a string, got ${describe(reason)}`);
    this.#ready = false;
    this.#quiet = false;
    this.#raw.close(code ?? undefined, reason);
    return this.#copyOutput();
  }

  /** Frees the wasm side now instead of at garbage collection. */
  free() {
    this.#ready = false;
    this.#quiet = false;
    // Idempotent; any later call is a TypeError (not wasm-bindgen's "null pointer passed to rust").
    if (this.#raw !== FREED) this.#raw.free();
    this.#raw = FREED;
    this.#dropHeld();
  }

  /**
   * A large message through wasm memory in parts of at most WINDOW bytes (RFC 6455 §5.4): the
   * core frames (and compresses, masks) each part; returns the chunks to write, in order.
   */
  #sendParts(bytes, binary) {
    const raw = this.#raw;
    const len = bytes.byteLength;
    raw.beginMessage(binary, len);
    const chunks = [];
    try {
      const framed = this.#sendPartsInPlace(bytes, chunks);
      if (framed === len) return chunks;
      for (let offset = framed; offset < len; offset += WINDOW) {
        const n = Math.min(WINDOW, len - offset);
        const ptr = raw.inputBuffer(n); // may grow wasm memory: take the buffer after it
        new Uint8Array(this.#memory.buffer, ptr, n).set(bytes.subarray(offset, offset + n));
        raw.sendPartFromInput(n, offset + n === len);
        chunks.push(this.#copyOutput());
      }
    } catch (err) {
      raw.cancelMessage();
      throw err;
    }
    return chunks;
  }

  /**
   * The parts of a message begun with beginMessage, framed where they lie in the window (one
   * plain frame: the core writes its header before the first part and masks each in place) and
   * copied out into one buffer of the frame's size, pushed to `chunks`. Returns how many payload
   * bytes went (0 when the core frames the message another way: nothing was sent).
   */
  #sendPartsInPlace(bytes, chunks) {
    const raw = this.#raw;
    const len = bytes.byteLength;
    const size = WINDOW - HEADER_ROOM;
    let frame = null;
    let at = 0;
    let offset = 0;
    while (offset < len) {
      const n = Math.min(size, len - offset);
      const ptr = this.#window() + HEADER_ROOM;
      u8.set(bytes.subarray(offset, offset + n), ptr);
      const start = raw.sendPartInPlace(n, offset + n === len);
      if (start < 0) break; // the rest part by part through the output
      viewsFor(this.#memory); // framing may have grown memory
      frame ??= bytesLike(HEADER_ROOM - start + len);
      frame.set(u8.subarray(windowPointer + start, ptr + n), at);
      at += ptr + n - windowPointer - start;
      offset += n;
    }
    if (frame !== null) chunks.push(at === frame.length ? frame : frame.subarray(0, at));
    return offset;
  }

  /** The waiting output copied out of wasm memory; the core keeps its buffer for reuse. */
  #copyOutput() {
    const len = this.#raw.outputLength();
    const view = new Uint8Array(this.#memory.buffer, this.#raw.outputPointer(), len);
    const copy = bytesLike(len);
    copy.set(view);
    this.#raw.clearOutput();
    return copy;
  }

  /** Appends the events of the last call's `count` records to `out`. */
  #events(count, out) {
    if (count === 0) return;
    const first = this.#raw.records() >>> 2;
    viewsFor(this.#memory); // the call may have grown memory
    let words = u32;
    // Copied payloads of one call share one allocation (as `ws` shares socket chunks): one copy
    // out of wasm memory per message, one allocation per call. `arraybuffer` needs its own.
    // In place: payloads in the window go back into the chunk; a pool only for any others.
    const pooled = !this.#views && this.#binaryType !== "arraybuffer";
    this.#pool = null;
    this.#poolOffset = 0;
    if (pooled && this.#chunk === null) {
      let total = 0;
      for (let i = 0; i < count; i++) {
        const kind = words[first + i * WORDS];
        if (kind === KIND_BINARY || (kind === KIND_TEXT && this.#textAsBytes)) total += words[first + i * WORDS + 2];
      }
      this.#pool = this.#binaryType === "nodebuffer" ? NodeBuffer.allocUnsafe(total) : new Uint8Array(total);
    }
    for (let i = 0; i < count; i++) {
      const at = first + i * WORDS;
      const kind = words[at], ptr = words[at + 1], len = words[at + 2], extra = words[at + 3];
      const view = scratchView(ptr, len);
      switch (kind) {
        case KIND_TEXT:
          out.push({ type: "text", data: this.#textAsBytes ? this.#data(view, pooled) : decoder.decode(view) });
          break;
        case KIND_BINARY:
          out.push({ type: "binary", data: this.#data(view, pooled) });
          break;
        case KIND_PART_TEXT:
        case KIND_PART_BINARY: {
          if (kind === KIND_PART_TEXT && !this.#textAsBytes && extra === 1 && this.#parts.length === 0 && this.#message === null) {
            out.push({ type: "text", data: decoder.decode(view) });
            break;
          }
          const message = this.#part(view, extra === 1, words[at + 4]);
          if (message === null) break;
          if (kind === KIND_PART_BINARY) out.push({ type: "binary", data: shapeOwned(message, this.#binaryType) });
          else out.push({ type: "text", data: this.#textAsBytes ? shapeOwned(message, this.#binaryType) : decoder.decode(message) });
          break;
        }
        case KIND_PING:
          out.push({ type: "ping", data: view.slice() });
          break;
        case KIND_PONG:
          out.push({ type: "pong", data: view.slice() });
          break;
        case KIND_CLOSE:
          this.#dropMessage();
          out.push({ type: "close", code: extra & 0xffff, reason: decoder.decode(view), wasClean: (extra >>> 16) === 1 });
          break;
        case KIND_ERROR:
          this.#dropMessage();
          out.push({ type: "error", error: this.#raw.error(extra) });
          viewsFor(this.#memory); // making the error may have grown memory
          words = u32;
          break;
        default:
          throw new Error(`ws101: unknown event kind ${kind}`);
      }
    }
    this.#pool = null;
  }

  /** A whole message's payload (a view of wasm memory) as the caller gets it. */
  #data(view, pooled) {
    // Views are handed out: a view of its own, not the scratch one.
    if (!pooled) return shape(this.#views ? u8.subarray(view.byteOffset, view.byteOffset + view.length) : view, this.#binaryType, this.#views);
    const chunk = this.#chunk;
    if (chunk !== null) {
      const ptr = view.byteOffset;
      if (ptr < this.#windowStart || ptr + view.length > this.#windowEnd) return shape(view, this.#binaryType, false);
      const at = this.#chunkBase + ptr;
      if (this.#masked) chunk.set(view, at);
      return this.#binaryType === "nodebuffer" ? NodeBuffer.from(chunk.buffer, chunk.byteOffset + at, view.length) : chunk.subarray(at, at + view.length);
    }
    const pool = this.#pool;
    const offset = this.#poolOffset;
    this.#poolOffset = offset + view.length;
    if (offset === 0 && view.length === pool.length) {
      pool.set(view);
      return pool;
    }
    const copy = pool.subarray(offset, offset + view.length);
    copy.set(view);
    return copy;
  }

  /**
   * Copies one part out of wasm memory: into the message's own buffer when the core announced
   * its `size` (0: not known) and enough of it arrived, else as a part of its own. Returns the
   * whole message after the last part, else null.
   */
  #part(view, fin, size) {
    if (this.#message === null && size > 0) {
      const received = this.#partsLength + view.length;
      if (size <= MESSAGE_AT_ONCE || received * ANNOUNCED_PER_RECEIVED >= size) {
        // The parts so far move into the message's buffer; the rest is copied there directly.
        const message = bytesLike(size);
        let at = 0;
        for (const part of this.#parts) {
          message.set(part, at);
          at += part.length;
        }
        this.#parts = [];
        this.#partsLength = 0;
        this.#message = message;
        this.#messageAt = at;
      }
    }
    if (this.#message !== null) {
      const message = this.#message;
      const at = this.#messageAt;
      message.set(view, at); // a RangeError, never a silent overrun, past the announced size
      this.#messageAt = at + view.length;
      if (!fin) return null;
      this.#message = null;
      this.#messageAt = 0;
      // Exactly the announced bytes arrived (the core's word); never hand out unwritten memory.
      return at + view.length === message.length ? message : message.subarray(0, at + view.length);
    }
    const copy = bytesLike(view.length);
    copy.set(view);
    if (fin && this.#parts.length === 0) return copy;
    if (copy.length > 0) {
      this.#parts.push(copy);
      this.#partsLength += copy.length;
    }
    if (!fin) return null;
    const joined = join(this.#parts, this.#partsLength);
    this.#parts = [];
    this.#partsLength = 0;
    return joined;
  }

  /** Forgets the message being received (the connection closed or failed). */
  #dropMessage() {
    this.#parts = [];
    this.#partsLength = 0;
    this.#message = null;
    this.#messageAt = 0;
  }
}

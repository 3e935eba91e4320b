// Reading a WebSocket's TCP socket into one buffer shared by every socket of the process, the way
// `new net.Socket({ onread })` reads (Node's documented option, applied here to a socket that
// already exists: an upgraded or connected one). Node otherwise allocates a buffer of up to
// 64 KiB for every read, wraps it, pushes it through the Readable stream and emits `data`; that
// allocation and its garbage were a large share of an echo's cost. Each read is handed to the
// callback synchronously and is consumed before it returns (the connection copies it into wasm
// memory at once), so one buffer serves every socket: reads only happen between callbacks.
//
// It leans on net.Socket internals (the onread option's symbols and the handle's useUserBuffer,
// present from Node 12 to 26): every one is checked, and any socket they do not fit (TLS,
// HTTP/2 streams, a wrapped duplex, data already buffered, other runtimes) keeps `data` events.
// WS101_SOCKET_READS=data turns it off.
import { builtin } from "./node-http.mjs";
const { Buffer } = builtin("node:buffer"); // not an ES import: see node-http.mjs

/**
 * Bytes one read may bring: Node's own read size. 256 KiB (the core's receive window) cost as
 * much for 1 MiB and 16 MiB echoes and more at 16 KiB (the buffers an echo touches outgrew the
 * cache).
 */
const READ_BUFFER_SIZE = 64 * 1024;
let shared = null;
/** The last read's bytes as a view of the buffer (reads of one size, as in most traffic, reuse it). */
let lastLength = -1;
let lastView = null;
function readView(buffer, length) {
  lastView = new Uint8Array(buffer.buffer, buffer.byteOffset, length);
  lastLength = length;
  return lastView;
}
const off = globalThis.process?.env?.WS101_SOCKET_READS === "data";

/** The onread symbols of a net.Socket (own properties its constructor sets to null), or null. */
function onreadSymbols(socket) {
  let kBuffer, kBufferCb, kBufferGen;
  for (const s of Object.getOwnPropertySymbols(socket)) {
    if (s.description === "kBuffer") kBuffer = s;
    else if (s.description === "kBufferCb") kBufferCb = s;
    else if (s.description === "kBufferGen") kBufferGen = s;
  }
  if (!kBuffer || !kBufferCb || !kBufferGen) return null;
  if (socket[kBuffer] !== null || socket[kBufferCb] !== null || socket[kBufferGen] !== null) return null;
  return { kBuffer, kBufferCb };
}

/**
 * Makes `socket` deliver its reads as `onRead(bytes, length)` (a Uint8Array of `length` bytes,
 * valid during the call only) instead of `data` events. Returns false, and
 * changes nothing, when the socket does not allow it.
 * @param {import("node:net").Socket} socket
 * @param {(buffer: Buffer, length: number) => void} onRead
 */
export function readIntoSharedBuffer(socket, onRead) {
  if (off || !socket || socket.encrypted || socket.destroyed || socket.readableLength > 0) return false;
  // Someone else reads this socket too (a byte counter, a tap): its `data` events stay.
  if (socket.listenerCount("data") > 0 || socket.listenerCount("readable") > 0) return false;
  const handle = socket._handle;
  const kind = handle?.constructor?.name;
  if ((kind !== "TCP" && kind !== "Pipe") || typeof handle.useUserBuffer !== "function") return false;
  const symbols = onreadSymbols(socket);
  if (!symbols) return false;
  shared ??= Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
  socket[symbols.kBufferCb] = (length, buffer) => {
    // A `data` listener added later still gets each read, as its own copy.
    if (socket.listenerCount("data") > 0) socket.emit("data", Buffer.from(buffer.subarray(0, length)));
    onRead(length === lastLength ? lastView : readView(buffer, length), length);
  };
  socket[symbols.kBuffer] = shared;
  handle.useUserBuffer(shared);
  return true;
}

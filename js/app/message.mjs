// A received WebSocket message (RFC 6455 §5.6): text or binary, kept apart. `data` is what came
// off the wire (a string for text, a Uint8Array for binary); the accessors convert on demand.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Message {
  #data;
  #binary;
  /** @param {string | Uint8Array} data @param {boolean} binary */
  constructor(data, binary) {
    this.#data = data;
    this.#binary = binary;
  }
  /** "text" (opcode 0x1) or "binary" (opcode 0x2). */
  get type() { return this.#binary ? "binary" : "text"; }
  get binary() { return this.#binary; }
  /** A string for text, a Uint8Array for binary. */
  get data() { return this.#data; }
  /** The payload as text (binary payloads decoded as UTF-8, invalid bytes replaced). */
  text() { return typeof this.#data === "string" ? this.#data : decoder.decode(this.#data); }
  /** The payload as bytes (text encoded as UTF-8). */
  bytes() { return typeof this.#data === "string" ? encoder.encode(this.#data) : this.#data; }
  arrayBuffer() {
    const bytes = this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }
  json() { return JSON.parse(this.text()); }
  toString() { return this.text(); }
}

/** Bytes from any binary payload a runtime hands over (ArrayBuffer, Buffer, typed array, DataView). */
export function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return concat(data.map(toBytes)); // ws's "fragments" binaryType
  throw new TypeError(`not a binary payload: ${Object.prototype.toString.call(data)}`);
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * What `send`/`publish` accept, as { data, binary }: a string is a text message, bytes
 * (ArrayBuffer or a view) a binary one, a Message keeps its type. Anything else is a TypeError.
 */
export function outgoing(data) {
  if (typeof data === "string") return { data, binary: false };
  if (data instanceof Message) return { data: data.data, binary: data.binary };
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return { data: toBytes(data), binary: true };
  throw new TypeError(`a message is a string (text), an ArrayBuffer or a view (binary), or a Message; got ${data === null ? "null" : typeof data}`);
}

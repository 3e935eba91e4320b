// The broker interface: how topics cross processes. A broker carries opaque frames per topic:
//   publish(topic, frame: Uint8Array) · subscribe(topic, onFrame(frame: Uint8Array)) · unsubscribe(topic)
// (each may return a Promise). ws101 puts the message type and the publishing process in the
// frame, so any byte-safe pub/sub (Redis, NATS, Postgres LISTEN with base64, …) can implement it.
// Frame: 1 byte (0 text, 1 binary) · 16 bytes origin · payload (UTF-8 for text).
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const ORIGIN = 16;

/** A random process identity (hex of 16 bytes). */
export function originId() {
  return [...crypto.getRandomValues(new Uint8Array(ORIGIN))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function encodeFrame(origin, data, binary) {
  const payload = binary ? data : encoder.encode(data);
  const frame = new Uint8Array(1 + ORIGIN + payload.byteLength);
  frame[0] = binary ? 1 : 0;
  for (let i = 0; i < ORIGIN; i++) frame[1 + i] = parseInt(origin.slice(2 * i, 2 * i + 2), 16);
  frame.set(payload, 1 + ORIGIN);
  return frame;
}

export function decodeFrame(frame) {
  if (!(frame instanceof Uint8Array) || frame.byteLength < 1 + ORIGIN || frame[0] > 1) {
    throw new TypeError(`broker frame: expected a type byte (0 or 1) and a ${ORIGIN}-byte origin`);
  }
  const origin = [...frame.subarray(1, 1 + ORIGIN)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const payload = frame.subarray(1 + ORIGIN);
  const binary = frame[0] === 1;
  // a text message stays valid UTF-8 end to end (RFC 6455 §8.1): a broken frame is refused, not sent on
  return { origin, binary, data: binary ? payload.slice() : decoder.decode(payload) };
}

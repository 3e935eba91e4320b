// One connected WebSocket as the app's hooks see it, the same on every runtime. The runtime
// adapter supplies a `link` that does the work:
//   send(data, binary) · close(code, reason) (both undefined: no code) · terminate() · bufferedAmount() ·
//   subscribe(topic) · unsubscribe(topic) · publish(topic, data, binary, excludeSelf) · topics()
//   and saveContext() (Durable Objects persist `context` in the socket's attachment).
import { outgoing } from "./message.mjs";

/** A topic name: a non-empty string (Durable Object tags allow up to 256 characters). */
export function checkTopic(topic) {
  if (typeof topic !== "string" || topic.length === 0 || topic.length > 256) {
    throw new TypeError("a topic is a string of 1 to 256 characters");
  }
  return topic;
}

/** RFC 6455 §7.4: a close code an endpoint may send (1000, 3000-4999, or the registered 1001-1014 that may be sent). */
export function checkCloseCode(code) {
  if (code === undefined) return;
  const sendable = code === 1000 || code === 1001 || code === 1002 || code === 1003 || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  if (!Number.isInteger(code) || !sendable) throw new TypeError(`close code ${code} may not be sent (RFC 6455 §7.4.1, §7.4.2)`);
}

export class Peer {
  #link;
  /**
   * @param {object} init
   * @param {string} init.id
   * @param {Request | {url: string, method: string, headers: Headers}} init.request
   * @param {string} init.protocol  the chosen subprotocol, "" for none
   * @param {string} init.extensions  the agreed Sec-WebSocket-Extensions value, "" for none
   * @param {string | null} init.remoteAddress
   * @param {unknown} init.context
   * @param {object} link  the runtime's operations (see the top of this file)
   */
  constructor({ id, request, protocol, extensions, remoteAddress, context }, link) {
    this.id = id;
    this.request = request;
    this.protocol = protocol ?? "";
    this.extensions = extensions ?? "";
    this.remoteAddress = remoteAddress ?? null;
    this.context = context ?? {};
    this.#link = link;
  }
  /** Bytes queued but not yet handed to the network (0 where the runtime cannot tell). */
  get bufferedAmount() { return this.#link.bufferedAmount(); }
  /** The topics this peer is subscribed to. */
  get topics() { return new Set(this.#link.topics()); }
  /** Sends a text (string) or binary (bytes) message. */
  send(data) {
    const { data: payload, binary } = outgoing(data);
    return this.#link.send(payload, binary);
  }
  /** Starts the closing handshake (RFC 6455 §7.1.2); no code: a Close without a body (the peer sees 1005). */
  close(code, reason) {
    checkCloseCode(code);
    if (code === undefined) {
      if (reason !== undefined) throw new TypeError("a close reason needs a close code (RFC 6455 §5.5.1: the reason follows the code)");
      this.#link.close(undefined, undefined);
      return;
    }
    reason ??= "";
    if (typeof reason !== "string") throw new TypeError("a close reason is a string");
    if (new TextEncoder().encode(reason).byteLength > 123) throw new TypeError("a close reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5)");
    this.#link.close(code, reason);
  }
  /** Drops the connection without a closing handshake. */
  terminate() { this.#link.terminate(); }
  subscribe(topic) { this.#link.subscribe(checkTopic(topic)); }
  unsubscribe(topic) { this.#link.unsubscribe(checkTopic(topic)); }
  /** Sends to every subscriber of `topic`, this peer included unless `excludeSelf`. */
  publish(topic, data, { excludeSelf = false } = {}) {
    checkTopic(topic);
    const { data: payload, binary } = outgoing(data);
    this.#link.publish(topic, payload, binary, Boolean(excludeSelf));
  }
  toString() { return `Peer(${this.id})`; }
}

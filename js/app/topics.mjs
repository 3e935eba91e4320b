// Publish/subscribe inside one process (Node, Deno): topic → its subscribers, delivered in the
// order published. With a broker (see broker.mjs), a topic's messages also travel to and from
// other processes: the first local subscriber subscribes this process, the last one leaving
// unsubscribes it, and messages this process published are not delivered twice.
import { decodeFrame, encodeFrame, originId } from "./broker.mjs";

export class Topics {
  #members = new Map(); // topic → Set of { deliver(data, binary) }
  #topicsOf = new WeakMap(); // member → Set of topics
  #broker;
  #origin = originId();
  #onError;

  /** @param {{ broker?: import("./broker.mjs").Broker, onError?: (error: unknown) => void }} [options] */
  constructor({ broker, onError } = {}) {
    this.#broker = broker;
    this.#onError = onError ?? (() => {});
  }

  subscribe(member, topic) {
    let set = this.#members.get(topic);
    if (!set) {
      set = new Set();
      this.#members.set(topic, set);
      if (this.#broker) this.#await(this.#broker.subscribe(topic, (frame) => this.#fromBroker(topic, frame)));
    }
    set.add(member);
    if (!this.#topicsOf.has(member)) this.#topicsOf.set(member, new Set());
    this.#topicsOf.get(member).add(topic);
  }

  unsubscribe(member, topic) {
    this.#topicsOf.get(member)?.delete(topic);
    const set = this.#members.get(topic);
    if (!set?.delete(member) || set.size > 0) return;
    this.#members.delete(topic);
    if (this.#broker) this.#await(this.#broker.unsubscribe(topic));
  }

  /** Every topic `member` is in. */
  topicsOf(member) {
    return [...(this.#topicsOf.get(member) ?? [])];
  }

  unsubscribeAll(member) {
    for (const topic of this.topicsOf(member)) this.unsubscribe(member, topic);
  }

  /** Delivers here (except to `except`) and, with a broker, to the other processes. */
  publish(topic, data, binary, except) {
    this.#deliver(topic, data, binary, except);
    if (this.#broker) this.#await(this.#broker.publish(topic, encodeFrame(this.#origin, data, binary)));
  }

  #deliver(topic, data, binary, except) {
    const set = this.#members.get(topic);
    if (!set) return;
    for (const member of [...set]) {
      if (member === except) continue;
      try {
        member.deliver(data, binary);
      } catch (error) {
        this.#onError(error); // one failing subscriber does not starve the others
      }
    }
  }

  #fromBroker(topic, frame) {
    let message;
    try {
      message = decodeFrame(frame);
    } catch (error) {
      this.#onError(error);
      return;
    }
    if (message.origin !== this.#origin) this.#deliver(topic, message.data, message.binary);
  }

  #await(result) {
    if (result && typeof result.then === "function") result.then(undefined, this.#onError);
  }
}

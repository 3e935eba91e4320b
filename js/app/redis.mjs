// A Redis pub/sub broker for ws101 apps on Node: topics cross processes and machines.
//   import { createClient } from "redis";
//   const publisher = createClient({ url }); const subscriber = publisher.duplicate();
//   await Promise.all([publisher.connect(), subscriber.connect()]);
//   nodeAdapter(app, { broker: redisBroker({ publisher, subscriber }) });
// Redis needs two connections: one in subscriber mode (RESP2 allows only (P)SUBSCRIBE there).
// Channels are `prefix + topic`; frames are binary (node-redis buffer mode).
export function redisBroker({ publisher, subscriber, prefix = "ws101:" } = {}) {
  for (const [name, client] of [["publisher", publisher], ["subscriber", subscriber]]) {
    if (!client || typeof client.publish !== "function" || typeof client.subscribe !== "function") {
      throw new TypeError(`redisBroker: ${name} must be a connected node-redis client`);
    }
  }
  if (publisher === subscriber) throw new TypeError("redisBroker: publisher and subscriber must be two connections (a subscribed connection cannot publish)");
  if (typeof prefix !== "string") throw new TypeError("redisBroker: prefix is a string");
  const toBuffer = (frame) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  return {
    publish: (topic, frame) => publisher.publish(prefix + topic, toBuffer(frame)),
    subscribe: (topic, onFrame) => subscriber.subscribe(prefix + topic, (message) => onFrame(new Uint8Array(message)), true),
    unsubscribe: (topic) => subscriber.unsubscribe(prefix + topic),
  };
}

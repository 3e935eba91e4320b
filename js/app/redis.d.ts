import type { Broker } from "./app.js";

/** The parts of a node-redis (v4-v6) client the broker uses. */
export interface RedisPubSubClient {
  publish(channel: string, message: Buffer): Promise<unknown>;
  subscribe(channel: string, listener: (message: Buffer, channel: Buffer) => void, bufferMode: true): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
}

/** Topics across processes through Redis pub/sub: two connected clients (one becomes a subscriber). */
export declare function redisBroker(options: { publisher: RedisPubSubClient; subscriber: RedisPubSubClient; prefix?: string }): Broker;

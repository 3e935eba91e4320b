import type { App, Broker, Data } from "./app.js";

/**
 * `Deno.serve(denoAdapter(app).fetch)`; topics are in-process unless a broker is given.
 * `backpressureLimit` (bytes, default 16 MiB as Bun's): a send or publish to a peer whose
 * `bufferedAmount` is above it is dropped (`peer.send` returns 0).
 */
export declare function denoAdapter(app: App<any>, options?: { broker?: Broker; idleTimeout?: number; backpressureLimit?: number }): {
  fetch(request: Request, info?: { remoteAddr?: { hostname?: string } }): Promise<Response>;
  publish(topic: string, data: Data): void;
  close(): void;
};

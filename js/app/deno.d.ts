import type { App, Broker, Data } from "./app.js";

/** `Deno.serve(denoAdapter(app).fetch)`; topics are in-process unless a broker is given. */
export declare function denoAdapter(app: App<any>, options?: { broker?: Broker; idleTimeout?: number }): {
  fetch(request: Request, info?: { remoteAddr?: { hostname?: string } }): Promise<Response>;
  publish(topic: string, data: Data): void;
  close(): void;
};

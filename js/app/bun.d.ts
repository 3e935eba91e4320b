import type { App, Data } from "./app.js";

/** Spread into `Bun.serve({ ...bunAdapter(app) })`: `fetch` upgrades, `websocket` runs the hooks. */
export declare function bunAdapter(app: App<any>): {
  fetch(request: Request, server: { upgrade(request: Request, options?: { headers?: HeadersInit; data?: unknown }): boolean; publish(topic: string, data: string | ArrayBufferView | ArrayBuffer): number }): Promise<Response | undefined>;
  websocket: {
    open(ws: any): void;
    message(ws: any, message: string | Uint8Array): void;
    close(ws: any, code: number, reason: string): void;
    drain(ws: any): void;
  };
  publish(topic: string, data: Data): void;
  close(): void;
};

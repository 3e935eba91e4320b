import type { App, Data } from "./app.js";

/** A Durable Object namespace binding (the part ws101 uses). */
export interface RoomNamespace {
  idFromName(name: string): unknown;
  get(id: any): { fetch(request: Request): Promise<Response>; publish(topic: string, data: Data): Promise<void> | void };
}

/**
 * The Durable Object class running `app` for one room with the WebSocket Hibernation API;
 * export it under the class name your durable_objects binding names.
 * `autoResponse` is answered by the runtime without waking the object (setWebSocketAutoResponse).
 */
export declare function durableRoom(app: App<any>, options?: { autoResponse?: { request: string; response: string } }): {
  new (ctx: any, env: any): {
    fetch(request: Request): Promise<Response>;
    webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void>;
    webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void>;
    webSocketError(ws: WebSocket, error: unknown): Promise<void>;
    /** RPC: to every subscriber of `topic` in this room. */
    publish(topic: string, data: Data): void;
  };
};

/** The object that holds room `name`. */
export declare function roomStub(namespace: RoomNamespace, name: string): ReturnType<RoomNamespace["get"]>;
/** From outside any peer (the Worker, a cron, a queue): publish in room `name`. */
export declare function publishTo(namespace: RoomNamespace, name: string, topic: string, data: Data): Promise<void> | void;
/** The Worker's default export: each request goes to the object of `room(url, request)` (null: 404). */
export declare function workersAdapter(options: { binding: string; room: (url: URL, request: Request) => string | null | undefined }): {
  fetch(request: Request, env: Record<string, unknown>): Promise<Response> | Response;
};

// The WHATWG EventTarget face of a WebSocket (addEventListener, onopen, …) with the event shapes
// browsers and `ws` give: Event, MessageEvent, CloseEvent, ErrorEvent (read-only accessors).

export const kTarget = Symbol("ws101.target");

export class Event {
  #type;
  constructor(type) {
    this.#type = String(type);
    this[kTarget] = null;
  }
  get type() { return this.#type; }
  get target() { return this[kTarget]; }
}

export class MessageEvent extends Event {
  #data;
  constructor(type, options = {}) {
    super(type);
    this.#data = options?.data === undefined ? null : options.data;
  }
  get data() { return this.#data; }
}

export class CloseEvent extends Event {
  #code; #reason; #wasClean;
  constructor(type, options = {}) {
    super(type);
    this.#code = options?.code === undefined ? 0 : options.code;
    this.#reason = options?.reason === undefined ? "" : options.reason;
    this.#wasClean = options?.wasClean === undefined ? false : options.wasClean;
  }
  get code() { return this.#code; }
  get reason() { return this.#reason; }
  get wasClean() { return this.#wasClean; }
}

export class ErrorEvent extends Event {
  #error; #message;
  constructor(type, options = {}) {
    super(type);
    this.#error = options?.error === undefined ? null : options.error;
    this.#message = options?.message === undefined ? "" : options.message;
  }
  get error() { return this.#error; }
  get message() { return this.#message; }
}

// WebIDL attributes are enumerable accessors on the prototype.
for (const [C, names] of [[Event, ["type", "target"]], [MessageEvent, ["data"]], [CloseEvent, ["code", "reason", "wasClean"]], [ErrorEvent, ["error", "message"]]]) {
  for (const name of names) Object.defineProperty(C.prototype, name, { ...Object.getOwnPropertyDescriptor(C.prototype, name), enumerable: true });
}

/** Marks the EventEmitter listeners that stand for an EventTarget listener (and which one). */
export const kHandler = Symbol("ws101.handler");
export const kAttribute = Symbol("ws101.attribute");

/** Builds the DOM event for one EventEmitter event of a WebSocket. */
export const domEvent = {
  open: () => new Event("open"),
  message: (data, isBinary) => new MessageEvent("message", { data: isBinary ? data : Buffer.isBuffer(data) || ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString() : String(data) }),
  close: (code, reason, wasClean) => new CloseEvent("close", { code, reason: Buffer.isBuffer(reason) ? reason.toString() : String(reason ?? ""), wasClean }),
  error: (error) => new ErrorEvent("error", { error, message: error?.message ?? "" }),
};

export function callHandler(handler, thisArg, event) {
  if (typeof handler === "object" && handler !== null && typeof handler.handleEvent === "function") handler.handleEvent.call(handler, event);
  else handler.call(thisArg, event);
}

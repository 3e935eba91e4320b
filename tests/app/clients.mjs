// Client helpers for the app tests: the `ws` client with a message queue, raw upgrade heads.
import net from "node:net";
import WebSocket from "ws";

/** A `ws` client; `next()` resolves with the next message { data, isBinary } in arrival order. */
export async function client(url, protocols = []) {
  const ws = new WebSocket(url, protocols);
  const queue = [];
  const waiting = [];
  ws.on("message", (data, isBinary) => {
    const message = { data: isBinary ? Buffer.from(data) : data.toString(), isBinary };
    if (waiting.length) waiting.shift()(message);
    else queue.push(message);
  });
  ws.closed = new Promise((resolve) => ws.addEventListener("close", ({ code, reason, wasClean }) => resolve({ code, reason, wasClean })));
  ws.next = () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve)));
  /** The next message that is not a report of another peer's close. */
  ws.nextOwn = async () => {
    for (;;) {
      const message = await ws.next();
      if (message.isBinary || !message.data.startsWith('{"closed"')) return message;
    }
  };
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return ws;
}

/** Sends an upgrade request and returns the response head (status line and fields, no body). */
export function rawUpgrade(port, path, extra = "") {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`));
    let text = "";
    socket.on("data", (d) => {
      text += d.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        socket.destroy();
        resolve(text.slice(0, end + 2));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
  });
}

/** Every value of field `name` in a response head. */
export function fieldValues(head, name) {
  return [...head.matchAll(new RegExp(`\\r\\n${name}:[ \\t]*([^\\r]*)(?=\\r\\n)`, "gi"))].map((m) => m[1]);
}

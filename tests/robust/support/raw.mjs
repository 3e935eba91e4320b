// Raw WebSocket peers over node:net, independent of the code under test: a client that does the
// opening handshake by hand and writes masked frames built here (so an attack is exactly the bytes
// we say), a reader for the server's unmasked frames that can count gigabytes without keeping them,
// and a raw server for client-side cases.
import crypto from "node:crypto";
import net from "node:net";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
export const OP = { CONT: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 };

export const acceptKeyOf = (key) => crypto.createHash("sha1").update(key + GUID).digest("base64");

/** XOR `data` with `key` (4 bytes) into a new Buffer, a word at a time. */
export function mask(data, key) {
  const out = Buffer.allocUnsafe(data.length);
  const words = data.length >>> 2;
  if (words > 0 && data.byteOffset % 4 === 0) {
    const k = key.readUInt32LE(0);
    const src = new Uint32Array(data.buffer, data.byteOffset, words);
    const dst = new Uint32Array(out.buffer, out.byteOffset, words);
    for (let i = 0; i < words; i++) dst[i] = src[i] ^ k;
  } else {
    for (let i = 0; i < words * 4; i++) out[i] = data[i] ^ key[i & 3];
  }
  for (let i = words * 4; i < data.length; i++) out[i] = data[i] ^ key[i & 3];
  return out;
}

/**
 * One frame as bytes. Client frames are masked (default); `maskKey` defaults to random.
 * `length` overrides the announced payload length (to announce more than is sent).
 */
export function frame(opcode, payload = Buffer.alloc(0), { fin = true, rsv1 = false, masked = true, maskKey, length } = {}) {
  if (typeof payload === "string") payload = Buffer.from(payload);
  const len = length ?? payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (masked ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  head[1] = (masked ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!masked) return Buffer.concat([head, payload]);
  const key = maskKey ?? crypto.randomBytes(4);
  key.copy(head, 2 + ext);
  return Buffer.concat([head, mask(payload, key)]);
}

/** A Close frame's payload: code (2 bytes) + reason. */
export function closePayload(code, reason = "") {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  if (reason) b.write(reason, 2);
  return b;
}

/**
 * Incremental parser of a server's frames. Calls `onFrame({ fin, rsv1, opcode, length, payload })`
 * for every complete frame; `payload` is kept only up to `keep` bytes per frame (counting is free).
 */
export class FrameReader {
  constructor(onFrame, { keep = 1 << 20 } = {}) {
    this.onFrame = onFrame;
    this.keep = keep;
    this.pending = Buffer.alloc(0); // an incomplete header
    this.current = null; // the frame whose payload is arriving
    this.bytes = 0;
  }

  push(chunk) {
    this.bytes += chunk.length;
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length > 0) {
      if (this.current) {
        const f = this.current;
        const take = Math.min(f.remaining, buf.length);
        const limit = f.opcode >= 8 ? 125 : this.keep; // control frames are always kept
        if (f.kept < limit) {
          const part = buf.subarray(0, Math.min(take, limit - f.kept));
          f.parts.push(Buffer.from(part));
          f.kept += part.length;
        }
        f.remaining -= take;
        buf = buf.subarray(take);
        if (f.remaining === 0) this.#complete();
        continue;
      }
      if (buf.length < 2) break;
      const b1 = buf[1] & 0x7f;
      const ext = b1 < 126 ? 0 : b1 === 126 ? 2 : 8;
      const maskLen = buf[1] & 0x80 ? 4 : 0;
      if (buf.length < 2 + ext + maskLen) break;
      const length = ext === 0 ? b1 : ext === 2 ? buf.readUInt16BE(2) : Number(buf.readBigUInt64BE(2));
      this.current = { fin: !!(buf[0] & 0x80), rsv1: !!(buf[0] & 0x40), opcode: buf[0] & 0x0f, length, remaining: length, parts: [], kept: 0 };
      buf = buf.subarray(2 + ext + maskLen);
      if (length === 0) this.#complete();
    }
    if (buf.length > 0) this.pending = Buffer.from(buf);
  }

  #complete() {
    const f = this.current;
    this.current = null;
    this.onFrame({ fin: f.fin, rsv1: f.rsv1, opcode: f.opcode, length: f.length, payload: Buffer.concat(f.parts) });
  }
}

const randomKey = () => crypto.randomBytes(16).toString("base64");

/**
 * Opens a TCP connection and does the opening handshake by hand.
 * Resolves `{ socket, status, head, extensions, deflate, rest }` for any response (101 or not);
 * rejects on a socket error or after `timeoutMs`. After a 101 the socket is paused-free: attach
 * your own 'data' listener (see `RawClient`). `rest` is what followed the head in the same read.
 */
export function handshake(port, { path = "/", deflate = false, protocols, extraHeaders = "", requestLine, timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    const key = randomKey();
    const lines = [
      requestLine ?? `GET ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
    ];
    if (deflate) lines.push("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits");
    if (protocols) lines.push(`Sec-WebSocket-Protocol: ${protocols.join(", ")}`);
    socket.write(lines.join("\r\n") + "\r\n" + extraHeaders + "\r\n");
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`no handshake response within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.destroy();
      reject(err);
    };
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("error", fail);
      socket.off("close", onClose);
      const head = buf.subarray(0, end).toString("latin1");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const extensions = /^sec-websocket-extensions:\s*(.*)$/im.exec(head)?.[1] ?? "";
      if (status === 101 && !new RegExp(`^sec-websocket-accept:\\s*${acceptKeyOf(key).replace(/[+/=]/g, "\\$&")}\\s*$`, "im").test(head)) {
        socket.destroy();
        reject(new Error(`101 without the right Sec-WebSocket-Accept:\n${head}`));
        return;
      }
      resolve({ socket, status, head, extensions, deflate: /permessage-deflate/i.test(extensions), rest: buf.subarray(end + 4) });
    };
    const onClose = () => fail(new Error(`connection closed before a handshake response (${buf.length} bytes read)`));
    socket.on("data", onData);
    socket.once("error", fail);
    socket.once("close", onClose);
  });
}

/**
 * A connected raw client: `send(bytes)` (resolves when flushed to the kernel), counts what comes
 * back, parses it into frames, and knows when the server closed. Never throws from events.
 */
export class RawClient {
  static async connect(port, options = {}) {
    const hs = await handshake(port, options);
    if (hs.status !== 101) {
      hs.socket.destroy();
      throw new Error(`expected 101, got ${hs.status}:\n${hs.head}`);
    }
    return new RawClient(hs, options);
  }

  constructor(hs, { keep = 4096 } = {}) {
    this.socket = hs.socket;
    this.deflate = hs.deflate;
    this.extensions = hs.extensions;
    this.closed = false;
    this.error = null;
    this.messages = 0; // complete data messages received
    this.messageBytes = 0; // payload bytes of data frames received
    this.frames = [];
    this.closeFrame = null;
    this.waiters = new Set();
    this.reader = new FrameReader((f) => {
      if (f.opcode === OP.CLOSE) this.closeFrame = { code: f.length >= 2 ? f.payload.readUInt16BE(0) : 1005, reason: f.payload.subarray(2).toString() };
      else if (f.opcode < 8) {
        this.messageBytes += f.length;
        if (f.fin) this.messages++;
      }
      if (this.frames.length < 64) this.frames.push(f);
      this.#wake();
    }, { keep });
    this.socket.on("data", (chunk) => this.reader.push(chunk));
    this.socket.on("error", (err) => (this.error = err));
    this.socket.on("close", () => {
      this.closed = true;
      this.#wake();
    });
    if (hs.rest.length) this.reader.push(hs.rest);
  }

  #wake() {
    for (const w of this.waiters) w();
  }

  /** Resolves true when `predicate(this)` holds, false when the socket closed first or on timeout. */
  waitFor(predicate, timeoutMs = 30_000) {
    return new Promise((resolve) => {
      const check = () => {
        if (predicate(this)) return done(true);
        if (this.closed) return done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (v) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(v);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Writes bytes; resolves when Node handed them to the kernel (or false if the socket failed). */
  send(bytes) {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve(false);
      this.socket.write(bytes, (err) => resolve(!err));
    });
  }

  /** A polite end: Close frame, then FIN. */
  close(code = 1000) {
    if (this.socket.destroyed) return;
    this.socket.write(frame(OP.CLOSE, closePayload(code)));
    this.socket.end();
  }

  destroy() {
    this.socket.destroy();
  }
}

/**
 * A raw WebSocket server for client-side cases: answers one handshake per connection with 101,
 * then calls `onOpen({ socket, reader, frames })`; `frames` collects the client's frames.
 * `allowHalfOpen: true` keeps our side open after the client's FIN (a server that never closes).
 */
export async function rawServer(onOpen, { allowHalfOpen = false } = {}) {
  const sockets = new Set();
  const server = net.createServer({ allowHalfOpen }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buf = Buffer.alloc(0);
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const head = buf.subarray(0, end).toString("latin1");
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(head)?.[1] ?? "";
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKeyOf(key)}\r\n\r\n`);
      const peer = { socket, frames: [], ended: false, closedAt: 0 };
      peer.reader = new FrameReader((f) => peer.frames.push(f));
      socket.on("data", (c) => peer.reader.push(c));
      socket.on("end", () => (peer.ended = true));
      socket.on("close", () => (peer.closedAt = performance.now()));
      if (end + 4 < buf.length) peer.reader.push(buf.subarray(end + 4));
      onOpen(peer);
    };
    socket.on("data", onData);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

/**
 * Sends a raw HTTP request head and returns the status line's code (0 if the server closed
 * without answering) and the head.
 */
export function rawRequest(port, head, timeoutMs = 10_000) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let buf = "";
    const timer = setTimeout(() => done(), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(buf)?.[1] ?? 0), head: buf.split("\r\n\r\n")[0] });
    };
    socket.on("data", (d) => {
      buf += d.toString("latin1");
      if (buf.includes("\r\n\r\n")) done();
    });
    socket.on("error", () => {});
    socket.on("close", done);
    socket.write(head);
  });
}

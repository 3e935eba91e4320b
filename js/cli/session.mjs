// The WebSocket session of `ws101 probe` after the 101: feeds the core's Connection, hands the
// waiting step what it asked for, bounds memory whatever the server sends.
import { performance } from "node:perf_hooks";
import { PENDING_BYTES, PENDING_MAX, PHASE_MAX_BYTES, PHASE_MAX_FRAMES, WRITE_HIGH } from "./limits.mjs";

/**
 * The WebSocket session after the 101. Events are consumed as they arrive: the step that is
 * waiting (`next`) takes what it needs (copied, bounded) and everything else is counted and
 * dropped, so memory stays bounded whatever the server sends. Pongs and close replies are written
 * with backpressure (reading stops while too much waits to be written), and each step (echo,
 * each ping, close) may receive at most PHASE_MAX_BYTES / PHASE_MAX_FRAMES before the probe
 * gives up on the server (`flood`).
 */
export class Session {
  closed = false;   // the transport ended
  errors = [];      // protocol errors found by the core (the first few)
  closeEvent = null;
  closeAt = null;
  flood = null;     // { phase, bytes, payloadBytes, frames, message } once a step's cap was exceeded
  phase = "session";
  traffic = { bytesReceived: 0, messages: 0, pings: 0, pongs: 0, dropped: 0, readPauses: 0 };
  #phaseBytes = 0;
  #phasePayload = 0;
  #phaseFrames = 0;
  #take = null;     // the waiting step's consumer: (event) => value, or undefined to pass
  #waiters = new Set();
  #pending = [];    // messages that arrived before the echo step asked (copied, bounded)
  #pendingBytes = 0;
  #keep;            // whether messages are kept for a later step (until the echo step ran)
  #readPaused = false;

  constructor(socket, conn, leftover, { keepMessages = false } = {}) {
    this.socket = socket;
    this.conn = conn;
    this.#keep = keepMessages;
    socket.on("data", (chunk) => this.#onData(chunk));
    socket.on("drain", () => {
      if (this.#readPaused && !this.flood && !socket.destroyed) { this.#readPaused = false; socket.resume(); }
    });
    socket.on("end", () => { if (!socket.destroyed) socket.end(); });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.#feed(() => conn.receiveEof());
      this.#notify();
    });
    if (leftover.length) this.#onData(leftover);
  }

  /** Starts a step: its own receive caps. */
  startPhase(name) {
    this.phase = name;
    this.#phaseBytes = this.#phasePayload = this.#phaseFrames = 0;
  }

  /** No step will ask for earlier messages any more. */
  stopKeeping() {
    this.#keep = false;
    this.traffic.dropped += this.#pending.length;
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Bytes written by us that the server has not taken yet (it is not reading). */
  get unsent() {
    return this.socket.writableLength ?? 0;
  }

  #onData(chunk) {
    if (this.flood) return;
    this.traffic.bytesReceived += chunk.length;
    this.#phaseBytes += chunk.length;
    this.#feed(() => this.conn.receive(chunk));
  }

  #feed(receive) {
    let events;
    try {
      events = receive();
    } catch (err) {
      // Not a protocol error (those are events): the core could not go on (e.g. out of memory).
      if (this.errors.length < 5) this.errors.push(err);
      this.socket.destroy();
      return;
    }
    for (const event of events) this.#dispatch(event);
    try {
      this.write(this.conn.takeOutput());
    } catch (err) {
      if (this.errors.length < 5) this.errors.push(err);
      this.socket.destroy();
    }
    if (!this.flood && (this.#phaseBytes > PHASE_MAX_BYTES || this.#phasePayload > PHASE_MAX_BYTES || this.#phaseFrames > PHASE_MAX_FRAMES)) this.#flooded();
    this.#notify();
  }

  #dispatch(event) {
    switch (event.type) {
      case "ping": // answered by the core (auto-pong), written with backpressure
        this.traffic.pings++;
        this.#phaseFrames++;
        return;
      case "pong":
        this.traffic.pongs++;
        this.#phaseFrames++;
        if (!this.#offer(event)) this.traffic.dropped++;
        return;
      case "text":
      case "binary": {
        this.traffic.messages++;
        this.#phaseFrames++;
        const len = event.data.byteLength;
        this.#phasePayload += len;
        if (this.#offer(event)) return;
        if (this.#take === null && this.#keep && this.#pending.length < PENDING_MAX && this.#pendingBytes + len <= PENDING_BYTES) {
          // `data` is a view into wasm memory, valid only until the next call: copy it.
          this.#pending.push({ type: event.type, data: Buffer.from(event.data) });
          this.#pendingBytes += len;
        } else this.traffic.dropped++;
        return;
      }
      case "close":
        if (!this.closeEvent) {
          this.closeEvent = { type: "close", code: event.code, reason: event.reason, wasClean: event.wasClean };
          this.closeAt = performance.now();
        }
        return;
      case "error":
        if (this.errors.length < 5) this.errors.push(event.error);
        return;
    }
  }

  /** Hands `event` to the waiting step; true when it took it (the step resolves with the value). */
  #offer(event) {
    if (!this.#take) return false;
    const value = this.#take(event);
    return value !== undefined;
  }

  #flooded() {
    const what = this.#phaseFrames > PHASE_MAX_FRAMES ? `more than ${PHASE_MAX_FRAMES} frames`
      : this.#phaseBytes > PHASE_MAX_BYTES ? `more than ${PHASE_MAX_BYTES / (1 << 20)} MiB`
      : `more than ${PHASE_MAX_BYTES / (1 << 20)} MiB of message data (${this.#phasePayload} bytes once decompressed)`;
    this.flood = {
      phase: this.phase,
      bytes: this.#phaseBytes,
      payloadBytes: this.#phasePayload,
      frames: this.#phaseFrames,
      message: `the server sent ${what} during the ${this.phase} step (${this.#phaseBytes} bytes, ${this.#phaseFrames} frames); the probe stopped reading and dropped the connection`,
    };
    this.socket.pause();
    this.socket.destroy();
  }

  /** Whether the connection still takes messages from us (not closing or closed). */
  get open() {
    if (this.closed || this.flood) return false;
    try {
      return this.conn.state === "open";
    } catch {
      return false;
    }
  }

  /** Sends what `make(conn)` returns; false when the connection no longer takes it. */
  send(make) {
    if (!this.open) return false;
    try {
      this.write(make(this.conn));
      return true;
    } catch {
      return false; // a ws101 error (closing), or the core could not go on
    }
  }

  /** Writes; stops reading while more than WRITE_HIGH bytes wait (resumed on "drain"). */
  write(bytes) {
    if (!bytes || !bytes.length || this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(bytes);
    if (!this.#readPaused && this.socket.writableLength > WRITE_HIGH) {
      this.#readPaused = true;
      this.traffic.readPauses++;
      this.socket.pause();
    }
  }

  #notify() {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /**
   * Waits for the first event that `take(event)` consumes (returns a value other than
   * undefined; `take` must copy what it keeps: payloads are views); resolves with that value,
   * or null after `ms`, the transport's end or a flood. One step waits at a time.
   */
  next(take, ms) {
    return new Promise((resolve) => {
      let done = false;
      const finish = (value) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (this.#take === consume) this.#take = null;
        resolve(value);
      };
      const consume = (event) => {
        if (done) return undefined;
        const value = take(event);
        if (value !== undefined) finish(value);
        return value;
      };
      const check = () => { if (this.closed || this.flood) finish(null); };
      const timer = setTimeout(() => finish(null), Math.max(0, ms));
      this.#take = consume;
      this.#waiters.add(check);
      while (!done && this.#pending.length) {
        const event = this.#pending.shift();
        this.#pendingBytes -= event.data.length;
        consume(event);
      }
      if (!done) check();
    });
  }

  /** Resolves true once `condition()` holds (checked after every chunk), false after `ms`. */
  until(condition, ms) {
    return new Promise((resolve) => {
      if (condition()) return resolve(true);
      const check = () => { if (condition()) finish(true); else if (this.closed || this.flood) finish(condition()); };
      const finish = (value) => { clearTimeout(timer); this.#waiters.delete(check); resolve(value); };
      const timer = setTimeout(() => finish(false), Math.max(0, ms));
      this.#waiters.add(check);
    });
  }

  /** Resolves true once the transport has ended, false after `ms`. */
  ended(ms) {
    return new Promise((resolve) => {
      if (this.closed) return resolve(true);
      const timer = setTimeout(() => { this.socket.off("close", onClose); resolve(false); }, ms);
      const onClose = () => { clearTimeout(timer); resolve(true); };
      this.socket.once("close", onClose);
    });
  }
}

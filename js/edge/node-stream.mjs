// createWebSocketStream of ws101/node: a Node Duplex over a WebSocket, as `ws` has it.
import { builtin } from "./node-http.mjs";
const { Duplex } = builtin("node:stream"); // not an ES import: see node-http.mjs
import { WebSocket } from "./node-websocket.mjs";

/**
 * A Duplex over a WebSocket (ws's `createWebSocketStream`): each message is a chunk read, each
 * chunk written is a message. Backpressure both ways: a full readable buffer pauses the
 * WebSocket; writes complete when the socket took them. `options` go to the Duplex constructor.
 */
export function createWebSocketStream(ws, options) {
  let ended = false;
  const duplex = new Duplex({ ...options, autoDestroy: false, emitClose: false, objectMode: false, writableObjectMode: false, ...objectModes(options) });
  const onMessage = (data, isBinary) => {
    const chunk = !isBinary && duplex.readableObjectMode ? data.toString() : data;
    if (!duplex.push(chunk)) ws.pause();
  };
  const onError = (err) => {
    if (duplex.destroyed) return;
    // ws's stream: the error is re-emitted by destroy(); with no 'error' listener it throws, as
    // any stream does.
    duplex.destroy(err);
  };
  const onClose = () => {
    if (duplex.destroyed) return;
    duplex.push(null);
  };
  ws.on("message", onMessage);
  ws.once("error", onError);
  ws.once("close", onClose);
  duplex._destroy = function (err, callback) {
    if (ws.readyState === WebSocket.CLOSED) {
      callback(err);
      process.nextTick(() => duplex.emit("close"));
      return;
    }
    let called = false;
    ws.once("error", (e) => {
      called = true;
      callback(e);
    });
    ws.once("close", () => {
      if (!called) callback(err);
      process.nextTick(() => duplex.emit("close"));
    });
    ws.terminate();
  };
  duplex._final = function (callback) {
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.once("open", () => duplex._final(callback));
      return;
    }
    // No socket (the opening handshake failed): nothing to finish; as in ws, the callback is
    // not called (no 'finish'), the WebSocket's error destroys the stream.
    if (ws._socket === null || ws._socket === undefined) return;
    if (ws._socket.writableFinished) {
      callback();
      if (duplex._readableState.endEmitted) duplex.destroy();
      return;
    }
    ws._socket.once("finish", () => {
      callback();
    });
    ws.close();
  };
  duplex._read = function () {
    if (ws.isPaused) ws.resume();
  };
  duplex._write = function (chunk, encoding, callback) {
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.once("open", () => duplex._write(chunk, encoding, callback));
      return;
    }
    ws.send(chunk, callback);
  };
  // A stream error (a failed write, a WebSocket error) destroys the stream first; with no other
  // 'error' listener it is emitted again and so thrown, as any stream error is.
  const onDuplexError = (err) => {
    duplex.removeListener("error", onDuplexError);
    duplex.destroy();
    if (duplex.listenerCount("error") === 0) duplex.emit("error", err);
  };
  duplex.on("error", onDuplexError);
  duplex.on("end", () => {
    ended = true;
    if (!duplex.destroyed && duplex._writableState.finished) duplex.destroy();
  });
  duplex.on("finish", () => {
    if (ended && !duplex.destroyed) duplex.destroy();
  });
  return duplex;
}

function objectModes(options) {
  const out = {};
  if (options?.objectMode) {
    out.readableObjectMode = true;
    out.writableObjectMode = true;
  }
  if (options?.readableObjectMode !== undefined) out.readableObjectMode = options.readableObjectMode;
  if (options?.writableObjectMode !== undefined) out.writableObjectMode = options.writableObjectMode;
  return out;
}

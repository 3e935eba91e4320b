// `ws101 probe --http2`: the opening handshake as an RFC 8441 extended CONNECT on an HTTP/2
// connection over the probe's own TCP/TLS socket. The server's SETTINGS must carry
// SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (§3); a 2xx answers the CONNECT (§5) and stands for the
// 101 and the accept key, which HTTP/2 does not use, so the core judges the server's
// Sec-WebSocket-Protocol/-Extensions fields as those of the 101 it replaces. The WebSocket then
// runs over the stream (an Http2Stream is a Duplex, like the socket).
import http2 from "node:http2";
import { extendedConnectFields, fieldLines } from "../edge/node-h2.mjs";
import { tableError } from "../edge/node-errors.mjs";
import { formatDuration } from "./usage.mjs";

/** Resolves with what `wire(resolve, reject)` resolves with, or rejects after `ms` with `timeout()`. */
function within(ms, timeout, wire) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timeout()), Math.max(0, ms));
    wire((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

/**
 * Opens the HTTP/2 connection on `socket` and waits for the server's SETTINGS (within `ms`).
 * Returns `{ session, settings }`; the caller destroys the session when the probe ends.
 */
export async function openSession(socket, request, ms) {
  const authority = request.headers.find((h) => h.name.toLowerCase() === "host")?.value ?? request.host;
  const session = http2.connect(`${request.secure ? "https" : "http"}://${authority}`, { createConnection: () => socket });
  session.on("error", () => {});
  try {
    const settings = await within(ms,
      () => tableError("handshake-timeout", `no HTTP/2 SETTINGS from the server within ${formatDuration(ms)}`),
      (resolve, reject) => {
        session.once("remoteSettings", resolve);
        session.once("close", () => reject(tableError("closed-before-response", "the server closed the connection before its HTTP/2 SETTINGS (does it speak HTTP/2 here?)")));
      });
    return { session, settings };
  } catch (err) {
    session.destroy();
    throw err;
  }
}

/**
 * Sends the extended CONNECT for `request` (built by the core) on `session` and waits for the
 * response head (within `ms`). Returns `{ stream, status, headers }`, `headers` as [name, value]
 * pairs without the pseudo-headers.
 */
export async function extendedConnect(session, request, ms) {
  const fields = extendedConnectFields(request);
  const stream = session.request(fields, { endStream: false });
  stream.on("error", () => {});
  const { head, raw } = await within(ms,
    () => tableError("handshake-timeout", `no response to the extended CONNECT within ${formatDuration(ms)}`),
    (resolve, reject) => {
      stream.once("response", (head, _flags, raw) => resolve({ head, raw }));
      stream.once("close", () => reject(tableError("stream-reset", `the server reset the stream before answering (RST_STREAM ${stream.rstCode})`, { rstCode: stream.rstCode })));
    });
  const headers = [];
  const list = fieldLines(head, raw);
  for (let i = 0; i + 1 < list.length; i += 2) if (!String(list[i]).startsWith(":")) headers.push([String(list[i]), String(list[i + 1])]);
  return { stream, status: Number(head[":status"]), headers };
}

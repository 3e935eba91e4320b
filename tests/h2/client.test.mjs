// ws101/node's HTTP/2 client: connect(url, { http2: true | session }) as an extended CONNECT
// (RFC 8441 §4-§5), against node:http2 servers written here as the peer (not ws101's server):
// the request's fields, SETTINGS_ENABLE_CONNECT_PROTOCOL checked first, the core's verdict on
// the answer, masked frames on the stream, the session's lifetime.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http2 from "node:http2";
import { once } from "node:events";
import { encodeFrame, decodeFrames } from "ws101";
import { connect } from "ws101/node";
import { selfSignedCert } from "./support.mjs";

const cert = selfSignedCert();
const servers = [];
after(async () => {
  for (const s of servers) {
    for (const sess of s.sessions) sess.destroy();
    await new Promise((resolve) => s.server.close(resolve));
  }
  cert.remove();
});

/** A node:http2 TLS server; `onConnect(stream, headers)` answers CONNECT streams. */
async function peer({ enableConnectProtocol = true, onConnect }) {
  const server = http2.createSecureServer({ cert: cert.cert, key: cert.key, settings: { enableConnectProtocol } });
  const sessions = new Set();
  const closedSessions = [];
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => {
      sessions.delete(s);
      closedSessions.push(s);
    });
  });
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    onConnect(stream, headers);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const s = { server, sessions, closedSessions, url: `wss://127.0.0.1:${server.address().port}` };
  servers.push(s);
  return s;
}

/** Echoes text frames as a server would (reads masked frames, writes unmasked ones). */
function rawEcho(stream, seen) {
  let buf = Buffer.alloc(0);
  stream.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    const { frames, nextOffset } = decodeFrames(buf, "server");
    buf = buf.subarray(nextOffset);
    for (const f of frames) {
      seen?.push(f);
      if (f.opcode === 8) {
        stream.end(encodeFrame({ fin: true, opcode: 8, payload: f.payload }).bytes);
      } else {
        stream.write(encodeFrame({ fin: true, opcode: f.opcode, payload: f.payload }).bytes);
      }
    }
  });
}

function failure(ws) {
  return new Promise((resolve) => {
    let error = null;
    ws.on("error", (e) => (error = e));
    ws.on("close", (code) => resolve({ error, code }));
  });
}

test("the extended CONNECT's fields, masked frames on the stream, a clean close", async () => {
  let fields;
  const seen = [];
  const s = await peer({
    onConnect(stream, headers) {
      fields = headers;
      stream.respond({ ":status": 200, "sec-websocket-protocol": "chat", "sec-websocket-extensions": "permessage-deflate; server_no_context_takeover; client_no_context_takeover" });
      rawEcho(stream, seen);
    },
  });
  const ws = connect(`${s.url}/room?x=1`, { http2: true, rejectUnauthorized: false, protocols: ["chat", "v2"], origin: "https://app.example", headers: { "x-token": "t" } });
  await once(ws, "open");
  assert.equal(ws.httpVersion, "2");
  assert.equal(ws.protocol, "chat");
  assert.equal(ws.extensions, "permessage-deflate");
  assert.equal(ws.extensionsHeader, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
  assert.equal(fields[":method"], "CONNECT");
  assert.equal(fields[":protocol"], "websocket");
  assert.equal(fields[":scheme"], "https");
  assert.equal(fields[":path"], "/room?x=1");
  assert.equal(fields[":authority"], `127.0.0.1:${s.server.address().port}`);
  assert.equal(fields["sec-websocket-version"], "13");
  assert.equal(fields["sec-websocket-protocol"], "chat, v2");
  assert.match(fields["sec-websocket-extensions"], /^permessage-deflate/);
  assert.equal(fields.origin, "https://app.example");
  assert.equal(fields["x-token"], "t");
  for (const absent of ["sec-websocket-key", "upgrade", "connection", "host"]) assert.equal(fields[absent], undefined, absent);
  ws.send("hi", { compress: false });
  const [msg, isBinary] = await once(ws, "message");
  assert.equal(String(msg), "hi");
  assert.equal(isBinary, false);
  assert.ok(seen.every((f) => f.masked), "every client frame is masked (RFC 6455 §5.3)");
  ws.close(1000, "ok");
  const [code, reason] = await once(ws, "close");
  assert.equal(code, 1000);
  assert.equal(String(reason), "ok");
  // The session was the WebSocket's own: it is closed with it.
  while (s.sessions.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
});

test("a server whose SETTINGS lack ENABLE_CONNECT_PROTOCOL: a clear error, nothing sent", async () => {
  let streams = 0;
  const s = await peer({ enableConnectProtocol: false, onConnect: () => streams++ });
  const ws = connect(`${s.url}/x`, { http2: true, rejectUnauthorized: false });
  const { error, code } = await failure(ws);
  assert.equal(error.code, "connect-protocol-not-offered");
  assert.match(error.message, /SETTINGS_ENABLE_CONNECT_PROTOCOL/);
  assert.equal(code, 1006);
  assert.equal(streams, 0);
  // The same on a session the caller holds (which stays open).
  const session = http2.connect(s.url.replace("wss:", "https:"), { rejectUnauthorized: false });
  await once(session, "connect");
  const again = await failure(connect(`${s.url}/x`, { http2: session }));
  assert.equal(again.error.code, "connect-protocol-not-offered");
  assert.equal(session.closed, false);
  session.close();
});

test("the core judges the answer: a non-2xx, an unoffered or missing subprotocol, an unoffered extension fail the handshake", async () => {
  const answers = [
    [{ ":status": 403 }, "unexpected-status"],
    [{ ":status": 200, "sec-websocket-protocol": "other" }, "unoffered-subprotocol"],
    [{ ":status": 200, "sec-websocket-protocol": "chat", "sec-websocket-extensions": "x-unknown" }, "unoffered-extension"],
    [{ ":status": 200, "sec-websocket-protocol": "chat", "sec-websocket-extensions": "permessage-deflate; server_max_window_bits=99" }, "invalid-deflate-param"],
    // ws (and browsers) fail a 200 that selects none of the offered subprotocols
    [{ ":status": 200 }, "missing-subprotocol"],
  ];
  let i = 0;
  const s = await peer({
    onConnect(stream) {
      stream.respond(answers[i++][0]);
    },
  });
  for (const [headers, code] of answers) {
    const { error, code: closeCode } = await failure(connect(`${s.url}/x`, { http2: true, rejectUnauthorized: false, protocols: ["chat"] }));
    assert.equal(error.code, code, JSON.stringify(headers));
    assert.equal(closeCode, 1006);
    if (code === "unexpected-status") assert.equal(error.status, 403);
  }
});

test("close() while CONNECTING, a stream reset before the answer, bad options", async () => {
  const s = await peer({ onConnect: (stream, headers) => (headers[":path"] === "/reset" ? stream.close(http2.constants.NGHTTP2_REFUSED_STREAM) : undefined) });
  const ws = connect(`${s.url}/hang`, { http2: true, rejectUnauthorized: false });
  ws.close();
  const aborted = await failure(ws);
  assert.match(aborted.error.message, /closed before the connection was established/);
  const reset = await failure(connect(`${s.url}/reset`, { http2: true, rejectUnauthorized: false }));
  assert.equal(reset.error.code, "stream-reset");
  assert.equal(reset.code, 1006);
  assert.throws(() => connect(`${s.url}/x`, { http2: "yes" }), TypeError);
  assert.throws(() => connect(`${s.url}/x`, { http2: {} }), TypeError);
  assert.throws(() => connect(`${s.url}/x`, { http2: true, followRedirects: true }), TypeError);
  assert.throws(() => connect("ws+unix:/tmp/x.sock:/p", { http2: true }), SyntaxError);
});

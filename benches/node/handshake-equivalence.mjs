// The packed fast path of validateRequest (js/api.mjs, src/wasm/handshake.rs) must give the same
// outcome as the explaining path (validateRequestParts) field for field, verdicts included:
// checked for accepts, rejections, offers, options and non-ASCII input. Run by scripts/bench.sh.
import assert from "node:assert/strict";
import * as api from "ws101";
import * as inst from "../../pkg/instance.mjs";
const base = { host: "a.example:8080", upgrade: "websocket", connection: "keep-alive, Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13", origin: "https://a.example" };
const variants = [
  [{}, undefined],
  [{}, { protocols: ["chat"] }],
  [{ "sec-websocket-protocol": "superchat, chat" }, { protocols: ["chat", "superchat"] }],
  [{ "sec-websocket-extensions": "permessage-deflate; client_max_window_bits" }, { perMessageDeflate: true }],
  [{ "sec-websocket-extensions": "permessage-deflate; client_max_window_bits=10; server_no_context_takeover" }, { perMessageDeflate: { serverMaxWindowBits: 12, clientNoContextTakeover: true } }],
  [{ "sec-websocket-extensions": "x-foo, permessage-deflate" }, { perMessageDeflate: true }],
  [{}, { origins: ["https://a.example"] }],
  [{}, { origins: (o) => o === "https://a.example" }],
  [{}, { origins: ["https://b.example"] }],
  [{ "sec-websocket-key": "bad" }, undefined],
  [{ "x-uni": "héllo" }, undefined],
  [{}, { maxHeaders: 3 }],
  [{}, { maxHeaderBytes: 100000, maxHeaders: 100 }],
  [{ "sec-websocket-extensions": "permessage-deflate; bogus" }, { perMessageDeflate: true }],
];
let n = 0;
for (const [extra, options] of variants) {
  const req = { method: "GET", url: "/x?y=1", headers: { ...base, ...extra } };
  const fast = api.validateRequest(req, options);
  const lines = api.headerLines(req.headers);
  const plainOpts = { protocols: options?.protocols ?? [], requireProtocol: false, requireOrigin: false, perMessageDeflate: options?.perMessageDeflate === true ? {serverNoContextTakeover:false, clientNoContextTakeover:false} : options?.perMessageDeflate ? { serverNoContextTakeover: false, clientNoContextTakeover: !!options.perMessageDeflate.clientNoContextTakeover, ...(options.perMessageDeflate.serverMaxWindowBits ? {serverMaxWindowBits: options.perMessageDeflate.serverMaxWindowBits} : {}) } : null };
  if (Array.isArray(options?.origins)) plainOpts.origins = options.origins;
  if (typeof options?.origins === "function") plainOpts.originsAccepted = ["https://a.example"];
  if (options?.maxHeaders) plainOpts.maxHeaders = options.maxHeaders;
  if (options?.maxHeaderBytes) plainOpts.maxHeaderBytes = options.maxHeaderBytes;
  const slow = inst.glue.validateRequestParts("GET", "/x?y=1", "1.1", lines, plainOpts);
  assert.deepStrictEqual({ ...fast, response: { ...fast.response, bytes: [...fast.response.bytes] } }, { ...slow, response: { ...slow.response, bytes: [...slow.response.bytes] } }, JSON.stringify(extra) + " " + JSON.stringify(options));
  n++;

}
console.log(`validateRequest fast path: ${n} outcomes equal to the explaining path`);

// What one probe checks, validated once: built from `ws101 probe` flags (probe-command.mjs) or
// from an exporter module (modules.mjs). The URL and headers are checked by the core's
// buildRequest; runProbe builds a fresh request (a new key) from the spec for every run.
import { readFileSync } from "node:fs";
import { buildRequest, isWs101Error } from "../node.mjs";
import { DEFAULT_TIMEOUT } from "./limits.mjs";
import { typedError, UsageError } from "./usage.mjs";

/**
 * @param {object} o
 * @param {string} o.url ws:// or wss:// (http:// and https:// are refused with a hint)
 * @param {string[]} [o.protocols]   subprotocols offered (RFC 6455 §4.1, Sec-WebSocket-Protocol)
 * @param {boolean} [o.requireProtocol] the server must choose one of them
 * @param {boolean} [o.deflate]      offer permessage-deflate (RFC 7692)
 * @param {boolean} [o.requireDeflate] the server must accept it
 * @param {string} [o.origin]
 * @param {Array<[string, string]>} [o.headers]
 * @param {string|null} [o.send]     text to send; expected back (or a message matching `expect`)
 * @param {RegExp|null} [o.expect]
 * @param {number} [o.pings]
 * @param {number|null} [o.closeCode] the close code the closing handshake must carry
 * @param {number} [o.timeout]       ms: to the 101, and for each later step
 * @param {boolean} [o.insecure]
 * @param {boolean} [o.http2]        the handshake as an RFC 8441 extended CONNECT over HTTP/2
 * @param {string|Buffer} [o.ca]     a PEM file name, or its bytes
 * @param {string} what              how errors name the source ("--ca", "module chat: tls.ca_file")
 */
export function makeSpec(o, what = {}) {
  const name = (key, flag) => what[key] ?? flag;
  const url = String(o.url ?? "");
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") {
    const ws = url.replace(/^https?/i, scheme === "https" ? "wss" : "ws");
    throw new UsageError(`${url} is an HTTP URL; a WebSocket probe needs ws:// or wss:// (did you mean ${ws}?)`);
  }
  const protocols = o.protocols ?? [];
  if (o.requireProtocol && protocols.length === 0) throw new UsageError(`${name("requireProtocol", "--require-protocol")} needs at least one subprotocol offered (${name("protocols", "--protocol P")})`);
  if (o.requireDeflate && !o.deflate) throw new UsageError(`${name("requireDeflate", "--require-deflate")} needs permessage-deflate offered (${name("deflate", "--deflate")})`);
  if (o.expect && o.send == null) throw new UsageError(`${name("expect", "--expect")} needs a message to send (${name("send", "--send TEXT")})`);
  let ca = o.ca;
  if (typeof ca === "string") {
    try { ca = readFileSync(ca); } catch (err) { throw new UsageError(`${name("ca", "--ca")}: cannot read ${o.ca}: ${err.code ?? err.message}`); }
  }
  const spec = {
    url,
    protocols,
    requireProtocol: o.requireProtocol === true,
    deflate: o.deflate === true,
    requireDeflate: o.requireDeflate === true,
    origin: o.origin,
    headers: o.headers ?? [],
    send: o.send ?? null,
    expect: o.expect ?? null,
    pings: o.pings ?? 0,
    closeCode: o.closeCode ?? null,
    timeout: o.timeout ?? DEFAULT_TIMEOUT,
    insecure: o.insecure === true,
    http2: o.http2 === true,
    ca,
  };
  newRequest(spec).free?.(); // the core checks the URL and the headers now, not at the first run
  return spec;
}

/** A fresh opening handshake for one run (the core makes the key and the expected accept). */
export function newRequest(spec) {
  try {
    return buildRequest(spec.url, { protocols: spec.protocols, origin: spec.origin, headers: spec.headers, perMessageDeflate: spec.deflate });
  } catch (err) {
    if (isWs101Error(err)) throw new UsageError(typedError(err));
    throw new UsageError(err.message);
  }
}

// Shared by the fetch-style adapters (Workers, Deno, Bun): ws101's decision as `Response`s.
// Hop-by-hop fields are left to the runtime (a fetch Response may not set them).
// `Upgrade` stays: the core puts `Upgrade: websocket` on a 426 (RFC 9110 §15.5.22).
const HOP_BY_HOP = new Set(["connection", "content-length", "transfer-encoding", "keep-alive"]);

/** The rejection the core chose (400, 403, 426 with Sec-WebSocket-Version: 13, 431) as a Response. */
export function rejectionResponse(outcome) {
  const headers = new Headers();
  for (const { name, value } of outcome.response.headers) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.append(name, value);
  }
  return new Response(outcome.response.body, { status: outcome.response.status, statusText: outcome.response.reason, headers });
}

/**
 * Headers of the 101 the runtime must add itself: the chosen Sec-WebSocket-Protocol (runtimes
 * compute Sec-WebSocket-Accept and, where supported, negotiate permessage-deflate on their own).
 */
export function switchingHeaders(outcome) {
  const headers = {};
  if (outcome.protocol) headers["Sec-WebSocket-Protocol"] = outcome.protocol;
  return headers;
}

/** Server options for runtimes that do their own framing: extensions are theirs to negotiate. */
export function runtimePolicy(options = {}) {
  // Only the server policy's keys: validateRequest refuses unknown options (adapter options such
  // as accept, onConnection, data or idleTimeout are the adapter's).
  const { protocols, requireProtocol, origins, requireOrigin, maxHeaderBytes, maxHeaders } = options;
  return { protocols, requireProtocol, origins, requireOrigin, maxHeaderBytes, maxHeaders, perMessageDeflate: false };
}

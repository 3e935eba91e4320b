// The opening handshake of an app (RFC 6455 §4.2): ws101's core decides (validateRequest), then
// the app's `upgrade(request, handshake)` hook may refuse with a Response of its own, or accept
// with extra response headers and a per-peer `context`. The hook cannot change what the core
// chose: the Sec-WebSocket-* fields, Upgrade and Connection are the core's.
import { rejectionResponse } from "../edge/fetch.mjs";
import { callHook } from "./app.mjs";

const CORE_FIELDS = new Set(["sec-websocket-accept", "sec-websocket-protocol", "sec-websocket-extensions", "sec-websocket-version", "upgrade", "connection", "content-length", "transfer-encoding"]);

/**
 * @param {object} app
 * @param {Request} request  what the hook sees
 * @param {() => object} validate  the core's decision for this request (validateRequest)
 * @returns {Promise<{ response: Response } | { outcome: object, headers: [string, string][], context: unknown }>}
 */
export async function decide(app, request, validate) {
  const outcome = validate();
  const handshake = Object.freeze({
    ok: outcome.ok,
    protocol: outcome.ok ? outcome.protocol ?? "" : "",
    extensions: outcome.ok ? outcome.extensionsHeader ?? "" : "",
    // refused: why; accepted: the offers the core declined (an unknown extension, say)
    problems: outcome.ok ? outcome.declined : outcome.problems,
    outcome,
  });
  try {
    const answer = app.hooks.upgrade ? await app.hooks.upgrade(request, handshake) : undefined;
    if (answer instanceof Response) return { response: answer };
    if (!outcome.ok) return { response: rejectionResponse(outcome) };
    return { outcome, ...acceptance(answer) };
  } catch (error) {
    // the hook threw, or answered something else than a Response, { headers, context } or nothing
    callHook(app, "error", null, error);
    return { response: new Response("upgrade refused: the app's upgrade hook failed\n", { status: 500 }) };
  }
}

function acceptance(answer) {
  if (answer === undefined || answer === null) return { headers: [], context: {} };
  if (typeof answer !== "object") throw new TypeError("upgrade hook: return a Response (refuse), { headers, context } (accept) or nothing");
  const headers = [...new Headers(answer.headers ?? {})];
  for (const [name] of headers) {
    if (CORE_FIELDS.has(name)) throw new TypeError(`upgrade hook: ${name} is decided by ws101 (RFC 6455 §4.2.2), not by the app`);
  }
  return { headers, context: answer.context ?? {} };
}

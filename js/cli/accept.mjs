// `ws101 accept KEY`: the Sec-WebSocket-Accept value (RFC 6455 §4.2.2), computed by the core.
import { acceptDigest, acceptKey, acceptKeyUnchecked, isWs101Error, websocketGuid } from "../node.mjs";
import { HELP } from "./help.mjs";
import { err_, hex, out } from "./text.mjs";
import { EXIT_CHECK, EXIT_OK, parse, typedError, UsageError } from "./usage.mjs";

export function cmdAccept(args) {
  const { values, positionals } = parse(args, { explain: { type: "boolean" }, json: { type: "boolean" } });
  if (values.help) return out(HELP.accept), EXIT_OK;
  if (positionals.length !== 1) throw new UsageError("accept takes exactly one argument: the Sec-WebSocket-Key");
  const key = positionals[0];
  let accept = null;
  let error = null;
  try {
    accept = acceptKey(key);
  } catch (err) {
    if (!isWs101Error(err)) throw err;
    error = err;
  }
  // The steps are computed by the core for any string, as the explainer shows them.
  const steps = { key, guid: websocketGuid(), concatenated: key + websocketGuid(), sha1: hex(acceptDigest(key)), accept: accept ?? acceptKeyUnchecked(key) };
  if (values.json) {
    out(JSON.stringify({ ...steps, valid: !error, error: error && { code: error.code, rfc: error.rfc, header: error.header, message: error.message } }));
    return error ? EXIT_CHECK : EXIT_OK;
  }
  if (values.explain) {
    out(`key                 ${steps.key}${error ? `   (${error.code}: ${error.message})` : "   (base64 of 16 bytes)"}`);
    out(`key + GUID          ${steps.concatenated}`);
    out(`SHA-1               ${steps.sha1}`);
    out(`base64 → accept     ${steps.accept}`);
    return error ? EXIT_CHECK : EXIT_OK;
  }
  if (error) {
    err_(`ws101 accept: ${typedError(error)}`);
    return EXIT_CHECK;
  }
  out(accept);
  return EXIT_OK;
}

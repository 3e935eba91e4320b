// Every subpath of the package, imported under each moduleResolution the tests compile with
// (tests/js/types.test.mjs): each import must resolve to its declarations and type-check.
import { acceptKey, errorCodes, type Ws101ErrorCode, type Ws101ErrorCodeEntry } from "ws101";
import { init, initSync } from "ws101/init";
import { WebSocketServer } from "ws101/node";
import { upgrade as workers } from "ws101/workers";
import { upgrade as deno } from "ws101/deno";
import { upgrade as bun } from "ws101/bun";
import { acceptKey as handshakeAcceptKey, validateRequest, type ServerOutcome } from "ws101/handshake";

const rows: Ws101ErrorCodeEntry[] = errorCodes();
const first: Ws101ErrorCode | undefined = rows[0]?.code;
const outcome: ServerOutcome = validateRequest({ method: "GET", url: "/", headers: {} });
const accept: string = handshakeAcceptKey("dGhlIHNhbXBsZSBub25jZQ==");
const fns: unknown[] = [acceptKey, init, initSync, WebSocketServer, workers, deno, bun, first, outcome, accept];
export default fns;

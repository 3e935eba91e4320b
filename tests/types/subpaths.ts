// Every subpath of the package, imported under each moduleResolution the tests compile with
// (tests/js/types.test.mjs): each import must resolve to its declarations and type-check.
import { acceptKey, errorCodes, type Ws101ErrorCode, type Ws101ErrorCodeEntry } from "ws101";
import { init, initSync } from "ws101/init";
import { WebSocketServer } from "ws101/node";
import { upgrade as workers } from "ws101/workers";
import { upgrade as deno } from "ws101/deno";
import { upgrade as bun } from "ws101/bun";

const rows: Ws101ErrorCodeEntry[] = errorCodes();
const first: Ws101ErrorCode | undefined = rows[0]?.code;
const fns: unknown[] = [acceptKey, init, initSync, WebSocketServer, workers, deno, bun, first];
export default fns;

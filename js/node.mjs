// Node (and Bun): find the one .wasm beside this file at import (a missing file fails the import),
// read and compile it in the background; usable right after import, from ESM and, on Node ≥ 20.19,
// from require(). Reading (0.4-0.9 ms), compiling (3-4 ms; its synchronous part ~0.45 ms) and
// instantiating are not paid by the import: the background compile instantiates when it finishes,
// and a call made before that reads and compiles synchronously (instance.mjs `deferInit`). The
// compiled Module is kept so that a fresh instance can be built after a trap without compiling
// again (instance.mjs).
//
// Cold start (docs/BENCHMARKS.md "Cold start"): node:fs comes from process.getBuiltinModule (Node
// ≥ 20.16, Deno 2, Bun), not from an ES import, whose first use in a process builds the builtin's
// ESM facade (~4 ms here, as much as the rest of this entry). The build bundles this file with
// api.mjs and the rest into one minified file, and instance.mjs with the glue into another (every
// entry and js/edge share that one: one instance holder per process); Node's loader pays per file.
import { configure, deferInit, holder, initDeferred, initGlueSync as initSync } from "./instance.mjs";
import { wasmMissing } from "./wasm-missing.mjs";
import { validateRequest } from "./api.mjs";

// ws101/node (js/edge, bundled) reaches the instance holder through the validateRequest export
// (instance-shared.mjs): the build puts instance.mjs inside this file, so there is no separate
// instance.mjs module for it to import.
Object.defineProperty(validateRequest, Symbol.for("ws101 instance holder"), { value: holder });

const fs = process.getBuiltinModule?.("node:fs") ?? import.meta.require("node:fs"); // older Bun: import.meta.require

const wasm = locateWasm();
let module = null;
const compiled = () => {
  if (module === null) module = new WebAssembly.Module(readWasm());
  return module;
};
configure({ instantiate: (glue) => glue.initSync({ module: compiled() }) });
deferInit(() => initSync({ module: compiled() }));
// The read starts on the event loop's next turn, not during the import: the first asynchronous
// file operation of a process starts libuv's thread pool (~0.3 ms here), which the program pays
// then rather than in `import "ws101"` (docs/BENCHMARKS.md "Cold start").
setImmediate(() => {
  if (module !== null) return; // a call came first and compiled synchronously
  fs.readFile(wasm.url, (err, bytes) => {
    if (err || module !== null) return; // a failure comes again, synchronously, at the first call
    WebAssembly.compile(bytes).then(
      (m) => {
        if (module !== null) return; // a call came first and compiled synchronously
        module = m;
        try {
          initDeferred();
        } catch {
          // the first call that needs the instance tries again and throws to its caller
        }
      },
      () => {}, // the same bytes fail again, synchronously, at the first call: the error goes there
    );
  });
});

/**
 * The .wasm beside this file (in a CommonJS bundle, no import.meta.url: beside the bundle), checked
 * to be there: a missing file fails the import, not the first call.
 */
function locateWasm() {
  let where = "beside ws101's entry (import.meta.url and __dirname are both missing)";
  try {
    const url = import.meta.url
      ? new URL("./ws101_bg.wasm", import.meta.url)
      : typeof __dirname === "string"
        ? `${__dirname}/ws101_bg.wasm`
        : null;
    if (url === null) throw new Error("no location to read it from");
    where = String(url);
    fs.accessSync(url, fs.constants.R_OK);
    return { url, where };
  } catch (e) {
    throw wasmMissing(where, e);
  }
}

/** The .wasm's bytes, synchronously (a call made before the background read and compile finished). */
function readWasm() {
  try {
    return fs.readFileSync(wasm.url);
  } catch (e) {
    throw wasmMissing(wasm.where, e);
  }
}

export * from "./api.mjs";

// The error every entry throws when the one .wasm cannot be loaded from where it expected it:
// almost always a bundler that moved ws101's JavaScript without copying ws101_bg.wasm beside it.
// It names ws101, the place looked at, and the three ways out.
const GUIDE = "https://github.com/ws101/ws101/blob/main/js/README.md#bundlers";

/**
 * @param {string} where the path or URL the .wasm was loaded from (or why there was none)
 * @param {unknown} cause the loader's own error
 */
export function wasmMissing(where, cause) {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new Error(
    `ws101: could not load its WebAssembly (ws101_bg.wasm) from ${where}: ${reason}. ` +
      "If a bundler built this code, it did not copy the .wasm: copy node_modules/ws101/ws101_bg.wasm next to the bundle, " +
      'or import from "ws101/inline" (the .wasm embedded), or call init({ module_or_path }) from "ws101/init" with its URL. ' +
      `See ${GUIDE}`,
    { cause },
  );
  error.code = "wasm-not-found";
  return error;
}

// Trap containment for ws101/node: a trap of the wasm instance closes the WebSockets built on it
// and the instance is rebuilt; a throwing listener nobody handles becomes one process warning.
import * as instance from "../instance.mjs";

// Trap containment. `instance.mjs` owns the wasm instance: `generation()`, `isTrap(err)`,
// `recover(err)` (poisons the current generation, calls the onPoison listeners synchronously with
// it, rebuilds; a Promise) and `onPoison(fn(oldGeneration, err))`. Each WebSocket remembers the
// generation its Connection was built on; when that generation is poisoned it is closed (1011
// from a server, dropped by a client) and new upgrades wait for the rebuilt instance.

/** Live WebSockets and the instance generation their Connection belongs to. */
export const live = new Map();
/** @type {Promise<void> | null} */
export let recovering = null;

export function currentGeneration() {
  try {
    return instance.generation();
  } catch {
    return 0;
  }
}

export function isTrap(err) {
  try {
    return Boolean(instance.isTrap(err));
  } catch {
    return err instanceof WebAssembly.RuntimeError;
  }
}

instance.onPoison((oldGeneration, err) => {
  for (const [ws, g] of [...live]) {
    if (g <= oldGeneration) {
      try {
        ws._poisoned(err);
      } catch {
        // closing one socket must not stop the others
      }
    }
  }
});

/**
 * A call into the core trapped on behalf of a WebSocket built on generation `gen` (or of a
 * handshake: the current generation). Poisons that instance (which closes every WebSocket on it
 * through onPoison) and starts the rebuild, once per generation.
 */
export function containTrap(err, gen = currentGeneration()) {
  if (gen < currentGeneration()) return; // that instance is already replaced
  let pending;
  try {
    pending = instance.recover(err);
  } catch (e) {
    pending = Promise.reject(e);
  }
  if (!recovering) {
    const p = Promise.resolve(pending).then(() => {}, () => {}).finally(() => {
      if (recovering === p) recovering = null;
    });
    recovering = p;
  }
}

// ---------------------------------------------------------------------------------------------
// Listener errors that nobody handles: reported once per process, never thrown.
let warned = false;
export function warnUnhandled(err, where) {
  if (warned) return;
  warned = true;
  try {
    process.emitWarning(`ws101/node: an exception thrown by a ${where} listener was caught (further ones are not reported): ${err?.stack ?? err}`, "Ws101ListenerWarning");
  } catch {
    // a throwing 'warning' listener must not escape either
  }
}

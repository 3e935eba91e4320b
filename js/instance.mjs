// The one holder of the current wasm-bindgen glue instance.
//
// One wasm32 instance serves every caller of a process. A trap (`RuntimeError: unreachable`, an
// allocation failure under panic=abort, `memory access out of bounds`) leaves it unusable: its
// stack pointer and the borrow flags of the objects in use are never restored. wasm-bindgen's
// `--target web` glue keeps its instance in module state and `initSync` returns early once
// initialised, so a fresh instance needs a fresh copy of the glue module: `import("./ws101.js?
// instance=N")` gives a new module record in Node, Deno and browsers (URLs with different queries
// are different modules; Deno needs read access to the package for it: run with --allow-read, or
// recover() rejects saying so); Bun ignores the query, so there the glue's text is imported again
// as a blob: URL. The copy is instantiated from the WebAssembly.Module compiled at start-up (no
// second compile in Node, Deno and Bun; browsers fetch and compile the .wasm again).
// workerd cannot: its module registry is fixed when the worker is built, so there `recover()`
// rejects and the isolate must be replaced (a thrown error fails the request; redeploy or let
// the runtime evict the isolate). The same holds for bundles that inline the glue.
//
// Interface (js/edge/node.mjs is coded against it):
//   glue          live binding to the current glue namespace (read it at each use, never cache it)
//   generation()  increments on every rebuild
//   isTrap(err)   a wasm trap, or a wasm-bindgen error that only happens after one
//   recover(err)  poison the current instance, call onPoison listeners synchronously with the old
//                 generation, rebuild; a Promise resolved when the new instance is in place
//                 (idempotent per generation: every call before the rebuild gets the same Promise)
//   onPoison(fn)  fn(oldGeneration, err) on every poisoning; returns an unsubscribe function
// The normal path costs nothing: the glue imported statically by the entry is generation 0.
//
// One holder per package copy and process, however many copies of this module are loaded: the
// build bundles this file into ws101's Node entry (node.mjs: one module file for `import "ws101"`,
// docs/BENCHMARKS.md "Cold start") and also ships it alone for the other entries (browser, Deno,
// workerd, ws101/init, ws101/inline). The first copy evaluated creates the holder and registers it
// on globalThis under a symbol named after its glue file's URL (two installs of ws101, or ws101 and
// ws101/handshake, have different ones); every later copy (ws101/init imported after ws101, a test
// importing pkg/instance.mjs) uses that holder, and
// its `glue` / `RawConnection` bindings follow the holder's (ws101/node gets it from the entry
// itself: instance-shared.mjs). Without import.meta.url (a CommonJS
// bundle) the copy keeps a holder of its own.
import * as glue0 from "./ws101.js";

/** The symbol the holder is registered under (instance-shared.mjs builds the same name). */
function holderKey() {
  try {
    return Symbol.for(`ws101 wasm instance ${new URL("./ws101.js", import.meta.url).href}`);
  } catch {
    return null; // no import.meta.url
  }
}

const holder = (() => {
  const key = holderKey();
  const found = key === null ? undefined : globalThis[key];
  if (found !== undefined) return found;
  const created = createHolder();
  if (key !== null) {
    try {
      Object.defineProperty(globalThis, key, { value: created });
    } catch {
      // a frozen global object: this copy keeps its holder to itself
    }
  }
  return created;
})();

/** The holder itself (js/node.mjs hands it to ws101/node: instance-shared.mjs). */
export { holder };

/** The current glue namespace (a live binding: reassigned on rebuild). */
export let glue = holder.glue();

/** The current `RawConnection` class (live): `new RawConnection(…)` builds on the current instance. */
export let RawConnection = holder.RawConnection();

holder.mirror((ns, raw) => {
  glue = ns;
  RawConnection = raw;
});

/** The current instance's memory (read it after construction; it changes on rebuild). */
export function wasmMemory() {
  return glue.wasmMemory();
}

// The runtime entries instantiate the start-up glue through initGlue / initGlueSync rather than
// importing ./ws101.js themselves, so that the build can put the glue into this file
// (scripts/build.sh: one module file fewer to load at start-up; a rebuild still imports a fresh
// copy of ./ws101.js). The rest is documented in createHolder.
export const { initGlue, initGlueSync, generation, onPoison, recover, isPoisoned, configure, deferInit, initDeferred, expectInit, onRebuild, lastRebuildError, initialGlue } = holder;

const TRAP_MESSAGES = [
  "recursive use of an object detected",
  "attempted to take ownership of Rust value while it was borrowed",
  "null pointer passed to rust",
];

/**
 * True for a wasm trap (`WebAssembly.RuntimeError`) and for wasm-bindgen's errors that only
 * happen once a trap left a borrow flag set or a pointer cleared.
 */
export function isTrap(err) {
  try {
    if (err instanceof WebAssembly.RuntimeError) return true;
    if (!(err instanceof Error)) return false;
    const message = err.message;
    return typeof message === "string" && TRAP_MESSAGES.some((m) => message.startsWith(m));
  } catch {
    return false; // a hostile value (throwing getter, revoked Proxy) is not a trap
  }
}

/**
 * A stand-in for the glue class `name` that forwards every use (`new`, statics, `instanceof`) to
 * the class of whatever `glue` is at that moment: while deferred, that first use instantiates.
 */
export function forwardingClass(name, current = () => glue) {
  return new Proxy(function () {}, {
    construct: (_, args) => Reflect.construct(current()[name], args),
    get: (_, key) => Reflect.get(current()[name], key),
    has: (_, key) => Reflect.has(current()[name], key),
  });
}

/**
 * The holder: the current glue namespace and its generation, trap recovery and the entries'
 * initialisation hooks, around `glue0` (the glue imported statically beside it: generation 0).
 */
function createHolder() {
  let glue = glue0;
  let RawConnection = glue0.RawConnection;
  let gen = 0;
  let poisoned = -1;
  let pending = null;
  let rebuildError = null;
  /** How the entry instantiated the .wasm: `(namespace) => void | Promise` for a fresh glue copy. */
  let instantiate = null;
  /** Why this host cannot rebuild (workerd), or null. */
  let unsupported = null;
  let pendingInit = null;
  /** Every glue namespace used so far (a rebuild needs one never instantiated). */
  const copies = new WeakSet([glue0]);
  const poisonListeners = new Set();
  const rebuildListeners = new Set();
  /** The `glue` / `RawConnection` bindings of every copy of this module that uses this holder. */
  const mirrors = new Set();

  function set(ns, raw) {
    glue = ns;
    RawConnection = raw;
    for (const fn of mirrors) fn(ns, raw);
  }

  const deferredGlue = new Proxy({}, {
    get(_, key) {
      initDeferred();
      return glue[key];
    },
  });

  const DeferredRawConnection = forwardingClass("RawConnection", () => glue);

  /**
   * Until `init()`/`initSync()` of `ws101/init` ran (and no other entry initialised the glue), every
   * use of the API fails with this clear error instead of a TypeError from inside the glue.
   */
  const notInitialised = new Proxy({}, {
    get() {
      throw new Error('ws101: call init() or initSync() from "ws101/init" before using the API (or import "ws101", which initialises itself)');
    },
  });

  /** The generation of the current instance: 0 at start, +1 per rebuild. */
  function generation() {
    return gen;
  }

  /** Calls `fn(oldGeneration, err)` whenever an instance is poisoned; returns the unsubscribe function. */
  function onPoison(fn) {
    if (typeof fn !== "function") throw new TypeError("onPoison needs a function");
    poisonListeners.add(fn);
    return () => poisonListeners.delete(fn);
  }

  /**
   * Marks the current instance poisoned, tells the onPoison listeners (synchronously, with the old
   * generation), and builds a fresh instance. Resolves once `glue` points at it; every call made for
   * the same generation gets the same Promise. Rejects where the host cannot rebuild (workerd).
   */
  function recover(err) {
    const old = gen;
    if (poisoned === old && pending) return pending;
    poisoned = old;
    for (const fn of [...poisonListeners]) {
      try {
        fn(old, err);
      } catch {
        // A listener's failure must not stop the others or the rebuild.
      }
    }
    pending = rebuild(old);
    pending.catch(() => {}); // callers that drop the Promise must not get an unhandled rejection
    return pending;
  }

  /** Whether the instance of generation `g` (default: the current one) was poisoned. */
  function isPoisoned(g = gen) {
    return g <= poisoned;
  }

  async function rebuild(old) {
    if (unsupported) throw new Error(`ws101: cannot rebuild the wasm instance here: ${unsupported}`);
    const next = old + 1;
    let ns;
    try {
      // A query makes a new module record: a second copy of the glue with its own instance state.
      const url = new URL(`./ws101.js?instance=${next}`, import.meta.url).href;
      ns = await import(/* @vite-ignore */ /* webpackIgnore: true */ url);
      if (copies.has(ns)) {
        // Bun keys file modules by path (it ignores the query): import the glue's text as a blob.
        const text = await (await fetch(new URL("./ws101.js", import.meta.url))).text();
        const blob = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
        try {
          ns = await import(/* @vite-ignore */ /* webpackIgnore: true */ blob);
        } finally {
          URL.revokeObjectURL(blob);
        }
      }
      if (copies.has(ns) || typeof ns.initSync !== "function") throw new Error("the glue module was not copied");
      copies.add(ns);
      if (instantiate) await instantiate(ns);
      else await ns.default();
    } catch (e) {
      rebuildError = e;
      pending = null; // a later recover() may try again
      throw new Error(`ws101: rebuilding the wasm instance failed: ${e?.message ?? e}`, { cause: e });
    }
    guardFree(ns, next);
    set(ns, ns.RawConnection);
    gen = next;
    rebuildError = null;
    for (const fn of [...rebuildListeners]) {
      try {
        fn(ns, next);
      } catch {
        // internal listeners only (api.mjs); they do not throw
      }
    }
  }

  /**
   * For the runtime entries only: how a fresh glue copy is instantiated (`(ns) => ns.initSync({
   * module })` with the start-up Module), or `{ unsupported: "why" }` where no copy can be made.
   */
  function configure(options) {
    instantiate = options.instantiate ?? null;
    unsupported = options.unsupported ?? null;
    if (glue === notInitialised) set(glue0, glue0.RawConnection);
  }

  /**
   * For entries that instantiate on first use (js/node.mjs): until `ready()` ran, `glue` and
   * `RawConnection` are stand-ins whose first touch calls it (it compiles and instantiates
   * synchronously, or finds the background compile done) and then become the real glue, so the
   * calls after the first cost nothing extra. `initDeferred()` runs it early (the entry calls it
   * when its background compile finishes); a failure is thrown to the caller that needed the glue.
   */
  function deferInit(ready) {
    pendingInit = ready;
    set(deferredGlue, DeferredRawConnection);
  }

  /** Runs the deferred initialisation now (once; a failed attempt is tried again at the next use). */
  function initDeferred() {
    const ready = pendingInit;
    if (ready === null) return;
    ready();
    pendingInit = null;
    if (glue === deferredGlue) set(glue0, glue0.RawConnection);
  }

  /** For js/init.mjs: the glue has not been instantiated yet (unless another entry did it). */
  function expectInit() {
    if (pendingInit !== null) return; // an entry imported before (js/node.mjs) initialises on first use
    try {
      glue0.wasmMemory();
    } catch {
      set(notInitialised, class {
        constructor() {
          notInitialised.RawConnection;
        }
        static afterHandshake() {
          return notInitialised.RawConnection;
        }
        static recordLayout() {
          return notInitialised.RawConnection;
        }
      });
    }
  }

  /**
   * For api.mjs only: the glue namespace of generation 0, its classes usable before it is
   * instantiated (`glue` may then still be a stand-in: ws101/init waiting for init(), or an entry
   * that instantiates on first use).
   */
  function initialGlue() {
    return glue0;
  }

  /** For api.mjs only: `fn(namespace, generation)` after every rebuild. */
  function onRebuild(fn) {
    rebuildListeners.add(fn);
    return () => rebuildListeners.delete(fn);
  }

  /** The last rebuild failure, or null (diagnostics). */
  function lastRebuildError() {
    return rebuildError;
  }

  /**
   * `free()` of a glue object must never throw: after a trap inside one of its methods its borrow
   * flag stays set and wasm-bindgen's free throws "attempted to take ownership …". On a poisoned
   * generation free only detaches the JS object (the old instance is garbage anyway); a trap-shaped
   * failure of a live one poisons the instance instead of escaping.
   */
  function guardFree(ns, g) {
    // Classes only (their names are capitalised): in a bundle each read of the namespace is a
    // getter, ~100 of them compiled at import if every export were read.
    for (const name of Object.keys(ns)) {
      if (!(name[0] >= "A" && name[0] <= "Z")) continue;
      const cls = ns[name];
      const proto = typeof cls === "function" ? cls.prototype : null;
      if (!proto || typeof proto.free !== "function" || typeof proto.__destroy_into_raw !== "function") continue;
      const free = proto.free;
      const safeFree = function free_() {
        if (isPoisoned(g)) {
          try {
            this.__destroy_into_raw();
          } catch {
            // not a glue object
          }
          return;
        }
        try {
          free.call(this);
        } catch (e) {
          if (!isTrap(e)) throw e;
          recover(e);
        }
      };
      Object.defineProperty(proto, "free", { value: safeFree, writable: true, configurable: true });
      if (typeof Symbol.dispose === "symbol" && typeof proto[Symbol.dispose] === "function") {
        Object.defineProperty(proto, Symbol.dispose, { value: safeFree, writable: true, configurable: true });
      }
    }
  }

  guardFree(glue0, 0);

  return {
    glue: () => glue,
    RawConnection: () => RawConnection,
    /** `fn(glue, RawConnection)` whenever they change (a copy of this module keeps its bindings current). */
    mirror: (fn) => mirrors.add(fn),
    initGlue: (...args) => glue0.default(...args),
    initGlueSync: (...args) => glue0.initSync(...args),
    generation, onPoison, recover, isPoisoned, configure, deferInit, initDeferred, expectInit, onRebuild, lastRebuildError, initialGlue,
    isTrap,
  };
}

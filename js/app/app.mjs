// One WebSocket app, written once: the handshake policy ws101's core applies, and the hooks
// every runtime adapter calls (ws101/app/node, /bun, /deno, /workers).
//   defineApp({ protocols, upgrade, open, message, close, error, drain })
// `app.publish(topic, data)` reaches a topic's subscribers from outside any peer, through the
// adapter the app is running on.
export { Message } from "./message.mjs";
export { Peer } from "./peer.mjs";
import { checkTopic } from "./peer.mjs";
import { outgoing } from "./message.mjs";

const HOOKS = ["upgrade", "open", "message", "close", "error", "drain"];
// The server policy's keys (ServerOptions); perMessageDeflate applies where ws101 frames (Node).
const POLICY = ["protocols", "requireProtocol", "origins", "requireOrigin", "maxHeaderBytes", "maxHeaders", "perMessageDeflate"];

/** The adapters an app runs on (each with `publish(topic, data, binary)`). */
export const engines = Symbol("ws101.app.engines");

export function defineApp(definition) {
  if (definition === null || typeof definition !== "object") throw new TypeError("defineApp takes an object of hooks and options");
  const hooks = {};
  const policy = {};
  for (const [key, value] of Object.entries(definition)) {
    if (HOOKS.includes(key)) {
      if (value !== undefined && typeof value !== "function") throw new TypeError(`hook ${key} must be a function`);
      hooks[key] = value;
    } else if (POLICY.includes(key)) {
      policy[key] = value;
    } else {
      throw new TypeError(`unknown app option: ${key} (hooks: ${HOOKS.join(", ")}; options: ${POLICY.join(", ")})`);
    }
  }
  // ws101 chooses a subprotocol only from `protocols`: none listed, none answered.
  policy.protocols ??= [];
  const running = new Set();
  return Object.freeze({
    hooks: Object.freeze(hooks),
    policy: Object.freeze(policy),
    [engines]: running,
    /** Sends to every subscriber of `topic` on the adapter(s) this app runs on. */
    publish(topic, data) {
      checkTopic(topic);
      const { data: payload, binary } = outgoing(data);
      if (running.size === 0) throw new Error("app.publish: the app is not running on any adapter yet");
      for (const engine of running) engine.publish(topic, payload, binary);
    },
  });
}

/**
 * Calls a hook; a throw or a rejected promise goes to the `error` hook (and, failing that, is
 * dropped: an app's bug must not end the process of a server with many peers).
 */
export function callHook(app, name, peer, ...args) {
  const hook = app.hooks[name];
  if (!hook) return;
  const report = (error) => {
    if (name !== "error" && app.hooks.error) callHook(app, "error", peer, error);
  };
  try {
    const result = hook(peer, ...args);
    if (result && typeof result.then === "function") return Promise.resolve(result).catch(report);
  } catch (error) {
    report(error);
  }
}

/**
 * Output a peer may have waiting before sends to it are dropped: Bun's own default
 * (`backpressureLimit`, 16 MiB), so that a peer which stops reading costs a server on Node or
 * Deno at most this plus one message, as on Bun, however much others publish to it.
 */
export const BACKPRESSURE_LIMIT = 16 * 1024 * 1024;

/** The adapters' `backpressureLimit` option: bytes, a non-negative number (Infinity: no limit). */
export function backpressureLimit(value, adapter) {
  if (value === undefined) return BACKPRESSURE_LIMIT;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) throw new TypeError(`${adapter} option backpressureLimit must be a non-negative number of bytes (Infinity: no limit), got ${typeof value === "number" ? value : typeof value}`);
  return value;
}

// Echo servers as child processes on 127.0.0.1, and what the tests read from them from outside:
// liveness, exit status, output, and memory (/proc/PID/status VmRSS and VmHWM; wasm memory is
// part of RSS once touched, and the process is the unit a peer can kill).
//
//   startEcho()                         → node examples/node/echo.mjs   (the ws101/node echo server)
//   startEcho({ impl: "ws" })           → tests/robust/support/echo-server.mjs --impl ws (npm `ws`, same contract)
//   startEcho({ impl, path: "/chat" })  → tests/robust/support/echo-server.mjs --impl … --path /chat
import { spawn } from "node:child_process";
import fs from "node:fs";
import { freePort } from "../../support/process.mjs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const ECHO_EXAMPLE = path.join(ROOT, "examples/node/echo.mjs");
export const ECHO_SUPPORT = path.join(ROOT, "tests/robust/support/echo-server.mjs");
export const KiB = 1024;
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

// A free TCP port on 127.0.0.1 (echo.mjs needs a concrete PORT: 0 would print "listening on …:0").
export { freePort };

/** VmRSS and VmHWM (peak RSS) of a process in bytes, or null once it is gone. */
export function memoryOf(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const field = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { rss: field("VmRSS"), hwm: field("VmHWM") };
}

/**
 * Samples a process's RSS every `intervalMs`: `samples` ([{ t, rss }]), `max`, `stop()`.
 * The peak between samples is in VmHWM (`memoryOf(pid).hwm`). For a child just spawned, pass
 * `immediate: false` (the first sample would be the parent's, copied by fork before exec).
 */
export function sampleMemory(pid, intervalMs = 250, { immediate = true } = {}) {
  const start = performance.now();
  const sampler = {
    samples: [],
    max: 0,
    last: 0,
    take() {
      const m = memoryOf(pid);
      if (!m) return;
      sampler.samples.push({ t: performance.now() - start, rss: m.rss });
      sampler.last = m.rss;
      sampler.max = Math.max(sampler.max, m.rss, m.hwm);
    },
    stop() {
      clearInterval(timer);
      sampler.take();
      return sampler;
    },
  };
  const timer = setInterval(() => sampler.take(), intervalMs);
  // Not right after spawn(): until the child execs, /proc shows the parent's copied memory.
  if (immediate) sampler.take();
  return sampler;
}

export const fmtMiB = (bytes) => `${(bytes / MiB).toFixed(0)} MiB`;

/**
 * Starts an echo server child on a free port and waits for its "listening on" line.
 * @param {{ impl?: "ws101" | "ws", path?: string, nodeArgs?: string[], readyMs?: number }} [options]
 */
export async function startEcho({ impl = "ws101", path: wsPath, nodeArgs = [], readyMs = 20_000 } = {}) {
  const port = await freePort();
  const script = impl === "ws101" && !wsPath ? [ECHO_EXAMPLE] : [ECHO_SUPPORT, "--impl", impl, ...(wsPath ? ["--path", wsPath] : [])];
  const child = spawn(process.execPath, [...nodeArgs, ...script], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (d) => {
    output += d;
    if (output.length > 64 * KiB) output = output.slice(-32 * KiB); // bounded: the tail tells how it died
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exit = null;
  // Never leave a server behind, even when the test process ends abruptly (a timeout, a crash).
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  const exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      process.off("exit", reap);
      resolve((exit = { code, signal }));
    }),
  );
  const server = {
    impl,
    port,
    pid: child.pid,
    child,
    url: `ws://127.0.0.1:${port}${wsPath ?? "/"}`,
    exited,
    output: () => output,
    /** null while running, else { code, signal } */
    exit: () => exit,
    alive: () => exit === null && child.exitCode === null && child.signalCode === null,
    memory: () => memoryOf(child.pid),
    /** One line for assertion messages: how the child ended and the tail of its output. */
    describe() {
      const how = exit ? `exited with code ${exit.code} signal ${exit.signal}` : "still running";
      const tail = output.trim().split("\n").slice(-12).join("\n");
      return `${impl} echo server (pid ${child.pid}, port ${port}) ${how}; output tail:\n${tail}`;
    },
    async stop() {
      if (!server.alive()) return exit;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
      return exit;
    },
  };
  const deadline = Date.now() + readyMs;
  while (!/listening on http:\/\/127\.0\.0\.1:\d+/.test(output)) {
    if (!server.alive()) throw new Error(`echo server did not start: ${server.describe()}`);
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`echo server printed no "listening on" line within ${readyMs} ms: ${server.describe()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return server;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `predicate()` is true, polling every `every` ms; rejects after `ms`. */
export async function until(predicate, ms, what, every = 20) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** Starts `script` (a path under the repo) with PORT set; resolves when it prints "listening on". */
export async function startScript(script, { args = [], env = {}, ready = /listening on/ } = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, PORT: String(port), ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (d) => {
    output += d;
    if (output.length > 64 * 1024) output = output.slice(-32 * 1024);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exit = null;
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => {
    process.off("exit", reap);
    resolve((exit = { code, signal }));
  }));
  const proc = {
    port,
    pid: child.pid,
    output: () => output,
    alive: () => exit === null,
    describe: () => `${script} (pid ${child.pid}) ${exit ? `exited ${JSON.stringify(exit)}` : "running"}; output tail:\n${output.trim().split("\n").slice(-12).join("\n")}`,
    async stop() {
      if (exit) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 20_000;
  while (!ready.test(output)) {
    if (exit) throw new Error(`did not start: ${proc.describe()}`);
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`no ready line: ${proc.describe()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return proc;
}

// Starts an app directory's launchers (node.mjs, bun.ts, deno.ts, workerd.capnp) on loopback:
// each reads PORT; Node, Bun and Deno print exactly `listening on http://127.0.0.1:PORT`.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort, start, waitForHttp } from "../support/process.mjs";

export const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = {
  node: process.execPath,
  bun: `${root}node_modules/bun/bin/bun.exe`,
  deno: `${root}node_modules/.bin/deno`,
  workerd: `${root}node_modules/.bin/workerd`,
};
export const RUNTIMES = Object.keys(bin);

/**
 * @param {"node"|"bun"|"deno"|"workerd"} name
 * @param {string} dir  relative to the repository root
 * @param {Record<string, string>} [extraEnv]
 */
export async function startRuntime(name, dir, extraEnv = {}) {
  assert.ok(existsSync(bin[name]), `${name} missing: run scripts/bootstrap.sh`);
  const port = await freePort();
  const env = { ...process.env, ...extraEnv, PORT: String(port), DENO_NO_UPDATE_CHECK: "1" };
  const commands = {
    node: [["node.mjs"], `${root}${dir}`],
    bun: [["run", "bun.ts"], `${root}${dir}`],
    deno: [["run", "--allow-net=127.0.0.1", "--allow-env=PORT", "deno.ts"], `${root}${dir}`],
    workerd: [["serve", `${dir}/workerd.capnp`, "--socket-addr", `http=127.0.0.1:${port}`], root],
  };
  const [args, cwd] = commands[name];
  const proc = start(bin[name], args, { cwd, env });
  const base = `http://127.0.0.1:${port}`;
  if (name === "workerd") {
    await waitForHttp(`${base}/`, 30000, proc);
  } else {
    const deadline = Date.now() + 30000;
    while (!proc.output().split("\n").includes(`listening on ${base}`)) {
      if (Date.now() > deadline || proc.child.exitCode !== null) {
        await proc.stop();
        throw new Error(`${name} did not start:\n${proc.output()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { name, port, base, ws: base.replace("http", "ws"), proc, stop: () => proc.stop() };
}

// Node beyond one process: two Node processes run the same app with their topics in Redis (a
// real redis-server started here on 127.0.0.1). Every subscriber, on either process, gets each
// message once, in order, with its type; excludeSelf and app.publish cross processes too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "redis";
import { freePort, start } from "../support/process.mjs";
import { client } from "./clients.mjs";
import { startRuntime } from "./runtimes.mjs";

async function startRedis(stops) {
  const port = await freePort();
  const proc = start("redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"]);
  stops.push(() => proc.stop());
  const deadline = Date.now() + 20000;
  while (!/Ready to accept connections/.test(proc.output())) {
    if (Date.now() > deadline || proc.child.exitCode !== null) throw new Error(`redis-server did not start:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return `redis://127.0.0.1:${port}`;
}

/** Waits until `count` processes are subscribed to the room's channel (PUBSUB NUMSUB). */
async function subscribers(redis, channel, count) {
  for (;;) {
    const numbers = await redis.pubSubNumSub(channel); // { [channel]: n }
    if (Number(numbers[channel]) === count) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("node + redis: topics across two processes", { timeout: 120_000 }, async (t) => {
  const stops = []; // run last-started first: the servers, the test's client, then redis-server
  t.after(async () => {
    for (const stop of stops.reverse()) await stop();
  });
  const url = await startRedis(stops);
  const redis = createClient({ url });
  await redis.connect();
  stops.push(() => redis.quit());
  const one = await startRuntime("node", "tests/app/fixture", { REDIS_URL: url });
  stops.push(() => one.stop());
  const two = await startRuntime("node", "tests/app/fixture", { REDIS_URL: url });
  stops.push(() => two.stop());
  const room = `room-${process.pid}`;
  const a1 = await client(`${one.ws}/chat/${room}`);
  const a2 = await client(`${one.ws}/chat/${room}`);
  const b1 = await client(`${two.ws}/chat/${room}`);
  await subscribers(redis, `ws101:${room}`, 2); // one subscription per process, not per peer

  await t.test("every peer on both processes gets each message once, in order, with its type", async () => {
    const N = 60;
    for (let i = 0; i < N; i++) {
      a1.send(i % 2 ? Buffer.from([1, i]) : `a1:${i}`);
      b1.send(i % 2 ? Buffer.from([2, i]) : `b1:${i}`);
    }
    for (const peer of [a1, a2, b1]) {
      const next = { 1: 0, 2: 0 };
      for (let m = 0; m < 2 * N; m++) {
        const { data, isBinary } = await peer.nextOwn();
        const [k, i] = isBinary ? [data[0], data[1]] : [data.startsWith("a1") ? 1 : 2, Number(data.split(":")[1])];
        assert.equal(isBinary, i % 2 === 1);
        assert.equal(i, next[k]++, `sender ${k}: once and in order`);
      }
    }
  });

  await t.test("excludeSelf and app.publish cross processes; the sender's process delivers once", async () => {
    a1.send("!excl not for a1");
    for (const peer of [a2, b1]) assert.deepEqual(await peer.nextOwn(), { data: "not for a1", isBinary: false });
    const res = await fetch(`${two.base}/publish/${room}`, { method: "POST", body: "from process two" });
    assert.equal(res.status, 200);
    for (const peer of [a1, a2, b1]) assert.deepEqual(await peer.nextOwn(), { data: "from process two", isBinary: false });
    a1.send("!info");
    assert.equal(JSON.parse((await a1.nextOwn()).data).context.room, room, "a1 got neither its excluded message nor a second copy");
  });

  await t.test("the last peer of a process leaving unsubscribes that process", async () => {
    b1.close();
    await b1.closed;
    await subscribers(redis, `ws101:${room}`, 1);
    a1.send("still here");
    assert.deepEqual(await a2.nextOwn(), { data: "still here", isBinary: false });
  });
  a1.close();
  a2.close();
});

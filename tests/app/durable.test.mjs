// Workers as the distributed engine, in local workerd: a room's peers live in its Durable Object
// through the Hibernation API. workerd evicts an object idle for about 10 s (as Cloudflare does);
// the next message then meets a new instance, and the peer's context and topics (from its
// socket's attachment, not from memory) are all still there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client } from "./clients.mjs";
import { startRuntime } from "./runtimes.mjs";

test("workerd: context and topics survive the room object's eviction (hibernation)", { timeout: 120_000 }, async (t) => {
  const server = await startRuntime("workerd", "tests/app/fixture");
  t.after(() => server.stop());
  const url = `${server.ws}/chat/hibernate-${process.pid}`;
  const a = await client(url, ["chat"]);
  const b = await client(url);
  const info = async () => {
    a.send("!info");
    return JSON.parse((await a.nextOwn()).data);
  };
  a.send("!set nick alice");
  a.send("!join late-topic"); // subscribed after open: not a tag, found by the scan
  const before = await info();
  assert.deepEqual(before.context, { room: `hibernate-${process.pid}`, offered: "chat", nick: "alice" });
  assert.deepEqual(before.topics, [`hibernate-${process.pid}`, "late-topic"]);

  await t.test("an application-level ping is answered by the runtime (setWebSocketAutoResponse), not published", async () => {
    a.send("ping?");
    assert.deepEqual(await a.nextOwn(), { data: "pong!", isBinary: false });
    a.send("marker");
    assert.deepEqual(await b.nextOwn(), { data: "marker", isBinary: false }, "the room never saw ping?");
    assert.deepEqual(await a.nextOwn(), { data: "marker", isBinary: false });
  });

  await t.test("after eviction a fresh instance finds id, protocol, context and topics in the attachment", async () => {
    // wait out workerd's idle eviction (10 s); a busy machine may need another round
    let after;
    for (let round = 0; round < 4; round++) {
      await new Promise((r) => setTimeout(r, 11_000));
      after = await info();
      if (after.instance !== before.instance) break;
    }
    assert.notEqual(after.instance, before.instance, "workerd evicted the idle object: a new instance handled the message");
    assert.equal(after.id, before.id);
    assert.equal(after.protocol, "chat");
    assert.deepEqual(after.context, before.context);
    assert.deepEqual(after.topics, before.topics);
    b.send("!say late-topic after the nap");
    assert.deepEqual(await a.nextOwn(), { data: "after the nap", isBinary: false }, "a topic joined after open still reaches the peer");
    b.send("to the room");
    assert.deepEqual(await a.nextOwn(), { data: "to the room", isBinary: false }, "the room's tag still reaches the peer");
  });

  await t.test("a context the attachment cannot hold (workerd: 16 KiB) goes to the error hook; the saved one stays", async () => {
    a.send(`!set big ${"x".repeat(17_000)}`);
    assert.match((await a.nextOwn()).data, /^error: .*attachment.*16384 bytes/);
    assert.deepEqual((await info()).context, before.context);
  });

  await t.test("a context from the upgrade hook that no attachment can hold ends the connection with 1011", async () => {
    const big = await client(`${url}?big`);
    assert.deepEqual(await big.closed, { code: 1011, reason: "context not storable", wasClean: true });
  });
  a.close();
  b.close();
});

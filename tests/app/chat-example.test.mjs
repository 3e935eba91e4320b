// examples/chat, the contract outside checks use, on Node, Bun, Deno and workerd: PORT, the
// exact `listening on` line (startRuntime waits for it), `chat` only when offered, and every
// message to every peer of the room, the sender included, unchanged and with its type.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, fieldValues, rawUpgrade } from "./clients.mjs";
import { RUNTIMES, startRuntime } from "./runtimes.mjs";

for (const name of RUNTIMES) {
  test(`${name}: examples/chat`, { timeout: 120_000 }, async (t) => {
    const server = await startRuntime(name, "examples/chat");
    t.after(() => server.stop());

    await t.test("GET /chat/<room> upgrades; `chat` only when offered, no Sec-WebSocket-Protocol otherwise", async () => {
      for (const [offer, chosen] of [["", null], ["Sec-WebSocket-Protocol: nope\r\n", null], ["Sec-WebSocket-Protocol: nope, chat\r\n", "chat"], ["Sec-WebSocket-Protocol: chat\r\n", "chat"]]) {
        const head = await rawUpgrade(server.port, "/chat/lobby", offer);
        assert.match(head, /^HTTP\/1\.1 101 /);
        assert.deepEqual(fieldValues(head, "sec-websocket-protocol"), chosen ? [chosen] : [], offer);
      }
      assert.doesNotMatch(await rawUpgrade(server.port, "/elsewhere"), /^HTTP\/1\.1 101 /);
    });

    await t.test("every message reaches every peer of its room, the sender included, unchanged and with its type", async () => {
      const room = `${server.ws}/chat/room-${process.pid}`;
      const a = await client(room, ["chat"]);
      const b = await client(room);
      const other = await client(`${server.ws}/chat/other-${process.pid}`);
      const messages = [["héllo ✓", false], [Buffer.from([0, 1, 2, 255]), true], ["", false], [Buffer.alloc(70000, 7), true]];
      for (const [data] of messages) a.send(data);
      for (const peer of [a, b]) {
        for (const [data, isBinary] of messages) {
          const got = await peer.next();
          assert.equal(got.isBinary, isBinary);
          assert.ok(isBinary ? got.data.equals(data) : got.data === data);
        }
      }
      b.send("from b"); // one sender's messages keep their order; two senders' interleave
      for (const peer of [a, b]) assert.deepEqual(await peer.next(), { data: "from b", isBinary: false });
      other.send("only here");
      assert.deepEqual(await other.next(), { data: "only here", isBinary: false }, "rooms are apart");
      for (const peer of [a, b, other]) peer.close();
    });
  });
}

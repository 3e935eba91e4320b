// Review (branch review2): views: true holds an incomplete frame in JS; a frame whose header is
// split across chunks is held as "14 bytes needed" and the core is not asked again until 14
// bytes arrived, though a small frame may be complete with fewer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Connection } from "../../pkg/node.mjs";

for (const split of [1, 2, 3, 5]) {
  test(`views: a small masked frame split after ${split} header bytes is delivered when its last byte arrives`, { todo: "review finding: stalls until 14 bytes after the split" }, () => {
    const client = new Connection({ role: "client" });
    const server = new Connection({ role: "server", views: true });
    const copying = new Connection({ role: "server" });
    const sent = client.sendText("hi");
    const wire = Array.isArray(sent) ? Buffer.concat(sent) : Buffer.from(sent);
    assert.equal(wire.length, 8); // 2 + 4 (mask) + 2
    const events = [...server.receive(wire.subarray(0, split)), ...server.receive(wire.subarray(split))];
    const expected = [...copying.receive(wire.subarray(0, split)), ...copying.receive(wire.subarray(split))];
    assert.deepEqual(expected.map((e) => e.data), ["hi"]);
    assert.deepEqual(events.map((e) => e.data), ["hi"]);
  });
}

test("views: a ping whose header is split is answered without waiting for more bytes", { todo: "review finding: the ping waits for 14 bytes" }, () => {
  const server = new Connection({ role: "server", views: true });
  const ping = Buffer.from([0x89, 0x80, 1, 2, 3, 4]); // masked empty ping
  const events = [...server.receive(ping.subarray(0, 1)), ...server.receive(ping.subarray(1))];
  assert.deepEqual(events.map((e) => e.type), ["ping"]);
});

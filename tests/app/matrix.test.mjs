// One client suite against one app (tests/app/fixture/app.mjs) on every runtime: ws101/node,
// Bun (Bun.serve), Deno (Deno.serve) and workerd (a Durable Object per room). Clients: the `ws`
// client, Chromium's WebSocket (playwright-core) and Python `websockets`.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { client, fieldValues, rawUpgrade } from "./clients.mjs";
import { RUNTIMES, root, startRuntime } from "./runtimes.mjs";

const run = promisify(execFile);
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
// Where `drain` exists: Node (the socket's 'drain'), Bun (its websocket.drain), Deno (its
// bufferedAmount, watched by the adapter). Workers expose no buffered amount: never called there.
const HAS_DRAIN = new Set(["node", "bun", "deno"]);
// peer.terminate(): an abortive close where the runtime has one; Workers have none (1011 instead).
const TERMINATE = { node: 1006, bun: 1006, deno: null, workerd: 1011 };

let browser;
before(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
});

let rooms = 0;
const room = (name) => `${name}-${process.pid}-${++rooms}`;

for (const name of RUNTIMES) {
  test(`${name}: the app's contract`, { timeout: 180_000 }, async (t) => {
    const server = await startRuntime(name, "tests/app/fixture");
    t.after(() => server.stop());
    const url = (r) => `${server.ws}/chat/${r}`;

    await t.test("Sec-WebSocket-Protocol: exactly one, in the server's preference order, never one not offered", async () => {
      const cases = [
        ["", null], ["Sec-WebSocket-Protocol: nope\r\n", null], ["Sec-WebSocket-Protocol: nope, other\r\n", null],
        ["Sec-WebSocket-Protocol: nope, chat\r\n", "chat"], ["Sec-WebSocket-Protocol: chat, chat.v2\r\n", "chat.v2"],
        ["Sec-WebSocket-Protocol: chat,chat.v2\r\n", "chat.v2"], ["Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat.v2\r\n", "chat.v2"],
      ];
      for (const [offer, chosen] of cases) {
        const head = await rawUpgrade(server.port, `/chat/${room("p")}`, offer);
        assert.match(head, /^HTTP\/1\.1 101 /, offer);
        assert.deepEqual(fieldValues(head, "sec-websocket-protocol"), chosen ? [chosen] : [], `offer ${JSON.stringify(offer)}: ${head}`);
        assert.equal(fieldValues(head, "x-room").length, 1, "the upgrade hook's header"); // accepted with the app's headers
      }
    });

    await t.test("the upgrade hook refuses with its own Response; ws101 refuses a bad handshake", async () => {
      const forbidden = await rawUpgrade(server.port, "/chat/forbidden");
      assert.match(forbidden, /^HTTP\/1\.1 403 /);
      assert.deepEqual(fieldValues(forbidden, "x-refused-by"), ["app"]);
      assert.match(await rawUpgrade(server.port, "/elsewhere"), /^HTTP\/1\.1 404 /);
      const badVersion = await rawUpgrade(server.port, `/chat/${room("v")}`, "Sec-WebSocket-Version: 8\r\n");
      assert.match(badVersion, /^HTTP\/1\.1 (426|400) /); // two Sec-WebSocket-Version fields: refused
    });

    await t.test("ws client: publish reaches every subscriber once and in order; types kept; excludeSelf; app.publish", async () => {
      const r = room("pub");
      const peers = [await client(url(r), ["chat"]), await client(url(r)), await client(url(r), ["chat.v2", "chat"])];
      assert.deepEqual(peers.map((p) => p.protocol), ["chat", "", "chat.v2"]);
      const N = 40;
      for (let i = 0; i < N; i++) {
        peers.forEach((p, k) => p.send(i % 2 ? Buffer.from([k, i]) : `s${k}:${i}`));
      }
      for (const p of peers) {
        const next = [0, 0, 0];
        for (let m = 0; m < N * peers.length; m++) {
          const { data, isBinary } = await p.nextOwn();
          const [k, i] = isBinary ? [data[0], data[1]] : data.slice(1).split(":").map(Number);
          assert.equal(isBinary, i % 2 === 1, "binary stays binary, text stays text");
          assert.equal(i, next[k]++, `from peer ${k}: once and in order`);
        }
      }
      peers[0].send("!excl not to myself");
      peers[0].send("!info");
      assert.equal(JSON.parse((await peers[0].nextOwn()).data).context.room, r, "excludeSelf: the sender got its own info next");
      for (const p of peers.slice(1)) assert.deepEqual(await p.nextOwn(), { data: "not to myself", isBinary: false });
      const res = await fetch(`${server.base}/publish/${r}`, { method: "POST", body: "from outside" });
      assert.equal(res.status, 200);
      for (const p of peers) assert.deepEqual(await p.nextOwn(), { data: "from outside", isBinary: false });
      for (const p of peers) p.close();
    });

    await t.test("peer: id, protocol, context from the upgrade hook, topics, request; unsubscribe", async () => {
      const r = room("info");
      const a = await client(url(r), ["chat"]);
      a.send("!info");
      const info = JSON.parse((await a.nextOwn()).data);
      assert.equal(typeof info.id, "string");
      assert.equal(info.protocol, "chat");
      assert.deepEqual(info.context, { room: r, offered: "chat" });
      assert.deepEqual(info.topics, [r]);
      assert.equal(new URL(info.url).pathname, `/chat/${r}`);
      if (name === "workerd") assert.equal(info.remoteAddress, null, "no CF-Connecting-IP in local workerd");
      else assert.match(info.remoteAddress, /^(::ffff:)?127\.0\.0\.1$/);
      a.send("!leave");
      a.send("!info");
      assert.deepEqual(JSON.parse((await a.nextOwn()).data).topics, []);
      a.send("to nobody");
      a.send("!info");
      assert.deepEqual(JSON.parse((await a.nextOwn()).data).topics, [], "not subscribed: its own message did not come back");
      a.close();
    });

    await t.test("closing: the client's code is answered and both sides see wasClean; 1005 and 1006 as the Web API has them", async () => {
      const r = room("close");
      const observer = await client(url(r));
      const report = async () => {
        for (;;) {
          const { data } = await observer.next();
          if (data.startsWith('{"closed"')) return JSON.parse(data).closed;
        }
      };
      const a = await client(url(r));
      a.close(4001, "bye");
      assert.deepEqual(await a.closed, { code: 4001, reason: "bye", wasClean: true });
      assert.deepEqual(pick(await report()), { code: 4001, reason: "bye", wasClean: true });
      const b = await client(url(r));
      b.close();
      assert.deepEqual(await b.closed, { code: 1005, reason: "", wasClean: true });
      assert.deepEqual(pick(await report()), { code: 1005, reason: "", wasClean: true });
      const c = await client(url(r));
      c.send("!close 4002 server bye");
      assert.deepEqual(await c.closed, { code: 4002, reason: "server bye", wasClean: true });
      assert.deepEqual(pick(await report()), { code: 4002, reason: "server bye", wasClean: true });
      const e = await client(url(r));
      e.send("!close");
      assert.deepEqual(await e.closed, { code: 1005, reason: "", wasClean: true }, "peer.close() with no code: a Close without a body");
      assert.deepEqual(pick(await report()), { code: 1005, reason: "", wasClean: true });
      const d = await client(url(r));
      d.terminate();
      const gone = pick(await report());
      assert.equal(gone.code, 1006);
      assert.equal(gone.wasClean, false);
      observer.close();
    });

    await t.test("Chromium's WebSocket: preference order, types, close codes and wasClean", async () => {
      const page = await browser.newPage();
      try {
        const seen = await page.evaluate(async (target) => {
          const open = (protocols) => new Promise((resolve, reject) => {
            const ws = new WebSocket(target, protocols);
            ws.binaryType = "arraybuffer";
            ws.onopen = () => resolve(ws);
            ws.onerror = () => reject(new Error("WebSocket error"));
          });
          const next = (ws) => new Promise((resolve) => { ws.onmessage = (e) => resolve(e.data); });
          const closed = (ws) => new Promise((resolve) => { ws.onclose = (e) => resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean }); });
          const out = {};
          const a = await open(["chat", "chat.v2"]);
          out.protocol = a.protocol;
          let got = next(a);
          a.send("hi");
          out.text = typeof (await got);
          got = next(a);
          a.send(new Uint8Array([1, 2, 255]));
          const bytes = await got;
          out.binary = [bytes instanceof ArrayBuffer, [...new Uint8Array(bytes)]];
          let c = closed(a);
          a.close(4004, "from chromium");
          out.clientClose = await c;
          const b = await open([]);
          out.none = b.protocol;
          c = closed(b);
          b.close();
          out.noCode = await c;
          // Chromium fails a connection whose 101 names no subprotocol when it offered some
          // (RFC 6455 §4.1 lets it): the server chose none and invented none
          out.unoffered = await open(["nope"]).then((ws) => ws.protocol, (error) => error.message);
          const d = await open(["chat"]);
          c = closed(d);
          d.send("!close 4005 server");
          out.serverClose = await c;
          const e = await open([]);
          c = closed(e);
          e.send("!terminate");
          out.terminate = await c;
          return out;
        }, url(room("chromium")));
        assert.equal(seen.protocol, "chat.v2");
        assert.equal(seen.text, "string");
        assert.deepEqual(seen.binary, [true, [1, 2, 255]]);
        assert.deepEqual(seen.clientClose, { code: 4004, reason: "from chromium", wasClean: true });
        assert.equal(seen.none, "");
        assert.deepEqual(seen.noCode, { code: 1005, reason: "", wasClean: true });
        assert.equal(seen.unoffered, "WebSocket error");
        assert.deepEqual(seen.serverClose, { code: 4005, reason: "server", wasClean: true });
        if (TERMINATE[name] === 1006) assert.deepEqual(seen.terminate, { code: 1006, reason: "", wasClean: false });
        else if (TERMINATE[name] === 1011) assert.equal(seen.terminate.code, 1011);
      } finally {
        await page.close();
      }
    });

    await t.test("Python websockets: preference order, types, the Close answered with its code", async () => {
      const { stdout } = await run("python3", [`${root}tests/app/client.py`, url(room("python"))]);
      const seen = JSON.parse(stdout);
      assert.equal(seen.protocol, "chat.v2");
      assert.deepEqual(seen.text, ["str", "hello from python"]);
      assert.deepEqual(seen.binary, ["bytes", [0, 1, 255]]);
      assert.deepEqual(seen.closeSent, [4003, "py"]);
      assert.deepEqual(seen.closeReceived, [4003, "py"]);
      assert.equal(seen.unoffered, null);
    });

    await t.test(HAS_DRAIN.has(name) ? "backpressure: bufferedAmount grows and drain follows" : "no drain event here: every message still arrives, drain is never called", async () => {
      const a = await client(url(room("flood")));
      const COUNT = 12, SIZE = 1 << 20;
      a.pause(); // nothing read: the server's output has to wait
      a.send(`!flood ${COUNT} ${SIZE}`);
      await new Promise((r) => setTimeout(r, 200));
      a.resume();
      for (let i = 0; i < COUNT; i++) {
        const { data, isBinary } = await a.nextOwn();
        assert.ok(isBinary && data.length === SIZE && data[0] === i && data[SIZE - 1] === i, `message ${i}`);
      }
      if (HAS_DRAIN.has(name)) {
        // The drain hook's own message is the next one: nothing else is asked for, because the runtime may
        // notice the emptied output (Deno polls bufferedAmount) after the client has read the last byte.
        const after = await Promise.race([a.nextOwn(), new Promise((_, reject) => setTimeout(() => reject(new Error("no drain within 20 s of the flood")), 20_000).unref())]);
        assert.match(after.data, /^drained /, "drain came after the flood");
        assert.ok(JSON.parse(after.data.slice(8)).max > 0, "bufferedAmount showed the waiting output");
      } else {
        a.send("!info");
        const after = await a.nextOwn();
        assert.ok(after.data.startsWith("{"), `no drain on ${name}: ${after.data.slice(0, 40)}`);
      }
      a.close();
    });
  });
}

function pick({ code, reason, wasClean }) {
  return { code, reason, wasClean };
}

// Libraries built on `ws` run unchanged on ws101/node, each with its own client, over loopback:
// Socket.IO 4 (`wsEngine: WebSocketServer`, socket.io-client), graphql-ws 6 (`useServer`,
// `createClient`), and an ordinary chat app (verifyClient auth, handleProtocols, noServer routing
// on one shared http server, broadcast through wss.clients) whose transcript must be the same on
// `ws` and on ws101.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { once } from "node:events";
import WS, { WebSocketServer as WsServer } from "ws";
import { WebSocketServer, WebSocket } from "ws101/node";
import { Server as IOServer } from "socket.io";
import { io as ioClient } from "socket.io-client";
import { useServer } from "graphql-ws/use/ws";
import { createClient } from "graphql-ws";
import { GraphQLSchema, GraphQLObjectType, GraphQLString, GraphQLInt } from "graphql";

async function listen(server) {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server.address().port;
}

test("Socket.IO 4.8 with wsEngine: ws101's WebSocketServer and socket.io-client over websocket", { timeout: 20_000 }, async () => {
  const httpServer = http.createServer();
  const io = new IOServer(httpServer, { wsEngine: WebSocketServer, transports: ["websocket"] });
  io.on("connection", (socket) => {
    socket.on("join", (room, ack) => {
      socket.join(room);
      ack({ ok: true, id: socket.id });
    });
    socket.on("say", (room, text) => io.to(room).emit("said", `${socket.data.name ?? socket.handshake.auth.name}: ${text}`));
    socket.on("bytes", (buf, ack) => ack(Buffer.from(buf).reverse()));
  });
  const port = await listen(httpServer);
  const connect = (name) => {
    const c = ioClient(`http://127.0.0.1:${port}`, { transports: ["websocket"], auth: { name }, reconnection: false, forceNew: true });
    return once(c, "connect").then(() => c);
  };
  try {
    const [alice, bob] = await Promise.all([connect("alice"), connect("bob")]);
    assert.equal(alice.io.engine.transport.name, "websocket");
    for (const c of [alice, bob]) assert.equal((await c.emitWithAck("join", "lobby")).ok, true);
    const heard = Promise.all([once(alice, "said"), once(bob, "said")]);
    alice.emit("say", "lobby", "hello");
    assert.deepEqual((await heard).map(([m]) => m), ["alice: hello", "alice: hello"]);
    const back = await bob.emitWithAck("bytes", Buffer.from([1, 2, 3]));
    assert.deepEqual([...Buffer.from(back)], [3, 2, 1]);
    const left = new Promise((resolve) => io.sockets.sockets.get(bob.id).once("disconnect", resolve));
    bob.disconnect();
    assert.equal(await left, "client namespace disconnect");
    alice.disconnect();
  } finally {
    io.close();
    httpServer.close();
  }
});

const Query = new GraphQLObjectType({ name: "Query", fields: { hello: { type: GraphQLString, args: { name: { type: GraphQLString } }, resolve: (_, { name }) => `hello ${name}` } } });
const Subscription = new GraphQLObjectType({
  name: "Subscription",
  fields: {
    countdown: {
      type: GraphQLInt,
      args: { from: { type: GraphQLInt } },
      subscribe: async function* (_, { from }) {
        for (let i = from; i >= 0; i--) yield { countdown: i };
      },
    },
  },
});
const schema = new GraphQLSchema({ query: Query, subscription: Subscription });

for (const [clientName, ClientImpl] of [["ws", WS], ["ws101", WebSocket]]) {
  test(`graphql-ws 6: useServer on ws101's WebSocketServer, createClient over ${clientName}'s WebSocket`, { timeout: 20_000 }, async () => {
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", path: "/graphql" });
    await once(wss, "listening");
    const dispose = useServer({ schema }, wss);
    const client = createClient({ url: `ws://127.0.0.1:${wss.address().port}/graphql`, webSocketImpl: ClientImpl, retryAttempts: 0, lazy: true });
    try {
      const query = await new Promise((resolve, reject) => {
        let result;
        client.subscribe({ query: "{ hello(name: \"ws101\") }" }, { next: (r) => (result = r), error: reject, complete: () => resolve(result) });
      });
      assert.deepEqual(query, { data: { hello: "hello ws101" } });
      const counts = [];
      for await (const r of client.iterate({ query: "subscription { countdown(from: 3) }" })) counts.push(r.data.countdown);
      assert.deepEqual(counts, [3, 2, 1, 0]);
      assert.equal([...wss.clients][0]?.protocol, "graphql-transport-ws");
    } finally {
      await client.dispose();
      await dispose.dispose();
      await new Promise((resolve) => wss.close(resolve));
    }
  });
}

/**
 * The chat app, written once against ws's API: one http server, two noServer WebSocketServers
 * routed by path (/chat, /admin), token auth in verifyClient (async callback form), subprotocol
 * choice in handleProtocols, broadcast through wss.clients. Returns what every client saw.
 */
async function chatTranscript({ WebSocketServer: Server, WebSocket: Client }) {
  const users = { t1: "alice", t2: "bob", t3: "carol" };
  const log = [];
  const verifyClient = (info, cb) => {
    const token = new URL(info.req.url, "http://x").searchParams.get("token");
    setImmediate(() => (users[token] ? cb(true) : cb(false, 401, "Unauthorized", { "WWW-Authenticate": "Token" })));
  };
  const handleProtocols = (offered) => (offered.has("chat.v2") ? "chat.v2" : offered.has("chat.v1") ? "chat.v1" : false);
  const chat = new Server({ noServer: true, verifyClient, handleProtocols });
  const admin = new Server({ noServer: true, verifyClient });
  const nameOf = (req) => users[new URL(req.url, "http://x").searchParams.get("token")];
  const broadcast = (text) => {
    for (const c of chat.clients) if (c.readyState === Client.OPEN) c.send(text);
  };
  chat.on("connection", (ws, req) => {
    const name = nameOf(req);
    broadcast(`* ${name} joined (${ws.protocol || "none"})`);
    ws.on("message", (data, isBinary) => broadcast(isBinary ? `${name} sent ${data.length} bytes` : `${name}: ${data}`));
    ws.on("close", () => broadcast(`* ${name} left`));
  });
  admin.on("connection", (ws) => {
    ws.on("message", (data) => {
      if (String(data) === "count") ws.send(`clients: ${chat.clients.size}`);
    });
  });
  const server = http.createServer((req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => {
    const { pathname } = new URL(req.url, "http://x");
    const target = pathname === "/chat" ? chat : pathname === "/admin" ? admin : null;
    if (!target) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    target.handleUpgrade(req, socket, head, (ws) => target.emit("connection", ws, req));
  });
  const port = await listen(server);
  const base = `ws://127.0.0.1:${port}`;
  const seen = new Map();
  const join = async (token, protocols) => {
    const ws = new Client(`${base}/chat?token=${token}`, protocols);
    const lines = [];
    seen.set(users[token], lines);
    ws.on("message", (data) => lines.push(String(data)));
    await once(ws, "open");
    lines.push(`[protocol ${ws.protocol || "none"}]`);
    return ws;
  };
  const waitFor = (name, line) => new Promise((resolve) => {
    const check = () => (seen.get(name).includes(line) ? resolve() : setTimeout(check, 5));
    check();
  });
  try {
    const alice = await join("t1", ["chat.v2", "chat.v1"]);
    await waitFor("alice", "* alice joined (chat.v2)");
    const bob = await join("t2", ["chat.v1"]);
    await waitFor("alice", "* bob joined (chat.v1)");
    await waitFor("bob", "* bob joined (chat.v1)");
    const carol = await join("t3");
    await waitFor("bob", "* carol joined (none)");
    await waitFor("carol", "* carol joined (none)");
    alice.send("hi all");
    await waitFor("carol", "alice: hi all");
    bob.send(Buffer.from([1, 2, 3]));
    await waitFor("carol", "bob sent 3 bytes");

    // Refused: a bad token (401 with the app's header), an unknown path (404).
    const refused = await new Promise((resolve) => {
      const ws = new Client(`${base}/chat?token=nope`);
      ws.on("unexpected-response", (req, res) => {
        resolve(`${res.statusCode} ${res.headers["www-authenticate"]}`);
        res.resume();
        ws.terminate();
      });
      ws.on("error", () => {});
    });
    log.push(`refused: ${refused}`);
    const missing = await new Promise((resolve) => {
      const ws = new Client(`${base}/nowhere?token=t1`);
      ws.on("error", (err) => resolve(err.message));
    });
    log.push(`missing: ${missing}`);

    const adminWs = new Client(`${base}/admin?token=t1`);
    await once(adminWs, "open");
    adminWs.send("count");
    const [count] = await once(adminWs, "message");
    log.push(`admin: ${count}`);
    adminWs.close();

    carol.close(1000, "bye");
    const [code, reason] = await once(carol, "close");
    log.push(`carol closed ${code} ${reason}`);
    await waitFor("alice", "* carol left");
    await waitFor("bob", "* carol left");
    bob.close();
    await once(bob, "close");
    await waitFor("alice", "* bob left");
    alice.close();
    await once(alice, "close");
  } finally {
    chat.close();
    admin.close();
    server.close();
  }
  for (const [name, lines] of seen) log.push(`${name} saw: ${lines.join(" | ")}`);
  return log;
}

test("a chat app (verifyClient, handleProtocols, noServer routing, broadcast) gives the same transcript on ws and ws101", { timeout: 20_000 }, async () => {
  const onWs = await chatTranscript({ WebSocketServer: WsServer, WebSocket: WS });
  const onWs101 = await chatTranscript({ WebSocketServer, WebSocket });
  assert.ok(onWs.includes("refused: 401 Token"), onWs.join("\n"));
  assert.ok(onWs.includes("admin: clients: 3"), onWs.join("\n"));
  assert.deepEqual(onWs101, onWs);
  // Mixed: ws clients against the ws101 server and ws101 clients against the ws server.
  assert.deepEqual(await chatTranscript({ WebSocketServer, WebSocket: WS }), onWs);
  assert.deepEqual(await chatTranscript({ WebSocketServer: WsServer, WebSocket }), onWs);
});

// Browsers open WebSockets over HTTP/2 (RFC 8441) to a ws101 server: the page is loaded over h2
// from a node:http2 server with ws101's WebSocketServer; `new WebSocket("wss://same-origin/…")`
// must arrive as an extended CONNECT stream on that connection (recorded on the server side),
// then text and binary messages of 0 B to 4 MiB echo with permessage-deflate, and the close is clean.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { openBrowser } from "../support/webdriver.mjs";
import { echoServer } from "./support.mjs";

const SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20, 4 << 20];

const PAGE = `<!doctype html><meta charset="utf-8"><title>ws101 over HTTP/2</title>
<script>
(async () => {
  const results = [];
  const record = (name, ok, detail) => results.push({ name, ok: Boolean(ok), detail });
  try {
    const ws = new WebSocket("wss://" + location.host + "/ws", ["echo"]);
    ws.binaryType = "arraybuffer";
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error("error before open")); });
    record("open", ws.protocol === "echo" && /permessage-deflate/.test(ws.extensions), { protocol: ws.protocol, extensions: ws.extensions });
    const queue = [];
    let waiting = null;
    ws.onmessage = (e) => { if (waiting) { const w = waiting; waiting = null; w(e.data); } else queue.push(e.data); };
    const next = () => queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => (waiting = r));
    const alphabet = "abcdefghijklmnopqrstuvwxyz é✓€ 0123456789";
    for (const size of ${JSON.stringify(SIZES)}) {
      let text = "";
      while (text.length < size) text += alphabet.repeat(Math.min(1024, Math.ceil((size - text.length) / alphabet.length))) + (text.length % 7);
      text = text.slice(0, size);
      ws.send(text);
      const t = await next();
      record("text " + size, typeof t === "string" && t === text, { received: typeof t === "string" ? t.length : typeof t });
      const bin = new Uint8Array(size);
      for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bin.subarray(i, Math.min(size, i + 65536)));
      ws.send(bin);
      const b = new Uint8Array(await next());
      let same = b.length === size;
      for (let i = 0; same && i < size; i++) same = b[i] === bin[i];
      record("binary " + size, same, { received: b.length });
    }
    const closed = new Promise((r) => (ws.onclose = r));
    ws.close(1000, "done");
    const e = await closed;
    record("close", e.code === 1000 && e.wasClean && e.reason === "done", { code: e.code, wasClean: e.wasClean, reason: e.reason });
  } catch (err) {
    record("error", false, String(err));
  }
  window.__results = results;
})();
</script>`;

let server;
const pages = [];

before(async () => {
  server = await echoServer({
    onRequest(req, res) {
      pages.push(req.httpVersion);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(PAGE);
    },
  });
});

after(async () => {
  await server?.close();
});

async function check(t, name, results, from) {
  assert.ok(results.length >= 2 * SIZES.length + 2, `${name}: ${JSON.stringify(results)}`);
  for (const r of results) await t.test(`${name}: ${r.name}`, () => assert.ok(r.ok, JSON.stringify(r.detail)));
  const conn = server.connections[from];
  assert.ok(conn, `${name}: the server saw the WebSocket`);
  // The server side: an extended CONNECT stream (RFC 8441 §4), not a 101 upgrade.
  assert.equal(conn.httpVersion, "2");
  assert.equal(conn.method, "CONNECT");
  assert.equal(conn.protocol, "websocket");
  assert.match(conn.req.headers["sec-websocket-extensions"], /permessage-deflate/);
  assert.match(conn.extensions, /^permessage-deflate/);
  assert.deepEqual(await conn.closedPromise, { code: 1000, reason: "done" });
}

/** Loads `url` in headless Chromium (self-signed certificate accepted) and returns the page's results. */
async function chromiumResults(url) {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--ignore-certificate-errors"],
  });
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => window.__results, null, { timeout: 120000 });
    return await page.evaluate(() => window.__results);
  } finally {
    await browser.close();
  }
}

test("chromium: a page over h2 opens its WebSocket as an extended CONNECT", async (t) => {
  const from = server.connections.length;
  const results = await chromiumResults(`${server.url}/`);
  assert.equal(pages.at(-1), "2.0", "the page itself came over h2");
  await check(t, "chromium", results, from);
});

test("chromium: without SETTINGS_ENABLE_CONNECT_PROTOCOL the same server answers the 101 on a second connection", async () => {
  const versions = [];
  const fallback = await echoServer({
    onRequest(req, res) {
      versions.push(req.httpVersion);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(PAGE);
    },
  });
  try {
    fallback.server.updateSettings({ enableConnectProtocol: false });
    const results = await chromiumResults(`${fallback.url}/`);
    assert.deepEqual(results.filter((r) => !r.ok), []);
    assert.ok(versions.length > 0 && versions.every((v) => v === "2.0"), `the page (and favicon) came over h2: ${versions}`);
    assert.deepEqual(fallback.connections.map((c) => [c.httpVersion, c.method]), [["1.1", "GET"]]);
    assert.match(fallback.connections[0].extensions, /^permessage-deflate/);
  } finally {
    await fallback.close();
  }
});

test("firefox: a page over h2 opens its WebSocket as an extended CONNECT", async (t) => {
  const from = server.connections.length;
  // Firefox 153 ESR uses RFC 8441 by default (network.http.http2.websockets is true): no pref set.
  const browser = await openBrowser("firefox", { acceptInsecureCerts: true });
  try {
    await browser.navigate(`${server.url}/`);
    const results = await browser.waitFor("window.__results", 120000);
    assert.equal(pages.at(-1), "2.0", "the page itself came over h2");
    await check(t, "firefox", results, from);
  } finally {
    await browser.close();
  }
});

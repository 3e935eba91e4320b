// The explainer page (www/) served by the example worker in real workerd, driven end to end in
// Debian's Chromium through playwright-core: every section by clicks and typing, then full-page
// screenshots at 1280 px and 390 px into target/screenshots/ (the committed docs/screenshots/ are
// refreshed by hand: cp target/screenshots/*.png docs/screenshots/; tests never rewrite them).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freePort, start, waitForHttp } from "../support/process.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const workerd = fileURLToPath(new URL("../../node_modules/.bin/workerd", import.meta.url));
const shots = fileURLToPath(new URL("../../target/screenshots/", import.meta.url));
mkdirSync(shots, { recursive: true });
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

let proc;
let base;
let browser;
let page;
const pageErrors = [];

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  proc = start(workerd, ["serve", "examples/workers/workerd.capnp", "--socket-addr", `http=127.0.0.1:${port}`], { cwd: root });
  await waitForHttp(`${base}/accept`, 30000, proc);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") pageErrors.push(m.text()); });
  // Nothing but this origin may be fetched: the page works offline.
  await page.route((url) => url.origin !== base, (route) => { pageErrors.push(`external request: ${route.request().url()}`); return route.abort(); });
  await page.goto(`${base}/`);
  await page.waitForSelector("html[data-ready=true]", { state: "attached", timeout: 30000 });
});

after(async () => {
  await browser?.close();
  await proc?.stop();
});

const text = (selector) => page.locator(selector).innerText();

test("1 · accept key: the RFC 6455 example, a typed key and a bad key", async () => {
  await page.fill("#key-input", "x");
  await page.click("#key-rfc");
  assert.equal(await text("#key-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert.equal(await text("#key-sha1"), "b3 7a 4f 2c c0 62 4f 16 90 f6 46 06 cf 38 59 45 b2 be c4 ea");
  await page.fill("#key-input", "AAAA");
  assert.match(await text("#key-verdict"), /bad-key-length/);
  await page.click("#key-generate");
  assert.match(await text("#key-verdict"), /valid/);
});

test("2 · request inspector: every preset gets the status a server must answer", async () => {
  const expected = { valid: "101", "missing-key": "400", "wrong-version": "426", "bad-origin": "403", h2c: "400", tls: "400", connect: "200" };
  for (const [preset, status] of Object.entries(expected)) {
    await page.click(`[data-req-preset="${preset}"]`);
    const got = await page.getAttribute("#req-summary", "data-status");
    assert.equal(got, status, `${preset}: ${await text("#req-summary")}`);
  }
  // The verdict table names the failing check with its rule and RFC section.
  await page.click('[data-req-preset="wrong-version"]');
  const row = page.locator('#req-verdicts tr[data-check="version"]');
  assert.match(await row.innerText(), /fail[\s\S]*Sec-WebSocket-Version is 13[\s\S]*RFC 6455 §4\.2\.1/);
  assert.match(await text("#req-response"), /^HTTP\/1\.1 426 Upgrade Required↵\n[\s\S]*Sec-WebSocket-Version: 13↵/);
  await page.click('[data-req-preset="bad-origin"]');
  assert.match(await text("#req-problems"), /origin-not-allowed/);
  await page.click('[data-req-preset="valid"]');
  assert.match(await text("#req-response"), /HTTP\/1\.1 101 Switching Protocols[\s\S]*Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=[\s\S]*Sec-WebSocket-Protocol: chat/);
  assert.equal(await text("#req-kind-value"), "websocket");
  // h2c: the classification and the decoded HTTP2-Settings.
  await page.click('[data-req-preset="h2c"]');
  assert.equal(await text("#req-kind-value"), "h2c");
  assert.match(await text("#req-settings"), /SETTINGS_MAX_CONCURRENT_STREAMS\s+0x3\s+100/);
  await page.click('[data-req-preset="tls"]');
  assert.equal(await text("#req-kind-value"), "tls");
  // Typing: without the blank line the head is incomplete; plain \n counts as CRLF.
  await page.fill("#req-input", "");
  await page.locator("#req-input").pressSequentially("GET /chat HTTP/1.1\nHost: example.com\n");
  assert.match(await text("#req-summary"), /incomplete: need more bytes/);
  await page.locator("#req-input").press("Enter");
  assert.equal(await page.getAttribute("#req-summary", "data-status"), "400");
});

test("3 · response checker: correct, wrong accept, 200 and an unoffered protocol", async () => {
  await page.fill("#resp-key", "dGhlIHNhbXBsZSBub25jZQ==");
  await page.fill("#resp-protocols", "chat");
  await page.click('[data-resp-preset="correct"]');
  assert.equal(await page.getAttribute("#resp-summary", "data-verdict"), "accept");
  assert.match(await text("#resp-summary"), /must accept/);
  assert.match(await text("#resp-request"), /Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==/);
  await page.click('[data-resp-preset="wrong-accept"]');
  assert.equal(await page.getAttribute("#resp-summary", "data-verdict"), "fail");
  assert.match(await text("#resp-problems"), /accept-mismatch[\s\S]*RFC 6455 §4\.1/);
  await page.click('[data-resp-preset="ok200"]');
  assert.equal(await page.getAttribute("#resp-summary", "data-verdict"), "fail");
  assert.match(await page.locator('#resp-verdicts tr[data-check="status"]').innerText(), /fail/);
  await page.click('[data-resp-preset="unoffered"]');
  assert.match(await text("#resp-problems"), /unoffered-subprotocol/);
  // Changing the key makes the once-correct answer wrong.
  await page.click('[data-resp-preset="correct"]');
  await page.fill("#resp-key", "AQIDBAUGBwgJCgsMDQ4PEA==");
  assert.match(await text("#resp-problems"), /accept-mismatch/);
  await page.fill("#resp-key", "AAAA");
  // a caller-given key that breaks RFC 6455 §4.1 is the caller's invalid-option, naming the rule
  assert.match(await text("#resp-summary"), /invalid-option.*exactly 16 bytes/);
  await page.fill("#resp-key", "dGhlIHNhbXBsZSBub25jZQ==");
});

test("4 · frame builder: masked \"Hello\" with key 37 fa 21 3d is the RFC 6455 §5.7 frame", async () => {
  await page.check("#fb-fin");
  await page.selectOption("#fb-opcode", "1");
  await page.check("#fb-mask");
  await page.check("#fb-key-fixed");
  await page.fill("#fb-key", "37 fa 21 3d");
  await page.check("#fb-payload-text");
  await page.fill("#fb-payload", "Hello");
  assert.equal(await page.getAttribute("#fb-bytes", "data-hex"), "81 85 37 fa 21 3d 7f 9f 4d 51 58");
  assert.equal(await text("#fb-masked"), "7f 9f 4d 51 58");
  assert.match(await text("#fb-verdict"), /server accepts/);
  // Every field is drawn; hovering the masking key highlights its four bytes.
  const names = await page.locator("#fb-fields tbody th").allInnerTexts();
  assert.deepEqual(names, ["FIN", "RSV1", "RSV2", "RSV3", "opcode", "MASK", "payload len", "masking key"]);
  await page.hover('#fb-diagram .field[data-field="masking-key"]:not(.cont)');
  assert.deepEqual(await page.locator("#fb-bytes .byte.hl").allInnerTexts(), ["37", "fa", "21", "3d"]);
  await page.mouse.move(0, 0);
  // Keyboard: focusing header byte 1 highlights MASK and payload len in the diagram.
  await page.locator('#fb-bytes .byte[data-index="1"]').focus();
  assert.deepEqual(await page.locator("#fb-diagram .field.hl .fname").allInnerTexts(), ["MASK", "payload len"]);
  // Unmasked: the RFC's unmasked frame; with RSV2 a client fails the connection.
  await page.uncheck("#fb-mask");
  assert.equal(await page.getAttribute("#fb-bytes", "data-hex"), "81 05 48 65 6c 6c 6f");
  await page.check("#fb-rsv2");
  assert.match(await text("#fb-verdict"), /reserved-bits/);
  await page.uncheck("#fb-rsv2");
  // 256 bytes: a 16-bit extended length.
  await page.selectOption("#fb-opcode", "2");
  await page.click("#fb-payload-256");
  assert.match(await page.getAttribute("#fb-bytes", "data-hex"), /^82 7e 01 00 00 01 02/);
  assert.ok((await page.locator("#fb-fields tbody th").allInnerTexts()).includes("extended payload length"));
  // Random key: the bytes change only when asked.
  await page.check("#fb-mask");
  await page.check("#fb-key-random");
  const first = await page.getAttribute("#fb-bytes", "data-hex");
  await page.check("#fb-fin");
  assert.equal(await page.getAttribute("#fb-bytes", "data-hex"), first);
  await page.click("#fb-key-new");
  assert.equal((await page.getAttribute("#fb-bytes", "data-hex")).slice(0, 11), "82 fe 01 00");
  // Back to the RFC example for the screenshots.
  await page.check("#fb-key-fixed");
  await page.selectOption("#fb-opcode", "1");
  await page.check("#fb-payload-text");
  await page.fill("#fb-payload", "Hello");
  assert.equal(await page.getAttribute("#fb-bytes", "data-hex"), "81 85 37 fa 21 3d 7f 9f 4d 51 58");
});

test("5 · frame decoder: the RFC examples, and errors located at their byte", async () => {
  await page.click('[data-dec-preset="hello"]');
  assert.match(await text("#dec-events"), /text message: "Hello"/);
  await page.click('[data-dec-preset="masked"]');
  assert.equal(await page.inputValue("#dec-role"), "server");
  assert.match(await text("#dec-frames"), /37 fa 21 3d[\s\S]*"Hello"/);
  await page.click('[data-dec-preset="fragments"]');
  assert.equal(await page.locator("#dec-frames tbody tr").count(), 2);
  assert.match(await text("#dec-events"), /text message: "Hello"/);
  await page.click('[data-dec-preset="ping"]');
  assert.match(await text("#dec-events"), /ping[\s\S]*writes back: 8a 85/);
  await page.click('[data-dec-preset="binary256"]');
  assert.match(await text("#dec-events"), /binary message, 256 bytes/);
  await page.click('[data-dec-preset="unmasked"]');
  assert.equal(await page.getAttribute("#dec-summary", "data-error-offset"), "11");
  assert.match(await text("#dec-summary"), /unmasked-frame[\s\S]*RFC 6455 §5\.1[\s\S]*1002/);
  assert.equal(await page.getAttribute("#dec-error-byte", "title"), "offset 11");
  await page.click('[data-dec-preset="badutf8"]');
  assert.equal(await page.getAttribute("#dec-summary", "data-error-offset"), "11");
  assert.match(await text("#dec-summary"), /invalid-utf8[\s\S]*1007/);
  assert.equal(await text("#dec-error-byte"), "ff");
  // Typed: a capture with an offset column; read as a server, the same bytes break §5.1.
  await page.fill("#dec-input", "0000   81 05 48 65 6c 6c 6f   ..Hello");
  await page.selectOption("#dec-role", "client");
  assert.match(await text("#dec-events"), /"Hello"/);
  await page.selectOption("#dec-role", "server");
  assert.equal(await page.getAttribute("#dec-summary", "data-error-offset"), "0");
  await page.fill("#dec-input", "81 zz");
  assert.match(await text("#dec-summary"), /not hex/);
  await page.click('[data-dec-preset="badutf8"]');
});

test("6 · live session: a text message echoes through the worker and the close is logged", async () => {
  assert.equal(await text("#live-url"), `${base.replace("http", "ws")}/ws`);
  await page.click("#live-connect");
  await page.waitForSelector("#live-send-text:not([disabled])");
  await page.fill("#live-message", "hello through workerd");
  await page.click("#live-send-text");
  await page.waitForSelector('#live-log .log-in:has-text("hello through workerd")');
  // The handshake report (from a worker that sends it) or the note that it is absent.
  await page.waitForSelector("#live-handshake :is(pre, p)");
  const handshake = await text("#live-handshake");
  if (handshake.includes("Request the browser sent")) {
    assert.match(handshake, /GET \/ws HTTP\/1\.1[\s\S]*HTTP\/1\.1 101 Switching Protocols/i);
  } else {
    assert.match(handshake, /did not report its handshake/);
  }
  await page.click("#live-send-binary");
  assert.match(await text("#live-log .log-out >> nth=1"), /→ binary 21 bytes 68 65 6c 6c 6f/);
  await page.fill("#live-code", "4000");
  await page.fill("#live-reason", "bye from the test");
  await page.click("#live-close");
  await page.waitForSelector("#live-log .log-close");
  assert.match(await text("#live-log .log-close"), /closed: code 4000 reason "bye from the test", clean/);
  assert.equal(await page.isDisabled("#live-send-text"), true);
  // Reconnect so the screenshot shows a session.
  await page.click("#live-connect");
  await page.waitForSelector("#live-send-text:not([disabled])");
  await page.click("#live-send-text");
  await page.waitForSelector('#live-log .log-in:has-text("hello through workerd") >> nth=1');
});

test("keyboard: every control is reachable with Tab and has a visible focus ring", async () => {
  const seen = new Set();
  await page.locator("#req-input").focus();
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press("Tab");
    const info = await page.evaluate(() => {
      const a = document.activeElement;
      return { id: a.id || a.dataset.reqPreset || a.dataset.respPreset || a.dataset.decPreset || a.dataset.field || a.tagName, outline: getComputedStyle(a).outlineStyle };
    });
    if (info.id === "BODY") break;
    seen.add(info.id);
    assert.notEqual(info.outline, "none", `${info.id} shows focus`);
  }
  for (const id of ["resp-key", "correct", "fb-fin", "fb-opcode", "fb-payload", "FIN", "masking-key", "dec-input", "badutf8", "live-connect", "live-message"]) assert.ok(seen.has(id), `${id} reachable (${[...seen].join(",")})`);
});

test("screenshots: desktop 1280 and mobile 390, no page errors, no horizontal overflow", async () => {
  mkdirSync(shots, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: `${shots}explainer-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(100);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than a 390px screen`);
  await page.screenshot({ path: `${shots}explainer-mobile.png`, fullPage: true });
  assert.deepEqual(pageErrors, []);
});

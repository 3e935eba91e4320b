// `ws101 exporter` as Prometheus meets it: /probe against a healthy server (ws101's echo server),
// a broken one (101 with a wrong accept), a silent one (TCP accepted, nothing said) and `ws` over
// TLS; modules from YAML; bounded concurrency where a slow target holds one slot until its own
// deadline and no longer; /metrics; every answer accepted by `promtool check metrics`.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { rawServer } from "../support/process.mjs";
import { echoServer, exporter, parseExposition, promtoolCheck, tempFile, tlsServer, valueOf, ws101 } from "./helpers.mjs";

const CONFIG = `
modules:
  chat:
    subprotocols: [chat]
    require_subprotocol: true
  full:
    timeout: 5s
    subprotocols: [echo]
    require_subprotocol: true
    deflate: true
    require_deflate: true
    send: hello exporter
    expect: "^hello"
    pings: 3
    close_code: 1000
    headers:
      Authorization: Bearer t0ken
  regex:
    timeout: 500ms
    send: abc
    expect: "^xyz$"
  slow:
    timeout: 60s
  tls:
    tls:
      ca_file: CA_FILE
`;

async function scrape(ex, target, { module, headers = {}, debug = false } = {}) {
  const q = new URLSearchParams({ target, ...(module && { module }), ...(debug && { debug: "true" }) });
  const res = await fetch(`${ex.base}/probe?${q}`, { headers });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), text, samples: res.status === 200 && !debug ? parseExposition(text) : null };
}

async function assertPromtool(text) {
  const { code, output } = await promtoolCheck(text);
  assert.equal(code, 0, `promtool check metrics:\n${output}\n${text}`);
  assert.equal(output.trim(), "", "promtool has no lint complaint");
}

describe("exporter /probe", () => {
  let echo, broken, silent, tls, ex, config, seen;
  before(async () => {
    echo = await echoServer();
    seen = [];
    broken = await rawServer((socket, head) => {
      seen.push(head);
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
    });
    silent = await rawServer(() => {});
    tls = await tlsServer(20);
    config = tempFile("ws101.yml", CONFIG.replace("CA_FILE", tls.ca));
    ex = await exporter(["--config", config.path, "--max-concurrent", "2"]);
  });
  after(async () => {
    await ex?.stop();
    await echo?.stop();
    await broken?.close();
    await silent?.close();
    await tls?.stop();
    config?.cleanup();
  });

  test("default module against a healthy server: the `probe URL --ping 1` checks, probe_success 1", async () => {
    const r = await scrape(ex, echo.url);
    assert.equal(r.status, 200);
    assert.equal(r.type, "text/plain; version=0.0.4; charset=utf-8");
    const s = r.samples;
    assert.equal(valueOf(s, "probe_success"), 1, r.text);
    assert.equal(valueOf(s, "probe_websocket_status_code"), 101);
    assert.equal(valueOf(s, "probe_websocket_connection_upgraded"), 1);
    assert.equal(valueOf(s, "probe_websocket_http_version"), 1.1);
    assert.equal(valueOf(s, "probe_websocket_check_success", { check: "ping" }), 1);
    assert.equal(valueOf(s, "probe_websocket_check_success", { check: "accept" }), 1);
    assert.equal(valueOf(s, "probe_websocket_check_success", { check: "close" }), 1);
    assert.equal(valueOf(s, "probe_websocket_check_success", { check: "echo" }), undefined, "the default module sends no message");
    assert.equal(valueOf(s, "probe_websocket_pings_sent"), 1);
    assert.equal(valueOf(s, "probe_websocket_pongs_received"), 1);
    assert.equal(valueOf(s, "probe_websocket_close_code"), 1000);
    assert.ok(valueOf(s, "probe_duration_seconds") > 0);
    for (const phase of ["resolve", "connect", "tls", "handshake", "echo", "ping", "close"]) assert.ok(valueOf(s, "probe_websocket_duration_seconds", { phase }) >= 0, phase);
    assert.ok(valueOf(s, "probe_websocket_duration_seconds", { phase: "handshake" }) > 0);
    assert.ok(valueOf(s, "probe_websocket_ping_rtt_seconds", { stat: "median" }) > 0);
    assert.equal(valueOf(s, "probe_ssl_earliest_cert_expiry"), undefined, "no TLS, no certificate metric");
    await assertPromtool(r.text);
  });

  test("a module with subprotocol, deflate, message, regex, 3 pings, close code, auth header: all checks pass", async () => {
    const r = await scrape(ex, echo.url, { module: "full" });
    const s = r.samples;
    assert.equal(valueOf(s, "probe_success"), 1, r.text);
    for (const check of ["require-protocol", "require-deflate", "echo", "ping", "close-code"]) assert.equal(valueOf(s, "probe_websocket_check_success", { check }), 1, check);
    assert.equal(valueOf(s, "probe_websocket_subprotocol_info", { subprotocol: "echo" }), 1);
    assert.equal(valueOf(s, "probe_websocket_extension_info", { extension: "permessage-deflate" }), 1);
    assert.equal(valueOf(s, "probe_websocket_failed_due_to_regex"), 0);
    assert.equal(valueOf(s, "probe_websocket_pongs_received"), 3);
    await assertPromtool(r.text);
  });

  test("the module's headers are sent (Authorization)", async () => {
    seen.length = 0;
    await scrape(ex, broken.url, { module: "full" });
    assert.match(seen[0], /\r\nAuthorization: Bearer t0ken\r\n/);
    assert.match(seen[0], /\r\nSec-WebSocket-Protocol: echo\r\n/);
  });

  test("a required subprotocol the server does not choose: probe_success 0, that check 0", async () => {
    const s = (await scrape(ex, echo.url, { module: "chat" })).samples;
    assert.equal(valueOf(s, "probe_success"), 0);
    assert.equal(valueOf(s, "probe_websocket_connection_upgraded"), 1);
    assert.equal(valueOf(s, "probe_websocket_check_success", { check: "require-protocol" }), 0);
    assert.equal(valueOf(s, "probe_websocket_error_info", { code: "protocol-not-chosen" }), 1);
  });

  test("an expected message that does not come: probe_websocket_failed_due_to_regex 1", async () => {
    const s = (await scrape(ex, echo.url, { module: "regex" })).samples;
    assert.equal(valueOf(s, "probe_success"), 0);
    assert.equal(valueOf(s, "probe_websocket_failed_due_to_regex"), 1);
    assert.equal(valueOf(s, "probe_websocket_check_success", { check: "echo" }), 0);
  });

  test("a broken server (101, wrong accept): probe_success 0, status 101, not upgraded, accept check 0", async () => {
    const r = await scrape(ex, broken.url);
    const s = r.samples;
    assert.equal(valueOf(s, "probe_success"), 0);
    assert.equal(valueOf(s, "probe_websocket_status_code"), 101);
    assert.equal(valueOf(s, "probe_websocket_connection_upgraded"), 0);
    assert.equal(valueOf(s, "probe_websocket_check_success", { check: "accept" }), 0);
    assert.equal(valueOf(s, "probe_websocket_error_info", { code: "accept-mismatch" }), 1);
    await assertPromtool(r.text);
  });

  test("wss with the module's CA: certificate expiry, chain info and TLS version", async () => {
    const r = await scrape(ex, tls.url, { module: "tls" });
    const s = r.samples;
    assert.equal(valueOf(s, "probe_success"), 1, r.text);
    assert.equal(valueOf(s, "probe_ssl_earliest_cert_expiry"), tls.notAfter / 1000);
    assert.equal(s.find((x) => x.name === "probe_ssl_last_chain_info").labels.subject, "CN=localhost");
    assert.equal(s.filter((x) => x.name === "probe_tls_version_info").length, 1);
    assert.match(s.find((x) => x.name === "probe_tls_version_info").labels.version, /^TLS 1\.[23]$/);
    assert.ok(valueOf(s, "probe_websocket_duration_seconds", { phase: "tls" }) > 0);
    await assertPromtool(r.text);
    const untrusted = (await scrape(ex, tls.url)).samples; // the default module trusts the system CAs only
    assert.equal(valueOf(untrusted, "probe_success"), 0);
    assert.equal(valueOf(untrusted, "probe_websocket_check_success", { check: "tls" }), 0);
  });

  test("a slow target holds one slot until its own deadline; other targets are probed meanwhile", async () => {
    // The slow probe's deadline comes from Prometheus' scrape timeout header (minus 0.5 s).
    let slowDone = false;
    const slow = scrape(ex, silent.url, { module: "slow", headers: { "X-Prometheus-Scrape-Timeout-Seconds": "6" } }).then((r) => { slowDone = true; return r; });
    for (let inFlight = 0; inFlight < 1; await new Promise((r) => setTimeout(r, 50))) { // it holds its slot
      inFlight = valueOf(parseExposition(await (await fetch(`${ex.base}/metrics`)).text()), "ws101_exporter_probes_in_flight");
    }
    const healthy = await scrape(ex, echo.url);
    assert.equal(valueOf(healthy.samples, "probe_success"), 1);
    assert.equal(slowDone, false, "the healthy probe finished while the slow one was still waiting for an answer");
    const s = (await slow).samples;
    assert.equal(valueOf(s, "probe_success"), 0);
    assert.equal(valueOf(s, "probe_websocket_error_info", { code: "probe-deadline" }), 1);
    assert.equal(valueOf(s, "probe_websocket_check_success", { check: "connect" }), 1);
    assert.equal(valueOf(s, "probe_websocket_check_success", { check: "response" }), 0);
  });

  test("concurrency is bounded: with both slots held, a third probe waits and ends at its own deadline", async () => {
    const hold = { "X-Prometheus-Scrape-Timeout-Seconds": "8" };
    let held = 0;
    const slow = [scrape(ex, silent.url, { module: "slow", headers: hold }), scrape(ex, silent.url, { module: "slow", headers: hold })].map((p) => p.then((r) => { held++; return r; }));
    // Both slow probes hold a slot (polled: no timing assumption).
    for (let inFlight = 0; inFlight < 2; await new Promise((r) => setTimeout(r, 50))) {
      inFlight = valueOf(parseExposition(await (await fetch(`${ex.base}/metrics`)).text()), "ws101_exporter_probes_in_flight");
      assert.equal(held, 0);
    }
    const waiting = await scrape(ex, echo.url, { headers: { "X-Prometheus-Scrape-Timeout-Seconds": "1.5" } });
    assert.equal(valueOf(waiting.samples, "probe_success"), 0);
    assert.equal(valueOf(waiting.samples, "probe_websocket_error_info", { code: "probe-deadline" }), 1);
    assert.equal(held, 0, "the waiting probe gave up before the slow ones ended");
    await Promise.all(slow);
  });

  test("bad requests: no target, unknown module, an http:// target → 400 with the reason", async () => {
    const none = await fetch(`${ex.base}/probe`);
    assert.equal(none.status, 400);
    assert.match(await none.text(), /Target parameter is missing/);
    const unknown = await scrape(ex, echo.url, { module: "nope" });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /Unknown module "nope" \(known: chat, full, regex, slow, tls, default\)/);
    const http = await scrape(ex, echo.url.replace("ws:", "http:"));
    assert.equal(http.status, 400);
    assert.match(http.text, /needs ws:\/\/ or wss:\/\//);
  });

  test("&debug=true: the human report", async () => {
    const r = await scrape(ex, broken.url, { debug: true });
    assert.equal(r.status, 200);
    assert.match(r.text, /FAIL {2}accept/);
    assert.match(r.text, /probe_success 0/);
  });

  test("/metrics: the exporter's own counters, promtool-clean", async () => {
    const res = await fetch(`${ex.base}/metrics`);
    const text = await res.text();
    const m = parseExposition(text);
    assert.ok(valueOf(m, "ws101_exporter_probes_total", { module: "default", result: "success" }) >= 2);
    assert.ok(valueOf(m, "ws101_exporter_probes_total", { module: "default", result: "failure" }) >= 1);
    assert.ok(valueOf(m, "ws101_exporter_module_unknown_total") >= 1);
    assert.equal(valueOf(m, "ws101_exporter_probes_in_flight"), 0);
    assert.ok(valueOf(m, "process_resident_memory_bytes") > 0);
    await assertPromtool(text);
  });
});

describe("exporter configuration errors: exit 3 naming the key", () => {
  const cases = [
    ["modules:\n  chat:\n    pingz: 3\n", /^ws101 exporter: modules\.chat\.pingz: unknown key \(known: timeout, subprotocols, /],
    ["modules:\n  chat:\n    pings: many\n", /^ws101 exporter: modules\.chat\.pings: must be a whole number 0-100, got "many"/],
    ["modules:\n  chat:\n    tls: { ca: x }\n", /^ws101 exporter: modules\.chat\.tls\.ca: unknown key \(known: ca_file, insecure_skip_verify\)/],
    ["modules:\n  chat:\n    require_subprotocol: true\n", /^ws101 exporter: modules\.chat\.require_subprotocol needs at least one subprotocol offered \(modules\.chat\.subprotocols\)/],
    ["modules:\n  chat:\n    timeout: soon\n", /^ws101 exporter: modules\.chat\.timeout must be a positive duration/],
    ["modules:\n  chat:\n    headers: { Upgrade: h2c }\n", /^ws101 exporter: forbidden-header/],
    ["module:\n  chat: {}\n", /^ws101 exporter: .*ws101\.yml: module: unknown key \(known: modules\)/],
    ["modules:\n  a: 1\n  a: 2\n", /^ws101 exporter: .*ws101\.yml: Map keys must be unique at line 3/],
  ];
  for (const [yaml, message] of cases) {
    test(JSON.stringify(yaml), async () => {
      const file = tempFile("ws101.yml", yaml);
      try {
        const r = await ws101(["exporter", "--listen", "127.0.0.1:0", "--config", file.path]);
        assert.equal(r.code, 3, r.stdout + r.stderr);
        assert.match(r.stderr, message);
      } finally {
        file.cleanup();
      }
    });
  }
});

// Proof with real parts: the scrape config and the alert rules are taken from the package README
// (js/README.md, what npm shows), checked by `promtool check rules` / `promtool test rules`, then
// Debian's `prometheus` (started here on a free port, scrape_interval 2s) scrapes `ws101 exporter`
// probing ws101's echo server (healthy) and a server that answers 101 with a wrong accept (broken);
// the test reads probe_success 1 and 0 and the alert's state back through Prometheus' HTTP API.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { freePort, rawServer, start, waitForHttp } from "../support/process.mjs";
import { echoServer, exporter, root } from "./helpers.mjs";

/** The ```yaml block after `<!-- name -->` in the package README. */
function readmeBlock(name) {
  const readme = readFileSync(join(root, "js/README.md"), "utf8");
  const m = new RegExp(`<!-- ${name.replace(/\./g, "\\.")} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(readme);
  assert.ok(m, `README block ${name}`);
  return m[1];
}

function promtool(args) {
  return new Promise((resolve) => execFile("promtool", args, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, output: stdout + stderr })));
}

let dir;
before(() => { dir = mkdtempSync(join(tmpdir(), "ws101-prom-")); });
after(() => rmSync(dir, { recursive: true, force: true }));

test("promtool: the README's alert rules are valid and WebSocketEndpointDown fires after 2m of probe_success 0 only", async () => {
  writeFileSync(join(dir, "ws101-alerts.yml"), readmeBlock("ws101-alerts.yml"));
  const check = await promtool(["check", "rules", join(dir, "ws101-alerts.yml")]);
  assert.equal(check.code, 0, check.output);
  assert.match(check.output, /SUCCESS: 2 rules found/);
  writeFileSync(join(dir, "alerts.test.yml"), YAML.stringify({
    rule_files: ["ws101-alerts.yml"],
    evaluation_interval: "15s",
    tests: [{
      interval: "15s",
      input_series: [
        { series: 'probe_success{job="websocket",instance="ws://good/"}', values: "1x20" },
        { series: 'probe_success{job="websocket",instance="ws://bad/"}', values: "0x20" },
        { series: 'probe_success{job="websocket",instance="ws://flaky/"}', values: "1 1 0 0 1 1 0 0 1 1 0 0 1 1 0 0" },
      ],
      alert_rule_test: [
        { eval_time: "1m", alertname: "WebSocketEndpointDown", exp_alerts: [] },
        {
          eval_time: "3m", alertname: "WebSocketEndpointDown",
          exp_alerts: [{ exp_labels: { severity: "page", job: "websocket", instance: "ws://bad/" }, exp_annotations: { summary: "WebSocket endpoint ws://bad/ fails its probe" } }],
        },
      ],
    }],
  }));
  const unit = await promtool(["test", "rules", join(dir, "alerts.test.yml")]);
  assert.equal(unit.code, 0, unit.output);
  assert.match(unit.output, /SUCCESS/);
});

describe("a real Prometheus scrapes the exporter (README scrape config)", () => {
  let echo, broken, ex, prom, api;
  before(async () => {
    echo = await echoServer();
    broken = await rawServer((socket) => socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"));
    ex = await exporter();
    const scrape = YAML.parse(readmeBlock("prometheus.yml"));
    const job = scrape.scrape_configs.find((j) => j.job_name === "websocket");
    job.static_configs[0].targets = [echo.url, broken.url];
    job.relabel_configs.find((r) => r.target_label === "__address__").replacement = `127.0.0.1:${ex.port}`;
    scrape.scrape_configs.find((j) => j.job_name === "ws101_exporter").static_configs[0].targets = [`127.0.0.1:${ex.port}`];
    // The README's rules, but firing at once (for: 0s) so a real evaluation is seen in seconds.
    const rules = YAML.parse(readmeBlock("ws101-alerts.yml"));
    for (const r of rules.groups[0].rules) r.for = "0s";
    writeFileSync(join(dir, "rules.yml"), YAML.stringify(rules));
    writeFileSync(join(dir, "prometheus.yml"), YAML.stringify({
      global: { scrape_interval: "2s", scrape_timeout: "2s", evaluation_interval: "1s" },
      rule_files: [join(dir, "rules.yml")],
      ...scrape,
    }));
    const check = await promtool(["check", "config", join(dir, "prometheus.yml")]);
    assert.equal(check.code, 0, check.output);
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prom = start("/usr/bin/prometheus", [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], { cwd: dir });
    await waitForHttp(`${api}/-/ready`, 30000, prom);
  });
  after(async () => {
    await prom?.stop();
    await ex?.stop();
    await echo?.stop();
    await broken?.close();
  });

  /** Polls the query API until `predicate(result)` holds; returns that result (the test's timeout bounds it). */
  async function poll(path, predicate) {
    for (;;) {
      const body = await (await fetch(`${api}${path}`)).json();
      assert.equal(body.status, "success", JSON.stringify(body));
      if (predicate(body.data)) return body.data;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  test("probe_success is 1 for the healthy server and 0 for the broken one", { timeout: 60000 }, async () => {
    const value = (data, instance) => data.result.find((s) => s.metric.instance === instance)?.value[1];
    const data = await poll(`/api/v1/query?query=${encodeURIComponent('probe_success{job="websocket"}')}`, (d) => value(d, echo.url) === "1" && value(d, broken.url) === "0");
    assert.equal(data.result.length, 2);
    // The broken one failed on the accept key (not on a deadline or a refused connection).
    const accept = await poll(`/api/v1/query?query=${encodeURIComponent('probe_websocket_check_success{check="accept"}')}`, (d) => d.result.length === 2);
    assert.equal(value(accept, echo.url), "1");
    assert.equal(value(accept, broken.url), "0");
    const up = await poll(`/api/v1/query?query=${encodeURIComponent("up")}`, (d) => d.result.length === 3);
    assert.ok(up.result.every((s) => s.value[1] === "1"), "every scrape of the exporter succeeded at the HTTP level");
    const own = await poll(`/api/v1/query?query=${encodeURIComponent('ws101_exporter_probes_total{result="failure"}')}`, (d) => d.result.length === 1);
    assert.ok(Number(own.result[0].value[1]) >= 1);
  });

  test("the alert WebSocketEndpointDown fires for the broken server only", { timeout: 60000 }, async () => {
    const data = await poll("/api/v1/alerts", (d) => d.alerts.some((a) => a.labels.alertname === "WebSocketEndpointDown" && a.state === "firing"));
    const down = data.alerts.filter((a) => a.labels.alertname === "WebSocketEndpointDown");
    assert.deepEqual(down.map((a) => a.labels.instance), [broken.url]);
    assert.equal(down[0].labels.severity, "page");
    assert.equal(down[0].annotations.summary, `WebSocket endpoint ${broken.url} fails its probe`);
  });
});

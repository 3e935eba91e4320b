// A minimal W3C WebDriver client (chromedriver, geckodriver) for running pages in headless
// Chromium and Firefox from node --test, with the browser arguments from webdriver.json.
import { readFileSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { freePort, start } from "./process.mjs";

const config = JSON.parse(readFileSync(new URL("../../webdriver.json", import.meta.url), "utf8"));

function which(candidates) {
  return candidates.find((p) => p && existsSync(p));
}

export const browsers = {
  chromium: {
    driver: () => which([process.env.CHROMEDRIVER, "/usr/bin/chromedriver"]),
    capabilities: () => ({
      browserName: "chrome",
      "goog:chromeOptions": { binary: which(["/usr/bin/chromium"]), ...config["goog:chromeOptions"] },
    }),
    args: (port) => [`--port=${port}`],
  },
  firefox: {
    driver: () => which([process.env.GECKODRIVER, `${homedir()}/.cargo/bin/geckodriver`, "/usr/local/bin/geckodriver"]),
    capabilities: () => ({
      browserName: "firefox",
      "moz:firefoxOptions": { binary: which(["/usr/bin/firefox-esr", "/usr/bin/firefox"]), ...config["moz:firefoxOptions"] },
    }),
    args: (port) => ["--port", String(port)],
  },
};

async function call(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

/**
 * Starts the driver and a browser session; returns { navigate, execute, close }. `extra` is
 * merged into the session's capabilities (e.g. `acceptInsecureCerts`, Firefox `prefs`).
 */
export async function openBrowser(name, extra = {}) {
  const spec = browsers[name];
  const driverPath = spec.driver();
  if (!driverPath) throw new Error(`no WebDriver for ${name}: run scripts/bootstrap.sh`);
  const port = await freePort();
  const driver = start(driverPath, spec.args(port));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      const status = await call(base, "GET", "/status");
      if (status.ready !== false) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${name} driver did not start\n${driver.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  let session;
  try {
    const capabilities = spec.capabilities();
    for (const [key, value] of Object.entries(extra)) {
      capabilities[key] = value !== null && typeof value === "object" && !Array.isArray(value) ? { ...capabilities[key], ...value } : value;
    }
    session = await call(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
  } catch (e) {
    await driver.stop();
    throw e;
  }
  const sid = session.sessionId;
  return {
    navigate: (url) => call(base, "POST", `/session/${sid}/url`, { url }),
    execute: (script, args = []) => call(base, "POST", `/session/${sid}/execute/sync`, { script, args }),
    async waitFor(expression, timeoutMs = 20000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const value = await call(base, "POST", `/session/${sid}/execute/sync`, { script: `return ${expression};`, args: [] });
        if (value !== null && value !== undefined) return value;
        if (Date.now() > until) throw new Error(`timed out waiting for ${expression}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      try {
        await call(base, "DELETE", `/session/${sid}`);
      } finally {
        await driver.stop();
      }
    },
  };
}

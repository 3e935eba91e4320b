// Exporter modules: what a probe checks, read from YAML (the `yaml` package) and validated key by
// key; an unknown key or a wrong type is an error naming its path (modules.chat.pingz). Each
// module becomes a probe spec (spec.mjs) except for the URL, which comes with each scrape.
//
//   modules:
//     chat:
//       timeout: 5s                 # to the 101, and for each later step (duration; number = ms)
//       subprotocols: [chat.v2]     # offered (Sec-WebSocket-Protocol)
//       require_subprotocol: true   # the server must choose one
//       deflate: true               # offer permessage-deflate
//       require_deflate: true       # the server must accept it
//       origin: https://example.com
//       headers: { Authorization: "Bearer …" }
//       send: '{"type":"ping"}'     # sent once; the same text back is expected…
//       expect: '"type":"pong"'     # …or a text message matching this regex
//       pings: 3                    # pings sent, pongs expected (RTTs reported)
//       close_code: 1000            # the code the closing handshake must carry
//       http2: false                # the handshake as an RFC 8441 extended CONNECT over HTTP/2
//       tls: { ca_file: ca.pem, insecure_skip_verify: false }
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { makeSpec } from "./spec.mjs";
import { parseDuration, UsageError } from "./usage.mjs";

/** With no module named, a probe checks what `ws101 probe URL --ping 1` checks. */
export const DEFAULT_MODULE = Object.freeze({ pings: 1 });

const isMap = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function fail(path, message) {
  throw new UsageError(`${path}: ${message}`);
}

function known(map, keys, path) {
  for (const key of Object.keys(map)) if (!keys.includes(key)) fail(`${path}.${key}`, `unknown key (known: ${keys.join(", ")})`);
}

const FIELDS = {
  timeout: (v, path) => ({ timeout: parseDuration(typeof v === "number" ? String(v) : v, path) }),
  subprotocols: (v, path) => {
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) fail(path, "must be a list of strings");
    return { protocols: v };
  },
  require_subprotocol: (v, path) => ({ requireProtocol: bool(v, path) }),
  deflate: (v, path) => ({ deflate: bool(v, path) }),
  require_deflate: (v, path) => ({ requireDeflate: bool(v, path) }),
  origin: (v, path) => ({ origin: str(v, path) }),
  headers: (v, path) => {
    if (!isMap(v)) fail(path, "must be a map of header name to value");
    return { headers: Object.entries(v).map(([k, value]) => [k, str(value, `${path}.${k}`)]) };
  },
  send: (v, path) => ({ send: str(v, path) }),
  expect: (v, path) => {
    try { return { expect: new RegExp(str(v, path)) }; } catch (err) { return fail(path, err.message); }
  },
  pings: (v, path) => ({ pings: int(v, path, 0, 100) }),
  close_code: (v, path) => ({ closeCode: int(v, path, 1000, 4999) }),
  http2: (v, path) => ({ http2: bool(v, path) }),
  tls: (v, path) => {
    if (!isMap(v)) fail(path, "must be a map (ca_file, insecure_skip_verify)");
    known(v, ["ca_file", "insecure_skip_verify"], path);
    return {
      ...(v.ca_file !== undefined && { ca: str(v.ca_file, `${path}.ca_file`) }),
      ...(v.insecure_skip_verify !== undefined && { insecure: bool(v.insecure_skip_verify, `${path}.insecure_skip_verify`) }),
    };
  },
};

function bool(v, path) {
  if (typeof v !== "boolean") fail(path, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}
function str(v, path) {
  if (typeof v !== "string") fail(path, `must be a string, got ${JSON.stringify(v)}`);
  return v;
}
function int(v, path, min, max) {
  if (!Number.isInteger(v) || v < min || v > max) fail(path, `must be a whole number ${min}-${max}, got ${JSON.stringify(v)}`);
  return v;
}

/** A module's YAML map → makeSpec options (no URL yet), checked now with a stand-in URL. */
export function moduleOptions(map, path) {
  if (map === null || map === undefined) map = {};
  if (!isMap(map)) fail(path, "must be a map of settings");
  known(map, Object.keys(FIELDS), path);
  let options = {};
  for (const [key, value] of Object.entries(map)) options = { ...options, ...FIELDS[key](value, `${path}.${key}`) };
  const names = { requireProtocol: `${path}.require_subprotocol`, protocols: `${path}.subprotocols`, requireDeflate: `${path}.require_deflate`, deflate: `${path}.deflate`, expect: `${path}.expect`, send: `${path}.send`, ca: `${path}.tls.ca_file` };
  const spec = makeSpec({ ...options, url: "ws://module.invalid/" }, names); // the checks that need no URL
  return { ...options, ca: spec.ca, names };
}

/** Parses a config file's text: { modules: { name: options } }. */
export function parseModules(text, file = "config") {
  let doc;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: ${err.message.split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isMap(doc)) fail(file, "must be a map with a `modules` key");
  for (const key of Object.keys(doc)) if (key !== "modules") fail(`${file}: ${key}`, "unknown key (known: modules)");
  const modules = new Map();
  if (doc.modules !== undefined && doc.modules !== null) {
    if (!isMap(doc.modules)) fail(`${file}: modules`, "must be a map of module name to settings");
    for (const [name, map] of Object.entries(doc.modules)) modules.set(name, moduleOptions(map, `modules.${name}`));
  }
  if (!modules.has("default")) modules.set("default", moduleOptions(DEFAULT_MODULE, "modules.default"));
  return modules;
}

export function loadModules(file) {
  if (file === undefined) return parseModules("", "(no config)");
  let text;
  try { text = readFileSync(file, "utf8"); } catch (err) { throw new UsageError(`--config: cannot read ${file}: ${err.code ?? err.message}`); }
  return parseModules(text, file);
}

// A probe report in the Prometheus text exposition format (version 0.0.4), in the shape of
// blackbox_exporter: probe_success and probe_duration_seconds, its WebSocket prober's names where
// they overlap (probe_websocket_status_code, probe_websocket_connection_upgraded,
// probe_websocket_failed_due_to_regex), its TLS names (probe_ssl_earliest_cert_expiry,
// probe_ssl_last_chain_info, probe_tls_version_info, probe_tls_cipher_info), and ws101's own
// probe_websocket_* beyond them. Also the small writer the exporter's /metrics uses.

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const escapeLabel = (v) => String(v).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (v) => String(v).replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const number = (v) => (v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : Number.isNaN(v) ? "NaN" : String(v));

/** Collects families in order: family(name, type, help) then sample(labels, value). */
export class Exposition {
  #lines = [];
  #families = new Set();
  family(name, type, help) {
    if (this.#families.has(name)) throw new Error(`metric family ${name} written twice`);
    this.#families.add(name);
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    this.#current = name;
    return this;
  }
  #current = null;
  sample(labels, value, suffix = "") {
    const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    this.#lines.push(`${this.#current}${suffix}${pairs.length ? `{${pairs.join(",")}}` : ""} ${number(value)}`);
    return this;
  }
  /** A family with one unlabelled sample. */
  gauge(name, help, value) {
    return this.family(name, "gauge", help).sample(null, value);
  }
  text() {
    return this.#lines.join("\n") + "\n";
  }
}

const seconds = (ms) => (ms == null ? 0 : Math.round(ms * 1000) / 1e6);
const PHASES = ["resolve", "connect", "tls", "handshake", "echo", "ping", "close"];
const TLS_NAMES = { "TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2", "TLSv1.3": "TLS 1.3" };

/** The phases' own durations in ms (connect without DNS). */
function phases(t) {
  return {
    resolve: t.dnsMs,
    connect: t.connectMs == null ? null : t.connectMs - (t.dnsMs ?? 0),
    tls: t.tlsMs,
    handshake: t.handshakeMs,
    echo: t.echoMs,
    ping: t.pingMs,
    close: t.closeMs,
  };
}

/** One probe's metrics (the body of GET /probe). */
export function probeMetrics(report) {
  const m = new Exposition();
  const upgraded = report.response?.status === 101 && report.checks.filter((c) => ["status", "upgrade", "connection", "accept", "extensions", "subprotocol"].includes(c.name)).every((c) => c.ok);
  m.gauge("probe_success", "Displays whether or not the probe was a success", report.ok ? 1 : 0);
  m.gauge("probe_duration_seconds", "Returns how long the probe took to complete in seconds", seconds(report.timings.totalMs));
  m.gauge("probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds", seconds(report.timings.dnsMs));
  m.gauge("probe_websocket_status_code", "Response HTTP status code (0 when no response head was read)", report.response?.status ?? 0);
  m.gauge("probe_websocket_connection_upgraded", "Indicates if the websocket connection was successfully upgraded (a 101 that passed every handshake check)", upgraded ? 1 : 0);
  m.gauge("probe_websocket_http_version", "The HTTP version of the opening handshake (1.1: RFC 6455 upgrade; 2: RFC 8441 extended CONNECT)", report.httpVersion ? Number(report.httpVersion) : 0);
  m.family("probe_websocket_duration_seconds", "gauge", "Duration of the websocket probe by phase");
  const p = phases(report.timings);
  for (const phase of PHASES) m.sample({ phase }, seconds(p[phase]));
  m.family("probe_websocket_check_success", "gauge", "Whether each check of the probe passed (1) or failed (0); checks that did not run are absent");
  for (const c of report.checks) m.sample({ check: c.name }, c.ok ? 1 : 0);
  if (upgraded) {
    m.family("probe_websocket_subprotocol_info", "gauge", "The subprotocol the server chose (empty: none)").sample({ subprotocol: report.protocol ?? "" }, 1);
    m.family("probe_websocket_extension_info", "gauge", "An extension the server accepted, with its parameters");
    for (const e of report.extensions) m.sample({ extension: e.name, params: e.params.map((x) => (x.value == null ? x.name : `${x.name}=${x.value}`)).join("; ") }, 1);
  }
  if (report.echo) {
    m.gauge("probe_websocket_failed_due_to_regex", "Indicates if probe failed due to regex (the expected message did not come)", report.echo.ok ? 0 : 1);
  }
  if (report.pings) {
    m.gauge("probe_websocket_pings_sent", "Pings the probe sent", report.pings.sent);
    m.gauge("probe_websocket_pongs_received", "Pongs received for them", report.pings.received);
    if (report.pings.received) {
      m.family("probe_websocket_ping_rtt_seconds", "gauge", "Ping round-trip times: min, median and max over the probe's pings");
      m.sample({ stat: "min" }, seconds(report.pings.minMs)).sample({ stat: "median" }, seconds(report.pings.medianMs)).sample({ stat: "max" }, seconds(report.pings.maxMs));
    }
  }
  if (report.close) {
    m.gauge("probe_websocket_close_code", "The code of the closing handshake (1006: the connection ended without one)", report.close.code);
    m.gauge("probe_websocket_close_clean", "Whether the closing handshake completed cleanly (RFC 6455 §7.1.4)", report.close.clean ? 1 : 0);
  }
  if (report.tls) {
    const cert = report.tls.certificate;
    if (cert?.earliestExpiry) m.gauge("probe_ssl_earliest_cert_expiry", "Returns earliest SSL cert expiry in unixtime", Date.parse(cert.earliestExpiry) / 1000);
    if (cert) {
      m.family("probe_ssl_last_chain_info", "gauge", "Contains SSL leaf certificate information").sample({
        fingerprint_sha256: (cert.fingerprint256 ?? "").replace(/:/g, "").toLowerCase(),
        subject: cert.subject ?? "", issuer: cert.issuer ?? "", subjectalternative: cert.subjectAltName ?? "", serialnumber: (cert.serialNumber ?? "").toLowerCase(),
      }, 1);
    }
    m.family("probe_tls_version_info", "gauge", "Contains the TLS version used").sample({ version: TLS_NAMES[report.tls.protocol] ?? report.tls.protocol ?? "" }, 1);
    m.family("probe_tls_cipher_info", "gauge", "Contains the TLS cipher suite used").sample({ cipher: report.tls.cipher ?? "" }, 1);
  }
  if (!report.ok && report.error) {
    m.family("probe_websocket_error_info", "gauge", "Why the probe failed: the first error's code").sample({ code: report.error.code }, 1);
  }
  return m.text();
}

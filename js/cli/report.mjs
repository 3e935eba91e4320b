// How a probe report is shown: the full human report (one PASS/FAIL row per check), one JSON line,
// and the compact one-line summary of watch mode. Every line of server text is escaped.
import { BODY_PREVIEW } from "./limits.mjs";
import { extensionString } from "./probe.mjs";
import { escapeJson, escapeText } from "./text.mjs";
import { EXIT_OK } from "./usage.mjs";

/** The report as JSON: one line, or indented for people (`--json=pretty`). */
export function reportJson(report, pretty = false) {
  return escapeJson(JSON.stringify(report, null, pretty ? 2 : undefined));
}

/** Why the run ended as it did, in a few words (the last line of the human report). */
export function verdict(r) {
  const connected = r.checks.some((c) => c.name === "connect" && c.ok) && !r.checks.some((c) => c.name === "tls" && !c.ok);
  return { 0: "healthy", 1: "a check failed", 2: connected ? "no response (TCP connected, no complete response head)" : "could not connect", 3: "usage error" }[r.exitCode];
}

export function humanReport(r) {
  const lines = [`ws101 probe ${r.url}`];
  const mark = (ok) => (ok ? "PASS" : "FAIL");
  const row = (c) => `  ${mark(c.ok)}  ${c.name.padEnd(16)} ${c.detail}`;
  for (const c of r.checks) {
    let line = row(c);
    if (c.name === "connect" && r.timings.connectMs != null) line += ` in ${r.timings.connectMs} ms${r.timings.dnsMs != null ? ` (DNS ${r.timings.dnsMs} ms)` : ""}`;
    if (c.name === "tls" && r.timings.tlsMs != null) line += ` in ${r.timings.tlsMs} ms`;
    if (c.name === "response" && r.timings.handshakeMs != null) line += ` in ${r.timings.handshakeMs} ms`;
    lines.push(line);
    if (c.name === "response" && r.response) {
      for (const [k, v] of r.response.headers) lines.push(`        ${k}: ${v}`);
      if (r.response.body) {
        lines.push(`        body (first ${Math.min(BODY_PREVIEW, Buffer.byteLength(r.response.body))} bytes):`);
        for (const l of r.response.body.split(/\r?\n/).slice(0, 12)) lines.push(`        | ${l}`);
      }
    }
    if (c.name === "subprotocol" && c.ok) {
      lines.push(`        protocol: ${r.protocol ?? "(none)"}`);
      lines.push(`        extensions: ${r.extensions.length ? r.extensions.map(extensionString).join(", ") : "(none)"}`);
    }
  }
  if (r.error && r.exitCode !== EXIT_OK && !r.checks.some((c) => c.detail === r.error.message)) lines.push(`  reason: ${r.error.message}`);
  lines.push(`result: ${r.ok ? "PASS" : "FAIL"} — ${verdict(r)} (exit ${r.exitCode}, ${r.timings.totalMs} ms)`);
  // Every line is escaped: the server's text cannot move the cursor, erase or fake a line.
  return lines.map(escapeText).join("\n");
}

/** Watch mode on a terminal: time, PASS/FAIL, the main timings, the reason when it failed. */
export function compactLine(r, at = new Date()) {
  const t = r.timings;
  const parts = [`${at.toISOString().slice(11, 19)}`, r.ok ? "PASS" : "FAIL", `${t.totalMs} ms`];
  if (t.handshakeMs != null) parts.push(`101 in ${t.handshakeMs} ms`);
  if (r.pings?.received) parts.push(`ping ${r.pings.medianMs} ms`);
  if (r.close) parts.push(`close ${r.close.code}${r.close.clean ? "" : " unclean"}`);
  if (!r.ok && r.error) parts.push(`— ${r.error.code}: ${r.error.message}`);
  return escapeText(parts.join("  "));
}

// `ws101 probe`'s engine: one run against a WebSocket server, as a report (plain data). TCP, TLS,
// the opening handshake (built and judged by the core: buildRequest, parseResponse and its
// verdicts), then the session (echo, pings, closing handshake) through the core's Connection.
// Used by the one-shot probe, watch mode and the exporter; it never prints.
import net from "node:net";
import tls from "node:tls";
import { performance } from "node:perf_hooks";
import { Connection, isWs101Error } from "../node.mjs";
import { BODY_PREVIEW, EXPECT_MAX, MAX_MESSAGE, SKIPPED_CHARS, SKIPPED_MAX, WRITE_HIGH } from "./limits.mjs";
import { certificateInfo } from "./certificate.mjs";
import { judgeExtendedConnectResponse } from "../edge/node-h2.mjs";
import { extendedConnect, openSession } from "./probe-h2.mjs";
import { Session } from "./session.mjs";
import { newRequest } from "./spec.mjs";
import { quote, round, since, utf8 } from "./text.mjs";
import { EXIT_CHECK, EXIT_CONNECT, EXIT_OK, formatDuration, typedError } from "./usage.mjs";
import { tableError } from "../edge/node-errors.mjs";
import { PROBE_OUTCOMES } from "./outcomes.mjs";

/** Waits for `emitter` to emit `event`; rejects on error, close or the deadline. */
function step(emitter, event, ms, what, label) {
  return new Promise((resolve, reject) => {
    const done = (fn, value) => { clearTimeout(timer); emitter.off(event, onEvent); emitter.off("error", onError); emitter.off("close", onClose); fn(value); };
    const onEvent = (value) => done(resolve, value);
    const onError = (err) => done(reject, err);
    const onClose = () => done(reject, tableError("closed-before-response", `the connection closed during ${what}`));
    const timer = setTimeout(() => done(reject, tableError("handshake-timeout", `${what} timed out (${label})`)), Math.max(0, ms));
    emitter.once(event, onEvent);
    emitter.once("error", onError);
    emitter.once("close", onClose);
  });
}


export function extensionString(ext) {
  return [ext.name, ...ext.params.map((p) => (p.value == null ? p.name : `${p.name}=${p.value}`))].join("; ");
}

function headerValue(headers, name) {
  return headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] ?? null;
}

/**
 * Runs one probe of `cfg` (a spec from makeSpec). `signal` (an AbortSignal) ends it early: the
 * connection is dropped and the report says "probe-deadline" (the exporter's per-probe limit).
 * Resolves with the report; never rejects on anything the server does.
 */
export async function runProbe(cfg, { signal } = {}) {
  const { timeout } = cfg;
  const label = cfg.timeoutLabel ?? `--timeout ${formatDuration(timeout)}`;
  const request = newRequest(cfg);
  try {
    return await probeWith(cfg, request, timeout, label, signal);
  } finally {
    request.free?.();
  }
}

async function probeWith(cfg, request, timeout, label, signal) {
  const report = {
    url: cfg.url,
    ok: false,
    exitCode: null,
    target: { host: request.host, port: request.port, secure: request.secure, resource: request.resource, address: null },
    // connectMs counts from the start (DNS included); the others are each phase's own time.
    timings: { dnsMs: null, connectMs: null, tlsMs: null, handshakeMs: null, echoMs: null, pingMs: null, closeMs: null, totalMs: null },
    tls: null,
    httpVersion: null, // "1.1" (the RFC 6455 upgrade); "2" once RFC 8441 extended CONNECT is probed
    request: { headers: request.headers.map(({ name, value }) => [name, value]) },
    response: null,
    accept: { expected: request.expectedAccept, received: null },
    checks: [],
    problems: [],
    protocol: null,
    extensions: [],
    deflate: null,
    echo: null,
    pings: null,
    close: null,
    traffic: null,
    error: null,
  };
  const check = (name, ok, detail, extra = {}) => report.checks.push({ name, ok, detail, ...extra });
  const start = performance.now();
  const deadline = start + timeout;
  const left = () => deadline - performance.now();
  // Our own deadline (the exporter's): drop whatever socket is open; every wait then ends.
  let live = null;
  const deadlineError = () => Object.assign(new Error(`the probe's deadline passed (${signal.reason?.message ?? "aborted"})`), { code: "probe-deadline" });
  const onAbort = () => live?.destroy(deadlineError());
  signal?.addEventListener("abort", onAbort, { once: true });
  let h2 = null; // the HTTP/2 session of --http2, closed when the probe ends
  const finish = (code) => {
    signal?.removeEventListener("abort", onAbort);
    h2?.destroy();
    if (signal?.aborted && code !== EXIT_OK) report.error = { code: "probe-deadline", message: deadlineError().message };
    if (code !== EXIT_OK && !report.error) {
      // Every failure says why (the first failed check), never "error": null.
      const failed = report.checks.find((c) => !c.ok);
      report.error = { code: "check-failed", message: failed ? `${failed.name}: ${failed.detail}` : "a check failed" };
    }
    report.exitCode = code;
    report.ok = code === EXIT_OK;
    report.timings.totalMs = since(start);
    return report;
  };
  const connectFailure = (name, err) => {
    check(name, false, err.message);
    // Node's own code (ECONNREFUSED, CERT_HAS_EXPIRED, …) or the table's; an error without one
    // still ended the connection before the response.
    report.error = { code: err.code ?? "closed-before-response", message: err.message };
    return finish(EXIT_CONNECT);
  };

  // 1. TCP (and DNS when the host is a name)
  if (signal?.aborted) return connectFailure("connect", deadlineError());
  const tcp = net.connect({ host: request.host, port: request.port });
  live = tcp;
  // Each wait below listens for errors itself; this keeps an error between waits (our deadline's
  // destroy during the body preview, a late reset) from becoming an uncaught exception.
  tcp.on("error", () => {});
  tcp.on("lookup", (err, address) => { if (!err) report.timings.dnsMs = since(start); report.target.address = address ?? null; });
  tcp.setNoDelay(true);
  try {
    await step(tcp, "connect", left(), "TCP connect", label);
  } catch (err) {
    tcp.destroy();
    return connectFailure("connect", err);
  }
  const connectedAt = performance.now();
  report.timings.connectMs = round(connectedAt - start);
  report.target.address ??= tcp.remoteAddress ?? null;
  check("connect", true, `TCP connected to ${tcp.remoteAddress}:${tcp.remotePort}`);

  // 2. TLS (wss)
  let socket = tcp;
  if (request.secure) {
    socket = tls.connect({
      socket: tcp,
      servername: net.isIP(request.host) ? undefined : request.host,
      rejectUnauthorized: !cfg.insecure,
      ca: cfg.ca,
      // RFC 9113 §3.2: h2 is chosen by ALPN; http/1.1 also offered so a server without h2 still
      // completes TLS and is reported as such (the alpn check), not as a TLS alert.
      ALPNProtocols: cfg.http2 ? ["h2", "http/1.1"] : undefined,
    });
    live = socket;
    socket.on("error", () => {});
    try {
      await step(socket, "secureConnect", left(), "TLS handshake", label);
    } catch (err) {
      socket.destroy();
      return connectFailure("tls", err);
    }
    report.timings.tlsMs = since(connectedAt);
    report.tls = {
      protocol: socket.getProtocol(),
      cipher: socket.getCipher()?.name ?? null,
      authorized: socket.authorized,
      authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
      certificate: certificateInfo(socket),
    };
    const verified = socket.authorized ? "certificate verified" : `certificate NOT verified (--insecure: ${report.tls.authorizationError})`;
    const cert = report.tls.certificate;
    const certNote = cert ? `; ${cert.subject ?? "(no subject)"}, expires ${cert.validTo.slice(0, 10)} (${cert.expiresInDays < 0 ? `EXPIRED ${-cert.expiresInDays} days ago` : `in ${cert.expiresInDays} days`})` : "";
    check("tls", true, `${report.tls.protocol} ${report.tls.cipher}, ${verified}${certNote}`);
  }

  // 3. The opening handshake: a 101 upgrade (RFC 6455 §4), or with --http2 an extended CONNECT
  // stream (RFC 8441) whose 2xx and negotiated fields the core judges.
  if (cfg.http2) return probeHttp2();
  const sentAt = performance.now();
  let buffered = Buffer.alloc(0);
  /** How many bytes had arrived when the core last read the head. */
  let readAt = 0;
  let result;
  try {
    result = await new Promise((resolve, reject) => {
      const cleanup = () => { clearTimeout(timer); socket.off("data", onData); socket.off("error", onError); socket.off("close", onClose); };
      // The core reads the head (parseResponse) only when it may have become decidable: a line
      // ended in this chunk (a head ends with an empty line, RFC 9112 §2.1), or the bytes doubled
      // since the last read (so an endless line still meets the core's size limit). A head
      // trickled byte by byte is then read a bounded number of times, not once per chunk.
      const onData = (chunk) => {
        buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
        if (!chunk.includes(0x0a) && buffered.length < 2 * readAt) return;
        readAt = buffered.length;
        let r;
        try {
          r = request.parseResponse(buffered);
        } catch (err) {
          cleanup();
          return reject(err);
        }
        if (r.complete) { cleanup(); resolve(r); }
      };
      const onError = (err) => { cleanup(); reject(err); };
      const onClose = () => {
        cleanup();
        reject(tableError("closed-before-response", buffered.length
          ? `the server closed the connection before a complete response head (${buffered.length} bytes received)`
          : "the server accepted the TCP connection, then closed it without sending a response"));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(tableError("handshake-timeout", buffered.length
          ? `no complete response head within ${formatDuration(timeout)} (${buffered.length} bytes received)`
          : `no response: the server accepted the TCP connection but sent nothing within ${formatDuration(timeout)}`));
      }, Math.max(0, left()));
      socket.on("data", onData);
      socket.on("error", onError);
      socket.on("close", onClose);
      socket.write(Buffer.from(request.bytes));
    });
  } catch (err) {
    socket.destroy();
    return connectFailure("response", err);
  }
  report.timings.handshakeMs = since(sentAt);
  socket.pause();
  const headers = (result.headers ?? []).map(({ name, value }) => [name, value]);
  report.problems = result.problems;
  if (result.status === 0) {
    // The head could not be read as HTTP/1.1. The core's size limits speak of the request and a
    // 431 (its server side); here the oversized head is the server's response.
    result.problems = result.problems.map(responseProblem);
    report.problems = result.problems;
    const why = result.problems.map((p) => p.explanation).join(" ") || "unreadable response";
    check("response", false, why, { rfc: result.problems[0]?.rfc ?? null });
    report.response = { status: 0, version: "", reason: "", headers: [], body: buffered.subarray(0, BODY_PREVIEW).toString("utf8") };
    report.error = { code: result.problems[0]?.code ?? "malformed-head", message: why };
    socket.destroy();
    return finish(EXIT_CHECK);
  }
  report.response = { status: result.status, version: result.version, reason: result.reason, headers, body: null };
  report.accept.received = headerValue(headers, "Sec-WebSocket-Accept");
  report.httpVersion = /^HTTP\/(\d(?:\.\d)?)$/.exec(result.version)?.[1] ?? null;
  // A head was read; it passes only as a 101 (a 200 is not "PASS response", then "FAIL status").
  check("response", result.status === 101, `${result.version} ${result.status} ${result.reason}`.trim());
  const explain = (codes) => result.problems.filter((p) => codes.includes(p.code)).map((p) => p.explanation).join(" ");
  for (const v of result.verdicts) {
    let detail = v.passed ? v.rule : explain(v.codes) || v.rule;
    if (v.check === "accept") detail = `expected ${report.accept.expected}, received ${report.accept.received ?? "(none)"}${v.passed ? "" : ` — ${detail}`}`;
    if (v.check === "status" && !v.passed) detail = statusReason(result, headers);
    check(v.check, v.passed, detail, { rfc: v.rfc });
  }

  if (!result.ok) {
    const first = result.problems[0];
    report.error = {
      code: first?.code ?? "unexpected-status",
      message: result.status !== 101 ? statusReason(result, headers) : result.problems.map((p) => p.explanation).join(" "),
    };
    if (result.status !== 101) report.response.body = await bodyPreview(socket, buffered.subarray(result.consumed ?? buffered.length), Math.min(300, Math.max(0, left())));
    socket.destroy();
    return finish(EXIT_CHECK);
  }
  return converse(socket, result, buffered);

  async function probeHttp2() {
    const sentAt = performance.now();
    report.httpVersion = "2";
    report.accept = null; // HTTP/2 has no Sec-WebSocket-Accept (RFC 8441 §5)
    if (request.secure && socket.alpnProtocol !== "h2") {
      check("alpn", false, `the server did not choose h2 in TLS ALPN (chose ${socket.alpnProtocol || "nothing"}); no HTTP/2 on this port`, { rfc: "RFC 9113 §3.2" });
      report.error = { code: "connect-protocol-not-offered", message: "alpn: the server does not speak HTTP/2 (ALPN h2) on this port" };
      socket.destroy();
      return finish(EXIT_CHECK);
    }
    let opened;
    try {
      opened = await openSession(socket, request, left());
    } catch (err) {
      socket.destroy();
      return connectFailure("settings", err);
    }
    h2 = opened.session;
    live = h2.socket ?? socket;
    const offered = opened.settings.enableConnectProtocol === true;
    check("settings", offered, offered
      ? "SETTINGS_ENABLE_CONNECT_PROTOCOL = 1: the server accepts WebSockets over HTTP/2"
      : "the server's SETTINGS lack SETTINGS_ENABLE_CONNECT_PROTOCOL = 1: no WebSockets over HTTP/2 here", { rfc: "RFC 8441 §3" });
    if (!offered) {
      report.error = { code: "connect-protocol-not-offered", message: "settings: the server does not offer WebSockets over HTTP/2 (RFC 8441 §3)" };
      return finish(EXIT_CHECK);
    }
    let answer;
    try {
      answer = await extendedConnect(h2, request, left());
    } catch (err) {
      return connectFailure("response", err);
    }
    report.timings.handshakeMs = since(sentAt);
    const { stream, status, headers } = answer;
    report.response = { status, version: "HTTP/2", reason: "", headers, body: null };
    const accepted = status >= 200 && status <= 299;
    check("response", accepted, `HTTP/2 ${status}`);
    check("status", accepted, accepted ? "a 2xx answers the extended CONNECT" : `expected a 2xx, got ${status}`, { rfc: "RFC 8441 §5" });
    if (!accepted) {
      report.error = { code: "unexpected-status", message: `status: the server refused the extended CONNECT with ${status}` };
      return finish(EXIT_CHECK);
    }
    const result = judgeExtendedConnectResponse(request, headers.flat());
    report.problems = result.problems;
    for (const v of result.verdicts) {
      if (v.check !== "extensions" && v.check !== "subprotocol") continue; // the others stand for the 2xx
      const detail = v.passed ? v.rule : result.problems.filter((p) => v.codes.includes(p.code)).map((p) => p.explanation).join(" ") || v.rule;
      check(v.check, v.passed, detail, { rfc: v.rfc });
    }
    if (!result.ok) {
      report.error = { code: result.problems[0]?.code ?? "unexpected-status", message: result.problems.map((p) => p.explanation).join(" ") };
      return finish(EXIT_CHECK);
    }
    stream.pause();
    return converse(stream, result, null);
  }

  /**
   * Steps 4 and 5 over `socket` (the TCP/TLS socket, or the HTTP/2 stream) once `result` accepted;
   * `received` is what the head was read from (frames may follow it), null over HTTP/2.
   */
  async function converse(socket, result, received) {
  report.protocol = result.protocol;
  report.extensions = result.extensions;
  report.deflate = result.deflate;
  /** Records the probe's verdict (js/cli/outcomes.mjs) unless an error came first. */
  const fail = (code, message) => {
    if (!Object.hasOwn(PROBE_OUTCOMES, code)) throw new TypeError(`ws101 probe: ${JSON.stringify(code)} is not a probe outcome`);
    report.error ??= { code, message };
  };
  // What the monitor requires beyond RFC 6455 (a server may choose no subprotocol, §4.2.2, and
  // decline permessage-deflate, RFC 7692 §5): ws101's verdicts above pass those; these do not.
  if (cfg.requireProtocol) {
    const offered = cfg.protocols.join(", ");
    check("require-protocol", result.protocol !== null, result.protocol !== null ? `the server chose ${result.protocol} (offered ${offered})` : `the server chose no subprotocol (offered ${offered}; required)`);
    if (result.protocol === null) fail("protocol-not-chosen", `require-protocol: the server chose none of ${offered}`);
  }
  if (cfg.requireDeflate) {
    check("require-deflate", result.deflate != null, result.deflate != null ? "the server accepted permessage-deflate" : "the server declined permessage-deflate (required)");
    if (result.deflate == null) fail("deflate-declined", "require-deflate: the server declined permessage-deflate");
  }

  // 4. The WebSocket session. Payloads are views into wasm memory (no copy per message); each step
  // copies only what it checks.
  const { connection: conn, frames } = Connection.afterHandshake(result, received, { maxPayload: MAX_MESSAGE, views: true, textAsBytes: true });
  const session = new Session(socket, conn, frames, { keepMessages: cfg.send !== null });
  report.traffic = session.traffic;
  socket.resume();
  const stalled = () => (session.unsent > WRITE_HIGH ? ` (the server is not reading: ${session.unsent} bytes of ours unsent)` : "");

  if (cfg.send !== null) {
    session.startPhase("echo");
    const echo = { sent: cfg.send, expect: cfg.expect ? cfg.expect.source : null, received: null, skipped: [], skippedCount: 0, ok: false, ms: null };
    report.echo = echo;
    const t = performance.now();
    const sentBytes = Buffer.from(cfg.send, "utf8");
    const sent = session.send((c) => c.sendText(cfg.send));
    const skip = (note) => {
      echo.skippedCount++;
      if (echo.skipped.length < SKIPPED_MAX) echo.skipped.push(note);
    };
    // Called with each text or binary message as it arrives; returns the matching text.
    const take = (e) => {
      if (e.type !== "text" && e.type !== "binary") return undefined;
      const bytes = e.data;
      if (e.type === "binary") return skip(`<binary ${bytes.byteLength} bytes>`);
      if (!cfg.expect) {
        if (bytes.byteLength === sentBytes.length && sentBytes.equals(bytes)) return cfg.send;
        return skip(utf8(bytes, SKIPPED_CHARS * 4).slice(0, SKIPPED_CHARS));
      }
      if (bytes.byteLength > EXPECT_MAX) return skip(`<text ${bytes.byteLength} bytes, too long to match>`);
      const text = utf8(bytes);
      cfg.expect.lastIndex = 0;
      if (cfg.expect.test(text)) return text;
      return skip(text.slice(0, SKIPPED_CHARS));
    };
    // Not sent: still list what the server had sent (the pending messages), without waiting.
    const got = sent ? await session.next(take, timeout) : (await session.next(take, 0), null);
    session.stopKeeping();
    report.timings.echoMs = since(t);
    echo.ms = got !== null ? report.timings.echoMs : null;
    echo.received = got;
    echo.ok = got !== null;
    const want = cfg.expect ? `a message matching /${cfg.expect.source}/` : `the same text back`;
    const skippedNote = echo.skippedCount ? ` (skipped ${echo.skippedCount}: ${echo.skipped.map((s) => quote(s, 60)).join(", ")}${echo.skippedCount > echo.skipped.length ? ", …" : ""})` : "";
    const why = !sent ? "the connection is closing or closed" : session.flood ? session.flood.message : session.closed ? "the connection closed first" : `nothing within ${formatDuration(timeout)}${stalled()}`;
    check("echo", echo.ok, echo.ok
      ? `sent ${quote(cfg.send)}, received ${quote(got)} in ${echo.ms} ms${skippedNote}`
      : `${sent ? "sent" : "could not send"} ${quote(cfg.send)}, expected ${want}; ${why}${skippedNote}`);
    if (!echo.ok) fail(session.flood ? "too-much-data" : "no-echo", `echo: ${why}`);
  }

  if (cfg.pings > 0) {
    const pingStart = performance.now();
    const rtts = [];
    let failure = null;
    let sent = 0;
    for (let i = 0; i < cfg.pings; i++) {
      session.startPhase(`ping ${i + 1}`);
      const payload = Buffer.from(`ws101-probe-${i}`);
      const t = performance.now();
      if (!session.send((c) => c.ping(payload))) { failure = session.flood ? session.flood.message : "the connection is closing or closed"; break; }
      sent++;
      const pong = await session.next((e) => (e.type === "pong" && payload.equals(e.data) ? true : undefined), timeout);
      if (!pong) { failure = session.flood ? session.flood.message : session.closed ? "the connection closed" : `no pong for ping ${i + 1} within ${formatDuration(timeout)}${stalled()}`; break; }
      rtts.push(since(t));
    }
    report.timings.pingMs = since(pingStart);
    const sorted = [...rtts].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    report.pings = {
      count: cfg.pings,
      sent,
      received: rtts.length,
      rttsMs: rtts,
      minMs: sorted.length ? sorted[0] : null,
      medianMs: sorted.length ? round(sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2) : null,
      maxMs: sorted.length ? sorted[sorted.length - 1] : null,
    };
    const p = report.pings;
    check("ping", !failure, `${p.received}/${p.count} pongs${p.received ? `, RTT min ${p.minMs} / median ${p.medianMs} / max ${p.maxMs} ms` : ""}${failure ? `; ${failure}` : ""}`);
    if (failure) fail(session.flood ? "too-much-data" : "no-pong", `ping: ${failure}`);
  }

  // 5. The closing handshake (RFC 6455 §7): we send Close 1000 unless the server already did; the
  // server closes TCP first (§7.1.1). ws101's Connection decides whether it was clean.
  session.startPhase("close");
  const t = performance.now();
  let initiator = "client";
  if (session.closeEvent || session.closed) initiator = session.closeEvent && session.closeEvent.code !== 1006 ? "server" : "transport";
  else if (session.errors.length) initiator = "client"; // the core already sent the error's Close
  else if (!session.send((c) => c.close(1000, "ws101 probe done"))) initiator = "server";
  let closeStall = "";
  if (!session.closed) {
    await session.until(() => session.closeEvent !== null, timeout);
    closeStall = stalled();
    if (!(await session.ended(timeout))) {
      socket.destroy();
      await session.ended(1000);
    }
  }
  const ev = session.closeEvent ?? { code: 1006, reason: "", wasClean: false };
  let clean = false;
  try { clean = conn.wasClean ?? ev.wasClean ?? false; } catch { clean = false; }
  if (session.flood) clean = false;
  report.close = { code: ev.code, reason: ev.reason, clean, initiator, ms: since(t) };
  report.timings.closeMs = report.close.ms;
  const unclean = session.flood ? `the probe dropped the connection: ${session.flood.message}`
    : initiator === "transport" || ev.code === 1006 ? `the TCP connection ended without a closing handshake${closeStall}` : "the closing handshake did not complete";
  check("close", clean === true, clean
    ? `${ev.code}${ev.reason ? ` ${quote(ev.reason)}` : ""}, clean closing handshake (${initiator === "client" ? "we" : "the server"} sent Close first)`
    : `${ev.code}${ev.reason ? ` ${quote(ev.reason)}` : ""}, not clean: ${unclean}`);
  if (!clean) fail(session.flood ? "too-much-data" : "unclean-close", `close: ${unclean}`);
  if (cfg.closeCode !== null) {
    const same = ev.code === cfg.closeCode;
    check("close-code", same, `${same ? "" : "expected "}${cfg.closeCode}${same ? " as expected" : `, got ${ev.code}`}`);
    if (!same) fail("unexpected-close-code", `close-code: expected ${cfg.closeCode}, got ${ev.code}`);
  }
  if (session.errors.length) {
    const e = session.errors[0];
    const detail = isWs101Error(e) ? typedError(e) : String(e?.message ?? e);
    check("frames", false, detail);
    report.error = { code: isWs101Error(e) ? e.code : "check-failed", message: detail };
  }
  if (session.flood) report.error = { code: "too-much-data", message: session.flood.message };
  try { conn.free(); } catch { /* the core already gave up on it */ }
  return finish(report.checks.every((c) => c.ok) ? EXIT_OK : EXIT_CHECK);
  }
}

/** A head-size problem reworded for a response: the server sent too much, no 431 is involved. */
function responseProblem(p) {
  if (p.code === "head-too-large") {
    const [, len, max] = /(\d+) bytes, more than the (\d+)-byte/.exec(p.explanation) ?? [];
    return { ...p, status: null, explanation: `The server's response head is too large: ${len ? `at least ${len} bytes without the blank line that ends it, more than the ${max}-byte limit` : "more than the limit"} a client reads (the server's fault, not the request's).` };
  }
  if (p.code === "too-many-headers") {
    const [, max] = /more than (\d+) header/.exec(p.explanation) ?? [];
    return { ...p, status: null, explanation: `The server's response head has too many header lines: more than the ${max ?? ""} a client reads (the server's fault, not the request's).`.replace("the  a", "the limit a") };
  }
  return p;
}

/** Why a non-101 answer failed, in ws101's words (426 names the version the server wants). */
function statusReason(result, headers) {
  if (result.status === 426) {
    const wants = headerValue(headers, "Sec-WebSocket-Version");
    if (wants) return `server sent 426; it wants Sec-WebSocket-Version: ${wants}`;
  }
  const explanation = result.problems.map((p) => p.explanation).join(" ");
  return `server sent ${result.status}${result.reason ? ` ${result.reason}` : ""}${explanation ? `: ${explanation}` : ""}`;
}

/** The first bytes of a rejection's body: what came with the head, then whatever arrives shortly. */
function bodyPreview(socket, initial, ms) {
  return new Promise((resolve) => {
    let body = Buffer.from(initial);
    const done = () => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", done);
      socket.off("close", done);
      resolve(body.subarray(0, BODY_PREVIEW).toString("utf8"));
    };
    const onData = (chunk) => {
      body = Buffer.concat([body, chunk]);
      if (body.length >= BODY_PREVIEW) done();
    };
    const timer = setTimeout(done, ms);
    if (body.length >= BODY_PREVIEW || socket.destroyed) return done();
    socket.on("data", onData);
    socket.once("end", done);
    socket.once("close", done);
    socket.resume();
  });
}


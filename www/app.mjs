// The explainer's wiring: every number and verdict comes from ws101's wasm core; this file only
// reads inputs and writes results into the page.
import * as ws101 from "ws101";

const $ = (id) => document.getElementById(id);
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
const utf8 = new TextEncoder();
const text = new TextDecoder("utf-8", { fatal: false });

/** Creates an element: el("td", { className: "x" }, "text", child…). */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

/**
 * Typed input to bytes: "81 05 48…", "0x81,0x05", "8105…", or a capture with an offset column
 * (xxd "0000: ", hexdump/Wireshark "0000  ") and an ASCII column ("|..Hello|" or after 2+ spaces).
 */
function parseHex(input) {
  const out = [];
  for (let line of input.split(/\r?\n/)) {
    line = line.replace(/\|.*$/, "");
    line = line.replace(/^\s*(0x)?[0-9a-f]{4,8}(:\s*|\s{2,})/i, "");
    const tail = line.match(/^(.*?[0-9a-f]{2})\s{2,}(\S.*)$/i);
    if (tail && /[^0-9a-fx\s,]/i.test(tail[2])) line = tail[1];
    for (const token of line.split(/[\s,;]+/).filter(Boolean)) {
      const t = token.replace(/^0x/i, "");
      if (!/^([0-9a-f]{2})+$/i.test(t)) throw new Error(`not hex: "${token}" (write bytes as two hex digits each)`);
      for (let i = 0; i < t.length; i += 2) out.push(parseInt(t.slice(i, i + 2), 16));
    }
  }
  return new Uint8Array(out);
}

/** What a page shows for a ws101 error: code, message, RFC, and where it applies. */
function describeError(e) {
  const bits = [`${e.code ?? e.name}: ${e.message}`];
  if (e.rfc) bits.push(`(${e.rfc})`);
  return bits.join(" ");
}

function verdictRows(tbody, verdicts) {
  tbody.replaceChildren(...verdicts.map((v) => el("tr", { className: v.passed ? "ok" : "bad", dataset: { check: v.check } },
    el("th", { scope: "row" }, v.check, v.header ? el("span", { className: "hdr" }, v.header) : null),
    el("td", { "data-label": "result" }, el("span", { className: `verdict ${v.passed ? "pass" : "fail"}` }, v.passed ? "pass" : `fail${v.codes.length ? ": " + v.codes.join(", ") : ""}`)),
    el("td", { "data-label": "rule" }, v.rule),
    el("td", { className: "rfc", "data-label": "RFC" }, v.rfc))));
}

function problemItems(list, problems) {
  list.replaceChildren(...(problems ?? []).map((p) => el("li", { dataset: { code: p.code } },
    el("code", {}, p.code), " ", p.explanation, " ", el("span", { className: "rfc" }, p.rfc),
    p.status ? el("span", { className: "hint" }, ` → ${p.status}`) : null)));
}

/** A head's raw text into a <pre>: each CRLF shown as a muted ↵ before the line break. */
function showRaw(pre, bytes, extra = "") {
  const lines = text.decode(bytes).split("\r\n");
  const nodes = [];
  lines.forEach((line, i) => {
    nodes.push(line);
    if (i < lines.length - 1) nodes.push(el("span", { className: "crlf", title: "CRLF", "aria-label": "CRLF" }, "↵"), "\n");
  });
  if (extra) nodes.push(el("span", { className: "hint" }, extra));
  pre.replaceChildren(...nodes);
}

// ───────────────────────── 1 · Accept key ─────────────────────────
function renderAccept() {
  const key = $("key-input").value;
  $("key-nonce").textContent = key;
  $("key-concat").textContent = key + ws101.websocketGuid();
  $("key-sha1").textContent = hex(ws101.acceptDigest(key));
  $("key-accept").textContent = ws101.acceptKeyUnchecked(key);
  const verdict = $("key-verdict");
  try {
    const nonce = ws101.validateKey(key);
    verdict.className = "verdict pass";
    verdict.textContent = `valid: decodes to 16 bytes (${hex(nonce)})`;
  } catch (e) {
    verdict.className = "verdict fail";
    verdict.textContent = `${e.code}: ${e.message} (${e.rfc}) — a server answers ${e.status}`;
  }
}

$("key-input").addEventListener("input", renderAccept);
$("key-generate").addEventListener("click", () => {
  $("key-input").value = ws101.generateKey();
  renderAccept();
});
$("key-rfc").addEventListener("click", () => {
  $("key-input").value = "dGhlIHNhbXBsZSBub25jZQ==";
  renderAccept();
});
renderAccept();

// ───────────────────────── 2 · Request inspector ─────────────────────────
const SERVER_POLICY = { origins: ["https://example.com"], protocols: ["chat"] };
const REQUEST_PRESETS = {
  valid: `GET /chat HTTP/1.1
Host: example.com
Upgrade: websocket
Connection: Upgrade
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
Sec-WebSocket-Version: 13
Origin: https://example.com
Sec-WebSocket-Protocol: chat, superchat

`,
  "missing-key": `GET /chat HTTP/1.1
Host: example.com
Upgrade: websocket
Connection: Upgrade
Sec-WebSocket-Version: 13
Origin: https://example.com

`,
  "wrong-version": `GET /chat HTTP/1.1
Host: example.com
Upgrade: websocket
Connection: Upgrade
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
Sec-WebSocket-Version: 8
Origin: https://example.com

`,
  "bad-origin": `GET /chat HTTP/1.1
Host: example.com
Upgrade: websocket
Connection: Upgrade
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
Sec-WebSocket-Version: 13
Origin: https://evil.example

`,
  h2c: `GET / HTTP/1.1
Host: example.com
Connection: Upgrade, HTTP2-Settings
Upgrade: h2c
HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA

`,
  tls: `OPTIONS * HTTP/1.1
Host: example.com
Upgrade: TLS/1.0
Connection: Upgrade

`,
  connect: `:method: CONNECT
:protocol: websocket
:scheme: https
:path: /chat
:authority: example.com
sec-websocket-version: 13
sec-websocket-protocol: chat
origin: https://example.com
`,
};

$("req-policy-origin").textContent = SERVER_POLICY.origins.join(", ");
$("req-policy-protocol").textContent = SERVER_POLICY.protocols.join(", ");

/** HTTP/2 field lines ("name: value", pseudo-headers start with ":") as [name, value] pairs. */
function fieldLines(source) {
  return source.split(/\r?\n/).filter((l) => l.trim() !== "").map((line) => {
    const at = line.indexOf(":", line.startsWith(":") ? 1 : 0);
    return at < 0 ? [line.trim(), ""] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
  });
}

function renderKind(kind) {
  const box = $("req-kind");
  if (!kind || !kind.complete || kind.error) { box.replaceChildren(); return; }
  const items = [el("p", {}, "Upgrade kind (RFC 9110 §7.8): ", el("strong", { id: "req-kind-value" }, kind.kind),
    kind.protocols.length ? ` — offers ${kind.protocols.map((p) => p.version ? `${p.name}/${p.version}` : p.name).join(", ")}` : "")];
  if (kind.settings.length) {
    items.push(el("div", { className: "table-wrap" }, el("table", { id: "req-settings", className: "settings" },
      el("caption", {}, "HTTP2-Settings, decoded (RFC 9113 §6.5.2)"),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Setting"), el("th", { scope: "col" }, "Id"), el("th", { scope: "col" }, "Value"))),
      el("tbody", {}, ...kind.settings.map((s) => el("tr", {}, el("td", {}, s.name), el("td", {}, `0x${s.id.toString(16)}`), el("td", {}, String(s.value))))))));
  }
  for (const note of kind.notes) items.push(el("p", { className: "note" }, note));
  for (const p of kind.problems) items.push(el("p", { className: "fail" }, `${p.code}: ${p.explanation} (${p.rfc})`));
  box.replaceChildren(...items);
}

function renderRequest() {
  const source = $("req-input").value;
  const summary = $("req-summary");
  const respond = (status, raw, ok) => {
    summary.className = `summary ${ok ? "pass" : "fail"}`;
    summary.dataset.status = String(status);
    if (raw !== null) $("req-response").textContent = raw;
  };
  if (/^\s*:/.test(source)) {
    // RFC 8441: an HTTP/2 HEADERS frame, typed as field lines.
    const outcome = ws101.validateExtendedConnect(fieldLines(source), SERVER_POLICY);
    renderKind(null);
    verdictRows($("req-verdicts").tBodies[0], outcome.verdicts);
    problemItems($("req-problems"), outcome.problems ?? []);
    const lines = outcome.headers.map((h) => `${h.name}: ${h.value}`).join("\n");
    respond(outcome.status, `HEADERS (HTTP/2, RFC 8441 §5)\n${lines}${outcome.body ? "\n\nDATA\n" + outcome.body : ""}`, outcome.accepted);
    summary.textContent = `${outcome.status} — ${outcome.accepted ? "extended CONNECT accepted: the stream now carries WebSocket frames" : "rejected"}`;
    return;
  }
  const bytes = utf8.encode(source.replace(/\r?\n/g, "\r\n"));
  const outcome = ws101.parseRequest(bytes, SERVER_POLICY);
  if (!outcome.complete) {
    summary.className = "summary warn";
    summary.dataset.status = "incomplete";
    summary.textContent = "incomplete: need more bytes — the head ends with an empty line (CRLF CRLF)";
    renderKind(null);
    verdictRows($("req-verdicts").tBodies[0], []);
    problemItems($("req-problems"), []);
    $("req-response").textContent = "";
    return;
  }
  renderKind(ws101.classifyUpgradeHead(bytes));
  verdictRows($("req-verdicts").tBodies[0], outcome.verdicts);
  problemItems($("req-problems"), outcome.problems ?? []);
  respond(outcome.status, null, outcome.ok);
  showRaw($("req-response"), outcome.response.bytes);
  summary.textContent = `${outcome.status} ${outcome.response.reason} — ${outcome.ok
    ? "switch to WebSocket" + (outcome.protocol ? ` with subprotocol "${outcome.protocol}"` : "")
    : "refuse the upgrade"}`;
}

for (const button of document.querySelectorAll("[data-req-preset]")) {
  button.addEventListener("click", () => {
    $("req-input").value = REQUEST_PRESETS[button.dataset.reqPreset];
    renderRequest();
  });
}
$("req-input").addEventListener("input", renderRequest);
$("req-input").value = REQUEST_PRESETS.valid;
renderRequest();

// ───────────────────────── 3 · Response checker ─────────────────────────
const RESPONSE_PRESETS = {
  correct: (h) => `HTTP/1.1 101 Switching Protocols
Upgrade: websocket
Connection: Upgrade
Sec-WebSocket-Accept: ${h.expectedAccept}
${h.protocol ? `Sec-WebSocket-Protocol: ${h.protocol}\n` : ""}
`,
  "wrong-accept": () => `HTTP/1.1 101 Switching Protocols
Upgrade: websocket
Connection: Upgrade
Sec-WebSocket-Accept: HSmrc0sMlYUkAGmm5OPpG2HaGWk=

`,
  ok200: () => `HTTP/1.1 200 OK
Content-Type: text/html
Content-Length: 0

`,
  unoffered: (h) => `HTTP/1.1 101 Switching Protocols
Upgrade: websocket
Connection: Upgrade
Sec-WebSocket-Accept: ${h.expectedAccept}
Sec-WebSocket-Protocol: superchat

`,
};

function clientHandshake() {
  const protocols = $("resp-protocols").value.split(",").map((p) => p.trim()).filter(Boolean);
  const handshake = ws101.buildRequest("ws://example.com/chat", { key: $("resp-key").value.trim(), protocols });
  return { handshake, protocol: protocols[0] };
}

function renderResponse() {
  const summary = $("resp-summary");
  let handshake;
  try {
    handshake = clientHandshake().handshake;
  } catch (e) {
    summary.className = "summary fail";
    summary.dataset.verdict = "error";
    summary.textContent = describeError(e);
    $("resp-request").textContent = "";
    verdictRows($("resp-verdicts").tBodies[0], []);
    problemItems($("resp-problems"), []);
    return;
  }
  showRaw($("resp-request"), handshake.bytes, `(the client expects Sec-WebSocket-Accept: ${handshake.expectedAccept})`);
  const outcome = handshake.parseResponse(utf8.encode($("resp-input").value.replace(/\r?\n/g, "\r\n")));
  if (!outcome.complete) {
    summary.className = "summary warn";
    summary.dataset.verdict = "incomplete";
    summary.textContent = "incomplete: need more bytes — the head ends with an empty line";
    verdictRows($("resp-verdicts").tBodies[0], []);
    problemItems($("resp-problems"), []);
    return;
  }
  summary.className = `summary ${outcome.ok ? "pass" : "fail"}`;
  summary.dataset.verdict = outcome.ok ? "accept" : "fail";
  summary.textContent = outcome.ok
    ? `The client must accept: the connection is open${outcome.protocol ? ` with subprotocol "${outcome.protocol}"` : ""}.`
    : `The client must fail the WebSocket connection (${outcome.problems.length} problem${outcome.problems.length === 1 ? "" : "s"}).`;
  verdictRows($("resp-verdicts").tBodies[0], outcome.verdicts ?? []);
  problemItems($("resp-problems"), outcome.problems ?? []);
}

for (const button of document.querySelectorAll("[data-resp-preset]")) {
  button.addEventListener("click", () => {
    let h = { expectedAccept: "(invalid key)", protocol: null };
    try { const c = clientHandshake(); h = { expectedAccept: c.handshake.expectedAccept, protocol: c.protocol }; } catch { /* shown by render */ }
    $("resp-input").value = RESPONSE_PRESETS[button.dataset.respPreset](h);
    renderResponse();
  });
}
for (const id of ["resp-key", "resp-protocols", "resp-input"]) $(id).addEventListener("input", renderResponse);
document.querySelector('[data-resp-preset="correct"]').click();

// ───────────────────────── 4 · Frame builder ─────────────────────────
const FIELD_MEANING = {
  FIN: (v) => (v ? "final fragment of the message" : "more fragments follow"),
  RSV1: (v) => (v ? "set: only meaningful with an extension (permessage-deflate: compressed)" : "clear"),
  RSV2: (v) => (v ? "set: no extension defines it" : "clear"),
  RSV3: (v) => (v ? "set: no extension defines it" : "clear"),
  opcode: (v, f) => f.opcodeName,
  MASK: (v) => (v ? "payload is masked (client → server)" : "not masked (server → client)"),
  "payload len": (v) => (v === 126 ? "126: a 16-bit length follows" : v === 127 ? "127: a 64-bit length follows" : `${v} bytes`),
  "extended payload length": (v) => `${v} bytes`,
  "masking key": () => "XORed over the payload, byte i with key[i mod 4]",
};
let randomKey = null;

function builderPayload() {
  const raw = $("fb-payload").value;
  return $("fb-payload-hex").checked ? parseHex(raw) : utf8.encode(raw);
}

function builderOptions() {
  const options = {
    fin: $("fb-fin").checked, rsv1: $("fb-rsv1").checked, rsv2: $("fb-rsv2").checked, rsv3: $("fb-rsv3").checked,
    opcode: Number($("fb-opcode").value), mask: $("fb-mask").checked, payload: builderPayload(),
  };
  if (options.mask) {
    if ($("fb-key-fixed").checked) {
      const key = parseHex($("fb-key").value);
      if (key.length !== 4) throw new Error("the masking key is 4 bytes, e.g. 37 fa 21 3d");
      options.maskKey = key;
    } else if (randomKey) {
      options.maskKey = randomKey;
    }
  }
  return options;
}

const bitsOf = (bytes, offset, length) => {
  let s = "";
  for (let i = offset; i < offset + length; i++) s += (bytes[i >> 3] >> (7 - (i & 7))) & 1;
  return s;
};
const fieldId = (name) => name.replace(/\s+/g, "-");

function highlight(container, field, on) {
  for (const node of document.querySelectorAll(`#builder [data-field~="${field}"]`)) node.classList.toggle("hl", on);
}

function linkHover(node, fields) {
  const set = (on) => fields.forEach((f) => highlight(node, f, on));
  node.addEventListener("mouseenter", () => set(true));
  node.addEventListener("mouseleave", () => set(false));
  node.addEventListener("focus", () => set(true));
  node.addEventListener("blur", () => set(false));
}

function renderBuilder() {
  $("fb-key").disabled = !$("fb-mask").checked || !$("fb-key-fixed").checked;
  $("fb-key-new").disabled = !$("fb-mask").checked || !$("fb-key-random").checked;
  let frame;
  try {
    frame = ws101.encodeFrame(builderOptions());
  } catch (e) {
    $("fb-error").className = "summary fail";
    $("fb-error").textContent = describeError(e);
    return;
  }
  $("fb-error").className = "summary";
  $("fb-error").textContent = "";
  if ($("fb-mask").checked && $("fb-key-random").checked) randomKey = frame.maskKey;
  const { bytes, headerLength, fields } = frame;
  $("fb-length").textContent = `(${bytes.length} bytes: ${headerLength} header + ${bytes.length - headerLength} payload)`;

  // Hex view: header bytes name the fields they hold; payload bytes are shown up to a limit.
  const byteFields = (i) => fields.filter((f) => f.bitOffset < (i + 1) * 8 && f.bitOffset + f.bitLength > i * 8).map((f) => fieldId(f.name));
  const shown = Math.min(bytes.length, headerLength + 64);
  const cells = [];
  for (let i = 0; i < shown; i++) {
    const inHeader = i < headerLength;
    const names = inHeader ? byteFields(i) : ["payload"];
    const cell = el("span", {
      className: `byte ${inHeader ? "hdr" : "pl"}`, dataset: { field: names.join(" "), index: String(i) },
      title: inHeader ? `byte ${i}: ${names.join(", ")}` : `byte ${i}: payload`,
    }, bytes[i].toString(16).padStart(2, "0"));
    if (inHeader) { cell.tabIndex = 0; cell.setAttribute("aria-label", `byte ${i} = 0x${bytes[i].toString(16).padStart(2, "0")}, holds ${names.join(", ")}`); linkHover(cell, names); }
    cells.push(cell);
  }
  if (shown < bytes.length) cells.push(el("span", { className: "more" }, `… ${bytes.length - shown} more`));
  $("fb-bytes").replaceChildren(...cells);
  $("fb-bytes").dataset.hex = hex(bytes);

  // Bit diagram: rows of 32 bits (16 on narrow screens) as in RFC 6455 §5.2; a field that
  // crosses a row is drawn in pieces.
  const width = matchMedia("(max-width: 600px)").matches ? 16 : 32;
  const diagram = $("fb-diagram");
  diagram.style.setProperty("--cols", String(width));
  const parts = [];
  // The RFC's ruler: tens over units, bit numbers within a row.
  parts.push(el("div", { className: "ruler", "aria-hidden": "true", style: "grid-row: 1" },
    ...Array.from({ length: width }, (_, i) => el("span", {}, i % 10 === 0 ? String(i / 10) : ""))));
  parts.push(el("div", { className: "ruler", "aria-hidden": "true", style: "grid-row: 2" },
    ...Array.from({ length: width }, (_, i) => el("span", {}, String(i % 10)))));
  for (const f of fields) {
    const id = fieldId(f.name);
    const bits = bitsOf(bytes, f.bitOffset, f.bitLength);
    for (let start = f.bitOffset; start < f.bitOffset + f.bitLength;) {
      const row = Math.floor(start / width);
      const end = Math.min(f.bitOffset + f.bitLength, (row + 1) * width);
      const piece = bits.slice(start - f.bitOffset, end - f.bitOffset);
      const first = start === f.bitOffset;
      const seg = el("div", {
        className: `field f-${id}${first ? "" : " cont"}${end - start === 1 ? " one" : ""}`, dataset: { field: id },
        style: `grid-column: ${(start % width) + 1} / span ${end - start}; grid-row: ${row + 3}`,
      }, el("span", { className: "fname" }, first ? f.name : `${f.name} (cont.)`),
      el("span", { className: "fbits" }, end - start <= 16 ? piece : `${piece.slice(0, 8)}…`));
      if (first) {
        seg.tabIndex = 0;
        seg.setAttribute("role", "listitem");
        seg.setAttribute("aria-label", `${f.name}: bits ${f.bitOffset} to ${f.bitOffset + f.bitLength - 1}, value ${f.value}`);
      } else seg.setAttribute("aria-hidden", "true");
      linkHover(seg, [id]);
      parts.push(seg);
      start = end;
    }
  }
  diagram.replaceChildren(...parts);

  $("fb-fields").tBodies[0].replaceChildren(...fields.map((f) => {
    const id = fieldId(f.name);
    const row = el("tr", { dataset: { field: id }, tabIndex: 0 },
      el("th", { scope: "row" }, f.name),
      el("td", {}, f.bitLength === 1 ? `${f.bitOffset}` : `${f.bitOffset}–${f.bitOffset + f.bitLength - 1}`),
      el("td", { className: "mono" }, f.name === "masking key" ? hex(bytes.subarray(f.bitOffset / 8, f.bitOffset / 8 + 4))
        : f.bitLength >= 4 ? `${f.value} (0x${f.value.toString(16)})` : String(f.value)),
      el("td", {}, FIELD_MEANING[f.name](f.value, frame)));
    linkHover(row, [id]);
    return row;
  }));

  const payload = builderOptions().payload;
  const cut = (b) => hex(b.subarray(0, 64)) + (b.length > 64 ? ` … (${b.length} bytes)` : "");
  $("fb-plain").textContent = cut(payload) || "(empty)";
  $("fb-maskkey").textContent = frame.maskKey ? hex(frame.maskKey) : "none: the payload goes out as is";
  $("fb-masked").textContent = cut(bytes.subarray(headerLength)) || "(empty)";

  // How the receiving side would judge it: a server reads masked frames, a client unmasked ones.
  const receiver = frame.maskKey ? "server" : "client";
  const decoded = ws101.decodeFrames(bytes, receiver);
  let error = decoded.error;
  if (!error) {
    const conn = new ws101.Connection({ role: receiver });
    error = conn.receive(bytes).find((e) => e.type === "error")?.error ?? null;
    conn.free();
  }
  const verdict = $("fb-verdict");
  verdict.className = `verdict ${error ? "fail" : "pass"}`;
  verdict.textContent = error
    ? `A ${receiver} receiving this frame fails the connection: ${describeError(error)}, close code ${error.closeCode}.`
    : `A ${receiver} accepts this frame.`;
}

for (const id of ["fb-fin", "fb-rsv1", "fb-rsv2", "fb-rsv3", "fb-opcode", "fb-mask", "fb-key", "fb-key-fixed", "fb-key-random", "fb-payload", "fb-payload-text", "fb-payload-hex"]) {
  $(id).addEventListener(/^(input|select)$/i.test($(id).tagName) && $(id).type !== "checkbox" && $(id).type !== "radio" ? "input" : "change", renderBuilder);
}
$("fb-key-new").addEventListener("click", () => { randomKey = null; renderBuilder(); });
$("fb-payload-256").addEventListener("click", () => {
  $("fb-payload-hex").checked = true;
  $("fb-payload").value = hex(Uint8Array.from({ length: 256 }, (_, i) => i));
  renderBuilder();
});
matchMedia("(max-width: 600px)").addEventListener("change", renderBuilder);
renderBuilder();

// ───────────────────────── 5 · Frame decoder ─────────────────────────
const DECODER_PRESETS = {
  hello: { role: "client", hex: "81 05 48 65 6c 6c 6f" },
  masked: { role: "server", hex: "81 85 37 fa 21 3d 7f 9f 4d 51 58" },
  fragments: { role: "client", hex: "01 03 48 65 6c\n80 02 6c 6f" },
  ping: { role: "client", hex: "89 05 48 65 6c 6c 6f" },
  binary256: { role: "client", hex: "82 7E 01 00\n" + Array.from({ length: 16 }, (_, r) =>
    `${(4 + r * 16).toString(16).padStart(4, "0")}  ${hex(Uint8Array.from({ length: 16 }, (_, i) => (r * 16 + i) & 0xff))}`).join("\n") },
  unmasked: { role: "server", hex: "81 85 37 fa 21 3d 7f 9f 4d 51 58\n81 05 48 65 6c 6c 6f" },
  badutf8: { role: "client", hex: "81 05 48 65 6c 6c 6f 81 04 48 69 ff 21" },
};

function showPayload(bytes, opcode) {
  if (bytes.length === 0) return "(empty)";
  if (opcode === 1 || opcode === 0) {
    const t = text.decode(bytes);
    if (!t.includes("\ufffd")) return JSON.stringify(t);
  }
  if (opcode === 8 && bytes.length >= 2) return `code ${(bytes[0] << 8) | bytes[1]}${bytes.length > 2 ? ` reason ${JSON.stringify(text.decode(bytes.subarray(2)))}` : ""}`;
  return hex(bytes.subarray(0, 32)) + (bytes.length > 32 ? ` … (${bytes.length} bytes)` : "");
}

function renderDecoder() {
  const summary = $("dec-summary");
  const role = $("dec-role").value;
  let bytes;
  try {
    bytes = parseHex($("dec-input").value);
  } catch (e) {
    summary.className = "summary fail";
    summary.textContent = e.message;
    return;
  }
  const decoded = ws101.decodeFrames(bytes, role);
  const conn = new ws101.Connection({ role });
  const events = conn.receive(bytes);
  const reply = conn.takeOutput();
  conn.free();
  const error = events.find((e) => e.type === "error")?.error ?? decoded.error;
  const errorAt = error?.offset ?? null;

  // Hex view, 16 bytes a row with offsets; each byte tagged with its frame and part.
  const owner = new Array(bytes.length).fill(null);
  decoded.frames.forEach((f, n) => {
    const end = f.rejected ? f.offset + f.headerLength : f.offset + f.headerLength + f.payload.length;
    for (let i = f.offset; i < end && i < bytes.length; i++) owner[i] = { n, part: i < f.offset + f.headerLength ? "hdr" : "pl" };
  });
  const rows = [];
  const perRow = matchMedia("(max-width: 600px)").matches ? 8 : 16;
  for (let r = 0; r < bytes.length; r += perRow) {
    const cells = [el("span", { className: "off" }, r.toString(16).padStart(4, "0"))];
    for (let i = r; i < Math.min(r + perRow, bytes.length); i++) {
      const o = owner[i];
      const cell = el("span", { className: `byte ${o ? `${o.part} fr${o.n % 4}` : "rest"}${i === errorAt ? " err" : ""}`, title: `offset ${i}` },
        bytes[i].toString(16).padStart(2, "0"));
      if (i === errorAt) { cell.id = "dec-error-byte"; cell.setAttribute("aria-label", `offset ${i}: error here`); }
      cells.push(cell);
    }
    rows.push(el("div", { className: "hexrow" }, ...cells));
  }
  $("dec-hex").replaceChildren(...rows);

  $("dec-frames").tBodies[0].replaceChildren(...decoded.frames.map((f, n) => el("tr", { className: f.rejected ? "bad" : `fr${n % 4}` },
    el("td", { "data-label": "offset" }, String(f.offset)),
    el("td", { "data-label": "FIN" }, f.fin ? "1" : "0"),
    el("td", { "data-label": "RSV" }, `${+f.rsv1}${+f.rsv2}${+f.rsv3}`),
    el("td", { "data-label": "opcode" }, `0x${f.opcode.toString(16)} ${f.opcodeName}`),
    el("td", { className: "mono", "data-label": "mask key" }, f.maskKey ? hex(f.maskKey) : "—"),
    el("td", { "data-label": "length" }, `${f.payloadLength}${f.complete || f.rejected ? "" : ` (${f.payload.length} present)`}`),
    el("td", { className: "mono payload", "data-label": "payload" }, f.rejected ? `rejected: ${error?.code ?? ""}` : showPayload(f.payload, f.opcode)))));

  const items = events.map((e) => {
    switch (e.type) {
      case "text": return el("li", { className: "ev-text" }, "text message: ", el("code", {}, JSON.stringify(e.data)));
      case "binary": return el("li", { className: "ev-binary" }, `binary message, ${e.data.length} bytes: `, el("code", {}, showPayload(e.data, 2)));
      case "ping": return el("li", {}, "ping: ", el("code", {}, showPayload(e.data, 2)), " — a pong with the same payload is queued");
      case "pong": return el("li", {}, "pong: ", el("code", {}, showPayload(e.data, 2)));
      case "close": return el("li", {}, `close: code ${e.code}${e.reason ? ` reason ${JSON.stringify(e.reason)}` : ""}`);
      default: return el("li", { className: "ev-error fail" }, `error at offset ${e.error.offset ?? "?"}: `, el("code", {}, e.error.code), ` — ${e.error.message} `,
        el("span", { className: "rfc" }, e.error.rfc), ` · close code ${e.error.closeCode}`);
    }
  });
  if (reply) items.push(el("li", { className: "note" }, `the ${role} writes back: `, el("code", {}, hex(reply))));
  if (decoded.partialHeader) items.push(el("li", { className: "note" }, `${decoded.partialHeader} trailing byte(s) start a header that is not complete yet`));
  const last = decoded.frames.at(-1);
  if (last && !last.complete && !last.rejected) items.push(el("li", { className: "note" }, `the last frame needs ${last.payloadLength - last.payload.length} more payload byte(s)`));
  $("dec-events").replaceChildren(...items);

  summary.className = `summary ${error ? "fail" : "pass"}`;
  summary.dataset.errorOffset = errorAt === null ? "" : String(errorAt);
  summary.textContent = error
    ? `Connection fails at byte ${errorAt}: ${error.code} (${error.rfc}), close code ${error.closeCode}`
    : `${decoded.frames.length} frame(s), ${events.length} event(s), no rule broken (${bytes.length} bytes)`;
}

for (const button of document.querySelectorAll("[data-dec-preset]")) {
  button.addEventListener("click", () => {
    const preset = DECODER_PRESETS[button.dataset.decPreset];
    $("dec-role").value = preset.role;
    $("dec-input").value = preset.hex;
    renderDecoder();
  });
}
$("dec-input").addEventListener("input", renderDecoder);
$("dec-role").addEventListener("change", renderDecoder);
matchMedia("(max-width: 600px)").addEventListener("change", renderDecoder);
$("dec-input").value = DECODER_PRESETS.fragments.hex;
renderDecoder();

// ───────────────────────── 6 · Live session ─────────────────────────
const liveUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
$("live-url").textContent = liveUrl;
let socket = null;
let sawFirst = false;

function log(kind, ...content) {
  const time = new Date().toLocaleTimeString([], { hour12: false });
  const item = el("li", { className: `log-${kind}` }, el("span", { className: "time" }, time), ...content);
  $("live-log").append(item);
  item.scrollIntoView({ block: "nearest" });
}

function liveButtons(open) {
  $("live-send-text").disabled = !open;
  $("live-send-binary").disabled = !open;
  $("live-close").disabled = !open;
  $("live-connect").textContent = socket ? "Disconnect" : "Connect";
}

function wireLabel() {
  return socket?.extensions?.includes("permessage-deflate")
    ? "as one uncompressed client frame (this session negotiated permessage-deflate, so the real payload is compressed)"
    : "on the wire, masked with a fresh key as the browser does";
}

/** The frame a browser would write for a text message (masked, key chosen by ws101 here). */
function clientFrame(data) {
  const conn = new ws101.Connection({ role: "client" });
  const bytes = typeof data === "string" ? conn.sendText(data) : conn.sendBinary(data);
  conn.free();
  return bytes;
}

function renderHandshake(message) {
  const box = $("live-handshake");
  if (!message) {
    box.replaceChildren(el("p", { className: "note" }, "This worker did not report its handshake (it sends a ",
      el("code", {}, '{"type":"handshake"}'), " message first once it does). The browser sent a GET with ",
      el("code", {}, "Upgrade: websocket"), " and a fresh ", el("code", {}, "Sec-WebSocket-Key"), "; the worker answered 101."));
    return;
  }
  const { request, response } = message;
  const url = new URL(request.url, location.href);
  const reqText = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`, ...request.headers.map(([n, v]) => `${n}: ${v}`)].join("\n");
  const resText = [`HTTP/1.1 ${response.status} Switching Protocols`, ...response.headers.map(([n, v]) => `${n}: ${v}`)].join("\n");
  const key = request.headers.find(([n]) => n.toLowerCase() === "sec-websocket-key")?.[1];
  const items = [el("div", { className: "two-col" },
    el("div", {}, el("h3", { className: "sub" }, "Request the browser sent"), el("pre", { id: "live-request", className: "raw" }, reqText)),
    el("div", {}, el("h3", { className: "sub" }, "Response"), el("pre", { id: "live-response", className: "raw" }, resText)))];
  if (key) {
    try {
      items.push(el("p", { className: "note" }, "ws101 checks the key: base64(SHA-1(key + GUID)) = ", el("code", {}, ws101.acceptKey(key)),
        " — the Sec-WebSocket-Accept the browser verified before opening."));
    } catch { /* an invalid key would not have reached 101 */ }
  }
  box.replaceChildren(...items);
}

function connect() {
  sawFirst = false;
  $("live-handshake").replaceChildren();
  const ws = new WebSocket(liveUrl);
  ws.binaryType = "arraybuffer";
  socket = ws;
  $("live-state").textContent = "connecting…";
  liveButtons(false);
  log("info", `connecting to ${liveUrl}`);
  ws.addEventListener("open", () => {
    $("live-state").textContent = `open${ws.protocol ? `, subprotocol ${ws.protocol}` : ""}${ws.extensions ? `, extensions: ${ws.extensions}` : ""}`;
    log("info", `open (101 Switching Protocols)${ws.extensions ? ` — extensions: ${ws.extensions}` : ""}`);
    liveButtons(true);
    // Without a handshake report shortly after opening, say so.
    setTimeout(() => { if (socket === ws && !sawFirst) { sawFirst = true; renderHandshake(null); } }, 600);
  });
  ws.addEventListener("message", (event) => {
    if (!sawFirst && typeof event.data === "string") {
      sawFirst = true;
      try {
        const message = JSON.parse(event.data);
        if (message?.type === "handshake") { renderHandshake(message); log("info", "handshake report received (shown above)"); return; }
      } catch { /* an ordinary message */ }
      renderHandshake(null);
    }
    sawFirst = true;
    if (typeof event.data === "string") log("in", "← text ", el("code", { className: "msg" }, event.data));
    else log("in", `← binary ${event.data.byteLength} bytes `, el("code", {}, hex(new Uint8Array(event.data))));
  });
  ws.addEventListener("close", (event) => {
    log("close", `closed: code ${event.code}${event.reason ? ` reason "${event.reason}"` : ""}, ${event.wasClean ? "clean" : "not clean"}`);
    $("live-state").textContent = `closed (${event.code})`;
    if (socket === ws) socket = null;
    liveButtons(false);
  });
  ws.addEventListener("error", () => log("error", "error: the connection failed (the browser gives no detail)"));
}

$("live-connect").addEventListener("click", () => {
  if (socket) { socket.close(1000, "bye"); return; }
  connect();
});
$("live-send-text").addEventListener("click", () => {
  const message = $("live-message").value;
  socket.send(message);
  log("out", "→ text ", el("code", { className: "msg" }, message), el("span", { className: "wire" }, `${wireLabel()}: ${hex(clientFrame(message))}`));
});
$("live-send-binary").addEventListener("click", () => {
  const data = utf8.encode($("live-message").value);
  socket.send(data);
  log("out", `→ binary ${data.length} bytes `, el("code", {}, hex(data)), el("span", { className: "wire" }, `${wireLabel()}: ${hex(clientFrame(data))}`));
});
$("live-close").addEventListener("click", () => {
  const code = Number($("live-code").value);
  const reason = $("live-reason").value;
  try {
    socket.close(code, reason);
    log("out", `→ close ${code}${reason ? ` "${reason}"` : ""}`);
  } catch (e) {
    log("error", `the browser refused: ${e.message} (RFC 6455 §7.4: scripts may send 1000 or 3000–4999)`);
  }
});

$("status").textContent = "Ready: ws101's wasm module is loaded; every value below is computed by it.";
document.documentElement.dataset.ready = "true";

// One error table: the core's (errorCodes()) is the only source of codes, the TypeScript union
// lists exactly its codes, the errors thrown and the problems reported carry its rows, and the
// JS layer invents no code of its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { Connection, errorCodes, buildRequest, validateRequest, isWs101Error } from "ws101";

const root = fileURLToPath(new URL("../../", import.meta.url));
const table = errorCodes();
const rows = new Map(table.map((r) => [r.code, r]));

/** The string literals of `type Ws101ErrorCode = …` in js/index.d.ts, read with the TypeScript parser. */
function unionCodes() {
  const file = `${root}js/index.d.ts`;
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const alias = source.statements.find((s) => ts.isTypeAliasDeclaration(s) && s.name.text === "Ws101ErrorCode");
  assert.ok(alias, "index.d.ts declares Ws101ErrorCode");
  const members = ts.isUnionTypeNode(alias.type) ? alias.type.types : [alias.type];
  return members.map((m) => {
    assert.ok(ts.isLiteralTypeNode(m) && ts.isStringLiteral(m.literal), `Ws101ErrorCode has a member that is not a string literal: ${m.getText(source)}`);
    return m.literal.text;
  });
}

test("the table has one row per code, each with its section, status, close code and blame", () => {
  assert.ok(table.length >= 77, `${table.length} rows`);
  assert.equal(rows.size, table.length, "codes are unique");
  for (const r of table) {
    assert.match(r.code, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    // wasm-not-found (the package's loader found no .wasm) is the one row no RFC governs
    if (r.code === "wasm-not-found") assert.deepEqual([r.rfc, r.blame], ["", "local"]);
    else assert.match(r.rfc, /^RFC \d+ §/);
    assert.ok(["peer", "caller", "local", "transport"].includes(r.blame), r.code);
    if (r.status !== null || r.closeCode !== null) assert.equal(r.blame, "peer", `${r.code}: only the peer's faults are answered`);
  }
  // the codes that meant both the peer's fault and the caller's misuse are now two rows each
  assert.equal(rows.get("invalid-utf8").blame, "peer");
  assert.equal(rows.get("send-invalid-utf8").blame, "caller");
  assert.equal(rows.get("invalid-close-code").blame, "peer");
  assert.equal(rows.get("send-invalid-close-code").blame, "caller");
  assert.equal(rows.get("message-too-large").blame, "peer");
  assert.equal(rows.get("message-too-large").closeCode, 1009);
  // what the transport beneath a client's handshake did: nobody broke a rule, nothing is answered
  for (const code of ["handshake-timeout", "closed-before-response", "stream-reset"]) {
    assert.deepEqual([rows.get(code).blame, rows.get(code).status, rows.get(code).closeCode], ["transport", null, null], code);
  }
});

test("the TypeScript Ws101ErrorCode union lists exactly the core's codes", () => {
  const union = unionCodes();
  const missing = table.map((r) => r.code).filter((c) => !union.includes(c));
  const extra = union.filter((c) => !rows.has(c));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
  assert.equal(union.length, new Set(union).size, "no code listed twice");
});

test("a thrown error carries its row: the caller's misuse is a RangeError, the sentence is message", () => {
  const c = new Connection();
  const err = (() => { try { c.close(1005); } catch (e) { return e; } })();
  assert.ok(isWs101Error(err) && err instanceof RangeError);
  assert.equal(err.code, "send-invalid-close-code");
  const row = rows.get(err.code);
  assert.deepEqual([err.rfc, err.status, err.closeCode, err.blame], [row.rfc, null, null, "caller"]);
  assert.match(err.message, /1000-1003/);
  assert.equal("explanation" in err, false);

  const bytes = (() => { try { c.sendText(new Uint8Array([0xff])); } catch (e) { return e; } })();
  assert.equal(bytes.code, "send-invalid-utf8");
  assert.equal(bytes.blame, "caller");

  const opt = (() => { try { buildRequest("ws://h/", { key: "short" }); } catch (e) { return e; } })();
  assert.equal(opt.code, "invalid-option");
  assert.equal(opt.blame, "caller");
  assert.equal(opt.header, "Sec-WebSocket-Key");
  assert.match(opt.message, /key option/);
  c.free();
});

test("a peer's fault carries its row: the close code and blame of the table", () => {
  const c = new Connection({ role: "client" });
  const [event] = c.receive(new Uint8Array([0x81, 0x01, 0xff]));
  assert.equal(event.type, "error");
  const row = rows.get(event.error.code);
  assert.equal(event.error.code, "invalid-utf8");
  assert.ok(!(event.error instanceof RangeError));
  assert.deepEqual([event.error.closeCode, event.error.blame, event.error.rfc], [row.closeCode, "peer", row.rfc]);
  c.free();

  const out = validateRequest({ method: "GET", url: "/", headers: { host: "h" } });
  assert.equal(out.ok, false);
  for (const p of out.problems) {
    const r = rows.get(p.code);
    assert.ok(r, p.code);
    assert.equal(p.blame, "peer");
    assert.equal(p.status, r.status);
    assert.equal(typeof p.message, "string");
    assert.equal(p.explanation, p.message, "explanation is a deprecated alias of message");
  }
});

/** Every .mjs/.cjs/.js file under js/, as paths relative to the repository root. */
function jsFiles(dir = "js") {
  return readdirSync(`${root}${dir}`, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(`${dir}/${e.name}`) : /\.(mjs|cjs|js)$/.test(e.name) ? [`${dir}/${e.name}`] : []);
}

/**
 * The string literals a file uses as error codes, read with the TypeScript parser: what a `code`
 * property or `.code =` is given, what `.code` is compared with or switched on, the first argument
 * of `tableError(code, …)` and of any function of the file whose first parameter is `code` (the
 * probe's `fail(code, message)`), and the keys of an object indexed by
 * a code (`{ "reserved-opcode": … }[err.code]`). A code built at run time (a template with
 * substitutions) is reported as such.
 */
function codeLiterals(file) {
  const source = ts.createSourceFile(file, readFileSync(`${root}${file}`, "utf8"), ts.ScriptTarget.Latest, true);
  const found = [];
  const at = (node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
  // the strings an expression can evaluate to: literals, both arms of `?:`, `??`/`||` fallbacks
  const strings = (e) => {
    if (!e) return;
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) found.push({ code: e.text, where: at(e) });
    else if (ts.isTemplateExpression(e)) found.push({ code: null, where: at(e), text: e.getText(source) });
    else if (ts.isParenthesizedExpression(e)) strings(e.expression);
    else if (ts.isConditionalExpression(e)) { strings(e.whenTrue); strings(e.whenFalse); }
    else if (ts.isBinaryExpression(e) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(e.operatorToken.kind)) strings(e.right);
  };
  const isCode = (e) => e && (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) && /^code$/.test(ts.isPropertyAccessExpression(e) ? e.name.text : e.argumentExpression.getText(source).replace(/["']/g, ""));
  const endsInCode = (e) => e && /(^|\.|\?\.)code$/i.test(e.getText(source));
  const objects = new Map(); // const NAME = { … } in this file
  // functions whose first parameter is a code: node-errors.mjs's tableError, and any declared here
  const takesCode = new Set(["tableError"]);
  const firstParamIsCode = (f) => f && (ts.isFunctionLike(f)) && f.parameters?.[0] && ts.isIdentifier(f.parameters[0].name) && f.parameters[0].name.text === "code";
  const declarations = (node) => {
    if (ts.isFunctionDeclaration(node) && node.name && firstParamIsCode(node)) takesCode.add(node.name.text);
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && firstParamIsCode(node.initializer)) takesCode.add(node.name.text);
    ts.forEachChild(node, declarations);
  };
  declarations(source);
  const comparisons = [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken];
  const keys = (obj) => { for (const p of obj.properties) if (p.name && (ts.isStringLiteral(p.name) || ts.isIdentifier(p.name))) found.push({ code: p.name.text, where: at(p) }); };
  const visit = (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isObjectLiteralExpression(node.initializer)) objects.set(node.name.text, node.initializer);
    if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && node.name.text === "code") strings(node.initializer);
    if (ts.isBinaryExpression(node)) {
      if (node.operatorToken.kind === ts.SyntaxKind.EqualsToken && isCode(node.left)) strings(node.right);
      if (comparisons.includes(node.operatorToken.kind)) {
        if (isCode(node.left)) strings(node.right);
        if (isCode(node.right)) strings(node.left);
      }
    }
    if (ts.isSwitchStatement(node) && isCode(node.expression)) {
      for (const clause of node.caseBlock.clauses) if (ts.isCaseClause(clause)) strings(clause.expression);
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && takesCode.has(node.expression.text)) strings(node.arguments[0]);
    if (ts.isElementAccessExpression(node) && endsInCode(node.argumentExpression)) {
      let obj = node.expression;
      while (ts.isParenthesizedExpression(obj)) obj = obj.expression;
      if (ts.isObjectLiteralExpression(obj)) keys(obj);
      else if (ts.isIdentifier(obj) && objects.has(obj.text)) keys(objects.get(obj.text));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Node's own error codes (ECONNRESET, ERR_HTTP2_STREAM_ERROR, CERT_HAS_EXPIRED, …) pass through as Node made them. */
const NODE_CODE = /^[A-Z][A-Z0-9_]+$/;

test("the JS layer invents no codes: every code literal under js/ (edge, cli, app included) is a row of the table", async () => {
  // The probe's verdicts (expectations set on its command line, its own limits) are documented
  // apart from the table, and allowed in the CLI alone.
  const { PROBE_OUTCOMES } = await import(`${root}js/cli/outcomes.mjs`);
  const outcomes = new Set(Object.keys(PROBE_OUTCOMES));
  for (const code of outcomes) assert.equal(rows.has(code), false, `${code} is a probe outcome and a row of the table`);
  const files = jsFiles();
  for (const dir of ["js/edge/", "js/cli/", "js/app/"]) assert.ok(files.some((f) => f.startsWith(dir)), `scans ${dir}`);
  const invented = [];
  const seen = new Set();
  for (const file of files) {
    const cli = file === "js/cli.mjs" || file.startsWith("js/cli/");
    for (const { code, where, text } of codeLiterals(file)) {
      if (code === null) { invented.push(`${where}: a code built at run time: ${text}`); continue; }
      seen.add(code);
      if (rows.has(code) || (cli && outcomes.has(code))) continue;
      if (NODE_CODE.test(code) && !code.startsWith("WS_ERR_")) continue; // ws's WS_ERR_* codes are never ws101's (js/README.md)
      invented.push(`${where}: ${JSON.stringify(code)}`);
    }
  }
  assert.deepEqual(invented, [], "codes that are neither rows of the core's table, Node's own, nor (in the CLI) probe outcomes");
  // the scan sees the transport layers' codes (so it can fail there)
  for (const code of ["handshake-timeout", "closed-before-response", "stream-reset", "connect-protocol-not-offered", "wasm-not-found", "reserved-opcode", "no-echo", "ERR_HTTP2_STREAM_ERROR"]) {
    assert.ok(seen.has(code), `the scan found ${code}`);
  }
});

test("the transport layers' errors carry their rows: ws101/node's handshake timeout", async () => {
  const net = await import("node:net");
  const { WebSocket } = await import("ws101/node");
  const server = net.createServer(() => {}); // accepts, never answers
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.address().port}/`, { handshakeTimeout: 200 });
    const err = await new Promise((resolve) => ws.on("error", resolve));
    const row = rows.get("handshake-timeout");
    assert.deepEqual([err.code, err.rfc, err.blame], ["handshake-timeout", row.rfc, "transport"]);
    assert.equal(err.message, "Opening handshake has timed out"); // ws's words
  } finally {
    server.close();
  }
});

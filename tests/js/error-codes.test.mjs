// One error table: the core's (errorCodes()) is the only source of codes, the TypeScript union
// lists exactly its codes, the errors thrown and the problems reported carry its rows, and the
// JS layer invents no code of its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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
    assert.match(r.rfc, /^RFC \d+ §/);
    assert.ok(["peer", "caller", "local"].includes(r.blame), r.code);
    if (r.status !== null || r.closeCode !== null) assert.equal(r.blame, "peer", `${r.code}: only the peer's faults are answered`);
  }
  // the codes that meant both the peer's fault and the caller's misuse are now two rows each
  assert.equal(rows.get("invalid-utf8").blame, "peer");
  assert.equal(rows.get("send-invalid-utf8").blame, "caller");
  assert.equal(rows.get("invalid-close-code").blame, "peer");
  assert.equal(rows.get("send-invalid-close-code").blame, "caller");
  assert.equal(rows.get("message-too-large").blame, "peer");
  assert.equal(rows.get("message-too-large").closeCode, 1009);
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

test("the JS layer invents no codes: every code literal in js/*.mjs is a row of the table", () => {
  // js/edge/* and js/cli.mjs are checked by their own suites (the ws-compatible layer maps to ws's codes)
  for (const name of ["api.mjs", "connection.mjs", "errors.mjs", "instance.mjs", "init.mjs", "node.mjs", "browser.mjs", "deno.mjs", "workerd.mjs"]) {
    const text = readFileSync(`${root}js/${name}`, "utf8");
    for (const [, code] of text.matchAll(/(?:\.code|[{,]\s*code)\s*(?::|===?|!==?)\s*["']([^"']+)["']/g)) {
      assert.ok(rows.has(code), `js/${name} uses code ${JSON.stringify(code)}, which is not in the core's table`);
    }
  }
});

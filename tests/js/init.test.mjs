// `ws101/init`: before init()/initSync() every use of the API fails with one clear error (not a
// TypeError from inside the generated glue); after initSync() it works; and when another entry
// already initialised the instance, nothing is needed. Each case runs in its own process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

const run = (source) => execFileSync(process.execPath, ["--input-type=module", "-e", source], { encoding: "utf8" }).trim();

test("before init(): a clear error from every entry point; after initSync(): working", () => {
  const out = run(`
    import { readFileSync } from "node:fs";
    import { createRequire } from "node:module";
    import { initSync, acceptKey, validateRequest, Connection } from "ws101/init";
    const errors = [];
    for (const call of [() => acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), () => new Connection(), () => Connection.afterHandshake({ handoff: { role: "server", deflate: null, consumed: 0 } }, null), () => validateRequest({ method: "GET", url: "/", headers: {} })]) {
      try { call(); errors.push("no error"); } catch (e) { errors.push(e.message); }
    }
    const wasm = createRequire(import.meta.url).resolve("ws101/ws101_bg.wasm");
    initSync({ module: readFileSync(wasm) });
    console.log(JSON.stringify({ errors, after: acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), state: new Connection().state }));
  `);
  const { errors, after, state } = JSON.parse(out);
  for (const e of errors) assert.match(e, /call init\(\) or initSync\(\) from "ws101\/init"/);
  assert.equal(after, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert.equal(state, "open");
});

test("ws101/init after another entry initialised the instance needs no init()", () => {
  const out = run(`
    import "ws101";
    import { acceptKey } from "ws101/init";
    console.log(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
  `);
  assert.equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

test("ws101 in Node: the classes work right after the import, before the background compile finished", () => {
  const out = run(`
    import { RawConnection, ClientHandshake, Connection, acceptKey } from "ws101";
    const layout = RawConnection.recordLayout(); // a static method first: it instantiates
    const raw = new RawConnection(true, {});
    console.log(JSON.stringify({
      words: layout.words,
      isInstance: raw instanceof RawConnection,
      client: typeof ClientHandshake.prototype.validateResponse,
      state: new Connection().state,
      key: acceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
    }));
  `);
  assert.deepEqual(JSON.parse(out), { words: 5, isInstance: true, client: "function", state: "open", key: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" });
});

test("ws101 imported after ws101/init, before init(): ws101 initialises itself, for both", () => {
  const out = run(`
    import * as manual from "ws101/init";
    import { acceptKey, buildRequest, Connection } from "ws101";
    const request = buildRequest("ws://example.com/");
    let guarded;
    try { request.validateResponse("101", {}); } catch (e) { guarded = e.constructor.name; }
    console.log(JSON.stringify({
      key: acceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
      manual: manual.acceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
      state: new Connection().state,
      guarded,
    }));
  `);
  assert.deepEqual(JSON.parse(out), { key: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", manual: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", state: "open", guarded: "TypeError" });
});

// In-page checks of the package's browser entry; results land in window.__ws101Results.
// Shared by the plain page (import map) and the Vite-bundled page (tests/bundler/).
import * as ws101 from "ws101";

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
  } catch (e) {
    results.push({ name, ok: false, error: String(e && e.stack || e) });
  }
}
function eq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
async function webCryptoAccept(key) {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + ws101.websocketGuid()));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

await check("RFC 6455 §1.3 accept value", () => {
  eq(ws101.acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "accept");
});
await check("accept agrees with WebCrypto SHA-1 for generated keys", async () => {
  for (let i = 0; i < 20; i++) {
    const key = ws101.generateKey();
    eq(ws101.acceptKey(key), await webCryptoAccept(key), `accept for ${key}`);
  }
});
await check("generateKey: 16 random bytes from crypto.getRandomValues", () => {
  const a = ws101.generateKey();
  const b = ws101.generateKey();
  eq(a.length, 24, "length");
  eq(ws101.validateKey(a).length, 16, "nonce length");
  if (a === b) throw new Error("two keys were equal");
});
await check("bad key throws Ws101Error with code, header, rfc, status", () => {
  try {
    ws101.acceptKey("AAAA");
  } catch (e) {
    eq(e instanceof ws101.Ws101Error, true, "instanceof");
    eq(e.code, "bad-key-length", "code");
    eq(e.header, "Sec-WebSocket-Key", "header");
    eq(e.status, 400, "status");
    eq(e.rfc, "RFC 6455 §4.2.1", "rfc");
    return;
  }
  throw new Error("no error thrown");
});
await check("SHA-1 digest bytes of RFC 6455 §4.2.2", () => {
  const hex = Array.from(ws101.acceptDigest("dGhlIHNhbXBsZSBub25jZQ=="), (b) => b.toString(16).padStart(2, "0")).join("");
  eq(hex, "b37a4f2cc0624f1690f64606cf385945b2bec4ea", "digest");
});

window.__ws101Results = results;

// The explainer's wiring: every number and verdict comes from ws101's wasm core; this file only
// reads inputs and writes results into the page.
import * as ws101 from "ws101";

const $ = (id) => document.getElementById(id);
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");

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

$("status").textContent = "Ready: ws101's wasm module is loaded; every value below is computed by it.";
document.documentElement.dataset.ready = "true";

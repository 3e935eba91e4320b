#!/usr/bin/env node
// Where the bytes of the .wasm go: `twiggy top` grouped by crate / concern, on a build that kept
// its names. Give it cargo's output (before wasm-bindgen): it runs wasm-bindgen --keep-debug and
// wasm-opt -Oz -g (the flags of scripts/build.sh, plus -g to keep the names) into a temporary
// directory first, so the figures are the shipped file's plus a names section, which the table
// leaves out.
//   node scripts/wasm-sizes.mjs target/wasm32-unknown-unknown/release/ws101.wasm [--markdown]
//   node scripts/wasm-sizes.mjs target/handshake/wasm32-unknown-unknown/handshake/ws101.wasm --markdown
// (scripts/build.sh leaves both there.) Needs twiggy (`cargo install twiggy`), wasm-bindgen and
// node_modules/.bin/wasm-opt.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

const [input, ...flags] = process.argv.slice(2);
if (!input) {
  console.error("usage: node scripts/wasm-sizes.mjs cargo-output.wasm [--markdown]");
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "ws101-sizes-"));
const file = join(dir, "ws101_bg.wasm");
const bin = (name) => (name === "wasm-opt" ? new URL("../node_modules/.bin/wasm-opt", import.meta.url).pathname : `${homedir()}/.cargo/bin/${name}`);
try {
  execFileSync(bin("wasm-bindgen"), ["--keep-debug", "--target", "web", "--out-dir", dir, "--out-name", "ws101", input]);
  execFileSync(bin("wasm-opt"), ["-Oz", "-g", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue", "--enable-simd", "--strip-producers", "--strip-target-features", file, "-o", file]);
} catch (e) {
  rmSync(dir, { recursive: true, force: true });
  throw e;
}
const twiggy = process.env.TWIGGY ?? `${homedir()}/.cargo/bin/twiggy`;
const csv = execFileSync(twiggy, ["top", "-n", "1000000", "--format", "csv", file], { encoding: "utf8", maxBuffer: 64 << 20 });
rmSync(dir, { recursive: true, force: true });

/** [group, test] in order: the first match names an item's group. */
const GROUPS = [
  ["names (debug only: dropped in the shipped file)", (n) => /"function names"|"local names"|name section|producers|target_features/.test(n)],
  ["core::fmt float formatting (flt2dec, dragon, grisu, f64 Display)", (n) => /flt2dec|f64 as core.*fmt|f32 as core.*fmt|float_to_decimal|grisu|dragon/.test(n)],
  ["core::fmt (other)", (n) => /core\[?[0-9a-f]*\]?::fmt|core::fmt/.test(n)],
  ["serde / serde-wasm-bindgen", (n) => /serde/.test(n)],
  ["miniz_oxide (permessage-deflate)", (n) => /miniz_oxide/.test(n)],
  ["httparse", (n) => /httparse/.test(n)],
  ["hashbrown", (n) => /hashbrown/.test(n)],
  ["base64 / sha1", (n) => /base64|sha1/.test(n)],
  ["allocator (dlmalloc)", (n) => /dlmalloc|__rdl_|__rust_alloc|__rust_dealloc|__rust_realloc/.test(n)],
  // wasm-opt inlines a binding function into its export shim: the shim carries the export's name.
  ["ws101::wasm (binding layer, exports with their inlined bodies)", (n) => /ws101::wasm| shim$|^[a-z][A-Za-z0-9_]*$/.test(n)],
  ["wasm-bindgen / js-sys glue", (n) => /wasm_bindgen|js_sys|__wbg|__wbindgen|externref/.test(n)],
  ["ws101::handshake + http + error", (n) => /ws101::(handshake|http|error)/.test(n)],
  ["ws101::deflate (negotiation + codec)", (n) => /ws101::deflate|adler2/.test(n)],
  ["ws101::connection + frame + message", (n) => /ws101::(connection|frame|message)/.test(n)],
  ["data segments (.rodata: strings, tables)", (n) => /data segment|^data\[/.test(n)],
  ["core / alloc (other)", (n) => /core\[|core::|alloc\[|alloc::|std\[|std::/.test(n)],
  ["other (unnamed functions, tables, types, exports)", () => true],
];

const totals = new Map(GROUPS.map(([g]) => [g, 0]));
let all = 0;
for (const line of csv.split("\n").slice(1)) {
  if (!line.trim()) continue;
  const m = /^(".*"|[^,]*),(\d+),/.exec(line);
  if (!m) continue;
  const name = m[1];
  const size = Number(m[2]);
  all += size;
  for (const [g, test] of GROUPS) {
    if (test(name)) {
      totals.set(g, totals.get(g) + size);
      break;
    }
  }
}
const rows = [...totals].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]);
if (flags.includes("--markdown")) {
  console.log("| group | bytes | share (without names) |\n|---|--:|--:|");
  const names = rows.find(([g]) => g.startsWith("names"))?.[1] ?? 0;
  for (const [g, s] of rows) {
    if (g.startsWith("names")) continue;
    console.log(`| ${g} | ${s.toLocaleString("en-US")} | ${((100 * s) / (all - names)).toFixed(1)} % |`);
  }
  console.log(`| **total without names** | **${(all - names).toLocaleString("en-US")}** | |`);
} else {
  for (const [g, s] of rows) console.log(`${String(s).padStart(8)}  ${g}`);
  console.log(`${String(all).padStart(8)}  total (${input}, with names)`);
}

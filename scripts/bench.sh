#!/usr/bin/env bash
# Frame decode/encode throughput of ws101 beside ws (pure JS and with bufferutil); writes
# docs/BENCHMARKS.md. Builds pkg/ first when it is missing or older than the sources.
# BENCH_TIME_MS (default 450) is the measured time per case; the machine is shared, so figures
# are noisy: compare ratios from one run, not absolute numbers across runs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f pkg/ws101_bg.wasm ] || [ ! -e node_modules/ws101 ] || [ ! -d node_modules/ws ] \
   || [ -n "$(find src js Cargo.toml -newer pkg/ws101_bg.wasm -print -quit)" ]; then
  [ -d node_modules/ws ] || npm ci --no-audit --no-fund
  scripts/build.sh
fi
time_ms=${BENCH_TIME_MS:-450}
cmd="node benches/node/frames.mjs --time $time_ms"
mkdir -p docs target/bench
tables=$(node benches/node/frames.mjs --time "$time_ms" --json target/bench/frames.json)
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
{
  echo "# Benchmarks"
  echo
  echo "Frame decode and encode throughput of the ws101 \`Connection\` (wasm) beside \`ws\` $(node -p 'require("ws/package.json").version') \`Receiver\`/\`Sender\`,"
  echo "pure JS (\`WS_NO_BUFFER_UTIL=1 WS_NO_UTF_8_VALIDATE=1\`) and with \`bufferutil\` $(node -p 'require("bufferutil/package.json").version'), each anchor in its own child process."
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- machine: $(nproc) cores${cpu:+ ($cpu)}, Node $(node --version), $(uname -sm); shared with other jobs, so figures are noisy"
  echo "- wasm: $(stat -c %s pkg/ws101_bg.wasm) B ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
  echo "- command: \`make bench\` (\`$cmd\`); per case: warm-up, then 3 rounds of $((time_ms / 3)) ms, best round kept"
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
  echo "\`sendMessage\` for a server (the header comes from one wasm call, so the cost per message is that"
  echo "call: MB/s for unmasked encode measures per-message overhead, not bytes), while a client's"
  echo "payload is copied into wasm memory, masked by the core and copied out."
  echo
  echo "$tables"
  if [ -f benches/node/findings.md ]; then echo; cat benches/node/findings.md; fi
} > docs/BENCHMARKS.md
echo "wrote docs/BENCHMARKS.md"

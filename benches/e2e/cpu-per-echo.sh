#!/bin/bash
# Server CPU (user+sys, µs) per echo: a steadier figure than echoes/s on a shared machine.
# Runs SCRIPT as the server pinned to CPU 0, the native loadgen pinned to CPU 1 (1 s warm-up, then
# 3 s measured), and reads the server's /proc/PID/stat around the measured run.
#   benches/e2e/cpu-per-echo.sh PORT SCRIPT CONNS INFLIGHT SIZE [--text]
#   (NODE=path/to/node; `cargo build --release --manifest-path benches/loadgen/Cargo.toml` first)
set -u
cd "$(dirname "$0")/../.."
node=${NODE:-node}
loadgen=benches/loadgen/target/release/ws101-loadgen
PORT=$1 taskset -c 0 "$node" "$2" > /dev/null 2>&1 &
pid=$!
sleep 1.2
taskset -c 1 $loadgen --port "$1" --conns "$3" --inflight "$4" --size "$5" ${6:-} --warmup 1 --secs 1 > /dev/null 2>&1
read -r u0 s0 < <(awk '{print $14, $15}' /proc/$pid/stat)
out=$(taskset -c 1 $loadgen --port "$1" --conns "$3" --inflight "$4" --size "$5" ${6:-} --warmup 0 --secs 3 2>&1 | tail -1)
read -r u1 s1 < <(awk '{print $14, $15}' /proc/$pid/stat)
kill $pid
ticks=$(getconf CLK_TCK)
echoes=$(echo "$out" | sed 's/.*"echoes":\([0-9]*\).*/\1/')
echo "$(basename "$2") echoes=$echoes user_us=$(echo "scale=2; ($u1-$u0)*1000000/$ticks/$echoes" | bc) sys_us=$(echo "scale=2; ($s1-$s0)*1000000/$ticks/$echoes" | bc) us_per_echo=$(echo "scale=2; ($u1-$u0+$s1-$s0)*1000000/$ticks/$echoes" | bc)"

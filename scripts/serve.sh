#!/usr/bin/env bash
# The main job: build everything, then serve on 127.0.0.1 the explainer page (www/) and the example
# worker in local workerd, whose /ws endpoint answers WebSocket upgrades with 101. Ctrl-C stops it.
#   PORT (default 8787) chooses the port.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
PORT=${PORT:-8787}
scripts/bootstrap.sh --no-browsers
scripts/build.sh
echo "explainer: http://127.0.0.1:$PORT/   live worker: ws://127.0.0.1:$PORT/ws   (workerd; Ctrl-C stops)"
exec workerd serve examples/workers/workerd.capnp --socket-addr "http=127.0.0.1:$PORT"

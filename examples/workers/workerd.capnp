# Local workerd configuration for the ws101 example worker.
# Run from the repository root (disk paths are relative to the working directory):
#   npx workerd serve examples/workers/workerd.capnp --socket-addr http=127.0.0.1:PORT
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "www", disk = "www"),
    (name = "pkg", disk = "pkg"),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "chat.mjs", esModule = embed "chat.mjs"),
    # the ws101 package laid out as the `workerd` export condition resolves it
    (name = "ws101", esModule = embed "../../pkg/workerd.mjs"),
    (name = "ws101/workers", esModule = embed "../../pkg/edge/workers.mjs"),
    (name = "ws101/fetch.mjs", esModule = embed "../../pkg/edge/fetch.mjs"),
    (name = "workerd.mjs", esModule = embed "../../pkg/workerd.mjs"),
    (name = "ws101.js", esModule = embed "../../pkg/ws101.js"),
    (name = "api.mjs", esModule = embed "../../pkg/api.mjs"),
    (name = "instance.mjs", esModule = embed "../../pkg/instance.mjs"),
    (name = "connection.mjs", esModule = embed "../../pkg/connection.mjs"),
    (name = "errors.mjs", esModule = embed "../../pkg/errors.mjs"),
    (name = "ws101_bg.wasm", wasm = embed "../../pkg/ws101_bg.wasm"),
  ],
  compatibilityDate = "2026-11-17",
  bindings = [
    (name = "WWW", service = "www"),
    (name = "PKG", service = "pkg"),
    (name = "ROOMS", durableObjectNamespace = "ChatRoom"),
  ],
  durableObjectNamespaces = [ (className = "ChatRoom", uniqueKey = "ws101-example-chat-room") ],
  durableObjectStorage = (inMemory = void),
);

# The chat app on Cloudflare Workers, locally in workerd: one Durable Object per room.
# workerd cannot read PORT itself: pass the address on the command line (from the repository root):
#   npx workerd serve examples/chat/workerd.capnp --socket-addr http=127.0.0.1:$PORT
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "chat", worker = .chat) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "chat") ],
);

const chat :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "app.mjs", esModule = embed "app.mjs"),
    # the package's files under ws101/, so their relative imports resolve as on disk; the two
    # bare specifiers the example uses re-export them (one instance of each module)
    (name = "ws101/app", esModule = "export * from \"./app/app.mjs\";"),
    (name = "ws101/app/workers", esModule = "export * from \"./workers.mjs\";"),
    (name = "ws101/app/app.mjs", esModule = embed "../../pkg/app/app.mjs"),
    (name = "ws101/app/workers.mjs", esModule = embed "../../pkg/app/workers.mjs"),
    (name = "ws101/app/handshake.mjs", esModule = embed "../../pkg/app/handshake.mjs"),
    (name = "ws101/app/message.mjs", esModule = embed "../../pkg/app/message.mjs"),
    (name = "ws101/app/peer.mjs", esModule = embed "../../pkg/app/peer.mjs"),
    (name = "ws101/edge/fetch.mjs", esModule = embed "../../pkg/edge/fetch.mjs"),
    (name = "ws101/workerd.mjs", esModule = embed "../../pkg/workerd.mjs"),
    (name = "ws101/ws101.js", esModule = embed "../../pkg/ws101.js"),
    (name = "ws101/api.mjs", esModule = embed "../../pkg/api.mjs"),
    (name = "ws101/instance.mjs", esModule = embed "../../pkg/instance.mjs"),
    (name = "ws101/connection.mjs", esModule = embed "../../pkg/connection.mjs"),
    (name = "ws101/errors.mjs", esModule = embed "../../pkg/errors.mjs"),
    (name = "ws101/ws101_bg.wasm", wasm = embed "../../pkg/ws101_bg.wasm"),
  ],
  compatibilityDate = "2026-11-17",
  bindings = [ (name = "ROOMS", durableObjectNamespace = "ChatRoom") ],
  durableObjectNamespaces = [ (className = "ChatRoom", uniqueKey = "ws101-chat-room") ],
  durableObjectStorage = (inMemory = void),
);

// Bundles the in-page checks with Vite, resolving `ws101` through the package's exports map
// (browser condition) from node_modules, the way an application would.
import { fileURLToPath } from "node:url";

export default {
  root: fileURLToPath(new URL(".", import.meta.url)),
  logLevel: "warn",
  build: { target: "es2022" },
  resolve: { preserveSymlinks: false },
};

// `node --import tests/support/installed-hooks.mjs`: resolves `ws101` and `ws101/*` from the app folder
// named by WS101_INSTALLED_APP (the packed tarball installed there by tests/support/install-app.mjs),
// through the installed package's own exports map, instead of the repository's node_modules/ws101 → pkg.
// Node ≥ 22.15 (module.registerHooks) redirects import and require; Node 20 (module.register) redirects
// import only, and require("ws101") there still reaches the repository's copy.
import module, { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const app = process.env.WS101_INSTALLED_APP;
if (app) {
  const parentURL = pathToFileURL(`${app}/package.json`).href;
  const ours = (specifier) => specifier === "ws101" || specifier.startsWith("ws101/");
  if (typeof module.registerHooks === "function") {
    const requireFromApp = createRequire(parentURL);
    let inside = false; // requireFromApp.resolve comes back through this hook on some versions
    module.registerHooks({
      resolve(specifier, context, nextResolve) {
        if (!ours(specifier) || inside) return nextResolve(specifier, context);
        if (!context.conditions?.includes("require")) return nextResolve(specifier, { ...context, parentURL });
        // require()'s default resolution ignores a changed parentURL: resolve from the app folder here
        inside = true;
        try {
          return { url: pathToFileURL(requireFromApp.resolve(specifier)).href, shortCircuit: true };
        } finally {
          inside = false;
        }
      },
    });
  } else {
    module.register("./installed-resolve.mjs", { parentURL: import.meta.url, data: { parentURL } });
  }
}

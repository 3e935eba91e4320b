// The async resolve hook of installed-hooks.mjs for Node < 22.15 (module.register): `ws101` and
// `ws101/*` resolve from the installed app folder.
let parentURL;
export function initialize(data) {
  parentURL = data.parentURL;
}
export function resolve(specifier, context, nextResolve) {
  const ours = specifier === "ws101" || specifier.startsWith("ws101/");
  return nextResolve(specifier, ours ? { ...context, parentURL } : context);
}

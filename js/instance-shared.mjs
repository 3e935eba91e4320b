// instance.mjs's interface for ws101/node, without a second copy of the glue: the build bundles
// this file into pkg/edge/node.mjs in place of "../instance.mjs" (scripts/build.sh), so its
// import.meta.url is that bundle's. ws101's Node entry (../node.mjs, which ws101/node imports and
// which therefore runs first) holds the instance and registered its holder (instance.mjs).
const key = Symbol.for(`ws101 wasm instance ${new URL("../ws101.js", import.meta.url).href}`);
const holder = globalThis[key];
if (holder === undefined) throw new Error("ws101/node: the wasm instance of ws101's Node entry is not registered (was ../node.mjs imported?)");

export let glue = holder.glue();
export let RawConnection = holder.RawConnection();
holder.mirror((ns, raw) => {
  glue = ns;
  RawConnection = raw;
});
export const { generation, onPoison, recover, isPoisoned, isTrap, onRebuild, lastRebuildError } = holder;

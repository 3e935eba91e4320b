// instance.mjs's interface for ws101/node, without a second copy of the glue: the build puts this
// file in pkg/edge/ and bundles it into pkg/edge/node.mjs in place of "../instance.mjs"
// (scripts/build.sh). ws101's Node entry (../node.mjs), which ws101/node imports and which
// therefore runs first, holds the instance (instance.mjs bundled into it) and hangs its holder on
// its `validateRequest` export under a symbol (js/node.mjs): the same holder in a user's bundle too.
import { validateRequest } from "../node.mjs";

const holder = validateRequest[Symbol.for("ws101 instance holder")];
if (holder === undefined) throw new Error("ws101/node: ws101's Node entry did not hand over its wasm instance holder");

export let glue = holder.glue();
export let RawConnection = holder.RawConnection();
holder.mirror((ns, raw) => {
  glue = ns;
  RawConnection = raw;
});
export const { generation, onPoison, recover, isPoisoned, isTrap, onRebuild, lastRebuildError } = holder;

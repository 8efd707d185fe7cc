// The parameter layout of a model file, as its generated module's `loadParams` checks it: the
// tensors in declaration order, one after another in one flat vector, and the layout hash.
// The offsets are elaborate/param-layout.ts's, the one layout the generated module uses (the
// import tests load every imported weights file through the generated loadParams, which would
// refuse another).
//
//   const layout = layoutOf(analyze(text, "m.nn").model);   // { name, paramCount, params, layoutHash }

import type { Model } from "../elaborate/model.js";
import { paramLayout } from "../elaborate/param-layout.js";
import { sizeOf } from "../ir/node.js";
import { layoutHashOf, type ParamsLayout } from "../../runtime/params-json.js";

export function layoutOf(model: Pick<Model, "name" | "params">): ParamsLayout {
  const { offsets, count } = paramLayout(model.params);
  const params = model.params.map((p) => ({ name: p.name, shape: [...p.shape], offset: offsets.get(p.name)!, size: sizeOf(p.shape), init: { name: "zeros" } }));
  return { name: model.name, paramCount: count, params, layoutHash: layoutHashOf(params) };
}

/** The flat vector's slice for one tensor. */
export function tensorOf(layout: ParamsLayout, params: Float64Array, name: string): Float64Array {
  const p = layout.params.find((q) => q.name === name);
  if (!p) throw new Error(`internal error: no parameter '${name}' in model '${layout.name}'`);
  return params.subarray(p.offset, p.offset + p.size);
}

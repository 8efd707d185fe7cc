// The parameter layout of a model file, as its generated module's `loadParams` checks it: the
// tensors in declaration order, one after another in one flat vector, and the layout hash.
// (emit/module.ts lays the module's `model.params` out the same way; the import tests load every
// imported weights file through the generated loadParams, which would refuse another layout.)
//
//   const layout = layoutOf(analyze(text, "m.nn").model);   // { name, paramCount, params, layoutHash }

import type { Model } from "../elaborate/model.js";
import { layoutHashOf, type ParamsLayout } from "../../runtime/params-json.js";

export function layoutOf(model: Pick<Model, "name" | "params">): ParamsLayout {
  let offset = 0;
  const params = model.params.map((p) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const info = { name: p.name, shape: [...p.shape], offset, size, init: { name: "zeros" } };
    offset += size;
    return info;
  });
  return { name: model.name, paramCount: offset, params, layoutHash: layoutHashOf(params) };
}

/** The flat vector's slice for one tensor. */
export function tensorOf(layout: ParamsLayout, params: Float64Array, name: string): Float64Array {
  const p = layout.params.find((q) => q.name === name);
  if (!p) throw new Error(`internal error: no parameter '${name}' in model '${layout.name}'`);
  return params.subarray(p.offset, p.offset + p.size);
}

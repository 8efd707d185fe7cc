// Where each parameter sits in the flat parameter vector: in declaration order, one after
// another. Lowering, the emitted module's header and metadata, the Hessian-vector kernel and the
// WebAssembly memory all read this one layout (Program.params carries it past lowering).
//
//   paramLayout(model.params)   // { offsets: W1 → 0, b1 → 100352, …, count: 101770 }

import { sizeOf } from "../ir/node.js";
import type { ParamDecl } from "./model.js";

export interface ParamLayout {
  /** Each parameter's first element in the vector. */
  offsets: ReadonlyMap<string, number>;
  /** Elements of the whole vector. */
  count: number;
}

export function paramLayout(params: readonly Pick<ParamDecl, "name" | "shape">[]): ParamLayout {
  const offsets = new Map<string, number>();
  let count = 0;
  for (const p of params) {
    offsets.set(p.name, count);
    count += sizeOf(p.shape);
  }
  return { offsets, count };
}

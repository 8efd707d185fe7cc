// The Hessian-vector product kernel, `hvpSample` (emitted with `nnc MODEL.nn --emit hvp`): one
// per-sample kernel through the same lowering as the others, whose sinks add H v of one sample
// into g. It reads the parameters and the direction v from one array of twice the parameter
// count (parameters first, then v in the same layout), so the direction's leaves are ordinary
// `param` leaves placed after the parameters.
//
//   hvpSample(pv, x, xo, y, yo, g): number   // g[W offsets] += (H v) for W, …; returns the loss

import type { Curvature } from "../passes/curvature.js";
import type { Model } from "../elaborate/model.js";
import { paramLayout } from "../elaborate/param-layout.js";
import type { Sink } from "./node-lowering.js";
import type { KernelSpec } from "./per-sample.js";

export interface HvpKernel {
  kernel: KernelSpec;
  /** Where each direction leaf sits in the kernel's parameter array: after the parameters. */
  offsets: Map<string, number>;
}

export function hvpKernel(model: Model, c: Curvature): HvpKernel {
  const { offsets, count: paramCount } = paramLayout(model.params);
  const directionOffsets = new Map<string, number>();
  for (const [name, leaf] of c.directions) directionOffsets.set(String(leaf.attrs["name"]), paramCount + offsets.get(name)!);
  const sinks: Sink[] = [
    ...c.params.map((name): Sink => {
      const p = model.params.find((q) => q.name === name)!;
      return { kind: "accumulate", node: c.hvp.get(name)!, array: "g", offset: offsets.get(name)!, comment: `(H v) for ${name} [${p.shape.join(", ")}]` };
    }),
    { kind: "return", node: c.loss },
  ];
  const kernel: KernelSpec = {
    name: "hvpSample",
    params: [["p", "Vec"], ["x", "Vec"], ["xo", "number"], ["y", "Vec"], ["yo", "number"], ["g", "Vec"]],
    returns: "number",
    doc: "Inference mode: adds H v of one sample's loss into g (p holds the parameters, then v), returns its loss.",
    sinks,
    training: false,
  };
  return { kernel, offsets: directionOffsets };
}

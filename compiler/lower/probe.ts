// The activation probe: one more per-sample kernel, `probeSample`, that runs the inference
// forward pass of one sample and stores the value of every sigmoid, tanh and relu activation of
// the model side by side in one row, so that `fit(…, { health: true })` can measure saturated
// and dead units (runtime/health.ts) without touching the training kernels.
//
//   h1 = dense(x, 16, sigmoid); h2 = dense(h1, 16, relu)
//   -> activations [{ name: "h1", activation: "sigmoid", offset: 0, size: 16 }, { name: "h2", …, offset: 16 }]
//      probeSample(p, x, xo, outputs, oo): writes h1 at outputs[oo…], h2 at outputs[oo + 16…]

import type { ActivationInfo } from "../../runtime/core.js";
import { indexAdd, v } from "../ir/code.js";
import { sizeOf, topoOrder } from "../ir/node.js";
import type { Derived } from "../passes/simplify.js";
import { stemOf } from "./buffers.js";
import type { Sink } from "./node-lowering.js";
import type { KernelSpec } from "./per-sample.js";

const WATCHED = new Set(["sigmoid", "tanh", "relu"]);

export interface ActivationProbe {
  /** The kernel, or null when the model has no watched activation. */
  kernel: KernelSpec | null;
  activations: ActivationInfo[];
  /** Values per probe row. */
  size: number;
}

export function activationProbe(derived: Derived): ActivationProbe {
  const nodes = topoOrder([derived.predict]).filter((n) => WATCHED.has(n.op));
  const activations: ActivationInfo[] = [];
  const sinks: Sink[] = [];
  const taken = new Set<string>();
  let offset = 0;
  for (const node of nodes) {
    let name = derived.names.get(node.id) ?? stemOf(node, derived.names);
    for (let k = 2; taken.has(name); k++) name = `${name}_${k}`;
    taken.add(name);
    activations.push({ name, activation: node.op as ActivationInfo["activation"], offset, size: sizeOf(node.shape) });
    sinks.push({ kind: "store", node, array: "outputs", offset: indexAdd(v("oo"), offset), comment: `activation ${name} (${node.op}) at ${offset}` });
    offset += sizeOf(node.shape);
  }
  if (nodes.length === 0) return { kernel: null, activations, size: 0 };
  const kernel: KernelSpec = {
    name: "probeSample",
    params: [["p", "Vec"], ["x", "Vec"], ["xo", "number"], ["outputs", "Vec"], ["oo", "number"]],
    returns: "void",
    doc: "Inference for the sample at x[xo…]: writes its sigmoid, tanh and relu activations side by side at outputs[oo…] (fit's health).",
    sinks,
    training: false,
  };
  return { kernel, activations, size: offset };
}

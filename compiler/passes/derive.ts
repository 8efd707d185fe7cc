// derive: the model's graphs after autodiff and simplification — what gets lowered.
//
//   Model -> { predict, inferLoss, trainLoss, grads: { W_h: …, b_h: … }, stats }

import type { Model } from "../build/model.js";
import type { LoweredGraphs } from "../emit/kernels.js";
import { countNodes } from "../ir/print.js";
import { topoOrder } from "../ir/node.js";
import { nameIntermediates } from "../explain/names.js";
import { differentiate } from "./autodiff.js";
import { type SimplifyStats, simplify } from "./simplify.js";
import { RULES, STABILITY_RULES } from "./rules.js";

export interface PassStats {
  forwardNodes: number;
  /** Forward nodes after stable forms and forward simplification, and the rewrites that did it. */
  afterStabilize: number;
  stabilize: Record<string, number>;
  afterAutodiff: number;
  afterSimplify: number;
  simplify: SimplifyStats;
}

export interface Derived extends LoweredGraphs {
  /** Gradients straight out of autodiff, before simplification (for `--emit ir`). */
  rawGrads: Map<string, import("../ir/node.js").Node>;
  /** The forward graph that was differentiated (stable forms), before autodiff. */
  stable: { trainLoss: import("../ir/node.js").Node; output: import("../ir/node.js").Node; inferLoss: import("../ir/node.js").Node };
  stats: PassStats;
}

export function derive(model: Model): Derived {
  const { graph } = model;
  const params = model.params.map((p) => p.node);
  // The training-mode output (dropout on) is written by the gradient kernel for fit's metrics;
  // without dropout it is the same interned node as the inference output.
  const written = [model.train.loss, model.infer.output, model.infer.loss, model.train.output];
  const forwardNodes = countNodes(written);
  // Names for unnamed values (z_h in h = tanh(W1 @ x + b1)): readable locals, and adjoints named dz_h.
  nameIntermediates(graph, topoOrder(written));
  // Stable forms first, so that the derivative is taken of them.
  // (A pass of their own: they match the expression as written, before other rules reshape it.)
  const stabilized = simplify(graph, written, STABILITY_RULES);
  const forwardSimplified = simplify(graph, stabilized.roots, RULES);
  const stable = forwardSimplified.roots;
  const stabilize = { ...stabilized.stats.rewrites };
  for (const [k, v] of Object.entries(forwardSimplified.stats.rewrites)) stabilize[k] = (stabilize[k] ?? 0) + v;
  const [trainLossStable] = stable as [typeof stable[0]];
  const forward = { trainLoss: trainLossStable, output: stable[1]!, inferLoss: stable[2]!, trainOutput: stable[3]! };
  const { byParam } = differentiate(graph, forward.trainLoss, params);
  const rawGrads = new Map(model.params.map((p) => [p.name, byParam.get(p.node.id)!]));
  const before = [forward.output, forward.inferLoss, forward.trainLoss, forward.trainOutput, ...rawGrads.values()];
  const afterAutodiff = countNodes(before);
  const { roots, stats } = simplify(graph, before);
  const [predict, inferLoss, trainLoss, trainOutput, ...grads] = roots as [typeof roots[0], typeof roots[0], typeof roots[0], typeof roots[0], ...typeof roots];
  return {
    predict: predict!,
    trainOutput: trainOutput!,
    inferLoss: inferLoss!,
    trainLoss: trainLoss!,
    grads: new Map(model.params.map((p, i) => [p.name, grads[i]!])),
    rawGrads,
    stable: forward,
    stats: { forwardNodes, afterStabilize: countNodes(stable), stabilize, afterAutodiff, afterSimplify: countNodes(roots), simplify: stats },
  };
}

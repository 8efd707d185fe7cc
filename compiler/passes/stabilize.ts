// stabilize: the forward graphs in numerically stable forms, before differentiation, so that
// the derivative is taken of the stable form (log σ(z) differentiates to 1 − σ(z), not σ'/σ).
// The stable-form rules run first, on the expression as written; then the ordinary rules.
//
//   -mean(y log σ(z) + (1 − y) log(1 − σ(z)))   ->   mean(softplus(z) − y z)

import type { Model } from "../elaborate/model.js";
import { type Node, topoOrder } from "../ir/node.js";
import { type Provenance, rewrite } from "./rewrite.js";
import { RULES, STABILITY_RULES } from "./rules.js";

/** The four forward roots every stage keeps: the losses of both modes and the outputs of both. */
export interface Forward {
  trainLoss: Node;
  /** The inference output (what `predict` returns). */
  output: Node;
  inferLoss: Node;
  /** The output in training mode (dropout on): the gradient kernels write it for fit's metrics. */
  trainOutput: Node;
}

export interface Stable {
  model: Model;
  /** The forward roots as elaborated. */
  asBuilt: Forward;
  /** The same roots in stable forms. */
  forward: Forward;
  provenance: Provenance;
  /** Rewrites applied, by rule name. */
  rewrites: Record<string, number>;
}

/** The roots in the order every stage walks them. */
export const rootsOf = (f: Forward): Node[] => [f.trainLoss, f.output, f.inferLoss, f.trainOutput];
const forwardOf = ([trainLoss, output, inferLoss, trainOutput]: readonly Node[]): Forward => ({
  trainLoss: trainLoss!,
  output: output!,
  inferLoss: inferLoss!,
  trainOutput: trainOutput!,
});

export function stabilize(model: Model): Stable {
  // The training-mode output (dropout on) is written by the gradient kernel for fit's metrics;
  // without dropout it is the same interned node as the inference output.
  const asBuilt: Forward = { trainLoss: model.train.loss, output: model.infer.output, inferLoss: model.infer.loss, trainOutput: model.train.output };
  // (A pass of their own: the stable-form rules match the expression as written, before other rules reshape it.)
  const stabilized = rewrite(model.graph, rootsOf(asBuilt), STABILITY_RULES);
  const simplified = rewrite(model.graph, stabilized.roots, RULES);
  const rewrites = { ...stabilized.stats.rewrites };
  for (const [k, v] of Object.entries(simplified.stats.rewrites)) rewrites[k] = (rewrites[k] ?? 0) + v;
  return { model, asBuilt, forward: forwardOf(simplified.roots), provenance: [...stabilized.provenance, ...simplified.provenance], rewrites };
}

/** Number of distinct nodes reachable from a stage's roots. */
export function countNodes(roots: readonly Node[]): number {
  return topoOrder(roots).length;
}

// simplify: the rewrite rules (rules.ts) to a fixed point over everything the kernels
// compute: the outputs and losses of both modes and every parameter's gradient. Then the one
// naming step (naming.ts), which gives the result its readable names.
//
//   ∂L/∂W_out = outer(mul(const 1, sub(out, y)), h)   ->   outer(sub(out, y), h)

import type { Model } from "../elaborate/model.js";
import type { Names, Node } from "../ir/node.js";
import type { Differentiated } from "./differentiate.js";
import { nameValues } from "./naming.js";
import { type RewriteStats, rewrite } from "./rewrite.js";
import { type Stable, countNodes, rootsOf } from "./stabilize.js";

export interface PassStats {
  forwardNodes: number;
  /** Forward nodes after stable forms and forward simplification, and the rewrites that did it. */
  afterStabilize: number;
  stabilize: Record<string, number>;
  afterAutodiff: number;
  afterSimplify: number;
  simplify: RewriteStats;
}

/** The graphs the kernels compute, simplified and named: what `lower` takes. */
export interface Derived {
  model: Model;
  /** The inference output (what `predict` returns). */
  predict: Node;
  /** The output in training mode (dropout on): the gradient kernels write it for fit's metrics. */
  trainOutput: Node;
  inferLoss: Node;
  trainLoss: Node;
  /** ∂loss/∂param by parameter name, in declaration order. */
  grads: Map<string, Node>;
  names: Names;
  /** The earlier stages, for `--emit ir` and `nnc grad --format ir`. */
  stable: Stable;
  rawGrads: Map<string, Node>;
  stats: PassStats;
}

export function simplify(d: Differentiated): Derived {
  const { stable } = d;
  const { model } = stable;
  const f = stable.forward;
  const before = [f.output, f.inferLoss, f.trainLoss, f.trainOutput, ...d.grads.values()];
  const { roots, provenance, stats } = rewrite(model.graph, before);
  const [output, inferLoss, trainLoss, trainOutput, ...grads] = roots as [Node, Node, Node, Node, ...Node[]];
  return {
    model,
    predict: output,
    trainOutput,
    inferLoss,
    trainLoss,
    grads: new Map(model.params.map((p, i) => [p.name, grads[i]!])),
    names: nameValues(stable, d, { roots, provenance }),
    stable,
    rawGrads: d.grads,
    stats: {
      forwardNodes: countNodes(rootsOf(stable.asBuilt)),
      afterStabilize: countNodes(rootsOf(stable.forward)),
      stabilize: stable.rewrites,
      afterAutodiff: countNodes(before),
      afterSimplify: countNodes(roots),
      simplify: stats,
    },
  };
}

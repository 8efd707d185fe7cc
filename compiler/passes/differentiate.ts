// differentiate: the gradient of the training loss with respect to every parameter, in
// reverse mode (autodiff.ts), taken of the stable forward graph.
//
//   Stable -> { …stable, grads: { W_h: outer(dz_h, x), b_h: dz_h, … } }   (before simplification)

import type { Node } from "../ir/node.js";
import { type Gradients, differentiateLoss } from "./autodiff.js";
import type { Stable } from "./stabilize.js";

export interface Differentiated {
  stable: Stable;
  /** ∂loss/∂param straight out of autodiff, by parameter name, in declaration order. */
  grads: Map<string, Node>;
  gradients: Gradients;
}

export function differentiate(stable: Stable): Differentiated {
  const { model } = stable;
  const gradients = differentiateLoss(model.graph, stable.forward.trainLoss, model.params.map((p) => p.node));
  const grads = new Map(model.params.map((p) => [p.name, gradients.byParam.get(p.node.id)!]));
  return { stable, grads, gradients };
}

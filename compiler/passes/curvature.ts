// curvature: the Hessian-vector product of the loss, by differentiating the derived gradient
// again (reverse over reverse). The gradient ∂L/∂θ is an ordinary graph, so with a direction v
// (one new leaf per parameter) s = ⟨∂L/∂θ, v⟩ is an ordinary scalar, and ∂s/∂θ = H v is one
// more reverse pass (autodiff.ts), simplified by the same rules as everything else.
// The loss is the inference-mode one (no dropout), so H v is deterministic.
//
//   parity: ∂L/∂W_out = δz_out ⊗ h,  s = Σ (δz_out ⊗ h) ⊙ v_W_out + …
//           H v for W_out = ((v_W_out h + …) ⊙ out ⊙ (1 − out)) ⊗ h + …

import { giveName, nodeLabel } from "../ir/names.js";
import type { Names, Node } from "../ir/node.js";
import { differentiateLoss } from "./autodiff.js";
import { rewrite } from "./rewrite.js";
import type { Derived } from "./simplify.js";

export interface Curvature {
  /** The parameters differentiated twice, in declaration order. */
  params: string[];
  /** The direction v: one `param` leaf per parameter, by parameter name (its own name is `directionName`). */
  directions: Map<string, Node>;
  /** The first derivative ∂L/∂θ of the inference-mode loss, simplified, by parameter name. */
  grads: Map<string, Node>;
  /** s = ⟨∂L/∂θ, v⟩, the scalar differentiated the second time. */
  inner: Node;
  /** H v = ∂s/∂θ, simplified, by parameter name. */
  hvp: Map<string, Node>;
  /** The inference-mode loss. */
  loss: Node;
  /** Readable names: the model's, and `s_NAME` for ∂s/∂NAME (so `s_W` is H v for W). */
  names: Names;
  /** Nodes that are ∂s/∂(a value): the value they are the adjoint of, by node id. */
  secondOf: Map<number, Node>;
}

/**
 * H v of the inference-mode loss for the parameters `wrt` (default: all), with v zero for the
 * others. Adds nodes to the model's graph; changes nothing that is there.
 */
export function curvature(derived: Derived, wrt?: readonly string[]): Curvature {
  const { model } = derived;
  const graph = model.graph;
  const chosen = model.params.filter((p) => wrt === undefined || wrt.includes(p.name));
  const paramNodes = chosen.map((p) => p.node);
  // ∂L/∂θ of the loss without dropout: the training gradient when the model has none.
  let grads: Map<string, Node>;
  if (derived.inferLoss === derived.trainLoss) {
    grads = new Map(chosen.map((p) => [p.name, derived.grads.get(p.name)!]));
  } else {
    const first = differentiateLoss(graph, derived.inferLoss, paramNodes);
    const simplified = rewrite(graph, chosen.map((p) => first.byParam.get(p.node.id)!)).roots;
    grads = new Map(chosen.map((p, i) => [p.name, simplified[i]!]));
  }
  const taken = new Set([...model.params.map((p) => p.name), model.input.name, model.target.name]);
  const g = graph.at(undefined, "gradient");
  const directions = new Map(chosen.map((p) => [p.name, g.param(directionName(p.name, taken), p.shape)]));
  let inner: Node | undefined;
  for (const p of chosen) {
    const term = g.sum(g.mul(grads.get(p.name)!, directions.get(p.name)!));
    inner = inner ? g.add(inner, term) : term;
  }
  if (!inner) throw new Error("internal: curvature of no parameters");
  const second = differentiateLoss(graph, inner, paramNodes);
  const raw = chosen.map((p) => second.byParam.get(p.node.id)!);
  const { roots, provenance } = rewrite(graph, [derived.inferLoss, ...raw]);
  const [loss, ...hv] = roots as [Node, ...Node[]];

  // Names: ∂s/∂v is `s_` + v's name (s_W_out is H v for W_out), carried over to what simplification made of it.
  const names = new Map(derived.names);
  const secondOf = new Map<number, Node>();
  for (const node of [...second.order].reverse()) {
    const a = second.adjoints.get(node.id);
    if (!a || a.role !== "gradient" || node.op === "const") continue;
    if (!names.has(a.id) && a.op !== "param") secondOf.set(a.id, node);
    // Unnamed intermediates stay unnamed (code names them after their op, math prints them inline).
    if (node.op === "param" || node.op === "input" || names.has(node.id)) giveName(names, a, `s_${nodeLabel(node, names)}`);
  }
  for (const [from, to] of provenance) {
    const name = names.get(from.id);
    if (name !== undefined) giveName(names, to, name);
    const of = secondOf.get(from.id);
    if (of && !secondOf.has(to.id)) secondOf.set(to.id, of);
  }
  return { params: chosen.map((p) => p.name), directions, grads, inner, hvp: new Map(chosen.map((p, i) => [p.name, hv[i]!])), loss, names, secondOf };
}

/** `v_W` for the direction of W, unless the model already has that name (then `vv_W`, …). */
function directionName(param: string, taken: Set<string>): string {
  let name = `v_${param}`;
  while (taken.has(name)) name = `v${name}`;
  taken.add(name);
  return name;
}

// differentiate: reverse-mode differentiation as a graph transformation. The result is more
// nodes in the same interned graph, so it can be printed, simplified, evaluated and
// differentiated again. One derivative rule per op lives in the op table (vjp).
//
//   loss = mean((W @ x - y)^2)   ->   dW = outer(2/n (W x − y), x)
//
// Walks the loss's graph in reverse topological order; adjoints of a node used several
// times are summed (fan-out accumulates). New nodes are stamped "gradient" with the model
// line of the node whose rule made them.

import type { Graph } from "../ir/graph.js";
import { type Node, topoOrder } from "../ir/node.js";
import { opDef } from "../ops/registry.js";

export interface Gradients {
  /** d loss / d param, by param node id (shaped like the param). */
  byParam: Map<number, Node>;
  /** The adjoint ∂loss/∂v of every node v on a path from a parameter, by node id. */
  adjoints: Map<number, Node>;
  /** The loss's graph in topological order (what was differentiated). */
  order: Node[];
}

export function differentiateLoss(graph: Graph, loss: Node, wrt: readonly Node[]): Gradients {
  if (loss.shape.length !== 0) throw new Error("internal: differentiate needs a scalar loss");
  const order = topoOrder([loss]);
  // Only nodes on a path from a parameter need an adjoint.
  const wanted = new Set(wrt.map((n) => n.id));
  const needs = new Set<number>();
  for (const node of order) {
    if (wanted.has(node.id) || node.inputs.some((i) => needs.has(i.id))) needs.add(node.id);
  }
  const adjoint = new Map<number, Node>();
  adjoint.set(loss.id, graph.at(undefined, "gradient").const(1));
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const g = adjoint.get(node.id);
    if (!g || node.inputs.length === 0) continue;
    const at = graph.at(node.origin, "gradient");
    const contributions = opDef(node.op).vjp(g, node, at);
    if (contributions.length !== node.inputs.length) {
      throw new Error(`internal: the derivative rule of '${node.op}' returned ${contributions.length} adjoints for ${node.inputs.length} inputs`);
    }
    node.inputs.forEach((input, i) => {
      const c = contributions[i];
      if (!c || !needs.has(input.id)) return;
      const previous = adjoint.get(input.id);
      adjoint.set(input.id, previous ? at.add(previous, c) : c);
    });
  }
  const byParam = new Map<number, Node>();
  for (const p of wrt) byParam.set(p.id, adjoint.get(p.id) ?? graph.at(undefined, "gradient").const(0, p.shape));
  return { byParam, adjoints: adjoint, order };
}

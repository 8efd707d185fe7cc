// autodiff: reverse-mode differentiation as a graph transformation. The result is more
// nodes in the same interned graph, so it can be printed, simplified, evaluated and
// differentiated again. One derivative rule per op lives in the op table (vjp).
//
//   loss = mean((W @ x - y)^2)   ->   dW = outer(2/n (W x − y), x)
//
// Walks the loss's graph in reverse topological order; adjoints of a node used several
// times are summed (fan-out accumulates).

import type { Graph } from "../ir/graph.js";
import { type Node, topoOrder } from "../ir/node.js";
import { opDef } from "../ops/registry.js";
import { nodeLabel } from "../ir/print.js";

export interface Gradients {
  /** d loss / d param, by param node id (shaped like the param). */
  byParam: Map<number, Node>;
}

export function differentiate(graph: Graph, loss: Node, wrt: readonly Node[]): Gradients {
  if (loss.shape.length !== 0) throw new Error("internal: differentiate needs a scalar loss");
  const order = topoOrder([loss]);
  // Only nodes on a path from a parameter need an adjoint.
  const wanted = new Set(wrt.map((n) => n.id));
  const needs = new Set<number>();
  for (const node of order) {
    if (wanted.has(node.id) || node.inputs.some((i) => needs.has(i.id))) needs.add(node.id);
  }
  const savedRole = graph.role;
  const savedOrigin = graph.origin;
  graph.role = "gradient";
  const adjoint = new Map<number, Node>();
  adjoint.set(loss.id, graph.const(1));
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k]!;
      const g = adjoint.get(node.id);
      if (!g || node.inputs.length === 0) continue;
      graph.origin = node.origin;
      const contributions = opDef(node.op).vjp(g, node, graph);
      if (contributions.length !== node.inputs.length) {
        throw new Error(`internal: the derivative rule of '${node.op}' returned ${contributions.length} adjoints for ${node.inputs.length} inputs`);
      }
      node.inputs.forEach((input, i) => {
        const c = contributions[i];
        if (!c || !needs.has(input.id)) return;
        const previous = adjoint.get(input.id);
        const sum = previous ? graph.add(previous, c) : c;
        adjoint.set(input.id, sum);
      });
    }
  } finally {
    graph.role = savedRole;
    graph.origin = savedOrigin;
  }
  const byParam = new Map<number, Node>();
  for (const p of wrt) {
    const g = adjoint.get(p.id) ?? graph.const(0, p.shape);
    byParam.set(p.id, g);
  }
  // Readable names for adjoints: dz_h, dh from named values first (so the shared adjoint
  // of z = W x + b reads dz, not db), users before their inputs (dz_h, not dWx_h), then
  // dW_h, db_h for parameters.
  const nameAdjoint = (node: Node) => {
    const g = adjoint.get(node.id);
    if (g && g.role === "gradient") graph.named(g, `d${nodeLabel(node)}`);
  };
  for (const node of [...order].reverse()) if (node.name && node.op !== "param") nameAdjoint(node);
  for (const node of order) if (node.op === "param") nameAdjoint(node);
  return { byParam };
}

// Readable names for graph nodes, shared by `nnc grad`, `nnc graph` and (through node
// names) the locals of generated code.
//
//   h = tanh(W1 @ x + b1)   ->  the unnamed W1 @ x + b1 is named z_h, W1 @ x is named W1x,
//                               so generated code reads `z_h_3`, not `t10_3`, and the adjoint
//                               autodiff names after it reads `dz_h` (math: δz_h).

import type { Node } from "../ir/node.js";
import type { Graph } from "../ir/graph.js";
import { nodeLabel } from "../ir/print.js";
import { opDef } from "../ops/registry.js";

const LEAF_OPS = new Set(["param", "input", "const", "dropout_mask"]);

/** A label usable inside a derived name (params, inputs and named nodes), else undefined. */
function labelOf(node: Node): string | undefined {
  if (node.op === "param" || node.op === "input") return String(node.attrs["name"]);
  return node.name;
}

/** Ops whose argument reads as a pre-activation: elementwise functions (not negation) and softmax. */
function isActivationLike(node: Node): boolean {
  if (node.inputs.length !== 1 || node.op === "neg") return false;
  return opDef(node.op).kind === "elementwise" || node.op === "softmax" || node.op === "logsoftmax";
}

/**
 * Names unnamed forward intermediates from their neighbours: the argument of a named
 * activation `h = f(u)` becomes `z_h` (its pre-activation), and `W @ v` becomes `Wv`.
 * Only nodes without a name are touched (the first name given wins, see Graph.named).
 */
export function nameIntermediates(graph: Graph, order: readonly Node[]): void {
  // Users before their inputs, so `z_h` is given before anything else could name it.
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    if (node.role === "gradient" || !node.name || !isActivationLike(node)) continue;
    const arg = node.inputs[0]!;
    if (arg.name === undefined && !LEAF_OPS.has(arg.op) && arg.op !== "broadcast") graph.named(arg, `z_${node.name}`);
  }
  for (const node of order) {
    if (node.role === "gradient" || node.name || node.op !== "matvec") continue;
    const [w, v] = [labelOf(node.inputs[0]!), labelOf(node.inputs[1]!)];
    if (w && v) graph.named(node, /^[A-Za-z]+\d*$/.test(w) ? `${w}${v}` : `${w}_${v}`);
  }
  // Sums inside a named value's expression (the terms of `loss = … + 1e-4 * sum(W1 ^ 2)`)
  // are stored: name them after it, loss_sum, loss_sum2, …, so code reads `loss_sum_0`, not `t26_0`.
  // Training and inference copies of a value share its name, so numbering continues over
  // the names already taken rather than restarting per copy.
  const taken = new Set(order.map((n) => n.name).filter((n) => n !== undefined));
  for (let k = order.length - 1; k >= 0; k--) {
    const owner = order[k]!;
    if (owner.role === "gradient" || !owner.name || LEAF_OPS.has(owner.op)) continue;
    const sums: Node[] = [];
    const seen = new Set<number>();
    const stack = [...owner.inputs];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n.id) || n.name !== undefined || n.role === "gradient" || LEAF_OPS.has(n.op)) continue;
      seen.add(n.id);
      // (A sum right under the value, as in mean = Σ/n, becomes the value itself when n = 1.)
      if (n.op === "sum" && !owner.inputs.includes(n)) sums.push(n);
      stack.push(...n.inputs);
    }
    for (const n of sums.sort((a, b) => a.id - b.id)) {
      let i = 1;
      while (taken.has(`${owner.name}_sum${i === 1 ? "" : i}`)) i++;
      const name = `${owner.name}_sum${i === 1 ? "" : i}`;
      taken.add(name);
      graph.named(n, name);
    }
  }
}

/** `h = dense(…)` or `h = tanh(…)`: a node holding the value of a DSL assignment. */
export function isAssigned(node: Node): boolean {
  if (!node.name || !node.origin) return false;
  const name = node.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${name}\\s*=`).test(node.origin.text);
}

/**
 * The name shown in math: adjoints `dz_h` read `δz_h` (also when simplification found the
 * adjoint equal to a forward value, as out − y in mse), the loss reads `L`, others as in the IR.
 */
export function mathName(node: Node): string {
  const label = nodeLabel(node);
  if (node.name !== undefined && /^d./.test(label) && (node.role === "gradient" || !isAssigned(node))) return `δ${label.slice(1)}`;
  if (node.name === "loss" && node.shape.length === 0) return "L";
  return label;
}

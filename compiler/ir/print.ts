// The IR's stable text form, one node a line in topological order, like a jaxpr.
// Tests compare it as text; `nnc model.nn --emit ir` prints it.
//
//   x:[1] = input
//   W_h:[2, 1] = param
//   %4:[2] = matvec W_h x
//   z_h:[2] = add %4 b_h
//   h:[2] = sigmoid z_h

import { nodeLabel } from "./names.js";
import { type Names, type Node, topoOrder } from "./node.js";

function attrText(node: Node): string {
  const keys = Object.keys(node.attrs)
    .filter((k) => !(k === "shape" || k === "name" || (node.op === "input" && k === "role")))
    .sort();
  if (keys.length === 0) return "";
  return `[${keys.map((k) => `${k}=${String(node.attrs[k])}`).join(", ")}]`;
}

/** The text of the graph reachable from `roots`, with `outputs` listed at the end by name. */
export function printGraph(roots: readonly { name: string; node: Node }[], names: Names): string {
  const lines: string[] = [];
  for (const node of topoOrder(roots.map((r) => r.node))) {
    if (node.op === "const" && node.shape.length === 0) continue;
    const lhs = `${nodeLabel(node, names)}:[${node.shape.join(", ")}]`;
    const rhs = [`${node.op}${attrText(node)}`, ...node.inputs.map((i) => nodeLabel(i, names))].join(" ");
    const role = node.op === "input" ? `  # ${String(node.attrs["role"])}` : "";
    lines.push(`${lhs} = ${rhs}${role}`);
  }
  lines.push(`outputs: ${roots.map((r) => `${r.name}=${nodeLabel(r.node, names)}`).join(", ")}`);
  return lines.join("\n");
}

/** Number of distinct nodes reachable from `roots` (for pass statistics). */
export function countNodes(roots: readonly Node[]): number {
  return topoOrder(roots).length;
}

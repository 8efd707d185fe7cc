// How `nnc grad` and `nnc graph` show a named value: adjoints `dz_h` as `δz_h`, the loss as `L`.
//
//   mathName(dz_h) -> "δz_h";   mathName(loss) -> "L";   mathName(h) -> "h"

import { nodeLabel } from "../ir/names.js";
import type { Names, Node } from "../ir/node.js";

/** `h = dense(…)` or `h = tanh(…)`: a node holding the value of a DSL assignment. */
export function isAssigned(node: Node, names: Names): boolean {
  const name = names.get(node.id);
  if (name === undefined || !node.origin) return false;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${escaped}\\s*=`).test(node.origin.text);
}

/**
 * The name shown in math: adjoints `dz_h` read `δz_h` (also when simplification found the
 * adjoint equal to a forward value, as out − y in mse), the loss reads `L`, others as in the IR.
 */
export function mathName(node: Node, names: Names): string {
  const label = nodeLabel(node, names);
  const name = names.get(node.id);
  if (name !== undefined && /^d./.test(label) && (node.role === "gradient" || !isAssigned(node, names))) return `δ${label.slice(1)}`;
  if (name === "loss" && node.shape.length === 0) return "L";
  return label;
}

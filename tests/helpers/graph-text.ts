// Graphs as text for tests that compare a stage's result with a literal expected value.
// `expression` writes a small graph on one line (a table row of rewrite-rule tests);
// `irText` is printGraph's text with unnamed values renumbered %1, %2, … in the order they
// are defined, so an expected text does not depend on how many nodes were built before.
//
//   expression(g.mul(g.const(2, [3]), a))   // "mul(2:[3], a)"
//   irText([{ name: "loss", node }], names) // "W:[1, 2] = param\n…\n%1:[1] = matvec W x\n…"

import type { Names, Node } from "../../compiler/ir/node.js";
import { printGraph } from "../../compiler/ir/print.js";

/**
 * One line: parameters and inputs by name, scalar constants by value, tensor constants as
 * `value:[shape]`, a broadcast as `broadcast:[shape](s)`, anything else `op[attrs](args)`.
 * Shared sub-expressions are written out each time they are used (fine for small graphs).
 */
export function expression(node: Node): string {
  switch (node.op) {
    case "param":
    case "input":
      return String(node.attrs["name"]);
    case "const":
      return node.shape.length === 0 ? String(node.attrs["value"]) : `${String(node.attrs["value"])}:[${node.shape.join(", ")}]`;
    case "broadcast":
      return `broadcast:[${node.shape.join(", ")}](${expression(node.inputs[0]!)})`;
    default: {
      const keys = Object.keys(node.attrs).sort();
      const attrs = keys.length === 0 ? "" : `[${keys.map((k) => `${k}=${String(node.attrs[k])}`).join(", ")}]`;
      return `${node.op}${attrs}(${node.inputs.map(expression).join(", ")})`;
    }
  }
}

/** printGraph's text with unnamed values (`%17`) renumbered from %1 in order of appearance. */
export function irText(roots: readonly { name: string; node: Node }[], names: Names): string {
  const renumbered = new Map<string, string>();
  return printGraph(roots, names).replace(/%\d+/g, (id) => {
    if (!renumbered.has(id)) renumbered.set(id, `%${renumbered.size + 1}`);
    return renumbered.get(id)!;
  });
}

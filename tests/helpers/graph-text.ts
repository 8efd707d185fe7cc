// Graphs as text for tests that compare a stage's result with a literal expected value.
// `expression` writes a small graph on one line (a table row of rewrite-rule tests);
// `irText` is printGraph's text with unnamed values renumbered %1, %2, … in the order they
// are defined, so an expected text does not depend on how many nodes were built before.
//
//   expression(g.mul(g.const(2, [3]), a))   // "mul(2:[3], a)"
//   irText([{ name: "loss", node }], names) // "W:[1, 2] = param\n…\n%1:[1] = matvec W x\n…"

import { type Names, type Node, topoOrder } from "../../compiler/ir/node.js";
import { nodeLabel } from "../../compiler/ir/names.js";
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

/**
 * Where each value of `roots` comes from, one line per value in irText's order and numbering:
 * `z_h @4` (the model line), with ` gradient` for values the derivative made.
 */
export function originText(roots: readonly { name: string; node: Node }[], names: Names): string {
  const renumbered = new Map<string, string>();
  return topoOrder(roots.map((r) => r.node))
    .filter((node) => !(node.op === "const" && node.shape.length === 0))
    .map((node) => {
      const label = nodeLabel(node, names).replace(/^%\d+$/, (id) => {
        if (!renumbered.has(id)) renumbered.set(id, `%${renumbered.size + 1}`);
        return renumbered.get(id)!;
      });
      return `${label} @${node.origin?.line ?? "-"}${node.role === "gradient" ? " gradient" : ""}`;
    })
    .join("\n");
}

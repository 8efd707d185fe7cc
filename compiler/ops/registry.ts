// The op table: every op nnc knows, by name. Adding an op means adding one row in one of
// the files imported here (see docs/architecture.md, "How to add an op").

import { elementwiseOps } from "./elementwise.js";
import { leafOps } from "./leaves.js";
import { broadcast, reshape, unbroadcast } from "./layout.js";
import { matvec, matvecT, onehot, outer } from "./linalg.js";
import type { OpDef } from "./op-def.js";
import { Graph } from "../ir/graph.js";
import type { Node } from "../ir/node.js";
import { logsoftmax, logsumexp, softmax, sum } from "./reduce.js";
import { batchSize, rowsOps } from "./rows.js";
import { matmul } from "./matmul.js";
import { col2im, conv2d, conv2dBackpropFilter, conv2dBackpropInput, im2col } from "./conv.js";
import { avgPool2d, avgPool2dGrad, maxPool2d, maxPool2dGrad, maxPool2dSelect } from "./pool.js";

const table = new Map<string, OpDef>();
for (const op of [...leafOps, batchSize, ...elementwiseOps, matvec, matvecT, outer, broadcast, unbroadcast, reshape, onehot, sum, softmax, logsoftmax, logsumexp, matmul,
  conv2d, conv2dBackpropInput, conv2dBackpropFilter, im2col, col2im, maxPool2d, maxPool2dGrad, maxPool2dSelect, avgPool2d, avgPool2dGrad, ...rowsOps]) {
  if (table.has(op.name)) throw new Error(`op '${op.name}' is defined twice`);
  table.set(op.name, op);
}

export function opDef(name: string): OpDef {
  const def = table.get(name);
  if (!def) throw new Error(`internal error: no op named '${name}' in the op table`);
  return def;
}

export function allOps(): OpDef[] {
  return [...table.values()];
}

/** Whether a node is a view of its input (the same elements in the same order: a reshape). */
export function isView(node: Node): boolean {
  const def = opDef(node.op);
  return def.kind === "indexmap" && def.view === true;
}

/** What a chain of views shows: the first node under them that is not a view (the node itself if it is none). */
export function viewed(node: Node): Node {
  let n = node;
  while (isView(n)) n = n.inputs[0]!;
  return n;
}

/** A new, empty graph whose shapes follow the op table. */
export function newGraph(): Graph {
  return Graph.create((op, inputs, attrs) => opDef(op).shape(inputs, attrs));
}

// name: the one naming step. Readable names for the values of the derived graph, built into
// a map beside it (passes never rename nodes): the model file's names (`h`, `loss`) and the
// layers' (`z_h`, `Wx_h`), names for other forward intermediates, names carried over to
// the nodes that rewriting put in their place, and adjoints named after their values.
//
//   h = tanh(W1 @ x + b1)   ->  W1 @ x + b1 is z_h, W1 @ x is W1x, the adjoint of z_h is dz_h,
//                               so generated code reads `z_h_3`, not `t10_3`, and math `δz_h`.
//
// The first name a node gets wins; the order below is the order of the passes.

import type { Stable } from "./stabilize.js";
import type { Differentiated } from "./differentiate.js";
import type { Provenance } from "./rewrite.js";
import { giveName, nodeLabel } from "../ir/names.js";
import { type Names, type Node, topoOrder } from "../ir/node.js";
import { maskName } from "../ops/leaves.js";
import { isView, opDef } from "../ops/registry.js";

const LEAF_OPS = new Set(["param", "input", "const", "dropout_mask"]);

/** Ops whose argument reads as a pre-activation: elementwise functions (not negation) and softmax. */
function isActivationLike(node: Node): boolean {
  if (node.inputs.length !== 1 || node.op === "neg") return false;
  return opDef(node.op).kind === "elementwise" || node.op === "softmax" || node.op === "logsoftmax";
}

/** A label usable inside a derived name (params, inputs and named nodes), else undefined. */
function labelOf(node: Node, names: Names): string | undefined {
  if (node.op === "param" || node.op === "input") return String(node.attrs["name"]);
  return names.get(node.id);
}

/**
 * Names unnamed forward intermediates from their neighbours: the argument of a named
 * activation `h = f(u)` becomes `z_h` (its pre-activation), `W @ v` becomes `Wv`, and sums
 * inside a named value's expression `loss_sum`, `loss_sum2`, ….
 */
function nameIntermediates(names: Map<number, string>, order: readonly Node[]): void {
  for (const node of order) if (node.op === "dropout_mask") giveName(names, node, maskName(node.attrs));
  // Users before their inputs, so `z_h` is given before anything else could name it.
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const name = names.get(node.id);
    if (node.role === "gradient" || name === undefined || !isActivationLike(node)) continue;
    const arg = node.inputs[0]!;
    if (!names.has(arg.id) && !LEAF_OPS.has(arg.op) && arg.op !== "broadcast") giveName(names, arg, `z_${name}`);
  }
  for (const node of order) {
    if (node.role === "gradient" || names.has(node.id) || node.op !== "matvec") continue;
    const [w, v] = [labelOf(node.inputs[0]!, names), labelOf(node.inputs[1]!, names)];
    if (w && v) giveName(names, node, /^[A-Za-z]+\d*$/.test(w) ? `${w}${v}` : `${w}_${v}`);
  }
  // Sums inside a named value's expression (the terms of `loss = … + 1e-4 * sum(W1 ^ 2)`)
  // are stored: name them after it, so code reads `loss_sum_0`, not `t26_0`. Training and
  // inference copies of a value share its name, so numbering continues over the names taken.
  const taken = new Set(order.map((n) => names.get(n.id)).filter((n) => n !== undefined));
  for (let k = order.length - 1; k >= 0; k--) {
    const owner = order[k]!;
    const ownerName = names.get(owner.id);
    if (owner.role === "gradient" || ownerName === undefined || LEAF_OPS.has(owner.op)) continue;
    const sums: Node[] = [];
    const seen = new Set<number>();
    const stack = [...owner.inputs];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n.id) || names.has(n.id) || n.role === "gradient" || LEAF_OPS.has(n.op)) continue;
      seen.add(n.id);
      // (A sum right under the value, as in mean = Σ/n, becomes the value itself when n = 1.)
      if (n.op === "sum" && !owner.inputs.includes(n)) sums.push(n);
      stack.push(...n.inputs);
    }
    for (const n of sums.sort((a, b) => a.id - b.id)) {
      let i = 1;
      while (taken.has(`${ownerName}_sum${i === 1 ? "" : i}`)) i++;
      const name = `${ownerName}_sum${i === 1 ? "" : i}`;
      taken.add(name);
      giveName(names, n, name);
    }
  }
}

/**
 * Names pass from each rewritten node to what replaced it, in the order the rewriting happened,
 * where both belong to the same pass: a gradient's name (dz_out) never lands on a forward value
 * that a rewrite found equal to it (out − y), which would then read as a gradient in the forward pass.
 */
function carryOver(names: Map<number, string>, provenance: Provenance): void {
  for (const [from, to] of provenance) {
    const name = names.get(from.id);
    if (name !== undefined && from.role === to.role) giveName(names, to, name);
  }
}

/**
 * Adjoints are named after their values: dz_h, dh from named values first (so the shared
 * adjoint of z = W x + b reads dz, not db), users before their inputs (dz_h, not dWx_h),
 * then dW_h, db_h for parameters. An adjoint that is a forward value keeps that value's name.
 */
function nameAdjoints(names: Map<number, string>, order: readonly Node[], adjoints: ReadonlyMap<number, Node>): void {
  const nameAdjoint = (node: Node) => {
    const g = adjoints.get(node.id);
    if (g && g.role === "gradient") giveName(names, g, `d${nodeLabel(node, names)}`);
  };
  for (const node of [...order].reverse()) if (names.has(node.id) && node.op !== "param") nameAdjoint(node);
  for (const node of order) if (node.op === "param") nameAdjoint(node);
}

/** What a view shows (a reshape's input) is named as the view, where it has no name of its own: it is what gets stored. */
function nameUnderViews(names: Map<number, string>, order: readonly Node[]): void {
  // Users before their inputs, so a chain of views passes its name all the way down.
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const name = names.get(node.id);
    if (name !== undefined && isView(node) && node.inputs[0]!.role === node.role) giveName(names, node.inputs[0]!, name);
  }
}

/** The names of every node the passes made, from the elaborated model through simplification (to `roots`). */
export function nameValues(stable: Stable, differentiated: Differentiated, simplified: { roots: readonly Node[]; provenance: Provenance }): Names {
  const names = new Map(stable.model.names);
  const asBuilt = stable.asBuilt;
  nameIntermediates(names, topoOrder([asBuilt.trainLoss, asBuilt.output, asBuilt.inferLoss, asBuilt.trainOutput]));
  carryOver(names, stable.provenance);
  nameAdjoints(names, differentiated.gradients.order, differentiated.gradients.adjoints);
  carryOver(names, simplified.provenance);
  nameUnderViews(names, topoOrder(simplified.roots));
  return names;
}

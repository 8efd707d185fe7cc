// The derived gradient as a list of equations: the forward values it uses, then the
// backward steps in the order backpropagation takes them, each with its shape and the DSL
// line it comes from. `nnc grad` prints it (grad-text.ts).
//
//   forward:  z_out = W_out h + b_out [1]      backward:  δz_out = out − y [1]
//             L = Σ (softplus(z_out) − y ⊙ z_out)         ∂L/∂W_out = δz_out ⊗ h [1, 2]
//
// A node gets its own equation when it has a name that matters (a DSL variable, a value the
// backward pass reads, an adjoint δv) or is shared; everything else prints inline.

import type { Model } from "../elaborate/model.js";
import type { Derived } from "../passes/simplify.js";
import { type Node, type Shape, topoOrder } from "../ir/node.js";
import { MathPrinter } from "./math.js";
import { isAssigned, mathName } from "./names.js";

export interface Equation {
  /** Left-hand side: `h`, `δz_h`, `∂L/∂W_h`, `L`. */
  lhs: string;
  rhs: string;
  shape: Shape;
  /** The DSL line the value comes from (the param's declaration for ∂L/∂param), if known. */
  line?: number;
  kind: "forward" | "backward" | "param";
}

export interface Derivation {
  /** Parameters whose gradients are shown, in declaration order. */
  params: string[];
  /** The ops the equations use (for the notation legend). */
  ops: Set<string>;
  forward: Equation[];
  backward: Equation[];
}

/** Deepest nesting of an expression printed inline. */
const MAX_INLINE_DEPTH = 24;

const LEAVES = new Set(["param", "input", "const", "dropout_mask"]);
const isLeaf = (n: Node) => LEAVES.has(n.op) || (n.op === "broadcast" && n.inputs[0]!.op === "const");

/** The derivation of the loss's gradient with respect to `params` (all when empty). */
export function derivation(model: Model, derived: Derived, params: readonly string[] = []): Derivation {
  const shown = model.params.filter((p) => params.length === 0 || params.includes(p.name));
  const gradRoots = shown.map((p) => derived.grads.get(p.name)!);
  const loss = derived.trainLoss;

  // Use counts over everything printed (the loss and the gradients), each edge once.
  const all = topoOrder([loss, ...gradRoots]);
  const uses = new Map<number, number>();
  for (const n of all) for (const i of n.inputs) uses.set(i.id, (uses.get(i.id) ?? 0) + 1);
  const readByBackward = new Set<number>();
  for (const n of all) if (n.role === "gradient") for (const i of n.inputs) readByBackward.add(i.id);
  const given = derived.names;
  const adjointOf = new Set<string>();
  for (const n of all) {
    const name = given.get(n.id);
    if (n.role === "gradient" && name?.startsWith("d")) adjointOf.add(name.slice(1));
  }

  // Which nodes are equations of their own, and under what name.
  const names = new Map<number, string>();
  const roots = new Set(gradRoots.map((g) => g.id));
  let temp = 0;
  for (const n of all) {
    if (isLeaf(n) || n === loss) continue;
    const count = uses.get(n.id) ?? 0;
    // A gradient nothing else reads is just its ∂L/∂param equation.
    if (roots.has(n.id) && count === 0) continue;
    const name = given.get(n.id);
    if (n.role === "gradient") {
      if (name?.startsWith("d")) names.set(n.id, mathName(n, given));
      else if (count > 1) names.set(n.id, `t${++temp}`);
    } else if (name !== undefined) {
      if (count > 1 || readByBackward.has(n.id) || adjointOf.has(name) || isAssigned(n, given)) names.set(n.id, mathName(n, given));
    } else if (count > 1 && readByBackward.has(n.id)) {
      names.set(n.id, `t${++temp}`);
    }
  }
  // An expression printed inline nests at most this deep: past it a value gets an equation of
  // its own (a sum of thousands of terms reads as a few equations, and printing never recurses deeply).
  const depth = new Map<number, number>();
  for (const n of all) {
    let d = names.has(n.id) || isLeaf(n) ? 0 : 1 + Math.max(0, ...n.inputs.map((i) => depth.get(i.id) ?? 0));
    if (d > MAX_INLINE_DEPTH) {
      names.set(n.id, `t${++temp}`);
      d = 0;
    }
    depth.set(n.id, d);
  }
  const leafName = (n: Node) => (n.op === "param" || n.op === "input" ? String(n.attrs["name"]) : undefined);
  const printer = new MathPrinter((n) => names.get(n.id) ?? leafName(n));
  const equation = (n: Node, lhs: string, kind: Equation["kind"], line = n.origin?.line): Equation => ({
    lhs,
    rhs: printer.expression(n),
    shape: n.shape,
    ...(line !== undefined ? { line } : {}),
    kind,
  });

  const forward: Equation[] = [];
  for (const n of topoOrder([loss])) if (names.has(n.id) && n.role !== "gradient") forward.push(equation(n, names.get(n.id)!, "forward"));
  // Forward values only the backward pass reads (σ(z) in δz = σ(z) − y when the loss used z).
  for (const n of all) {
    if (names.has(n.id) && n.role !== "gradient" && !forward.some((e) => e.lhs === names.get(n.id))) forward.push(equation(n, names.get(n.id)!, "forward"));
  }
  forward.push(equation(loss, "L", "forward"));

  // Backward: intermediates in the order backpropagation meets them (the last layer's first),
  // each parameter's gradient right after the last step it needs.
  const steps = topoOrder([...gradRoots].reverse()).filter((n) => n.role === "gradient" && names.has(n.id));
  const position = new Map(steps.map((n, i) => [n.id, i]));
  const lastStep = (root: Node) => {
    let last = -1;
    for (const n of topoOrder([root])) last = Math.max(last, position.get(n.id) ?? -1);
    return last;
  };
  const backward: Equation[] = [];
  const paramRows = shown.map((p) => ({ p, after: lastStep(derived.grads.get(p.name)!) }));
  const emitParams = (after: number) => {
    for (const { p } of paramRows.filter((r) => r.after === after)) {
      const g = derived.grads.get(p.name)!;
      const lhs = `∂L/∂${p.name}`;
      const rhs = names.get(g.id) ?? (isLeaf(g) ? printer.expression(g) : undefined);
      backward.push(rhs !== undefined ? { lhs, rhs, shape: g.shape, line: p.line, kind: "param" } : equation(g, lhs, "param", p.line));
    }
  };
  emitParams(-1);
  steps.forEach((n, i) => {
    backward.push(equation(n, names.get(n.id)!, "backward"));
    emitParams(i);
  });
  return { params: shown.map((p) => p.name), ops: new Set(all.map((n) => n.op)), forward, backward };
}

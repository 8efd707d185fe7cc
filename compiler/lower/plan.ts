// Storage planning for one generated function: which nodes get their own storage
// (a local constant per element when unrolled, a named buffer otherwise) and which are
// fused into their single consumer's expression.
//
//   relu(W x + b) in loop mode: matvec stored; add and relu fused into one loop:
//     for (i) Wx_h[i] = …matvec…;   for (i) h[i] = Math.max(Wx_h[i] + p[128 + i], 0);

import { type Names, type Node, topoOrder } from "../ir/node.js";
import { usesOperandTwice } from "../ops/elementwise.js";
import { isView, opDef } from "../ops/registry.js";
import { stemOf } from "./buffers.js";
import type { Namer } from "./namer.js";

export type Storage = { kind: "leaf" } | { kind: "inline" } | { kind: "local"; base: string } | { kind: "buffer" };

export interface Plan {
  order: Node[];
  storage: Map<number, Storage>;
}

export interface PlanOptions {
  /** Which stored nodes become locals (one per element) instead of buffers: all of them
   * (straight-line code in one function), only scalars (loops in one function), or none
   * (code split over several functions, or batched rows). */
  locals: "all" | "scalars" | "none";
  /** Nodes that must be stored even when they could fuse (operands of matrix-matrix kernels). */
  mustStore?: ReadonlySet<number>;
  /** Readable names of values, for locals (`h_0`, not `t12_0`). */
  names: Names;
  /** Where local names come from (a fork of the module's namer). */
  namer: Namer;
}

/** Whether `node` reads operand `i` exactly once per output element (so a producer may fuse into it). */
export function readsOnce(node: Node, i: number): boolean {
  const def = opDef(node.op);
  return (def.kind === "elementwise" && !usesOperandTwice(def, node.attrs)) || ((def.kind === "indexmap" || def.kind === "structural") && def.readsOnce?.[i] === true);
}

/** Deepest nesting of fused (inlined) operations in one expression. */
const MAX_INLINE_DEPTH = 32;

/** `roots` are what the function's sinks read; each sink reads every element once. */
export function planStorage(roots: readonly Node[], opts: PlanOptions): Plan {
  const order = topoOrder(roots);
  const uses = new Map<number, { count: number; fusable: boolean }>();
  const use = (n: Node, fusable: boolean) => {
    const u = uses.get(n.id) ?? { count: 0, fusable: true };
    u.count++;
    u.fusable &&= fusable;
    uses.set(n.id, u);
  };
  for (const r of roots) use(r, true);
  for (const node of order) node.inputs.forEach((input, i) => use(input, readsOnce(node, i)));
  // An op that reads its inputs by offset (reshape, a window's maximum) cannot reach through an
  // index map in a loop; through a view it can (the same offset of what the view shows).
  const stored = new Set(opts.mustStore ?? []);
  for (const node of order) {
    const def = opDef(node.op);
    const flatInputs = (def.kind === "indexmap" || def.kind === "structural") && def.flatInputs === true;
    if (flatInputs) for (const input of node.inputs) if (opDef(input.op).kind === "indexmap" && !isView(input)) stored.add(input.id);
  }
  const storage = new Map<number, Storage>();
  const inlineDepth = new Map<number, number>();
  for (const node of order) {
    const def = opDef(node.op);
    const u = uses.get(node.id) ?? { count: 0, fusable: true };
    let fused: boolean;
    if (def.kind === "leaf") fused = node.op !== "dropout_mask";
    else if (stored.has(node.id)) fused = false;
    else if (def.kind === "indexmap") fused = true;
    else if (def.kind === "elementwise") fused = u.count === 1 && u.fusable;
    else fused = false;
    // Bound the nesting of fused expressions: a 5,000-term `a + b + …` would otherwise become
    // one expression 5,000 parentheses deep (overflowing printers, prettier and TypeScript).
    // Past the bound the node is stored and the chain starts afresh.
    // (tests/robustness/long-expressions.test.ts)
    const depth = fused && def.kind !== "leaf" ? 1 + Math.max(0, ...node.inputs.map((i) => inlineDepth.get(i.id) ?? 0)) : 0;
    if (depth > MAX_INLINE_DEPTH) fused = false;
    inlineDepth.set(node.id, fused ? depth : 0);
    if (fused) {
      storage.set(node.id, { kind: def.kind === "leaf" ? "leaf" : "inline" });
    } else if (opts.locals === "all" || (opts.locals === "scalars" && node.shape.length === 0)) {
      // Unique bases: two nodes named `h` (training and inference copies) get h_0 and h2_0,
      // and a user's own `h2` then gets h22_0 (a base is never given out twice).
      storage.set(node.id, { kind: "local", base: opts.namer.base(stemOf(node, opts.names)) });
    } else {
      storage.set(node.id, { kind: "buffer" });
    }
  }
  return { order, storage };
}

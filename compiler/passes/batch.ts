// batch: the graphs over a whole minibatch, as a graph rewrite. Every value that depends on
// the data (inputs, targets, dropout masks) now has one value per row of the batch
// ("rowwise"); parameter-only values stay single. Ops with a batching rule in the op table
// become matrix-matrix ops (W x over the rows is matmul_nt(X, W)); every other op is the same
// op on every row. A parameter's gradient is summed over the rows: Σ_b distributes over +, −
// and negation where that helps, Σ_b of an outer product of two rowwise vectors is the matrix
// product matmul_tn, of other rowwise terms sum_rows, and of a parameter-only term n times it.
//
//   dW_h = outer(dz_h, x)   ->   terms [+ matmul_tn(dz_h, x)]          (Σ_b dz_h,b x_bᵀ)
//   db_h = dz_h             ->   terms [+ sum_rows(dz_h)]
//   L    = mean(…)          ->   sum_rows(L)                            (the batch's Σ loss)

import type { Graph } from "../ir/graph.js";
import { giveName } from "../ir/names.js";
import { type Names, type Node, newNodes, topoOrder } from "../ir/node.js";
import { opDef } from "../ops/registry.js";
import type { Derived } from "./simplify.js";

/** One signed part of a parameter's gradient summed over the batch. */
export interface Term {
  sign: 1 | -1;
  /** Reduced over the rows: matmul_tn, sum_rows, or n × a parameter-only value. */
  node: Node;
}

export interface Batched {
  derived: Derived;
  /** Whether a node of the batched graphs holds one value per row. */
  rowwise: (node: Node) => boolean;
  /** Rowwise outputs of both modes. */
  predict: Node;
  trainOutput: Node;
  /** Σ_b of the per-row losses of both modes (scalars). */
  inferLoss: Node;
  trainLoss: Node;
  /** Σ_b ∂loss_b/∂param as signed terms, by parameter name. */
  grads: Map<string, Term[]>;
  names: Names;
}

/** A property of nodes computed from their inputs', memoized, inputs first (no recursion on depth). */
function memoized(compute: (node: Node, of: (input: Node) => boolean) => boolean): (node: Node) => boolean {
  const memo = new Map<number, boolean>();
  const of = (n: Node) => memo.get(n.id)!;
  return (node) => {
    if (!memo.has(node.id)) for (const n of newNodes([node], (k) => memo.has(k.id))) memo.set(n.id, compute(n, of));
    return of(node);
  };
}

/** Which nodes hold one value per row: the data leaves, and whatever reads one (but sums over the rows). */
export function rowwiseOf(): (node: Node) => boolean {
  return memoized((node, rowwise) => {
    const def = opDef(node.op);
    if (def.kind === "rows") return def.result === "rowwise";
    return node.op === "input" || node.op === "dropout_mask" || node.inputs.some(rowwise);
  });
}

/** Rules for Σ_b of a gradient, in order: each splits a term or reduces it, or passes. */
type SumRule = (g: Node, sign: 1 | -1, helps: (n: Node) => boolean, rowwise: (n: Node) => boolean, graph: Graph) => { sign: 1 | -1; node: Node }[] | Term | undefined;

const flip = (sign: 1 | -1): 1 | -1 => (sign === 1 ? -1 : 1);

const SUM_RULES: { name: string; apply: SumRule }[] = [
  // Σ_b p = n p for a parameter-only p
  { name: "parameter-only", apply: (g, sign, _h, rowwise, graph) => (rowwise(g) ? undefined : { sign, node: graph.mul(graph.node("batch_size", []), g) }) },
  // Σ_b (a + b) = Σ_b a + Σ_b b ; Σ_b (a − b) = Σ_b a − Σ_b b ; Σ_b −a = −Σ_b a   (where a part gains from it)
  {
    name: "linear",
    apply: (g, sign, helps) => {
      if (!helps(g)) return undefined;
      if (g.op === "add") return g.inputs.map((node) => ({ sign, node }));
      if (g.op === "sub") return [{ sign, node: g.inputs[0]! }, { sign: flip(sign), node: g.inputs[1]! }];
      if (g.op === "neg") return [{ sign: flip(sign), node: g.inputs[0]! }];
      return undefined;
    },
  },
  // The op's own rule (an outer product: Σ_b u_b ⊗ v_b = Uᵀ V, one matrix product)
  {
    name: "op's own sum",
    apply: (g, sign, _h, rowwise, graph) => {
      const def = opDef(g.op);
      const node = def.kind === "structural" || def.kind === "indexmap" ? def.batchSum?.(g, rowwise, graph) : undefined;
      return node ? { sign, node } : undefined;
    },
  },
  // Σ_b x_b otherwise
  { name: "rows", apply: (g, sign, _h, _r, graph) => ({ sign, node: graph.node("sum_rows", [g]) }) },
];

export function batch(derived: Derived): Batched {
  const { model } = derived;
  const graph = model.graph;
  const rowwise = rowwiseOf();
  const names = new Map(derived.names);
  const mapped = new Map<number, Node>();
  const grads = model.params.map((p) => derived.grads.get(p.name)!);
  for (const node of topoOrder([derived.predict, derived.trainOutput, derived.inferLoss, derived.trainLoss, ...grads])) {
    const inputs = node.inputs.map((i) => mapped.get(i.id)!);
    const def = opDef(node.op);
    const at = graph.at(node.origin, node.role);
    const rule = def.kind === "structural" ? def.batch : undefined;
    let result = rule?.(node, inputs, rowwise, at);
    if (!result) result = inputs.every((n, i) => n === node.inputs[i]) ? node : at.node(node.op, inputs, node.attrs);
    const name = names.get(node.id);
    if (name !== undefined && result !== node) {
      giveName(names, result, name);
      // A rule that returns a view (a reshape of a product) names what is stored under it too.
      for (let seen = result; seen.op === "reshape"; seen = seen.inputs[0]!) giveName(names, seen.inputs[0]!, name);
    }
    mapped.set(node.id, result);
  }
  const get = (n: Node) => mapped.get(n.id)!;

  // Split a sum only where a piece gains from it (an op with a sum rule of its own, or a parameter-only part).
  const ownSum = (g: Node) => {
    const def = opDef(g.op);
    return (def.kind === "structural" || def.kind === "indexmap") && def.batchSum !== undefined && rowwise(g) && g.inputs.every(rowwise);
  };
  const helps = memoized((g, helps) => !rowwise(g) || ownSum(g) || ((g.op === "add" || g.op === "sub" || g.op === "neg") && g.inputs.some(helps)));
  const termsOf = (root: Node): Term[] => {
    const terms: Term[] = [];
    // A worklist in order (no recursion on the depth of a long sum).
    const work: { sign: 1 | -1; node: Node }[] = [{ sign: 1, node: root }];
    while (work.length > 0) {
      const { sign, node } = work.shift()!;
      for (const rule of SUM_RULES) {
        const out = rule.apply(node, sign, helps, rowwise, graph.at(node.origin, "gradient"));
        if (out === undefined) continue;
        if (Array.isArray(out)) work.unshift(...out);
        else terms.push(out);
        break;
      }
    }
    return terms;
  };
  const sumRows = (loss: Node) => graph.at(loss.origin, loss.role).node("sum_rows", [loss]);
  return {
    derived,
    rowwise,
    predict: get(derived.predict),
    trainOutput: get(derived.trainOutput),
    inferLoss: sumRows(get(derived.inferLoss)),
    trainLoss: sumRows(get(derived.trainLoss)),
    grads: new Map(model.params.map((p) => [p.name, termsOf(get(derived.grads.get(p.name)!))])),
    names,
  };
}

// Linear algebra: matrix @ vector (and its transpose), outer product, class index to one-hot.
// Their derivative rules are each other: d(W x) gives outer(g, x) for W and Wᵀ g for x.
//
//   matvec   W[m, k] @ x[k]  -> [m]       vjp: W̄ = g ⊗ x,  x̄ = Wᵀ g
//   matvec_t Wᵀ @ v, W[m, k], v[m] -> [k] vjp: W̄ = v ⊗ g,  v̄ = W g
//   outer    a[m] ⊗ b[k]     -> [m, k]    vjp: ā = G b,    b̄ = Gᵀ a

import { type Stmt, assign, binary, cond, compare, decl, num, sum, v } from "../ir/code.js";
import { type Node, type Shape, ShapeError, shapeText, sizeOf } from "../ir/node.js";
import { forEachIndex, ix } from "./loops.js";
import type { Index, IndexMapOp, LowerContext, StructuralOp } from "./op-def.js";

function matvecShape(transposed: boolean) {
  return ([w, x]: readonly Shape[]): Shape => {
    const op = transposed ? "ᵀ@" : "@";
    if (w!.length !== 2 || x!.length !== 1) {
      throw new ShapeError(`'${op}' needs a matrix and a vector, got ${shapeText(w!)} ${op} ${shapeText(x!)}`);
    }
    const [m, k] = w as [number, number];
    const inner = transposed ? m : k;
    if (x![0] !== inner) {
      throw new ShapeError(
        `shape mismatch in '@': ${shapeText(w!)} ${op} ${shapeText(x!)}: inner sizes ${inner} and ${x![0]} differ`,
      );
    }
    return [transposed ? k : m];
  };
}

/**
 * W x or Wᵀ v unrolled: each of the `outputs` elements one sum of `inner` products, W read at
 * `at(output, r)` and the vector at r. (As loops the two differ: Wᵀ v runs row by row, so that W
 * is read in memory order.)
 */
function unrolledProducts(ctx: LowerContext, outputs: number, inner: number, at: (output: Index, r: number) => Index[]): Stmt[] {
  return forEachIndex(ctx, [outputs], ([o]) => [ctx.define([o!], sum(Array.from({ length: inner }, (_, r) => binary("*", ctx.elem(0, at(o!, r)), ctx.elem(1, [r])))))]);
}

export const matvec: StructuralOp = {
  name: "matvec",
  kind: "structural",
  shape: matvecShape(false),
  evaluate: ([w, x], _a, [ws]) => {
    const [m, k] = ws as [number, number];
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += w![i * k + j]! * x![j]!;
      out[i] = s;
    }
    return out;
  },
  flops: ([ws]) => 2 * sizeOf(ws!),
  vjp: (g, node, graph) => {
    const [w, x] = node.inputs as [typeof node, typeof node];
    return [graph.outer(g, x), graph.matvecT(w, g)];
  },
  math: ([w, x]) => `${w} ${x}`,
  lower: (ctx) => {
    const [m, k] = ctx.inputShapes[0] as [number, number];
    if (ctx.unrolled) return unrolledProducts(ctx, m, k, (i, j) => [i, j]);
    const [i, j, s] = [ctx.fresh("i"), ctx.fresh("j"), ctx.fresh("s")];
    return [
      {
        k: "for",
        v: i,
        from: num(0),
        to: num(m),
        step: 1,
        body: [
          decl("let", s, num(0)),
          { k: "for", v: j, from: num(0), to: num(k), step: 1, body: [assign(s, "+=", binary("*", ctx.elem(0, [v(i), v(j)]), ctx.elem(1, [v(j)])))] },
          ctx.define([v(i)], v(s)),
        ],
      },
    ];
  },
  // Over a minibatch, W x for every row x (W the same for all rows) is one matrix product X Wᵀ.
  batch: (node, [w, x], rowwise, graph) => (!rowwise(w!) && rowwise(x!) ? graph.node("matmul_nt", [x!, w!]) : undefined),
};

export const matvecT: StructuralOp = {
  name: "matvec_t",
  kind: "structural",
  shape: matvecShape(true),
  evaluate: ([w, v], _a, [ws]) => {
    const [m, k] = ws as [number, number];
    const out = new Float64Array(k);
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) out[j]! += w![i * k + j]! * v![i]!;
    return out;
  },
  flops: ([ws]) => 2 * sizeOf(ws!),
  vjp: (g, node, graph) => {
    const [w, v] = node.inputs as [typeof node, typeof node];
    return [graph.outer(v, g), graph.matvec(w, g)];
  },
  math: ([w, v]) => `${w}ᵀ ${v}`,
  lower: (ctx) => {
    const [m, k] = ctx.inputShapes[0] as [number, number];
    if (ctx.unrolled) return unrolledProducts(ctx, k, m, (j, i) => [i, j]);
    // Row by row, so W is read in memory order.
    const [i, j, r] = [ctx.fresh("i"), ctx.fresh("j"), ctx.fresh("v")];
    return [
      { k: "for", v: j, from: num(0), to: num(k), step: 1, body: [ctx.store([v(j)], "=", num(0))] },
      {
        k: "for",
        v: i,
        from: num(0),
        to: num(m),
        step: 1,
        body: [
          decl("const", r, ctx.elem(1, [v(i)])),
          { k: "for", v: j, from: num(0), to: num(k), step: 1, body: [ctx.store([v(j)], "+=", binary("*", ctx.elem(0, [v(i), v(j)]), v(r)))] },
        ],
      },
    ];
  },
  // Over a minibatch, Wᵀ δ for every row δ is one matrix product Δ W.
  batch: (node, [w, d], rowwise, graph) => (!rowwise(w!) && rowwise(d!) ? graph.node("matmul_nn", [d!, w!]) : undefined),
};

export const outer: IndexMapOp = {
  name: "outer",
  kind: "indexmap",
  shape: ([a, b]) => {
    if (a!.length !== 1 || b!.length !== 1) throw new ShapeError(`outer product needs two vectors, got ${shapeText(a!)} and ${shapeText(b!)}`);
    return [a![0]!, b![0]!];
  },
  evaluate: ([a, b]) => {
    const out = new Float64Array(a!.length * b!.length);
    for (let i = 0; i < a!.length; i++) for (let j = 0; j < b!.length; j++) out[i * b!.length + j] = a![i]! * b![j]!;
    return out;
  },
  element: ([i, j], elem) => binary("*", elem(0, [i!]), elem(1, [j!])),
  // Σ_b u_b ⊗ v_b over a minibatch = Uᵀ V, one matrix product.
  batchSum: (node, rowwise, graph) => {
    const [u, w] = node.inputs as [Node, Node];
    return rowwise(u) && rowwise(w) ? graph.node("matmul_tn", [u, w]) : undefined;
  },
  readsOnce: [false, false],
  vjp: (g, node, graph) => {
    const [a, b] = node.inputs as [typeof node, typeof node];
    return [graph.matvec(g, b), graph.matvecT(g, a)];
  },
  math: ([a, b]) => `${a} ⊗ ${b}`,
};

/** onehot(k; n): the class index k (a [1] tensor) as a one-hot vector [n]. Not differentiable in k. */
export const onehot: IndexMapOp = {
  name: "onehot",
  kind: "indexmap",
  shape: ([k], attrs) => {
    if (k!.length !== 1 || k![0] !== 1) throw new ShapeError(`a class index must have shape [1], got ${shapeText(k!)}`);
    return [Number(attrs["n"])];
  },
  evaluate: ([k], attrs) => {
    const out = new Float64Array(Number(attrs["n"]));
    const i = k![0]!;
    if (Number.isInteger(i) && i >= 0 && i < out.length) out[i] = 1;
    return out;
  },
  element: ([i], elem) => cond(compare("===", elem(0, [0]), ix(i!)), num(1), num(0)),
  readsOnce: [false],
  vjp: () => [null],
  math: ([k]) => `onehot(${k})`,
};

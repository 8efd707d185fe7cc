// Ops of batched kernels (passes/batch.ts makes them): they work across the rows of a
// minibatch, so the matrix-vector products of one sample become matrix-matrix products of a
// batch, and gradients sum over its rows. Shapes are per row, as everywhere in the graph.
//
//   matmul_nt  X[k] rows, W[m, k]   -> [m] rows   X Wᵀ      (W x for every row x)
//   matmul_nn  Δ[m] rows, W[m, k]   -> [k] rows   Δ W       (Wᵀ δ for every row δ)
//   matmul_tn  U[m] rows, V[k] rows -> [m, k]     Uᵀ V      (Σ_b u_b ⊗ v_b: a weight gradient)
//   (a rowwise operand may be a matrix [R, k] per sample: R more rows of the same product, as
//   the patches of an image are for a convolution)
//   sum_rows   X[…] rows            -> […]        Σ_b x_b   (a bias gradient, the batch's loss)
//   batch_size                      -> []         n, the kernel's row count

import { type Shape, ShapeError, shapeText, sizeOf } from "../ir/node.js";
import { forEachIndex } from "./loops.js";
import { gemmLoops, gemmTN } from "./gemm.js";
import type { Gemm, LeafOp, RowsLowerContext, RowsOp, Vjp } from "./op-def.js";

const notDifferentiated: Vjp = (_g, node) => {
  throw new Error(`internal: '${node.op}' belongs to batched kernels and is never differentiated`);
};

function productShape(name: string, transposed: boolean) {
  return ([x, w]: readonly Shape[]): Shape => {
    const inner = transposed ? w![0] : w![1];
    if (w!.length !== 2 || (x!.length !== 1 && x!.length !== 2) || x![x!.length - 1] !== inner) throw new ShapeError(`${name}: cannot multiply rows ${shapeText(x!)} by ${shapeText(w!)}`);
    const out = transposed ? w![1]! : w![0]!;
    return x!.length === 2 ? [x![0]!, out] : [out];
  };
}

/** The product as data: C = ctx.out, A and B the operands; m × k the weight's shape (nt, nn) or the result's (tn). */
function product(kind: Gemm["kind"], ctx: RowsLowerContext): Gemm {
  const [m, k] = (kind === "tn" ? ctx.shape : ctx.inputShapes[1]) as [number, number];
  return { kind, C: ctx.out, A: ctx.matrix(0), B: ctx.matrix(1), rows: ctx.rowsOf(0), m, k, op: ctx.op };
}

/** A product of every row of the batch with a weight matrix W [m, k]: X Wᵀ (`kind` nt) or Δ W (nn). */
function rowsTimesMatrix(name: string, kind: "nt" | "nn", math: RowsOp["math"]): RowsOp {
  return {
    name,
    kind: "rows",
    result: "rowwise",
    placement: "function",
    shape: productShape(name, kind === "nn"),
    flops: ([x, w]) => 2 * sizeOf(w!) * (x!.length === 2 ? x![0]! : 1),
    vjp: notDifferentiated,
    math,
    product: (ctx) => product(kind, ctx),
    lower: (ctx) => gemmLoops(ctx.fresh, product(kind, ctx)),
  };
}

export const matmulNT = rowsTimesMatrix("matmul_nt", "nt", ([x, w]) => `${w} ${x}`);
export const matmulNN = rowsTimesMatrix("matmul_nn", "nn", ([d, w]) => `${w}ᵀ ${d}`);

export const matmulTN: RowsOp = {
  name: "matmul_tn",
  kind: "rows",
  result: "reduced",
  placement: "function",
  outerProductSum: true,
  shape: ([u, w]) => {
    const sameRows = u!.length === w!.length && (u!.length === 1 || u![0] === w![0]);
    if ((u!.length !== 1 && u!.length !== 2) || !sameRows) throw new ShapeError(`matmul_tn: needs rows of two vectors (or matrices with as many rows), got ${shapeText(u!)} and ${shapeText(w!)}`);
    return [u![u!.length - 1]!, w![w!.length - 1]!];
  },
  flops: ([u, w]) => (2 * sizeOf(u!) * sizeOf(w!)) / (u!.length === 2 ? u![0]! : 1),
  vjp: notDifferentiated,
  math: ([u, w]) => `Σ_b ${u} ⊗ ${w}`,
  // With a sink (a fused training step's update), the loops hand each sum to it: not a product as data.
  product: (ctx) => (ctx.sink ? undefined : product("tn", ctx)),
  lower: (ctx) => {
    const [m, k] = ctx.shape as [number, number];
    return gemmTN(ctx.fresh, ctx.out, ctx.matrix(0), ctx.matrix(1), ctx.rowsOf(0), m, k, ctx.op, ctx.sink);
  },
};

export const sumRows: RowsOp = {
  name: "sum_rows",
  kind: "rows",
  result: "reduced",
  placement: "row loop",
  shape: ([x]) => x!,
  flops: ([x]) => sizeOf(x!),
  vjp: notDifferentiated,
  math: ([x]) => `Σ_b ${x}`,
  lower: (ctx) => forEachIndex(ctx, ctx.shape, (index) => [ctx.accumulate(index, ctx.elem(0, index))]),
};

export const batchSize: LeafOp = {
  name: "batch_size",
  kind: "leaf",
  shape: () => [],
  evaluate: () => {
    throw new Error("internal: batch_size has a value only inside batched kernels");
  },
  vjp: () => [],
  math: () => "n",
};

export const rowsOps = [matmulNT, matmulNN, matmulTN, sumRows];

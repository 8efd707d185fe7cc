// Matrix-matrix kernels for batched code, in the loop language with literal bounds: each
// output tile of RA × RB elements lives in local accumulators (registers) while the shared
// dimension is swept once, so every load feeds several multiply-adds. The row count `n` of the
// batch is a runtime value; remainders of literal dimensions are unrolled at compile time.
//
//   nt:  C[b, i]  = Σ_j A[b, j] B[i, j]   (forward W x over a batch: A = X, B = W)
//   nn:  C[b, j]  = Σ_i A[b, i] B[i, j]   (Wᵀ δ over a batch: A = Δ, B = W)
//   tn:  C[i, j] += Σ_b A[b, i] B[b, j]   (weight gradient Σ_b δ_b x_bᵀ: A = Δ, B = X)

import { type AssignOp, type Expr, type Stmt, assign, binary, decl, indexAdd, indexMul, load, num, v } from "../ir/code.js";
import type { MatrixRef } from "./op-def.js";

/** Tile sizes, measured on Node 20 (bench/gemm-tiles.ts): larger tiles spill registers. */
export const TILE = { nt: [2, 4], nn: [2, 4], tn: [4, 4] } as const;

type Fresh = (hint: string) => string;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** `v + q` (a row or column index). */
const shifted = (name: string, q: number): Expr => indexAdd(v(name), q);

/** Element offset of (row `r + q`, column c) in M. */
function at(M: MatrixRef, r: string, q: number, c: Expr): Expr {
  return indexAdd(indexAdd(M.base, indexMul(shifted(r, q), M.stride)), c);
}

/**
 * Blocks of `step` over [0, count): the main loop, then the remainder one at a time.
 * `count` is a literal (remainder known now) or a runtime expression (remainder loop always emitted).
 */
function blocked(name: string, count: number | Expr, step: number, body: (width: number) => Stmt[]): Stmt[] {
  if (typeof count === "number") {
    const main = Math.floor(count / step) * step;
    const out: Stmt[] = [];
    if (main > 0) out.push({ k: "for", v: name, from: num(0), to: num(main), step, body: body(step) });
    if (count > main) out.push({ k: "for", v: name, from: num(main), to: num(count), step: 1, body: body(1) });
    return out;
  }
  return [
    decl("let", name, num(0)),
    { k: "for", v: name, to: count, step, whole: true, body: body(step) },
    { k: "for", v: name, to: count, step: 1, body: body(1) },
  ];
}

/**
 * One tile: accumulators c[a][b] = Σ_k left(a, k) · right(b, k) over k < depth; `rowA(a)`/`rowB(b)`
 * are hoisted row offsets; `store(a, b, acc)` writes each result.
 */
function tile(
  fresh: Fresh,
  wa: number,
  wb: number,
  depth: number | Expr,
  rowA: (a: number) => Expr,
  readA: (row: string, k: string) => Expr,
  rowB: (b: number) => Expr,
  readB: (row: string, k: string) => Expr,
  store: (a: number, b: number, acc: string) => Stmt | Stmt[],
): Stmt[] {
  const k = fresh("k");
  const ra = range(wa).map(() => fresh("ra"));
  const rb = range(wb).map(() => fresh("rb"));
  const c = range(wa).map(() => range(wb).map(() => fresh("acc")));
  const xa = range(wa).map(() => fresh("a"));
  const xb = range(wb).map(() => fresh("b"));
  return [
    ...ra.map((r, a) => decl("const", r, rowA(a))),
    ...rb.map((r, b) => decl("const", r, rowB(b))),
    ...c.flat().map((name) => decl("let", name, num(0))),
    {
      k: "for",
      v: k,
      from: num(0),
      to: typeof depth === "number" ? num(depth) : depth,
      step: 1,
      body: [
        ...ra.map((r, a) => decl("const", xa[a]!, readA(r, k))),
        ...rb.map((r, b) => decl("const", xb[b]!, readB(r, k))),
        ...range(wa).flatMap((a) => range(wb).map((b) => assign(c[a]![b]!, "+=", binary("*", v(xa[a]!), v(xb[b]!))))),
      ],
    },
    ...range(wa).flatMap((a) => range(wb).flatMap((b) => store(a, b, c[a]![b]!))),
  ];
}

const element = (M: MatrixRef, index: Expr) => load(M.array, index);

/** C[b, i] = Σ_j A[b, j] B[i, j] for b < rows, i < m, j < k. */
export function gemmNT(fresh: Fresh, C: MatrixRef, A: MatrixRef, B: MatrixRef, rows: Expr, m: number, k: number, op: AssignOp = "="): Stmt[] {
  const [tb, ti] = TILE.nt;
  const i = fresh("i");
  const b = fresh("b");
  return blocked(i, m, ti, (wi) =>
    blocked(b, rows, tb, (wb) =>
      tile(
        fresh,
        wb,
        wi,
        k,
        (q) => at(A, b, q, num(0)),
        (r, kk) => element(A, indexAdd(v(r), v(kk))),
        (q) => at(B, i, q, num(0)),
        (r, kk) => element(B, indexAdd(v(r), v(kk))),
        (q, r, acc) => ({ k: "store", array: C.array, index: at(C, b, q, shifted(i, r)), op, value: v(acc) }),
      ),
    ),
  );
}

/** C[b, j] = Σ_i A[b, i] B[i, j] for b < rows, j < k, i < m. */
export function gemmNN(fresh: Fresh, C: MatrixRef, A: MatrixRef, B: MatrixRef, rows: Expr, m: number, k: number, op: AssignOp = "="): Stmt[] {
  const [tb, tj] = TILE.nn;
  const j = fresh("j");
  const b = fresh("b");
  return blocked(j, k, tj, (wj) =>
    blocked(b, rows, tb, (wb) =>
      tile(
        fresh,
        wb,
        wj,
        m,
        (q) => at(A, b, q, num(0)),
        (r, kk) => element(A, indexAdd(v(r), v(kk))),
        (q) => indexAdd(B.base, shifted(j, q)),
        (r, kk) => element(B, indexAdd(v(r), indexMul(v(kk), B.stride))),
        (q, r, acc) => ({ k: "store", array: C.array, index: at(C, b, q, shifted(j, r)), op, value: v(acc) }),
      ),
    ),
  );
}

/**
 * C[i, j] op Σ_b A[b, i] B[b, j] for i < m, j < k, b < rows; or, given `sink`, its statements for
 * each finished sum (a fused training step updates the parameter at C's index right there).
 */
export function gemmTN(
  fresh: Fresh,
  C: MatrixRef,
  A: MatrixRef,
  B: MatrixRef,
  rows: Expr,
  m: number,
  k: number,
  op: AssignOp = "+=",
  sink?: (index: Expr, sum: Expr) => Stmt[],
): Stmt[] {
  const [ti, tj] = TILE.tn;
  const i = fresh("i");
  const j = fresh("j");
  return blocked(i, m, ti, (wi) =>
    blocked(j, k, tj, (wj) =>
      tile(
        fresh,
        wi,
        wj,
        rows,
        (q) => indexAdd(A.base, shifted(i, q)),
        (r, kk) => element(A, indexAdd(v(r), indexMul(v(kk), A.stride))),
        (q) => indexAdd(B.base, shifted(j, q)),
        (r, kk) => element(B, indexAdd(v(r), indexMul(v(kk), B.stride))),
        (q, r, acc) => (sink ? sink(at(C, i, q, shifted(j, r)), v(acc)) : { k: "store", array: C.array, index: at(C, i, q, shifted(j, r)), op, value: v(acc) }),
      ),
    ),
  );
}

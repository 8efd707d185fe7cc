// Matrix-matrix kernels for batched code, as source text with literal bounds: each output
// tile of RA × RB elements lives in local accumulators (registers) while the shared dimension
// is swept once, so every load feeds several multiply-adds. The row count `n` of the batch is
// a runtime value; remainders of literal dimensions are unrolled at compile time.
//
//   nt:  C[b, i]  = Σ_j A[b, j] B[i, j]   (forward W x over a batch: A = X, B = W)
//   nn:  C[b, j]  = Σ_i A[b, i] B[i, j]   (Wᵀ δ over a batch: A = Δ, B = W)
//   tn:  C[i, j] += Σ_b A[b, i] B[b, j]   (weight gradient Σ_b δ_b x_bᵀ: A = Δ, B = X)

/** A row-major matrix view: element (r, c) is `array[base + r * stride + c]`. */
export interface MatrixRef {
  array: string;
  base: number | string;
  stride: number;
}

/** Tile sizes, measured on Node 20 (bench/gemm-tiles.ts): larger tiles spill registers. */
export const TILE = { nt: [2, 4], nn: [2, 4], tn: [4, 4] } as const;

type Fresh = (hint: string) => string;

function add(a: number | string, b: number | string): number | string {
  if (typeof a === "number" && typeof b === "number") return a + b;
  if (a === 0) return b;
  if (b === 0) return a;
  return `${a} + ${b}`;
}

function mul(v: string, k: number): string {
  return k === 1 ? v : `${v} * ${k}`;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** `v + q` as an operand of `*` (parenthesized when q ≠ 0). */
function shifted(v: string, q: number): string {
  return q === 0 ? v : `(${v} + ${q})`;
}

/** Element offset of (row v + q, column c) in M. */
function at(M: MatrixRef, v: string, q: number, c: number | string): number | string {
  return add(add(M.base, mul(shifted(v, q), M.stride)), c);
}

function col(v: string, q: number): string {
  return q === 0 ? v : `${v} + ${q}`;
}

/**
 * Blocks of `step` over [0, count): the main loop, then the remainder one at a time.
 * `count` is a literal (remainder known now) or a runtime name (remainder loop always emitted).
 */
function blocked(v: string, count: number | string, step: number, body: (width: number) => string[]): string[] {
  const indent = (ls: string[]) => ls.map((l) => `  ${l}`);
  if (typeof count === "number") {
    const main = Math.floor(count / step) * step;
    const out: string[] = [];
    if (main > 0) out.push(`for (let ${v} = 0; ${v} < ${main}; ${v} += ${step}) {`, ...indent(body(step)), `}`);
    if (count > main) out.push(`for (let ${v} = ${main}; ${v} < ${count}; ${v}++) {`, ...indent(body(1)), `}`);
    return out;
  }
  return [
    `let ${v} = 0;`,
    `for (; ${v} + ${step - 1} < ${count}; ${v} += ${step}) {`,
    ...indent(body(step)),
    `}`,
    `for (; ${v} < ${count}; ${v}++) {`,
    ...indent(body(1)),
    `}`,
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
  depth: number | string,
  rowA: (a: number) => string,
  readA: (row: string, k: string) => string,
  rowB: (b: number) => string,
  readB: (row: string, k: string) => string,
  store: (a: number, b: number, acc: string) => string,
): string[] {
  const k = fresh("k");
  const ra = range(wa).map(() => fresh("ra"));
  const rb = range(wb).map(() => fresh("rb"));
  const c = range(wa).map(() => range(wb).map(() => fresh("c")));
  const xa = range(wa).map(() => fresh("a"));
  const xb = range(wb).map(() => fresh("b"));
  return [
    ...ra.map((r, a) => `const ${r} = ${rowA(a)};`),
    ...rb.map((r, b) => `const ${r} = ${rowB(b)};`),
    `let ${c.flat().join(" = 0, ")} = 0;`,
    `for (let ${k} = 0; ${k} < ${depth}; ${k}++) {`,
    ...ra.map((r, a) => `  const ${xa[a]} = ${readA(r, k)};`),
    ...rb.map((r, b) => `  const ${xb[b]} = ${readB(r, k)};`),
    ...range(wa).flatMap((a) => range(wb).map((b) => `  ${c[a]![b]} += ${xa[a]} * ${xb[b]};`)),
    `}`,
    ...range(wa).flatMap((a) => range(wb).map((b) => store(a, b, c[a]![b]!))),
  ];
}

/** C[b, i] = Σ_j A[b, j] B[i, j] for b < rows, i < m, j < k. */
export function gemmNT(fresh: Fresh, C: MatrixRef, A: MatrixRef, B: MatrixRef, rows: string, m: number, k: number): string[] {
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
        (q) => `${at(A, b, q, 0)}`,
        (r, kk) => `${A.array}[${r} + ${kk}]`,
        (q) => `${at(B, i, q, 0)}`,
        (r, kk) => `${B.array}[${r} + ${kk}]`,
        (q, r, acc) => `${C.array}[${at(C, b, q, col(i, r))}] = ${acc};`,
      ),
    ),
  );
}

/** C[b, j] = Σ_i A[b, i] B[i, j] for b < rows, j < k, i < m. */
export function gemmNN(fresh: Fresh, C: MatrixRef, A: MatrixRef, B: MatrixRef, rows: string, m: number, k: number): string[] {
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
        (q) => `${at(A, b, q, 0)}`,
        (r, kk) => `${A.array}[${r} + ${kk}]`,
        (q) => `${add(B.base, col(j, q))}`,
        (r, kk) => `${B.array}[${r} + ${mul(kk, B.stride)}]`,
        (q, r, acc) => `${C.array}[${at(C, b, q, col(j, r))}] = ${acc};`,
      ),
    ),
  );
}

/** C[i, j] += Σ_b A[b, i] B[b, j] for i < m, j < k, b < rows (`-=` with op). */
export function gemmTN(fresh: Fresh, C: MatrixRef, A: MatrixRef, B: MatrixRef, rows: string, m: number, k: number, op: "+=" | "-=" = "+="): string[] {
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
        (q) => `${add(A.base, col(i, q))}`,
        (r, kk) => `${A.array}[${r} + ${mul(kk, A.stride)}]`,
        (q) => `${add(B.base, col(j, q))}`,
        (r, kk) => `${B.array}[${r} + ${mul(kk, B.stride)}]`,
        (q, r, acc) => `${C.array}[${at(C, i, q, col(j, r))}] ${op} ${acc};`,
      ),
    ),
  );
}

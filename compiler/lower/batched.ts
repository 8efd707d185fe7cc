// Batched lowering: one function over rows [0, n) of a minibatch. Every data-dependent node
// gets a leading batch dimension (a scratch slice of maxBatch rows), parameter-only nodes are
// computed once. `W @ x` over the batch is a matrix-matrix product (gemm.ts), so is `Wᵀ δ`;
// the gradient sinks sum over the batch: Σ_b δ_b x_bᵀ is one more matrix-matrix product,
// bias-like terms are summed row by row, and parameter-only terms are scaled by n.
// Everything else runs row by row (`for (let b = 0; b < n; b++)`), grouped between products.
//
//   dW_h = outer(dz_h, x)  ->  for (i, j tiles) { c += dz[b, i] x[b, j] over b } g[…] += c

import { type Names, type Node, sizeOf, topoOrder } from "../ir/node.js";
import { type Block, type DataBinding, type Sink, computeOrder, nodeLowerer, renderBlocks } from "./function.js";
import { commentText } from "./comments.js";
import { type MatrixRef, gemmNN, gemmNT, gemmTN } from "./gemm.js";
import { planStorage } from "./plan.js";

export interface BatchedSinks {
  /** Store each row's output at out[b * size …]. */
  predict?: { node: Node; comment: string };
  /** Return Σ_b loss_b. */
  loss?: Node;
  /** Add Σ_b ∂loss_b/∂param into g at the param's offset. */
  grads?: { node: Node; offset: number; comment: string }[];
}

export interface BatchedNames {
  params: { array: string; offsets: ReadonlyMap<string, number> };
  input: { array: string; size: number };
  target: { array: string; size: number };
  out: string;
  grad: string;
  rng?: string;
  scratch: string;
  /** The runtime row count. */
  rows: string;
  /** The kernel's name and parameter list: each matrix-matrix product becomes a function of its
   * own with the same parameters (`gradRows_1(p, X, Y, n, g, rng)`), which V8 optimizes alone. */
  kernel: { name: string; params: readonly (readonly [string, string])[] };
}

export interface LoweredBatched {
  lines: string[];
  /** Helper functions (the products), as complete declarations. */
  helpers: string[];
  scratchSize: number;
}

type Term =
  | { kind: "param" | "rows"; sign: 1 | -1; node: Node; offset: number; comment: string }
  | { kind: "tn"; sign: 1 | -1; u: Node; v: Node; offset: number; comment: string };

/** Rows of elements small enough to unroll inside the row loop. */
const ROW_UNROLL_ELEMENTS = 16;

export function lowerBatched(sinks: BatchedSinks, names: BatchedNames, maxBatch: number, file: string, valueNames: Names): LoweredBatched {
  const batchedMemo = new Map<number, boolean>();
  const batched = (node: Node): boolean => {
    let r = batchedMemo.get(node.id);
    if (r === undefined) {
      r = node.op === "input" || node.op === "dropout_mask" || node.inputs.some(batched);
      batchedMemo.set(node.id, r);
    }
    return r;
  };

  // Gradient sinks: Σ_b distributes over +, −; outer products of two batched vectors are products.
  const terms: Term[] = [];
  // Split a sum only where a piece gains from it (a product or a parameter-only part).
  const specialMemo = new Map<number, boolean>();
  const special = (g: Node): boolean => {
    let r = specialMemo.get(g.id);
    if (r === undefined) {
      r =
        !batched(g) ||
        (g.op === "outer" && batched(g.inputs[0]!) && batched(g.inputs[1]!)) ||
        ((g.op === "add" || g.op === "sub" || g.op === "neg") && g.inputs.some(special));
      specialMemo.set(g.id, r);
    }
    return r;
  };
  const decompose = (g: Node, sign: 1 | -1, offset: number, comment: string): void => {
    if (!special(g)) terms.push({ kind: "rows", sign, node: g, offset, comment });
    else if (!batched(g)) terms.push({ kind: "param", sign, node: g, offset, comment });
    else if (g.op === "add") g.inputs.forEach((x) => decompose(x, sign, offset, comment));
    else if (g.op === "sub") {
      decompose(g.inputs[0]!, sign, offset, comment);
      decompose(g.inputs[1]!, sign === 1 ? -1 : 1, offset, comment);
    } else if (g.op === "neg") decompose(g.inputs[0]!, sign === 1 ? -1 : 1, offset, comment);
    else if (g.op === "outer" && batched(g.inputs[0]!) && batched(g.inputs[1]!)) {
      terms.push({ kind: "tn", sign, u: g.inputs[0]!, v: g.inputs[1]!, offset, comment });
    } else terms.push({ kind: "rows", sign, node: g, offset, comment });
  };
  for (const g of sinks.grads ?? []) decompose(g.node, 1, g.offset, g.comment);

  const roots: Node[] = [];
  if (sinks.predict) roots.push(sinks.predict.node);
  if (sinks.loss) roots.push(sinks.loss);
  for (const t of terms) roots.push(...(t.kind === "tn" ? [t.u, t.v] : [t.node]));

  // Operands of matrix-matrix products need storage with a row stride.
  const isProduct = (node: Node) => (node.op === "matvec" || node.op === "matvec_t") && !batched(node.inputs[0]!) && batched(node.inputs[1]!);
  const mustStore = new Set<number>();
  for (const node of topoOrder(roots)) if (isProduct(node)) node.inputs.forEach((x) => mustStore.add(x.id));
  for (const t of terms) if (t.kind === "tn") [t.u, t.v].forEach((x) => mustStore.add(x.id));

  const plan = planStorage(roots, { locals: "none", mustStore, rows: (n) => sizeOf(n.shape) * (batched(n) ? maxBatch : 1), names: valueNames });
  const rowNodes = new Set(plan.order.filter(batched).map((n) => n.id));
  const row = "b";
  const binding: DataBinding = {
    input: { array: names.input.array, offset: `${row} * ${names.input.size}` },
    target: { array: names.target.array, offset: `${row} * ${names.target.size}` },
    params: names.params,
    ...(names.rng ? { rng: names.rng } : {}),
    scratch: names.scratch,
    row,
    rowNodes,
  };
  const small = (n: Node) => sizeOf(n.shape) <= ROW_UNROLL_ELEMENTS;
  const L = nodeLowerer(plan, binding, small, file);

  const ref = (node: Node): MatrixRef => {
    const cols = node.shape[node.shape.length - 1] ?? 1;
    if (node.op === "input") {
      const d = node.attrs["role"] === "target" ? names.target : names.input;
      return { array: d.array, base: 0, stride: d.size };
    }
    if (node.op === "param") return { array: names.params.array, base: names.params.offsets.get(String(node.attrs["name"]))!, stride: cols };
    const st = plan.storage.get(node.id)!;
    if (st.kind !== "buffer") throw new Error(`internal: matrix operand ${node.op} has no storage`);
    return { array: names.scratch, base: st.offset, stride: batched(node) ? sizeOf(node.shape) : cols };
  };

  const out: Block[] = [];
  const helpers: string[] = [];
  const signature = names.kernel.params.map(([n, t]) => `${n}: ${t}`).join(", ");
  const args = names.kernel.params.map(([n]) => n).join(", ");
  /** A product as a call to a function of its own. */
  const product = (comment: string, lines: string[]): Block => {
    const name = `${names.kernel.name}_${helpers.length + 1}`;
    helpers.push(`${comment ? `// ${comment}\n` : ""}function ${name}(${signature}): void {\n${lines.map((l) => `  ${l}`).join("\n")}\n}\n`);
    return { comment, lines: [`${name}(${args});`] };
  };
  let rowBlocks: Block[] = [];
  const flushRows = () => {
    if (rowBlocks.length === 0) return;
    const body = renderBlocks(rowBlocks);
    out.push({ comment: "", lines: [`for (let ${row} = 0; ${row} < ${names.rows}; ${row}++) {`, ...body.map((l) => (l === "" ? l : `  ${l}`)), `}`] });
    rowBlocks = [];
  };
  const emitTop = (b: Block) => {
    flushRows();
    out.push(b);
  };

  // Parameter-only values once; dropout masks first, in per-sample order (the same draws as
  // the per-sample kernel); then the rest in dependency order.
  for (const node of plan.order) if (!batched(node)) {
    const r = L.lowerNode(node);
    if (r) emitTop(r.block);
  }
  const order = computeOrder(plan.order);
  for (const node of order) if (node.op === "dropout_mask") rowBlocks.push(L.lowerNode(node)!.block);
  flushRows();
  for (const node of order) {
    if (!batched(node) || node.op === "dropout_mask") continue;
    if (isProduct(node)) {
      const [w, x] = node.inputs as [Node, Node];
      const [m, k] = w.shape as [number, number];
      const C = ref(node);
      const lines = node.op === "matvec" ? gemmNT(L.fresh, C, ref(x), ref(w), names.rows, m, k) : gemmNN(L.fresh, C, ref(x), ref(w), names.rows, m, k);
      emitTop(product(node.origin ? `${commentText(file, node.origin, node.role === "gradient")}  (over the batch)` : "", lines));
      continue;
    }
    const r = L.lowerNode(node);
    if (r) rowBlocks.push(r.block);
  }

  // Sinks.
  const pre: string[] = [];
  if (sinks.predict) {
    const size = sizeOf(sinks.predict.node.shape);
    const s: Sink = { kind: "store", node: sinks.predict.node, array: names.out, offset: `${row} * ${size}`, comment: sinks.predict.comment };
    rowBlocks.push(L.lowerSink(s));
  }
  if (sinks.loss) {
    pre.push(`let total = 0;`);
    rowBlocks.push({ comment: "Σ loss over the batch", lines: [`total += ${L.elem(sinks.loss, [])};`] });
  }
  for (const t of terms) {
    if (t.kind !== "rows") continue;
    rowBlocks.push(L.lowerSink({ kind: "accumulate", node: t.node, array: names.grad, offset: t.offset, comment: t.comment, negate: t.sign === -1 }));
  }
  flushRows();
  for (const t of terms) {
    if (t.kind === "tn") {
      const [m, k] = [sizeOf(t.u.shape), sizeOf(t.v.shape)];
      const C: MatrixRef = { array: names.grad, base: t.offset, stride: k };
      const lines = gemmTN(L.fresh, C, ref(t.u), ref(t.v), names.rows, m, k, t.sign === 1 ? "+=" : "-=");
      emitTop(product(`${t.comment}  (Σ over the batch)`, lines));
    } else if (t.kind === "param") {
      const comment = `${t.comment}  (parameter-only part, × ${names.rows})`;
      emitTop(L.lowerSink({ kind: "accumulate", node: t.node, array: names.grad, offset: t.offset, comment, negate: t.sign === -1, scale: names.rows }));
    }
  }
  const lines = [...pre, ...renderBlocks(out)];
  if (sinks.loss) lines.push("return total;");
  return { lines, helpers, scratchSize: plan.scratchSize };
}

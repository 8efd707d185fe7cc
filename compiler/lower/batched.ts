// Batched kernels: one function over rows [0, n) of a minibatch, from the batched graphs
// (passes/batch.ts). Values with one value per row live in buffers of maxBatch rows; values
// that depend only on parameters are computed once, first. Rows ops placed in functions (the
// matrix products) each become a function of their own over all rows; everything else runs
// row by row (`for (let b = 0; b < n; b++)`), grouped between the products; the gradient's
// sums over the rows are added into g last.
//
//   gradRows(p, X, Y, n, g, rng, out)
//     for (b) mask0[…] = …;   gradRows_1(…)  // Wx_h = X W_hᵀ;   for (b) { z_h[…] = …; … }   …   return total;

import { type Expr, type Stmt, assign, block, callStmt, decl, indexAdd, mapStmtExprs, neg, num, ret, store, v } from "../ir/code.js";
import { type Node, sizeOf, topoOrder } from "../ir/node.js";
import { flatIndex } from "../ops/loops.js";
import type { Gemm, MatrixRef, RowsLowerContext, RowsOp } from "../ops/op-def.js";
import { opDef, viewed } from "../ops/registry.js";
import type { Batched, Term } from "../passes/batch.js";
import { FUNCTION_TOKEN_BUDGET, countTokens } from "./budget.js";
import { gramSquares } from "./gram.js";
import type { Buffers } from "./buffers.js";
import type { Namer } from "./namer.js";
import { type DataBinding, commentOf, computeOrder, nodeLowerer } from "./node-lowering.js";
import { type Plan, planStorage } from "./plan.js";
import { type Fn, type FusedProduct, type KernelHead, type Param, SINK_INDEX, SINK_SUM } from "./program.js";

/** Rows of elements small enough to unroll inside the row loop, and the most work such a row may take. */
const ROW_UNROLL_ELEMENTS = 16;
const ROW_UNROLL_FLOPS = 400;

/** The row variable of every batched kernel. */
export const ROW = "b";

export interface BatchedSinks {
  /** Store each row's output at out[b * size …]. */
  predict?: { node: Node; comment: string };
  /** Return Σ_b loss_b (a sum_rows node). */
  loss?: Node;
  /** Add Σ_b ∂loss_b/∂param into g at the param's offset. */
  grads?: { terms: Term[]; offset: number; comment: string }[];
  /** A fused training step (train-step-batched.ts): some gradients become updates in their products. */
  update?: FusedUpdate;
}

/**
 * How a batched training step turns gradients into updates: entries of `grads` whose one term
 * is a product (Σ_b δ_b x_bᵀ) apply the update in that product, element by element as each sum
 * is finished, so the gradient is never stored; the others are summed into g (a scratch
 * buffer) and updated after. Their norm comes first, from the rows' Gram matrices.
 */
export interface FusedUpdate {
  /** Statements before everything (zeroing the stored gradients). */
  prologue: Stmt[];
  /** Fused entries (by index in `grads`) and the local that receives Σ of squares of their sums. */
  squares: ReadonlyMap<number, string>;
  /** After the stored sums and the squares: the mean, the norm, the guard's test, clipping factors. */
  before: Stmt[];
  /** The guard: the fused products and `after` run only when it holds. */
  test: Expr;
  /** Statements for one finished sum of fused entry `entry`, at parameter index `index`. */
  element(entry: number, index: Expr, sum: Expr): Stmt[];
  /** Inside the guard, after the fused products: the stored gradients' updates. */
  after: Stmt[];
  /** Locals of the kernel that the fused products read (the step's scalars, the optimizer's arrays). */
  locals: readonly Param[];
  /** The local summing the rows' losses, and what the kernel returns (the mean loss). */
  lossSum: string;
  result: Expr;
}


export interface BatchedContext {
  batched: Batched;
  namer: Namer;
  buffers: Buffers;
  file: string;
  maxBatch: number;
  params: { array: string; offsets: ReadonlyMap<string, number> };
  input: { array: string; size: number };
  target: { array: string; size: number };
  out: string;
  grad: string;
  rng: string;
  /** The runtime row count. */
  rows: string;
}

const rowsDef = (node: Node): RowsOp | undefined => {
  const def = opDef(node.op);
  return def.kind === "rows" ? def : undefined;
};

/** One signed part of a parameter's gradient, with its entry in `grads` and where it goes in g. */
type KernelTerm = Term & { entry: number; offset: number; comment: string };

/** A batched kernel as planned: where each value lives, and how its nodes and its rows ops lower. */
interface PlannedKernel {
  c: BatchedContext;
  namer: Namer;
  plan: Plan;
  lowerer: ReturnType<typeof nodeLowerer>;
  terms: KernelTerm[];
  /** The rows in the kernel (the runtime count) and a fresh local. */
  count: Expr;
  fresh(hint: string): string;
  /** An operand of a product as a matrix in memory. */
  matrix(node: Node): MatrixRef;
  /**
   * What a rows op's lowering sees: its operands (matrices in memory, or elements of the current
   * row), where results go, and (a fused update's products) what takes each finished sum.
   */
  rowsContext(node: Node, out: MatrixRef, op: "=" | "+=" | "-=", accumulate: RowsLowerContext["accumulate"], sink?: RowsLowerContext["sink"]): RowsLowerContext;
}

/**
 * The kernel and the functions it calls (one per matrix product), helpers first. `scope`: the
 * kernel's own scope, when the caller has taken names in it already (a training step's). Small
 * rows are unrolled inside the row loops unless that takes the kernel past V8's budget (a deep
 * stack of narrow layers: 8 × 16 units); then every row runs as loops.
 */
export function lowerBatched(sinks: BatchedSinks, kernel: KernelHead, c: BatchedContext, scope?: Namer): Fn[] {
  const namer = scope ?? c.namer.fork();
  const unrolled = lowerBatchedAs(sinks, kernel, c, namer, true);
  if (unrolled[unrolled.length - 1]!.tokens <= FUNCTION_TOKEN_BUDGET) return unrolled;
  return lowerBatchedAs(sinks, kernel, c, namer, false);
}

function lowerBatchedAs(sinks: BatchedSinks, kernel: KernelHead, c: BatchedContext, namer: Namer, unrollRows: boolean): Fn[] {
  const k = planKernel(sinks, kernel, c, namer, unrollRows);
  const body = new KernelBody(kernel, v(c.rows));
  emitForward(k, body);
  emitSinks(k, sinks, body);
  return body.functions();
}

/** What the kernel computes, which values are stored (operands of products in memory), and the lowerers of its nodes and rows ops. */
function planKernel(sinks: BatchedSinks, kernel: KernelHead, c: BatchedContext, namer: Namer, unrollRows: boolean): PlannedKernel {
  const { rowwise } = c.batched;
  const fresh = (hint: string) => namer.fresh(hint);
  const count = v(c.rows);

  // What must be computed: outputs, the losses' rows, and the operands of reduced terms.
  const roots: Node[] = [];
  if (sinks.predict) roots.push(sinks.predict.node);
  if (sinks.loss) roots.push(sinks.loss.inputs[0]!);
  const terms = (sinks.grads ?? []).flatMap((g, entry) => g.terms.map((t) => ({ ...t, entry, offset: g.offset, comment: g.comment })));
  for (const t of terms) roots.push(...(rowsDef(t.node) ? t.node.inputs : [t.node]));

  // Operands of products need storage with a row stride (or are leaves in memory already); a
  // view (a reshape) is stored as what it shows (the same elements in the same order).
  const mustStore = new Set<number>();
  const placedInFunction = (n: Node) => rowsDef(n)?.placement === "function";
  const inMemory = (x: Node) => mustStore.add(viewed(x).id);
  for (const node of topoOrder(roots)) if (placedInFunction(node)) node.inputs.forEach(inMemory);
  for (const t of terms) if (placedInFunction(t.node)) t.node.inputs.forEach(inMemory);

  const plan = planStorage(roots, { locals: "none", mustStore, names: c.batched.names, namer });
  const binding: DataBinding = {
    input: { array: c.input.array, offset: { k: "binary", op: "*", a: v(ROW), b: num(c.input.size) } },
    target: { array: c.target.array, offset: { k: "binary", op: "*", a: v(ROW), b: num(c.target.size) } },
    params: c.params,
    ...(kernel.training ? { rng: c.rng } : {}),
    buffers: c.buffers,
    row: { name: ROW, rowwise, rows: c.maxBatch, count },
  };
  // Unrolled inside the row loop: few elements, and (for an op that reads many per element,
  // such as a sum back over a broadcast) little work.
  const small = (n: Node) => {
    const def = opDef(n.op);
    const work = def.kind === "structural" ? def.flops(n.inputs.map((i) => i.shape), n.shape) : sizeOf(n.shape);
    return unrollRows && sizeOf(n.shape) <= ROW_UNROLL_ELEMENTS && work <= ROW_UNROLL_FLOPS;
  };
  const lowerer = nodeLowerer(plan, binding, small, c.file, fresh);

  /**
   * An operand of a product as a matrix in memory: its rows (for a rowwise operand, every row of
   * the batch, R of them per sample when it is a matrix [R, k] per sample) of `cols` elements.
   */
  const matrix = (node: Node): MatrixRef => {
    const cols = node.shape[node.shape.length - 1] ?? 1;
    const base = viewed(node);
    if (base.op === "input") return { array: base.attrs["role"] === "target" ? c.target.array : c.input.array, base: 0, stride: cols };
    if (base.op === "param") return { array: c.params.array, base: c.params.offsets.get(String(base.attrs["name"]))!, stride: cols };
    if (plan.storage.get(base.id)?.kind !== "buffer") throw new Error(`internal: matrix operand ${base.op} is not in memory`);
    return { array: c.buffers.of(base, rowwise(base) ? c.maxBatch : 1), base: 0, stride: cols };
  };
  /** The rows of an operand over the whole batch: n, or n·R for R rows per sample. */
  const rowsOf = (node: Node): Expr => (node.shape.length === 2 && rowwise(node) ? { k: "binary", op: "*", a: count, b: num(node.shape[0]!) } : count);
  const rowsContext = (node: Node, out: MatrixRef, op: "=" | "+=" | "-=", accumulate: RowsLowerContext["accumulate"], sink?: RowsLowerContext["sink"]): RowsLowerContext => ({
    inputShapes: node.inputs.map((i) => i.shape),
    shape: node.shape,
    unrolled: small(node),
    matrix: (i) => matrix(node.inputs[i]!),
    rowsOf: (i) => rowsOf(node.inputs[i]!),
    out,
    elem: (i, index) => lowerer.elem(node.inputs[i]!, index),
    op,
    accumulate,
    rows: count,
    fresh,
    ...(sink ? { sink } : {}),
  });
  return { c, namer, plan, lowerer, terms, count, fresh, matrix, rowsContext };
}

const noAccumulate = () => {
  throw new Error("internal: accumulate outside a row loop");
};

/**
 * The kernel's statements as they are emitted: blocks at the top level, blocks that run row by
 * row (consecutive ones share one `for (b)` loop), and products in functions of their own.
 */
class KernelBody {
  private readonly top: Stmt[] = [];
  private readonly helpers: Fn[] = [];
  private rowBlocks: Stmt[] = [];
  /** Statements before everything else (a fused update's prologue, the loss total's declaration), and the last one (the return). */
  readonly pre: Stmt[] = [];
  finish: Stmt | undefined;

  constructor(
    private readonly kernel: KernelHead,
    private readonly rows: Expr,
  ) {}

  /** A block that runs for every row. */
  row(s: Stmt): void {
    this.rowBlocks.push(s);
  }

  /** A block that runs once, after the row blocks before it. */
  once(s: Stmt): void {
    this.flush();
    this.top.push(s);
  }

  /** A function of its own (which V8 optimizes alone) taking the kernel's parameters and `locals` of the kernel it also reads. */
  private helper(comment: string, body: Stmt[], returns: Fn["returns"], locals: readonly Param[] = [], product?: Gemm, update?: FusedProduct): string {
    const name = `${this.kernel.name}_${this.helpers.length + 1}`;
    const data = { ...(product ? { product } : {}), ...(update ? { update } : {}) };
    this.helpers.push({ name, params: [...this.kernel.params, ...locals], returns, body: [block(comment, body)], tokens: countTokens(body), ...data });
    return name;
  }

  private args(locals: readonly Param[] = []): Expr[] {
    return [...this.kernel.params, ...locals].map(([n]) => v(n));
  }

  /** A product as a call to a function of its own; the call, to be emitted where it runs. */
  productCall(comment: string, def: RowsOp, ctx: RowsLowerContext, locals: readonly Param[] = []): Stmt {
    // The function carries the product as data too (for the WebAssembly kernels); with a sink,
    // the plain product and the update of one element beside it (the WebAssembly twin applies it
    // too): the sink's first statements, their index and sum made symbolic.
    const { sink, ...plain } = ctx;
    const product = def.product?.(plain);
    let statements: Stmt[] | undefined;
    const recording = sink && ((index: Expr, sum: Expr) => {
      const out = sink(index, sum);
      statements ??= symbolic(out, index, sum);
      return out;
    });
    const body = def.lower(recording ? { ...ctx, sink: recording } : ctx);
    const update = statements && product ? { product, statements, scalars: locals.filter(([, t]) => t === "number").map(([n]) => n) } : undefined;
    const name = this.helper(comment, body, "void", locals, sink ? undefined : product, update);
    return block(comment, [callStmt(name, this.args(locals))]);
  }

  /** A product in a function of its own, called here. */
  product(comment: string, def: RowsOp, ctx: RowsLowerContext): void {
    this.once(this.productCall(comment, def, ctx));
  }

  /** A function of its own returning a number, called here into the kernel's local `local`. */
  measure(comment: string, body: Stmt[], local: string): void {
    this.once(block(comment, [decl("const", local, { k: "call", fn: this.helper(comment, body, "number"), args: this.args() })]));
  }

  /** Closes the current row loop. */
  flush(): void {
    if (this.rowBlocks.length === 0) return;
    this.top.push({ k: "for", v: ROW, from: num(0), to: this.rows, step: 1, body: this.rowBlocks });
    this.rowBlocks = [];
  }

  functions(): Fn[] {
    this.flush();
    const { kernel } = this;
    const body = [...this.pre, ...this.top, ...(this.finish ? [this.finish] : [])];
    return [...this.helpers, { name: kernel.name, params: kernel.params, returns: kernel.returns, doc: kernel.doc, body, tokens: countTokens(body) }];
  }
}

/**
 * The forward values: parameter-only ones once; dropout masks first, in per-sample order (the
 * same draws as the per-sample kernel); then the rest in dependency order, products over the
 * whole batch and everything else row by row.
 */
function emitForward({ c, plan, lowerer, rowsContext }: PlannedKernel, body: KernelBody): void {
  const { rowwise } = c.batched;
  for (const node of plan.order) {
    if (rowwise(node)) continue;
    const r = lowerer.lowerNode(node);
    if (r) body.once(r.block);
  }
  const order = computeOrder(plan.order);
  for (const node of order) if (node.op === "dropout_mask") body.row(lowerer.lowerNode(node)!.block);
  body.flush();
  for (const node of order) {
    if (!rowwise(node) || node.op === "dropout_mask") continue;
    const def = rowsDef(node);
    if (def) {
      const out: MatrixRef = { array: c.buffers.of(node, c.maxBatch), base: 0, stride: node.shape[node.shape.length - 1] ?? 1 };
      body.product(`${commentOf(node, c.file)}  (over the batch)`.trimStart(), def, rowsContext(node, out, "=", noAccumulate));
      continue;
    }
    const r = lowerer.lowerNode(node);
    if (r) body.row(r.block);
  }
}

/**
 * The sinks: the outputs and the loss row by row, then the gradient's sums over the rows; with
 * a fused update, the products it applies in run last, under its guard.
 */
function emitSinks(k: PlannedKernel, sinks: BatchedSinks, body: KernelBody): void {
  const { c, namer, lowerer, terms, rowsContext } = k;
  const update = sinks.update;
  body.pre.push(...(update?.prologue ?? []));
  if (sinks.predict) {
    const { node, comment } = sinks.predict;
    body.row(lowerer.lowerSink({ kind: "store", node, array: c.out, offset: { k: "binary", op: "*", a: v(ROW), b: num(sizeOf(node.shape)) }, comment }));
  }
  if (sinks.loss) {
    const total = update?.lossSum ?? namer.take("total");
    body.pre.push(decl("let", total, num(0)));
    const loss = sinks.loss;
    const ctx = rowsContext(loss, { array: total, base: 0, stride: 1 }, "+=", (_index, value) => assign(total, "+=", value));
    body.row(block("Σ loss over the batch", rowsDef(loss)!.lower(ctx), loss.id));
    body.finish = ret(update?.result ?? v(total));
  }
  const gradIndex = (t: KernelTerm, index: readonly (number | Expr)[]): Expr => indexAdd(t.offset, flatIndex(t.node.shape, index));
  for (const t of terms) {
    const def = rowsDef(t.node);
    if (def?.placement !== "row loop") continue;
    const op = t.sign === 1 ? "+=" : "-=";
    const ctx = rowsContext(t.node, { array: c.grad, base: t.offset, stride: 1 }, op, (index, value) => store(c.grad, gradIndex(t, index), op, value));
    body.row(block(t.comment, def.lower(ctx), t.node.id));
  }
  body.flush();
  const deferred: Stmt[] = [];
  for (const t of terms) {
    const def = rowsDef(t.node);
    const op = t.sign === 1 ? "+=" : "-=";
    if (update?.squares.has(t.entry) && def) {
      deferred.push(fusedProduct(k, t, def, update, body));
    } else if (def?.placement === "function") {
      const out: MatrixRef = { array: c.grad, base: t.offset, stride: t.node.shape[t.node.shape.length - 1] ?? 1 };
      body.product(`${t.comment}  (Σ over the batch)`, def, rowsContext(t.node, out, op, noAccumulate));
    } else if (!def) {
      // n × a parameter-only part
      body.once(lowerer.lowerSink({ kind: "accumulate", node: t.node, array: c.grad, offset: t.offset, comment: `${t.comment}  (parameter-only part, × ${c.rows})`, negate: t.sign === -1 }));
    }
  }
  if (update) for (const s of [...update.before, { k: "if", test: update.test, body: [...deferred, ...update.after] } satisfies Stmt]) body.once(s);
}

/** A sink's statements for one element with its `index` and `sum` (found by identity) named SINK_INDEX and SINK_SUM. */
function symbolic(stmts: readonly Stmt[], index: Expr, sum: Expr): Stmt[] {
  return mapStmtExprs(stmts, (x) => (x === index ? v(SINK_INDEX) : x === sum ? v(SINK_SUM) : undefined));
}

/**
 * Σ_b a_b ⊗ b_b applied as an update where each sum is finished: its Σ of squares computed here
 * first, from the rows' Gram matrices; the product's call returned, to run under the guard.
 */
function fusedProduct({ c, count, fresh, matrix, rowsContext }: PlannedKernel, t: KernelTerm, def: RowsOp, update: FusedUpdate, body: KernelBody): Stmt {
  const [a, b] = t.node.inputs as [Node, Node];
  const squares = gramSquares(matrix(a), sizeOf(a.shape), matrix(b), sizeOf(b.shape), count, fresh);
  body.measure(`Σ of squares of ${t.comment.replace(/ \[.*$/, "")}, from the rows' Gram matrices`, squares, update.squares.get(t.entry)!);
  const out: MatrixRef = { array: c.grad, base: t.offset, stride: t.node.shape[t.node.shape.length - 1] ?? 1 };
  const op = t.sign === 1 ? "+=" : "-=";
  const sink = (index: Expr, sum: Expr) => update.element(t.entry, index, t.sign === 1 ? sum : neg(sum));
  return body.productCall(`${t.comment}  (Σ over the batch, applied as it is summed)`, def, rowsContext(t.node, out, op, noAccumulate, sink), update.locals);
}

// The shape of an op-table row. Every op is defined once, with every rule it needs:
// its shape rule, its evaluation (reference interpreter and constant folding), its
// derivative (a vector-Jacobian product that builds ordinary graph nodes), how it prints
// as math, how it lowers to the loop language (ir/code.ts) and, where it differs from "the
// same op on every row", how it is batched. The union below makes the type checker reject
// a row that lacks any of them.

import type { AssignOp, Expr, Stmt } from "../ir/code.js";
import type { Graph } from "../ir/graph.js";
import type { Attrs, Node, Shape } from "../ir/node.js";


/** Values the reference interpreter needs for leaves. */
export interface EvalEnv {
  /** Values of inputs, targets and params by name. */
  values: ReadonlyMap<string, Float64Array>;
  /** Dropout masks by node id (training mode); absent means "draw one" via `random`. */
  masks?: Map<number, Float64Array>;
  random?: () => number;
}

/**
 * A vector-Jacobian product: given the adjoint `g` of `node`'s output, the adjoint
 * contribution for each input (null where the input gets no gradient).
 */
export type Vjp = (g: Node, node: Node, graph: Graph) => (Node | null)[];

interface OpCommon {
  readonly name: string;
  shape(inputs: readonly Shape[], attrs: Attrs): Shape;
  vjp: Vjp;
  /** Math notation for `nnc grad`, given the operands' printed forms. */
  math(args: readonly string[], attrs: Attrs): string;
}

/** A leaf: an input, target, parameter, constant or random mask. */
export interface LeafOp extends OpCommon {
  readonly kind: "leaf";
  evaluate(node: Node, env: EvalEnv): Float64Array;
}

/**
 * Elementwise over operands of one shape. `scalar` defines the value (interpreter and
 * constant folding), `expr` the same thing in the loop language (ir/code.ts).
 */
export interface ElementwiseOp extends OpCommon {
  readonly kind: "elementwise";
  scalar(args: readonly number[], attrs: Attrs): number;
  expr(args: readonly Expr[], attrs: Attrs): Expr;
  /** Rough cost in flops for the unroll budget. */
  readonly cost: number;
  /** Runtime helpers (runtime/*.ts names) that `expr` calls; the emitter bundles them. */
  readonly runtime?: readonly string[];
}

/**
 * Each output element is a cheap function of input elements at mapped indices (broadcast,
 * outer product, reshape). Usually fused into its consumer's expression; stored only where a
 * consumer needs its operand in memory (a matrix product's, or one read at runtime offsets:
 * lower/plan.ts), and a view (reshape) never: it is read through at the same offsets.
 */
export interface IndexMapOp extends OpCommon {
  readonly kind: "indexmap";
  evaluate(inputs: readonly Float64Array[], attrs: Attrs, inputShapes: readonly Shape[], shape: Shape): Float64Array;
  /**
   * The output element at multi-index `index` of `shape`, from `elem(inputNumber, index)`
   * accessors, or `elemFlat(inputNumber, offset)` (an input's element by its row-major offset).
   */
  element(
    index: readonly Index[],
    elem: (input: number, index: readonly Index[]) => Expr,
    inputShapes: readonly Shape[],
    shape: Shape,
    elemFlat: (input: number, offset: Expr) => Expr,
  ): Expr;
  /** How many times each input element is read per output element pass (1: fusable). */
  readsOnce: readonly boolean[];
  /** Reads its inputs by row-major offset (elemFlat): an input that is itself an index map is stored. */
  readonly flatInputs?: boolean;
  /** A view: the same elements in the same order as its one input (reshape), stored where that is and named as it is. */
  readonly view?: boolean;
  batchSum?: BatchSumRule;
}

/** An index in lowered code: a literal (unrolled) or an expression of loop variables. */
export type Index = number | Expr;

/**
 * How an op takes part in batched kernels (passes/batch.ts): given the node and its inputs
 * already batched, the node that computes it for every row of a minibatch, or undefined to
 * keep the same op row by row. `rowwise(n)` says whether a node has one value per row.
 */
export type BatchRule = (node: Node, inputs: readonly Node[], rowwise: (n: Node) => boolean, graph: Graph) => Node | undefined;

/**
 * How Σ_b over the rows of a minibatch of this op's value is computed, when better than a row
 * at a time (a gradient of a weight: Σ_b δ_b ⊗ x_b is one matrix product), or undefined.
 */
export type BatchSumRule = (node: Node, rowwise: (n: Node) => boolean, graph: Graph) => Node | undefined;

/** Ops with their own storage and code templates (matvec, reductions, softmax). */
export interface StructuralOp extends OpCommon {
  readonly kind: "structural";
  evaluate(inputs: readonly Float64Array[], attrs: Attrs, inputShapes: readonly Shape[], shape: Shape): Float64Array;
  /** Flops per evaluation, for the unroll budget and the benchmark's GFLOP/s. */
  flops(inputShapes: readonly Shape[], shape: Shape): number;
  lower(ctx: LowerContext): Stmt[];
  /** Inputs whose elements the lowering reads exactly once (elementwise producers fuse into it). */
  readsOnce?: readonly boolean[];
  /** Reads an input at offsets computed at run time (loops): an input that is an index map is stored, not fused. */
  readonly flatInputs?: boolean;
  batch?: BatchRule;
  batchSum?: BatchSumRule;
}

/**
 * What an op's lowering sees. `elem(input, index)` reads an operand; `define(index, value)`
 * gives output element `index` its final value (`const z_3 = …;` or `z[12] = …;`);
 * `store(index, op, value)` updates it in place (loop mode only: unrolled outputs are
 * constants); `unrolled` says whether indices must be literals (straight-line code) or loops
 * with literal bounds are wanted.
 */
export interface LowerContext {
  readonly inputShapes: readonly Shape[];
  readonly shape: Shape;
  readonly attrs: Attrs;
  readonly unrolled: boolean;
  elem(input: number, index: readonly Index[]): Expr;
  define(index: readonly Index[], value: Expr): Stmt;
  store(index: readonly Index[], op: AssignOp, value: Expr): Stmt;
  /** A fresh local variable name with the given hint. */
  fresh(hint: string): string;
}

/** A row-major matrix in memory: element (r, c) is `array[base + r * stride + c]`. */
export interface MatrixRef {
  array: string;
  base: number | Expr;
  stride: number;
}

/**
 * A matrix product as data (C op= A·B in one of three layouts, see ops/gemm.ts): what gemm.ts
 * writes as loops, for targets that write their own (WebAssembly SIMD, lower/wasm/).
 */
export interface Gemm {
  kind: "nt" | "nn" | "tn";
  C: MatrixRef;
  A: MatrixRef;
  B: MatrixRef;
  /** The runtime row count: n, or n·R for R rows per sample. */
  rows: Expr;
  m: number;
  k: number;
  op: AssignOp;
}

/**
 * Ops that only batched kernels have: they work across the rows of a minibatch. `rowwise`
 * results hold one value per row (the forward product X Wᵀ); `reduced` ones one value for the
 * whole batch (the weight gradient Σ_b δ_b x_bᵀ, a bias gradient Σ_b δ_b). Shapes are per row,
 * as everywhere in the graph; the row count is the kernel's runtime `n`.
 */
export interface RowsOp extends OpCommon {
  readonly kind: "rows";
  readonly result: "rowwise" | "reduced";
  /** `function`: the op runs over all rows at once, in a function of its own (matrix products,
   * whose operands are matrices in memory); `row loop`: it adds one row at a time inside the
   * kernel's loop over rows (sums over the batch). */
  readonly placement: "function" | "row loop";
  /** Flops per row. */
  flops(inputShapes: readonly Shape[], shape: Shape): number;
  lower(ctx: RowsLowerContext): Stmt[];
  /** Placement "function": the matrix product `lower` writes, as data (for other targets); none with a `ctx.sink`. */
  product?(ctx: RowsLowerContext): Gemm | undefined;
  /** A reduced product of row vectors (Σ_b a_b b_bᵀ) whose `lower` hands each finished sum to `ctx.sink` when given one. */
  readonly outerProductSum?: true;
}

export interface RowsLowerContext {
  readonly inputShapes: readonly Shape[];
  readonly shape: Shape;
  /** Placement "row loop": whether the row's elements are unrolled or looped over. */
  readonly unrolled: boolean;
  /** Placement "function": operand `input` as a matrix in memory (rows of a rowwise operand, or a parameter). */
  matrix(input: number): MatrixRef;
  /** Placement "function": the rows of operand `input` over the whole batch (n, or n·R for R rows per sample). */
  rowsOf(input: number): Expr;
  /** Placement "function": where the result goes. */
  readonly out: MatrixRef;
  /**
   * Placement "function", a reduced result: when given, each finished element (its index in
   * `out`, its value) is handed to these statements instead of being written into `out` (a
   * fused training step applies the update there).
   */
  readonly sink?: (index: Expr, value: Expr) => Stmt[];
  /** Placement "row loop": operand `input` at `index` in the current row. */
  elem(input: number, index: readonly Index[]): Expr;
  /** How results are written: `=` into storage, `+=` / `-=` into a sum (a gradient). */
  readonly op: AssignOp;
  /** Placement "row loop": adds `value` to result element `index` (with `op`). */
  accumulate(index: readonly Index[], value: Expr): Stmt;
  /** The runtime row count. */
  readonly rows: Expr;
  fresh(hint: string): string;
}

export type OpDef = LeafOp | ElementwiseOp | IndexMapOp | StructuralOp | RowsOp;

// The shape of an op-table row. Every op is defined once, with every rule it needs:
// its shape rule, its evaluation (reference interpreter and constant folding), its
// derivative (a vector-Jacobian product that builds ordinary graph nodes), how it prints
// as math, and how it lowers to code. The union below makes the type checker reject a row
// that lacks any of them.

import type { Attrs, Node, Shape } from "../ir/node.js";
import type { Graph } from "../ir/graph.js";

export { ShapeError } from "../ir/node.js";

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
 * constant folding), `code` the same thing as a JavaScript expression.
 */
export interface ElementwiseOp extends OpCommon {
  readonly kind: "elementwise";
  scalar(args: readonly number[], attrs: Attrs): number;
  code(args: readonly string[], attrs: Attrs): string;
  /** Rough cost in flops for the unroll budget. */
  readonly cost: number;
  /** Runtime helpers (runtime/*.ts names) that `code` calls; the emitter bundles them. */
  readonly runtime?: readonly string[];
}

/**
 * Each output element is a cheap function of input elements at mapped indices
 * (broadcast, outer product). It never needs its own storage.
 */
export interface IndexMapOp extends OpCommon {
  readonly kind: "indexmap";
  evaluate(inputs: readonly Float64Array[], attrs: Attrs, inputShapes: readonly Shape[], shape: Shape): Float64Array;
  /** The output element at multi-index `index`, from `elem(inputNumber, index)` accessors. */
  element(index: readonly Index[], elem: (input: number, index: readonly Index[]) => string, inputShapes: readonly Shape[]): string;
  /** How many times each input element is read per output element pass (1: fusable). */
  readsOnce: readonly boolean[];
}

/** An index in generated code: a literal number (unrolled) or a loop variable expression. */
export type Index = number | string;

/** Ops with their own storage and code templates (matvec, reductions, softmax). */
export interface StructuralOp extends OpCommon {
  readonly kind: "structural";
  evaluate(inputs: readonly Float64Array[], attrs: Attrs, inputShapes: readonly Shape[], shape: Shape): Float64Array;
  /** Flops per evaluation, for the unroll budget and the benchmark's GFLOP/s. */
  flops(inputShapes: readonly Shape[], shape: Shape): number;
  lower: StructuralLowering;
  /** Inputs whose elements the lowering reads exactly once (elementwise producers fuse into it). */
  readsOnce?: readonly boolean[];
}

/**
 * How a structural op writes its result. `out(index)` is the assignable location of an
 * output element; `elem(input, index)` reads an operand; `unrolled` says whether indices
 * must be literals (straight-line code) or loops with literal bounds are wanted.
 */
export interface StructuralLowering {
  (ctx: LowerContext): string[];
}

export interface LowerContext {
  readonly inputShapes: readonly Shape[];
  readonly shape: Shape;
  readonly attrs: Attrs;
  readonly unrolled: boolean;
  /** Reads element `index` of operand `input` (a JavaScript expression). */
  elem(input: number, index: readonly Index[]): string;
  /** A statement giving output element `index` its final value: `const z_3 = …;` or `t[12] = …;`. */
  define(index: readonly Index[], expr: string): string;
  /** The buffer location of output element `index` (loop mode only: unrolled outputs are constants). */
  out(index: readonly Index[]): string;
  /** A fresh local variable name with the given hint. */
  fresh(hint: string): string;
}

export type OpDef = LeafOp | ElementwiseOp | IndexMapOp | StructuralOp;

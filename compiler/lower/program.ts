// The Program: what `lower` makes of a model and every printer prints. Kernels are functions
// of statements in the loop language (ir/code.ts) over named buffers; each buffer says which
// tensor it holds (name, shape, one row per minibatch row or not) and the model line it comes
// from. The strategy (unrolled, split, loops, batched matrix-matrix) is decided in lower/;
// a printer decides nothing.
//
//   buffer  z_h     [128] × rows   mnist.nn:9   h = dense(x, 128, relu)
//   kernel  gradRows(p, X, Y, n, g, rng, out): number   calls gradRows_1 (a matrix product) …

import type { Stmt } from "../ir/code.js";
import type { Origin, Role, Shape } from "../ir/node.js";
import type { Gemm } from "../ops/op-def.js";
import type { WasmPart } from "./wasm/part.js";
import type { ParamLayout } from "../elaborate/param-layout.js";

/** How the kernels were lowered: per sample (unrolled / mixed / split / loops), or batched. */
export type Strategy = "unrolled" | "mixed" | "split" | "loops" | "batched";

/** Storage for one tensor of intermediate values, shared by every kernel that computes it. */
export interface Buffer {
  name: string;
  /** The tensor's shape (per row, in batched kernels). */
  shape: Shape;
  /** Rows held: the largest minibatch for values with one row per sample (batched kernels), else 1. */
  rows: number;
  /** Elements: rows × the shape's size. */
  length: number;
  /** The model line the value comes from, and whether it belongs to the forward or backward pass. */
  origin?: Origin;
  role: Role;
  /** Byte offset of its elements in the WebAssembly memory when the kernels run there (`--kernels wasm`): the buffer is a view of it. */
  memory?: number;
}

/** A parameter of a kernel function, with its TypeScript type (`Vec`, `number`, `Rng`). */
export type Param = readonly [name: string, type: string];

/** An entry kernel as its lowerer is asked for it: name, signature, doc line, and whether it trains (draws dropout masks). */
export interface KernelHead {
  name: string;
  params: readonly Param[];
  returns: "number" | "void";
  doc: string;
  training: boolean;
}

/** The names a FusedProduct's statements give the element's index and finished sum. */
export const SINK_INDEX = "__index";
export const SINK_SUM = "__sum";

export interface FusedProduct {
  product: Gemm;
  /** The update of one element (what the sink does with it): its index is `SINK_INDEX`, its finished sum `SINK_SUM`. */
  statements: readonly Stmt[];
  /** The function's parameters that are numbers the update reads (the rate, the mean's scale, clip factors). */
  scalars: readonly string[];
}

/**
 * An elementwise pass over a stored gradient g, elements [from, to) (the generic training step's
 * tail, apply-gradient.ts): `squares` returns Σ (g[i] · scale)²; `update` runs `statements` for
 * each element (its index named SINK_INDEX, its gradient sum g[i] SINK_SUM), reading the
 * function's number parameters `scalars` and its arrays (p, the optimizer's state).
 */
export type Sweep =
  | { kind: "squares"; grad: string; from: string; to: string; scale: string }
  | { kind: "update"; grad: string; from: string; to: string; statements: readonly Stmt[]; scalars: readonly string[] };

export interface Fn {
  name: string;
  params: readonly Param[];
  returns: "number" | "void";
  /** One line saying what the function does (a doc comment). */
  doc?: string;
  body: Stmt[];
  /** The token count that decided how this function was split (lower/budget.ts). */
  tokens: number;
  /** The matrix product the function computes, as data (a product function of batched kernels): other targets write their own loops from it. */
  product?: Gemm;
  /**
   * A fused training step's weight-gradient product (train-step-batched.ts): the product as data,
   * and the update applied to each finished sum instead of storing it (its statements read the
   * function's parameters: `scalars`, numbers such as the rate, and arrays such as p and m).
   */
  update?: FusedProduct;
  /** An elementwise pass over a stored gradient, as data (for the WebAssembly kernels). */
  sweep?: Sweep;
  /**
   * The WebAssembly function it runs as once the module's WebAssembly kernels are loaded (its
   * arrays passed as byte offsets in their memory); its body is the JavaScript fallback.
   */
  wasm?: string;
}

/** The entry points: inference, the loss, and a training step's gradient, which every model has; and the fused training step (train-step.ts), which small ones have. */
export interface Kernels {
  predict: string;
  loss: string;
  grad: string;
  train?: string;
  /**
   * The most rows one call of `train` takes; absent: any number. A batched step's buffers hold
   * maxBatch rows, and its Gram norms pay only for small minibatches (train-step-batched.ts).
   */
  trainRows?: number;
  /** Σ (m + k) over the fused step's Gram-normed m × k gradients: what its Gram norms cost per row pair (train-step-batched.ts fusedRows). */
  trainGramWidths?: number;
  /**
   * The generic step's tail for the optimizer `train` was made for (apply-gradient.ts): the
   * gradient summed over a minibatch (by `grad`, in chunks) to the mean, norm, guard, clipping
   * and update. Batched models with a generated update have it.
   */
  apply?: string;
}

export interface Program {
  /** The model's name and file (for headers and comments). */
  model: string;
  file: string;
  strategy: Strategy;
  /** Where each parameter sits in the flat parameter vector. */
  params: ParamLayout;
  /** Whether minibatches run through batched (matrix-matrix) kernels; else the per-sample ones in a loop. */
  batched: boolean;
  /** Largest minibatch the batched kernels take at once. */
  maxBatch: number;
  /** Flops per sample of a prediction and of a training step (forward + backward). */
  flops: { predict: number; grad: number };
  buffers: Buffer[];
  /** Every function in the order it is printed: helpers (parts, products) before their callers. */
  functions: Fn[];
  kernels: Kernels;
  /** Runtime helpers (runtime/*.ts) the kernels call, e.g. normalCdf. */
  runtime: string[];
  /** The kernels' WebAssembly part (`--kernels wasm`, lower/wasm/offload.ts): its module, memory layout and entry wrappers. */
  wasm?: WasmPart;
}

// The fused training step of a batched model: the minibatch's forward and backward passes as in
// gradRows, then the update applied inside the weight gradients' matrix products (Σ_b δ_b x_bᵀ):
// as each element's sum is finished it is scaled to the mean, clipped and handed to the
// optimizer's update (optimizer-step.ts), so each weight is read and written once per step and
// the gradient is never stored. The guard and clipping need the norm before any update: for
// those products it comes from the rows' Gram matrices (gram.ts); gradients of other forms
// (biases: sums over the rows; several terms; convolution patches) are summed into a scratch
// buffer and updated after. Without clipping the parameters are bit for bit the generic step's
// (the same sums, scaled and updated in the same operations); the reported norm, summed in
// another order, agrees to rounding (tests/lower/train-step.test.ts).
//
//   trainStep(p, X, Y, n, rng, outputs, state, sc, rep)
//     …forward, backward… ; const sq_W_h = trainStep_5(…)   // ‖Σ_b δ_b x_bᵀ‖², from Grams
//     const norm = …; if (ok) { trainStep_7(…)   // for each tile: acc = Σ_b δ x; p[o] −= lr · acc · scale
//                               for (i < 128) p[100352 + i] −= lr · grad[i] · scale }

import { type Expr, type Stmt, assign, binary, call, decl, indexAdd, load, loop, namesUsed, num, store, sum, v } from "../ir/code.js";
import { sizeOf } from "../ir/node.js";
import { opDef } from "../ops/registry.js";
import type { Batched, Term } from "../passes/batch.js";
import { type BatchedContext, type FusedUpdate, lowerBatched } from "./batched.js";
import { optimizerStep } from "./optimizer-step.js";
import { clipFactor, clippingOf, elementUpdate, guardAndPrepare } from "./step-tail.js";
import type { Fn, Param } from "./program.js";
import { TRAIN_PARAMS, TRAIN_STEP } from "./train-step.js";

export interface BatchedTrainStepContext {
  batched: Batched;
  /** The context gradRows was lowered in (the same buffers and names). */
  kernels: BatchedContext;
  offsets: ReadonlyMap<string, number>;
  optimizer: { name: string; options: Readonly<Record<string, number | boolean>> };
  precision: "f64" | "f32";
  comment: (param: string) => string;
  output: string;
}

/** Whether a gradient's one term is Σ_b of outer products of row vectors (its norm has a Gram form). */
function isOuterProductSum(terms: readonly Term[]): boolean {
  if (terms.length !== 1) return false;
  const node = terms[0]!.node;
  const def = opDef(node.op);
  return def.kind === "rows" && def.outerProductSum === true && node.inputs.every((i) => i.shape.length === 1);
}

/**
 * What the fused step's Gram norms may cost, in multiply-adds per parameter, by the kernels the
 * rest runs as: they cost n(n+1)/2 · (m + k) multiply-adds (in JavaScript) per fused m × k
 * gradient and save the generic step's passes over every parameter (zeroing, the mean, the norm,
 * the optimizer reading the gradient). Measured on MNIST (784-128-10, Adam; bench/fused-rows.ts),
 * the fused step against gradRows and the generated tail (apply-gradient.ts): with JavaScript
 * kernels it is ahead up to 16 rows, even at 20, behind from 24 (2.25 gives 20 rows); with
 * WebAssembly kernels, whose tail runs as WebAssembly SIMD, ahead up to 8 rows and behind from
 * 12 in f64 (0.75 gives 11), even at 6 and behind from 8 in f32 (0.25 gives 6).
 */
export const GRAM_BUDGET = { js: 2.25, wasmF64: 0.75, wasmF32: 0.25 } as const;

/** The most rows for which the fused step is worth its Gram norms (GRAM_BUDGET), at least one. */
export function fusedRows(fusedWidths: number, paramCount: number, maxBatch: number, budget: number): number {
  if (fusedWidths === 0) return maxBatch;
  let n = 1;
  while (n < maxBatch && ((n + 1) * (n + 2) / 2) * fusedWidths <= budget * paramCount) n++;
  return n;
}

/** The batched fused step (its helpers, then itself) and the most rows it takes, or undefined for an optimizer without a generated update. */
export function batchedTrainStep(c: BatchedTrainStepContext): { functions: Fn[]; rows: number; gramWidths: number } | undefined {
  const { batched, kernels, offsets } = c;
  const { model } = batched.derived;
  const scope = kernels.namer.fork();
  const take = (hint: string) => scope.take(hint);
  const fresh = (hint: string) => scope.fresh(hint);
  const update = optimizerStep(c.optimizer.name, c.optimizer.options, { take, fresh });
  if (!update) return undefined;
  const f32 = c.precision === "f32";

  // Each parameter's gradient: applied in its product (fused), or summed into the scratch buffer.
  const entries = model.params.map((p) => {
    const terms = batched.grads.get(p.name)!;
    return { name: p.name, offset: offsets.get(p.name)!, size: sizeOf(p.shape), terms, fused: isOuterProductSum(terms) };
  });
  let storedSize = 0;
  const storedAt = entries.map((e) => (e.fused ? -1 : (storedSize += e.size) - e.size));
  const grad = kernels.buffers.scratch("grad", Math.max(storedSize, 1), "gradient");

  const [lossSum, scale, meanLoss, norm, ok, t] = [take("total"), take("scale"), take("meanLoss"), take("norm"), take("ok"), take("t")];
  const squares = entries.map((e) => take(`sq_${e.name}`));
  const tensorNorms = entries.map((e) => take(`norm_${e.name}`));
  const { clipnorm, globalClipnorm, clipvalue } = clippingOf(c.optimizer.options);
  // A factor per tensor (clipnorm) or one for all (global_clipnorm): the clip's c / norm, or 1.
  const factors = entries.map((e) => (clipnorm !== undefined ? take(`clip_${e.name}`) : undefined));
  const globalFactor = globalClipnorm !== undefined ? take("clip") : undefined;

  /** The update of parameter element `index` from its Σ over the rows (`sum`): mean, clipping, optimizer. */
  // Under f32 the mean is rounded as the generic step stores it. The generic step rounds the sum
  // first too; a stored gradient's sum is (it is read from a Float32Array), a fused product's
  // is not: V8 compiles Math.fround(acc) of a tile's accumulator into code 2.5× slower (MNIST at
  // batch 1: 950 against 2,400 samples/s), so the fused mean is rounded once, at most an ulp
  // from the generic step's (tests/lower/train-step.test.ts).
  const tail = { update, scale, f32, fresh, ...(clipvalue !== undefined ? { clipvalue } : {}) };
  const element = (entry: number, index: Expr, total: Expr): Stmt[] => elementUpdate(tail, index, total, factors[entry] ?? globalFactor);

  const zero = fresh("i");
  const prologue: Stmt[] = [
    ...update.arrays.map((a, k) => decl("const", a, load("state", k))),
    ...(storedSize > 0 ? [loop(zero, 0, storedSize, [store(grad, v(zero), "=", num(0))])] : []),
  ];
  const before: Stmt[] = [decl("const", scale, binary("/", num(1), v("n"))), decl("const", meanLoss, binary("*", v(lossSum), v(scale)))];
  entries.forEach((e, k) => {
    if (e.fused) {
      // The Gram form can come out a hair below zero; a NaN stays NaN.
      before.push(decl("const", tensorNorms[k]!, binary("*", call("Math.sqrt", call("Math.max", v(squares[k]!), num(0))), v(scale))));
      return;
    }
    const i = fresh("i");
    const gi = fresh("g");
    before.push(
      decl("let", squares[k]!, num(0)),
      loop(i, 0, e.size, [decl("const", gi, binary("*", load(grad, indexAdd(storedAt[k]!, v(i))), v(scale))), assign(squares[k]!, "+=", binary("*", v(gi), v(gi)))]),
      decl("const", tensorNorms[k]!, call("Math.sqrt", v(squares[k]!))),
    );
  });
  const normSquared = sum(tensorNorms.map((n) => binary("*", v(n), v(n))));
  before.push(decl("const", norm, call("Math.sqrt", normSquared)), ...guardAndPrepare({ meanLoss, norm, ok, t }, update));
  if (clipnorm !== undefined) entries.forEach((_, k) => before.push(clipFactor(factors[k]!, tensorNorms[k]!, clipnorm)));
  if (globalFactor !== undefined) before.push(clipFactor(globalFactor, norm, globalClipnorm!));

  // Inside the guard, after the fused products: the stored gradients, element by element.
  const after: Stmt[] = [];
  entries.forEach((e, k) => {
    if (e.fused) return;
    const i = fresh("i");
    after.push(loop(i, 0, e.size, element(k, indexAdd(e.offset, v(i)), load(grad, indexAdd(storedAt[k]!, v(i))))));
  });
  after.push(store("sc", 1, "=", v(t)));

  // What the fused products read besides the kernel's parameters.
  const locals: Param[] = [
    [scale, "number"],
    ...update.scalars.map((s): Param => [s, "number"]),
    ...(globalFactor ? [[globalFactor, "number"] as Param] : []),
    ...entries.flatMap((e, k): Param[] => (e.fused && factors[k] ? [[factors[k]!, "number"]] : [])),
    ...update.arrays.map((a): Param => [a, "Vec"]),
  ];
  const fusedUpdate: FusedUpdate = {
    prologue,
    squares: new Map(entries.flatMap((e, k): [number, string][] => (e.fused ? [[k, squares[k]!]] : []))),
    before,
    test: v(ok),
    element,
    after,
    locals,
    lossSum,
    result: v(meanLoss),
  };
  const functions = lowerBatched(
    {
      predict: { node: batched.trainOutput, comment: `output ${c.output} (training mode, for the batch's metrics)` },
      loss: batched.trainLoss,
      grads: entries.map((e, k) => ({ terms: e.terms, offset: e.fused ? e.offset : storedAt[k]!, comment: c.comment(e.name) })),
      update: fusedUpdate,
    },
    {
      name: TRAIN_STEP,
      params: TRAIN_PARAMS,
      returns: "number",
      doc: "One training step on rows [0, n): forward, backward, the mean, norm, guard, clipping and the optimizer's update, applied inside the weight gradients' products; returns the mean loss.",
      training: true,
    },
    { ...kernels, grad },
    scope,
  );
  const widths = model.params.reduce((total, p, k) => total + (entries[k]!.fused ? p.shape.reduce((a, b) => a + b, 0) : 0), 0);
  const paramCount = entries.reduce((total, e) => total + e.size, 0);
  return { functions, rows: fusedRows(widths, paramCount, kernels.maxBatch, GRAM_BUDGET.js), gramWidths: widths };
}

/**
 * The step without the state arrays it never reads (SGD without momentum has none; RMSprop
 * without momentum no `moments`). Run after fitParameters, which drops the unread arrays from
 * the helpers' parameters and so from their calls.
 */
export function withoutUnreadState(fn: Fn): Fn {
  const isState = (s: Stmt) => s.k === "decl" && s.value.k === "load" && s.value.array === "state";
  const used = namesUsed(fn.body.filter((s) => !isState(s)));
  return { ...fn, body: fn.body.filter((s) => !(isState(s) && s.k === "decl" && !used.has(s.name))) };
}

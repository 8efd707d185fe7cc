// The fused training step of a per-sample model: one function that runs forward and backward
// over the minibatch's rows with the gradient in locals, then takes the batch mean, the norm,
// the finiteness guard, clipping and the optimizer's update (optimizer-step.ts), unrolled over
// every parameter. It computes what the generic path (trainer: zero g, gradSample per row,
// scale and square, optimizer.step) computes, in the same order, so the numbers are the same;
// it just never stores the gradient. Made only when the whole step fits V8's budget in one
// function (small models, where the generic shell around the kernels is most of a step).
//
//   trainStep(p, X, Y, n, rng, outputs, state, sc, rep): number
//     let g_0 = 0; …  for (let b = 0; b < n; b++) { …forward, backward…  g_0 += …; total += loss_0; }
//     g_0 *= scale; …  const norm = Math.sqrt(g_0 * g_0 + …);  if (ok) { p[0] -= lr * g_0; … }

import { type Expr, type Stmt, and, assign, binary, block, call, compare, cond, decl, indexMul, load, loop, namesUsed, neg, num, ret, store, sum, v } from "../ir/code.js";
import { sizeOf } from "../ir/node.js";
import type { Derived } from "../passes/simplify.js";
import { ROW } from "./batched.js";
import { FUNCTION_TOKEN_BUDGET, countTokens } from "./budget.js";
import type { Sink } from "./node-lowering.js";
import { optimizerStep } from "./optimizer-step.js";
import { type SampleContext, render } from "./per-sample.js";
import type { Fn, Param } from "./program.js";

export const TRAIN_STEP = "trainStep";

/** The step's signature, as ModelCore.trainStep calls it: the optimizer's state arrays, [lr, iterations], and [norm, applied] out. */
export const TRAIN_PARAMS: readonly Param[] = [
  ["p", "Vec"],
  ["X", "Vec"],
  ["Y", "Vec"],
  ["n", "number"],
  ["rng", "Rng"],
  ["outputs", "Vec"],
  ["state", "readonly Vec[]"],
  ["sc", "number[]"],
  ["rep", "number[]"],
];

export interface TrainStepContext {
  derived: Derived;
  sample: SampleContext;
  offsets: ReadonlyMap<string, number>;
  sizes: { input: number; target: number; output: number };
  optimizer: { name: string; options: Readonly<Record<string, number | boolean>> };
  /**
   * The storage of parameters and gradients: under f32 the generic step keeps its gradient in a
   * Float32Array, so the step rounds its gradient locals wherever that one stores (Math.fround).
   */
  precision: "f64" | "f32";
}

/** The fused step, or undefined when the optimizer has no generated update or the step would not fit one function. */
export function trainStep(c: TrainStepContext): Fn | undefined {
  const { derived, sample, offsets, sizes } = c;
  const { model } = derived;
  const names = sample.namer.fork();
  const take = (hint: string) => names.take(hint);
  const update = optimizerStep(c.optimizer.name, c.optimizer.options, { take, fresh: (hint) => names.fresh(hint) });
  if (!update) return undefined;

  // One gradient local per parameter element, named by its offset in p: g_0 … g_<count−1>.
  const gBase = names.base("g");
  const params = model.params.map((p) => ({ name: p.name, offset: offsets.get(p.name)!, size: sizeOf(p.shape) }));
  const count = params.reduce((n, p) => n + p.size, 0);
  // `let g_i = 0;` alone is 5 tokens per parameter: past the budget, do not render the step at all
  // (rendering MNIST's, unrolled, took minutes only to be dropped below).
  if (5 * count > FUNCTION_TOKEN_BUDGET) return undefined;
  const g = (i: number) => `${gBase}_${i}`;
  // The row and its offsets keep the names the other kernels give them (the module reserves
  // kernel parameters' names, so no buffer or local can take them).
  const [row, xo, yo, oo] = [ROW, "xo", "yo", "oo"];
  const total = take("total");
  const rowCtx: SampleContext = {
    ...sample,
    binding: (training, buffers) => ({ ...sample.binding(training, buffers), input: { array: "X", offset: v(xo) }, target: { array: "Y", offset: v(yo) } }),
  };
  const f32 = c.precision === "f32";
  const stored = (e: Expr) => (f32 ? call("Math.fround", e) : e);
  const sinks: Sink[] = [
    { kind: "store", node: derived.trainOutput, array: "outputs", offset: v(oo), comment: `output ${model.outputName} (training mode, for the batch's metrics)` },
    ...params.map((p): Sink => ({ kind: "addTo", node: derived.grads.get(p.name)!, local: (flat) => g(p.offset + flat), comment: `∂loss/∂${p.name}`, round: f32 })),
    { kind: "addTo", node: derived.trainLoss, local: () => total, comment: "Σ loss" },
  ];
  const sampleBody = render(sinks, { locals: "all", unrolled: () => true }, rowCtx, true, sample.buffers, names).blocks;

  const all = Array.from({ length: count }, (_, i) => i);
  const squares = (ids: readonly number[], of = (i: number) => v(g(i))) => sum(ids.map((i) => binary("*", of(i), of(i))));
  const [scale, loss, norm, ok, t] = [take("scale"), take("meanLoss"), take("norm"), take("ok"), take("t")];
  const finite = (x: string) => call("Number.isFinite", v(x));

  const steps: Stmt[] = [
    block("the batch's gradient sum, in locals", [...all.map((i) => decl("let", g(i), num(0))), decl("let", total, num(0))]),
    loop(row, 0, v("n"), [
      decl("const", xo, indexMul(v(row), sizes.input)),
      decl("const", yo, indexMul(v(row), sizes.target)),
      decl("const", oo, indexMul(v(row), sizes.output)),
      ...sampleBody,
    ]),
    block("the batch mean, its norm, and the guard: a non-finite loss or gradient leaves params as they were", [
      decl("const", scale, binary("/", num(1), v("n"))),
      // The norm of the mean before it is stored (rounded, under f32), as the trainer takes it.
      ...(f32 ? [decl("const", norm, call("Math.sqrt", squares(all, (i) => binary("*", v(g(i)), v(scale)))))] : []),
      ...all.map((i) => (f32 ? assign(g(i), "=", stored(binary("*", v(g(i)), v(scale)))) : assign(g(i), "*=", v(scale)))),
      ...(f32 ? [] : [decl("const", norm, call("Math.sqrt", squares(all)))]),
      decl("const", loss, binary("*", v(total), v(scale))),
      decl("const", ok, and(finite(loss), finite(norm))),
      store("rep", 0, "=", v(norm)),
      store("rep", 1, "=", cond(v(ok), num(1), num(0))),
    ]),
    {
      k: "if",
      test: v(ok),
      body: [
        ...clipping(c.optimizer.options, { params, g, all, squares, norm, take, stored, f32 }),
        decl("const", t, binary("+", load("sc", 1), num(1))),
        block(`${c.optimizer.name} update`, [...update.prepare(load("sc", 0), v(t)), ...all.flatMap((i) => update.element(num(i), v(g(i))))]),
        store("sc", 1, "=", v(t)),
      ],
    },
    ret(v(loss)),
  ];
  // The optimizer's state arrays this update uses (SGD without momentum uses none).
  const used = namesUsed(steps);
  const body = [...update.arrays.flatMap((a, k) => (used.has(a) ? [decl("const", a, load("state", k))] : [])), ...steps];
  const tokens = countTokens(body);
  if (tokens > FUNCTION_TOKEN_BUDGET) return undefined;
  return {
    name: TRAIN_STEP,
    params: TRAIN_PARAMS,
    returns: "number",
    doc: "One training step on rows [0, n): forward, backward, mean, norm, guard, clipping and the optimizer's update; returns the mean loss.",
    body,
    tokens,
  };
}

interface ClipContext {
  params: readonly { name: string; offset: number; size: number }[];
  g: (i: number) => string;
  all: readonly number[];
  squares: (ids: readonly number[]) => Expr;
  /** The mean gradient's norm, as reported. */
  norm: string;
  take: (hint: string) => string;
  /** A value as the gradient's storage holds it. */
  stored: (e: Expr) => Expr;
  f32: boolean;
}

/** Keras' clipping, as runtime/clip.ts applies it to the stored mean gradient (at most one option is set). */
function clipping(options: Readonly<Record<string, number | boolean>>, c: ClipContext): Stmt[] {
  const { params, g, all, squares, take, stored } = c;
  const limit = (key: string) => (typeof options[key] === "number" ? (options[key] as number) : undefined);
  const [clipnorm, globalClipnorm, clipvalue] = [limit("clipnorm"), limit("globalClipnorm"), limit("clipvalue")];
  const scaleDown = (ids: readonly number[], by: string, limit: number): Stmt => {
    const s = take("clip");
    const scaled = (i: number) => (c.f32 ? assign(g(i), "=", stored(binary("*", v(g(i)), v(s)))) : assign(g(i), "*=", v(s)));
    return { k: "if", test: compare(">", v(by), num(limit)), body: [decl("const", s, binary("/", num(limit), v(by))), ...ids.map(scaled)] };
  };
  if (clipnorm !== undefined) {
    return params.map((p) => {
      const ids = all.slice(p.offset, p.offset + p.size);
      const n = take(`norm_${p.name}`);
      return block(`clipnorm ${clipnorm}: ${p.name}'s gradient to norm ≤ ${clipnorm}`, [decl("const", n, call("Math.sqrt", squares(ids))), scaleDown(ids, n, clipnorm)]);
    });
  }
  if (globalClipnorm !== undefined) {
    // clip.ts takes the norm of the stored gradient: under f64 that is `norm`, summed in the same order.
    if (!c.f32) return [block(`global_clipnorm ${globalClipnorm}`, [scaleDown(all, c.norm, globalClipnorm)])];
    const n = take("storedNorm");
    return [block(`global_clipnorm ${globalClipnorm}`, [decl("const", n, call("Math.sqrt", squares(all))), scaleDown(all, n, globalClipnorm)])];
  }
  if (clipvalue !== undefined) {
    const k = num(clipvalue);
    const clamp = (i: number) => assign(g(i), "=", stored(cond(compare(">", v(g(i)), k), k, cond(compare("<", v(g(i)), neg(k)), neg(k), v(g(i))))));
    return [block(`clipvalue ${clipvalue}: every element to [−${clipvalue}, ${clipvalue}]`, all.map(clamp))];
  }
  return [];
}

// What every generated training step does between the gradient's sums and the parameters: the
// mean (× 1/n), the norm and the guard (no update unless the loss and the norm are finite),
// clipping (per tensor, global, by value), then the optimizer's update (optimizer-step.ts). The
// fused batched step (train-step-batched.ts) applies it inside its products, the generic step's
// tail (apply-gradient.ts) over the stored gradient; both as the runtime's trainer and
// optimizers compute it (runtime/trainer.ts, runtime/clip.ts), operation for operation, but for
// the norms: summed in another order, and under f32 from the unrounded mean where the runtime's
// clipping reads the mean as stored (rounded): with clipnorm or global_clipnorm, an ulp apart.
//
//   const g1 = total · scale  (· clip)  (clamped to ±clipvalue)  → m, v, p updated at index

import { type Expr, type Stmt, and, binary, call, compare, cond, decl, load, neg, num, store, v } from "../ir/code.js";
import type { OptimizerStep } from "./optimizer-step.js";

/** The clipping options of a model's optimizer (absent: not set). */
export interface Clipping {
  clipnorm?: number;
  globalClipnorm?: number;
  clipvalue?: number;
}

export function clippingOf(options: Readonly<Record<string, number | boolean>>): Clipping {
  const limit = (key: string) => (typeof options[key] === "number" ? (options[key] as number) : undefined);
  const out: Clipping = {};
  for (const key of ["clipnorm", "globalClipnorm", "clipvalue"] as const) {
    const value = limit(key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export interface ElementUpdate {
  update: OptimizerStep;
  /** The local holding 1/n. */
  scale: string;
  clipvalue?: number;
  /** Whether values are stored as float32 (the mean and the clipped value rounded as the generic step stores them). */
  f32: boolean;
  fresh: (hint: string) => string;
}

/**
 * The update of parameter element `index` from its Σ over the rows (`total`): the mean, the
 * clipping `factor` (a local: c / norm or 1), clipping by value, and the optimizer's update.
 */
export function elementUpdate(u: ElementUpdate, index: Expr, total: Expr, factor: string | undefined): Stmt[] {
  const stored = (e: Expr) => (u.f32 ? call("Math.fround", e) : e);
  const g = u.fresh("g");
  let value = stored(binary("*", total, v(u.scale)));
  if (factor !== undefined) value = stored(binary("*", value, v(factor)));
  const decls: Stmt[] = [decl("const", g, value)];
  if (u.clipvalue !== undefined) {
    const k = num(u.clipvalue);
    const clamped = u.fresh("g");
    decls.push(decl("const", clamped, stored(cond(compare(">", v(g), k), k, cond(compare("<", v(g), neg(k)), neg(k), v(g))))));
    return [...decls, ...u.update.element(index, v(clamped))];
  }
  return [...decls, ...u.update.element(index, v(g))];
}

/** `const name = of > limit ? limit / of : 1`: a clipping factor from a norm. */
export function clipFactor(name: string, of: string, limit: number): Stmt {
  return decl("const", name, cond(compare(">", v(of), num(limit)), binary("/", num(limit), v(of)), num(1)));
}

/**
 * The guard and the step's numbers, once the mean loss and the norm are known: `ok`, the report
 * (rep = [norm, applied]), the step count t = sc[1] + 1 and the optimizer's per-step numbers
 * from the rate sc[0]. The caller stores sc[1] = t once the update is applied.
 */
export function guardAndPrepare(names: { meanLoss: string; norm: string; ok: string; t: string }, update: OptimizerStep): Stmt[] {
  const { meanLoss, norm, ok, t } = names;
  return [
    decl("const", ok, and(call("Number.isFinite", v(meanLoss)), call("Number.isFinite", v(norm)))),
    store("rep", 0, "=", v(norm)),
    store("rep", 1, "=", cond(v(ok), num(1), num(0))),
    decl("const", t, binary("+", load("sc", 1), num(1))),
    ...update.prepare(load("sc", 0), v(t)),
  ];
}

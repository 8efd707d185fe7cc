// A compiled module against the reference interpreter, in every lowering strategy: the
// prediction, the loss and the gradient of one sample (models without dropout), at random
// parameters and data. Used by tests whose class of bug is "the generated code computes
// something else than the graphs say" (names that hide each other, rewrites, lowerings).
//
//   const { errors } = await agreement(source, "m.nn", { batch: "always" });  // errors.grad < 1e-12

import { compile, type CompileOptions, type Compiled } from "../../compiler/compile.js";
import { evaluate as interpret } from "../../compiler/interpret.js";
import { relError, testRandom } from "./fd.js";
import { type GeneratedModule, importCode } from "./generated.js";

/** Every way a model can be lowered that a user can ask for. */
export const STRATEGIES: [string, CompileOptions][] = [
  ["batched", { batch: "always" }],
  ["unrolled", { batch: "never", unroll: "always" }],
  ["loops", { batch: "never", unroll: "never" }],
  ["auto per-sample", { batch: "never", unroll: "auto" }],
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The largest relative error of the module's predict, loss and grad against the interpreter on its derived graphs. */
export function interpreterError(compiled: Compiled, mod: GeneratedModule, seed = 1): { predict: number; loss: number; grad: number } {
  const { model, derived } = compiled;
  const random = testRandom(seed);
  const params = mod.init(seed);
  for (let i = 0; i < params.length; i++) params[i] = params[i]! + 0.3 * (random() * 2 - 1);
  const x = Array.from({ length: size(model.input.shape) }, () => random() * 2 - 1);
  const y = Array.from({ length: size(model.target.shape) }, () => random());
  const values = new Map<string, Float64Array>([
    [model.input.name, Float64Array.from(x)],
    [model.target.name, Float64Array.from(y)],
  ]);
  for (const p of mod.model.params) values.set(p.name, params.slice(p.offset, p.offset + p.size));
  const grads = mod.model.params.map((p) => derived.grads.get(p.name)!);
  const ref = interpret([derived.predict, derived.inferLoss, ...grads], { values });
  const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, relError(v, b[i]!)), 0);
  const g = new Float64Array(params.length);
  mod.grad(params, x, y, g);
  let grad = 0;
  mod.model.params.forEach((p, k) => {
    const want = ref.get(grads[k]!.id)!;
    grad = Math.max(grad, worst(g.subarray(p.offset, p.offset + p.size), want.length === 1 && p.size > 1 ? new Float64Array(p.size).fill(want[0]!) : want));
  });
  return {
    predict: worst(mod.predict(params, x), ref.get(derived.predict.id)!),
    loss: relError(mod.loss(params, x, y), ref.get(derived.inferLoss.id)![0]!),
    grad,
  };
}

/** Compiles `source` with `options`, imports it and measures it against the interpreter. */
export async function agreement(source: string, file: string, options: CompileOptions): Promise<{ compiled: Compiled; errors: ReturnType<typeof interpreterError> }> {
  const compiled = await compile(source, file, options);
  const mod = await importCode(compiled.code);
  return { compiled, errors: interpreterError(compiled, mod) };
}

// What the image lowering tests share: compiling a model of tests/images/models.ts under a
// strategy (once per file: modules are cached), random parameters and samples of the model's
// shapes, and the reference interpreter's predictions, losses and gradients for one sample.
//
//   const mod = await moduleOf(model, { batch: "never", unroll: "never" });
//   const ref = reference(model, params, x, y, draws);   // { predict, inferLoss, trainLoss, grads }

import { analyze, type CompileOptions } from "../../compiler/compile.js";
import { emitModule, moduleNames } from "../../compiler/emit/module.js";
import { evaluate as interpret } from "../../compiler/interpret.js";
import { sizeOf } from "../../compiler/ir/node.js";
import { lower } from "../../compiler/lower/lower.js";
import { batch } from "../../compiler/passes/batch.js";
import { NNC_VERSION } from "../../compiler/version.js";
import { compile } from "../../compiler/compile.js";
import { testRandom } from "../helpers/fd.js";
import { type GeneratedModule, importCode } from "../helpers/generated.js";
import type { ImageModel } from "./models.js";

export interface Strategy {
  label: string;
  options: CompileOptions;
}

export const STRATEGIES: Strategy[] = [
  { label: "batched (--batch always)", options: { batch: "always" } },
  { label: "per-sample loops (--batch never --unroll never)", options: { batch: "never", unroll: "never" } },
  { label: "per-sample auto (--batch never)", options: { batch: "never" } },
  { label: "per-sample unrolled (--batch never --unroll always)", options: { batch: "never", unroll: "always" } },
];

/** The strategies a model is compiled under (unrolled only where it stays small). */
export function strategiesOf(m: ImageModel): Strategy[] {
  return STRATEGIES.filter((s) => s.options.unroll !== "always" || m.unrollAlways);
}

export interface Compiled {
  mod: GeneratedModule;
  code: string;
  batched: boolean;
  strategy: string;
  maxBatch: number;
}

const cache = new Map<string, Promise<Compiled>>();

/** The model compiled with `options` (and, for batched kernels, at most `maxBatch` rows per call), imported; cached. */
export function moduleOf(m: ImageModel, options: CompileOptions, maxBatch?: number): Promise<Compiled> {
  const key = `${m.name} ${JSON.stringify(options)} ${maxBatch ?? ""}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = (async () => {
      if (maxBatch === undefined) {
        const c = await compile(m.source, `${m.name}.nn`, { format: false, ...options });
        return { mod: await importCode(c.code), code: c.code, batched: c.batched, strategy: c.strategy, maxBatch: c.program.maxBatch };
      }
      // compile() as it is, but with the rows per call given (the compiler picks them from buffer sizes).
      const { model, derived } = analyze(m.source, `${m.name}.nn`);
      const program = lower(batch(derived), { unroll: "auto", batch: "always", maxBatch, reserved: moduleNames() });
      const { code } = emitModule(model, program, { version: NNC_VERSION, precision: options.precision ?? "f64" });
      return { mod: await importCode(code), code, batched: program.batched, strategy: program.strategy, maxBatch: program.maxBatch };
    })();
    cache.set(key, hit);
  }
  return hit;
}

export const analyzed = (m: ImageModel) => analyze(m.source, `${m.name}.nn`);

/** Sizes of the model's input and target (any rank). */
export function sizesOf(m: ImageModel): { inSize: number; tSize: number } {
  const { model } = analyzed(m);
  return { inSize: sizeOf(model.input.shape), tSize: sizeOf(model.target.shape) };
}

/** Every parameter uniform in [-0.6, 0.6): biases too, so that no bias is left untested at zero. */
export function randomParams(count: number, seed: number): Float64Array {
  const random = testRandom(seed);
  return Float64Array.from({ length: count }, () => random() * 1.2 - 0.6);
}

/** A sample: the input in [-1, 1), the target as the model's loss wants it (row `k` picks the class). */
export function sampleOf(m: ImageModel, random: () => number, k: number): { x: number[]; y: number[] } {
  const { inSize, tSize } = sizesOf(m);
  const x = Array.from({ length: inSize }, () => random() * 2 - 1);
  const y = Array.from({ length: tSize }, (_, i) => {
    if (m.target === "onehot") return i === k % tSize ? 1 : 0;
    if (m.target === "binary") return k % 2;
    return random() * 2 - 1;
  });
  return { x, y };
}

/**
 * The reference interpreter on the simplified graphs for one sample: the inference output and
 * loss, and the training loss and gradients with dropout masks drawn from testRandom(draws),
 * in the order the generated code draws them (element order, one mask after the other).
 */
export function reference(m: ImageModel, params: Float64Array, offsets: { name: string; offset: number; size: number }[], x: number[], y: number[], draws: number) {
  const { model, derived } = analyzed(m);
  const values = new Map<string, Float64Array>([
    [model.input.name, Float64Array.from(x)],
    [model.target.name, Float64Array.from(y)],
  ]);
  for (const p of offsets) values.set(p.name, params.subarray(p.offset, p.offset + p.size));
  const inference = interpret([derived.predict, derived.inferLoss], { values });
  const roots = [derived.trainLoss, ...derived.grads.values()];
  const training = interpret(roots, { values, masks: new Map(), random: testRandom(draws) });
  return {
    predict: inference.get(derived.predict.id)!,
    inferLoss: inference.get(derived.inferLoss.id)![0]!,
    trainLoss: training.get(derived.trainLoss.id)![0]!,
    grads: new Map([...derived.grads].map(([name, node]) => [name, training.get(node.id)!])),
  };
}

/** An Rng for the generated grad() that draws the same uniforms as reference(…, draws). */
export const replayRng = (draws: number) => ({ uniform: testRandom(draws), normal: () => 0, int: () => 0 });

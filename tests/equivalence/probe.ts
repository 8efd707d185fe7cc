// What the equivalence test records of a compiled module: predictions, per-sample losses and
// gradients, one minibatch's mean gradient (through a recording optimizer), a few epochs of
// fit and the evaluation after it, all on fixed pseudo-random data. Only the public module API
// is used, so the same probe runs on the compiler before and after a change to its middle.
//
//   probeModule(mod) -> { predict: [...], loss: [...], grad: {...}, step: {...}, fit: {...} }

import { testRandom } from "../helpers/fd.js";
import type { GeneratedModule } from "../helpers/generated.js";

/** A long vector kept as a fixed sample of its elements plus two checksums (order-sensitive). */
export interface Digest {
  length: number;
  sample: number[];
  sum: number;
  weighted: number;
}

export interface Probe {
  predict: number[];
  loss: number[];
  grad: Digest;
  step: { loss: number; grad: Digest };
  fit: { loss: number[]; params: Digest };
  evaluate: Record<string, number>;
}

export function digest(v: ArrayLike<number>): Digest {
  const sample: number[] = [];
  const stride = Math.max(1, Math.floor(v.length / 97));
  for (let i = 0; i < v.length; i += stride) sample.push(v[i]!);
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < v.length; i++) {
    sum += v[i]!;
    weighted += v[i]! * ((i % 7) + 1);
  }
  return { length: v.length, sample, sum, weighted };
}

interface ModelInfo {
  input: { shape: number[] };
  target: { shape: number[] };
  loss: string;
}

/** Rows of inputs in [-1, 1) and targets valid for the model's loss. */
function data(info: ModelInfo, rows: number, seed: number): { xs: number[][]; ys: number[][] } {
  const random = testRandom(seed);
  const inSize = info.input.shape[0]!;
  const tSize = info.target.shape[0]!;
  const xs = Array.from({ length: rows }, () => Array.from({ length: inSize }, () => random() * 2 - 1));
  const ys = Array.from({ length: rows }, (_, r) => {
    if (info.loss === "sparse_categorical_crossentropy") return [Math.floor(random() * 3)];
    if (info.loss === "categorical_crossentropy") return Array.from({ length: tSize }, (_, i) => (i === r % tSize ? 1 : 0));
    if (info.loss === "binary_crossentropy" || info.loss.startsWith("loss =")) return Array.from({ length: tSize }, () => (random() < 0.5 ? 0 : 1));
    return Array.from({ length: tSize }, () => random() * 2 - 1);
  });
  return { xs, ys };
}

export function probeModule(mod: GeneratedModule): Probe {
  const info = (mod as unknown as { model: ModelInfo }).model;
  const { xs, ys } = data(info, 20, 7);
  const params = mod.init(3);
  const predict = [...mod.predictBatch(params, xs.slice(0, 7))];
  const loss = [0, 1, 2].map((i) => mod.loss(params, xs[i]!, ys[i]!));
  const g = new Float64Array(params.length);
  mod.grad(params, xs[3]!, ys[3]!, g);

  let seen = new Float64Array(0);
  const optimizer = { step: (_p: Float64Array, grad: Float64Array) => void (seen = grad.slice()), iterations: 0, learningRate: 0 };
  const trainer = mod.createTrainer(params.slice(), { optimizer, seed: 4 });
  const stepLoss = trainer.step(Float64Array.from(xs.slice(0, 7).flat()), Float64Array.from(ys.slice(0, 7).flat()), 7);

  const trained = params.slice();
  const history = mod.fit(trained, xs, ys, { epochs: 3, batchSize: 8, seed: 1, verbose: 0 });
  const evaluated = mod.evaluate(trained, xs, ys) as unknown as Record<string, number>;
  return {
    predict,
    loss,
    grad: digest(g),
    step: { loss: stepLoss, grad: digest(seen) },
    fit: { loss: history.history.loss, params: digest(trained) },
    evaluate: { ...evaluated },
  };
}

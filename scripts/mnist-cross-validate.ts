// K-fold cross-validation on the 8,000 MNIST training digits (never the 2,000 held out), shared by
// the MLP's and the CNN's model selection (scripts/mnist-select.ts, scripts/mnist-cnn-select.ts).
// Fold f holds out rows [f·n/K, (f+1)·n/K) — consecutive rows, so each fold has the same number
// of each digit, as the rows interleave the digits — trains on the rest from `init(seed)` with
// `fit` (shuffled with `seed`), and scores the fold after every epoch. `runFolds: 1` runs fold 1
// alone: one validation split (the CNN's selection, whose candidates train for minutes each).
//
//   const curve = crossValidate(mod, { folds: 4, epochs: 10, batch: 8, seed: 1 }, console.log);
//   curve[e]   // mean fold accuracy after e + 1 epochs

import type { GeneratedModule } from "../compiler/emit/load-module.js";
import { MNIST_PIXELS, mnistTrain } from "./mnist-data.js";

export interface CrossValidation {
  folds: number;
  /** How many of the folds to train and score, first ones first (default all); 1 is a single
   * validation split: train on the other (K−1)/K of the training digits, score fold 1. */
  runFolds?: number;
  epochs: number;
  batch: number;
  seed: number;
}

/** Mean accuracy over the folds run, after each epoch (index e = after e + 1 epochs). */
export function crossValidate(mod: GeneratedModule, cv: CrossValidation, log: (line: string) => void): number[] {
  const train = mnistTrain();
  const foldRows = train.rows / cv.folds;
  const sums = new Array<number>(cv.epochs).fill(0);
  const run = cv.runFolds ?? cv.folds;
  for (let fold = 0; fold < run; fold++) {
    const from = fold * foldRows;
    const to = from + foldRows;
    const rest = (m: Float64Array, w: number) => {
      const out = new Float64Array((train.rows - foldRows) * w);
      out.set(m.subarray(0, from * w), 0);
      out.set(m.subarray(to * w), from * w);
      return out;
    };
    const [fx, fy] = [train.x.subarray(from * MNIST_PIXELS, to * MNIST_PIXELS), train.y.subarray(from * 10, to * 10)];
    const params = mod.init(cv.seed);
    const accuracies: number[] = [];
    const started = performance.now();
    mod.fit(params, rest(train.x, MNIST_PIXELS), rest(train.y, 10), {
      epochs: cv.epochs,
      batchSize: cv.batch,
      seed: cv.seed,
      onEpochEnd: () => {
        accuracies.push(mod.evaluate(params, fx, fy).accuracy);
      },
    });
    accuracies.forEach((a, e) => (sums[e]! += a / run));
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    log(`    fold ${fold + 1}/${cv.folds}: ${accuracies.map((a) => a.toFixed(4)).join(" ")}  (${seconds} s)`);
  }
  return sums;
}

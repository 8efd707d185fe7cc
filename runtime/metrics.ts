// The metrics fit and evaluate report besides the loss, with Keras' formulas: each function
// scores a batch of outputs against its targets and returns the SUM of the rows' scores (the
// callers divide by the row count). The emitter lists a model's metrics in its ModelCore, so a
// generated module carries the scoring functions of its own metrics and no others. They are
// function declarations, not constants: the ModelCore that names them comes first in a module.
//
//   metrics: [{ name: "accuracy", score: binaryAccuracy }, { name: "mae", score: meanAbsoluteError }]
//   binaryAccuracy(pred, Y, n, outputSize, targetSize) / n;   // the batch's accuracy

import type { AccuracyKind, ErrorMetric, Vec } from "./core.js";

/** The scoring function of each accuracy kind and error metric, by name (for the emitter). */
export const METRIC_SCORES: { [kind in Exclude<AccuracyKind, "none"> | ErrorMetric]: string } = {
  binary: "binaryAccuracy",
  categorical: "categoricalAccuracy",
  sparse_categorical: "sparseCategoricalAccuracy",
  mae: "meanAbsoluteError",
  mse: "meanSquaredError",
};

/** The index of the largest of v[start … start + width) (the first, on ties). */
function argmaxOf(v: Vec, start: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (v[start + j]! > v[start + best]!) best = j;
  return best;
}

/** Binary accuracy: per row, the fraction of output units with (pred > 0.5) == (y > 0.5). */
export function binaryAccuracy(pred: Vec, Y: Vec, n: number, outputSize: number, targetSize: number): number {
  let score = 0;
  for (let r = 0; r < n; r++) {
    const p = r * outputSize;
    const y = r * targetSize;
    let hits = 0;
    for (let j = 0; j < outputSize; j++) if (pred[p + j]! > 0.5 === Y[y + j]! > 0.5) hits++;
    score += hits / outputSize;
  }
  return score;
}

/** Categorical accuracy: 1 for a row whose argmax(pred) is argmax(y). */
export function categoricalAccuracy(pred: Vec, Y: Vec, n: number, outputSize: number, targetSize: number): number {
  let score = 0;
  for (let r = 0; r < n; r++) {
    if (argmaxOf(pred, r * outputSize, outputSize) === argmaxOf(Y, r * targetSize, targetSize)) score++;
  }
  return score;
}

/** Sparse categorical accuracy: 1 for a row whose argmax(pred) is its class index y[0]. */
export function sparseCategoricalAccuracy(
  pred: Vec,
  Y: Vec,
  n: number,
  outputSize: number,
  targetSize: number,
): number {
  let score = 0;
  for (let r = 0; r < n; r++) if (argmaxOf(pred, r * outputSize, outputSize) === Y[r * targetSize]) score++;
  return score;
}

/** Mean absolute error of each row over its output units (targets as wide as the outputs). */
export function meanAbsoluteError(pred: Vec, Y: Vec, n: number, outputSize: number, _targetSize: number): number {
  let total = 0;
  for (let r = 0; r < n; r++) {
    let row = 0;
    for (let j = 0; j < outputSize; j++) row += Math.abs(pred[r * outputSize + j]! - Y[r * outputSize + j]!);
    total += row / outputSize;
  }
  return total;
}

/** Mean squared error of each row over its output units (targets as wide as the outputs). */
export function meanSquaredError(pred: Vec, Y: Vec, n: number, outputSize: number, _targetSize: number): number {
  let total = 0;
  for (let r = 0; r < n; r++) {
    let row = 0;
    for (let j = 0; j < outputSize; j++) {
      const d = pred[r * outputSize + j]! - Y[r * outputSize + j]!;
      row += d * d;
    }
    total += row / outputSize;
  }
  return total;
}

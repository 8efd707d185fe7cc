// Scoring (evaluateModel) and inference (predictModel) over a ModelCore, in chunks of
// core.maxBatch rows; the generated module wraps them as its public evaluate / predict, and
// fitModel scores its validation data with scoreRows.
//
//   evaluateModel(core, params, xs, ys);           // { loss, accuracy }
//   predictModel(core, params, [[0.5, 1]]);        // Vec of n × outputSize

import { VecArray, type ModelCore, type Vec } from "./core.js";
import { checkParams, toMatrix, type MatrixInput } from "./data.js";
import { checkOptions, positiveInteger, type OptionRule } from "./options.js";

/** What evaluate reports: mean loss, accuracy (NaN when the model has none), requested error metrics. */
export interface EvaluateResult {
  loss: number;
  accuracy: number;
  mae?: number;
  mse?: number;
}

/** evaluate's options: a NaN or fractional batch size would otherwise give wrong numbers silently. */
const EVALUATE_OPTIONS: { [key: string]: OptionRule } = { batchSize: positiveInteger };

/** xs/ys → matrices with matching row counts (and at least one row). */
export function fitMatrices(core: ModelCore, xs: MatrixInput, ys: MatrixInput, what: string): [Vec, Vec, number] {
  const X = toMatrix(xs, core.inputSize, `${what}xs`);
  const Y = toMatrix(ys, core.targetSize, `${what}ys`);
  core.checkTargets?.(Y, `${what}ys`);
  const rows = X.length / core.inputSize;
  if (Y.length / core.targetSize !== rows) {
    throw new Error(`${what}xs has ${rows} rows but ${what}ys has ${Y.length / core.targetSize}`);
  }
  if (rows === 0) throw new Error(`${what}xs has no rows`);
  return [X, Y, rows];
}

/**
 * The mean loss and the mean of each of core.metrics over rows [0, rows) of X and Y, in
 * inference mode, in chunks of `chunk` rows (at most core.maxBatch).
 */
export function scoreRows(core: ModelCore, params: Vec, X: Vec, Y: Vec, rows: number, chunk: number): Scores {
  const { inputSize, targetSize, outputSize, metrics } = core;
  const size = Math.min(chunk, core.maxBatch);
  // The loss kernel writes each chunk's outputs here; metrics are scored from them.
  const pred = new VecArray(size * outputSize);
  let lossSum = 0;
  const sums = metrics.map(() => 0);
  for (let start = 0; start < rows; start += size) {
    const n = Math.min(size, rows - start);
    const Xc = X.subarray(start * inputSize, (start + n) * inputSize);
    const Yc = Y.subarray(start * targetSize, (start + n) * targetSize);
    lossSum += core.lossBatch(params, Xc, Yc, n, pred);
    for (let k = 0; k < metrics.length; k++) sums[k]! += metrics[k]!.score(pred, Yc, n, outputSize, targetSize);
  }
  return { loss: lossSum / rows, metrics: sums.map((sum) => sum / rows) };
}

/** Mean loss and metrics (in core.metrics order) over some rows. */
export interface Scores {
  loss: number;
  metrics: number[];
}

/**
 * Mean loss and accuracy over xs/ys in inference mode (accuracy is NaN when the model has none),
 * plus mae / mse when the model asks for them.
 */
export function evaluateModel(
  core: ModelCore,
  params: Vec,
  xs: MatrixInput,
  ys: MatrixInput,
  opts: { batchSize?: number } = {},
): EvaluateResult {
  checkOptions("evaluate", opts, EVALUATE_OPTIONS);
  checkParams(core, params, "evaluate");
  const [X, Y, rows] = fitMatrices(core, xs, ys, "");
  const scores = scoreRows(core, params, X, Y, rows, opts.batchSize ?? 32);
  const result: EvaluateResult = { loss: scores.loss, accuracy: NaN };
  core.metrics.forEach((m, k) => (result[m.name] = scores.metrics[k]!));
  return result;
}

/** Predictions for every row of xs: a Vec of rows × outputSize (inference mode). */
export function predictModel(core: ModelCore, params: Vec, xs: MatrixInput): Vec {
  checkParams(core, params, "predictBatch");
  const X = toMatrix(xs, core.inputSize, "xs");
  const rows = X.length / core.inputSize;
  const out = new VecArray(rows * core.outputSize);
  for (let start = 0; start < rows; start += core.maxBatch) {
    const n = Math.min(core.maxBatch, rows - start);
    core.predictBatch(
      params,
      X.subarray(start * core.inputSize, (start + n) * core.inputSize),
      n,
      out.subarray(start * core.outputSize, (start + n) * core.outputSize),
    );
  }
  return out;
}

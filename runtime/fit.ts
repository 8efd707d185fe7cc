// Keras-like training loop (fitModel), scoring (evaluateModel) and inference (predictModel) over
// a ModelCore; the generated module wraps them as its public fit / evaluate / predict. fitModel
// shuffles with a seeded Rng, gathers each batch into preallocated buffers and reports per-epoch
// logs; evaluateModel/predictModel split data into chunks of core.maxBatch.
//
//   const history = fitModel(core, params, xs, ys, { epochs: 20, batchSize: 16, verbose: 1 },
//                            () => createAdam(core.paramCount, { learningRate: 0.01 }, core.params));
//   history.history.loss;                          // mean training loss per epoch
//   evaluateModel(core, params, xs, ys);           // { loss, accuracy }
//   predictModel(core, params, [[0.5, 1]]);        // Vec of n × outputSize

import { VecArray, type AccuracyKind, type ErrorMetric, type ModelCore, type Vec } from "./core.js";
import type { Optimizer } from "./optimizers.js";
import { createModelTrainer } from "./trainer.js";
import { createRng, deriveSeed } from "./rng.js";
import { checkLabels, checkParams, toMatrix, type MatrixInput } from "./data.js";
import { aFunction, anOptimizer, checkOptions, nonNegativeInteger, positiveInteger, safeInteger, trueOrFalse, type OptionRule } from "./options.js";

/** Metrics of one epoch (Keras' names; gradNorm is the mean over the epoch's batches). */
export interface EpochLogs {
  loss: number;
  accuracy?: number;
  mae?: number;
  mse?: number;
  gradNorm: number;
  val_loss?: number;
  val_accuracy?: number;
  val_mae?: number;
  val_mse?: number;
}

/** What evaluate reports: mean loss, accuracy (NaN when the model has none), requested error metrics. */
export interface EvaluateResult {
  loss: number;
  accuracy: number;
  mae?: number;
  mse?: number;
}

/** One batch: its index in the epoch (0-based), rows, mean loss and gradient norm. */
export interface BatchLogs {
  batch: number;
  size: number;
  loss: number;
  gradNorm: number;
  /** False when the batch was skipped (non-finite loss or gradient, nanPolicy "skip"). */
  applied: boolean;
}

export interface FitHistory {
  /** Epoch indices (0-based) that were recorded. */
  epoch: number[];
  history: {
    loss: number[];
    accuracy?: number[];
    mae?: number[];
    mse?: number[];
    gradNorm: number[];
    val_loss?: number[];
    val_accuracy?: number[];
    val_mae?: number[];
    val_mse?: number[];
    /** Batches skipped per epoch (only with nanPolicy "skip"). */
    skipped?: number[];
  };
  /** Why training ended early, if it did. */
  stopped?: string;
}

/** Every FitOptions key and what its value must be: anything else is refused before training. */
const FIT_OPTIONS: { [key: string]: OptionRule } = {
  epochs: nonNegativeInteger,
  batchSize: (v) => (v === "full" || positiveInteger(v) === "" ? "" : 'a positive integer or "full"'),
  shuffle: trueOrFalse,
  seed: safeInteger,
  verbose: (v) => (v === 0 || v === 1 ? "" : "0 or 1"),
  onEpochEnd: aFunction,
  onBatchEnd: aFunction,
  nanPolicy: (v) => (v === "stop" || v === "skip" || v === "throw" ? "" : '"stop", "skip" or "throw"'),
  validationData: (v) => (Array.isArray(v) && v.length === 2 ? "" : "a pair [xs, ys]"),
  optimizer: anOptimizer,
};

/** evaluate's options: a NaN or fractional batch size would otherwise give wrong numbers silently. */
const EVALUATE_OPTIONS: { [key: string]: OptionRule } = { batchSize: positiveInteger };

export interface FitOptions {
  epochs?: number;
  /** Rows per update (default 32); "full" = every row in one update (full-batch gradient descent). */
  batchSize?: number | "full";
  shuffle?: boolean;
  seed?: number;
  /** 1 prints one line per epoch. */
  verbose?: 0 | 1;
  /** Return false to stop after this epoch. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | boolean;
  /** Return false to stop after this batch (the partial epoch is still recorded). */
  onBatchEnd?: (batch: number, logs: BatchLogs) => void | boolean;
  /** What a batch with a NaN/Infinity loss or gradient does. Default "stop". */
  nanPolicy?: "stop" | "skip" | "throw";
  validationData?: [MatrixInput, MatrixInput];
  /** Overrides the model's default optimizer (its state carries over between fit calls). */
  optimizer?: Optimizer;
}

/**
 * Sum over rows [0, n) of the per-sample accuracy score: binary = fraction of output units with
 * (pred > 0.5) == (y > 0.5); categorical = argmax(pred) == argmax(y); sparse_categorical =
 * argmax(pred) == y[0]. Divide by the row count for the accuracy.
 */
export function accuracyScore(kind: AccuracyKind, pred: Vec, Y: Vec, n: number, outputSize: number, targetSize: number): number {
  let score = 0;
  for (let r = 0; r < n; r++) {
    const p = r * outputSize;
    const y = r * targetSize;
    if (kind === "binary") {
      let hits = 0;
      for (let j = 0; j < outputSize; j++) if (pred[p + j] > 0.5 === Y[y + j] > 0.5) hits++;
      score += hits / outputSize;
    } else if (kind === "categorical" || kind === "sparse_categorical") {
      let best = 0;
      for (let j = 1; j < outputSize; j++) if (pred[p + j] > pred[p + best]) best = j;
      let label = Y[y];
      if (kind === "categorical") {
        let arg = 0;
        for (let j = 1; j < targetSize; j++) if (Y[y + j] > Y[y + arg]) arg = j;
        label = arg;
      }
      if (best === label) score++;
    }
  }
  return score;
}

/**
 * Sum over rows [0, n) of the row's mean absolute ("mae") or squared ("mse") error over its
 * output units; predictions and targets have the same width. Divide by the row count.
 */
export function errorScore(metric: ErrorMetric, pred: Vec, Y: Vec, n: number, width: number): number {
  let total = 0;
  for (let r = 0; r < n; r++) {
    let row = 0;
    for (let j = 0; j < width; j++) {
      const d = pred[r * width + j] - Y[r * width + j];
      row += metric === "mae" ? Math.abs(d) : d * d;
    }
    total += row / width;
  }
  return total;
}

/** xs/ys → matrices with matching row counts (and at least one row). */
function fitMatrices(core: ModelCore, xs: MatrixInput, ys: MatrixInput, what: string): [Vec, Vec, number] {
  const X = toMatrix(xs, core.inputSize, `${what}xs`);
  const Y = toMatrix(ys, core.targetSize, `${what}ys`);
  if (core.labels) checkLabels(core.labels, Y, core.targetSize, core.outputSize, `${what}ys`);
  const rows = X.length / core.inputSize;
  if (Y.length / core.targetSize !== rows) {
    throw new Error(`${what}xs has ${rows} rows but ${what}ys has ${Y.length / core.targetSize}`);
  }
  if (rows === 0) throw new Error(`${what}xs has no rows`);
  return [X, Y, rows];
}

/** Keras-style number in a log line. */
function formatLogNumber(x: number): string {
  const a = Math.abs(x);
  return a === 0 || (a >= 1e-3 && a < 1e5) ? x.toFixed(4) : x.toExponential(3);
}

/**
 * Trains `params` in place. The optimizer is opts.optimizer, else `makeOptimizer()` (the
 * generated wrapper passes a thunk over the model's own optimizer factory so only that one is
 * bundled). Returns a Keras-like FitHistory.
 */
export function fitModel(
  core: ModelCore,
  params: Vec,
  xs: MatrixInput,
  ys: MatrixInput,
  opts: FitOptions = {},
  makeOptimizer?: () => Optimizer,
): FitHistory {
  // A misspelt option (`epoch: 50`) or a value of the wrong kind would otherwise be ignored or misread.
  checkOptions("fit", opts, FIT_OPTIONS);
  checkParams(core, params, "fit");
  const epochs = opts.epochs ?? 1;
  const batchSize = opts.batchSize ?? 32;
  const fullBatch = batchSize === "full";
  const nanPolicy = opts.nanPolicy ?? "stop";
  const [X, Y, rows] = fitMatrices(core, xs, ys, "");
  const validation = opts.validationData ? fitMatrices(core, opts.validationData[0], opts.validationData[1], "validation ") : null;
  const optimizer = opts.optimizer ?? (makeOptimizer ? makeOptimizer() : null);
  if (!optimizer) throw new Error("fit: no optimizer (pass opts.optimizer)");
  const seed = opts.seed ?? 0;
  const shuffleRng = createRng(deriveSeed(seed, "shuffle"));
  const trainer = createModelTrainer(core, params, optimizer, { seed: deriveSeed(seed, "dropout") });

  const { inputSize, targetSize, outputSize } = core;
  const withAccuracy = core.accuracy !== "none";
  const withMae = core.metrics?.includes("mae") ?? false;
  const withMse = core.metrics?.includes("mse") ?? false;
  const scored = withAccuracy || withMae || withMse;
  const batchRows = fullBatch ? rows : Math.min(batchSize, rows);
  const Xb = new VecArray(batchRows * inputSize);
  const Yb = new VecArray(batchRows * targetSize);
  // The training step leaves each batch's outputs here; metrics are scored from them.
  const Pb = new VecArray(batchRows * outputSize);
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const batchCount = Math.ceil(rows / batchRows);

  const history: FitHistory = { epoch: [], history: { loss: [], gradNorm: [] } };
  const h = history.history;
  if (withAccuracy) h.accuracy = [];
  if (withMae) h.mae = [];
  if (withMse) h.mse = [];
  if (validation) {
    h.val_loss = [];
    if (withAccuracy) h.val_accuracy = [];
    if (withMae) h.val_mae = [];
    if (withMse) h.val_mse = [];
  }
  if (nanPolicy === "skip") h.skipped = [];

  for (let epoch = 0; epoch < epochs && history.stopped === undefined; epoch++) {
    if (opts.shuffle ?? true) {
      // Fisher–Yates.
      for (let i = rows - 1; i > 0; i--) {
        const j = shuffleRng.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    let lossSum = 0;
    let scoreSum = 0;
    let maeSum = 0;
    let mseSum = 0;
    let normSum = 0;
    let samples = 0;
    let appliedBatches = 0;
    let skipped = 0;
    for (let b = 0; b < batchCount; b++) {
      const start = b * batchRows;
      const n = Math.min(batchRows, rows - start);
      for (let r = 0; r < n; r++) {
        const row = order[start + r];
        for (let j = 0; j < inputSize; j++) Xb[r * inputSize + j] = X[row * inputSize + j];
        for (let j = 0; j < targetSize; j++) Yb[r * targetSize + j] = Y[row * targetSize + j];
      }
      const loss = trainer.step(Xb, Yb, n, Pb);
      // As Keras, metrics score the batch's own training forward pass (pre-update params, dropout on).
      let score = 0;
      let mae = 0;
      let mse = 0;
      if (scored) {
        if (withAccuracy) score = accuracyScore(core.accuracy, Pb, Yb, n, outputSize, targetSize);
        if (withMae) mae = errorScore("mae", Pb, Yb, n, outputSize);
        if (withMse) mse = errorScore("mse", Pb, Yb, n, outputSize);
      }
      if (trainer.applied) {
        lossSum += loss * n;
        scoreSum += score;
        maeSum += mae;
        mseSum += mse;
        normSum += trainer.gradNorm;
        samples += n;
        appliedBatches++;
      } else {
        const problem = Number.isFinite(loss) ? `gradient norm is ${trainer.gradNorm} (loss ${loss})` : `loss is ${loss}`;
        const where = `${problem} at epoch ${epoch + 1}/${epochs}, batch ${b + 1}/${batchCount}`;
        if (nanPolicy === "throw") throw new Error(`fit: ${where}`);
        if (nanPolicy === "stop") {
          // The trainer refused the update, so params are those from before this batch.
          history.stopped = `${where}; training stopped with the parameters from before that batch`;
          break;
        }
        skipped++;
      }
      if (opts.onBatchEnd?.(b, { batch: b, size: n, loss, gradNorm: trainer.gradNorm, applied: trainer.applied }) === false) {
        history.stopped = `stopped by onBatchEnd at epoch ${epoch + 1}/${epochs}, batch ${b + 1}/${batchCount}`;
        break;
      }
    }
    // An epoch cut short is still recorded when at least one batch was applied.
    if (samples === 0 && history.stopped !== undefined) break;
    const logs: EpochLogs = { loss: lossSum / samples, gradNorm: normSum / appliedBatches };
    if (withAccuracy) logs.accuracy = scoreSum / samples;
    if (withMae) logs.mae = maeSum / samples;
    if (withMse) logs.mse = mseSum / samples;
    if (validation) {
      const val = evaluateModel(core, params, validation[0], validation[1], { batchSize: batchRows });
      logs.val_loss = val.loss;
      if (withAccuracy) logs.val_accuracy = val.accuracy;
      if (withMae) logs.val_mae = val.mae;
      if (withMse) logs.val_mse = val.mse;
    }
    history.epoch.push(epoch);
    h.loss.push(logs.loss);
    h.gradNorm.push(logs.gradNorm);
    if (logs.accuracy !== undefined) h.accuracy?.push(logs.accuracy);
    if (logs.mae !== undefined) h.mae?.push(logs.mae);
    if (logs.mse !== undefined) h.mse?.push(logs.mse);
    if (logs.val_loss !== undefined) h.val_loss?.push(logs.val_loss);
    if (logs.val_accuracy !== undefined) h.val_accuracy?.push(logs.val_accuracy);
    if (logs.val_mae !== undefined) h.val_mae?.push(logs.val_mae);
    if (logs.val_mse !== undefined) h.val_mse?.push(logs.val_mse);
    h.skipped?.push(skipped);
    if (opts.verbose === 1) {
      let line = `Epoch ${epoch + 1}/${epochs} - loss: ${formatLogNumber(logs.loss)}`;
      if (logs.accuracy !== undefined) line += ` - accuracy: ${formatLogNumber(logs.accuracy)}`;
      if (logs.mae !== undefined) line += ` - mae: ${formatLogNumber(logs.mae)}`;
      if (logs.mse !== undefined) line += ` - mse: ${formatLogNumber(logs.mse)}`;
      line += ` - gradNorm: ${formatLogNumber(logs.gradNorm)}`;
      if (logs.val_loss !== undefined) line += ` - val_loss: ${formatLogNumber(logs.val_loss)}`;
      if (logs.val_accuracy !== undefined) line += ` - val_accuracy: ${formatLogNumber(logs.val_accuracy)}`;
      if (logs.val_mae !== undefined) line += ` - val_mae: ${formatLogNumber(logs.val_mae)}`;
      if (logs.val_mse !== undefined) line += ` - val_mse: ${formatLogNumber(logs.val_mse)}`;
      if (skipped > 0) line += ` - skipped: ${skipped}`;
      if (history.stopped !== undefined) line += ` - ${history.stopped}`;
      // The runtime's one console use; reached through globalThis so no DOM/Node typings are needed.
      (globalThis as unknown as { console: { log(line: string): void } }).console.log(line);
    }
    if (opts.onEpochEnd?.(epoch, logs) === false && history.stopped === undefined) {
      history.stopped = `stopped by onEpochEnd after epoch ${epoch + 1}/${epochs}`;
    }
  }
  return history;
}

/**
 * Mean loss and accuracy over xs/ys in inference mode (accuracy is NaN when core.accuracy is
 * "none"), plus mae / mse when the model asks for them.
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
  const { inputSize, targetSize, outputSize } = core;
  const chunk = Math.min(opts.batchSize ?? 32, core.maxBatch);
  const withAccuracy = core.accuracy !== "none";
  const withMae = core.metrics?.includes("mae") ?? false;
  const withMse = core.metrics?.includes("mse") ?? false;
  // The loss kernel writes each chunk's outputs here; metrics are scored from them.
  const pred = new VecArray(chunk * outputSize);
  let lossSum = 0;
  let score = 0;
  let maeSum = 0;
  let mseSum = 0;
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    const Xc = X.subarray(start * inputSize, (start + n) * inputSize);
    const Yc = Y.subarray(start * targetSize, (start + n) * targetSize);
    lossSum += core.lossBatch(params, Xc, Yc, n, pred);
    if (withAccuracy) score += accuracyScore(core.accuracy, pred, Yc, n, outputSize, targetSize);
    if (withMae) maeSum += errorScore("mae", pred, Yc, n, outputSize);
    if (withMse) mseSum += errorScore("mse", pred, Yc, n, outputSize);
  }
  const result: EvaluateResult = { loss: lossSum / rows, accuracy: withAccuracy ? score / rows : NaN };
  if (withMae) result.mae = maeSum / rows;
  if (withMse) result.mse = mseSum / rows;
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

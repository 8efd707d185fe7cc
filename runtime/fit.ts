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

import { VecArray, type Metric, type MetricName, type ModelCore, type Vec } from "./core.js";
import type { Optimizer } from "./optimizers.js";
import { createModelTrainer } from "./trainer.js";
import { createRng, deriveSeed } from "./rng.js";
import { checkParams, toMatrix, type MatrixInput } from "./data.js";
import {
  aFunction,
  anOptimizer,
  checkOptions,
  nonNegativeInteger,
  positiveInteger,
  safeInteger,
  trueOrFalse,
  type OptionRule,
} from "./options.js";

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

/** xs/ys → matrices with matching row counts (and at least one row). */
function fitMatrices(core: ModelCore, xs: MatrixInput, ys: MatrixInput, what: string): [Vec, Vec, number] {
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

/** Keras-style number in a log line. */
function formatLogNumber(x: number): string {
  const a = Math.abs(x);
  return a === 0 || (a >= 1e-3 && a < 1e5) ? x.toFixed(4) : x.toExponential(3);
}

/** Keras' name of a metric scored on the validation data. */
function validationName(name: MetricName): `val_${MetricName}` {
  return `val_${name}`;
}

/** The per-epoch values fit records besides loss and gradNorm (keys of both EpochLogs and the history). */
type LoggedName = MetricName | "val_loss" | `val_${MetricName}`;

/** The verbose line of one epoch, in Keras' order: loss, metrics, gradNorm, then the validation values. */
function epochLine(epoch: number, epochs: number, logs: EpochLogs, metrics: readonly Metric[]): string {
  let line = `Epoch ${epoch + 1}/${epochs} - loss: ${formatLogNumber(logs.loss)}`;
  for (const m of metrics) line += ` - ${m.name}: ${formatLogNumber(logs[m.name]!)}`;
  line += ` - gradNorm: ${formatLogNumber(logs.gradNorm)}`;
  if (logs.val_loss !== undefined) {
    line += ` - val_loss: ${formatLogNumber(logs.val_loss)}`;
    for (const m of metrics) line += ` - val_${m.name}: ${formatLogNumber(logs[validationName(m.name)]!)}`;
  }
  return line;
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
  const validation = opts.validationData
    ? fitMatrices(core, opts.validationData[0], opts.validationData[1], "validation ")
    : null;
  const optimizer = opts.optimizer ?? (makeOptimizer ? makeOptimizer() : null);
  if (!optimizer) throw new Error("fit: no optimizer (pass opts.optimizer)");
  const seed = opts.seed ?? 0;
  const shuffleRng = createRng(deriveSeed(seed, "shuffle"));
  const trainer = createModelTrainer(core, params, optimizer, { seed: deriveSeed(seed, "dropout") });

  const { inputSize, targetSize, outputSize, metrics } = core;
  const batchRows = fullBatch ? rows : Math.min(batchSize, rows);
  const Xb = new VecArray(batchRows * inputSize);
  const Yb = new VecArray(batchRows * targetSize);
  // The training step leaves each batch's outputs here; metrics are scored from them.
  const Pb = new VecArray(batchRows * outputSize);
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const batchCount = Math.ceil(rows / batchRows);
  // The epoch's sum of each metric's batch scores (plain numbers: a float32 module sums in doubles too).
  const sums = metrics.map(() => 0);

  // What each epoch records besides loss and gradNorm, in the order the history lists it.
  const logged: LoggedName[] = metrics.map((m) => m.name);
  if (validation) logged.push("val_loss", ...metrics.map((m) => validationName(m.name)));
  const history: FitHistory = { epoch: [], history: { loss: [], gradNorm: [] } };
  const h = history.history;
  for (const name of logged) h[name] = [];
  if (nanPolicy === "skip") h.skipped = [];

  for (let epoch = 0; epoch < epochs && history.stopped === undefined; epoch++) {
    if (opts.shuffle ?? true) {
      // Fisher–Yates.
      for (let i = rows - 1; i > 0; i--) {
        const j = shuffleRng.int(i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
    }
    let lossSum = 0;
    sums.fill(0);
    let normSum = 0;
    let samples = 0;
    let appliedBatches = 0;
    let skipped = 0;
    for (let b = 0; b < batchCount; b++) {
      const start = b * batchRows;
      const n = Math.min(batchRows, rows - start);
      for (let r = 0; r < n; r++) {
        const row = order[start + r]!;
        for (let j = 0; j < inputSize; j++) Xb[r * inputSize + j] = X[row * inputSize + j]!;
        for (let j = 0; j < targetSize; j++) Yb[r * targetSize + j] = Y[row * targetSize + j]!;
      }
      const loss = trainer.step(Xb, Yb, n, Pb);
      if (trainer.applied) {
        lossSum += loss * n;
        // As Keras, metrics score the batch's own training forward pass (pre-update params, dropout on).
        for (let k = 0; k < metrics.length; k++) sums[k]! += metrics[k]!.score(Pb, Yb, n, outputSize, targetSize);
        normSum += trainer.gradNorm;
        samples += n;
        appliedBatches++;
      } else {
        const problem = Number.isFinite(loss)
          ? `gradient norm is ${trainer.gradNorm} (loss ${loss})`
          : `loss is ${loss}`;
        const where = `${problem} at epoch ${epoch + 1}/${epochs}, batch ${b + 1}/${batchCount}`;
        if (nanPolicy === "throw") throw new Error(`fit: ${where}`);
        if (nanPolicy === "stop") {
          // The trainer refused the update, so params are those from before this batch.
          history.stopped = `${where}; training stopped with the parameters from before that batch`;
          break;
        }
        skipped++;
      }
      const batchLogs = { batch: b, size: n, loss, gradNorm: trainer.gradNorm, applied: trainer.applied };
      if (opts.onBatchEnd?.(b, batchLogs) === false) {
        history.stopped = `stopped by onBatchEnd at epoch ${epoch + 1}/${epochs}, batch ${b + 1}/${batchCount}`;
        break;
      }
    }
    // An epoch cut short is still recorded when at least one batch was applied.
    if (samples === 0 && history.stopped !== undefined) break;
    const logs: EpochLogs = { loss: lossSum / samples, gradNorm: normSum / appliedBatches };
    metrics.forEach((m, k) => (logs[m.name] = sums[k]! / samples));
    if (validation) {
      const val = scoreRows(core, params, validation[0], validation[1], validation[2], batchRows);
      logs.val_loss = val.loss;
      metrics.forEach((m, k) => (logs[validationName(m.name)] = val.metrics[k]!));
    }
    history.epoch.push(epoch);
    h.loss.push(logs.loss);
    h.gradNorm.push(logs.gradNorm);
    for (const name of logged) h[name]!.push(logs[name]!);
    h.skipped?.push(skipped);
    if (opts.verbose === 1) {
      let line = epochLine(epoch, epochs, logs, metrics);
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
 * The mean loss and the mean of each of core.metrics over rows [0, rows) of X and Y, in
 * inference mode, in chunks of `chunk` rows (at most core.maxBatch).
 */
function scoreRows(core: ModelCore, params: Vec, X: Vec, Y: Vec, rows: number, chunk: number): Scores {
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
interface Scores {
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

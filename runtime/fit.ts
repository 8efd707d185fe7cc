// Keras-like training loop (fitModel) over a ModelCore; the generated module wraps it as its
// public fit. It shuffles with a seeded Rng, gathers each batch into preallocated buffers and
// reports per-epoch logs (validation scored by evaluate.ts's scoreRows).
//
//   const history = fitModel(core, params, xs, ys, { epochs: 20, batchSize: 16, verbose: 1 },
//                            () => createAdam(core.paramCount, { learningRate: 0.01 }, core.params));
//   history.history.loss;                          // mean training loss per epoch

import { VecArray, type Metric, type MetricName, type ModelCore, type Vec } from "./core.js";
import type { Optimizer } from "./optimizers.js";
import { createModelTrainer } from "./trainer.js";
import { createRng, deriveSeed } from "./rng.js";
import { checkParams, type MatrixInput } from "./data.js";
import { fitMatrices, scoreRows } from "./evaluate.js";
import {
  createEarlyStopping,
  createReduceLrOnPlateau,
  followsSchedule,
  type EarlyStoppingOptions,
  type ReduceLrOnPlateauOptions,
} from "./callbacks.js";
import { createHealthMonitor, type HealthHistory } from "./health.js";
import {
  aFunction,
  anObject,
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
    /** The learning rate at each epoch's end, before reduceLrOnPlateau changes it (only with it). */
    learningRate?: number[];
  };
  /** Why training ended early, if it did (a NaN batch, a callback), apart from early stopping. */
  stopped?: string;
  /** Per-layer gradient norms, update ratios and activation statistics (only with `health: true`). */
  health?: HealthHistory;
  /** When earlyStopping ended training (0-based epochs), and which epoch's weights were restored (-1: none). */
  earlyStopping?: { stoppedEpoch: number; monitor: string; best: number; bestEpoch: number; restoredEpoch: number };
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
  health: trueOrFalse,
  earlyStopping: anObject,
  reduceLrOnPlateau: anObject,
};

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
  /** Record per-layer gradient norms, update ratios and activation statistics in `history.health` (costs time). */
  health?: boolean;
  /** Keras' EarlyStopping: stop when the monitored value stops improving. */
  earlyStopping?: EarlyStoppingOptions;
  /** Keras' ReduceLROnPlateau: lower the learning rate when the monitored value stops improving. */
  reduceLrOnPlateau?: ReduceLrOnPlateauOptions;
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
  const { inputSize, targetSize, outputSize, metrics } = core;
  // What each epoch records besides loss and gradNorm, in the order the history lists it.
  const logged: LoggedName[] = metrics.map((m) => m.name);
  if (validation) logged.push("val_loss", ...metrics.map((m) => validationName(m.name)));
  const monitored = ["loss", ...logged];
  const early = opts.earlyStopping ? createEarlyStopping(opts.earlyStopping, monitored, core.paramCount) : null;
  const plateau = opts.reduceLrOnPlateau ? createReduceLrOnPlateau(opts.reduceLrOnPlateau, monitored) : null;
  if (plateau && followsSchedule(optimizer)) {
    throw new Error(
      "fit: reduceLrOnPlateau sets the learning rate, but this optimizer follows a schedule; use one or the other",
    );
  }
  const batchCount = Math.ceil(rows / (fullBatch ? rows : Math.min(batchSize, rows)));
  const health = opts.health === true ? createHealthMonitor(core, optimizer, X, rows, batchCount) : null;
  const seed = opts.seed ?? 0;
  const shuffleRng = createRng(deriveSeed(seed, "shuffle"));
  const trainOptimizer = health?.optimizer ?? optimizer;
  const trainer = createModelTrainer(core, params, trainOptimizer, { seed: deriveSeed(seed, "dropout") });

  const batchRows = fullBatch ? rows : Math.min(batchSize, rows);
  const Xb = new VecArray(batchRows * inputSize);
  const Yb = new VecArray(batchRows * targetSize);
  // The training step leaves each batch's outputs here; metrics are scored from them.
  const Pb = new VecArray(batchRows * outputSize);
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  // The epoch's sum of each metric's batch scores (plain numbers: a float32 module sums in doubles too).
  const sums = metrics.map(() => 0);

  const history: FitHistory = { epoch: [], history: { loss: [], gradNorm: [] } };
  const h = history.history;
  for (const name of logged) h[name] = [];
  if (nanPolicy === "skip") h.skipped = [];
  if (plateau) h.learningRate = [];
  if (health) history.health = health.history;

  for (let epoch = 0; epoch < epochs && history.stopped === undefined && !history.earlyStopping; epoch++) {
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
    health?.endEpoch(params);
    if (plateau) {
      h.learningRate!.push(optimizer.learningRate);
      plateau.update(loggedValue(logs, plateau.monitor), optimizer);
    }
    if (early?.update(epoch, loggedValue(logs, early.monitor), params)) {
      const { monitor, best, bestEpoch } = early;
      history.earlyStopping = { stoppedEpoch: epoch, monitor, best, bestEpoch, restoredEpoch: -1 };
    }
    if (opts.verbose === 1) {
      let line = epochLine(epoch, epochs, logs, metrics);
      if (skipped > 0) line += ` - skipped: ${skipped}`;
      if (history.stopped !== undefined) line += ` - ${history.stopped}`;
      if (history.earlyStopping) line += ` - early stopping (${history.earlyStopping.monitor} has not improved)`;
      // The runtime's one console use; reached through globalThis so no DOM/Node typings are needed.
      (globalThis as unknown as { console: { log(line: string): void } }).console.log(line);
    }
    if (opts.onEpochEnd?.(epoch, logs) === false && history.stopped === undefined) {
      history.stopped = `stopped by onEpochEnd after epoch ${epoch + 1}/${epochs}`;
    }
  }
  // As Keras 3: the best epoch's weights come back when training ends, stopped early or not.
  const restored = early ? early.restore(params) : -1;
  if (early && restored >= 0) {
    const { monitor, best, bestEpoch } = early;
    history.earlyStopping ??= { stoppedEpoch: -1, monitor, best, bestEpoch, restoredEpoch: -1 };
    history.earlyStopping.restoredEpoch = restored;
  }
  return history;
}

/** A logged value by its name (loss, a metric, val_…). */
function loggedValue(logs: EpochLogs, name: string): number {
  return (logs as unknown as { [name: string]: number })[name]!;
}

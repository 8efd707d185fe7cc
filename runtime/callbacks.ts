// Keras 3's EarlyStopping and ReduceLROnPlateau as fit options (`fit(…, { earlyStopping: {…},
// reduceLrOnPlateau: {…} })`), with Keras' names (camelCase), defaults and rules: each is a small
// state machine fed the monitored value at the end of every epoch. EarlyStopping says when to
// stop and keeps the best epoch's weights (restored when training ends, as Keras 3 does);
// ReduceLROnPlateau multiplies the optimizer's learning rate by `factor` after `patience` epochs
// without improvement.
//
//   const stop = createEarlyStopping({ monitor: "val_loss", patience: 3, restoreBestWeights: true }, params);
//   if (stop.update(epoch, logs.val_loss, params)) break;   // after the epoch's logs are known
//   stop.restore(params);                                     // when training ends

import type { Vec } from "./core.js";
import { VecArray } from "./core.js";
import type { Optimizer } from "./optimizers.js";
import { checkOptions, nonNegativeInteger, trueOrFalse, type OptionRule } from "./options.js";

export interface EarlyStoppingOptions {
  /** The logged value to watch (default "val_loss"): loss, a metric, or their val_ forms. */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** "min", "max", or "auto" (default: max for accuracy, else min). */
  mode?: "auto" | "min" | "max";
  /** Patience only restarts on epochs better than this too (default: none). */
  baseline?: number;
  /** Put back the weights of the best epoch when training ends (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to train before watching at all (default 0). */
  startFromEpoch?: number;
}

export interface ReduceLrOnPlateauOptions {
  monitor?: string;
  /** The learning rate's multiplier on a plateau, in (0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  mode?: "auto" | "min" | "max";
  /** Smallest change that counts as an improvement (default 1e-4). */
  minDelta?: number;
  /** Epochs after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The learning rate never goes below this (default 0). */
  minLr?: number;
}

function finiteNumber(v: unknown): string {
  return typeof v === "number" && Number.isFinite(v) ? "" : "a finite number";
}
function nonNegativeNumber(v: unknown): string {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? "" : "a finite number ≥ 0";
}
function aMode(v: unknown): string {
  return v === "auto" || v === "min" || v === "max" ? "" : '"auto", "min" or "max"';
}
function aString(v: unknown): string {
  return typeof v === "string" ? "" : "a string naming a logged value, such as \"val_loss\"";
}
function aFactor(v: unknown): string {
  return typeof v === "number" && v > 0 && v < 1 ? "" : "a number in (0, 1)";
}

const EARLY_STOPPING: { [key: string]: OptionRule } = {
  monitor: aString,
  minDelta: nonNegativeNumber,
  patience: nonNegativeInteger,
  mode: aMode,
  baseline: finiteNumber,
  restoreBestWeights: trueOrFalse,
  startFromEpoch: nonNegativeInteger,
};

const REDUCE_LR: { [key: string]: OptionRule } = {
  monitor: aString,
  factor: aFactor,
  patience: nonNegativeInteger,
  mode: aMode,
  minDelta: nonNegativeNumber,
  cooldown: nonNegativeInteger,
  minLr: nonNegativeNumber,
};

/**
 * Whether larger values of `monitor` are better. "auto" as Keras decides it: accuracy goes up,
 * losses and error metrics go down.
 */
function maximizes(monitor: string, mode: "auto" | "min" | "max" | undefined): boolean {
  if (mode === "max" || mode === "min") return mode === "max";
  return monitor.replace(/^val_/, "") === "accuracy";
}

/** Throws unless fit logs `monitor` (`logged`: the names it logs, in order). */
function checkMonitor(what: string, monitor: string, logged: readonly string[]): void {
  if (logged.includes(monitor)) return;
  const hint = monitor.startsWith("val_") && logged.includes(monitor.slice(4)) ? " without validationData" : "";
  throw new Error(`fit: ${what} monitors '${monitor}', which fit does not log${hint} (it logs: ${logged.join(", ")})`);
}

export interface EarlyStopping {
  readonly monitor: string;
  /** Feeds one epoch's value; true when training should stop after this epoch. */
  update(epoch: number, value: number, params: Vec): boolean;
  /** With restoreBestWeights, copies the best epoch's weights into params; returns that epoch, else -1. */
  restore(params: Vec): number;
  /** The best value seen and its epoch (0-based; -1 before any). */
  readonly best: number;
  readonly bestEpoch: number;
  readonly patience: number;
}

/** Keras 3's EarlyStopping over the values fit logs (`logged`); params sizes the weights copy. */
export function createEarlyStopping(
  opts: EarlyStoppingOptions,
  logged: readonly string[],
  size: number,
): EarlyStopping {
  checkOptions("fit: earlyStopping", opts, EARLY_STOPPING);
  const monitor = opts.monitor ?? "val_loss";
  checkMonitor("earlyStopping", monitor, logged);
  const up = maximizes(monitor, opts.mode);
  const minDelta = opts.minDelta ?? 0;
  const patience = opts.patience ?? 0;
  const startFromEpoch = opts.startFromEpoch ?? 0;
  const restoreBest = opts.restoreBestWeights ?? false;
  // Keras: monitor_op(current − min_delta, reference), with min_delta negated when minimizing.
  const better = (value: number, reference: number) =>
    up ? value - minDelta > reference : value + minDelta < reference;
  const bestWeights = new VecArray(restoreBest ? size : 0);
  const state = { best: up ? -Infinity : Infinity, bestEpoch: -1, wait: 0, saved: false, savedEpoch: -1 };
  const save = (params: Vec, epoch: number) => {
    bestWeights.set(params);
    state.saved = true;
    state.savedEpoch = epoch;
  };
  return {
    monitor,
    patience,
    get best() {
      return state.best;
    },
    get bestEpoch() {
      return state.bestEpoch;
    },
    update(epoch, value, params) {
      if (epoch < startFromEpoch) return false;
      // As Keras: before any improvement, the first watched epoch's weights count as the best.
      if (restoreBest && !state.saved) save(params, epoch);
      state.wait++;
      if (better(value, state.best)) {
        state.best = value;
        state.bestEpoch = epoch;
        if (restoreBest) save(params, epoch);
        if (opts.baseline === undefined || better(value, opts.baseline)) state.wait = 0;
        return false;
      }
      return state.wait >= patience && epoch > 0;
    },
    restore(params) {
      if (!state.saved) return -1;
      params.set(bestWeights);
      return state.savedEpoch;
    },
  };
}

export interface ReduceLrOnPlateau {
  readonly monitor: string;
  /** Feeds one epoch's value; lowers the optimizer's learning rate on a plateau. Returns the new rate, or NaN. */
  update(value: number, optimizer: Optimizer): number;
}

/** Keras 3's ReduceLROnPlateau over the values fit logs. */
export function createReduceLrOnPlateau(opts: ReduceLrOnPlateauOptions, logged: readonly string[]): ReduceLrOnPlateau {
  checkOptions("fit: reduceLrOnPlateau", opts, REDUCE_LR);
  const monitor = opts.monitor ?? "val_loss";
  checkMonitor("reduceLrOnPlateau", monitor, logged);
  // Keras decides "auto" here by whether the name contains "acc".
  const up = opts.mode === "max" || ((opts.mode ?? "auto") === "auto" && monitor.includes("acc"));
  const { factor = 0.1, patience = 10, minDelta = 1e-4, cooldown = 0, minLr = 0 } = opts;
  const state = { best: up ? -Infinity : Infinity, wait: 0, cooldown: 0 };
  return {
    monitor,
    update(value, optimizer) {
      if (state.cooldown > 0) {
        state.cooldown--;
        state.wait = 0;
      }
      if (up ? value > state.best + minDelta : value < state.best - minDelta) {
        state.best = value;
        state.wait = 0;
      } else if (state.cooldown === 0) {
        state.wait++;
        const old = optimizer.learningRate;
        if (state.wait >= patience && old > minLr) {
          const rate = Math.max(old * factor, minLr);
          optimizer.learningRate = rate;
          state.cooldown = cooldown;
          state.wait = 0;
          return rate;
        }
      }
      return NaN;
    },
  };
}

/** Whether an optimizer's learning rate follows a schedule (setting it then throws; see optimizers.ts). */
export function followsSchedule(optimizer: Optimizer): boolean {
  try {
    // Setting the rate it already has changes nothing on an optimizer without a schedule.
    optimizer.learningRate = optimizer.learningRate;
    return false;
  } catch {
    return true;
  }
}

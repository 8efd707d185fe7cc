// The optimizers' names, options and Keras 3 defaults, and the settings string a generated
// training step bakes in: what the compiler validates a model's `optimizer` line against and
// what runtime/optimizers.ts builds its optimizers from.
//
//   OPTIMIZERS.adam.options.beta1            // 0.9
//   optimizerSettings("adam", { clipnorm: 1 })  // every option, defaults filled in, in a fixed order

import type { ClipOptions } from "./clip.js";
import type { LearningRateSchedule } from "./schedules.js";

/** Each optimizer's per-parameter state arrays, in the order OptimizerState.arrays holds them. */
export const STATE_ARRAYS = {
  sgd: ["velocity"],
  adam: ["m", "v"],
  rmsprop: ["velocity", "moments", "meanGrad"],
  adagrad: ["accumulator"],
} as const;

/**
 * The settings that decide an optimizer's update, besides its learning rate (which may change
 * between steps): its name and every option with its default filled in, clipping included, in
 * a fixed order. The compiler bakes a model's into its generated training step, which runs only
 * for an optimizer with exactly these.
 */
export function optimizerSettings(name: OptimizerName, options: object): string {
  const given = options as Record<string, unknown>;
  const defaults = OPTIMIZERS[name].options as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(defaults))
    if (key !== "learningRate") parts.push(`${key}=${String(given[key] ?? defaults[key])}`);
  for (const key of CLIP_OPTIONS)
    if (given[key] !== undefined && given[key] !== null) parts.push(`${key}=${String(given[key])}`);
  return `${name}(${parts.join(", ")})`;
}

export type OptimizerName = "sgd" | "adam" | "rmsprop" | "adagrad";

/** Option names (camelCase) and Keras 3 defaults; the compiler validates the DSL against these. */
export const OPTIMIZERS = {
  sgd: { factory: "createSgd", options: { learningRate: 0.01, momentum: 0, nesterov: false } },
  adam: { factory: "createAdam", options: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } },
  rmsprop: {
    factory: "createRmsprop",
    options: { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
  },
  adagrad: {
    factory: "createAdagrad",
    options: { learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 },
  },
} as const;

/** Clipping options every optimizer accepts (default: unset). See clip.ts. */
export const CLIP_OPTIONS = ["clipnorm", "clipvalue", "globalClipnorm"] as const;

/** Keras' snake_case spelling of option names that differ from ours. */
export const OPTION_KERAS_NAMES = {
  learningRate: "learning_rate",
  beta1: "beta_1",
  beta2: "beta_2",
  initialAccumulatorValue: "initial_accumulator_value",
  globalClipnorm: "global_clipnorm",
} as const;

/** A fixed learning rate, or a schedule of the step count (schedules.ts). */
export type LearningRate = number | LearningRateSchedule;

export interface SgdOptions extends ClipOptions {
  learningRate?: LearningRate;
  momentum?: number;
  nesterov?: boolean;
}
export interface AdamOptions extends ClipOptions {
  learningRate?: LearningRate;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}
export interface RmspropOptions extends ClipOptions {
  learningRate?: LearningRate;
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}
export interface AdagradOptions extends ClipOptions {
  learningRate?: LearningRate;
  initialAccumulatorValue?: number;
  epsilon?: number;
}

export type OptimizerSpec =
  | { name: "sgd"; options?: SgdOptions }
  | { name: "adam"; options?: AdamOptions }
  | { name: "rmsprop"; options?: RmspropOptions }
  | { name: "adagrad"; options?: AdagradOptions };

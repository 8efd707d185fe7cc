// The training configuration that travels with a model: loss, optimizer and metrics, in nnc's
// words (the model file's names), and how Keras and TensorFlow.js spell them. The tfjs importer
// reads a `training_config`, the exporter writes one that tf.loadLayersModel compiles; ONNX has
// no place for one, so nnc keeps its own in the file's metadata (onnx/export.ts).
//
//   lossFromKeras("categoricalCrossentropy")      -> { name: "categorical_crossentropy", fromLogits: false }
//   optimizerFromKeras({ class_name: "Adam", config: { learningRate: 0.01 } }) -> { name: "adam", options: { learning_rate: 0.01 } }

import { InteropError } from "./errors.js";

export const LOSSES = ["mse", "mae", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"] as const;
export type LossName = (typeof LOSSES)[number];
export type MetricName = "accuracy" | "mae" | "mse";

export interface Training {
  loss?: { name: LossName; fromLogits: boolean };
  /** Options by the model file's (Keras 3) names: learning_rate, beta_1, … */
  optimizer?: { name: "sgd" | "adam" | "rmsprop" | "adagrad"; options: Record<string, number | boolean> };
  metrics: MetricName[];
}

/** "categoricalCrossentropy", "CategoricalCrossentropy", "categorical_crossentropy" -> "categorical_crossentropy". */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

const LOSS_SPELLINGS: Record<string, LossName> = {
  mse: "mse",
  mean_squared_error: "mse",
  mae: "mae",
  mean_absolute_error: "mae",
  binary_crossentropy: "binary_crossentropy",
  categorical_crossentropy: "categorical_crossentropy",
  sparse_categorical_crossentropy: "sparse_categorical_crossentropy",
};

/** A Keras or tfjs loss (a name, or Keras 3's `{ class_name, config }`), or an InteropError saying what is known. */
export function lossFromKeras(value: unknown, where: string): { name: LossName; fromLogits: boolean } {
  let name: unknown = value;
  let fromLogits = false;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const v = value as { class_name?: unknown; config?: { from_logits?: unknown } };
    name = v.class_name;
    fromLogits = v.config?.from_logits === true;
  }
  const known = typeof name === "string" ? LOSS_SPELLINGS[snakeCase(name)] : undefined;
  if (!known) {
    throw new InteropError(`${where}: the loss ${JSON.stringify(value)} is not one nnc has (it has ${LOSSES.join(", ")}); a model trained with another loss cannot be imported with its training configuration`);
  }
  return { name: known, fromLogits };
}

/** Keras / tfjs metric names nnc reports ("acc", "accuracy", "meanAbsoluteError", …). */
export function metricFromKeras(value: unknown, where: string): MetricName {
  const name = typeof value === "string" ? snakeCase(value) : "";
  if (name === "acc" || name === "accuracy" || name.endsWith("_accuracy")) return "accuracy";
  if (name === "mae" || name === "mean_absolute_error") return "mae";
  if (name === "mse" || name === "mean_squared_error") return "mse";
  throw new InteropError(`${where}: the metric ${JSON.stringify(value)} is not one nnc reports (it has accuracy, mae, mse)`);
}

/** Keras 3 option names (and tfjs' camelCase ones, and old Keras' `lr`) -> the model file's names, per optimizer. */
const OPTIMIZER_OPTIONS: Record<string, { nnc: NonNullable<Training["optimizer"]>["name"]; options: Record<string, string> }> = {
  sgd: { nnc: "sgd", options: { learning_rate: "learning_rate", lr: "learning_rate", momentum: "momentum", nesterov: "nesterov", use_nesterov: "nesterov" } },
  momentum: { nnc: "sgd", options: { learning_rate: "learning_rate", momentum: "momentum", use_nesterov: "nesterov" } },
  adam: { nnc: "adam", options: { learning_rate: "learning_rate", lr: "learning_rate", beta_1: "beta_1", beta1: "beta_1", beta_2: "beta_2", beta2: "beta_2", epsilon: "epsilon" } },
  rmsprop: { nnc: "rmsprop", options: { learning_rate: "learning_rate", lr: "learning_rate", rho: "rho", decay: "rho", momentum: "momentum", epsilon: "epsilon", centered: "centered" } },
  adagrad: { nnc: "adagrad", options: { learning_rate: "learning_rate", lr: "learning_rate", initial_accumulator_value: "initial_accumulator_value", epsilon: "epsilon" } },
};

/** Keras options that must keep their neutral value for nnc's optimizer to be the same one. */
const NEUTRAL: Record<string, unknown[]> = { amsgrad: [false], weight_decay: [null, 0], use_ema: [false], decay: [0], ema_momentum: [], ema_overwrite_frequency: [null], loss_scale_factor: [null], gradient_accumulation_steps: [null], name: [], jit_compile: [] };
const CLIPPING = ["clipnorm", "clipvalue", "global_clipnorm"];

/** `{ class_name, config }` of a Keras or tfjs optimizer, as the model file's optimizer. */
export function optimizerFromKeras(value: unknown, where: string): NonNullable<Training["optimizer"]> {
  const v = (value ?? {}) as { class_name?: unknown; config?: Record<string, unknown> };
  const className = typeof v.class_name === "string" ? v.class_name : "";
  const row = OPTIMIZER_OPTIONS[className.toLowerCase()];
  if (!row) throw new InteropError(`${where}: the optimizer ${JSON.stringify(className)} is not one nnc has (it has SGD, Momentum, Adam, RMSProp, Adagrad)`);
  const options: Record<string, number | boolean> = {};
  for (const [key, raw] of Object.entries(v.config ?? {})) {
    const k = snakeCase(key);
    // rmsprop's tfjs `decay` is Keras' rho; elsewhere `decay` is the old learning-rate decay.
    const target = row.options[k] ?? (CLIPPING.includes(k) ? k : undefined);
    if (target && !(k === "decay" && row.nnc !== "rmsprop")) {
      if (raw === null || raw === undefined) continue;
      if (typeof raw !== "number" && typeof raw !== "boolean") throw new InteropError(`${where}: ${className} option '${key}' is ${JSON.stringify(raw)}; nnc takes a number here (learning-rate schedules are not supported)`);
      options[target] = raw;
      continue;
    }
    const neutral = NEUTRAL[k];
    if (neutral && (neutral.length === 0 || neutral.includes(raw ?? null))) continue;
    throw new InteropError(`${where}: ${className} option '${key}' = ${JSON.stringify(raw)} has no counterpart in nnc's ${row.nnc}`);
  }
  // tfjs' SGD is plain gradient descent; its Momentum optimizer is nnc's sgd with momentum.
  return { name: row.nnc, options };
}

/** The loss nnc chooses when a file has no training configuration: by the output's activation. */
export function defaultLoss(outputActivation: string | undefined): LossName {
  if (outputActivation === "softmax") return "categorical_crossentropy";
  if (outputActivation === "sigmoid") return "binary_crossentropy";
  return "mse";
}

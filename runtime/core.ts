// The contract between generated model code and the runtime helpers.
// The emitter writes one `ModelCore` object per model (its shapes and its specialized
// kernels); every runtime helper (trainer, fit, evaluate, params JSON) works through it.
// This file, like every file in runtime/, is copied into generated modules by the emitter,
// so it must stay self-contained TypeScript with no Node or DOM APIs.

import type { LearningRateSchedule } from "./schedules.js";

/**
 * The storage type of parameters, gradients, optimizer state and activations. The emitter
 * rewrites these two declarations to Float32Array for `--precision f32`; use `Vec` and
 * `new VecArray(n)` everywhere instead of naming Float64Array.
 */
export type Vec = Float64Array;
/** Makes a Vec: `new VecArray(n)`. */
export const VecArray = Float64Array;

/** One parameter tensor inside the flat parameter vector. */
export interface ParamInfo {
  name: string;
  shape: number[];
  offset: number;
  size: number;
  /** Initializer name and arguments, e.g. { name: "glorot_uniform" } or { name: "constant", value: 0.1 }. */
  init: InitSpec;
}

export interface InitSpec {
  name: string;
  value?: number;
}

/** A tensor of the model file (input, target, output): its name and shape. */
export interface TensorInfo {
  name: string;
  shape: number[];
}

/** What a generated module's `model` export says about its model. */
export interface ModelInfo {
  name: string;
  input: TensorInfo;
  target: TensorInfo;
  output: TensorInfo;
  params: ParamInfo[];
  paramCount: number;
  /** The loss as the model file names it ("binary_crossentropy"), or the line that computes it. */
  loss: string;
  /**
   * The optimizer and all its options (defaults filled in), as createOptimizer() uses them; a
   * learning-rate schedule of the model file is the learningRate option's value.
   */
  optimizer: { name: string; options: { [option: string]: number | boolean | LearningRateSchedule } };
  accuracy: AccuracyKind;
  kernels: KernelInfo;
  /** The model's sigmoid, tanh and relu activations, which `fit(…, { health: true })` watches. */
  activations: ActivationInfo[];
}

/** An activation of the model and where its values sit in a row of the probe kernel's output. */
export interface ActivationInfo {
  /** The model's name of the value (`h1`), or a name made from what it applies to. */
  name: string;
  activation: "sigmoid" | "tanh" | "relu";
  offset: number;
  size: number;
}

/** How `evaluate` and `fit` score predictions. */
export type AccuracyKind = "binary" | "categorical" | "sparse_categorical" | "none";

/** Error metrics a model file can ask for (`metrics mae, mse`): mean |pred − y|, mean (pred − y)². */
export type ErrorMetric = "mae" | "mse";

/** Keras' names of the metrics fit and evaluate report besides the loss. */
export type MetricName = "accuracy" | ErrorMetric;

/**
 * A metric of a model: its name and the function that scores a batch (pred: n × outputSize,
 * Y: n × targetSize), returning the SUM over the rows of each row's score; fit and evaluate
 * divide by the row count. See metrics.ts.
 */
export interface Metric {
  name: MetricName;
  score(pred: Vec, Y: Vec, n: number, outputSize: number, targetSize: number): number;
}

/** How a model's kernels were made: a generated module's `model.kernels`. */
export interface KernelInfo {
  /** "batched" (matrix-matrix kernels over minibatch rows), or how the per-sample kernels were lowered. */
  strategy: "unrolled" | "mixed" | "split" | "loops" | "batched";
  /** Whether minibatches run through batched kernels (else per-sample kernels in a loop). */
  batched: boolean;
  /** How parameters and activations are stored: 64-bit or 32-bit floats (`--precision`). */
  precision: "f64" | "f32";
  /** Floating-point operations per sample: of a prediction, and of a training step (forward and backward). */
  flops: { predict: number; grad: number };
  /** Whether a training step runs as one generated function (forward, backward and update; ModelCore.trainStep). */
  fusedStep: boolean;
  /** Whether the matrix products run as WebAssembly SIMD (`--kernels wasm`; on a host without it, JavaScript). */
  wasm?: boolean;
}

/**
 * Targets a built-in loss needs, checked by fit and evaluate: "class-index" (sparse categorical
 * cross-entropy: an integer from 0 to outputSize − 1), "probability" (binary cross-entropy: each
 * value in [0, 1]), "distribution" (categorical cross-entropy: values in [0, 1] summing to 1).
 */
export type LabelKind = "class-index" | "probability" | "distribution";

export interface ModelCore {
  name: string;
  inputSize: number;
  targetSize: number;
  outputSize: number;
  paramCount: number;
  params: ParamInfo[];
  /** A hash of the parameter layout (names, shapes, offsets) used to validate saved weights. */
  layoutHash: string;
  /** The metrics fit and evaluate report besides the loss, in the order they report them. */
  metrics: readonly Metric[];
  /**
   * Throws, naming the first bad row, unless the targets Y (rows × targetSize) are what the
   * model's built-in loss needs (see LabelKind; the emitter calls checkLabels). Absent: any
   * finite numbers will do.
   */
  checkTargets?(Y: Vec, what: string): void;
  /** Largest batch the kernels' scratch buffers hold; runtime helpers split larger batches. */
  maxBatch: number;
  /**
   * A gradient vector where gradBatch works fastest (WebAssembly kernels: in their memory), for
   * the trainer's gradient: used only within a step, so trainers may share it. Absent: any Vec.
   */
  gradScratch?: Vec;
  /**
   * Adds d(sum of per-sample losses)/d(params) over rows [0, n) of X (n × inputSize, row-major)
   * and Y (n × targetSize) into `grad`, and returns the summed loss. Training mode: dropout on,
   * drawing from `rng`. Also writes the rows' training-mode outputs into `out` (n × outputSize):
   * the forward pass computes them anyway, and fit scores the batch's metrics from them.
   */
  gradBatch(params: Vec, X: Vec, Y: Vec, n: number, grad: Vec, rng: Rng, out: Vec): number;
  /**
   * Summed per-sample loss over rows [0, n), inference mode (no dropout). Also writes the rows'
   * outputs into `out` (n × outputSize), from which evaluate scores its metrics.
   */
  lossBatch(params: Vec, X: Vec, Y: Vec, n: number, out: Vec): number;
  /** Writes predictions for rows [0, n) of X into `out` (n × outputSize), inference mode. */
  predictBatch(params: Vec, X: Vec, n: number, out: Vec): void;
  /**
   * The whole training step in one generated function (models small enough): gradBatch over
   * rows [0, n), the batch mean, the guard, clipping and the optimizer's update with the model
   * file's optimizer baked in, on that optimizer's state (OptimizerState: its arrays and
   * [learningRate, iterations]). Returns the mean loss; writes [gradient norm, 1 if applied
   * else 0] into `report`. The trainer calls it only for an optimizer whose settings are
   * `trainStepSettings`; it computes what gradBatch and optimizer.step compute, in one pass.
   */
  trainStep?(
    params: Vec,
    X: Vec,
    Y: Vec,
    n: number,
    rng: Rng,
    out: Vec,
    state: readonly Vec[],
    scalars: number[],
    report: number[],
  ): number;
  /** optimizerSettings() of the optimizer trainStep has baked in. */
  trainStepSettings?: string;
  /**
   * The most rows one trainStep call takes (a batched step: as many as it pays for, within its
   * buffers' maxBatch); absent: any number.
   */
  trainStepRows?: number;
  /**
   * The rest of a step once gradBatch has summed the gradient of n rows into `grad` (their
   * losses summing to `lossSum`): the mean, the guard, clipping and the update with the
   * optimizer of `trainStepSettings` baked in, on its state, as optimizer.step does it. Returns
   * the mean loss and writes `report` as trainStep does. Batched models with a trainStep have it.
   */
  applyGradient?(
    params: Vec,
    grad: Vec,
    n: number,
    lossSum: number,
    state: readonly Vec[],
    scalars: number[],
    report: number[],
  ): number;
  /** The activations the probe kernel writes (absent or empty: the model has none). */
  activations?: readonly ActivationInfo[];
  /** Values per probe row: every activation of one sample, side by side. */
  probeSize?: number;
  /** Writes the activations of rows [0, n) of X, inference mode, into `out` (n × probeSize). */
  probeBatch?(params: Vec, X: Vec, n: number, out: Vec): void;
}

/** Deterministic random numbers (the same seed gives the same stream on every machine). */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

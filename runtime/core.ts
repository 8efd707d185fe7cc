// The contract between generated model code and the runtime helpers.
// The emitter writes one `ModelCore` object per model (its shapes and its specialized
// kernels); every runtime helper (trainer, fit, evaluate, params JSON) works through it.
// This file, like every file in runtime/, is copied into generated modules by the emitter,
// so it must stay self-contained TypeScript with no Node or DOM APIs.

/**
 * The storage type of parameters, gradients, optimizer state and activations. The emitter
 * rewrites these two declarations to Float32Array for `--precision f32`; use `Vec` and
 * `new VecArray(n)` everywhere instead of naming Float64Array.
 */
export type Vec = Float64Array;
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

/** How `evaluate` and `fit` score predictions. */
export type AccuracyKind = "binary" | "categorical" | "sparse_categorical" | "none";

/** Error metrics a model file can ask for (`metrics mae, mse`): mean |pred − y|, mean (pred − y)². */
export type ErrorMetric = "mae" | "mse";

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
  accuracy: AccuracyKind;
  /** Error metrics that evaluate and fit report besides loss and accuracy (absent: none). */
  metrics?: readonly ErrorMetric[];
  /** What the targets of the model's built-in loss must be (absent: any finite numbers). */
  labels?: LabelKind;
  /** Largest batch the kernels' scratch buffers hold; runtime helpers split larger batches. */
  maxBatch: number;
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

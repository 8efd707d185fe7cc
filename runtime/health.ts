// Per-layer training health for `fit(…, { health: true })`: for every parameter tensor, per epoch,
// the mean over the epoch's updates of its gradient's L2 norm (the batch-mean gradient before
// clipping, as gradNorm) and of its update-to-weight ratio ‖Δw‖ / ‖w‖ (on RATIO_SAMPLES updates
// spread evenly over the epoch: it needs a copy of the weights, the costly part); for every
// sigmoid, tanh and relu activation of the model, at the end of each epoch, the fraction of
// saturated outputs (beyond 0.99 of the range: |2y − 1| > 0.99 for sigmoid, |y| > 0.99 for tanh)
// and of dead relu units (0 on every probe row). The tensor numbers come from the step itself:
// the monitor wraps the optimizer, reading the gradient it is given and the weights before and
// after its update (allocation-free). The activations come from the module's probe kernel
// (core.probeBatch) on the first PROBE_ROWS training rows, in inference mode.
//
//   const monitor = createHealthMonitor(core, optimizer, X, rows);
//   createModelTrainer(core, params, monitor.optimizer);   // … train an epoch …
//   monitor.endEpoch(params);
//   monitor.history.params[0].gradNorm;                    // one number per epoch

import { VecArray, type ModelCore, type Vec } from "./core.js";
import type { Optimizer } from "./optimizers.js";

/** One parameter tensor's numbers, one per epoch. */
export interface ParamHealth {
  name: string;
  shape: number[];
  /** Mean over the epoch's updates of ‖∂loss/∂tensor‖ (batch mean, before clipping). */
  gradNorm: number[];
  /**
   * Mean of ‖Δtensor‖ / ‖tensor‖ over RATIO_SAMPLES of the epoch's updates (NaN while the
   * tensor is all zeros).
   */
  updateRatio: number[];
}

/** One activation's numbers, one per epoch, measured on the probe rows after the epoch. */
export interface ActivationHealth {
  name: string;
  activation: "sigmoid" | "tanh" | "relu";
  /** sigmoid, tanh: the fraction of outputs beyond 0.99 of the range; relu: of units 0 on every probe row. */
  measure: "saturated" | "dead";
  fraction: number[];
}

export interface HealthHistory {
  params: ParamHealth[];
  activations: ActivationHealth[];
  /** How many training rows the activations were measured on. */
  probeRows: number;
}

/** Rows of the training data the activation statistics are measured on (the first ones). */
export const PROBE_ROWS = 256;

/** Updates per epoch whose update-to-weight ratio is measured (every update of shorter epochs). */
export const RATIO_SAMPLES = 16;

/*
 * The loops over all parameters are functions of their own (V8 optimizes them whole) with two
 * partial sums each: the additions then do not wait on one another (measured 1.7× faster).
 */

/** Per tensor t (elements [starts[t], starts[t + 1])): Σ grad² into gradSq[t]. */
function gradientSquares(grad: Vec, starts: Int32Array, gradSq: number[]): void {
  for (let t = 0; t + 1 < starts.length; t++) {
    const end = starts[t + 1]!;
    let [a, b] = [0, 0];
    let i = starts[t]!;
    for (; i + 1 < end; i += 2) {
      const g = grad[i]!;
      const h = grad[i + 1]!;
      a += g * g;
      b += h * h;
    }
    if (i < end) a += grad[i]! * grad[i]!;
    gradSq[t] = a + b;
  }
}

/** Per tensor t: Σ w² into weightSq[t], and the weights into `before`. */
function weightSquares(params: Vec, before: Vec, starts: Int32Array, weightSq: number[]): void {
  for (let t = 0; t + 1 < starts.length; t++) {
    const end = starts[t + 1]!;
    let [a, b] = [0, 0];
    let i = starts[t]!;
    for (; i + 1 < end; i += 2) {
      const w = params[i]!;
      const v = params[i + 1]!;
      a += w * w;
      b += v * v;
      before[i] = w;
      before[i + 1] = v;
    }
    if (i < end) {
      a += params[i]! * params[i]!;
      before[i] = params[i]!;
    }
    weightSq[t] = a + b;
  }
}

/** Per tensor t: Σ (w − before)² into deltaSq[t]. */
function deltaSquares(params: Vec, before: Vec, starts: Int32Array, deltaSq: number[]): void {
  for (let t = 0; t + 1 < starts.length; t++) {
    const end = starts[t + 1]!;
    let [a, b] = [0, 0];
    let i = starts[t]!;
    for (; i + 1 < end; i += 2) {
      const d = params[i]! - before[i]!;
      const e = params[i + 1]! - before[i + 1]!;
      a += d * d;
      b += e * e;
    }
    if (i < end) a += (params[i]! - before[i]!) ** 2;
    deltaSq[t] = a + b;
  }
}

export interface HealthMonitor {
  /** The optimizer to train with: the given one, measured around each step. */
  optimizer: Optimizer;
  /** Closes an epoch: averages its steps and measures the activations at `params`. */
  endEpoch(params: Vec): void;
  history: HealthHistory;
}

/** Watches training of `core` by `optimizer` on X (rows × inputSize), in epochs of `stepsPerEpoch` updates. */
export function createHealthMonitor(
  core: ModelCore,
  optimizer: Optimizer,
  X: Vec,
  rows: number,
  stepsPerEpoch: number,
): HealthMonitor {
  const tensors = core.params.length;
  const starts = new Int32Array(tensors + 1);
  core.params.forEach((p, t) => (starts[t + 1] = p.offset + p.size));
  const before = new VecArray(core.paramCount);
  // Plain arrays of doubles: sums stay in double precision in a float32 module too.
  const zeros = () => new Array<number>(tensors).fill(0);
  const [gradSq, weightSq, deltaSq] = [zeros(), zeros(), zeros()];
  const [normSum, ratioSum, ratioCount] = [zeros(), zeros(), zeros()];
  // The ratio is measured on every `every`-th update of an epoch, from its first.
  const every = Math.max(1, Math.floor(stepsPerEpoch / RATIO_SAMPLES));
  const steps = { count: 0 };
  const history: HealthHistory = {
    params: core.params.map((p) => ({ name: p.name, shape: p.shape, gradNorm: [], updateRatio: [] })),
    activations: (core.activations ?? []).map((a) => ({
      name: a.name,
      activation: a.activation,
      measure: a.activation === "relu" ? "dead" : "saturated",
      fraction: [],
    })),
    probeRows: core.probeBatch ? Math.min(rows, PROBE_ROWS) : 0,
  };
  const probeOut = new VecArray(history.probeRows * (core.probeSize ?? 0));
  const measured: Optimizer = {
    get learningRate() {
      return optimizer.learningRate;
    },
    set learningRate(value: number) {
      optimizer.learningRate = value;
    },
    get iterations() {
      return optimizer.iterations;
    },
    step(params: Vec, grad: Vec): void {
      // Before the inner step: it clips grad in place, and the norms are of the unclipped gradient.
      gradientSquares(grad, starts, gradSq);
      const sampled = steps.count % every === 0;
      if (sampled) weightSquares(params, before, starts, weightSq);
      optimizer.step(params, grad);
      if (sampled) deltaSquares(params, before, starts, deltaSq);
      for (let t = 0; t < tensors; t++) {
        normSum[t]! += Math.sqrt(gradSq[t]!);
        if (sampled && weightSq[t]! > 0) {
          ratioSum[t]! += Math.sqrt(deltaSq[t]! / weightSq[t]!);
          ratioCount[t]!++;
        }
      }
      steps.count++;
    },
  };
  return {
    optimizer: measured,
    history,
    endEpoch(params: Vec): void {
      history.params.forEach((p, t) => {
        p.gradNorm.push(steps.count > 0 ? normSum[t]! / steps.count : NaN);
        p.updateRatio.push(ratioCount[t]! > 0 ? ratioSum[t]! / ratioCount[t]! : NaN);
      });
      for (const sums of [normSum, ratioSum, ratioCount]) sums.fill(0);
      steps.count = 0;
      if (history.probeRows > 0) {
        const fractions = activationFractions(core, params, X, history.probeRows, probeOut);
        history.activations.forEach((a, k) => a.fraction.push(fractions[k]!));
      }
    },
  };
}

/**
 * Each activation's saturated (sigmoid, tanh) or dead (relu) fraction on rows [0, n) of X, in
 * core.activations order; `out` holds the probe's n × probeSize values.
 */
export function activationFractions(core: ModelCore, params: Vec, X: Vec, n: number, out: Vec): number[] {
  const acts = core.activations ?? [];
  const width = core.probeSize ?? 0;
  for (let start = 0; start < n; start += core.maxBatch) {
    const m = Math.min(core.maxBatch, n - start);
    const Xc = X.subarray(start * core.inputSize, (start + m) * core.inputSize);
    core.probeBatch!(params, Xc, m, out.subarray(start * width, (start + m) * width));
  }
  return acts.map((a) => {
    let count = 0;
    if (a.activation === "relu") {
      // A dead unit: 0 on every probe row.
      for (let u = 0; u < a.size; u++) {
        let alive = false;
        for (let r = 0; r < n && !alive; r++) alive = out[r * width + a.offset + u]! !== 0;
        if (!alive) count++;
      }
      return count / a.size;
    }
    for (let r = 0; r < n; r++) {
      for (let u = 0; u < a.size; u++) {
        const y = out[r * width + a.offset + u]!;
        if (Math.abs(a.activation === "sigmoid" ? 2 * y - 1 : y) > 0.99) count++;
      }
    }
    return count / (n * a.size);
  });
}

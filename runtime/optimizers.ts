// Keras 3 optimizers (names, defaults and update formulas) over the flat parameter vector: one
// tight loop per step, state preallocated at creation, no allocation in step(). Each factory
// works alone, so a generated module bundles only the optimizer it uses; createOptimizer
// dispatches by name (and pulls in all of them).
//
//   const opt = createAdam(core.paramCount, { learningRate: 0.01, clipnorm: 1 }, core.params);
//   opt.step(params, meanGrad);      // clips meanGrad in place, then updates params
//   opt.iterations;                  // 1

import { VecArray, type ParamInfo, type Vec } from "./core.js";
import { checkClipOptions, clipGradient, type ClipOptions } from "./clip.js";
import { checkSchedule, scheduledRate, type LearningRateSchedule } from "./schedules.js";
import {
  CLIP_OPTIONS,
  OPTIMIZERS,
  optimizerSettings,
  type AdagradOptions,
  type AdamOptions,
  type LearningRate,
  type OptimizerName,
  type OptimizerSpec,
  type RmspropOptions,
  type SgdOptions,
} from "./optimizer-options.js";

/**
 * What a model's generated training step (ModelCore.trainStep, which applies the update itself)
 * shares with an optimizer, so that both keep one state: the settings the step has baked in, the
 * learning rate and step count, and the per-parameter state arrays.
 */
export interface OptimizerState {
  /** `optimizerSettings(name, options)` of the optimizer: a generated step bakes exactly these in. */
  readonly settings: string;
  /** Parameters it updates. */
  readonly size: number;
  /** [learning rate, iterations], read and written by step() and a generated step alike (f64 under f32 too). */
  readonly scalars: number[];
  /** Per-parameter state, in the order of STATE_ARRAYS[name] (Adam: m, v). */
  readonly arrays: readonly Vec[];
  /** The learning rate's schedule, if it follows one: scalars[0] must be set from it before each step. */
  readonly schedule?: LearningRateSchedule;
}

/** Before a step: a scheduled learning rate into scalars[0], for the step about to run (scalars[1] + 1). */
export function setScheduledRate(state: OptimizerState): void {
  if (state.schedule !== undefined) state.scalars[0] = scheduledRate(state.schedule, state.scalars[1]!);
}

export interface Optimizer {
  /**
   * One update of `params` from `grad`, the batch-MEAN gradient. Clipping options are applied
   * to `grad` in place first, so pass a scratch buffer.
   */
  step(params: Vec, grad: Vec): void;
  /** Number of steps taken so far (Keras' `optimizer.iterations`). */
  readonly iterations: number;
  /**
   * The learning rate of the next step. May be changed between steps (reduceLrOnPlateau does),
   * unless the optimizer follows a schedule: then it reads the schedule and setting it throws.
   */
  learningRate: number;
  /** The state a generated training step may share (the optimizers below have it; others need not). */
  readonly state?: OptimizerState;
}

/**
 * Where the optimizers below allocate their state arrays (zeroed): ordinary arrays, unless a
 * module with WebAssembly kernels that read the state (a fused step's update) puts them in its
 * memory (runtime/wasm.ts arrayInMemory), so that no step copies them there and back.
 */
export const stateArrays: { allocate(size: number): Vec } = { allocate: (size) => new VecArray(size) };

/** Creation-time guard: unknown option names, bad clipping setup, wrong vector size. */
function checkOptimizerSetup(name: OptimizerName, options: object, size: number, layout?: ParamInfo[]): void {
  if (!Number.isInteger(size) || size < 0) throw new Error(`${name}: size must be a non-negative integer, got ${size}`);
  const known: readonly string[] = Object.keys(OPTIMIZERS[name].options);
  for (const key of Object.keys(options)) {
    if (!known.includes(key) && !(CLIP_OPTIONS as readonly string[]).includes(key)) {
      throw new Error(`${name}: unknown option '${key}' (known: ${known.concat(CLIP_OPTIONS).join(", ")})`);
    }
  }
  checkClipOptions(options, layout);
}

/** `value` (or the default) after checking it is a number in [min, max] (maxOpen: max excluded). */
function optimizerNumber(
  value: number | undefined,
  fallback: number,
  what: string,
  min: number,
  max: number,
  maxOpen = false,
): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (maxOpen && v === max)) {
    // Infinity is never accepted, so an unbounded range is not written as "[0, Infinity]".
    const range = max === Infinity ? `a finite number ≥ ${min}` : `a number in [${min}, ${max}${maxOpen ? ")" : "]"}`;
    throw new Error(`${what} must be ${range}, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  }
  return v;
}

/** The learning-rate option: a number ≥ 0 as optimizerNumber checks it, or a schedule checked by checkSchedule. */
function learningRateOption(value: LearningRate | undefined, fallback: number, what: string): LearningRate {
  if (value !== null && typeof value === "object") {
    checkSchedule(value, what);
    return value;
  }
  return optimizerNumber(value, fallback, what, 0, Infinity);
}

/** Step-time guard (cheap: two length reads). */
function checkStepSizes(name: string, params: Vec, grad: Vec, size: number): void {
  if (params.length !== size || grad.length !== size) {
    const got = `got ${params.length} and ${grad.length}`;
    throw new Error(`${name}.step: expected params and grad of length ${size}, ${got}`);
  }
}

/**
 * An optimizer's update rule: applies `grad` (the clipped batch-mean gradient) to `params` with
 * learning rate `lr` at step `t` (1 for the first step), updating the optimizer's own state.
 */
type UpdateRule = (params: Vec, grad: Vec, lr: number, t: number) => void;

/**
 * What every optimizer shares around its update rule: the settable learning rate, the step
 * count, the step-time size check and gradient clipping. Each createXxx below checks its options
 * and allocates its state once, then hands its rule to this shell.
 */
function optimizerShell(
  name: OptimizerName,
  size: number,
  learningRate: LearningRate,
  options: ClipOptions,
  layout: ParamInfo[] | undefined,
  arrays: readonly Vec[],
  update: UpdateRule,
): Optimizer {
  const schedule = typeof learningRate === "number" ? undefined : learningRate;
  // [learning rate, iterations] in an array a generated training step reads and writes too. With
  // a schedule, slot 0 holds the rate of the step about to run: step() and the trainer (before a
  // generated step) set it from the schedule and the step count.
  const scalars = [schedule === undefined ? (learningRate as number) : scheduledRate(schedule, 0), 0];
  const state: OptimizerState = {
    settings: optimizerSettings(name, options),
    size,
    scalars,
    arrays,
    ...(schedule === undefined ? {} : { schedule }),
  };
  return {
    get learningRate() {
      return schedule === undefined ? scalars[0]! : scheduledRate(schedule, scalars[1]!);
    },
    set learningRate(value: number) {
      if (schedule !== undefined) {
        throw new Error(`${name}: the learning rate follows its schedule (${schedule.schedule}) and cannot be set`);
      }
      scalars[0] = value;
    },
    get iterations() {
      return scalars[1]!;
    },
    state,
    step(params: Vec, grad: Vec): void {
      checkStepSizes(name, params, grad, size);
      clipGradient(grad, options, layout);
      setScheduledRate(state);
      const t = scalars[1]! + 1;
      update(params, grad, scalars[0]!, t);
      scalars[1] = t;
    },
  };
}

/*
 * The elementwise updates live in small functions of their own: V8 optimizes such a function as
 * a whole after a few calls, while the same loop inline in step() only ever ran as on-stack
 * replaced code (never TurboFan for step itself) and measured ~2× slower on 100,000 parameters.
 */

/** SGD's elementwise update (momentum 0: plain; else with velocity, optionally Nesterov's). */
function sgdUpdate(
  params: Vec,
  grad: Vec,
  velocity: Vec,
  size: number,
  lr: number,
  momentum: number,
  nesterov: boolean,
): void {
  if (momentum === 0) {
    for (let i = 0; i < size; i++) params[i]! -= lr * grad[i]!;
  } else if (nesterov) {
    for (let i = 0; i < size; i++) {
      const v = momentum * velocity[i]! - lr * grad[i]!;
      velocity[i] = v;
      params[i]! += momentum * v - lr * grad[i]!;
    }
  } else {
    for (let i = 0; i < size; i++) {
      const v = momentum * velocity[i]! - lr * grad[i]!;
      velocity[i] = v;
      params[i]! += v;
    }
  }
}

/** Adam's elementwise update, with alpha the step's bias-corrected learning rate and c1, c2 = 1 − β1, 1 − β2. */
function adamUpdate(
  params: Vec,
  grad: Vec,
  m: Vec,
  v: Vec,
  size: number,
  alpha: number,
  c1: number,
  c2: number,
  epsilon: number,
): void {
  for (let i = 0; i < size; i++) {
    const g = grad[i]!;
    const mi = m[i]! + (g - m[i]!) * c1;
    const vi = v[i]! + (g * g - v[i]!) * c2;
    m[i] = mi;
    v[i] = vi;
    params[i]! -= (mi * alpha) / (Math.sqrt(vi) + epsilon);
  }
}

/** RMSprop's elementwise update; `moments` is used when momentum > 0, `meanGrad` when centered. */
function rmspropUpdate(
  params: Vec,
  grad: Vec,
  velocity: Vec,
  moments: Vec,
  meanGrad: Vec,
  size: number,
  lr: number,
  rho: number,
  momentum: number,
  epsilon: number,
  centered: boolean,
): void {
  const c = 1 - rho;
  for (let i = 0; i < size; i++) {
    const g = grad[i]!;
    const vi = rho * velocity[i]! + c * g * g;
    velocity[i] = vi;
    let denominator = vi + epsilon;
    if (centered) {
      const a = rho * meanGrad[i]! + c * g;
      meanGrad[i] = a;
      denominator = vi - a * a + epsilon;
    }
    const increment = (lr * g) / Math.sqrt(denominator);
    if (momentum > 0) {
      const mom = momentum * moments[i]! + increment;
      moments[i] = mom;
      params[i]! -= mom;
    } else {
      params[i]! -= increment;
    }
  }
}

/** Adagrad's elementwise update. */
function adagradUpdate(params: Vec, grad: Vec, accumulator: Vec, size: number, lr: number, epsilon: number): void {
  for (let i = 0; i < size; i++) {
    const g = grad[i]!;
    const acc = accumulator[i]! + g * g;
    accumulator[i] = acc;
    params[i]! -= (lr * g) / Math.sqrt(acc + epsilon);
  }
}

/**
 * Keras 3 SGD: without momentum p -= lr·g; with momentum v = momentum·v - lr·g and p += v,
 * or with nesterov p += momentum·v - lr·g (using the updated v).
 */
export function createSgd(size: number, options: SgdOptions = {}, layout?: ParamInfo[]): Optimizer {
  checkOptimizerSetup("sgd", options, size, layout);
  const d = OPTIMIZERS.sgd.options;
  const momentum = optimizerNumber(options.momentum, d.momentum, "sgd momentum", 0, 1);
  const nesterov = options.nesterov ?? d.nesterov;
  const velocity = stateArrays.allocate(momentum !== 0 ? size : 0);
  const learningRate = learningRateOption(options.learningRate, d.learningRate, "sgd learningRate");
  return optimizerShell("sgd", size, learningRate, options, layout, [velocity], (params, grad, lr) =>
    sgdUpdate(params, grad, velocity, size, lr, momentum, nesterov),
  );
}

/**
 * Keras 3 Adam: alpha = lr·sqrt(1-β2^t)/(1-β1^t); m += (g-m)(1-β1); v += (g²-v)(1-β2);
 * p -= alpha·m/(sqrt(v)+ε). (ε is added to the uncorrected sqrt(v), unlike the paper/tfjs.)
 */
export function createAdam(size: number, options: AdamOptions = {}, layout?: ParamInfo[]): Optimizer {
  checkOptimizerSetup("adam", options, size, layout);
  const d = OPTIMIZERS.adam.options;
  const beta1 = optimizerNumber(options.beta1, d.beta1, "adam beta1", 0, 1, true);
  const beta2 = optimizerNumber(options.beta2, d.beta2, "adam beta2", 0, 1, true);
  const epsilon = optimizerNumber(options.epsilon, d.epsilon, "adam epsilon", 0, Infinity);
  const m = stateArrays.allocate(size);
  const v = stateArrays.allocate(size);
  const learningRate = learningRateOption(options.learningRate, d.learningRate, "adam learningRate");
  return optimizerShell("adam", size, learningRate, options, layout, [m, v], (params, grad, lr, t) => {
    const alpha = (lr * Math.sqrt(1 - Math.pow(beta2, t))) / (1 - Math.pow(beta1, t));
    adamUpdate(params, grad, m, v, size, alpha, 1 - beta1, 1 - beta2, epsilon);
  });
}

/**
 * Keras 3 RMSprop: v = ρv + (1-ρ)g²; centered: a = ρa + (1-ρ)g and denominator v - a² + ε,
 * else v + ε; inc = lr·g/sqrt(denominator); with momentum: mom = momentum·mom + inc, p -= mom;
 * else p -= inc. (ε inside the sqrt, as in Keras 3.)
 */
export function createRmsprop(size: number, options: RmspropOptions = {}, layout?: ParamInfo[]): Optimizer {
  checkOptimizerSetup("rmsprop", options, size, layout);
  const d = OPTIMIZERS.rmsprop.options;
  const rho = optimizerNumber(options.rho, d.rho, "rmsprop rho", 0, 1, true);
  const momentum = optimizerNumber(options.momentum, d.momentum, "rmsprop momentum", 0, 1);
  const epsilon = optimizerNumber(options.epsilon, d.epsilon, "rmsprop epsilon", 0, Infinity);
  const centered = options.centered ?? d.centered;
  const velocity = stateArrays.allocate(size);
  const moments = stateArrays.allocate(momentum > 0 ? size : 0);
  const meanGrad = stateArrays.allocate(centered ? size : 0);
  const learningRate = learningRateOption(options.learningRate, d.learningRate, "rmsprop learningRate");
  return optimizerShell(
    "rmsprop",
    size,
    learningRate,
    options,
    layout,
    [velocity, moments, meanGrad],
    (params, grad, lr) =>
      rmspropUpdate(params, grad, velocity, moments, meanGrad, size, lr, rho, momentum, epsilon, centered),
  );
}

/** Keras 3 Adagrad: acc += g² (acc starts at initialAccumulatorValue); p -= lr·g/sqrt(acc + ε). */
export function createAdagrad(size: number, options: AdagradOptions = {}, layout?: ParamInfo[]): Optimizer {
  checkOptimizerSetup("adagrad", options, size, layout);
  const d = OPTIMIZERS.adagrad.options;
  const initial = optimizerNumber(
    options.initialAccumulatorValue,
    d.initialAccumulatorValue,
    "adagrad initialAccumulatorValue",
    0,
    Infinity,
  );
  const epsilon = optimizerNumber(options.epsilon, d.epsilon, "adagrad epsilon", 0, Infinity);
  const accumulator = stateArrays.allocate(size).fill(initial);
  const learningRate = learningRateOption(options.learningRate, d.learningRate, "adagrad learningRate");
  return optimizerShell("adagrad", size, learningRate, options, layout, [accumulator], (params, grad, lr) =>
    adagradUpdate(params, grad, accumulator, size, lr, epsilon),
  );
}

/** Builds the optimizer named by `spec` (bundles every optimizer; generated code calls one factory directly). */
export function createOptimizer(spec: OptimizerSpec, params: ParamInfo[], size: number): Optimizer {
  switch (spec.name) {
    case "sgd":
      return createSgd(size, spec.options, params);
    case "adam":
      return createAdam(size, spec.options, params);
    case "rmsprop":
      return createRmsprop(size, spec.options, params);
    case "adagrad":
      return createAdagrad(size, spec.options, params);
    default:
      const known = Object.keys(OPTIMIZERS).join(", ");
      throw new Error(`unknown optimizer '${(spec as { name: unknown }).name}' (known: ${known})`);
  }
}

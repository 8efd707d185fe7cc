// The fused training step (lower/train-step.ts: forward, backward, mean, norm, guard, clipping
// and the optimizer's update in one generated function; lower/train-step-batched.ts: the update
// inside the batched kernels' weight-gradient products) against the generic step it replaces
// (the trainer's gradBatch + optimizer.step, reached by hiding the optimizer's state): for each
// optimizer and clipping option, 20 steps of minibatches of 1–5 rows, with the learning rate
// changed between steps, must give the same losses, norms, outputs and parameters (to 1e-12
// relative; in practice bit for bit, but for the batched step's norm, which it takes from Gram
// matrices, and what clipping scales by it). A non-finite batch must leave everything as it was.

import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { importCode } from "../helpers/generated.js";
import { testRandom } from "../helpers/fd.js";
import { MODELS } from "../equivalence/cases.js";
import { generic } from "../helpers/hidden-state.js";

interface Trainer {
  step(X: Float64Array, Y: Float64Array, n: number, out?: Float64Array): number;
  readonly gradNorm: number;
  readonly applied: boolean;
}
interface Optimizer {
  step(p: Float64Array, g: Float64Array): void;
  learningRate: number;
  readonly iterations: number;
  readonly state?: { arrays: readonly Float64Array[]; scalars: number[] };
}
interface Module {
  init(seed?: number): Float64Array;
  createOptimizer(options?: Record<string, unknown>): Optimizer;
  createTrainer(params: Float64Array, opts?: { optimizer?: unknown; seed?: number }): Trainer;
  model: { paramCount: number; batched?: boolean; input: { shape: number[] }; target: { shape: number[] }; output: { shape: number[] }; loss: string; kernels: { fusedStep: boolean } };
}

const withOptimizer = (source: string, optimizer: string) => source.replace(/^optimizer .*$/m, `optimizer ${optimizer}`);

async function load(source: string, precision: "f64" | "f32" = "f64", batch: "auto" | "always" = "auto"): Promise<Module> {
  const { code, batched } = await compile(source, "model.nn", { precision, batch });
  if (batch === "always") expect(batched).toBe(true);
  return (await importCode(code)) as unknown as Module;
}


/** n rows of inputs in [-1, 1) and targets valid for the model's loss. */
function batch(mod: Module, n: number, random: () => number): { X: Float64Array; Y: Float64Array } {
  const inSize = mod.model.input.shape.reduce((a, b) => a * b, 1);
  const tSize = mod.model.target.shape.reduce((a, b) => a * b, 1);
  const X = Float64Array.from({ length: n * inSize }, () => random() * 2 - 1);
  const Y = new Float64Array(n * tSize);
  for (let r = 0; r < n; r++) {
    const loss = mod.model.loss;
    if (loss === "sparse_categorical_crossentropy") Y[r] = Math.floor(random() * 3);
    else if (loss === "categorical_crossentropy") Y[r * tSize + Math.floor(random() * tSize)] = 1;
    else for (let i = 0; i < tSize; i++) Y[r * tSize + i] = loss === "binary_crossentropy" ? (random() < 0.5 ? 0 : 1) : random() * 2 - 1;
  }
  return { X, Y };
}

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300));

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, rel(a[i]!, b[i]!));
  return worst;
}

interface Differences {
  /** The worst relative difference of losses, outputs, parameters and the optimizer's state. */
  values: number;
  /** Of the reported gradient norms. */
  norm: number;
  /** The worst absolute difference of the parameters. */
  params: number;
  /** Steps the fused trainer took through the generated step (not through optimizer.step). */
  fusedSteps: number;
}

/** Runs the fused and the generic trainer side by side; returns the worst differences seen. */
function compareSteps(mod: Module, steps = 20, maxRows = 5, rows = (s: number) => 1 + (s % maxRows)): Differences {
  const [p1, p2] = [mod.init(3), mod.init(3)];
  const [o1, o2] = [mod.createOptimizer(), mod.createOptimizer()];
  // The generic path ends in optimizer.step: counting those calls tells which path each step took.
  let genericSteps = 0;
  const step = o1.step.bind(o1);
  o1.step = (p, g) => {
    genericSteps++;
    step(p, g);
  };
  const fused = mod.createTrainer(p1, { optimizer: o1, seed: 5 });
  const plain = mod.createTrainer(p2, { optimizer: generic(o2), seed: 5 });
  const outSize = mod.model.output.shape.reduce((a, b) => a * b, 1);
  const random = testRandom(11);
  const worst: Differences = { values: 0, norm: 0, params: 0, fusedSteps: 0 };
  for (let s = 0; s < steps; s++) {
    const n = rows(s);
    const { X, Y } = batch(mod, n, random);
    const [out1, out2] = [new Float64Array(n * outSize), new Float64Array(n * outSize)];
    if (s === 10) o1.learningRate = o2.learningRate = o1.learningRate * 0.5;
    worst.values = Math.max(worst.values, rel(fused.step(X, Y, n, out1), plain.step(X, Y, n, out2)), maxRel(out1, out2), maxRel(p1, p2));
    worst.norm = Math.max(worst.norm, rel(fused.gradNorm, plain.gradNorm));
    for (let i = 0; i < p1.length; i++) worst.params = Math.max(worst.params, Math.abs(p1[i]! - p2[i]!));
    expect(fused.applied).toBe(plain.applied);
  }
  expect(o1.iterations).toBe(o2.iterations);
  o1.state!.arrays.forEach((a, k) => (worst.values = Math.max(worst.values, maxRel(a, o2.state!.arrays[k]!))));
  worst.fusedSteps = steps - genericSteps;
  return worst;
}

/** The worst relative difference of everything the two steps report; every step must have been fused. */
function sideBySide(mod: Module, steps = 20, maxRows = 5): number {
  const d = compareSteps(mod, steps, maxRows);
  expect(d.fusedSteps).toBe(steps);
  return Math.max(d.values, d.norm);
}

const OPTIMIZERS = [
  "sgd(lr = 0.1)",
  "sgd(lr = 0.05, momentum = 0.9)",
  "sgd(lr = 0.05, momentum = 0.9, nesterov = true)",
  "adam(lr = 0.01)",
  "adam(lr = 0.02, beta1 = 0.8, beta2 = 0.99, epsilon = 0.001)",
  "rmsprop(lr = 0.01)",
  "rmsprop(lr = 0.01, rho = 0.8, momentum = 0.5, centered = true)",
  "adagrad(lr = 0.1, epsilon = 0.01)",
];
const CLIPPING = ["clipnorm = 0.05", "clipvalue = 0.002", "global_clipnorm = 0.05"];

describe("the fused training step computes what the generic step computes", () => {
  it.each(OPTIMIZERS)("parity, %s", async (optimizer) => {
    const mod = await load(withOptimizer(MODELS["parity"]!, optimizer));
    expect(mod.model.kernels.fusedStep).toBe(true);
    expect(sideBySide(mod)).toBeLessThanOrEqual(1e-12);
  });

  it.each(CLIPPING.flatMap((clip) => ["sgd(lr = 0.5", "adam(lr = 0.05", "rmsprop(lr = 0.05, momentum = 0.5"].map((opt) => `${opt}, ${clip})`)))(
    "parity, %s",
    async (optimizer) => {
      const mod = await load(withOptimizer(MODELS["parity"]!, optimizer));
      expect(mod.model.kernels.fusedStep).toBe(true);
      expect(sideBySide(mod)).toBeLessThanOrEqual(1e-12);
    },
  );

  it.each(CLIPPING.map((clip) => `sgd(lr = 0.5, ${clip})`))("iris, %s", async (optimizer) => {
    const mod = await load(withOptimizer(MODELS["iris"]!, optimizer));
    expect(mod.model.kernels.fusedStep).toBe(true);
    expect(sideBySide(mod)).toBeLessThanOrEqual(1e-12);
  });

  it.each(["xor", "math"])("%s as written", async (name) => {
    const mod = await load(MODELS[name]!);
    expect(mod.model.kernels.fusedStep).toBe(true);
    expect(sideBySide(mod)).toBeLessThanOrEqual(1e-12);
  });

  it("with L1 and L2 penalties", async () => {
    const source = MODELS["parity"]!.replace(/^h( *)= dense\(x, 2, sigmoid\)/m, "h$1= dense(x, 2, sigmoid, l1 = 0.01, l2 = 0.02)");
    expect(source).toContain("l2 = 0.02");
    const mod = await load(source);
    expect(mod.model.kernels.fusedStep).toBe(true);
    expect(sideBySide(mod)).toBeLessThanOrEqual(1e-12);
  });

  // Under f32 the generic step stores its gradient in a Float32Array: the fused one rounds its
  // locals at the same points, so it still computes the same numbers.
  it.each(["adam(lr = 0.05)", "sgd(lr = 0.5, momentum = 0.9)", ...CLIPPING.map((clip) => `adam(lr = 0.05, ${clip})`)])("parity in f32, %s", async (optimizer) => {
    const mod = await load(withOptimizer(MODELS["parity"]!, optimizer), "f32");
    expect(mod.model.kernels.fusedStep).toBe(true);
    expect(sideBySide(mod)).toBeLessThanOrEqual(1e-12);
  });

  it("with dropout, drawing the same masks", async () => {
    const source = withOptimizer(MODELS["parity"]!, "adam(lr = 0.05)").replace(/^out = dense\(h,/m, "d = dropout(h, 0.5)\nout = dense(d,");
    expect(source).toContain("dropout");
    const mod = await load(source);
    expect(mod.model.kernels.fusedStep).toBe(true);
    expect(sideBySide(mod)).toBeLessThanOrEqual(1e-12);
  });

  it("a batch with NaN leaves params and the optimizer's state bit-identical", async () => {
    const mod = await load(withOptimizer(MODELS["iris"]!, "adam(lr = 0.05)"));
    const params = mod.init(1);
    const opt = mod.createOptimizer();
    const trainer = mod.createTrainer(params, { optimizer: opt });
    const random = testRandom(2);
    trainer.step(...Object.values(batch(mod, 4, random)) as [Float64Array, Float64Array], 4);
    const before = { params: params.slice(), arrays: opt.state!.arrays.map((a) => a.slice()), iterations: opt.iterations };
    for (const bad of [NaN, Infinity]) {
      const { X, Y } = batch(mod, 4, random);
      X[5] = bad;
      expect(Number.isFinite(trainer.step(X, Y, 4))).toBe(false);
      expect(trainer.applied).toBe(false);
      expect(params).toEqual(before.params);
      opt.state!.arrays.forEach((a, k) => expect(a).toEqual(before.arrays[k]));
      expect(opt.iterations).toBe(before.iterations);
    }
  });

  it("is not used for an optimizer with other settings (the generic step runs, with that optimizer's options)", async () => {
    const mod = await load(withOptimizer(MODELS["parity"]!, "sgd(lr = 0.1)"));
    const [p1, p2] = [mod.init(3), mod.init(3)];
    const momentum = mod.createOptimizer({ momentum: 0.9 });
    const t1 = mod.createTrainer(p1, { optimizer: momentum });
    const t2 = mod.createTrainer(p2, { optimizer: generic(mod.createOptimizer({ momentum: 0.9 })) });
    const random = testRandom(4);
    for (let s = 0; s < 5; s++) {
      const { X, Y } = batch(mod, 3, random);
      t1.step(X, Y, 3);
      t2.step(X, Y, 3);
    }
    expect(p1).toEqual(p2);
    // Momentum did act: the velocity is not zero.
    expect(momentum.state!.arrays[0]!.some((x) => x !== 0)).toBe(true);
  });
});

// The batched step: the update inside the products Σ_b δ_b x_bᵀ (weights), the other gradients
// (biases, penalties) summed into a scratch buffer first. Its parameters match the generic step
// bit for bit without clipping; the norm (from Gram matrices) to rounding, and with it clipping.
describe("the batched fused training step computes what the generic batched step computes", () => {
  it.each(OPTIMIZERS)("iris batched, %s", async (optimizer) => {
    const mod = await load(withOptimizer(MODELS["iris"]!, optimizer), "f64", "always");
    expect(mod.model.kernels.fusedStep).toBe(true);
    expect(sideBySide(mod, 20, 4)).toBeLessThanOrEqual(1e-12);
  });

  it.each(CLIPPING.flatMap((clip) => ["sgd(lr = 0.5", "adam(lr = 0.05"].map((opt) => `${opt}, ${clip})`)))("iris batched, %s", async (optimizer) => {
    const mod = await load(withOptimizer(MODELS["iris"]!, optimizer), "f64", "always");
    // The clipping factor comes from the Gram norm, which differs in its last bit: the
    // parameters move by an ulp or two (2e-16 absolute), relatively more where a value is tiny.
    const d = compareSteps(mod, 20, 4);
    expect(d.fusedSteps).toBe(20);
    expect(d.norm).toBeLessThanOrEqual(1e-12);
    expect(d.params).toBeLessThanOrEqual(1e-14);
    expect(d.values).toBeLessThanOrEqual(1e-10);
  });

  it.each(["iris_regularized", "deep", "wide", "regression"])("%s batched, as written", async (name) => {
    const mod = await load(MODELS[name]!, "f64", "always");
    expect(mod.model.kernels.fusedStep).toBe(true);
    expect(sideBySide(mod, 12, 4)).toBeLessThanOrEqual(1e-12);
  });

  it("MNIST (784-128-10), adam, minibatches of 1 to 9 rows", async () => {
    const mod = await load(MODELS["mnist"]!);
    expect(mod.model.kernels.fusedStep).toBe(true);
    expect(sideBySide(mod, 9, 9)).toBeLessThanOrEqual(1e-12);
  });

  it("with dropout, drawing the same masks", async () => {
    const source = withOptimizer(MODELS["iris"]!, "adam(lr = 0.05)").replace(/^out( *)= dense\(h,/m, "d = dropout(h, 0.5)\nout$1= dense(d,");
    expect(source).toContain("dropout");
    const mod = await load(source, "f64", "always");
    expect(sideBySide(mod, 20, 4)).toBeLessThanOrEqual(1e-12);
  });

  // Under f32 the generic step squares the rounded gradient for its norm, the fused step the
  // Gram matrices of the unrounded rows: the norms agree to f32's precision. The fused products
  // round their mean once where the generic step rounds the sum and then the mean (rounding a
  // tile's accumulator is slow in V8), so a weight's mean gradient can differ by an ulp, and the
  // parameters by a few of their ulps (at most 1e-6 here); biases, summed in a Float32Array as the
  // generic step sums them, stay bit-identical. So does clipping's factor, to its last bits.
  it.each(["adam(lr = 0.05)", "sgd(lr = 0.5, momentum = 0.9)", "rmsprop(lr = 0.01, momentum = 0.5, centered = true)"])("iris batched in f32, %s", async (optimizer) => {
    const mod = await load(withOptimizer(MODELS["iris"]!, optimizer), "f32", "always");
    expect(mod.model.kernels.fusedStep).toBe(true);
    const d = compareSteps(mod, 20, 4);
    expect(d.fusedSteps).toBe(20);
    expect(d.norm).toBeLessThanOrEqual(1e-6);
    expect(d.params).toBeLessThanOrEqual(4e-6);
  });

  it.each(CLIPPING.map((clip) => `adam(lr = 0.05, ${clip})`))("iris batched in f32, %s", async (optimizer) => {
    const mod = await load(withOptimizer(MODELS["iris"]!, optimizer), "f32", "always");
    const d = compareSteps(mod, 20, 4);
    expect(d.fusedSteps).toBe(20);
    expect(d.norm).toBeLessThanOrEqual(1e-6);
    expect(d.params).toBeLessThanOrEqual(4e-6);
  });

  it("a batch with NaN leaves params and the optimizer's state bit-identical", async () => {
    const mod = await load(withOptimizer(MODELS["iris"]!, "adam(lr = 0.05)"), "f64", "always");
    const params = mod.init(1);
    const opt = mod.createOptimizer();
    const trainer = mod.createTrainer(params, { optimizer: opt });
    const random = testRandom(2);
    trainer.step(...(Object.values(batch(mod, 4, random)) as [Float64Array, Float64Array]), 4);
    const before = { params: params.slice(), arrays: opt.state!.arrays.map((a) => a.slice()), iterations: opt.iterations };
    for (const bad of [NaN, Infinity]) {
      const { X, Y } = batch(mod, 4, random);
      X[5] = bad;
      expect(Number.isFinite(trainer.step(X, Y, 4))).toBe(false);
      expect(trainer.applied).toBe(false);
      expect(params).toEqual(before.params);
      opt.state!.arrays.forEach((a, k) => expect(a).toEqual(before.arrays[k]));
      expect(opt.iterations).toBe(before.iterations);
    }
  });
});

// A batched step takes at most trainStepRows rows (iris: 4, where its Gram norms stop paying;
// never past maxBatch, 256, which its buffers hold): beyond, the trainer takes the generic path,
// which splits the batch. A per-sample step takes any n when given somewhere for the outputs.
describe("minibatches larger than the fused step takes", () => {
  it.each([
    ["parity", "auto", 6],
    // Batched: the larger minibatches take the generated tail (applyGradient), not optimizer.step.
    ["iris", "always", 6],
  ] as const)("%s (batch %s): 300, 1, 257, 256, 4 and 5 rows", async (name, mode, fused) => {
    const mod = await load(MODELS[name]!, "f64", mode);
    expect(mod.model.kernels.fusedStep).toBe(true);
    const rows = [300, 1, 257, 256, 4, 5];
    const d = compareSteps(mod, rows.length, 1, (s) => rows[s]!);
    expect(d.fusedSteps).toBe(fused);
    expect(Math.max(d.values, d.norm)).toBeLessThanOrEqual(1e-12);
  });
});

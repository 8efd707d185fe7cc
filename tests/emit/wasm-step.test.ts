// `--kernels wasm` and the fused training step: the weight-gradient products that apply the
// optimizer's update as each sum is finished run as WebAssembly SIMD, update included
// (lower/wasm/update.ts). Checked in the same module against the generic step (the same
// WebAssembly products storing the gradient, then the runtime's optimizer.step in JavaScript,
// reached by hiding the optimizer's state): f64 parameters and optimizer state bit for bit
// without clipping (the same sums in the same order, then the same IEEE operations), to rounding
// with clipping (its factor comes from the Gram norm); f32 to float32 rounding (WebAssembly
// rounds each operation to float32, JavaScript computes in doubles and rounds at the stores).
// Also: SGD, momentum, Nesterov, Adam, RMSprop, Adagrad; a scheduled learning rate; a NaN batch
// leaves everything as it was; an optimizer whose state lies outside the module's memory (staged
// by the step's wrapper); and against the JavaScript kernels (MNIST, f64 and f32).
// Minibatches with more rows than the fused step takes go through the generated tail
// (applyGradient: its squares and update passes as WebAssembly, lower/wasm/sweep.ts), held to the
// same bounds against the runtime's optimizer.step.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { MODELS } from "../equivalence/cases.js";
import { testRandom } from "../helpers/fd.js";
import { importCode } from "../helpers/generated.js";
import { generic } from "../helpers/hidden-state.js";

type Vec = Float64Array | Float32Array;
interface Optimizer {
  step(p: Vec, g: Vec): void;
  learningRate: number;
  readonly iterations: number;
  readonly state?: { arrays: readonly Vec[]; scalars: number[] };
}
interface Trainer {
  step(X: Vec, Y: Vec, n: number): number;
  readonly gradNorm: number;
  readonly applied: boolean;
}
interface Module {
  ready(): Promise<"wasm" | "js">;
  init(seed?: number): Vec;
  createOptimizer(options?: Record<string, unknown>): Optimizer;
  createTrainer(params: Vec, opts?: { optimizer?: unknown; seed?: number }): Trainer;
  model: { paramCount: number; input: { shape: number[] }; target: { shape: number[] }; kernels: { fusedStep: boolean; wasm?: boolean } };
}

const withOptimizer = (source: string, optimizer: string) => source.replace(/^optimizer .*$/m, `optimizer ${optimizer}`);

async function load(source: string, precision: "f64" | "f32", kernels: "wasm" | "js" = "wasm"): Promise<Module> {
  const { code } = await compile(source, "model.nn", { precision, kernels, batch: "always" });
  const mod = (await importCode(code)) as unknown as Module;
  if (kernels === "wasm") {
    expect(await mod.ready()).toBe("wasm");
    // The fused step's update products run as WebAssembly (their twins take the step's scale).
    expect(code).toMatch(/exports\.trainStep_\d+\([^)]*\bscale\b/);
    expect(mod.model.kernels.fusedStep).toBe(true);
  }
  return mod;
}


/** n rows of inputs in [-1, 1) and one-hot targets. */
function batch(mod: Module, n: number, random: () => number, Vec: typeof Float64Array | typeof Float32Array) {
  const inSize = mod.model.input.shape.reduce((a, b) => a * b, 1);
  const tSize = mod.model.target.shape.reduce((a, b) => a * b, 1);
  const X = new Vec(n * inSize);
  for (let i = 0; i < X.length; i++) X[i] = random() * 2 - 1;
  const Y = new Vec(n * tSize);
  for (let r = 0; r < n; r++) Y[r * tSize + Math.floor(random() * tSize)] = 1;
  return { X, Y };
}

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300));
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, rel(a[i]!, b[i]!));
  return worst;
}
function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

interface Differences {
  /** Worst relative difference of losses, parameters and optimizer state. */
  values: number;
  /** Worst absolute difference of parameters and optimizer state. */
  abs: number;
  norm: number;
  fusedSteps: number;
}

/**
 * Trainer 1 (module `a`, the fused step) against trainer 2 (module `b`, the generic step unless
 * `bFused`): the same minibatches of minRows (1) to minRows + maxRows - 1 rows, `steps` steps.
 */
function compare(
  a: Module,
  b: Module,
  o: { steps: number; maxRows: number; minRows?: number; precision: "f64" | "f32"; options?: Record<string, unknown>; bFused?: boolean; optimizer1?: Optimizer },
): Differences {
  const Vec = o.precision === "f64" ? Float64Array : Float32Array;
  const [p1, p2] = [a.init(3), b.init(3)];
  const o1 = o.optimizer1 ?? a.createOptimizer(o.options);
  const o2 = b.createOptimizer(o.options);
  let genericSteps = 0;
  const step = o1.step.bind(o1);
  o1.step = (p, g) => {
    genericSteps++;
    step(p, g);
  };
  const t1 = a.createTrainer(p1, { optimizer: o1, seed: 5 });
  const t2 = b.createTrainer(p2, { optimizer: o.bFused ? o2 : generic(o2), seed: 5 });
  const random = testRandom(11);
  const worst: Differences = { values: 0, abs: 0, norm: 0, fusedSteps: 0 };
  for (let s = 0; s < o.steps; s++) {
    const n = (o.minRows ?? 1) + (s % o.maxRows);
    const { X, Y } = batch(a, n, random, Vec);
    worst.values = Math.max(worst.values, rel(t1.step(X, Y, n), t2.step(X, Y, n)), maxRel(p1, p2));
    worst.abs = Math.max(worst.abs, maxAbs(p1, p2));
    worst.norm = Math.max(worst.norm, rel(t1.gradNorm, t2.gradNorm));
    expect(t1.applied).toBe(t2.applied);
  }
  expect(o1.iterations).toBe(o2.iterations);
  o1.state!.arrays.forEach((arr, k) => {
    worst.values = Math.max(worst.values, maxRel(arr, o2.state!.arrays[k]!));
    worst.abs = Math.max(worst.abs, maxAbs(arr, o2.state!.arrays[k]!));
  });
  worst.fusedSteps = o.steps - genericSteps;
  return worst;
}

const OPTIMIZERS = [
  "sgd(lr = 0.1)",
  "sgd(lr = 0.05, momentum = 0.9)",
  "sgd(lr = 0.05, momentum = 0.9, nesterov = true)",
  "adam(lr = 0.01)",
  "adam(lr = 0.02, beta1 = 0.8, beta2 = 0.99, epsilon = 0.001)",
  "rmsprop(lr = 0.01, rho = 0.8, momentum = 0.5, centered = true)",
  "adagrad(lr = 0.1, epsilon = 0.01)",
];
const CLIPPING = ["clipnorm = 0.05", "clipvalue = 0.002", "global_clipnorm = 0.05"];
const SCHEDULE = { learningRate: { schedule: "exponential_decay", initialLearningRate: 0.05, decaySteps: 3, decayRate: 0.5, staircase: false } };

describe("the fused step's update in WebAssembly computes what the generic step computes (same module)", () => {
  it.each(OPTIMIZERS)("iris f64, %s: parameters and state bit for bit", async (optimizer) => {
    const mod = await load(withOptimizer(MODELS["iris"]!, optimizer), "f64");
    const d = compare(mod, mod, { steps: 12, maxRows: 4, precision: "f64" });
    expect(d.fusedSteps).toBe(12);
    expect(d.values).toBe(0);
    expect(d.norm).toBeLessThanOrEqual(1e-12);
  });

  it.each(CLIPPING.flatMap((clip) => ["sgd(lr = 0.5", "adam(lr = 0.05"].map((opt) => `${opt}, ${clip})`)))("iris f64, %s: to rounding", async (optimizer) => {
    const mod = await load(withOptimizer(MODELS["iris"]!, optimizer), "f64");
    const d = compare(mod, mod, { steps: 12, maxRows: 4, precision: "f64" });
    expect(d.fusedSteps).toBe(12);
    // The clip factor comes from the Gram norm, a last bit apart: parameters an ulp or two apart.
    expect(d.norm).toBeLessThanOrEqual(1e-12);
    expect(d.abs).toBeLessThanOrEqual(1e-14);
  });

  it("iris f64, adam with a scheduled learning rate (passed in at each step): bit for bit", async () => {
    const mod = await load(withOptimizer(MODELS["iris"]!, "adam(lr = 0.01)"), "f64");
    const d = compare(mod, mod, { steps: 12, maxRows: 4, precision: "f64", options: SCHEDULE });
    expect(d.fusedSteps).toBe(12);
    expect(d.values).toBe(0);
    // Against a constant rate the parameters differ: the schedule's rate reached the update.
    const constant = compare(mod, mod, { steps: 12, maxRows: 4, precision: "f64", options: SCHEDULE, bFused: true, optimizer1: mod.createOptimizer() });
    expect(constant.values).toBeGreaterThan(1e-3);
  });

  it.each(["adam(lr = 0.05)", "sgd(lr = 0.5, momentum = 0.9)", "adam(lr = 0.05, clipvalue = 0.002)"])("iris f32, %s: to float32 rounding", async (optimizer) => {
    const mod = await load(withOptimizer(MODELS["iris"]!, optimizer), "f32");
    const d = compare(mod, mod, { steps: 12, maxRows: 4, precision: "f32" });
    expect(d.fusedSteps).toBe(12);
    expect(d.norm).toBeLessThanOrEqual(1e-6);
    expect(d.abs).toBeLessThanOrEqual(4e-6);
  });

  // Widths that are no multiple of the lanes: the last columns of each product are updated one
  // weight at a time (the update's scalar form).
  const ODD = "model odd\ninput x[5]\ntarget y[3]\nh = dense(x, 7, tanh)\nout = dense(h, 3, softmax)\nloss categorical_crossentropy(out, y)\noptimizer OPT\n";
  it.each([
    ["f64", "adam(lr = 0.05)"],
    ["f64", "sgd(lr = 0.5, momentum = 0.9, clipvalue = 0.002)"],
    ["f32", "adam(lr = 0.05)"],
    ["f32", "rmsprop(lr = 0.01, rho = 0.8, momentum = 0.5, centered = true)"],
  ] as const)("5-7-3 (scalar columns) %s, %s", async (precision, optimizer) => {
    const mod = await load(ODD.replace("OPT", optimizer), precision);
    const d = compare(mod, mod, { steps: 12, maxRows: 4, precision });
    expect(d.fusedSteps).toBe(12);
    if (precision === "f64") expect(d.abs).toBe(0);
    else expect(d.abs).toBeLessThanOrEqual(4e-6);
  });

  it("MNIST f64, adam, minibatches of 1 to 5 rows: bit for bit", async () => {
    const mod = await load(MODELS["mnist"]!, "f64");
    const d = compare(mod, mod, { steps: 6, maxRows: 5, precision: "f64" });
    expect(d.fusedSteps).toBe(6);
    expect(d.values).toBe(0);
  });

  it("a batch with NaN or Infinity leaves params and the optimizer's state bit-identical", async () => {
    const mod = await load(withOptimizer(MODELS["iris"]!, "adam(lr = 0.05)"), "f64");
    const params = mod.init(1);
    const opt = mod.createOptimizer();
    const trainer = mod.createTrainer(params, { optimizer: opt });
    const random = testRandom(2);
    const first = batch(mod, 4, random, Float64Array);
    trainer.step(first.X, first.Y, 4);
    expect(trainer.applied).toBe(true);
    const before = { params: params.slice(), arrays: opt.state!.arrays.map((a) => a.slice()), iterations: opt.iterations };
    for (const bad of [NaN, Infinity]) {
      const { X, Y } = batch(mod, 4, random, Float64Array);
      X[5] = bad;
      expect(Number.isFinite(trainer.step(X, Y, 4))).toBe(false);
      expect(trainer.applied).toBe(false);
      expect(params).toEqual(before.params);
      opt.state!.arrays.forEach((a, k) => expect(a).toEqual(before.arrays[k]));
      expect(opt.iterations).toBe(before.iterations);
    }
  });

  it("an optimizer whose state lies outside the module's memory (another module's) is copied in and back", async () => {
    const source = withOptimizer(MODELS["iris"]!, "adam(lr = 0.01)");
    const [a, other] = [await load(source, "f64"), await load(source, "f64")];
    const foreign = other.createOptimizer();
    // Same settings: the fused step shares its state, which is in the other module's memory.
    const d = compare(a, a, { steps: 10, maxRows: 4, precision: "f64", optimizer1: foreign });
    expect(d.fusedSteps).toBe(10);
    expect(d.values).toBe(0);
    expect(foreign.state!.arrays[0]!.some((x) => x !== 0)).toBe(true);
  });
});

describe("--kernels wasm against the JavaScript kernels, fused steps of 1 to 3 rows", () => {
  it.each([
    ["f64", "adam(lr = 0.001)", 1e-12],
    ["f64", "sgd(lr = 0.05, momentum = 0.9)", 1e-12],
    ["f32", "adam(lr = 0.001)", 1e-5],
    ["f32", "sgd(lr = 0.05)", 1e-5],
  ] as const)("MNIST %s, %s", async (precision, optimizer, tol) => {
    const source = withOptimizer(MODELS["mnist"]!, optimizer);
    const [wasm, js] = [await load(source, precision), await load(source, precision, "js")];
    const Vec = precision === "f64" ? Float64Array : Float32Array;
    const [pw, pj] = [wasm.init(3), js.init(3)];
    const [ow, oj] = [wasm.createOptimizer(), js.createOptimizer()];
    const [tw, tj] = [wasm.createTrainer(pw, { optimizer: ow, seed: 5 }), js.createTrainer(pj, { optimizer: oj, seed: 5 })];
    const random = testRandom(4);
    for (let s = 0; s < 6; s++) {
      const n = 1 + (s % 3);
      const { X, Y } = batch(wasm, n, random, Vec);
      tw.step(X, Y, n);
      tj.step(X, Y, n);
    }
    // Relative to the largest magnitude of each array (nt sums its lanes apart: not bit for bit).
    const scaled = (a: Vec, b: Vec) => maxAbs(a, b) / maxAbs(b, new Float64Array(b.length));
    expect(scaled(pw, pj)).toBeLessThanOrEqual(tol);
    expect(scaled(pw, wasm.init(3))).toBeGreaterThan(tol * 10);
    ow.state!.arrays.forEach((a, k) => {
      if (a.length > 0) expect(scaled(a, oj.state!.arrays[k]!)).toBeLessThanOrEqual(tol);
    });
  });
});

describe("--kernels wasm: only the training step writes the parameters", () => {
  // The fused step's update writes p in the module's memory; predict, loss and grad stage p too,
  // and once copied it back as well, rounding a caller's Float64Array weights to float32.
  it.each(["f32", "f64"] as const)("predict, loss and grad leave a caller's Float64Array untouched (%s)", async (precision) => {
    const { code } = await compile(withOptimizer(MODELS["iris"]!, "adam(lr = 0.01)"), "model.nn", { precision, kernels: "wasm", batch: "always" });
    const mod = (await importCode(code)) as unknown as Module & {
      predict(p: Vec, x: ArrayLike<number>): Vec;
      loss(p: Vec, x: ArrayLike<number>, y: ArrayLike<number>): number;
      grad(p: Vec, x: ArrayLike<number>, y: ArrayLike<number>, g: Vec): number;
    };
    expect(await mod.ready()).toBe("wasm");
    const p = Float64Array.from({ length: mod.model.paramCount }, (_, i) => 0.1 + i * 1e-3);
    const before = p.slice();
    const x = Array.from({ length: mod.model.input.shape[0]! }, (_, i) => i / 3);
    const y = Array.from({ length: mod.model.target.shape[0]! }, (_, i) => (i === 0 ? 1 : 0));
    mod.predict(p, x);
    mod.loss(p, x, y);
    mod.grad(p, x, y, new Float64Array(p.length));
    expect(p.every((v, i) => Object.is(v, before[i]))).toBe(true);
  });
});

/** The module and the fewest rows its fused step does not take (its trainStepRows + 1): from there on, the generated tail runs. */
async function loadTail(source: string, precision: "f64" | "f32", kernels: "wasm" | "js" = "wasm"): Promise<{ mod: Module; first: number; maxBatch: number }> {
  const { code } = await compile(source, "model.nn", { precision, kernels, batch: "always" });
  const rows = /^ {2}trainStepRows: (\d+),$/m.exec(code);
  expect(rows, "a batched module with a fused step states its rows").not.toBeNull();
  expect(code).toMatch(/^ {2}applyGradient: applyGradient,$/m);
  const mod = (await importCode(code)) as unknown as Module;
  if (kernels === "wasm") {
    expect(await mod.ready()).toBe("wasm");
    expect(code).toMatch(/exports\.applyGradient_\d+\(p\.byteOffset/);
  }
  return { mod, first: Number(rows![1]) + 1, maxBatch: Number(/^ {2}maxBatch: (\d+),$/m.exec(code)![1]) };
}

describe("the generic step's tail (minibatches past the fused step's rows) computes what optimizer.step computes", () => {
  // fusedSteps counts the steps that did not call the runtime's optimizer.step: all of them.
  it.each(OPTIMIZERS)("iris f64 wasm, %s: parameters and state bit for bit", async (optimizer) => {
    const { mod, first } = await loadTail(withOptimizer(MODELS["iris"]!, optimizer), "f64");
    const d = compare(mod, mod, { steps: 8, minRows: first, maxRows: 4, precision: "f64" });
    expect(d.fusedSteps).toBe(8);
    expect(d.values).toBe(0);
    expect(d.norm).toBeLessThanOrEqual(1e-12);
  });

  it.each(CLIPPING.flatMap((clip) => ["sgd(lr = 0.5", "adam(lr = 0.05"].map((opt) => `${opt}, ${clip})`)))("iris f64 wasm, %s: to rounding", async (optimizer) => {
    const { mod, first } = await loadTail(withOptimizer(MODELS["iris"]!, optimizer), "f64");
    const d = compare(mod, mod, { steps: 8, minRows: first, maxRows: 4, precision: "f64" });
    expect(d.fusedSteps).toBe(8);
    // The norms are summed in another order: a clip factor a last bit apart.
    expect(d.norm).toBeLessThanOrEqual(1e-12);
    expect(d.abs).toBeLessThanOrEqual(1e-14);
  });

  it.each(["adam(lr = 0.01)", "sgd(lr = 0.05, momentum = 0.9, nesterov = true, clipvalue = 0.002)"])("iris f64 JavaScript kernels, %s: bit for bit", async (optimizer) => {
    const { mod, first } = await loadTail(withOptimizer(MODELS["iris"]!, optimizer), "f64", "js");
    const d = compare(mod, mod, { steps: 8, minRows: first, maxRows: 4, precision: "f64" });
    expect(d.fusedSteps).toBe(8);
    expect(d.values).toBe(0);
  });

  // Under f32 the runtime's clipping norms come from the mean gradient as stored (rounded to
  // float32), the tail's from the unrounded mean: a clip factor a last bit apart.
  it.each(["adam(lr = 0.05, clipnorm = 0.05)", "sgd(lr = 0.5, global_clipnorm = 0.05)"])("iris f32 JavaScript kernels, %s: to float32 rounding", async (optimizer) => {
    const { mod, first } = await loadTail(withOptimizer(MODELS["iris"]!, optimizer), "f32", "js");
    const d = compare(mod, mod, { steps: 8, minRows: first, maxRows: 4, precision: "f32" });
    expect(d.fusedSteps).toBe(8);
    expect(d.abs).toBeLessThanOrEqual(1e-6);
  });

  it("the CNN, whose buffers hold fewer rows: gradRows in chunks, then the tail; f64 bit for bit", async () => {
    const source = readFileSync(new URL("../../bench/mnist-cnn-plain.nn", import.meta.url), "utf8");
    const { mod, first, maxBatch } = await loadTail(source, "f64");
    expect(maxBatch).toBeLessThan(17);
    expect(first).toBeLessThan(17);
    const d = compare(mod, mod, { steps: 3, minRows: 17, maxRows: 3, precision: "f64" });
    expect(d.fusedSteps).toBe(3);
    expect(d.values).toBe(0);
    expect(d.norm).toBeLessThanOrEqual(1e-12);
  });

  it.each([
    ["f64", "adam(lr = 0.05)"],
    ["f64", "rmsprop(lr = 0.01, rho = 0.8, momentum = 0.5, centered = true, clipnorm = 0.05)"],
    ["f32", "adam(lr = 0.05)"],
    ["f32", "sgd(lr = 0.5, momentum = 0.9, global_clipnorm = 0.05)"],
  ] as const)("5-7-3 (66 parameters: the passes' scalar tails; per-tensor ranges) %s wasm, %s", async (precision, optimizer) => {
    const ODD = "model odd\ninput x[5]\ntarget y[3]\nh = dense(x, 7, tanh)\nout = dense(h, 3, softmax)\nloss categorical_crossentropy(out, y)\noptimizer OPT\n";
    const { mod, first } = await loadTail(ODD.replace("OPT", optimizer), precision);
    const d = compare(mod, mod, { steps: 8, minRows: first, maxRows: 3, precision });
    expect(d.fusedSteps).toBe(8);
    expect(d.norm).toBeLessThanOrEqual(precision === "f64" ? 1e-12 : 1e-6);
    if (precision === "f64" && !optimizer.includes("clip")) expect(d.values).toBe(0);
    else expect(d.abs).toBeLessThanOrEqual(precision === "f64" ? 1e-14 : 4e-6);
  });

  it("iris f32 wasm, adam with a scheduled learning rate: to float32 rounding, and the schedule reaches the update", async () => {
    const { mod, first } = await loadTail(withOptimizer(MODELS["iris"]!, "adam(lr = 0.01)"), "f32");
    const d = compare(mod, mod, { steps: 8, minRows: first, maxRows: 4, precision: "f32", options: SCHEDULE });
    expect(d.fusedSteps).toBe(8);
    expect(d.abs).toBeLessThanOrEqual(4e-6);
    const constant = compare(mod, mod, { steps: 8, minRows: first, maxRows: 4, precision: "f32", options: SCHEDULE, bFused: true, optimizer1: mod.createOptimizer() });
    expect(constant.values).toBeGreaterThan(1e-3);
  });

  it("a large batch with NaN leaves params and the optimizer's state bit-identical; state outside the memory is staged", async () => {
    const source = withOptimizer(MODELS["iris"]!, "adam(lr = 0.05)");
    const [{ mod, first }, other] = [await loadTail(source, "f64"), (await loadTail(source, "f64")).mod];
    const params = mod.init(1);
    const opt = other.createOptimizer();
    const trainer = mod.createTrainer(params, { optimizer: opt });
    const random = testRandom(2);
    const good = batch(mod, first, random, Float64Array);
    trainer.step(good.X, good.Y, first);
    expect(trainer.applied).toBe(true);
    expect(opt.state!.arrays[0]!.some((x) => x !== 0)).toBe(true);
    const before = { params: params.slice(), arrays: opt.state!.arrays.map((a) => a.slice()), iterations: opt.iterations };
    const { X, Y } = batch(mod, first, random, Float64Array);
    X[7] = NaN;
    expect(Number.isFinite(trainer.step(X, Y, first))).toBe(false);
    expect(trainer.applied).toBe(false);
    expect(params).toEqual(before.params);
    opt.state!.arrays.forEach((a, k) => expect(a).toEqual(before.arrays[k]));
    expect(opt.iterations).toBe(before.iterations);
  });

  it.each([
    ["f64", 1e-12],
    ["f32", 1e-5],
  ] as const)("MNIST %s, adam, 28 to 33 rows: wasm against the JavaScript kernels", async (precision, tol) => {
    const [wasm, js] = [(await loadTail(MODELS["mnist"]!, precision)).mod, (await loadTail(MODELS["mnist"]!, precision, "js")).mod];
    const Vec = precision === "f64" ? Float64Array : Float32Array;
    const [pw, pj] = [wasm.init(3), js.init(3)];
    const [tw, tj] = [wasm.createTrainer(pw, { seed: 5 }), js.createTrainer(pj, { seed: 5 })];
    const random = testRandom(4);
    for (let s = 0; s < 4; s++) {
      const n = 28 + s * 2;
      const { X, Y } = batch(wasm, n, random, Vec);
      tw.step(X, Y, n);
      tj.step(X, Y, n);
      expect(rel(tw.gradNorm, tj.gradNorm)).toBeLessThanOrEqual(tol);
    }
    const scaled = (a: Vec, b: Vec) => maxAbs(a, b) / maxAbs(b, new Float64Array(b.length));
    expect(scaled(pw, pj)).toBeLessThanOrEqual(tol);
    expect(scaled(pw, wasm.init(3))).toBeGreaterThan(tol * 10);
  });
});

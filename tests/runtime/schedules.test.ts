// Learning-rate schedules (runtime/schedules.ts) against Keras 3's formulas: the rate at given
// steps (expected values computed with Python's math module from the formulas in Keras'
// learning_rate_schedule.py, written here as literals), and whole trajectories against
// TensorFlow.js optimizers whose learning rate the test sets before each step to Keras' value for
// that step (tfjs has no schedules of its own), so "the same learning rate per step" is checked
// through the update each optimizer really applies.

import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../helpers/tfjs-cpu.js";
import { type LearningRateSchedule, scheduledRate } from "../../runtime/schedules.js";
import { createAdam, createSgd, type Optimizer } from "../../runtime/optimizers.js";
import { compile } from "../../compiler/compile.js";
import { importCode } from "../helpers/generated.js";
import { MODELS } from "../equivalence/cases.js";

const A = [0.5, 1, 2, 3];
const C = [2, 3, 4, 2.5];
const W0 = [0.5, 1.5, 1, 0.7];
const STEPS = 30;

const quadGrad = (w: ArrayLike<number>) => Float64Array.from(A, (a, i) => a * (w[i]! - C[i]!));

function runOurs(opt: Optimizer): number[][] {
  const w = Float64Array.from(W0);
  const out: number[][] = [];
  for (let s = 0; s < STEPS; s++) {
    opt.step(w, quadGrad(w));
    out.push(Array.from(w));
  }
  return out;
}

let uid = 0;
/** tfjs with its learning rate set to `rate(t)` before step t (t = 0 for the first update). */
function runTf(opt: tf.Optimizer, rate: (t: number) => number): number[][] {
  const W = tf.variable(tf.tensor1d(W0), true, `Wsched${uid++}`);
  const out: number[][] = [];
  for (let t = 0; t < STEPS; t++) {
    // SGD keeps its rate as a tensor (setLearningRate); Adam reads the field at every step.
    const o = opt as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
    if (o.setLearningRate) o.setLearningRate(rate(t));
    else o.learningRate = rate(t);
    const g = tf.tensor1d(Array.from(quadGrad(W.dataSync())));
    opt.applyGradients({ [W.name]: g });
    g.dispose();
    out.push(Array.from(W.dataSync()));
  }
  W.dispose();
  opt.dispose();
  return out;
}

function expectSameTrajectory(ours: number[][], theirs: number[][]): void {
  let worst = 0;
  ours.forEach((row, s) => row.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - theirs[s]![i]!) / Math.abs(theirs[s]![i]!)))));
  expect(worst).toBeLessThan(1e-4);
  expect(Math.abs(ours[STEPS - 1]![0]! - W0[0]!)).toBeGreaterThan(0.05);
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const exponential: LearningRateSchedule = { schedule: "exponential_decay", initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: false };

describe("schedules give Keras' learning rate at each step", () => {
  it("exponential_decay (and staircase)", () => {
    const expected = [0.1, 0.07071067811865477, 0.05, 0.01767766952966369];
    [0, 5, 10, 25].forEach((step, i) => expect(scheduledRate(exponential, step)).toBeCloseTo(expected[i]!, 15));
    const stairs = { ...exponential, staircase: true };
    const stairExpected = [0.1, 0.05, 0.05, 0.025];
    [9, 10, 19, 20].forEach((step, i) => expect(scheduledRate(stairs, step)).toBeCloseTo(stairExpected[i]!, 15));
  });

  it("cosine_decay (alpha, and the linear warm-up to warmup_target)", () => {
    const cosine: LearningRateSchedule = { schedule: "cosine_decay", initialLearningRate: 0.1, decaySteps: 100, alpha: 0.1, warmupSteps: 0 };
    const expected = [0.1, 0.08681980515339464, 0.05500000000000001, 0.010000000000000002, 0.010000000000000002];
    [0, 25, 50, 100, 150].forEach((step, i) => expect(scheduledRate(cosine, step)).toBeCloseTo(expected[i]!, 15));
    const warm: LearningRateSchedule = { schedule: "cosine_decay", initialLearningRate: 0, decaySteps: 100, alpha: 0, warmupTarget: 0.2, warmupSteps: 10 };
    const warmExpected = [0, 0.1, 0.2, 0.1, 0, 0];
    [0, 5, 10, 60, 110, 200].forEach((step, i) => expect(scheduledRate(warm, step)).toBeCloseTo(warmExpected[i]!, 15));
  });

  it("piecewise_constant: values[i] up to and including boundaries[i]", () => {
    const pc: LearningRateSchedule = { schedule: "piecewise_constant", boundaries: [100, 200], values: [1, 0.5, 0.1] };
    expect([0, 100, 101, 200, 201, 1e6].map((s) => scheduledRate(pc, s))).toEqual([1, 1, 0.5, 0.5, 0.1, 0.1]);
  });
});

describe("optimizers follow their schedule step by step (against TensorFlow.js)", () => {
  it("sgd with exponential_decay: step t uses Keras' rate at t (iterations before the step)", () => {
    const keras = (t: number) => 0.1 * 0.5 ** (t / 10);
    expectSameTrajectory(runOurs(createSgd(4, { learningRate: exponential })), runTf(tf.train.sgd(0.1), keras));
    // Off by one step (the rate of t + 1) really is a different trajectory, so the check has teeth.
    const shifted = runTf(tf.train.sgd(0.1), (t) => keras(t + 1));
    expect(Math.abs(shifted[STEPS - 1]![0]! - runOurs(createSgd(4, { learningRate: exponential }))[STEPS - 1]![0]!)).toBeGreaterThan(1e-3);
  });

  it("adam with cosine_decay and warm-up, and sgd with piecewise_constant", () => {
    const warm: LearningRateSchedule = { schedule: "cosine_decay", initialLearningRate: 0.01, decaySteps: 20, alpha: 0.2, warmupTarget: 0.3, warmupSteps: 5 };
    const kerasWarm = (t: number) => {
      const g = Math.min(t, 25);
      if (g < 5) return 0.01 + ((0.3 - 0.01) * g) / 5;
      return 0.3 * (0.8 * 0.5 * (1 + Math.cos((Math.PI * (g - 5)) / 20)) + 0.2);
    };
    // epsilon 0: Keras' and tfjs' Adam formulas agree exactly (see optimizers.test.ts).
    expectSameTrajectory(runOurs(createAdam(4, { learningRate: warm, epsilon: 0 })), runTf(tf.train.adam(0.01, 0.9, 0.999, 0), kerasWarm));
    const pc: LearningRateSchedule = { schedule: "piecewise_constant", boundaries: [4, 12], values: [0.05, 0.02, 0.005] };
    const kerasPc = (t: number) => (t <= 4 ? 0.05 : t <= 12 ? 0.02 : 0.005);
    // tfjs' momentum keeps v' = m·v' + g and steps lr·v', Keras v = m·v − lr·g: equal only while
    // the rate is constant, so compare plain sgd here.
    expectSameTrajectory(runOurs(createSgd(4, { learningRate: pc })), runTf(tf.train.sgd(0.05), kerasPc));
  });

  it("reading the learning rate gives the schedule's next rate; setting it throws", () => {
    const opt = createSgd(4, { learningRate: exponential });
    expect(opt.learningRate).toBe(0.1);
    runOurs(opt);
    expect(opt.learningRate).toBeCloseTo(0.1 * 0.5 ** 3, 15);
    expect(() => (opt.learningRate = 0.5)).toThrow(/^sgd: the learning rate follows its schedule \(exponential_decay\) and cannot be set$/);
  });
});

// A model's fused training step (ModelCore.trainStep: per-sample models small enough, and
// batched ones) applies the update itself, reading the rate from the optimizer's shared scalars: the trainer must put the
// schedule's rate for each step there first. Checked against the generic step (the optimizer's
// state hidden), which calls optimizer.step and so follows the schedule by construction.
describe("a scheduled optimizer in the fused training step", () => {
  interface Opt {
    step(p: Float64Array, g: Float64Array): void;
    readonly learningRate: number;
    readonly iterations: number;
  }
  interface Mod {
    init(seed?: number): Float64Array;
    createOptimizer(): Opt;
    createTrainer(params: Float64Array, opts?: { optimizer?: unknown; seed?: number }): { step(X: Float64Array, Y: Float64Array, n: number): number };
    model: { kernels: { fusedStep: boolean; batched: boolean } };
  }
  const hidden = (opt: Opt): Opt => ({
    step: (p, g) => opt.step(p, g),
    get learningRate() {
      return opt.learningRate;
    },
    get iterations() {
      return opt.iterations;
    },
  });

  const load = async (name: string, optimizer: string): Promise<Mod> => {
    const source = MODELS[name]!.replace(/^optimizer .*$/m, `optimizer ${optimizer}`);
    expect(source).toContain(optimizer);
    return (await importCode((await compile(source, `${name}.nn`)).code)) as unknown as Mod;
  };
  // parity: per sample, x[1] → y[1]; iris_regularized: batched (its fused step is stage B's), x[4] → a class.
  const DATA: { [name: string]: { X: Float64Array; Y: Float64Array; n: number } } = {
    parity: { X: Float64Array.from([0, 1, 2, 3]), Y: Float64Array.from([0, 1, 1, 0]), n: 4 },
    iris_regularized: {
      X: Float64Array.from({ length: 32 }, (_, i) => Math.sin(i * 1.7) * 2),
      Y: Float64Array.from([0, 1, 2, 0, 1, 2, 0, 1]),
      n: 8,
    },
  };
  const train = (name: string, mod: Mod, optimizer: Opt): Float64Array => {
    const { X, Y, n } = DATA[name]!;
    const params = mod.init(1);
    const trainer = mod.createTrainer(params, { optimizer, seed: 3 });
    for (let s = 0; s < 8; s++) trainer.step(X, Y, n);
    return params;
  };

  it.each([
    ["parity", "sgd(lr = exponential_decay(0.5, decay_steps = 2, decay_rate = 0.3))", "sgd(lr = 0.5)"],
    ["parity", "adam(learning_rate = piecewise_constant(boundaries = [2], values = [0.1, 0.001]))", "adam(lr = 0.1)"],
    ["iris_regularized", "adam(learning_rate = cosine_decay(0.05, decay_steps = 6))", "adam(lr = 0.05)"],
  ])("%s with %s: the same parameters as the generic step, bit for bit", async (name, scheduled, constant) => {
    const mod = await load(name, scheduled);
    expect(mod.model.kernels.fusedStep).toBe(true);
    expect(mod.model.kernels.batched).toBe(name === "iris_regularized");
    const fused = train(name, mod, mod.createOptimizer());
    expect(fused).toEqual(train(name, mod, hidden(mod.createOptimizer())));
    // The schedule mattered: its first rate kept for all eight steps gives other weights.
    const steady = await load(name, constant);
    expect(steady.model.kernels.fusedStep).toBe(true);
    const constantRate = train(name, steady, steady.createOptimizer());
    expect(Math.max(...fused.map((w, i) => Math.abs(w - constantRate[i]!)))).toBeGreaterThan(1e-3);
  });
});

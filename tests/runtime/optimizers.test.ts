// Each optimizer against TensorFlow.js (float32, CPU backend) as an independent oracle: the same
// quadratic problem, the same initial weights, 20 steps, weights compared after every step.
// Where tfjs' formula differs from Keras 3 (which we implement) the test says so and maps the
// difference explicitly instead of loosening the tolerance.
import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../helpers/tfjs-cpu.js";
import type { ParamInfo } from "../../runtime/core.js";
import { OPTIMIZERS } from "../../runtime/optimizer-options.js";
import {
  createAdagrad,
  createAdam,
  createOptimizer,
  createRmsprop,
  createSgd,
  type Optimizer,
} from "../../runtime/optimizers.js";

// Two tensors so per-tensor state and layouts are exercised: W (4) and b (2).
const LAYOUT: ParamInfo[] = [
  { name: "W", shape: [2, 2], offset: 0, size: 4, init: { name: "zeros" } },
  { name: "b", shape: [2], offset: 4, size: 2, init: { name: "zeros" } },
];
// f(w) = ½ Σ a_i (w_i - c_i)²; weights start in [0.5, 1.5] and move toward c in [2, 4], so they
// stay well away from 0 and a relative error is meaningful.
const A = [0.5, 1, 2, 3, 1.5, 0.8];
const C = [2, 3, 4, 2.5, 3.5, 2.2];
const W0 = [0.5, 1.5, 1, 0.7, 1.2, 0.9];
const STEPS = 20;
const REL_TOL = 1e-4;

function quadGrad(w: ArrayLike<number>): Float64Array {
  const g = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) g[i] = A[i] * (w[i] - C[i]);
  return g;
}

/** Our trajectory: weights after each step. */
function runOurs(opt: Optimizer): number[][] {
  const w = Float64Array.from(W0);
  const out: number[][] = [];
  for (let s = 0; s < STEPS; s++) {
    opt.step(w, quadGrad(w));
    out.push(Array.from(w));
  }
  return out;
}

/** tfjs trajectory; `beforeStep(t)` may adjust the optimizer before step t (1-based). */
function runTf(opt: tf.Optimizer, beforeStep?: (t: number) => void): number[][] {
  const W = tf.variable(tf.tensor1d(W0.slice(0, 4)), true, `W${uid}`);
  const b = tf.variable(tf.tensor1d(W0.slice(4)), true, `b${uid}`);
  uid++;
  const out: number[][] = [];
  for (let s = 0; s < STEPS; s++) {
    const w = [...W.dataSync(), ...b.dataSync()];
    const g = quadGrad(w);
    beforeStep?.(s + 1);
    const gW = tf.tensor1d(Array.from(g.slice(0, 4)));
    const gb = tf.tensor1d(Array.from(g.slice(4)));
    opt.applyGradients({ [W.name]: gW, [b.name]: gb });
    tf.dispose([gW, gb]);
    out.push([...W.dataSync(), ...b.dataSync()]);
  }
  tf.dispose([W, b]);
  opt.dispose();
  return out;
}
let uid = 0;

function expectClose(ours: number[][], theirs: number[][]): void {
  let worst = 0;
  for (let s = 0; s < STEPS; s++) {
    for (let i = 0; i < W0.length; i++) {
      worst = Math.max(worst, Math.abs(ours[s][i] - theirs[s][i]) / Math.abs(theirs[s][i]));
    }
  }
  expect(worst).toBeLessThan(REL_TOL);
  // The run must actually move the weights, or the comparison proves little.
  expect(Math.abs(ours[STEPS - 1][0] - W0[0])).toBeGreaterThan(0.05);
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("optimizers vs TensorFlow.js", () => {
  it("sgd (plain)", () => {
    expectClose(runOurs(createSgd(6, { learningRate: 0.1 })), runTf(tf.train.sgd(0.1)));
  });

  it("sgd with momentum and nesterov", () => {
    // tfjs accumulates v' = m·v' + g and steps p -= lr·v' (nesterov: p -= lr·(g + m·v')); with a
    // constant lr this is Keras' v = m·v - lr·g scaled by -lr, so trajectories are identical.
    expectClose(runOurs(createSgd(6, { learningRate: 0.05, momentum: 0.9 })), runTf(tf.train.momentum(0.05, 0.9)));
    expectClose(
      runOurs(createSgd(6, { learningRate: 0.05, momentum: 0.9, nesterov: true })),
      runTf(tf.train.momentum(0.05, 0.9, true)),
    );
  });

  it("adam with Keras defaults (epsilon placement differs, below tolerance here)", () => {
    // Keras 3: p -= lr·sqrt(1-β2^t)/(1-β1^t) · m/(sqrt(v)+ε). tfjs: p -= lr·m̂/(sqrt(v̂)+ε).
    // Equal when tfjs' ε is ε/sqrt(1-β2^t) (next test). With ε = 1e-7 and |g| ≥ 0.3 here the
    // difference is ≤ 1e-7/sqrt(0.001)/0.3 ≈ 1e-5 relative per step: inside the tolerance.
    expectClose(runOurs(createAdam(6, { learningRate: 0.05 })), runTf(tf.train.adam(0.05, 0.9, 0.999, 1e-7)));
  });

  it("adam with a large epsilon, tfjs' epsilon mapped to Keras' placement", () => {
    const eps = 0.1;
    const opt = tf.train.adam(0.05, 0.9, 0.999, eps);
    const tfEps = (t: number) => eps / Math.sqrt(1 - 0.999 ** t);
    const mapped = runTf(opt, (t) => {
      (opt as unknown as { epsilon: number }).epsilon = tfEps(t);
    });
    expectClose(runOurs(createAdam(6, { learningRate: 0.05, epsilon: eps })), mapped);
    // Without the mapping the formulas really do differ (so the mapping is not a no-op).
    const unmapped = runTf(tf.train.adam(0.05, 0.9, 0.999, eps));
    expect(Math.abs(unmapped[STEPS - 1][0] - mapped[STEPS - 1][0])).toBeGreaterThan(1e-3);
  });

  it("adam with beta1/beta2 other than the defaults", () => {
    expectClose(
      runOurs(createAdam(6, { learningRate: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 0 })),
      runTf(tf.train.adam(0.1, 0.8, 0.99, 0)),
    );
  });

  it("rmsprop (plain and with momentum)", () => {
    // Both put ε inside the sqrt: lr·g/sqrt(v + ε).
    expectClose(runOurs(createRmsprop(6, { learningRate: 0.01 })), runTf(tf.train.rmsprop(0.01, 0.9, 0, 1e-7)));
    expectClose(
      runOurs(createRmsprop(6, { learningRate: 0.01, rho: 0.8, momentum: 0.5 })),
      runTf(tf.train.rmsprop(0.01, 0.8, 0.5, 1e-7)),
    );
  });

  it("rmsprop centered (tfjs subtracts epsilon; passing -epsilon gives Keras' formula)", () => {
    // Keras 3: sqrt(v - a² + ε); tfjs: sqrt(v - (a² + ε)). tfjs with ε' = -ε is exactly Keras.
    const eps = 1e-3;
    expectClose(
      runOurs(createRmsprop(6, { learningRate: 0.01, centered: true, epsilon: eps, momentum: 0.3 })),
      runTf(tf.train.rmsprop(0.01, 0.9, 0.3, -eps, true)),
    );
  });

  it("adagrad", () => {
    // tfjs uses the backend epsilon (1e-7) inside the sqrt, as Keras 3 does with its default ε.
    expectClose(
      runOurs(createAdagrad(6, { learningRate: 0.1, initialAccumulatorValue: 0.1 })),
      runTf(tf.train.adagrad(0.1, 0.1)),
    );
  });
});

describe("optimizer API", () => {
  it("counts iterations and allows changing the learning rate", () => {
    const opt = createSgd(2, { learningRate: 0.5 });
    const w = Float64Array.from([1, 1]);
    opt.step(w, Float64Array.from([1, 2]));
    expect(opt.iterations).toBe(1);
    expect(Array.from(w)).toEqual([0.5, 0]);
    opt.learningRate = 1;
    opt.step(w, Float64Array.from([1, 1]));
    expect(Array.from(w)).toEqual([-0.5, -1]);
    expect(opt.iterations).toBe(2);
  });

  it("uses Keras 3 defaults and dispatches by name", () => {
    expect(OPTIMIZERS.sgd.options).toEqual({ learningRate: 0.01, momentum: 0, nesterov: false });
    expect(OPTIMIZERS.adam.options).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(OPTIMIZERS.rmsprop.options).toEqual({ learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false });
    expect(OPTIMIZERS.adagrad.options).toEqual({ learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 });
    for (const name of ["sgd", "adam", "rmsprop", "adagrad"] as const) {
      const opt = createOptimizer({ name }, LAYOUT, 6);
      expect(opt.learningRate).toBe(OPTIMIZERS[name].options.learningRate);
      const w = Float64Array.from(W0);
      opt.step(w, quadGrad(w));
      expect(opt.iterations).toBe(1);
      expect(Array.from(w)).not.toEqual(W0);
    }
  });

  it("validates options", () => {
    expect(() => createAdam(6, { learningrate: 0.1 } as never)).toThrow(/adam: unknown option 'learningrate'/);
    expect(() => createSgd(6, { momentum: 1.5 })).toThrow(/sgd momentum must be a number in \[0, 1\]/);
    expect(() => createAdam(6, { beta1: 1 })).toThrow(/adam beta1 must be a number in \[0, 1\)/);
    expect(() => createRmsprop(6, { clipnorm: 1 })).toThrow(/needs the parameter layout/);
    expect(() => createAdagrad(6, { clipnorm: 1, clipvalue: 1 }, LAYOUT)).toThrow(/only one of/);
    expect(() => createOptimizer({ name: "nadam" } as never, LAYOUT, 6)).toThrow(/unknown optimizer 'nadam'/);
    expect(() => createSgd(6).step(new Float64Array(5), new Float64Array(6))).toThrow(/expected params and grad of length 6/);
  });
});

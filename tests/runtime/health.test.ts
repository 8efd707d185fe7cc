// fit's per-layer health (`fit(…, { health: true })`, runtime/health.ts): the per-tensor gradient
// norms and update-to-weight ratios against the same numbers computed here by hand from the
// module's per-sample gradients (grad()) and plain SGD's formula; saturated and dead fractions
// against activations computed by hand from the weights; health changes nothing about training.

import { describe, expect, it } from "vitest";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";
import { createSgd } from "../../runtime/optimizers.js";

interface HealthHistory {
  params: { name: string; gradNorm: number[]; updateRatio: number[] }[];
  activations: { name: string; activation: string; measure: string; fraction: number[] }[];
  probeRows: number;
}
type FitResult = { history: Record<string, number[]>; health?: HealthHistory };
const fitOf = (mod: GeneratedModule, ...args: Parameters<GeneratedModule["fit"]>) => mod.fit(...args) as unknown as FitResult;

const TWO_LAYERS = `model two
input x[3]
target y[2]
h = dense(x, 4, tanh)
out = dense(h, 2, sigmoid)
loss binary_crossentropy(out, y)
optimizer sgd(lr = 0.3)
`;

/** Fixed rows. */
const rowsOf = (n: number) => Array.from({ length: n }, (_, r) => [Math.sin(r), Math.cos(2 * r), (r % 3) - 1]);
const labelsOf = (xs: number[][]) => xs.map(([a, b]) => [a! > 0 ? 1 : 0, b! > 0 ? 1 : 0]);
const XS = rowsOf(10);
const YS = labelsOf(XS);

describe("gradient norms and update ratios per tensor", () => {
  // 3 updates per epoch: every ratio measured; 40: every 2nd (at most RATIO_SAMPLES = 16 … 20 of them).
  it.each([
    [10, 4],
    [40, 1],
  ])("are the epoch means over the batches of ‖mean per-sample gradient‖ and ‖Δw‖/‖w‖ (checked by hand, SGD; %i rows, batch %i)", async (n, batch) => {
    const { mod } = await compileAndImport(TWO_LAYERS, "two.nn");
    const XS = rowsOf(n);
    const YS = labelsOf(XS);
    const lr = 0.3;
    const epochs = 3;
    const every = Math.max(1, Math.floor(Math.ceil(n / batch) / 16));
    const params = mod.init(5);
    const start = Float64Array.from(params);
    const fitted = fitOf(mod, params, XS, YS, { epochs, batchSize: batch, shuffle: false, health: true, optimizer: createSgd(params.length, { learningRate: lr }) });

    // By hand: the same batches in order, gradients from grad() one sample at a time.
    const w = Float64Array.from(start);
    const tensors = mod.model.params;
    const expected = tensors.map(() => ({ norm: [] as number[], ratio: [] as number[] }));
    for (let e = 0; e < epochs; e++) {
      const sums = tensors.map(() => ({ norm: 0, ratio: 0 }));
      let steps = 0;
      let sampled = 0;
      for (let s = 0; s < XS.length; s += batch) {
        const rows = XS.slice(s, s + batch);
        const g = new Float64Array(w.length);
        rows.forEach((x, i) => mod.grad(w, x, YS[s + i]!, g));
        tensors.forEach((t, k) => {
          let g2 = 0;
          let w2 = 0;
          let d2 = 0;
          for (let i = t.offset; i < t.offset + t.size; i++) {
            const mean = g[i]! / rows.length;
            g2 += mean * mean;
            w2 += w[i]! * w[i]!;
            d2 += (lr * mean) ** 2;
          }
          sums[k]!.norm += Math.sqrt(g2);
          if (steps % every === 0) sums[k]!.ratio += Math.sqrt(d2) / Math.sqrt(w2);
        });
        if (steps % every === 0) sampled++;
        for (let i = 0; i < w.length; i++) w[i]! -= (lr * g[i]!) / rows.length;
        steps++;
      }
      sums.forEach((sum, k) => {
        expected[k]!.norm.push(sum.norm / steps);
        // (Checked for the weight matrices only: b_h starts at zero, and its first step has no ratio.)
        expected[k]!.ratio.push(sum.ratio / sampled);
      });
    }
    const health = fitted.health!;
    expect(health.params.map((p) => p.name)).toEqual(["W_h", "b_h", "W_out", "b_out"]);
    health.params.forEach((p, k) => {
      p.gradNorm.forEach((v, e) => expect(v).toBeCloseTo(expected[k]!.norm[e]!, 12));
      if (p.name.startsWith("W")) p.updateRatio.forEach((v, e) => expect(v).toBeCloseTo(expected[k]!.ratio[e]!, 12));
    });
    // The trained weights are what the hand-run SGD reached.
    for (let i = 0; i < w.length; i++) expect(params[i]).toBeCloseTo(w[i]!, 12);
  });

  it("skip steps where a tensor is all zeros (a zero-initialized bias's first step has no ratio)", async () => {
    const { mod } = await compileAndImport(TWO_LAYERS, "two.nn");
    const params = mod.init(5);
    const fitted = fitOf(mod, params, XS, YS, { epochs: 1, batchSize: "full", health: true });
    const b = fitted.health!.params.find((p) => p.name === "b_h")!;
    // One step per epoch, from b = 0: no ratio to take.
    expect(b.updateRatio).toEqual([NaN]);
    expect(b.gradNorm[0]).toBeGreaterThan(0);
  });

  it("change nothing about training, and are absent without health: true", async () => {
    const { mod } = await compileAndImport(TWO_LAYERS, "two.nn");
    const [a, b] = [mod.init(2), mod.init(2)];
    const plain = fitOf(mod, a, XS, YS, { epochs: 4, batchSize: 3 });
    const watched = fitOf(mod, b, XS, YS, { epochs: 4, batchSize: 3, health: true });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(watched.history).toEqual(plain.history);
    expect(plain.health).toBeUndefined();
    expect(watched.health!.params[0]!.gradNorm).toHaveLength(4);
  });
});

const PROBED = `model probed
input x[2]
target y[1]
param W1[3, 2] ~ zeros
param b1[3] ~ zeros
param W2[2, 3] ~ zeros
param b2[2] ~ zeros
param W3[1, 2] ~ zeros
param b3[1] ~ zeros
s = sigmoid(W1 @ x + b1)
r = relu(W2 @ s + b2)
out = W3 @ r + b3
loss mse(out, y)
`;

describe("saturated and dead activations", () => {
  it("are the fractions computed by hand from the weights, on the first 256 rows", async () => {
    const { mod } = await compileAndImport(PROBED, "probed.nn");
    expect(mod.model.activations.map((a) => [a.name, a.activation, a.offset, a.size])).toEqual([
      ["s", "sigmoid", 0, 3],
      ["r", "relu", 3, 2],
    ]);
    const p = new Float64Array(mod.model.paramCount);
    const set = (name: string, values: number[]) => p.set(values, mod.model.params.find((q) => q.name === name)!.offset);
    // s0 = σ(8·x0): saturated where |x0| > ~0.66; s1 = σ(x1) never; s2 = σ(10) always.
    set("W1", [8, 0, 0, 1, 0, 0]);
    set("b1", [0, 0, 10]);
    // r0 = relu(s2 − 2) = 0 always (dead); r1 = relu(s0 − 0.5 + 20·[row 300's x1 only]) is alive.
    set("W2", [0, 0, 1, 1, 0, 0]);
    set("b2", [-2, -0.5]);
    const rows = 300;
    const xs = Array.from({ length: rows }, (_, r) => [Math.sin(r * 0.7), Math.cos(r * 1.3)]);
    const ys = xs.map(() => [0]);
    // A learning rate of 0 keeps the weights as set, so the fractions can be computed from them.
    const fitted = fitOf(mod, p, xs, ys, { epochs: 2, health: true, optimizer: createSgd(p.length, { learningRate: 0 }) });
    const health = fitted.health!;
    expect(health.probeRows).toBe(256);
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    const probe = xs.slice(0, 256);
    let saturated = 0;
    let anyR1 = false;
    for (const [x0, x1] of probe) {
      const s = [sigmoid(8 * x0!), sigmoid(x1!), sigmoid(10)];
      saturated += s.filter((v) => Math.abs(2 * v - 1) > 0.99).length;
      anyR1 ||= Math.max(s[0]! - 0.5, 0) > 0;
    }
    expect(anyR1).toBe(true);
    const [sHealth, rHealth] = health.activations;
    expect(sHealth).toMatchObject({ name: "s", measure: "saturated" });
    expect(sHealth!.fraction).toEqual([saturated / (256 * 3), saturated / (256 * 3)]);
    expect(saturated).toBeGreaterThan(256); // s2 alone is 256
    expect(rHealth).toMatchObject({ name: "r", measure: "dead" });
    expect(rHealth!.fraction).toEqual([0.5, 0.5]);
  });

  it("count a unit alive on no probe row as dead, though later rows would wake it", async () => {
    const { mod } = await compileAndImport(PROBED, "probed.nn");
    const p = new Float64Array(mod.model.paramCount);
    const set = (name: string, values: number[]) => p.set(values, mod.model.params.find((q) => q.name === name)!.offset);
    set("W1", [0, 0, 0, 0, 40, 0]); // s1 = σ(40·x1) ≈ 1 only where x1 > 0
    set("W2", [0, 1, 0, 0, 1, 0]);
    set("b2", [-0.5, -0.5]);
    const xs = Array.from({ length: 300 }, (_, r) => [0, r === 280 ? 1 : -1]);
    const fitted = fitOf(mod, p, xs, xs.map(() => [0]), { epochs: 1, health: true, optimizer: createSgd(p.length, { learningRate: 0 }) });
    expect(fitted.health!.activations[1]!.fraction).toEqual([1]);
  });
});

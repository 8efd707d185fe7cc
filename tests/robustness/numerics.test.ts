// Numerics through generated code: hand-written sigmoid / softmax / log-sum-exp / cross-entropy
// forms are rewritten to stable ones, so at logits of ±1000 the loss, the prediction and the
// gradient are finite and exact; fit refuses a batch whose loss or gradient is NaN or infinite
// and says which (nanPolicy stop / skip / throw); clipping options from the model file and from
// createOptimizer are honoured. (The built-in losses at ±1000 and clipping against TensorFlow.js
// are in tests/oracle/losses.test.ts and tests/oracle/clipping.test.ts.)

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type GeneratedModule, compileAndImport } from "../helpers/generated.js";
import { tf } from "../helpers/tfjs-cpu.js";

const LOGITS = [1000, -1000, 0];

/** A model whose logits are z = W @ x with x = [1], so W's column is z. */
async function logitModel(body: string, target = 3): Promise<GeneratedModule> {
  const source = `model stable\ninput x[1]\ntarget y[${target}]\nparam W[3, 1] ~ zeros\nz = W @ x\n${body}\n`;
  return (await compileAndImport(source, "stable.nn", { format: false })).mod;
}

function gradAt(mod: GeneratedModule, z: number[], y: number[]): { loss: number; g: number[] } {
  const g = new Float64Array(3);
  const loss = mod.grad(Float64Array.from(z), [1], y, g);
  return { loss, g: Array.from(g) };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe("stable forms at logits of ±1000", () => {
  it("hand-written binary cross-entropy on sigmoid: exact loss, gradient σ(z) − y", async () => {
    const mod = await logitModel("p = sigmoid(z)\nloss = -mean(y * log(p) + (1 - y) * log(1 - p))");
    const { loss, g } = gradAt(mod, LOGITS, [0, 1, 1]);
    expect(loss).toBeCloseTo((2000 + Math.LN2) / 3, 9);
    [1 / 3, -1 / 3, -1 / 6].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 12));
    expect(Array.from(mod.predict(Float64Array.from(LOGITS), [1]))).toEqual([1, 0, 0.5]);
  });

  it("hand-written categorical cross-entropy on softmax: exact loss, gradient softmax(z) − y", async () => {
    const mod = await logitModel("p = softmax(z)\nloss = -sum(y * log(p))");
    const { loss, g } = gradAt(mod, LOGITS, [0, 1, 0]);
    expect(loss).toBeCloseTo(2000, 9);
    [1, -1, 0].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 12));
    const p = mod.predict(Float64Array.from(LOGITS), [1]);
    expect(Array.from(p)).toEqual([1, 0, 0]);
    // All logits equal and huge: softmax stays 1/3 each (no Infinity / Infinity).
    const q = Array.from(mod.predict(Float64Array.of(1000, 1000, 1000), [1]));
    q.forEach((v) => expect(v).toBeCloseTo(1 / 3, 15));
  });

  it("log-sum-exp written out, and logsumexp / log_softmax / softplus / sigmoid as functions", async () => {
    const written = await logitModel("out = softmax(z)\nloss = log(sum(exp(z))) - sum(y * z)");
    const a = gradAt(written, LOGITS, [0, 1, 0]);
    expect(a.loss).toBeCloseTo(2000, 9); // 1000 − (−1000)
    [1, -1, 0].forEach((v, i) => expect(a.g[i]).toBeCloseTo(v, 12));
    const b = gradAt(written, [1000, 1000, 1000], [0, 1, 0]);
    expect(b.loss).toBeCloseTo(Math.log(3), 9); // 1000 + ln 3 − 1000
    const c = gradAt(written, [-1000, -1000, -1000], [0, 1, 0]);
    expect(c.loss).toBeCloseTo(Math.log(3), 9);

    const fns = await logitModel("out = sigmoid(z)\nloss = logsumexp(z) - sum(y * log_softmax(z)) + sum(softplus(z)) + sum(softplus(-z)) + sum(sigmoid(z)) + sum(elu(z)) + sum(tanh(z))");
    for (const z of [LOGITS, [1000, 1000, 1000], [-1000, -1000, -1000]]) {
      const { loss, g } = gradAt(fns, z, [0, 1, 0]);
      expect(Number.isFinite(loss), `loss at ${z}`).toBe(true);
      expect(g.every(Number.isFinite), `gradient at ${z}: ${g}`).toBe(true);
    }
    // Exact at z = [1000, −1000, 0], y = [0, 1, 0]:
    //   logsumexp(z) = 1000 and −log_softmax(z)[1] = 2000, plus the elementwise sums.
    const sp = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    const elu = (v: number) => (v > 0 ? v : Math.expm1(v));
    const expected = 1000 + 2000 + LOGITS.reduce((s, v) => s + sp(v) + sp(-v) + sigmoid(v) + elu(v) + Math.tanh(v), 0);
    expect(gradAt(fns, LOGITS, [0, 1, 0]).loss).toBeCloseTo(expected, 9);
  });
});

describe("docs/language.md's example: hand-written binary cross-entropy at z = 40, y = 0", () => {
  it("nnc gives the exact 40 where the formula computed as written (plain JavaScript, TensorFlow.js) gives Infinity", async () => {
    const doc = readFileSync(new URL("../../docs/language.md", import.meta.url), "utf8").replace(/\s+/g, " ");
    expect(doc).toContain("At z = 40 and y = 0, `sigmoid(40)` rounds to 1 in double precision, so the formula as written computes `log(1 − 1) = −∞` and a loss of Infinity (TensorFlow.js, which runs it as written, gives Infinity too); nnc gives 40");
    const source = "model bce\ninput x[1]\ntarget y[1]\nparam W[1, 1] ~ zeros\nz = W @ x\np = sigmoid(z)\nloss = -mean(y * log(p) + (1 - y) * log(1 - p))\n";
    const { mod } = await compileAndImport(source, "bce.nn", { format: false });
    const g = new Float64Array(1);
    const loss = mod.grad(Float64Array.of(40), [1], [0], g);
    expect(loss).toBe(40); // softplus(40) = 40 + 4e-18, which is 40 in double precision
    expect(g[0]).toBe(1); // σ(40) − y
    // The same formula computed as written.
    const p = 1 / (1 + Math.exp(-40));
    expect(p).toBe(1);
    expect(-(0 * Math.log(p) + (1 - 0) * Math.log(1 - p))).toBe(Infinity);
    const [z, y] = [tf.tensor1d([40]), tf.tensor1d([0])];
    const pt = tf.sigmoid(z);
    const written = tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(pt)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, pt))))));
    expect(written.dataSync()[0]).toBe(Infinity);
  });
});

/** A linear model whose loss turns NaN (sqrt of a negative input) or infinite (a huge input). */
const LINEAR = `model linear
input x[1]
target y[1]
out = dense(x, 1)
loss = mean((out - y) ^ 2) + sum(sqrt(x)) * 1e-9
optimizer sgd(lr = 0.01)
`;

describe("fit with non-finite losses (nanPolicy)", () => {
  const good = [[0.5], [1], [1.5], [2], [2.5], [3], [3.5], [4]];
  const ys = good.map(([v]) => [2 * v! + 1]);
  const withRow = (bad: number) => good.map((r, i) => (i === 5 ? [bad] : r));

  it("[R6] stop (the default): history.stopped names epoch and batch; params are those from before the batch", async () => {
    const { mod } = await compileAndImport(LINEAR, "linear.nn", { format: false });
    for (const [bad, what] of [
      [-1, "NaN"],
      [1e300, "Infinity"],
    ] as const) {
      const params = mod.init(1);
      const history = mod.fit(params, withRow(bad), ys, { epochs: 3, batchSize: 2, shuffle: false });
      expect(history.stopped).toBe(`loss is ${what} at epoch 1/3, batch 3/4; training stopped with the parameters from before that batch`);
      expect(history.history.loss).toHaveLength(1); // the cut-short epoch, recorded because two batches were applied
      // The same as training on the first two batches only.
      const reference = mod.init(1);
      mod.fit(reference, good.slice(0, 4), ys.slice(0, 4), { epochs: 1, batchSize: 2, shuffle: false });
      expect(Array.from(params)).toEqual(Array.from(reference));
    }
  });

  it("[R6] skip: the bad batch is skipped in every epoch and counted; training goes on", async () => {
    const { mod } = await compileAndImport(LINEAR, "linear.nn", { format: false });
    const params = mod.init(1);
    const history = mod.fit(params, withRow(-1), ys, { epochs: 3, batchSize: 2, shuffle: false, nanPolicy: "skip" }) as unknown as {
      history: { loss: number[]; skipped: number[] };
      stopped?: string;
    };
    expect(history.stopped).toBeUndefined();
    expect(history.history.skipped).toEqual([1, 1, 1]);
    expect(history.history.loss.every(Number.isFinite)).toBe(true);
    expect(Array.from(params).every(Number.isFinite)).toBe(true);
  });

  it("[R6] throw: an Error with the same words; a non-finite gradient with a finite loss is named too", async () => {
    const { mod } = await compileAndImport(LINEAR, "linear.nn", { format: false });
    expect(() => mod.fit(mod.init(1), withRow(-1), ys, { epochs: 3, batchSize: 2, shuffle: false, nanPolicy: "throw" })).toThrow(
      /^fit: loss is NaN at epoch 1\/3, batch 3\/4$/,
    );
    // d sqrt(|w|)/dw at w = 0 is NaN while the loss is finite.
    const kink = (await compileAndImport("model kink\ninput x[1]\ntarget y[1]\nparam w[1] ~ zeros\nout = sqrt(abs(w)) * x\nloss = mean((out - y) ^ 2)\n", "kink.nn", { format: false })).mod;
    const history = kink.fit(kink.init(), [[1]], [[1]], { epochs: 2 });
    expect(history.stopped).toMatch(/^gradient norm is NaN \(loss 1\) at epoch 1\/2, batch 1\/1; training stopped/);
  });
});

describe("gradient clipping is honoured", () => {
  it("clipvalue from the model file, globalClipnorm and clipnorm from createOptimizer", async () => {
    const source = "model clip\ninput x[3]\ntarget y[3]\nparam w[3] ~ zeros\nout = w * x\nloss = mean((out - y) ^ 2)\noptimizer sgd(lr = 1, clipvalue = 0.01)\n";
    const { mod } = await compileAndImport(source, "clip.nn", { format: false });
    const xs = [[1, 1, 1]];
    const ys = [[10, -10, 0.0009]];
    // One full-batch step from w = 0: gradient 2 (w x − y) x / 3 = [−20/3, 20/3, −0.0006].
    const g = [-20 / 3, 20 / 3, -0.0006];
    const step = (opts: Record<string, unknown>) => {
      const w = mod.init();
      mod.fit(w, xs, ys, { epochs: 1, batchSize: 1, ...opts });
      return Array.from(w);
    };
    [0.01, -0.01, 0.0006].forEach((v, i) => expect(step({})[i]).toBeCloseTo(v, 15));
    const norm = Math.hypot(...g);
    const global = step({ optimizer: (mod as unknown as { createOptimizer(o: object): unknown }).createOptimizer({ clipvalue: undefined, globalClipnorm: 1 }) });
    g.forEach((v, i) => expect(global[i]).toBeCloseTo(-v / norm, 15));
    const perTensor = step({ optimizer: (mod as unknown as { createOptimizer(o: object): unknown }).createOptimizer({ clipvalue: undefined, clipnorm: 2 }) });
    g.forEach((v, i) => expect(perTensor[i]).toBeCloseTo((-v * 2) / norm, 15));
  });
});

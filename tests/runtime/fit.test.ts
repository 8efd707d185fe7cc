import { describe, expect, it, vi } from "vitest";
import { makeLinearCore } from "./linear-core.js";
import { createModelTrainer } from "../../runtime/trainer.js";
import { binaryAccuracy, categoricalAccuracy, meanAbsoluteError, meanSquaredError, sparseCategoricalAccuracy } from "../../runtime/metrics.js";
import { fitModel as fit } from "../../runtime/fit.js";
import { evaluateModel as evaluate, predictModel as predict } from "../../runtime/evaluate.js";
import { createAdam, createSgd } from "../../runtime/optimizers.js";
import { initParams } from "../../runtime/init.js";
import { createRng } from "../../runtime/rng.js";

/** y = 2·x0 - 3·x1 + 0.5 and y1 = -x0 + 1, on a fixed pseudo-random design. */
function regressionData(rows: number, seed = 1): { xs: number[][]; ys: number[][] } {
  const rng = createRng(seed);
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const x = [rng.uniform() * 2 - 1, rng.uniform() * 2 - 1];
    xs.push(x);
    ys.push([2 * x[0] - 3 * x[1] + 0.5, -x[0] + 1]);
  }
  return { xs, ys };
}

describe("createModelTrainer", () => {
  it("takes one mean-gradient step and splits batches larger than maxBatch", () => {
    const { xs, ys } = regressionData(10);
    const X = Float64Array.from(xs.flat());
    const Y = Float64Array.from(ys.flat());
    const run = (maxBatch: number) => {
      const core = makeLinearCore({ inputSize: 2, outputSize: 2, maxBatch });
      const params = initParams(core.params, core.paramCount, 3);
      const trainer = createModelTrainer(core, params, createSgd(core.paramCount, { learningRate: 0.1 }));
      const loss = trainer.step(X, Y, 10);
      return { core, params, loss, norm: trainer.gradNorm, applied: trainer.applied };
    };
    const whole = run(64);
    const chunked = run(3);
    expect(chunked.core.largestBatch).toBe(3);
    expect(chunked.core.gradCalls).toBe(4);
    expect(whole.core.gradCalls).toBe(1);
    expect(chunked.loss).toBeCloseTo(whole.loss, 12);
    expect(chunked.norm).toBeCloseTo(whole.norm, 12);
    for (let i = 0; i < whole.params.length; i++) expect(chunked.params[i]).toBeCloseTo(whole.params[i], 12);
    expect(whole.applied).toBe(true);

    // The mean loss matches lossBatch/n on the original params, and the step moved params.
    const core = makeLinearCore({ inputSize: 2, outputSize: 2 });
    const p0 = initParams(core.params, core.paramCount, 3);
    expect(whole.loss).toBeCloseTo(core.lossBatch(p0, X, Y, 10, new Float64Array(20)) / 10, 12);
    expect(Array.from(whole.params)).not.toEqual(Array.from(p0));
  });

  it("leaves the batch's pre-update outputs in `out`, also when it splits the batch", () => {
    const { xs, ys } = regressionData(10);
    const X = Float64Array.from(xs.flat());
    const Y = Float64Array.from(ys.flat());
    for (const maxBatch of [64, 3]) {
      const core = makeLinearCore({ inputSize: 2, outputSize: 2, maxBatch });
      const params = initParams(core.params, core.paramCount, 3);
      const expected = predict(core, params, X);
      const out = new Float64Array(20).fill(NaN);
      createModelTrainer(core, params, createSgd(core.paramCount, { learningRate: 0.1 })).step(X, Y, 10, out);
      for (let i = 0; i < 20; i++) expect(out[i]).toBeCloseTo(expected[i]!, 12);
      expect(() => createModelTrainer(core, params, createSgd(core.paramCount)).step(X, Y, 10, new Float64Array(19))).toThrow(/out needs/);
    }
  });

  it("refuses the update when the loss is not finite", () => {
    const core = makeLinearCore({ inputSize: 1, outputSize: 1 });
    const params = Float64Array.from([1, 0]);
    const trainer = createModelTrainer(core, params, createSgd(2, { learningRate: 0.1 }));
    const loss = trainer.step(Float64Array.from([1e200]), Float64Array.from([0]), 1);
    expect(loss).toBe(Infinity);
    expect(trainer.applied).toBe(false);
    expect(Array.from(params)).toEqual([1, 0]);
  });

  it("validates its inputs", () => {
    const core = makeLinearCore({ inputSize: 2, outputSize: 1 });
    expect(() => createModelTrainer(core, new Float64Array(2), createSgd(3))).toThrow(/params has length 2/);
    const trainer = createModelTrainer(core, new Float64Array(3), createSgd(3));
    expect(() => trainer.step(new Float64Array(2), new Float64Array(2), 2)).toThrow(/trainer.step/);
  });
});

describe("fit", () => {
  it("converges on linear regression (adam) and records Keras-like history", () => {
    const core = makeLinearCore({ inputSize: 2, outputSize: 2, maxBatch: 8 });
    const params = initParams(core.params, core.paramCount, 0);
    const { xs, ys } = regressionData(64);
    const val = regressionData(16, 2);
    const history = fit(core, params, xs, ys, { epochs: 150, batchSize: 16, validationData: [val.xs, val.ys] }, () =>
      createAdam(core.paramCount, { learningRate: 0.05 }, core.params),
    );
    expect(history.epoch).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(history.history.loss).toHaveLength(150);
    expect(history.history.gradNorm).toHaveLength(150);
    expect(history.history.val_loss).toHaveLength(150);
    expect(history.history.accuracy).toBeUndefined();
    expect(history.stopped).toBeUndefined();
    expect(history.history.loss[149]).toBeLessThan(1e-4);
    expect(history.history.loss[149]).toBeLessThan(history.history.loss[0] / 1000);
    expect(history.history.val_loss![149]).toBeLessThan(1e-4);
    // W = [[2, -3], [-1, 0]], b = [0.5, 1].
    const expected = [2, -3, -1, 0, 0.5, 1];
    for (let i = 0; i < expected.length; i++) expect(params[i]).toBeCloseTo(expected[i], 2);
    const ev = evaluate(core, params, val.xs, val.ys);
    expect(ev.loss).toBeCloseTo(history.history.val_loss![149], 12);
    expect(ev.accuracy).toBeNaN();
  });

  it("converges with plain full-batch gradient descent (sgd, batchSize = dataset size)", () => {
    const core = makeLinearCore({ inputSize: 2, outputSize: 2, maxBatch: 8 });
    const params = initParams(core.params, core.paramCount, 0);
    const { xs, ys } = regressionData(40);
    const h = fit(core, params, xs, ys, { epochs: 300, batchSize: 40, shuffle: false, optimizer: createSgd(core.paramCount, { learningRate: 0.3 }) });
    expect(h.history.loss[299]).toBeLessThan(1e-6);
    // One step per epoch; the loss must fall monotonically for full-batch GD with a small step.
    for (let e = 1; e < 300; e++) expect(h.history.loss[e]).toBeLessThanOrEqual(h.history.loss[e - 1]);
  });

  it("reports binary accuracy for a logistic model", () => {
    const core = makeLinearCore({ inputSize: 2, outputSize: 1, logistic: true, maxBatch: 5 });
    const params = initParams(core.params, core.paramCount, 0);
    const { xs } = regressionData(60);
    const ys = xs.map((x) => [x[0] + x[1] > 0 ? 1 : 0]);
    const h = fit(core, params, xs, ys, { epochs: 60, batchSize: 12, validationData: [xs, ys] }, () =>
      createAdam(core.paramCount, { learningRate: 0.1 }),
    );
    expect(h.history.accuracy).toHaveLength(60);
    expect(h.history.accuracy![59]).toBeGreaterThan(0.95);
    expect(h.history.val_accuracy![59]).toBeGreaterThan(0.95);
    const ev = evaluate(core, params, xs, ys, { batchSize: 7 });
    expect(ev.accuracy).toBe(h.history.val_accuracy![59]);
    const pred = predict(core, params, xs);
    expect(pred.length).toBe(60);
    let hits = 0;
    for (let i = 0; i < 60; i++) if (pred[i] > 0.5 === ys[i][0] > 0.5) hits++;
    expect(hits / 60).toBe(ev.accuracy);
  });

  it("is deterministic for a seed and shuffles differently for another", () => {
    const run = (seed: number) => {
      const core = makeLinearCore({ inputSize: 2, outputSize: 2 });
      const params = initParams(core.params, core.paramCount, 0);
      const { xs, ys } = regressionData(30);
      const h = fit(core, params, xs, ys, { epochs: 3, batchSize: 4, seed, optimizer: createSgd(core.paramCount, { learningRate: 0.1 }) });
      return [h.history.loss, Array.from(params)];
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it("handles a batch size larger than the dataset and a partial last batch", () => {
    const core = makeLinearCore({ inputSize: 2, outputSize: 2, maxBatch: 4 });
    const params = initParams(core.params, core.paramCount, 0);
    const { xs, ys } = regressionData(10);
    const sizes: number[] = [];
    fit(core, params, xs, ys, { epochs: 1, batchSize: 4, optimizer: createSgd(core.paramCount), onBatchEnd: (_, logs) => void sizes.push(logs.size) });
    expect(sizes).toEqual([4, 4, 2]);
    const h = fit(core, params, xs, ys, { epochs: 2, batchSize: 1000, optimizer: createSgd(core.paramCount) });
    expect(h.history.loss).toHaveLength(2);
  });

  describe("nanPolicy", () => {
    // Row 9 (in batch 3 of 4 with batchSize 4, no shuffle) overflows the loss to Infinity.
    const setup = () => {
      const core = makeLinearCore({ inputSize: 2, outputSize: 2 });
      const params = initParams(core.params, core.paramCount, 0);
      const { xs, ys } = regressionData(16);
      xs[9] = [1e200, 0];
      const snapshots: number[][] = [];
      return { core, params, xs, ys, snapshots };
    };
    const opts = (s: ReturnType<typeof setup>) => ({
      epochs: 3,
      batchSize: 4,
      shuffle: false,
      optimizer: createSgd(s.core.paramCount, { learningRate: 0.05 }),
      onBatchEnd: () => void s.snapshots.push(Array.from(s.params)),
    });

    it('"stop" ends training and leaves params from before the bad batch', () => {
      const s = setup();
      const h = fit(s.core, s.params, s.xs, s.ys, { ...opts(s), nanPolicy: "stop" });
      expect(h.stopped).toMatch(/^loss is Infinity at epoch 1\/3, batch 3\/4; training stopped with the parameters from before that batch$/);
      expect(s.snapshots).toHaveLength(2);
      expect(Array.from(s.params)).toEqual(s.snapshots[1]);
      // The partial epoch (two applied batches) is recorded.
      expect(h.epoch).toEqual([0]);
      expect(Number.isFinite(h.history.loss[0])).toBe(true);
    });

    it('"skip" skips the bad batch and keeps training', () => {
      const s = setup();
      const h = fit(s.core, s.params, s.xs, s.ys, { ...opts(s), nanPolicy: "skip" });
      expect(h.stopped).toBeUndefined();
      expect(h.epoch).toEqual([0, 1, 2]);
      expect(h.history.skipped).toEqual([1, 1, 1]);
      expect(h.history.loss.every(Number.isFinite)).toBe(true);
      expect(s.params.every(Number.isFinite)).toBe(true);
      // The skipped batch left params unchanged: snapshot after batch 3 equals the one after batch 2.
      expect(s.snapshots[2]).toEqual(s.snapshots[1]);
      expect(s.snapshots[3]).not.toEqual(s.snapshots[2]);
    });

    it('"throw" throws naming the epoch and batch', () => {
      const s = setup();
      expect(() => fit(s.core, s.params, s.xs, s.ys, { ...opts(s), nanPolicy: "throw" })).toThrow("fit: loss is Infinity at epoch 1/3, batch 3/4");
      expect(s.params.every(Number.isFinite)).toBe(true);
    });
  });

  it("stops when onEpochEnd returns false and prints with verbose", () => {
    const core = makeLinearCore({ inputSize: 2, outputSize: 2 });
    const params = initParams(core.params, core.paramCount, 0);
    const { xs, ys } = regressionData(8);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const seen: number[] = [];
    const h = fit(core, params, xs, ys, {
      epochs: 10,
      verbose: 1,
      optimizer: createSgd(core.paramCount),
      onEpochEnd: (epoch, logs) => {
        seen.push(epoch);
        expect(Number.isFinite(logs.loss)).toBe(true);
        return epoch < 1;
      },
    });
    const lines = log.mock.calls.map((c) => String(c[0]));
    log.mockRestore();
    expect(seen).toEqual([0, 1]);
    expect(h.stopped).toBe("stopped by onEpochEnd after epoch 2/10");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Epoch 1\/10 - loss: \d+\.\d{4} - gradNorm: \d+\.\d{4}$/);
  });

  it("validates data and options", () => {
    const core = makeLinearCore({ inputSize: 2, outputSize: 2 });
    const params = initParams(core.params, core.paramCount, 0);
    const opt = createSgd(core.paramCount);
    expect(() => fit(core, params, [[1, 2]], [[1, 2], [3, 4]], { optimizer: opt })).toThrow("xs has 1 rows but ys has 2");
    expect(() => fit(core, params, [], [], { optimizer: opt })).toThrow("xs has no rows");
    expect(() => fit(core, params, [[1, 2, 3]], [[1, 2]], { optimizer: opt })).toThrow("xs: row 0 has 3 values, expected 2");
    expect(() => fit(core, params, [[1, 2]], [[1, 2]])).toThrow(/no optimizer/);
    expect(() => fit(core, params, [[1, 2]], [[1, 2]], { optimizer: opt, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => fit(core, params, [[1, 2]], [[1, 2]], { optimizer: opt, nanPolicy: "ignore" as never })).toThrow(/nanPolicy/);
    expect(() => fit(core, params, [[1, 2]], [[1, 2]], { optimizer: opt, validationData: [[[1, 2]], [[1]]] })).toThrow("validation ys: row 0 has 1 value, expected 2");
  });
});

describe("metrics", () => {
  it("score binary per unit, categorical by argmax, sparse by label index, mae and mse per row", () => {
    const pred = Float64Array.from([0.9, 0.2, 0.4, 0.6]);
    expect(binaryAccuracy(pred, Float64Array.from([1, 0, 1, 1]), 2, 2, 2)).toBe(1.5);
    const probs = Float64Array.from([0.1, 0.7, 0.2, 0.5, 0.3, 0.2]);
    expect(categoricalAccuracy(probs, Float64Array.from([0, 1, 0, 0, 0, 1]), 2, 3, 3)).toBe(1);
    expect(sparseCategoricalAccuracy(probs, Float64Array.from([1, 0]), 2, 3, 1)).toBe(2);
    // Ties go to the first largest value, as argmax does.
    expect(categoricalAccuracy(Float64Array.from([0.5, 0.5]), Float64Array.from([1, 0]), 1, 2, 2)).toBe(1);
    const y = Float64Array.from([1, 0, 0, 1]);
    // Rows [0.9, 0.2] and [0.4, 0.6] against [1, 0] and [0, 1]: |errors| 0.1, 0.2 and 0.4, 0.4.
    expect(meanAbsoluteError(pred, y, 2, 2, 2)).toBeCloseTo((0.1 + 0.2) / 2 + (0.4 + 0.4) / 2, 15);
    expect(meanSquaredError(pred, y, 2, 2, 2)).toBeCloseTo((0.01 + 0.04) / 2 + (0.16 + 0.16) / 2, 15);
  });
});

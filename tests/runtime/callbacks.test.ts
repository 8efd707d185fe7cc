// fit's earlyStopping and reduceLrOnPlateau (runtime/callbacks.ts) against Keras' semantics:
// early stopping stops at the epoch TensorFlow.js' own EarlyStopping callback stops at, fed the
// same monitored values (scripted sequences, and the val_loss of real fits); where tfjs departs
// from Keras 3 (baseline, restoring the best weights) the expected epochs are worked out by hand
// from Keras 3's early_stopping.py. ReduceLROnPlateau (which tfjs lacks) against learning rates
// worked out by hand from Keras 3's reduce_lr_on_plateau.py.

import * as tfl from "@tensorflow/tfjs-layers";
import { describe, expect, it } from "vitest";
import { createEarlyStopping, createReduceLrOnPlateau } from "../../runtime/callbacks.js";
import { createSgd, type Optimizer } from "../../runtime/optimizers.js";
import { compileAndImport } from "../helpers/generated.js";

/** The epoch (0-based) at which tfjs' EarlyStopping stops on these values, or -1. */
async function tfjsStops(values: number[], args: { monitor: string; patience?: number; minDelta?: number; mode?: "auto" | "min" | "max" }): Promise<number> {
  const cb = tfl.callbacks.earlyStopping(args);
  const model = { stopTraining: false };
  // (setModel insists on a real LayersModel; the callback only ever sets stopTraining on it.)
  (cb as unknown as { model: unknown }).model = model;
  await cb.onTrainBegin();
  for (let e = 0; e < values.length; e++) {
    await cb.onEpochEnd(e, { [args.monitor]: values[e]! });
    if (model.stopTraining) return e;
  }
  return -1;
}

/** The epoch at which ours stops, or -1 (and the epoch whose weights it would restore). */
function ourStops(values: number[], opts: Parameters<typeof createEarlyStopping>[0]): { stopped: number; restored: number } {
  const monitor = opts.monitor ?? "val_loss";
  const stop = createEarlyStopping(opts, [monitor], 1);
  const params = new Float64Array(1);
  for (let e = 0; e < values.length; e++) {
    params[0] = e; // the "weights" of epoch e
    if (stop.update(e, values[e]!, params)) return { stopped: e, restored: stop.restore(params) };
  }
  return { stopped: -1, restored: stop.restore(params) };
}

/** Deterministic pseudo-random sequences that wander, plateau and improve. */
function sequences(count: number): number[][] {
  const out: number[][] = [];
  let s = 12345;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let k = 0; k < count; k++) {
    let v = 1;
    out.push(Array.from({ length: 12 }, () => (v = Math.round((v + (next() - 0.55) * 0.2) * 100) / 100)));
  }
  return out;
}

describe("earlyStopping stops where TensorFlow.js' EarlyStopping does", () => {
  it("on 200 scripted sequences, for patience 0–3, min_delta 0 and 0.02, minimizing and maximizing", async () => {
    let stopsSeen = 0;
    for (const values of sequences(50)) {
      for (const patience of [0, 1, 2, 3]) {
        for (const minDelta of [0, 0.02]) {
          for (const [monitor, mode] of [["val_loss", "auto"], ["val_accuracy", "auto"], ["loss", "max"]] as const) {
            const theirs = await tfjsStops(values, { monitor, patience, minDelta, mode });
            const ours = ourStops(values, { monitor, patience, minDelta, mode });
            expect(ours.stopped, `${values.join(", ")} (${monitor}, ${mode}, patience ${patience}, min_delta ${minDelta})`).toBe(theirs);
            if (theirs >= 0) stopsSeen++;
          }
        }
      }
    }
    // The sequences really do stop, often and not always.
    expect(stopsSeen).toBeGreaterThan(300);
    expect(stopsSeen).toBeLessThan(4 * 2 * 3 * 50);
  });

  it("on the val_loss of a real fit", async () => {
    const { mod } = await compileAndImport("model r\ninput x[1]\ntarget y[1]\nout = dense(x, 1)\nloss mse(out, y)\noptimizer sgd(lr = 0.05)\n", "r.nn");
    // Trained on a line, validated on points off it: val_loss falls, then rises as the fit tightens.
    const xs = [[0], [1], [2], [3]];
    const ys = [[0], [1], [2], [3]];
    const val: [number[][], number[][]] = [[[0], [4]], [[0.8], [3.2]]];
    const full = mod.fit(mod.init(1), xs, ys, { epochs: 40, batchSize: "full", validationData: val });
    const expected = await tfjsStops(full.history["val_loss"]!, { monitor: "val_loss", patience: 2 });
    expect(expected).toBeGreaterThan(2);
    const early = mod.fit(mod.init(1), xs, ys, { epochs: 40, batchSize: "full", validationData: val, earlyStopping: { patience: 2 } }) as unknown as {
      history: { loss: number[] };
      earlyStopping: { stoppedEpoch: number; bestEpoch: number };
    };
    expect(early.earlyStopping.stoppedEpoch).toBe(expected);
    expect(early.history.loss).toHaveLength(expected + 1);
  });
});

describe("earlyStopping where Keras 3 and TensorFlow.js differ (worked out from Keras 3)", () => {
  it("baseline: best starts at ±inf, and patience restarts only on epochs that also beat the baseline", () => {
    // Keras 3, patience 2, baseline 0.5, minimizing: 0.9 (best, wait 1: not under the baseline),
    // 0.8 (best, wait 2), 0.85 (wait 3 ≥ 2: stop at epoch 2). tfjs starts best at the baseline and
    // would wait for 0.85 too, stopping at epoch 1.
    expect(ourStops([0.9, 0.8, 0.85, 0.4], { monitor: "loss", patience: 2, baseline: 0.5 }).stopped).toBe(2);
    // Under the baseline, improvements restart patience as usual.
    expect(ourStops([0.9, 0.4, 0.3, 0.35, 0.36], { monitor: "loss", patience: 2, baseline: 0.5 }).stopped).toBe(4);
  });

  it("restoreBestWeights: the best epoch's weights, at the end of training whether it stopped or not", () => {
    expect(ourStops([1, 0.5, 0.7, 0.8], { monitor: "loss", patience: 2, restoreBestWeights: true })).toEqual({ stopped: 3, restored: 1 });
    expect(ourStops([1, 0.5, 0.7, 0.4], { monitor: "loss", patience: 5, restoreBestWeights: true })).toEqual({ stopped: -1, restored: 3 });
    // Before any improvement (NaN never improves), the first watched epoch's weights count as the best.
    expect(ourStops([NaN, NaN, NaN], { monitor: "loss", patience: 1, restoreBestWeights: true })).toEqual({ stopped: 1, restored: 0 });
    // start_from_epoch: epochs before it are not watched at all.
    expect(ourStops([1, 2, 3, 4, 5], { monitor: "loss", patience: 1, startFromEpoch: 2, restoreBestWeights: true })).toEqual({ stopped: 3, restored: 2 });
  });

  it("in fit: the weights after training are the best epoch's (validation loss equal to its record)", async () => {
    const { mod } = await compileAndImport("model r\ninput x[1]\ntarget y[1]\nout = dense(x, 1)\nloss mse(out, y)\noptimizer sgd(lr = 0.05)\n", "r.nn");
    const params = mod.init(1);
    const val: [number[][], number[][]] = [[[0], [4]], [[0.8], [3.2]]];
    const fitted = mod.fit(params, [[0], [1], [2], [3]], [[0], [1], [2], [3]], {
      epochs: 40,
      batchSize: "full",
      validationData: val,
      earlyStopping: { patience: 3, restoreBestWeights: true },
    }) as unknown as { history: { val_loss: number[] }; earlyStopping: { stoppedEpoch: number; bestEpoch: number; restoredEpoch: number } };
    const { val_loss } = fitted.history;
    const best = val_loss.indexOf(Math.min(...val_loss));
    expect(fitted.earlyStopping).toMatchObject({ stoppedEpoch: best + 3, bestEpoch: best, restoredEpoch: best });
    expect(mod.evaluate(params, ...val).loss).toBeCloseTo(val_loss[best]!, 12);
  });
});

/** A stand-in optimizer whose learning rate the callback reads and sets. */
function fakeOptimizer(learningRate: number): Optimizer {
  return { learningRate, iterations: 0, step() {} };
}

/** The learning rate before each epoch's update (as Keras logs it) and the one left at the end. */
function plateauRates(values: number[], lr: number, opts: Parameters<typeof createReduceLrOnPlateau>[0]): { logged: number[]; final: number } {
  const optimizer = fakeOptimizer(lr);
  const plateau = createReduceLrOnPlateau({ monitor: "loss", ...opts }, ["loss"]);
  const logged = values.map((v) => {
    const rate = optimizer.learningRate;
    plateau.update(v, optimizer);
    return rate;
  });
  return { logged, final: optimizer.learningRate };
}

describe("reduceLrOnPlateau gives Keras 3's learning rates", () => {
  it("patience, then a reduction by factor; improvements reset the wait", () => {
    // best 1.0, 0.9; 0.9 is not below 0.9 − 1e-4: wait 1, 2 → lr 0.05 at epoch 3; 0.5 improves; wait 1, 2 → 0.025.
    expect(plateauRates([1, 0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5], 0.1, { factor: 0.5, patience: 2 })).toEqual({
      logged: [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05],
      final: 0.025,
    });
  });

  it("cooldown: epochs after a reduction in which the wait does not count", () => {
    const flat = [1, 1, 1, 1, 1, 1];
    expect(plateauRates(flat, 1, { factor: 0.5, patience: 1 })).toEqual({ logged: [1, 1, 0.5, 0.25, 0.125, 0.0625], final: 0.03125 });
    expect(plateauRates(flat, 1, { factor: 0.5, patience: 1, cooldown: 2 })).toEqual({ logged: [1, 1, 0.5, 0.5, 0.25, 0.25], final: 0.125 });
  });

  it("min_lr: never below it, and no change once there", () => {
    expect(plateauRates([1, 1, 1, 1, 1, 1], 1, { factor: 0.5, patience: 1, minLr: 0.2 })).toEqual({ logged: [1, 1, 0.5, 0.25, 0.2, 0.2], final: 0.2 });
  });

  it("accuracy is maximized (auto mode, as Keras: the name contains 'acc')", () => {
    const optimizer = fakeOptimizer(1);
    const plateau = createReduceLrOnPlateau({ monitor: "val_accuracy", patience: 1, factor: 0.5 }, ["val_accuracy"]);
    for (const v of [0.5, 0.6, 0.7]) plateau.update(v, optimizer);
    expect(optimizer.learningRate).toBe(1);
    plateau.update(0.7, optimizer);
    expect(optimizer.learningRate).toBe(0.5);
  });

  it("in fit: the history records each epoch's rate, and the steps use it", async () => {
    const { mod } = await compileAndImport("model r\ninput x[1]\ntarget y[1]\nout = dense(x, 1)\nloss mse(out, y)\n", "r.nn");
    const optimizer = createSgd(2, { learningRate: 0.5 });
    const params = mod.init(1);
    const start = Float64Array.from(params);
    // A learning rate this large makes the loss grow every epoch: a plateau from the start.
    const fitted = mod.fit(params, [[1], [2]], [[1], [2]], { epochs: 4, batchSize: "full", optimizer, reduceLrOnPlateau: { monitor: "loss", patience: 1, factor: 0.1 } });
    const rates = [0.5, 0.5, 0.05, 0.005];
    fitted.history["learningRate"]!.forEach((r, e) => expect(r).toBeCloseTo(rates[e]!, 15));
    // Full-batch SGD by hand with those rates reaches the same weights.
    const w = Float64Array.from(start);
    for (const lr of rates) {
      const g = new Float64Array(2);
      mod.grad(w, [1], [1], g);
      mod.grad(w, [2], [2], g);
      for (let i = 0; i < 2; i++) w[i]! -= (lr * g[i]!) / 2;
    }
    for (let i = 0; i < 2; i++) expect(params[i]).toBeCloseTo(w[i]!, 12);
    expect(optimizer.learningRate).toBeCloseTo(0.0005, 15);
  });
});

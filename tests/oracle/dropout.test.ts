// Dropout: with its mask fixed, nnc's training-mode loss and gradient equal TensorFlow.js' math on
// the same mask; the scaling is tfjs-layers' own (inverted: kept units are divided by 1 − rate);
// masks are seeded; and inference code has no dropout in it at all.

import { beforeAll, describe, expect, it } from "vitest";
import { compileAndImport } from "../helpers/generated.js";
import { type LayerParams, copyWeights, expectClose, oneHot, ourBatchGradient, randomMatrix, tf, tfLossAndGradient, tfl, useCpuBackend } from "./tfjs.js";

const RATE = 0.4;
const HIDDEN = 6;

const withDropout = `model drop
input x[4]
target y[3]
h = dense(x, ${HIDDEN}, relu)
d = dropout(h, ${RATE})
out = dense(d, 3, softmax)
loss categorical_crossentropy(out, y)
optimizer adam(lr = 0.01)
`;
const withoutDropout = withDropout.replace(`d = dropout(h, ${RATE})`, "d = h");

const MAP: LayerParams = [
  ["W_h", "b_h"],
  ["W_out", "b_out"],
];
const ROWS = 10;
const xs = randomMatrix(ROWS, 4, 51, -2, 2);
const ys = oneHot(
  randomMatrix(ROWS, 1, 52).map(([u]) => Math.floor(((u! + 1) / 2) * 3)),
  3,
);

/** An Rng that replays fixed uniforms, so the generated code draws a known mask. */
function scriptedRng(uniforms: number[]) {
  let next = 0;
  return {
    uniform: () => {
      if (next >= uniforms.length) throw new Error("scripted rng exhausted");
      return uniforms[next++]!;
    },
    normal: () => {
      throw new Error("dropout should only draw uniforms");
    },
    int: () => {
      throw new Error("dropout should only draw uniforms");
    },
    get used() {
      return next;
    },
  };
}

beforeAll(useCpuBackend);

describe("dropout", () => {
  it("with a fixed mask, loss and gradient equal tfjs' math with that mask", async () => {
    const { mod } = await compileAndImport(withDropout, "drop.nn", { format: false });
    const params = Float64Array.from(randomMatrix(1, mod.model.paramCount, 53, -0.9, 0.9)[0]!);
    // One uniform per hidden unit per sample, in unit order; kept units are scaled by 1/(1 − rate).
    const uniforms = randomMatrix(ROWS, HIDDEN, 54, 0, 1);
    const mask = uniforms.map((row) => row.map((u) => (u < RATE ? 0 : 1 / (1 - RATE))));
    expect(mask.flat().filter((m) => m === 0).length).toBeGreaterThan(10); // some units really drop
    const rng = scriptedRng(uniforms.flat());
    const ours = ourBatchGradient(mod, params, xs, ys, rng);
    expect(rng.used).toBe(ROWS * HIDDEN);

    const net = tfl.sequential({
      layers: [tfl.layers.dense({ units: HIDDEN, inputShape: [4], activation: "relu" }), tfl.layers.dense({ units: 3, activation: "softmax" })],
    });
    net.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
    copyWeights(mod, params, net, MAP);
    const maskTensor = tf.tensor2d(mask);
    const theirs = tfLossAndGradient(mod, net, MAP, xs, ys, (x) => net.layers[1]!.apply(tf.mul(net.layers[0]!.apply(x) as tf.Tensor, maskTensor)) as tf.Tensor);
    expectClose([ours.loss], [theirs.loss], "loss with the mask");
    expectClose(ours.grad, theirs.grad, "gradient with the mask");

    // And the mask matters: without it (all ones) the gradient is different.
    const plain = tfLossAndGradient(mod, net, MAP, xs, ys);
    expect(Math.abs(plain.loss - theirs.loss)).toBeGreaterThan(1e-3);
    tf.dispose(maskTensor);
    net.dispose();
  });

  it("scales kept units by 1/(1 − rate), as tfjs-layers' Dropout layer does in training", () => {
    const layer = tfl.layers.dropout({ rate: RATE, seed: 1 });
    const ones = tf.ones([50, 20]);
    const out = (layer.apply(ones, { training: true }) as tf.Tensor).dataSync();
    const kept = new Set(Array.from(out).filter((v) => v !== 0).map((v) => v.toFixed(5)));
    expect([...kept]).toEqual([(1 / (1 - RATE)).toFixed(5)]);
    // About `rate` of the units drop (1,000 draws: well within 5 percentage points).
    const dropped = Array.from(out).filter((v) => v === 0).length / out.length;
    expect(Math.abs(dropped - RATE)).toBeLessThan(0.05);
    tf.dispose(ones);
  });

  it("draws masks from the seed: same seed, same training; another seed, another result", async () => {
    const { mod } = await compileAndImport(withDropout, "drop.nn", { format: false });
    const train = (seed: number) => {
      const params = mod.init(1);
      mod.fit(params, xs, ys, { epochs: 3, batchSize: 5, seed, shuffle: false });
      return params;
    };
    const a = train(7);
    expect(Array.from(train(7))).toEqual(Array.from(a));
    const b = train(8);
    expect(Array.from(b)).not.toEqual(Array.from(a));
  });

  it("costs nothing at inference: no rng or mask in predict/loss code, same outputs as without dropout", async () => {
    const { mod, code } = await compileAndImport(withDropout, "drop.nn", { format: false });
    const { mod: plain } = await compileAndImport(withoutDropout, "drop.nn", { format: false });
    const body = (name: string) => {
      const start = code.indexOf(`function ${name}(`);
      expect(start).toBeGreaterThan(-1);
      return code.slice(start, code.indexOf("\n}\n", start));
    };
    for (const name of ["predictSample", "lossSample"]) {
      expect(body(name)).not.toMatch(/rng|uniform|0\.4|1\.666/);
    }
    // Training code does draw the mask.
    expect(body("gradSample")).toMatch(/rng\.uniform\(\) < 0\.4 \? 0 : 1\.666/);
    const params = mod.init(2);
    expect(Array.from(mod.predictBatch(params, xs))).toEqual(Array.from(plain.predictBatch(params, xs)));
    expect(mod.evaluate(params, xs, ys)).toEqual(plain.evaluate(params, xs, ys));
  });
});

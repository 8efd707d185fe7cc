// Gradient clipping written in the model file (`optimizer sgd(lr = 0.2, clipnorm = 0.05)`), end to
// end through the generated fit(), against TensorFlow.js doing the same by hand: tfjs optimizers
// have no clipping options, so the reference takes tfjs' batch gradient, clips it with tfjs ops
// as Keras 3 does (clip_by_norm per tensor, clip_by_value, clip_by_global_norm) and applies it
// with the tfjs optimizer. Also fit's per-epoch gradNorm: the mean over the epoch's batches of the
// unclipped gradient's global L2 norm.

import { beforeAll, describe, expect, it } from "vitest";
import { compileAndImport } from "../helpers/generated.js";
import { type LayerParams, copyWeights, expectClose, expectWeightsClose, oneHot, randomMatrix, tf, tfWeights, tfl, useCpuBackend } from "./tfjs.js";

type Clip = { kind: "clipnorm" | "clipvalue" | "global_clipnorm"; value: number } | null;

const MAP: LayerParams = [
  ["W_h", "b_h"],
  ["W_out", "b_out"],
];
const ROWS = 16;
const BATCH = 8;
const EPOCHS = 5;
const xs = randomMatrix(ROWS, 4, 41, -2, 2);
const ys = oneHot(
  randomMatrix(ROWS, 1, 42).map(([u]) => Math.floor(((u! + 1) / 2) * 3)),
  3,
);

function source(optimizer: string): string {
  return `model clipped
input x[4]
target y[3]
h = dense(x, 6, tanh)
out = dense(h, 3, softmax)
loss categorical_crossentropy(out, y)
optimizer ${optimizer}
`;
}

function clipTensors(grads: tf.Tensor[], clip: Clip): tf.Tensor[] {
  if (!clip) return grads;
  const c = clip.value;
  const norm = (g: tf.Tensor) => tf.sqrt(tf.sum(tf.square(g)));
  switch (clip.kind) {
    case "clipvalue":
      return grads.map((g) => tf.clipByValue(g, -c, c));
    case "clipnorm":
      return grads.map((g) => tf.mul(g, tf.div(c, tf.maximum(norm(g), c))));
    case "global_clipnorm": {
      const global = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
      return grads.map((g) => tf.mul(g, tf.div(c, tf.maximum(global, c))));
    }
  }
}

/** tfjs training by hand: per batch, gradient → clip → optimizer; returns per-epoch mean norms. */
function tfTrain(net: tfl.LayersModel, optimizer: tf.Optimizer, clip: Clip): number[] {
  const compiled = (net as unknown as { model: tfl.LayersModel }).model;
  const lossFn = compiled.lossFunctions[0]!;
  const vars = net.layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  const norms: number[] = [];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    let sum = 0;
    let batches = 0;
    for (let start = 0; start < ROWS; start += BATCH) {
      tf.tidy(() => {
        const x = tf.tensor2d(xs.slice(start, start + BATCH));
        const y = tf.tensor2d(ys.slice(start, start + BATCH));
        const { grads } = tf.variableGrads(() => tf.mean(lossFn(y, net.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
        const list = vars.map((v) => grads[v.name]!);
        sum += tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))).dataSync()[0]!;
        const clipped = clipTensors(list, clip);
        optimizer.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, clipped[i]!])));
      });
      batches++;
    }
    norms.push(sum / batches);
  }
  return norms;
}

function dslOption(clip: Clip): string {
  return clip ? `, ${clip.kind} = ${clip.value}` : "";
}

const OPTIMIZERS: { dsl: string; tf: () => tf.Optimizer }[] = [
  { dsl: "sgd(lr = 0.2", tf: () => tf.train.sgd(0.2) },
  { dsl: "sgd(lr = 0.1, momentum = 0.9", tf: () => tf.train.momentum(0.1, 0.9) },
  { dsl: "rmsprop(lr = 0.01", tf: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7) },
];

const CLIPS: Clip[] = [
  { kind: "clipnorm", value: 0.05 },
  { kind: "clipvalue", value: 0.01 },
  { kind: "global_clipnorm", value: 0.1 },
];

beforeAll(useCpuBackend);

describe("gradient clipping from the model file vs TensorFlow.js", () => {
  CLIPS.forEach((clip, k) => {
    const opt = OPTIMIZERS[k]!;
    const written = `${opt.dsl}${dslOption(clip)})`;
    it(written, async () => {
      const { mod } = await compileAndImport(source(written), "clipped.nn", { format: false });
      const initial = Float64Array.from(randomMatrix(1, mod.model.paramCount, 43, -0.9, 0.9)[0]!);
      const params = initial.slice();
      const history = mod.fit(params, xs, ys, { epochs: EPOCHS, batchSize: BATCH, shuffle: false });

      const reference = (withClip: Clip) => {
        const net = tfl.sequential({
          layers: [tfl.layers.dense({ units: 6, inputShape: [4], activation: "tanh" }), tfl.layers.dense({ units: 3, activation: "softmax" })],
        });
        net.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
        copyWeights(mod, initial, net, MAP);
        const optimizer = opt.tf();
        const norms = tfTrain(net, optimizer, withClip);
        const weights = tfWeights(mod, net, MAP);
        net.dispose();
        optimizer.dispose();
        return { norms, weights };
      };
      const clipped = reference(clip);
      expectWeightsClose(mod, params, clipped.weights, `${written}: weights`);
      expectClose(history.history.gradNorm, clipped.norms, `${written}: gradNorm per epoch`);

      // The clipping is really active: gradients exceed the threshold, and without clipping the
      // same run ends elsewhere.
      expect(Math.min(...clipped.norms)).toBeGreaterThan(clip!.value);
      const free = reference(null);
      let apart = 0;
      for (let i = 0; i < params.length; i++) apart = Math.max(apart, Math.abs(free.weights[i]! - clipped.weights[i]!));
      expect(apart).toBeGreaterThan(1e-3);
    });
  });

  it("refuses two clipping options at the second one's location", async () => {
    await expect(compileAndImport(source("sgd(clipnorm = 1, clipvalue = 0.5)"), "clipped.nn")).rejects.toThrow(/clipped\.nn:7:\d+: error: only one of clipnorm, clipvalue and global_clipnorm/);
  });
});

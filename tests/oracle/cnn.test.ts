// A small CNN against TensorFlow.js (tfjs-layers on the cpu backend, float32): conv → max pool
// → conv (same) → max pool (same) → flatten → dropout → dense softmax, categorical cross-entropy,
// Adam. The same weights in both (conv kernels as they are, the dense W transposed) give the
// same predictions; with a fixed dropout mask, the same loss and gradients; and training gives
// the same weights: nnc's fit() against model.fit() on the model without dropout, and, with
// dropout, steps of nnc's grad() and its Adam against tfjs' optimizer.minimize() with the same
// masks. All within float32 precision.
//
// Keras and TensorFlow.js differ in one formula used here, mapped as in optimizers.test.ts:
// Adam's ε (Keras adds it to √v before bias correction, tfjs to √v̂; tfjs' ε at step t is set
// to ε / √(1 − β₂ᵗ), which makes them identical). Dropout scales kept units by 1 / (1 − rate)
// in both (dropout.test.ts); tfjs draws its own masks, so the masks are applied by hand here.
//
// NNC_ORACLE_REPORT=1 npx vitest run tests/oracle/cnn.test.ts prints the largest differences.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";
import { type LayerParams, expectClose, expectWeightsClose, oneHot, ourBatchGradient, randomMatrix, tf, tfl, useCpuBackend } from "./tfjs.js";
import { compiledLoss, copyLayerWeights, imageBatch, layerWeights, measured, reportMeasured, tfLossAndGrads, trainableVariables } from "./tfjs-images.js";

beforeAll(useCpuBackend);
afterAll(() => reportMeasured("cnn.test.ts"));

const close = (ours: ArrayLike<number>, theirs: ArrayLike<number>, what: string) => measured.set(what, expectClose(ours, theirs, what));

const SHAPE: [number, number, number] = [12, 12, 2];
const RATE = 0.3;
const FLAT = 3 * 3 * 6; // what dropout sees: p2 [3, 3, 6] flattened
const LR = 0.01;

const CNN = `model cnn
input img[12, 12, 2]
target y[3]
c1 = conv2d(img, 4, 3, activation = relu)
p1 = max_pool2d(c1, 2)
c2 = conv2d(p1, 6, 3, padding = "same", activation = relu)
p2 = max_pool2d(c2, 2, padding = "same")
f = flatten(p2)
d = dropout(f, ${RATE})
out = dense(d, 3, softmax)
loss categorical_crossentropy(out, y)
optimizer adam(lr = ${LR})
metrics accuracy
`;
const WITHOUT_DROPOUT = CNN.replace(`d = dropout(f, ${RATE})`, "d = f");

const MAP: LayerParams = [
  ["K_c1", "b_c1"],
  ["K_c2", "b_c2"],
  ["W_out", "b_out"],
];

/** The same network in tfjs-layers (with or without its Dropout layer). */
function tfCnn(dropout: boolean): tfl.Sequential {
  const net = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: SHAPE, filters: 4, kernelSize: 3, activation: "relu" }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: "same", activation: "relu" }),
      tfl.layers.maxPooling2d({ poolSize: 2, padding: "same" }),
      tfl.layers.flatten(),
      ...(dropout ? [tfl.layers.dropout({ rate: RATE })] : []),
      tfl.layers.dense({ units: 3, activation: "softmax" }),
    ],
  });
  return net;
}

/** Keras' Adam, from tfjs' (see the top of the file): call before step t (1-based). */
function kerasAdam(): { optimizer: tf.Optimizer; beforeStep: (t: number) => void } {
  const optimizer = tf.train.adam(LR, 0.9, 0.999, 1e-7);
  return { optimizer, beforeStep: (t) => ((optimizer as unknown as { epsilon: number }).epsilon = 1e-7 / Math.sqrt(1 - 0.999 ** t)) };
}

const ROWS = 24;
/** Pixel-like inputs in [0, 1), float32-representable; labels spread over the three classes. */
const xs = randomMatrix(ROWS, SHAPE[0] * SHAPE[1] * SHAPE[2], 91, 0, 1).map((r) => r.map(Math.fround));
const ys = oneHot(
  Array.from({ length: ROWS }, (_, r) => (r * 7) % 3),
  3,
);

/** Fixed uniforms for the dropout masks of `rows` rows (one per unit of f, row after row), and the masks they make. */
function masksOf(rows: number, seed: number): { uniforms: number[][]; masks: number[][] } {
  const uniforms = randomMatrix(rows, FLAT, seed, 0, 1);
  return { uniforms, masks: uniforms.map((row) => row.map((u) => (u < RATE ? 0 : 1 / (1 - RATE)))) };
}

/** An Rng that replays fixed uniforms, so that grad() draws a known mask. */
function replay(uniforms: number[]) {
  let next = 0;
  return {
    uniform: () => {
      if (next >= uniforms.length) throw new Error("replayed uniforms exhausted");
      return uniforms[next++]!;
    },
    normal: () => 0,
    int: () => 0,
    get used() {
      return next;
    },
  };
}

/** tfjs' forward pass with `mask` in place of its Dropout layer (layer 5). */
const maskedForward = (net: tfl.Sequential, mask: tf.Tensor) => (x: tf.Tensor) => {
  let h = x;
  for (let i = 0; i < 5; i++) h = net.layers[i]!.apply(h) as tf.Tensor;
  return net.layers[6]!.apply(tf.mul(h, mask)) as tf.Tensor;
};

async function initialWeights(source: string): Promise<{ mod: GeneratedModule; params: Float64Array }> {
  const { mod } = await compileAndImport(source, "cnn.nn", { format: false });
  // nnc's own initializers (Glorot uniform, Keras' fans), rounded to float32 so that tfjs starts from the same numbers.
  return { mod, params: Float64Array.from(Float32Array.from(mod.init(5))) };
}

describe("a small CNN vs tfjs-layers", () => {
  it("predicts the same, and with a fixed dropout mask has the same loss and gradients", async () => {
    const { mod, params } = await initialWeights(CNN);
    expect(mod.model.params.map((p) => `${p.name}[${p.shape.join(", ")}]`)).toEqual(["K_c1[3, 3, 2, 4]", "b_c1[4]", "K_c2[3, 3, 4, 6]", "b_c2[6]", "W_out[3, 54]", "b_out[3]"]);
    // Biases start at zero; give them values so that their use is compared too.
    for (const b of mod.model.params.filter((p) => p.name.startsWith("b_"))) params.set(randomMatrix(1, b.size, 92 + b.offset, -0.1, 0.1)[0]!.map(Math.fround), b.offset);
    const net = tfCnn(true);
    net.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
    copyLayerWeights(mod, params, net, MAP);
    const x = imageBatch(xs, SHAPE);
    const predicted = net.predict(x) as tf.Tensor;
    close(mod.predictBatch(params, xs), predicted.dataSync(), "CNN: predictions (inference, no dropout)");

    const { uniforms, masks } = masksOf(ROWS, 93);
    expect(masks.flat().filter((m) => m === 0).length).toBeGreaterThan(ROWS * FLAT * 0.2); // units really drop
    const rng = replay(uniforms.flat());
    const ours = ourBatchGradient(mod, params, xs, ys, rng);
    expect(rng.used).toBe(ROWS * FLAT);
    const mask = tf.tensor2d(masks);
    const theirs = tfLossAndGrads(mod, net, MAP, SHAPE, xs, ys, maskedForward(net, mask));
    close([ours.loss], [theirs.loss], "CNN: training loss with the mask");
    for (const p of mod.model.params) close(ours.grad.subarray(p.offset, p.offset + p.size), theirs.grad.subarray(p.offset, p.offset + p.size), `CNN: ∂loss/∂${p.name} with the mask`);
    // The mask matters: without it the loss differs.
    expect(Math.abs(tfLossAndGrads(mod, net, MAP, SHAPE, xs, ys, (t) => net.apply(t) as tf.Tensor).loss - theirs.loss)).toBeGreaterThan(1e-3);
    tf.dispose([x, predicted, mask]);
    net.dispose();
  });

  it("trains to the same weights: nnc's fit() vs model.fit(), Adam, without dropout", async () => {
    const { mod, params } = await initialWeights(WITHOUT_DROPOUT);
    const initial = params.slice();
    const history = mod.fit(params, xs, ys, { epochs: 3, batchSize: 8, shuffle: false });
    const net = tfCnn(false);
    const { optimizer, beforeStep } = kerasAdam();
    net.compile({ optimizer, loss: "categoricalCrossentropy" });
    copyLayerWeights(mod, initial, net, MAP);
    const [x, y] = [imageBatch(xs, SHAPE), tf.tensor2d(ys)];
    let step = 0;
    const tfHistory = await net.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0, callbacks: { onBatchBegin: async () => beforeStep(++step) } });
    expect(step).toBe(9);
    close(history.history.loss, tfHistory.history["loss"] as number[], "CNN fit: loss per epoch");
    measured.set("CNN fit: weights after 9 Adam steps (normwise)", expectWeightsClose(mod, params, layerWeights(mod, net, MAP), "CNN fit: weights after 9 steps:"));
    expectMoved(initial, params);
    tf.dispose([x, y]);
    net.dispose();
  });

  it("trains to the same weights with dropout: steps of grad() and nnc's Adam vs optimizer.minimize, the same masks", async () => {
    const { mod, params } = await initialWeights(CNN);
    const initial = params.slice();
    const net = tfCnn(true);
    net.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
    copyLayerWeights(mod, initial, net, MAP);
    const lossFn = compiledLoss(net);
    const vars = trainableVariables(net);
    const ours = mod as GeneratedModule & { createOptimizer(): { step(p: Float64Array, g: Float64Array): void } };
    const optimizer = ours.createOptimizer();
    const theirs = kerasAdam();
    const BATCH = 6;
    for (let t = 1; t <= ROWS / BATCH; t++) {
      const rows = [xs, ys].map((m) => m.slice((t - 1) * BATCH, t * BATCH)) as [number[][], number[][]];
      const { uniforms, masks } = masksOf(BATCH, 100 + t);
      // nnc: the batch-mean gradient of grad(), the masks replayed row by row; then its Adam step.
      optimizer.step(params, ourBatchGradient(mod, params, rows[0], rows[1], replay(uniforms.flat())).grad);
      // tfjs: the same batch and masks through the same layers, one Adam step.
      const [x, y, mask] = [imageBatch(rows[0], SHAPE), tf.tensor2d(rows[1]), tf.tensor2d(masks)];
      theirs.beforeStep(t);
      theirs.optimizer.minimize(() => tf.mean(lossFn(y, maskedForward(net, mask)(x))) as tf.Scalar, false, vars);
      tf.dispose([x, y, mask]);
    }
    measured.set("CNN with dropout: weights after 4 Adam steps (normwise)", expectWeightsClose(mod, params, layerWeights(mod, net, MAP), "CNN with dropout: weights after 4 steps:"));
    expectMoved(initial, params);
    net.dispose();
  });
});

/** Training moved the weights, or agreeing would prove little. */
function expectMoved(initial: Float64Array, now: Float64Array): void {
  let moved = 0;
  for (let i = 0; i < now.length; i++) moved = Math.max(moved, Math.abs(now[i]! - initial[i]!));
  expect(moved).toBeGreaterThan(0.01);
}

// l1 / l2 on dense layers (Keras' kernel_regularizer: λ·Σ|W| and λ·Σ W² added to the batch's
// mean loss, kernels only) against tfjs-layers' kernelRegularizer: same loss, gradients and
// weights after training; and the same penalty written by hand in the loss differentiates to
// exactly the same gradient.

import { beforeAll, describe, expect, it } from "vitest";
import { compileAndImport } from "../helpers/generated.js";
import { type LayerParams, copyWeights, expectClose, expectWeightsClose, oneHot, ourBatchGradient, randomMatrix, tf, tfLossAndGradient, tfWeights, tfl, useCpuBackend } from "./tfjs.js";

const L2 = 0.01;
const L1 = 0.005;

const layered = `model reg
input x[4]
target y[3]
h = dense(x, 6, tanh, l2 = ${L2})
out = dense(h, 3, softmax, l1 = ${L1})
loss categorical_crossentropy(out, y)
optimizer sgd(lr = 0.2)
`;

// The same model with parameters and penalties written out.
const byHand = `model reg_hand
input x[4]
target y[3]
param W_h[6, 4] ~ glorot_uniform
param b_h[6] ~ zeros
param W_out[3, 6] ~ glorot_uniform
param b_out[3] ~ zeros
h = tanh(W_h @ x + b_h)
out = softmax(W_out @ h + b_out)
loss = categorical_crossentropy(out, y) + ${L2} * sum(W_h ^ 2) + ${L1} * sum(abs(W_out))
optimizer sgd(lr = 0.2)
`;

const MAP: LayerParams = [
  ["W_h", "b_h"],
  ["W_out", "b_out"],
];
const ROWS = 12;
const xs = randomMatrix(ROWS, 4, 61, -2, 2);
const ys = oneHot(
  randomMatrix(ROWS, 1, 62).map(([u]) => Math.floor(((u! + 1) / 2) * 3)),
  3,
);

function tfModel() {
  const net = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 6, inputShape: [4], activation: "tanh", kernelRegularizer: tfl.regularizers.l2({ l2: L2 }) }),
      tfl.layers.dense({ units: 3, activation: "softmax", kernelRegularizer: tfl.regularizers.l1({ l1: L1 }) }),
    ],
  });
  net.compile({ optimizer: tf.train.sgd(0.2), loss: "categoricalCrossentropy" });
  return net;
}

beforeAll(useCpuBackend);

describe("l1 / l2 regularization vs tfjs-layers kernelRegularizer", () => {
  it("same loss (penalty included) and gradients", async () => {
    const { mod } = await compileAndImport(layered, "reg.nn", { format: false });
    const params = Float64Array.from(randomMatrix(1, mod.model.paramCount, 63, -0.9, 0.9)[0]!);
    const net = tfModel();
    copyWeights(mod, params, net, MAP);
    const ours = ourBatchGradient(mod, params, xs, ys);
    const theirs = tfLossAndGradient(mod, net, MAP, xs, ys);
    expectClose([ours.loss], [theirs.loss], "loss");
    expectClose(ours.grad, theirs.grad, "gradient");

    // The penalty is really in there: tfjs without regularizers gives a different loss.
    const penalty = net.layers.reduce((s, l) => s + l.calculateLosses().reduce((t, p) => t + p.dataSync()[0]!, 0), 0);
    let expected = 0;
    const W = (name: string) => {
      const p = mod.model.params.find((q) => q.name === name)!;
      return Array.from(params.subarray(p.offset, p.offset + p.size));
    };
    expected += L2 * W("W_h").reduce((s, w) => s + w * w, 0) + L1 * W("W_out").reduce((s, w) => s + Math.abs(w), 0);
    expectClose([penalty], [expected], "tfjs' penalty is λ·Σ W² + λ·Σ|W| over kernels");
    expect(penalty).toBeGreaterThan(0.01);

    // evaluate() reports the regularized loss, as Keras 3's does (compute_loss adds the layers'
    // losses); tfjs-layers' evaluate leaves the penalty out, so it is added back here.
    const x = tf.tensor2d(xs);
    const y = tf.tensor2d(ys);
    const tfEval = (net.evaluate(x, y, { batchSize: ROWS }) as tf.Scalar).dataSync()[0]!;
    expectClose([mod.evaluate(params, xs, ys).loss], [tfEval + penalty], "evaluate loss");
    tf.dispose([x, y]);
    net.dispose();
  });

  it("same weights after 10 minibatch steps of fit", async () => {
    const { mod } = await compileAndImport(layered, "reg.nn", { format: false });
    const initial = Float64Array.from(randomMatrix(1, mod.model.paramCount, 64, -0.9, 0.9)[0]!);
    const params = initial.slice();
    const history = mod.fit(params, xs, ys, { epochs: 5, batchSize: 6, shuffle: false });
    const net = tfModel();
    copyWeights(mod, initial, net, MAP);
    const x = tf.tensor2d(xs);
    const y = tf.tensor2d(ys);
    const tfHistory = await net.fit(x, y, { epochs: 5, batchSize: 6, shuffle: false, verbose: 0 });
    expectClose(history.history.loss, tfHistory.history["loss"] as number[], "loss per epoch");
    expectWeightsClose(mod, params, tfWeights(mod, net, MAP), "weights:");
    tf.dispose([x, y]);
    net.dispose();
  });

  it("a penalty written by hand in the loss gives the same gradient as l1/l2 on dense", async () => {
    const a = (await compileAndImport(layered, "reg.nn", { format: false })).mod;
    const b = (await compileAndImport(byHand, "reg_hand.nn", { format: false })).mod;
    expect(b.model.params.map((p) => [p.name, p.offset])).toEqual(a.model.params.map((p) => [p.name, p.offset]));
    const params = Float64Array.from(randomMatrix(1, a.model.paramCount, 65, -0.9, 0.9)[0]!);
    const ga = ourBatchGradient(a, params, xs, ys);
    const gb = ourBatchGradient(b, params, xs, ys);
    expect(gb.loss).toBeCloseTo(ga.loss, 12);
    for (let i = 0; i < params.length; i++) expect(gb.grad[i]).toBeCloseTo(ga.grad[i]!, 12);
  });
});

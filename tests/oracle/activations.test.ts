// Every activation against TensorFlow.js (tfjs-layers, float32): the same two-layer model with the
// same weights and data gives the same output, loss and gradients in nnc and tfjs. Each activation
// is also written as a function in math (`h = relu(W @ x + b)`), which must give the same numbers
// as the layer form.

import { beforeAll, describe, expect, it } from "vitest";
import { compileAndImport } from "../helpers/generated.js";
import { type LayerParams, copyWeights, expectClose, ourBatchGradient, randomMatrix, tf, tfLossAndGradient, tfl, useCpuBackend } from "./tfjs.js";

interface ActivationCase {
  /** How the DSL writes it as dense's activation (or null when only the function form exists). */
  dense: string | null;
  /** The function form applied to `W @ x + b`. */
  call: string;
  /** The tfjs layers computing Dense(5) with this activation. */
  tf?: (units: number) => tfl.layers.Layer[];
  /** Or, where tfjs-layers lacks the option, tfjs math applied to a linear Dense(5)'s output. */
  tfMath?: (z: tf.Tensor) => tf.Tensor;
}

const dense = (activation: string) => (units: number) => [tfl.layers.dense({ units, inputShape: [4], activation: activation as never })];
const denseThen = (layer: () => tfl.layers.Layer) => (units: number) => [tfl.layers.dense({ units, inputShape: [4] }), layer()];

const CASES: Record<string, ActivationCase> = {
  linear: { dense: "linear", call: "linear", tf: dense("linear") },
  sigmoid: { dense: "sigmoid", call: "sigmoid", tf: dense("sigmoid") },
  tanh: { dense: "tanh", call: "tanh", tf: dense("tanh") },
  relu: { dense: "relu", call: "relu", tf: dense("relu") },
  // Keras 3's default slope is 0.2 (tfjs' LeakyReLU defaults to 0.3, so it is passed explicitly).
  leaky_relu: { dense: "leaky_relu", call: "leaky_relu", tf: denseThen(() => tfl.layers.leakyReLU({ alpha: 0.2 })) },
  "leaky_relu(negative_slope = 0.05)": { dense: null, call: "leaky_relu(__, negative_slope = 0.05)", tf: denseThen(() => tfl.layers.leakyReLU({ alpha: 0.05 })) },
  elu: { dense: "elu", call: "elu", tf: dense("elu") },
  // tfjs' ELU layer supports only alpha = 1: the math instead, relu(z) + α·(e^min(z, 0) − 1).
  "elu(alpha = 0.5)": { dense: null, call: "elu(__, alpha = 0.5)", tfMath: (z) => tf.add(tf.relu(z), tf.mul(0.5, tf.sub(tf.exp(tf.minimum(z, 0)), 1))) },
  softplus: { dense: "softplus", call: "softplus", tf: dense("softplus") },
  softmax: { dense: "softmax", call: "softmax", tf: dense("softmax") },
  // Keras' gelu(approximate=False) is x·Φ(x) with erf; tfjs computes erf by Abramowitz–Stegun
  // 7.1.26 in float32 (absolute error ≤ 1.5e-7), well inside the tolerance for these inputs.
  gelu: { dense: "gelu", call: "gelu", tf: dense("gelu") },
  // The tanh approximation is tfjs' 'gelu_new'.
  "gelu(approximate = true)": { dense: null, call: "gelu(__, approximate = true)", tf: dense("gelu_new") },
};

const MAP: LayerParams = [
  ["W_h", "b_h"],
  ["W_out", "b_out"],
];
const HAND_MAP: LayerParams = [
  ["W1", "b1"],
  ["W_out", "b_out"],
];

function layerSource(activation: string): string {
  return `model act
input x[4]
target y[3]
h = dense(x, 5, ${activation})
out = dense(h, 3)
loss mse(out, y)
`;
}

function handSource(call: string): string {
  const applied = call.includes("__") ? call.replace("__", "W1 @ x + b1") : `${call}(W1 @ x + b1)`;
  return `model act_hand
input x[4]
target y[3]
param W1[5, 4] ~ glorot_uniform
param b1[5] ~ zeros
h = ${applied}
out = dense(h, 3)
loss mse(out, y)
`;
}

// Inputs in [-2, 2) put pre-activations on both sides of every kink and in the curved parts.
const xs = randomMatrix(8, 4, 11, -2, 2);
const ys = randomMatrix(8, 3, 12);

beforeAll(useCpuBackend);

describe("activations vs TensorFlow.js", () => {
  for (const [label, c] of Object.entries(CASES)) {
    it(label, async () => {
      const forms: [string, LayerParams][] = [[handSource(c.call), HAND_MAP]];
      if (c.dense) forms.push([layerSource(c.dense), MAP]);
      const outputs: Float64Array[] = [];
      for (const [source, map] of forms) {
        const { mod } = await compileAndImport(source, "act.nn", { format: false });
        // The same weights for both forms (same layout: W[5, 4], b[5], W_out[3, 5], b_out[3]),
        // with nonzero biases so the bias gradients and shifted kinks are exercised.
        const params = Float64Array.from(randomMatrix(1, mod.model.paramCount, 13, -0.8, 0.8)[0]!);
        const first = c.tf ? c.tf(5) : [tfl.layers.dense({ units: 5, inputShape: [4] })];
        const net = tfl.sequential({ layers: [...first, tfl.layers.dense({ units: 3 })] });
        net.compile({ optimizer: "sgd", loss: "meanSquaredError" });
        copyWeights(mod, params, net, map);
        const math = c.tfMath;
        const forward = math ? (x: tf.Tensor) => net.layers[1]!.apply(math(net.layers[0]!.apply(x) as tf.Tensor)) as tf.Tensor : undefined;

        const ours = ourBatchGradient(mod, params, xs, ys);
        const theirs = tfLossAndGradient(mod, net, map, xs, ys, forward);
        const predicted = forward ? forward(tf.tensor2d(xs)) : (net.predict(tf.tensor2d(xs)) as tf.Tensor);
        const out = mod.predictBatch(params, xs);
        expectClose(out, predicted.dataSync(), `${label}: output`);
        expectClose([ours.loss], [theirs.loss], `${label}: loss`);
        expectClose(ours.grad, theirs.grad, `${label}: gradient`);
        outputs.push(out);
        tf.dispose(predicted);
        net.dispose();
      }
      // The layer form and the function form compute the same thing.
      if (outputs.length === 2) for (let i = 0; i < outputs[0]!.length; i++) expect(outputs[0]![i]).toBeCloseTo(outputs[1]![i]!, 12);
    });
  }
});

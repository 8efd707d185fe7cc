// Every optimizer end to end against TensorFlow.js: the same 4 → 6 tanh → 3 softmax model, the
// same initial weights and data, nnc's generated fit() and tfjs-layers' model.fit() (no shuffle)
// run the same minibatch steps; per-epoch losses and the final weights must agree (float32).
// Also: full-batch gradient descent (batchSize "full"), a last partial batch, and the option
// spellings of the `optimizer` statement.
//
// tfjs differs from Keras 3 (which nnc follows) in two formulas, mapped explicitly here:
// - Adam: Keras adds ε to sqrt(v) before bias correction, tfjs to sqrt(v̂): tfjs' ε at step t is
//   set to ε / sqrt(1 − β2^t) before each batch, which makes the two identical.
// - centered RMSprop: Keras sqrt(v − a² + ε), tfjs sqrt(v − (a² + ε)): tfjs gets −ε.

import { beforeAll, describe, expect, it } from "vitest";
import { compileAndImport } from "../helpers/generated.js";
import { type LayerParams, copyWeights, expectClose, expectWeightsClose, oneHot, randomMatrix, tf, tfWeights, tfl, useCpuBackend } from "./tfjs.js";

interface OptimizerCase {
  dsl: string;
  tf: () => tf.Optimizer;
  /** Runs before each tfjs batch with the 1-based step number. */
  beforeStep?: (opt: tf.Optimizer, t: number) => void;
  batchSize?: number | "full";
  epochs?: number;
}

const MAP: LayerParams = [
  ["W_h", "b_h"],
  ["W_out", "b_out"],
];
const ROWS = 16;
const xs = randomMatrix(ROWS, 4, 31, -2, 2);
const ys = oneHot(
  randomMatrix(ROWS, 1, 32).map(([u]) => Math.floor(((u! + 1) / 2) * 3)),
  3,
);

const adamEpsilon = (eps: number, beta2: number) => (opt: tf.Optimizer, t: number) => {
  (opt as unknown as { epsilon: number }).epsilon = eps / Math.sqrt(1 - beta2 ** t);
};

const CASES: Record<string, OptimizerCase> = {
  "sgd": { dsl: "sgd(lr = 0.2)", tf: () => tf.train.sgd(0.2) },
  "sgd, last batch partial (16 rows, batch 6)": { dsl: "sgd(learning_rate = 0.2)", tf: () => tf.train.sgd(0.2), batchSize: 6 },
  // tfjs' momentum optimizer accumulates v' = m·v' + g and steps −lr·v': Keras' v = m·v − lr·g
  // scaled by −lr, identical for a constant learning rate.
  "sgd with momentum": { dsl: "sgd(lr = 0.05, momentum = 0.9)", tf: () => tf.train.momentum(0.05, 0.9) },
  "sgd with nesterov momentum": { dsl: "sgd(lr = 0.05, momentum = 0.9, nesterov = true)", tf: () => tf.train.momentum(0.05, 0.9, true) },
  "full-batch gradient descent (batchSize: \"full\")": { dsl: "sgd(lr = 0.5)", tf: () => tf.train.sgd(0.5), batchSize: "full", epochs: 10 },
  "adam (Keras defaults but lr)": { dsl: "adam(lr = 0.02)", tf: () => tf.train.adam(0.02, 0.9, 0.999, 1e-7), beforeStep: adamEpsilon(1e-7, 0.999) },
  "adam with beta_1, beta_2, epsilon": {
    dsl: "adam(learning_rate = 0.02, beta_1 = 0.8, beta_2 = 0.99, epsilon = 0.01)",
    tf: () => tf.train.adam(0.02, 0.8, 0.99, 0.01),
    beforeStep: adamEpsilon(0.01, 0.99),
  },
  // ε = 0 (accepted by Keras 3, tfjs and createAdam, so by the model file too): the two
  // placements of ε coincide, so tfjs needs no mapping.
  "adam with epsilon = 0": { dsl: "adam(lr = 0.02, epsilon = 0)", tf: () => tf.train.adam(0.02, 0.9, 0.999, 0) },
  "rmsprop": { dsl: "rmsprop(lr = 0.01)", tf: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7) },
  "rmsprop with rho, momentum, centered": {
    dsl: "rmsprop(lr = 0.01, rho = 0.8, momentum = 0.5, centered = true, epsilon = 0.001)",
    tf: () => tf.train.rmsprop(0.01, 0.8, 0.5, -0.001, true),
  },
  "adagrad": { dsl: "adagrad(lr = 0.1)", tf: () => tf.train.adagrad(0.1, 0.1) },
  "adagrad with initial_accumulator_value": { dsl: "adagrad(lr = 0.1, initial_accumulator_value = 0.5)", tf: () => tf.train.adagrad(0.1, 0.5) },
};

function source(optimizer: string): string {
  return `model opt
input x[4]
target y[3]
h = dense(x, 6, tanh)
out = dense(h, 3, softmax)
loss categorical_crossentropy(out, y)
optimizer ${optimizer}
metrics accuracy
`;
}

async function ours(c: OptimizerCase) {
  const { mod } = await compileAndImport(source(c.dsl), "opt.nn", { format: false });
  const initial = Float64Array.from(randomMatrix(1, mod.model.paramCount, 33, -0.9, 0.9)[0]!);
  const params = initial.slice();
  const history = mod.fit(params, xs, ys, { epochs: c.epochs ?? 5, batchSize: c.batchSize ?? 8, shuffle: false });
  return { mod, initial, params, history };
}

beforeAll(useCpuBackend);

describe("optimizers: nnc fit vs tfjs-layers fit", () => {
  for (const [label, c] of Object.entries(CASES)) {
    it(label, async () => {
      const { mod, initial, params, history } = await ours(c);
      const net = tfl.sequential({
        layers: [tfl.layers.dense({ units: 6, inputShape: [4], activation: "tanh" }), tfl.layers.dense({ units: 3, activation: "softmax" })],
      });
      const optimizer = c.tf();
      net.compile({ optimizer, loss: "categoricalCrossentropy" });
      copyWeights(mod, initial, net, MAP);
      let step = 0;
      const x = tf.tensor2d(xs);
      const y = tf.tensor2d(ys);
      const tfHistory = await net.fit(x, y, {
        epochs: c.epochs ?? 5,
        batchSize: c.batchSize === "full" ? ROWS : (c.batchSize ?? 8),
        shuffle: false,
        verbose: 0,
        callbacks: { onBatchBegin: async () => c.beforeStep?.(optimizer, ++step) },
      });
      expectClose(history.history.loss, tfHistory.history["loss"] as number[], `${label}: loss per epoch`);
      expectWeightsClose(mod, params, tfWeights(mod, net, MAP), `${label}: weights after training:`);
      // The run must move the weights, or agreeing proves little.
      let moved = 0;
      for (let i = 0; i < params.length; i++) moved = Math.max(moved, Math.abs(params[i]! - initial[i]!));
      expect(moved).toBeGreaterThan(0.02);
      tf.dispose([x, y]);
      net.dispose();
    });
  }

  it("full batch is one update per epoch on the mean gradient of every row", async () => {
    const { mod, initial, params } = await ours({ dsl: "sgd(lr = 0.5)", tf: () => tf.train.sgd(0.5), batchSize: "full", epochs: 1 });
    const expected = initial.slice();
    const g = new Float64Array(expected.length);
    for (let i = 0; i < ROWS; i++) mod.grad(initial, xs[i]!, ys[i]!, g);
    for (let i = 0; i < expected.length; i++) expected[i]! -= (0.5 * g[i]!) / ROWS;
    for (let i = 0; i < params.length; i++) expect(params[i]).toBeCloseTo(expected[i]!, 12);
    expect(() => mod.fit(params, xs, ys, { batchSize: "all" })).toThrow(/batchSize must be a positive integer or "full", got "all"/);
  });
});

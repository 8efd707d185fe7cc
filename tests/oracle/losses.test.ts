// Every built-in loss against TensorFlow.js (float32): the same model, weights and batch give the
// same loss, gradients and evaluate() (loss and accuracy) in nnc and tfjs-layers. Then the same
// losses at logits of ±1000 through the generated code: finite losses and gradients, with the
// values the stable forms must give.
//
// Where tfjs-layers differs from Keras 3 (which nnc follows):
// - binaryCrossentropy on a sigmoid output: Keras 3 (like tf.keras) uses the sigmoid's logits;
//   tfjs clips the probability to [1e-7, 1 − 1e-7] and takes its logit. Equal while |z| < 16;
//   beyond that tfjs saturates (loss ≈ 16.1, gradient 0) and Keras does not. The comparison below
//   stays in the common range; the ±1000 test checks Keras' behaviour.
// - sparseCategoricalCrossentropy with fromLogits: tfjs clips the *logits* to [ε, 1 − ε] before
//   the softmax (a tfjs bug), so the reference there is tf.losses.softmaxCrossEntropy on one-hot
//   labels, which is Keras' definition.

import { beforeAll, describe, expect, it } from "vitest";
import { compileAndImport } from "../helpers/generated.js";
import { type LayerParams, copyWeights, expectClose, oneHot, ourBatchGradient, randomMatrix, tf, tfLossAndGradient, tfl, useCpuBackend } from "./tfjs.js";

type TargetKind = "real" | "binary" | "onehot" | "sparse";
type TfLoss = string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor);

interface LossCase {
  /** The loss call's extra arguments, e.g. ", from_logits = true". */
  loss: string;
  extra?: string;
  /** Output activation in nnc and in tfjs (Dense activation names coincide for these). */
  activation: "linear" | "sigmoid" | "softmax";
  target: TargetKind;
  tfLoss: TfLoss;
  /** tfjs metric for evaluate()'s accuracy, when the loss implies one. */
  tfAccuracy?: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
}

const CLASSES = 3;

const CASES: Record<string, LossCase> = {
  mse: { loss: "mse", activation: "linear", target: "real", tfLoss: "meanSquaredError" },
  mae: { loss: "mae", activation: "linear", target: "real", tfLoss: "meanAbsoluteError" },
  "binary_crossentropy on sigmoid (from its logits)": {
    loss: "binary_crossentropy",
    activation: "sigmoid",
    target: "binary",
    tfLoss: "binaryCrossentropy",
    tfAccuracy: tfl.metrics.binaryAccuracy,
  },
  "binary_crossentropy on other probabilities (clipped)": {
    loss: "binary_crossentropy",
    activation: "softmax",
    target: "binary",
    tfLoss: "binaryCrossentropy",
    tfAccuracy: tfl.metrics.binaryAccuracy,
  },
  "binary_crossentropy from_logits": {
    loss: "binary_crossentropy",
    extra: ", from_logits = true",
    activation: "linear",
    target: "binary",
    tfLoss: (y, z) => tf.losses.sigmoidCrossEntropy(y, z),
    tfAccuracy: tfl.metrics.binaryAccuracy,
  },
  "categorical_crossentropy on softmax (from its logits)": {
    loss: "categorical_crossentropy",
    activation: "softmax",
    target: "onehot",
    tfLoss: "categoricalCrossentropy",
    tfAccuracy: tfl.metrics.categoricalAccuracy,
  },
  "categorical_crossentropy on other probabilities (normalized, clipped)": {
    loss: "categorical_crossentropy",
    activation: "sigmoid",
    target: "onehot",
    tfLoss: "categoricalCrossentropy",
    tfAccuracy: tfl.metrics.categoricalAccuracy,
  },
  "categorical_crossentropy from_logits": {
    loss: "categorical_crossentropy",
    extra: ", from_logits = true",
    activation: "linear",
    target: "onehot",
    tfLoss: (y, z) => tf.losses.softmaxCrossEntropy(y, z),
    tfAccuracy: tfl.metrics.categoricalAccuracy,
  },
  "sparse_categorical_crossentropy on softmax": {
    loss: "sparse_categorical_crossentropy",
    activation: "softmax",
    target: "sparse",
    tfLoss: "sparseCategoricalCrossentropy",
    tfAccuracy: tfl.metrics.sparseCategoricalAccuracy,
  },
  "sparse_categorical_crossentropy from_logits": {
    loss: "sparse_categorical_crossentropy",
    extra: ", from_logits = true",
    activation: "linear",
    target: "sparse",
    tfLoss: (y, z) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(tf.reshape(y, [-1]), "int32"), CLASSES), z),
    tfAccuracy: tfl.metrics.sparseCategoricalAccuracy,
  },
};

const MAP: LayerParams = [
  ["W_h", "b_h"],
  ["W_out", "b_out"],
];

function source(c: LossCase): string {
  const targetSize = c.target === "sparse" ? 1 : CLASSES;
  return `model lossy
input x[4]
target y[${targetSize}]
h = dense(x, 6, tanh)
out = dense(h, ${CLASSES}, ${c.activation})
loss ${c.loss}(out, y${c.extra ?? ""})
`;
}

const ROWS = 12;
const xs = randomMatrix(ROWS, 4, 21, -2, 2);
const labels = randomMatrix(ROWS, 1, 22).map(([u]) => Math.floor(((u! + 1) / 2) * CLASSES));

function targets(kind: TargetKind): number[][] {
  switch (kind) {
    case "real":
      return randomMatrix(ROWS, CLASSES, 23);
    case "binary":
      return randomMatrix(ROWS, CLASSES, 24).map((row) => row.map((u) => (u > 0 ? 1 : 0)));
    case "onehot":
      return oneHot(labels, CLASSES);
    case "sparse":
      return labels.map((k) => [k]);
  }
}

async function build(c: LossCase) {
  const { mod } = await compileAndImport(source(c), "lossy.nn", { format: false });
  const params = Float64Array.from(randomMatrix(1, mod.model.paramCount, 25, -0.9, 0.9)[0]!);
  return { mod, params };
}

beforeAll(useCpuBackend);

describe("losses vs TensorFlow.js", () => {
  for (const [label, c] of Object.entries(CASES)) {
    it(label, async () => {
      const { mod, params } = await build(c);
      const ys = targets(c.target);
      const net = tfl.sequential({
        layers: [tfl.layers.dense({ units: 6, inputShape: [4], activation: "tanh" }), tfl.layers.dense({ units: CLASSES, activation: c.activation })],
      });
      net.compile({ optimizer: "sgd", loss: c.tfLoss as never });
      copyWeights(mod, params, net, MAP);

      const ours = ourBatchGradient(mod, params, xs, ys);
      const theirs = tfLossAndGradient(mod, net, MAP, xs, ys);
      expectClose([ours.loss], [theirs.loss], `${label}: loss`);
      expectClose(ours.grad, theirs.grad, `${label}: gradient`);

      // evaluate(): the mean loss in inference mode and the accuracy the loss implies.
      const x = tf.tensor2d(xs);
      const y = tf.tensor2d(ys);
      const evaluated = mod.evaluate(params, xs, ys);
      // tfjs' evaluate() checks target shapes against its own loss names only, so a custom loss
      // (the sparse from-logits reference) is evaluated directly on the predictions.
      const fn = c.tfLoss;
      const tfLoss = typeof fn === "string" ? (net.evaluate(x, y, { batchSize: ROWS }) as tf.Scalar) : tf.mean(fn(y, net.predict(x) as tf.Tensor));
      expectClose([evaluated.loss], [tfLoss.dataSync()[0]!], `${label}: evaluate loss`);
      if (c.tfAccuracy) {
        const accuracy = tf.mean(c.tfAccuracy(y, net.predict(x) as tf.Tensor)).dataSync()[0]!;
        expect(evaluated.accuracy).toBeCloseTo(accuracy, 6);
      } else {
        expect(evaluated.accuracy).toBeNaN();
      }
      tf.dispose([x, y, tfLoss]);
      net.dispose();
    });
  }
});

describe("losses at logits of ±1000 (through the generated code)", () => {
  const LOGITS = [1000, -1000, 0];
  for (const [label, c] of Object.entries(CASES)) {
    it(label, async () => {
      const { mod, params } = await build(c);
      // The output layer's bias sets the logits; a small W_out keeps them near ±1000.
      const W = mod.model.params.find((p) => p.name === "W_out")!;
      const b = mod.model.params.find((p) => p.name === "b_out")!;
      for (let i = 0; i < W.size; i++) params[W.offset + i]! *= 0.01;
      params.set(LOGITS, b.offset);
      // Targets that disagree with the logits: the worst case for the log terms.
      const y = c.target === "sparse" ? [1] : c.target === "onehot" ? [0, 1, 0] : c.target === "binary" ? [0, 1, 1] : [-1, 1, 0.5];
      for (const x of xs.slice(0, 4)) {
        const g = new Float64Array(params.length);
        const loss = mod.grad(params, x, y, g);
        expect(Number.isFinite(loss), `loss ${loss}`).toBe(true);
        expect(Number.isFinite(mod.loss(params, x, y))).toBe(true);
        expect(g.every(Number.isFinite), "every gradient element is finite").toBe(true);
      }
    });
  }

  it("stable forms give the exact values: BCE on σ(z) and CCE on softmax(z) from the logits", async () => {
    const x = [0, 0, 0, 0];
    const bce = await build(CASES["binary_crossentropy on sigmoid (from its logits)"]!);
    zeroOutputWeights(bce.mod, bce.params, LOGITS);
    // mean(softplus(z) − y·z) with z = [1000, −1000, 0], y = [0, 1, 1] = (1000 + 1000 + ln 2) / 3
    const g = new Float64Array(bce.params.length);
    expect(bce.mod.grad(bce.params, x, [0, 1, 1], g)).toBeCloseTo((2000 + Math.LN2) / 3, 9);
    // ∂/∂b_out = (σ(z) − y) / 3 = [1/3, −1/3, −1/6]: the gradient is p − y, not 0.
    const b = bce.mod.model.params.find((p) => p.name === "b_out")!;
    const gb = Array.from(g.subarray(b.offset, b.offset + 3));
    [1 / 3, -1 / 3, -1 / 6].forEach((v, i) => expect(gb[i]).toBeCloseTo(v, 12));

    const cce = await build(CASES["categorical_crossentropy on softmax (from its logits)"]!);
    zeroOutputWeights(cce.mod, cce.params, LOGITS);
    // −log softmax(z)[1] = logsumexp(z) − z[1] = 1000 + 1000
    const g2 = new Float64Array(cce.params.length);
    expect(cce.mod.grad(cce.params, x, [0, 1, 0], g2)).toBeCloseTo(2000, 9);
    const b2 = cce.mod.model.params.find((p) => p.name === "b_out")!;
    [1, -1, 0].forEach((v, i) => expect(g2[b2.offset + i]).toBeCloseTo(v, 12)); // softmax(z) − y
  });
});

function zeroOutputWeights(mod: { model: { params: { name: string; offset: number; size: number }[] } }, params: Float64Array, logits: number[]): void {
  const W = mod.model.params.find((p) => p.name === "W_out")!;
  const b = mod.model.params.find((p) => p.name === "b_out")!;
  params.fill(0, W.offset, W.offset + W.size);
  params.set(logits, b.offset);
}

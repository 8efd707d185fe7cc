// The TensorFlow.js judge, importing: models built, trained a step and saved by tfjs-layers
// itself (Sequential and functional, every layer and activation the importer has, CNNs of every
// image layer, weights over several shards, the training config), imported by `nnc import`,
// compiled by nnc, give tfjs' predictions (1e-5 relative, tfjs computing in float32) and its
// gradients of the training loss, regularizers included (1e-4: tfjs accumulates in float32).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importTfjs } from "../../compiler/interop/tfjs/import.js";
import { oneHot, randomMatrix, tf, tfl, tfLossAndGradient, useCpuBackend, type LayerParams } from "../oracle/tfjs.js";
import { expectAgree, loadImported, meanGradient } from "./helpers.js";
import { save } from "./tfjs-files.js";

let dir = "";
beforeAll(async () => {
  await useCpuBackend();
  dir = mkdtempSync(join(tmpdir(), "nnc-tfjs-import-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * tfjs' default kernel initializer with a fixed seed: the CNNs' weights are the same on every
 * run, so are the measured errors (unseeded, their gradients' worst error wandered between 3e-6
 * and 7e-5 from run to run, against the limit of 1e-4).
 */
const kernel = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotNormal({ seed }) });

/** tfjs' weighted layers, in order, as the imported model's parameter names (from where each came). */
function layerParams(net: tfl.LayersModel, sources: Map<string, string>): LayerParams {
  const owner = (what: string) => [...sources].find(([, from]) => from === what || from === `${what}, transposed`)?.[0];
  return net.layers
    .filter((l) => l.getWeights().length > 0)
    .map((l) => [owner(`${l.name}/kernel`)!, owner(`${l.name}/bias`) ?? null]);
}

/** Saves `net`, imports it, and checks predictions and (unless it has dropout) gradients against tfjs. */
async function judge(name: string, net: tfl.LayersModel, xs: number[][], ys: number[][], opts: { shards?: number; includeOptimizer?: boolean; gradients?: boolean } = {}) {
  const file = join(dir, name, "model.json");
  await save(net, file, opts);
  const imported = importTfjs(file, join(dir, `${name}.nn`));
  const { mod, params } = await loadImported(imported);
  // Each row is one sample, flat (an image row by row, channels last: tfjs' layout and nnc's).
  const theirs = tf.tidy(() => (net.predict(tf.tensor(xs.flat(), [xs.length, ...(net.inputs[0]!.shape.slice(1) as number[])])) as tf.Tensor).dataSync());
  expectAgree(`tfjs import ${name}: predictions`, mod.predictBatch(params, xs), theirs, 1e-5);
  if (opts.gradients !== false) {
    const map = layerParams(net, imported.sources);
    const ref = tfLossAndGradient(mod, net, map, xs, ys);
    const ours = meanGradient(mod, params, xs, ys);
    expectAgree(`tfjs import ${name}: loss`, [ours.loss], [ref.loss], 1e-5);
    expectAgree(`tfjs import ${name}: gradients`, ours.grad, ref.grad, 1e-4);
  }
  return imported;
}

describe("TensorFlow.js models imported by nnc (the tfjs judge)", () => {
  it("a Sequential model of every activation layer, with l1/l2 and its training config, over three shards", async () => {
    const net = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 6, inputShape: [4], activation: "relu", kernelRegularizer: tfl.regularizers.l1l2({ l1: 0.01, l2: 0.02 }) }),
        tfl.layers.dense({ units: 5, activation: "tanh" }),
        tfl.layers.dense({ units: 5, activation: "elu" }),
        tfl.layers.activation({ activation: "sigmoid" }),
        tfl.layers.leakyReLU({ alpha: 0.25 }),
        tfl.layers.dense({ units: 4, activation: "softplus", useBias: false }),
        tfl.layers.elu(),
        tfl.layers.reLU(),
        tfl.layers.dense({ units: 3, activation: "linear" }),
        tfl.layers.softmax(),
      ],
    });
    net.compile({ loss: "categoricalCrossentropy", optimizer: tf.train.momentum(0.05, 0.9), metrics: ["accuracy"] });
    const xs = randomMatrix(8, 4, 11);
    const ys = oneHot([0, 1, 2, 0, 1, 2, 0, 1], 3);
    await net.fit(tf.tensor2d(xs), tf.tensor2d(ys), { epochs: 1, batchSize: 8, verbose: 0 });
    const imported = await judge("sequential", net, xs, ys, { shards: 3, includeOptimizer: true });
    expect(imported.text).toContain("loss categorical_crossentropy(");
    expect(imported.text).toMatch(/optimizer sgd\(learning_rate = 0\.05\d*, momentum = 0\.9, nesterov = false\)/);
    expect(imported.text).toContain("metrics accuracy");
    expect(imported.text).toMatch(/= dense\(\w+, 6, relu, l1 = 0\.01, l2 = 0\.02/);
    expect(imported.text).toMatch(/leaky_relu\(\w+, negative_slope = 0\.25\)/);
  });

  it("activations nnc writes as math (swish, gelu, gelu_new, selu, softsign, relu6, mish, log_softmax), no training config", async () => {
    const layers = ["swish", "gelu", "gelu_new", "selu", "softsign", "relu6", "mish"].map((activation, i) =>
      tfl.layers.dense({ units: 5, activation: activation as "relu", ...(i === 0 ? { inputShape: [3] } : {}) }),
    );
    const net = tfl.sequential({ layers: [...layers, tfl.layers.dense({ units: 4, activation: "logSoftmax" as "relu" })] });
    net.compile({ loss: "meanSquaredError", optimizer: "sgd" });
    const xs = randomMatrix(6, 3, 12, -2, 2);
    const ys = randomMatrix(6, 4, 13, -3, 0);
    const imported = await judge("math-activations", net, xs, ys);
    expect(imported.text).toContain("has no training configuration: nnc chose mse");
    expect(imported.text).toMatch(/= \w+ \* sigmoid\(\w+\)/);
    expect(imported.text).toMatch(/gelu\(.*, approximate = true\)/);
  });

  it("a functional model with merges (Add, Multiply, Average), fan-out and a layer named like an nnc function", async () => {
    const input = tfl.input({ shape: [3], name: "features" });
    const a = tfl.layers.dense({ units: 4, activation: "relu", name: "a" }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.dense({ units: 4, activation: "sigmoid", name: "b" }).apply(input) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: "sum" }).apply([a, b]) as tfl.SymbolicTensor;
    const prod = tfl.layers.multiply({ name: "prod" }).apply([sum, a]) as tfl.SymbolicTensor;
    const avg = tfl.layers.average({ name: "avg" }).apply([prod, b, sum]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, activation: "sigmoid", name: "out" }).apply(avg) as tfl.SymbolicTensor;
    const net = tfl.model({ inputs: input, outputs: out });
    net.compile({ loss: "binaryCrossentropy", optimizer: tf.train.adam(0.01) });
    const xs = randomMatrix(7, 3, 14);
    const ys = [0, 1, 1, 0, 1, 0, 1].map((k) => [k, 1 - k]);
    const imported = await judge("functional", net, xs, ys, { includeOptimizer: true });
    // `sum` is nnc's function: the layer's value is renamed, Keras-style.
    expect(imported.text).toContain("sum_0 = a + b");
    expect(imported.text).toContain("avg   = (prod + b + sum_0) / 3");
    expect(imported.text).toContain("input  features[3]");
    // The same model as Keras writes it (tensorflowjs_converter's model_config / training_config
    // wrapping, Keras 3's keras_history inbound nodes) imports to the same model file.
    const file = join(dir, "functional", "model.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    for (const layer of json.modelTopology.config.layers) {
      layer.inbound_nodes = layer.inbound_nodes.map((node: [string, number, number][]) => ({ args: [node.map(([name]) => ({ class_name: "__keras_tensor__", config: { keras_history: [name, 0, 0] } }))], kwargs: {} }));
    }
    json.modelTopology = { keras_version: "3.0.0", backend: "tensorflow", model_config: { ...json.modelTopology, class_name: "Functional" }, training_config: json.trainingConfig };
    delete json.trainingConfig;
    writeFileSync(join(dir, "functional", "keras.json"), JSON.stringify(json));
    expect(importTfjs(join(dir, "functional", "keras.json"), join(dir, "functional.nn")).text).toBe(imported.text.replace("model.json", "keras.json"));
  });

  it("dropout becomes nnc's dropout: the same predictions (inference), the same rate", async () => {
    const net = tfl.sequential({ layers: [tfl.layers.dense({ units: 8, inputShape: [2], activation: "relu" }), tfl.layers.dropout({ rate: 0.3 }), tfl.layers.dense({ units: 1, activation: "sigmoid" })] });
    const imported = await judge("dropout", net, randomMatrix(5, 2, 15), [], { gradients: false });
    expect(imported.text).toMatch(/= dropout\(\w+, 0\.3\)/);
    expect(imported.text).toContain("loss binary_crossentropy(");
  });

  it("an MNIST-like CNN (conv - pool - conv - pool - flatten - dense), trained a step", async () => {
    const net = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, padding: "same", activation: "relu", ...kernel(1) }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", activation: "relu", ...kernel(2) }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 10, activation: "softmax", ...kernel(3) }),
      ],
    });
    net.compile({ loss: "categoricalCrossentropy", optimizer: tf.train.adam(0.01), metrics: ["accuracy"] });
    const xs = randomMatrix(4, 28 * 28, 16, 0, 1);
    const ys = oneHot([3, 1, 4, 1], 10);
    await net.fit(tf.tensor(xs.flat(), [4, 28, 28, 1]), tf.tensor2d(ys), { epochs: 1, batchSize: 4, verbose: 0 });
    const imported = await judge("mnist-cnn", net, xs, ys, { includeOptimizer: true });
    expect(imported.text).toContain("input  x[28, 28, 1]");
    expect(imported.text).toMatch(/= conv2d\(x, 4, 3, padding = same, activation = relu, kernel_initializer = glorot_normal\)/);
    expect(imported.text).toMatch(/= max_pool2d\(\w+, 2\)/);
    expect(imported.text).toMatch(/= flatten\(\w+\)/);
  });

  it("a functional CNN of every image layer: strides, both paddings, a non-square kernel, no bias, l2, pooling, global pooling, reshape, merges of images", async () => {
    const input = tfl.input({ shape: [10, 10, 3], name: "image" });
    const c1 = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: "same", activation: "elu", name: "c1", kernelRegularizer: tfl.regularizers.l2({ l2: 0.01 }), ...kernel(4) }).apply(input) as tfl.SymbolicTensor;
    const c2 = tfl.layers.conv2d({ filters: 4, kernelSize: [3, 2], padding: "same", useBias: false, name: "c2", ...kernel(5) }).apply(input) as tfl.SymbolicTensor;
    const p2 = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same", name: "p2" }).apply(c2) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: "sum" }).apply([c1, p2]) as tfl.SymbolicTensor;
    const a = tfl.layers.activation({ activation: "tanh", name: "a" }).apply(sum) as tfl.SymbolicTensor;
    const avg = tfl.layers.averagePooling2d({ poolSize: 2, strides: 1, name: "avg" }).apply(a) as tfl.SymbolicTensor;
    const gap = tfl.layers.globalAveragePooling2d({ name: "gap" }).apply(a) as tfl.SymbolicTensor;
    const gmp = tfl.layers.globalMaxPooling2d({ name: "gmp" }).apply(c1) as tfl.SymbolicTensor;
    const shaped = tfl.layers.reshape({ targetShape: [16, 4], name: "shaped" }).apply(avg) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten({ name: "flat" }).apply(shaped) as tfl.SymbolicTensor;
    const d1 = tfl.layers.dense({ units: 3, name: "d1", ...kernel(6) }).apply(flat) as tfl.SymbolicTensor;
    const d2 = tfl.layers.dense({ units: 3, name: "d2", ...kernel(7) }).apply(tfl.layers.multiply({ name: "both" }).apply([gap, gmp]) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const out = tfl.layers.activation({ activation: "softmax", name: "out" }).apply(tfl.layers.add({ name: "logits" }).apply([d1, d2]) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const net = tfl.model({ inputs: input, outputs: out });
    net.compile({ loss: "categoricalCrossentropy", optimizer: "sgd" });
    const xs = randomMatrix(5, 10 * 10 * 3, 17, -1, 1);
    const ys = oneHot([0, 1, 2, 0, 1], 3);
    await net.fit(tf.tensor(xs.flat(), [5, 10, 10, 3]), tf.tensor2d(ys), { epochs: 1, batchSize: 5, verbose: 0 });
    const imported = await judge("image-layers", net, xs, ys, { shards: 2, includeOptimizer: true });
    expect(imported.text).toContain("input  image[10, 10, 3]");
    expect(imported.text).toMatch(/^c1 += conv2d\(image, 4, 3, strides = 2, padding = same, activation = elu, l2 = 0\.01/m);
    expect(imported.text).toMatch(/^c2 += conv2d\(image, 4, \[3, 2\], padding = same, use_bias = false/m);
    expect(imported.text).toMatch(/^p2 += max_pool2d\(c2, 3, strides = 2, padding = same\)/m);
    expect(imported.text).toMatch(/^avg += average_pool2d\(a, 2, strides = 1\)/m);
    expect(imported.text).toMatch(/^gap += global_average_pool2d\(a\)/m);
    expect(imported.text).toMatch(/^gmp += flatten\(max_pool2d\(c1, 5\)\)/m);
    expect(imported.text).toMatch(/^shaped += reshape\(avg, \[16, 4\]\)/m);
  });

  // Predictions only: tfjs has no gradient for dilated convolutions, and tfjs 4.22's gradient of
  // average pooling with padding "same" divides by the whole window where its forward pass (and
  // TensorFlow, and nnc, checked against finite differences in op-gradients.test.ts) counts only
  // the taps inside the image.
  it("dilated convolutions and average pooling with same padding (predictions only)", async () => {
    const net = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [9, 9, 2], filters: 3, kernelSize: 3, dilationRate: 2, activation: "sigmoid", ...kernel(8) }),
        tfl.layers.conv2d({ filters: 2, kernelSize: [2, 3], dilationRate: [2, 1], padding: "same", ...kernel(9) }),
        tfl.layers.averagePooling2d({ poolSize: 2, padding: "same" }),
        tfl.layers.globalMaxPooling2d({}),
      ],
    });
    const imported = await judge("dilated", net, randomMatrix(3, 9 * 9 * 2, 18), [], { gradients: false });
    expect(imported.text).toMatch(/= conv2d\(x, 3, 3, activation = sigmoid, dilation_rate = 2/);
    expect(imported.text).toMatch(/= conv2d\(\w+, 2, \[2, 3\], padding = same, dilation_rate = \[2, 1\]/);
    expect(imported.text).toMatch(/= average_pool2d\(\w+, 2, padding = same\)/);
  });
});
